// WarcWriter: see include/rotguard/warc_writer.h and src/warc/format.h.
//
// Plan of one write call:
//   1. finish the bodies and compute each record's block digest (payload
//      digests were computed while the bodies arrived);
//   2. open the current file if needed (it starts with a warcinfo);
//   3. build the gzip members of in-memory records with libdeflate and
//      estimate the size of spooled ones; roll to a new file if the group
//      would push the file past max size (then rebuild: the records name
//      the new file's warcinfo);
//   4. append the members; a spooled body is deflated with zlib straight
//      from its spool file. On failure the file is truncated back to where
//      the group began, so earlier records stay intact.
#define ZLIB_CONST
#include "rotguard/warc_writer.h"

#include <fcntl.h>
#include <libdeflate.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/uio.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "rotguard/http_head.h"
#include "util/ascii.h"
#include "util/digest.h"
#include "util/file.h"
#include "util/file_follower.h"
#include "util/handles.h"
#include "warc/body.h"
#include "warc/format.h"

#ifndef ROTGUARD_VERSION
#define ROTGUARD_VERSION "0"
#endif

namespace rotguard {
namespace {

using warc::kCrlf;

// Random bytes for record ids, drawn from OpenSSL's CSPRNG 4 KiB at a time
// per thread: a RAND_bytes call per record (three per exchange) was 2 % of
// a run's CPU, mostly its locking.
bool NextRandom16(unsigned char out[16]) {
  thread_local unsigned char pool[4096];
  thread_local size_t used = sizeof pool;
  if (used == sizeof pool) {
    if (RAND_bytes(pool, sizeof pool) != 1) return false;
    used = 0;
  }
  std::memcpy(out, pool + used, 16);
  OPENSSL_cleanse(pool + used, 16);  // handed out once, never kept
  used += 16;
  return true;
}

Result<std::string> NewRecordId() {
  unsigned char b[16];
  if (!NextRandom16(b)) {
    return Status::Internal("RAND_bytes failed: no entropy for record ids");
  }
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);  // RFC 4122
  char text[64];
  std::snprintf(text, sizeof text,
                "<urn:uuid:%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
                "%02x%02x%02x%02x%02x%02x>",
                b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9],
                b[10], b[11], b[12], b[13], b[14], b[15]);
  return std::string(text);
}

// Host names go into file names: keep [A-Za-z0-9.-].
std::string SanitizeHost(std::string_view host) {
  std::string out;
  for (char c : host) {
    bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                (c >= '0' && c <= '9') || c == '.' || c == '-';
    out.push_back(keep ? c : '-');
  }
  return out.empty() ? std::string("localhost") : out;
}

std::string LocalHostName() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return "localhost";
  return name;
}

// A value from the network must not break the header: no CR/LF.
std::string FieldValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c != '\r' && c != '\n') out.push_back(c);
  }
  return out;
}

// Media types whose bytes are already compressed: deflating them costs the
// most CPU and saves ~1 %, so their records are stored (level 0).
bool IsIncompressibleType(std::string_view content_type) {
  static constexpr std::string_view kPrefixes[] = {
      "image/jpeg",
      "image/jpg",
      "image/png",
      "image/webp",
      "image/gif",
      "image/avif",
      "video/",
      "audio/",
      "font/woff",
      "application/zip",
      "application/gzip",
      "application/x-gzip",
      "application/zstd",
      "application/x-7z",
      "application/x-xz",
      "application/x-bzip2",
      "application/x-rar",
      "application/font-woff",
  };
  std::string type = AsciiLowercase(content_type);
  for (std::string_view prefix : kPrefixes) {
    if (type.compare(0, prefix.size(), prefix) == 0) return true;
  }
  return false;
}

bool IsIncompressibleResponse(std::string_view head) {
  std::string value;
  if (warc::FindHeader(head, "Content-Encoding", &value)) {
    std::string coding = AsciiLowercase(value);
    if (!coding.empty() && coding != "identity") return true;
  }
  return warc::FindHeader(head, "Content-Type", &value) &&
         IsIncompressibleType(value);
}

// The file hasher wakes once this much is appended (or at close): small
// records are hashed in batches, not one wake-up each.
constexpr uint64_t kFileHashStep = uint64_t{1} << 20;

// Large bodies get a trial compression of their first bytes: deflating
// bytes that do not shrink (media or archives served as
// application/octet-stream, random data) was most of the CPU of a run over
// big files and saved nothing. Small bodies skip the trial, which would
// cost as much as compressing them.
constexpr uint64_t kCompressTrialMinBody = 256 * 1024;
constexpr size_t kCompressTrialBytes = 64 * 1024;

}  // namespace

