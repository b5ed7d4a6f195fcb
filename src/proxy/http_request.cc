// Strict, bounded reading of browser requests (proxy/http_request.h).
#include "proxy/http_request.h"

#include <algorithm>
#include <cstring>

#include "util/ascii.h"

namespace rotguard::proxy_internal {
namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kMaxChunkLine = 1024;  // size, extensions, CRLF

bool IsTchar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
      (c >= '0' && c <= '9')) {
    return true;
  }
  return std::strchr("!#$%&'*+-.^_`|~", c) != nullptr && c != '\0';
}

bool IsToken(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), IsTchar);
}

// Field values: visible bytes, spaces, tabs and obs-text; no controls.
bool IsFieldValue(std::string_view s) {
  for (unsigned char c : s) {
    if ((c < 0x20 && c != '\t') || c == 0x7f) return false;
  }
  return true;
}

bool Fail(RequestError* error, int status, std::string reason) {
  error->status = status;
  error->reason = std::move(reason);
  return false;
}

bool ParseRequestLine(std::string_view line, RequestHead* head,
                      RequestError* error) {
  const size_t sp1 = line.find(' ');
  const size_t sp2 =
      sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos ||
      line.find(' ', sp2 + 1) != std::string_view::npos) {
    return Fail(error, 400, "malformed request line");
  }
  std::string_view method = line.substr(0, sp1);
  std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  std::string_view version = line.substr(sp2 + 1);
  if (!IsToken(method)) return Fail(error, 400, "malformed method");
  if (target.empty() || !IsFieldValue(target) ||
      target.find('\t') != std::string_view::npos) {
    return Fail(error, 400, "malformed request target");
  }
  if (version != "HTTP/1.1" && version != "HTTP/1.0") {
    return Fail(error, 505, "unsupported HTTP version");
  }
  head->method.assign(method);
  head->target.assign(target);
  head->version.assign(version);
  return true;
}

bool ParseHeaderLine(std::string_view line, RequestHead* head,
                     RequestError* error) {
  if (line.front() == ' ' || line.front() == '\t') {
    return Fail(error, 400, "folded header line");
  }
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos || !IsToken(line.substr(0, colon))) {
    return Fail(error, 400, "malformed header field name");
  }
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
    value.remove_prefix(1);
  }
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) {
    value.remove_suffix(1);
  }
  if (!IsFieldValue(value)) return Fail(error, 400, "control byte in header");
  head->headers.emplace_back(std::string(line.substr(0, colon)),
                             std::string(value));
  return true;
}

}  // namespace

const std::string* RequestHead::Find(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (EqualsIgnoreCase(n, name)) return &v;
  }
  return nullptr;
}

bool RequestHead::KeepAlive() const {
  const std::string* c = Find("connection");
  const std::string value = c ? AsciiLowercase(*c) : "";
  if (version == "HTTP/1.0") {
    return value.find("keep-alive") != std::string::npos;
  }
  return value.find("close") == std::string::npos;
}

std::optional<RequestHead> ParseRequestHead(std::string_view text,
                                            const HeadLimits& limits,
                                            RequestError* error) {
  if (text.size() > limits.max_head_bytes) {
    Fail(error, 431, "request head too large");
    return std::nullopt;
  }
  RequestHead head;
  bool first = true;
  while (!text.empty()) {
    size_t eol = text.find('\n');
    if (eol == std::string_view::npos) {
      Fail(error, 400, "request head does not end in an empty line");
      return std::nullopt;
    }
    std::string_view line = text.substr(0, eol);
    text.remove_prefix(eol + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find('\r') != std::string_view::npos ||
        line.find('\0') != std::string_view::npos) {
      Fail(error, 400, "stray CR or NUL in request head");
      return std::nullopt;
    }
    if (line.size() > limits.max_line_bytes) {
      Fail(error, first ? 414 : 431, "request line or header line too long");
      return std::nullopt;
    }
    if (line.empty()) {
      if (first || !text.empty()) break;  // only the final empty line
      return head;
    }
    const bool ok = first ? ParseRequestLine(line, &head, error)
                          : ParseHeaderLine(line, &head, error);
    if (!ok) return std::nullopt;
    first = false;
    if (head.headers.size() > limits.max_header_count) {
      Fail(error, 431, "too many header fields");
      return std::nullopt;
    }
  }
  Fail(error, 400, "malformed request head");
  return std::nullopt;
}

