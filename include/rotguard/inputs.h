// Inputs that hold many posts or links in one file: RSS 2.0 and Atom feeds
// (Blogger's Atom export included), XML sitemaps and sitemap indexes,
// WordPress WXR exports and Netscape bookmark files (browser, Pinboard and
// Pocket exports). Each is told by its content (the first bytes and the
// root element), never by its name; a file that is none of them is a post
// (extract.h) as before.
//
// Every entry of such a file is a document of its own (a feed item, a
// sitemap <url>, a WXR post, a bookmark) with an id that is stable within
// the file, so `scan --update` keys it as FILE#ID. Links carry byte spans
// into the file:
//  - exact (the bytes at [start, end) are the URL as written and a rewrite
//    may replace them as they are): HTML in CDATA sections, Atom xhtml
//    content, bookmark HREF attributes, and <loc>/<link>/url="…" values
//    written without character references;
//  - escaped (the bytes at [start, end) are exactly the XML-escaped text of
//    the URL, e.g. `&amp;amp;` for `&amp;` in the HTML, so a rewrite must
//    escape what it puts there): HTML carried as entity-escaped text.
// Nothing here reads any other file or the network; a sitemap index only
// names its children (SitemapIndexChildren) and the walker decides which
// local files to read.
#ifndef ROTGUARD_INPUTS_H_
#define ROTGUARD_INPUTS_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "rotguard/extract.h"

namespace rotguard {

enum class InputType {
  kPost,  // Markdown or HTML post (or anything else): extract.h
  kRss,
  kAtom,
  kSitemap,
  kSitemapIndex,
  kWxr,
  kBookmarks,
};

// "post", "rss", "atom", "sitemap", "sitemap-index", "wxr", "bookmarks".
std::string_view InputTypeName(InputType type);

// Looks at the first bytes (a UTF-8 BOM, whitespace, the XML declaration,
// comments, processing instructions and the doctype are skipped) and names
// the type; kPost when it is none of the structured types. Reads at most
// the first 64 KiB of `head`.
InputType DetectInputType(std::string_view head);

// Hard limits for hostile files. A file over max_bytes is not parsed (one
// warning); deeper nesting, more elements, entity declarations (no DTD
// entity is ever expanded: billion-laughs input stops at its declaration)
// and external entities stop the parse with a warning, keeping the entries
// read so far.
struct InputLimits {
  size_t max_bytes = size_t{512} << 20;
  int max_depth = 256;
  size_t max_elements = size_t{20} << 20;
  size_t max_entries = size_t{1} << 20;
};

enum class SpanFidelity {
  kExact,    // see the header comment
  kEscaped,  // at least one link's span is XML-escaped text
};

struct InputEntry {
  // Stable within the file: a feed entry's guid/id (else its link), a WXR
  // post's wp:post_id, a sitemap URL's or bookmark's URL ("~2", "~3" added
  // to repeats). "attachments" holds WXR attachments without a published
  // parent.
  std::string id;
  std::string public_url;  // the entry's own URL (link, loc), "" if none
  SpanFidelity fidelity = SpanFidelity::kExact;
  // front_matter.title/date/draft: the entry's title, its date (RFC 3339
  // UTC when the format's date could be read, else as written) and draft
  // flag; links sorted by start, spans into the whole file.
  ExtractedDocument extracted;
};

struct StructuredInput {
  InputType type = InputType::kPost;
  std::vector<InputEntry> entries;  // in file order
  // Problems with the file itself (not well-formed, a limit reached),
  // with line and column in the file.
  std::vector<ExtractWarning> warnings;
};

// Reads a file of a structured `type` (DetectInputType). `options.base_url`
// resolves relative links when the entry has no URL of its own.
StructuredInput ReadStructuredInput(std::string_view content, InputType type,
                                    const ExtractOptions& options = {},
                                    const InputLimits& limits = {});

// The <loc> values of a sitemap index, decoded, in file order (warnings
// as for ReadStructuredInput).
std::vector<std::string> SitemapIndexChildren(
    std::string_view content, std::vector<ExtractWarning>* warnings,
    const InputLimits& limits = {});

}  // namespace rotguard

#endif  // ROTGUARD_INPUTS_H_
