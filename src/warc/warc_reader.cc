// WarcReader: see include/rotguard/warc_reader.h.
//
// How the reader moves through a file:
//   .warc.gz: at each member start it checks the gzip magic (else the
//     bytes up to the next magic are trailing garbage), inflates the member
//     (GzipMemberDecoder stops at the member end) and parses one record
//     from it. A member that holds more than that record is reported once
//     as whole-file-gzip and its next records are parsed from it; a member
//     that ends early, is torn or fails its CRC is reported and the reader
//     goes on with the next member.
//   .warc: records follow each other; stray CR/LF between them are
//     skipped. Anything else where a record should start is garbage (or a
//     bad header at offset 0); after it, or after a record whose
//     Content-Length is wrong, the reader scans for the next "WARC/" at a
//     line start.
// Every loop step consumes input, so no input makes the reader spin.
#include "rotguard/warc_reader.h"

#include <fcntl.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>

#include "rotguard/chunked.h"
#include "rotguard/digest_check.h"
#include "rotguard/http_head.h"
#include "util/ascii.h"
#include "util/digest.h"
#include "util/handles.h"
#include "warc/arc_format.h"
#include "warc/format.h"
#include "warc/input.h"
#include "warc/sha1_lanes.h"

namespace rotguard {
namespace {

using warc::DigestCheck;
using warc::DigestParse;
using warc::SegmentEnd;

constexpr size_t kMaxStoredProblems = 100000;

// wget writes WARC-Target-URI: <http://...> (the WARC/1.0 grammar).
std::string StripAngles(std::string_view uri) {
  if (uri.size() >= 2 && uri.front() == '<' && uri.back() == '>') {
    uri = uri.substr(1, uri.size() - 2);
  }
  return std::string(uri);
}

// Parses the header block (version line through the blank line) into
// `record`; returns "" or what is wrong with it.
std::string ParseHeaderBlock(std::string_view block, WarcRecordInfo* record) {
  size_t line_end = block.find('\n');
  record->version = std::string(TrimHeaderSpace(block.substr(0, line_end)));
  if (!record->version.starts_with("WARC/")) return "missing version line";
  size_t pos = line_end + 1;
  int line_number = 1;
  while (pos < block.size()) {
    size_t end = block.find('\n', pos);
    if (end == std::string_view::npos) end = block.size();
    std::string_view line = block.substr(pos, end - pos);
    pos = end + 1;
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) break;
    if (line.front() == ' ' || line.front() == '\t') {
      // A folded continuation line (not written by rotguard; tolerated).
      if (record->fields.empty()) {
        return "continuation line before any field";
      }
      WarcFields refolded;
      auto fields = record->fields.fields();
      fields.back().second += " ";
      fields.back().second += TrimHeaderSpace(line);
      for (auto& [name, value] : fields) refolded.Add(name, value);
      record->fields = std::move(refolded);
      continue;
    }
    size_t colon = line.find(':');
    std::string_view name = colon == std::string_view::npos
                                ? ""
                                : TrimHeaderSpace(line.substr(0, colon));
    if (name.empty()) {
      return "malformed field line " + std::to_string(line_number);
    }
    record->fields.Add(std::string(name),
                       std::string(TrimHeaderSpace(line.substr(colon + 1))));
  }
  const std::string* length = record->fields.Find("Content-Length");
  if (!length) return "missing Content-Length";
  uint64_t value = 0;
  auto [ptr, ec] =
      std::from_chars(length->data(), length->data() + length->size(), value);
  if (length->empty() || ec != std::errc() ||
      ptr != length->data() + length->size()) {
    return "invalid Content-Length \"" + *length + "\"";
  }
  record->content_length = value;
  record->type = record->fields.Get("WARC-Type");
  record->target_uri = StripAngles(record->fields.Get("WARC-Target-URI"));
  record->date = record->fields.Get("WARC-Date");
  record->record_id = record->fields.Get("WARC-Record-ID");
  record->content_type = record->fields.Get("Content-Type");
  record->block_digest = record->fields.Get("WARC-Block-Digest");
  record->payload_digest = record->fields.Get("WARC-Payload-Digest");
  record->ip_address = record->fields.Get("WARC-IP-Address");
  record->is_http =
      StartsWithIgnoreCase(record->content_type, "application/http");
  return "";
}

// How a record's header ends, and what its damage is called: a WARC
// header block or an ARC header line (FillHeader).
struct HeaderFraming {
  // The header's length at the start of `buffered`, terminator included;
  // 0 while it has not ended; kNotAHeader when it cannot be one.
  size_t (*end_of)(std::string_view buffered);
  size_t max_bytes;
  const char* name;  // "file ends inside <name>"
  const char* too_long;
  const char* not_a_header;
};

constexpr size_t kNotAHeader = std::string_view::npos;

size_t WarcHeaderEnd(std::string_view buffered) {
  std::string_view version("WARC/");
  if (!buffered.starts_with(
          version.substr(0, std::min(version.size(), buffered.size())))) {
    return kNotAHeader;
  }
  return warc::FindHeadEnd(buffered);
}

size_t ArcLineEnd(std::string_view buffered) {
  size_t lf = buffered.find('\n');
  return lf == std::string_view::npos ? 0 : lf + 1;
}

constexpr HeaderFraming kWarcHeaderFraming{
    WarcHeaderEnd, warc::kMaxHeaderBytes, "the record header",
    "header block larger than 1 MiB",
    "missing version line: not a WARC record"};

constexpr HeaderFraming kArcLineFraming{
    ArcLineEnd, warc::kArcMaxHeaderLine, "the ARC record header line",
    "ARC header line longer than 64 KiB", ""};

}  // namespace

