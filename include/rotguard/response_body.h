// ResponseBody: where a fetched HTTP response goes while it arrives. The
// fetcher only appends bytes to it and, for a small HTML hop, reads them
// back to look for a meta refresh; what the body *is* belongs to whoever
// made it (FetchOptions::new_body). The archive makes WARC response records
// (WarcHttpResponse: spooled, hashed as they come), so the fetch layer never
// needs to know about WARC.
#ifndef ROTGUARD_RESPONSE_BODY_H_
#define ROTGUARD_RESPONSE_BODY_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "rotguard/status.h"

namespace rotguard {

// Why a body was cut short (the values of WARC-Truncated).
inline constexpr std::string_view kTruncatedLength = "length";
inline constexpr std::string_view kTruncatedDisconnect = "disconnect";

class ResponseBody {
 public:
  virtual ~ResponseBody() = default;

  // The head as received: status line, header lines, blank line (HTTP/1.1
  // text).
  virtual const std::string& head() const = 0;
  // Appends payload bytes (transfer coding removed, content coding kept).
  // An error aborts the transfer.
  virtual Status AppendBody(std::string_view bytes) = 0;
  // Marks the body as cut short ("length" for --max-size, "disconnect" for
  // a body shorter than its Content-Length).
  virtual void MarkTruncated(std::string_view reason) = 0;
  virtual const std::string& truncated() const = 0;
  // Payload bytes received so far.
  virtual uint64_t payload_length() const = 0;
  // Calls `visit` with the payload received so far, in order.
  virtual Status ForEachBodyChunk(
      const std::function<Status(std::string_view)>& visit) const = 0;
};

// Makes the body of a response whose head (HTTP/1.1 text) just ended.
using ResponseBodyFactory =
    std::function<std::unique_ptr<ResponseBody>(std::string head)>;

// A body kept whole in memory: the fetcher's default when no factory is
// set (tests, HEAD requests).
class MemoryResponseBody : public ResponseBody {
 public:
  explicit MemoryResponseBody(std::string head) : head_(std::move(head)) {}
  const std::string& head() const override { return head_; }
  Status AppendBody(std::string_view bytes) override {
    payload_.append(bytes);
    return Status::Ok();
  }
  void MarkTruncated(std::string_view reason) override {
    truncated_.assign(reason);
  }
  const std::string& truncated() const override { return truncated_; }
  uint64_t payload_length() const override { return payload_.size(); }
  Status ForEachBodyChunk(
      const std::function<Status(std::string_view)>& visit) const override {
    return payload_.empty() ? Status::Ok() : visit(payload_);
  }
  const std::string& payload() const { return payload_; }

 private:
  std::string head_;
  std::string payload_;
  std::string truncated_;
};

}  // namespace rotguard

#endif  // ROTGUARD_RESPONSE_BODY_H_
