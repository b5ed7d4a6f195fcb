// `report --format md`: a Markdown summary and one table per post, for a
// pull request or an issue (GitHub-flavoured tables). Every piece of text
// from a post or a server is escaped, so a URL can neither end a cell
// (`|`), start markup (`*`, `[`, `<`) nor break the row (newlines).
#include <string>
#include <string_view>
#include <vector>

#include "rotguard/health.h"
#include "rotguard/report.h"
#include "util/terminal_text.h"
#include "verify/report_format.h"
#include "verify/report_since.h"

namespace rotguard {
namespace {

// Characters that start or end inline Markdown markup (GitHub's: also
// ~strike~ and $math$), an HTML tag or entity, or a table cell. Block
// markup (#, -, +, 1.) never applies: a cell never starts a line.
bool IsMarkdownSpecial(char c) {
  static constexpr std::string_view kSpecial = "\\`*_[]<>|~&$";
  return kSpecial.find(c) != std::string_view::npos;
}

// Where a link goes: inside <...>, only '<', '>', spaces and controls
// must go (percent-encoded, which a browser reads as the same URL), and
// '|' too, since a table splits on it before parsing links.
std::string MarkdownDestination(const std::string& url) {
  constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : url) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte == 0x7f || c == '<' || c == '>' || c == '|' ||
        c == '\\') {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 0xf];
    } else {
      out += c;
    }
  }
  return out;
}

std::string Cell(const std::string& text) {
  return text.empty() ? "-" : MarkdownEscape(text);
}

std::string LinkCell(const ReportLink& link) {
  std::string cell;
  if (link.url.rfind("http://", 0) == 0 || link.url.rfind("https://", 0) == 0) {
    cell = "[" + MarkdownEscape(link.written) + "](<" +
           MarkdownDestination(link.url) + ">)";
  } else {
    cell = MarkdownEscape(link.written);
  }
  if (!link.final_url.empty()) {
    cell += " → " + MarkdownEscape(link.final_url);
  }
  return cell;
}

std::string CopyCell(const ReportLink& link) {
  if (!link.copy) return "none";
  std::string cell = MarkdownEscape(link.copy->warc_file) + " @ " +
                     std::to_string(link.copy->offset) + ", " +
                     MarkdownEscape(FormatUsUtc(link.copy->captured_at_us));
  if (link.copy->truncated) cell += ", truncated";
  if (link.copy->source == kSourcePublicArchive) {
    cell += ", from " + MarkdownEscape(link.copy->archive.empty()
                                           ? std::string("a public archive")
                                           : link.copy->archive);
  }
  return cell;
}

// The public copy (`archive --submit`): the memento URL once saved, as
// text like the HTML report's (a reader copies it), else the job's state.
std::string PublicCopyCell(const ReportLink& link) {
  if (!link.public_copy) return "-";
  return MarkdownEscape(PublicCopyText(*link.public_copy));
}

std::string VerdictCell(const ReportLink& link) {
  std::string cell = Cell(link.verdict);
  if (IsDeadVerdict(link.verdict) || link.verdict == kVerdictFailing ||
      link.verdict == kVerdictSoft404) {
    cell = "**" + cell + "**";
  }
  if (!link.change.empty()) cell += " (" + Cell(ChangeLabel(link.change)) + ")";
  return cell;
}

void AppendRow(const std::vector<std::string>& cells, std::string* out) {
  *out += "|";
  for (const std::string& cell : cells) *out += " " + cell + " |";
  *out += "\n";
}

void AppendLinks(const std::vector<ReportLink>& links, std::string* out) {
  if (links.empty()) {
    *out += "No links.\n";
    return;
  }
  *out +=
      "| line:col | kind | verdict | quality | fails | last ok | link | "
      "archived copy | public copy |\n|---|---|---|---|--:|---|---|---|---|\n";
  for (size_t i = 0; i < links.size(); ++i) {
    const ReportLink& link = links[i];
    AppendRow({link.line ? std::to_string(link.line) + ":" +
                               std::to_string(link.column)
                         : "-",
               Cell(link.kind), VerdictCell(link), Cell(link.quality),
               std::to_string(link.consecutive_failures),
               Cell(FormatUnixUtc(link.last_ok_unix)),
               (IsSizeVariantOfPrevious(links, i) ? "↳ " : "") + LinkCell(link),
               CopyCell(link), PublicCopyCell(link)},
              out);
  }
}

void AppendSummary(const Report& report, std::string* out) {
  *out += "# rotguard link report\n\n" + MarkdownEscape(SummaryLine(report)) +
          "\n\n| verdict | links |\n|---|--:|\n";
  for (const std::string& verdict : VerdictsInOrder(report)) {
    const int64_t count = VerdictCount(report, verdict);
    if (count != 0) AppendRow({Cell(verdict), std::to_string(count)}, out);
  }
}

}  // namespace

std::string MarkdownEscape(const std::string& text) {
  // TerminalSafe first: a newline or control character becomes %0A text.
  const std::string safe = TerminalSafe(text);
  std::string out;
  out.reserve(safe.size());
  for (char c : safe) {
    if (IsMarkdownSpecial(c)) out += '\\';
    out += c;
  }
  return out;
}

std::string RenderReportMarkdown(const Report& report) {
  std::string out;
  AppendSummary(report, &out);
  for (const ReportDocument& document : report.documents) {
    out += "\n## " + MarkdownEscape(document.path);
    if (!document.title.empty()) out += " — " + MarkdownEscape(document.title);
    if (!document.date.empty())
      out += " (" + MarkdownEscape(document.date) + ")";
    out += "\n\n";
    AppendLinks(document.links, &out);
  }
  if (!report.unlinked.empty()) {
    out += "\n## URLs archived without a post\n\n";
    AppendLinks(report.unlinked, &out);
  }
  if (report.documents.empty() && report.unlinked.empty()) {
    out += report.since_unix ? "\nNo link changed.\n"
                             : "\nNo posts and no captures in the store yet.\n";
  }
  return out;
}

}  // namespace rotguard
