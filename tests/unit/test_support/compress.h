// zlib-compressed test inputs: one helper for the tests that feed gzip,
// zlib or raw deflate bodies to readers and decoders.
#ifndef ROTGUARD_TESTS_UNIT_TEST_SUPPORT_COMPRESS_H_
#define ROTGUARD_TESTS_UNIT_TEST_SUPPORT_COMPRESS_H_

#include <string>
#include <string_view>

namespace rotguard::testing {

// `plain` compressed at level 6 in one stream; `window_bits` picks the
// wrapper as for deflateInit2: 15 + 16 gzip, 15 zlib, -15 raw deflate.
// A failure is a test failure (EXPECT).
std::string Deflate(std::string_view plain, int window_bits);

// One gzip member holding `plain`.
inline std::string Gzip(std::string_view plain) {
  return Deflate(plain, 15 + 16);
}

}  // namespace rotguard::testing

#endif  // ROTGUARD_TESTS_UNIT_TEST_SUPPORT_COMPRESS_H_
