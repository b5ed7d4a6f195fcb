// Streaming decoder for HTTP/1.1 chunked transfer coding (RFC 9112 §7.1).
// Input may be split anywhere, including inside a chunk-size line or its
// CRLF. Bare LF line ends are accepted (lenient, like browsers).
#ifndef ROTGUARD_CHUNKED_H_
#define ROTGUARD_CHUNKED_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>

namespace rotguard::warc {

class ChunkedDecoder {
 public:
  using Sink = std::function<void(std::string_view)>;

  // Feeds raw bytes; decoded data goes to `sink`. Returns false once the
  // input is malformed (and for every later call). Bytes after the final
  // chunk's trailer are ignored.
  bool Feed(std::string_view input, const Sink& sink);

  bool done() const { return state_ == State::kDone; }
  bool failed() const { return state_ == State::kError; }

 private:
  enum class State {
    kSize,          // hex digits of the chunk size
    kSizeTail,      // ";ext" or whitespace until LF
    kData,          // chunk bytes
    kDataEnd,       // the CRLF after chunk bytes
    kTrailerStart,  // start of a trailer line (empty line ends the body)
    kTrailerLine,   // inside a trailer field line
    kDone,
    kError,
  };
  bool StartChunk();
  bool FeedSizeDigit(char c);
  size_t FeedData(std::string_view input, const Sink& sink);
  void FeedFramingByte(char c);

  State state_ = State::kSize;
  uint64_t size_ = 0;
  int size_digits_ = 0;
  uint64_t remaining_ = 0;
  bool saw_cr_ = false;
};

}  // namespace rotguard::warc

#endif  // ROTGUARD_CHUNKED_H_
