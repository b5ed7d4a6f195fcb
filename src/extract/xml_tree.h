// A small element tree over an XML file, built with expat, that keeps each
// element's byte range in the file: the readers of feeds, sitemaps and WXR
// exports (inputs.cc) take link spans from those ranges, never from
// expat's decoded text (expat folds CRLF and decodes references, so its
// text cannot be mapped back to bytes).
#ifndef ROTGUARD_EXTRACT_XML_TREE_H_
#define ROTGUARD_EXTRACT_XML_TREE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rotguard/extract.h"
#include "rotguard/inputs.h"

namespace rotguard::extract {

// Namespaces the readers look for.
inline constexpr std::string_view kAtomNs = "http://www.w3.org/2005/Atom";
inline constexpr std::string_view kContentNs =
    "http://purl.org/rss/1.0/modules/content/";
inline constexpr std::string_view kDcNs = "http://purl.org/dc/elements/1.1/";
inline constexpr std::string_view kSitemapNs =
    "http://www.sitemaps.org/schemas/sitemap/0.9";
inline constexpr std::string_view kImageNs =
    "http://www.google.com/schemas/sitemap-image/1.1";
inline constexpr std::string_view kAppNs = "http://purl.org/atom/app#";
inline constexpr std::string_view kWpNsPrefix = "http://wordpress.org/export/";

struct XmlElement {
  std::string ns;     // namespace URI, "" for none
  std::string local;  // local name
  std::vector<std::pair<std::string, std::string>> attributes;  // decoded
  uint32_t parent = 0;  // index into XmlTree::elements; root: itself
  std::vector<uint32_t> children;
  size_t tag_begin = 0;      // '<' of the start tag
  size_t content_begin = 0;  // after the start tag's '>'
  size_t content_end = 0;    // '<' of the end tag (== content_begin if empty)
  // Decoded character data (CDATA included), at most kMaxText bytes;
  // `text_truncated` when there was more.
  std::string text;
  bool text_truncated = false;

  bool Is(std::string_view ns_uri, std::string_view name) const {
    return local == name && ns == ns_uri;
  }
  // The decoded value of attribute `name` (no namespace), "" if absent.
  std::string Attribute(std::string_view name) const;
};

struct XmlTree {
  std::vector<XmlElement> elements;  // [0] is the root when not empty
  std::vector<ExtractWarning> warnings;

  // The children of `parent` named (ns, local), in order.
  std::vector<uint32_t> Children(uint32_t parent, std::string_view ns,
                                 std::string_view local) const;
  // The first such child, or -1.
  int64_t Child(uint32_t parent, std::string_view ns,
                std::string_view local) const;
  // Its decoded text, trimmed; "" when there is no such child.
  std::string ChildText(uint32_t parent, std::string_view ns,
                        std::string_view local) const;
};

inline constexpr size_t kMaxText = 64 << 10;

// Parses `content` with expat (namespaces on, no DTD entities, no external
// entities, billion-laughs protection). A parse error or limit keeps the
// elements read so far and adds one warning.
XmlTree ParseXmlTree(std::string_view content, const InputLimits& limits);

// Where the value of attribute `name` sits in the start tag that begins at
// `tag_begin`: the bytes between its quotes. {npos, npos} when absent.
std::pair<size_t, size_t> AttributeValueSpan(std::string_view content,
                                             size_t tag_begin,
                                             std::string_view name);

// XML text content[begin, end) decoded (the five predefined entities and
// character references; CDATA sections copied as they are; comments and
// processing instructions dropped; markup copied when `keep_markup`), with
// `origin[i]` = the offset in `content` of the token that produced byte i
// of the result and `origin_end[i]` the end of that token; `has_references`
// when any byte came from a reference (then the bytes behind a URL are its
// escaped form).
struct MappedText {
  std::string text;
  std::vector<size_t> origin;
  std::vector<size_t> origin_end;
  bool has_references = false;
};
MappedText DecodeXmlText(std::string_view content, size_t begin, size_t end,
                         bool keep_markup);

}  // namespace rotguard::extract

#endif  // ROTGUARD_EXTRACT_XML_TREE_H_
