// gumbo gives the exact source slice of every attribute value
// (original_value, quotes included) next to the decoded value, so spans come
// straight from the parser. Two gumbo traits shape this file:
//  - with error recording on, every parse error copies the stack of open
//    elements, so hostile nesting costs quadratic memory: max_errors = 0;
//  - scope checks walk the stack of open elements, so 100k nested <div>s
//    still take quadratic time. A cheap pre-scan estimates the nesting depth
//    and, only for pathological input, cuts the document at tag starts into
//    chunks parsed one by one. Attributes never straddle a cut.
#include "extract/html.h"

#include <gumbo.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "extract/css.h"
#include "util/ascii.h"

namespace rotguard::extract {
namespace {

// Nesting beyond this estimated depth starts a new gumbo chunk.
constexpr int kMaxChunkDepth = 512;

struct GumboOutputDeleter {
  void operator()(GumboOutput* output) const {
    gumbo_destroy_output(&kGumboDefaultOptions, output);
  }
};
using GumboOutputPtr = std::unique_ptr<GumboOutput, GumboOutputDeleter>;

GumboOutputPtr ParseHtml(std::string_view html) {
  GumboOptions options = kGumboDefaultOptions;
  options.max_errors = 0;
  return GumboOutputPtr(
      gumbo_parse_with_options(&options, html.data(), html.size()));
}

bool IsAsciiAlpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// Offset of the "</name" that ends a raw-text element, or npos.
size_t FindClosingTag(std::string_view html, std::string_view name,
                      size_t from) {
  size_t i = from;
  while (i < html.size()) {
    const void* hit = std::memchr(html.data() + i, '<', html.size() - i);
    if (hit == nullptr) return html.npos;
    i = static_cast<size_t>(static_cast<const char*>(hit) - html.data());
    if (i + 1 < html.size() && html[i + 1] == '/' &&
        EqualsIgnoreCase(html.substr(i + 2, name.size()), name)) {
      return i;
    }
    ++i;
  }
  return html.npos;
}

bool IsVoidElement(std::string_view name) {
  static constexpr std::string_view kVoid[] = {
      "area",  "base", "br",   "col",   "embed",  "hr",    "img",
      "input", "link", "meta", "param", "source", "track", "wbr"};
  for (std::string_view v : kVoid) {
    if (EqualsIgnoreCase(name, v)) return true;
  }
  return false;
}

bool IsRawTextElement(std::string_view name) {
  static constexpr std::string_view kRaw[] = {"script",  "style",   "textarea",
                                              "title",   "xmp",     "iframe",
                                              "noembed", "noframes"};
  for (std::string_view r : kRaw) {
    if (EqualsIgnoreCase(name, r)) return true;
  }
  return false;
}

// Offsets (relative to `html`) where a new gumbo chunk starts. Empty for
// any document whose estimated nesting stays below kMaxChunkDepth, which is
// every real document. The scan knows comments, quoted attribute values
// and raw-text elements, so a cut always lands on a real start tag.
std::vector<size_t> ChunkCuts(std::string_view html) {
  std::vector<size_t> cuts;
  int depth = 0;
  size_t i = 0;
  while (i < html.size()) {
    const void* hit = std::memchr(html.data() + i, '<', html.size() - i);
    if (hit == nullptr) break;
    size_t lt =
        static_cast<size_t>(static_cast<const char*>(hit) - html.data());
    if (html.substr(lt, 4) == "<!--") {
      size_t close = html.find("-->", lt + 4);
      i = close == html.npos ? html.size() : close + 3;
      continue;
    }
    if (lt + 1 < html.size() && html[lt + 1] == '/') {
      depth = std::max(0, depth - 1);
      i = lt + 2;
      continue;
    }
    if (lt + 1 >= html.size() || !IsAsciiAlpha(html[lt + 1])) {
      i = lt + 1;
      continue;
    }
    size_t name_end = lt + 1;
    while (name_end < html.size() && !IsHtmlSpace(html[name_end]) &&
           html[name_end] != '>' && html[name_end] != '/') {
      ++name_end;
    }
    std::string_view name = html.substr(lt + 1, name_end - lt - 1);
    if (depth >= kMaxChunkDepth) {
      cuts.push_back(lt);
      depth = 0;
    }
    size_t j = name_end;
    char quote = 0;
    bool after_equals = false;
    while (j < html.size()) {
      char c = html[j];
      if (quote != 0) {
        if (c == quote) quote = 0;
      } else if (c == '>') {
        break;
      } else if ((c == '"' || c == '\'') && after_equals) {
        quote = c;
      } else if (!IsHtmlSpace(c)) {
        after_equals = c == '=';
      }
      ++j;
    }
    bool self_closing = j > 0 && j < html.size() && html[j - 1] == '/';
    if (!IsVoidElement(name) && !self_closing) ++depth;
    i = j + 1;
    if (IsRawTextElement(name)) {
      size_t close = FindClosingTag(html, name, i);
      i = close == html.npos ? html.size() : close;
    }
  }
  return cuts;
}

struct Span {
  size_t start;
  size_t end;
};

class HtmlWalker {
 public:
  HtmlWalker(Collector* out, size_t chunk_offset, std::string_view chunk,
             std::string* base_href)
      : out_(out),
        content_(out->content()),
        chunk_offset_(chunk_offset),
        chunk_(chunk),
        base_href_(base_href) {}

