// Safe, stable local file names for archived URLs (SPEC §13 "restore
// layout"): assets/<host>/<path>[__<query-hash>].<ext>, pages as
// .../index.html. Only [A-Za-z0-9._~-] survive in a component, so a name
// is also a valid relative URL without escaping and safe on Windows and
// in tar/zip; collisions that sanitizing creates are settled by
// AssetNamer with a hash of the full URL.
#include <algorithm>
#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "rotguard/restore.h"
#include "rotguard/url.h"
#include "util/ascii.h"
#include "util/digest.h"

namespace rotguard {
namespace {

constexpr size_t kMaxComponent = 100;
constexpr size_t kMaxPath = 240;

std::string ShortHash(std::string_view text, size_t hex_chars) {
  return Sha256Hex(text).substr(0, hex_chars);
}

bool IsSafeChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-' || c == '~';
}

// Windows reserves these names with any extension ("con.txt" too).
bool IsDeviceName(std::string_view component) {
  std::string stem = AsciiLowercase(component.substr(0, component.find('.')));
  static constexpr std::array<std::string_view, 4> kNames = {"con", "prn",
                                                             "aux", "nul"};
  if (std::find(kNames.begin(), kNames.end(), stem) != kNames.end()) {
    return true;
  }
  return stem.size() == 4 &&
         (stem.starts_with("com") || stem.starts_with("lpt")) &&
         stem[3] >= '0' && stem[3] <= '9';
}

// "name.ext" → ".ext" when ext is 1–8 alphanumerics; "" otherwise.
std::string_view ExtensionOf(std::string_view name) {
  size_t dot = name.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return {};
  std::string_view ext = name.substr(dot + 1);
  if (ext.empty() || ext.size() > 8) return {};
  for (char c : ext) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
          (c >= '0' && c <= '9'))) {
      return {};
    }
  }
  return name.substr(dot);
}

// One path component made safe; never empty, ".", "..", a device name,
// or longer than kMaxComponent.
std::string SafeComponent(std::string_view raw) {
  std::string c;
  for (char ch : raw) c.push_back(IsSafeChar(ch) ? ch : '_');
  if (c.empty()) c = "_";
  if (c.front() == '.') c.front() = '_';  // no hidden files, no "." / ".."
  if (c.back() == '.') c.back() = '_';    // Windows drops trailing dots
  if (IsDeviceName(c)) c.insert(0, "_");
  if (c.size() > kMaxComponent) {
    std::string ext(ExtensionOf(c));
    c = c.substr(0, kMaxComponent - 10 - ext.size()) + "~" + ShortHash(raw, 8) +
        ext;
  }
  return c;
}

std::string MimeOf(std::string_view content_type) {
  std::string_view head = content_type.substr(0, content_type.find(';'));
  return AsciiLowercase(TrimHeaderSpace(head));
}

bool IsHtmlType(std::string_view mime) {
  return mime == "text/html" || mime == "application/xhtml+xml";
}

std::string ExtensionForMime(std::string_view mime) {
  static constexpr std::pair<std::string_view, std::string_view> kTable[] = {
      {"text/html", ".html"},
      {"application/xhtml+xml", ".html"},
      {"text/css", ".css"},
      {"text/javascript", ".js"},
      {"application/javascript", ".js"},
      {"application/x-javascript", ".js"},
      {"application/json", ".json"},
      {"image/jpeg", ".jpg"},
      {"image/png", ".png"},
      {"image/gif", ".gif"},
      {"image/webp", ".webp"},
      {"image/avif", ".avif"},
      {"image/svg+xml", ".svg"},
      {"image/x-icon", ".ico"},
      {"image/vnd.microsoft.icon", ".ico"},
      {"font/woff2", ".woff2"},
      {"font/woff", ".woff"},
      {"font/ttf", ".ttf"},
      {"font/otf", ".otf"},
      {"application/font-woff", ".woff"},
      {"application/pdf", ".pdf"},
      {"text/plain", ".txt"},
      {"text/markdown", ".md"},
      {"text/xml", ".xml"},
      {"application/xml", ".xml"},
      {"application/rss+xml", ".xml"},
      {"application/atom+xml", ".xml"},
      {"video/mp4", ".mp4"},
      {"video/webm", ".webm"},
      {"audio/mpeg", ".mp3"},
  };
  for (const auto& [type, ext] : kTable) {
    if (type == mime) return std::string(ext);
  }
  return ".bin";
}

struct UrlParts {
  std::string host;  // "host" or "host_port"; "_scheme" for non-http
  std::string path;  // without query
  std::string query;
};

UrlParts AssetUrlParts(std::string_view url) {
  const std::string normalized = NormalizeUrl(url).value_or(std::string(url));
  const UrlComponents components = SplitUrl(normalized);
  UrlParts parts;
  parts.query = std::string(components.query.value_or(""));
  if (!components.authority) {
    std::string scheme =
        components.scheme ? AsciiLowercase(*components.scheme) : "";
    parts.host = "_" + (scheme.empty() ? std::string("local") : scheme);
    parts.path = std::string(components.path);
    return parts;
  }
  std::string_view authority = *components.authority;
  size_t at = authority.rfind('@');  // never keep credentials
  if (at != std::string_view::npos) authority = authority.substr(at + 1);
  parts.host = AsciiLowercase(authority);
  std::replace(parts.host.begin(), parts.host.end(), ':', '_');
  parts.path = components.path.empty() ? "/" : std::string(components.path);
  return parts;
}

std::vector<std::string> PathSegments(std::string_view path) {
  std::vector<std::string> segments;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view raw = path.substr(start, end - start);
    if (!raw.empty()) segments.push_back(PercentDecode(raw));
    start = end + 1;
  }
  return segments;
}

