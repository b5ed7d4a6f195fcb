#include "util/terminal_text.h"

#include <cstddef>

namespace rotguard {
namespace {

void AppendHex(unsigned char byte, std::string* out) {
  constexpr char kHex[] = "0123456789ABCDEF";
  out->push_back('%');
  out->push_back(kHex[byte >> 4]);
  out->push_back(kHex[byte & 0xf]);
}

bool IsContinuation(unsigned char c) { return (c & 0xc0) == 0x80; }

// The length of the well-formed UTF-8 sequence at the start of `s`
// (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF), or
// 0 when it is not one.
size_t Utf8SequenceLength(std::string_view s) {
  auto byte = [&s](size_t i) { return static_cast<unsigned char>(s[i]); };
  unsigned char lead = byte(0);
  size_t length = 0;
  unsigned char low = 0x80;  // the second byte's range
  unsigned char high = 0xbf;
  if (lead >= 0xc2 && lead <= 0xdf) {
    length = 2;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    if (lead == 0xe0) low = 0xa0;
    if (lead == 0xed) high = 0x9f;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    if (lead == 0xf0) low = 0x90;
    if (lead == 0xf4) high = 0x8f;
  } else {
    return 0;
  }
  if (s.size() < length || byte(1) < low || byte(1) > high) return 0;
  for (size_t i = 2; i < length; ++i) {
    if (!IsContinuation(byte(i))) return 0;
  }
  return length;
}

bool IsPrintableAscii(char c) { return c >= 0x20 && c < 0x7f; }

}  // namespace

void AppendTerminalSafe(std::string_view text, std::string* out) {
  while (!text.empty()) {
    // Runs of printable ASCII, the common case, are copied in one go.
    size_t run = 0;
    while (run < text.size() && IsPrintableAscii(text[run])) ++run;
    out->append(text.substr(0, run));
    text.remove_prefix(run);
    if (text.empty()) break;
    auto lead = static_cast<unsigned char>(text.front());
    size_t length = lead < 0x80 ? 0 : Utf8SequenceLength(text);
    // U+0080..U+009F are C2 80..C2 9F.
    bool c1 = length == 2 && lead == 0xc2 &&
              static_cast<unsigned char>(text[1]) <= 0x9f;
    if (length == 0 || c1) {
      size_t bytes = c1 ? 2 : 1;
      for (size_t i = 0; i < bytes; ++i) {
        AppendHex(static_cast<unsigned char>(text[i]), out);
      }
      text.remove_prefix(bytes);
      continue;
    }
    out->append(text.substr(0, length));
    text.remove_prefix(length);
  }
}

std::string TerminalSafe(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  AppendTerminalSafe(text, &out);
  return out;
}

}  // namespace rotguard
