// Fetching (SPEC §6, §13 "HTTP details"): an event-driven HTTP client on
// the libcurl multi interface. A Fetcher takes jobs (one URL each), follows
// each job's redirect chain hop by hop (3xx Location, a `Refresh:` header,
// an HTML meta refresh), and hands every HTTP exchange it completes to a
// FetchSink as soon as its body has been received, so the caller can write
// it to a WARC file while other transfers go on. Bodies stream into a
// ResponseBody made by the caller's factory (the archive's spools to a temp
// file past a threshold and hashes as it goes); no whole-body buffers here.
//
// Politeness and limits: total concurrency (`jobs`), rotguard's own
// per-host queues (`per_host`, `delay_ms`, per-host overrides), retries of
// transient failures with exponential backoff, 429/503 Retry-After honoured
// up to a cap, connect/total/low-speed timeouts, `max_size` truncation.
//
// Safety: connections to loopback, private, link-local, CGNAT, multicast,
// reserved and cloud-metadata addresses are refused (checked on the address
// actually being connected, in CURLOPT_OPENSOCKETFUNCTION) unless
// `allow_private` is set or the hop's (host, port) is exactly the one an
// explicit `resolve` or `connect_to` entry names (another port of that
// host, or an entry with an empty host or port, lifts nothing). TLS
// verification is always on; `cacert` adds a CA bundle file.
//
// Proxy (`fetch.proxy`: http, https, socks5, socks5h): curl then connects
// only to the proxy, which the user named, so the socket is not checked;
// instead each hop's target is judged before its request, on the same
// terms: an IP literal as is, a name by the addresses a `resolve` entry
// maps it to (any port) or else our own lookup (the resolver seam, or
// getaddrinfo), pinned so a socks5:// proxy gets exactly the checked
// address. A (host, port) an explicit mapping names, or allow_private,
// skips the check as without a proxy. An http/socks5h proxy resolves the
// name again itself, so DNS rebinding between the two lookups is outside
// what the guard can see. A proxy that cannot be reached (or fails its
// handshake) ends the job as FailureClass::kProxy; a CONNECT or SOCKS
// reply saying the target is unreachable is the target's kConnect.
//
// Credentials: `fetch.host_credentials` ([[fetch.host]]) add headers and a
// Cookie to hops whose host matches, never to another host's hop. Every
// FetchedExchange::request_head has Authorization, Proxy-Authorization and
// Cookie values replaced by kRedactedCredential unless
// `fetch.record_credentials`; through an HTTP proxy its request line is in
// origin form and curl's Proxy-Connection header is left out, so the
// record reads as the target was asked; ip_address stays "" (the
// connected address is the proxy's).
//
// Thread-safety: Run() drives all transfers on the calling thread; the sink
// is called on that thread. Add() may be called from sink callbacks (page
// requisites) and from the thread that calls Run() before it starts;
// AddFromAnyThread() and EndKeepRunning() from any thread (the recording
// proxy's connection threads); RequestCancel() from any thread or a signal
// handler.
#ifndef ROTGUARD_FETCH_H_
#define ROTGUARD_FETCH_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rotguard/config.h"
#include "rotguard/failure.h"
#include "rotguard/response_body.h"
#include "rotguard/status.h"

