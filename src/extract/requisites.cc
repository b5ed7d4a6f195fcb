// A raw HTML tag scanner for page requisites. It follows the HTML
// tokenizer (comments, bogus comments, DOCTYPE, raw-text, RCDATA and
// script-data states with their escapes, quoted/unquoted attribute values,
// first duplicate attribute wins, a tag cut off by end of file is dropped)
// and reports the same candidates as HtmlWalker::VisitElement (html.cc),
// then classifies them as ExtractLinks' Finalize does (extractor.cc).
//
// Tree-builder decisions that are cheap to see from tokens are reproduced:
// <image> is an <img>; "in select" ignores most start tags; a second
// <html>/<body> only merges attributes the element lacks; <html>/<body>
// inside <template> are ignored; inside <svg>/<math> nothing is raw text,
// <![CDATA[ … ]]> is skipped, HTML integration points (foreignObject, desc,
// title, mi, mo, mn, ms, mtext) hold HTML and the breakout tags (<img>,
// <p>, <div>, …) end foreign content. gumbo 0.10's own quirks are
// reproduced too, since ExtractLinks has them (see ReadTag and ValueSpan).
//
// Not reproduced (ExtractLinks may differ; the differential test and the
// fuzzer skip pages with <svg>/<math>, where ~1 in 80,000 spliced variants
// still differed):
//  - foreign content, beyond the above: an end tag that closes an HTML
//    element around the <svg> (`<p><svg></p>`), text of an svg <style>
//    after its first child element, annotation-xml, <font color> breakout;
//  - "in select in table" beyond counting open <table>s;
//  - tags after <frameset>, which the tree builder drops;
//  - documents nested deeper than html.cc's chunking threshold, which
//    gumbo sees as independent pieces.
#include "rotguard/requisites.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "extract/collector.h"
#include "extract/css.h"
#include "extract/front_matter.h"
#include "extract/html.h"
#include "extract/page_signals.h"
#include "rotguard/url.h"
#include "util/ascii.h"

namespace rotguard::extract {
namespace {

constexpr size_t kNpos = std::string_view::npos;
// As ExtractLinks: a NUL in the first 8 KiB makes the file binary.
constexpr size_t kBinarySniffLength = 8192;
constexpr std::string_view kBom = "\xEF\xBB\xBF";

// The attributes that can carry a requisite.
enum AttributeId {
  kSrc,
  kDataSrc,
  kSrcset,
  kDataSrcset,
  kPoster,
  kHref,
  kRel,
  kStyle,
  kHttpEquiv,
  kContent,
  kId,  // for the capture-quality signals only
  kAttributeCount
};
constexpr std::string_view kAttributeNames[kAttributeCount] = {
    "src", "data-src", "srcset",     "data-srcset", "poster", "href",
    "rel", "style",    "http-equiv", "content",     "id"};

// An attribute as written. The value is [start, end), inside the quotes if
// any; `has_value` is false for an attribute without '='.
struct RawValue {
  bool present = false;
  bool has_value = false;
  bool quoted = false;
  size_t name_start = 0;
  size_t name_end = 0;
  size_t start = 0;
  size_t end = 0;
};

// One tag token: only what requisites need. Names longer than the buffer
// are no tag we look at.
struct Tag {
  static constexpr size_t kMaxName = 15;
  char name[kMaxName + 1] = {};
  size_t name_length = 0;
  bool name_too_long = false;
  bool self_closing = false;
  RawValue attributes[kAttributeCount];

  std::string_view Name() const {
    return name_too_long ? std::string_view()
                         : std::string_view(name, name_length);
  }
  bool Is(std::string_view lower_name) const { return Name() == lower_name; }
};

bool IsAsciiAlpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// The byte after an end tag name that makes it an end tag (tokenizer
// "appropriate end tag" check).
bool EndsTagName(char c) { return IsHtmlSpace(c) || c == '/' || c == '>'; }

void AppendNameChar(char c, Tag* tag) {
  if (tag->name_length == Tag::kMaxName || c == '\0') {
    // A NUL becomes U+FFFD: no known name contains it.
    tag->name_too_long = true;
    return;
  }
  tag->name[tag->name_length++] = AsciiLower(c);
}

// The attribute names of one tag, to find duplicates. Linear for the
// usual handful, a hash set for hostile tags with thousands.
class SeenNames {
 public:
  void Clear() {
    names_.clear();
    lowered_.clear();
    owned_.clear();
  }

  // Insert for a name built from pieces (see ReadTag): keeps a copy.
  bool InsertOwned(std::string name) {
    owned_.push_back(std::move(name));
    if (Insert(owned_.back())) return true;
    owned_.pop_back();
    return false;
  }

  // Remembers `name`; false if it was already there.
  bool Insert(std::string_view name) {
    constexpr size_t kLinearLimit = 32;
    if (names_.size() < kLinearLimit) {
      for (std::string_view seen : names_) {
        if (EqualsIgnoreCase(seen, name)) return false;
      }
      names_.push_back(name);
      return true;
    }
    if (lowered_.empty()) {
      for (std::string_view seen : names_)
        lowered_.insert(AsciiLowercase(seen));
    }
    return lowered_.insert(AsciiLowercase(name)).second;
  }