bool WarcBodyDoesNotShrink(const WarcBody& body) {
  if (body.size() < kCompressTrialMinBody) return false;
  std::string sample;
  // The sink stops the walk once the sample is full; that "error" is ours.
  (void)body.ForEachChunk([&](std::string_view chunk) {
    sample.append(chunk.substr(
        0, std::min(chunk.size(), kCompressTrialBytes - sample.size())));
    return sample.size() < kCompressTrialBytes
               ? Status::Ok()
               : Status::Internal("sample complete");
  });
  CompressorPtr compressor(libdeflate_alloc_compressor(1));
  if (!compressor || sample.empty()) return false;
  std::string out(
      libdeflate_deflate_compress_bound(compressor.get(), sample.size()), '\0');
  size_t n = libdeflate_deflate_compress(compressor.get(), sample.data(),
                                         sample.size(), out.data(), out.size());
  return n != 0 && n * 100 >= sample.size() * 97;  // saves under 3 %
}

namespace {

std::string FileTimestamp(std::chrono::system_clock::time_point when) {
  std::time_t t = std::chrono::system_clock::to_time_t(when);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y%m%d%H%M%S", &tm);
  return text;
}

// One record on its way to the file.
struct PendingRecord {
  std::string type;
  std::string record_id;
  WarcFields fields;   // written between the ids and the digests
  std::string prefix;  // start of the block (HTTP head, or the whole block)
  const WarcBody* body = nullptr;         // rest of the block, if any
  std::optional<std::string> block_sha1;  // raw; WARC-Block-Digest
  std::string payload_digest;             // WARC-Payload-Digest, or empty
  std::string content_type;
  bool incompressible = false;
  WarcRecordLocation location;
  std::string member;           // the gzip member, when built in memory
  std::string member_warcinfo;  // the WARC-Warcinfo-ID `member` names
  // CRC-32 of prefix + body + record trailer, for a stored in-memory body.
  std::optional<uint32_t> tail_crc;

  uint64_t block_length() const {
    return prefix.size() + (body ? body->size() : 0);
  }
  bool streamed() const { return body != nullptr && body->spooled(); }
  // Written as stored deflate blocks straight from its parts (see
  // StoredMember), not through a compressor.
  bool stored() const { return body != nullptr && incompressible; }
};

// A gzip member whose deflate stream is stored blocks only (RFC 1951
// BTYPE 00), written with writev straight from the record's parts: for
// bytes that do not compress, a compressor at level 0 would copy them
// twice and produce the same framing. Holds pointers to the parts until
// Flush().
class StoredMember {
 public:
  StoredMember() {
    // ID1 ID2 CM=deflate FLG=0 MTIME=0 XFL=4 (fastest) OS=255 (unknown).
    Frame({'\x1f', '\x8b', '\x08', 0, 0, 0, 0, 0, '\x04', '\xff'}, 10);
  }

  // Queues `data` as stored blocks of at most 65,535 bytes.
  void Add(std::string_view data) {
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

  // Queues the last, empty block and the gzip trailer.
  void Finish(uint32_t crc) {
    Frame({1, 0, 0, '\xff', '\xff'}, 5);
    uint32_t size = static_cast<uint32_t>(isize_);  // ISIZE is mod 2^32
    Frame({static_cast<char>(crc), static_cast<char>(crc >> 8),
           static_cast<char>(crc >> 16), static_cast<char>(crc >> 24),
           static_cast<char>(size), static_cast<char>(size >> 8),
           static_cast<char>(size >> 16), static_cast<char>(size >> 24)},
          8);
  }

  // Writes what is queued; the parts Add() pointed at may go afterwards.
  Status Flush(int fd, const std::string& what, uint64_t* size) {
    size_t done = 0;
    while (done < iov_.size()) {
      int count = static_cast<int>(std::min<size_t>(iov_.size() - done, 512));
      ssize_t n = ::writev(fd, iov_.data() + done, count);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Status::FromErrno(what, errno);
      if (n == 0) return Status::IOError(what + ": write made no progress");
      *size += static_cast<uint64_t>(n);
      done = Advance(done, static_cast<size_t>(n));
    }
    iov_.clear();
    frames_.clear();
    return Status::Ok();
  }

 private:
  using FrameBytes = std::array<char, 10>;

  void Frame(FrameBytes bytes, size_t length) {
    frames_.push_back(bytes);  // a deque: earlier frames do not move
    Point(std::string_view(frames_.back().data(), length));
  }
  void Point(std::string_view data) {
    iov_.push_back({const_cast<char*>(data.data()), data.size()});
  }
  // Skips `n` written bytes from iov_[done]; a partly written entry is
  // trimmed to its rest.
  size_t Advance(size_t done, size_t n) {
    while (n > 0 && n >= iov_[done].iov_len) n -= iov_[done++].iov_len;
    if (n > 0) {
      iov_[done].iov_base = static_cast<char*>(iov_[done].iov_base) + n;
      iov_[done].iov_len -= n;
    }
    return done;
  }

  std::deque<FrameBytes> frames_;
  std::vector<iovec> iov_;
  uint64_t isize_ = 0;
};

// Owns a zlib deflate stream.
class Deflater {
 public:
  Deflater() = default;
  Deflater(const Deflater&) = delete;
  Deflater& operator=(const Deflater&) = delete;
  ~Deflater() {
    if (initialized_) deflateEnd(&stream_);
  }
  bool Init(int level) {
    // windowBits 15 + 16: a gzip wrapper with a plain header (no FEXTRA).
    initialized_ = deflateInit2(&stream_, level, Z_DEFLATED, 15 + 16, 8,
                                Z_DEFAULT_STRATEGY) == Z_OK;
    return initialized_;
  }
  z_stream* get() { return &stream_; }