struct WarcReader::Rep {
  std::string name;
  WarcReaderOptions options;
  std::unique_ptr<warc::Source> source;
  warc::RawReader raw{nullptr};
  bool gz = false;
  bool arc = false;  // an ARC file (see arc_format.h)
  warc::ArcFileInfo arc_info;
  warc::GzipMemberDecoder gzip{&raw};
  warc::PlainDecoder plain{&raw};
  warc::Stream stream;
  std::vector<WarcProblem> problems;

  // Position.
  bool in_member = false;
  uint64_t member_start = 0;
  bool quiet_resync = false;  // after a damaged member: no garbage report
  bool whole_file_reported = false;
  bool at_input_start = true;
  // StopAt(): no member starting at or past stop_at is read.
  uint64_t stop_at = UINT64_MAX;
  bool stopped_at_boundary = false;

  // The current record.
  bool have_record = false;
  bool finished = true;
  WarcRecordInfo record;
  uint64_t block_start = 0;  // stream offset of the block
  uint64_t block_pos = 0;    // block bytes consumed
  bool block_incomplete = false;
  DigestCheck block_check;
  DigestCheck payload_check;  // over the payload as stored
  // Both checks sha1: their bytes hashed in one pass (sha1_lanes.h).
  std::optional<warc::Sha1Lanes> sha1_lanes;
  DigestCheck dechunked_check;  // over the de-chunked payload
  warc::ChunkedDecoder digest_decoder;
  bool payload_reading = false;
  warc::ChunkedDecoder payload_decoder;
  std::string payload_pending;
  size_t payload_pending_pos = 0;

  static std::unique_ptr<Rep> Make(std::unique_ptr<warc::Source> source,
                                   std::string name, WarcReaderOptions options);
  void Report(std::string_view code, uint64_t offset, std::string message,
              WarcProblem::Severity severity = WarcProblem::Severity::kError);
  void ResetStreamAt(uint64_t pos);
  Result<bool> NextGzip();
  Result<bool> NextPlain();
  Result<bool> StartMember();
  // True (and the reader stopped) when a member starting at `pos` lies
  // at or past stop_at.
  bool StopsAt(uint64_t pos);
  Status HandleMemberEnd();
  Status DrainMember();
  // Buffers the header at the stream's position, looking further ahead
  // (4 KiB, x4 each time, up to framing.max_bytes) until framing.end_of
  // finds its end. Returns its length in stream.Available(), or 0 when
  // there is none: the segment is empty (*segment_empty) or the problem
  // is reported.
  Result<size_t> FillHeader(uint64_t offset, const HeaderFraming& framing,
                            bool* segment_empty);
  // true: a record was parsed; false: problem reported / nothing there.
  Result<bool> ParseRecord(uint64_t offset, bool* segment_empty);
  // The block of the record whose header was just consumed.
  Result<bool> BeginBlock();
  Status DetectArc();
  Result<bool> ParseArcRecord(uint64_t offset, bool* segment_empty);
  // The header line at the stream's position (without LF), or false with
  // the problem reported.
  Result<bool> ReadArcHeaderLine(uint64_t offset, std::string* line,
                                 bool* segment_empty);
  void FillArcRecord(const warc::ArcHeader& header, bool http_response);
  Status ResyncArc(uint64_t from);
  Status ParkAtEnd(uint64_t from);
  void StartDigests();
  Result<size_t> ReadBlockBytes(char* buf, size_t n);
  void VerifyDigests();
  Status Finish();
  Status ResyncPlain(uint64_t from);
  // Checks the record's trailer (CRLF CRLF; LF for ARC); true when it is
  // missing. Sets *resync when a plain file must look for the next record.
  Result<bool> CheckTrailer(bool* resync);
};

void WarcReader::Rep::Report(std::string_view code, uint64_t offset,
                             std::string message,
                             WarcProblem::Severity severity) {
  WarcProblem problem{name, offset, std::string(code), std::move(message),
                      severity};
  if (have_record && !finished) record.problems.push_back(problem);
  if (options.on_problem) options.on_problem(problem);
  if (problems.size() < kMaxStoredProblems) {
    problems.push_back(std::move(problem));
  }
}

