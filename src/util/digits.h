// Fields of ASCII digits in protocol text (14-digit timestamps, status
// codes, ARC header lengths) and RFC 3986 percent-encoding of a value.
#ifndef ROTGUARD_UTIL_DIGITS_H_
#define ROTGUARD_UTIL_DIGITS_H_

#include <charconv>
#include <string>
#include <string_view>

namespace rotguard {

// True for a non-empty run of '0'-'9' only (no sign, no space).
constexpr bool AllAsciiDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// The value of a run of digits AllAsciiDigits accepted; 0 on overflow.
inline int DigitsToInt(std::string_view digits) {
  int value = 0;
  std::from_chars(digits.data(), digits.data() + digits.size(), value);
  return value;
}

// Percent-encodes every byte but RFC 3986's unreserved ones (ALPHA DIGIT
// - . _ ~): a query or form value that must reach the server unchanged.
inline std::string PercentEncodeUnreserved(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
        (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
        c == '~') {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace rotguard

#endif  // ROTGUARD_UTIL_DIGITS_H_
