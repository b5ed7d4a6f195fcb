#include "warc/sha1_lanes.h"

#include <algorithm>
#include <cstring>

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>
#define ROTGUARD_SHA1_LANES_X86 1
#endif

namespace rotguard::warc {
namespace {

#ifdef ROTGUARD_SHA1_LANES_X86

#pragma GCC push_options
#pragma GCC target("sha,sse4.1,ssse3")

// One lane's registers: the state, the two E accumulators and the four
// message words in flight (Intel's SHA extensions reference schedule).
struct Regs {
  __m128i abcd, e0, e1, m[4];
  __m128i abcd_save, e0_save;
};

__attribute__((always_inline)) inline void Load(Regs& r, const uint32_t* h) {
  r.abcd = _mm_shuffle_epi32(
      _mm_loadu_si128(reinterpret_cast<const __m128i*>(h)), 0x1B);
  r.e0 = _mm_set_epi32(static_cast<int>(h[4]), 0, 0, 0);
}

__attribute__((always_inline)) inline void Store(const Regs& r, uint32_t* h) {
  _mm_storeu_si128(reinterpret_cast<__m128i*>(h),
                   _mm_shuffle_epi32(r.abcd, 0x1B));
  h[4] = static_cast<uint32_t>(_mm_extract_epi32(r.e0, 3));
}

// Rounds 4G..4G+3 of one lane: the G-th step of the reference code,
// written once for all 20 steps (which message word, which E, which
// schedule steps apply are known at compile time).
template <int G>
__attribute__((always_inline)) inline void Step(Regs& r,
                                                const unsigned char* block,
                                                __m128i mask) {
  __m128i& cur = r.m[G % 4];
  if constexpr (G < 4) {
    cur = _mm_shuffle_epi8(
        _mm_loadu_si128(reinterpret_cast<const __m128i*>(block + 16 * G)),
        mask);
  }
  __m128i& e = G % 2 == 0 ? r.e0 : r.e1;
  __m128i& other = G % 2 == 0 ? r.e1 : r.e0;
  if constexpr (G == 0) {
    e = _mm_add_epi32(e, cur);
  } else {
    e = _mm_sha1nexte_epu32(e, cur);
  }
  other = r.abcd;
  if constexpr (G >= 3 && G <= 18) {
    r.m[(G + 1) % 4] = _mm_sha1msg2_epu32(r.m[(G + 1) % 4], cur);
  }
  r.abcd = _mm_sha1rnds4_epu32(r.abcd, e, G / 5);
  if constexpr (G >= 1 && G <= 16) {
    r.m[(G + 3) % 4] = _mm_sha1msg1_epu32(r.m[(G + 3) % 4], cur);
  }
  if constexpr (G >= 2 && G <= 17) {
    r.m[(G + 2) % 4] = _mm_xor_si128(r.m[(G + 2) % 4], cur);
  }
}

// Steps G..19 for `Lanes` lanes, interleaved step by step.
template <int G, int Lanes>
__attribute__((always_inline)) inline void Steps(
    Regs* r, const unsigned char* const* block, __m128i mask) {
  if constexpr (G < 20) {
    // Written out, not a loop: the lanes must stay in registers.
    Step<G>(r[0], block[0], mask);
    if constexpr (Lanes == 2) Step<G>(r[1], block[1], mask);
    Steps<G + 1, Lanes>(r, block, mask);
  }
}

// `blocks` 64-byte blocks per lane: lane l's state h[l], its blocks
// from data[l].
template <int Lanes>
void Compress(uint32_t* const* h, const unsigned char* const* data,
              size_t blocks) {
  const __m128i mask =
      _mm_set_epi64x(0x0001020304050607LL, 0x08090a0b0c0d0e0fLL);
  Regs r[Lanes];
  const unsigned char* block[Lanes];
  for (int l = 0; l < Lanes; ++l) {
    Load(r[l], h[l]);
    block[l] = data[l];
  }
  for (size_t i = 0; i < blocks; ++i) {
    for (int l = 0; l < Lanes; ++l) {
      r[l].abcd_save = r[l].abcd;
      r[l].e0_save = r[l].e0;
    }
    Steps<0, Lanes>(r, block, mask);
    for (int l = 0; l < Lanes; ++l) {
      r[l].e0 = _mm_sha1nexte_epu32(r[l].e0, r[l].e0_save);
      r[l].abcd = _mm_add_epi32(r[l].abcd, r[l].abcd_save);
      block[l] += 64;
    }
  }
  for (int l = 0; l < Lanes; ++l) Store(r[l], h[l]);
}

#pragma GCC pop_options

bool DetectShaNi() {
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return false;
  bool sse41 = (c & bit_SSE4_1) != 0;
  bool ssse3 = (c & bit_SSSE3) != 0;
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return false;
  return sse41 && ssse3 && (b & bit_SHA) != 0;
}

void CompressOne(uint32_t* h, const unsigned char* data, size_t blocks) {
  if (blocks > 0) Compress<1>(&h, &data, blocks);
}

void CompressTwo(uint32_t* h0, const unsigned char* d0, uint32_t* h1,
                 const unsigned char* d1, size_t blocks) {
  uint32_t* h[2] = {h0, h1};
  const unsigned char* d[2] = {d0, d1};
  if (blocks > 0) Compress<2>(h, d, blocks);
}

#else  // not x86-64: the OpenSSL lanes only

bool DetectShaNi() { return false; }
void CompressOne(uint32_t*, const unsigned char*, size_t) {}
void CompressTwo(uint32_t*, const unsigned char*, uint32_t*,
                 const unsigned char*, size_t) {}

#endif

}  // namespace

bool Sha1Lanes::HaveShaNi() {
  static const bool have = DetectShaNi();
  return have;
}

Sha1Lanes::Sha1Lanes(bool sha_ni) : sha_ni_(sha_ni && HaveShaNi()) {
  if (!sha_ni_) {
    first_.emplace(DigestAlgorithm::kSha1);
    second_.emplace(DigestAlgorithm::kSha1);
  }
}

void Sha1Lanes::Feed(Lane& lane, std::string_view bytes) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  size_t n = bytes.size();
  if (n == 0) return;
  lane.length += n;
  if (lane.buffered > 0) {
    size_t take = std::min(n, 64 - lane.buffered);
    std::memcpy(lane.buf + lane.buffered, p, take);
    lane.buffered += take;
    p += take;
    n -= take;
    if (lane.buffered < 64) return;
    CompressOne(lane.h, lane.buf, 1);
    lane.buffered = 0;
  }
  CompressOne(lane.h, p, n / 64);
  lane.buffered = n % 64;
  if (lane.buffered > 0) {
    std::memcpy(lane.buf, p + n - lane.buffered, lane.buffered);
  }
}