void WarcReader::Rep::ResetStreamAt(uint64_t pos) {
  raw.SeekTo(pos);
  plain.Reset();
  stream.Reset(&plain, pos);
}

// ---- gzip members
// ------------------------------------------------------------

bool WarcReader::Rep::StopsAt(uint64_t pos) {
  if (pos < stop_at) return false;
  // A whole-file reader arrives at stop_at in the state a reader that
  // starts there has only when a member starts exactly there, no quiet
  // resync scan is under way (it would skip garbage a fresh reader
  // reports) and no whole-file-gzip note was made (it is made once).
  stopped_at_boundary = pos == stop_at && !quiet_resync && !whole_file_reported;
  return true;
}

Result<bool> WarcReader::Rep::StartMember() {
  constexpr std::string_view kMagic = warc::kGzipMagic;
  uint64_t pos = raw.pos();
  if (StopsAt(pos)) return false;
  char head[kMagic.size()];
  Result<size_t> got = source->ReadAt(pos, head, sizeof head);
  if (!got.ok()) return got.status();
  if (*got == 0) return false;
  std::string_view start(head, *got);
  if (*got < sizeof head && kMagic.starts_with(start)) {
    // The file ends inside a member's first bytes: a write cut short.
    if (!quiet_resync) {
      Report(warc_problem::kTornMember, pos,
             "file ends inside a gzip member header");
    }
    return false;
  }
  if (start != kMagic) {
    Result<std::optional<uint64_t>> next =
        warc::ScanFor(*source, pos + 1, kMagic);
    if (!next.ok()) return next.status();
    if (!quiet_resync) {
      std::string extent = next->has_value()
                               ? std::to_string(**next - pos) + " bytes"
                               : "everything to the end of the file";
      Report(warc_problem::kTrailingGarbage, pos,
             "not a gzip member: " + extent + " of garbage");
    }
    if (!next->has_value()) return false;
    pos = **next;
    // The member after the garbage (or the damaged member) is where a
    // whole-file reader starts afresh: clean when that is stop_at.
    quiet_resync = false;
    if (StopsAt(pos)) return false;
  }
  quiet_resync = false;
  raw.SeekTo(pos);
  ROTGUARD_RETURN_IF_ERROR(gzip.Reset());
  stream.Reset(&gzip, 0);
  member_start = pos;
  in_member = true;
  return true;
}

Status WarcReader::Rep::HandleMemberEnd() {
  in_member = false;
  switch (gzip.end()) {
    case SegmentEnd::kClean:
    case SegmentEnd::kNone:
      return Status::Ok();
    case SegmentEnd::kTorn:
      Report(warc_problem::kTornMember, member_start,
             "gzip member is cut off by the end of the file");
      return Status::Ok();
    case SegmentEnd::kCrc:
      Report(warc_problem::kGzipCrc, member_start,
             "gzip member fails its check: " + gzip.error());
      break;
    case SegmentEnd::kCorrupt:
      Report(warc_problem::kTornMember, member_start,
             "gzip member is damaged: " + gzip.error());
      break;
  }
  // Resume at the next gzip magic after the damaged member's start.
  raw.SeekTo(member_start + 1);
  quiet_resync = true;
  return Status::Ok();
}

Status WarcReader::Rep::DrainMember() {
  char scratch[warc::kReadChunk];
  for (;;) {
    Result<size_t> got = stream.Read(scratch, sizeof scratch);
    if (!got.ok()) return got.status();
    if (*got == 0) break;
  }
  return HandleMemberEnd();
}

Result<bool> WarcReader::Rep::NextGzip() {
  for (;;) {
    if (!in_member) {
      Result<bool> started = StartMember();
      if (!started.ok() || !*started) return started;
    }
    bool empty = false;
    Result<bool> parsed = ParseRecord(member_start, &empty);
    if (!parsed.ok()) return parsed;
    if (*parsed) return true;
    if (empty) {
      ROTGUARD_RETURN_IF_ERROR(HandleMemberEnd());
    } else {
      ROTGUARD_RETURN_IF_ERROR(DrainMember());
    }
  }
}

// ---- plain files
// ---------------------------------------------------------------

Status WarcReader::Rep::ParkAtEnd(uint64_t from) {
  uint64_t end = from;
  char scratch[warc::kReadChunk];
  for (;;) {
    Result<size_t> got = source->ReadAt(end, scratch, sizeof scratch);
    if (!got.ok()) return got.status();
    if (*got == 0) break;
    end += *got;
  }
  ResetStreamAt(end);
  return Status::Ok();
}