 private:
  std::vector<std::string_view> names_;
  std::unordered_set<std::string> lowered_;
  std::deque<std::string> owned_;  // stable addresses for names_
};

// Length of the valid UTF-8 sequence at `text[i]`, or of the maximal
// invalid subpart there (at least 1) with `*valid` false (Unicode's
// "maximal subpart" practice, which WHATWG's decoder and gumbo follow).
size_t Utf8SequenceAt(std::string_view text, size_t i, bool* valid) {
  const auto byte = [&](size_t k) {
    return static_cast<unsigned char>(text[k]);
  };
  const unsigned char lead = byte(i);
  *valid = true;
  if (lead < 0x80) return 1;
  size_t need = 0;
  unsigned char lo = 0x80, hi = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    need = 1;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    need = 2;
    if (lead == 0xE0) lo = 0xA0;
    if (lead == 0xED) hi = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    need = 3;
    if (lead == 0xF0) lo = 0x90;
    if (lead == 0xF4) hi = 0x8F;
  } else {
    *valid = false;
    return 1;
  }
  size_t k = 1;
  for (; k <= need && i + k < text.size(); ++k) {
    const unsigned char c = byte(i + k);
    if (c < lo || c > hi) break;
    lo = 0x80;
    hi = 0xBF;
  }
  *valid = k == need + 1;
  return k;
}

// True for a valid UTF-8 sequence gumbo's input reader replaces by U+FFFD
// (as html.cc GumboKeepsAsIs counts them): C0 controls but tab, LF, FF and
// CR, DEL, C1 controls and noncharacters.
bool GumboReplacesCodePoint(std::string_view sequence) {
  const auto lead = static_cast<unsigned char>(sequence[0]);
  char32_t cp = lead;
  if (sequence.size() > 1) {
    cp = lead & (0xFF >> (sequence.size() + 1));
    for (size_t k = 1; k < sequence.size(); ++k) {
      cp = (cp << 6) | (static_cast<unsigned char>(sequence[k]) & 0x3F);
    }
  }
  if (cp < 0x20) return cp != '\t' && cp != '\n' && cp != '\f' && cp != '\r';
  return (cp >= 0x7F && cp <= 0x9F) || (cp >= 0xFDD0 && cp <= 0xFDEF) ||
         (cp & 0xFFFE) == 0xFFFE;
}

// An attribute name (or any text) as gumbo keeps it: each invalid UTF-8
// subpart becomes
// U+FFFD, so `<img \xcb \xdc src=x>` has a duplicate name to it (and its
// duplicate quirk then applies), while the raw bytes differ (fuzz finding).
std::string GumboAttributeName(std::string_view raw) {
  std::string name;
  name.reserve(raw.size() + 8);
  for (size_t i = 0; i < raw.size();) {
    bool valid = false;
    const size_t length = Utf8SequenceAt(raw, i, &valid);
    if (valid && !GumboReplacesCodePoint(raw.substr(i, length))) {
      name.append(raw.substr(i, length));
    } else {
      name.append("\xEF\xBF\xBD");
    }
    i += length;
  }
  return name;
}

// True when gumbo may read `text` differently from its bytes (see
// GumboAttributeName).
bool NeedsGumboReading(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte >= 0x7F || byte < 0x20;
  });
}

void RecordAttribute(std::string_view name, const RawValue& value, Tag* tag) {
  for (int id = 0; id < kAttributeCount; ++id) {
    if (EqualsIgnoreCase(name, kAttributeNames[id])) {
      tag->attributes[id] = value;
      return;
    }
  }
}

// Reads an attribute value starting at html[i] (just after '=' and
// spaces). Returns the offset after it, or kNpos at end of file.
size_t ReadAttributeValue(std::string_view html, size_t i, RawValue* value) {
  const size_t n = html.size();
  value->has_value = true;
  value->start = value->end = i;
  char quote = html[i];
  if (quote == '"' || quote == '\'') {
    const void* close = std::memchr(html.data() + i + 1, quote, n - i - 1);
    if (close == nullptr) return kNpos;
    value->quoted = true;
    value->start = i + 1;
    value->end =
        static_cast<size_t>(static_cast<const char*>(close) - html.data());
    return value->end + 1;
  }
  if (quote == '>') return i;  // "name=>": an empty value
  while (i < n && !IsHtmlSpace(html[i]) && html[i] != '>') ++i;
  if (i >= n) return kNpos;
  value->end = i;
  return i;
}

// Tokenizes the tag whose name starts at html[pos] (just after "<" or
// "</"). Returns the offset after its '>', or kNpos when the file ends
// inside the tag (the tokenizer then drops the tag).
// Merged attribute names longer than this are not tracked.
constexpr size_t kMaxMergedName = 256;

// The name gumbo gives an attribute: `carried` (a valueless duplicate's
// name, see ReadTag) then `raw` as gumbo reads it; `*name` points into
// `raw` or `*storage`. Returns whether the name is new in this tag.
bool ResolveAttributeName(std::string_view raw, const std::string& carried,
                          SeenNames* seen, std::string* storage,
                          std::string_view* name) {
  *name = raw;
  if (NeedsGumboReading(raw)) {
    *storage = carried + GumboAttributeName(raw);
    *name = *storage;
    return carried.size() + name->size() > kMaxMergedName ||
           seen->InsertOwned(*storage);
  }
  if (carried.empty()) return seen->Insert(raw);
  if (carried.size() + raw.size() > kMaxMergedName) {
    // Only a hostile tag grows names this long; they cannot be one we
    // read, and tracking them would make the tag quadratic.
    return true;
  }
  *storage = carried + AsciiLowercase(raw);
  *name = *storage;
  return seen->InsertOwned(*storage);
}

