// Text renderings of the report: aligned table, JSON document, RFC 4180
// CSV (see report.h; the formats are documented in README "report").
#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rotguard/health.h"
#include "rotguard/report.h"
#include "util/color.h"
#include "util/terminal_text.h"
#include "util/time_format.h"
#include "verify/report_format.h"
#include "verify/report_since.h"

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
          OrDash(link.quality),
          std::to_string(link.consecutive_failures),
          OrDash(link.failure_class),
          OrDash(FormatUnixUtc(link.last_ok_unix)),
          (variant ? kVariantPrefix : "") + TerminalSafe(link.written)};
}

const std::vector<std::string>& TableHeader() {
  static const std::vector<std::string> header = {
      "LINE:COL", "KIND",  "VERDICT", "QUALITY",
      "FAILS",    "CLASS", "LAST OK", "LINK"};
  return header;
}

// The QUALITY column holds at most "error-page". Its width is fixed: the
// first walk of a streamed report (which sizes the columns) does not look
// up captures.
constexpr size_t kQualityColumn = 3;
constexpr size_t kQualityWidth = 10;

// Widths of every column but the last (which is never padded), widened
// link by link.
class ColumnWidths {
 public:
  ColumnWidths() {
    for (const std::string& cell : TableHeader())
      widths_.push_back(cell.size());
    widths_[kQualityColumn] = std::max(widths_[kQualityColumn], kQualityWidth);
  }
  void Widen(const ReportLink& link) {
    auto cells = TableCells(link, false);
    for (size_t i = 0; i + 1 < cells.size(); ++i) {
      widths_[i] = std::max(widths_[i], cells[i].size());
    }
  }
  const std::vector<size_t>& widths() const { return widths_; }

 private:
  std::vector<size_t> widths_;
};

ColumnWidths WidthsOf(const Report& report) {
  ColumnWidths widths;
  for (const ReportDocument& document : report.documents) {
    for (const ReportLink& link : document.links) widths.Widen(link);
  }
  for (const ReportLink& link : report.unlinked) widths.Widen(link);
  return widths;
}

// The colour of a verdict on a terminal: broken red, transient trouble
// yellow, ok green, moves blue, unchecked dim.
Color VerdictColor(const std::string& verdict) {
  if (verdict == kVerdictGone || verdict == kVerdictFailing ||
      verdict == kVerdictSoft404) {
    return Color::kRed;
  }
  if (verdict == kVerdictOk) return Color::kGreen;
  if (verdict == kVerdictMoved || verdict == kVerdictRedirected) {
    return Color::kBlue;
  }
  if (verdict == kVerdictDrifted) return Color::kCyan;
  if (verdict == kVerdictUnchecked) return Color::kDim;
  return Color::kYellow;
}

constexpr size_t kVerdictColumn = 2;

// `verdict`: the link's verdict to paint in its cell (padding is counted
// on the plain text); "" for no colour.
void AppendRow(const std::vector<std::string>& cells,
               const std::vector<size_t>& widths, std::string* out,
               const std::string& verdict = "") {
  *out += "  ";
  for (size_t i = 0; i < cells.size(); ++i) {
    *out += i == kVerdictColumn && !verdict.empty()
                ? Paint(cells[i], VerdictColor(verdict), true)
                : cells[i];
    if (i + 1 == cells.size()) break;
    // A cell wider than its column (a quality value no rotguard writes)
    // shifts its row instead of breaking the report.
    out->append(widths[i] - std::min(widths[i], cells[i].size()) + 2, ' ');
  }
  *out += '\n';
}

size_t LinkColumnIndent(const std::vector<size_t>& widths) {
  size_t indent = 2;
  for (size_t i = 0; i + 1 < widths.size(); ++i) indent += widths[i] + 2;
  return indent;
}

// `report --since`: "change: newly gone (was failing, changed DATE)".
std::string ChangeDetail(const ReportLink& link) {
  std::string text = "change: " + ChangeLabel(link.change);
  std::string detail;
  if (!link.previous_verdict.empty() && link.previous_verdict != link.verdict) {
    detail = "was " + TerminalSafe(link.previous_verdict);
  }
  if (link.changed_unix != 0) {
    detail += (detail.empty() ? "" : ", ") + std::string("changed ") +
              FormatUnixUtc(link.changed_unix);
  }
  return detail.empty() ? text : text + " (" + detail + ")";
}

