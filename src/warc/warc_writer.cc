// WarcWriter: see include/rotguard/warc_writer.h and src/warc/format.h.
// It ties three parts together: the record builder (record_builder.h:
// what each record holds), gzip member framing (gzip_member.h) and the
// rolling durable file (rolling_file.h).
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
#include "rotguard/warc_writer.h"

#include <algorithm>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "util/cpu_stages.h"
#include "util/digest.h"
#include "util/handles.h"
#include "warc/body.h"
#include "warc/format.h"
#include "warc/gzip_member.h"
#include "warc/record_builder.h"
#include "warc/rolling_file.h"

namespace rotguard {

using warc::PendingRecord;

struct WarcWriter::Rep {
  Rep(WarcWriterOptions options_in, std::string host_in)
      : options(std::move(options_in)),
        host(std::move(host_in)),
        compressors(options.compression_level),
        file(options.directory, options.max_file_size, options.env) {}

  const WarcWriterOptions options;
  const std::string host;
  // libdeflate compressors are single-threaded: callers compressing in
  // parallel each take one from the pool.
  warc::CompressorPool compressors;

  // Guards everything below: the file being written.
  std::mutex mu;
  uint64_t default_serial = 0;
  warc::RollingWarcFile file;
  std::string warcinfo_id;  // of the open file

  Status EnsureFile();
  Status WriteWarcinfo();
  Status CloseFile();
  Status WriteGroup(std::vector<PendingRecord*> records);
  Status AppendGroupLocked(const std::vector<PendingRecord*>& records);
  Result<uint64_t> GroupSize(const std::vector<PendingRecord*>& records);
  Status AppendRecord(PendingRecord& record);
  Status BuildMember(PendingRecord& record, const std::string& info_id);
  Status StreamMember(PendingRecord& record);
  Status WriteStored(PendingRecord& record);
  Status CopyStoredBody(const WarcBody::Rep& body, warc::StoredMember& member);
  Result<WarcExchangeLocations> WriteRequestAnd(const WarcCapture& capture,
                                                const std::string& date,
                                                std::string_view request,
                                                PendingRecord& response);
  Result<WarcRecordLocation> WriteSingle(PendingRecord& record);

