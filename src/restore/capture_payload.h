// The two steps of StreamCapturePayload (rotguard/restore.h), apart:
// finding the record that holds a capture's bytes asks the manifest, and
// reading it does not, so `restore` reads pages on a second thread while
// its own thread keeps the manifest.
#ifndef ROTGUARD_RESTORE_CAPTURE_PAYLOAD_H_
#define ROTGUARD_RESTORE_CAPTURE_PAYLOAD_H_

#include <filesystem>
#include <memory>
#include <string>
#include <unordered_map>

#include "rotguard/content_coding.h"
#include "rotguard/manifest.h"
#include "rotguard/restore.h"
#include "rotguard/status.h"
#include "rotguard/warc_reader.h"

namespace rotguard::restore {

// The WARC files one thread reads records from, each opened once:
// WarcReader::Open inflates the start of the file to tell WARC from ARC,
// and `restore` reads thousands of records from a few files. Only for a
// run that rewrites no WARC file; one thread at a time.
class WarcReaders {
 public:
  // The reader of `path` (digests not checked), opened at its first use.
  Result<WarcReader*> Get(const std::filesystem::path& path);

 private:
  // Bounds the descriptors held when records come from many files.
  static constexpr size_t kMaxOpen = 16;
  std::unordered_map<std::string, std::unique_ptr<WarcReader>> open_;
};

// The row of the record holding `capture`'s payload: the capture itself,
// or a revisit's original.
Result<CaptureRow> PayloadRecordOf(Manifest& manifest,
                                   const CaptureRow& capture);

// StreamCapturePayload of `capture` from `record`, its PayloadRecordOf(),
// through `readers` when given; uses no manifest, so any thread may call
// it (with readers of its own).
Result<CapturePayload> StreamRecordPayload(
    const std::filesystem::path& warc_dir, const CaptureRow& capture,
    const CaptureRow& record, const PayloadReadOptions& options,
    const DecodedSink& sink, WarcReaders* readers = nullptr);

}  // namespace rotguard::restore

#endif  // ROTGUARD_RESTORE_CAPTURE_PAYLOAD_H_
