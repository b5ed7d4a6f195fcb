// Page requisites of a fetched HTML page, from a raw tag scanner instead of
// gumbo: `rotguard archive` runs this on every page it fetches, where the
// full tree builder cost more than the fetching (issue #5, SPEC §11).
#ifndef ROTGUARD_EXTRACT_REQUISITES_H_
#define ROTGUARD_EXTRACT_REQUISITES_H_

#include <string>
#include <string_view>
#include <vector>

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

}  // namespace rotguard::extract

#endif  // ROTGUARD_EXTRACT_REQUISITES_H_