size_t ReadTag(std::string_view html, size_t pos, Tag* tag, SeenNames* seen) {
  const size_t n = html.size();
  size_t i = pos;
  while (i < n && !EndsTagName(html[i])) AppendNameChar(html[i++], tag);
  seen->Clear();
  // gumbo quirk: a duplicate attribute without a value leaves its name in
  // the tokenizer's buffer, where it prefixes the next attribute's name
  // (`<img a a src=x>` has the attributes "a" and "asrc").
  std::string carried;
  for (;;) {
    // Before attribute name: spaces and lone '/' are skipped.
    while (i < n && (IsHtmlSpace(html[i]) || html[i] == '/')) {
      if (html[i] == '/' && i + 1 < n && html[i + 1] == '>') {
        tag->self_closing = true;
        return i + 2;
      }
      ++i;
    }
    if (i >= n) return kNpos;
    if (html[i] == '>') return i + 1;
    // Attribute name: its first byte may be '='.
    RawValue value;
    value.present = true;
    value.name_start = i++;
    while (i < n && !EndsTagName(html[i]) && html[i] != '=') ++i;
    value.name_end = i;
    while (i < n && IsHtmlSpace(html[i])) ++i;
    if (i >= n) return kNpos;
    if (html[i] == '=') {
      ++i;
      while (i < n && IsHtmlSpace(html[i])) ++i;
      if (i >= n) return kNpos;
      i = ReadAttributeValue(html, i, &value);
      if (i == kNpos) return kNpos;
    }
    std::string merged;
    std::string_view name;
    const bool fresh = ResolveAttributeName(
        html.substr(value.name_start, value.name_end - value.name_start),
        carried, seen, &merged, &name);
    if (!fresh) {
      // Duplicate attributes: the first one wins, as in the HTML tokenizer.
      carried = value.has_value ? std::string() : AsciiLowercase(name);
      continue;
    }
    carried.clear();
    RecordAttribute(name, value, tag);
  }
}

// Offset of the "</name" (followed by space, '/' or '>') that ends a
// raw-text or RCDATA element whose content starts at `from`, or kNpos.
size_t FindEndTag(std::string_view html, size_t from, std::string_view name) {
  const size_t n = html.size();
  size_t i = from;
  while (i < n) {
    const void* hit = std::memchr(html.data() + i, '<', n - i);
    if (hit == nullptr) return kNpos;
    i = static_cast<size_t>(static_cast<const char*>(hit) - html.data());
    size_t after = i + 2 + name.size();
    if (after < n && html[i + 1] == '/' &&
        EqualsIgnoreCase(html.substr(i + 2, name.size()), name) &&
        EndsTagName(html[after])) {
      return i;
    }
    ++i;
  }
  return kNpos;
}

// True when html[at, …) is "script" followed by space, '/' or '>'.
bool IsScriptNameAt(std::string_view html, size_t at) {
  return at + 6 < html.size() &&
         EqualsIgnoreCase(html.substr(at, 6), "script") &&
         EndsTagName(html[at + 6]);
}

// Script data with its escaped and double-escaped states: returns the
// offset of the "</script" that ends the element, or kNpos.
size_t FindScriptEnd(std::string_view html, size_t from) {
  enum class State { kData, kEscaped, kDoubleEscaped };
  const size_t n = html.size();
  State state = State::kData;
  int dashes = 0;  // consecutive '-' just read inside an escape
  size_t i = from;
  while (i < n) {
    char c = html[i];
    if (state == State::kData) {
      const void* hit = std::memchr(html.data() + i, '<', n - i);
      if (hit == nullptr) return kNpos;
      i = static_cast<size_t>(static_cast<const char*>(hit) - html.data());
      if (i + 1 < n && html[i + 1] == '/' && IsScriptNameAt(html, i + 2)) {
        return i;
      }
      if (html.substr(i, 4) == "<!--") {
        state = State::kEscaped;
        dashes = 2;
        i += 4;
        continue;
      }
      ++i;
      continue;
    }
    if (c == '-') {
      ++dashes;
      ++i;
      continue;
    }
    if (c == '>' && dashes >= 2) {
      state = State::kData;
      dashes = 0;
      ++i;
      continue;
    }
    dashes = 0;
    if (c != '<') {
      ++i;
      continue;
    }
    if (state == State::kEscaped) {
      if (i + 1 < n && html[i + 1] == '/' && IsScriptNameAt(html, i + 2)) {
        return i;
      }
      if (IsScriptNameAt(html, i + 1)) {
        state = State::kDoubleEscaped;
        i += 7;
        continue;
      }
    } else if (i + 1 < n && html[i + 1] == '/' && IsScriptNameAt(html, i + 2)) {
      state = State::kEscaped;
      i += 8;
      continue;
    }
    ++i;
  }
  return kNpos;
}

// Offset after the comment that starts with "<!--" at `lt`.
size_t SkipComment(std::string_view html, size_t lt) {
  size_t i = lt + 4;
  // "<!-->" and "<!--->" are (abruptly closed) empty comments.
  if (html.substr(i, 1) == ">") return i + 1;
  if (html.substr(i, 2) == "->") return i + 2;
  for (;;) {
    size_t dashes = html.find("--", i);
    if (dashes == kNpos) return html.size();
    size_t j = dashes + 2;
    while (j < html.size() && html[j] == '-') ++j;
    if (j < html.size() && html[j] == '>') return j + 1;
    if (html.substr(j, 2) == "!>") return j + 2;
    i = j;
  }
}

