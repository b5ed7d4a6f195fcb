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
                         "assets/example.com/x.html", 1581156000000000, "",
                         ""});
  first.links.push_back(
      {"https://gone.example/", "image", "", 0, "no capture in the store", ""});
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
      "<p>Source: <a href=\"posts/content/a&amp;b.md\">content/a&amp;b.md"
      "</a></p>\n<table>\n"
      "<tr><td>link</td><td><a href=\"assets/example.com/x.html\">"
      "https://ift.tt/x</a></td><td>archived 2020-02-08 10:00:00Z</td></tr>\n"
      "<tr><td>image</td><td>https://gone.example/</td>"
      "<td class=\"missing\">not captured: no capture in the store</td></tr>\n"
      "</table>\n";
  std::string expected_second =
      "<h2><a href=\"posts/b.md.html\">B</a></h2>\n"
      "<p>Source: <a href=\"posts/b.md\">b.md</a></p>\n<table>\n</table>\n";
  size_t at = html.find("<h1>Restored posts</h1>\n");
  ASSERT_NE(at, std::string::npos);
  EXPECT_EQ(html.substr(at), "<h1>Restored posts</h1>\n" + expected_first +
                                 expected_second + "</body></html>\n");
}

TEST(IndexPageTest, NoPostsIsAnEmptyList) {
  std::string html = IndexHtml({});
  EXPECT_TRUE(html.ends_with("<h1>Restored posts</h1>\n</body></html>\n"));
}

}  // namespace
}  // namespace rotguard::restore