Status WarcReader::Rep::ResyncPlain(uint64_t from) {
  if (arc) return ResyncArc(from);
  Result<std::optional<uint64_t>> next =
      warc::ScanFor(*source, from, "\nWARC/");
  if (!next.ok()) return next.status();
  // Nothing more: park at the end of the input.
  if (!next->has_value()) return ParkAtEnd(from);
  ResetStreamAt(**next + 1);
  return Status::Ok();
}

// The next line start after `from` that holds a valid ARC header line.
Status WarcReader::Rep::ResyncArc(uint64_t from) {
  uint64_t pos = from;
  for (;;) {
    Result<std::optional<uint64_t>> next = warc::ScanFor(*source, pos, "\n");
    if (!next.ok()) return next.status();
    if (!next->has_value()) return ParkAtEnd(pos);
    uint64_t candidate = **next + 1;
    char buf[4096];
    Result<size_t> got = source->ReadAt(candidate, buf, sizeof buf);
    if (!got.ok()) return got.status();
    std::string_view view(buf, *got);
    size_t end = view.find('\n');
    warc::ArcHeader header;
    if (end != std::string_view::npos &&
        warc::ParseArcHeaderLine(view.substr(0, end), arc_info.field_count,
                                 &header)
            .empty()) {
      ResetStreamAt(candidate);
      return Status::Ok();
    }
    pos = candidate;
  }
}

Result<bool> WarcReader::Rep::NextPlain() {
  for (;;) {
    // Skip stray line ends between records.
    for (;;) {
      Result<size_t> avail = stream.Fill(1);
      if (!avail.ok()) return avail.status();
      if (*avail == 0) return false;
      std::string_view view = stream.Available();
      size_t skip = view.find_first_not_of("\r\n");
      if (skip == std::string_view::npos) {
        stream.Consume(view.size());
        continue;
      }
      stream.Consume(skip);
      break;
    }
    uint64_t offset = stream.offset();
    Result<size_t> avail = stream.Fill(5);
    if (!avail.ok()) return avail.status();
    std::string_view start = stream.Available();
    if (!arc && *avail < 5 && std::string_view("WARC/").starts_with(start)) {
      Report(warc_problem::kTornMember, offset,
             "file ends inside a record's version line");
      stream.Consume(start.size());
      return false;
    }
    if (!arc && !start.starts_with("WARC/")) {
      if (at_input_start) {
        Report(warc_problem::kBadHeader, offset,
               "missing version line: not a WARC file");
      } else {
        Report(warc_problem::kTrailingGarbage, offset,
               "bytes that are not a WARC record");
      }
      at_input_start = false;
      ROTGUARD_RETURN_IF_ERROR(ResyncPlain(offset));
      continue;
    }
    at_input_start = false;
    bool empty = false;
    Result<bool> parsed = ParseRecord(offset, &empty);
    if (!parsed.ok()) return parsed;
    if (*parsed) return true;
    if (empty) return false;
    ROTGUARD_RETURN_IF_ERROR(ResyncPlain(offset + 1));
  }
}

// ---- records
// -------------------------------------------------------------------

Result<size_t> WarcReader::Rep::FillHeader(uint64_t offset,
                                           const HeaderFraming& framing,
                                           bool* segment_empty) {
  size_t want = 4096;
  for (;;) {
    Result<size_t> avail = stream.Fill(want);
    if (!avail.ok()) return avail.status();
    if (*avail == 0) {
      *segment_empty = true;
      return 0;
    }
    size_t length = framing.end_of(stream.Available());
    if (length == kNotAHeader) {
      Report(warc_problem::kBadHeader, offset, framing.not_a_header);
      return 0;
    }
    if (length > 0) return length;
    if (*avail < want) {
      if (!gz) {
        Report(warc_problem::kTornMember, offset,
               std::string("file ends inside ") + framing.name);
      } else if (stream.end() == SegmentEnd::kClean) {
        Report(warc_problem::kBadHeader, offset,
               std::string("gzip member ends inside ") + framing.name);
      }  // else the damaged member is reported once, at its end
      return 0;
    }
    if (want >= framing.max_bytes) {
      Report(warc_problem::kBadHeader, offset, framing.too_long);
      return 0;
    }
    want = std::min(want * 4, framing.max_bytes);
  }
}

Result<bool> WarcReader::Rep::ParseRecord(uint64_t offset,
                                          bool* segment_empty) {
  if (arc) return ParseArcRecord(offset, segment_empty);
  record = WarcRecordInfo();
  record.offset = offset;
  Result<size_t> header_length =
      FillHeader(offset, kWarcHeaderFraming, segment_empty);
  if (!header_length.ok()) return header_length.status();
  if (*header_length == 0) return false;
  std::string error =
      ParseHeaderBlock(stream.Available().substr(0, *header_length), &record);
  if (!error.empty()) {
    Report(warc_problem::kBadHeader, offset, error);
    return false;
  }
  stream.Consume(*header_length);
  return BeginBlock();
}

