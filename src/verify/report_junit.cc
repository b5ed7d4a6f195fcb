// `report --format junit`: the report as JUnit XML, so a CI job's test
// view shows broken links (the layout Jenkins, GitLab and GitHub test
// reporters read: testsuites > testsuite > testcase > failure|skipped).
#include <string>
#include <vector>

#include "rotguard/health.h"
#include "rotguard/report.h"
#include "util/ascii.h"
#include "util/terminal_text.h"
#include "verify/report_format.h"

namespace rotguard {
namespace {

// XML 1.0 text: the five markup characters as entities; controls and
// bytes that are not well-formed UTF-8 (which XML 1.0 forbids) as %XX.
std::string XmlText(const std::string& text) {
  return HtmlEscape(TerminalSafe(text));  // &#39; is XML 1.0 as well
}

enum class Outcome { kPass, kFailure, kSkipped };

Outcome OutcomeOf(const ReportLink& link) {
  if (link.excluded) return Outcome::kSkipped;
  if (IsDeadVerdict(link.verdict) || link.verdict == kVerdictFailing ||
      link.verdict == kVerdictSoft404) {
    return Outcome::kFailure;
  }
  if (link.verdict == kVerdictUnchecked || link.verdict.empty()) {
    return Outcome::kSkipped;
  }
  return Outcome::kPass;
}

struct SuiteCounts {
  size_t tests = 0;
  size_t failures = 0;
  size_t skipped = 0;
};

SuiteCounts CountsOf(const std::vector<ReportLink>& links) {
  SuiteCounts counts;
  for (const ReportLink& link : links) {
    ++counts.tests;
    const Outcome outcome = OutcomeOf(link);
    if (outcome == Outcome::kFailure) ++counts.failures;
    if (outcome == Outcome::kSkipped) ++counts.skipped;
  }
  return counts;
}

std::string CountAttributes(const SuiteCounts& counts) {
  return " tests=\"" + std::to_string(counts.tests) + "\" failures=\"" +
         std::to_string(counts.failures) + "\" errors=\"0\" skipped=\"" +
         std::to_string(counts.skipped) + "\"";
}

// "gone (http-404, 3 failures in a row); archived copy: FILE @ OFFSET".
std::string FailureMessage(const ReportLink& link) {
  std::string message = link.verdict;
  if (!link.failure_class.empty()) {
    message += " (" + link.failure_class + ", " +
               std::to_string(link.consecutive_failures) + " in a row)";
  }
  if (link.copy) {
    message += "; archived copy: " + link.copy->warc_file + " @ " +
               std::to_string(link.copy->offset) + ", " +
               ExtractHint(*link.copy);
  } else {
    message += "; no archived copy";
  }
  return message;
}

// The capture quality and the public copy as testcase properties (the
// per-case <properties> that Jenkins' JUnit plugin and pytest's
// record_property write), so a CI view can show them on passing links
// too; "" when the link has neither.
std::string Properties(const ReportLink& link) {
  std::string properties;
  if (!link.quality.empty()) {
    properties += "        <property name=\"quality\" value=\"" +
                  XmlText(link.quality) + "\"/>\n";
  }
  if (link.public_copy) {
    properties += "        <property name=\"public-copy\" value=\"" +
                  XmlText(PublicCopyText(*link.public_copy)) + "\"/>\n";
  }
  if (properties.empty()) return properties;
  return "      <properties>\n" + properties + "      </properties>\n";
}

// The element that says how the case ended; "" when it passed.
std::string ResultElement(const ReportLink& link) {
  switch (OutcomeOf(link)) {
    case Outcome::kPass:
      return "";
    case Outcome::kSkipped:
      return "      <skipped message=\"" +
             std::string(link.excluded ? "outside [scope]: not archived"
                                       : "not checked yet") +
             "\"/>\n";
    case Outcome::kFailure:
      return "      <failure type=\"" + XmlText(link.verdict) +
             "\" message=\"" + XmlText(FailureMessage(link)) + "\">" +
             XmlText(link.written) + "</failure>\n";
  }
  return "";
}

void AppendTestcase(const std::string& suite, const ReportLink& link,
                    std::string* out) {
  const std::string place =
      link.line ? std::to_string(link.line) + ":" + std::to_string(link.column)
                : std::string("-");
  *out += "    <testcase classname=\"" + XmlText(suite) + "\" name=\"" +
          XmlText(place + " " + link.url) + "\" time=\"0\"";
  const std::string body = Properties(link) + ResultElement(link);
  if (body.empty()) {
    *out += "/>\n";
    return;
  }
  *out += ">\n" + body + "    </testcase>\n";
}

void AppendSuite(const std::string& name, const std::string& timestamp,
                 const std::vector<ReportLink>& links, std::string* out) {
  *out += "  <testsuite name=\"" + XmlText(name) + "\"" +
          CountAttributes(CountsOf(links)) + " time=\"0\" timestamp=\"" +
          timestamp + "\"";
  if (links.empty()) {
    *out += "/>\n";
    return;
  }
  *out += ">\n";
  for (const ReportLink& link : links) AppendTestcase(name, link, out);
  *out += "  </testsuite>\n";
}

}  // namespace

std::string RenderReportJunit(const Report& report) {
  SuiteCounts total;
  for (const ReportDocument& document : report.documents) {
    const SuiteCounts counts = CountsOf(document.links);
    total.tests += counts.tests;
    total.failures += counts.failures;
    total.skipped += counts.skipped;
  }
  const SuiteCounts unlinked = CountsOf(report.unlinked);
  total.tests += unlinked.tests;
  total.failures += unlinked.failures;
  total.skipped += unlinked.skipped;
  // JUnit's timestamp has no zone designator; it is UTC.
  std::string timestamp = FormatUnixUtc(report.generated_unix);
  if (!timestamp.empty()) timestamp.pop_back();
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<testsuites name=\"rotguard links\"" + CountAttributes(total) +
         " time=\"0\">\n";
  for (const ReportDocument& document : report.documents) {
    AppendSuite(document.path, timestamp, document.links, &out);
  }
  if (!report.unlinked.empty()) {
    AppendSuite("URLs archived without a post", timestamp, report.unlinked,
                &out);
  }
  out += "</testsuites>\n";
  return out;
}

}  // namespace rotguard