// Offset after the '>' closing a bogus comment or DOCTYPE.
size_t SkipToGreaterThan(std::string_view html, size_t from) {
  size_t gt = html.find('>', from);
  return gt == kNpos ? html.size() : gt + 1;
}

// How the tokenizer reads an element's content, chosen by the tree
// builder from the start tag (outside foreign content).
enum class ContentModel { kTags, kRawText, kScriptData, kPlainText };

ContentModel ContentModelOf(std::string_view name) {
  static constexpr std::string_view kRawText[] = {
      "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes"};
  for (std::string_view raw : kRawText) {
    if (name == raw) return ContentModel::kRawText;
  }
  if (name == "script") return ContentModel::kScriptData;
  if (name == "plaintext") return ContentModel::kPlainText;
  return ContentModel::kTags;
}

// gumbo's attribute value (html.h DecodeAttributeText), trimmed like
// html.cc's TrimmedValue.
std::string DecodedValue(std::string_view raw) {
  std::string value = DecodeAttributeText(raw);
  size_t first = 0;
  while (first < value.size() && IsHtmlSpace(value[first])) ++first;
  size_t last = value.size();
  while (last > first && IsHtmlSpace(value[last - 1])) --last;
  return value.substr(first, last - first);
}

// gumbo quirk: when an unquoted attribute value starts with a character
// reference that decodes, gumbo's original_value starts after it. Returns
// that reference's length (0 if none); only called for values starting
// with '&', which are rare, so it asks the decoder instead of repeating
// the named-reference table.
size_t LeadingReferenceLength(std::string_view raw) {
  constexpr size_t kLongestReference = 40;
  // Only '&' then '#' or an ASCII letter or digit can start a reference
  // (HTML "character reference state"); anything else, such as an invalid
  // UTF-8 byte that decodes to U+FFFD, is no reference (fuzz finding:
  // `<img src=&\xff>`).
  const auto second = raw.size() > 1 ? static_cast<unsigned char>(raw[1]) : 0;
  if (second != '#' && !std::isalnum(second)) return 0;
  std::string whole = DecodeCharacterReferences(raw);
  size_t limit = std::min(raw.size(), kLongestReference);
  for (size_t length = 2; length <= limit; ++length) {
    std::string_view head = raw.substr(0, length);
    if (head.find('&', 1) != kNpos) return 0;
    std::string decoded = DecodeCharacterReferences(head);
    if (decoded == head) continue;
    // gumbo also rewrites text that holds no reference (invalid UTF-8 and
    // some control characters become U+FFFD): compare with the head whose
    // '&' is surely literal (fuzz findings `&\xff`, `&t\xff`, `&t\x1a`).
    if (decoded ==
        DecodeCharacterReferences("&amp;" + std::string(head.substr(1)))) {
      continue;
    }
    if (decoded + DecodeCharacterReferences(raw.substr(length)) == whole) {
      return length;
    }
  }
  return 0;
}

// Open foreign elements tracked at most.
constexpr size_t kMaxForeignDepth = 512;

// Start tags that end foreign content (HTML "in foreign content"; <font>
// with color/face/size is not checked).
bool BreaksOutOfForeignContent(std::string_view name) {
  static constexpr std::string_view kBreakout[] = {
      "b",      "big",    "blockquote", "body",    "br",    "center", "code",
      "dd",     "div",    "dl",         "dt",      "em",    "embed",  "h1",
      "h2",     "h3",     "h4",         "h5",      "h6",    "head",   "hr",
      "i",      "img",    "li",         "listing", "menu",  "meta",   "nobr",
      "ol",     "p",      "pre",        "ruby",    "s",     "small",  "span",
      "strong", "strike", "sub",        "sup",     "table", "tt",     "u",
      "ul",     "var"};
  for (std::string_view breakout : kBreakout) {
    if (name == breakout) return true;
  }
  return false;
}

// The candidate reporting of HtmlWalker (html.cc), on raw tokens; links
// to other pages (<a href>, <link rel=canonical>, a meta refresh) only
// `with_links`. With `signals`, also hands it the text and tags it passes
// over (capture quality, page_signals.h).
class RequisiteScanner {
 public:
  RequisiteScanner(Collector* out, bool with_links,
                   PageSignalCounter* signals = nullptr)
      : out_(out),
        html_(out->content()),
        with_links_(with_links),
        signals_(signals) {}

  void Run(size_t begin) {
    const size_t n = html_.size();
    size_t i = begin;
    while (i < n) {
      const void* hit = std::memchr(html_.data() + i, '<', n - i);
      if (hit == nullptr) {
        if (signals_) signals_->Text(html_.substr(i));
        return;
      }
      size_t lt =
          static_cast<size_t>(static_cast<const char*>(hit) - html_.data());
      if (signals_ && lt > i) signals_->Text(html_.substr(i, lt - i));
      if (lt + 1 >= n) return;
      char next = html_[lt + 1];
      if (IsAsciiAlpha(next)) {
        i = StartTag(lt);
      } else if (next == '/') {
        i = EndTag(lt);
      } else if (next == '!') {
        i = MarkupDeclaration(lt);
      } else if (next == '?') {
        i = SkipToGreaterThan(html_, lt + 2);
      } else {
        i = lt + 1;
      }
    }
  }

  const std::string& base_href() const { return base_href_; }

