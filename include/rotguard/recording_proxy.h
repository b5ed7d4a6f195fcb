// The browser lane's recording proxy (issue #16 item 2; SPEC §6): a local
// HTTP proxy that the headless browser is pointed at
// (`--proxy-server=http://127.0.0.1:P --proxy-bypass-list=<-loopback>
// --ignore-certificate-errors-spki-list=<EphemeralCa::SpkiSha256Base64()>`)
// so that every request the page makes goes through rotguard's own
// Fetcher: the same address guard, --resolve/--connect-to mapping,
// per-host politeness and WARC records (with digests and dedupe) as a
// static capture.
//
// - EphemeralCa: a CA key and certificate made in memory for one run
//   (EC P-256), never written to disk unless asked (WritePem), and a leaf
//   certificate per host minted on demand (SAN = that host, an IP SAN for
//   a literal), cached; the chain served is leaf + CA.
// - RecordingProxy: listens on 127.0.0.1 (a port the kernel chooses) and
//   accepts absolute-form `GET http://...` requests and `CONNECT host:port`
//   tunnels, which it ends with TLS (the minted leaf, chosen by SNI or the
//   CONNECT host) and then reads HTTP/1.1 requests from (keep-alive,
//   Content-Length and chunked request bodies). Request heads are parsed
//   strictly and bounded (line, head, header count, body, idle time).
//   Every request in scope goes to an UpstreamFetch; its answer is sent
//   back with the status and headers as the server sent them, minus
//   hop-by-hop headers, the body without transfer coding (Content-Length
//   set to the decoded length) and with its content coding as received.
// - Scope: a (host, port) is fetched only when a `resolve`/`connect_to`
//   entry names it or `in_scope` says yes. Anything else (Chromium's own
//   background traffic: clients2.google.com, update.googleapis.com, ...)
//   gets a 403 without any name lookup and without a record; an IP
//   literal that is non-public (127.0.0.1, 169.254.169.254, ...) and not
//   mapped gets a 403 and is reported to `on_blocked`, as is a target the
//   fetcher's address guard refused (kBlockedAddress).
// - FetcherUpstream: the production UpstreamFetch. It submits each request
//   as a FetchJob (the browser's method, body and the headers listed at
//   kForwardedRequestHeaders; never following redirects: the browser
//   does) to a Fetcher running with FetchOptions::keep_running, and must
//   see that fetcher's sink calls for its jobs (IsProxyJob) so it can hand
//   each exchange both to the browser and to the record sink (the WARC).
//
// Thread-safety: RecordingProxy runs one accept thread and one thread per
// connection (at most max_connections); Stop() (and the destructor) close
// every socket and join every thread. on_blocked and in_scope are called
// from connection threads, several at a time, so they must be
// thread-safe.
//
// Not done here: HTTP/2 to the browser (ALPN offers http/1.1 only),
// WebSocket (Upgrade is not passed on, so the handshake fails), and
// streaming: a response reaches the browser once the fetcher has the whole
// body (bounded by fetch.max_size and max_total_bytes).
#ifndef ROTGUARD_RECORDING_PROXY_H_
#define ROTGUARD_RECORDING_PROXY_H_

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "rotguard/failure.h"
#include "rotguard/fetch.h"
#include "rotguard/status.h"

namespace rotguard {

// ---- the ephemeral CA -----------------------------------------------------

struct MintedLeaf;  // OpenSSL objects (src/proxy/openssl_handles.h)

class EphemeralCa {
 public:
  // A fresh P-256 key and a self-signed CA certificate valid from one day
  // ago for 30 days (CN "rotguard ephemeral CA <random>").
  static Result<std::unique_ptr<EphemeralCa>> Create();
  ~EphemeralCa();
  EphemeralCa(const EphemeralCa&) = delete;
  EphemeralCa& operator=(const EphemeralCa&) = delete;

  // PEM of the CA certificate (no key).
  const std::string& CertPem() const;
  // Base64 of SHA-256 over the DER SubjectPublicKeyInfo of the CA: the
  // value of Chromium's --ignore-certificate-errors-spki-list.
  const std::string& SpkiSha256Base64() const;
  // Writes CertPem() to `path` (mode 0644), for a client that wants a CA
  // file (tests: curl --cacert). The key is never written.
  Status WriteCertPem(const std::string& path) const;
  // The leaf for `host` (a name, or an IP literal without brackets),
  // minted on first use and cached; thread-safe.
  Result<std::shared_ptr<const MintedLeaf>> LeafFor(const std::string& host);
  // PEM of that leaf certificate (tests).
  Result<std::string> LeafPemFor(const std::string& host);

  struct Rep;