Result<bool> WarcReader::Rep::BeginBlock() {
  block_start = stream.offset();
  block_pos = 0;
  block_incomplete = false;
  payload_reading = false;
  payload_decoder = warc::ChunkedDecoder();
  payload_pending.clear();
  payload_pending_pos = 0;
  if (record.is_http && record.content_length > 0) {
    size_t peek = static_cast<size_t>(
        std::min<uint64_t>(record.content_length, warc::kMaxHttpHeadBytes));
    Result<size_t> avail = stream.Fill(peek);
    if (!avail.ok()) return avail.status();
    std::string_view head = stream.Available().substr(0, peek);
    record.http_head_length = warc::FindHeadEnd(head);
    std::string_view start = warc::StartLine(head);
    record.http_status = warc::ParseStatusCode(start);
    if (record.http_status == 0 && !start.starts_with("HTTP/")) {
      record.http_request_line = std::string(start);
    }
    if (record.http_head_length > 0) {
      record.http_chunked = warc::HeadSaysChunked(
          head.substr(0, static_cast<size_t>(record.http_head_length)));
    }
  }
  have_record = true;
  finished = false;
  StartDigests();
  return true;
}

void WarcReader::Rep::StartDigests() {
  block_check = DigestCheck();
  payload_check = DigestCheck();
  sha1_lanes.reset();
  dechunked_check = DigestCheck();
  digest_decoder = warc::ChunkedDecoder();
  if (!options.verify_digests) return;
  // A value that decodes in no encoding is reported with the record's
  // other digest failures, at its end (VerifyDigests); only a label that
  // cannot be checked at all is reported here.
  auto start = [&](DigestCheck& check, const std::string& field,
                   std::string_view code) {
    switch (check.Start(field)) {
      case DigestParse::kOk:
      case DigestParse::kBadValue:
        return true;
      case DigestParse::kUnknownAlgorithm:
        Report(warc_problem::kUnknownDigest, record.offset,
               "digest algorithm not checked: " + field,
               WarcProblem::Severity::kNote);
        return false;
      case DigestParse::kNoLabel:
        Report(code, record.offset,
               "unreadable digest: record says " + field +
                   ", which has no algorithm label");
        return false;
    }
    return false;
  };
  if (!record.block_digest.empty()) {
    start(block_check, record.block_digest, warc_problem::kBlockDigest);
  }
  // A revisit's payload digest names the original's payload; an HTTP
  // record without a head end has no payload we can find.
  bool payload_known = !record.is_http || record.http_head_length > 0;
  if (!record.payload_digest.empty() && record.type != "revisit" &&
      payload_known) {
    if (start(payload_check, record.payload_digest,
              warc_problem::kPayloadDigest) &&
        record.http_chunked) {
      dechunked_check.Start(record.payload_digest);
    }
  }
  if (block_check.sha1() && payload_check.sha1()) sha1_lanes.emplace();
}

Result<size_t> WarcReader::Rep::ReadBlockBytes(char* buf, size_t n) {
  if (!have_record || finished) return size_t{0};
  uint64_t remaining = record.content_length - block_pos;
  if (remaining == 0) return size_t{0};
  size_t want = static_cast<size_t>(std::min<uint64_t>(n, remaining));
  Result<size_t> got = stream.Read(buf, want);
  if (!got.ok()) return got;
  if (*got == 0) {
    block_incomplete = true;
    return got;
  }
  std::string_view bytes(buf, *got);
  uint64_t head = record.is_http ? record.http_head_length : 0;
  size_t head_part = block_pos >= head ? 0
                                       : static_cast<size_t>(std::min<uint64_t>(
                                             head - block_pos, bytes.size()));
  if (sha1_lanes) {
    sha1_lanes->UpdateFirst(bytes.substr(0, head_part));
    sha1_lanes->UpdateBoth(bytes.substr(head_part));
  } else {
    block_check.Update(bytes);
  }
  if (head_part < bytes.size()) {
    std::string_view payload = bytes.substr(head_part);
    if (!sha1_lanes) payload_check.Update(payload);
    if (dechunked_check.active()) {
      digest_decoder.Feed(payload, [&](std::string_view decoded) {
        dechunked_check.Update(decoded);
      });
    }
  }
  block_pos += bytes.size();
  return got;
}

namespace {

// "payload digest differs" or, for a value that decodes in no encoding,
// "payload digest value is unreadable (...)": either way one finding.
std::string DigestFailure(std::string_view what, const DigestCheck& check) {
  if (check.readable()) return std::string(what) + " digest differs";
  return std::string(what) +
         " digest value is unreadable (no base16, base32 or base64 "
         "encoding of that algorithm's size)";
}

}  // namespace