 private:
  // Returns where scanning resumes: after the tag and, for raw-text
  // elements, at their end tag.
  size_t StartTag(size_t lt) {
    Tag tag;
    size_t after = ReadTag(html_, lt + 1, &tag, &seen_names_);
    if (after == kNpos) return html_.size();
    if (!foreign_.empty() && !foreign_.back().integration_point) {
      if (!BreaksOutOfForeignContent(tag.Name())) {
        return ForeignStartTag(tag, after);
      }
      while (!foreign_.empty() && !foreign_.back().integration_point) {
        foreign_.pop_back();
      }
    }
    return HtmlStartTag(tag, after);
  }

  // "<!--", "<![CDATA[" in foreign content, else a bogus comment.
  size_t MarkupDeclaration(size_t lt) {
    if (html_.substr(lt, 4) == "<!--") return SkipComment(html_, lt);
    if (!foreign_.empty() && html_.substr(lt, 9) == "<![CDATA[") {
      size_t close = html_.find("]]>", lt + 9);
      return close == kNpos ? html_.size() : close + 3;
    }
    return SkipToGreaterThan(html_, lt + 2);
  }

  // A start tag inside <svg>/<math>: a foreign element, never raw text.
  size_t ForeignStartTag(const Tag& tag, size_t after) {
    Visit(tag, /*foreign=*/true);
    // Deeper nesting is hostile (html.cc cuts it into chunks anyway); the
    // cap keeps end-tag lookups bounded.
    if (!tag.self_closing && foreign_.size() < kMaxForeignDepth) {
      std::string_view name = tag.Name();
      bool integration_point =
          foreign_.back().svg
              ? (name == "foreignobject" || name == "desc" || name == "title")
              : (name == "mi" || name == "mo" || name == "mn" || name == "ms" ||
                 name == "mtext");
      foreign_.push_back(
          {std::string(name), foreign_.back().svg, integration_point});
    }
    if (tag.Is("style")) {
      // gumbo reads the style's text children; the first one runs to the
      // next token that is not ignored (a CDATA section is no text).
      size_t end = TextRunEnd(after);
      if (end > after) ExtractCssUrls(after, end, /*in_attribute=*/false, out_);
    }
    return after;
  }

  bool ClosesForeignElement(std::string_view name) const {
    for (const ForeignElement& element : foreign_) {
      if (element.name == name) return true;
    }
    return false;
  }

  // Where the character run starting at `from` in foreign content ends:
  // at the next tag, comment or markup declaration. "</>", a '<' before
  // anything else and end tags that close nothing do not end it.
  size_t TextRunEnd(size_t from) {
    const size_t n = html_.size();
    size_t i = html_.find('<', from);
    while (i != kNpos) {
      if (i + 1 >= n) return n;
      char next = html_[i + 1];
      if (IsAsciiAlpha(next) || next == '!' || next == '?') return i;
      if (next != '/') {
        i = html_.find('<', i + 1);
        continue;
      }
      if (i + 2 >= n) return n;
      if (html_[i + 2] == '>') {
        i = html_.find('<', i + 3);
        continue;
      }
      if (!IsAsciiAlpha(html_[i + 2])) return i;
      Tag end_tag;
      size_t after = ReadTag(html_, i + 2, &end_tag, &seen_names_);
      if (after == kNpos || ClosesForeignElement(end_tag.Name())) return i;
      i = html_.find('<', after);
    }
    return n;
  }

  size_t HtmlStartTag(const Tag& tag, size_t after) {
    if (!TreeBuilderKeeps(tag)) return after;
    Visit(tag, /*foreign=*/false);
    if (signals_) NoteStartTag(tag);
    if ((tag.Is("svg") || tag.Is("math")) && !tag.self_closing) {
      foreign_.push_back({std::string(tag.Name()), tag.Is("svg"), false});
      return after;
    }
    switch (ContentModelOf(tag.Name())) {
      case ContentModel::kTags:
        return after;
      case ContentModel::kPlainText:
        return html_.size();
      case ContentModel::kScriptData: {
        size_t end = FindScriptEnd(html_, after);
        if (end == kNpos) end = html_.size();
        if (signals_) signals_->RawContent("script", Between(after, end));
        return end;
      }
      case ContentModel::kRawText:
        break;
    }
    size_t end = FindEndTag(html_, after, tag.Name());
    if (end == kNpos) end = html_.size();
    if (signals_) signals_->RawContent(tag.Name(), Between(after, end));
    if (tag.Is("style") && end > after) {
      ExtractCssUrls(after, end, /*in_attribute=*/false, out_);
    }
    return end;
  }

  size_t EndTag(size_t lt) {
    size_t name = lt + 2;
    if (name >= html_.size()) return html_.size();
    if (html_[name] == '>') return name + 1;
    if (!IsAsciiAlpha(html_[name])) return SkipToGreaterThan(html_, name);
    Tag tag;
    size_t after = ReadTag(html_, name, &tag, &seen_names_);
    if (after == kNpos) return html_.size();
    if (signals_) signals_->EndTag(tag.Name());
    if (!foreign_.empty()) {
      // Closes the innermost open foreign element of that name.
      for (size_t depth = foreign_.size(); depth > 0; --depth) {
        if (foreign_[depth - 1].name == tag.Name()) {
          foreign_.resize(depth - 1);
          return after;
        }
      }
      return after;
    }
    if (tag.Is("select") ||
        (in_select_ && select_in_table_ && IsTableStructure(tag.Name()))) {
      in_select_ = false;
    }
    if (tag.Is("table") && !in_select_ && open_tables_ > 0) --open_tables_;
    if (tag.Is("template") && !select_outside_template_.empty()) {
      in_select_ = select_outside_template_.back();
      select_outside_template_.pop_back();
    }
    return after;
  }

