// The block and payload SHA-1 of a record in one pass over its bytes.
// The payload is the block's tail, but SHA-1 cannot share work between
// two messages that start at different bytes; what can be shared is the
// pass: with SHA-NI both digests' 64-byte blocks are compressed
// interleaved, two independent dependency chains that the CPU overlaps
// (one SHA-1 chain leaves the SHA unit mostly waiting on its own
// latency). Verify spends most of its CPU on these two digests after
// inflating. Without SHA-NI the two lanes are OpenSSL hashers.
#ifndef ROTGUARD_WARC_SHA1_LANES_H_
#define ROTGUARD_WARC_SHA1_LANES_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "util/digest.h"

namespace rotguard::warc {

class Sha1Lanes {
 public:
  // `sha_ni` false forces the OpenSSL lanes (tests compare the two).
  explicit Sha1Lanes(bool sha_ni = true);

  // True when this CPU has the SHA extensions (and SSE4.1).
  static bool HaveShaNi();

  // Bytes for the first lane only (the block's HTTP head).
  void UpdateFirst(std::string_view bytes);
  // Bytes for both lanes (the payload, which is in the block too).
  void UpdateBoth(std::string_view bytes);
  // The raw 20-byte digests; each lane is finished once.
  std::string FinalFirst();
  std::string FinalSecond();

 private:
  struct Lane {
    uint32_t h[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476,
                     0xC3D2E1F0};
    unsigned char buf[64];
    size_t buffered = 0;
    uint64_t length = 0;
  };
  // Feeds `bytes` to `lane` alone.
  static void Feed(Lane& lane, std::string_view bytes);
  static std::string Finish(Lane& lane);

  bool sha_ni_;
  Lane lanes_[2];
  // Without SHA-NI.
  std::optional<Hasher> first_;
  std::optional<Hasher> second_;
};

}  // namespace rotguard::warc

#endif  // ROTGUARD_WARC_SHA1_LANES_H_
