#include "rotguard/extract.h"

#include <gtest/gtest.h>

#include <chrono>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "extract/html.h"
#include "unit/extract/extract_test_util.h"

namespace rotguard {
namespace {

ExtractedDocument Md(std::string_view text,
                     const ExtractOptions& options = {}) {
  return ExtractLinks("content/posts/post.md", text, DocumentFormat::kMarkdown,
                      options);
}

ExtractedDocument Html(std::string_view text,
                       const ExtractOptions& options = {}) {
  return ExtractLinks("site/page.html", text, DocumentFormat::kHtml, options);
}

std::vector<std::string> Urls(const ExtractedDocument& doc) {
  std::vector<std::string> urls;
  for (const Link& link : doc.links) urls.push_back(link.url);
  return urls;
}

std::vector<std::string> Written(const ExtractedDocument& doc) {
  std::vector<std::string> written;
  for (const Link& link : doc.links) written.push_back(link.written);
  return written;
}

std::vector<std::string> Kinds(const ExtractedDocument& doc) {
  std::vector<std::string> kinds;
  for (const Link& link : doc.links) {
    kinds.emplace_back(LinkKindName(link.kind));
  }
  return kinds;
}

using Strings = std::vector<std::string>;

// Every test also checks the span property on its input.
void ExpectSpansHold(std::string_view text, const ExtractedDocument& doc) {
  EXPECT_EQ(testing::SpanViolation(text, doc), "");
}

TEST(ExtractApiTest, LinkKindNamesAreTheSpecWords) {
  EXPECT_EQ(LinkKindName(LinkKind::kLink), "link");
  EXPECT_EQ(LinkKindName(LinkKind::kImage), "image");
  EXPECT_EQ(LinkKindName(LinkKind::kEmbed), "embed");
  EXPECT_EQ(LinkKindName(LinkKind::kFrontmatter), "frontmatter");
  EXPECT_EQ(LinkKindName(LinkKind::kRequisite), "requisite");
}

TEST(ExtractApiTest, FormatFollowsTheExtensionCaseInsensitively) {
  EXPECT_EQ(FormatForPath("a/b.md"), DocumentFormat::kMarkdown);
  EXPECT_EQ(FormatForPath("b.MARKDOWN"), DocumentFormat::kMarkdown);
  EXPECT_EQ(FormatForPath("b.mdx"), DocumentFormat::kMarkdown);
  EXPECT_EQ(FormatForPath("x/index.HTML"), DocumentFormat::kHtml);
  EXPECT_EQ(FormatForPath("x/old.htm"), DocumentFormat::kHtml);
  EXPECT_EQ(FormatForPath("x.md/notes.txt"), std::nullopt);
  EXPECT_EQ(FormatForPath(".md"), std::nullopt);
  EXPECT_EQ(FormatForPath("Makefile"), std::nullopt);
}

// ------------------------------------------------------------ Markdown

TEST(MarkdownExtractTest, InlineLinkSpanIsTheDestination) {
  std::string text = "See [the docs](https://example.com/docs \"Docs\").\n";
  ExtractedDocument doc = Md(text);
  ASSERT_EQ(doc.links.size(), 1u);
  EXPECT_EQ(doc.links[0].written, "https://example.com/docs");
  EXPECT_EQ(doc.links[0].start, text.find("https://"));
  EXPECT_EQ(doc.links[0].line, 1);
  EXPECT_EQ(doc.links[0].column, 16);
  EXPECT_EQ(doc.links[0].kind, LinkKind::kLink);
  ExpectSpansHold(text, doc);
}

TEST(MarkdownExtractTest,
     ReferenceDefinitionUsedTwiceIsOneLinkAtTheDefinition) {
  std::string text =
      "First [one][ref], again [two][ref] and [ref].\n\n"
      "[ref]: https://example.com/ref \"t\"\n"
      "[unused]: https://example.com/unused\n";
  ExtractedDocument doc = Md(text);
  EXPECT_EQ(Written(doc), Strings{"https://example.com/ref"});
  EXPECT_EQ(doc.links[0].line, 3);
  EXPECT_EQ(doc.links[0].column, 8);
  ExpectSpansHold(text, doc);
}

TEST(MarkdownExtractTest, AngleAutolinkAndBareUrlsAreLinks) {
  std::string text = "<https://auto.example/a> and https://bare.example/b\n";
  ExtractedDocument doc = Md(text);
  EXPECT_EQ(Urls(doc),
            (Strings{"https://auto.example/a", "https://bare.example/b"}));
  ExpectSpansHold(text, doc);
}

TEST(MarkdownExtractTest, BareUrlExcludesTrailingPunctuation) {
  std::string text =
      "from E Hacking News https://ift.tt/31zykrh.\n"
      "(see https://example.com/a_(b)) and https://example.com/c, ok\n";
  ExtractedDocument doc = Md(text);
  EXPECT_EQ(Written(doc),
            (Strings{"https://ift.tt/31zykrh", "https://example.com/a_(b)",
                     "https://example.com/c"}));
  ExpectSpansHold(text, doc);
}

TEST(MarkdownExtractTest, WwwAutolinkKeepsItsTextAsSpanAndGetsHttp) {
  std::string text = "Visit www.example.org/page today.\n";
  ExtractedDocument doc = Md(text);
  ASSERT_EQ(doc.links.size(), 1u);
  EXPECT_EQ(doc.links[0].written, "www.example.org/page");
  EXPECT_EQ(doc.links[0].url, "http://www.example.org/page");
  ExpectSpansHold(text, doc);
}

TEST(MarkdownExtractTest, BloggerImageInsideLinkGivesImageAndLink) {
  std::string text =
      "[![](https://1.bp.blogspot.com/-Fx/XjJp/AAAAAAAA/abc/s640/x.jpg)]"
      "(https://1.bp.blogspot.com/-Fx/XjJp/AAAAAAAA/abc/s1600/x.jpg)\n";
  ExtractedDocument doc = Md(text);
  EXPECT_EQ(Kinds(doc), (Strings{"image", "link"}));
  EXPECT_NE(doc.links[0].url.find("/s640/"), std::string::npos);
  EXPECT_NE(doc.links[1].url.find("/s1600/"), std::string::npos);
  ExpectSpansHold(text, doc);
}

TEST(MarkdownExtractTest, EscapesAndEntitiesAreDecodedButSpanIsRaw) {
  std::string text = "[a](https://example.com/a\\_b?x=1&amp;y=2) tail\n";
  ExtractedDocument doc = Md(text);
  ASSERT_EQ(doc.links.size(), 1u);
  EXPECT_EQ(doc.links[0].written, "https://example.com/a\\_b?x=1&amp;y=2");
  EXPECT_EQ(doc.links[0].url, "https://example.com/a_b?x=1&y=2");
  ExpectSpansHold(text, doc);
}

TEST(MarkdownExtractTest, EscapedImageInsideEscapedLinkFindsBothSpans) {
  std::string text =
      "[![](https://i.example/a\\_1.png)](https://l.example/b\\_2)\n";
  ExtractedDocument doc = Md(text);
  EXPECT_EQ(Urls(doc),
            (Strings{"https://i.example/a_1.png", "https://l.example/b_2"}));
  ExpectSpansHold(text, doc);
}

TEST(MarkdownExtractTest, CodeSpansAndCodeBlocksYieldNothing) {
  std::string text =
      "Run `curl https://span.example/x` now.\n\n"
      "```sh\ncurl "
      "https://fenced.example/y\n[a](https://fenced.example/z)\n```\n\n"
      "    https://indented.example/w\n\n"
      "After https://real.example/ok\n";
  ExtractedDocument doc = Md(text);
  EXPECT_EQ(Urls(doc), Strings{"https://real.example/ok"});
}

TEST(MarkdownExtractTest, RawHtmlBlockAndInlineHtmlAreParsed) {
  std::string text =
      "<figure>\n  <img src=\"https://img.example/a.jpg\"\n"
      "       srcset=\"https://img.example/a-1x.jpg 1x, "
      "https://img.example/a-2x.jpg 2x\">\n</figure>\n\n"
      "Inline <a href=\"https://inline.example/\">x</a> here.\n";
  ExtractedDocument doc = Md(text);
  EXPECT_EQ(
      Urls(doc),
      (Strings{"https://img.example/a.jpg", "https://img.example/a-1x.jpg",
               "https://img.example/a-2x.jpg", "https://inline.example/"}));
  EXPECT_EQ(Kinds(doc), (Strings{"image", "image", "image", "link"}));
  ExpectSpansHold(text, doc);
}

TEST(MarkdownExtractTest, MailtoAndRelativeAreSkippedAndCounted) {
  std::string text =
      "[mail](mailto:a@example.com) [tel](tel:+123) [rel](/about/) "
      "[frag](#top) [js](javascript:void(0)) <me@example.com>\n";
  ExtractedDocument doc = Md(text);
  EXPECT_TRUE(doc.links.empty());
  EXPECT_EQ(doc.skipped["mailto"], 2);
  EXPECT_EQ(doc.skipped["tel"], 1);
  EXPECT_EQ(doc.skipped["relative"], 1);
  EXPECT_EQ(doc.skipped["fragment"], 1);
  EXPECT_EQ(doc.skipped["javascript"], 1);
}

TEST(MarkdownExtractTest, RelativeLinksResolveAgainstTheBaseUrl) {
  std::string text = "[about](/about/) ![i](img/a.png)\n";
  ExtractOptions options;
  options.base_url = "https://blog.example/posts/one/";
  ExtractedDocument doc = Md(text, options);
  EXPECT_EQ(Urls(doc), (Strings{"https://blog.example/about/",
                                "https://blog.example/posts/one/img/a.png"}));
  EXPECT_EQ(Written(doc), (Strings{"/about/", "img/a.png"}));
}

TEST(MarkdownExtractTest, ProtocolRelativeBecomesHttps) {
  std::string text = "![x](//cdn.example/p.png)\n";
  ExtractedDocument doc = Md(text);
  ASSERT_EQ(doc.links.size(), 1u);
  EXPECT_EQ(doc.links[0].written, "//cdn.example/p.png");
  EXPECT_EQ(doc.links[0].url, "https://cdn.example/p.png");
}

TEST(MarkdownExtractTest, NormalizedKeyComesFromNormalizeUrl) {
  ExtractedDocument doc = Md("<HTTPS://Example.COM:443/a/../b#frag>\n");
  ASSERT_EQ(doc.links.size(), 1u);
  EXPECT_EQ(doc.links[0].url, "HTTPS://Example.COM:443/a/../b#frag");
  EXPECT_EQ(doc.links[0].normalized, "https://example.com/b");
}

TEST(MarkdownExtractTest, CrlfLineEndingsKeepLinesAndExcludeTheCr) {
  std::string text =
      "a\r\nsee https://crlf.example/x\r\n[b](https://crlf.example/y)\r\n";
  ExtractedDocument doc = Md(text);
  ASSERT_EQ(doc.links.size(), 2u);
  EXPECT_EQ(doc.links[0].written, "https://crlf.example/x");
  EXPECT_EQ(doc.links[0].line, 2);
  EXPECT_EQ(doc.links[0].column, 5);
  EXPECT_EQ(doc.links[1].line, 3);
  ExpectSpansHold(text, doc);
}

// --------------------------------------------------------------- HTML

TEST(HtmlExtractTest, EveryUrlAttributeGetsItsKind) {
  std::string text =
      "<html><head><link rel=stylesheet href=\"https://s.example/a.css\">"
      "<script src='https://s.example/a.js'></script></head><body>"
      "<a href=https://a.example/>a</a>"
      "<img src=\"https://i.example/1.jpg\" "
      "data-src=\"https://i.example/2.jpg\">"
      "<picture><source srcset=\"https://i.example/3.webp\"></picture>"
      "<iframe src=\"https://www.youtube.com/embed/x\"></iframe>"
      "<video src=\"https://v.example/v.mp4\" "
      "poster=\"https://v.example/p.jpg\">"
      "</video><audio src=\"https://v.example/a.mp3\"></audio>"
      "</body></html>";
  ExtractedDocument doc = Html(text);
  EXPECT_EQ(Kinds(doc), (Strings{"requisite", "embed", "link", "image", "image",
                                 "image", "embed", "embed", "image", "embed"}));
  ExpectSpansHold(text, doc);
}

TEST(HtmlExtractTest, LinkRelDecidesBetweenRequisiteAndLink) {
  std::string text =
      "<link rel=\"Shortcut Icon\" href=\"https://s.example/i.ico\">"
      "<link rel=canonical href=\"https://s.example/page\">";
  EXPECT_EQ(Kinds(Html(text)), (Strings{"requisite", "link"}));
}

TEST(HtmlExtractTest, CharacterReferencesAreDecodedInTheUrlNotTheSpan) {
  std::string text = "<a href=\"https://e.example/?a=1&amp;b=2&#x26;c\">x</a>";
  ExtractedDocument doc = Html(text);
  ASSERT_EQ(doc.links.size(), 1u);
  EXPECT_EQ(doc.links[0].written, "https://e.example/?a=1&amp;b=2&#x26;c");
  EXPECT_EQ(doc.links[0].url, "https://e.example/?a=1&b=2&c");
}

TEST(HtmlExtractTest, EachSrcsetCandidateIsItsOwnSpan) {
  std::string text =
      "<img srcset=\"https://i.example/a,1.jpg 1x,https://i.example/b.jpg 2x, "
      "https://i.example/c.jpg\">";
  ExtractedDocument doc = Html(text);
  EXPECT_EQ(Written(doc),
            (Strings{"https://i.example/a,1.jpg", "https://i.example/b.jpg",
                     "https://i.example/c.jpg"}));
  ExpectSpansHold(text, doc);
}

TEST(HtmlExtractTest, SrcsetUrlIsDecodedTextWhileTheSpanKeepsTheBytes) {
  std::string text = "<img srcset=\"https://i.example/\xF7.jpg 1x\">";
  ExtractedDocument doc = Html(text);
  ASSERT_EQ(doc.links.size(), 1u);
  EXPECT_EQ(doc.links[0].written, "https://i.example/\xF7.jpg");
  EXPECT_EQ(doc.links[0].url, "https://i.example/\xEF\xBF\xBD.jpg");
  ExpectSpansHold(text, doc);
}

TEST(HtmlExtractTest, MetaRefreshSpanIsTheUrlInsideContent) {
  std::string text =
      "<meta http-equiv=\"Refresh\" content=\"0; "
      "URL='https://new.example/p'\">";
  ExtractedDocument doc = Html(text);
  ASSERT_EQ(doc.links.size(), 1u);
  EXPECT_EQ(doc.links[0].written, "https://new.example/p");
  EXPECT_EQ(doc.links[0].kind, LinkKind::kLink);
  ExpectSpansHold(text, doc);
}

TEST(HtmlExtractTest, StyleAttributeAndStyleElementUrls) {
  std::string text =
      "<style>@import \"https://c.example/base.css\";\n"
      "body { background: url( 'https://c.example/bg.png' ) }\n"
      "/* url(https://c.example/commented.png) */</style>"
      "<div style=\"background-image:url(https://c.example/div.jpg)\"></div>";
  ExtractedDocument doc = Html(text);
  EXPECT_EQ(Written(doc),
            (Strings{"https://c.example/base.css", "https://c.example/bg.png",
                     "https://c.example/div.jpg"}));
  EXPECT_EQ(Kinds(doc), (Strings{"requisite", "image", "image"}));
  ExpectSpansHold(text, doc);
}

TEST(HtmlExtractTest, BaseHrefResolvesRelativeLinks) {
  std::string text =
      "<head><base href=\"https://site.example/blog/\"></head>"
      "<a href=\"post/1.html\">1</a><img src=\"/img/x.png\">";
  ExtractedDocument doc = Html(text);
  EXPECT_EQ(Urls(doc), (Strings{"https://site.example/blog/post/1.html",
                                "https://site.example/img/x.png"}));
}

TEST(HtmlExtractTest, HundredThousandNestedDivsFinishQuickly) {
  std::string text;
  for (int i = 0; i < 100000; ++i) text += "<div>";
  text += "<a href=\"https://deep.example/\">x</a>";
  auto started = std::chrono::steady_clock::now();
  ExtractedDocument doc = Html(text);
  auto elapsed = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(Urls(doc), Strings{"https://deep.example/"});
  EXPECT_LT(elapsed, std::chrono::seconds(10));
  ExpectSpansHold(text, doc);
}

// ------------------------------------------------------- front matter

TEST(FrontMatterTest, YamlFieldsAndNestedUrlsWithExactSpans) {
  std::string text =
      "---\n"
      "title: \"Coronavirus: what now\"\n"
      "date: 2020-02-08T10:31:00+01:00\n"
      "draft: false\n"
      "aliases:\n  - /old/one/\n  - /old/two/\n"
      "images: [\"https://img.example/a.jpg\", https://img.example/b.jpg]\n"
      "featured_image: 'https://img.example/c.jpg'\n"
      "cover:\n  image: https://img.example/d.jpg # comment\n  alt: x\n"
      "---\n"
      "Body https://body.example/\n";
  ExtractedDocument doc = Md(text);
  EXPECT_EQ(doc.front_matter.title, "Coronavirus: what now");
  EXPECT_EQ(doc.front_matter.date, "2020-02-08T10:31:00+01:00");
  EXPECT_EQ(doc.front_matter.draft, false);
  EXPECT_EQ(doc.front_matter.aliases, (Strings{"/old/one/", "/old/two/"}));
  EXPECT_EQ(Written(doc),
            (Strings{"https://img.example/a.jpg", "https://img.example/b.jpg",
                     "https://img.example/c.jpg", "https://img.example/d.jpg",
                     "https://body.example/"}));
  EXPECT_EQ(Kinds(doc), (Strings{"frontmatter", "frontmatter", "frontmatter",
                                 "frontmatter", "link"}));
  EXPECT_TRUE(doc.warnings.empty());
  ExpectSpansHold(text, doc);
}

TEST(FrontMatterTest, TomlWithUnquotedDatetimeKeepsItAsWritten) {
  std::string text =
      "+++\n"
      "title = 'TOML post'\n"
      "date = 2023-10-15T13:18:50-07:00\n"
      "draft = true\n"
      "aliases = [\"/a/\"]\n"
      "[params]\n"
      "  images = [\"https://img.example/t.jpg\"]\n"
      "  \"https://not-a-value.example/\" = 1\n"
      "+++\n"
      "Body\n";
  ExtractedDocument doc = Md(text);
  EXPECT_EQ(doc.front_matter.title, "TOML post");
  EXPECT_EQ(doc.front_matter.date, "2023-10-15T13:18:50-07:00");
  EXPECT_EQ(doc.front_matter.draft, true);
  EXPECT_EQ(doc.front_matter.aliases, Strings{"/a/"});
  EXPECT_EQ(Written(doc), Strings{"https://img.example/t.jpg"});
  ExpectSpansHold(text, doc);
}

TEST(FrontMatterTest, JsonFrontMatterWithEscapedSlashes) {
  std::string text =
      "{\n  \"title\": \"JSON post\",\n  \"date\": \"2023-10-15\",\n"
      "  \"cover\": {\"image\": \"https:\\/\\/img.example\\/j.jpg\"}\n}\n"
      "Body\n";
  ExtractedDocument doc = Md(text);
  EXPECT_EQ(doc.front_matter.title, "JSON post");
  EXPECT_EQ(doc.front_matter.date, "2023-10-15");
  ASSERT_EQ(doc.links.size(), 1u);
  EXPECT_EQ(doc.links[0].url, "https://img.example/j.jpg");
  EXPECT_EQ(doc.links[0].written, "https:\\/\\/img.example\\/j.jpg");
}

TEST(FrontMatterTest, BomIsCountedInOffsets) {
  std::string text =
      "\xEF\xBB\xBF---\ntitle: BOM\nimage: https://b.example/x.png\n---\n";
  ExtractedDocument doc = Md(text);
  EXPECT_EQ(doc.front_matter.title, "BOM");
  ASSERT_EQ(doc.links.size(), 1u);
  EXPECT_EQ(doc.links[0].start, text.find("https://"));
  EXPECT_EQ(doc.links[0].line, 3);
  EXPECT_EQ(doc.links[0].column, 8);
}

TEST(FrontMatterTest, UnterminatedFrontMatterWarnsAndIsBody) {
  std::string text = "---\ntitle: never closed\n\nSee https://body.example/\n";
  ExtractedDocument doc = Md(text);
  ASSERT_EQ(doc.warnings.size(), 1u);
  EXPECT_EQ(doc.warnings[0].line, 1);
  EXPECT_EQ(doc.warnings[0].message, "unterminated front matter");
  EXPECT_EQ(doc.front_matter.title, "");
  EXPECT_EQ(Urls(doc), Strings{"https://body.example/"});
}

TEST(FrontMatterTest, UnreadableYamlLineWarnsWithItsLine) {
  std::string text = "---\ntitle: ok\nthis line has no colon\n---\n";
  ExtractedDocument doc = Md(text);
  ASSERT_EQ(doc.warnings.size(), 1u);
  EXPECT_EQ(doc.warnings[0].line, 3);
  EXPECT_EQ(doc.front_matter.title, "ok");
}

TEST(FrontMatterTest, JekyllDateComesFromThePostFileName) {
  std::string text = "---\ntitle: j\n---\nx\n";
  ExtractedDocument doc = ExtractLinks("site/_posts/2020-02-08-corona.md", text,
                                       DocumentFormat::kMarkdown);
  EXPECT_EQ(doc.front_matter.date, "2020-02-08");
  ExtractedDocument dated =
      ExtractLinks("site/_posts/2020-02-08-corona.md",
                   "---\ndate: 2021-01-01\n---\n", DocumentFormat::kMarkdown);
  EXPECT_EQ(dated.front_matter.date, "2021-01-01");
  ExtractedDocument hugo =
      ExtractLinks("content/2020-02-08-x.md", text, DocumentFormat::kMarkdown);
  EXPECT_EQ(hugo.front_matter.date, "");
}

TEST(FrontMatterTest, TomlSyntaxErrorWarnsWithTheFileLine) {
  std::string text =
      "+++\ntitle = \"ok\"\ndate = = 3\n+++\nhttps://b.example/x\n";
  ExtractedDocument doc = Md(text);
  ASSERT_EQ(doc.warnings.size(), 1u);
  EXPECT_NE(doc.warnings[0].message.find("line 3"), std::string::npos)
      << doc.warnings[0].message;
  EXPECT_EQ(Urls(doc), Strings{"https://b.example/x"});
}

// --------------------------------------------------------- shortcodes

TEST(ShortcodeTest, EmbedShortcodesMapToCanonicalUrlsWithWholeSpan) {
  std::string text =
      "{{< youtube w7Ft2ymGmfc >}}\n\n"
      "{{< youtube id=\"abc_DEF-1\" autoplay=\"true\" >}}\n\n"
      "{{< vimeo 146022717 >}}\n\n"
      "{{< instagram CxOWiQNP2MO >}}\n\n"
      "{{< x user=\"SanDiegoZoo\" id=\"1453110110599868418\" >}}\n\n"
      "{{< tweet user=\"GoHugoIO\" id=\"1315233626070503424\" >}}\n\n"
      "{{< tweet 877500564405444608 >}}\n\n"
      "{{< twitter spf13 666616452582129664 >}}\n\n"
      "{{% gist spf13 7896402 \"img.html\" %}}\n\n"
      "{{< gist user=\"jmooring\" id=\"23932424365401ffa5e9d9810102a477\" "
      ">}}\n";
  ExtractedDocument doc = Md(text);
  EXPECT_EQ(Urls(doc),
            (Strings{"https://www.youtube.com/embed/w7Ft2ymGmfc",
                     "https://www.youtube.com/embed/abc_DEF-1",
                     "https://player.vimeo.com/video/146022717",
                     "https://www.instagram.com/p/CxOWiQNP2MO",
                     "https://x.com/SanDiegoZoo/status/1453110110599868418",
                     "https://x.com/GoHugoIO/status/1315233626070503424",
                     "https://x.com/i/status/877500564405444608",
                     "https://x.com/spf13/status/666616452582129664",
                     "https://gist.github.com/spf13/7896402",
                     "https://gist.github.com/jmooring/"
                     "23932424365401ffa5e9d9810102a477"}));
  for (const Link& link : doc.links) {
    EXPECT_EQ(link.kind, LinkKind::kEmbed);
    EXPECT_EQ(link.written.substr(0, 2), "{{");
    EXPECT_EQ(link.written.substr(link.written.size() - 2), "}}");
  }
  ExpectSpansHold(text, doc);
}

TEST(ShortcodeTest, FigureSrcIsImageAndLinkIsLinkAtTheirValues) {
  std::string text =
      "{{< figure src=\"https://img.example/f.jpg\" "
      "link=\"https://full.example/f\" caption=\"see https://cap.example/\" "
      ">}}\n";
  ExtractedDocument doc = Md(text);
  EXPECT_EQ(Written(doc),
            (Strings{"https://img.example/f.jpg", "https://full.example/f"}));
  EXPECT_EQ(Kinds(doc), (Strings{"image", "link"}));
  ExpectSpansHold(text, doc);
}

TEST(ShortcodeTest, EscapedShortcodeAndShortcodeInCodeAreNotLinks) {
  std::string text =
      "{{</* youtube w7Ft2ymGmfc */>}}\n\n"
      "`{{< vimeo 146022717 >}}`\n\n"
      "```\n{{< instagram CxOWiQNP2MO >}}\n```\n";
  ExtractedDocument doc = Md(text);
  EXPECT_TRUE(doc.links.empty());
}

TEST(ShortcodeTest, LiquidIsNeverALiteralUrl) {
  std::string text =
      "![logo]({{site.baseurl}}/images/logo.png)\n\n"
      "{% twitter https://twitter.com/jekyllrb/status/1 %}\n\n"
      "{% raw %}\nhttps://raw.example/not-a-link\n{% endraw %}\n\n"
      "Real https://real.example/\n";
  ExtractedDocument doc = Md(text);
  EXPECT_EQ(Urls(doc), Strings{"https://real.example/"});
  EXPECT_EQ(doc.skipped["liquid"], 1);
}

TEST(ShortcodeTest, StrayLiquidBraceDoesNotHideLaterLinks) {
  std::string text = "Templates use {{ and {% a lot.\n\n";
  text += std::string(2000, 'x') + "\n\nhttps://later.example/ %} }}\n";
  EXPECT_EQ(Urls(Md(text)), Strings{"https://later.example/"});
}

// ------------------------------------------------------------- ignore

TEST(IgnoreCommentTest, IgnoreSkipsOnlyTheNextLink) {
  std::string text =
      "<!-- rotguard-ignore -->\n[a](https://ignored.example/) "
      "[b](https://kept.example/)\n";
  ExtractedDocument doc = Md(text);
  EXPECT_EQ(Urls(doc), Strings{"https://kept.example/"});
  EXPECT_EQ(doc.skipped["ignored"], 1);
}

TEST(IgnoreCommentTest, StartEndSkipsEverythingBetween) {
  std::string text =
      "https://before.example/\n\n<!-- rotguard-ignore-start -->\n\n"
      "https://one.example/ <img src=\"https://two.example/i.png\">\n\n"
      "{{< youtube w7Ft2ymGmfc >}}\n\n<!-- rotguard-ignore-end -->\n\n"
      "https://after.example/\n";
  ExtractedDocument doc = Md(text);
  EXPECT_EQ(Urls(doc),
            (Strings{"https://before.example/", "https://after.example/"}));
  EXPECT_EQ(doc.skipped["ignored"], 3);
}

TEST(IgnoreCommentTest, IgnoreWorksInHtmlDocuments) {
  std::string text =
      "<p><!-- rotguard-ignore --><a href=\"https://x.example/\">x</a>"
      "<a href=\"https://y.example/\">y</a></p>";
  EXPECT_EQ(Urls(Html(text)), Strings{"https://y.example/"});
}

// ---------------------------------------------------------- bad input

TEST(BadInputTest, NulInTheFirst8KibIsABinaryFileWithNoLinks) {
  std::string text = "https://x.example/ ";
  text += '\0';
  ExtractedDocument doc = Md(text);
  EXPECT_TRUE(doc.links.empty());
  ASSERT_EQ(doc.warnings.size(), 1u);
  EXPECT_EQ(doc.warnings[0].message, "binary file");
}

TEST(BadInputTest, InvalidUtf8WarnsAtTheFirstBadByteAndGoesOn) {
  std::string text = "ok\nab\xC3\x28 https://after.example/\n";
  ExtractedDocument doc = Md(text);
  ASSERT_EQ(doc.warnings.size(), 1u);
  EXPECT_EQ(doc.warnings[0].line, 2);
  EXPECT_EQ(doc.warnings[0].column, 3);
  EXPECT_EQ(Urls(doc), Strings{"https://after.example/"});
}

TEST(BadInputTest, TwentyMegabyteSingleLineIsLinear) {
  std::string text;
  const std::string chunk = "lorem ipsum dolor https://big.example/p?x=1 sit ";
  while (text.size() < 20u * 1024 * 1024) text += chunk;
  size_t expected = text.size() / chunk.size();
  auto started = std::chrono::steady_clock::now();
  ExtractedDocument doc = Md(text);
  auto elapsed = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(doc.links.size(), expected);
  EXPECT_EQ(doc.links.back().line, 1);
  EXPECT_LT(elapsed, std::chrono::seconds(20));
}

TEST(BadInputTest, ManyUsesOfAnEscapedReferenceStayFast) {
  std::string text = "[r]: https://ref.example/a\\_b\n\n";
  for (int i = 0; i < 50000; ++i) text += "[x][r] filler text here\n";
  auto started = std::chrono::steady_clock::now();
  ExtractedDocument doc = Md(text);
  auto elapsed = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(Urls(doc), Strings{"https://ref.example/a_b"});
  EXPECT_LT(elapsed, std::chrono::seconds(20));
}

TEST(BadInputTest, MalformedHtmlDoesNotCrash) {
  std::string text =
      "<a href=\"https://ok.example/\"<img src='https://x.example/\n"
      "<meta http-equiv=refresh content=\"0;url=\"><style>url(</style>"
      "<img srcset=\", , ,\"><a href=>";
  ExtractedDocument doc = Html(text);
  ExpectSpansHold(text, doc);
  ExtractedDocument as_markdown = Md(text);
  ExpectSpansHold(text, as_markdown);
}

// DecodeCharacterReferences copies text with a '&' that starts no
// reference without asking gumbo; it must give what gumbo gives for every
// string, including legacy references without ';' (`&not`, `&copy`) before
// '=', letters, digits or the end.
TEST(CharacterReferenceTest, ShortcutGivesWhatGumboGivesForEveryShape) {
  const std::vector<std::string> pieces = {
      "&", "amp", "copy", "not", "notin", "lt",       "x", "1", "=",    ";",
      "#", "#38", "'",    " ",   "\r",    "\xC3\xA9", "/", "?", "\x01", "\xFF"};
  auto expect_same = [](const std::string& text) {
    EXPECT_EQ(extract::DecodeCharacterReferences(text),
              extract::DecodeCharacterReferencesWithGumbo(text))
        << text;
  };
  for (const std::string& a : pieces) {
    for (const std::string& b : pieces) {
      for (const std::string& c : pieces) expect_same("&" + a + b + c);
    }
  }
  std::mt19937 random(20261207U);
  std::uniform_int_distribution<size_t> pick(0, pieces.size() - 1);
  for (int round = 0; round < 3000; ++round) {
    std::string text = "https://h.example/p?a=1";
    for (int k = 0; k < 6; ++k) text += pieces[pick(random)];
    expect_same(text);
  }
}

TEST(CharacterReferenceTest, QueryStringAmpersandsAreKeptWithoutDecoding) {
  EXPECT_EQ(extract::DecodeCharacterReferences("https://h/p?id=1&ref=x&b=2"),
            "https://h/p?id=1&ref=x&b=2");
  EXPECT_EQ(extract::DecodeCharacterReferences("https://h/p?a=1&amp;b=2"),
            "https://h/p?a=1&b=2");
  EXPECT_EQ(extract::DecodeCharacterReferences("a&copy b"), "a\xC2\xA9 b");
}

}  // namespace
}  // namespace rotguard
