// The one content decoder (rotguard/content_coding.h): every coding, fed in
// any chunking, with its limit and its handling of damaged streams.
#include "rotguard/content_coding.h"

#include <brotli/encode.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include <string>
#include <string_view>
#include <vector>

#include "unit/test_support/compress.h"

namespace rotguard {
namespace {

using testing::Deflate;

std::string Text(size_t n) {
  std::string out;
  for (size_t i = 0; out.size() < n; ++i) {
    out += "line " + std::to_string(i) + " of the page\n";
  }
  out.resize(n);
  return out;
}

std::string Brotli(std::string_view plain) {
  size_t size = BrotliEncoderMaxCompressedSize(plain.size());
  std::string out(size, '\0');
  EXPECT_TRUE(
      BrotliEncoderCompress(5, 22, BROTLI_MODE_TEXT, plain.size(),
                            reinterpret_cast<const uint8_t*>(plain.data()),
                            &size, reinterpret_cast<uint8_t*>(out.data())));
  out.resize(size);
  return out;
}

// Decodes `coded` fed `chunk` bytes at a time.
Result<std::string> DecodeInChunks(std::string_view coding,
                                   std::string_view coded, size_t chunk,
                                   ContentDecodeLimits limits = {}) {
  return DecodeContent(
      coding,
      [&](const std::function<Status(std::string_view)>& visit) {
        for (size_t at = 0; at < coded.size(); at += chunk) {
          Status s = visit(coded.substr(at, chunk));
          if (!s.ok()) return s;
        }
        return Status::Ok();
      },
      limits);
}

TEST(ContentCodingTest, EveryCodingDecodesWhateverTheChunking) {
  const std::string plain = Text(300'000);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"gzip", Deflate(plain, 15 + 16)},
      {"x-gzip", Deflate(plain, 15 + 16)},
      {"deflate", Deflate(plain, 15)},
      {"deflate", Deflate(plain, -15)},
      {" BR ", Brotli(plain)},
      {"identity", plain},
      {"", plain}};
  for (const auto& [coding, coded] : cases) {
    for (size_t chunk : {size_t{1}, size_t{7}, size_t{4096}, coded.size()}) {
      if (chunk == 1 && coded.size() > 20'000) continue;  // keep it quick
      Result<std::string> out = DecodeInChunks(coding, coded, chunk);
      ASSERT_TRUE(out.ok())
          << coding << " chunk " << chunk << ": " << out.status().message();
      EXPECT_EQ(*out, plain) << coding << " chunk " << chunk;
    }
  }
}

TEST(ContentCodingTest, ConcatenatedGzipMembersAreOneBody) {
  std::string coded = Deflate("first ", 15 + 16) + Deflate("second", 15 + 16);
  Result<std::string> out = DecodeContent("gzip", coded);
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_EQ(*out, "first second");
}

TEST(ContentCodingTest, GzipDataLabelledDeflateIsRecognizedByItsMagic) {
  Result<std::string> out = DecodeContent("deflate", Deflate("hi", 15 + 16));
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_EQ(*out, "hi");
}

TEST(ContentCodingTest, OverTheLimitFailsAsResourceExhausted) {
  const std::string coded = Deflate(std::string(1 << 20, 'a'), 15 + 16);
  ContentDecodeLimits limits;
  limits.max_decoded = 1000;
  Result<std::string> out = DecodeContent("gzip", coded, limits);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), ErrorCode::kResourceExhausted);
}

TEST(ContentCodingTest, StopAtLimitGivesExactlyThePrefix) {
  const std::string plain = Text(100'000);
  ContentDecodeLimits limits;
  limits.max_decoded = 12'345;
  limits.stop_at_limit = true;
  for (const char* coding : {"gzip", "br", "identity"}) {
    std::string coded = std::string(coding) == "br" ? Brotli(plain)
                        : std::string(coding) == "identity"
                            ? plain
                            : Deflate(plain, 31);
    Result<std::string> out = DecodeInChunks(coding, coded, 999, limits);
    ASSERT_TRUE(out.ok()) << coding << ": " << out.status().message();
    EXPECT_EQ(*out, plain.substr(0, 12'345)) << coding;
  }
}

TEST(ContentCodingTest, ABodyCutShortIsCorruptionUnlessAllowed) {
  const std::string plain = Text(50'000);
  for (const char* coding : {"gzip", "br"}) {
    std::string coded =
        std::string(coding) == "br" ? Brotli(plain) : Deflate(plain, 31);
    coded.resize(coded.size() / 2);
    Result<std::string> strict = DecodeContent(coding, coded);
    ASSERT_FALSE(strict.ok()) << coding;
    EXPECT_EQ(strict.status().code(), ErrorCode::kCorruption) << coding;
    ContentDecodeLimits lenient;
    lenient.allow_early_end = true;
    Result<std::string> prefix = DecodeContent(coding, coded, lenient);
    ASSERT_TRUE(prefix.ok()) << coding << ": " << prefix.status().message();
    EXPECT_GT(prefix->size(), 0u) << coding;
    EXPECT_EQ(*prefix, plain.substr(0, prefix->size())) << coding;
  }
}

TEST(ContentCodingTest, GarbageIsCorruptionAndUnknownCodingsAreNotSupported) {
  Result<std::string> bad = DecodeContent("gzip", "not gzip at all");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), ErrorCode::kCorruption);
  Result<std::string> zstd = DecodeContent("zstd", "x");
  ASSERT_FALSE(zstd.ok());
  EXPECT_EQ(zstd.status().code(), ErrorCode::kNotSupported);
  EXPECT_NE(zstd.status().message().find("zstd"), std::string::npos);
}

}  // namespace
}  // namespace rotguard
