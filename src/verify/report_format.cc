// Helpers shared by the report renderers.
#include "verify/report_format.h"

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "rotguard/health.h"

namespace rotguard {

std::string FormatUsUtc(int64_t unix_us) {
  return FormatUnixUtc(unix_us / 1'000'000);
}

std::string ShellQuote(const std::string& text) {
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
  return "rotguard extract " + ShellQuote(copy.url);
}

bool IsSizeVariantOfPrevious(const std::vector<ReportLink>& links, size_t i) {
  return i > 0 && i < links.size() && !links[i].group.empty() &&
         links[i].group == links[i - 1].group;
}

std::vector<std::string> VerdictsInOrder(const Report& report) {
  std::vector<std::string> verdicts = {
      kVerdictGone,        kVerdictFailing,     kVerdictSoft404,
      kVerdictUnreachable, kVerdictServerError, kVerdictBlocked,
      kVerdictRateLimited, kVerdictMoved,       kVerdictRedirected,
      kVerdictDrifted,     kVerdictOk,          kVerdictUnchecked};
  const std::set<std::string> known(verdicts.begin(), verdicts.end());
  for (const auto& [verdict, count] : report.verdict_counts) {
    if (known.count(verdict) == 0) verdicts.push_back(verdict);
  }
  return verdicts;
}

int64_t VerdictCount(const Report& report, const std::string& verdict) {
  auto found = report.verdict_counts.find(verdict);
  return found == report.verdict_counts.end() ? 0 : found->second;
}

std::string SummaryLine(const Report& report) {
  std::string line = "generated " + FormatUnixUtc(report.generated_unix) +
                     ": " + std::to_string(report.documents.size()) +
                     " documents, " + std::to_string(report.link_count) +
                     " links to " + std::to_string(report.url_count) + " URLs";
  if (!report.unlinked.empty()) {
    line +=
        ", " + std::to_string(report.unlinked.size()) + " URLs without a post";
  }
  std::string counts;
  for (const std::string& verdict : VerdictsInOrder(report)) {
    const int64_t count = VerdictCount(report, verdict);
    if (count == 0) continue;
    counts +=
        (counts.empty() ? "" : ", ") + std::to_string(count) + " " + verdict;
  }
  if (!counts.empty()) line += ": " + counts;
  return line;
}

}  // namespace rotguard
