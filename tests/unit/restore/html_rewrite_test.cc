// Link rewriting for restore (src/restore/html_rewrite.h): everything but
// the replaced URL spans stays byte for byte.
#include "restore/html_rewrite.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace rotguard::restore {
namespace {

using Locals = std::map<std::string, std::string>;

LocalFileOf From(const Locals& locals) {
  return [&locals](const std::string& url) -> std::optional<std::string> {
    auto it = locals.find(url);
    if (it == locals.end()) return std::nullopt;
    return it->second;
  };
}

TEST(HtmlRewriteTest, EditsApplyInSpanOrderAndOverlapsOrOutOfRangeAreDropped) {
  std::string_view text = "0123456789";
  EXPECT_EQ(ApplyEdits(text, {{6, 8, "B"}, {1, 3, "A"}}), "0A345B89");
  EXPECT_EQ(ApplyEdits(text, {{1, 5, "A"}, {3, 7, "X"}}), "0A56789");
  EXPECT_EQ(ApplyEdits(text, {{8, 11, "X"}, {5, 4, "Y"}}), text);
  EXPECT_EQ(ApplyEdits(text, {{0, 0, "<"}, {10, 10, ">"}}), "<0123456789>");
  EXPECT_EQ(ApplyEdits(text, {}), text);
}

TEST(HtmlRewriteTest, CspMetaGoesRightAfterTheHeadStartTag) {
  std::string csp(kCspMeta);
  EXPECT_EQ(WithCspMeta("<html><HEAD lang=en><title>t</title>", ""),
            "<html><HEAD lang=en>" + csp + "<title>t</title>");
  // <header> is not <head>; an early doctype is the next best place.
  EXPECT_EQ(WithCspMeta("<!DOCTYPE html><header>x</header>", ""),
            "<!DOCTYPE html>" + csp + "<header>x</header>");
  EXPECT_EQ(WithCspMeta("<p>bare</p>", ""), csp + "<p>bare</p>");
  // An unclosed <head falls back to the doctype too.
  EXPECT_EQ(WithCspMeta("<!doctype html><head", ""),
            "<!doctype html>" + csp + "<head");
}

TEST(HtmlRewriteTest, CharsetFromContentTypeIsAddedOnlyWhenThePageHasNone) {
  std::string csp(kCspMeta);
  EXPECT_EQ(WithCspMeta("<head><p>", "text/html; Charset=\"ISO-8859-1\""),
            "<head><meta charset=\"ISO-8859-1\">" + csp + "<p>");
  EXPECT_EQ(WithCspMeta("<head><meta charset=utf-8>", "text/html; charset=x"),
            "<head>" + csp + "<meta charset=utf-8>");
  EXPECT_EQ(WithCspMeta("<head>", "text/html; charset=\"<>\""), "<head>" + csp);
}

TEST(HtmlRewriteTest, PageRewritesOnlyTheUrlSpansByteForByte) {
  const std::string page =
      "<!doctype html><html><head>\n"
      "<link rel=stylesheet href='/s.css'>  <!-- kept: a comment -->\n"
      "</head><body>\n"
      "<a href=\"https://other.example/p\">restored page</a>\n"
      "<a href=\"https://never.example/\">not restored</a>\n"
      "<IMG SRC=/img.png alt=\"x\"> <img "
      "src=\"https://cdn.example/gone.png\">\n"
      "</body></html>";
  Locals pages = {{"https://other.example/p", "assets/other.example/p.html"}};
  Locals requisites = {
      {"https://site.example/s.css", "assets/site.example/s.css"},
      {"https://site.example/img.png", "assets/site.example/img.png"}};
  std::string out = RewritePage(page, "https://site.example/dir/page.html",
                                "assets/site.example/dir/page.html",
                                From(pages), From(requisites));
  EXPECT_EQ(out,
            "<!doctype html><html><head>\n"
            "<link rel=stylesheet href='../s.css'>  <!-- kept: a comment -->\n"
            "</head><body>\n"
            "<a href=\"../../other.example/p.html\">restored page</a>\n"
            "<a href=\"https://never.example/\">not restored</a>\n"
            "<IMG SRC=../img.png alt=\"x\"> <img src=\"\">\n"
            "</body></html>");
}

TEST(HtmlRewriteTest, StylesheetUrlsPointAtLocalCopiesAndDataUrlsStay) {
  const std::string css =
      "a{background:url(\"/bg.png\")}\n"
      "b{background:url(data:image/png;base64,AAAA)}\n"
      "@import 'https://fonts.example/f.css';\n"
      "c{background:url(img/missing.png)}";
  Locals requisites = {
      {"https://site.example/bg.png", "assets/site.example/bg.png"},
      {"https://fonts.example/f.css", "assets/fonts.example/f.css"}};
  EXPECT_EQ(RewriteCss(css, "https://site.example/css/main.css",
                       "assets/site.example/css/main.css", From(requisites)),
            "a{background:url(\"../bg.png\")}\n"
            "b{background:url(data:image/png;base64,AAAA)}\n"
            "@import '../../fonts.example/f.css';\n"
            "c{background:url()}");
}

TEST(HtmlRewriteTest, RenderedPostCopiesSiteImagesAndDropsRemoteOnes) {
  const std::string html =
      "<p><img src=\"images/a.png\"> <img src=\"/static/b.png\"> "
      "<img src=\"https://remote.example/c.png\"> "
      "<img src=\"../assets/x/d.png\"> "
      "<a href=\"https://remote.example/\">link</a></p>";
  std::vector<std::string> asked;
  std::string out = RewriteRenderedPost(
      html, "posts/blog/p.md.html",
      [](const std::string& name) { return name == "posts/assets/x/d.png"; },
      [&](const std::string& written) -> std::optional<std::string> {
        asked.push_back(written);
        if (written == "images/a.png") return "site/blog/images/a.png";
        return std::nullopt;
      });
  EXPECT_EQ(out,
            "<p><img src=\"../../site/blog/images/a.png\"> <img src=\"\"> "
            "<img src=\"\"> "
            "<img src=\"../assets/x/d.png\"> "
            "<a href=\"https://remote.example/\">link</a></p>");
  EXPECT_EQ(asked, (std::vector<std::string>{"images/a.png", "/static/b.png"}));
}

// Issue #14: a file:///, ftp: or other non-http(s) subresource is never
// captured, so the offline copy must not keep it (it would read the
// viewer's own disk); data: URLs are inline and stay, <a href> stays.
TEST(HtmlRewriteTest, NonHttpSubresourcesAreDroppedFromRenderedPostsAndPages) {
  const std::string html =
      "<img src=\"file:///etc/passwd\"> <img src=\"FILE:///c:/x.png\"> "
      "<iframe src=\"ftp://ftp.example/f\"></iframe> "
      "<img src=\"data:image/png;base64,AAAA\"> "
      "<a href=\"mailto:me@example.com\">mail</a>";
  const std::string expected =
      "<img src=\"\"> <img src=\"\"> <iframe src=\"\"></iframe> "
      "<img src=\"data:image/png;base64,AAAA\"> "
      "<a href=\"mailto:me@example.com\">mail</a>";
  EXPECT_EQ(
      RewriteRenderedPost(
          html, "posts/p.md.html", [](const std::string&) { return false; },
          [](const std::string&) { return std::optional<std::string>(); }),
      expected);
  EXPECT_EQ(RewritePage(html, "https://site.example/p.html",
                        "assets/site.example/p.html", From({}), From({})),
            expected);
}

TEST(HtmlRewriteTest, MimeTypeIgnoresParametersAndCase) {
  EXPECT_EQ(MimeOf(" Text/HTML ; charset=utf-8"), "text/html");
  EXPECT_TRUE(IsHtml("application/xhtml+xml"));
  EXPECT_FALSE(IsHtml("text/plain"));
}

}  // namespace
}  // namespace rotguard::restore
