// Helpers shared by the report renderers.
#include "verify/report_format.h"

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "rotguard/health.h"
#include "util/terminal_text.h"
#include "util/time_format.h"
#include "verify/report_since.h"

namespace rotguard {

std::string FormatUsUtc(int64_t unix_us) {
  return FormatUnixUtc(unix_us / 1'000'000);
}

namespace {

// Only text a terminal would act on: a well-formed UTF-8 URL keeps the
// plain '...' form it always had.
bool NeedsAnsiCQuoting(const std::string& text) {
  return TerminalSafe(text) != text;
}

// Bash's $'...' form, every byte outside printable ASCII as \xHH: the
// command still names the exact URL when pasted, and prints no control
// character (and no stray UTF-8) on the terminal.
std::string AnsiCQuote(const std::string& text) {
  constexpr char kHex[] = "0123456789abcdef";
  std::string quoted = "$'";
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (c == '\'' || c == '\\') {
      quoted += '\\';
      quoted += c;
    } else if (byte < 0x20 || byte >= 0x7f) {
      quoted += "\\x";
      quoted += kHex[byte >> 4];
      quoted += kHex[byte & 0xf];
    } else {
      quoted += c;
    }
  }
  return quoted + "'";
}

}  // namespace

std::string ShellQuote(const std::string& text) {
  if (NeedsAnsiCQuoting(text)) return AnsiCQuote(text);
  std::string quoted = "'";
  for (char c : text) {
    if (c == '\'') {
      quoted += "'\\''";
    } else {
      quoted += c;
    }
  }
  return quoted + "'";
}

std::string ExtractHint(const ReportCopy& copy) {
  return "rotguard extract " +
         ShellQuote(copy.extract_url.empty() ? copy.url : copy.extract_url);
}

std::string PublicOrigin(const ReportCopy& copy) {
  if (copy.source != kSourcePublicArchive) return "";
  return "from public archive " +
         (copy.archive.empty() ? std::string("(unknown)") : copy.archive) +
         " (memento " + FormatUsUtc(copy.memento_at_us) + "), ";
}

bool IsSizeVariantOfPrevious(const std::vector<ReportLink>& links, size_t i) {
  return i > 0 && i < links.size() && !links[i].group.empty() &&
         links[i].group == links[i - 1].group;
}

ReportTotals TotalsOf(const Report& report) {
  ReportTotals totals;
  totals.generated_unix = report.generated_unix;
  totals.documents = static_cast<int64_t>(report.documents.size());
  totals.unlinked = static_cast<int64_t>(report.unlinked.size());
  totals.link_count = report.link_count;
  totals.url_count = report.url_count;
  totals.verdict_counts = report.verdict_counts;
  totals.since_unix = report.since_unix;
  totals.change_counts = report.change_counts;
  return totals;
}

std::vector<std::string> VerdictsInOrder(const ReportTotals& totals) {
  std::vector<std::string> verdicts = {
      kVerdictGone,        kVerdictFailing,     kVerdictSoft404,
      kVerdictUnreachable, kVerdictServerError, kVerdictBlocked,
      kVerdictRateLimited, kVerdictMoved,       kVerdictRedirected,
      kVerdictDrifted,     kVerdictOk,          kVerdictUnchecked};
  const std::set<std::string> known(verdicts.begin(), verdicts.end());
  for (const auto& [verdict, count] : totals.verdict_counts) {
    if (known.count(verdict) == 0) verdicts.push_back(verdict);
  }
  return verdicts;
}

int64_t VerdictCount(const ReportTotals& totals, const std::string& verdict) {
  auto found = totals.verdict_counts.find(verdict);
  return found == totals.verdict_counts.end() ? 0 : found->second;
}

std::vector<std::string> VerdictsInOrder(const Report& report) {
  return VerdictsInOrder(TotalsOf(report));
}

int64_t VerdictCount(const Report& report, const std::string& verdict) {
  auto found = report.verdict_counts.find(verdict);
  return found == report.verdict_counts.end() ? 0 : found->second;
}

std::string ChangesLine(const ReportTotals& totals) {
  std::string line =
      "changed since " + FormatUtc(*totals.since_unix, UtcStyle::kIso);
  std::string counts;
  for (const std::string& change : ChangesInOrder()) {
    auto found = totals.change_counts.find(change);
    if (found == totals.change_counts.end() || found->second == 0) continue;
    counts += (counts.empty() ? "" : ", ") + std::to_string(found->second) +
              " " + ChangeLabel(change);
  }
  return line + ": " + (counts.empty() ? std::string("nothing") : counts);
}

std::string SummaryLine(const ReportTotals& totals) {
  std::string line = "generated " + FormatUnixUtc(totals.generated_unix) +
                     ": " + std::to_string(totals.documents) + " documents, " +
                     std::to_string(totals.link_count) + " links to " +
                     std::to_string(totals.url_count) + " URLs";
  if (totals.unlinked != 0) {
    line += ", " + std::to_string(totals.unlinked) + " URLs without a post";
  }
  std::string counts;
  for (const std::string& verdict : VerdictsInOrder(totals)) {
    const int64_t count = VerdictCount(totals, verdict);
    if (count == 0) continue;
    counts +=
        (counts.empty() ? "" : ", ") + std::to_string(count) + " " + verdict;
  }
  if (!counts.empty()) line += ": " + counts;
  if (totals.since_unix) line += "; " + ChangesLine(totals);
  return line;
}

std::string SummaryLine(const Report& report) {
  return SummaryLine(TotalsOf(report));
}

}  // namespace rotguard
