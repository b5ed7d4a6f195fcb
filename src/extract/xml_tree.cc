
// ParseXmlTree(): expat events → an element tree with byte ranges.
// Hostile XML is stopped by limits, not by luck: entity declarations end
// the parse (feeds, sitemaps and WXR never need one, and that alone rules
// out billion-laughs expansion); parameter entities and external entities
// are never read; depth and element count are capped; expat's own
// amplification guard (2.4.0+, Debian 12 has 2.5.0) is set as well.
#include "extract/xml_tree.h"

// Debian builds libexpat with DTD support; the header declares the
// billion-laughs settings only when the user says so.
#ifndef XML_DTD
#define XML_DTD
#endif
#include <expat.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "extract/collector.h"
#include "util/utf8.h"

namespace rotguard::extract {
namespace {

// expat's parser handle. Not in util/handles.h: util does not link expat.
struct FreeParser {
  void operator()(XML_ParserStruct* parser) const { XML_ParserFree(parser); }
};
using ParserPtr = std::unique_ptr<XML_ParserStruct, FreeParser>;

// Separates namespace URI and local name in expat's names.
constexpr char kNsSeparator = '\x01';

void SplitName(const XML_Char* name, std::string* ns, std::string* local) {
  const char* sep = std::strchr(name, kNsSeparator);
  if (sep == nullptr) {
    ns->clear();
    local->assign(name);
    return;
  }
  ns->assign(name, static_cast<size_t>(sep - name));
  local->assign(sep + 1);
}

struct TreeBuilder {
  XML_Parser parser = nullptr;
  const InputLimits* limits = nullptr;
  XmlTree tree;
  std::vector<uint32_t> open;  // stack of open elements
  std::string stop_reason;     // set when a limit stopped the parse

  void Stop(std::string reason) {
    if (stop_reason.empty()) stop_reason = std::move(reason);
    XML_StopParser(parser, XML_FALSE);
  }

  void Start(const XML_Char* name, const XML_Char** attributes) {
    if (open.size() >= static_cast<size_t>(limits->max_depth)) {
      return Stop("elements nested deeper than " +
                  std::to_string(limits->max_depth));
    }
    if (tree.elements.size() >= limits->max_elements) {
      return Stop("more than " + std::to_string(limits->max_elements) +
                  " elements");
    }
    XmlElement element;
    SplitName(name, &element.ns, &element.local);
    for (size_t i = 0; attributes[i] != nullptr; i += 2) {
      std::string ns, local;
      SplitName(attributes[i], &ns, &local);
      element.attributes.emplace_back(ns.empty() ? local : ns + ' ' + local,
                                      attributes[i + 1]);
    }
    auto index = static_cast<uint32_t>(tree.elements.size());
    element.parent = open.empty() ? index : open.back();
    element.tag_begin = static_cast<size_t>(XML_GetCurrentByteIndex(parser));
    element.content_begin =
        element.tag_begin +
        static_cast<size_t>(XML_GetCurrentByteCount(parser));
    element.content_end = element.content_begin;
    if (!open.empty()) tree.elements[open.back()].children.push_back(index);
    tree.elements.push_back(std::move(element));
    open.push_back(index);
  }

  void End() {
    if (open.empty()) return;
    XmlElement& element = tree.elements[open.back()];
    // An empty-element tag (<a/>) ends with a zero-length event.
    if (XML_GetCurrentByteCount(parser) > 0) {
      element.content_end =
          static_cast<size_t>(XML_GetCurrentByteIndex(parser));
    }
    open.pop_back();
  }

