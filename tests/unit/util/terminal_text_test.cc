// TerminalSafe: nothing a terminal acts on survives, everything else does.
#include "util/terminal_text.h"

#include <gtest/gtest.h>

#include <string>

namespace rotguard {
namespace {

using namespace std::string_literals;

TEST(TerminalSafe, KeepsPrintableAsciiAndUrlsAsWritten) {
  EXPECT_EQ(TerminalSafe("https://example.com/a%20b?q=1#x"),
            "https://example.com/a%20b?q=1#x");
  EXPECT_EQ(TerminalSafe(""), "");
}

TEST(TerminalSafe, EscapesEscBelNulCrLfTabAndDel) {
  EXPECT_EQ(TerminalSafe("a\x1b[31mred"), "a%1B[31mred");
  EXPECT_EQ(TerminalSafe("\x1b]0;title\x07"), "%1B]0;title%07");
  EXPECT_EQ(TerminalSafe("a\0b"s), "a%00b");
  EXPECT_EQ(TerminalSafe("line\r\nforged"), "line%0D%0Aforged");
  EXPECT_EQ(TerminalSafe("a\tb"), "a%09b");
  EXPECT_EQ(TerminalSafe("a\x7f"), "a%7F");
}

TEST(TerminalSafe, EscapesC1ControlsInTheirUtf8Form) {
  EXPECT_EQ(TerminalSafe("\xc2\x80"), "%C2%80");
  EXPECT_EQ(TerminalSafe("x\xc2\x9b"
                         "31m"),
            "x%C2%9B31m");  // CSI
  EXPECT_EQ(TerminalSafe("\xc2\x9f"), "%C2%9F");
  EXPECT_EQ(TerminalSafe("\xc2\xa0"), "\xc2\xa0");  // U+00A0 is printable
}

TEST(TerminalSafe, KeepsWellFormedUtf8) {
  EXPECT_EQ(TerminalSafe("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
            "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
}

TEST(TerminalSafe, EscapesEachByteOfInvalidUtf8) {
  EXPECT_EQ(TerminalSafe("\x9b"), "%9B");                // lone continuation
  EXPECT_EQ(TerminalSafe("\xc3"), "%C3");                // truncated at the end
  EXPECT_EQ(TerminalSafe("\xc3(x"), "%C3(x");            // bad continuation
  EXPECT_EQ(TerminalSafe("\xc0\x9b"), "%C0%9B");         // overlong ESC-ish
  EXPECT_EQ(TerminalSafe("\xed\xa0\x80"), "%ED%A0%80");  // surrogate
  EXPECT_EQ(TerminalSafe("\xf4\x90\x80\x80"), "%F4%90%80%80");  // > U+10FFFF
  EXPECT_EQ(TerminalSafe("\xff\xfe"), "%FF%FE");
}

}  // namespace
}  // namespace rotguard
