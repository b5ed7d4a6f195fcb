// One HTTP exchange on a libcurl easy handle (curl_transfer.h).
#include "fetch/curl_transfer.h"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <cstdlib>
#include <string_view>
#include <utility>

#include "fetch/fetch_internal.h"
#include "util/ascii.h"

namespace rotguard::fetch_internal {
namespace {

constexpr uint64_t kMetaRefreshLimit = uint64_t{1} << 20;
// A large body arrives in fewer, larger pieces: fewer receive and spool
// write calls (curl's default is 16 KiB; its maximum 10 MiB).
constexpr long kReceiveBufferBytes = 256L << 10;

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

std::string_view HeaderValue(std::string_view line, size_t name_len) {
  return TrimHeaderSpace(line.substr(name_len + 1));
}

bool IsHtml(std::string_view content_type) {
  return content_type.empty() ||
         AsciiLowercase(content_type).find("html") != std::string::npos;
}

// Timeouts, TLS and the connect-to map: the same for every hop.
void SetTransportOptions(CURL* e, const TransferDefaults& d) {
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, long{d.fetch.connect_timeout_s});
  curl_easy_setopt(e, CURLOPT_TIMEOUT, long{d.fetch.total_timeout_s});
  curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, long{d.low_speed_bytes});
  curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, long{d.low_speed_time_s});
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!d.cacert.empty()) {
    curl_easy_setopt(e, CURLOPT_CAINFO, d.cacert.c_str());
  }
  if (d.connect_to) curl_easy_setopt(e, CURLOPT_CONNECT_TO, d.connect_to);
  if (!d.proxy.empty()) {
    curl_easy_setopt(e, CURLOPT_PROXY, d.proxy.c_str());
    // No NO_PROXY exceptions from the environment: a target that went
    // around the proxy would connect unchecked (the guard judged it as
    // proxied).
    curl_easy_setopt(e, CURLOPT_NOPROXY, "");
    // The proxy's "200 Connection established" is not the target's head.
    curl_easy_setopt(e, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
    if (!d.proxy_cacert.empty()) {
      curl_easy_setopt(e, CURLOPT_PROXY_CAINFO, d.proxy_cacert.c_str());
    }
  }
}

void SetCallbacks(CURL* e, Transfer* t) {
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &Transfer::OnHeader);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, t);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &Transfer::OnBody);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, t);
  // The request head as sent comes only through the debug callback.
  curl_easy_setopt(e, CURLOPT_DEBUGFUNCTION, &Transfer::OnDebug);
  curl_easy_setopt(e, CURLOPT_DEBUGDATA, t);
  curl_easy_setopt(e, CURLOPT_VERBOSE, 1L);
  curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, &Transfer::OnOpenSocket);
  curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, t);
}

FailureClass ClassifyTls(CURLcode code) {
  switch (code) {
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_USE_SSL_FAILED:
      return FailureClass::kTls;
    default:
      return FailureClass::kOther;
  }
}

// Through a proxy: whether a failure is the proxy's (down, refused the
// handshake) or the target's, which the proxy reported (a CONNECT answered
// with an error status, a SOCKS reply saying the target is unreachable).
FailureClass ClassifyProxyError(CURLcode code, const Transfer& t) {
  CURL* e = t.easy.get();
  long connect_code = 0;
  curl_easy_getinfo(e, CURLINFO_HTTP_CONNECTCODE, &connect_code);
  long proxy_error = CURLPX_OK;
  curl_easy_getinfo(e, CURLINFO_PROXY_ERROR, &proxy_error);
  switch (proxy_error) {
    case CURLPX_REPLY_CONNECTION_REFUSED:
    case CURLPX_REPLY_HOST_UNREACHABLE:
    case CURLPX_REPLY_NETWORK_UNREACHABLE:
    case CURLPX_REPLY_TTL_EXPIRED:
      return FailureClass::kConnect;
    case CURLPX_RESOLVE_HOST:
      return FailureClass::kDns;
    default:
      break;
  }
  if (code == CURLE_COULDNT_CONNECT && connect_code >= 300) {
    return FailureClass::kConnect;  // the tunnel to the target failed
  }
  return FailureClass::kProxy;
}

// Through an https:// proxy: a TLS failure before any CONNECT reply came
// back is the handshake with the proxy (its certificate, or no TLS
// there), not the target's; an http target has no TLS of its own at all.
bool IsProxyTlsFailure(CURLcode code, const Transfer& t) {
  const std::string& proxy = t.defaults->proxy;
  if (proxy.size() < 8 || !StartsWithIgnoreCase(proxy, "https://") ||
      ClassifyTls(code) != FailureClass::kTls) {
    return false;
  }
  long connect_code = 0;
  curl_easy_getinfo(t.easy.get(), CURLINFO_HTTP_CONNECTCODE, &connect_code);
  return connect_code == 0;
}

