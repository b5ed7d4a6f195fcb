// The MementoSource `fix` reads from the manifest: public-archive copies
// (captures with source 'public-archive', the archive's URL as `url`, the
// original link's key as `normalized`, as `rotguard rescue` records them).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rotguard/fix.h"
#include "rotguard/restore.h"
#include "unit/restore/test_store.h"
#include "unit/temp_dir.h"

namespace rotguard {
namespace {

constexpr const char* kLink = "https://gone.example/a";
constexpr const char* kHead = "HTTP/1.1 200 OK\r\nContent-Type: text/html";

std::string Wayback(const std::string& ts) {
  return "https://web.archive.org/web/" + ts + "id_/" + kLink;
}

class FixPublicSourceTest : public ::testing::Test {
 protected:
  // A public-archive copy of kLink at `ts` with HTTP `status`.
  void AddCopy(const std::string& ts, int status, const std::string& source) {
    CaptureRow row = store_.AddResponse(Wayback(ts), kHead, "<p>old</p>", 100);
    row.normalized = *NormalizeUrl(kLink);
    row.http_status = status;
    row.source = source;
    copies_.push_back(row);
  }
  void Commit() {
    store_.Commit();
    ASSERT_TRUE(store_.manifest().AddCaptures(copies_).ok());
  }
  std::optional<ArchivedCopy> Best(std::string_view post_date) {
    return NewManifestPublicSource(store_.manifest())->Best(kLink, post_date);
  }

  testing::TestStore store_;
  std::vector<CaptureRow> copies_;
};

TEST_F(FixPublicSourceTest, PicksTheNewestGoodCopyBeforeThePostDate) {
  AddCopy("20190101000000", 200, "public-archive");
  AddCopy("20191231120000", 200, "public-archive");
  AddCopy("20200201000000", 404, "public-archive");  // an error page
  AddCopy("20200205000000", 200, "live");            // not a public copy
  AddCopy("20200301000000", 200, "public-archive");
  Commit();
  std::optional<ArchivedCopy> best = Best("2020-02-08T10:00:00+01:00");
  ASSERT_TRUE(best.has_value());
  EXPECT_EQ(
      best->url,
      "https://web.archive.org/web/20191231120000/https://gone.example/a");
  EXPECT_EQ(best->datetime14, "20191231120000");
  EXPECT_EQ(best->archive, "web.archive.org");
}

TEST_F(FixPublicSourceTest, PicksTheOldestCopyAfterWhenNoneIsBefore) {
  AddCopy("20200301000000", 200, "public-archive");
  AddCopy("20190101000000", 200, "public-archive");
  AddCopy("20210101000000", 200, "public-archive");
  Commit();
  std::optional<ArchivedCopy> best = Best("2010-05-05");
  ASSERT_TRUE(best.has_value());
  EXPECT_EQ(best->datetime14, "20190101000000");
}

TEST_F(FixPublicSourceTest, WithoutPublicCopiesThereIsNoMemento) {
  AddCopy("20190101000000", 200, "live");
  Commit();
  EXPECT_FALSE(Best("2020-02-08").has_value());
}

// Two URLs whose restore names clash: the second was written under a
// hash-suffixed name; `fix --to local` must find that one, never the
// first URL's file at the shared name.
TEST(FixLocalSourceTest, FindsACopyUnderItsClashRenamedName) {
  testing::TestStore store;
  const std::string first = "https://example.com/a%20.png";
  const std::string second = "https://example.com/a%21.png";
  const char* png = "HTTP/1.1 200 OK\r\nContent-Type: image/png";
  ASSERT_EQ(SafeAssetPath(first, "image/png"),
            SafeAssetPath(second, "image/png"));
  store.AddResponse(first, png, "first", 100);
  store.AddResponse(second, png, "second", 100);
  store.Commit();
  // What a restore of both wrote.
  const std::filesystem::path root = store.dir() / "restored";
  AssetNamer namer;
  for (const std::string& url : {first, second}) {
    std::filesystem::path file = root / namer.NameFor(url, "image/png");
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file) << url;
  }
  const std::string prefix = "../restored/";
  std::unique_ptr<MementoSource> local =
      NewLocalCopySource(store.manifest(), store.warc_dir(), root, &prefix);
  std::optional<ArchivedCopy> copy = local->Best(second, "2020-01-01");
  ASSERT_TRUE(copy.has_value());
  EXPECT_EQ(copy->url, prefix + namer.NameFor(second, "image/png"));
  EXPECT_NE(namer.NameFor(second, "image/png"),
            SafeAssetPath(second, "image/png"));
  copy = local->Best(first, "2020-01-01");
  ASSERT_TRUE(copy.has_value());
  EXPECT_EQ(copy->url, prefix + SafeAssetPath(first, "image/png"));
}

// --- the git dirty check ---

class GitDirtyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::system("git --version >/dev/null 2>&1") != 0) {
      GTEST_SKIP() << "git is not installed";
    }
    post_ = dir_.path() / "site" / "post.md";
    std::filesystem::create_directories(post_.parent_path());
    std::ofstream(post_) << "a post\n";
  }
  testing::TempDir dir_;
  std::filesystem::path post_;
};

TEST_F(GitDirtyTest, AFileOutsideAnyWorkTreeIsClean) {
  Result<bool> dirty = GitFileIsDirty(post_);
  ASSERT_TRUE(dirty.ok()) << dirty.status().message();
  EXPECT_FALSE(*dirty);
}

TEST_F(GitDirtyTest, AFailingGitInsideAWorkTreeIsAnErrorNamingTheFile) {
  // A .git that is no repository: git status exits 128.
  std::ofstream(dir_.path() / ".git") << "gitdir: /nonexistent/repo\n";
  Result<bool> dirty = GitFileIsDirty(post_);
  ASSERT_FALSE(dirty.ok());
  EXPECT_NE(dirty.status().message().find(post_.string()), std::string::npos)
      << dirty.status().message();
  EXPECT_NE(dirty.status().message().find("exit 128"), std::string::npos)
      << dirty.status().message();
}

TEST_F(GitDirtyTest, AMissingGitInsideAWorkTreeIsAnError) {
  std::filesystem::create_directories(dir_.path() / ".git");
  Result<bool> dirty = GitFileIsDirty(post_, "/nonexistent/bin/git");
  ASSERT_FALSE(dirty.ok());
  EXPECT_NE(dirty.status().message().find("git could not be run"),
            std::string::npos);
  // Outside a work tree a missing git still means nothing to protect.
  std::filesystem::remove_all(dir_.path() / ".git");
  dirty = GitFileIsDirty(post_, "/nonexistent/bin/git");
  ASSERT_TRUE(dirty.ok());
  EXPECT_FALSE(*dirty);
}

}  // namespace
}  // namespace rotguard