  void Walk(const GumboNode* root) {
    std::vector<const GumboNode*> stack{root};
    while (!stack.empty()) {
      const GumboNode* node = stack.back();
      stack.pop_back();
      if (node->type == GUMBO_NODE_COMMENT) {
        VisitComment(node->v.text);
        continue;
      }
      const GumboVector* children = nullptr;
      if (node->type == GUMBO_NODE_DOCUMENT) {
        children = &node->v.document.children;
      } else if (node->type == GUMBO_NODE_ELEMENT ||
                 node->type == GUMBO_NODE_TEMPLATE) {
        VisitElement(node->v.element);
        children = &node->v.element.children;
      }
      if (children == nullptr) continue;
      for (unsigned i = children->length; i > 0; --i) {
        stack.push_back(static_cast<const GumboNode*>(children->data[i - 1]));
      }
    }
  }

 private:
  // The raw value of `attr` without quotes and surrounding whitespace, as
  // a span of the whole content; nullopt if gumbo made the value up.
  bool RawValueSpan(const GumboAttribute* attr, Span* span) const {
    const char* data = attr->original_value.data;
    size_t length = attr->original_value.length;
    if (data == nullptr || data < chunk_.data() ||
        data + length > chunk_.data() + chunk_.size() || length == 0) {
      return false;
    }
    size_t start = static_cast<size_t>(data - chunk_.data()) + chunk_offset_;
    size_t end = start + length;
    char first = content_[start];
    if (first == '"' || first == '\'') {
      ++start;
      if (end > start && content_[end - 1] == first) --end;
    }
    while (start < end && IsHtmlSpace(content_[start])) ++start;
    while (end > start && IsHtmlSpace(content_[end - 1])) --end;
    if (start == end) return false;
    *span = {start, end};
    return true;
  }

  static std::string_view TrimmedValue(const GumboAttribute* attr) {
    std::string_view value(attr->value);
    while (!value.empty() && IsHtmlSpace(value.front())) value.remove_prefix(1);
    while (!value.empty() && IsHtmlSpace(value.back())) value.remove_suffix(1);
    return value;
  }

  void AddAttribute(const GumboElement& element, const char* name,
                    LinkKind kind) {
    const GumboAttribute* attr = gumbo_get_attribute(&element.attributes, name);
    if (attr == nullptr) return;
    Span span;
    if (!RawValueSpan(attr, &span)) return;
    out_->AddCandidate(kind, Origin::kHtml, span.start, span.end,
                       std::string(TrimmedValue(attr)));
  }

  void AddSrcset(const GumboElement& element, const char* name) {
    const GumboAttribute* attr = gumbo_get_attribute(&element.attributes, name);
    Span span;
    if (attr == nullptr || !RawValueSpan(attr, &span)) return;
    ExtractSrcsetUrls(span.start, span.end, out_);
  }

  // <meta http-equiv="refresh" content="5; url='https://…'">: the span is
  // the URL inside the content attribute.
  void AddMetaRefresh(const GumboElement& element) {
    const GumboAttribute* equiv =
        gumbo_get_attribute(&element.attributes, "http-equiv");
    if (equiv == nullptr || !EqualsIgnoreCase(TrimmedValue(equiv), "refresh")) {
      return;
    }
    const GumboAttribute* attr =
        gumbo_get_attribute(&element.attributes, "content");
    Span span;
    if (attr == nullptr || !RawValueSpan(attr, &span)) return;
    ExtractRefreshUrl(span.start, span.end, out_);
  }

