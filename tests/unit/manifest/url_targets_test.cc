// Schema v3: the final URL of a shortener chain and the asset key of
// Blogger size variants, written by archive through UpdateUrlsBatch.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "rotguard/manifest.h"
#include "unit/temp_dir.h"

namespace rotguard {
namespace {

std::unique_ptr<Manifest> OpenFresh(const testing::TempDir& dir) {
  Result<std::unique_ptr<Manifest>> manifest =
      OpenManifest(dir / "manifest.sqlite3");
  EXPECT_TRUE(manifest.ok()) << manifest.status().message();
  return manifest.ok() ? std::move(*manifest) : nullptr;
}

TEST(UrlTargetsTest, BatchWritesHealthFinalUrlAndAssetKey) {
  testing::TempDir dir;
  std::unique_ptr<Manifest> manifest = OpenFresh(dir);
  ASSERT_TRUE(manifest);
  ASSERT_TRUE(manifest->EnsureUrl("https://ift.tt/a", 100).ok());
  UrlRow shortener;
  shortener.normalized = "https://ift.tt/a";
  shortener.verdict = "redirected";
  shortener.last_ok_unix = 200;
  shortener.final_url = "https://news.example.com/a.html";
  UrlRow original;  // not in `urls` yet: created by the batch
  original.normalized = "https://1.bp.blogspot.com/x/s0/c.jpg";
  original.asset_key = original.normalized;
  ASSERT_TRUE(manifest->UpdateUrlsBatch({shortener, original}).ok());

  Result<std::optional<UrlRow>> read = manifest->FindUrl("https://ift.tt/a");
  ASSERT_TRUE(read.ok() && read->has_value());
  EXPECT_EQ((*read)->verdict, "redirected");
  EXPECT_EQ((*read)->last_ok_unix, 200);
  EXPECT_EQ((*read)->final_url, "https://news.example.com/a.html");
  read = manifest->FindUrl(original.normalized);
  ASSERT_TRUE(read.ok() && read->has_value());
  EXPECT_EQ((*read)->asset_key, original.normalized);
  EXPECT_GE(manifest->SchemaVersion(), 3);
}

TEST(UrlTargetsTest, EmptyBatchIsANoOp) {
  testing::TempDir dir;
  std::unique_ptr<Manifest> manifest = OpenFresh(dir);
  ASSERT_TRUE(manifest);
  EXPECT_TRUE(manifest->UpdateUrlsBatch({}).ok());
}

}  // namespace
}  // namespace rotguard
