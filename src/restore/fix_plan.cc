// The `fix` planner and rewriter (rotguard/fix.h): which replacement for
// which link, as edits of the post's bytes. Pure: the post's bytes, its
// links with their health and the MementoSources are all it sees.
#include <cctype>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "restore/html_rewrite.h"
#include "rotguard/fix.h"
#include "rotguard/health.h"
#include "util/ascii.h"

namespace rotguard {
namespace {

// How far back the start of an HTML tag holding a link is looked for.
constexpr size_t kMaxTagLookBack = 16 * 1024;
constexpr int kMaxTagCandidates = 16;

// The HTML tag whose attribute value holds a link's span.
struct TagContext {
  std::string tag;        // lowercase name
  std::string attribute;  // lowercase name of the attribute holding the span
  bool exact = false;     // the value is exactly the span (not srcset)
  size_t value_end = 0;   // just after the value and its closing quote
  bool robust = false;    // the tag carries Robust Links attributes already
};

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

size_t SkipSpace(std::string_view s, size_t i) {
  while (i < s.size() && IsSpace(s[i])) ++i;
  return i;
}

// One attribute "name[=value]" at `i`; returns the position after it.
struct Attribute {
  std::string name;
  size_t value_start = 0;
  size_t value_stop = 0;  // end of the value's bytes
  size_t after = 0;       // after the closing quote
};

Attribute ReadAttribute(std::string_view s, size_t i) {
  Attribute a;
  size_t name_start = i;
  while (i < s.size() && !IsSpace(s[i]) && s[i] != '=' && s[i] != '>' &&
         s[i] != '/') {
    ++i;
  }
  a.name = AsciiLowercase(s.substr(name_start, i - name_start));
  size_t eq = SkipSpace(s, i);
  if (eq >= s.size() || s[eq] != '=') {
    a.value_start = a.value_stop = a.after = i;
    return a;
  }
  i = SkipSpace(s, eq + 1);
  if (i < s.size() && (s[i] == '"' || s[i] == '\'')) {
    size_t close = s.find(s[i], i + 1);
    if (close == std::string_view::npos) close = s.size();
    a.value_start = i + 1;
    a.value_stop = close;
    a.after = close < s.size() ? close + 1 : close;
    return a;
  }
  a.value_start = i;
  while (i < s.size() && !IsSpace(s[i]) && s[i] != '>') ++i;
  a.value_stop = a.after = i;
  return a;
}

// Parses the tag starting at `lt` ('<'); the context when one of its
// attribute values holds [start, end).
std::optional<TagContext> ParseTagAt(std::string_view s, size_t lt,
                                     size_t start, size_t end) {
  size_t i = lt + 1;
  size_t name_start = i;
  while (i < s.size() &&
         (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '-')) {
    ++i;
  }
  if (i == name_start) return std::nullopt;
  TagContext ctx;
  ctx.tag = AsciiLowercase(s.substr(name_start, i - name_start));
  bool found = false;
  while (true) {
    i = SkipSpace(s, i);
    while (i < s.size() && s[i] == '/') i = SkipSpace(s, i + 1);
    if (i >= s.size() || s[i] == '>' || s[i] == '<') break;
    Attribute a = ReadAttribute(s, i);
    if (a.after == i) break;  // no progress: not a tag we understand
    if (a.name == "data-originalurl" || a.name == "data-versionurl") {
      ctx.robust = true;
    }
    if (!found && a.value_start <= start && end <= a.value_stop &&
        a.value_start != a.value_stop) {
      found = true;
      ctx.attribute = a.name;
      ctx.exact = a.value_start == start && a.value_stop == end;
      ctx.value_end = a.after;
    }
    i = a.after;
  }
  if (!found) return std::nullopt;
  return ctx;
}

// The tag holding the span. A '<' inside an attribute value (title="a<b")
// parses as a tag holding the span too, so the candidate furthest back
// that holds it wins: earlier tags end at their '>' before the span.
std::optional<TagContext> FindTagOf(std::string_view s, size_t start,
                                    size_t end) {
  size_t floor = start > kMaxTagLookBack ? start - kMaxTagLookBack : 0;
  std::optional<TagContext> found;
  size_t pos = start;
  for (int tries = 0; tries < kMaxTagCandidates && pos > floor; ++tries) {
    size_t lt = s.rfind('<', pos - 1);
    if (lt == std::string_view::npos || lt < floor) break;
    std::optional<TagContext> ctx = ParseTagAt(s, lt, start, end);
    if (ctx) found = std::move(ctx);
    pos = lt;
  }
  return found;
}

// A URL written where Markdown (or front matter, or a bare URL) holds it:
// bytes that would end the destination are percent-encoded, and so are
// parentheses when they are unbalanced (they would end an inline link).
std::string MarkdownSafe(std::string_view url) {
  int depth = 0;
  bool balanced = true;
  for (char c : url) {
    depth += c == '(' ? 1 : c == ')' ? -1 : 0;
    balanced = balanced && depth >= 0;
  }
  balanced = balanced && depth == 0;
  std::string out;
  for (char c : url) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7F || c == '<' || c == '>' ||
        (!balanced && (c == '(' || c == ')'))) {
      constexpr std::string_view kHex = "0123456789ABCDEF";
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 0xF];
    } else {
      out += c;
    }
  }
  return out;
}

