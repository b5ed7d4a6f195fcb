// Own copies before public-archive copies (rotguard/copy_choice.h).
#include "rotguard/copy_choice.h"

#include <gtest/gtest.h>

#include <vector>

namespace rotguard {
namespace {

CaptureRow Capture(int64_t id, int status, bool public_copy,
                   int64_t at_us = 0) {
  CaptureRow c;
  c.id = id;
  c.http_status = status;
  c.captured_at_us = at_us;
  c.source = public_copy ? kSourcePublicArchive : "live";
  if (public_copy) {
    c.archive = "web.archive.org";
    c.memento_at_us = 1'556'704'800'000'000;  // 2019-05-01T10:00:00Z
  }
  return c;
}

TEST(CopyChoiceTest, PublicCopiesAreDroppedWhenTheLinkHasAGoodOwnCapture) {
  std::vector<CaptureRow> kept =
      PreferOwnCopies({Capture(1, 200, false), Capture(2, 200, true)});
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(kept[0].id, 1);
}

TEST(CopyChoiceTest, PublicCopiesStayWhenOwnCapturesAreErrorsOrLost) {
  CaptureRow lost = Capture(3, 200, false);
  lost.lost = true;
  std::vector<CaptureRow> kept =
      PreferOwnCopies({Capture(1, 404, false), Capture(2, 200, true), lost});
  EXPECT_EQ(kept.size(), 3u);
}

TEST(CopyChoiceTest, BestPublicCopyIsTheLatestGoodRescue) {
  std::vector<CaptureRow> all = {
      Capture(1, 200, true, 10), Capture(2, 200, true, 20),
      Capture(3, 404, true, 30), Capture(4, 200, false, 40)};
  const CaptureRow* best = BestPublicCopy(all);
  ASSERT_NE(best, nullptr);
  EXPECT_EQ(best->id, 2);
  EXPECT_EQ(BestPublicCopy({Capture(1, 200, false)}), nullptr);
}

TEST(CopyChoiceTest, OriginNamesTheArchiveAndTheMementoDate) {
  EXPECT_EQ(CopyOrigin(Capture(1, 200, true)),
            "web.archive.org, memento 2019-05-01T10:00:00Z");
  EXPECT_EQ(CopyOrigin(Capture(1, 200, false)), "");
}

}  // namespace
}  // namespace rotguard
