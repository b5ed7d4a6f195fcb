// Helpers of the fetch module shared by its sources and unit tests.
#ifndef ROTGUARD_FETCH_FETCH_INTERNAL_H_
#define ROTGUARD_FETCH_FETCH_INTERNAL_H_

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rotguard/config.h"
#include "rotguard/status.h"

namespace rotguard::fetch_internal {

// Seconds to wait from a Retry-After value: delta-seconds ("120") or an
// HTTP-date, relative to `now`; nullopt when unparseable. A date in the
// past gives 0.
std::optional<std::chrono::seconds> ParseRetryAfter(
    std::string_view value, std::chrono::system_clock::time_point now);

// The standard reason phrase of an HTTP status ("OK", "Not Found"), "" for
// unknown codes. HTTP/2 has none, so we write these in the HTTP/1.1 head.
const char* ReasonPhrase(int status);

// Rewrites a request head as sent over HTTP/2 (as libcurl reports it) into
// HTTP/1.1 text: request line version "HTTP/1.1", pseudo-headers dropped
// (":authority" becomes Host), Host first, CRLF CRLF at the end.
std::string NormalizeRequestHead(std::string_view head);

// Decodes a gzip/deflate content-coded body for inspection, at most
// `limit` output bytes; nullopt when it is not valid gzip/deflate.
std::optional<std::string> InflateForInspection(std::string_view coded,
                                                size_t limit);

// The "Name: value" lines the [[fetch.host]] entry for `host` adds to a
// request (its headers, then "Cookie: ..."); none when no entry applies.
std::vector<std::string> CredentialHeaderLines(const FetchConfig& fetch,
                                               std::string_view host);

// The request head as the WARC request record gets it: an absolute-form
// request line (sent to an HTTP proxy) in origin form ("GET /p HTTP/1.1"),
// curl's Proxy-Connection header (meant for the proxy alone) dropped, and,
// when `redact`, the values of Authorization, Proxy-Authorization and
// Cookie replaced by kRedactedCredential (the header names stay). Other
// bytes are kept as they are.
std::string RecordedRequestHead(std::string_view head, bool redact);

// A proxy URL without its "user:password@", for messages and logs.
std::string ProxyForDisplay(std::string_view proxy);

// Host (lowercase) → the addresses `resolve` entries ("[+]HOST:PORT:ADDR
// [,ADDR]", as curl) map it to on any port, brackets removed.
std::map<std::string, std::vector<std::string>> MappedAddresses(
    const std::vector<std::string>& resolve);

// The addresses of `host` from the system resolver (getaddrinfo), for the
// address guard's check of a target behind a proxy; NotFound when it has
// none.
Result<std::vector<std::string>> LookUpHost(const std::string& host);

}  // namespace rotguard::fetch_internal

#endif  // ROTGUARD_FETCH_FETCH_INTERNAL_H_