  std::string_view Between(size_t begin, size_t end) const {
    return html_.substr(begin, end > begin ? end - begin : 0);
  }

  void NoteStartTag(const Tag& tag) {
    const RawValue& id = tag.attributes[kId];
    size_t start;
    size_t end;
    signals_->StartTag(
        tag.Name(), id.present ? Between(id.start, id.end) : std::string_view(),
        tag.self_closing, ValueSpan(tag, kSrc, &start, &end));
  }

  static bool IsTableStructure(std::string_view name) {
    return name == "caption" || name == "table" || name == "tbody" ||
           name == "tfoot" || name == "thead" || name == "tr" || name == "td" ||
           name == "th";
  }

  // The "in select" insertion mode ignores most start tags (and so never
  // switches to raw text for them); select, input, keygen and textarea
  // close the select, and so do table tags when a table was open around
  // it ("in select in table"; open tables are counted, not matched).
  bool TreeBuilderKeeps(const Tag& tag) {
    std::string_view name = tag.Name();
    if (name == "template") {
      // Template contents have their own insertion mode, even in a select.
      select_outside_template_.push_back(in_select_);
      in_select_ = false;
      return true;
    }
    // Inside a template, <html> and <body> are ignored, not merged.
    if (!select_outside_template_.empty() &&
        (name == "html" || name == "body")) {
      return false;
    }
    if (!in_select_) {
      if (name == "table") ++open_tables_;
      if (name == "select") {
        in_select_ = true;
        select_in_table_ = open_tables_ > 0;
      }
      return true;
    }
    if (select_in_table_ && IsTableStructure(name)) {
      // "in select in table": the table tag closes the select.
      in_select_ = false;
      if (name == "table") ++open_tables_;
      return true;
    }
    if (name == "select") {
      in_select_ = false;
      return false;
    }
    if (name == "input" || name == "keygen" || name == "textarea") {
      in_select_ = false;
      return true;
    }
    return name == "option" || name == "optgroup" || name == "script" ||
           name == "template" || name == "html";
  }

  // html.cc RawValueSpan on gumbo's original_value: the value without
  // surrounding spaces; false when absent or blank.
  bool ValueSpan(const Tag& tag, AttributeId id, size_t* start,
                 size_t* end) const {
    const RawValue& value = tag.attributes[id];
    if (!value.present) return false;
    size_t first = value.start;
    size_t last = value.end;
    if (IsEmptyUnquoted(value)) {
      // gumbo quirk: the original_value of `srcset`, `srcset=` or
      // `srcset= >` is the attribute name.
      first = value.name_start;
      last = value.name_end;
    } else if (!value.quoted && html_[first] == '&') {
      first += LeadingReferenceLength(html_.substr(first, last - first));
      // html.cc then strips what looks like quotes around that remainder.
      char quote = first < last ? html_[first] : '\0';
      if (quote == '"' || quote == '\'') {
        ++first;
        if (last > first && html_[last - 1] == quote) --last;
      }
    }
    while (first < last && IsHtmlSpace(html_[first])) ++first;
    while (last > first && IsHtmlSpace(html_[last - 1])) --last;
    *start = first;
    *end = last;
    return first < last;
  }

  static bool IsEmptyUnquoted(const RawValue& value) {
    return !value.quoted && value.start == value.end;
  }

  // gumbo's decoded attribute value.
  std::string Value(const Tag& tag, AttributeId id) const {
    const RawValue& value = tag.attributes[id];
    if (!value.present || IsEmptyUnquoted(value)) return std::string();
    return DecodedValue(html_.substr(value.start, value.end - value.start));
  }

  void AddAttribute(const Tag& tag, AttributeId id, LinkKind kind) {
    size_t start;
    size_t end;
    if (!ValueSpan(tag, id, &start, &end)) return;
    out_->AddCandidate(kind, Origin::kHtml, start, end, Value(tag, id));
  }

  void AddSrcset(const Tag& tag, AttributeId id) {
    size_t start;
    size_t end;
    if (ValueSpan(tag, id, &start, &end)) ExtractSrcsetUrls(start, end, out_);
  }

  // <link rel=stylesheet|icon|preload|…> loads part of the page.
  static bool IsRequisiteRel(std::string_view rel) {
    std::string value = AsciiLowercase(rel);
    for (std::string_view word : {"stylesheet", "icon", "preload", "prefetch",
                                  "modulepreload", "manifest"}) {
      if (value.find(word) != std::string::npos) return true;
    }
    return false;
  }

  void RecordBase(const Tag& tag) {
    if (base_seen_ || !tag.attributes[kHref].present) return;
    base_seen_ = true;
    base_href_ = Value(tag, kHref);
  }