  void AddStyleAttribute(const GumboElement& element) {
    const GumboAttribute* attr =
        gumbo_get_attribute(&element.attributes, "style");
    Span span;
    if (attr == nullptr || !RawValueSpan(attr, &span)) return;
    ExtractCssUrls(span.start, span.end, /*in_attribute=*/true, out_);
  }

  void AddStyleElementText(const GumboElement& element) {
    for (unsigned i = 0; i < element.children.length; ++i) {
      const auto* child =
          static_cast<const GumboNode*>(element.children.data[i]);
      if (child->type != GUMBO_NODE_TEXT &&
          child->type != GUMBO_NODE_WHITESPACE) {
        continue;
      }
      const GumboStringPiece& text = child->v.text.original_text;
      if (text.data < chunk_.data() ||
          text.data + text.length > chunk_.data() + chunk_.size()) {
        continue;
      }
      size_t start =
          static_cast<size_t>(text.data - chunk_.data()) + chunk_offset_;
      ExtractCssUrls(start, start + text.length, /*in_attribute=*/false, out_);
    }
  }

  void RecordBase(const GumboElement& element) {
    if (base_href_ == nullptr || base_seen_) return;
    const GumboAttribute* attr =
        gumbo_get_attribute(&element.attributes, "href");
    if (attr == nullptr) return;
    base_seen_ = true;
    *base_href_ = std::string(TrimmedValue(attr));
  }

  // <link rel=stylesheet|icon|preload|…> loads part of the page;
  // rel=canonical, alternate, author… point at other pages.
  static bool IsRequisiteRel(const GumboElement& element) {
    const GumboAttribute* rel = gumbo_get_attribute(&element.attributes, "rel");
    if (rel == nullptr) return false;
    std::string value;
    for (const char* p = rel->value; *p != '\0'; ++p) value += AsciiLower(*p);
    for (std::string_view word : {"stylesheet", "icon", "preload", "prefetch",
                                  "modulepreload", "manifest"}) {
      if (value.find(word) != std::string::npos) return true;
    }
    return false;
  }

  void VisitElement(const GumboElement& element) {
    switch (element.tag) {
      case GUMBO_TAG_A:
      case GUMBO_TAG_AREA:
        AddAttribute(element, "href", LinkKind::kLink);
        break;
      case GUMBO_TAG_IMG:
        AddAttribute(element, "src", LinkKind::kImage);
        AddAttribute(element, "data-src", LinkKind::kImage);
        AddSrcset(element, "srcset");
        AddSrcset(element, "data-srcset");
        break;
      case GUMBO_TAG_SOURCE:
        AddSrcset(element, "srcset");
        AddAttribute(element, "src", LinkKind::kEmbed);
        break;
      case GUMBO_TAG_IFRAME:
      case GUMBO_TAG_EMBED:
      case GUMBO_TAG_AUDIO:
      case GUMBO_TAG_SCRIPT:
        AddAttribute(element, "src", LinkKind::kEmbed);
        break;
      case GUMBO_TAG_VIDEO:
        AddAttribute(element, "src", LinkKind::kEmbed);
        AddAttribute(element, "poster", LinkKind::kImage);
        break;
      case GUMBO_TAG_LINK:
        AddAttribute(
            element, "href",
            IsRequisiteRel(element) ? LinkKind::kRequisite : LinkKind::kLink);
        break;
      case GUMBO_TAG_META:
        AddMetaRefresh(element);
        break;
      case GUMBO_TAG_BASE:
        RecordBase(element);
        break;
      case GUMBO_TAG_STYLE:
        AddStyleElementText(element);
        break;
      default:
        break;
    }
    AddStyleAttribute(element);
  }

  void VisitComment(const GumboText& comment) {
    std::string_view text(comment.text);
    while (!text.empty() && IsHtmlSpace(text.front())) text.remove_prefix(1);
    while (!text.empty() && IsHtmlSpace(text.back())) text.remove_suffix(1);
    MarkerKind kind;
    if (text == "rotguard-ignore") {
      kind = MarkerKind::kIgnoreNext;
    } else if (text == "rotguard-ignore-start") {
      kind = MarkerKind::kIgnoreStart;
    } else if (text == "rotguard-ignore-end") {
      kind = MarkerKind::kIgnoreEnd;
    } else {
      return;
    }
    out_->AddMarker(chunk_offset_ + comment.start_pos.offset, kind);
  }

