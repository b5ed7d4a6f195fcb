// UTF-8 encoding of one code point, for the decoders of character
// references and escapes (HTML/XML entities, YAML and JSON \u escapes,
// percent-decoded IDNA labels).
#ifndef ROTGUARD_UTIL_UTF8_H_
#define ROTGUARD_UTIL_UTF8_H_

#include <string>

namespace rotguard {

// Appends the UTF-8 bytes of `cp`. NUL, surrogates and values above
// U+10FFFF become U+FFFD, so the output is always well-formed UTF-8 (what
// HTML's and YAML's decoders do with such references).
inline void AppendUtf8(char32_t cp, std::string* out) {
  if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace rotguard

#endif  // ROTGUARD_UTIL_UTF8_H_
