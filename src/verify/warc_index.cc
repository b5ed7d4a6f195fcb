#include "verify/warc_index.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <memory>

#include "rotguard/chunked.h"
#include "rotguard/digest_check.h"
#include "rotguard/http_head.h"
#include "rotguard/url.h"
#include "util/digest.h"
#include "util/handles.h"

namespace rotguard::verify {
namespace {

constexpr size_t kChunk = 1 << 16;
constexpr size_t kMaxHttpHead = 1 << 20;

bool IsCapturable(const std::string& type) {
  return type == "response" || type == "revisit" || type == "resource";
}

// Hashes the payload of a block fed in pieces: the HTTP head (when the
// block is application/http) is kept aside, the rest de-chunked when the
// head says so.
class PayloadHasher {
 public:
  PayloadHasher(const WarcRecordInfo& info)
      : head_length_(info.is_http ? info.http_head_length : 0),
        chunked_(info.is_http && info.http_chunked) {}

  void Feed(std::string_view bytes) {
    if (head_.size() < head_length_) {
      size_t take = std::min<size_t>(bytes.size(), head_length_ - head_.size());
      if (head_.size() + take <= kMaxHttpHead)
        head_.append(bytes.substr(0, take));
      bytes.remove_prefix(take);
    }
    if (bytes.empty()) return;
    if (chunked_ && !dechunk_failed_) {
      dechunk_failed_ =
          !decoder_.Feed(bytes, [this](std::string_view data) { Hash(data); });
      return;
    }
    if (!chunked_) Hash(bytes);
  }

  std::string ContentType() const { return Header("Content-Type"); }
  std::string Header(std::string_view name) const {
    std::string value;
    if (!head_.empty()) warc::FindHeader(head_, name, &value);
    return value;
  }
  int64_t length() const { return length_; }
  DualHasher::Digests Final() { return hasher_.Final(); }

 private:
  void Hash(std::string_view data) {
    hasher_.Update(data);
    length_ += static_cast<int64_t>(data.size());
  }

  uint64_t head_length_;
  bool chunked_;
  std::string head_;
  warc::ChunkedDecoder decoder_;
  bool dechunk_failed_ = false;
  DualHasher hasher_;
  int64_t length_ = 0;
};

IndexedRecord RowsOf(const WarcRecordInfo& info, const std::string& name) {
  IndexedRecord indexed;
  RecordRow& row = indexed.record;
  row.warc_file = name;
  row.offset = static_cast<int64_t>(info.offset);
  row.compressed_length = static_cast<int64_t>(info.length);
  row.type = info.type;
  row.record_id = info.record_id;
  row.target_uri = info.target_uri;
  row.date = info.date;
  row.block_digest = info.block_digest;
  row.payload_digest = info.payload_digest;
  indexed.capturable = IsCapturable(info.type);
  indexed.http_status = info.http_status;
  indexed.is_http = info.is_http;
  indexed.warc_content_type = info.content_type;
  indexed.payload_sha1 = Sha1Base32Of(info.payload_digest);
  indexed.refers_to = info.fields.Get("WARC-Refers-To");
  indexed.truncated = info.fields.Has("WARC-Truncated");
  indexed.problems = info.problems;
  return indexed;
}

Status ReadPayloadDigests(WarcReader& reader, IndexedRecord* indexed) {
  PayloadHasher hasher(reader.record());
  auto buffer = std::make_unique<char[]>(kChunk);
  while (true) {
    Result<size_t> got = reader.ReadBlock(buffer.get(), kChunk);
    if (!got.ok()) return got.status();
    if (*got == 0) break;
    hasher.Feed(std::string_view(buffer.get(), *got));
  }
  DualHasher::Digests digests = hasher.Final();
  indexed->http_content_type = hasher.ContentType();
  if (indexed->http_status >= 300 && indexed->http_status < 400) {
    indexed->location = hasher.Header("Location");
  }
  indexed->payload_length = hasher.length();
  if (indexed->record.type != "revisit") {
    indexed->payload_sha256 = HexEncode(digests.sha256);
    if (indexed->payload_sha1.empty()) {
      indexed->payload_sha1 = Base32Encode(digests.sha1);
    }
  }
  return Status::Ok();
}

bool IsTorn(const WarcProblem& problem) {
  return problem.code == warc_problem::kTornMember;
}

// The current record of `reader`, read whole.
Result<IndexedRecord> ReadRecord(WarcReader& reader, const std::string& name,
                                 IndexDepth depth) {
  IndexedRecord indexed;
  if (depth == IndexDepth::kPayloads) {
    indexed = RowsOf(reader.record(), name);
    ROTGUARD_RETURN_IF_ERROR(ReadPayloadDigests(reader, &indexed));
  }
  ROTGUARD_RETURN_IF_ERROR(reader.FinishRecord());
  // Length and problems are final only now.
  IndexedRecord finished = RowsOf(reader.record(), name);
  if (depth == IndexDepth::kPayloads) {
    finished.http_content_type = std::move(indexed.http_content_type);
    finished.payload_length = indexed.payload_length;
    finished.payload_sha256 = std::move(indexed.payload_sha256);
    finished.location = std::move(indexed.location);
    if (finished.payload_sha1.empty()) {
      finished.payload_sha1 = std::move(indexed.payload_sha1);
    }
  }
  for (WarcProblem& problem : finished.problems) problem.file = name;
  return finished;
}

}  // namespace

uint64_t WholeEndAfter(const IndexedRecord& record, uint64_t whole_end) {
  for (const WarcProblem& problem : record.problems) {
    if (IsTorn(problem)) return whole_end;
  }
  return static_cast<uint64_t>(record.record.offset +
                               record.record.compressed_length);
}

void FindTornTail(IndexedFile* file, uint64_t whole_end) {
  file->whole_end = whole_end;
  if (file->size <= whole_end) return;
  for (const WarcProblem& problem : file->problems) {
    bool tail_damage = IsTorn(problem) ||
                       problem.code == warc_problem::kTrailingGarbage ||
                       problem.code == warc_problem::kBadHeader;
    if (tail_damage && problem.offset >= whole_end) {
      file->torn_tail = whole_end;
      return;
    }
  }
}

bool IsError(const WarcProblem& problem) {
  return problem.severity == WarcProblem::Severity::kError;
}

std::string Sha1Base32Of(std::string_view labeled_digest) {
  return warc::Sha1Base32OfField(labeled_digest);
}

Result<std::string> Sha256OfFile(const std::filesystem::path& path,
                                 uint64_t* bytes) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return Status::FromErrno(path.string(), errno);
  ::posix_fadvise(fd.get(), 0, 0, POSIX_FADV_SEQUENTIAL);
  Hasher hasher(DigestAlgorithm::kSha256);
  constexpr size_t kBuffer = 1 << 20;
  auto buffer = std::make_unique<char[]>(kBuffer);
  while (true) {
    ssize_t got = ::read(fd.get(), buffer.get(), kBuffer);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return Status::FromErrno(path.string(), errno);
    if (got == 0) break;
    hasher.Update(buffer.get(), static_cast<size_t>(got));
    if (bytes) *bytes += static_cast<uint64_t>(got);
  }
  return HexEncode(hasher.Final());
}

