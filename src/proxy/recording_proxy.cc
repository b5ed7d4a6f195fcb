// RecordingProxy's listener and threads (rotguard/recording_proxy.h): one
// accept thread, one thread per connection up to max_connections (the
// rest wait in the listen backlog), every one joined by Stop().
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <utility>

#include "proxy/proxy_rep.h"

namespace rotguard {
namespace {

// Only HTTP/1.1 inside the tunnel: the proxy reads HTTP/1.1 requests.
int SelectHttp11(SSL*, const unsigned char** out, unsigned char* outlen,
                 const unsigned char* in, unsigned int inlen, void*) {
  static const unsigned char kHttp11[] = {8,   'h', 't', 't', 'p',
                                          '/', '1', '.', '1'};
  unsigned char* selected = nullptr;
  if (SSL_select_next_proto(&selected, outlen, kHttp11, sizeof kHttp11, in,
                            inlen) != OPENSSL_NPN_NEGOTIATED) {
    return SSL_TLSEXT_ERR_NOACK;
  }
  *out = selected;
  return SSL_TLSEXT_ERR_OK;
}

Result<SslCtxPtr> NewServerContext() {
  SslCtxPtr ctx(SSL_CTX_new(TLS_server_method()));
  if (!ctx || SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION) != 1) {
    return Status::Internal("recording proxy: TLS context: " +
                            TakeOpenSslErrors());
  }
  SSL_CTX_set_mode(ctx.get(), SSL_MODE_ENABLE_PARTIAL_WRITE |
                                  SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  SSL_CTX_set_alpn_select_cb(ctx.get(), &SelectHttp11, nullptr);
  // The certificate is chosen per tunnel (proxy_connection.cc).
  return ctx;
}

Status Listen(RecordingProxy::Rep& rep) {
  rep.listener.reset(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!rep.listener.valid()) return Status::FromErrno("proxy socket", errno);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;  // the kernel chooses
  socklen_t len = sizeof addr;
  if (::bind(rep.listener.get(), reinterpret_cast<sockaddr*>(&addr),
             sizeof addr) != 0 ||
      ::listen(rep.listener.get(), 128) != 0 ||
      ::getsockname(rep.listener.get(), reinterpret_cast<sockaddr*>(&addr),
                    &len) != 0) {
    return Status::FromErrno("proxy listen on 127.0.0.1", errno);
  }
  rep.port = ntohs(addr.sin_port);
  int wake[2];
  if (::pipe2(wake, O_CLOEXEC | O_NONBLOCK) != 0) {
    return Status::FromErrno("proxy pipe", errno);
  }
  rep.wake_read.reset(wake[0]);
  rep.wake_write.reset(wake[1]);
  return Status::Ok();
}

}  // namespace

proxy_internal::HeadLimits RecordingProxy::Rep::Limits() const {
  proxy_internal::HeadLimits limits;
  limits.max_line_bytes = options.max_line_bytes;
  limits.max_head_bytes = options.max_head_bytes;
  limits.max_header_count = options.max_header_count;
  limits.max_body_bytes = options.max_body_bytes;
  return limits;
}

void RecordingProxy::Rep::ReapDone() {
  for (auto it = connections.begin(); it != connections.end();) {
    if (!it->done) {
      ++it;
      continue;
    }
    it->thread.join();  // it has left Serve and only returns now
    it = connections.erase(it);
  }
}

void RecordingProxy::Rep::AcceptLoop() {
  while (true) {
    {
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock,
              [this] { return stopping || live < options.max_connections; });
      if (stopping) return;
      ReapDone();
    }
    pollfd fds[2] = {{listener.get(), POLLIN, 0}, {wake_read.get(), POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0 && errno != EINTR) return;
    if (fds[1].revents != 0) return;  // Stop()
    if ((fds[0].revents & POLLIN) == 0) continue;
    Fd client(::accept4(listener.get(), nullptr, nullptr,
                        SOCK_NONBLOCK | SOCK_CLOEXEC));
    if (!client.valid()) continue;
    std::lock_guard<std::mutex> lock(mu);
    if (stopping) return;
    ++counters.connections;
    ++live;
    Connection& c = connections.emplace_back();
    c.fd = std::move(client);
    c.thread = std::thread([this, &c] {
      Serve(c.fd.get());
      std::lock_guard<std::mutex> done_lock(mu);
      c.fd.reset();  // the browser sees the close now, not at the reaping
      c.done = true;
      --live;
      cv.notify_all();
    });
  }
}

Result<std::unique_ptr<RecordingProxy>> RecordingProxy::Start(
    RecordingProxyOptions options, EphemeralCa& ca, UpstreamFetch& upstream) {
  auto rep = std::make_unique<Rep>(std::move(options), ca, upstream);
  if (rep->options.max_connections < 1) rep->options.max_connections = 1;
  Result<SslCtxPtr> ctx = NewServerContext();
  if (!ctx.ok()) return ctx.status();
  rep->ssl_ctx = std::move(*ctx);
  ROTGUARD_RETURN_IF_ERROR(Listen(*rep));
  Rep* raw = rep.get();
  rep->acceptor = std::thread([raw] { raw->AcceptLoop(); });
  return std::unique_ptr<RecordingProxy>(new RecordingProxy(std::move(rep)));
}

RecordingProxy::RecordingProxy(std::unique_ptr<Rep> rep)
    : rep_(std::move(rep)) {}

RecordingProxy::~RecordingProxy() { Stop(); }

int RecordingProxy::port() const { return rep_->port; }

std::string RecordingProxy::url() const {
  return "http://127.0.0.1:" + std::to_string(rep_->port);
}

void RecordingProxy::Stop() {
  {
    std::lock_guard<std::mutex> lock(rep_->mu);
    if (rep_->stopped) return;
    rep_->stopped = true;
    rep_->stopping = true;
    // Wakes every connection thread out of its poll().
    for (auto& c : rep_->connections) {
      if (!c.done) ::shutdown(c.fd.get(), SHUT_RDWR);
    }
  }
  rep_->cv.notify_all();
  const char byte = 'x';
  if (::write(rep_->wake_write.get(), &byte, 1) < 0) {
    // The pipe is ours and empty: a failed write leaves poll() to the
    // shutdown of the listener below.
    ::shutdown(rep_->listener.get(), SHUT_RDWR);
  }
  rep_->upstream.Abort();
  if (rep_->acceptor.joinable()) rep_->acceptor.join();
  for (auto& c : rep_->connections) {
    if (c.thread.joinable()) c.thread.join();
  }
  rep_->connections.clear();
  rep_->listener.reset();
}

void RecordingProxy::ResetByteBudget() { rep_->budget_used.store(0); }

RecordingProxyStats RecordingProxy::stats() const {
  const Rep::Counters& c = rep_->counters;
  RecordingProxyStats s;
  s.connections = c.connections.load();
  s.requests = c.requests.load();
  s.fetched = c.fetched.load();
  s.refused_scope = c.refused_scope.load();
  s.blocked = c.blocked.load();
  s.bad_requests = c.bad_requests.load();
  s.bytes_out = c.bytes_out.load();
  return s;
}

}  // namespace rotguard
