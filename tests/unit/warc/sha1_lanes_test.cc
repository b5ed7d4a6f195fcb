// Sha1Lanes (warc/sha1_lanes.h): the block and payload SHA-1 taken in
// one pass equal OpenSSL's digests of the two messages, however the bytes
// are cut into updates and wherever the head ends relative to the 64-byte
// blocks, with the SHA-NI lanes and with the OpenSSL ones.
#include "warc/sha1_lanes.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "util/digest.h"

namespace rotguard::warc {
namespace {

std::string RandomBytes(size_t n, std::mt19937& rng) {
  std::string out(n, '\0');
  for (char& c : out) c = static_cast<char>(rng());
  return out;
}

// `head` then `payload` fed in pieces of at most `piece` bytes (a piece
// may straddle the head's end, as a reader's buffer does).
void Feed(Sha1Lanes& lanes, const std::string& head, const std::string& payload,
          size_t piece) {
  std::string block = head + payload;
  for (size_t at = 0; at < block.size(); at += piece) {
    std::string_view bytes = std::string_view(block).substr(at, piece);
    size_t head_part = at >= head.size() ? 0 : head.size() - at;
    head_part = std::min(head_part, bytes.size());
    lanes.UpdateFirst(bytes.substr(0, head_part));
    lanes.UpdateBoth(bytes.substr(head_part));
  }
}

TEST(Sha1LanesTest, BlockAndPayloadDigestsEqualOpensslForEveryCut) {
  std::mt19937 rng(7);
  const std::vector<size_t> heads = {0, 1, 55, 56, 63, 64, 65, 119, 200};
  const std::vector<size_t> payloads = {0,   1,   55,  56,   63,   64,
                                        127, 128, 129, 1000, 4096, 70000};
  const std::vector<size_t> pieces = {1, 7, 64, 100, 65536};
  for (bool sha_ni : {true, false}) {
    for (size_t h : heads) {
      for (size_t p : payloads) {
        std::string head = RandomBytes(h, rng);
        std::string payload = RandomBytes(p, rng);
        for (size_t piece : pieces) {
          if (piece == 1 && p > 4096) continue;  // slow, nothing new
          Sha1Lanes lanes(sha_ni);
          Feed(lanes, head, payload, piece);
          SCOPED_TRACE("sha_ni " + std::to_string(sha_ni) + " head " +
                       std::to_string(h) + " payload " + std::to_string(p) +
                       " piece " + std::to_string(piece));
          EXPECT_EQ(HexEncode(lanes.FinalFirst()),
                    HexEncode(Sha1(head + payload)));
          EXPECT_EQ(HexEncode(lanes.FinalSecond()), HexEncode(Sha1(payload)));
        }
      }
    }
  }
}

TEST(Sha1LanesTest, KnownAnswersOfFips180) {
  Sha1Lanes lanes;
  lanes.UpdateFirst("ab");
  lanes.UpdateBoth("c");
  EXPECT_EQ(HexEncode(lanes.FinalFirst()),
            "a9993e364706816aba3e25717850c26c9cd0d89d");  // "abc"
  EXPECT_EQ(HexEncode(lanes.FinalSecond()),
            "84a516841ba77a5b4648de2cd0dfcb30ea46dbb4");  // "c"
  Sha1Lanes empty;
  EXPECT_EQ(HexEncode(empty.FinalSecond()),
            "da39a3ee5e6b4b0d3255bfef95601890afd80709");
}

}  // namespace
}  // namespace rotguard::warc
