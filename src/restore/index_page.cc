#include "restore/index_page.h"

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>

#include "restore/html_rewrite.h"
#include "util/ascii.h"
#include "util/time_format.h"

namespace rotguard::restore {
namespace {

// The look of the link report (rotguard report --format html): the same
// type, colours and table style. Fixed table layout and breakable URLs, so
// nothing runs wider than the window (1280 px and narrower).
constexpr std::string_view kIndexHead =
    "<title>rotguard restore</title><meta name=\"viewport\" "
    "content=\"width=device-width, initial-scale=1\"><style>"
    "body{font:14px/1.4 system-ui,-apple-system,\"Segoe UI\",sans-serif;"
    "margin:0 auto;max-width:1200px;padding:1em 1.5em;color:#1d232a;"
    "background:#fafbfc;overflow-wrap:anywhere}"
    "h1{font-size:1.5em;margin:.2em 0}"
    "h2{font-size:1.1em;margin:1.6em 0 .2em}"
    ".meta{color:#667;font-size:.9em;margin:.2em 0 .6em}"
    "table{border-collapse:collapse;width:100%;table-layout:fixed;"
    "background:#fff;border:1px solid #e1e4e8}"
    "td{padding:.3em .5em;border-bottom:1px solid #eef0f2;text-align:left;"
    "vertical-align:top;word-break:break-word}"
    "td.kind{width:6em;color:#556}td.when{width:16em;color:#445;"
    "font-size:.9em}td.thumb{width:72px}"
    "img.thumb{max-width:64px;max-height:64px;display:block;"
    "border:1px solid #e1e4e8;background:#fff}"
    ".url{display:block;color:#667;font-size:.85em;word-break:break-all}"
    ".missing{color:#9b1c1c}</style></head><body>\n<h1>Restored "
    "posts</h1>\n";

// The page's title with its URL below it, or the URL alone.
std::string LinkText(const LinkReport& link) {
  if (link.title.empty()) return HtmlEscape(link.url);
  return HtmlEscape(link.title) + "<span class=\"url\">" +
         HtmlEscape(link.url) + "</span>";
}

std::string LinkRow(const LinkReport& link) {
  std::string html = "<tr><td class=\"kind\">" + HtmlEscape(link.kind) +
                     "</td><td class=\"thumb\">";
  if (!link.local.empty() && link.kind == "image") {
    html += "<img class=\"thumb\" alt=\"\" loading=\"lazy\" src=\"" +
            HtmlEscape(link.local) + "\">";
  }
  html += "</td><td>";
  if (!link.local.empty()) {
    html += "<a href=\"" + HtmlEscape(link.local) + "\">" + LinkText(link) +
            "</a></td><td class=\"when\">archived " +
            FormatCaptureTime(link.captured_at_us);
    if (!link.origin.empty()) {
      html += " (copy from public archive " + HtmlEscape(link.origin) + ")";
    }
  } else {
    html +=
        HtmlEscape(link.url) +
        "</td><td class=\"when missing\">not captured: " + HtmlEscape(link.why);
  }
  html += "</td></tr>\n";
  return html;
}

std::string PostSection(const PostReport& post) {
  const std::string page =
      post.page_name.empty() ? post.source_name + ".html" : post.page_name;
  std::string html = "<h2><a href=\"" + HtmlEscape(page) + "\">" +
                     HtmlEscape(post.title) + "</a></h2>\n<p class=\"meta\">";
  if (!post.date.empty()) html += HtmlEscape(post.date) + " · ";
  html += "source: <a href=\"" + HtmlEscape(post.source_name) + "\">" +
          HtmlEscape(post.key) + "</a></p>\n<table>\n";
  for (const LinkReport& link : post.links) html += LinkRow(link);
  html += "</table>\n";
  return html;
}

// "captured 2020-02-08 10:00:00Z" or "captured between A and B"; the
// links never captured are left out.
std::string CaptureSpan(const PostReport& post) {
  int64_t first = 0;
  int64_t last = 0;
  for (const LinkReport& link : post.links) {
    if (link.local.empty() || link.captured_at_us == 0) continue;
    if (first == 0 || link.captured_at_us < first) first = link.captured_at_us;
    last = std::max(last, link.captured_at_us);
  }
  if (first == 0) return "none of its links was captured";
  if (FormatCaptureTime(first) == FormatCaptureTime(last)) {
    return "its links were captured " + FormatCaptureTime(first);
  }
  return "its links were captured between " + FormatCaptureTime(first) +
         " and " + FormatCaptureTime(last);
}

constexpr std::string_view kPostStyle =
    "<style>body{max-width:48em;margin:0 auto;padding:1em 1.5em;"
    "font:16px/1.5 system-ui,-apple-system,\"Segoe UI\",sans-serif;"
    "color:#1d232a;overflow-wrap:anywhere}img{max-width:100%;height:auto}"
    "header.rotguard-offline h1{font-size:1.7em;margin:.2em 0}"
    "header.rotguard-offline .date{color:#667;margin:0}"
    "header.rotguard-offline .banner{background:#fdf6b2;color:#723b13;"
    "border-radius:4px;padding:.3em .6em;font-size:.9em}</style>\n";

// Decodes &amp; &lt; &gt; &quot; &#39; &apos; and &nbsp;; others stay.
std::string DecodeCommonEntities(std::string_view text) {
  static constexpr std::pair<std::string_view, std::string_view> kEntities[] = {
      {"&amp;", "&"}, {"&lt;", "<"},   {"&gt;", ">"},  {"&quot;", "\""},
      {"&#39;", "'"}, {"&apos;", "'"}, {"&nbsp;", " "}};
  std::string out;
  for (size_t i = 0; i < text.size();) {
    bool matched = false;
    for (const auto& [entity, value] : kEntities) {
      if (text.substr(i, entity.size()) == entity) {
        out += value;
        i += entity.size();
        matched = true;
        break;
      }
    }
    if (!matched) out += text[i++];
  }
  return out;
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

std::string PostHeader(const PostReport& post) {
  std::string html = "<header class=\"rotguard-offline\"><h1>" +
                     HtmlEscape(post.title) + "</h1>";
  if (!post.date.empty()) {
    html += "<p class=\"date\">" + HtmlEscape(post.date) + "</p>";
  }
  html += "<p class=\"banner\">Offline copy made by rotguard: " +
          CaptureSpan(post) + ".</p></header>\n";
  return html;
}

std::string_view PostStyle() { return kPostStyle; }

std::string WithPostHeader(const std::string& html, const std::string& header) {
  const std::string lower = AsciiLowercase(html);
  size_t insert = 0;  // no <body>: at the start
  const size_t body = lower.find("<body");
  if (body != std::string::npos) {
    const size_t end = lower.find('>', body);
    if (end != std::string::npos) insert = end + 1;
  }
  return html.substr(0, insert) + std::string(kPostStyle) + header +
         html.substr(insert);
}

std::string PageTitle(std::string_view html) {
  const std::string lower = AsciiLowercase(html);
  size_t open = lower.find("<title");
  if (open == std::string::npos) return "";
  size_t start = lower.find('>', open);
  if (start == std::string::npos) return "";
  size_t end = lower.find("</title", ++start);
  if (end == std::string::npos) return "";
  std::string text;
  bool space = false;
  for (char c : DecodeCommonEntities(html.substr(start, end - start))) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = !text.empty();
      continue;
    }
    if (space) text += ' ';
    space = false;
    text += c;
  }
  return text.substr(0, 200);
}

}  // namespace rotguard::restore
