// What a fetched resource references: the page requisites of an HTML page
// (from a raw tag scanner instead of gumbo: `rotguard archive` runs this on
// every page it fetches, where the full tree builder cost more than the
// fetching; issue #5, SPEC §11) and the url(…)/@import targets of a
// stylesheet with their byte spans (archive follows them, restore rewrites
// them).
#ifndef ROTGUARD_REQUISITES_H_
#define ROTGUARD_REQUISITES_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rotguard/extract.h"

namespace rotguard::extract {

// The page requisites of an HTML page — what a browser loads to render it —
// as absolute URLs resolved against page_url (and the page's first
// <base href>), in document order, duplicates kept.
//
// Equal to the `url` of every Link of
//   ExtractLinks("page.html", html, DocumentFormat::kHtml,
//                {.base_url = page_url})
// whose kind is neither kLink nor kFrontmatter, except that
// <!-- rotguard-ignore --> markers are not applied and for the tree-building
// cases listed in requisites.cc.
std::vector<std::string> ExtractPageRequisites(std::string_view html,
                                               std::string_view page_url);

// Every link of an HTML page with its byte span, from the same scanner:
// the `links` and `other_schemes` that
//   ExtractLinks("page.html", html, DocumentFormat::kHtml,
//                {.base_url = page_url, .keep_other_schemes = true})
// gives, field for field (`restore` rewrites every archived page with
// them; gumbo's tree build was most of its time). nullopt for a page the
// scanner does not model exactly, which the caller gives to ExtractLinks:
// binary or invalid UTF-8 bytes, front matter, rotguard-ignore markers,
// <svg>, <math> or <frameset>, and nesting deep enough for ExtractLinks to
// parse in pieces.
std::optional<ExtractedDocument> ScanPageLinks(std::string_view html,
                                               std::string_view page_url);

// One url(…) (kind kImage) or @import (kind kRequisite) of a stylesheet:
// css[start, end) is the URL as written, `target` its text with CSS escapes
// decoded, not yet resolved.
struct StylesheetReference {
  size_t start = 0;
  size_t end = 0;
  std::string target;
  LinkKind kind = LinkKind::kImage;
};
std::vector<StylesheetReference> ExtractStylesheetUrls(std::string_view css);

}  // namespace rotguard::extract

#endif  // ROTGUARD_REQUISITES_H_