FailureClass ClassifyCurlError(CURLcode code, const Transfer& t,
                               bool connected) {
  const bool proxy_code = code == CURLE_COULDNT_RESOLVE_PROXY ||
                          code == CURLE_PROXY ||
                          (code == CURLE_COULDNT_CONNECT && !t.blocked);
  if (!t.defaults->proxy.empty() && proxy_code) {
    return ClassifyProxyError(code, t);
  }
  if (IsProxyTlsFailure(code, t)) return FailureClass::kProxy;
  switch (code) {
    case CURLE_OK:
      return FailureClass::kNone;
    case CURLE_COULDNT_RESOLVE_HOST:
      return FailureClass::kDns;
    case CURLE_COULDNT_CONNECT:
      return t.blocked ? FailureClass::kBlockedAddress : FailureClass::kConnect;
    case CURLE_OPERATION_TIMEDOUT:
      return connected ? FailureClass::kTimeout : FailureClass::kConnect;
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return FailureClass::kReset;
    case CURLE_PARTIAL_FILE:
      return FailureClass::kTruncated;
    case CURLE_URL_MALFORMAT:
      return FailureClass::kBadUrl;
    case CURLE_UNSUPPORTED_PROTOCOL:
      // After connecting it is the reply that is not HTTP (libcurl's
      // "Received HTTP/0.9 when not allowed" for a garbage status line).
      return connected ? FailureClass::kBadResponse : FailureClass::kBadUrl;
    case CURLE_WEIRD_SERVER_REPLY:
      return FailureClass::kBadResponse;
    case CURLE_WRITE_ERROR:
      return t.too_large ? FailureClass::kTooLarge : FailureClass::kOther;
    case CURLE_ABORTED_BY_CALLBACK:
      return FailureClass::kCancelled;
    default:
      return ClassifyTls(code);
  }
}

std::string DescribeFailure(FailureClass failure, CURLcode code,
                            const Transfer& t, const std::string& url) {
  switch (failure) {
    case FailureClass::kBlockedAddress:
      return url + ": refused to connect to non-public address " +
             t.blocked_ip +
             " (set allow_private, or map this host and port with --resolve)";
    case FailureClass::kTooLarge:
      return url + ": body cut at --max-size";
    case FailureClass::kProxy: {
      std::string detail = t.error[0] ? t.error : curl_easy_strerror(code);
      return url + ": proxy " + ProxyForDisplay(t.defaults->proxy) +
             " failed: " + detail;
    }
    case FailureClass::kOther:
      if (!t.write_status.ok()) {
        return url + ": storing the body failed: " + t.write_status.message();
      }
      break;
    default:
      break;
  }
  std::string detail = t.error[0] ? t.error : curl_easy_strerror(code);
  return url + ": " + FailureClassName(failure) + ": " + detail;
}

}  // namespace

std::unique_ptr<Transfer> Transfer::New(const TransferDefaults* defaults) {
  auto t = std::make_unique<Transfer>();
  t->defaults = defaults;
  t->easy.reset(curl_easy_init());
  if (!t->easy) return nullptr;
  return t;
}

void Transfer::Clear() {
  job = 0;
  extra_headers.reset();
  request_head.clear();
  head.clear();
  head_done = false;
  h2 = false;
  status = 0;
  location.clear();
  refresh.clear();
  retry_after.clear();
  content_type.clear();
  content_encoding.clear();
  response.reset();
  too_large = false;
  guard = true;
  blocked = false;
  blocked_ip.clear();
  write_status = Status::Ok();
  error[0] = '\0';
}

void Transfer::Configure(const HopRequest& request) {
  CURL* e = easy.get();
  curl_easy_setopt(e, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(e, CURLOPT_PRIVATE, this);
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(e, CURLOPT_HTTP_VERSION, long{CURL_HTTP_VERSION_2TLS});
  curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
  curl_easy_setopt(e, CURLOPT_BUFFERSIZE, kReceiveBufferBytes);
  curl_easy_setopt(e, CURLOPT_USERAGENT, request.user_agent.c_str());
  if (request.headers.empty()) {
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, defaults->base_headers);
  } else {
    curl_slist* list = curl_slist_append(nullptr, "Accept-Encoding: gzip");
    for (const std::string& h : request.headers) {
      list = curl_slist_append(list, h.c_str());
    }
    extra_headers.reset(list);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, list);
  }
  if (request.method == "HEAD") curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
  const bool other = request.method != "GET" && request.method != "HEAD" &&
                     request.method != "POST";
  if (request.method == "POST" || (other && !request.body.empty())) {
    // Copied: the handle may outlive the request (retries re-Configure).
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE,
                     static_cast<long>(request.body.size()));
    curl_easy_setopt(e, CURLOPT_COPYPOSTFIELDS, request.body.c_str());
  }
  // The recording proxy's PUT, DELETE, OPTIONS, ... (after POSTFIELDS,
  // which would make it a POST).
  if (other) curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  SetCallbacks(e, this);
  SetTransportOptions(e, *defaults);
  guard = request.guard;
  if (request.resolve) curl_easy_setopt(e, CURLOPT_RESOLVE, request.resolve);
}