Result<IndexedFile> StreamWarcFile(const std::filesystem::path& path,
                                   const std::string& name, IndexDepth depth,
                                   const RecordSink& sink) {
  IndexedFile file;
  std::error_code ec;
  file.size = std::filesystem::file_size(path, ec);
  if (ec) return Status::IOError(path.string() + ": " + ec.message());
  WarcReaderOptions options;
  Result<std::unique_ptr<WarcReader>> opened = WarcReader::Open(path, options);
  if (!opened.ok()) return opened.status();
  WarcReader& reader = **opened;
  uint64_t whole_end = 0;
  ROTGUARD_RETURN_IF_ERROR(ReadRecords(reader, name, depth, sink, &whole_end));
  file.problems = ProblemsOf(reader, name);
  FindTornTail(&file, whole_end);
  return file;
}

Status ReadRecords(WarcReader& reader, const std::string& name,
                   IndexDepth depth, const RecordSink& sink,
                   uint64_t* whole_end) {
  while (true) {
    Result<bool> more = reader.Next();
    if (!more.ok()) return more.status();
    if (!*more) return Status::Ok();
    Result<IndexedRecord> record = ReadRecord(reader, name, depth);
    if (!record.ok()) return record.status();
    *whole_end = WholeEndAfter(*record, *whole_end);
    ROTGUARD_RETURN_IF_ERROR(sink(std::move(*record)));
  }
}

std::vector<WarcProblem> ProblemsOf(const WarcReader& reader,
                                    const std::string& name) {
  std::vector<WarcProblem> problems = reader.problems();
  for (WarcProblem& problem : problems) problem.file = name;
  return problems;
}

Result<IndexedFile> IndexWarcFile(const std::filesystem::path& path,
                                  const std::string& name, IndexDepth depth) {
  std::vector<IndexedRecord> records;
  Result<IndexedFile> file =
      StreamWarcFile(path, name, depth, [&](IndexedRecord&& record) {
        records.push_back(std::move(record));
        return Status::Ok();
      });
  if (!file.ok()) return file.status();
  file->records = std::move(records);
  return file;
}

CaptureRow CaptureOf(const IndexedRecord& indexed, const std::string& source) {
  const RecordRow& r = indexed.record;
  CaptureRow c;
  c.url = r.target_uri;
  c.normalized = NormalizeUrl(r.target_uri).value_or("");
  c.captured_at_us = ParseWarcDateUs(r.date).value_or(0);
  c.http_status = indexed.http_status;
  c.final_url = r.target_uri;
  c.chain_id = r.record_id;  // no chain known: each capture its own
  c.hop_index = 0;
  c.warc_file = r.warc_file;
  c.record_offset = r.offset;
  c.compressed_length = r.compressed_length;
  c.record_id = r.record_id;
  c.block_sha1 = Sha1Base32Of(r.block_digest);
  c.payload_sha1 = indexed.payload_sha1;
  c.payload_sha256 = indexed.payload_sha256;
  c.content_type =
      indexed.is_http ? indexed.http_content_type : indexed.warc_content_type;
  c.payload_length = indexed.payload_length;
  c.revisit_of = r.type == "revisit" ? indexed.refers_to : "";
  c.source = source;
  c.truncated = indexed.truncated;
  return c;
}

}  // namespace rotguard::verify
