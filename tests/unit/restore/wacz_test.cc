#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "rotguard/export.h"
#include "unit/restore/test_store.h"
#include "unit/test_support/archive_entries.h"
#include "util/fault_injecting_env.h"
#include "util/file.h"

namespace rotguard {
namespace {

TEST(WriteWacz, HoldsArchiveIndexPagesAndMatchingDigests) {
  testing::TestStore t;
  CaptureRow page = t.AddResponse("https://example.com/",
                                  "HTTP/1.1 200 OK\r\nContent-Type: text/html",
                                  "<p>hi</p>", 1581156000);
  (void)page;
  t.AddResource("file:content/posts/hello.md", "text/markdown", "# Hi\n",
                1581156100);
  DocumentScan scan;
  scan.document.path = "content/posts/hello.md";
  scan.document.sha256 = Sha256Hex("# Hi\n");
  scan.links.push_back({"link", "https://example.com/", "https://example.com/",
                        "https://example.com/", 1, 1, 0, 20});
  ASSERT_TRUE(t.manifest().RecordScans({scan}).ok());
  t.Commit();
  std::filesystem::path out = t.dir() / "x.wacz";
  Status st = WriteWacz(t.manifest(), t.warc_dir(), out, {});
  ASSERT_TRUE(st.ok()) << st.ToString();
  auto files = testing::ArchiveFiles(out);
  ASSERT_TRUE(files.count("indexes/index.cdxj"));
  ASSERT_TRUE(files.count("pages/pages.jsonl"));
  ASSERT_TRUE(files.count("datapackage.json"));
  ASSERT_TRUE(files.count("datapackage-digest.json"));
  auto package = nlohmann::json::parse(files["datapackage.json"]);
  EXPECT_EQ(package["profile"], "data-package");
  EXPECT_EQ(package["wacz_version"], "1.1.1");
  int warcs = 0;
  for (const auto& r : package["resources"]) {
    std::string path = r["path"];
    ASSERT_TRUE(files.count(path)) << path;
    EXPECT_EQ(r["hash"], "sha256:" + Sha256Hex(files[path])) << path;
    EXPECT_EQ(r["bytes"], files[path].size());
    if (path.rfind("archive/", 0) == 0) ++warcs;
  }
  EXPECT_EQ(warcs, 1);
  EXPECT_EQ(package["resources"].size() + 2, files.size());
  auto digest = nlohmann::json::parse(files["datapackage-digest.json"]);
  EXPECT_EQ(digest["hash"], "sha256:" + Sha256Hex(files["datapackage.json"]));
  const std::string& pages = files["pages/pages.jsonl"];
  EXPECT_EQ(pages.find("{\"format\":\"json-pages-1.0\""), 0u);
  EXPECT_NE(pages.find("\"url\":\"file:content/posts/hello.md\""),
            std::string::npos)
      << pages;
  EXPECT_NE(pages.find("\"url\":\"https://example.com/\""), std::string::npos)
      << pages;
}

void AddOnePage(testing::TestStore& t) {
  t.AddResponse("https://example.com/",
                "HTTP/1.1 200 OK\r\nContent-Type: text/html", "<p>hi</p>",
                1581156000);
  t.Commit();
}

std::vector<std::string> Names(const std::filesystem::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.is_regular_file()) {
      names.push_back(entry.path().filename().string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

TEST(WriteWacz, AnEarlyErrorLeavesNeitherOutNorTmp) {
  testing::TestStore t;
  AddOnePage(t);
  for (const auto& entry : std::filesystem::directory_iterator(t.warc_dir())) {
    std::filesystem::remove(entry.path());  // listed as closed, now gone
  }
  std::filesystem::path out = t.dir() / "x.wacz";
  EXPECT_FALSE(WriteWacz(t.manifest(), t.warc_dir(), out, {}).ok());
  EXPECT_FALSE(std::filesystem::exists(out));
  EXPECT_FALSE(std::filesystem::exists(t.dir() / "x.wacz.tmp"));
}

// A fault at each file call of an export over an earlier one: the earlier
// export stays as it was until the rename, OUT.tmp never stays, and one
// of the calls before the rename is its fsync.
TEST(WriteWacz, FaultAtAnyCallKeepsTheEarlierExportAndLeavesNoTmp) {
  testing::TestStore t;
  AddOnePage(t);
  std::filesystem::path out = t.dir() / "x.wacz";
  const std::vector<std::string> before = Names(t.dir());
  WaczOptions options;
  options.created_unix = 1581156000;
  ASSERT_TRUE(WriteWacz(t.manifest(), t.warc_dir(), out, options).ok());
  Result<std::string> earlier = ReadFileToString(out);
  ASSERT_TRUE(earlier.ok());
  FaultInjectingEnv counter;
  options.env = &counter;
  ASSERT_TRUE(WriteWacz(t.manifest(), t.warc_dir(), out, options).ok());
  const uint64_t total = counter.calls();  // ..., fsync, close, rename, dir
  bool synced_before_rename = false;
  for (uint64_t n = 1; n <= total; ++n) {
    SCOPED_TRACE("fault at call " + std::to_string(n));
    ASSERT_TRUE(WriteFileAtomically(out, *earlier).ok());
    FaultInjectingEnv env;
    env.FailCall(n, n % 2 ? ENOSPC : EIO);
    options.env = &env;
    EXPECT_FALSE(WriteWacz(t.manifest(), t.warc_dir(), out, options).ok());
    std::vector<std::string> names = before;
    names.push_back("x.wacz");
    std::sort(names.begin(), names.end());
    EXPECT_EQ(Names(t.dir()), names);
    if (n < total - 1) {
      EXPECT_EQ(*ReadFileToString(out), *earlier);  // not yet renamed
      synced_before_rename |= env.first_failure().starts_with("Sync ");
    }
  }
  EXPECT_TRUE(synced_before_rename);
}

}  // namespace
}  // namespace rotguard
