// --color and NO_COLOR (no-color.org): when text gets ANSI colour.
#include "util/color.h"

#include <gtest/gtest.h>

namespace rotguard {
namespace {

TEST(ColorModeTest, ParsesTheThreeModesOnly) {
  EXPECT_EQ(ParseColorMode("auto"), ColorMode::kAuto);
  EXPECT_EQ(ParseColorMode("always"), ColorMode::kAlways);
  EXPECT_EQ(ParseColorMode("never"), ColorMode::kNever);
  EXPECT_FALSE(ParseColorMode("yes").has_value());
}

TEST(ColorEnabledTest, AutoColoursATerminalOnly) {
  EXPECT_TRUE(ColorEnabled(ColorMode::kAuto, true, nullptr, "xterm"));
  EXPECT_FALSE(ColorEnabled(ColorMode::kAuto, false, nullptr, "xterm"));
}

TEST(ColorEnabledTest, NoColorSetAndNotEmptyTurnsAutoOff) {
  EXPECT_FALSE(ColorEnabled(ColorMode::kAuto, true, "1", "xterm"));
  EXPECT_FALSE(ColorEnabled(ColorMode::kAuto, true, "0", "xterm"));
  // Empty counts as unset (no-color.org).
  EXPECT_TRUE(ColorEnabled(ColorMode::kAuto, true, "", "xterm"));
}

TEST(ColorEnabledTest, AnExplicitModeWinsOverNoColor) {
  EXPECT_TRUE(ColorEnabled(ColorMode::kAlways, false, "1", "dumb"));
  EXPECT_FALSE(ColorEnabled(ColorMode::kNever, true, nullptr, "xterm"));
}

TEST(ColorEnabledTest, ADumbTerminalGetsNoColour) {
  EXPECT_FALSE(ColorEnabled(ColorMode::kAuto, true, nullptr, "dumb"));
}

TEST(PaintTest, WrapsInSgrAndResetOnlyWhenEnabled) {
  EXPECT_EQ(Paint("gone", Color::kRed, true), "\x1b[31mgone\x1b[0m");
  EXPECT_EQ(Paint("gone", Color::kRed, false), "gone");
}

}  // namespace
}  // namespace rotguard
