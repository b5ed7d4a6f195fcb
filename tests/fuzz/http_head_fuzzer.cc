// Fuzz target: the HTTP response head helpers and the chunked decoder on
// arbitrary bytes, as a stored response block is read. Aborts when a
// helper answers outside its input or de-chunking yields more bytes than
// it was given.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "rotguard/chunked.h"
#include "rotguard/http_head.h"

namespace {

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "property violated: %s\n", what);
    std::abort();
  }
}

void FuzzHead(std::string_view head) {
  std::string_view start = rotguard::warc::StartLine(head);
  Check(start.size() <= head.size(), "start line longer than the head");
  int status = rotguard::warc::ParseStatusCode(start);
  Check(status >= 0 && status <= 999, "status outside 0..999");
  std::string value;
  rotguard::warc::FindHeader(head, "content-type", &value);
  Check(value.size() <= head.size(), "header value longer than the head");
  rotguard::warc::HeadSaysChunked(head);
  std::string stored = rotguard::warc::HeadWithoutTransferCoding(head, 42);
  Check(stored.find("\r\n\r\n") == std::string::npos ||
            stored.find("\r\n\r\n") + 4 == stored.size(),
        "rewritten head holds a blank line before its end");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  size_t head_end = rotguard::warc::FindHeadEnd(bytes);
  Check(head_end <= bytes.size(), "head end past the input");
  std::string_view head = head_end ? bytes.substr(0, head_end) : bytes;
  FuzzHead(head);
  // The body in two feeds, split at a point the input picks, as a network
  // read would deliver it.
  std::string_view body = bytes.substr(head_end);
  size_t split = body.empty() ? 0 : data[0] % (body.size() + 1);
  rotguard::warc::ChunkedDecoder decoder;
  size_t decoded = 0;
  auto sink = [&decoded](std::string_view part) { decoded += part.size(); };
  decoder.Feed(body.substr(0, split), sink);
  decoder.Feed(body.substr(split), sink);
  Check(decoded <= body.size(), "de-chunked body longer than its input");
  Check(!(decoder.done() && decoder.failed()), "decoder done and failed");
  return 0;
}
