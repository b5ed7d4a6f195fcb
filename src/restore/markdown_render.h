// Markdown posts rendered to a standalone HTML page for `restore` (md4c,
// GitHub-flavoured tables, strikethrough and task lists). Front matter is
// left out; bare URLs, which md4c without its (quadratic) permissive flags
// would not link, are turned into links by the caller (see BareUrlLink).
#ifndef ROTGUARD_RESTORE_MARKDOWN_RENDER_H_
#define ROTGUARD_RESTORE_MARKDOWN_RENDER_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace rotguard::restore {

// The text after YAML (---) or TOML (+++) front matter (and a UTF-8 BOM);
// `text` itself when the front matter is not closed.
std::string_view WithoutFrontMatter(std::string_view text);

// True when the URL at `start` of a Markdown post is a bare URL (a GFM
// autolink) rather than a destination: Hugo and GitHub render those as
// links, md4c without its permissive flags does not, and a relative path
// put in their place would never be linked at all.
bool IsBareMarkdownUrl(std::string_view post, size_t start);

// "<a href=HREF>WRITTEN</a>", both escaped: what replaces a bare URL.
std::string BareUrlLink(std::string_view href, std::string_view written);

// md4c's HTML for `markdown` (no front matter handling).
std::string RenderMarkdown(std::string_view markdown);

// The whole rendered post: doctype, UTF-8, `title`, and the body rendered
// from `post` without its front matter.
std::string RenderPostPage(std::string_view title, std::string_view post);

}  // namespace rotguard::restore

#endif  // ROTGUARD_RESTORE_MARKDOWN_RENDER_H_
