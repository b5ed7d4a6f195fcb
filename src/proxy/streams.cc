// Socket and TLS byte streams with timeouts (proxy/streams.h).
#include "proxy/streams.h"

#include <errno.h>
#include <poll.h>
#include <sys/socket.h>

#include <climits>

namespace rotguard::proxy_internal {

bool WaitFor(int fd, short events, int timeout_ms) {
  pollfd p{fd, events, 0};
  while (true) {
    const int r = ::poll(&p, 1, timeout_ms);
    if (r > 0) return true;
    if (r == 0 || errno != EINTR) return false;
  }
}

long SocketStream::Read(char* buf, size_t n, int timeout_ms) {
  while (true) {
    if (!WaitFor(fd_, POLLIN, timeout_ms)) return -1;
    const ssize_t r = ::recv(fd_, buf, n, 0);
    if (r >= 0) return static_cast<long>(r);
    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return -1;
  }
}

bool SocketStream::WriteAll(std::string_view bytes, int timeout_ms) {
  while (!bytes.empty()) {
    const ssize_t w = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (w > 0) {
      bytes.remove_prefix(static_cast<size_t>(w));
      continue;
    }
    if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
      if (!WaitFor(fd_, POLLOUT, timeout_ms)) return false;
      continue;
    }
    return false;
  }
  return true;
}

bool TlsStream::WaitAsAsked(int r, int timeout_ms) {
  switch (SSL_get_error(ssl_, r)) {
    case SSL_ERROR_WANT_READ:
      return WaitFor(fd_, POLLIN, timeout_ms);
    case SSL_ERROR_WANT_WRITE:
      return WaitFor(fd_, POLLOUT, timeout_ms);
    default:
      return false;
  }
}

bool TlsStream::Accept(int timeout_ms) {
  while (true) {
    const int r = SSL_accept(ssl_);
    if (r == 1) return true;
    if (!WaitAsAsked(r, timeout_ms)) return false;
  }
}

long TlsStream::Read(char* buf, size_t n, int timeout_ms) {
  const int want = static_cast<int>(n > INT_MAX ? INT_MAX : n);
  while (true) {
    const int r = SSL_read(ssl_, buf, want);
    if (r > 0) return r;
    if (SSL_get_error(ssl_, r) == SSL_ERROR_ZERO_RETURN) return 0;
    if (!WaitAsAsked(r, timeout_ms)) return -1;
  }
}

bool TlsStream::WriteAll(std::string_view bytes, int timeout_ms) {
  while (!bytes.empty()) {
    const int want =
        static_cast<int>(bytes.size() > (1u << 20) ? (1u << 20) : bytes.size());
    const int r = SSL_write(ssl_, bytes.data(), want);
    if (r > 0) {
      bytes.remove_prefix(static_cast<size_t>(r));
      continue;
    }
    if (!WaitAsAsked(r, timeout_ms)) return false;
  }
  return true;
}

}  // namespace rotguard::proxy_internal
