// Helpers shared by the report renderers (report_render.cc, report_html.cc).
#ifndef ROTGUARD_VERIFY_REPORT_FORMAT_H_
#define ROTGUARD_VERIFY_REPORT_FORMAT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "rotguard/report.h"

namespace rotguard {

// FormatUnixUtc of microseconds since the epoch; "" for 0.
std::string FormatUsUtc(int64_t unix_us);

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
std::vector<std::string> VerdictsInOrder(const Report& report);
int64_t VerdictCount(const Report& report, const std::string& verdict);

// "generated 2026-01-01T00:00:00Z: 2 documents, 5 links to 4 URLs:
// 1 gone, 3 ok, 1 unchecked" (verdicts with a count only).
std::string SummaryLine(const Report& report);

}  // namespace rotguard

#endif  // ROTGUARD_VERIFY_REPORT_FORMAT_H_
