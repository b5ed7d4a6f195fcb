// Link extraction: Markdown (CommonMark + GFM), HTML, front matter and Hugo
// shortcodes → links with exact byte spans (SPEC §5, §13 "scan").
//
// The extractor neither prints nor exits; problems in the input come back
// as warnings with a line and column, and extraction goes on.
#ifndef ROTGUARD_EXTRACT_H_
#define ROTGUARD_EXTRACT_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rotguard {

enum class LinkKind { kLink, kImage, kEmbed, kFrontmatter, kRequisite };

// "link", "image", "embed", "frontmatter", "requisite".
std::string_view LinkKindName(LinkKind kind);

struct Link {
  LinkKind kind = LinkKind::kLink;
  size_t start = 0;     // byte offset of the span from the file's first byte
  size_t end = 0;       // exclusive; [start, end) holds exactly `written`
  int line = 0;         // 1-based line of `start`
  int column = 0;       // 1-based byte column of `start`
  std::string written;  // the exact bytes of the span
  std::string url;      // absolute URL as written (entities decoded,
                        // //h/p → https://h/p, shortcodes → canonical URL)
  std::string normalized;  // manifest key (see url.h NormalizeUrl)
};

struct FrontMatter {
  std::string title;
  std::string date;  // as written in the front matter, or from a Jekyll
                     // _posts/YYYY-MM-DD-slug file name
  std::optional<bool> draft;
  std::vector<std::string> aliases;
  // What a post's public URL is built from (rotguard/permalink.h): Hugo's
  // `slug` and `url`, Jekyll's `slug`, `permalink` and `categories` (a
  // list, or one string of space-separated names; `category` adds one).
  std::string slug;
  std::string url;
  std::string permalink;
  std::vector<std::string> categories;
};

enum class DocumentFormat { kMarkdown, kHtml };

struct ExtractWarning {
  int line = 0;
  int column = 0;
  std::string message;
};

struct ExtractOptions {
  // Relative links resolve against this when set; otherwise they are
  // internal and skipped.
  std::string base_url;
  // Also list the links whose URL has a scheme other than http(s)
  // (file:, ftp:, data:, javascript:, ...) in `other_schemes`, so restore
  // can remove them from offline copies.
  bool keep_other_schemes = false;
  // Read every piece of HTML with gumbo, never with the raw tag scanner
  // (requisites.h) that takes the pieces it models exactly: the reference
  // the scanner is checked against (requisites_test.cc, the requisites
  // fuzz target).
  bool gumbo_only = false;
};

struct ExtractedDocument {
  FrontMatter front_matter;
  std::vector<Link> links;  // sorted by start offset
  std::vector<ExtractWarning> warnings;
  // URLs not taken, by scheme ("mailto", "tel", "relative", ...).
  std::map<std::string, int64_t> skipped;
  // With keep_other_schemes: the links skipped for their scheme, `url` the
  // target as written (character references decoded), `normalized` "".
  std::vector<Link> other_schemes;
};

// .md .markdown .mdx → Markdown; .html .htm → HTML; else nullopt.
std::optional<DocumentFormat> FormatForPath(std::string_view path);

// Extracts every link of one document. `path` is used for Jekyll dates
// and messages only; `content` is the file's bytes.
ExtractedDocument ExtractLinks(std::string_view path, std::string_view content,
                               DocumentFormat format,
                               const ExtractOptions& options = {});

}  // namespace rotguard

#endif  // ROTGUARD_EXTRACT_H_
