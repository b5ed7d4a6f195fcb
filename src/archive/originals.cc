#include "archive/originals.h"

#include <chrono>
#include <utility>

namespace rotguard::archiver {
namespace {

bool CanBeOriginal(const CaptureRow& c) {
  return !c.truncated &&
         c.payload_length >= static_cast<int64_t>(kDedupeMinBytes);
}

}  // namespace

WarcRevisitOf RevisitTargetOf(const CaptureRow& c) {
  WarcRevisitOf original;
  original.record_id = c.record_id;
  original.target_uri = c.url;
  original.date = FormatWarcDate(std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::microseconds(c.captured_at_us))));
  original.payload_digest = "sha1:" + c.payload_sha1;
  original.payload_sha256 = c.payload_sha256;
  original.payload_length = static_cast<uint64_t>(c.payload_length);
  return original;
}

std::optional<WarcRevisitOf> Originals::Find(const std::string& sha1) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = known_.find(sha1);
    if (it != known_.end()) return it->second;
  }
  Result<std::optional<CaptureRow>> found = lookup_(sha1);
  if (!found.ok() || !found->has_value() || !CanBeOriginal(**found)) {
    return std::nullopt;
  }
  WarcRevisitOf original = RevisitTargetOf(**found);
  std::lock_guard<std::mutex> lock(mu_);
  known_.emplace(sha1, original);
  return original;
}

void Originals::Offer(const std::vector<CaptureRow>& captures) {
  std::lock_guard<std::mutex> lock(mu_);
  for (const CaptureRow& c : captures) {
    if (!c.revisit_of.empty() || !CanBeOriginal(c) || c.payload_sha1.empty()) {
      continue;
    }
    known_.emplace(c.payload_sha1, RevisitTargetOf(c));  // first one wins
  }
}

}  // namespace rotguard::archiver
