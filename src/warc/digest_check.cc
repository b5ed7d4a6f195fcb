#include "warc/digest_check.h"

namespace rotguard::warc {
namespace {

// "SHA-1" → "sha1", "sha-256" → "sha256".
std::string NormalizeLabel(std::string_view label) {
  std::string out;
  for (char c : label) {
    if (c == '-' || c == '_') continue;
    out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
  }
  return out;
}

bool IsHex(std::string_view s) {
  for (char c : s) {
    bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
               (c >= 'A' && c <= 'F');
    if (!hex) return false;
  }
  return true;
}

}  // namespace

DigestCheck::Parse DigestCheck::Start(std::string_view field) {
  field_.assign(field);
  hasher_.reset();
  size_t colon = field.find(':');
  if (colon == std::string_view::npos) return Parse::kBadValue;
  std::string label = NormalizeLabel(field.substr(0, colon));
  std::string_view value = field.substr(colon + 1);
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  size_t raw_size = 0;
  if (label == "sha1") {
    algorithm_ = DigestAlgorithm::kSha1;
    raw_size = 20;
  } else if (label == "sha256") {
    algorithm_ = DigestAlgorithm::kSha256;
    raw_size = 32;
  } else {
    return Parse::kUnknownAlgorithm;
  }
  bool decoded = value.size() == raw_size * 2 && IsHex(value)
                     ? HexDecode(value, &expected_raw_)
                     : Base32Decode(value, &expected_raw_);
  if (!decoded || expected_raw_.size() != raw_size) return Parse::kBadValue;
  hasher_.emplace(algorithm_);
  return Parse::kOk;
}

bool DigestCheck::Matches() {
  if (!hasher_) return false;
  std::string raw = hasher_->Final();
  hasher_.reset();
  actual_ = algorithm_ == DigestAlgorithm::kSha1 ? WarcSha1Label(raw)
                                                 : WarcSha256Label(raw);
  return raw == expected_raw_;
}

}  // namespace rotguard::warc
