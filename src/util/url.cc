// The URL type: an RFC 3986 splitter with reference resolution (§5.2),
// the manifest's normalized key (SPEC §13), and warcio.js's SURT.
//
// Normalization decisions (the manifest key must be stable, so they are
// fixed here and tested):
//  - Only the percent-encoding hex digits change case; nothing is decoded
//    (`%7E` stays `%7E`, `%2e` segments are not dot segments).
//  - Bytes that can never appear raw in a URI are percent-encoded the way
//    browsers do: in path and userinfo C0 controls, space, `"` `<` `>` `` ` ``
//    `{` `}`, DEL and bytes >= 0x80; in the query the same without `` ` ``
//    `{` `}` but with `'`. A `%` not followed by two hex digits stays raw.
//  - The host is lowercased; a non-ASCII host goes through UTS #46
//    (libidn2, non-transitional, transitional as a fallback). A trailing
//    dot of the host is kept ("example.com." is its own key). IPv6
//    literals are validated and lowercased but not recompressed.
//  - The userinfo is kept; an empty port ("http://h:/") counts as none.
//  - The query is kept byte for byte ("?" alone stays), the fragment goes.
#include "rotguard/url.h"

#include <arpa/inet.h>
#include <idn2.h>
#include <locale.h>
#include <wctype.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "util/ascii.h"
#include "util/utf8.h"

namespace rotguard {
namespace {

constexpr std::string_view kHexDigits = "0123456789ABCDEF";

bool IsAsciiAlpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHexDigit(char c) {
  return IsAsciiDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
char AsciiUpper(char c) {
  return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
}
int HexValue(char c) {
  if (IsAsciiDigit(c)) return c - '0';
  return AsciiLower(c) - 'a' + 10;
}

void AppendPercentEncoded(unsigned char byte, std::string* out) {
  out->push_back('%');
  out->push_back(kHexDigits[byte >> 4]);
  out->push_back(kHexDigits[byte & 0xF]);
}

// ---------------------------------------------------------------------------
// RFC 3986 splitting, dot-segment removal and resolution.

// scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
bool IsValidScheme(std::string_view s) {
  if (s.empty() || !IsAsciiAlpha(s[0])) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return IsAsciiAlpha(c) || IsAsciiDigit(c) || c == '+' || c == '-' ||
           c == '.';
  });
}

// The offset of the first byte of s[from, …) that `is_stop` accepts, or
// s.size(). Not string_view::find_first_of, which calls memchr on its set
// for every byte of `s`: that was a third of NormalizeUrl's time.
template <typename Predicate>
size_t FindFirst(std::string_view s, size_t from, Predicate is_stop) {
  for (size_t i = from; i < s.size(); ++i) {
    if (is_stop(s[i])) return i;
  }
  return s.size();
}

bool EndsAuthority(char c) { return c == '/' || c == '?' || c == '#'; }
bool EndsPath(char c) { return c == '?' || c == '#'; }

// The scheme before the first ":", when no "/", "?" or "#" comes first
// and it is a valid scheme (so "1x:y" or "a b:c" is a path).
std::optional<std::string_view> SchemeOf(std::string_view s) {
  size_t delimiter =
      FindFirst(s, 0, [](char c) { return c == ':' || EndsAuthority(c); });
  if (delimiter == s.size() || s[delimiter] != ':' ||
      !IsValidScheme(s.substr(0, delimiter))) {
    return std::nullopt;
  }
  return s.substr(0, delimiter);
}

}  // namespace

// The regular expression of RFC 3986 Appendix B, written out by hand. Not
// CURLU: it splits relative references too, and it is on the scan's hot
// path (see ARCHITECTURE.md).
UrlComponents SplitUrl(std::string_view s) {
  UrlComponents parts;
  size_t i = 0;
  parts.scheme = SchemeOf(s);
  if (parts.scheme) i = parts.scheme->size() + 1;
  if (s.substr(i, 2) == "//") {
    size_t end = FindFirst(s, i + 2, EndsAuthority);
    parts.authority = s.substr(i + 2, end - i - 2);
    i = end;
  }
  size_t path_end = FindFirst(s, i, EndsPath);
  parts.path = s.substr(i, path_end - i);
  i = path_end;
  if (i < s.size() && s[i] == '?') {
    size_t query_end = std::min(s.find('#', i + 1), s.size());
    parts.query = s.substr(i + 1, query_end - i - 1);
    i = query_end;
  }
  if (i < s.size() && s[i] == '#') parts.fragment = s.substr(i + 1);
  return parts;
}

