// ASCII-only string helpers for protocol text (HTTP and WARC header names,
// URL schemes, HTML attribute names). Locale-free on purpose: protocol
// tokens are ASCII, and tolower() would depend on the process locale.
#ifndef ROTGUARD_UTIL_ASCII_H_
#define ROTGUARD_UTIL_ASCII_H_

#include <string>
#include <string_view>

namespace rotguard {

constexpr char AsciiLower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// Text made safe inside HTML element content and quoted attribute values.
inline std::string HtmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

inline std::string AsciiLowercase(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = AsciiLower(c);
  return out;
}

// Byte-wise, so embedded NULs compare too (strncasecmp stops at them).
constexpr bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (AsciiLower(a[i]) != AsciiLower(b[i])) return false;
  }
  return true;
}

// `lower_prefix` must already be lowercase.
constexpr bool StartsWithIgnoreCase(std::string_view text,
                                    std::string_view lower_prefix) {
  if (text.size() < lower_prefix.size()) return false;
  for (size_t i = 0; i < lower_prefix.size(); ++i) {
    if (AsciiLower(text[i]) != lower_prefix[i]) return false;
  }
  return true;
}

// Strips HTTP optional whitespace (space, tab) from both ends, and a stray
// CR from the end, as header values carry them.
constexpr std::string_view TrimHeaderSpace(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

}  // namespace rotguard

#endif  // ROTGUARD_UTIL_ASCII_H_
