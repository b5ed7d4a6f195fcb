// Own copies before public-archive copies (rotguard/copy_choice.h).
#include "rotguard/copy_choice.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "util/time_format.h"

namespace rotguard {

bool IsPublicArchiveCopy(const CaptureRow& capture) {
  return capture.source == kSourcePublicArchive;
}

bool IsGoodCopy(const CaptureRow& capture) {
  return !capture.lost &&
         (capture.http_status == 0 ||
          (capture.http_status >= 200 && capture.http_status < 300));
}

std::vector<CaptureRow> PreferOwnCopies(std::vector<CaptureRow> captures) {
  bool own_good =
      std::any_of(captures.begin(), captures.end(), [](const CaptureRow& c) {
        return !IsPublicArchiveCopy(c) && IsGoodCopy(c);
      });
  if (!own_good) return captures;
  captures.erase(std::remove_if(captures.begin(), captures.end(),
                                [](const CaptureRow& c) {
                                  return IsPublicArchiveCopy(c);
                                }),
                 captures.end());
  return captures;
}

const CaptureRow* BestPublicCopy(const std::vector<CaptureRow>& captures) {
  const CaptureRow* best = nullptr;
  for (const CaptureRow& c : captures) {
    if (!IsPublicArchiveCopy(c) || !IsGoodCopy(c)) continue;
    if (!best || c.captured_at_us > best->captured_at_us ||
        (c.captured_at_us == best->captured_at_us && c.id > best->id)) {
      best = &c;
    }
  }
  return best;
}

Result<std::optional<CaptureRow>> FindBestMemento(
    Manifest& manifest, const std::string& normalized) {
  Result<std::vector<CaptureRow>> captures = manifest.CapturesOf(normalized);
  if (!captures.ok()) return captures.status();
  const CaptureRow* best = BestPublicCopy(*captures);
  if (!best) return std::optional<CaptureRow>();
  return std::optional<CaptureRow>(*best);
}

std::string CopyOrigin(const CaptureRow& capture) {
  if (!IsPublicArchiveCopy(capture)) return "";
  std::string text =
      capture.archive.empty() ? "public archive" : capture.archive;
  if (capture.memento_at_us != 0) {
    // Floor division: mementos before 1970 round towards the past.
    int64_t seconds = capture.memento_at_us / 1'000'000;
    if (capture.memento_at_us < 0 && capture.memento_at_us % 1'000'000 != 0) {
      --seconds;
    }
    text += ", memento " + FormatUtc(seconds, UtcStyle::kIso);
  }
  return text;
}

}  // namespace rotguard
