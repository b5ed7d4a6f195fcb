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

bool ChunkedDecoder::Feed(std::string_view input, const Sink& sink) {
  size_t i = 0;
  while (i < input.size()) {
    char c = input[i];
    switch (state_) {
      case State::kSize: {
        int digit = HexDigit(c);
        if (digit >= 0) {
          if (++size_digits_ > kMaxSizeDigits) {
            state_ = State::kError;
            return false;
          }
          size_ = size_ * 16 + static_cast<uint64_t>(digit);
          ++i;
          break;
        }
        state_ = State::kSizeTail;
        break;  // re-examine c in kSizeTail
      }
      case State::kSizeTail:
        ++i;
        if (c == '\n') {
          if (!StartChunk()) {
            state_ = State::kError;
            return false;
          }
        }
        break;
      case State::kData: {
        size_t take = static_cast<size_t>(
            std::min<uint64_t>(remaining_, input.size() - i));
        sink(input.substr(i, take));
        i += take;
        remaining_ -= take;
        if (remaining_ == 0) {
          state_ = State::kDataEnd;
          saw_cr_ = false;
        }
        break;
      }
      case State::kDataEnd:
        ++i;
        if (c == '\r' && !saw_cr_) {
          saw_cr_ = true;
        } else if (c == '\n') {
          state_ = State::kSize;
        } else {
          state_ = State::kError;
          return false;
        }
        break;
      case State::kTrailerStart:
        ++i;
        if (c == '\n') {
          state_ = State::kDone;
        } else if (c != '\r') {
          state_ = State::kTrailerLine;
        }
        break;
      case State::kTrailerLine:
        ++i;
        if (c == '\n') state_ = State::kTrailerStart;
        break;
      case State::kDone:
        return true;
      case State::kError:
        return false;
    }
  }
  return state_ != State::kError;
}

}  // namespace rotguard::warc
