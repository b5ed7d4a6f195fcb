// Helpers of the fetch module shared by its sources and unit tests.
#ifndef ROTGUARD_FETCH_FETCH_INTERNAL_H_
#define ROTGUARD_FETCH_FETCH_INTERNAL_H_

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

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

}  // namespace rotguard::fetch_internal

#endif  // ROTGUARD_FETCH_FETCH_INTERNAL_H_
