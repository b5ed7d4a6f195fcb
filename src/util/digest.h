// Streaming digests over OpenSSL EVP and the encodings WARC uses:
// sha1 as uppercase Base32 (32 chars, no padding), sha256 as lowercase hex;
// md5 and sha512 only to check digests other tools wrote.
#ifndef ROTGUARD_UTIL_DIGEST_H_
#define ROTGUARD_UTIL_DIGEST_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "util/handles.h"

namespace rotguard {

enum class DigestAlgorithm { kSha1, kSha256, kMd5, kSha512 };

// Raw digest size in bytes (20, 32, 16, 64).
size_t DigestSize(DigestAlgorithm algorithm);

// Incremental hasher; Update() any number of times, then Final() once.
class Hasher {
 public:
  explicit Hasher(DigestAlgorithm algorithm);
  Hasher(Hasher&&) noexcept = default;
  Hasher& operator=(Hasher&&) noexcept = default;

  void Update(std::string_view bytes);
  void Update(const void* data, size_t size);
  // Raw digest bytes; the hasher is reset afterwards and can be reused.
  std::string Final();

 private:
  DigestAlgorithm algorithm_;
  EvpMdCtxPtr ctx_;
};

// Both digests in one pass: WARC wants sha1, the manifest sha256.
class DualHasher {
 public:
  DualHasher()
      : sha1_(DigestAlgorithm::kSha1), sha256_(DigestAlgorithm::kSha256) {}
  void Update(std::string_view bytes) {
    sha1_.Update(bytes);
    sha256_.Update(bytes);
  }
  struct Digests {
    std::string sha1;    // raw 20 bytes
    std::string sha256;  // raw 32 bytes
  };
  Digests Final() { return {sha1_.Final(), sha256_.Final()}; }

 private:
  Hasher sha1_;
  Hasher sha256_;
};

std::string Base32Encode(std::string_view raw);  // RFC 4648, no padding
std::string HexEncode(std::string_view raw);     // lowercase
// Decodes Base32 (either case, '=' padding allowed); false on bad input.
bool Base32Decode(std::string_view text, std::string* raw);
bool HexDecode(std::string_view text, std::string* raw);
// RFC 4648 Base64: the standard alphabet (+/) or, with `url`, the URL and
// file name safe one (-_); '=' padding to a multiple of 4 when `pad`.
std::string Base64Encode(std::string_view raw, bool url, bool pad);
// Decodes either alphabet (not mixed), padded or not; false on bad input.
bool Base64Decode(std::string_view text, std::string* raw);

// "sha1:<BASE32>" — the WARC-Block-Digest / WARC-Payload-Digest form.
std::string WarcSha1Label(std::string_view raw_sha1);
// "sha256:<hex>".
std::string WarcSha256Label(std::string_view raw_sha256);

// One-shot helpers.
std::string Sha1(std::string_view bytes);
std::string Sha256(std::string_view bytes);
std::string Sha256Hex(std::string_view bytes);

}  // namespace rotguard

#endif  // ROTGUARD_UTIL_DIGEST_H_
