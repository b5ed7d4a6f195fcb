// Text renderings of the report: aligned table, JSON document, RFC 4180
// CSV (see report.h; the formats are documented in README "report").
#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "rotguard/report.h"
#include "util/terminal_text.h"
#include "verify/report_format.h"

namespace rotguard {
namespace {

// --- table ---

constexpr const char* kVariantPrefix = "\\_ ";

std::string Location(const ReportLink& link) {
  if (link.line == 0) return "-";
  return std::to_string(link.line) + ":" + std::to_string(link.column);
}

// Cells come from posts and WARC headers: control characters escaped
// (TerminalSafe), so a hostile URL can neither drive the terminal nor
// start a line of its own.
std::string OrDash(const std::string& text) {
  return text.empty() ? "-" : TerminalSafe(text);
}

std::vector<std::string> TableCells(const ReportLink& link, bool variant) {
  return {Location(link),
          TerminalSafe(link.kind),
          TerminalSafe(link.verdict),
          std::to_string(link.consecutive_failures),
          OrDash(link.failure_class),
          OrDash(FormatUnixUtc(link.last_ok_unix)),
          (variant ? kVariantPrefix : "") + TerminalSafe(link.written)};
}

const std::vector<std::string>& TableHeader() {
  static const std::vector<std::string> header = {
      "LINE:COL", "KIND", "VERDICT", "FAILS", "CLASS", "LAST OK", "LINK"};
  return header;
}

// Widths of every column but the last (which is never padded).
std::vector<size_t> ColumnWidths(const Report& report) {
  std::vector<size_t> widths;
  for (const std::string& cell : TableHeader()) widths.push_back(cell.size());
  auto widen = [&widths](const ReportLink& link) {
    auto cells = TableCells(link, false);
    for (size_t i = 0; i + 1 < cells.size(); ++i) {
      widths[i] = std::max(widths[i], cells[i].size());
    }
  };
  for (const ReportDocument& document : report.documents) {
    for (const ReportLink& link : document.links) widen(link);
  }
  for (const ReportLink& link : report.unlinked) widen(link);
  return widths;
}

void AppendRow(const std::vector<std::string>& cells,
               const std::vector<size_t>& widths, std::string* out) {
  *out += "  ";
  for (size_t i = 0; i < cells.size(); ++i) {
    *out += cells[i];
    if (i + 1 == cells.size()) break;
    out->append(widths[i] - cells[i].size() + 2, ' ');
  }
  *out += '\n';
}

size_t LinkColumnIndent(const std::vector<size_t>& widths) {
  size_t indent = 2;
  for (size_t i = 0; i + 1 < widths.size(); ++i) indent += widths[i] + 2;
  return indent;
}

void AppendLinkDetails(const ReportLink& link, size_t indent,
                       std::string* out) {
  const std::string pad(indent, ' ');
  if (!link.final_url.empty()) {
    *out += pad + "-> " + TerminalSafe(link.final_url) + '\n';
  }
  if (link.copy) {
    // ExtractHint quotes a control character as $'\xHH': already safe.
    *out += pad + "copy: " + TerminalSafe(link.copy->warc_file) + " @ " +
            std::to_string(link.copy->offset) + ", " +
            FormatUsUtc(link.copy->captured_at_us) + ", " +
            (link.copy->truncated ? "truncated, " : "") +
            ExtractHint(*link.copy) + '\n';
  } else {
    *out += pad + "copy: none\n";
  }
}

void AppendLinks(const std::vector<ReportLink>& links,
                 const std::vector<size_t>& widths, std::string* out) {
  AppendRow(TableHeader(), widths, out);
  for (size_t i = 0; i < links.size(); ++i) {
    const bool variant = IsSizeVariantOfPrevious(links, i);
    AppendRow(TableCells(links[i], variant), widths, out);
    AppendLinkDetails(links[i], LinkColumnIndent(widths), out);
  }
}

std::string DocumentHeading(const ReportDocument& document) {
  std::string heading = TerminalSafe(document.path);
  if (!document.title.empty()) {
    heading += "  \"" + TerminalSafe(document.title) + "\"";
  }
  if (!document.date.empty()) {
    heading += " (" + TerminalSafe(document.date) + ")";
  }
  return heading;
}

// --- CSV ---

std::string CsvField(const std::string& field) {
  if (field.find_first_of(",\"\r\n") == std::string::npos) return field;
  std::string quoted = "\"";
  for (char c : field) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

void AppendCsvRow(const std::vector<std::string>& fields, std::string* out) {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) *out += ',';
    *out += CsvField(fields[i]);
  }
  *out += "\r\n";
}

std::vector<std::string> CsvRow(const ReportDocument* document,
                                const ReportLink& link) {
  const bool has_copy = link.copy.has_value();
  return {document ? document->path : "",
          document ? document->title : "",
          link.line ? std::to_string(link.line) : "",
          link.line ? std::to_string(link.column) : "",
          link.kind,
          link.written,
          link.url,
          link.verdict,
          link.failure_class,
          std::to_string(link.consecutive_failures),
          FormatUnixUtc(link.last_ok_unix),
          link.final_url,
          link.group,
          has_copy ? link.copy->warc_file : "",
          has_copy ? std::to_string(link.copy->offset) : "",
          has_copy ? FormatUsUtc(link.copy->captured_at_us) : "",
          has_copy ? link.copy->url : ""};
}

// --- JSON ---

nlohmann::ordered_json NullIfEmpty(const std::string& text) {
  return text.empty() ? nlohmann::ordered_json(nullptr)
                      : nlohmann::ordered_json(text);
}

nlohmann::ordered_json LinkJson(const ReportLink& link) {
  nlohmann::ordered_json json;
  json["kind"] = link.kind;
  json["written"] = link.written;
  json["url"] = link.url;
  json["normalized"] = link.normalized;
  json["line"] = link.line;
  json["col"] = link.column;
  json["verdict"] = link.verdict;
  json["failure_class"] = link.failure_class;
  json["consecutive_failures"] = link.consecutive_failures;
  json["last_ok"] = NullIfEmpty(FormatUnixUtc(link.last_ok_unix));
  json["final_url"] = NullIfEmpty(link.final_url);
  json["group"] = NullIfEmpty(link.group);
  if (link.copy) {
    json["archived"] = {
        {"url", link.copy->url},
        {"warc_file", link.copy->warc_file},
        {"offset", link.copy->offset},
        {"captured_at", FormatUsUtc(link.copy->captured_at_us)},
        {"status", link.copy->http_status},
        {"extract", ExtractHint(*link.copy)},
        {"truncated", link.copy->truncated},
    };
  } else {
    json["archived"] = nullptr;
  }
  return json;
}

}  // namespace