  Collector* out_;
  std::string_view content_;
  size_t chunk_offset_;
  std::string_view chunk_;
  std::string* base_href_;
  bool base_seen_ = false;
};

}  // namespace

void ExtractHtml(size_t begin, size_t end, Collector* out,
                 std::string* base_href) {
  std::string_view html = out->content().substr(begin, end - begin);
  std::vector<size_t> cuts = ChunkCuts(html);
  if (!cuts.empty()) {
    out->Warn(begin + cuts.front(),
              "HTML nested too deeply; parsed in independent pieces");
  }
  cuts.push_back(html.size());
  size_t chunk_start = 0;
  bool base_found = false;
  for (size_t cut : cuts) {
    std::string_view chunk = html.substr(chunk_start, cut - chunk_start);
    GumboOutputPtr output = ParseHtml(chunk);
    std::string chunk_base;
    HtmlWalker walker(out, begin + chunk_start, chunk,
                      base_found ? nullptr : &chunk_base);
    walker.Walk(output->document);
    if (!base_found && !chunk_base.empty() && base_href != nullptr) {
      *base_href = chunk_base;
      base_found = true;
    }
    chunk_start = cut;
  }
}

void ExtractRefreshUrl(size_t start, size_t end, Collector* out) {
  std::string_view content = out->content();
  size_t i = start;
  auto skip_spaces = [&] {
    while (i < end && IsHtmlSpace(content[i])) ++i;
  };
  while (i < end &&
         ((content[i] >= '0' && content[i] <= '9') || content[i] == '.')) {
    ++i;
  }
  skip_spaces();
  if (i < end && (content[i] == ';' || content[i] == ',')) ++i;
  skip_spaces();
  size_t before_url_key = i;
  if (end - i >= 3 && EqualsIgnoreCase(content.substr(i, 3), "url")) {
    i += 3;
    skip_spaces();
    if (i < end && content[i] == '=') {
      ++i;
      skip_spaces();
    } else {
      i = before_url_key;
    }
  }
  size_t url_end = end;
  if (i < url_end && (content[i] == '"' || content[i] == '\'')) {
    char quote = content[i++];
    size_t close = content.find(quote, i);
    if (close != content.npos && close < url_end) url_end = close;
  }
  while (url_end > i && IsHtmlSpace(content[url_end - 1])) --url_end;
  if (url_end <= i) return;
  out->AddCandidate(LinkKind::kLink, Origin::kHtml, i, url_end,
                    DecodeCharacterReferences(content.substr(i, url_end - i)));
}

bool NestsTooDeepForOneParse(std::string_view html) {
  return !ChunkCuts(html).empty();
}

void ExtractSrcsetUrls(size_t start, size_t end, Collector* out) {
  std::string_view content = out->content();
  size_t i = start;
  while (i < end) {
    while (i < end && (IsHtmlSpace(content[i]) || content[i] == ',')) ++i;
    size_t url_start = i;
    while (i < end && !IsHtmlSpace(content[i])) ++i;
    size_t url_end = i;
    bool descriptors_follow = true;
    while (url_end > url_start && content[url_end - 1] == ',') {
      --url_end;
      descriptors_follow = false;
    }
    if (url_end > url_start) {
      std::string_view raw = content.substr(url_start, url_end - url_start);
      // The standard splits the decoded value, so a candidate's URL is
      // decoded text (U+FFFD for invalid UTF-8), as gumbo gives src=.
      out->AddCandidate(LinkKind::kImage, Origin::kHtml, url_start, url_end,
                        DecodeAttributeText(raw));
    }
    if (!descriptors_follow) continue;
    int parens = 0;
    while (i < end && (content[i] != ',' || parens > 0)) {
      if (content[i] == '(') ++parens;
      if (content[i] == ')' && parens > 0) --parens;
      ++i;
    }
  }
}

namespace {

// The code point of the well-formed UTF-8 sequence (at most 4 bytes) at
// the start of `s` and its length, or length 0 when there is none.
size_t DecodeUtf8(std::string_view s, char32_t* code_point) {
  auto byte = [&s](size_t i) { return static_cast<unsigned char>(s[i]); };
  unsigned char lead = byte(0);
  size_t n = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC2 ? 2 : 0;
  if (n == 0 || lead > 0xF4 || s.size() < n) return 0;
  unsigned char low = 0x80, high = 0xBF;  // bounds of the second byte
  if (lead == 0xE0) low = 0xA0;           // no overlong forms
  if (lead == 0xED) high = 0x9F;          // no surrogates
  if (lead == 0xF0) low = 0x90;
  if (lead == 0xF4) high = 0x8F;  // nothing above U+10FFFF
  if (byte(1) < low || byte(1) > high) return 0;
  char32_t cp = lead & (0x7F >> n);
  for (size_t k = 1; k < n; ++k) {
    if ((byte(k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (byte(k) & 0x3F);
  }
  *code_point = cp;
  return n;
}

bool IsAsciiAlnum(char c) { return (c >= '0' && c <= '9') || IsAsciiAlpha(c); }

// True when the '&' at raw[at] surely stays a literal '&' in an attribute
// value, as gumbo 0.10's consume_char_ref decides: it is followed by
// neither '#' nor an ASCII letter or digit (no reference starts there), or
// by letters and digits and then '=' (`?a=1&ref=x`). In the latter case
// the only references that can match are the legacy ones without ';'
// (every other name ends in ';'), and a match without ';' that is followed
// by '=' or an alphanumeric is left as written inside attributes. Every
// other '&' (`&amp;`, `&copy`, `&#38;`) is for gumbo to decode.
bool IsInertAmpersand(std::string_view raw, size_t at) {
  size_t i = at + 1;
  if (i == raw.size()) return true;
  if (raw[i] == '#') return false;
  if (!IsAsciiAlnum(raw[i])) return true;
  while (i < raw.size() && IsAsciiAlnum(raw[i])) ++i;
  return i < raw.size() && raw[i] == '=';
}

// True when gumbo copies `raw` into an attribute value unchanged: every
// '&' inert (IsInertAmpersand), no CR, NUL or other control but TAB, LF,
// FF, well-formed UTF-8 without C1 controls and noncharacters. Query
// strings (`&ref=`) are the common case that used to cost a gumbo parse
// per URL (a tenth of `scan`'s time with the Markdown's raw HTML).
bool GumboKeepsAsIs(std::string_view raw) {
  for (size_t i = 0; i < raw.size();) {
    auto c = static_cast<unsigned char>(raw[i]);
    if (c < 0x80) {
      bool kept =
          c == '\t' || c == '\n' || c == '\f' ||
          (c >= 0x20 && c != 0x7F && (c != '&' || IsInertAmpersand(raw, i)));
      if (!kept) return false;
      ++i;
      continue;
    }
    char32_t cp = 0;
    size_t length = DecodeUtf8(raw.substr(i), &cp);
    bool noncharacter =
        (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE;
    if (length == 0 || cp <= 0x9F || noncharacter) return false;
    i += length;
  }
  return true;
}

}  // namespace

std::string DecodeAttributeText(std::string_view raw) {
  if (GumboKeepsAsIs(raw)) return std::string(raw);
  // DecodeCharacterReferences only runs gumbo when it sees a '&'; a
  // leading "&amp;" forces that and cannot combine with what follows.
  return DecodeCharacterReferences("&amp;" + std::string(raw)).substr(1);
}

std::string DecodeCharacterReferences(std::string_view raw) {
  if (raw.find('&') == raw.npos) return std::string(raw);
  if (GumboKeepsAsIs(raw)) return std::string(raw);
  return DecodeCharacterReferencesWithGumbo(raw);
}

std::string DecodeCharacterReferencesWithGumbo(std::string_view raw) {
  if (raw.find('&') == raw.npos) return std::string(raw);
  // Let gumbo's attribute-value decoder do it: it knows every named
  // reference and the legacy no-semicolon rules.
  std::string html = "<a title='";
  for (char c : raw) {
    if (c == '\'') {
      html += "&#39;";
    } else {
      html += c;
    }
  }
  html += "'>";
  GumboOutputPtr output = ParseHtml(html);
  std::vector<const GumboNode*> stack{output->root};
  while (!stack.empty()) {
    const GumboNode* node = stack.back();
    stack.pop_back();
    if (node->type != GUMBO_NODE_ELEMENT) continue;
    if (node->v.element.tag == GUMBO_TAG_A) {
      const GumboAttribute* title =
          gumbo_get_attribute(&node->v.element.attributes, "title");
      if (title != nullptr) return title->value;
    }
    const GumboVector& children = node->v.element.children;
    for (unsigned i = 0; i < children.length; ++i) {
      stack.push_back(static_cast<const GumboNode*>(children.data[i]));
    }
  }
  return std::string(raw);
}

}  // namespace rotguard::extract