std::optional<BodyFraming> FramingOf(const RequestHead& head,
                                     const HeadLimits& limits,
                                     RequestError* error) {
  std::vector<const std::string*> te, cl;
  int hosts = 0;
  for (const auto& [name, value] : head.headers) {
    if (EqualsIgnoreCase(name, "transfer-encoding")) te.push_back(&value);
    if (EqualsIgnoreCase(name, "content-length")) cl.push_back(&value);
    if (EqualsIgnoreCase(name, "host")) ++hosts;
  }
  BodyFraming framing;
  if (hosts > 1) {
    Fail(error, 400, "several Host fields");
  } else if (!te.empty() && !cl.empty()) {
    Fail(error, 400, "both Transfer-Encoding and Content-Length");
  } else if (!te.empty()) {
    if (head.version == "HTTP/1.0") {
      Fail(error, 400, "Transfer-Encoding in an HTTP/1.0 request");
    } else if (te.size() != 1 || AsciiLowercase(*te[0]) != "chunked") {
      Fail(error, 501, "unsupported Transfer-Encoding");
    } else {
      framing.chunked = true;
      return framing;
    }
  } else {
    for (const std::string* value : cl) {
      if (value->empty() || value->size() > 18 ||
          !std::all_of(value->begin(), value->end(),
                       [](char c) { return c >= '0' && c <= '9'; }) ||
          *value != *cl[0]) {
        Fail(error, 400, "malformed Content-Length");
        return std::nullopt;
      }
    }
    if (!cl.empty()) framing.length = std::stoull(*cl[0]);
    if (framing.length > limits.max_body_bytes) {
      Fail(error, 413, "request body too large");
    } else {
      return framing;
    }
  }
  return std::nullopt;
}

// ---- RequestReader ---------------------------------------------------------

// Reads more bytes; false at the end of the stream, on an error, or when
// the deadline passes first.
bool RequestReader::Fill(Clock::time_point deadline) {
  if (pos_ == buffer_.size()) {
    buffer_.clear();
    pos_ = 0;
  } else if (pos_ > (64u << 10)) {
    buffer_.erase(0, pos_);
    pos_ = 0;
  }
  const auto left =
      std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
  if (left.count() <= 0) return false;
  char chunk[16 * 1024];
  long n = in_.Read(chunk, sizeof chunk, static_cast<int>(left.count()));
  if (n <= 0) return false;
  buffer_.append(chunk, static_cast<size_t>(n));
  return true;
}

std::optional<RequestHead> RequestReader::NextHead(RequestError* error) {
  *error = RequestError{0, ""};
  // The whole head must come within one idle timeout (slow-loris).
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms_);
  size_t end = std::string::npos;
  while (true) {
    // Empty lines before a request line are skipped (RFC 9112 §2.2).
    while (pos_ < buffer_.size() &&
           (buffer_[pos_] == '\r' || buffer_[pos_] == '\n')) {
      ++pos_;
    }
    const size_t a = buffer_.find("\n\r\n", pos_);
    const size_t b = buffer_.find("\n\n", pos_);
    end = std::min(a == std::string::npos ? a : a + 3,
                   b == std::string::npos ? b : b + 2);
    if (end != std::string::npos) break;
    if (buffered() > limits_.max_head_bytes) {
      Fail(error, 431, "request head too large");
      return std::nullopt;
    }
    const size_t last_eol = buffer_.rfind('\n');
    const size_t line_start =
        last_eol == std::string::npos || last_eol < pos_ ? pos_ : last_eol + 1;
    if (buffer_.size() - line_start > limits_.max_line_bytes) {
      Fail(error, 431, "request line or header line too long");
      return std::nullopt;
    }
    const bool began = buffered() > 0;
    if (!Fill(deadline)) {
      // Idle or gone between requests: close quietly; mid-head: 408.
      if (began && Clock::now() >= deadline) {
        Fail(error, 408, "request head not complete in time");
      }
      return std::nullopt;
    }
  }
  std::string_view text(buffer_.data() + pos_, end - pos_);
  std::optional<RequestHead> head = ParseRequestHead(text, limits_, error);
  pos_ = end;
  return head;
}

