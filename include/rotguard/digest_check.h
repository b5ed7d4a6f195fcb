// Checking a WARC digest field against bytes streamed through it.
//
// A field is "label:value". Labels: sha1, sha256, md5, sha512, in any case
// and in the compat spellings ("SHA-1:", "sha-256:"). Values (RFC 3548 /
// RFC 4648), as real files carry them: base16 (either case), base32
// (either case), base64 and base64url, each with or without '=' padding.
// The encoding is told apart by the value's length for the algorithm, so
// a value decodes in at most one of them; a value that decodes in none
// (or to the wrong length) is unreadable: a digest failure of its record.
#ifndef ROTGUARD_DIGEST_CHECK_H_
#define ROTGUARD_DIGEST_CHECK_H_

#include <optional>
#include <string>
#include <string_view>

#include "util/digest.h"

namespace rotguard::warc {

// How a digest value was written, so a computed digest can be shown the
// same way.
struct DigestEncoding {
  enum class Base { kBase16, kBase32, kBase64, kBase64Url };
  Base base = Base::kBase32;
  bool lowercase = false;  // base16/base32 letters
  bool padded = false;     // base32/base64 '=' padding
};

struct ParsedDigest {
  std::string label;  // as written, e.g. "SHA-1"
  DigestAlgorithm algorithm = DigestAlgorithm::kSha1;
  DigestEncoding encoding;
  std::string raw;  // decoded digest bytes
};

enum class DigestParse {
  kOk,                // label known, value decoded to the right size
  kUnknownAlgorithm,  // a label rotguard cannot hash (e.g. blake3)
  kBadValue,          // known label, value decodes in no encoding
  kNoLabel,           // no "label:" at all
};

// Parses `field`; `out` is filled as far as known (label and algorithm
// for kBadValue, everything for kOk).
DigestParse ParseDigestField(std::string_view field, ParsedDigest* out);

// `raw` written in `encoding`.
std::string EncodeDigest(std::string_view raw, const DigestEncoding& encoding);

// The base32 (uppercase, unpadded) of a sha1 field in any encoding; "" for
// another algorithm or an unreadable value. What the manifest keeps.
std::string Sha1Base32OfField(std::string_view field);

class DigestCheck {
 public:
  // Parses `field`; a kOk or kBadValue check hashes (so that a bad value
  // can be reported with the digest the bytes really have).
  DigestParse Start(std::string_view field);
  bool active() const { return hasher_.has_value(); }
  // False when the value decodes in no encoding (kBadValue).
  bool readable() const { return readable_; }
  void Update(std::string_view bytes) {
    if (hasher_) hasher_->Update(bytes);
  }
  // Finishes hashing; true when the digest matches (never for a bad
  // value).
  bool Matches();
  // An active sha1 check, whose bytes may be hashed elsewhere (the
  // reader's Sha1Lanes) and the digest handed to MatchesDigest().
  bool sha1() const {
    return hasher_.has_value() && parsed_.algorithm == DigestAlgorithm::kSha1;
  }
  // Matches() for `raw`, the digest of the bytes computed elsewhere.
  bool MatchesDigest(std::string_view raw);
  // The computed digest as "label:value", in the field's own label and
  // encoding (a bad value: base32 for sha1, lowercase hex otherwise).
  const std::string& actual() const { return actual_; }
  const std::string& expected() const { return field_; }

 private:
  std::string field_;
  ParsedDigest parsed_;
  bool readable_ = true;
  std::optional<Hasher> hasher_;
  std::string actual_;
};

}  // namespace rotguard::warc

#endif  // ROTGUARD_DIGEST_CHECK_H_
