// Digest values in every RFC 3548/4648 encoding (base16 either case, base32
// either case, base64, base64url; padded or not) for sha1, sha256, md5 and
// sha512 are decoded and checked; only a value that decodes in none of them
// is a finding, one per digest field, with the code of that digest.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "rotguard/digest_check.h"
#include "rotguard/warc_reader.h"
#include "unit/warc/warc_test_util.h"
#include "util/digest.h"

namespace rotguard {
namespace {

using warc::DigestCheck;
using warc::DigestParse;
using warc::ParsedDigest;
using warc_test::CodeAt;
using warc_test::Problems;
using warc_test::ReadBuffer;
using warc_test::ReadFile;
using warc_test::ReadResult;

std::filesystem::path DigestFile(const char* name) {
  return std::filesystem::path(ROTGUARD_TEST_DATA_DIR) / "digests" / name;
}

// Known digests of "abc" (RFC 3174, FIPS 180-2, RFC 1321 test vectors).
const char* const kSha1Hex = "a9993e364706816aba3e25717850c26c9cd0d89d";
const char* const kSha256Hex =
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
const char* const kMd5Hex = "900150983cd24fb0d6963f7d28e17f72";

std::string RawOf(const char* hex) {
  std::string raw;
  EXPECT_TRUE(HexDecode(hex, &raw));
  return raw;
}

TEST(DigestEncodingsTest, EveryEncodingOfAbcDecodesToTheSameBytes) {
  struct Case {
    const char* field;
    const char* hex;
  };
  const Case cases[] = {
      {"sha1:a9993e364706816aba3e25717850c26c9cd0d89d", kSha1Hex},
      {"sha1:A9993E364706816ABA3E25717850C26C9CD0D89D", kSha1Hex},
      {"sha1:VGMT4NSHA2AWVOR6EVYXQUGCNSONBWE5", kSha1Hex},
      {"sha1:vgmt4nsha2awvor6evyxqugcnsonbwe5", kSha1Hex},
      {"sha1:qZk+NkcGgWq6PiVxeFDCbJzQ2J0=", kSha1Hex},
      {"sha1:qZk+NkcGgWq6PiVxeFDCbJzQ2J0", kSha1Hex},
      {"SHA-1:qZk-NkcGgWq6PiVxeFDCbJzQ2J0=", kSha1Hex},
      {"sha1:qZk-NkcGgWq6PiVxeFDCbJzQ2J0", kSha1Hex},
      {"sha256:XJ4BNP4PAHH6UQKBIDPF3LRCEOYAGYNDSYLXVHFUCD7WD4QACWWQ====",
       kSha256Hex},
      {"sha256:XJ4BNP4PAHH6UQKBIDPF3LRCEOYAGYNDSYLXVHFUCD7WD4QACWWQ",
       kSha256Hex},
      {"sha-256:ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=", kSha256Hex},
      {"sha256:ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0", kSha256Hex},
      {"md5:900150983cd24fb0d6963f7d28e17f72", kMd5Hex},
      {"MD5:SAAVBGB42JH3BVUWH56SRYL7OI======", kMd5Hex},
      {"md5:SAAVBGB42JH3BVUWH56SRYL7OI", kMd5Hex},
      {"md5:kAFQmDzST7DWlj99KOF/cg==", kMd5Hex},
      {"md5:kAFQmDzST7DWlj99KOF_cg", kMd5Hex},
  };
  for (const Case& c : cases) {
    ParsedDigest parsed;
    ASSERT_EQ(warc::ParseDigestField(c.field, &parsed), DigestParse::kOk)
        << c.field;
    EXPECT_EQ(parsed.raw, RawOf(c.hex)) << c.field;
    DigestCheck check;
    ASSERT_EQ(check.Start(c.field), DigestParse::kOk);
    check.Update("abc");
    EXPECT_TRUE(check.Matches()) << c.field;
    // The computed digest is shown the way the field was written.
    EXPECT_EQ(check.actual(), c.field);
  }
}

TEST(DigestEncodingsTest, ValuesThatDecodeInNoEncodingAreBadValues) {
  for (const char* field :
       {"sha1:a9993e364706816aba3e25717850c26c9cd0d8",   // 19 bytes of hex
        "sha1:VGMT4NSHA2AWVOR6EVYXQUGCNSONBWE",          // 31 base32 chars
        "sha1:VGMT4NSHA2AWVOR6EVYXQUGCNSONBW1=",         // '1' is not base32
        "sha1:qZk+NkcGgWq6PiVxeFDCbJzQ2J0==",            // padding overlong
        "sha1:qZk+NkcGgWq6PiVxeFDC_JzQ2J0=",             // mixed alphabets
        "md5:a9993e364706816aba3e25717850c26c9cd0d89d",  // a sha1 value
        "sha256:", "sha1:NOT-A-DIGEST-IN-ANY-ENCODING!"}) {
    ParsedDigest parsed;
    EXPECT_EQ(warc::ParseDigestField(field, &parsed), DigestParse::kBadValue)
        << field;
  }
  ParsedDigest parsed;
  EXPECT_EQ(warc::ParseDigestField("blake3:abcd", &parsed),
            DigestParse::kUnknownAlgorithm);
  EXPECT_EQ(warc::ParseDigestField("abcd", &parsed), DigestParse::kNoLabel);
}

TEST(DigestEncodingsTest, Sha1FieldsInAnyEncodingGiveTheManifestsBase32) {
  const std::string base32 = "VGMT4NSHA2AWVOR6EVYXQUGCNSONBWE5";
  EXPECT_EQ(warc::Sha1Base32OfField(std::string("sha1:") + kSha1Hex), base32);
  EXPECT_EQ(warc::Sha1Base32OfField("SHA-1:qZk-NkcGgWq6PiVxeFDCbJzQ2J0"),
            base32);
  EXPECT_EQ(warc::Sha1Base32OfField("sha1:" + base32), base32);
  EXPECT_EQ(warc::Sha1Base32OfField(std::string("sha256:") + kSha256Hex), "");
  EXPECT_EQ(warc::Sha1Base32OfField("sha1:nonsense"), "");
}

TEST(DigestEncodingsTest, EveryAlgorithmEncodingAndPaddingInAFileChecksOut) {
  ReadResult read = ReadFile(DigestFile("encodings.warc"));
  EXPECT_TRUE(Problems(read).empty());
  ASSERT_EQ(read.records.size(), 44u);
  for (const WarcRecordInfo& r : read.records) {
    EXPECT_FALSE(r.block_digest.empty());
    EXPECT_FALSE(r.payload_digest.empty());
  }
}

TEST(DigestEncodingsTest, AnUnreadableValueIsOneDigestFailureOfItsRecord) {
  ReadResult read = ReadFile(DigestFile("bad.warc"));
  // Record 1: unreadable block digest; record 2: readable but wrong
  // payload digest; record 3 clean. Nothing else (no separate error).
  EXPECT_EQ(Problems(read), (std::vector<CodeAt>{{"block-digest", 0},
                                                 {"payload-digest", 335}}));
  ASSERT_EQ(read.problems.size(), 2u);
  EXPECT_EQ(read.problems[0].message,
            "block digest value is unreadable (no base16, base32 or base64 "
            "encoding of that algorithm's size): record says "
            "sha1:NOT-A-DIGEST-IN-ANY-ENCODING!, block hashes to sha1:" +
                Base32Encode(Sha1("x\n")));
  EXPECT_EQ(read.problems[1].message,
            "payload digest differs: record says "
            "sha256:" +
                Base64Encode(Sha256("other bytes\n"), false, true) +
                ", payload hashes to sha256:" +
                Base64Encode(Sha256("the payload\n"), false, true));
}

TEST(DigestEncodingsTest, UnreadableDigestWithoutLabelIsOneFinding) {
  std::string block = "x";
  std::string record =
      "WARC/1.1\r\nWARC-Type: resource\r\nWARC-Block-Digest: abcdef\r\n"
      "Content-Length: 1\r\n\r\nx\r\n\r\n";
  ReadResult read = ReadBuffer(record);
  EXPECT_EQ(Problems(read), (std::vector<CodeAt>{{"block-digest", 0}}));
}

TEST(DigestEncodingsTest, Base64RoundTripsBothAlphabetsWithAndWithoutPadding) {
  for (size_t n = 0; n < 10; ++n) {
    std::string raw(n, '\xfb');
    for (bool url : {false, true}) {
      for (bool pad : {false, true}) {
        std::string text = Base64Encode(raw, url, pad);
        std::string back;
        ASSERT_TRUE(Base64Decode(text, &back)) << text;
        EXPECT_EQ(back, raw);
      }
    }
  }
  EXPECT_EQ(Base64Encode("abc", false, true), "YWJj");
  EXPECT_EQ(Base64Encode("ab", false, true), "YWI=");
  EXPECT_EQ(Base64Encode("ab", false, false), "YWI");
}

}  // namespace
}  // namespace rotguard