// Sets `fix` to replace the link's span by `url`, escaped for where the
// span is; `new_url` is the URL as a reader's parser will see it.
void ReplaceSpan(const Link& link, const std::optional<TagContext>& tag,
                 const std::string& url, PlannedFix* fix) {
  fix->action = FixAction::kReplaced;
  fix->new_url = tag ? url : MarkdownSafe(url);
  fix->edit =
      FixEdit{link.start, link.end, tag ? HtmlEscape(url) : fix->new_url};
}

// "YYYY-MM-DD" when `text` starts with one.
std::string DatePart(std::string_view text) {
  if (text.size() < 10) return "";
  for (size_t i = 0; i < 10; ++i) {
    bool dash = i == 4 || i == 7;
    if (dash ? text[i] != '-'
             : !std::isdigit(static_cast<unsigned char>(text[i]))) {
      return "";
    }
  }
  return std::string(text.substr(0, 10));
}

std::string VersionDate(std::string_view post_date,
                        const ArchivedCopy& memento) {
  std::string date = DatePart(post_date);
  if (!date.empty() || memento.datetime14.size() < 8) return date;
  const std::string& d = memento.datetime14;
  return DatePart(d.substr(0, 4) + "-" + d.substr(4, 2) + "-" + d.substr(6, 2));
}

std::string RobustAttributes(const Link& link, const ArchivedCopy& memento,
                             std::string_view post_date) {
  std::string attrs = " data-originalurl=\"" + HtmlEscape(link.url) + "\"";
  std::string date = VersionDate(post_date, memento);
  if (!date.empty()) attrs += " data-versiondate=\"" + date + "\"";
  attrs += " data-versionurl=\"" + HtmlEscape(memento.url) + "\"";
  return attrs;
}

bool IsGoneVerdict(std::string_view verdict) {
  return verdict == kVerdictGone || verdict == kVerdictSoft404;
}

// The copy a gone link gets under `target`, or why there is none.
std::optional<ArchivedCopy> ChooseMemento(const FixLink& fl,
                                          std::string_view post_date,
                                          FixTarget target,
                                          const FixSources& sources,
                                          std::string* why) {
  std::optional<ArchivedCopy> found;
  bool try_public = target != FixTarget::kLocal;
  bool try_local = target != FixTarget::kArchive;
  if (try_public && sources.public_archive) {
    found = sources.public_archive->Best(fl.link.url, post_date);
    if (found && fl.link.kind == LinkKind::kImage) {
      found->url = WithWaybackModifier(found->url, "im_");
    }
  }
  if (!found && try_local && sources.local) {
    found = sources.local->Best(fl.link.url, post_date);
  }
  if (!found) {
    *why = target == FixTarget::kArchive ? "no public-archive copy"
           : target == FixTarget::kLocal
               ? "no restored copy (--local-root)"
               : "no archived copy (public archive or restored copy)";
  }
  return found;
}

