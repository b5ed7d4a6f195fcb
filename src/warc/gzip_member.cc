#define ZLIB_CONST
#include "warc/gzip_member.h"

#include <libdeflate.h>
#include <zlib.h>

#include <algorithm>

#include "util/zlib_stream.h"

namespace rotguard::warc {

uint32_t Crc32(uint32_t crc, std::string_view bytes) {
  return libdeflate_crc32(crc, bytes.data(), bytes.size());
}

uint32_t Crc32Combine(uint32_t crc_a, uint32_t crc_b, uint64_t length_b) {
  return static_cast<uint32_t>(
      crc32_combine(crc_a, crc_b, static_cast<z_off_t>(length_b)));
}

uint64_t GzipMemberBound(uint64_t raw_size) {
  return raw_size + raw_size / 1000 + 1024;
}

// ---- CompressorPool

Result<CompressorPtr> CompressorPool::Acquire() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!free_.empty()) {
      CompressorPtr compressor = std::move(free_.back());
      free_.pop_back();
      return compressor;
    }
  }
  CompressorPtr compressor(libdeflate_alloc_compressor(level_));
  if (!compressor) {
    return Status::Internal("libdeflate: cannot allocate a compressor");
  }
  return compressor;
}

void CompressorPool::Release(CompressorPtr compressor) {
  std::lock_guard<std::mutex> lock(mu_);
  free_.push_back(std::move(compressor));
}

Status GzipCompressMember(CompressorPool& pool, std::string_view raw,
                          std::string* member) {
  Result<CompressorPtr> compressor = pool.Acquire();
  if (!compressor.ok()) return compressor.status();
  member->resize(libdeflate_gzip_compress_bound(compressor->get(), raw.size()));
  size_t n = libdeflate_gzip_compress(compressor->get(), raw.data(), raw.size(),
                                      member->data(), member->size());
  pool.Release(std::move(compressor).value());
  if (n == 0) return Status::Internal("libdeflate: gzip compression failed");
  member->resize(n);
  return Status::Ok();
}

// ---- GzipMemberStream

GzipMemberStream::GzipMemberStream(size_t chunk_size, Sink out)
    : z_(std::make_unique<rotguard::ZStream>()),
      buffer_(chunk_size, '\0'),
      out_(std::move(out)) {}

GzipMemberStream::~GzipMemberStream() = default;

Status GzipMemberStream::Init(int level) {
  // windowBits 15 + 16: a gzip wrapper with a plain header (no FEXTRA).
  return z_->InitDeflate(level, 15 + 16, Z_DEFAULT_STRATEGY)
             ? Status::Ok()
             : Status::Internal("zlib: deflateInit2");
}

Status GzipMemberStream::Add(std::string_view bytes) {
  return Feed(bytes, Z_NO_FLUSH);
}

Status GzipMemberStream::Finish(std::string_view bytes) {
  return Feed(bytes, Z_FINISH);
}

Status GzipMemberStream::Feed(std::string_view in, int flush) {
  z_stream* z = z_->get();
  z->next_in = reinterpret_cast<const Bytef*>(in.data());
  z->avail_in = static_cast<uInt>(in.size());
  int rc = Z_OK;
  do {
    z->next_out = reinterpret_cast<Bytef*>(buffer_.data());
    z->avail_out = static_cast<uInt>(buffer_.size());
    rc = deflate(z, flush);
    if (rc == Z_STREAM_ERROR) return Status::Internal("zlib: deflate");
    size_t have = buffer_.size() - z->avail_out;
    if (have > 0) {
      ROTGUARD_RETURN_IF_ERROR(out_(std::string_view(buffer_.data(), have)));
    }
  } while (z->avail_out == 0);
  if (flush == Z_FINISH && rc != Z_STREAM_END) {
    return Status::Internal("zlib: deflate did not finish");
  }
  return Status::Ok();
}

// ---- StoredMember

StoredMember::StoredMember() {
  // ID1 ID2 CM=deflate FLG=0 MTIME=0 XFL=4 (fastest) OS=255 (unknown).
  Frame({'\x1f', '\x8b', '\x08', 0, 0, 0, 0, 0, '\x04', '\xff'}, 10);
}

void StoredMember::Add(std::string_view data) {
  while (!data.empty()) {
    size_t take = std::min<size_t>(data.size(), 0xffff);
    uint16_t len = static_cast<uint16_t>(take);
    uint16_t nlen = static_cast<uint16_t>(~len);
    // BFINAL=0 BTYPE=00, padded to the byte; LEN and NLEN little-endian.
    Frame({0, static_cast<char>(len & 0xff), static_cast<char>(len >> 8),
           static_cast<char>(nlen & 0xff), static_cast<char>(nlen >> 8)},
          5);
    Point(data.substr(0, take));
    data.remove_prefix(take);
    isize_ += take;
  }
}

void StoredMember::Finish(uint32_t crc) {
  Frame({1, 0, 0, '\xff', '\xff'}, 5);
  uint32_t size = static_cast<uint32_t>(isize_);  // ISIZE is mod 2^32
  Frame({static_cast<char>(crc), static_cast<char>(crc >> 8),
         static_cast<char>(crc >> 16), static_cast<char>(crc >> 24),
         static_cast<char>(size), static_cast<char>(size >> 8),
         static_cast<char>(size >> 16), static_cast<char>(size >> 24)},
        8);
}

void StoredMember::Clear() {
  iov_.clear();
  frames_.clear();
}

void StoredMember::Frame(FrameBytes bytes, size_t length) {
  frames_.push_back(bytes);
  Point(std::string_view(frames_.back().data(), length));
}

void StoredMember::Point(std::string_view data) {
  iov_.push_back({const_cast<char*>(data.data()), data.size()});
}

}  // namespace rotguard::warc
