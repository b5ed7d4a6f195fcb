// The index.html of a restore: every restored post, linked to its
// rendered page and its source copy, with a table of its links (archived
// when, or why not captured).
#ifndef ROTGUARD_RESTORE_INDEX_PAGE_H_
#define ROTGUARD_RESTORE_INDEX_PAGE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace rotguard::restore {

struct LinkReport {
  std::string url;
  std::string kind;
  std::string local;  // "" when never captured
  int64_t captured_at_us = 0;
  std::string why;  // why it is not local
  // "web.archive.org, memento 2019-04-20T00:00:00Z" when the copy came
  // from a public web archive (rotguard/copy_choice.h CopyOrigin); "" own.
  std::string origin;
  // The archived page's <title> (HTML captures), shown instead of the
  // bare URL; "" when unknown.
  std::string title;
};

struct PostReport {
  std::string key;
  std::string title;
  std::string date;         // front matter, "" when absent
  std::string source_name;  // posts/<key>; rendered as source_name.html
  // The rendered page when it is not source_name.html: an entry of a feed,
  // sitemap, WXR or bookmark file, whose source is the whole file.
  std::string page_name;
  std::vector<LinkReport> links;
};

// "2020-02-08 10:00:00Z" (UTC) from microseconds since the epoch.
std::string FormatCaptureTime(int64_t us);

// The index page, posts in the order given.
std::string IndexHtml(const std::vector<PostReport>& posts);

// What every rendered post opens with: its title, its date and a one-line
// banner saying this is an offline copy and when its links were captured.
std::string PostHeader(const PostReport& post);

// The style of the rendered posts' header (and a readable page width).
std::string_view PostStyle();

// `html` with `header` (and PostStyle) right after its <body> tag (or at
// the start when it has none).
std::string WithPostHeader(const std::string& html, const std::string& header);

// The text of the first <title> of an HTML page, whitespace collapsed and
// the common entities decoded; "" when it has none.
std::string PageTitle(std::string_view html);

}  // namespace rotguard::restore

#endif  // ROTGUARD_RESTORE_INDEX_PAGE_H_
