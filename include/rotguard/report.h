// `rotguard report` (SPEC §3, §13 "Verdicts"): link health per post, built
// from the manifest alone (no network), and rendered as an aligned text
// table, one JSON document, RFC 4180 CSV or one self-contained HTML page.
//
// For each link of each document: where it is (line:col, kind, the bytes
// as written), the verdict of its URL, failure class and streak, when it
// last answered well, the final target of a redirect chain (shorteners),
// the Blogger size-variant group, and the archived copy: the WARC file and
// offset of the newest non-lost 2xx capture of the URL, or of the end of
// its redirect chain.
#ifndef ROTGUARD_REPORT_H_
#define ROTGUARD_REPORT_H_

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rotguard/config.h"
#include "rotguard/manifest.h"
#include "rotguard/status.h"

namespace rotguard {

// Shown for a URL no archive or verify --live run has judged yet.
inline constexpr const char* kVerdictUnchecked = "unchecked";

// Where the newest good copy of a URL is.
struct ReportCopy {
  std::string url;  // the captured URL (end of the chain for redirects)
  std::string warc_file;
  int64_t offset = 0;  // of the record's gzip member
  int64_t captured_at_us = 0;
  int http_status = 0;
  // WARC-Truncated: the payload was cut (--max-size, a disconnect), so the
  // copy is incomplete; reports say so.
  bool truncated = false;
  // Where the copy came from: "live" (rotguard fetched the link itself),
  // "import", or "public-archive" (a memento fetched by `rescue`, only
  // used when the link has no good capture of its own). For the latter,
  // the archive's host and the memento's datetime; `url` is then the
  // archive's URL and `extract_url` the link's, which `extract` takes.
  std::string source = "live";
  std::string archive;
  int64_t memento_at_us = 0;
  std::string extract_url;  // "" means `url`
};

// The second, public copy of a link's URL (Save Page Now, `archive
// --submit`): its state, and the memento once the job succeeded.
struct ReportPublicCopy {
  std::string state;        // "pending", "success", "error"
  std::string memento_url;  // on success
  int64_t memento_at_us = 0;
  std::string message;  // the archive's last word
};

// What the "public copy" column shows: the memento URL, or the state.
std::string PublicCopyText(const ReportPublicCopy& copy);

struct ReportLink {
  std::string kind;
  std::string written;
  std::string url;
  std::string normalized;
  int line = 0;
  int column = 0;
  std::string verdict;  // kVerdictUnchecked until judged
  std::string failure_class;
  int consecutive_failures = 0;
  int64_t last_ok_unix = 0;  // 0: never
  std::string final_url;     // end of its redirect chain, "" when none
  std::string group;         // Blogger size-variant key, "" when none
  std::optional<ReportCopy> copy;
  // The capture quality (rotguard/capture_quality.h) of the link's newest
  // own capture that is not lost (the end of its redirect chain): full,
  // thin, challenge or error-page; "" when there is none, it is not an
  // HTML page, or it was captured before rotguard judged quality.
  std::string quality;
  std::optional<ReportPublicCopy> public_copy;  // never submitted: none
  // Which lane made that same capture: "browser" (the headless-browser
  // lane, CaptureRow::source kSourceBrowser) or "static" (any other own
  // capture); "" when there is none.
  std::string captured_by;
  // With ReportOptions::warc_dir, for a link captured_by "browser": the
  // PNG bytes of the page's thumbnail (the urn:rotguard:thumbnail: record
  // of the capture's final URL); "" when there is none or it is over
  // kMaxThumbnailBytes.
  std::string thumbnail_png;
  bool excluded = false;  // outside [scope]: never fetched
  // The HTML report's timeline only: the URL's verdict changes, oldest
  // first.
  std::vector<VerdictChangeRow> history;
  // `report --since` only: what changed (one of the kChange* names below,
  // "" in a full report), the verdict the URL had at the --since time and
  // when its verdict last changed (0: it did not).
  std::string change;
  std::string previous_verdict;
  int64_t changed_unix = 0;
};

// What `report --since` lists, worst first: a link whose URL became gone,
// moved, failing (failing, soft-404, unreachable, server-error, blocked),
// recovered (ok again after one of those), got a public-archive copy, or
// was first seen after the --since time.
inline constexpr const char* kChangeGone = "newly-gone";
inline constexpr const char* kChangeMoved = "newly-moved";
inline constexpr const char* kChangeFailing = "newly-failing";
inline constexpr const char* kChangeRecovered = "newly-recovered";
inline constexpr const char* kChangeRescued = "newly-rescued";
inline constexpr const char* kChangeNew = "new-link";

// How a report selects links.
struct ReportOptions {
  // Only links that changed after this time (Unix seconds); nullopt: all.
  std::optional<int64_t> since_unix;
  // The table's verdicts in ANSI colour (--color; for a terminal).
  bool color = false;
  // Each link's verdict history and the archive runs' times (the HTML
  // report's timeline); the streamed formats leave them out.
  bool history = true;
  // The store's warc/ directory, for the HTML report's thumbnails of
  // browser captures; empty: no thumbnails are read.
  std::filesystem::path warc_dir;
};

// A thumbnail larger than this is left out of the report (the browser
// lane writes ~320 px wide PNGs, a few tens of KiB).
inline constexpr size_t kMaxThumbnailBytes = size_t{512} << 10;

struct ReportDocument {
  std::string path;
  std::string title;
  std::string date;
  // The post's public URL (manifest documents.public_url); "" unknown.
  std::string url;
  // Span order, except that Blogger size variants of one image follow
  // the first variant of their group.
  std::vector<ReportLink> links;
};

struct Report {
  int64_t generated_unix = 0;
  std::vector<ReportDocument> documents;
  // Captured URLs when the store has no documents at all (a store made by
  // `import`): each as a link of kind "url" without a position.
  std::vector<ReportLink> unlinked;
  int64_t link_count = 0;  // links of all documents
  int64_t url_count = 0;   // distinct URLs among them
  // Links (occurrences in posts, plus `unlinked`) per verdict.
  std::map<std::string, int64_t> verdict_counts;
  // `report --since`: the time, and the listed links per change.
  std::optional<int64_t> since_unix;
  std::map<std::string, int64_t> change_counts;
  // With ReportOptions::history: when each archive run ended (started,
  // for one that never ended), oldest first, the last kTimelineRuns.
  std::vector<int64_t> run_times;
};

// How many runs the HTML timeline shows.
inline constexpr size_t kTimelineRuns = 30;

// Reads documents, links, URLs and captures from `manifest`. `config`
// supplies the Blogger rule for grouping when the manifest has no group.
Result<Report> BuildReport(Manifest& manifest, const Config& config,
                           int64_t now_unix);

// BuildReport of only what changed (options.since_unix), or of all.
Result<Report> BuildReport(Manifest& manifest, const Config& config,
                           int64_t now_unix, const ReportOptions& options);

// The --since argument: "YYYY-MM-DD" (midnight UTC) or an RFC 3339 /
// ISO 8601 time "YYYY-MM-DDTHH:MM[:SS][Z|+HH:MM|-HH:MM]" (no zone: UTC),
// as Unix seconds; nullopt when it is neither. (LAST_RUN is resolved by
// the caller, from the manifest's runs.)
std::optional<int64_t> ParseReportSince(const std::string& text);

// The start of the newest `archive` run; nullopt when there was none.
Result<std::optional<int64_t>> LastArchiveRunStart(Manifest& manifest);

// True when some link's URL is gone (`--fail-on-dead`).
bool ReportHasDeadLinks(const Report& report);

// True for the qualities `--fail-on-thin` fails on: thin and challenge
// (the archived page does not hold the content).
bool IsThinQuality(const std::string& quality);
// True when some link's quality is thin or challenge (`--fail-on-thin`).
bool ReportHasThinLinks(const Report& report);

enum class ReportFormat { kTable, kJson, kCsv, kHtml, kMarkdown, kJunit };
// "table", "json", "csv", "html", "md", "junit"; nullopt for anything else.
std::optional<ReportFormat> ParseReportFormat(const std::string& name);

std::string RenderReport(const Report& report, ReportFormat format);

// Where WriteReport sends the text, a chunk at a time.
using ReportWriteFn = std::function<Status(std::string_view bytes)>;

// BuildReport and RenderReport in one, streamed: table, json and csv are
// rendered a post (or, in a store without posts, a URL) at a time from
// manifest cursors, after a first walk for the head's counts, so memory
// does not grow with the number of links or captures; html is built whole.
// Returns whether some link is gone (`--fail-on-dead`); sets *has_thin
// (when given) to whether some link is thin (`--fail-on-thin`).
Result<bool> WriteReport(Manifest& manifest, const Config& config,
                         int64_t now_unix, ReportFormat format,
                         const ReportWriteFn& write, bool* has_thin = nullptr);
Result<bool> WriteReport(Manifest& manifest, const Config& config,
                         int64_t now_unix, ReportFormat format,
                         const ReportOptions& options,
                         const ReportWriteFn& write, bool* has_thin = nullptr);
std::string RenderReportTable(const Report& report);
std::string RenderReportJson(const Report& report);
std::string RenderReportCsv(const Report& report);
std::string RenderReportHtml(const Report& report);
// GitHub-flavoured Markdown: a summary, then a table per post.
std::string RenderReportMarkdown(const Report& report);
// JUnit XML for CI: a testsuite per post, a testcase per link; a failure
// for a failing, gone or soft-404 link, skipped for a link outside
// [scope] (never fetched) or not checked yet.
std::string RenderReportJunit(const Report& report);

// "2026-01-01T00:00:00Z"; "" for 0.
std::string FormatUnixUtc(int64_t unix_seconds);

}  // namespace rotguard

#endif  // ROTGUARD_REPORT_H_