  // `foreign`: inside <svg>/<math>, where <image> stays an image.
  void Visit(const Tag& tag, bool foreign) {
    std::string_view name = tag.Name();
    if (name == "img" || (name == "image" && !foreign)) {
      AddAttribute(tag, kSrc, LinkKind::kImage);
      AddAttribute(tag, kDataSrc, LinkKind::kImage);
      AddSrcset(tag, kSrcset);
      AddSrcset(tag, kDataSrcset);
    } else if (name == "source") {
      AddSrcset(tag, kSrcset);
      AddAttribute(tag, kSrc, LinkKind::kEmbed);
    } else if (name == "iframe" || name == "embed" || name == "audio" ||
               name == "script") {
      AddAttribute(tag, kSrc, LinkKind::kEmbed);
    } else if (name == "video") {
      AddAttribute(tag, kSrc, LinkKind::kEmbed);
      AddAttribute(tag, kPoster, LinkKind::kImage);
    } else if (name == "link") {
      if (tag.attributes[kRel].present && IsRequisiteRel(Value(tag, kRel))) {
        AddAttribute(tag, kHref, LinkKind::kRequisite);
      } else if (with_links_) {
        AddAttribute(tag, kHref, LinkKind::kLink);
      }
    } else if (name == "base") {
      RecordBase(tag);
    } else if (with_links_) {
      VisitLinkElement(tag);
    }
    size_t start;
    size_t end;
    if ((foreign || !StyleMergedAway(tag)) &&
        ValueSpan(tag, kStyle, &start, &end)) {
      ExtractCssUrls(start, end, /*in_attribute=*/true, out_);
    }
  }

  // html.cc's <a>/<area> href and <meta http-equiv=refresh>.
  void VisitLinkElement(const Tag& tag) {
    std::string_view name = tag.Name();
    if (name == "a" || name == "area") {
      AddAttribute(tag, kHref, LinkKind::kLink);
      return;
    }
    size_t start;
    size_t end;
    if (name == "meta" && tag.attributes[kHttpEquiv].present &&
        EqualsIgnoreCase(Value(tag, kHttpEquiv), "refresh") &&
        ValueSpan(tag, kContent, &start, &end)) {
      ExtractRefreshUrl(start, end, out_);
    }
  }

  // A second <html> or <body> start tag only adds the attributes the
  // element does not have yet (tree builder), so its style="" counts only
  // if no earlier one set it.
  bool StyleMergedAway(const Tag& tag) {
    if (!tag.attributes[kStyle].present) return false;
    bool* taken = tag.Is("html")   ? &html_style_taken_
                  : tag.Is("body") ? &body_style_taken_
                                   : nullptr;
    if (taken == nullptr) return false;
    bool merged_away = *taken;
    *taken = true;
    return merged_away;
  }

  Collector* out_;
  std::string_view html_;
  const bool with_links_;
  PageSignalCounter* signals_;  // null: requisites only
  SeenNames seen_names_;
  // Open <svg>/<math> elements and their foreign descendants.
  struct ForeignElement {
    std::string name;
    bool svg;
    bool integration_point;  // its start-tag children are HTML
  };
  std::vector<ForeignElement> foreign_;
  bool in_select_ = false;
  bool select_in_table_ = false;
  // <table> start tags minus end tags: whether a select is "in table".
  size_t open_tables_ = 0;
  // One entry per open <template>: whether a select was open around it.
  std::vector<bool> select_outside_template_;
  bool base_seen_ = false;
  std::string base_href_;
  bool html_style_taken_ = false;
  bool body_style_taken_ = false;
};

// extractor.cc EffectiveBase.
std::string EffectiveBase(std::string_view configured,
                          const std::string& base_href) {
  if (base_href.empty()) return std::string(configured);
  std::string scheme = UrlScheme(base_href);
  if (scheme == "http" || scheme == "https") return base_href;
  if (configured.empty()) return std::string(configured);
  return ResolveUrl(configured, base_href).value_or(std::string(configured));
}

bool IsHttp(std::string_view url) {
  std::string scheme = UrlScheme(url);
  return scheme == "http" || scheme == "https";
}

// extractor.cc Classify for an HTML candidate: the URL it is kept as, or
// nullopt when ExtractLinks skips it.
std::optional<std::string> Classify(std::string_view target,
                                    const std::string& base) {
  if (target.empty() || target.find("{{") != kNpos ||
      target.find("{%") != kNpos) {
    return std::nullopt;
  }
  std::string url;
  if (target.substr(0, 2) == "//") {
    url = "https:" + std::string(target);
  } else if (IsHttp(target)) {
    url = std::string(target);
  } else if (!UrlScheme(target).empty() || target.front() == '#' ||
             base.empty()) {
    return std::nullopt;
  } else {
    std::optional<std::string> resolved = ResolveUrl(base, target);
    if (!resolved || !IsHttp(*resolved)) return std::nullopt;
    url = std::move(*resolved);
  }
  if (!NormalizeUrl(url)) return std::nullopt;
  return url;
}

// True when `html` holds a tag start ("<" + name, in any case) the scanner
// may see differently from gumbo: <svg>, <math>, <frameset>, or <select>
// with <table>. One pass: pages are read once more here, not five times.
bool HoldsUnmodeledTag(std::string_view html) {
  const size_t n = html.size();
  bool select = false;
  bool table = false;
  for (size_t i = 0; i < n;) {
    const void* hit = std::memchr(html.data() + i, '<', n - i);
    if (hit == nullptr) break;
    i = static_cast<size_t>(static_cast<const char*>(hit) - html.data()) + 1;
    std::string_view rest = html.substr(i, 8);
    auto starts = [rest](std::string_view lower) {
      return EqualsIgnoreCase(rest.substr(0, lower.size()), lower);
    };
    if (starts("svg") || starts("math") || starts("frameset")) return true;
    select = select || starts("select");
    table = table || starts("table");
    if (select && table) return true;
  }
  return false;
}

