// Front matter read by libyaml and toml++: YAML 1.2 scalar forms, exact
// spans of URL values, and what survives a block its parser rejects.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "rotguard/extract.h"
#include "unit/extract/extract_test_util.h"

namespace rotguard {
namespace {

using Strings = std::vector<std::string>;

ExtractedDocument Md(std::string_view text) {
  return ExtractLinks("content/posts/post.md", text, DocumentFormat::kMarkdown);
}

std::string Title(std::string_view yaml) {
  return Md("---\n" + std::string(yaml) + "---\nBody\n").front_matter.title;
}

// The frontmatter links as "written -> url".
Strings FrontMatterLinks(const ExtractedDocument& doc) {
  Strings links;
  for (const Link& link : doc.links) {
    if (link.kind != LinkKind::kFrontmatter) continue;
    links.push_back(link.written + " -> " + link.url);
  }
  return links;
}

void ExpectSpansHold(std::string_view text, const ExtractedDocument& doc) {
  EXPECT_EQ(testing::SpanViolation(text, doc), "");
}

// ------------------------------------------------------------ YAML values

TEST(YamlFrontMatterTest, SingleQuotedTitleContinuedOnTheNextLineIsFolded) {
  EXPECT_EQ(Title("title: 'It''s a long\n  title'\n"), "It's a long title");
}

TEST(YamlFrontMatterTest, MultiLinePlainTitleIsFolded) {
  EXPECT_EQ(Title("title: A plain title\n  over two lines\ndate: x\n"),
            "A plain title over two lines");
}

TEST(YamlFrontMatterTest, DoubleQuotedTitleDecodesEscapesAndFoldsLines) {
  EXPECT_EQ(Title("title: \"Tab\\there \\u00e9\n  next \\\n  joined\"\n"),
            "Tab\there \xC3\xA9 next joined");
}

TEST(YamlFrontMatterTest, BlockScalarTitlesLoseOnlyTheirSurroundingBlanks) {
  EXPECT_EQ(Title("title: >\n  folded\n  title\n"), "folded title");
  EXPECT_EQ(Title("title: |\n  literal\n  title\n"), "literal\ntitle");
  EXPECT_EQ(Title("title: >-\n  stripped\n"), "stripped");
}

TEST(YamlFrontMatterTest, AliasGivesTheAnchoredValue) {
  ExtractedDocument doc = Md("---\nsite_name: &name Blog\ntitle: *name\n---\n");
  EXPECT_EQ(doc.front_matter.title, "Blog");
}

TEST(YamlFrontMatterTest, CommentsAreNeitherValuesNorLinks) {
  std::string text =
      "---\n# https://comment.example/\ntitle: T # a comment\n"
      "image: https://img.example/a.jpg # https://comment.example/b\n---\n";
  ExtractedDocument doc = Md(text);
  EXPECT_EQ(doc.front_matter.title, "T");
  EXPECT_EQ(FrontMatterLinks(doc),
            Strings{"https://img.example/a.jpg -> https://img.example/a.jpg"});
  EXPECT_TRUE(doc.warnings.empty());
}

TEST(YamlFrontMatterTest, NullTitleStaysEmpty) {
  EXPECT_EQ(Title("title: ~\n"), "");
  EXPECT_EQ(Title("title:\n"), "");
  EXPECT_EQ(Title("title: '~'\n"), "~");
}

TEST(YamlFrontMatterTest, NestedTitleKeysAreNotThePageTitle) {
  EXPECT_EQ(Title("params:\n  title: nested\n"), "");
  EXPECT_EQ(Title("params: {title: nested}\ntitle: top\n"), "top");
}

TEST(YamlFrontMatterTest, AliasesComeFromABlockOrFlowListOrAScalar) {
  EXPECT_EQ(Md("---\naliases:\n  - /a/\n  - '/b/'\n---\n").front_matter.aliases,
            (Strings{"/a/", "/b/"}));
  EXPECT_EQ(Md("---\naliases: [/a/, \"/b/\"]\n---\n").front_matter.aliases,
            (Strings{"/a/", "/b/"}));
  EXPECT_EQ(Md("---\naliases: /only/\n---\n").front_matter.aliases,
            Strings{"/only/"});
}

// ------------------------------------------------------------- YAML spans

TEST(YamlFrontMatterTest, UrlSpanIsTheScalarBytesInEveryOneLineStyle) {
  std::string text =
      "---\n"
      "a: https://x.example/plain\n"
      "b: 'https://x.example/single'\n"
      "c: \"https://x.example/double\"\n"
      "d: [https://x.example/flow, 'https://x.example/flow-quoted']\n"
      "e: {u: https://x.example/map}\n"
      "---\n";
  ExtractedDocument doc = Md(text);
  EXPECT_EQ(
      FrontMatterLinks(doc),
      (Strings{
          "https://x.example/plain -> https://x.example/plain",
          "https://x.example/single -> https://x.example/single",
          "https://x.example/double -> https://x.example/double",
          "https://x.example/flow -> https://x.example/flow",
          "https://x.example/flow-quoted -> https://x.example/flow-quoted",
          "https://x.example/map -> https://x.example/map",
      }));
  ExpectSpansHold(text, doc);
}

TEST(YamlFrontMatterTest, EscapedUrlSpanIsTheSourceBytesAndUrlTheValue) {
  std::string text = "---\na: \"https:\\/\\/x.example\\/e\"\n---\n";
  ExtractedDocument doc = Md(text);
  EXPECT_EQ(FrontMatterLinks(doc),
            Strings{"https:\\/\\/x.example\\/e -> https://x.example/e"});
  ExpectSpansHold(text, doc);
}

TEST(YamlFrontMatterTest, BlockScalarUrlSpanIsItsContentLineOnly) {
  std::string text =
      "---\n"
      "a: >-  # header comment\n\n  https://x.example/folded\n\n"
      "b: |\n  https://x.example/literal\n"
      "---\n";
  ExtractedDocument doc = Md(text);
  EXPECT_EQ(
      FrontMatterLinks(doc),
      (Strings{"https://x.example/folded -> https://x.example/folded",
               "https://x.example/literal -> https://x.example/literal"}));
  ExpectSpansHold(text, doc);
}

TEST(YamlFrontMatterTest, MultiLinePlainUrlSpansItsLinesAndUrlIsFolded) {
  std::string text = "---\na: https://x.example/a\n  /b\nc: d\n---\n";
  ExtractedDocument doc = Md(text);
  EXPECT_EQ(FrontMatterLinks(doc),
            Strings{"https://x.example/a\n  /b -> https://x.example/a /b"});
  ExpectSpansHold(text, doc);
}

TEST(YamlFrontMatterTest, AnchorAndTagAreOutsideTheSpanAndAliasAddsNoLink) {
  std::string text =
      "---\nimg: &hero !!str\n  https://x.example/hero.jpg\n"
      "og: *hero\n---\n";
  ExtractedDocument doc = Md(text);
  EXPECT_EQ(
      FrontMatterLinks(doc),
      Strings{"https://x.example/hero.jpg -> https://x.example/hero.jpg"});
  ExpectSpansHold(text, doc);
}

TEST(YamlFrontMatterTest, NonAsciiBeforeAUrlKeepsByteOffsets) {
  // libyaml counts characters; the span must still be in bytes.
  std::string text =
      "---\ntitle: \"Caf\xC3\xA9 \xF0\x9F\x8E\x89\"\r\n"
      "image: https://x.example/after-utf8\r\n---\r\n";
  ExtractedDocument doc = Md(text);
  ASSERT_EQ(doc.links.size(), 1u);
  EXPECT_EQ(doc.links[0].start, text.find("https://"));
  EXPECT_EQ(doc.links[0].written, "https://x.example/after-utf8");
  EXPECT_EQ(doc.links[0].line, 3);
  EXPECT_EQ(doc.links[0].column, 8);
}

TEST(YamlFrontMatterTest, KeysAreNotLinks) {
  std::string text =
      "---\n\"https://k.example/\": 1\n? https://k.example/complex\n: v\n"
      "? [https://k.example/in-key]\n: https://v.example/\n---\n";
  ExtractedDocument doc = Md(text);
  EXPECT_EQ(FrontMatterLinks(doc),
            Strings{"https://v.example/ -> https://v.example/"});
  EXPECT_TRUE(doc.warnings.empty());
}

TEST(YamlFrontMatterTest, ProseThatMerelyContainsAUrlIsNotALink) {
  std::string text = "---\nsummary: see https://x.example/ for more\n---\n";
  EXPECT_TRUE(FrontMatterLinks(Md(text)).empty());
}

// ---------------------------------------------------------- YAML errors

TEST(YamlFrontMatterTest, ParseErrorWarnsOnceAtItsLineAndKeepsLaterLinks) {
  std::string text =
      "---\ntitle: kept\n\tbad: https://x.example/in-error\n"
      "image: 'https://x.example/after'\n---\n";
  ExtractedDocument doc = Md(text);
  ASSERT_EQ(doc.warnings.size(), 1u);
  EXPECT_EQ(doc.warnings[0].line, 3);
  EXPECT_NE(doc.warnings[0].message.find("invalid YAML"), std::string::npos);
  EXPECT_EQ(doc.front_matter.title, "kept");
  EXPECT_EQ(FrontMatterLinks(doc),
            (Strings{"https://x.example/in-error -> https://x.example/in-error",
                     "https://x.example/after -> https://x.example/after"}));
  ExpectSpansHold(text, doc);
}

TEST(YamlFrontMatterTest, TitleAfterAParseErrorIsReadByTheLineScanner) {
  std::string text = "---\nimages: [a, b\ntitle: Salvaged title\n---\n";
  ExtractedDocument doc = Md(text);
  EXPECT_EQ(doc.warnings.size(), 1u);
  EXPECT_EQ(doc.front_matter.title, "Salvaged title");
}

TEST(YamlFrontMatterTest, FlowNestedPastTheDepthLimitWarnsAndFinishesQuickly) {
  std::string text = "---\nx: " + std::string(200000, '[') + "\n" +
                     "title: after the nest\n" +
                     "image: https://x.example/after-nest\n---\n";
  auto started = std::chrono::steady_clock::now();
  ExtractedDocument doc = Md(text);
  auto elapsed = std::chrono::steady_clock::now() - started;
  EXPECT_LT(elapsed, std::chrono::seconds(10));
  ASSERT_EQ(doc.warnings.size(), 1u);
  EXPECT_NE(doc.warnings[0].message.find("nested deeper"), std::string::npos);
  EXPECT_EQ(doc.front_matter.title, "after the nest");
  EXPECT_EQ(FrontMatterLinks(doc), Strings{"https://x.example/after-nest -> "
                                           "https://x.example/after-nest"});
}

// ------------------------------------------------------------------ TOML

TEST(TomlFrontMatterTest, NewlineInABasicStringKeepsLinksAndTitle) {
  std::string text =
      "+++\n"
      "title = \"An old\n"
      "title\"\n"
      "images = [\"https://img.example/a.jpg\"]\n"
      "[params]\n"
      "  title = \"not the page title\"\n"
      "  cover = 'https://img.example/c.jpg'\n"
      "+++\n"
      "Body https://body.example/\n";
  ExtractedDocument doc = Md(text);
  ASSERT_EQ(doc.warnings.size(), 1u);
  EXPECT_EQ(doc.warnings[0].line, 2);
  EXPECT_NE(doc.warnings[0].message.find("TOML error at line 2"),
            std::string::npos)
      << doc.warnings[0].message;
  EXPECT_EQ(doc.front_matter.title, "An old\ntitle");
  EXPECT_EQ(
      FrontMatterLinks(doc),
      (Strings{"https://img.example/a.jpg -> https://img.example/a.jpg",
               "https://img.example/c.jpg -> https://img.example/c.jpg"}));
  ExpectSpansHold(text, doc);
}

TEST(TomlFrontMatterTest, RejectedBlockWarningNamesTheErrorLine) {
  std::string text =
      "+++\ntitle = \"ok\"\ndraft = true\ndate = = 3\n"
      "image = \"https://img.example/x.jpg\"\n+++\n";
  ExtractedDocument doc = Md(text);
  ASSERT_EQ(doc.warnings.size(), 1u);
  EXPECT_EQ(doc.warnings[0].line, 4);
  EXPECT_EQ(doc.front_matter.title, "ok");
  EXPECT_EQ(doc.front_matter.draft, true);
  EXPECT_EQ(doc.front_matter.date, "");
  EXPECT_EQ(FrontMatterLinks(doc),
            Strings{"https://img.example/x.jpg -> https://img.example/x.jpg"});
}

// ------------------------------------------------ permalink fields

TEST(PermalinkFrontMatterTest, SlugUrlPermalinkAndCategoriesInEveryFormat) {
  for (std::string_view text :
       {std::string_view("---\nslug: s\nurl: /u/\npermalink: /p/\n"
                         "categories: [A, B]\ncategory: C\n---\n"),
        std::string_view("+++\nslug = 's'\nurl = '/u/'\npermalink = '/p/'\n"
                         "categories = ['A', 'B']\ncategory = 'C'\n+++\n"),
        std::string_view("{\"slug\": \"s\", \"url\": \"/u/\", \"permalink\": "
                         "\"/p/\", \"categories\": [\"A\", \"B\"], "
                         "\"category\": \"C\"}\n")}) {
    FrontMatter fm = Md(text).front_matter;
    EXPECT_EQ(fm.slug, "s") << text;
    EXPECT_EQ(fm.url, "/u/") << text;
    EXPECT_EQ(fm.permalink, "/p/") << text;
    std::sort(fm.categories.begin(), fm.categories.end());
    EXPECT_EQ(fm.categories, (Strings{"A", "B", "C"})) << text;
  }
}

TEST(PermalinkFrontMatterTest, JekyllCategoriesMayBeOneSpaceSeparatedString) {
  FrontMatter fm = Md("---\ncategories: news  tech\n---\n").front_matter;
  EXPECT_EQ(fm.categories, (Strings{"news", "tech"}));
  FrontMatter block =
      Md("---\ncategories:\n  - one\n  - two\n---\n").front_matter;
  EXPECT_EQ(block.categories, (Strings{"one", "two"}));
}

}  // namespace
}  // namespace rotguard