void Sha1Lanes::UpdateFirst(std::string_view bytes) {
  if (!sha_ni_) {
    first_->Update(bytes);
    return;
  }
  Feed(lanes_[0], bytes);
}

void Sha1Lanes::UpdateBoth(std::string_view bytes) {
  if (!sha_ni_) {
    first_->Update(bytes);
    second_->Update(bytes);
    return;
  }
  // Each lane first fills its partial block; from there on the two lanes'
  // whole blocks (at different places in `bytes`) go through together.
  std::string_view rest[2] = {bytes, bytes};
  for (int l = 0; l < 2; ++l) {
    Lane& lane = lanes_[l];
    if (lane.buffered == 0) continue;
    size_t take = std::min(bytes.size(), 64 - lane.buffered);
    Feed(lane, bytes.substr(0, take));
    rest[l].remove_prefix(take);
  }
  size_t both = std::min(rest[0].size(), rest[1].size()) / 64;
  if (lanes_[0].buffered == 0 && lanes_[1].buffered == 0 && both > 0) {
    CompressTwo(lanes_[0].h,
                reinterpret_cast<const unsigned char*>(rest[0].data()),
                lanes_[1].h,
                reinterpret_cast<const unsigned char*>(rest[1].data()), both);
    for (int l = 0; l < 2; ++l) {
      lanes_[l].length += both * 64;
      rest[l].remove_prefix(both * 64);
    }
  }
  Feed(lanes_[0], rest[0]);
  Feed(lanes_[1], rest[1]);
}

std::string Sha1Lanes::Finish(Lane& lane) {
  uint64_t bits = lane.length * 8;
  unsigned char pad[72] = {0x80};
  size_t pad_len = (lane.buffered < 56 ? 56 : 120) - lane.buffered;
  for (int i = 0; i < 8; ++i) {
    pad[pad_len + i] = static_cast<unsigned char>(bits >> (56 - 8 * i));
  }
  Feed(lane, std::string_view(reinterpret_cast<const char*>(pad), pad_len + 8));
  std::string out(20, '\0');
  for (int i = 0; i < 5; ++i) {
    for (int k = 0; k < 4; ++k) {
      out[4 * i + k] = static_cast<char>(lane.h[i] >> (24 - 8 * k));
    }
  }
  return out;
}

std::string Sha1Lanes::FinalFirst() {
  return sha_ni_ ? Finish(lanes_[0]) : first_->Final();
}

std::string Sha1Lanes::FinalSecond() {
  return sha_ni_ ? Finish(lanes_[1]) : second_->Final();
}

}  // namespace rotguard::warc
