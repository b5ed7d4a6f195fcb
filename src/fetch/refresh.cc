// Parsing for hops and waits: Refresh headers, HTML meta refresh,
// Retry-After, URL hosts, and the HTTP/1.1 rendering of HTTP/2 heads.
#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "fetch/fetch_internal.h"
#include "rotguard/content_coding.h"
#include "rotguard/fetch.h"
#include "rotguard/url.h"
#include "util/ascii.h"

namespace rotguard {
namespace {

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f';
}

std::string_view TrimSpace(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

// The URL part of a refresh value "N; url=URL" (also "N;URL", "N, URL",
// quoted URLs), as browsers read it (HTML "shared declarative refresh").
std::optional<std::string_view> RefreshTarget(std::string_view value) {
  std::string_view s = TrimSpace(value);
  size_t i = 0;
  while (i < s.size() &&
         (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) {
    ++i;
  }
  if (i == 0) return std::nullopt;  // no delay: not a refresh
  s.remove_prefix(i);
  s = TrimSpace(s);
  if (s.empty()) return std::nullopt;
  if (s.front() != ';' && s.front() != ',') return std::nullopt;
  s.remove_prefix(1);
  s = TrimSpace(s);
  if (StartsWithIgnoreCase(s, "url")) {
    std::string_view rest = TrimSpace(s.substr(3));
    if (!rest.empty() && rest.front() == '=') s = TrimSpace(rest.substr(1));
  }
  if (!s.empty() && (s.front() == '"' || s.front() == '\'')) {
    char quote = s.front();
    s.remove_prefix(1);
    if (size_t end = s.find(quote); end != std::string_view::npos) {
      s = s.substr(0, end);
    }
  }
  s = TrimSpace(s);
  if (s.empty()) return std::nullopt;
  return s;
}

// Finds `name` (lowercase) as an attribute of the tag text `tag` and
// returns its value, unquoted.
std::optional<std::string> TagAttribute(std::string_view tag,
                                        std::string_view name) {
  size_t i = 0;
  while (i < tag.size()) {
    while (i < tag.size() && (IsSpace(tag[i]) || tag[i] == '/')) ++i;
    size_t name_start = i;
    while (i < tag.size() && !IsSpace(tag[i]) && tag[i] != '=' &&
           tag[i] != '/') {
      ++i;
    }
    std::string_view attr = tag.substr(name_start, i - name_start);
    while (i < tag.size() && IsSpace(tag[i])) ++i;
    std::string value;
    if (i < tag.size() && tag[i] == '=') {
      ++i;
      while (i < tag.size() && IsSpace(tag[i])) ++i;
      if (i < tag.size() && (tag[i] == '"' || tag[i] == '\'')) {
        char quote = tag[i++];
        size_t end = tag.find(quote, i);
        if (end == std::string_view::npos) end = tag.size();
        value.assign(tag.substr(i, end - i));
        i = end + 1;
      } else {
        size_t start = i;
        while (i < tag.size() && !IsSpace(tag[i])) ++i;
        value.assign(tag.substr(start, i - start));
      }
    }
    if (attr.empty()) {
      ++i;
      continue;
    }
    if (EqualsIgnoreCase(attr, name)) return value;
  }
  return std::nullopt;
}

std::string DecodeBasicEntities(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '&') {
      std::string_view rest = s.substr(i);
      if (StartsWithIgnoreCase(rest, "&amp;")) {
        out += '&';
        i += 4;
        continue;
      }
      if (StartsWithIgnoreCase(rest, "&quot;")) {
        out += '"';
        i += 5;
        continue;
      }
      if (StartsWithIgnoreCase(rest, "&#39;")) {
        out += '\'';
        i += 4;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

}  // namespace

std::optional<std::string> ParseRefreshHeader(std::string_view value,
                                              const std::string& base_url) {
  std::optional<std::string_view> target = RefreshTarget(value);
  if (!target) return std::nullopt;
  return ResolveUrl(base_url, *target);
}

std::optional<std::string> FindMetaRefresh(std::string_view html,
                                           const std::string& base_url) {
  size_t pos = 0;
  while (pos < html.size()) {
    size_t lt = html.find('<', pos);
    if (lt == std::string_view::npos) break;
    std::string_view rest = html.substr(lt);
    if (rest.substr(0, 4) == "<!--") {
      size_t end = html.find("-->", lt + 4);
      if (end == std::string_view::npos) break;
      pos = end + 3;
      continue;
    }
    size_t gt = html.find('>', lt);
    if (gt == std::string_view::npos) break;
    pos = gt + 1;
    if (!StartsWithIgnoreCase(rest, "<meta") || rest.size() < 6 ||
        !(IsSpace(rest[5]) || rest[5] == '/')) {
      continue;
    }
    std::string_view tag = html.substr(lt + 5, gt - lt - 5);
    std::optional<std::string> equiv = TagAttribute(tag, "http-equiv");
    if (!equiv || !EqualsIgnoreCase(TrimSpace(*equiv), "refresh")) continue;
    std::optional<std::string> content = TagAttribute(tag, "content");
    if (!content) continue;
    std::string decoded = DecodeBasicEntities(*content);
    std::optional<std::string_view> target = RefreshTarget(decoded);
    if (!target) continue;
    return ResolveUrl(base_url, *target);
  }
  return std::nullopt;
}

namespace fetch_internal {

std::optional<std::chrono::seconds> ParseRetryAfter(
    std::string_view value, std::chrono::system_clock::time_point now) {
  std::string_view s = TrimSpace(value);
  if (s.empty()) return std::nullopt;
  int64_t seconds = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), seconds);
  if (ec == std::errc() && end == s.data() + s.size()) {
    if (seconds < 0) return std::nullopt;
    return std::chrono::seconds(seconds);
  }
  std::string text(s);
  time_t when = curl_getdate(text.c_str(), nullptr);
  if (when == -1) return std::nullopt;
  int64_t delta =
      static_cast<int64_t>(when) - std::chrono::system_clock::to_time_t(now);
  return std::chrono::seconds(delta > 0 ? delta : 0);
}

namespace {

// The standard reason phrases, sorted by status for a binary search.
struct Reason {
  int status;
  const char* phrase;
};
static constexpr Reason kReasons[] = {
    {100, "Continue"},
    {101, "Switching Protocols"},
    {200, "OK"},
    {201, "Created"},
    {202, "Accepted"},
    {203, "Non-Authoritative Information"},
    {204, "No Content"},
    {205, "Reset Content"},
    {206, "Partial Content"},
    {300, "Multiple Choices"},
    {301, "Moved Permanently"},
    {302, "Found"},
    {303, "See Other"},
    {304, "Not Modified"},
    {307, "Temporary Redirect"},
    {308, "Permanent Redirect"},
    {400, "Bad Request"},
    {401, "Unauthorized"},
    {402, "Payment Required"},
    {403, "Forbidden"},
    {404, "Not Found"},
    {405, "Method Not Allowed"},
    {406, "Not Acceptable"},
    {407, "Proxy Authentication Required"},
    {408, "Request Timeout"},
    {409, "Conflict"},
    {410, "Gone"},
    {411, "Length Required"},
    {412, "Precondition Failed"},
    {413, "Content Too Large"},
    {414, "URI Too Long"},
    {415, "Unsupported Media Type"},
    {416, "Range Not Satisfiable"},
    {417, "Expectation Failed"},
    {421, "Misdirected Request"},
    {422, "Unprocessable Content"},
    {425, "Too Early"},
    {426, "Upgrade Required"},
    {428, "Precondition Required"},
    {429, "Too Many Requests"},
    {431, "Request Header Fields Too Large"},
    {451, "Unavailable For Legal Reasons"},
    {500, "Internal Server Error"},
    {501, "Not Implemented"},
    {502, "Bad Gateway"},
    {503, "Service Unavailable"},
    {504, "Gateway Timeout"},
    {505, "HTTP Version Not Supported"},
};

}  // namespace

const char* ReasonPhrase(int status) {
  auto it = std::lower_bound(
      std::begin(kReasons), std::end(kReasons), status,
      [](const Reason& r, int code) { return r.status < code; });
  return it != std::end(kReasons) && it->status == status ? it->phrase : "";
}

std::string NormalizeRequestHead(std::string_view head) {
  std::vector<std::string_view> lines;
  size_t pos = 0;
  while (pos < head.size()) {
    size_t eol = head.find('\n', pos);
    std::string_view line =
        head.substr(pos, eol == std::string_view::npos ? std::string_view::npos
                                                       : eol - pos);
    pos = eol == std::string_view::npos ? head.size() : eol + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) {
      if (lines.empty()) continue;
      break;  // end of head
    }
    lines.push_back(line);
  }
  if (lines.empty()) return {};
  std::string request_line(lines[0]);
  if (size_t v = request_line.rfind(" HTTP/"); v != std::string::npos) {
    request_line.replace(v, std::string::npos, " HTTP/1.1");
  }
  std::string host;
  std::string others;
  for (size_t i = 1; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    if (StartsWithIgnoreCase(line, ":authority:")) {
      host = "Host: " + std::string(TrimSpace(line.substr(11)));
    } else if (!line.empty() && line.front() == ':') {
      continue;  // :method, :path, :scheme are in the request line
    } else if (StartsWithIgnoreCase(line, "host:")) {
      host = "Host: " + std::string(TrimSpace(line.substr(5)));
    } else {
      others.append(line).append("\r\n");
    }
  }
  std::string out = request_line + "\r\n";
  if (!host.empty()) out += host + "\r\n";
  out += others;
  out += "\r\n";
  return out;
}

std::optional<std::string> InflateForInspection(std::string_view coded,
                                                size_t limit) {
  // "deflate" tells gzip, zlib and raw deflate apart by their first bytes.
  Result<std::string> plain =
      DecodeContent("deflate", coded, ContentDecodeLimits::Prefix(limit));
  if (!plain.ok()) return std::nullopt;
  return std::move(*plain);
}

}  // namespace fetch_internal
}  // namespace rotguard