TransferResult Transfer::Finish(CURLcode code, const std::string& url) {
  curl_off_t connect_time = 0;
  curl_easy_getinfo(easy.get(), CURLINFO_CONNECT_TIME_T, &connect_time);
  const bool connected = connect_time > 0 || head_done;
  TransferResult result;
  result.failure = ClassifyCurlError(code, *this, connected);
  if (too_large) result.failure = FailureClass::kTooLarge;
  if (result.failure != FailureClass::kNone) {
    result.error = DescribeFailure(result.failure, code, *this, url);
  }
  result.have_response = head_done && response != nullptr;
  result.status = result.have_response ? status : 0;
  if (result.have_response && result.failure != FailureClass::kNone &&
      result.failure != FailureClass::kTooLarge &&
      response->truncated().empty()) {
    response->MarkTruncated(kTruncatedDisconnect);
  }
  return result;
}

std::optional<std::string> Transfer::MetaRefreshTarget(
    const std::string& url) const {
  const uint64_t size = response->payload_length();
  if (size == 0 || size > kMetaRefreshLimit || !IsHtml(content_type)) {
    return std::nullopt;
  }
  const std::string coding = AsciiLowercase(content_encoding);
  const bool coded = coding.find("gzip") != std::string::npos ||
                     coding.find("deflate") != std::string::npos;
  std::optional<std::string> found;
  std::string joined;
  bool done = false;
  auto inspect = [&](std::string_view html) {
    if (coded) {
      std::optional<std::string> plain =
          InflateForInspection(html, kMetaRefreshLimit);
      if (plain) found = FindMetaRefresh(*plain, url);
    } else {
      found = FindMetaRefresh(html, url);
    }
  };
  // Usually the whole body is one in-memory chunk: scan it in place.
  Status s = response->ForEachBodyChunk([&](std::string_view chunk) {
    if (joined.empty() && chunk.size() == size) {
      inspect(chunk);
      done = true;
    } else {
      joined.append(chunk);
    }
    return Status::Ok();
  });
  if (!s.ok()) return std::nullopt;
  if (!done) inspect(joined);
  return found;
}

void Transfer::FillExchange(FetchedExchange& ex) {
  CURL* e = easy.get();
  ex.started = started;
  char* ip = nullptr;
  // Through a proxy the connected address is the proxy's, not the
  // target's: the record names none rather than a wrong one.
  if (defaults->proxy.empty() &&
      curl_easy_getinfo(e, CURLINFO_PRIMARY_IP, &ip) == CURLE_OK && ip) {
    ex.ip_address = ip;
  }
  long version = 0;
  curl_easy_getinfo(e, CURLINFO_HTTP_VERSION, &version);
  const bool is_h2 = version == CURL_HTTP_VERSION_2_0 || h2;
  ex.protocol = is_h2 ? "h2" : "";
  ex.request_head =
      is_h2 ? NormalizeRequestHead(request_head) : std::move(request_head);
  if (!is_h2 && (ex.request_head.size() < 4 ||
                 ex.request_head.compare(ex.request_head.size() - 4, 4,
                                         "\r\n\r\n") != 0)) {
    ex.request_head = NormalizeRequestHead(ex.request_head);
  }
  ex.request_head =
      RecordedRequestHead(ex.request_head, !defaults->fetch.record_credentials);
  ex.http_status = head_done && response ? status : 0;
  ex.response = std::move(response);
}

std::unique_ptr<ResponseBody> Transfer::NewBody(std::string head_text) const {
  if (defaults->new_body) return defaults->new_body(std::move(head_text));
  return std::make_unique<MemoryResponseBody>(std::move(head_text));
}

// ---- libcurl callbacks ----------------------------------------------------

