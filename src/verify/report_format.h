// Helpers shared by the report renderers (report_render.cc, report_html.cc).
#ifndef ROTGUARD_VERIFY_REPORT_FORMAT_H_
#define ROTGUARD_VERIFY_REPORT_FORMAT_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "rotguard/report.h"

namespace rotguard {

// What the summary of a report says, without its links: enough for the
// streaming renderers to write the head before the first link.
struct ReportTotals {
  int64_t generated_unix = 0;
  int64_t documents = 0;
  int64_t unlinked = 0;
  int64_t link_count = 0;
  int64_t url_count = 0;
  std::map<std::string, int64_t> verdict_counts;
  // `report --since`: the time, and listed links per change.
  std::optional<int64_t> since_unix;
  std::map<std::string, int64_t> change_counts;
};
ReportTotals TotalsOf(const Report& report);
bool TotalsHaveDeadLinks(const ReportTotals& totals);

// How much WalkReport looks up per link: kHealth leaves out the archived
// copy and the final URL learnt from captures (what the summary and the
// table's column widths do not need), kFull has everything.
enum class ReportDetail { kHealth, kFull };

// Receives the report one post (with its links) or one unlinked URL at a
// time, in output order.
class ReportVisitor {
 public:
  virtual ~ReportVisitor() = default;
  virtual Status Document(const ReportDocument& document) = 0;
  virtual Status Unlinked(const ReportLink& link) = 0;
};

// Walks the manifest as BuildReport does, holding one post's links at a
// time: posts by path, or (when there are none) captured URLs from a
// cursor.
Status WalkReport(Manifest& manifest, const Config& config, ReportDetail detail,
                  const ReportOptions& options, ReportVisitor& visitor);

// `text` for a Markdown table cell: control characters as %XX (no line
// break ends the row) and inline markup characters (| ` * _ [ ] < > ~ & $
// and \) backslash-escaped, so they show as written.
std::string MarkdownEscape(const std::string& text);

// The HTML report's timeline of one post: an inline SVG with a stacked
// bar (broken, trouble, working, unchecked links) per archive run in
// `run_times` and one for `now_unix`; "" for a post without links.
std::string TimelineSvg(const ReportDocument& document,
                        const std::vector<int64_t>& run_times,
                        int64_t now_unix);
// The HTML report's per-site table: links per host and band, the hosts
// with most broken links first; "" when there are no links.
std::string SiteSummaryHtml(const Report& report);

// FormatUnixUtc of microseconds since the epoch; "" for 0.
std::string FormatUsUtc(int64_t unix_us);
// "from public archive HOST (memento DATE), " for a public-archive copy
// (the report always says where a copy came from); "" for an own one.
std::string PublicOrigin(const ReportCopy& copy);

// The command that writes this copy's payload: rotguard extract 'URL'.
std::string ExtractHint(const ReportCopy& copy);

// 'text' quoted for a POSIX shell; text holding a control character or
// invalid UTF-8 is quoted $'...' (bash, zsh, ksh) with each byte outside
// printable ASCII as \xHH, so it prints safely and pastes exactly.
std::string ShellQuote(const std::string& text);

// True when links[i] is another size of the Blogger image links[i - 1]
// (or of the one that group started with).
bool IsSizeVariantOfPrevious(const std::vector<ReportLink>& links, size_t i);

// Every known verdict, worst first (gone ... ok, unchecked), then any
// other verdict found in the report, sorted.
std::vector<std::string> VerdictsInOrder(const ReportTotals& totals);
int64_t VerdictCount(const ReportTotals& totals, const std::string& verdict);
std::vector<std::string> VerdictsInOrder(const Report& report);
int64_t VerdictCount(const Report& report, const std::string& verdict);

// "generated 2026-01-01T00:00:00Z: 2 documents, 5 links to 4 URLs:
// 1 gone, 3 ok, 1 unchecked" (verdicts with a count only).
std::string SummaryLine(const ReportTotals& totals);
// `report --since`: "changed since 2026-01-01T00:00:00Z: 1 newly gone,
// 2 new link" ("nothing" when no link changed).
std::string ChangesLine(const ReportTotals& totals);
std::string SummaryLine(const Report& report);

}  // namespace rotguard

#endif  // ROTGUARD_VERIFY_REPORT_FORMAT_H_