 private:
  z_stream stream_{};
  bool initialized_ = false;
};

}  // namespace

std::string FormatWarcDate(std::chrono::system_clock::time_point when) {
  using std::chrono::duration_cast;
  using std::chrono::microseconds;
  auto since_epoch = duration_cast<microseconds>(when.time_since_epoch());
  long long micros = since_epoch.count() % 1000000;
  if (micros < 0) micros += 1000000;
  std::time_t t =
      std::chrono::system_clock::to_time_t(when - microseconds(micros));
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char text[64];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ",
                tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                tm.tm_min, tm.tm_sec, micros);
  return text;
}

struct WarcWriter::Rep {
  WarcWriterOptions options;  // read-only after Open()
  std::string host;

  // libdeflate compressors are single-threaded: callers compressing in
  // parallel each take one from the pool.
  std::mutex pool_mu;
  std::vector<CompressorPtr> compressors;
  Result<CompressorPtr> AcquireCompressor();
  void ReleaseCompressor(CompressorPtr compressor);

  // Guards everything below: the file being written.
  std::mutex mu;
  uint64_t default_serial = 0;
  Fd fd;
  std::filesystem::path open_path;
  std::filesystem::path final_path;
  std::string file_name;
  uint64_t size = 0;
  uint64_t record_count = 0;
  std::string warcinfo_id;
  // The file's sha256, hashed off this lock by a follower of the file that
  // sees each group of records once it is wholly appended (so never bytes
  // a rollback cuts off). Declared after `fd`: it stops before fd closes.
  std::optional<Hasher> file_hash;
  std::unique_ptr<FileFollower> file_follower;

  Status EnsureFile();
  Status CloseFile();
  Status WriteBytes(std::string_view bytes);
  void Rollback(uint64_t offset);
  Status WriteGroup(std::vector<PendingRecord*> records);
  Status AppendGroupLocked(const std::vector<PendingRecord*>& records);
  Status BuildMember(PendingRecord& record, const std::string& info_id);
  Status StreamMember(PendingRecord& record);
  Status WriteStored(PendingRecord& record);
  static std::string SerializeHeader(const PendingRecord& record,
                                     const std::string& info_id);
  Result<PendingRecord> MakeWarcinfo();
  Result<WarcExchangeLocations> WriteRequestAnd(const WarcCapture& capture,
                                                const std::string& date,
                                                std::string_view request,
                                                PendingRecord& response);
  Result<WarcRecordLocation> WriteSingle(PendingRecord& record);
};

namespace {

Status ComputeBlockDigests(PendingRecord& record) {
  if (record.block_sha1) return Status::Ok();
  Hasher hasher(DigestAlgorithm::kSha1);
  hasher.Update(record.prefix);
  if (record.body) {
    ROTGUARD_RETURN_IF_ERROR(
        record.body->ForEachChunk([&](std::string_view chunk) {
          hasher.Update(chunk);
          return Status::Ok();
        }));
  }
  record.block_sha1 = hasher.Final();
  return Status::Ok();
}

uint32_t TailCrc(const PendingRecord& record) {
  uint32_t crc =
      libdeflate_crc32(0, record.prefix.data(), record.prefix.size());
  // In memory: the walk cannot fail.
  (void)record.body->ForEachChunk([&](std::string_view chunk) {
    crc = libdeflate_crc32(crc, chunk.data(), chunk.size());
    return Status::Ok();
  });
  return libdeflate_crc32(crc, warc::kRecordTrailer.data(),
                          warc::kRecordTrailer.size());
}

// Upper bound of a streamed member: stored deflate blocks cost 5 bytes per
// 64 KiB, the gzip wrapper 18, the header at most a few KiB.
uint64_t EstimateMember(const PendingRecord& record, size_t header_size) {
  uint64_t raw = header_size + record.block_length() + 4;
  return raw + raw / 1000 + 1024;
}

}  // namespace