std::string JoinPath(const std::vector<std::string>& components) {
  std::string out;
  for (const std::string& c : components) {
    if (!out.empty()) out += '/';
    out += c;
  }
  return out;
}

}  // namespace

std::string SafeAssetPath(std::string_view url, std::string_view content_type) {
  UrlParts parts = AssetUrlParts(url);
  std::string mime = MimeOf(content_type);
  bool html = IsHtmlType(mime);
  std::vector<std::string> segments = PathSegments(parts.path);
  bool directory_url = parts.path.empty() || parts.path.back() == '/';
  std::string query_suffix =
      parts.query.empty() ? "" : "__" + ShortHash(parts.query, 10);

  std::vector<std::string> out = {"assets", SafeComponent(parts.host)};
  std::string leaf;
  if (directory_url || segments.empty()) {
    for (const std::string& s : segments) out.push_back(SafeComponent(s));
    leaf =
        "index" + query_suffix +
        (html || mime.empty() ? std::string(".html") : ExtensionForMime(mime));
  } else {
    std::string last = segments.back();
    segments.pop_back();
    for (const std::string& s : segments) out.push_back(SafeComponent(s));
    std::string_view ext = ExtensionOf(last);
    bool html_ext = ext == ".html" || ext == ".htm";
    if (html && !html_ext) {
      // A page at /a/b is stored as a/b/index.html so its relative links
      // keep working.
      out.push_back(SafeComponent(last + query_suffix));
      leaf = "index.html";
    } else if (!ext.empty() && !(html && !html_ext)) {
      std::string stem = last.substr(0, last.size() - ext.size());
      leaf = stem + query_suffix + std::string(ext);
    } else {
      leaf = last + query_suffix + ExtensionForMime(mime);
    }
  }
  out.push_back(SafeComponent(leaf));
  std::string path = JoinPath(out);
  if (path.size() > kMaxPath) {
    std::string ext(ExtensionOf(out.back()));
    path =
        "assets/" + out[1].substr(0, 60) + "/_long/" + ShortHash(url, 32) + ext;
  }
  return path;
}

std::string ClashName(const std::string& primary, const std::string& url,
                      int attempt, bool moved) {
  size_t slash = primary.rfind('/');
  std::string dir = primary.substr(0, slash + 1);
  std::string leaf = primary.substr(slash + 1);
  std::string ext(ExtensionOf(leaf));
  std::string stem = leaf.substr(0, leaf.size() - ext.size());
  if (moved) {
    dir = "assets/~moved/";
    stem = "";
  }
  std::string hash =
      ShortHash(url + (attempt ? std::to_string(attempt) : ""), 10);
  return dir + stem.substr(0, kMaxComponent - 12 - ext.size()) + "~" + hash +
         ext;
}

std::vector<std::string> AssetNameCandidates(const std::string& url,
                                             std::string_view content_type) {
  const std::string primary = SafeAssetPath(url, content_type);
  std::vector<std::string> names;
  // A renamed name carries a hash of this URL, so it is this URL's file;
  // the primary name may be another URL's that took it first.
  for (int attempt = 0; attempt < kClashAttemptsLooked; ++attempt) {
    names.push_back(ClashName(primary, url, attempt, false));
    names.push_back(ClashName(primary, url, attempt, true));
  }
  names.push_back(primary);
  return names;
}

std::string AssetNamer::NameFor(const std::string& url,
                                std::string_view content_type) {
  auto known = by_url_.find(url);
  if (known != by_url_.end()) return known->second;
  std::string name = SafeAssetPath(url, content_type);
  // A file may not sit where another name needs a directory.
  auto directory_taken = [&](const std::string& folded) {
    for (size_t slash = folded.find('/'); slash != std::string::npos;
         slash = folded.find('/', slash + 1)) {
      if (folded_taken_.count(folded.substr(0, slash))) return true;
    }
    return false;
  };
  auto taken = [&](const std::string& candidate) {
    std::string folded = AsciiLowercase(candidate);
    if (folded_taken_.count(folded) || directory_taken(folded)) return true;
    // Nor may a file sit where another name already has a directory.
    auto it = folded_taken_.lower_bound(folded + "/");
    return it != folded_taken_.end() && it->starts_with(folded + "/");
  };
  if (taken(name)) {
    // Renaming the leaf cannot help when a parent directory is a file
    // already; such names go to a directory no URL maps to (hosts never
    // start with '~').
    const bool moved =
        directory_taken(AsciiLowercase(name.substr(0, name.rfind('/') + 1)));
    const std::string primary = name;
    for (int attempt = 0; taken(name); ++attempt) {
      name = ClashName(primary, url, attempt, moved);
    }
  }
  std::string folded = AsciiLowercase(name);
  folded_taken_.insert(folded);
  by_url_.emplace(url, name);
  return name;
}

std::string RelativePath(std::string_view from, std::string_view to) {
  auto split = [](std::string_view p) {
    std::vector<std::string_view> parts;
    size_t start = 0;
    while (start <= p.size()) {
      size_t end = p.find('/', start);
      if (end == std::string_view::npos) end = p.size();
      parts.push_back(p.substr(start, end - start));
      start = end + 1;
    }
    return parts;
  };
  std::vector<std::string_view> a = split(from);
  std::vector<std::string_view> b = split(to);
  a.pop_back();  // the directory of `from`
  size_t common = 0;
  while (common < a.size() && common + 1 < b.size() && a[common] == b[common]) {
    ++common;
  }
  std::string out;
  for (size_t i = common; i < a.size(); ++i) out += "../";
  for (size_t i = common; i < b.size(); ++i) {
    out += b[i];
    if (i + 1 < b.size()) out += '/';
  }
  return out;
}

}  // namespace rotguard