void AppendLinkDetails(const ReportLink& link, size_t indent,
                       std::string* out) {
  const std::string pad(indent, ' ');
  if (!link.change.empty()) *out += pad + ChangeDetail(link) + '\n';
  if (!link.final_url.empty()) {
    *out += pad + "-> " + TerminalSafe(link.final_url) + '\n';
  }
  if (link.copy) {
    // ExtractHint quotes a control character as $'\xHH': already safe.
    *out += pad + "copy: " + TerminalSafe(link.copy->warc_file) + " @ " +
            std::to_string(link.copy->offset) + ", " +
            FormatUsUtc(link.copy->captured_at_us) + ", " +
            (link.copy->truncated ? "truncated, " : "") +
            PublicOrigin(*link.copy) + ExtractHint(*link.copy) + '\n';
  } else {
    *out += pad + "copy: none\n";
  }
  if (link.public_copy) {
    const ReportPublicCopy& pc = *link.public_copy;
    *out += pad + "public copy: " + TerminalSafe(PublicCopyText(pc));
    if (pc.memento_at_us != 0) {
      *out += " (memento " + FormatUsUtc(pc.memento_at_us) + ")";
    } else if (!pc.message.empty()) {
      *out += " (" + TerminalSafe(pc.message) + ")";
    }
    *out += '\n';
  }
}

void AppendLinkRow(const ReportLink& link, bool variant,
                   const std::vector<size_t>& widths, std::string* out,
                   bool color = false) {
  AppendRow(TableCells(link, variant), widths, out,
            color ? link.verdict : std::string());
  AppendLinkDetails(link, LinkColumnIndent(widths), out);
}

void AppendLinks(const std::vector<ReportLink>& links,
                 const std::vector<size_t>& widths, std::string* out,
                 bool color) {
  AppendRow(TableHeader(), widths, out);
  for (size_t i = 0; i < links.size(); ++i) {
    AppendLinkRow(links[i], IsSizeVariantOfPrevious(links, i), widths, out,
                  color);
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
  if (!document.url.empty()) heading += "  " + TerminalSafe(document.url);
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
          has_copy ? link.copy->url : "",
          link.quality,
          link.public_copy ? PublicCopyText(*link.public_copy) : ""};
}

// `report --since` adds three columns after public_copy (before
// captured_by, which came later and is always last).
void AppendChangeFields(const ReportLink& link,
                        std::vector<std::string>* fields) {
  fields->push_back(link.change);
  fields->push_back(link.previous_verdict);
  fields->push_back(FormatUnixUtc(link.changed_unix));
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
  json["quality"] = NullIfEmpty(link.quality);
  if (link.copy) {
    json["archived"] = {
        {"url", link.copy->url},
        {"warc_file", link.copy->warc_file},
        {"offset", link.copy->offset},
        {"captured_at", FormatUsUtc(link.copy->captured_at_us)},
        {"status", link.copy->http_status},
        {"extract", ExtractHint(*link.copy)},
        {"truncated", link.copy->truncated},
        {"source", link.copy->source},
    };
    if (link.copy->source == kSourcePublicArchive) {
      json["archived"]["archive"] = link.copy->archive;
      json["archived"]["memento_datetime"] =
          FormatUsUtc(link.copy->memento_at_us);
    }
  } else {
    json["archived"] = nullptr;
  }
  if (link.public_copy) {
    const ReportPublicCopy& pc = *link.public_copy;
    json["public_copy"] = {
        {"state", pc.state},
        {"url", NullIfEmpty(pc.memento_url)},
        {"memento_datetime", NullIfEmpty(FormatUsUtc(pc.memento_at_us))},
        {"message", pc.message}};
  } else {
    json["public_copy"] = nullptr;
  }
  if (!link.change.empty()) {  // `report --since`
    json["change"] = link.change;
    json["previous_verdict"] = NullIfEmpty(link.previous_verdict);
    json["changed_at"] = NullIfEmpty(FormatUnixUtc(link.changed_unix));
  }
  json["captured_by"] = NullIfEmpty(link.captured_by);  // appended last
  return json;
}

// --- streaming ---

// Renders into a buffer handed to `write_` whenever it passes 1 MiB, so
// the text of a large report is never whole in memory.
class StreamRenderer : public ReportVisitor {
 public:
  explicit StreamRenderer(const ReportWriteFn& write) : write_(write) {}
  virtual void Begin(const ReportTotals& totals) = 0;
  Status Finish() {
    End();
    return Flush();
  }