namespace {

// Drops the last segment of `output` and its preceding "/" (if any).
void PopLastSegment(std::string* output) {
  size_t slash = output->rfind('/');
  output->erase(slash == std::string::npos ? 0 : slash);
}

// RFC 3986 §5.2.4, step by step.
std::string RemoveDotSegments(std::string_view input) {
  std::string output;
  output.reserve(input.size());
  while (!input.empty()) {
    if (input.starts_with("../")) {
      input.remove_prefix(3);
    } else if (input.starts_with("./")) {
      input.remove_prefix(2);
    } else if (input.starts_with("/./")) {
      input.remove_prefix(2);
    } else if (input == "/.") {
      input = "/";
    } else if (input.starts_with("/../")) {
      input.remove_prefix(3);
      PopLastSegment(&output);
    } else if (input == "/..") {
      input = "/";
      PopLastSegment(&output);
    } else if (input == "." || input == "..") {
      input = {};
    } else {
      size_t next = input.find('/', input[0] == '/' ? 1 : 0);
      if (next == std::string_view::npos) next = input.size();
      output.append(input.substr(0, next));
      input.remove_prefix(next);
    }
  }
  return output;
}

// RFC 3986 §5.2.3.
std::string MergePaths(const UrlComponents& base, std::string_view reference) {
  if (base.authority && base.path.empty()) {
    return "/" + std::string(reference);
  }
  size_t slash = base.path.rfind('/');
  std::string merged(slash == std::string_view::npos
                         ? std::string_view()
                         : base.path.substr(0, slash + 1));
  merged.append(reference);
  return merged;
}

struct OwnedUri {
  std::optional<std::string> scheme, authority, query, fragment;
  std::string path;
};

// RFC 3986 §5.3.
std::string Recompose(const OwnedUri& uri) {
  std::string out;
  if (uri.scheme) out.append(*uri.scheme).push_back(':');
  if (uri.authority) out.append("//").append(*uri.authority);
  out.append(uri.path);
  if (uri.query) out.append("?").append(*uri.query);
  if (uri.fragment) out.append("#").append(*uri.fragment);
  return out;
}

std::optional<std::string> Own(std::optional<std::string_view> s) {
  if (!s) return std::nullopt;
  return std::string(*s);
}

// ---------------------------------------------------------------------------
// Normalization (SPEC §13).

// Which bytes a component must percent-encode, as 256-entry tables so the
// hot loop is one load per byte.
using ByteSet = std::array<bool, 256>;

constexpr ByteSet MakeEncodeSet(std::string_view extra) {
  ByteSet set{};
  for (size_t c = 0; c < set.size(); ++c) set[c] = c <= 0x20 || c >= 0x7F;
  for (char c : extra) set[static_cast<unsigned char>(c)] = true;
  return set;
}
constexpr ByteSet kPathEncodeSet = MakeEncodeSet("\"<>`{}");
constexpr ByteSet kQueryEncodeSet = MakeEncodeSet("\"<>'");

// Uppercases percent-encoding hex and encodes the bytes of `encode`;
// runs of other bytes are copied in one append.
void AppendNormalizedComponent(std::string_view in, const ByteSet& encode,
                               std::string* out) {
  size_t run = 0;  // start of the pending run of bytes copied as they are
  for (size_t i = 0; i < in.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(in[i]);
    if (c != '%' && !encode[c]) continue;
    out->append(in.substr(run, i - run));
    if (c == '%' && i + 2 < in.size() && IsHexDigit(in[i + 1]) &&
        IsHexDigit(in[i + 2])) {
      out->push_back('%');
      out->push_back(AsciiUpper(in[i + 1]));
      out->push_back(AsciiUpper(in[i + 2]));
      i += 2;
    } else if (c == '%') {
      out->push_back('%');
    } else {
      AppendPercentEncoded(c, out);
    }
    run = i + 1;
  }
  out->append(in.substr(run));
}

// Most paths have no "." or ".." segment; they skip RemoveDotSegments.
bool MayHaveDotSegments(std::string_view path) {
  return (!path.empty() && path.front() == '.') ||
         path.find("/.") != std::string_view::npos;
}

struct IdnFree {
  void operator()(char* p) const { idn2_free(p); }
};
using IdnString = std::unique_ptr<char, IdnFree>;

// UTS #46 ToASCII of a host with non-ASCII bytes; nullopt when libidn2
// rejects it under both processing modes.
std::optional<std::string> ConvertHostToAscii(const std::string& host) {
  for (int flags : {IDN2_NONTRANSITIONAL, IDN2_TRANSITIONAL}) {
    char* raw = nullptr;
    int rc = idn2_to_ascii_8z(host.c_str(), &raw, flags);
    IdnString ascii(raw);
    if (rc == IDN2_OK && ascii) return AsciiLowercase(ascii.get());
  }
  return std::nullopt;
}

// ConvertHostToAscii() with a small per-thread memo: libidn2 costs
// microseconds per call, and a site links to the same few hosts over and
// over.
std::optional<std::string> HostToAscii(const std::string& host) {
  constexpr size_t kMaxEntries = 1024;
  thread_local std::unordered_map<std::string, std::optional<std::string>> memo;
  auto found = memo.find(host);
  if (found != memo.end()) return found->second;
  if (memo.size() >= kMaxEntries) memo.clear();
  std::optional<std::string> ascii = ConvertHostToAscii(host);
  memo.emplace(host, ascii);
  return ascii;
}

bool HasNonAscii(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    return static_cast<unsigned char>(c) >= 0x80;
  });
}

