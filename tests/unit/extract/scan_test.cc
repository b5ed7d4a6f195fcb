#include "rotguard/scan.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "extract/ignore_file.h"
#include "unit/temp_dir.h"
#include "util/digest.h"

namespace rotguard {
namespace {

namespace fs = std::filesystem;

Link LinkTo(const std::string& url, const std::string& normalized = "") {
  Link link;
  link.url = url;
  link.normalized = normalized;
  return link;
}

TEST(GlobMatchesTest, StarMatchesAnyRunIncludingSlashes) {
  EXPECT_TRUE(GlobMatches("https://twitter.com/*", "https://twitter.com/a/b"));
  EXPECT_TRUE(GlobMatches("*://example.com/*", "http://example.com/"));
  EXPECT_TRUE(GlobMatches("*.pdf", "https://a.example/x/y.pdf"));
  EXPECT_TRUE(GlobMatches("*", ""));
  EXPECT_TRUE(GlobMatches("a*b*c", "aXbYbZc"));
  EXPECT_FALSE(GlobMatches("*.pdf", "https://a.example/x.pdf?download=1"));
  EXPECT_FALSE(GlobMatches("https://twitter.com/*", "https://x.com/a"));
}

TEST(GlobMatchesTest, EverythingButStarIsLiteral) {
  EXPECT_TRUE(GlobMatches("https://a.example/?q=1", "https://a.example/?q=1"));
  EXPECT_FALSE(GlobMatches("https://a.example/?", "https://a.example/x"));
  EXPECT_FALSE(GlobMatches("https://a.example/[ab]", "https://a.example/a"));
  EXPECT_FALSE(GlobMatches("https://a.example", "https://a.example/"));
}

TEST(ParseIgnoreFileTest, DropsCommentsBlankLinesBomAndSurroundingSpace) {
  std::string text =
      "\xEF\xBB\xBF# archived elsewhere\n"
      "https://twitter.com/*\r\n"
      "\n"
      "   \t\n"
      "  *://localhost*  \n"
      "#https://ignored.example/\n"
      "https://last.example/";
  EXPECT_EQ(ParseIgnoreFile(text),
            (std::vector<std::string>{"https://twitter.com/*", "*://localhost*",
                                      "https://last.example/"}));
}

TEST(UrlFilterTest, RegexMatchesAnywhereInTheUrlAsWritten) {
  Result<UrlFilter> filter = UrlFilter::Create({"ift\\.tt/", "^http:"});
  ASSERT_TRUE(filter.ok());
  EXPECT_TRUE(filter->Excludes(LinkTo("https://ift.tt/31zykrh")));
  EXPECT_TRUE(filter->Excludes(LinkTo("http://example.com/")));
  EXPECT_FALSE(filter->Excludes(LinkTo("https://example.com/ift.tt")));
}

TEST(UrlFilterTest, GlobMatchesTheUrlOrItsNormalizedForm) {
  Result<UrlFilter> filter = UrlFilter::Create({});
  ASSERT_TRUE(filter.ok());
  filter->AddGlob("https://example.com/*");
  EXPECT_TRUE(filter->Excludes(LinkTo("https://example.com/a")));
  EXPECT_TRUE(filter->Excludes(
      LinkTo("HTTPS://EXAMPLE.com:443/a", "https://example.com/a")));
  EXPECT_FALSE(filter->Excludes(LinkTo("https://example.org/a")));
}

TEST(UrlFilterTest, BadRegexIsAnInvalidArgumentNamingIt) {
  Result<UrlFilter> filter = UrlFilter::Create({"ok", "(unclosed"});
  ASSERT_FALSE(filter.ok());
  EXPECT_EQ(filter.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(filter.status().message().find("(unclosed"), std::string::npos);
}

TEST(UrlFilterTest, MissingIgnoreFileAddsNothing) {
  Result<UrlFilter> filter = UrlFilter::Create({});
  ASSERT_TRUE(filter.ok());
  EXPECT_TRUE(filter->AddIgnoreFile("/nonexistent/.rotguardignore").ok());
  EXPECT_FALSE(filter->Excludes(LinkTo("https://example.com/")));
}

class ScanInputsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = tmp_.path();
    old_cwd_ = fs::current_path();
    fs::current_path(dir_);
  }
  void TearDown() override { fs::current_path(old_cwd_); }
  static void Write(const fs::path& path, const std::string& text) {
    if (path.has_parent_path()) fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
  }

  ::rotguard::testing::TempDir tmp_;  // removed after TearDown
  fs::path dir_;
  fs::path old_cwd_;
};

TEST_F(ScanInputsTest, KeepsInputOrderAcrossThreadsAndFillsDigests) {
  std::vector<ScanInput> inputs;
  for (int i = 0; i < 40; ++i) {
    std::string path = "site/p" + std::to_string(100 + i) + ".md";
    Write(path, "[x](https://example.com/" + std::to_string(i) + ")\n");
    inputs.push_back({path, "site", DocumentFormat::kMarkdown});
  }
  ScanOptions options;
  options.compute_sha256 = true;
  options.threads = 2;
  Result<std::vector<ScannedDocument>> docs = ScanInputs(inputs, options);
  ASSERT_TRUE(docs.ok()) << docs.status().message();
  ASSERT_EQ(docs->size(), inputs.size());
  for (int i = 0; i < 40; ++i) {
    const ScannedDocument& doc = (*docs)[static_cast<size_t>(i)];
    EXPECT_EQ(doc.input.display_path,
              inputs[static_cast<size_t>(i)].display_path);
    ASSERT_EQ(doc.extracted.links.size(), 1u);
    std::string url = "https://example.com/" + std::to_string(i);
    EXPECT_EQ(doc.extracted.links[0].url, url);
    EXPECT_EQ(doc.sha256, Sha256Hex("[x](" + url + ")\n"));
  }
}

TEST_F(ScanInputsTest, IgnoreFileOfTheSiteRootAndExcludesDropLinks) {
  Write("site/.rotguardignore", "# comment\nhttps://skip.example/*\n");
  Write("site/a.md",
        "[a](https://skip.example/1) [b](https://keep.example/2) "
        "[c](https://drop.example/3)\n");
  ScanOptions options;
  options.exclude_regexes = {"drop\\.example"};
  Result<std::vector<ScannedDocument>> docs =
      ScanInputs({{"site/a.md", "site", DocumentFormat::kMarkdown}}, options);
  ASSERT_TRUE(docs.ok()) << docs.status().message();
  ASSERT_EQ(docs->size(), 1u);
  const ScannedDocument& doc = (*docs)[0];
  ASSERT_EQ(doc.extracted.links.size(), 1u);
  EXPECT_EQ(doc.extracted.links[0].url, "https://keep.example/2");
  EXPECT_EQ(doc.excluded, 2);
}

TEST_F(ScanInputsTest, UnreadableFileIsAnIOErrorNamingIt) {
  Result<std::vector<ScannedDocument>> docs =
      ScanInputs({{"site/gone.md", "site", DocumentFormat::kMarkdown}}, {});
  ASSERT_FALSE(docs.ok());
  EXPECT_EQ(docs.status().code(), ErrorCode::kIOError);
  EXPECT_EQ(docs.status().message(), "site/gone.md: No such file or directory");
}

}  // namespace
}  // namespace rotguard
