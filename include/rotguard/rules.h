// Link rules (SPEC §6, §9): the post resource URI, host patterns, Blogger
// size variants, shorteners, [scope] filters and when a URL is due. Pure
// functions of the configuration and a manifest row, so they are tested
// without a network and shared by archive, verify and restore.
#ifndef ROTGUARD_RULES_H_
#define ROTGUARD_RULES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "rotguard/config.h"
#include "rotguard/manifest.h"
#include "rotguard/permalink.h"
#include "rotguard/status.h"
#include "rotguard/url_regex.h"

namespace rotguard {

// The URI a post's resource record is written under: with [site]
// base_url, base_url + the post's public path from the site's permalink
// rules (rotguard/permalink.h PostPublicPath); without a base URL, or for
// a document published nowhere (a Jekyll collection without output),
// "file:" + `document_path` (the manifest key of the document).
std::string PostResourceUri(const Config& config,
                            const std::string& document_path,
                            const PostFacts& facts = {});

// The host of an absolute http(s) URL, lowercase, without port; "" when
// there is none.
std::string UrlHostOf(std::string_view url);

// True when `host` matches `pattern`: equal, a subdomain of it
// ("example.com" matches "a.example.com"), or a "*" glob match
// ("lh*.googleusercontent.com" matches "lh3.googleusercontent.com").
bool HostMatchesPattern(std::string_view pattern, std::string_view host);

bool IsShortenerUrl(const ShortenerRule& rule, std::string_view url);
bool IsBloggerUrl(const BloggerRule& rule, std::string_view url);

// The URL with its Blogger size token replaced by s0 ("/s640/" → "/s0/",
// "/w640-h480/" and "/w640-h480-c/" → "/s0/", "=s640" and "=w640-h480"
// at the end of the path → "=s0"); nullopt when the URL has no size token.
std::optional<std::string> BloggerSizeToS0(std::string_view url);
// What to fetch besides a Blogger image: its s0 original, when the rule
// is on, the host is a Blogger host and the URL is not already s0.
std::optional<std::string> BloggerOriginalUrl(const BloggerRule& rule,
                                              std::string_view url);
// The key that groups size variants of one Blogger image (the s0 URL);
// "" for URLs that are not Blogger images with a size token.
std::string BloggerAssetKey(const BloggerRule& rule, std::string_view url);

// [scope] include/exclude host and URL patterns.
class ScopeFilter {
 public:
  // InvalidArgument naming the pattern when a URL regex does not compile.
  static Result<ScopeFilter> Create(const ScopeConfig& scope);
  bool InScope(const std::string& normalized_url) const;
  // Tombstoned URLs (`rotguard forget`) are out of scope from now on, so
  // no plan, requisite or original fetches them again.
  void ExcludeForgotten(std::unordered_set<std::string> normalized_urls) {
    forgotten_ = std::move(normalized_urls);
  }

 private:
  ScopeConfig scope_;
  std::unordered_set<std::string> forgotten_;
  UrlRegexSet include_urls_;
  UrlRegexSet exclude_urls_;
};

// Why a URL is due (SPEC §6 "Incremental"); kNotDue when it is not.
// kUnjudged: captured but never judged (no verdict): the capture came
// from a run cut short after its bytes were written (a kill, whose stale
// file the next run indexes), from a budget, or from `import`.
enum class DueReason { kNotDue, kNew, kFailed, kStale, kForced, kUnjudged };
const char* DueReasonName(DueReason reason);  // "new", "failed", ...

// `url` is null for a URL the manifest has never seen.
DueReason DecideDue(const UrlRow* url, int64_t now_us,
                    const HealthConfig& health, bool all);

// The final target of a chain: its last URL whose host is not a
// shortener ("" when every hop was a shortener).
std::string FinalNonShortenerUrl(const ShortenerRule& rule,
                                 const std::vector<std::string>& hop_urls);

}  // namespace rotguard

#endif  // ROTGUARD_RULES_H_
