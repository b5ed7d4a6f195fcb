// The archive's rules: post URIs, scope, due, Blogger and shortener URLs.
#include "rotguard/rules.h"

#include <cctype>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rotguard/permalink.h"
#include "rotguard/url.h"
#include "util/ascii.h"

namespace rotguard {
namespace {

bool GlobMatch(std::string_view pattern, std::string_view text) {
  size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (p < pattern.size() && pattern[p] == text[t]) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

bool AnyHostMatches(const std::vector<std::string>& patterns,
                    std::string_view host) {
  for (const std::string& pattern : patterns) {
    if (HostMatchesPattern(pattern, host)) return true;
  }
  return false;
}

// "640", "1600-h1200", "640-h480-c", ... : the part after 's' or 'w'.
bool IsSizeTokenRest(std::string_view rest) {
  if (rest.empty() || !std::isdigit(static_cast<unsigned char>(rest[0]))) {
    return false;
  }
  for (char c : rest) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
  }
  return true;
}

bool IsSizeToken(std::string_view token) {
  if (token.size() < 2) return false;
  if (token[0] != 's' && token[0] != 'w' && token[0] != 'h') return false;
  return IsSizeTokenRest(token.substr(1));
}

}  // namespace

std::string PostResourceUri(const Config& config,
                            const std::string& document_path,
                            const PostFacts& facts) {
  std::string base = config.site.base_url;
  if (base.empty()) return "file:" + document_path;
  std::optional<std::string> path =
      PostPublicPath(config.site, document_path, facts);
  if (!path) return "file:" + document_path;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + *path;
}

std::string UrlHostOf(std::string_view url) {
  std::string host = UrlHost(url);
  // Config keys and host patterns write IPv6 literals in brackets.
  if (host.find(':') != std::string::npos) return "[" + host + "]";
  return host;
}

bool HostMatchesPattern(std::string_view pattern, std::string_view host) {
  if (pattern.empty() || host.empty()) return false;
  if (pattern.find('*') != std::string_view::npos) {
    return GlobMatch(pattern, host);
  }
  if (host == pattern) return true;
  return host.size() > pattern.size() &&
         host.compare(host.size() - pattern.size(), pattern.size(), pattern) ==
             0 &&
         host[host.size() - pattern.size() - 1] == '.';
}

bool IsShortenerUrl(const ShortenerRule& rule, std::string_view url) {
  return rule.enabled && AnyHostMatches(rule.hosts, UrlHostOf(url));
}

bool IsBloggerUrl(const BloggerRule& rule, std::string_view url) {
  return rule.enabled && AnyHostMatches(rule.hosts, UrlHostOf(url));
}

std::optional<std::string> BloggerSizeToS0(std::string_view url) {
  const UrlComponents parts = SplitUrl(url);
  if (!parts.scheme || !parts.authority || parts.path.empty()) {
    return std::nullopt;
  }
  std::string_view path = parts.path;
  const size_t path_start = static_cast<size_t>(path.data() - url.data());
  const size_t path_end = path_start + path.size();
  // A path segment that is a size token: /s640/, /w640-h480/, /s1600-c/.
  size_t segment_start = 1;
  while (segment_start < path.size()) {
    size_t segment_end = path.find('/', segment_start);
    if (segment_end == std::string_view::npos) break;  // the file name
    std::string_view segment =
        path.substr(segment_start, segment_end - segment_start);
    if (IsSizeToken(segment)) {
      return std::string(url.substr(0, path_start + segment_start)) + "s0" +
             std::string(url.substr(path_start + segment_end));
    }
    segment_start = segment_end + 1;
  }
  // googleusercontent "=s640" / "=w640-h480" at the end of the path.
  size_t equals = path.rfind('=');
  if (equals != std::string_view::npos &&
      path.find('/', equals) == std::string_view::npos &&
      IsSizeToken(path.substr(equals + 1))) {
    return std::string(url.substr(0, path_start + equals + 1)) + "s0" +
           std::string(url.substr(path_end));
  }
  return std::nullopt;
}

std::optional<std::string> BloggerOriginalUrl(const BloggerRule& rule,
                                              std::string_view url) {
  if (!rule.enabled || !rule.fetch_original || !IsBloggerUrl(rule, url)) {
    return std::nullopt;
  }
  std::optional<std::string> original = BloggerSizeToS0(url);
  if (!original || *original == url) return std::nullopt;
  return original;
}

std::string BloggerAssetKey(const BloggerRule& rule, std::string_view url) {
  if (!IsBloggerUrl(rule, url)) return "";
  std::optional<std::string> s0 = BloggerSizeToS0(url);
  if (!s0) return "";
  std::optional<std::string> normalized = NormalizeUrl(*s0);
  return normalized ? *normalized : *s0;
}

Result<ScopeFilter> ScopeFilter::Create(const ScopeConfig& scope) {
  ScopeFilter filter;
  filter.scope_ = scope;
  Result<UrlRegexSet> include =
      UrlRegexSet::Create(scope.include_urls, "[scope] include_urls");
  if (!include.ok()) return include.status();
  Result<UrlRegexSet> exclude =
      UrlRegexSet::Create(scope.exclude_urls, "[scope] exclude_urls");
  if (!exclude.ok()) return exclude.status();
  filter.include_urls_ = std::move(*include);
  filter.exclude_urls_ = std::move(*exclude);
  return filter;
}

bool ScopeFilter::InScope(const std::string& normalized_url) const {
  if (forgotten_.count(normalized_url)) return false;
  std::string host = UrlHostOf(normalized_url);
  if (!scope_.include_hosts.empty() &&
      !AnyHostMatches(scope_.include_hosts, host)) {
    return false;
  }
  if (AnyHostMatches(scope_.exclude_hosts, host)) return false;
  if (!include_urls_.empty() && !include_urls_.AnyMatches(normalized_url)) {
    return false;
  }
  return !exclude_urls_.AnyMatches(normalized_url);
}

const char* DueReasonName(DueReason reason) {
  switch (reason) {
    case DueReason::kNotDue:
      return "not-due";
    case DueReason::kNew:
      return "new";
    case DueReason::kFailed:
      return "failed";
    case DueReason::kStale:
      return "stale";
    case DueReason::kForced:
      return "forced";
    case DueReason::kUnjudged:
      return "unjudged";
  }
  return "";
}

DueReason DecideDue(const UrlRow* url, int64_t now_us,
                    const HealthConfig& health, bool all) {
  if (all) return DueReason::kForced;
  if (url == nullptr || url->last_capture_us == 0) return DueReason::kNew;
  if (!url->failure_class.empty()) return DueReason::kFailed;
  // A capture alone says nothing of the link's health: fetch it once.
  if (url->verdict.empty()) return DueReason::kUnjudged;
  int64_t recrawl_us = int64_t{health.recrawl_days} * 86400 * 1'000'000;
  if (now_us - url->last_capture_us >= recrawl_us) return DueReason::kStale;
  return DueReason::kNotDue;
}

std::string FinalNonShortenerUrl(const ShortenerRule& rule,
                                 const std::vector<std::string>& hop_urls) {
  for (auto it = hop_urls.rbegin(); it != hop_urls.rend(); ++it) {
    if (!IsShortenerUrl(rule, *it)) return *it;
  }
  return "";
}

}  // namespace rotguard