 protected:
  virtual void End() = 0;
  // Called after each post or unlinked URL.
  Status MaybeFlush() {
    constexpr size_t kChunk = 1 << 20;
    return out_.size() >= kChunk ? Flush() : Status::Ok();
  }
  std::string out_;

 private:
  Status Flush() {
    if (out_.empty()) return Status::Ok();
    Status status = write_(out_);
    out_.clear();
    return status;
  }
  const ReportWriteFn& write_;
};

class TableRenderer final : public StreamRenderer {
 public:
  TableRenderer(const ReportWriteFn& write, std::vector<size_t> widths,
                bool color)
      : StreamRenderer(write), widths_(std::move(widths)), color_(color) {}
  void Begin(const ReportTotals& totals) override {
    out_ += "rotguard report, " + SummaryLine(totals) + "\n";
    since_ = totals.since_unix.has_value();
  }
  Status Document(const ReportDocument& document) override {
    ++documents_;
    out_ += "\n" + DocumentHeading(document) + "\n";
    if (document.links.empty()) {
      out_ += "  (no links)\n";
    } else {
      AppendLinks(document.links, widths_, &out_, color_);
    }
    return MaybeFlush();
  }
  Status Unlinked(const ReportLink& link) override {
    if (unlinked_++ == 0) {
      out_ += "\nURLs archived without a post\n";
      AppendRow(TableHeader(), widths_, &out_);
    }
    // IsSizeVariantOfPrevious, with only the previous link's group kept.
    const bool variant =
        unlinked_ > 1 && !link.group.empty() && link.group == previous_group_;
    AppendLinkRow(link, variant, widths_, &out_, color_);
    previous_group_ = link.group;
    return MaybeFlush();
  }

 private:
  void End() override {
    if (documents_ == 0 && unlinked_ == 0 && since_) {
      out_ += "\nno link changed\n";
    } else if (documents_ == 0 && unlinked_ == 0) {
      out_ +=
          "\nno posts and no captures in the store yet (run 'rotguard "
          "archive PATH' or 'rotguard import WARC')\n";
    }
  }
  std::vector<size_t> widths_;
  int64_t documents_ = 0;
  int64_t unlinked_ = 0;
  std::string previous_group_;
  bool since_ = false;
  bool color_ = false;
};

class CsvRenderer final : public StreamRenderer {
 public:
  using StreamRenderer::StreamRenderer;
  void Begin(const ReportTotals& totals) override {
    std::vector<std::string> header = {"document",      "title",
                                       "line",          "col",
                                       "kind",          "written",
                                       "url",           "verdict",
                                       "failure_class", "consecutive_failures",
                                       "last_ok",       "final_url",
                                       "group",         "warc_file",
                                       "warc_offset",   "captured_at",
                                       "captured_url",  "quality",
                                       "public_copy"};
    since_ = totals.since_unix.has_value();
    if (since_) {
      header.insert(header.end(), {"change", "previous_verdict", "changed_at"});
    }
    header.push_back("captured_by");  // last: earlier columns keep their place
    AppendCsvRow(header, &out_);
  }
  Status Document(const ReportDocument& document) override {
    for (const ReportLink& link : document.links) AppendLink(&document, link);
    return MaybeFlush();
  }
  Status Unlinked(const ReportLink& link) override {
    AppendLink(nullptr, link);
    return MaybeFlush();
  }

 private:
  void AppendLink(const ReportDocument* document, const ReportLink& link) {
    std::vector<std::string> fields = CsvRow(document, link);
    if (since_) AppendChangeFields(link, &fields);
    fields.push_back(link.captured_by);
    AppendCsvRow(fields, &out_);
  }
  void End() override {}
  bool since_ = false;
};

// `text` (a dump(2) of one value) as nlohmann would print it `spaces`
// deeper: JSON strings hold no raw newline, so every '\n' starts a line.
std::string Indented(const std::string& text, size_t spaces) {
  const std::string pad(spaces, ' ');
  std::string out = pad;
  for (char c : text) {
    out += c;
    if (c == '\n') out += pad;
  }
  return out;
}

std::string JsonString(const std::string& text) {
  return nlohmann::ordered_json(text).dump();
}

