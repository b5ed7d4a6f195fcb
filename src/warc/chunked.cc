#include "rotguard/chunked.h"

#include <algorithm>

namespace rotguard::warc {
namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// 15 hex digits keep the size below 2^60: no overflow, and no sane body
// is bigger.
constexpr int kMaxSizeDigits = 15;

}  // namespace

// Called at the LF that ends a chunk-size line.
bool ChunkedDecoder::StartChunk() {
  if (size_digits_ == 0) return false;
  remaining_ = size_;
  state_ = size_ == 0 ? State::kTrailerStart : State::kData;
  size_ = 0;
  size_digits_ = 0;
  return true;
}

// The hex digits of a chunk-size line. Returns false when `c` is not a
// digit: the size has ended and `c` belongs to the line's tail.
bool ChunkedDecoder::FeedSizeDigit(char c) {
  int digit = HexDigit(c);
  if (digit < 0) {
    state_ = State::kSizeTail;
    return false;
  }
  if (++size_digits_ > kMaxSizeDigits) {
    state_ = State::kError;
  } else {
    size_ = size_ * 16 + static_cast<uint64_t>(digit);
  }
  return true;
}

// Passes on as much of the current chunk as `input` holds; returns the
// number of bytes taken.
size_t ChunkedDecoder::FeedData(std::string_view input, const Sink& sink) {
  size_t take =
      static_cast<size_t>(std::min<uint64_t>(remaining_, input.size()));
  sink(input.substr(0, take));
  remaining_ -= take;
  if (remaining_ == 0) {
    state_ = State::kDataEnd;
    saw_cr_ = false;
  }
  return take;
}

// One byte of the line framing around the data: a size line's tail, the
// CRLF after chunk data, the trailer lines.
void ChunkedDecoder::FeedFramingByte(char c) {
  switch (state_) {
    case State::kSizeTail:
      if (c == '\n' && !StartChunk()) state_ = State::kError;
      break;
    case State::kDataEnd:
      if (c == '\r' && !saw_cr_) {
        saw_cr_ = true;
      } else if (c == '\n') {
        state_ = State::kSize;
      } else {
        state_ = State::kError;
      }
      break;
    case State::kTrailerStart:
      if (c == '\n') {
        state_ = State::kDone;
      } else if (c != '\r') {
        state_ = State::kTrailerLine;
      }
      break;
    case State::kTrailerLine:
      if (c == '\n') state_ = State::kTrailerStart;
      break;
    case State::kSize:
    case State::kData:
    case State::kDone:
    case State::kError:
      break;  // Feed handles these
  }
}

bool ChunkedDecoder::Feed(std::string_view input, const Sink& sink) {
  size_t i = 0;
  while (i < input.size() && state_ != State::kDone &&
         state_ != State::kError) {
    if (state_ == State::kData) {
      i += FeedData(input.substr(i), sink);
    } else if (state_ == State::kSize) {
      if (FeedSizeDigit(input[i])) ++i;  // else re-examine it in kSizeTail
    } else {
      FeedFramingByte(input[i]);
      ++i;
    }
  }
  return state_ != State::kError;
}

}  // namespace rotguard::warc