void WarcReader::Rep::VerifyDigests() {
  // Matching finishes a check (active() is false after it).
  bool block_active = block_check.active();
  bool block_ok = sha1_lanes
                      ? block_check.MatchesDigest(sha1_lanes->FinalFirst())
                      : block_check.Matches();
  if (block_active && !block_ok) {
    Report(warc_problem::kBlockDigest, record.offset,
           DigestFailure("block", block_check) + ": record says " +
               block_check.expected() + ", block hashes to " +
               block_check.actual());
  }
  if (!payload_check.active()) return;
  bool raw_ok = sha1_lanes
                    ? payload_check.MatchesDigest(sha1_lanes->FinalSecond())
                    : payload_check.Matches();
  if (!dechunked_check.active()) {
    if (!raw_ok) {
      Report(warc_problem::kPayloadDigest, record.offset,
             DigestFailure("payload", payload_check) + ": record says " +
                 payload_check.expected() + ", payload hashes to " +
                 payload_check.actual());
    }
    return;
  }
  bool dechunked_ok = dechunked_check.Matches();
  if (dechunked_ok) return;
  if (raw_ok) {
    Report(warc_problem::kChunkedPayloadDigest, record.offset,
           "payload digest covers the transfer-encoded (chunked) body, not "
           "the de-chunked entity (which hashes to " +
               dechunked_check.actual() + ")",
           WarcProblem::Severity::kNote);
    return;
  }
  Report(warc_problem::kPayloadDigest, record.offset,
         DigestFailure("payload", payload_check) + ": record says " +
             payload_check.expected() + ", de-chunked payload hashes to " +
             dechunked_check.actual() + ", chunked bytes to " +
             payload_check.actual());
}

Result<bool> WarcReader::Rep::CheckTrailer(bool* resync) {
  std::string_view trailer =
      arc ? std::string_view("\n") : warc::kRecordTrailer;
  Result<size_t> avail = stream.Fill(trailer.size());
  if (!avail.ok()) return avail.status();
  std::string_view tail = stream.Available();
  if (tail.starts_with(trailer)) {
    stream.Consume(trailer.size());
    return false;
  }
  // Some ARC writers leave out the LF after the file's last record.
  if (arc && *avail == 0 && stream.end() == SegmentEnd::kClean) return false;
  bool cut_short = *avail < trailer.size() && trailer.starts_with(tail);
  bool member_damaged = gz && stream.end() != SegmentEnd::kNone &&
                        stream.end() != SegmentEnd::kClean;
  if (member_damaged) {
    // reported with the member
  } else if (!gz && cut_short) {
    Report(warc_problem::kTornMember, record.offset,
           "file ends before the record's closing CRLF CRLF");
  } else if (arc) {
    Report(warc_problem::kMissingCrlf, record.offset,
           "record is not followed by LF: length field " +
               std::to_string(record.content_length) + " looks wrong");
    *resync = !gz;
  } else {
    Report(warc_problem::kMissingCrlf, record.offset,
           "record is not followed by CRLF CRLF: Content-Length " +
               std::to_string(record.content_length) + " looks wrong");
    *resync = !gz;
  }
  return true;
}

Status WarcReader::Rep::Finish() {
  if (!have_record || finished) return Status::Ok();
  char scratch[warc::kReadChunk];
  while (!block_incomplete && block_pos < record.content_length) {
    Result<size_t> got = ReadBlockBytes(scratch, sizeof scratch);
    if (!got.ok()) return got.status();
  }
  bool resync_plain = false;
  bool trailer_missing = false;
  if (block_incomplete) {
    trailer_missing = true;
    std::string missing = std::to_string(record.content_length - block_pos) +
                          " of " + std::to_string(record.content_length) +
                          " block bytes missing";
    // A damaged gzip member is reported once, by HandleMemberEnd; here
    // only what the member's end does not explain.
    bool member_damaged = gz && stream.end() != SegmentEnd::kNone &&
                          stream.end() != SegmentEnd::kClean;
    if (!gz) {
      Report(warc_problem::kTornMember, record.offset,
             "file ends inside the record (" + missing + ")");
    } else if (!member_damaged) {
      Report(warc_problem::kMissingCrlf, record.offset,
             std::string("gzip member ends before the ") +
                 (arc ? "length field" : "Content-Length") + " says (" +
                 missing + ")");
    }
  } else {
    VerifyDigests();
    Result<bool> missing = CheckTrailer(&resync_plain);
    if (!missing.ok()) return missing.status();
    trailer_missing = *missing;
  }
  if (gz) {
    Result<size_t> more = stream.Fill(1);
    if (!more.ok()) return more.status();
    if (*more == 0) {
      record.length = raw.pos() - member_start;
      ROTGUARD_RETURN_IF_ERROR(HandleMemberEnd());
    } else if (trailer_missing) {
      ROTGUARD_RETURN_IF_ERROR(DrainMember());
    } else if (!whole_file_reported) {
      whole_file_reported = true;
      Report(warc_problem::kWholeFileGzip, member_start,
             "several records share one gzip member (whole-file gzip)");
    }
  } else {
    record.length = stream.offset() - record.offset;
    if (resync_plain) {
      ROTGUARD_RETURN_IF_ERROR(ResyncPlain(block_start));
    }
  }
  finished = true;
  return Status::Ok();
}