// The document json.dump(2) of RenderReportJson always gave, written a
// post and a link at a time.
class JsonRenderer final : public StreamRenderer {
 public:
  using StreamRenderer::StreamRenderer;
  void Begin(const ReportTotals& totals) override {
    nlohmann::ordered_json head;
    head["generated"] = FormatUnixUtc(totals.generated_unix);
    nlohmann::ordered_json verdicts = nlohmann::ordered_json::object();
    for (const std::string& verdict : VerdictsInOrder(totals)) {
      verdicts[verdict] = VerdictCount(totals, verdict);
    }
    head["summary"] = {{"documents", totals.documents},
                       {"links", totals.link_count},
                       {"urls", totals.url_count},
                       {"dead", TotalsHaveDeadLinks(totals)},
                       {"verdicts", verdicts}};
    if (totals.since_unix) {  // `report --since`
      head["since"] = FormatUtc(*totals.since_unix, UtcStyle::kIso);
      nlohmann::ordered_json changes = nlohmann::ordered_json::object();
      for (const std::string& change : ChangesInOrder()) {
        auto found = totals.change_counts.find(change);
        changes[change] =
            found == totals.change_counts.end() ? 0 : found->second;
      }
      head["summary"]["changes"] = changes;
    }
    std::string text = head.dump(2);
    text.resize(text.size() - 2);  // the closing "\n}"
    out_ += text + ",\n  \"documents\": ";
  }
  Status Document(const ReportDocument& document) override {
    out_ += documents_++ == 0 ? "[\n" : ",\n";
    out_ += "    {\n      \"path\": " + JsonString(document.path) +
            ",\n      \"title\": " + JsonString(document.title) +
            ",\n      \"date\": " + JsonString(document.date) +
            (document.url.empty()
                 ? std::string()
                 : ",\n      \"url\": " + JsonString(document.url)) +
            ",\n      \"links\": ";
    if (document.links.empty()) {
      out_ += "[]";
    } else {
      out_ += "[\n";
      for (size_t i = 0; i < document.links.size(); ++i) {
        if (i > 0) out_ += ",\n";
        out_ += Indented(LinkJson(document.links[i]).dump(2), 8);
      }
      out_ += "\n      ]";
    }
    out_ += "\n    }";
    return MaybeFlush();
  }
  Status Unlinked(const ReportLink& link) override {
    if (unlinked_++ == 0) {
      CloseDocuments();
      out_ += ",\n  \"unlinked\": [\n";
    } else {
      out_ += ",\n";
    }
    out_ += Indented(LinkJson(link).dump(2), 4);
    return MaybeFlush();
  }

 private:
  void CloseDocuments() { out_ += documents_ == 0 ? "[]" : "\n  ]"; }
  void End() override {
    if (unlinked_ == 0) {
      CloseDocuments();
      out_ += ",\n  \"unlinked\": []";
    } else {
      out_ += "\n  ]";
    }
    out_ += "\n}\n";
  }
  int64_t documents_ = 0;
  int64_t unlinked_ = 0;
};

std::unique_ptr<StreamRenderer> MakeRenderer(ReportFormat format,
                                             const ReportWriteFn& write,
                                             const ColumnWidths& widths,
                                             bool color = false) {
  switch (format) {
    case ReportFormat::kJson:
      return std::make_unique<JsonRenderer>(write);
    case ReportFormat::kCsv:
      return std::make_unique<CsvRenderer>(write);
    default:
      return std::make_unique<TableRenderer>(write, widths.widths(), color);
  }
}

// Feeds a report already in memory to a renderer.
std::string RenderInMemory(const Report& report, ReportFormat format) {
  std::string text;
  const ReportWriteFn append = [&text](std::string_view bytes) {
    text += bytes;
    return Status::Ok();
  };
  std::unique_ptr<StreamRenderer> renderer =
      MakeRenderer(format, append, WidthsOf(report));
  renderer->Begin(TotalsOf(report));
  // Appending to a string cannot fail.
  for (const ReportDocument& document : report.documents) {
    (void)renderer->Document(document);
  }
  for (const ReportLink& link : report.unlinked) (void)renderer->Unlinked(link);
  (void)renderer->Finish();
  return text;
}