std::string WarcWriter::Rep::SerializeHeader(const PendingRecord& record,
                                             const std::string& info_id) {
  std::string h;
  h.reserve(512);
  h.append(warc::kVersion11).append(kCrlf);
  h.append("WARC-Type: ").append(record.type).append(kCrlf);
  h.append("WARC-Record-ID: ").append(record.record_id).append(kCrlf);
  if (record.type != warc::kTypeWarcinfo && !info_id.empty()) {
    h.append("WARC-Warcinfo-ID: ").append(info_id).append(kCrlf);
  }
  for (const auto& [name, value] : record.fields.fields()) {
    h.append(name).append(": ").append(FieldValue(value)).append(kCrlf);
  }
  h.append("WARC-Block-Digest: ")
      .append(WarcSha1Label(*record.block_sha1))
      .append(kCrlf);
  if (!record.payload_digest.empty()) {
    h.append("WARC-Payload-Digest: ")
        .append(record.payload_digest)
        .append(kCrlf);
  }
  if (!record.content_type.empty()) {
    h.append("Content-Type: ")
        .append(FieldValue(record.content_type))
        .append(kCrlf);
  }
  h.append("Content-Length: ")
      .append(std::to_string(record.block_length()))
      .append(kCrlf);
  h.append(kCrlf);
  return h;
}

Result<CompressorPtr> WarcWriter::Rep::AcquireCompressor() {
  {
    std::lock_guard<std::mutex> lock(pool_mu);
    if (!compressors.empty()) {
      CompressorPtr compressor = std::move(compressors.back());
      compressors.pop_back();
      return compressor;
    }
  }
  CompressorPtr compressor(
      libdeflate_alloc_compressor(options.compression_level));
  if (!compressor) {
    return Status::Internal("libdeflate: cannot allocate a compressor");
  }
  return compressor;
}

void WarcWriter::Rep::ReleaseCompressor(CompressorPtr compressor) {
  std::lock_guard<std::mutex> lock(pool_mu);
  compressors.push_back(std::move(compressor));
}

Status WarcWriter::Rep::BuildMember(PendingRecord& record,
                                    const std::string& info_id) {
  std::string raw = SerializeHeader(record, info_id);
  raw.reserve(raw.size() + record.block_length() + 4);
  raw.append(record.prefix);
  if (record.body) raw.append(record.body->rep_->memory);
  raw.append(warc::kRecordTrailer);
  Result<CompressorPtr> compressor = AcquireCompressor();
  if (!compressor.ok()) return compressor.status();
  record.member.resize(
      libdeflate_gzip_compress_bound(compressor->get(), raw.size()));
  size_t n =
      libdeflate_gzip_compress(compressor->get(), raw.data(), raw.size(),
                               record.member.data(), record.member.size());
  ReleaseCompressor(std::move(compressor).value());
  if (n == 0) return Status::Internal("libdeflate: gzip compression failed");
  record.member.resize(n);
  record.member_warcinfo = info_id;
  return Status::Ok();
}

Status WarcWriter::Rep::StreamMember(PendingRecord& record) {
  Deflater deflater;
  int level = options.compression_level;  // stored records go WriteStored()
  if (!deflater.Init(level)) return Status::Internal("zlib: deflateInit2");
  z_stream* z = deflater.get();
  std::string out(warc::kSpoolChunk, '\0');
  auto feed = [&](std::string_view in, int flush) -> Status {
    z->next_in = reinterpret_cast<const Bytef*>(in.data());
    z->avail_in = static_cast<uInt>(in.size());
    int rc = Z_OK;
    do {
      z->next_out = reinterpret_cast<Bytef*>(out.data());
      z->avail_out = static_cast<uInt>(out.size());
      rc = deflate(z, flush);
      if (rc == Z_STREAM_ERROR) return Status::Internal("zlib: deflate");
      size_t have = out.size() - z->avail_out;
      if (have > 0) {
        ROTGUARD_RETURN_IF_ERROR(
            WriteBytes(std::string_view(out.data(), have)));
      }
    } while (z->avail_out == 0);
    if (flush == Z_FINISH && rc != Z_STREAM_END) {
      return Status::Internal("zlib: deflate did not finish");
    }
    return Status::Ok();
  };
  ROTGUARD_RETURN_IF_ERROR(
      feed(SerializeHeader(record, warcinfo_id), Z_NO_FLUSH));
  ROTGUARD_RETURN_IF_ERROR(feed(record.prefix, Z_NO_FLUSH));
  ROTGUARD_RETURN_IF_ERROR(record.body->ForEachChunk(
      [&](std::string_view chunk) { return feed(chunk, Z_NO_FLUSH); }));
  return feed(warc::kRecordTrailer, Z_FINISH);
}

