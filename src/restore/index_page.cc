#include "restore/index_page.h"

#include "restore/html_rewrite.h"
#include "util/ascii.h"
#include "util/time_format.h"

namespace rotguard::restore {
namespace {

constexpr std::string_view kIndexHead =
    "<title>rotguard restore</title><style>body{font-family:sans-serif;"
    "max-width:60em;margin:2em auto}td{padding:.2em .5em;vertical-align:"
    "top}.missing{color:#a00}</style></head><body>\n<h1>Restored "
    "posts</h1>\n";

std::string LinkRow(const LinkReport& link) {
  std::string html = "<tr><td>" + HtmlEscape(link.kind) + "</td><td>";
  if (!link.local.empty()) {
    html += "<a href=\"" + HtmlEscape(link.local) + "\">" +
            HtmlEscape(link.url) + "</a></td><td>archived " +
            FormatCaptureTime(link.captured_at_us);
    if (!link.origin.empty()) {
      html += " (copy from public archive " + HtmlEscape(link.origin) + ")";
    }
  } else {
    html += HtmlEscape(link.url) +
            "</td><td class=\"missing\">not captured: " + HtmlEscape(link.why);
  }
  html += "</td></tr>\n";
  return html;
}

std::string PostSection(const PostReport& post) {
  std::string html = "<h2><a href=\"" + HtmlEscape(post.source_name) +
                     ".html\">" + HtmlEscape(post.title) +
                     "</a></h2>\n<p>Source: <a href=\"" +
                     HtmlEscape(post.source_name) + "\">" +
                     HtmlEscape(post.key) + "</a></p>\n<table>\n";
  for (const LinkReport& link : post.links) html += LinkRow(link);
  html += "</table>\n";
  return html;
}

}  // namespace

std::string FormatCaptureTime(int64_t us) {
  return FormatUtc(us / 1000000, UtcStyle::kIsoSpaced);
}

std::string IndexHtml(const std::vector<PostReport>& posts) {
  std::string html = "<!doctype html>\n<html><head><meta charset=\"utf-8\">";
  html += kCspMeta;
  html += kIndexHead;
  for (const PostReport& post : posts) html += PostSection(post);
  html += "</body></html>\n";
  return html;
}

}  // namespace rotguard::restore
