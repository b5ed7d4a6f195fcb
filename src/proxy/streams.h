// The proxy's byte streams: a plain socket and a TLS session on one, both
// non-blocking underneath and waiting with poll() up to a timeout, so a
// stalled browser never holds a connection thread forever.
#ifndef ROTGUARD_PROXY_STREAMS_H_
#define ROTGUARD_PROXY_STREAMS_H_

#include <openssl/ssl.h>

#include <string_view>

#include "proxy/http_request.h"

namespace rotguard::proxy_internal {

// poll() for `events` on `fd`; false on timeout or error.
bool WaitFor(int fd, short events, int timeout_ms);

class SocketStream final : public ByteStream {
 public:
  explicit SocketStream(int fd) : fd_(fd) {}
  long Read(char* buf, size_t n, int timeout_ms) override;
  bool WriteAll(std::string_view bytes, int timeout_ms) override;

 private:
  int fd_;
};

class TlsStream final : public ByteStream {
 public:
  TlsStream(SSL* ssl, int fd) : ssl_(ssl), fd_(fd) {}
  // The server side of the handshake, within `timeout_ms` per wait.
  bool Accept(int timeout_ms);
  long Read(char* buf, size_t n, int timeout_ms) override;
  bool WriteAll(std::string_view bytes, int timeout_ms) override;

 private:
  // After an SSL call returned `r`: wait as it asks; false when it failed.
  bool WaitAsAsked(int r, int timeout_ms);
  SSL* ssl_;
  int fd_;
};

}  // namespace rotguard::proxy_internal

#endif  // ROTGUARD_PROXY_STREAMS_H_