// ---- ARC
// -----------------------------------------------------------------------

Status WarcReader::Rep::DetectArc() {
  arc = false;
  std::string start(4096, '\0');
  size_t got = 0;
  if (gz) {
    warc::RawReader first(source.get());
    warc::GzipMemberDecoder decoder(&first);
    ROTGUARD_RETURN_IF_ERROR(decoder.Reset());
    while (got < start.size()) {
      Result<size_t> n = decoder.Read(start.data() + got, start.size() - got);
      if (!n.ok()) return n.status();
      if (*n == 0) break;
      got += *n;
    }
  } else {
    Result<size_t> n = source->ReadAt(0, start.data(), start.size());
    if (!n.ok()) return n.status();
    got = *n;
  }
  start.resize(got);
  arc = start.starts_with(warc::kArcMagic);
  if (arc) arc_info = warc::ParseArcFileInfo(start);
  return Status::Ok();
}

Result<bool> WarcReader::Rep::ReadArcHeaderLine(uint64_t offset,
                                                std::string* line,
                                                bool* segment_empty) {
  Result<size_t> length = FillHeader(offset, kArcLineFraming, segment_empty);
  if (!length.ok()) return length.status();
  if (*length == 0) return false;
  line->assign(stream.Available().substr(0, *length - 1));  // without LF
  stream.Consume(*length);
  return true;
}

Result<bool> WarcReader::Rep::ParseArcRecord(uint64_t offset,
                                             bool* segment_empty) {
  record = WarcRecordInfo();
  record.offset = offset;
  std::string line;
  Result<bool> read = ReadArcHeaderLine(offset, &line, segment_empty);
  if (!read.ok() || !*read) return read;
  warc::ArcHeader header;
  std::string error =
      warc::ParseArcHeaderLine(line, arc_info.field_count, &header);
  if (!error.empty() && line.starts_with(warc::kArcMagic)) {
    // The file header may keep the version 1 form in a version 2 file.
    error = warc::ParseArcHeaderLine(line, 5, &header);
  }
  if (!error.empty()) {
    Report(warc_problem::kBadHeader, offset,
           "not an ARC record header line: " + error);
    return false;
  }
  bool http_response = false;
  bool http_url = StartsWithIgnoreCase(header.url, "http:") ||
                  StartsWithIgnoreCase(header.url, "https:");
  if (http_url && header.length >= 5) {
    Result<size_t> avail = stream.Fill(5);
    if (!avail.ok()) return avail.status();
    http_response = stream.Available().starts_with("HTTP/");
  }
  FillArcRecord(header, http_response);
  return BeginBlock();
}

void WarcReader::Rep::FillArcRecord(const warc::ArcHeader& header,
                                    bool http_response) {
  bool filedesc = header.url.starts_with(warc::kArcMagic);
  record.version = arc_info.version;
  record.type = filedesc ? "warcinfo" : http_response ? "response" : "resource";
  record.target_uri = header.url;
  record.date = warc::ArcDateToWarc(header.date);
  // ARC has no record ids: one derived from the file's header line and
  // the record's offset is stable across reads and unique per file.
  record.record_id = "<urn:sha1:" +
                     Base32Encode(Sha1(arc_info.filedesc_line + "\n" +
                                       std::to_string(record.offset))) +
                     ">";
  record.content_type = header.content_type;
  record.ip_address = header.ip;
  record.content_length = header.length;
  record.is_http = http_response;
  WarcFields& f = record.fields;
  f.Add("WARC-Type", record.type);
  f.Add("WARC-Record-ID", record.record_id);
  f.Add("WARC-Date", record.date);
  f.Add(filedesc ? "WARC-Filename" : "WARC-Target-URI",
        filedesc ? header.url.substr(warc::kArcMagic.size()) : header.url);
  f.Add("WARC-IP-Address", header.ip);
  f.Add("Content-Type", header.content_type);
  f.Add("Content-Length", std::to_string(header.length));
  if (arc_info.field_count == 10 && !filedesc) {
    f.Add("ARC-Result-Code", header.result_code);
    f.Add("ARC-Checksum", header.checksum);
    f.Add("ARC-Location", header.location);
    f.Add("ARC-Offset", header.offset);
    f.Add("ARC-Filename", header.filename);
  }
}

// ---- WarcReader
// ------------------------------------------------------------------

WarcReader::WarcReader(std::unique_ptr<Rep> rep) : rep_(std::move(rep)) {}
WarcReader::~WarcReader() = default;

