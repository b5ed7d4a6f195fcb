// The restore index page (src/restore/index_page.h).
#include "restore/index_page.h"

#include <gtest/gtest.h>

#include <string>

#include "restore/html_rewrite.h"

namespace rotguard::restore {
namespace {

TEST(IndexPageTest, CaptureTimeIsUtcToTheSecond) {
  EXPECT_EQ(FormatCaptureTime(1581156000123456), "2020-02-08 10:00:00Z");
  EXPECT_EQ(FormatCaptureTime(0), "1970-01-01 00:00:00Z");
}

TEST(IndexPageTest, ListsEveryPostInOrderWithItsLinks) {
  PostReport first;
  first.key = "content/a&b.md";
  first.title = "A <b>";
  first.source_name = "posts/content/a&b.md";
  first.links.push_back({"https://ift.tt/x", "link",
                         "assets/example.com/x.html", 1581156000000000, "", "",
                         ""});
  first.links.push_back({"https://gone.example/", "image", "", 0,
                         "no capture in the store", "", ""});
  PostReport second;
  second.key = "b.md";
  second.title = "B";
  second.source_name = "posts/b.md";
  std::string html = IndexHtml({first, second});
  EXPECT_TRUE(html.starts_with(
      "<!doctype html>\n<html><head><meta "
      "charset=\"utf-8\">" +
      std::string(kCspMeta) + "<title>rotguard restore</title>"));
  std::string expected_first =
      "<h2><a href=\"posts/content/a&amp;b.md.html\">A &lt;b&gt;</a></h2>\n"
      "<p class=\"meta\">source: <a href=\"posts/content/a&amp;b.md\">"
      "content/a&amp;b.md</a></p>\n<table>\n"
      "<tr><td class=\"kind\">link</td><td class=\"thumb\"></td><td>"
      "<a href=\"assets/example.com/x.html\">https://ift.tt/x</a></td>"
      "<td class=\"when\">archived 2020-02-08 10:00:00Z</td></tr>\n"
      "<tr><td class=\"kind\">image</td><td class=\"thumb\"></td><td>"
      "https://gone.example/</td><td class=\"when missing\">not captured: "
      "no capture in the store</td></tr>\n"
      "</table>\n";
  std::string expected_second =
      "<h2><a href=\"posts/b.md.html\">B</a></h2>\n"
      "<p class=\"meta\">source: <a href=\"posts/b.md\">b.md</a></p>\n"
      "<table>\n</table>\n";
  size_t at = html.find("<h1>Restored posts</h1>\n");
  ASSERT_NE(at, std::string::npos);
  EXPECT_EQ(html.substr(at), "<h1>Restored posts</h1>\n" + expected_first +
                                 expected_second + "</body></html>\n");
}

TEST(IndexPageTest, NoPostsIsAnEmptyList) {
  std::string html = IndexHtml({});
  EXPECT_TRUE(html.ends_with("<h1>Restored posts</h1>\n</body></html>\n"));
}

TEST(IndexPageTest, ArchivedImagesGetAThumbnailAndPagesTheirTitle) {
  PostReport post;
  post.key = "a.md";
  post.title = "A";
  post.date = "2020-02-08";
  post.source_name = "posts/a.md";
  LinkReport image{"https://cdn.example/p.png",
                   "image",
                   "assets/p.png",
                   1581156000000000,
                   "",
                   "",
                   ""};
  LinkReport page{"https://news.example/a", "link", "assets/a.html",
                  1581156000000000,         "",     "",
                  "News <&> more"};
  post.links = {image, page};
  const std::string html = IndexHtml({post});
  EXPECT_NE(html.find("<td class=\"thumb\"><img class=\"thumb\" alt=\"\" "
                      "loading=\"lazy\" src=\"assets/p.png\"></td>"),
            std::string::npos)
      << html;
  EXPECT_NE(html.find("<a href=\"assets/a.html\">News &lt;&amp;&gt; more"
                      "<span class=\"url\">https://news.example/a</span></a>"),
            std::string::npos)
      << html;
  EXPECT_NE(html.find("<p class=\"meta\">2020-02-08 · source:"),
            std::string::npos);
  // Nothing may run wider than the window: a fixed table, breakable text.
  EXPECT_NE(html.find("table-layout:fixed"), std::string::npos);
  EXPECT_NE(html.find("overflow-wrap:anywhere"), std::string::npos);
}

TEST(PostHeaderTest, OpensWithTitleDateAndWhenTheLinksWereCaptured) {
  PostReport post;
  post.title = "Virus <news>";
  post.date = "2020-02-08";
  post.links = {
      {"https://a/", "link", "assets/a", 1581156000000000, "", "", ""},
      {"https://b/", "link", "assets/b", 1581242400000000, "", "", ""},
      {"https://c/", "link", "", 0, "no capture", "", ""}};
  EXPECT_EQ(PostHeader(post),
            "<header class=\"rotguard-offline\"><h1>Virus &lt;news&gt;</h1>"
            "<p class=\"date\">2020-02-08</p><p class=\"banner\">Offline "
            "copy made by rotguard: its links were captured between "
            "2020-02-08 10:00:00Z and 2020-02-09 10:00:00Z.</p></header>\n");
  post.links.resize(1);
  post.date.clear();
  EXPECT_NE(PostHeader(post).find("its links were captured 2020-02-08 "
                                  "10:00:00Z."),
            std::string::npos);
  EXPECT_EQ(PostHeader(post).find("class=\"date\""), std::string::npos);
}

TEST(PostHeaderTest, GoesRightAfterTheBodyTag) {
  EXPECT_EQ(WithPostHeader("<html><BODY class=x><p>t</p>", "<h>"),
            "<html><BODY class=x>" + std::string(PostStyle()) + "<h><p>t</p>");
  EXPECT_EQ(WithPostHeader("<p>t</p>", "<h>"),
            std::string(PostStyle()) + "<h><p>t</p>");
}

TEST(PageTitleTest, TakesTheFirstTitleDecodedAndCollapsed) {
  EXPECT_EQ(PageTitle("<html><head><TITLE lang=en>\n  Tom &amp; Jerry\n"
                      "  news </title><title>x</title>"),
            "Tom & Jerry news");
  EXPECT_EQ(PageTitle("<p>no title</p>"), "");
  EXPECT_EQ(PageTitle("<title>unclosed"), "");
}

}  // namespace
}  // namespace rotguard::restore
