// Reading HTTP/1.1 requests from a browser (the recording proxy's client
// side), strictly and within bounds: a request line and header fields as
// RFC 9112 allows them (tokens, no obs-fold, no whitespace before ':', no
// control bytes), at most `max_line_bytes` per line, `max_head_bytes` per
// head and `max_header_count` fields; a body framed by Content-Length or
// chunked (never both: request smuggling), at most `max_body_bytes`.
// Errors carry the HTTP status to answer with before closing.
#ifndef ROTGUARD_PROXY_HTTP_REQUEST_H_
#define ROTGUARD_PROXY_HTTP_REQUEST_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rotguard::proxy_internal {

struct HeadLimits {
  size_t max_line_bytes = 8 * 1024;
  size_t max_head_bytes = 64 * 1024;
  size_t max_header_count = 100;
  uint64_t max_body_bytes = 8u << 20;
};

struct RequestHead {
  std::string method;
  std::string target;
  std::string version;  // "HTTP/1.1" or "HTTP/1.0"
  std::vector<std::pair<std::string, std::string>> headers;

  // The value of the first field named `name` (any case), nullptr if none.
  const std::string* Find(std::string_view name) const;
  // Whether the connection stays open after this request (version and
  // Connection header).
  bool KeepAlive() const;
};

// Why a request cannot be served: the status to answer and a reason.
struct RequestError {
  int status = 400;
  std::string reason;
};

// Parses a request head (the bytes up to and including its empty line).
std::optional<RequestHead> ParseRequestHead(std::string_view head,
                                            const HeadLimits& limits,
                                            RequestError* error);

// How the body is framed.
struct BodyFraming {
  bool chunked = false;
  uint64_t length = 0;  // when not chunked
};
std::optional<BodyFraming> FramingOf(const RequestHead& head,
                                     const HeadLimits& limits,
                                     RequestError* error);

// A byte stream with timeouts (a socket, a TLS session, a test string).
class ByteStream {
 public:
  virtual ~ByteStream() = default;
  // Up to `n` bytes: the count, 0 at the end of the stream, -1 on an error
  // or when nothing arrived within `timeout_ms`.
  virtual long Read(char* buf, size_t n, int timeout_ms) = 0;
  // All of `bytes`, or false.
  virtual bool WriteAll(std::string_view bytes, int timeout_ms) = 0;
};

// Reads requests one after another from a stream (keep-alive), buffering
// what arrives early.
class RequestReader {
 public:
  RequestReader(ByteStream& in, HeadLimits limits, int timeout_ms)
      : in_(in), limits_(limits), timeout_ms_(timeout_ms) {}

  // The next request head. nullopt and error->status == 0: the stream
  // ended (or stayed idle) before a request began: close quietly.
  std::optional<RequestHead> NextHead(RequestError* error);
  // The body of `head` (after NextHead), decoded from its framing.
  std::optional<std::string> ReadBody(const RequestHead& head,
                                      RequestError* error);
  // Bytes read past the last request (a CONNECT must have none).
  size_t buffered() const { return buffer_.size() - pos_; }

 private:
  bool Fill(std::chrono::steady_clock::time_point deadline);
  std::optional<std::string> ReadLine(size_t max, RequestError* error);
  std::optional<std::string> ReadChunked(RequestError* error);
  bool ReadExactly(uint64_t n, std::string* out);

  ByteStream& in_;
  HeadLimits limits_;
  int timeout_ms_;
  std::string buffer_;
  size_t pos_ = 0;
};

}  // namespace rotguard::proxy_internal

#endif  // ROTGUARD_PROXY_HTTP_REQUEST_H_