  void Text(const XML_Char* text, int length) {
    if (open.empty()) return;
    XmlElement& element = tree.elements[open.back()];
    size_t room = kMaxText - std::min(kMaxText, element.text.size());
    size_t n = static_cast<size_t>(length);
    if (n > room) {
      element.text_truncated = true;
      n = room;
    }
    element.text.append(text, n);
  }
};

TreeBuilder* BuilderOf(void* user_data) {
  return static_cast<TreeBuilder*>(user_data);
}

void OnStart(void* user_data, const XML_Char* name, const XML_Char** atts) {
  BuilderOf(user_data)->Start(name, atts);
}
void OnEnd(void* user_data, const XML_Char*) { BuilderOf(user_data)->End(); }
void OnText(void* user_data, const XML_Char* text, int length) {
  BuilderOf(user_data)->Text(text, length);
}
void OnEntityDecl(void* user_data, const XML_Char*, int, const XML_Char*, int,
                  const XML_Char*, const XML_Char*, const XML_Char*,
                  const XML_Char*) {
  BuilderOf(user_data)->Stop("entity declarations are not read");
}

ParserPtr NewParser(TreeBuilder* builder) {
  ParserPtr parser(XML_ParserCreateNS(nullptr, kNsSeparator));
  if (!parser) return parser;
  XML_SetUserData(parser.get(), builder);
  XML_SetElementHandler(parser.get(), OnStart, OnEnd);
  XML_SetCharacterDataHandler(parser.get(), OnText);
  XML_SetEntityDeclHandler(parser.get(), OnEntityDecl);
  XML_SetParamEntityParsing(parser.get(), XML_PARAM_ENTITY_PARSING_NEVER);
#if XML_MAJOR_VERSION > 2 || (XML_MAJOR_VERSION == 2 && XML_MINOR_VERSION >= 4)
  XML_SetBillionLaughsAttackProtectionMaximumAmplification(parser.get(), 20.0f);
  XML_SetBillionLaughsAttackProtectionActivationThreshold(parser.get(),
                                                          1 << 20);
#endif
  return parser;
}

// "line L, column C: message" as an ExtractWarning at expat's position.
ExtractWarning WarningAt(XML_Parser parser, std::string message) {
  return {static_cast<int>(XML_GetCurrentLineNumber(parser)),
          static_cast<int>(XML_GetCurrentColumnNumber(parser)) + 1,
          std::move(message)};
}

}  // namespace

std::string XmlElement::Attribute(std::string_view name) const {
  for (const auto& [key, value] : attributes) {
    if (key == name) return value;
  }
  return "";
}

std::vector<uint32_t> XmlTree::Children(uint32_t parent, std::string_view ns,
                                        std::string_view local) const {
  std::vector<uint32_t> out;
  for (uint32_t child : elements[parent].children) {
    if (elements[child].Is(ns, local)) out.push_back(child);
  }
  return out;
}

int64_t XmlTree::Child(uint32_t parent, std::string_view ns,
                       std::string_view local) const {
  for (uint32_t child : elements[parent].children) {
    if (elements[child].Is(ns, local)) return child;
  }
  return -1;
}

std::string XmlTree::ChildText(uint32_t parent, std::string_view ns,
                               std::string_view local) const {
  int64_t child = Child(parent, ns, local);
  if (child < 0) return "";
  const std::string& text = elements[static_cast<size_t>(child)].text;
  size_t begin = 0, end = text.size();
  while (begin < end && IsHtmlSpace(text[begin])) ++begin;
  while (end > begin && IsHtmlSpace(text[end - 1])) --end;
  return text.substr(begin, end - begin);
}

XmlTree ParseXmlTree(std::string_view content, const InputLimits& limits) {
  TreeBuilder builder;
  builder.limits = &limits;
  if (content.size() > limits.max_bytes || content.size() > INT_MAX) {
    builder.tree.warnings.push_back({1, 1,
                                     "larger than " +
                                         std::to_string(limits.max_bytes) +
                                         " bytes; not read"});
    return std::move(builder.tree);
  }
  ParserPtr parser = NewParser(&builder);
  if (!parser) {
    builder.tree.warnings.push_back({1, 1, "out of memory"});
    return std::move(builder.tree);
  }
  builder.parser = parser.get();
  builder.tree.elements.reserve(content.size() / 64 + 1);
  XML_Status status = XML_Parse(parser.get(), content.data(),
                                static_cast<int>(content.size()), XML_TRUE);
  if (status != XML_STATUS_OK) {
    std::string message =
        !builder.stop_reason.empty()
            ? builder.stop_reason
            : std::string("not well-formed XML: ") +
                  XML_ErrorString(XML_GetErrorCode(parser.get()));
    builder.tree.warnings.push_back(
        WarningAt(parser.get(), message + "; entries after it are not read"));
  }
  // Elements left open by an error are cut off: an entry is read whole
  // or not at all (the root stays, holding the entries before the error).
  for (uint32_t index : builder.open) {
    XmlElement& element = builder.tree.elements[index];
    if (element.parent == index) continue;
    std::vector<uint32_t>& siblings =
        builder.tree.elements[element.parent].children;
    siblings.erase(std::remove(siblings.begin(), siblings.end(), index),
                   siblings.end());
  }
  return std::move(builder.tree);
}

namespace {

bool IsNameChar(char c) {
  return c != '=' && c != '>' && c != '/' && !IsHtmlSpace(c) && c != '"' &&
         c != '\'';
}

}  // namespace

std::pair<size_t, size_t> AttributeValueSpan(std::string_view content,
                                             size_t tag_begin,
                                             std::string_view name) {
  constexpr size_t npos = std::string_view::npos;
  size_t i = tag_begin + 1;
  while (i < content.size() && IsNameChar(content[i])) ++i;  // element name
  while (i < content.size() && content[i] != '>') {
    while (i < content.size() && (IsHtmlSpace(content[i]) || content[i] == '/'))
      ++i;
    size_t name_begin = i;
    while (i < content.size() && IsNameChar(content[i])) ++i;
    std::string_view attr = content.substr(name_begin, i - name_begin);
    while (i < content.size() && IsHtmlSpace(content[i])) ++i;
    if (i >= content.size() || content[i] != '=') {
      if (attr.empty()) break;  // a stray byte: give up, no span
      continue;
    }
    ++i;
    while (i < content.size() && IsHtmlSpace(content[i])) ++i;
    if (i >= content.size() || (content[i] != '"' && content[i] != '\'')) break;
    char quote = content[i];
    size_t value_begin = ++i;
    size_t value_end = content.find(quote, value_begin);
    if (value_end == npos) break;
    if (attr == name) return {value_begin, value_end};
    i = value_end + 1;
  }
  return {npos, npos};
}

namespace {

// The text of the reference `ref` (between '&' and ';'), or false.
bool DecodeReference(std::string_view ref, std::string* out) {
  static constexpr std::pair<std::string_view, char> kNamed[] = {
      {"lt", '<'}, {"gt", '>'}, {"amp", '&'}, {"quot", '"'}, {"apos", '\''}};
  for (const auto& [name, c] : kNamed) {
    if (ref == name) {
      out->push_back(c);
      return true;
    }
  }
  if (ref.size() < 2 || ref[0] != '#') return false;
  bool hex = ref[1] == 'x';
  std::string_view digits = ref.substr(hex ? 2 : 1);
  if (digits.empty() || digits.size() > 8) return false;
  uint32_t cp = 0;
  for (char c : digits) {
    int v = c >= '0' && c <= '9'          ? c - '0'
            : hex && c >= 'a' && c <= 'f' ? c - 'a' + 10
            : hex && c >= 'A' && c <= 'F' ? c - 'A' + 10
                                          : -1;
    if (v < 0) return false;
    cp = cp * (hex ? 16 : 10) + static_cast<uint32_t>(v);
  }
  AppendUtf8(cp, out);
  return true;
}

class TextMapper {
 public:
  TextMapper(std::string_view content, MappedText* out)
      : content_(content), out_(out) {}

