#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "rotguard/scan.h"
#include "unit/temp_dir.h"

namespace rotguard {
namespace {

namespace fs = std::filesystem;

// A fresh directory per test, removed afterwards; paths are relative to it
// because the walker reports paths as the user typed them.
class WalkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = tmp_.path();
    old_cwd_ = fs::current_path();
    fs::current_path(dir_);
  }
  void TearDown() override {
    fs::current_path(old_cwd_);
    std::error_code ec;
    fs::permissions(dir_ / "site" / "locked", fs::perms::owner_all,
                    fs::perm_options::add, ec);
  }

  static void Touch(const fs::path& path) {
    if (path.has_parent_path()) fs::create_directories(path.parent_path());
    std::ofstream(path) << "[x](https://example.com/)\n";
  }

  static std::vector<std::string> Paths(const WalkResult& result) {
    std::vector<std::string> paths;
    for (const ScanInput& input : result.files) {
      paths.push_back(input.display_path);
    }
    return paths;
  }

  ::rotguard::testing::TempDir tmp_;  // removed after TearDown
  fs::path dir_;
  fs::path old_cwd_;
};

TEST_F(WalkTest, FindsMarkdownAndHtmlFilesRecursively) {
  Touch("site/a.md");
  Touch("site/posts/b.markdown");
  Touch("site/posts/c.mdx");
  Touch("site/pages/d.html");
  Touch("site/pages/e.htm");
  Touch("site/notes.txt");
  Touch("site/image.png");
  Result<WalkResult> result = WalkInputs({"site"});
  ASSERT_TRUE(result.ok()) << result.status().message();
  EXPECT_EQ(Paths(*result),
            (std::vector<std::string>{
                "site/a.md", "site/pages/d.html", "site/pages/e.htm",
                "site/posts/b.markdown", "site/posts/c.mdx"}));
  EXPECT_EQ(result->files[0].root, "site");
  EXPECT_EQ(result->files[0].format, DocumentFormat::kMarkdown);
  EXPECT_EQ(result->files[1].format, DocumentFormat::kHtml);
}

TEST_F(WalkTest, SkipsHiddenAndBuildDirectoriesDirectlyInANamedDirectory) {
  Touch("site/keep.md");
  Touch("site/.git/x.md");
  Touch("site/.rotguard/y.md");
  Touch("site/.hidden.md");
  Touch("site/public/p.html");
  Touch("site/_site/s.html");
  Touch("site/resources/r.html");
  Touch("site/node_modules/pkg/README.md");
  Touch("site/posts/public/nested.md");  // a section, not build output
  Result<WalkResult> result = WalkInputs({"site"});
  ASSERT_TRUE(result.ok()) << result.status().message();
  EXPECT_EQ(Paths(*result),
            (std::vector<std::string>{"site/keep.md",
                                      "site/posts/public/nested.md"}));
  EXPECT_EQ(result->skipped["hidden"], 3);
  EXPECT_EQ(result->skipped["build-dir"], 4);
}

// The layout of Hugo's own documentation site: a function section named
// like Hugo's resources/ output directory.
void MakeHugoDocsLayout() {
  for (const char* path :
       {"hugo-docs/public/index.html", "hugo-docs/resources/_gen/x.html",
        "hugo-docs/content/en/functions/resources/ByType.md",
        "hugo-docs/content/en/functions/resources/_index.md",
        "hugo-docs/content/en/functions/public/Get.md",
        "hugo-docs/content/en/about/intro.md"}) {
    fs::create_directories(fs::path(path).parent_path());
    std::ofstream(path) << "[x](https://example.com/)\n";
  }
}

const std::vector<std::string> kHugoDocsContent = {
    "hugo-docs/content/en/about/intro.md",
    "hugo-docs/content/en/functions/public/Get.md",
    "hugo-docs/content/en/functions/resources/ByType.md",
    "hugo-docs/content/en/functions/resources/_index.md"};

TEST_F(WalkTest, ScansAContentSectionNamedLikeABuildDirectory) {
  MakeHugoDocsLayout();
  // `scan content/` with no site known: nothing under it is build output.
  Result<WalkResult> content = WalkInputs({"hugo-docs/content"});
  ASSERT_TRUE(content.ok()) << content.status().message();
  EXPECT_EQ(Paths(*content), kHugoDocsContent);
  EXPECT_EQ(content->skipped["build-dir"], 0);
  // The site root walked with the site's build directories (what init
  // read from hugo.toml): only the root's public/ and resources/ go.
  WalkOptions site = SiteWalkOptions("hugo-docs", {"public", "resources"},
                                     /*site_known=*/true);
  Result<WalkResult> root = WalkInputs({"hugo-docs"}, site);
  ASSERT_TRUE(root.ok()) << root.status().message();
  EXPECT_EQ(Paths(*root), kHugoDocsContent);
  EXPECT_EQ(root->skipped["build-dir"], 2);
  // The same, with the site's options, through the content directory.
  Result<WalkResult> below = WalkInputs({"hugo-docs/content/en"}, site);
  ASSERT_TRUE(below.ok()) << below.status().message();
  EXPECT_EQ(below->files.size(), 4u);
  EXPECT_EQ(below->skipped["build-dir"], 0);
}

