// Dedupe originals (SPEC §6): the durable capture of each payload, by
// payload SHA-1, that a later identical payload is written as a revisit
// of. Only committed captures are offered, so a revisit never points at a
// record a crash could still lose.
#ifndef ROTGUARD_ARCHIVE_ORIGINALS_H_
#define ROTGUARD_ARCHIVE_ORIGINALS_H_

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "rotguard/manifest.h"
#include "rotguard/warc_writer.h"

namespace rotguard::archiver {

// Payloads shorter than this are always written in full.
inline constexpr uint64_t kDedupeMinBytes = 1024;

// What a revisit record says of the durable capture it refers to.
WarcRevisitOf RevisitTargetOf(const CaptureRow& capture);

// Thread-safe: writers Find() while the committer Offer()s.
class Originals {
 public:
  // Looks a payload up among committed captures of earlier runs (or of
  // this run, committed before the lookup).
  using Lookup = std::function<Result<std::optional<CaptureRow>>(
      const std::string& payload_sha1)>;

  explicit Originals(Lookup lookup) : lookup_(std::move(lookup)) {}

  // The durable original of a payload, if any (truncated and short
  // captures never are).
  std::optional<WarcRevisitOf> Find(const std::string& payload_sha1);
  // Committed captures that were not revisits become originals (the first
  // one of each payload wins).
  void Offer(const std::vector<CaptureRow>& captures);

 private:
  Lookup lookup_;
  std::mutex mu_;
  std::unordered_map<std::string, WarcRevisitOf> known_;  // by payload sha1
};

}  // namespace rotguard::archiver

#endif  // ROTGUARD_ARCHIVE_ORIGINALS_H_