// The first pass of a streamed report: what its head says (totals) and
// the table's column widths. Distinct URLs are counted per post link; a
// store without posts has none.
class TotalsCounter final : public ReportVisitor {
 public:
  TotalsCounter(int64_t now_unix, std::optional<int64_t> since_unix) {
    totals_.generated_unix = now_unix;
    totals_.since_unix = since_unix;
  }
  Status Document(const ReportDocument& document) override {
    ++totals_.documents;
    for (const ReportLink& link : document.links) {
      ++totals_.verdict_counts[link.verdict];
      if (!link.change.empty()) ++totals_.change_counts[link.change];
      distinct_urls_.insert(link.normalized.empty() ? link.url
                                                    : link.normalized);
      widths_.Widen(link);
    }
    totals_.link_count += static_cast<int64_t>(document.links.size());
    totals_.url_count = static_cast<int64_t>(distinct_urls_.size());
    return Status::Ok();
  }
  Status Unlinked(const ReportLink& link) override {
    ++totals_.unlinked;
    ++totals_.verdict_counts[link.verdict];
    if (!link.change.empty()) ++totals_.change_counts[link.change];
    widths_.Widen(link);
    return Status::Ok();
  }
  const ReportTotals& totals() const { return totals_; }
  const ColumnWidths& widths() const { return widths_; }

 private:
  ReportTotals totals_;
  ColumnWidths widths_;
  std::set<std::string> distinct_urls_;
};

// Passes the links on to the renderer, noting whether one is thin
// (`--fail-on-thin`; qualities come with the full walk only).
class ThinWatch final : public ReportVisitor {
 public:
  explicit ThinWatch(ReportVisitor& next) : next_(next) {}
  Status Document(const ReportDocument& document) override {
    for (const ReportLink& link : document.links) {
      thin_ = thin_ || IsThinQuality(link.quality);
    }
    return next_.Document(document);
  }
  Status Unlinked(const ReportLink& link) override {
    thin_ = thin_ || IsThinQuality(link.quality);
    return next_.Unlinked(link);
  }
  bool thin() const { return thin_; }

 private:
  ReportVisitor& next_;
  bool thin_ = false;
};

}  // namespace

bool TotalsHaveDeadLinks(const ReportTotals& totals) {
  for (const auto& [verdict, count] : totals.verdict_counts) {
    if (count > 0 && IsDeadVerdict(verdict)) return true;
  }
  return false;
}

Result<bool> WriteReport(Manifest& manifest, const Config& config,
                         int64_t now_unix, ReportFormat format,
                         const ReportWriteFn& write, bool* has_thin) {
  return WriteReport(manifest, config, now_unix, format, ReportOptions{}, write,
                     has_thin);
}

Result<bool> WriteReport(Manifest& manifest, const Config& config,
                         int64_t now_unix, ReportFormat format,
                         const ReportOptions& options,
                         const ReportWriteFn& write, bool* has_thin) {
  if (format == ReportFormat::kHtml || format == ReportFormat::kMarkdown ||
      format == ReportFormat::kJunit) {  // one document, built whole
    Result<Report> report = BuildReport(manifest, config, now_unix, options);
    if (!report.ok()) return report.status();
    ROTGUARD_RETURN_IF_ERROR(write(RenderReport(*report, format)));
    if (has_thin) *has_thin = ReportHasThinLinks(*report);
    return ReportHasDeadLinks(*report);
  }
  // Two walks: the head (counts, column widths) comes before the links.
  ReportOptions streamed = options;
  streamed.history = false;  // only the HTML timeline shows it
  TotalsCounter counter(now_unix, options.since_unix);
  ROTGUARD_RETURN_IF_ERROR(
      WalkReport(manifest, config, ReportDetail::kHealth, streamed, counter));
  std::unique_ptr<StreamRenderer> renderer =
      MakeRenderer(format, write, counter.widths(), options.color);
  renderer->Begin(counter.totals());
  ThinWatch watch(*renderer);
  ROTGUARD_RETURN_IF_ERROR(
      WalkReport(manifest, config, ReportDetail::kFull, streamed, watch));
  ROTGUARD_RETURN_IF_ERROR(renderer->Finish());
  if (has_thin) *has_thin = watch.thin();
  return TotalsHaveDeadLinks(counter.totals());
}

std::string RenderReportTable(const Report& report) {
  return RenderInMemory(report, ReportFormat::kTable);
}

std::string RenderReportCsv(const Report& report) {
  return RenderInMemory(report, ReportFormat::kCsv);
}

std::string RenderReportJson(const Report& report) {
  return RenderInMemory(report, ReportFormat::kJson);
}

}  // namespace rotguard
