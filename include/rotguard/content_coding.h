// HTTP content codings (RFC 9110 §8.4): the one decoder for bodies stored
// as received (SPEC §13 "HTTP details": extract, restore and the archive's
// requisite parser decode them). gzip / x-gzip (concatenated members),
// deflate (zlib-wrapped, or raw as some servers send it), br, identity.
//
// It streams: coded bytes go in as they are read, decoded bytes go to a
// sink as they are produced, so memory does not grow with the body. A
// limit on the decoded size either cuts the output there (parsers that
// need only a prefix) or fails (a decompression bomb).
#ifndef ROTGUARD_CONTENT_CODING_H_
#define ROTGUARD_CONTENT_CODING_H_

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <string_view>

#include "rotguard/status.h"

namespace rotguard {

// Receives decoded bytes; an error stops the decoding and is returned.
using DecodedSink = std::function<Status(std::string_view)>;

struct ContentDecodeLimits {
  // Most decoded bytes delivered to the sink.
  uint64_t max_decoded = std::numeric_limits<uint64_t>::max();
  // At the limit: true stops quietly (the sink got a prefix), false fails
  // with ResourceExhausted.
  bool stop_at_limit = false;
  // True: a stream that ends before its end marker is not an error (the
  // sink has what could be decoded), as for truncated captures.
  bool allow_early_end = false;

  // For a parser that needs only the first `max` decoded bytes: the rest
  // is dropped, and a body cut short gives what could be decoded (link
  // extraction from truncated captures, the fetcher's meta refresh look).
  static ContentDecodeLimits Prefix(uint64_t max) {
    ContentDecodeLimits limits;
    limits.max_decoded = max;
    limits.stop_at_limit = true;
    limits.allow_early_end = true;
    return limits;
  }
};

class ContentDecoder {
 public:
  virtual ~ContentDecoder() = default;

  // A decoder for the Content-Encoding value `coding` (case and spaces
  // ignored; "" and "identity" pass bytes through). NotSupported names a
  // coding it does not know (compress, zstd, or a list of several).
  static Result<std::unique_ptr<ContentDecoder>> Create(
      std::string_view coding, ContentDecodeLimits limits = {});

  // Decodes the next coded bytes into `sink`. Corruption for bad data,
  // ResourceExhausted past the limit (unless stop_at_limit).
  virtual Status Feed(std::string_view coded, const DecodedSink& sink) = 0;
  // After the last Feed: Corruption when the stream ended early (unless
  // allow_early_end or the limit stopped it).
  virtual Status Finish() = 0;
  // True once the limit stopped the output: further input is ignored.
  virtual bool stopped() const = 0;
  // Decoded bytes delivered so far.
  virtual uint64_t decoded() const = 0;
};

// Feeds every chunk that `for_each_chunk` produces through a decoder for
// `coding` and returns the decoded bytes.
Result<std::string> DecodeContent(
    std::string_view coding,
    const std::function<Status(const std::function<Status(std::string_view)>&)>&
        for_each_chunk,
    ContentDecodeLimits limits = {});

// The same for a body held in memory.
Result<std::string> DecodeContent(std::string_view coding,
                                  std::string_view body,
                                  ContentDecodeLimits limits = {});

}  // namespace rotguard

#endif  // ROTGUARD_CONTENT_CODING_H_
