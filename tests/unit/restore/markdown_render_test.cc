// Markdown rendering for restore (src/restore/markdown_render.h).
#include "restore/markdown_render.h"

#include <gtest/gtest.h>

#include <string>

namespace rotguard::restore {
namespace {

TEST(MarkdownRenderTest, FrontMatterIsLeftOutOfTheRenderedText) {
  EXPECT_EQ(WithoutFrontMatter("---\ntitle: x\n---\nbody\n"), "body\n");
  EXPECT_EQ(WithoutFrontMatter("+++\ntitle = 'x'\n+++\r\nbody"), "body");
  EXPECT_EQ(WithoutFrontMatter("\xEF\xBB\xBF---\r\na: 1\r\n---\r\nbody"),
            "body");
  EXPECT_EQ(WithoutFrontMatter("---\na: 1\n---"), "");
  EXPECT_EQ(WithoutFrontMatter("\xEF\xBB\xBFplain"), "plain");
  // Not closed: the whole text, BOM and all.
  EXPECT_EQ(WithoutFrontMatter("---\na: 1\nbody"), "---\na: 1\nbody");
  EXPECT_EQ(WithoutFrontMatter("---"), "---");
  // "---" later in the text is a rule, not front matter.
  EXPECT_EQ(WithoutFrontMatter("body\n---\n"), "body\n---\n");
}

// The URL starts at the marker "|" (removed before the call).
bool Bare(std::string text) {
  size_t at = text.find('|');
  text.erase(at, 1);
  return IsBareMarkdownUrl(text, at);
}

TEST(MarkdownRenderTest, BareUrlsAreToldFromDestinationsAndAttributes) {
  EXPECT_TRUE(Bare("|https://a.example/"));
  EXPECT_TRUE(Bare("see |https://a.example/ too"));
  EXPECT_TRUE(Bare("(see |https://a.example/)"));
  EXPECT_TRUE(Bare("x (|https://a.example/)"));
  EXPECT_FALSE(Bare("[t](|https://a.example/)"));
  EXPECT_FALSE(Bare("[t]( |https://a.example/)"));
  EXPECT_FALSE(Bare("<|https://a.example/>"));
  EXPECT_FALSE(Bare("<a href=\"|https://a.example/\">"));
  EXPECT_FALSE(Bare("{{< x url='|https://a.example/' >}}"));
  EXPECT_FALSE(Bare("[|https://a.example/]"));
  EXPECT_FALSE(Bare("intro\n[ref]: |https://a.example/"));
  EXPECT_TRUE(Bare("[ref]: x\nsee |https://a.example/"));
}

TEST(MarkdownRenderTest, BareUrlLinkEscapesHrefAndText) {
  EXPECT_EQ(BareUrlLink("a.html?x=1&y=\"2\"", "https://e.example/?a<b"),
            "<a href=\"a.html?x=1&amp;y=&quot;2&quot;\">"
            "https://e.example/?a&lt;b</a>");
}

TEST(MarkdownRenderTest, PostPageHasTitleAndGfmBodyWithoutFrontMatter) {
  std::string page = RenderPostPage(
      "Tom & Jerry",
      "---\ntitle: x\n---\n# Hi\n\n| a |\n|---|\n| 1 |\n\n~~old~~ "
      "<a href=\"l.html\">l</a>\n");
  EXPECT_EQ(page,
            "<!doctype html>\n<html><head><meta charset=\"utf-8\">"
            "<title>Tom &amp; Jerry</title></head><body>\n"
            "<h1>Hi</h1>\n"
            "<table>\n<thead>\n<tr>\n<th>a</th>\n</tr>\n</thead>\n"
            "<tbody>\n<tr>\n<td>1</td>\n</tr>\n</tbody>\n</table>\n"
            "<p><del>old</del> <a href=\"l.html\">l</a></p>\n"
            "</body></html>\n");
}

}  // namespace
}  // namespace rotguard::restore
