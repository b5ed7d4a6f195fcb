// Getting archived content back (SPEC §8, §13 "restore layout"): choosing
// the capture of a URL (latest 2xx, or nearest a time), following its
// recorded redirect chain and revisits, decoding the payload; safe local
// file names; offline copies of posts and the pages they cite.
#ifndef ROTGUARD_RESTORE_H_
#define ROTGUARD_RESTORE_H_

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "rotguard/config.h"
#include "rotguard/content_coding.h"
#include "rotguard/env.h"
#include "rotguard/manifest.h"
#include "rotguard/status.h"

namespace rotguard {

// --at TIME: a 4–14 digit timestamp (YYYY[MM[DD[hh[mm[ss]]]]], missing
// parts are the earliest value) or RFC 3339 ("2020-02-08T10:00:00Z",
// offsets and fractions allowed). Microseconds since the epoch, UTC.
Result<int64_t> ParseCaptureTime(std::string_view text);

// A capture chosen for a URL, with the hops that led to it.
struct ResolvedCapture {
  std::vector<CaptureRow> hops;  // first: the URL's own capture; last: final
  const CaptureRow& final_capture() const { return hops.back(); }
};

// Picks the capture of `url` (normalized first; a URL that does not
// normalize, e.g. "file:…", is looked up as written): without `at_us`,
// the latest 2xx capture (else the latest redirect); with it, the
// capture nearest that time. A redirect is followed along its recorded
// chain (chain_id / final_url), else along its Location header, at most
// 20 hops. NotFound "URL: no capture in the store" when there is none.
Result<ResolvedCapture> ResolveCapture(Manifest& manifest,
                                       const std::filesystem::path& warc_dir,
                                       const std::string& url,
                                       std::optional<int64_t> at_us);

// The head of a capture's payload record and, from ReadCapturePayload,
// the payload (a revisit is replaced by its original record), HTTP
// transfer coding removed; with decoding, the Content-Encoding (gzip,
// x-gzip, deflate, br) decoded too. The Content-Type is the HTTP header's,
// or the WARC one for resources.
struct CapturePayload {
  std::string content_type;
  std::string content_encoding;  // as stored; "" after decoding
  std::string location;          // Location header of a redirect
  std::string truncated;         // WARC-Truncated ("length", ...) or ""
  uint64_t stored_size = 0;      // payload bytes as stored (coded)
  std::string bytes;             // ReadCapturePayload only
};

// The most decoded bytes one capture may give (issue #14: a 1 MB gzip
// body can inflate to 1 GiB and more): `configured` when not 0, else
// 1 GiB or 200 times the stored size, whichever is larger.
uint64_t DecodedSizeLimit(uint64_t configured, uint64_t stored_size);

struct PayloadReadOptions {
  bool decode_content = true;
  // --max-decoded-size; 0: the default rule of DecodedSizeLimit().
  uint64_t max_decoded = 0;
};

// Streams the payload of `capture` to `sink` as it is read and decoded,
// so memory does not grow with the body, and returns the head (`bytes`
// empty). ResourceExhausted "URL: decoded body larger than N bytes …"
// past the limit (the sink then has a prefix); Corruption or
// NotSupported "URL: …" when it cannot be decoded; the sink's own error
// as it is. A truncated capture decodes as far as its bytes go.
Result<CapturePayload> StreamCapturePayload(
    Manifest& manifest, const std::filesystem::path& warc_dir,
    const CaptureRow& capture, const PayloadReadOptions& options,
    const DecodedSink& sink);

// The head only (no payload bytes read).
Result<CapturePayload> ReadCaptureHead(Manifest& manifest,
                                       const std::filesystem::path& warc_dir,
                                       const CaptureRow& capture);

// The whole payload in memory: for bodies known to be small (posts).
Result<CapturePayload> ReadCapturePayload(Manifest& manifest,
                                          const std::filesystem::path& warc_dir,
                                          const CaptureRow& capture,
                                          bool decode_content,
                                          uint64_t max_decoded = 0);

// Decodes `body` of Content-Encoding `coding` (gzip, x-gzip, deflate, br,
// identity or ""); NotSupported for other codings.
Result<std::string> DecodeContentEncoding(std::string_view body,
                                          std::string_view coding);

// --- safe file names ---

// The relative path under the restore directory for an archived URL:
// "assets/<host>/<path>[__<query-hash>].<ext>", a page (HTML, or a path
// ending in '/') as ".../index.html". Every component is safe on POSIX and
// Windows: no "." / "..", no '/', '\\', NUL or control characters, no
// device names (CON, NUL, AUX, COM1…), no trailing dot or space, at most
// 100 bytes (longer ones cut with a hash suffix); the whole path at most
// 240 bytes. The extension comes from `content_type` when the URL path has
// none (or a misleading one for HTML).
std::string SafeAssetPath(std::string_view url, std::string_view content_type);

// Hands out SafeAssetPath() names, making them collision-free: a second
// URL whose name equals (case-insensitively) an earlier one gets a hash of
// its full URL appended before the extension. Stable per URL.
class AssetNamer {
 public:
  std::string NameFor(const std::string& url, std::string_view content_type);

