// Gzip member framing for .warc.gz (RFC 1952, one member per record):
//
//   - GzipCompressMember: a whole record in memory, deflated into one
//     member (compressors pooled, as they are single-threaded);
//   - GzipMemberStream: a record whose body is read back from a spool
//     file, deflated as its chunks come;
//   - StoredMember: a record that does not compress, framed as stored
//     deflate blocks (BTYPE 00) pointing straight at the record's bytes, so
//     it reaches the file through writev without being copied.
//
// None of them does I/O: output goes to a caller's sink, or (StoredMember)
// is handed out as iovecs for the caller to write.
#ifndef ROTGUARD_WARC_GZIP_MEMBER_H_
#define ROTGUARD_WARC_GZIP_MEMBER_H_

#include <sys/uio.h>

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "rotguard/status.h"
#include "util/handles.h"

namespace rotguard {
class ZStream;  // util/zlib_stream.h
}  // namespace rotguard

namespace rotguard::warc {

// CRC-32 (gzip's) of `bytes`, continuing `crc` (0 to start).
uint32_t Crc32(uint32_t crc, std::string_view bytes);
// The CRC-32 of A followed by B, from crc(A), crc(B) and B's length.
uint32_t Crc32Combine(uint32_t crc_a, uint32_t crc_b, uint64_t length_b);

// Upper bound of the member holding `raw_size` bytes, stored or deflated
// at any level: stored deflate blocks cost 5 bytes per 64 KiB, the gzip
// wrapper 18; a fixed margin covers the rest.
uint64_t GzipMemberBound(uint64_t raw_size);

// Which deflate implementation serves a writer's compression level.
// Level 1 (the default, "fastest that keeps the size") is ISA-L's igzip
// at kIsalLevel: on the archive benchmark's HTML it deflates 1.6x faster
// than libdeflate level 1 for a 3 % larger output (0.2 % of that WARC, most
// of whose bytes are stored media); igzip level 3 was both larger and
// slower there. Other levels (0, 2..9) are libdeflate's and zlib's, which
// a caller asking for a smaller file gets as before.
inline constexpr int kIsalLevel = 2;
bool UsesIsal(int level);

// One single-threaded gzip member compressor (ISA-L or libdeflate).
class GzipCompressor {
 public:
  virtual ~GzipCompressor() = default;
  // Replaces `*member` with one gzip member holding exactly `raw`.
  virtual Status Compress(std::string_view raw, std::string* member) = 0;
};

// A pool of compressors at one level, shared by threads.
class CompressorPool {
 public:
  using Ptr = std::unique_ptr<GzipCompressor>;
  explicit CompressorPool(int level) : level_(level) {}
  CompressorPool(const CompressorPool&) = delete;
  CompressorPool& operator=(const CompressorPool&) = delete;

  Result<Ptr> Acquire();
  void Release(Ptr compressor);

 private:
  const int level_;
  std::mutex mu_;
  std::vector<Ptr> free_;
};

// Replaces `*member` with one gzip member holding exactly `raw`.
Status GzipCompressMember(CompressorPool& pool, std::string_view raw,
                          std::string* member);

// One gzip member deflated from bytes fed in order (ISA-L at level 1, see
// UsesIsal; zlib otherwise); the member's bytes go to `out` as the deflate
// buffer fills (chunks of at most `chunk_size`). Plain header: no FEXTRA,
// no FNAME.
class GzipMemberStream {
 public:
  using Sink = std::function<Status(std::string_view)>;
  GzipMemberStream(size_t chunk_size, Sink out);
  GzipMemberStream(const GzipMemberStream&) = delete;
  GzipMemberStream& operator=(const GzipMemberStream&) = delete;
  ~GzipMemberStream();

  Status Init(int level);
  Status Add(std::string_view bytes);
  // Adds the last bytes and writes the gzip trailer.
  Status Finish(std::string_view bytes);

 private:
  struct Isal;
  Status Feed(std::string_view in, int flush);
  Status FeedIsal(std::string_view in, bool finish);

  std::unique_ptr<rotguard::ZStream> z_;  // util/zlib_stream.h
  std::unique_ptr<Isal> isal_;            // instead of z_ at level 1
  std::string buffer_;
  Sink out_;
};

// A gzip member whose deflate stream is stored blocks only (RFC 1951
// BTYPE 00): for bytes that do not compress, a compressor at level 0 would
// copy them twice and produce the same framing. Parts() points at the
// framing bytes it owns and at the caller's data, which must stay alive
// until the parts are written and Clear() is called; the CRC is the
// caller's, taken as the data went by.
class StoredMember {
 public:
  StoredMember();  // queues the gzip header

  // Queues `data` as stored blocks of at most 65,535 bytes.
  void Add(std::string_view data);
  // Queues the frame of one stored block of `length` bytes (at most
  // 65,535) that the caller appends itself right after the parts.
  void AddFrameOf(size_t length);
  // Queues the last, empty block and the gzip trailer (CRC, ISIZE).
  void Finish(uint32_t crc);

  // What is queued, in order; a writer may advance entries in place.
  std::vector<iovec>& Parts() { return iov_; }
  // Forgets what is queued (after it was written); framing already
  // handed out is released too.
  void Clear();

 private:
  using FrameBytes = std::array<char, 10>;
  void Frame(FrameBytes bytes, size_t length);
  void Point(std::string_view data);

  std::deque<FrameBytes> frames_;  // a deque: earlier frames do not move
  std::vector<iovec> iov_;
  uint64_t isize_ = 0;
};

}  // namespace rotguard::warc

#endif  // ROTGUARD_WARC_GZIP_MEMBER_H_
