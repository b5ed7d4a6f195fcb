// The reader's input layers:
//   Source     random-access raw bytes (a file via pread, or memory);
//   RawReader  sequential buffered reads over a Source, seekable;
//   Decoder    one "segment" of decoded bytes: a gzip member (zlib
//              inflate) or, for plain files, the rest of the file;
//   Stream     a peekable buffer of decoded bytes over a Decoder.
#ifndef ROTGUARD_WARC_INPUT_H_
#define ROTGUARD_WARC_INPUT_H_

#include <zlib.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "rotguard/status.h"
#include "util/handles.h"
#include "util/zlib_stream.h"

namespace rotguard::warc {

class Source {
 public:
  virtual ~Source() = default;
  // Reads up to n bytes at offset; 0 at end of input.
  virtual Result<size_t> ReadAt(uint64_t offset, char* buf, size_t n) = 0;
};

std::unique_ptr<Source> NewFdSource(Fd fd, std::string name);
std::unique_ptr<Source> NewBufferSource(std::string_view data);

// Position of the first occurrence of `pattern` at or after `start`, or
// nullopt when the input ends first.
Result<std::optional<uint64_t>> ScanFor(Source& source, uint64_t start,
                                        std::string_view pattern);

class RawReader {
 public:
  explicit RawReader(Source* source) : source_(source) {}
  void SeekTo(uint64_t pos);
  uint64_t pos() const { return pos_ + head_; }
  // Buffered unread bytes, refilled when empty; empty at end of input.
  Result<std::string_view> Peek();
  // Buffers at least n unread bytes unless the input ends first.
  Result<std::string_view> PeekAtLeast(size_t n);
  void Consume(size_t n) { head_ += n; }

 private:
  Source* source_;
  std::string buf_;
  uint64_t pos_ = 0;  // offset of buf_[0]
  size_t head_ = 0;   // consumed bytes of buf_
  size_t size_ = 0;   // valid bytes of buf_
};

enum class SegmentEnd {
  kNone,     // still producing
  kClean,    // gzip member complete and checked / end of plain file
  kTorn,     // input ended inside the member
  kCrc,      // CRC32 or ISIZE mismatch
  kCorrupt,  // invalid deflate data or gzip header
};

class Decoder {
 public:
  virtual ~Decoder() = default;
  // Decoded bytes; 0 once the segment ended (see end()).
  virtual Result<size_t> Read(char* buf, size_t n) = 0;
  virtual SegmentEnd end() const = 0;
};

// The rest of a plain file, read from `raw`.
class PlainDecoder : public Decoder {
 public:
  explicit PlainDecoder(RawReader* raw) : raw_(raw) {}
  void Reset() { end_ = SegmentEnd::kNone; }
  Result<size_t> Read(char* buf, size_t n) override;
  SegmentEnd end() const override { return end_; }

 private:
  RawReader* raw_;
  SegmentEnd end_ = SegmentEnd::kNone;
};

// One gzip member starting at raw's position; stops at the member's end
// (the raw reader is then positioned right after it).
class GzipMemberDecoder : public Decoder {
 public:
  explicit GzipMemberDecoder(RawReader* raw) : raw_(raw) {}
  GzipMemberDecoder(const GzipMemberDecoder&) = delete;
  GzipMemberDecoder& operator=(const GzipMemberDecoder&) = delete;
  ~GzipMemberDecoder() override = default;
  Status Reset();
  Result<size_t> Read(char* buf, size_t n) override;
  SegmentEnd end() const override { return end_; }
  const std::string& error() const { return error_; }

 private:
  // Fast path: a member that fits the limits below is inflated in one call
  // by libdeflate (2-3x zlib's speed). Anything else, including every
  // damaged member, goes through zlib, which also classifies the damage.
  Result<bool> TryWholeMember();

  RawReader* raw_;
  bool tried_whole_ = false;
  bool whole_ = false;
  DecompressorPtr decompressor_;
  std::unique_ptr<char[]> whole_buf_;
  size_t whole_cap_ = 0;
  size_t whole_len_ = 0;
  size_t whole_pos_ = 0;
  ZStream z_;
  SegmentEnd end_ = SegmentEnd::kNone;
  std::string error_;
};

// Peekable decoded bytes. offset() counts decoded bytes since Reset().
class Stream {
 public:
  void Reset(Decoder* decoder, uint64_t base_offset);
  // Buffers until at least `want` bytes are available or the segment
  // ends; returns the number available.
  Result<size_t> Fill(size_t want);
  std::string_view Available() const {
    return std::string_view(buf_).substr(head_);
  }
  void Consume(size_t n) { head_ += n; }
  // Reads into buf: buffered bytes first, then straight from the decoder.
  Result<size_t> Read(char* buf, size_t n);
  uint64_t offset() const { return base_ + consumed_before_ + head_; }
  SegmentEnd end() const { return decoder_->end(); }

 private:
  void Compact();
  Decoder* decoder_ = nullptr;
  std::string buf_;
  std::string scratch_;  // decoder output before it joins buf_
  size_t head_ = 0;
  uint64_t base_ = 0;
  uint64_t consumed_before_ = 0;  // bytes dropped from buf_ by Compact()
};

}  // namespace rotguard::warc

#endif  // ROTGUARD_WARC_INPUT_H_