TEST_F(WalkTest, SkipsAJekyllDestinationWhereTheConfigPutsIt) {
  Touch("blog/_posts/2020-01-02-a.md");
  Touch("blog/out/2020/01/02/a.html");  // destination: out
  Touch("blog/_layouts/default.html");
  Touch("blog/docs/out/page.md");  // a page directory named "out"
  WalkOptions site =
      SiteWalkOptions("blog", {"out", "_layouts"}, /*site_known=*/true);
  Result<WalkResult> result = WalkInputs({"blog"}, site);
  ASSERT_TRUE(result.ok()) << result.status().message();
  EXPECT_EQ(Paths(*result),
            (std::vector<std::string>{"blog/_posts/2020-01-02-a.md",
                                      "blog/docs/out/page.md"}));
  EXPECT_EQ(result->skipped["build-dir"], 2);
}

TEST_F(WalkTest, WalksHiddenAndBuildDirectoriesNamedOnTheCommandLine) {
  Touch("site/public/p.html");
  Touch(".drafts/d.md");
  Result<WalkResult> result = WalkInputs({"site/public", ".drafts"});
  ASSERT_TRUE(result.ok()) << result.status().message();
  EXPECT_EQ(Paths(*result),
            (std::vector<std::string>{".drafts/d.md", "site/public/p.html"}));
}

TEST_F(WalkTest, JoinsTheArgumentAsWrittenWithTheRelativePath) {
  Touch("site/posts/a.md");
  Result<WalkResult> slash = WalkInputs({"site/"});
  ASSERT_TRUE(slash.ok());
  EXPECT_EQ(Paths(*slash), (std::vector<std::string>{"site/posts/a.md"}));
  fs::current_path("site");
  Result<WalkResult> dot = WalkInputs({"."});
  ASSERT_TRUE(dot.ok());
  EXPECT_EQ(Paths(*dot), (std::vector<std::string>{"./posts/a.md"}));
}

TEST_F(WalkTest, SortsByDisplayPathBytewiseAndDropsDuplicates) {
  Touch("site/a/b.md");
  Touch("site/a-b.md");
  Touch("site/B.md");
  Touch("site/a.md");
  Result<WalkResult> result = WalkInputs({"site", "site/a.md", "site/B.md"});
  ASSERT_TRUE(result.ok()) << result.status().message();
  // '-' (0x2D) < '.' (0x2E) < '/' (0x2F); uppercase before lowercase.
  EXPECT_EQ(Paths(*result),
            (std::vector<std::string>{"site/B.md", "site/a-b.md", "site/a.md",
                                      "site/a/b.md"}));
}

TEST_F(WalkTest, DoesNotFollowDirectorySymlinksSoALoopEnds) {
  Touch("site/posts/a.md");
  fs::create_directory_symlink("..", "site/posts/loop");
  fs::create_directory_symlink("../site", "site/self");
  Result<WalkResult> result = WalkInputs({"site"});
  ASSERT_TRUE(result.ok()) << result.status().message();
  EXPECT_EQ(Paths(*result), (std::vector<std::string>{"site/posts/a.md"}));
  EXPECT_EQ(result->skipped["symlink-dir"], 2);
}

TEST_F(WalkTest, FollowsSymlinksToFilesAndSkipsDanglingOnes) {
  Touch("elsewhere/real.md");
  fs::create_directories("site");
  fs::create_symlink("../elsewhere/real.md", "site/linked.md");
  fs::create_symlink("../nowhere.md", "site/dangling.md");
  Result<WalkResult> result = WalkInputs({"site"});
  ASSERT_TRUE(result.ok()) << result.status().message();
  EXPECT_EQ(Paths(*result), (std::vector<std::string>{"site/linked.md"}));
  EXPECT_EQ(result->skipped["broken-symlink"], 1);
}

TEST_F(WalkTest, NamedFileIsTakenWhenItsExtensionIsKnown) {
  Touch("site/.drafts/secret.md");
  Touch("site/public/page.html");
  Result<WalkResult> result =
      WalkInputs({"site/.drafts/secret.md", "site/public/page.html"});
  ASSERT_TRUE(result.ok()) << result.status().message();
  EXPECT_EQ(Paths(*result),
            (std::vector<std::string>{"site/.drafts/secret.md",
                                      "site/public/page.html"}));
  EXPECT_EQ(result->files[0].root, "");
}

TEST_F(WalkTest, NamedFileWithAnUnknownExtensionIsSkippedWithAWarning) {
  Touch("notes.txt");
  Result<WalkResult> result = WalkInputs({"notes.txt"});
  ASSERT_TRUE(result.ok()) << result.status().message();
  EXPECT_TRUE(result->files.empty());
  EXPECT_EQ(result->skipped["unknown-extension"], 1);
  ASSERT_EQ(result->warnings.size(), 1u);
  EXPECT_NE(result->warnings[0].find("notes.txt"), std::string::npos);
}

TEST_F(WalkTest, MissingPathIsAnIOErrorNamingIt) {
  Result<WalkResult> result = WalkInputs({"no/such/dir"});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), ErrorCode::kIOError);
  EXPECT_EQ(result.status().message(),
            "no/such/dir: No such file or directory");
}

TEST_F(WalkTest, UnreadableDirectoryBelowARootIsAnIOError) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads every directory";
  Touch("site/locked/a.md");
  fs::permissions("site/locked", fs::perms::none);
  Result<WalkResult> result = WalkInputs({"site"});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), ErrorCode::kIOError);
  EXPECT_NE(result.status().message().find("site/locked"), std::string::npos);
}

}  // namespace
}  // namespace rotguard