// reg-name = *( unreserved / pct-encoded / sub-delims ), already lowercased.
bool IsValidRegName(std::string_view host) {
  for (size_t i = 0; i < host.size(); ++i) {
    char c = host[i];
    if (c == '%') {
      if (i + 2 >= host.size() || !IsHexDigit(host[i + 1]) ||
          !IsHexDigit(host[i + 2])) {
        return false;
      }
      i += 2;
      continue;
    }
    bool ok =
        IsAsciiAlpha(c) || IsAsciiDigit(c) ||
        std::string_view("-._~!$&'()*+,;=").find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

// Appends the normalized host to `out`; false when it is not valid.
bool AppendNormalizedHost(std::string_view host, std::string* out) {
  if (host.empty()) return false;
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') return false;
    std::string literal = AsciiLowercase(host.substr(1, host.size() - 2));
    in6_addr address;
    if (inet_pton(AF_INET6, literal.c_str(), &address) != 1) return false;
    out->append("[").append(literal).append("]");
    return true;
  }
  size_t start = out->size();
  if (HasNonAscii(host)) {
    std::optional<std::string> ascii = HostToAscii(std::string(host));
    if (!ascii) return false;
    out->append(*ascii);
  } else {
    for (char c : host) out->push_back(AsciiLower(c));
  }
  std::string_view normalized = std::string_view(*out).substr(start);
  if (normalized.empty() || !IsValidRegName(normalized)) return false;
  // Percent-encoded octets get uppercase hex like everywhere else.
  for (size_t i = start; i < out->size(); ++i) {
    if ((*out)[i] == '%') {
      (*out)[i + 1] = AsciiUpper((*out)[i + 1]);
      (*out)[i + 2] = AsciiUpper((*out)[i + 2]);
    }
  }
  return true;
}

// Digits only, at most 65535; leading zeros allowed. nullopt when invalid.
std::optional<int> ParsePort(std::string_view digits) {
  int value = 0;
  for (char c : digits) {
    if (!IsAsciiDigit(c)) return std::nullopt;
    value = value * 10 + (c - '0');
    if (value > 65535) return std::nullopt;
  }
  return value;
}

// Appends the normalized authority to `out`; false when it is not valid.
bool AppendNormalizedAuthority(std::string_view authority, int default_port,
                               std::string* out) {
  size_t at = authority.rfind('@');
  if (at != std::string_view::npos) {
    AppendNormalizedComponent(authority.substr(0, at), kPathEncodeSet, out);
    out->push_back('@');
    authority.remove_prefix(at + 1);
  }
  size_t bracket = authority.rfind(']');
  size_t colon = authority.rfind(':');
  if (colon != std::string_view::npos && bracket != std::string_view::npos &&
      colon < bracket) {
    colon = std::string_view::npos;  // a colon inside an IPv6 literal
  }
  if (!AppendNormalizedHost(authority.substr(0, colon), out)) return false;
  if (colon != std::string_view::npos) {
    std::string_view digits = authority.substr(colon + 1);
    std::optional<int> port = ParsePort(digits);
    if (!port) return false;
    if (!digits.empty() && *port != default_port) {
      out->push_back(':');
      out->append(std::to_string(*port));
    }
  }
  return true;
}

std::string_view TrimControlsAndSpaces(std::string_view s) {
  auto is_trimmed = [](char c) {
    return static_cast<unsigned char>(c) <= 0x20;
  };
  while (!s.empty() && is_trimmed(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_trimmed(s.back())) s.remove_suffix(1);
  return s;
}

// ---------------------------------------------------------------------------
// SURT: warcio.js 2.4.11 getSurt(), which lowercases the URL with
// String.prototype.toLowerCase and then reads it with the WHATWG URL parser.
// Only the http(s) ("special scheme") paths of that parser are needed.

// Lowercases like JavaScript's toLowerCase: ASCII directly, other code
// points with the C.UTF-8 locale's simple case mapping, plus the two
// special cases URLs meet: U+0130 → "i̇" and the final sigma (Σ after a
// cased letter and not before one, case-ignorable characters such as '.'
// skipped, becomes ς; Case_Ignorable is approximated, see below).
class JsLowercaser {
 public:
  JsLowercaser() : locale_(newlocale(LC_CTYPE_MASK, "C.UTF-8", nullptr)) {}
  ~JsLowercaser() {
    if (locale_ != nullptr) freelocale(locale_);
  }
  JsLowercaser(const JsLowercaser&) = delete;
  JsLowercaser& operator=(const JsLowercaser&) = delete;

  std::string Lower(std::string_view s) const {
    std::string out;
    out.reserve(s.size());
    bool after_cased = false;  // for the final-sigma rule
    for (size_t i = 0; i < s.size();) {
      size_t length = 0;
      char32_t cp = CodePointAt(s.substr(i), &length);
      if (length == 0) {  // not UTF-8: copy the byte unchanged
        out.push_back(s[i]);
        after_cased = false;
        ++i;
        continue;
      }
      i += length;
      if (cp < 0x80) {
        out.push_back(AsciiLower(static_cast<char>(cp)));
      } else if (cp == 0x130) {  // İ → i + combining dot above
        out.append("i\xCC\x87");
      } else if (cp == 0x3A3 && after_cased && !CasedFollows(s.substr(i))) {
        out.append("\xCF\x82");  // a word-final Σ becomes ς
      } else {
        AppendUtf8(LowerCodePoint(cp), &out);
      }
      if (!IsCaseIgnorable(cp)) after_cased = IsCased(cp);
    }
    return out;
  }

 private:
  static char32_t CodePointAt(std::string_view s, size_t* length) {
    if (static_cast<unsigned char>(s[0]) < 0x80) {
      *length = 1;
      return static_cast<char32_t>(s[0]);
    }
    return DecodeUtf8(s, length);
  }

  bool IsCased(char32_t cp) const {
    if (cp < 0x80) return IsAsciiAlpha(static_cast<char>(cp));
    wint_t c = static_cast<wint_t>(cp);
    return locale_ != nullptr &&
           (iswupper_l(c, locale_) != 0 || iswlower_l(c, locale_) != 0);
  }

  // Unicode's Case_Ignorable, approximated by the ASCII members and the
  // combining diacritical marks.
  static bool IsCaseIgnorable(char32_t cp) {
    return cp == '\'' || cp == '.' || cp == ':' || cp == '^' || cp == '`' ||
           cp == 0xB7 || (cp >= 0x300 && cp <= 0x36F);
  }

  // Whether a cased letter follows `s`'s case-ignorable prefix.
  bool CasedFollows(std::string_view s) const {
    while (!s.empty()) {
      size_t length = 0;
      char32_t cp = CodePointAt(s, &length);
      if (length == 0) return false;
      if (!IsCaseIgnorable(cp)) return IsCased(cp);
      s.remove_prefix(length);
    }
    return false;
  }

  char32_t LowerCodePoint(char32_t cp) const {
    if (locale_ == nullptr) return cp;
    return static_cast<char32_t>(towlower_l(static_cast<wint_t>(cp), locale_));
  }

  // Returns the code point at the start of `s` and its byte length, or
  // length 0 when `s` does not start with a well-formed sequence.
  static char32_t DecodeUtf8(std::string_view s, size_t* length) {
    unsigned char lead = static_cast<unsigned char>(s[0]);
    size_t n = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC2 ? 2 : 0;
    *length = 0;
    if (n == 0 || lead > 0xF4 || s.size() < n) return 0;
    char32_t cp = lead & (0x7F >> n);
    for (size_t k = 1; k < n; ++k) {
      unsigned char c = static_cast<unsigned char>(s[k]);
      if ((c & 0xC0) != 0x80) return 0;
      cp = (cp << 6) | (c & 0x3F);
    }
    static constexpr std::array<char32_t, 5> kMinimum = {0, 0, 0x80, 0x800,
                                                         0x10000};
    if (cp < kMinimum[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return 0;
    }
    *length = n;
    return cp;
  }

  locale_t locale_;
};

// The parts of a WHATWG-parsed http(s) URL that getSurt reads.
struct WhatwgUrl {
  std::string hostname;
  std::string port;  // "" when absent or the scheme's default
  std::string pathname;
  std::string search;  // "" or "?" + a non-empty query
};

bool IsWhatwgSlash(char c) { return c == '/' || c == '\\'; }

// WHATWG percent-encode sets for special URLs.
bool InWhatwgPathSet(unsigned char c) {
  return c < 0x20 || c > 0x7E || c == ' ' || c == '"' || c == '#' || c == '<' ||
         c == '>' || c == '?' || c == '`' || c == '{' || c == '}';
}
bool InWhatwgSpecialQuerySet(unsigned char c) {
  return c < 0x20 || c > 0x7E || c == ' ' || c == '"' || c == '#' || c == '<' ||
         c == '>' || c == '\'';
}

std::string WhatwgEncode(std::string_view in, bool (*in_set)(unsigned char)) {
  std::string out;
  out.reserve(in.size());
  for (char c : in) {
    if (in_set(static_cast<unsigned char>(c))) {
      AppendPercentEncoded(static_cast<unsigned char>(c), &out);
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// The WHATWG IPv4 number parser: 0x hex, leading-zero octal, decimal.
std::optional<uint64_t> ParseIpv4Number(std::string_view s) {
  if (s.empty()) return std::nullopt;
  int radix = 10;
  if (s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    radix = 16;
    s.remove_prefix(2);
  } else if (s.size() >= 2 && s[0] == '0') {
    radix = 8;
    s.remove_prefix(1);
  }
  uint64_t value = 0;
  for (char c : s) {
    bool ok =
        radix == 16 ? IsHexDigit(c) : (IsAsciiDigit(c) && c - '0' < radix);
    if (!ok) return std::nullopt;
    value = value * static_cast<uint64_t>(radix) +
            static_cast<uint64_t>(HexValue(c));
    if (value > 0xFFFFFFFFull) value = 0x100000000ull;  // saturate: too big
  }
  return value;
}

std::vector<std::string_view> SplitOn(std::string_view s, char separator) {
  std::vector<std::string_view> pieces;
  size_t start = 0;
  while (true) {
    size_t next = s.find(separator, start);
    if (next == std::string_view::npos) {
      pieces.push_back(s.substr(start));
      return pieces;
    }
    pieces.push_back(s.substr(start, next - start));
    start = next + 1;
  }
}

// WHATWG "ends in a number": the last label (ignoring one trailing empty
// label) is all digits or 0x-hex.
bool EndsInANumber(std::string_view host) {
  std::vector<std::string_view> labels = SplitOn(host, '.');
  if (labels.back().empty()) {
    if (labels.size() == 1) return false;
    labels.pop_back();
  }
  std::string_view last = labels.back();
  if (!last.empty() && std::all_of(last.begin(), last.end(), IsAsciiDigit)) {
    return true;
  }
  if (last.size() >= 2 && last[0] == '0' &&
      (last[1] == 'x' || last[1] == 'X')) {
    return std::all_of(last.begin() + 2, last.end(), IsHexDigit);
  }
  return false;
}

std::optional<std::string> ParseWhatwgIpv4(std::string_view host) {
  std::vector<std::string_view> parts = SplitOn(host, '.');
  if (parts.back().empty() && parts.size() > 1) parts.pop_back();
  if (parts.size() > 4) return std::nullopt;
  std::vector<uint64_t> numbers;
  for (std::string_view part : parts) {
    std::optional<uint64_t> n = ParseIpv4Number(part);
    if (!n) return std::nullopt;
    numbers.push_back(*n);
  }
  for (size_t i = 0; i + 1 < numbers.size(); ++i) {
    if (numbers[i] > 255) return std::nullopt;
  }
  uint64_t limit = 1ull << (8 * (5 - numbers.size()));
  if (numbers.back() >= limit) return std::nullopt;
  uint64_t address = numbers.back();
  for (size_t i = 0; i + 1 < numbers.size(); ++i) {
    address += numbers[i] << (8 * (3 - i));
  }
  return std::to_string(address >> 24) + "." +
         std::to_string((address >> 16) & 0xFF) + "." +
         std::to_string((address >> 8) & 0xFF) + "." +
         std::to_string(address & 0xFF);
}

// WHATWG IPv6 serializer: lowercase hex pieces, the first longest run of
// two or more zero pieces compressed to "::".
std::optional<std::string> ParseWhatwgIpv6(std::string_view literal) {
  in6_addr address;
  if (inet_pton(AF_INET6, std::string(literal).c_str(), &address) != 1) {
    return std::nullopt;
  }
  std::array<unsigned, 8> pieces;
  for (size_t i = 0; i < 8; ++i) {
    pieces[i] = (unsigned{address.s6_addr[2 * i]} << 8) |
                unsigned{address.s6_addr[2 * i + 1]};
  }
  size_t best_start = 8, best_length = 1;
  for (size_t i = 0; i < 8;) {
    size_t j = i;
    while (j < 8 && pieces[j] == 0) ++j;
    if (j - i > best_length) {
      best_start = i;
      best_length = j - i;
    }
    i = j == i ? i + 1 : j;
  }
  std::string out = "[";
  for (size_t i = 0; i < 8; ++i) {
    if (i == best_start) {
      out.append(i == 0 ? "::" : ":");
      i += best_length - 1;
      continue;
    }
    char buffer[8];
    int n = std::snprintf(buffer, sizeof buffer, "%x", pieces[i]);
    out.append(buffer, static_cast<size_t>(n));
    if (i != 7) out.push_back(':');
  }
  out.push_back(']');
  return out;
}

bool HasForbiddenDomainCodePoint(std::string_view host) {
  return std::any_of(host.begin(), host.end(), [](char c) {
    unsigned char u = static_cast<unsigned char>(c);
    return u <= 0x20 || u == 0x7F ||
           std::string_view("#%/:<>?@[\\]^|").find(c) != std::string_view::npos;
  });
}

std::optional<std::string> ParseWhatwgHost(std::string_view input) {
  if (input.empty()) return std::nullopt;
  if (input.front() == '[') {
    if (input.back() != ']') return std::nullopt;
    return ParseWhatwgIpv6(input.substr(1, input.size() - 2));
  }
  std::string domain = PercentDecode(input);
  std::string ascii;
  if (HasNonAscii(domain)) {
    std::optional<std::string> converted = HostToAscii(domain);
    if (!converted) return std::nullopt;
    ascii = std::move(*converted);
  } else {
    ascii = AsciiLowercase(domain);
  }
  if (ascii.empty() || HasForbiddenDomainCodePoint(ascii)) return std::nullopt;
  if (EndsInANumber(ascii)) return ParseWhatwgIpv4(ascii);
  return ascii;
}

bool IsSingleDotSegment(std::string_view s) { return s == "." || s == "%2e"; }
bool IsDoubleDotSegment(std::string_view s) {
  return s == ".." || s == ".%2e" || s == "%2e." || s == "%2e%2e";
}

// The WHATWG path state for a special URL (input already lowercased).
std::string WhatwgPathname(std::string_view path) {
  if (!path.empty() && IsWhatwgSlash(path.front())) path.remove_prefix(1);
  std::vector<std::string> segments;
  while (true) {
    size_t end = 0;
    while (end < path.size() && !IsWhatwgSlash(path[end])) ++end;
    std::string buffer = WhatwgEncode(path.substr(0, end), InWhatwgPathSet);
    bool at_end = end == path.size();
    if (IsDoubleDotSegment(buffer)) {
      if (!segments.empty()) segments.pop_back();
      if (at_end) segments.emplace_back();
    } else if (IsSingleDotSegment(buffer)) {
      if (at_end) segments.emplace_back();
    } else {
      segments.push_back(std::move(buffer));
    }
    if (at_end) break;
    path.remove_prefix(end + 1);
  }
  std::string out;
  for (const std::string& segment : segments) out.append("/").append(segment);
  return out;
}

std::optional<WhatwgUrl> ParseWhatwgHttpUrl(std::string_view input) {
  std::string cleaned;
  for (char c : TrimControlsAndSpaces(input)) {
    if (c != '\t' && c != '\n' && c != '\r') cleaned.push_back(c);
  }
  std::string_view rest = cleaned;
  bool https = rest.starts_with("https:");
  rest.remove_prefix(https ? 6 : 5);
  while (!rest.empty() && IsWhatwgSlash(rest.front())) rest.remove_prefix(1);

  // WHATWG: a backslash ends the authority of a special URL too.
  size_t authority_end =
      FindFirst(rest, 0, [](char c) { return EndsAuthority(c) || c == '\\'; });
  std::string_view authority = rest.substr(0, authority_end);
  rest.remove_prefix(authority_end);
  size_t at = authority.rfind('@');
  if (at != std::string_view::npos) authority.remove_prefix(at + 1);

  size_t colon = std::string_view::npos;
  bool in_brackets = false;
  for (size_t i = 0; i < authority.size() && colon == std::string_view::npos;
       ++i) {
    if (authority[i] == '[') in_brackets = true;
    if (authority[i] == ']') in_brackets = false;
    if (authority[i] == ':' && !in_brackets) colon = i;
  }
  WhatwgUrl url;
  std::optional<std::string> host = ParseWhatwgHost(authority.substr(0, colon));
  if (!host) return std::nullopt;
  url.hostname = std::move(*host);
  if (colon != std::string_view::npos) {
    std::string_view digits = authority.substr(colon + 1);
    std::optional<int> port = ParsePort(digits);
    if (!port) return std::nullopt;
    if (!digits.empty() && *port != (https ? 443 : 80)) {
      url.port = std::to_string(*port);
    }
  }

  size_t path_end = FindFirst(rest, 0, EndsPath);
  url.pathname = WhatwgPathname(rest.substr(0, path_end));
  rest.remove_prefix(path_end);
  if (!rest.empty() && rest.front() == '?') {
    std::string_view query = rest.substr(1, rest.find('#') - 1);
    if (!query.empty()) {
      url.search = "?" + WhatwgEncode(query, InWhatwgSpecialQuerySet);
    }
  }
  return url;
}

// getSurt's `url.replace(/^(https?:\/\/)www\d*\./, "$1")`.
std::string StripWwwPrefix(std::string_view url) {
  size_t scheme_end = url.starts_with("https://")  ? 8
                      : url.starts_with("http://") ? 7
                                                   : 0;
  if (scheme_end == 0 || !url.substr(scheme_end).starts_with("www")) {
    return std::string(url);
  }
  size_t i = scheme_end + 3;
  while (i < url.size() && IsAsciiDigit(url[i])) ++i;
  if (i >= url.size() || url[i] != '.') return std::string(url);
  return std::string(url.substr(0, scheme_end)) +
         std::string(url.substr(i + 1));
}

}  // namespace

namespace {

// The authority of an absolute URL without its userinfo; "" when none.
std::string_view HostAndPort(std::string_view url) {
  const UrlComponents parts = SplitUrl(url);
  if (!parts.scheme || !parts.authority) return {};
  std::string_view authority = *parts.authority;
  if (size_t at = authority.rfind('@'); at != std::string_view::npos) {
    authority.remove_prefix(at + 1);
  }
  return authority;
}

}  // namespace

std::string PercentDecode(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '%' && i + 2 < in.size() && IsHexDigit(in[i + 1]) &&
        IsHexDigit(in[i + 2])) {
      out.push_back(
          static_cast<char>(HexValue(in[i + 1]) * 16 + HexValue(in[i + 2])));
      i += 2;
    } else {
      out.push_back(in[i]);
    }
  }
  return out;
}

std::string UrlHost(std::string_view url) {
  std::string_view authority = HostAndPort(url);
  if (!authority.empty() && authority.front() == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return {};
    return AsciiLowercase(authority.substr(1, close - 1));
  }
  return AsciiLowercase(authority.substr(0, authority.find(':')));
}

int UrlPort(std::string_view url) {
  std::string_view authority = HostAndPort(url);
  const size_t colon = authority.rfind(':');
  const size_t close = authority.rfind(']');
  if (colon != std::string_view::npos &&
      (close == std::string_view::npos || colon > close)) {
    std::string_view digits = authority.substr(colon + 1);
    if (!digits.empty()) {
      std::optional<int> port = ParsePort(digits);
      return port ? *port : 0;
    }
  }
  const std::string scheme = UrlScheme(url);
  if (scheme == "https") return 443;
  if (scheme == "http") return 80;
  return 0;
}

std::optional<std::string> NormalizeUrl(std::string_view url) {
  UrlComponents parts = SplitUrl(TrimControlsAndSpaces(url));
  if (!parts.scheme || !parts.authority) return std::nullopt;
  std::string out;
  out.reserve(url.size() + 1);
  for (char c : *parts.scheme) out.push_back(AsciiLower(c));
  bool https = out == "https";
  if (!https && out != "http") return std::nullopt;
  out.append("://");
  if (!AppendNormalizedAuthority(*parts.authority, https ? 443 : 80, &out)) {
    return std::nullopt;
  }
  if (MayHaveDotSegments(parts.path)) {
    std::string path = RemoveDotSegments(parts.path);
    AppendNormalizedComponent(path.empty() ? "/" : path, kPathEncodeSet, &out);
  } else {
    AppendNormalizedComponent(parts.path.empty() ? "/" : parts.path,
                              kPathEncodeSet, &out);
  }
  if (parts.query) {
    out.push_back('?');
    AppendNormalizedComponent(*parts.query, kQueryEncodeSet, &out);
  }
  return out;
}

std::optional<std::string> ResolveUrl(std::string_view base,
                                      std::string_view reference) {
  UrlComponents b = SplitUrl(base);
  if (!b.scheme) return std::nullopt;
  UrlComponents r = SplitUrl(reference);
  OwnedUri t;
  if (r.scheme) {
    t.scheme = Own(r.scheme);
    t.authority = Own(r.authority);
    t.path = RemoveDotSegments(r.path);
    t.query = Own(r.query);
  } else {
    if (r.authority) {
      t.authority = Own(r.authority);
      t.path = RemoveDotSegments(r.path);
      t.query = Own(r.query);
    } else {
      if (r.path.empty()) {
        t.path = std::string(b.path);
        t.query = r.query ? Own(r.query) : Own(b.query);
      } else {
        t.path = r.path.front() == '/'
                     ? RemoveDotSegments(r.path)
                     : RemoveDotSegments(MergePaths(b, r.path));
        t.query = Own(r.query);
      }
      t.authority = Own(b.authority);
    }
    t.scheme = Own(b.scheme);
  }
  t.fragment = Own(r.fragment);
  return Recompose(t);
}

std::string UrlScheme(std::string_view url) {
  std::optional<std::string_view> scheme = SchemeOf(TrimControlsAndSpaces(url));
  return scheme ? AsciiLowercase(*scheme) : std::string();
}

std::string Surt(std::string_view url) {
  if (!url.starts_with("https:") && !url.starts_with("http:")) {
    return std::string(url);
  }
  std::string stripped = StripWwwPrefix(url);
  static const JsLowercaser kLowercaser;
  std::optional<WhatwgUrl> parsed =
      ParseWhatwgHttpUrl(kLowercaser.Lower(stripped));
  if (!parsed) return stripped;

  std::vector<std::string_view> labels = SplitOn(parsed->hostname, '.');
  std::string surt;
  for (auto it = labels.rbegin(); it != labels.rend(); ++it) {
    if (it != labels.rbegin()) surt.push_back(',');
    surt.append(*it);
  }
  if (!parsed->port.empty()) surt.append(":").append(parsed->port);
  surt.push_back(')');
  surt.append(parsed->pathname);
  if (!parsed->search.empty()) {
    std::vector<std::string_view> args =
        SplitOn(std::string_view(parsed->search).substr(1), '&');
    std::sort(args.begin(), args.end());
    surt.push_back('?');
    for (size_t i = 0; i < args.size(); ++i) {
      if (i > 0) surt.push_back('&');
      surt.append(args[i]);
    }
  }
  return surt;
}

}  // namespace rotguard