namespace rotguard {

// How one hop led to the next.
enum class HopKind {
  kFirst,        // the job's own URL
  kLocation,     // 3xx with a Location header
  kRefresh,      // `Refresh: N; url=...` response header
  kMetaRefresh,  // <meta http-equiv="refresh" content="N; url=..."> in HTML
};
const char* HopKindName(HopKind kind);  // "first", "location", ...

// One unit of work: fetch `url` and its redirect chain.
struct FetchJob {
  std::string url;   // absolute http(s) URL
  uint64_t tag = 0;  // the caller's id, echoed back
  // "GET", "HEAD" (verify --live) or "POST" (Save Page Now; `body` is
  // sent as application/x-www-form-urlencoded unless `headers` name a
  // Content-Type; do not follow redirects). Any other method (the
  // recording proxy passes the browser's on) is sent as is, with `body`
  // when it is not empty.
  std::string method = "GET";
  std::string body;                 // POST only
  bool follow_redirects = true;     // 3xx and Refresh header
  bool follow_meta_refresh = true;  // HTML meta refresh (<= 1 MiB bodies)
  // Extra request header lines ("Name: value"), e.g. Referer.
  std::vector<std::string> headers;
};

// One HTTP exchange (one hop, one attempt), complete.
struct FetchedExchange {
  std::string url;  // the URL requested in this hop
  int hop_index = 0;
  HopKind hop_kind = HopKind::kFirst;
  int attempt = 0;  // 0 for the first try of this hop
  // True when this response will be retried (a transient status such as
  // 503 or 429, attempts left): the caller may keep or drop it, but the
  // chain continues with the retry, not with this exchange.
  bool retrying = false;
  std::chrono::system_clock::time_point started;  // when the request began
  std::string ip_address;  // the connected address ("" when unknown)
  std::string protocol;    // "h2" for HTTP/2, "" for HTTP/1.x
  // The request as sent, HTTP/1.1 text (for h2 converted: "GET /p
  // HTTP/1.1" request line, Host header first), ending in CRLF CRLF.
  std::string request_head;
  int http_status = 0;
  // Head as HTTP/1.1 text ("HTTP/1.1 200 OK" for h2), body stored without
  // transfer coding and with its content coding as received, in a body
  // made by FetchOptions::new_body. Truncation (max_size: "length"; short
  // body: "disconnect") is already marked. Never null in a callback.
  std::unique_ptr<ResponseBody> response;
  // Where this hop points next ("" when it is the end of the chain):
  // resolved absolute URL from Location / Refresh / meta refresh.
  std::string next_url;
  HopKind next_kind = HopKind::kFirst;
};

// How a job ended.
struct FetchOutcome {
  FetchJob job;
  FailureClass failure = FailureClass::kNone;
  std::string error;      // human text, names the URL; "" on success
  int final_status = 0;   // status of the last response, 0 if none
  std::string final_url;  // URL of the last hop attempted
  int hops = 0;           // exchanges in the final chain
  int attempts = 0;       // requests sent, retries included
  uint64_t bytes = 0;     // payload bytes received, all hops
};

class FetchSink {
 public:
  virtual ~FetchSink() = default;
  // Every exchange, in order per job. The sink may take ownership of
  // `exchange.response` (std::move) to write it on another thread. Must
  // not block for long: all transfers wait while it runs.
  virtual void OnExchange(const FetchJob& job, FetchedExchange& exchange) = 0;
  // Exactly once per job, after its last OnExchange.
  virtual void OnDone(const FetchOutcome& outcome) = 0;
};

// A name-resolution seam (SPEC §13): when set, the fetcher asks it for the
// addresses of every (host, port) not named by `resolve`/`connect_to` and
// pins them with CURLOPT_RESOLVE; NotFound means NXDOMAIN
// (FailureClass::kDns, no connection tried). Unset: libcurl's own resolver.
using Resolver =
    std::function<Result<std::vector<std::string>>(const std::string& host)>;

struct FetchOptions {
  FetchConfig fetch;                        // [fetch] settings
  std::map<std::string, HostConfig> hosts;  // [hosts."name"] overrides
  std::vector<std::string> resolve;         // "HOST:PORT:ADDR[,ADDR]" as curl
  // "HOST:PORT:CONNECT-HOST:CONNECT-PORT" as curl --connect-to: lets a
  // fixture on a high port play https://ift.tt/ when binding 443 is not
  // allowed. The (HOST, PORT) it names counts as explicitly allowed, like
  // `resolve`; an empty HOST or PORT names none.
  std::vector<std::string> connect_to;
  std::string cacert;  // extra CA bundle file ("" none)
  Resolver resolver;   // test seam; empty: libcurl's
  // Stop a transfer whose speed stays below `low_speed_bytes` per second
  // for `low_speed_time_s` (slow-drip servers) with kTimeout.
  int low_speed_bytes = 1;
  int low_speed_time_s = 30;
  // Makes each response's body (the archive: WARC records spooled to the
  // store's tmp dir). Empty: MemoryResponseBody.
  ResponseBodyFactory new_body;
  // URLs taken down with `rotguard forget` (true: forgotten). A hop to
  // one, a redirect target or the job's own URL, is never requested: the
  // job ends there as FailureClass::kForgotten, its final_url the hop
  // that pointed there. Empty: none.
  std::function<bool(const std::string& url)> forgotten;
  // Run() keeps going when it has no job left, waiting for jobs from
  // AddFromAnyThread(), until EndKeepRunning() (or a cancel): the browser
  // lane's recording proxy submits requests while a run is under way.
  bool keep_running = false;
  // Test seam for delays and backoff: the clock used for per-host delays,
  // retry waits and Retry-After. Empty: steady_clock.
  std::function<std::chrono::steady_clock::time_point()> now;
};

class Fetcher {
 public:
  virtual ~Fetcher() = default;
  // Queues a job; jobs start in the order added, within the limits.
  virtual void Add(FetchJob job) = 0;
  // Thread-safe Add(): the job is queued by the thread in Run(), which is
  // woken for it. A job added after Run() returned is never run; callers
  // that may be late bound their wait (FetcherUpstream does).
  virtual void AddFromAnyThread(FetchJob job) { Add(std::move(job)); }
  // Thread-safe: with FetchOptions::keep_running, lets Run() return once
  // every job has ended. Without it, nothing changes.
  virtual void EndKeepRunning() {}
  // Undoes EndKeepRunning() for the next Run() (an archive worker's next
  // session, on the same fetcher). Only while Run() is not running.
  virtual void ResumeKeepRunning() {}
  // Runs until every queued job (and every job added meanwhile) has had
  // its OnDone, or until cancelled (remaining jobs end kCancelled). Error
  // only for a failure of the fetcher itself (libcurl could not start).
  virtual Status Run(FetchSink& sink) = 0;
  // Async-signal-safe: makes Run() wind down promptly.
  virtual void RequestCancel() = 0;
  // Thread-safe: no job starts any more (a run budget was reached). Jobs
  // that have not begun their chain, and jobs added later, end kCancelled;
  // transfers in flight and the chains they belong to go on, so Run()
  // returns once they end. The default cancels everything.
  virtual void StopAdmitting() { RequestCancel(); }
};

// The libcurl multi implementation. InvalidArgument for a malformed
// `resolve` entry or a missing `cacert` file (naming it).
Result<std::unique_ptr<Fetcher>> NewCurlFetcher(FetchOptions options);

// True for addresses the private-address guard refuses (v4 and v6:
// loopback, RFC 1918, link-local incl. 169.254.169.254, CGNAT, ULA,
// multicast, unspecified, reserved, v4-mapped forms of these).
bool IsNonPublicAddress(const std::string& ip_literal);

// True when a `resolve` ("[+]HOST:PORT:ADDR") or `connect_to`
// ("HOST:PORT:CHOST:CPORT") entry names exactly (host, port): the pairs the
// address guard lets through (host lowercase, an IPv6 literal without
// brackets). The recording proxy's scope starts from these.
bool IsExplicitlyMapped(const std::vector<std::string>& resolve,
                        const std::vector<std::string>& connect_to,
                        std::string_view host, int port);

// The target of a meta refresh in the first `limit` bytes of an HTML body
// (decoded), resolved against `base_url`; nullopt when there is none.
std::optional<std::string> FindMetaRefresh(std::string_view html,
                                           const std::string& base_url);
// The URL of a `Refresh:` header value ("5; url=/next"), resolved against
// `base_url`; nullopt when it has none.
std::optional<std::string> ParseRefreshHeader(std::string_view value,
                                              const std::string& base_url);

}  // namespace rotguard

#endif  // ROTGUARD_FETCH_H_