// Where the scanner's candidates may differ from ExtractLinks' (see the
// list at the top, with a <select> in a <table> for "in select in table";
// the fuzzer finding on invalid UTF-8 in srcset; and what only
// ExtractLinks handles: markers, front matter, binary files).
// Returns where the HTML starts, or kNpos.
size_t ScannableStart(std::string_view html) {
  if (std::memchr(html.data(), '\0',
                  std::min(html.size(), kBinarySniffLength)) != nullptr ||
      InvalidUtf8Offset(html) != kNpos ||
      html.find("rotguard-ignore") != kNpos || HoldsUnmodeledTag(html) ||
      NestsTooDeepForOneParse(html)) {
    return kNpos;
  }
  size_t begin = html.substr(0, kBom.size()) == kBom ? kBom.size() : 0;
  Collector front_matter_links(html);
  FrontMatter front_matter;
  size_t body = ExtractFrontMatter(begin, &front_matter_links, &front_matter);
  if (body != begin || !front_matter_links.candidates().empty() ||
      !front_matter_links.warnings().empty()) {
    return kNpos;
  }
  return begin;
}

// True when the scanner reports for `html` exactly what ExtractHtml's
// gumbo parse of it does: ScannableStart's conditions but front matter,
// which only ExtractLinks reads (before it calls ExtractHtml), and a BOM.
bool FragmentIsScannable(std::string_view html) {
  return std::memchr(html.data(), '\0', html.size()) == nullptr &&
         html.substr(0, kBom.size()) != kBom &&
         InvalidUtf8Offset(html) == kNpos &&
         html.find("rotguard-ignore") == kNpos && !HoldsUnmodeledTag(html) &&
         !NestsTooDeepForOneParse(html);
}

}  // namespace

bool ScanHtmlFragment(size_t begin, size_t end, Collector* out,
                      std::string* base_href) {
  std::string_view html = out->content().substr(begin, end - begin);
  if (!FragmentIsScannable(html)) return false;
  // The scanner reads its collector's whole content, so it gets the piece
  // as its own content; its spans are then moved to the file's offsets.
  Collector piece(html);
  RequisiteScanner scanner(&piece, /*with_links=*/true);
  scanner.Run(0);
  for (Candidate& candidate : piece.candidates()) {
    out->AddCandidate(candidate.kind, candidate.origin, begin + candidate.start,
                      begin + candidate.end, std::move(candidate.target));
  }
  for (OffsetWarning& warning : piece.warnings()) {
    out->Warn(begin + warning.offset, std::move(warning.message));
  }
  if (base_href != nullptr) *base_href = scanner.base_href();
  return true;
}

std::optional<ExtractedDocument> ScanPageLinks(std::string_view html,
                                               std::string_view page_url) {
  size_t begin = ScannableStart(html);
  if (begin == kNpos) return std::nullopt;
  Collector collector(html);
  RequisiteScanner scanner(&collector, /*with_links=*/true);
  scanner.Run(begin);
  ExtractedDocument doc;
  FinalizeCandidates(&collector, EffectiveBase(page_url, scanner.base_href()),
                     /*keep_other_schemes=*/true, &doc);
  return doc;
}

namespace {

// ExtractPageRequisites, with the quality signals counted on the way when
// `signals` is given.
std::vector<std::string> ScanRequisites(std::string_view html,
                                        std::string_view page_url,
                                        PageSignalCounter* signals) {
  std::vector<std::string> urls;
  if (std::memchr(html.data(), '\0',
                  std::min(html.size(), kBinarySniffLength)) != nullptr) {
    return urls;
  }
  size_t begin = html.substr(0, kBom.size()) == kBom ? kBom.size() : 0;
  {
    // Front matter is not HTML; its own candidates are never requisites.
    Collector front_matter_links(html);
    FrontMatter front_matter;
    begin = ExtractFrontMatter(begin, &front_matter_links, &front_matter);
  }
  Collector collector(html);
  RequisiteScanner scanner(&collector, /*with_links=*/false, signals);
  scanner.Run(begin);
  std::vector<Candidate>& candidates = collector.candidates();
  // ExtractLinks keeps one candidate per span, in span order.
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const Candidate& a, const Candidate& b) {
                     if (a.start != b.start) return a.start < b.start;
                     return a.end < b.end;
                   });
  std::string base = EffectiveBase(page_url, scanner.base_href());
  urls.reserve(candidates.size());
  for (size_t i = 0; i < candidates.size(); ++i) {
    const Candidate& candidate = candidates[i];
    if (i > 0 && candidates[i - 1].start == candidate.start &&
        candidates[i - 1].end == candidate.end) {
      continue;
    }
    if (candidate.kind == LinkKind::kLink) continue;
    std::optional<std::string> url = Classify(candidate.target, base);
    if (url) urls.push_back(std::move(*url));
  }
  return urls;
}

}  // namespace

std::vector<std::string> ExtractPageRequisites(std::string_view html,
                                               std::string_view page_url) {
  return ScanRequisites(html, page_url, nullptr);
}

ScannedPage ScanPage(std::string_view html, std::string_view page_url) {
  PageSignalCounter counter;
  ScannedPage page;
  page.requisites = ScanRequisites(html, page_url, &counter);
  page.signals = counter.Finish(html);
  return page;
}

}  // namespace rotguard::extract