  // In-memory bytes of a finished body; empty when spooled.
  static std::string_view MemoryOf(const WarcBody& body) {
    return body.spooled() ? std::string_view() : body.rep_->memory;
  }
};

namespace {

// The location of a record just appended at `offset`.
void SetLocation(PendingRecord& record, const std::string& file_name,
                 uint64_t offset, uint64_t end) {
  WarcRecordLocation& loc = record.location;
  loc.file_name = file_name;
  loc.offset = offset;
  loc.compressed_length = end - offset;
  loc.type = record.type;
  loc.record_id = record.record_id;
  loc.block_length = record.block_length();
  loc.block_digest = WarcSha1Label(*record.block_sha1);
}

}  // namespace

Status WarcWriter::Rep::BuildMember(PendingRecord& record,
                                    const std::string& info_id) {
  ROTGUARD_RETURN_IF_ERROR(warc::GzipCompressMember(
      compressors, warc::SerializeRecord(record, info_id), &record.member));
  record.member_warcinfo = info_id;
  return Status::Ok();
}

Status WarcWriter::Rep::StreamMember(PendingRecord& record) {
  warc::GzipMemberStream member(
      warc::kSpoolChunk,
      [this](std::string_view out) { return file.Append(out); });
  // Stored records go through WriteStored().
  ROTGUARD_RETURN_IF_ERROR(member.Init(options.compression_level));
  ROTGUARD_RETURN_IF_ERROR(
      member.Add(warc::SerializeHeader(record, warcinfo_id)));
  ROTGUARD_RETURN_IF_ERROR(member.Add(record.prefix));
  ROTGUARD_RETURN_IF_ERROR(record.body->ForEachChunk(
      [&](std::string_view chunk) { return member.Add(chunk); }));
  return member.Finish(warc::kRecordTrailer);
}

// The header names this file's warcinfo, so its CRC is taken here, under
// the lock; an in-memory body's was taken before (tail_crc).
Status WarcWriter::Rep::WriteStored(PendingRecord& record) {
  std::string header = warc::SerializeHeader(record, warcinfo_id);
  uint32_t crc = warc::Crc32(0, header);
  warc::StoredMember member;
  member.Add(header);
  member.Add(record.prefix);
  if (record.tail_crc) {
    member.Add(record.body_memory);
    member.Add(warc::kRecordTrailer);
    uint64_t tail_length = record.block_length() + warc::kRecordTrailer.size();
    member.Finish(warc::Crc32Combine(crc, *record.tail_crc, tail_length));
    return file.AppendV(member.Parts());
  }
  crc = warc::Crc32(crc, record.prefix);
  const WarcBody::Rep& body = *record.body->rep_;
  if (body.spool.valid() && body.digests && body.digests->crc) {
    ROTGUARD_RETURN_IF_ERROR(CopyStoredBody(body, member));
    crc = warc::Crc32Combine(crc, *body.digests->crc, body.size);
  } else {
    ROTGUARD_RETURN_IF_ERROR(file.AppendV(member.Parts()));
    member.Clear();
    ROTGUARD_RETURN_IF_ERROR(
        record.body->ForEachChunk([&](std::string_view chunk) {
          crc = warc::Crc32(crc, chunk);
          member.Add(chunk);
          Status status = file.AppendV(member.Parts());  // before chunk goes
          member.Clear();
          return status;
        }));
  }
  crc = warc::Crc32(crc, warc::kRecordTrailer);
  member.Add(warc::kRecordTrailer);
  member.Finish(crc);
  return file.AppendV(member.Parts());
}

// A spooled body's stored blocks, after what `member` holds: each block's
// frame is written, then its bytes are copied from the spool file by the
// kernel, so 64 MiB bodies do not pass through this process again (their
// CRC was taken with their digests as they arrived).
Status WarcWriter::Rep::CopyStoredBody(const WarcBody::Rep& body,
                                       warc::StoredMember& member) {
  for (uint64_t at = 0; at < body.size;) {
    uint64_t take = std::min<uint64_t>(body.size - at, 0xffff);
    member.AddFrameOf(static_cast<size_t>(take));
    ROTGUARD_RETURN_IF_ERROR(file.AppendV(member.Parts()));
    member.Clear();
    ROTGUARD_RETURN_IF_ERROR(file.AppendFromFile(body.spool.get(), at, take));
    at += take;
  }
  return Status::Ok();
}

// Hashing and in-memory compression run without the lock, so callers on
// several threads use several cores; only the append is serialized.
Status WarcWriter::Rep::WriteGroup(std::vector<PendingRecord*> records) {
  {
    CpuStageScope stage(CpuStage::kDigests);
    for (PendingRecord* record : records) {
      ROTGUARD_RETURN_IF_ERROR(warc::ComputeBlockDigests(*record));
    }
  }
  std::string info_id;
  {
    std::lock_guard<std::mutex> lock(mu);
    ROTGUARD_RETURN_IF_ERROR(EnsureFile());
    info_id = warcinfo_id;
  }
  {
    // A stored record's CRC is its framing's only cost: counted here too.
    CpuStageScope stage(CpuStage::kCompress);
    for (PendingRecord* record : records) {
      if (record->stored() && !record->streamed()) {
        record->tail_crc = warc::TailCrc(*record);
      } else if (!record->streamed()) {
        ROTGUARD_RETURN_IF_ERROR(BuildMember(*record, info_id));
      }
    }
  }
  // Waiting for the lock uses no CPU; the appends are writes.
  std::lock_guard<std::mutex> lock(mu);
  CpuStageScope stage(CpuStage::kWrite);
  return AppendGroupLocked(records);
}

// The bytes the group will take in the current file (an upper bound for
// streamed and stored records); members built for another file (rolled
// meanwhile) are rebuilt for this one.
Result<uint64_t> WarcWriter::Rep::GroupSize(
    const std::vector<PendingRecord*>& records) {
  uint64_t total = 0;
  for (PendingRecord* record : records) {
    if (record->streamed() || record->stored()) {
      size_t header = warc::SerializeHeader(*record, warcinfo_id).size();
      total += warc::GzipMemberBound(header + record->block_length() +
                                     warc::kRecordTrailer.size());
      continue;
    }
    if (record->member_warcinfo != warcinfo_id) {
      ROTGUARD_RETURN_IF_ERROR(BuildMember(*record, warcinfo_id));
    }
    total += record->member.size();
  }
  return total;
}

Status WarcWriter::Rep::AppendRecord(PendingRecord& record) {
  if (record.stored()) return WriteStored(record);
  if (record.streamed()) return StreamMember(record);
  return file.Append(record.member);
}

Status WarcWriter::Rep::AppendGroupLocked(
    const std::vector<PendingRecord*>& records) {
  ROTGUARD_RETURN_IF_ERROR(EnsureFile());
  for (int attempt = 0;; ++attempt) {
    Result<uint64_t> total = GroupSize(records);
    if (!total.ok()) return total.status();
    if (file.Fits(*total) || attempt > 0) break;
    ROTGUARD_RETURN_IF_ERROR(CloseFile());
    ROTGUARD_RETURN_IF_ERROR(EnsureFile());
  }
  uint64_t group_start = file.size();
  for (PendingRecord* record : records) {
    uint64_t start = file.size();
    Status status = AppendRecord(*record);
    if (!status.ok()) {
      file.Rollback(group_start);
      return status;
    }
    SetLocation(*record, file.file_name(), start, file.size());
    std::string().swap(record->member);
  }
  file.CommitGroup(records.size());
  return Status::Ok();
}

Status WarcWriter::Rep::EnsureFile() {
  ROTGUARD_RETURN_IF_ERROR(file.broken());
  if (file.is_open()) return Status::Ok();
  uint64_t serial =
      options.next_serial ? options.next_serial() : default_serial++;
  ROTGUARD_RETURN_IF_ERROR(file.Create(warc::WarcFileName(
      options.prefix, std::chrono::system_clock::now(), serial, host)));
  warcinfo_id.clear();
  Status status = WriteWarcinfo();
  if (!status.ok()) file.Discard();
  return status;
}

// The first record of a new file.
Status WarcWriter::Rep::WriteWarcinfo() {
  Result<PendingRecord> info =
      warc::MakeWarcinfo(options, host, file.file_name());
  if (!info.ok()) return info.status();
  ROTGUARD_RETURN_IF_ERROR(warc::ComputeBlockDigests(*info));
  ROTGUARD_RETURN_IF_ERROR(BuildMember(*info, ""));
  ROTGUARD_RETURN_IF_ERROR(file.Append(info->member));
  file.CommitGroup(1);
  warcinfo_id = info->record_id;
  SetLocation(*info, file.file_name(), 0, file.size());
  if (options.on_warcinfo) options.on_warcinfo(info->location);
  return Status::Ok();
}

Status WarcWriter::Rep::CloseFile() {
  Result<std::optional<WarcFileSummary>> summary = file.Close();
  if (!summary.ok()) return summary.status();
  if (*summary && options.on_file_closed) options.on_file_closed(**summary);
  return Status::Ok();
}

Result<WarcExchangeLocations> WarcWriter::Rep::WriteRequestAnd(
    const WarcCapture& capture, const std::string& date,
    std::string_view request, PendingRecord& response) {
  Result<PendingRecord> req = warc::MakeRequest(capture, date, request);
  if (!req.ok()) return req.status();
  warc::LinkConcurrent(*req, response);
  ROTGUARD_RETURN_IF_ERROR(WriteGroup({&*req, &response}));
  return WarcExchangeLocations{std::move(req->location),
                               std::move(response.location)};
}

Result<WarcRecordLocation> WarcWriter::Rep::WriteSingle(PendingRecord& record) {
  ROTGUARD_RETURN_IF_ERROR(WriteGroup({&record}));
  return std::move(record.location);
}

// ---- WarcWriter
// --------------------------------------------------------------

WarcWriter::WarcWriter(std::unique_ptr<Rep> rep) : rep_(std::move(rep)) {}

WarcWriter::~WarcWriter() {
  if (rep_) (void)rep_->CloseFile();
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
  if (options.env == nullptr) options.env = Env::Default();
  std::string host = warc::SanitizeHost(
      options.hostname.empty() ? warc::LocalHostName() : options.hostname);
  auto rep = std::make_unique<Rep>(std::move(options), std::move(host));
  return std::unique_ptr<WarcWriter>(new WarcWriter(std::move(rep)));
}

WarcBody WarcWriter::NewBody() const { return WarcBody(rep_->options.body); }

WarcHttpResponse WarcWriter::NewResponse(std::string head,
                                         WarcBodyTransfer transfer) const {
  return WarcHttpResponse(std::move(head), transfer, rep_->options.body);
}

Result<WarcExchangeLocations> WarcWriter::WriteExchange(
    const WarcCapture& capture, std::string_view request,
    WarcHttpResponse& response) {
  ROTGUARD_RETURN_IF_ERROR(response.FinishBody());
  const WarcHttpResponse::Rep& r = *response.rep_;
  std::string date = warc::DateOf(capture);
  warc::ResponseParts parts;
  parts.head = r.head;
  parts.stored_head = response.StoredHead();
  parts.body = &r.body;
  parts.body_memory = Rep::MemoryOf(r.body);
  parts.block_sha1 = r.block_sha1;
  parts.payload_digest = r.payload_digest;
  parts.payload_sha256 = r.payload_sha256;
  parts.truncated = r.truncated;
  Result<PendingRecord> record =
      warc::MakeResponse(capture, date, std::move(parts));
  if (!record.ok()) return record.status();
  return rep_->WriteRequestAnd(capture, date, request, *record);
}

Result<WarcExchangeLocations> WarcWriter::WriteRevisit(
    const WarcCapture& capture, std::string_view request,
    WarcHttpResponse& response, const WarcRevisitOf& original) {
  ROTGUARD_RETURN_IF_ERROR(response.FinishBody());
  std::string date = warc::DateOf(capture);
  Result<PendingRecord> record =
      warc::MakeRevisit(capture, date, response.StoredHead(), original);
  if (!record.ok()) return record.status();
  return rep_->WriteRequestAnd(capture, date, request, *record);
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
  ROTGUARD_RETURN_IF_ERROR(body.rep_->ComputeDigests());
  const BodyHasher::Digests& digests = *body.rep_->digests;
  warc::ResourceParts parts;
  parts.content_type = content_type;
  parts.body = &body;
  parts.body_memory = Rep::MemoryOf(body);
  parts.sha1 = digests.sha1;
  parts.sha256 = digests.sha256;
  Result<PendingRecord> record =
      warc::MakeResource(capture, warc::DateOf(capture), parts);
  if (!record.ok()) return record.status();
  return rep_->WriteSingle(*record);
}

Result<WarcRecordLocation> WarcWriter::WriteMetadata(
    const WarcCapture& capture, const WarcMetadataLink& link,
    const WarcFields& fields) {
  Result<PendingRecord> record =
      warc::MakeMetadata(capture, warc::DateOf(capture), link, fields);
  if (!record.ok()) return record.status();
  return rep_->WriteSingle(*record);
}

// fdatasync outside the writer's lock: it makes every byte appended
// before the call durable without stopping other threads' appends for the
// disk's latency. The lease keeps the file from being closed under it; a
// file closed meanwhile was fsync'ed by CloseFile().
Status WarcWriter::Sync() {
  warc::RollingWarcFile::SyncLease lease;
  {
    std::lock_guard<std::mutex> lock(rep_->mu);
    ROTGUARD_RETURN_IF_ERROR(rep_->file.broken());
    lease = rep_->file.LeaseForSync();
  }
  // The lease is given back before `mu` is taken again: CloseFile() takes
  // them the other way round.
  Status status = warc::RollingWarcFile::SyncLeased(std::move(lease));
  if (!status.ok()) {
    std::lock_guard<std::mutex> lock(rep_->mu);
    rep_->file.MarkBroken(status);
  }
  return status;
}

Status WarcWriter::Close() {
  std::lock_guard<std::mutex> lock(rep_->mu);
  return rep_->CloseFile();
}

std::string WarcWriter::current_file_name() const {
  std::lock_guard<std::mutex> lock(rep_->mu);
  return rep_->file.is_open() ? rep_->file.file_name() : std::string();
}

}  // namespace rotguard
