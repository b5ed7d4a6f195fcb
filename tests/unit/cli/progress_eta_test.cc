// The ETA on progress lines: from the rate so far, silent until it means
// something.
#include <gtest/gtest.h>

#include "cli/output.h"

namespace rotguard::cli {
namespace {

TEST(EtaTextTest, ExtrapolatesTheRateSoFar) {
  EXPECT_EQ(EtaText(10, 10, 40), " ETA 30s");
  EXPECT_EQ(EtaText(60, 1, 3), " ETA 2m00s");
  EXPECT_EQ(EtaText(3600, 1, 3), " ETA 2h00m");
}

TEST(EtaTextTest, SaysNothingBeforeTheFirstItemOrSecondOrAfterTheLast) {
  EXPECT_EQ(EtaText(5, 0, 10), "");
  EXPECT_EQ(EtaText(0.5, 5, 10), "");
  EXPECT_EQ(EtaText(5, 10, 10), "");
}

}  // namespace
}  // namespace rotguard::cli