PlannedFix PlanGone(std::string_view bytes, std::string_view post_date,
                    const FixLink& fl, const std::optional<TagContext>& tag,
                    FixTarget target, const FixSources& sources) {
  PlannedFix fix{FixAction::kLeft, fl.link, fl.verdict, "", "", std::nullopt};
  std::optional<ArchivedCopy> memento =
      ChooseMemento(fl, post_date, target, sources, &fix.why);
  if (!memento) return fix;
  fix.new_url = memento->url;
  const Link& link = fl.link;
  if (tag && tag->tag == "a" && tag->attribute == "href" && tag->exact) {
    // Robust Links: href stays the default target unless --to names one.
    std::string href =
        target == FixTarget::kAuto ? link.written : HtmlEscape(memento->url);
    std::string text =
        href + std::string(bytes.substr(link.end, tag->value_end - link.end)) +
        RobustAttributes(link, *memento, post_date);
    fix.action = FixAction::kRobustLink;
    fix.edit = FixEdit{link.start, tag->value_end, std::move(text)};
    return fix;
  }
  ReplaceSpan(link, tag, memento->url, &fix);
  return fix;
}

PlannedFix PlanMoved(const FixLink& fl, const std::optional<TagContext>& tag) {
  PlannedFix fix{FixAction::kLeft, fl.link, fl.verdict, "", "", std::nullopt};
  if (fl.final_url.empty()) {
    fix.why = "moved, but the final URL is not known";
    return fix;
  }
  ReplaceSpan(fl.link, tag, fl.final_url, &fix);
  return fix;
}

}  // namespace

std::optional<FixTarget> ParseFixTarget(std::string_view text) {
  if (text == "auto") return FixTarget::kAuto;
  if (text == "archive") return FixTarget::kArchive;
  if (text == "local") return FixTarget::kLocal;
  if (text == "final") return FixTarget::kFinal;
  return std::nullopt;
}

std::string WithWaybackModifier(std::string_view url,
                                std::string_view modifier) {
  size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return std::string(url);
  size_t path = url.find('/', scheme + 3);
  if (path == std::string_view::npos || url.substr(path, 5) != "/web/") {
    return std::string(url);
  }
  size_t digits = path + 5;
  size_t i = digits;
  while (i < url.size() && std::isdigit(static_cast<unsigned char>(url[i]))) {
    ++i;
  }
  if (i == digits) return std::string(url);
  size_t slash = url.find('/', i);
  if (slash == std::string_view::npos) return std::string(url);
  for (size_t k = i; k < slash; ++k) {  // an existing modifier: [a-z_]
    if (!(std::islower(static_cast<unsigned char>(url[k])) || url[k] == '_')) {
      return std::string(url);
    }
  }
  return std::string(url.substr(0, i)) + std::string(modifier) +
         std::string(url.substr(slash));
}

std::vector<PlannedFix> PlanFixes(std::string_view bytes,
                                  std::string_view post_date,
                                  const std::vector<FixLink>& links,
                                  FixTarget target, const FixSources& sources) {
  std::vector<PlannedFix> plan;
  for (const FixLink& fl : links) {
    bool moved = fl.verdict == kVerdictMoved && fl.final_url != fl.link.url;
    bool gone = IsGoneVerdict(fl.verdict) && target != FixTarget::kFinal;
    const Link& link = fl.link;
    if ((!moved && !gone) || link.end > bytes.size() || link.end < link.start ||
        bytes.substr(link.start, link.end - link.start) != link.written) {
      continue;
    }
    if (!link.written.empty() && link.written.front() == '{') {
      plan.push_back({FixAction::kLeft, link, fl.verdict, "",
                      "a shortcode: not rewritten", std::nullopt});
      continue;
    }
    std::optional<TagContext> tag = FindTagOf(bytes, link.start, link.end);
    if (tag && tag->robust) continue;  // fixed before: idempotent
    plan.push_back(moved
                       ? PlanMoved(fl, tag)
                       : PlanGone(bytes, post_date, fl, tag, target, sources));
  }
  return plan;
}

std::string ApplyFixes(std::string_view bytes,
                       const std::vector<PlannedFix>& plan) {
  std::vector<restore::Edit> edits;
  for (const PlannedFix& fix : plan) {
    if (fix.edit)
      edits.push_back({fix.edit->start, fix.edit->end, fix.edit->text});
  }
  return restore::ApplyEdits(bytes, std::move(edits));
}

}  // namespace rotguard