 private:
  std::map<std::string, std::string> by_url_;  // url → name
  std::set<std::string> folded_taken_;         // lowercased names
};

// The name AssetNamer gives `url` on its clash `attempt` (0, 1, ...):
// `primary` (its SafeAssetPath) with "~" and a hash of the URL before the
// extension; `moved` (a parent directory was a file already) puts it in
// "assets/~moved/" instead.
std::string ClashName(const std::string& primary, const std::string& url,
                      int attempt, bool moved);

// Clash attempts AssetNameCandidates looks at: a third URL with the same
// name and the same 10-hex-digit hash is not to be expected.
inline constexpr int kClashAttemptsLooked = 3;

// Every name a restore may have written `url` under, the clash-renamed
// ones (unique to this URL) first and SafeAssetPath() last: what `fix --to
// local` looks for in a restore directory.
std::vector<std::string> AssetNameCandidates(const std::string& url,
                                             std::string_view content_type);

// A POSIX relative path from the directory of `from` to `to` (both
// relative to the same root, '/'-separated).
std::string RelativePath(std::string_view from, std::string_view to);

// --- restore ---

enum class RestoreFormat { kDir, kTar, kZip };

struct RestoreOptions {
  std::vector<std::filesystem::path> paths;  // posts or directories
  std::filesystem::path out;                 // directory or archive file
  RestoreFormat format = RestoreFormat::kDir;
  std::optional<int64_t> at_us;
  // The site root posts' relative images are copied from; empty: the
  // longest common directory of `paths`.
  std::filesystem::path site_root;
  // Called after each post with (posts done, posts in all); the CLI draws
  // its progress line with it on a TTY.
  std::function<void(int done, int total)> on_progress;
  // --max-decoded-size: a capture decoding to more is skipped with a note;
  // 0: DecodedSizeLimit()'s default rule.
  uint64_t max_decoded = 0;
  // Every output file is written through it (tests inject faults).
  Env* env = Env::Default();
  // Linked pages wait until every page of the run is known (they link to
  // each other); they wait with their bytes while those fit in this many
  // bytes, and the others are read from the store again, so memory does
  // not grow with the number of pages restored.
  uint64_t max_pending_page_bytes = uint64_t{32} << 20;
};

struct RestoreSummary {
  int posts = 0;
  int pages = 0;           // linked pages restored offline
  int rendered_pages = 0;  // of `pages`: from the browser's DOM snapshot
  int assets = 0;          // files written under assets/
  int not_captured = 0;    // links left as they were
  std::vector<std::string> notes;  // e.g. post read from disk, not WARC
};

Result<RestoreSummary> Restore(Manifest& manifest,
                               const std::filesystem::path& warc_dir,
                               const Config& config,
                               const RestoreOptions& options);

}  // namespace rotguard

#endif  // ROTGUARD_RESTORE_H_
