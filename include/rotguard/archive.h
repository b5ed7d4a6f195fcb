// Archiving (SPEC §3 `archive`, §6, §9, §13): scan posts, write new or
// changed posts as resource records, decide which linked URLs are due, fetch
// them with a Fetcher (redirect chains, page requisites, Blogger originals),
// write every exchange to WARC on a writer thread, dedupe identical payloads
// against durable originals, and commit records + captures to the manifest
// in batches only after the WARC bytes are synced.
//
// The rules (due, scope, Blogger, shorteners, exit code) are free functions
// so they are tested without a network; the pipeline takes an abstract
// Fetcher so it is tested with a fake one.
#ifndef ROTGUARD_ARCHIVE_H_
#define ROTGUARD_ARCHIVE_H_

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "rotguard/config.h"
#include "rotguard/fetch.h"
#include "rotguard/manifest.h"
#include "rotguard/status.h"
#include "rotguard/store.h"
#include "rotguard/warc_record.h"

namespace rotguard {

// --- rules ---

// The URI a post's resource record is written under: with [site] base_url,
// base_url + the post's permalink (Hugo content/<section>/<slug>.md →
// /<section>/<slug>/, content/<slug>.md → /<slug>/, an index.md/_index.md
// names its directory; Jekyll _posts/YYYY-MM-DD-title.md →
// /YYYY/MM/DD/title.html); without it "file:" + `document_path` (the
// manifest key of the document).
std::string PostResourceUri(const Config& config,
                            const std::string& document_path);

// The host of an absolute http(s) URL, lowercase, without port; "" when
// there is none.
std::string UrlHostOf(std::string_view url);

// True when `host` matches `pattern`: equal, a subdomain of it
// ("example.com" matches "a.example.com"), or a "*" glob match
// ("lh*.googleusercontent.com" matches "lh3.googleusercontent.com").
bool HostMatchesPattern(std::string_view pattern, std::string_view host);

bool IsShortenerUrl(const ShortenerRule& rule, std::string_view url);
bool IsBloggerUrl(const BloggerRule& rule, std::string_view url);

// The URL with its Blogger size token replaced by s0 ("/s640/" → "/s0/",
// "/w640-h480/" and "/w640-h480-c/" → "/s0/", "=s640" and "=w640-h480"
// at the end of the path → "=s0"); nullopt when the URL has no size token.
std::optional<std::string> BloggerSizeToS0(std::string_view url);
// What to fetch besides a Blogger image: its s0 original, when the rule
// is on, the host is a Blogger host and the URL is not already s0.
std::optional<std::string> BloggerOriginalUrl(const BloggerRule& rule,
                                              std::string_view url);
// The key that groups size variants of one Blogger image (the s0 URL);
// "" for URLs that are not Blogger images with a size token.
std::string BloggerAssetKey(const BloggerRule& rule, std::string_view url);

// [scope] include/exclude host and URL patterns.
class ScopeFilter {
 public:
  // InvalidArgument naming the pattern when a URL regex does not compile.
  static Result<ScopeFilter> Create(const ScopeConfig& scope);
  bool InScope(const std::string& normalized_url) const;

 private:
  ScopeConfig scope_;
  std::vector<std::regex> include_urls_;
  std::vector<std::regex> exclude_urls_;
};

// Why a URL is due (SPEC §6 "Incremental"); kNotDue when it is not.
enum class DueReason { kNotDue, kNew, kFailed, kStale, kForced };
const char* DueReasonName(DueReason reason);  // "new", "failed", ...

// `url` is null for a URL the manifest has never seen.
DueReason DecideDue(const UrlRow* url, int64_t now_us,
                    const HealthConfig& health, bool all);

// The final target of a chain: its last URL whose host is not a
// shortener ("" when every hop was a shortener).
std::string FinalNonShortenerUrl(const ShortenerRule& rule,
                                 const std::vector<std::string>& hop_urls);

// --- the pipeline ---

struct ArchiveOptions {
  Config config;                   // after --config and flags
  std::vector<std::string> paths;  // posts: files and directories
  std::vector<std::string> urls;   // URLs named directly (args, -i)
  bool all = false;                // --all
  bool dry_run = false;            // --dry-run: plan only
  // Where document keys are relative to (the directory holding the store).
  std::filesystem::path site_root;
  // Commit at least this often (SPEC §4: 2 s or 500 records).
  int commit_interval_ms = 2000;
  size_t commit_records = 500;
  uint64_t max_warc_file_size = 1'000'000'000;
  // Clock (microseconds since the epoch); empty: the system clock.
  std::function<int64_t()> now_us;
  // Test seam: called with "sync", "commit", "write <uri>" as they happen.
  std::function<void(std::string_view)> trace;
  // Called about every 200 ms from the fetch thread with progress counts
  // (for a TTY progress line); may be empty.
  std::function<void(int64_t done, int64_t queued, int64_t bytes)> progress;
};

// One URL the plan fetches.
struct DueUrl {
  std::string url;         // as fetched
  std::string normalized;  // manifest key
  std::string kind;        // link, image, embed, frontmatter, url, original
  DueReason reason = DueReason::kNew;
};

struct ArchiveSummary {
  int64_t documents = 0;          // posts scanned
  int64_t documents_changed = 0;  // new or changed (written as resources)
  int64_t due = 0;                // URLs due (targets, not requisites)
  std::vector<DueUrl> due_urls;   // filled for --dry-run
  int64_t jobs = 0;               // chains fetched, requisites included
  int64_t requisites = 0;         // requisite chains
  int64_t originals = 0;          // Blogger s0 chains
  int64_t fetched = 0;            // chains that ended in a response
  int64_t captures = 0;           // capture rows committed
  int64_t revisits = 0;           // of which revisit records
  int64_t records = 0;            // WARC records committed
  int64_t failed = 0;             // chains that failed (any kind)
  std::map<std::string, int64_t> failed_by_class;
  // Due links that got no capture, or ended in 4xx/5xx while not already
  // known gone: these make `archive` exit 2 (SPEC §13).
  int64_t failed_links = 0;
  int64_t bytes = 0;  // payload bytes received
  double seconds = 0;
  bool cancelled = false;
  int64_t run_id = 0;
};

// 2 when summary.failed_links > 0, else 0.
int ArchiveExitCode(const ArchiveSummary& summary);

// The manifest row of a record the WARC writer has placed (file, offset,
// length, type, id, target, date, digests).
RecordRow RecordRowOf(const WarcRecordLocation& location);

// Runs the whole archive job against an open store (exclusive lock held).
// `fetcher` may be null for a dry run. Errors: InvalidArgument for a bad
// scope pattern, IOError for unreadable posts or WARC/manifest failures.
Result<ArchiveSummary> RunArchive(Store& store, Fetcher* fetcher,
                                  const ArchiveOptions& options);

}  // namespace rotguard

#endif  // ROTGUARD_ARCHIVE_H_
