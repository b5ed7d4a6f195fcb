#include "warc/record_builder.h"

#include <libdeflate.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "rotguard/http_head.h"
#include "util/ascii.h"
#include "util/digest.h"
#include "util/handles.h"
#include "util/time_format.h"
#include "warc/format.h"
#include "warc/gzip_member.h"

#ifndef ROTGUARD_VERSION
#define ROTGUARD_VERSION "0"
#endif

namespace rotguard {
namespace {

// Large bodies get a trial compression of their first bytes: deflating
// bytes that do not shrink (media or archives served as
// application/octet-stream, random data) was most of the CPU of a run over
// big files and saved nothing. Small bodies skip the trial, which would
// cost as much as compressing them.
constexpr uint64_t kCompressTrialMinBody = 256 * 1024;
constexpr size_t kCompressTrialBytes = 64 * 1024;

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

std::string FormatWarcDate(std::chrono::system_clock::time_point when) {
  return FormatUtcMicros(when);
}

namespace warc {

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

std::string FieldValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c != '\r' && c != '\n') out.push_back(c);
  }
  return out;
}

// Deflating these costs the most CPU and saves ~1 %, so their records are
// stored (level 0).
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
  if (FindHeader(head, "Content-Encoding", &value)) {
    std::string coding = AsciiLowercase(value);
    if (!coding.empty() && coding != "identity") return true;
  }
  return FindHeader(head, "Content-Type", &value) &&
         IsIncompressibleType(value);
}

