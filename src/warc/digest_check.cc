#include "rotguard/digest_check.h"

#include <algorithm>

namespace rotguard::warc {
namespace {

using Base = DigestEncoding::Base;

// "SHA-1" → "sha1", "sha-256" → "sha256".
std::string NormalizeLabel(std::string_view label) {
  std::string out;
  for (char c : label) {
    if (c == '-' || c == '_') continue;
    out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
  }
  return out;
}

std::optional<DigestAlgorithm> AlgorithmOf(std::string_view label) {
  std::string name = NormalizeLabel(label);
  if (name == "sha1") return DigestAlgorithm::kSha1;
  if (name == "sha256") return DigestAlgorithm::kSha256;
  if (name == "md5") return DigestAlgorithm::kMd5;
  if (name == "sha512") return DigestAlgorithm::kSha512;
  return std::nullopt;
}

bool IsHex(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
           (c >= 'A' && c <= 'F');
  });
}

bool HasUpper(std::string_view s) {
  return std::any_of(s.begin(), s.end(),
                     [](char c) { return c >= 'A' && c <= 'Z'; });
}

bool HasLower(std::string_view s) {
  return std::any_of(s.begin(), s.end(),
                     [](char c) { return c >= 'a' && c <= 'z'; });
}

// `value` without its '=' padding; false when the padding does not fill
// the last quantum of `quantum` characters exactly.
bool StripPadding(std::string_view value, size_t quantum,
                  std::string_view* data, bool* padded) {
  size_t end = value.find_last_not_of('=');
  *data = value.substr(0, end == std::string_view::npos ? 0 : end + 1);
  *padded = data->size() < value.size();
  if (data->find('=') != std::string_view::npos) return false;
  if (!*padded) return true;
  size_t full = (data->size() + quantum - 1) / quantum * quantum;
  return value.size() == full;
}

// Decodes `value` as the digest of `size` bytes in the one encoding its
// length allows; false when it decodes in none.
bool DecodeValue(std::string_view value, size_t size, ParsedDigest* out) {
  DigestEncoding& enc = out->encoding;
  if (value.size() == size * 2 && IsHex(value)) {
    enc = {Base::kBase16, !HasUpper(value), false};
    return HexDecode(value, &out->raw) && out->raw.size() == size;
  }
  std::string_view data;
  bool padded = false;
  if (StripPadding(value, 8, &data, &padded) &&
      data.size() == (size * 8 + 4) / 5) {
    enc = {Base::kBase32, !HasUpper(data) && HasLower(data), padded};
    return Base32Decode(data, &out->raw) && out->raw.size() == size;
  }
  if (StripPadding(value, 4, &data, &padded) &&
      data.size() == (size * 4 + 2) / 3) {
    bool url = data.find_first_of("-_") != std::string_view::npos;
    enc = {url ? Base::kBase64Url : Base::kBase64, false, padded};
    return Base64Decode(data, &out->raw) && out->raw.size() == size;
  }
  return false;
}

std::string ToLower(std::string text) {
  for (char& c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return text;
}

std::string ToUpper(std::string text) {
  for (char& c : text) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return text;
}

}  // namespace

DigestParse ParseDigestField(std::string_view field, ParsedDigest* out) {
  *out = ParsedDigest();
  size_t colon = field.find(':');
  if (colon == std::string_view::npos) return DigestParse::kNoLabel;
  std::string_view label = field.substr(0, colon);
  std::string_view value = field.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
    value.remove_prefix(1);
  }
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) {
    value.remove_suffix(1);
  }
  out->label.assign(label);
  std::optional<DigestAlgorithm> algorithm = AlgorithmOf(label);
  if (!algorithm) return DigestParse::kUnknownAlgorithm;
  out->algorithm = *algorithm;
  if (!DecodeValue(value, DigestSize(*algorithm), out)) {
    out->raw.clear();
    return DigestParse::kBadValue;
  }
  return DigestParse::kOk;
}

std::string EncodeDigest(std::string_view raw, const DigestEncoding& encoding) {
  switch (encoding.base) {
    case Base::kBase16: {
      std::string hex = HexEncode(raw);
      return encoding.lowercase ? hex : ToUpper(std::move(hex));
    }
    case Base::kBase32: {
      std::string text = Base32Encode(raw);
      while (encoding.padded && text.size() % 8 != 0) text.push_back('=');
      return encoding.lowercase ? ToLower(std::move(text)) : text;
    }
    case Base::kBase64:
    case Base::kBase64Url:
      return Base64Encode(raw, encoding.base == Base::kBase64Url,
                          encoding.padded);
  }
  return "";
}

std::string Sha1Base32OfField(std::string_view field) {
  ParsedDigest parsed;
  if (ParseDigestField(field, &parsed) != DigestParse::kOk ||
      parsed.algorithm != DigestAlgorithm::kSha1) {
    return "";
  }
  return Base32Encode(parsed.raw);
}

DigestParse DigestCheck::Start(std::string_view field) {
  field_.assign(field);
  hasher_.reset();
  actual_.clear();
  DigestParse parse = ParseDigestField(field, &parsed_);
  readable_ = parse == DigestParse::kOk;
  if (parse == DigestParse::kBadValue) {
    // Shown as the algorithm's usual form: base32 sha1, hex otherwise.
    bool sha1 = parsed_.algorithm == DigestAlgorithm::kSha1;
    parsed_.encoding = {sha1 ? Base::kBase32 : Base::kBase16, !sha1, false};
  }
  if (parse == DigestParse::kOk || parse == DigestParse::kBadValue) {
    hasher_.emplace(parsed_.algorithm);
  }
  return parse;
}

bool DigestCheck::Matches() {
  if (!hasher_) return false;
  return MatchesDigest(hasher_->Final());
}

bool DigestCheck::MatchesDigest(std::string_view raw) {
  if (!hasher_) return false;
  hasher_.reset();
  actual_ = parsed_.label + ":" + EncodeDigest(raw, parsed_.encoding);
  return readable_ && raw == parsed_.raw;
}

}  // namespace rotguard::warc
