// Failure classes (SPEC §6): why a fetch failed, their stable names and
// which of them are worth a retry. A policy, not a transport detail: the
// fetcher assigns them, health streaks and reports judge by them.
#ifndef ROTGUARD_FAILURE_H_
#define ROTGUARD_FAILURE_H_

#include <cstddef>

namespace rotguard {

// The longest URL rotguard fetches (issue #14): browsers and servers stop
// near 8 KiB, and a longer one in a post, a page or a Location header is
// hostile or broken. It ends as kBadUrl without a request.
inline constexpr size_t kMaxUrlBytes = 8192;

// Why a hop (and so its job) failed (SPEC §6 failure classes). kNone is
// success: the chain ended in a response that is not a redirect (any
// status, 4xx/5xx included: those are judged by FailureClassOfStatus).
enum class FailureClass {
  kNone,
  kDns,               // name did not resolve (NXDOMAIN, no address)
  kConnect,           // refused, unreachable, connect timeout
  kTls,               // handshake or certificate verification failed
  kTimeout,           // total or low-speed timeout after connecting
  kReset,             // connection reset or closed mid-exchange
  kTruncated,         // body shorter than its Content-Length (disconnect)
  kTooLarge,          // cut at max_size (still a capture: WARC-Truncated)
  kBlockedAddress,    // refused by the private-address guard
  kRedirectLoop,      // a hop led back to a URL already in the chain
  kTooManyRedirects,  // longer than max_redirects
  kBadUrl,            // unsupported scheme, malformed or over-long URL
  kBadResponse,       // not HTTP: a garbage status line, status not 1xx-5xx
  kHttp4xx,           // final response 4xx (see FailureClassOfStatus)
  kHttp5xx,           // final response 5xx
  kCancelled,         // RequestCancel() before the job finished
  kProxy,             // the configured proxy could not be reached or failed
  kForgotten,         // a hop to a URL taken down with `rotguard forget`
  kOther,
};

// Stable lowercase names: "dns", "connect", "tls", "timeout", "reset",
// "truncated", "too-large", "blocked-address", "redirect-loop",
// "too-many-redirects", "bad-url", "bad-response", "http-4xx", "http-5xx",
// "cancelled", "proxy", "forgotten", "other"; "" for kNone. Used in the
// manifest, JSON output and logs.
const char* FailureClassName(FailureClass failure);
// kHttp4xx / kHttp5xx for 400..599, kBadResponse for a status HTTP does
// not define (LinkedIn's 999, 0 < status < 100), kNone otherwise.
FailureClass FailureClassOfStatus(int http_status);
// Transient classes are retried: timeout, reset, truncated, connect, and
// HTTP 408, 425, 429, 500, 502, 503, 504 (by status).
bool IsTransient(FailureClass failure, int http_status);

}  // namespace rotguard

#endif  // ROTGUARD_FAILURE_H_
