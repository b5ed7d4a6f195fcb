#include "rotguard/chunked.h"

#include <gtest/gtest.h>

#include <string>

namespace rotguard::warc {
namespace {

struct Decoded {
  bool ok;
  bool done;
  std::string data;
};

Decoded Decode(std::string_view input, size_t piece) {
  ChunkedDecoder decoder;
  Decoded out{true, false, ""};
  for (size_t i = 0; i < input.size(); i += piece) {
    out.ok = decoder.Feed(input.substr(i, piece),
                          [&](std::string_view d) { out.data.append(d); });
    if (!out.ok) break;
  }
  out.done = decoder.done();
  return out;
}

TEST(ChunkedDecoderTest, DecodesWhateverTheInputSplits) {
  const std::string wire =
      "4\r\nWiki\r\n6;name=value\r\npedia \r\nE\r\nin \r\n\r\nchunks.\r\n"
      "0\r\nExpires: never\r\n\r\n";
  for (size_t piece : {1, 2, 3, 7, 1000}) {
    Decoded d = Decode(wire, piece);
    EXPECT_TRUE(d.ok) << piece;
    EXPECT_TRUE(d.done) << piece;
    EXPECT_EQ(d.data, "Wikipedia in \r\n\r\nchunks.") << piece;
  }
}

TEST(ChunkedDecoderTest, AcceptsBareLfLineEnds) {
  Decoded d = Decode("3\nabc\n0\n\n", 1);
  EXPECT_TRUE(d.ok);
  EXPECT_TRUE(d.done);
  EXPECT_EQ(d.data, "abc");
}

TEST(ChunkedDecoderTest, BytesAfterTheLastChunkAreIgnored) {
  Decoded d = Decode("1\r\nx\r\n0\r\n\r\nGARBAGE", 4);
  EXPECT_TRUE(d.ok);
  EXPECT_TRUE(d.done);
  EXPECT_EQ(d.data, "x");
}

TEST(ChunkedDecoderTest, NonHexSizeLineIsMalformed) {
  Decoded d = Decode("zz\r\nabc\r\n", 1);
  EXPECT_FALSE(d.ok);
}

TEST(ChunkedDecoderTest, DataNotFollowedByCrlfIsMalformed) {
  Decoded d = Decode("3\r\nabcX\r\n0\r\n\r\n", 5);
  EXPECT_FALSE(d.ok);
  EXPECT_EQ(d.data, "abc");
}

TEST(ChunkedDecoderTest, HugeChunkSizeIsRejectedInsteadOfOverflowing) {
  Decoded d = Decode("ffffffffffffffffff\r\nabc", 3);
  EXPECT_FALSE(d.ok);
  EXPECT_TRUE(d.data.empty());
}

TEST(ChunkedDecoderTest, BodyCutInsideAChunkIsNotDone) {
  Decoded d = Decode("a\r\n01234", 2);
  EXPECT_TRUE(d.ok);
  EXPECT_FALSE(d.done);
  EXPECT_EQ(d.data, "01234");
}

}  // namespace
}  // namespace rotguard::warc