bool RequestReader::ReadExactly(uint64_t n, std::string* out) {
  while (n > 0) {
    if (buffered() == 0 &&
        !Fill(Clock::now() + std::chrono::milliseconds(timeout_ms_))) {
      return false;
    }
    const size_t take = static_cast<size_t>(
        std::min<uint64_t>(n, static_cast<uint64_t>(buffered())));
    out->append(buffer_, pos_, take);
    pos_ += take;
    n -= take;
  }
  return true;
}

std::optional<std::string> RequestReader::ReadLine(size_t max,
                                                   RequestError* error) {
  while (true) {
    const size_t eol = buffer_.find('\n', pos_);
    if (eol != std::string::npos && eol - pos_ <= max) {
      std::string line = buffer_.substr(pos_, eol - pos_);
      pos_ = eol + 1;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      return line;
    }
    if (buffered() > max) {
      Fail(error, 400, "chunk framing line too long");
      return std::nullopt;
    }
    if (!Fill(Clock::now() + std::chrono::milliseconds(timeout_ms_))) {
      Fail(error, 400, "request body ended early");
      return std::nullopt;
    }
  }
}

std::optional<std::string> RequestReader::ReadChunked(RequestError* error) {
  std::string body;
  while (true) {
    std::optional<std::string> line = ReadLine(kMaxChunkLine, error);
    if (!line) return std::nullopt;
    size_t digits = 0;
    uint64_t size = 0;
    for (char c : *line) {
      const int v = c >= '0' && c <= '9'   ? c - '0'
                    : c >= 'a' && c <= 'f' ? c - 'a' + 10
                    : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                           : -1;
      if (v < 0) break;
      size = size * 16 + static_cast<uint64_t>(v);
      if (++digits > 15) break;
    }
    const char after = digits < line->size() ? (*line)[digits] : ';';
    if (digits == 0 || digits > 15 ||
        (after != ';' && after != ' ' && after != '\t')) {
      Fail(error, 400, "malformed chunk size");
      return std::nullopt;
    }
    if (size == 0) break;
    if (body.size() + size > limits_.max_body_bytes) {
      Fail(error, 413, "request body too large");
      return std::nullopt;
    }
    std::optional<std::string> crlf;
    if (!ReadExactly(size, &body) || !(crlf = ReadLine(2, error)) ||
        !crlf->empty()) {
      Fail(error, 400, "malformed chunk");
      return std::nullopt;
    }
  }
  // Trailer fields: read and dropped, bounded like header fields.
  for (size_t n = 0;; ++n) {
    std::optional<std::string> line = ReadLine(limits_.max_line_bytes, error);
    if (!line) return std::nullopt;
    if (line->empty()) return body;
    if (n >= limits_.max_header_count) {
      Fail(error, 431, "too many trailer fields");
      return std::nullopt;
    }
  }
}

std::optional<std::string> RequestReader::ReadBody(const RequestHead& head,
                                                   RequestError* error) {
  *error = RequestError{0, ""};
  std::optional<BodyFraming> framing = FramingOf(head, limits_, error);
  if (!framing) return std::nullopt;
  if (framing->chunked) return ReadChunked(error);
  std::string body;
  if (!ReadExactly(framing->length, &body)) {
    Fail(error, 400, "request body ended early");
    return std::nullopt;
  }
  return body;
}

}  // namespace rotguard::proxy_internal