std::string RenderReportTable(const Report& report) {
  std::string out = "rotguard report, " + SummaryLine(report) + "\n";
  const std::vector<size_t> widths = ColumnWidths(report);
  for (const ReportDocument& document : report.documents) {
    out += "\n" + DocumentHeading(document) + "\n";
    if (document.links.empty()) {
      out += "  (no links)\n";
      continue;
    }
    AppendLinks(document.links, widths, &out);
  }
  if (!report.unlinked.empty()) {
    out += "\nURLs archived without a post\n";
    AppendLinks(report.unlinked, widths, &out);
  }
  if (report.documents.empty() && report.unlinked.empty()) {
    out +=
        "\nno posts and no captures in the store yet (run 'rotguard "
        "archive PATH' or 'rotguard import WARC')\n";
  }
  return out;
}

std::string RenderReportCsv(const Report& report) {
  std::string out;
  AppendCsvRow(
      {"document", "title", "line", "col", "kind", "written", "url", "verdict",
       "failure_class", "consecutive_failures", "last_ok", "final_url", "group",
       "warc_file", "warc_offset", "captured_at", "captured_url"},
      &out);
  for (const ReportDocument& document : report.documents) {
    for (const ReportLink& link : document.links) {
      AppendCsvRow(CsvRow(&document, link), &out);
    }
  }
  for (const ReportLink& link : report.unlinked) {
    AppendCsvRow(CsvRow(nullptr, link), &out);
  }
  return out;
}

std::string RenderReportJson(const Report& report) {
  nlohmann::ordered_json json;
  json["generated"] = FormatUnixUtc(report.generated_unix);
  nlohmann::ordered_json verdicts = nlohmann::ordered_json::object();
  for (const std::string& verdict : VerdictsInOrder(report)) {
    verdicts[verdict] = VerdictCount(report, verdict);
  }
  json["summary"] = {{"documents", report.documents.size()},
                     {"links", report.link_count},
                     {"urls", report.url_count},
                     {"dead", ReportHasDeadLinks(report)},
                     {"verdicts", verdicts}};
  nlohmann::ordered_json documents = nlohmann::ordered_json::array();
  for (const ReportDocument& document : report.documents) {
    nlohmann::ordered_json links = nlohmann::ordered_json::array();
    for (const ReportLink& link : document.links)
      links.push_back(LinkJson(link));
    documents.push_back({{"path", document.path},
                         {"title", document.title},
                         {"date", document.date},
                         {"links", links}});
  }
  json["documents"] = documents;
  nlohmann::ordered_json unlinked = nlohmann::ordered_json::array();
  for (const ReportLink& link : report.unlinked)
    unlinked.push_back(LinkJson(link));
  json["unlinked"] = unlinked;
  return json.dump(2) + "\n";
}

}  // namespace rotguard
