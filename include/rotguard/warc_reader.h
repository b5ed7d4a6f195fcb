// WarcReader: iterates the records of a .warc or multi-member .warc.gz
// (detected by the gzip magic, not the name), WARC/1.0 and WARC/1.1, and
// of ARC files (.arc, .arc.gz; detected by their "filedesc://" start),
// whose records it presents as the WARC records warcio converts them to:
// the file header as `warcinfo`, an http(s) record holding an HTTP
// response as `response`, any other (dns:, ...) as `resource` with the ARC
// content type; WARC-Date, WARC-IP-Address and a stable synthetic
// WARC-Record-ID filled in. ARC has no digests to check.
// Headers are parsed whole (capped at 1 MiB); blocks are streamed in
// chunks, never loaded whole, so memory stays flat for any record size.
//
// While a block passes through (read by the caller or skipped) its
// WARC-Block-Digest and WARC-Payload-Digest are verified. Damage is not an
// error return: each problem goes to the on_problem callback (and into the
// record's `problems`) with file, offset and a stable code, and the reader
// resynchronises on the next gzip member or "WARC/" line.
//
// Usage:
//   auto reader = WarcReader::Open(path, options);
//   while (true) {
//     Result<bool> more = (*reader)->Next();
//     if (!more.ok()) ...;       // I/O error
//     if (!*more) break;         // end of input
//     const WarcRecordInfo& r = (*reader)->record();
//     ... optionally ReadBlock()/ReadPayload() ...
//     (*reader)->FinishRecord(); // now r.length and r.problems are final
//   }
//
// Thread-safety: one reader per thread.
#ifndef ROTGUARD_WARC_READER_H_
#define ROTGUARD_WARC_READER_H_

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "rotguard/status.h"
#include "rotguard/warc_record.h"

namespace rotguard {

// Stable problem codes (also used by `inspect` and `verify` output).
namespace warc_problem {
inline constexpr std::string_view kBadHeader = "bad-header";
inline constexpr std::string_view kBlockDigest = "block-digest";
inline constexpr std::string_view kPayloadDigest = "payload-digest";
// Note: the payload digest matches the transfer-encoded (chunked) body,
// as wget and warcio write it, not the de-chunked entity.
inline constexpr std::string_view kChunkedPayloadDigest =
    "chunked-payload-digest";
// Note: a digest label the reader cannot check (e.g. md5).
inline constexpr std::string_view kUnknownDigest = "unknown-digest";
inline constexpr std::string_view kTornMember = "torn-member";
inline constexpr std::string_view kGzipCrc = "gzip-crc";
inline constexpr std::string_view kTrailingGarbage = "trailing-garbage";
inline constexpr std::string_view kMissingCrlf = "missing-crlf";
inline constexpr std::string_view kWholeFileGzip = "whole-file-gzip";
}  // namespace warc_problem

struct WarcProblem {
  enum class Severity { kError, kNote };
  std::string file;     // as given to Open()/FromBuffer()
  uint64_t offset = 0;  // record / member start, or where garbage begins
  std::string code;     // one of warc_problem::k*
  std::string message;  // human text: what differed
  Severity severity = Severity::kError;
};

struct WarcRecordInfo {
  // For .gz: the gzip member start and member length (the record's
  // member). For plain files: the "WARC/" line start and the length up
  // to and including the trailing CRLF CRLF. `length` is final after
  // FinishRecord().
  uint64_t offset = 0;
  uint64_t length = 0;

  std::string version;  // "WARC/1.1"; "ARC/1.0", "ARC/1.1" for ARC records
  WarcFields fields;    // every header field, in file order
  // Shortcuts into `fields` ("" when absent).
  std::string type;            // WARC-Type
  std::string target_uri;      // WARC-Target-URI, stray <> stripped
  std::string date;            // WARC-Date
  std::string record_id;       // WARC-Record-ID
  std::string content_type;    // Content-Type
  std::string block_digest;    // WARC-Block-Digest
  std::string payload_digest;  // WARC-Payload-Digest
  std::string ip_address;      // WARC-IP-Address
  uint64_t content_length = 0;

  // application/http blocks (msgtype with or without spaces).
  bool is_http = false;
  int http_status = 0;            // response status code, 0 if none
  std::string http_request_line;  // "GET /p HTTP/1.1" for requests
  // Bytes of the HTTP head (status/request line, headers, blank line):
  // the payload starts at this offset inside the block. 0 if not found.
  uint64_t http_head_length = 0;
  bool http_chunked = false;  // the stored head says chunked

  // Problems found in this record (also sent to on_problem). Complete
  // after FinishRecord().
  std::vector<WarcProblem> problems;
};

struct WarcReaderOptions {
  bool verify_digests = true;
  std::function<void(const WarcProblem&)> on_problem;
};

class WarcReader {
 public:
  static Result<std::unique_ptr<WarcReader>> Open(
      const std::filesystem::path& path, WarcReaderOptions options = {});
  // Reads from memory (fuzzing, tests); `data` must outlive the reader.
  static std::unique_ptr<WarcReader> FromBuffer(std::string_view data,
                                                std::string name,
                                                WarcReaderOptions options = {});
  WarcReader(const WarcReader&) = delete;
  WarcReader& operator=(const WarcReader&) = delete;
  ~WarcReader();

  // True when the input starts with the gzip magic.
  bool compressed() const;
  // True for an ARC file.
  bool arc() const;

  // Finishes the current record (if any) and moves to the next one.
  // Returns false at the end of input; a non-ok status only for I/O
  // errors (damage is reported as problems).
  Result<bool> Next();
  // The current record (valid after Next() returned true).
  const WarcRecordInfo& record() const;

  // Reads up to `size` bytes of the current block; 0 at its end.
  Result<size_t> ReadBlock(void* buf, size_t size);
  // Reads up to `size` bytes of the payload: the block after the HTTP head
  // for application/http (de-chunked when the head says chunked), the
  // whole block otherwise. Do not mix with ReadBlock on one record, except
  // that ReadBlock may first read exactly the HTTP head (http_head_length
  // bytes): ReadPayload then goes on from there.
  Result<size_t> ReadPayload(void* buf, size_t size);
  // Consumes the rest of the block and the trailer, checks the digests,
  // and fixes record().length. Next() calls it when needed.
  Status FinishRecord();

  // Jumps to a record known to start at `offset` (a member start for .gz);
  // the next Next() reads it.
  Status Seek(uint64_t offset);

  // Reads no gzip member that starts at or past `end`: Next() returns
  // false there. For a .warc.gz read in ranges cut at record offsets, one
  // reader per range (after Seek() to the range's start).
  void StopAt(uint64_t end);
  // After Next() returned false under StopAt(): true when the reader
  // stopped at `end` in the state a reader of the whole file has there (a
  // member starts exactly at `end`; no member, damage resync or garbage
  // crosses it; no whole-file-gzip note made), so that a reader starting
  // at `end` reports what the whole-file reader would from there on.
  bool stopped_at_boundary() const;

  // Every problem reported so far (also the ones outside records).
  const std::vector<WarcProblem>& problems() const;

 private:
  struct Rep;
  explicit WarcReader(std::unique_ptr<Rep> rep);
  std::unique_ptr<Rep> rep_;
};

}  // namespace rotguard

#endif  // ROTGUARD_WARC_READER_H_
