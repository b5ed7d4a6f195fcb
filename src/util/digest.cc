#include "util/digest.h"

#include <openssl/evp.h>

#include <stdexcept>

namespace rotguard {
namespace {

// Fetched once: OpenSSL 3 looks EVP_sha1()/EVP_sha256() up in its provider
// store (under a lock) on every DigestInit, and the archive makes several
// hashers per exchange on several threads. Never freed: they live as long
// as the process.
const EVP_MD* FetchOnce(const char* name, const EVP_MD* fallback) {
  const EVP_MD* fetched = EVP_MD_fetch(nullptr, name, nullptr);
  return fetched != nullptr ? fetched : fallback;
}

const EVP_MD* MdFor(DigestAlgorithm algorithm) {
  static const EVP_MD* const sha1 = FetchOnce("SHA1", EVP_sha1());
  static const EVP_MD* const sha256 = FetchOnce("SHA256", EVP_sha256());
  switch (algorithm) {
    case DigestAlgorithm::kSha1:
      return sha1;
    case DigestAlgorithm::kSha256:
      return sha256;
    case DigestAlgorithm::kMd5: {
      static const EVP_MD* const md5 = FetchOnce("MD5", EVP_md5());
      return md5;
    }
    case DigestAlgorithm::kSha512: {
      static const EVP_MD* const sha512 = FetchOnce("SHA512", EVP_sha512());
      return sha512;
    }
  }
  return sha256;
}

constexpr char kBase32Alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

int Base32Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a';
  if (c >= '2' && c <= '7') return c - '2' + 26;
  return -1;
}

constexpr char kBase64Alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kBase64UrlAlphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// 0-63, or -1; *url is set to 1 for -_ and 0 for +/ (left alone for the
// letters and digits both alphabets share).
int Base64Value(char c, int* url) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  int alphabet = c == '+' || c == '/' ? 0 : c == '-' || c == '_' ? 1 : -1;
  if (alphabet < 0 || (*url >= 0 && *url != alphabet)) return -1;
  *url = alphabet;
  return c == '+' || c == '-' ? 62 : 63;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Hasher::Hasher(DigestAlgorithm algorithm)
    : algorithm_(algorithm), ctx_(EVP_MD_CTX_new()) {
  // Allocation failure here is not an expected condition: throw at the edge.
  if (!ctx_ || EVP_DigestInit_ex(ctx_.get(), MdFor(algorithm_), nullptr) != 1) {
    throw std::runtime_error("OpenSSL digest initialisation failed");
  }
}

void Hasher::Update(std::string_view bytes) {
  Update(bytes.data(), bytes.size());
}

void Hasher::Update(const void* data, size_t size) {
  if (size > 0) EVP_DigestUpdate(ctx_.get(), data, size);
}

std::string Hasher::Final() {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx_.get(), out, &len);
  EVP_DigestInit_ex(ctx_.get(), MdFor(algorithm_), nullptr);
  return std::string(reinterpret_cast<char*>(out), len);
}

std::string Base32Encode(std::string_view raw) {
  std::string out;
  out.reserve((raw.size() * 8 + 4) / 5);
  uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char c : raw) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 5) {
      out.push_back(kBase32Alphabet[(buffer >> (bits - 5)) & 31]);
      bits -= 5;
    }
  }
  if (bits > 0) out.push_back(kBase32Alphabet[(buffer << (5 - bits)) & 31]);
  return out;
}

bool Base32Decode(std::string_view text, std::string* raw) {
  raw->clear();
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    if (c == '=') break;
    int v = Base32Value(c);
    if (v < 0) return false;
    buffer = (buffer << 5) | static_cast<uint32_t>(v);
    bits += 5;
    if (bits >= 8) {
      raw->push_back(static_cast<char>((buffer >> (bits - 8)) & 0xff));
      bits -= 8;
    }
  }
  return true;
}

std::string HexEncode(std::string_view raw) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(raw.size() * 2);
  for (unsigned char c : raw) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

bool HexDecode(std::string_view text, std::string* raw) {
  raw->clear();
  if (text.size() % 2 != 0) return false;
  for (size_t i = 0; i < text.size(); i += 2) {
    int hi = HexValue(text[i]);
    int lo = HexValue(text[i + 1]);
    if (hi < 0 || lo < 0) return false;
    raw->push_back(static_cast<char>(hi * 16 + lo));
  }
  return true;
}

size_t DigestSize(DigestAlgorithm algorithm) {
  switch (algorithm) {
    case DigestAlgorithm::kSha1:
      return 20;
    case DigestAlgorithm::kSha256:
      return 32;
    case DigestAlgorithm::kMd5:
      return 16;
    case DigestAlgorithm::kSha512:
      return 64;
  }
  return 0;
}

std::string Base64Encode(std::string_view raw, bool url, bool pad) {
  const char* alphabet = url ? kBase64UrlAlphabet : kBase64Alphabet;
  std::string out;
  out.reserve((raw.size() + 2) / 3 * 4);
  uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char c : raw) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 6) {
      out.push_back(alphabet[(buffer >> (bits - 6)) & 63]);
      bits -= 6;
    }
  }
  if (bits > 0) out.push_back(alphabet[(buffer << (6 - bits)) & 63]);
  while (pad && out.size() % 4 != 0) out.push_back('=');
  return out;
}

bool Base64Decode(std::string_view text, std::string* raw) {
  raw->clear();
  size_t padding = 0;
  while (!text.empty() && text.back() == '=') {
    text.remove_suffix(1);
    ++padding;
  }
  // Padding, when present, completes the last quantum of 4 characters.
  if (padding > 2 || (padding > 0 && (text.size() + padding) % 4 != 0)) {
    return false;
  }
  if (text.size() % 4 == 1) return false;  // 6 bits cannot end a byte
  uint32_t buffer = 0;
  int bits = 0;
  int url = -1;
  for (char c : text) {
    int v = Base64Value(c, &url);
    if (v < 0) return false;
    buffer = (buffer << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      raw->push_back(static_cast<char>((buffer >> (bits - 8)) & 0xff));
      bits -= 8;
    }
  }
  return true;
}

std::string WarcSha1Label(std::string_view raw_sha1) {
  return "sha1:" + Base32Encode(raw_sha1);
}

std::string WarcSha256Label(std::string_view raw_sha256) {
  return "sha256:" + HexEncode(raw_sha256);
}

std::string Sha1(std::string_view bytes) {
  Hasher h(DigestAlgorithm::kSha1);
  h.Update(bytes);
  return h.Final();
}

std::string Sha256(std::string_view bytes) {
  Hasher h(DigestAlgorithm::kSha256);
  h.Update(bytes);
  return h.Final();
}

std::string Sha256Hex(std::string_view bytes) {
  return HexEncode(Sha256(bytes));
}

}  // namespace rotguard