 private:
  explicit EphemeralCa(std::unique_ptr<Rep> rep);
  std::unique_ptr<Rep> rep_;
};

// ---- what goes upstream -----------------------------------------------------

struct UpstreamRequest {
  std::string method;  // as the browser sent it
  std::string url;     // absolute http(s) URL
  // The browser's header fields, in order, names as sent.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // decoded from Content-Length or chunked framing
};

struct UpstreamResponse {
  // kNone with a response; otherwise no response (the proxy answers 403
  // for kBlockedAddress, 504 for kTimeout, 502 for the rest).
  FailureClass failure = FailureClass::kNone;
  std::string error;  // human text when failure != kNone
  // Status line and header lines as received, HTTP/1.1 text, CRLF CRLF.
  std::string head;
  // Payload without transfer coding, content coding kept.
  std::string body;
  // "" or why the body was cut ("length", "disconnect").
  std::string truncated;
};

// The seam between the proxy and whatever fetches (tests use a fake).
// Fetch() is called from connection threads, several at a time.
class UpstreamFetch {
 public:
  virtual ~UpstreamFetch() = default;
  virtual UpstreamResponse Fetch(const UpstreamRequest& request) = 0;
  // Makes every Fetch() in progress or to come return promptly (failure
  // kCancelled): the proxy calls it when it stops.
  virtual void Abort() {}
};

// A request the proxy refused because of its target's address (the caller
// records the URL as "blocked").
struct BlockedRequest {
  std::string url;
  std::string reason;
};

// ---- the proxy ------------------------------------------------------------

struct RecordingProxyOptions {
  // The run's explicit mappings (as FetchOptions): a (host, port) one of
  // them names is in scope.
  std::vector<std::string> resolve;
  std::vector<std::string> connect_to;
  // More hosts in scope (the run's link and requisite hosts). Empty: only
  // the mapped ones. Called from connection threads.
  std::function<bool(const std::string& host, int port)> in_scope;
  // Targets refused for their address; thread-safe.
  std::function<void(const BlockedRequest&)> on_blocked;

  int max_connections = 32;          // more wait in the listen backlog
  int idle_timeout_ms = 30'000;      // per connection, between and within reads
  size_t max_line_bytes = 8 * 1024;  // request line, each header line
  size_t max_head_bytes = 64 * 1024;   // whole request head
  size_t max_header_count = 100;       // header fields per request
  uint64_t max_body_bytes = 8u << 20;  // request body
  // Response payload bytes handed to the browser, all requests together,
  // until ResetByteBudget(); then 403. 0: no limit.
  uint64_t max_total_bytes = 0;
};

struct RecordingProxyStats {
  uint64_t connections = 0;  // accepted
  uint64_t requests = 0;     // request heads read
  uint64_t fetched = 0;      // handed to the upstream
  uint64_t refused_scope = 0;
  uint64_t blocked = 0;
  uint64_t bad_requests = 0;  // 4xx for the request itself
  uint64_t bytes_out = 0;     // response payload bytes sent
};

class RecordingProxy {
 public:
  // Binds 127.0.0.1:0 and starts the accept thread. `ca` and `upstream`
  // must outlive the proxy.
  static Result<std::unique_ptr<RecordingProxy>> Start(
      RecordingProxyOptions options, EphemeralCa& ca, UpstreamFetch& upstream);
  ~RecordingProxy();  // Stop()
  RecordingProxy(const RecordingProxy&) = delete;
  RecordingProxy& operator=(const RecordingProxy&) = delete;

  int port() const;
  // "http://127.0.0.1:P", for --proxy-server.
  std::string url() const;
  // Closes the listener and every connection, aborts the upstream's
  // waits, joins every thread. Idempotent.
  void Stop();
  // A new page: the max_total_bytes budget starts again.
  void ResetByteBudget();
  RecordingProxyStats stats() const;

  struct Rep;

 private:
  explicit RecordingProxy(std::unique_ptr<Rep> rep);
  std::unique_ptr<Rep> rep_;
};

// ---- the production upstream ----------------------------------------------

// The browser request headers FetcherUpstream passes on (case-insensitive).
// Left out: hop-by-hop and proxy headers, Host (from the URL), User-Agent
// (the run's own, as for static captures), Accept-Encoding (the fetcher
// asks for gzip, which every browser decodes), conditional headers
// (If-*: the archive wants whole 200s, not 304s), Authorization.
extern const char* const kForwardedRequestHeaders[];

class FetcherUpstream final : public UpstreamFetch, public FetchSink {
 public:
  // Proxy jobs carry tags with this bit set; the rest of the tag counts.
  static constexpr uint64_t kTagBit = uint64_t{1} << 63;
  static bool IsProxyJob(const FetchJob& job) {
    return (job.tag & kTagBit) != 0;
  }

  // `fetcher` runs (or will run) with keep_running and a sink that routes
  // proxy jobs' calls here. `record` (may be null) gets every exchange
  // after its bytes were taken for the browser, on the fetch thread
  // (writes the WARC records); it never sees OnDone. A kBlockedAddress
  // outcome comes back as the response's failure (the proxy reports it).
  // `wait_limit_ms` bounds a Fetch() wait (the fetcher's total timeout
  // and its retries should fit in it).
  FetcherUpstream(Fetcher& fetcher, FetchSink* record, int wait_limit_ms);
  ~FetcherUpstream() override;

  UpstreamResponse Fetch(const UpstreamRequest& request) override;
  void Abort() override;

  // FetchSink, for proxy jobs only.
  void OnExchange(const FetchJob& job, FetchedExchange& exchange) override;
  void OnDone(const FetchOutcome& outcome) override;

  // The FetchJob a request becomes (exposed for tests).
  static FetchJob JobFor(const UpstreamRequest& request, uint64_t tag);

 private:
  struct Pending {
    bool done = false;
    UpstreamResponse response;
  };
  Fetcher& fetcher_;
  FetchSink* record_;
  int wait_limit_ms_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool aborted_ = false;
  uint64_t next_tag_ = 1;
  std::map<uint64_t, Pending> pending_;  // by tag
};

}  // namespace rotguard

#endif  // ROTGUARD_RECORDING_PROXY_H_
