// The one URL type shared by extraction, fetching, policy, indexing and
// restore: RFC 3986 split and resolution, the manifest's normalized key,
// host and port, and warcio.js's SURT. Other modules take URLs apart only
// through these functions.
#ifndef ROTGUARD_URL_H_
#define ROTGUARD_URL_H_

#include <optional>
#include <string>
#include <string_view>

namespace rotguard {

// The five components of a URI reference (RFC 3986 Appendix B), as views
// into the text that was split, so a caller can also take their offsets.
// An absent component is nullopt; a present one may be empty ("http://h?"
// has the query ""). The scheme is there only when it is a valid scheme
// ("1x:y" and "a b:c" are paths). Nothing is validated or decoded.
struct UrlComponents {
  std::optional<std::string_view> scheme;
  std::optional<std::string_view> authority;  // userinfo@host:port
  std::string_view path;
  std::optional<std::string_view> query;     // without "?"
  std::optional<std::string_view> fragment;  // without "#"
};
UrlComponents SplitUrl(std::string_view url);

// The manifest key (SPEC §13): lowercase scheme and host, IDNA → punycode,
// default port dropped, empty path → "/", dot segments removed,
// percent-encoding hex uppercased, fragment dropped, query order kept.
// nullopt when `url` is not an absolute http(s) URL with a valid host.
std::optional<std::string> NormalizeUrl(std::string_view url);

// RFC 3986 §5 reference resolution; nullopt when base is not absolute.
std::optional<std::string> ResolveUrl(std::string_view base,
                                      std::string_view reference);

// Lowercased scheme of an absolute URL ("https"), "" when none.
std::string UrlScheme(std::string_view url);

// The host of an absolute URL's authority, lowercase, without userinfo and
// port; an IPv6 literal without its brackets. "" when there is none.
std::string UrlHost(std::string_view url);

// The port of an absolute URL: the explicit one, else 80 for http and 443
// for https; 0 when it is invalid or the scheme has no default.
int UrlPort(std::string_view url);

// Decodes every "%XX" (any case) to its byte; a "%" not followed by two hex
// digits stays as it is.
std::string PercentDecode(std::string_view s);

// warcio.js getSurt(): lowercase, strip www\d*., reverse host labels,
// keep a non-default port as ":port", sort query args, drop the scheme.
std::string Surt(std::string_view url);

}  // namespace rotguard

#endif  // ROTGUARD_URL_H_
