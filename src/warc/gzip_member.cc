#define ZLIB_CONST
#include "warc/gzip_member.h"

#include <isa-l/crc.h>
#include <isa-l/igzip_lib.h>
#include <libdeflate.h>
#include <zlib.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "util/cpu_stages.h"
#include "util/zlib_stream.h"

namespace rotguard::warc {

// ISA-L's CRC measured 8 % faster than libdeflate's here (both fold with
// PCLMULQDQ); same polynomial, same chaining.
uint32_t Crc32(uint32_t crc, std::string_view bytes) {
  return crc32_gzip_refl(crc, reinterpret_cast<const uint8_t*>(bytes.data()),
                         bytes.size());
}

uint32_t Crc32Combine(uint32_t crc_a, uint32_t crc_b, uint64_t length_b) {
  return static_cast<uint32_t>(
      crc32_combine(crc_a, crc_b, static_cast<z_off_t>(length_b)));
}

uint64_t GzipMemberBound(uint64_t raw_size) {
  return raw_size + raw_size / 1000 + 1024;
}

bool UsesIsal(int level) { return level == 1; }

namespace {

static_assert(kIsalLevel == 2, "the level buffer below is level 2's");
constexpr uint32_t kIsalLevelBufSize = ISAL_DEF_LVL2_DEFAULT;

// The parts of an ISA-L deflate stream at kIsalLevel: the stream state
// (80 KiB, so on the heap) and the level's hash buffer. Nothing to free.
struct IsalState {
  isal_zstream z;
  std::vector<uint8_t> level_buf = std::vector<uint8_t>(kIsalLevelBufSize);

  // A fresh gzip member (default header: FLG 0, MTIME 0, OS 255).
  void Reset() {
    isal_deflate_init(&z);
    z.level = kIsalLevel;
    z.level_buf = level_buf.data();
    z.level_buf_size = static_cast<uint32_t>(level_buf.size());
    z.gzip_flag = IGZIP_GZIP;
    z.flush = NO_FLUSH;
  }
  bool ended() const { return z.internal_state.state == ZSTATE_END; }
};

class IsalCompressor final : public GzipCompressor {
 public:
  Status Compress(std::string_view raw, std::string* member) override {
    isal_zstream& z = state_->z;
    state_->Reset();
    z.next_in = reinterpret_cast<uint8_t*>(const_cast<char*>(raw.data()));
    z.avail_in = static_cast<uint32_t>(raw.size());
    z.end_of_stream = 1;
    member->resize(GzipMemberBound(raw.size()));
    while (!state_->ended()) {
      if (z.avail_out == 0 && z.total_out == member->size()) {
        member->resize(member->size() * 2);  // never seen: the bound holds
      }
      z.next_out = reinterpret_cast<uint8_t*>(member->data()) + z.total_out;
      z.avail_out = static_cast<uint32_t>(member->size() - z.total_out);
      uint32_t before = z.total_out;
      if (isal_deflate(&z) != COMP_OK) {
        return Status::Internal("ISA-L: gzip compression failed");
      }
      if (z.total_out == before && z.avail_out != 0 && !state_->ended()) {
        return Status::Internal("ISA-L: deflate made no progress");
      }
    }
    member->resize(z.total_out);
    return Status::Ok();
  }

 private:
  std::unique_ptr<IsalState> state_ = std::make_unique<IsalState>();
};

class LibdeflateCompressor final : public GzipCompressor {
 public:
  explicit LibdeflateCompressor(CompressorPtr compressor)
      : compressor_(std::move(compressor)) {}

  Status Compress(std::string_view raw, std::string* member) override {
    member->resize(
        libdeflate_gzip_compress_bound(compressor_.get(), raw.size()));
    size_t n =
        libdeflate_gzip_compress(compressor_.get(), raw.data(), raw.size(),
                                 member->data(), member->size());
    if (n == 0) return Status::Internal("libdeflate: gzip compression failed");
    member->resize(n);
    return Status::Ok();
  }