  void Copy(size_t begin, size_t end) {
    out_->text.append(content_.substr(begin, end - begin));
    for (size_t i = begin; i < end; ++i) {
      out_->origin.push_back(i);
      out_->origin_end.push_back(i + 1);
    }
  }
  // Bytes produced by the token content[begin, end).
  void Produced(size_t before, size_t begin, size_t end) {
    for (size_t i = before; i < out_->text.size(); ++i) {
      out_->origin.push_back(begin);
      out_->origin_end.push_back(end);
    }
  }

 private:
  std::string_view content_;
  MappedText* out_;
};

// The end of the construct that starts at content[i] with `open` and ends
// with `close`, clamped to `end`.
size_t SkipPast(std::string_view content, size_t i, size_t end,
                std::string_view close) {
  size_t found = content.substr(0, end).find(close, i);
  return found == std::string_view::npos ? end : found + close.size();
}

}  // namespace

MappedText DecodeXmlText(std::string_view content, size_t begin, size_t end,
                         bool keep_markup) {
  MappedText out;
  TextMapper map(content, &out);
  constexpr std::string_view kCdata = "<![CDATA[";
  size_t i = begin;
  while (i < end) {
    size_t next = content.substr(0, end).find_first_of("<&", i);
    if (next == std::string_view::npos) next = end;
    map.Copy(i, next);
    i = next;
    if (i >= end) break;
    std::string_view rest = content.substr(i, end - i);
    if (rest.starts_with(kCdata)) {
      size_t close = content.substr(0, end).find("]]>", i + kCdata.size());
      if (close == std::string_view::npos) close = end;
      map.Copy(i + kCdata.size(), close);
      i = std::min(end, close + 3);
    } else if (rest.starts_with("<!--")) {
      i = SkipPast(content, i + 4, end, "-->");
    } else if (rest.starts_with("<?")) {
      i = SkipPast(content, i + 2, end, "?>");
    } else if (rest[0] == '<' || keep_markup) {
      map.Copy(i, i + 1);
      ++i;
    } else {
      size_t semi = content.substr(0, end).find(';', i);
      size_t before = out.text.size();
      if (semi != std::string_view::npos && semi - i <= 12 &&
          DecodeReference(content.substr(i + 1, semi - i - 1), &out.text)) {
        map.Produced(before, i, semi + 1);
        out.has_references = true;
        i = semi + 1;
      } else {
        map.Copy(i, i + 1);
        ++i;
      }
    }
  }
  return out;
}

}  // namespace rotguard::extract
