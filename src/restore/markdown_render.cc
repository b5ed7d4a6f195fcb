#include "restore/markdown_render.h"

#include <md4c-html.h>

#include "util/ascii.h"

namespace rotguard::restore {
namespace {

// The line `body` holds from `pos`, without its line break.
std::string_view LineAt(std::string_view body, size_t pos, size_t end) {
  std::string_view line = body.substr(
      pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

}  // namespace

std::string_view WithoutFrontMatter(std::string_view text) {
  std::string_view body = text;
  if (body.starts_with("\xEF\xBB\xBF")) body.remove_prefix(3);
  for (std::string_view fence : {"---", "+++"}) {
    if (!body.starts_with(fence)) continue;
    size_t line_end = body.find('\n');
    if (line_end == std::string_view::npos) return text;
    size_t pos = line_end + 1;
    while (pos < body.size()) {
      size_t end = body.find('\n', pos);
      if (LineAt(body, pos, end) == fence) {
        return end == std::string_view::npos ? std::string_view()
                                             : body.substr(end + 1);
      }
      if (end == std::string_view::npos) break;
      pos = end + 1;
    }
    return text;
  }
  return body;
}

bool IsBareMarkdownUrl(std::string_view post, size_t start) {
  size_t i = start;
  while (i > 0 && (post[i - 1] == ' ' || post[i - 1] == '\t')) --i;
  if (i == 0) return true;
  char before = post[i - 1];
  if (before == '(') return i < 2 || post[i - 2] != ']';  // "](" destination
  if (before == '<' || before == '"' || before == '\'' || before == '=' ||
      before == '[') {
    return false;  // autolink, attribute or shortcode value, link text
  }
  size_t line_start = post.rfind('\n', start - 1);
  line_start = line_start == std::string_view::npos ? 0 : line_start + 1;
  std::string_view prefix = post.substr(line_start, start - line_start);
  while (!prefix.empty() && (prefix.back() == ' ' || prefix.back() == '\t')) {
    prefix.remove_suffix(1);
  }
  return !prefix.ends_with("]:");  // a reference definition's destination
}

std::string BareUrlLink(std::string_view href, std::string_view written) {
  return "<a href=\"" + HtmlEscape(href) + "\">" + HtmlEscape(written) + "</a>";
}

std::string RenderMarkdown(std::string_view markdown) {
  std::string html;
  md_html(
      markdown.data(), static_cast<MD_SIZE>(markdown.size()),
      [](const MD_CHAR* text, MD_SIZE size, void* out) {
        static_cast<std::string*>(out)->append(text, size);
      },
      &html, MD_FLAG_TABLES | MD_FLAG_STRIKETHROUGH | MD_FLAG_TASKLISTS, 0);
  return html;
}

std::string RenderPostPage(std::string_view title, std::string_view post) {
  return "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>" +
         HtmlEscape(title) + "</title></head><body>\n" +
         RenderMarkdown(WithoutFrontMatter(post)) + "</body></html>\n";
}

}  // namespace rotguard::restore