namespace {

// A record of `type` with a fresh id.
Result<PendingRecord> NewRecord(std::string_view type) {
  PendingRecord record;
  record.type = std::string(type);
  Result<std::string> id = NewRecordId();
  if (!id.ok()) return id.status();
  record.record_id = std::move(id).value();
  return record;
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

// A record of `type` for `capture`, with its common fields.
Result<PendingRecord> NewCaptureRecord(std::string_view type,
                                       const WarcCapture& capture,
                                       const std::string& date) {
  Result<PendingRecord> record = NewRecord(type);
  if (record.ok()) AddCaptureFields(capture, date, *record);
  return record;
}

void AppendField(std::string& block, std::string_view name,
                 std::string_view value) {
  block.append(FieldValue(name)).append(": ");
  block.append(FieldValue(value)).append(kCrlf);
}

}  // namespace

Result<PendingRecord> MakeWarcinfo(const WarcWriterOptions& options,
                                   std::string_view host,
                                   const std::string& file_name) {
  Result<PendingRecord> info = NewRecord(kTypeWarcinfo);
  if (!info.ok()) return info;
  info->location.date = FormatWarcDate(std::chrono::system_clock::now());
  info->fields.Add("WARC-Date", info->location.date);
  // The file's own name: a worker's files live in a directory of the
  // store (prefix "ID/rotguard"), which is no part of it.
  info->fields.Add("WARC-Filename",
                   std::filesystem::path(file_name).filename().string());
  info->content_type = std::string(kWarcFieldsType);
  auto add = [&](std::string_view name, std::string_view value) {
    if (!value.empty()) AppendField(info->prefix, name, value);
  };
  add("software", options.software.empty()
                      ? std::string("rotguard/") + ROTGUARD_VERSION
                      : options.software);
  add("format", kFormat);
  add("conformsTo", kConformsTo);
  add("hostname", host);
  add("robots", options.robots);
  add("http-header-user-agent", options.user_agent);
  add("operator", options.operator_name);
  add("isPartOf", options.is_part_of);
  return info;
}

Result<PendingRecord> MakeRequest(const WarcCapture& capture,
                                  const std::string& date,
                                  std::string_view request) {
  Result<PendingRecord> record = NewCaptureRecord(kTypeRequest, capture, date);
  if (!record.ok()) return record;
  record->prefix.assign(request);
  record->content_type = std::string(kHttpRequestType);
  // The request payload is what follows its head (empty for a GET).
  size_t head_end = FindHeadEnd(request);
  std::string_view payload =
      head_end == 0 ? std::string_view() : request.substr(head_end);
  record->payload_digest = WarcSha1Label(Sha1(payload));
  record->location.payload_digest = record->payload_digest;
  record->location.payload_sha256 = Sha256Hex(payload);
  record->location.payload_length = payload.size();
  return record;
}

Result<PendingRecord> MakeResponse(const WarcCapture& capture,
                                   const std::string& date,
                                   ResponseParts parts) {
  Result<PendingRecord> record = NewCaptureRecord(kTypeResponse, capture, date);
  if (!record.ok()) return record;
  if (!parts.truncated.empty()) {
    record->fields.Add("WARC-Truncated", parts.truncated);
  }
  if (!capture.memento_datetime.empty()) {
    record->fields.Add("Memento-Datetime", capture.memento_datetime);
  }
  record->prefix = std::move(parts.stored_head);
  record->body = parts.body;
  record->body_memory = parts.body_memory;
  record->block_sha1 = std::move(parts.block_sha1);
  record->payload_digest = parts.payload_digest;
  record->content_type = std::string(kHttpResponseType);
  record->incompressible = IsIncompressibleResponse(parts.head) ||
                           WarcBodyDoesNotShrink(*parts.body);
  record->location.payload_digest = std::move(parts.payload_digest);
  record->location.payload_sha256 = std::move(parts.payload_sha256);
  record->location.payload_length = parts.body->size();
  record->location.truncated = std::move(parts.truncated);
  return record;
}

Result<PendingRecord> MakeRevisit(const WarcCapture& capture,
                                  const std::string& date,
                                  std::string stored_head,
                                  const WarcRevisitOf& original) {
  Result<PendingRecord> record = NewCaptureRecord(kTypeRevisit, capture, date);
  if (!record.ok()) return record;
  record->fields.Add("WARC-Profile", std::string(kRevisitProfile));
  record->fields.Add("WARC-Refers-To", original.record_id);
  record->fields.Add("WARC-Refers-To-Target-URI", original.target_uri);
  record->fields.Add("WARC-Refers-To-Date", original.date);
  record->fields.Add("WARC-Truncated", std::string(kWarcTruncatedLength));
  record->prefix = std::move(stored_head);
  record->payload_digest = original.payload_digest;
  record->content_type = std::string(kHttpResponseType);
  record->location.payload_digest = original.payload_digest;
  record->location.payload_sha256 = original.payload_sha256;
  record->location.payload_length = original.payload_length;
  record->location.truncated = std::string(kWarcTruncatedLength);
  return record;
}

Result<PendingRecord> MakeResource(const WarcCapture& capture,
                                   const std::string& date,
                                   const ResourceParts& parts) {
  Result<PendingRecord> record = NewCaptureRecord(kTypeResource, capture, date);
  if (!record.ok()) return record;
  if (!capture.concurrent_to.empty()) {
    record->fields.Add("WARC-Concurrent-To", capture.concurrent_to);
  }
  record->body = parts.body;
  record->body_memory = parts.body_memory;
  // payload == block: the body's own digests serve for both.
  record->block_sha1 = parts.sha1;
  record->payload_digest = WarcSha1Label(parts.sha1);
  record->content_type.assign(parts.content_type);
  record->incompressible = IsIncompressibleType(parts.content_type);
  record->location.payload_digest = record->payload_digest;
  record->location.payload_sha256 = HexEncode(parts.sha256);
  record->location.payload_length = parts.body->size();
  return record;
}

Result<PendingRecord> MakeMetadata(const WarcCapture& capture,
                                   const std::string& date,
                                   const WarcMetadataLink& link,
                                   const WarcFields& fields) {
  Result<PendingRecord> record = NewCaptureRecord(kTypeMetadata, capture, date);
  if (!record.ok()) return record;
  if (!link.concurrent_to.empty()) {
    record->fields.Add("WARC-Concurrent-To", link.concurrent_to);
  }
  if (!link.refers_to.empty()) {
    record->fields.Add("WARC-Refers-To", link.refers_to);
  }
  for (const auto& [name, value] : fields.fields()) {
    AppendField(record->prefix, name, value);
  }
  record->content_type = std::string(kWarcFieldsType);
  return record;
}

void LinkConcurrent(PendingRecord& request, PendingRecord& response) {
  request.fields.Add("WARC-Concurrent-To", response.record_id);
  response.fields.Add("WARC-Concurrent-To", request.record_id);
}

std::string DateOf(const WarcCapture& capture) {
  return FormatWarcDate(
      capture.date.value_or(std::chrono::system_clock::now()));
}

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
  uint32_t crc = Crc32(0, record.prefix);
  crc = Crc32(crc, record.body_memory);
  return Crc32(crc, kRecordTrailer);
}

std::string SerializeHeader(const PendingRecord& record,
                            const std::string& info_id) {
  std::string h;
  h.reserve(512);
  h.append(kVersion11).append(kCrlf);
  h.append("WARC-Type: ").append(record.type).append(kCrlf);
  h.append("WARC-Record-ID: ").append(record.record_id).append(kCrlf);
  if (record.type != kTypeWarcinfo && !info_id.empty()) {
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

std::string SerializeRecord(const PendingRecord& record,
                            const std::string& info_id) {
  std::string raw = SerializeHeader(record, info_id);
  raw.reserve(raw.size() + record.block_length() + kRecordTrailer.size());
  raw.append(record.prefix);
  raw.append(record.body_memory);
  raw.append(kRecordTrailer);
  return raw;
}

}  // namespace warc
}  // namespace rotguard