// The header names this file's warcinfo, so its CRC is taken here, under
// the lock; an in-memory body's was taken before (tail_crc).
Status WarcWriter::Rep::WriteStored(PendingRecord& record) {
  const std::string what = open_path.string();
  std::string header = SerializeHeader(record, warcinfo_id);
  uint32_t crc = libdeflate_crc32(0, header.data(), header.size());
  StoredMember member;
  member.Add(header);
  member.Add(record.prefix);
  if (record.tail_crc) {
    std::string_view body = record.body->rep_->memory;
    member.Add(body);
    member.Add(warc::kRecordTrailer);
    uint64_t tail_length = record.block_length() + warc::kRecordTrailer.size();
    crc = static_cast<uint32_t>(crc32_combine(
        crc, *record.tail_crc, static_cast<z_off_t>(tail_length)));
    member.Finish(crc);
    return member.Flush(fd.get(), what, &size);
  }
  crc = libdeflate_crc32(crc, record.prefix.data(), record.prefix.size());
  ROTGUARD_RETURN_IF_ERROR(member.Flush(fd.get(), what, &size));
  ROTGUARD_RETURN_IF_ERROR(
      record.body->ForEachChunk([&](std::string_view chunk) {
        crc = libdeflate_crc32(crc, chunk.data(), chunk.size());
        member.Add(chunk);
        return member.Flush(fd.get(), what, &size);  // before chunk goes
      }));
  crc = libdeflate_crc32(crc, warc::kRecordTrailer.data(),
                         warc::kRecordTrailer.size());
  member.Add(warc::kRecordTrailer);
  member.Finish(crc);
  return member.Flush(fd.get(), what, &size);
}

Status WarcWriter::Rep::WriteBytes(std::string_view bytes) {
  ROTGUARD_RETURN_IF_ERROR(WriteAll(fd.get(), bytes, open_path.string()));
  size += bytes.size();
  return Status::Ok();
}

void WarcWriter::Rep::Rollback(uint64_t offset) {
  // Best effort: if even this fails the torn member is at the tail, where
  // the reader reports it and repair cuts it.
  if (::ftruncate(fd.get(), static_cast<off_t>(offset)) == 0) {
    ::lseek(fd.get(), static_cast<off_t>(offset), SEEK_SET);
    size = offset;
  }
}

// Hashing and in-memory compression run without the lock, so callers on
// several threads use several cores; only the append is serialized.
Status WarcWriter::Rep::WriteGroup(std::vector<PendingRecord*> records) {
  for (PendingRecord* record : records) {
    ROTGUARD_RETURN_IF_ERROR(ComputeBlockDigests(*record));
  }
  std::string info_id;
  {
    std::lock_guard<std::mutex> lock(mu);
    ROTGUARD_RETURN_IF_ERROR(EnsureFile());
    info_id = warcinfo_id;
  }
  for (PendingRecord* record : records) {
    if (record->stored() && !record->streamed()) {
      record->tail_crc = TailCrc(*record);
    } else if (!record->streamed()) {
      ROTGUARD_RETURN_IF_ERROR(BuildMember(*record, info_id));
    }
  }
  std::lock_guard<std::mutex> lock(mu);
  return AppendGroupLocked(records);
}

Status WarcWriter::Rep::AppendGroupLocked(
    const std::vector<PendingRecord*>& records) {
  ROTGUARD_RETURN_IF_ERROR(EnsureFile());
  for (int attempt = 0;; ++attempt) {
    uint64_t total = 0;
    for (PendingRecord* record : records) {
      if (record->streamed() || record->stored()) {
        total += EstimateMember(*record,
                                SerializeHeader(*record, warcinfo_id).size());
        continue;
      }
      // Built for another file (rolled meanwhile): rebuild for this one.
      if (record->member_warcinfo != warcinfo_id) {
        ROTGUARD_RETURN_IF_ERROR(BuildMember(*record, warcinfo_id));
      }
      total += record->member.size();
    }
    // A file holding only its warcinfo takes any record: records are never
    // split, so an oversized record makes an oversized file.
    bool fits = size + total <= options.max_file_size || record_count <= 1;
    if (fits || attempt > 0) break;
    ROTGUARD_RETURN_IF_ERROR(CloseFile());
    ROTGUARD_RETURN_IF_ERROR(EnsureFile());
  }
  uint64_t group_start = size;
  for (PendingRecord* record : records) {
    uint64_t start = size;
    Status status = record->stored()     ? WriteStored(*record)
                    : record->streamed() ? StreamMember(*record)
                                         : WriteBytes(record->member);
    if (!status.ok()) {
      Rollback(group_start);
      return status;
    }
    WarcRecordLocation& loc = record->location;
    loc.file_name = file_name;
    loc.offset = start;
    loc.compressed_length = size - start;
    loc.type = record->type;
    loc.record_id = record->record_id;
    loc.block_length = record->block_length();
    loc.block_digest = WarcSha1Label(*record->block_sha1);
    std::string().swap(record->member);
  }
  record_count += records.size();
  file_follower->Advance(size);
  return Status::Ok();
}

