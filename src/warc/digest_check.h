// Checking a WARC digest field ("sha1:BASE32", "sha256:hex", any case,
// compat labels such as "SHA-1:") against bytes streamed through it.
#ifndef ROTGUARD_WARC_DIGEST_CHECK_H_
#define ROTGUARD_WARC_DIGEST_CHECK_H_

#include <optional>
#include <string>
#include <string_view>

#include "util/digest.h"

namespace rotguard::warc {

class DigestCheck {
 public:
  enum class Parse { kOk, kUnknownAlgorithm, kBadValue };

  // Parses `field`; only a kOk check hashes anything.
  Parse Start(std::string_view field);
  bool active() const { return hasher_.has_value(); }
  void Update(std::string_view bytes) {
    if (hasher_) hasher_->Update(bytes);
  }
  // Finishes hashing; true when the digest matches.
  bool Matches();
  // The computed digest in the field's own form (after Matches()).
  const std::string& actual() const { return actual_; }
  const std::string& expected() const { return field_; }

 private:
  std::string field_;
  DigestAlgorithm algorithm_ = DigestAlgorithm::kSha1;
  std::string expected_raw_;
  std::optional<Hasher> hasher_;
  std::string actual_;
};

}  // namespace rotguard::warc

#endif  // ROTGUARD_WARC_DIGEST_CHECK_H_