void Transfer::StartHead(std::string_view line) {
  // A new header block: an earlier one was 1xx (or a retry on a reused
  // connection); keep only the final block.
  head.clear();
  head_done = false;
  location.clear();
  refresh.clear();
  retry_after.clear();
  content_type.clear();
  content_encoding.clear();
  size_t sp = line.find(' ');
  status = sp == std::string_view::npos
               ? 0
               : std::atoi(std::string(line.substr(sp + 1, 3)).c_str());
  h2 = StartsWith(line, "HTTP/2");
  if (h2) {
    head = "HTTP/1.1 " + std::to_string(status) + " " + ReasonPhrase(status) +
           "\r\n";
  } else {
    head.assign(line);
  }
}

void Transfer::NoteHeader(std::string_view bare) {
  auto is = [&](std::string_view name) {
    return bare.size() > name.size() && bare[name.size()] == ':' &&
           StartsWithIgnoreCase(bare, name);
  };
  if (is("location")) {
    location.assign(HeaderValue(bare, 8));
  } else if (is("refresh")) {
    refresh.assign(HeaderValue(bare, 7));
  } else if (is("retry-after")) {
    retry_after.assign(HeaderValue(bare, 11));
  } else if (is("content-type")) {
    content_type.assign(HeaderValue(bare, 12));
  } else if (is("content-encoding")) {
    content_encoding.assign(HeaderValue(bare, 16));
  }
}

size_t Transfer::OnHeader(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t len = size * n;
  std::string_view line(data, len);
  if (StartsWith(line, "HTTP/")) {
    t->StartHead(line);
    return len;
  }
  if (t->head_done) return len;  // trailers after the body
  std::string_view bare = line;
  while (!bare.empty() && (bare.back() == '\n' || bare.back() == '\r')) {
    bare.remove_suffix(1);
  }
  if (bare.empty()) {
    t->head += "\r\n";
    if (t->status >= 200 || t->status == 0) {
      t->head_done = true;
      t->response = t->NewBody(std::move(t->head));
      t->head.clear();
    }
    return len;
  }
  t->head.append(bare).append("\r\n");
  t->NoteHeader(bare);
  return len;
}

size_t Transfer::OnBody(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t len = size * n;
  if (!t->response) {  // a body without a head: never from libcurl
    t->response = t->NewBody("HTTP/1.1 200 OK\r\n\r\n");
    t->head_done = true;
  }
  const int64_t max_size = t->defaults->fetch.max_size;
  const uint64_t have = t->response->payload_length();
  std::string_view bytes(data, len);
  bool cut = false;
  if (max_size > 0 && have + len > static_cast<uint64_t>(max_size)) {
    bytes = bytes.substr(0, static_cast<uint64_t>(max_size) - have);
    cut = true;
  }
  Status appended = t->response->AppendBody(bytes);
  if (!appended.ok()) {
    t->write_status = std::move(appended);
    return 0;  // aborts the transfer with CURLE_WRITE_ERROR
  }
  if (cut) {
    t->response->MarkTruncated(kTruncatedLength);
    t->too_large = true;
    return 0;
  }
  return len;
}

int Transfer::OnDebug(CURL*, curl_infotype type, char* data, size_t size,
                      void* user) {
  if (type != CURLINFO_HEADER_OUT) return 0;
  auto* t = static_cast<Transfer*>(user);
  std::string_view chunk(data, size);
  // A request line starts a new request head (a resend replaces it).
  size_t eol = chunk.find('\n');
  std::string_view first = chunk.substr(0, eol);
  if (!first.empty() && first.front() >= 'A' && first.front() <= 'Z' &&
      first.find(" HTTP/") != std::string_view::npos) {
    t->request_head.assign(chunk);
  } else {
    t->request_head.append(chunk);
  }
  return 0;
}

// The guard checks the address actually being connected (after any
// --resolve, --connect-to or DNS answer), so no name can smuggle a
// private address past it.
curl_socket_t Transfer::OnOpenSocket(void* user, curlsocktype,
                                     curl_sockaddr* address) {
  auto* t = static_cast<Transfer*>(user);
  if (t->guard && (address->family == AF_INET || address->family == AF_INET6)) {
    char ip[INET6_ADDRSTRLEN] = {};
    const void* raw =
        address->family == AF_INET
            ? static_cast<const void*>(
                  &reinterpret_cast<const sockaddr_in*>(&address->addr)
                       ->sin_addr)
            : static_cast<const void*>(
                  &reinterpret_cast<const sockaddr_in6*>(&address->addr)
                       ->sin6_addr);
    inet_ntop(address->family, raw, ip, sizeof ip);
    if (IsNonPublicAddress(ip)) {
      t->blocked = true;
      t->blocked_ip = ip;
      return CURL_SOCKET_BAD;
    }
  }
  return socket(address->family, address->socktype | SOCK_CLOEXEC,
                address->protocol);
}

}  // namespace rotguard::fetch_internal