 private:
  CompressorPtr compressor_;
};

}  // namespace

// ---- CompressorPool

Result<CompressorPool::Ptr> CompressorPool::Acquire() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!free_.empty()) {
      Ptr compressor = std::move(free_.back());
      free_.pop_back();
      return compressor;
    }
  }
  if (UsesIsal(level_)) return Ptr(std::make_unique<IsalCompressor>());
  CompressorPtr compressor(libdeflate_alloc_compressor(level_));
  if (!compressor) {
    return Status::Internal("libdeflate: cannot allocate a compressor");
  }
  return Ptr(std::make_unique<LibdeflateCompressor>(std::move(compressor)));
}

void CompressorPool::Release(Ptr compressor) {
  std::lock_guard<std::mutex> lock(mu_);
  free_.push_back(std::move(compressor));
}

Status GzipCompressMember(CompressorPool& pool, std::string_view raw,
                          std::string* member) {
  Result<CompressorPool::Ptr> compressor = pool.Acquire();
  if (!compressor.ok()) return compressor.status();
  Status status = (*compressor)->Compress(raw, member);
  pool.Release(std::move(compressor).value());
  return status;
}

// ---- GzipMemberStream

GzipMemberStream::GzipMemberStream(size_t chunk_size, Sink out)
    : z_(std::make_unique<rotguard::ZStream>()),
      buffer_(chunk_size, '\0'),
      out_(std::move(out)) {}

struct GzipMemberStream::Isal : IsalState {};

GzipMemberStream::~GzipMemberStream() = default;

Status GzipMemberStream::Init(int level) {
  if (UsesIsal(level)) {
    isal_ = std::make_unique<Isal>();
    isal_->Reset();
    return Status::Ok();
  }
  // windowBits 15 + 16: a gzip wrapper with a plain header (no FEXTRA).
  return z_->InitDeflate(level, 15 + 16, Z_DEFAULT_STRATEGY)
             ? Status::Ok()
             : Status::Internal("zlib: deflateInit2");
}

Status GzipMemberStream::Add(std::string_view bytes) {
  CpuStageScope stage(CpuStage::kCompress);  // the sink's writes are theirs
  return isal_ ? FeedIsal(bytes, false) : Feed(bytes, Z_NO_FLUSH);
}

Status GzipMemberStream::Finish(std::string_view bytes) {
  CpuStageScope stage(CpuStage::kCompress);
  return isal_ ? FeedIsal(bytes, true) : Feed(bytes, Z_FINISH);
}

// Runs until ISA-L took all of `in` and had output room to spare (or, at
// the finish, wrote the trailer).
Status GzipMemberStream::FeedIsal(std::string_view in, bool finish) {
  isal_zstream& z = isal_->z;
  z.next_in = reinterpret_cast<uint8_t*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uint32_t>(in.size());
  z.end_of_stream = finish ? 1 : 0;
  for (;;) {
    z.next_out = reinterpret_cast<uint8_t*>(buffer_.data());
    z.avail_out = static_cast<uint32_t>(buffer_.size());
    uint32_t before = z.avail_in;
    if (isal_deflate(&z) != COMP_OK) return Status::Internal("ISA-L: deflate");
    size_t have = buffer_.size() - z.avail_out;
    if (have > 0) {
      ROTGUARD_RETURN_IF_ERROR(out_(std::string_view(buffer_.data(), have)));
    }
    bool more =
        z.avail_out == 0 || z.avail_in > 0 || (finish && !isal_->ended());
    if (!more) return Status::Ok();
    if (have == 0 && z.avail_in == before) {
      return Status::Internal("ISA-L: deflate made no progress");
    }
  }
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
    AddFrameOf(take);
    Point(data.substr(0, take));
    data.remove_prefix(take);
  }
}

void StoredMember::AddFrameOf(size_t length) {
  uint16_t len = static_cast<uint16_t>(std::min<size_t>(length, 0xffff));
  uint16_t nlen = static_cast<uint16_t>(~len);
  // BFINAL=0 BTYPE=00, padded to the byte; LEN and NLEN little-endian.
  Frame({0, static_cast<char>(len & 0xff), static_cast<char>(len >> 8),
         static_cast<char>(nlen & 0xff), static_cast<char>(nlen >> 8)},
        5);
  isize_ += len;
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
