// One browser connection of the RecordingProxy (rotguard/recording_proxy.h):
// plain absolute-form requests, or a CONNECT tunnel ended with TLS under a
// minted leaf, then HTTP/1.1 requests (keep-alive) handed to the
// upstream, and their answers written back.
#include <arpa/inet.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <signal.h>

#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "proxy/proxy_rep.h"
#include "proxy/streams.h"
#include "rotguard/url.h"
#include "util/ascii.h"

namespace rotguard {
namespace {

using proxy_internal::ByteStream;
using proxy_internal::RequestError;
using proxy_internal::RequestHead;
using proxy_internal::RequestReader;

// Never passed on to the browser: hop-by-hop fields (RFC 9110 §7.6.1) and
// the framing, which the proxy writes itself.
constexpr const char* kHopByHop[] = {
    "connection", "keep-alive", "proxy-connection",   "transfer-encoding", "te",
    "trailer",    "upgrade",    "proxy-authenticate", "content-length"};

const char* Reason(int status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 403:
      return "Forbidden";
    case 408:
      return "Request Timeout";
    case 413:
      return "Content Too Large";
    case 414:
      return "URI Too Long";
    case 417:
      return "Expectation Failed";
    case 431:
      return "Request Header Fields Too Large";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "Error";
  }
}

bool IsIpLiteral(const std::string& host) {
  unsigned char buf[16];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 ||
         inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

// "host" or "[v6]", plus ":port" unless it is the scheme's default.
std::string Authority(const std::string& host, int port, int default_port) {
  std::string a = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (port != default_port) a += ":" + std::to_string(port);
  return a;
}

// What one tunnel's TLS handshake needs in the certificate callback.
struct TunnelContext {
  EphemeralCa* ca = nullptr;
  std::string host;
};

// Serves the leaf for the CONNECT host (the name the browser checks the
// certificate against is that host: the SNI it sends names it too), with
// the CA after it: Chromium's SPKI pin matches any certificate of the
// chain, and curl --cacert needs the chain to end at the CA.
int UseMintedLeaf(SSL* ssl, void*) {
  auto* t = static_cast<TunnelContext*>(SSL_get_app_data(ssl));
  Result<std::shared_ptr<const MintedLeaf>> leaf = t->ca->LeafFor(t->host);
  if (!leaf.ok()) return 0;
  const MintedLeaf& l = **leaf;
  return SSL_use_certificate(ssl, l.cert.get()) == 1 &&
                 SSL_use_PrivateKey(ssl, l.key.get()) == 1 &&
                 SSL_add1_chain_cert(ssl, l.ca) == 1
             ? 1
             : 0;
}

class ClientConnection {
 public:
  ClientConnection(RecordingProxy::Rep& rep, int fd) : rep_(rep), fd_(fd) {}
  void Run();

 private:
  int timeout() const { return rep_.options.idle_timeout_ms; }
  void SendError(ByteStream& out, int status, const std::string& reason,
                 bool keep_alive);
  bool Admit(const std::string& host, int port, const std::string& url);
  void ServeTunnel(ByteStream& plain, RequestReader& reader,
                   const RequestHead& connect);
  void ServeRequests(ByteStream& stream, RequestReader& reader,
                     std::optional<RequestHead> first,
                     const std::string& tunnel);
  bool Handle(ByteStream& stream, RequestReader& reader,
              const RequestHead& head, const std::string& tunnel);
  std::optional<std::string> TargetUrl(const RequestHead& head,
                                       const std::string& tunnel,
                                       RequestError* error) const;
  bool WriteResponse(ByteStream& stream, const std::string& method,
                     const UpstreamResponse& response, bool keep_alive);

  RecordingProxy::Rep& rep_;
  int fd_;
};

void ClientConnection::SendError(ByteStream& out, int status,
                                 const std::string& reason, bool keep_alive) {
  if (status >= 400 && status < 500 && status != 403) {
    ++rep_.counters.bad_requests;
  }
  const std::string body = "rotguard recording proxy: " + reason + "\n";
  const std::string head =
      "HTTP/1.1 " + std::to_string(status) + " " + Reason(status) +
      "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: " +
      std::to_string(body.size()) +
      "\r\nConnection: " + (keep_alive ? "keep-alive" : "close") + "\r\n\r\n";
  out.WriteAll(head + body, timeout());
}

// Whether (host, port) may be fetched. Out of scope: refused quietly
// (background traffic, never looked up); a non-public IP literal is also
// reported as blocked.
bool ClientConnection::Admit(const std::string& host, int port,
                             const std::string& url) {
  const RecordingProxyOptions& o = rep_.options;
  if (IsExplicitlyMapped(o.resolve, o.connect_to, host, port) ||
      (o.in_scope && o.in_scope(host, port))) {
    return true;
  }
  if (IsIpLiteral(host) && IsNonPublicAddress(host)) {
    ++rep_.counters.blocked;
    if (o.on_blocked) {
      o.on_blocked({url, url + ": refused to fetch non-public address " + host +
                             " for the browser"});
    }
    return false;
  }
  ++rep_.counters.refused_scope;
  return false;
}

void ClientConnection::Run() {
  proxy_internal::SocketStream plain(fd_);
  RequestReader reader(plain, rep_.Limits(), timeout());
  RequestError error;
  std::optional<RequestHead> head = reader.NextHead(&error);
  if (!head) {
    if (error.status != 0) SendError(plain, error.status, error.reason, false);
    return;
  }
  if (head->method == "CONNECT") {
    ++rep_.counters.requests;
    ServeTunnel(plain, reader, *head);
    return;
  }
  ServeRequests(plain, reader, std::move(head), "");
}

void ClientConnection::ServeTunnel(ByteStream& plain, RequestReader& reader,
                                   const RequestHead& connect) {
  // "host:port" or "[v6]:port"; the port is required.
  const std::string& target = connect.target;
  const size_t colon = target.rfind(':');
  std::string host = colon == std::string::npos ? "" : target.substr(0, colon);
  const std::string port_text =
      colon == std::string::npos ? "" : target.substr(colon + 1);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  const int port =
      port_text.empty() || port_text.size() > 5 ||
              port_text.find_first_not_of("0123456789") != std::string::npos
          ? 0
          : std::atoi(port_text.c_str());
  if (host.empty() || port < 1 || port > 65535 || reader.buffered() > 0) {
    SendError(plain, 400, "malformed CONNECT", false);
    return;
  }
  host = AsciiLowercase(host);
  const std::string authority = Authority(host, port, 443);
  if (!Admit(host, port, "https://" + authority + "/")) {
    SendError(plain, 403, "not in this run's scope: " + target, false);
    return;
  }
  if (!plain.WriteAll("HTTP/1.1 200 Connection established\r\n\r\n",
                      timeout())) {
    return;
  }
  SslPtr ssl(SSL_new(rep_.ssl_ctx.get()));
  TunnelContext context{&rep_.ca, host};
  if (!ssl || SSL_set_fd(ssl.get(), fd_) != 1) return;
  SSL_set_app_data(ssl.get(), &context);
  SSL_set_cert_cb(ssl.get(), &UseMintedLeaf, nullptr);
  proxy_internal::TlsStream tls(ssl.get(), fd_);
  if (!tls.Accept(timeout())) return;
  RequestReader inner(tls, rep_.Limits(), timeout());
  ServeRequests(tls, inner, std::nullopt, authority);
  SSL_shutdown(ssl.get());  // one try: the browser may be gone
}

void ClientConnection::ServeRequests(ByteStream& stream, RequestReader& reader,
                                     std::optional<RequestHead> head,
                                     const std::string& tunnel) {
  while (true) {
    if (!head) {
      RequestError error;
      head = reader.NextHead(&error);
      if (!head) {
        if (error.status != 0) {
          SendError(stream, error.status, error.reason, false);
        }
        return;
      }
    }
    ++rep_.counters.requests;
    if (!Handle(stream, reader, *head, tunnel)) return;
    head.reset();
  }
}

// The URL to fetch: absolute-form http:// outside a tunnel, origin-form
// inside one (https://<CONNECT authority><target>).
std::optional<std::string> ClientConnection::TargetUrl(
    const RequestHead& head, const std::string& tunnel,
    RequestError* error) const {
  const std::string& target = head.target;
  if (head.method == "CONNECT") {
    *error = {400, "CONNECT inside a tunnel"};
    return std::nullopt;
  }
  if (!tunnel.empty()) {
    if (target.empty() || target.front() != '/') {
      *error = {400, "expected an origin-form target in the tunnel"};
      return std::nullopt;
    }
    return "https://" + tunnel + target;
  }
  if (UrlScheme(target) != "http" || UrlHost(target).empty() ||
      UrlPort(target) <= 0 || target.compare(0, 7, "http://") != 0) {
    *error = {400, "expected an absolute http:// URL"};
    return std::nullopt;
  }
  return target;
}

bool ClientConnection::Handle(ByteStream& stream, RequestReader& reader,
                              const RequestHead& head,
                              const std::string& tunnel) {
  RequestError error;
  std::optional<std::string> url = TargetUrl(head, tunnel, &error);
  if (!url) {
    SendError(stream, error.status, error.reason, false);
    return false;
  }
  const std::string* expect = head.Find("expect");
  if (expect && AsciiLowercase(*expect) == "100-continue") {
    // The body comes only after this (curl waits for it).
    if (!stream.WriteAll("HTTP/1.1 100 Continue\r\n\r\n", timeout())) {
      return false;
    }
  }
  std::optional<std::string> body = reader.ReadBody(head, &error);
  if (!body) {
    if (error.status != 0) {
      SendError(stream, error.status, error.reason, false);
    }
    return false;
  }
  const bool keep_alive = head.KeepAlive();
  if (tunnel.empty() && !Admit(UrlHost(*url), UrlPort(*url), *url)) {
    SendError(stream, 403, "not in this run's scope: " + *url, keep_alive);
    return keep_alive;
  }
  UpstreamRequest request{head.method, *url, head.headers, std::move(*body)};
  const uint64_t cap = rep_.options.max_total_bytes;
  if (cap > 0 && rep_.budget_used.load() >= cap) {
    SendError(stream, 403, "page byte budget reached", keep_alive);
    return keep_alive;
  }
  ++rep_.counters.fetched;
  UpstreamResponse response = rep_.upstream.Fetch(request);
  if (response.failure == FailureClass::kNone) {
    rep_.budget_used += response.body.size();
    return WriteResponse(stream, head.method, response, keep_alive);
  }
  int status = 502;
  if (response.failure == FailureClass::kBlockedAddress) {
    status = 403;
    ++rep_.counters.blocked;
    if (rep_.options.on_blocked) {
      rep_.options.on_blocked({*url, response.error});
    }
  } else if (response.failure == FailureClass::kTimeout) {
    status = 504;
  }
  SendError(stream, status, response.error, keep_alive);
  return keep_alive;
}

// A response head from the upstream, taken apart.
struct ResponseHead {
  std::string status_line;
  int status = 0;
  std::vector<std::pair<std::string, std::string>> fields;
  std::vector<std::string> listed;  // named in Connection: hop-by-hop too
};

void NoteConnectionTokens(const std::string& value, ResponseHead* head) {
  std::string_view rest = value;
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    std::string_view token = rest.substr(0, comma);
    head->listed.push_back(AsciiLowercase(TrimHeaderSpace(token)));
    rest.remove_prefix(comma == std::string_view::npos ? rest.size()
                                                       : comma + 1);
  }
}

std::optional<ResponseHead> ParseResponseHead(std::string_view rest) {
  ResponseHead head;
  size_t eol = rest.find('\n');
  if (eol == std::string_view::npos) return std::nullopt;
  head.status_line.assign(rest.substr(0, eol));
  if (!head.status_line.empty() && head.status_line.back() == '\r') {
    head.status_line.pop_back();
  }
  const size_t sp = head.status_line.find(' ');
  head.status = sp == std::string::npos
                    ? 0
                    : std::atoi(head.status_line.c_str() + sp + 1);
  if (head.status < 100 || head.status > 999) return std::nullopt;
  rest.remove_prefix(eol + 1);
  while ((eol = rest.find('\n')) != std::string_view::npos) {
    std::string_view line = rest.substr(0, eol);
    rest.remove_prefix(eol + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const size_t colon = line.find(':');
    if (line.empty() || colon == std::string_view::npos) continue;
    std::string value(TrimHeaderSpace(line.substr(colon + 1)));
    if (EqualsIgnoreCase(line.substr(0, colon), "connection")) {
      NoteConnectionTokens(value, &head);
    }
    head.fields.emplace_back(std::string(line.substr(0, colon)),
                             std::move(value));
  }
  return head;
}

// The server's status line and fields minus hop-by-hop ones, the decoded
// body with its own Content-Length (a cut body: none, and the connection
// closes after it, so the browser sees it end early, as it did).
bool ClientConnection::WriteResponse(ByteStream& stream,
                                     const std::string& method,
                                     const UpstreamResponse& response,
                                     bool keep_alive) {
  std::optional<ResponseHead> head = ParseResponseHead(response.head);
  if (!head) {
    SendError(stream, 502, "unreadable response head", false);
    return false;
  }
  const int status = head->status;
  const bool no_body =
      method == "HEAD" || status < 200 || status == 204 || status == 304;
  std::string out = head->status_line + "\r\n";
  for (const auto& [name, value] : head->fields) {
    const std::string lower = AsciiLowercase(name);
    bool drop = false;
    for (const char* h : kHopByHop) drop = drop || lower == h;
    for (const std::string& l : head->listed) drop = drop || lower == l;
    // HEAD and 304 keep the length the server announced for the entity.
    if (lower == "content-length" && no_body && status != 204) drop = false;
    if (!drop) out += name + ": " + value + "\r\n";
  }
  const bool cut = !response.truncated.empty() && !no_body;
  if (!no_body && !cut) {
    out += "Content-Length: " + std::to_string(response.body.size()) + "\r\n";
  }
  keep_alive = keep_alive && !cut;
  out += keep_alive ? "Connection: keep-alive\r\n\r\n"
                    : "Connection: close\r\n\r\n";
  if (!stream.WriteAll(out, timeout())) return false;
  if (!no_body) {
    if (!stream.WriteAll(response.body, timeout())) return false;
    rep_.counters.bytes_out += response.body.size();
  }
  return keep_alive;
}

}  // namespace

void RecordingProxy::Rep::Serve(int fd) {
  // OpenSSL writes to the socket with write(): a browser that went away
  // must give EPIPE on this thread, not a SIGPIPE that ends the process.
  // Blocked here, a SIGPIPE stays pending on this thread and dies with it.
  sigset_t pipe;
  sigemptyset(&pipe);
  sigaddset(&pipe, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
  ClientConnection connection(*this, fd);
  connection.Run();
}

}  // namespace rotguard