std::unique_ptr<WarcReader::Rep> WarcReader::Rep::Make(
    std::unique_ptr<warc::Source> source, std::string name,
    WarcReaderOptions options) {
  auto rep = std::make_unique<Rep>();
  rep->name = std::move(name);
  rep->options = std::move(options);
  rep->source = std::move(source);
  rep->raw = warc::RawReader(rep->source.get());
  return rep;
}

Result<std::unique_ptr<WarcReader>> WarcReader::Open(
    const std::filesystem::path& path, WarcReaderOptions options) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return Status::FromErrno(path.string(), errno);
  auto rep = Rep::Make(warc::NewFdSource(std::move(fd), path.string()),
                       path.string(), std::move(options));
  auto reader = std::unique_ptr<WarcReader>(new WarcReader(std::move(rep)));
  ROTGUARD_RETURN_IF_ERROR(reader->Seek(0));
  return reader;
}

std::unique_ptr<WarcReader> WarcReader::FromBuffer(std::string_view data,
                                                   std::string name,
                                                   WarcReaderOptions options) {
  auto rep = Rep::Make(warc::NewBufferSource(data), std::move(name),
                       std::move(options));
  auto reader = std::unique_ptr<WarcReader>(new WarcReader(std::move(rep)));
  reader->Seek(0);  // cannot fail on memory
  return reader;
}

bool WarcReader::compressed() const { return rep_->gz; }

bool WarcReader::arc() const { return rep_->arc; }

Status WarcReader::Seek(uint64_t offset) {
  Rep& r = *rep_;
  if (offset == 0) {
    unsigned char magic[2] = {};
    Result<size_t> got =
        r.source->ReadAt(0, reinterpret_cast<char*>(magic), sizeof magic);
    if (!got.ok()) return got.status();
    // A lone 0x1f is the start of a gzip file cut after one byte.
    std::string_view start(reinterpret_cast<char*>(magic), *got);
    r.gz = !start.empty() && warc::kGzipMagic.starts_with(start);
    ROTGUARD_RETURN_IF_ERROR(r.DetectArc());
  }
  r.have_record = false;
  r.finished = true;
  r.in_member = false;
  r.quiet_resync = false;
  r.at_input_start = offset == 0;
  r.ResetStreamAt(offset);
  return Status::Ok();
}

void WarcReader::StopAt(uint64_t end) {
  rep_->stop_at = end;
  rep_->stopped_at_boundary = false;
}

bool WarcReader::stopped_at_boundary() const {
  return rep_->stopped_at_boundary;
}

Result<bool> WarcReader::Next() {
  Rep& r = *rep_;
  ROTGUARD_RETURN_IF_ERROR(r.Finish());
  r.have_record = false;
  return r.gz ? r.NextGzip() : r.NextPlain();
}

const WarcRecordInfo& WarcReader::record() const { return rep_->record; }

Result<size_t> WarcReader::ReadBlock(void* buf, size_t size) {
  return rep_->ReadBlockBytes(static_cast<char*>(buf), size);
}

Result<size_t> WarcReader::ReadPayload(void* buf, size_t size) {
  Rep& r = *rep_;
  char* out = static_cast<char*>(buf);
  if (!r.payload_reading) {
    r.payload_reading = true;
    uint64_t head = r.record.is_http ? r.record.http_head_length : 0;
    char scratch[warc::kReadChunk];
    while (r.block_pos < head) {
      size_t want = static_cast<size_t>(
          std::min<uint64_t>(sizeof scratch, head - r.block_pos));
      Result<size_t> got = r.ReadBlockBytes(scratch, want);
      if (!got.ok()) return got;
      if (*got == 0) return size_t{0};
    }
  }
  if (!(r.record.is_http && r.record.http_chunked)) {
    return r.ReadBlockBytes(out, size);
  }
  while (r.payload_pending_pos == r.payload_pending.size()) {
    if (r.payload_decoder.done() || r.payload_decoder.failed()) {
      return size_t{0};
    }
    r.payload_pending.clear();
    r.payload_pending_pos = 0;
    char scratch[warc::kReadChunk];
    Result<size_t> got = r.ReadBlockBytes(scratch, sizeof scratch);
    if (!got.ok() || *got == 0) return got;
    r.payload_decoder.Feed(
        std::string_view(scratch, *got),
        [&](std::string_view decoded) { r.payload_pending.append(decoded); });
  }
  size_t take =
      std::min(size, r.payload_pending.size() - r.payload_pending_pos);
  std::memcpy(out, r.payload_pending.data() + r.payload_pending_pos, take);
  r.payload_pending_pos += take;
  return take;
}

Status WarcReader::FinishRecord() { return rep_->Finish(); }

const std::vector<WarcProblem>& WarcReader::problems() const {
  return rep_->problems;
}

}  // namespace rotguard
