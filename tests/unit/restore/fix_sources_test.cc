// The MementoSource `fix` reads from the manifest: public-archive copies
// (captures with source 'public-archive', the archive's URL as `url`, the
// original link's key as `normalized`, as `rotguard rescue` records them).
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rotguard/fix.h"
#include "unit/restore/test_store.h"

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

}  // namespace
}  // namespace rotguard