Result<PendingRecord> WarcWriter::Rep::MakeWarcinfo() {
  PendingRecord info;
  info.type = std::string(warc::kTypeWarcinfo);
  Result<std::string> id = NewRecordId();
  if (!id.ok()) return id.status();
  info.record_id = *id;
  info.location.date = FormatWarcDate(std::chrono::system_clock::now());
  info.fields.Add("WARC-Date", info.location.date);
  info.fields.Add("WARC-Filename", file_name);
  info.content_type = std::string(warc::kWarcFieldsType);
  auto add = [&](std::string_view name, std::string_view value) {
    if (value.empty()) return;
    info.prefix.append(name).append(": ").append(FieldValue(value));
    info.prefix.append(kCrlf);
  };
  add("software", options.software.empty()
                      ? std::string("rotguard/") + ROTGUARD_VERSION
                      : options.software);
  add("format", warc::kFormat);
  add("conformsTo", warc::kConformsTo);
  add("hostname", host);
  add("robots", options.robots);
  add("http-header-user-agent", options.user_agent);
  add("operator", options.operator_name);
  add("isPartOf", options.is_part_of);
  return info;
}

Status WarcWriter::Rep::EnsureFile() {
  if (fd.valid()) return Status::Ok();
  uint64_t serial =
      options.next_serial ? options.next_serial() : default_serial++;
  char serial_text[32];
  std::snprintf(serial_text, sizeof serial_text, "%05llu",
                static_cast<unsigned long long>(serial));
  file_name = options.prefix + "-" +
              FileTimestamp(std::chrono::system_clock::now()) + "-" +
              serial_text + "-" + host + std::string(warc::kFileExtension);
  final_path = options.directory / file_name;
  open_path = final_path;
  open_path += warc::kOpenSuffix;
  if (std::filesystem::exists(final_path)) {
    return Status::InvalidArgument(final_path.string() + ": already exists");
  }
  fd.reset(
      ::open(open_path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  if (!fd.valid()) return Status::FromErrno(open_path.string(), errno);
  size = 0;
  record_count = 0;
  warcinfo_id.clear();
  file_hash.emplace(DigestAlgorithm::kSha256);
  file_follower = std::make_unique<FileFollower>(
      fd.get(), open_path.string(), 0, kFileHashStep,
      [this](std::string_view bytes) { file_hash->Update(bytes); });
  Result<PendingRecord> info = MakeWarcinfo();
  Status status = info.status();
  if (status.ok()) status = ComputeBlockDigests(*info);
  if (status.ok()) status = BuildMember(*info, "");
  if (status.ok()) status = WriteBytes(info->member);
  if (!status.ok()) {
    file_follower.reset();
    fd.reset();
    ::unlink(open_path.c_str());
    return status;
  }
  file_follower->Advance(size);
  warcinfo_id = info->record_id;
  record_count = 1;
  WarcRecordLocation& loc = info->location;
  loc.file_name = file_name;
  loc.offset = 0;
  loc.compressed_length = size;
  loc.type = info->type;
  loc.record_id = info->record_id;
  loc.block_length = info->block_length();
  loc.block_digest = WarcSha1Label(*info->block_sha1);
  if (options.on_warcinfo) options.on_warcinfo(loc);
  return Status::Ok();
}

Status WarcWriter::Rep::CloseFile() {
  if (!fd.valid()) return Status::Ok();
  Status status = file_follower->Finish();
  file_follower.reset();
  if (status.ok() && ::fsync(fd.get()) != 0)
    status = Status::FromErrno(open_path.string(), errno);
  if (::close(fd.release()) != 0 && status.ok()) {
    status = Status::FromErrno(open_path.string(), errno);
  }
  if (!status.ok()) return status;
  if (::rename(open_path.c_str(), final_path.c_str()) != 0) {
    return Status::FromErrno(final_path.string(), errno);
  }
  ROTGUARD_RETURN_IF_ERROR(SyncDirectory(options.directory));
  WarcFileSummary summary;
  summary.file_name = file_name;
  summary.path = final_path;
  summary.size = size;
  summary.record_count = record_count;
  summary.sha256 = HexEncode(file_hash->Final());
  file_name.clear();
  if (options.on_file_closed) options.on_file_closed(summary);
  return Status::Ok();
}

// ---- WarcWriter
// --------------------------------------------------------------

WarcWriter::WarcWriter(std::unique_ptr<Rep> rep) : rep_(std::move(rep)) {}

WarcWriter::~WarcWriter() {
  if (rep_) rep_->CloseFile();
}

Result<std::unique_ptr<WarcWriter>> WarcWriter::Open(
    WarcWriterOptions options) {
  std::error_code ec;
  if (!std::filesystem::is_directory(options.directory, ec)) {
    return Status::NotFound(options.directory.string() + ": not a directory");
  }
  if (options.compression_level < 0 || options.compression_level > 9) {
    return Status::InvalidArgument("compression level must be 0..9");
  }
  auto rep = std::make_unique<Rep>();
  rep->host = SanitizeHost(options.hostname.empty() ? LocalHostName()
                                                    : options.hostname);
  rep->options = std::move(options);
  return std::unique_ptr<WarcWriter>(new WarcWriter(std::move(rep)));
}

WarcBody WarcWriter::NewBody() const { return WarcBody(rep_->options.body); }

WarcHttpResponse WarcWriter::NewResponse(std::string head,
                                         WarcBodyTransfer transfer) const {
  return WarcHttpResponse(std::move(head), transfer, rep_->options.body);
}

namespace {

std::string DateOf(const WarcCapture& capture) {
  return FormatWarcDate(
      capture.date.value_or(std::chrono::system_clock::now()));
}

// Fields every record of an exchange carries.
void AddCaptureFields(const WarcCapture& capture, const std::string& date,
                      PendingRecord& record) {
  record.fields.Add("WARC-Date", date);
  record.fields.Add("WARC-Target-URI", capture.target_uri);
  if (!capture.ip_address.empty()) {
    record.fields.Add("WARC-IP-Address", capture.ip_address);
  }
  if (!capture.protocol.empty()) {
    record.fields.Add("WARC-Protocol", capture.protocol);
  }
  record.location.date = date;
  record.location.target_uri = FieldValue(capture.target_uri);
}

Result<PendingRecord> MakeRequest(const WarcCapture& capture,
                                  const std::string& date,
                                  std::string_view request) {
  PendingRecord record;
  record.type = std::string(warc::kTypeRequest);
  Result<std::string> id = NewRecordId();
  if (!id.ok()) return id.status();
  record.record_id = *id;
  AddCaptureFields(capture, date, record);
  record.prefix.assign(request);
  record.content_type = std::string(warc::kHttpRequestType);
  // The request payload is what follows its head (empty for a GET).
  size_t head_end = warc::FindHeadEnd(request);
  std::string_view payload =
      head_end == 0 ? std::string_view() : request.substr(head_end);
  record.payload_digest = WarcSha1Label(Sha1(payload));
  record.location.payload_digest = record.payload_digest;
  record.location.payload_sha256 = Sha256Hex(payload);
  record.location.payload_length = payload.size();
  return record;
}

}  // namespace

Result<WarcExchangeLocations> WarcWriter::WriteExchange(
    const WarcCapture& capture, std::string_view request,
    WarcHttpResponse& response) {
  ROTGUARD_RETURN_IF_ERROR(response.FinishBody());
  WarcHttpResponse::Rep& r = *response.rep_;
  std::string date = DateOf(capture);
  PendingRecord record;
  record.type = std::string(warc::kTypeResponse);
  Result<std::string> id = NewRecordId();
  if (!id.ok()) return id.status();
  record.record_id = *id;
  AddCaptureFields(capture, date, record);
  if (!r.truncated.empty()) record.fields.Add("WARC-Truncated", r.truncated);
  record.prefix = response.StoredHead();
  record.body = &r.body;
  record.block_sha1 = r.block_sha1;
  record.payload_digest = r.payload_digest;
  record.content_type = std::string(warc::kHttpResponseType);
  record.incompressible =
      IsIncompressibleResponse(r.head) || WarcBodyDoesNotShrink(r.body);
  record.location.payload_digest = r.payload_digest;
  record.location.payload_sha256 = r.payload_sha256;
  record.location.payload_length = r.body.size();
  record.location.truncated = r.truncated;
  return rep_->WriteRequestAnd(capture, date, request, record);
}

Result<WarcExchangeLocations> WarcWriter::WriteRevisit(
    const WarcCapture& capture, std::string_view request,
    WarcHttpResponse& response, const WarcRevisitOf& original) {
  ROTGUARD_RETURN_IF_ERROR(response.FinishBody());
  std::string date = DateOf(capture);
  PendingRecord record;
  record.type = std::string(warc::kTypeRevisit);
  Result<std::string> id = NewRecordId();
  if (!id.ok()) return id.status();
  record.record_id = *id;
  AddCaptureFields(capture, date, record);
  record.fields.Add("WARC-Profile", std::string(warc::kRevisitProfile));
  record.fields.Add("WARC-Refers-To", original.record_id);
  record.fields.Add("WARC-Refers-To-Target-URI", original.target_uri);
  record.fields.Add("WARC-Refers-To-Date", original.date);
  record.fields.Add("WARC-Truncated", std::string(kWarcTruncatedLength));
  record.prefix = response.StoredHead();
  record.payload_digest = original.payload_digest;
  record.content_type = std::string(warc::kHttpResponseType);
  record.location.payload_digest = original.payload_digest;
  record.location.payload_sha256 = original.payload_sha256;
  record.location.payload_length = original.payload_length;
  record.location.truncated = std::string(kWarcTruncatedLength);
  return rep_->WriteRequestAnd(capture, date, request, record);
}

Result<WarcExchangeLocations> WarcWriter::Rep::WriteRequestAnd(
    const WarcCapture& capture, const std::string& date,
    std::string_view request, PendingRecord& response) {
  Result<PendingRecord> req = MakeRequest(capture, date, request);
  if (!req.ok()) return req.status();
  req->fields.Add("WARC-Concurrent-To", response.record_id);
  response.fields.Add("WARC-Concurrent-To", req->record_id);
  ROTGUARD_RETURN_IF_ERROR(WriteGroup({&*req, &response}));
  return WarcExchangeLocations{std::move(req->location),
                               std::move(response.location)};
}

Result<WarcRecordLocation> WarcWriter::Rep::WriteSingle(PendingRecord& record) {
  ROTGUARD_RETURN_IF_ERROR(WriteGroup({&record}));
  return std::move(record.location);
}

Result<WarcRecordLocation> WarcWriter::WriteResource(
    const WarcCapture& capture, std::string_view content_type,
    std::string_view data) {
  WarcBody body(rep_->options.body);
  // Small resources stay in memory; large ones spool like any body.
  ROTGUARD_RETURN_IF_ERROR(body.Append(data));
  return WriteResource(capture, content_type, body);
}

Result<WarcRecordLocation> WarcWriter::WriteResource(
    const WarcCapture& capture, std::string_view content_type,
    const WarcBody& body) {
  PendingRecord record;
  record.type = std::string(warc::kTypeResource);
  Result<std::string> id = NewRecordId();
  if (!id.ok()) return id.status();
  record.record_id = *id;
  AddCaptureFields(capture, DateOf(capture), record);
  record.body = &body;
  // payload == block: the body's own digests serve for both.
  ROTGUARD_RETURN_IF_ERROR(body.rep_->ComputeDigests());
  const DualHasher::Digests& digests = *body.rep_->digests;
  record.block_sha1 = digests.sha1;
  record.payload_digest = WarcSha1Label(digests.sha1);
  record.content_type.assign(content_type);
  record.incompressible = IsIncompressibleType(content_type);
  record.location.payload_digest = record.payload_digest;
  record.location.payload_sha256 = HexEncode(digests.sha256);
  record.location.payload_length = body.size();
  return rep_->WriteSingle(record);
}

Result<WarcRecordLocation> WarcWriter::WriteMetadata(
    const WarcCapture& capture, const WarcMetadataLink& link,
    const WarcFields& fields) {
  PendingRecord record;
  record.type = std::string(warc::kTypeMetadata);
  Result<std::string> id = NewRecordId();
  if (!id.ok()) return id.status();
  record.record_id = *id;
  AddCaptureFields(capture, DateOf(capture), record);
  if (!link.concurrent_to.empty()) {
    record.fields.Add("WARC-Concurrent-To", link.concurrent_to);
  }
  if (!link.refers_to.empty()) {
    record.fields.Add("WARC-Refers-To", link.refers_to);
  }
  for (const auto& [name, value] : fields.fields()) {
    record.prefix.append(FieldValue(name)).append(": ");
    record.prefix.append(FieldValue(value)).append(kCrlf);
  }
  record.content_type = std::string(warc::kWarcFieldsType);
  return rep_->WriteSingle(record);
}

// fdatasync on a duplicate of the descriptor, outside the lock: it makes
// every byte appended before the call durable (on any descriptor of the
// file) without stopping other threads' appends for the disk's latency.
// A file closed meanwhile was fsync'ed by CloseFile().
Status WarcWriter::Sync() {
  Fd dup;
  std::string path;
  {
    std::lock_guard<std::mutex> lock(rep_->mu);
    if (!rep_->fd.valid()) return Status::Ok();
    dup.reset(::fcntl(rep_->fd.get(), F_DUPFD_CLOEXEC, 0));
    path = rep_->open_path.string();
  }
  if (!dup.valid() || ::fdatasync(dup.get()) != 0) {
    return Status::FromErrno(path, errno);
  }
  return Status::Ok();
}

Status WarcWriter::Close() {
  std::lock_guard<std::mutex> lock(rep_->mu);
  return rep_->CloseFile();
}

std::string WarcWriter::current_file_name() const {
  std::lock_guard<std::mutex> lock(rep_->mu);
  return rep_->fd.valid() ? rep_->file_name : std::string();
}

}  // namespace rotguard
