#include "util/digest.h"

#include <gtest/gtest.h>

namespace rotguard {
namespace {

TEST(DigestTest, Sha1OfEmptyStringIsTheKnownBase32Vector) {
  EXPECT_EQ(WarcSha1Label(Sha1("")), "sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ");
}

TEST(DigestTest, Sha256OfEmptyStringIsTheKnownHexVector) {
  EXPECT_EQ(Sha256Hex(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(DigestTest, Sha1OfAbcMatchesFips180Vector) {
  EXPECT_EQ(HexEncode(Sha1("abc")), "a9993e364706816aba3e25717850c26c9cd0d89d");
}

TEST(DigestTest, IncrementalUpdatesEqualOneShot) {
  Hasher h(DigestAlgorithm::kSha256);
  h.Update("hello ");
  h.Update("world");
  EXPECT_EQ(h.Final(), Sha256("hello world"));
}

TEST(DigestTest, Base32RoundTripsAndAcceptsLowercaseAndPadding) {
  std::string raw = Sha1("x");
  std::string decoded;
  ASSERT_TRUE(Base32Decode(Base32Encode(raw), &decoded));
  EXPECT_EQ(decoded, raw);
  std::string lower = Base32Encode("fo");
  for (char& c : lower) c = static_cast<char>(std::tolower(c));
  ASSERT_TRUE(Base32Decode(lower + "====", &decoded));
  EXPECT_EQ(decoded, "fo");
  EXPECT_FALSE(Base32Decode("AB1!", &decoded));
}

TEST(DigestTest, HexDecodeRejectsOddLengthAndNonHex) {
  std::string raw;
  EXPECT_FALSE(HexDecode("abc", &raw));
  EXPECT_FALSE(HexDecode("zz", &raw));
  ASSERT_TRUE(HexDecode("00FF", &raw));
  EXPECT_EQ(raw, std::string("\x00\xff", 2));
}

}  // namespace
}  // namespace rotguard
