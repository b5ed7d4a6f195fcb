#include "util/time_format.h"

#include <gtest/gtest.h>

#include <chrono>

namespace rotguard {
namespace {

using std::chrono::system_clock;

// 2024-02-29T23:59:59Z: a leap day, one second before March.
constexpr int64_t kLeapDayEnd = 1709251199;
// 2023-12-31T23:59:59Z: the last second of a year.
constexpr int64_t kYearEnd = 1704067199;

system_clock::time_point At(int64_t seconds, int64_t nanos) {
  return system_clock::time_point(
      std::chrono::duration_cast<system_clock::duration>(
          std::chrono::seconds(seconds) + std::chrono::nanoseconds(nanos)));
}

TEST(TimeFormatTest, IsoStylesDifferOnlyInTheDateTimeSeparator) {
  EXPECT_EQ(FormatUtc(kLeapDayEnd, UtcStyle::kIso), "2024-02-29T23:59:59Z");
  EXPECT_EQ(FormatUtc(kLeapDayEnd, UtcStyle::kIsoSpaced),
            "2024-02-29 23:59:59Z");
  EXPECT_EQ(FormatUtc(kLeapDayEnd + 1, UtcStyle::kIso), "2024-03-01T00:00:00Z");
}

TEST(TimeFormatTest, Digits14IsTheWarcTimestamp) {
  EXPECT_EQ(FormatUtc(kYearEnd, UtcStyle::kDigits14), "20231231235959");
  EXPECT_EQ(FormatUtc(kYearEnd + 1, UtcStyle::kDigits14), "20240101000000");
  EXPECT_EQ(FormatUtc(0, UtcStyle::kDigits14), "19700101000000");
}

TEST(TimeFormatTest, CenturyYearsFollowTheGregorianLeapRule) {
  // 2100-02-28T23:59:59Z + 1 s is March 1st: 2100 is not a leap year.
  EXPECT_EQ(FormatUtc(4107542399 + 1, UtcStyle::kIso), "2100-03-01T00:00:00Z");
  // 2000 is: February has a 29th.
  EXPECT_EQ(FormatUtc(951782400, UtcStyle::kIso), "2000-02-29T00:00:00Z");
}

TEST(TimeFormatTest, InstantsBefore1970CountBackFromTheEpoch) {
  EXPECT_EQ(FormatUtc(-1, UtcStyle::kIso), "1969-12-31T23:59:59Z");
}

TEST(TimeFormatTest, MicrosKeepsSixDigitsAndTruncatesFinerUnits) {
  EXPECT_EQ(FormatUtcMicros(At(kYearEnd, 999'999'999)),
            "2023-12-31T23:59:59.999999Z");
  EXPECT_EQ(FormatUtcMicros(At(kLeapDayEnd, 1'000)),
            "2024-02-29T23:59:59.000001Z");
  EXPECT_EQ(FormatUtcMicros(At(kLeapDayEnd, 999)),
            "2024-02-29T23:59:59.000000Z");
}

TEST(TimeFormatTest, MicrosBefore1970RoundTowardsThePast) {
  EXPECT_EQ(FormatUtcMicros(At(0, -500'000'000)),
            "1969-12-31T23:59:59.500000Z");
}

}  // namespace
}  // namespace rotguard
