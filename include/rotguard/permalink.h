// A post's public URL from its site's permalink rules (SPEC §6 "Posts
// themselves"): Hugo's `[permalinks]` and defaults, Jekyll's permalink
// styles, `_posts/` file names and collections. One function, so the
// resource record `archive` writes, the record `restore` looks up and the
// URL `report` shows agree.
#ifndef ROTGUARD_PERMALINK_H_
#define ROTGUARD_PERMALINK_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rotguard/config.h"

namespace rotguard {

// The front matter a URL is built from (rotguard/extract.h FrontMatter;
// policy does not see extract, so the scanners copy these fields).
struct PostFacts {
  std::string title;
  std::string date;  // as written; Jekyll _posts/ files: from the name
  std::string slug;
  std::string url;        // Hugo: the whole path
  std::string permalink;  // Jekyll: a pattern for this document
  std::vector<std::string> categories;
};

// The facts of a front matter (rotguard/extract.h FrontMatter, or
// anything with the same fields).
template <typename FrontMatterT>
PostFacts PostFactsOf(const FrontMatterT& fm) {
  return {fm.title, fm.date, fm.slug, fm.url, fm.permalink, fm.categories};
}

// The post's path on its site, from "/" ("/posts/hello/",
// "/2020/02/03/news.html"), for the document at `document_key` (its path
// relative to the site root, rotguard/scan.h DocumentKey). By
// `site.generator`:
// - "hugo": front matter `url` wins; else the section's pattern in
//   `site.permalinks` (:year :month :monthname :day :weekday :weekdayname
//   :yearday :section :sections :title :slug :slugorfilename :filename
//   :contentbasename :slugorcontentbasename); else /<sections>/<slug or
//   file name>/. index.md names its bundle's directory, _index.md its
//   section. With uglyURLs (`site.ugly_urls`, or the page's section in
//   `site.ugly_url_sections`) a page is /<...>/name.html and a section
//   /<section>.html (front matter `url` and the home page unchanged).
//   The path is lowercased and spaces become '-' (Hugo's urlize).
// - "jekyll": front matter `permalink`, else one from the site's
//   `defaults` (`site.permalink_defaults`), else the collection's pattern
//   (posts: `site.permalinks["posts"]`, then `site.permalink`, then
//   "date"), with the styles date, pretty, ordinal, weekdate and none;
//   pages get /:path/:basename:output_ext (or /:path/:basename/ when the
//   site permalink is pretty or ends in '/'). With `site.collections_dir`
//   set, collections and _posts/ are found only below it (its name is no
//   category).
// - "": guessed from the path: a Jekyll _posts/YYYY-MM-DD-title file gets
//   Jekyll's default, anything else Hugo's default below a "content/"
//   directory, both with front matter `slug`/`url`/`permalink` applied and
//   the path's case kept (what rotguard did before sites were detected).
// nullopt when the document is not published at a URL (a Jekyll
// collection without output, a Jekyll draft).
std::optional<std::string> PostPublicPath(const SiteConfig& site,
                                          std::string_view document_key,
                                          const PostFacts& facts);

// Year, month and day of a front matter date ("2023-10-15T13:18:50-07:00",
// "2023-10-15 13:18:50 +0700", "2023-10-15", "15 Oct 2023"), as written
// (no time zone conversion: Hugo and Jekyll use the date's own offset).
struct CivilDate {
  int year = 0;
  int month = 0;  // 1..12
  int day = 0;    // 1..31
};
std::optional<CivilDate> ParseCivilDate(std::string_view text);

}  // namespace rotguard

#endif  // ROTGUARD_PERMALINK_H_
