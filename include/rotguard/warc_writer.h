// WarcWriter: writes WARC/1.1 records, one gzip member each, into rolling
// files named rotguard-YYYYMMDDhhmmss-NNNNN-HOST.warc.gz (".open" while
// being written). The record grammar and rotguard's profile are documented
// in src/warc/format.h.
//
// Bodies stream in: a WarcBody (or the body of a WarcHttpResponse) keeps up
// to a threshold in memory and spools the rest to an unlinked temp file, so
// memory per record stays bounded whatever the body size. Payload digests
// are computed while the body is appended, so a caller can look the payload
// up for dedupe before deciding to write a response or a revisit.
//
// Thread-safety: a WarcWriter may be shared by threads. Hashing and
// in-memory compression run in the calling thread without a lock, so
// writers on two threads use two cores; only appends to the file (and the
// streaming of spooled bodies) are serialized. The on_warcinfo and
// on_file_closed callbacks run under the writer's lock: they must not call
// back into the writer. A WarcBody/WarcHttpResponse belongs to one thread
// at a time.
#ifndef ROTGUARD_WARC_WRITER_H_
#define ROTGUARD_WARC_WRITER_H_

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "rotguard/env.h"
#include "rotguard/response_body.h"
#include "rotguard/status.h"
#include "rotguard/warc_record.h"

namespace rotguard {

// Where body bytes go once they outgrow memory.
struct WarcBodyOptions {
  size_t memory_threshold = size_t{4} << 20;  // 4 MiB
  std::filesystem::path temp_dir;             // empty: the system temp dir
};

// A record body received in chunks: in memory up to the threshold, then in
// an unlinked temp file (removed by the OS when the body is destroyed).
class WarcBody {
 public:
  explicit WarcBody(WarcBodyOptions options = {});
  WarcBody(WarcBody&&) noexcept;
  WarcBody& operator=(WarcBody&&) noexcept;
  ~WarcBody();

  // Appends bytes; fails only when the spool file cannot be written.
  Status Append(std::string_view bytes);
  uint64_t size() const;
  bool spooled() const;

  // Calls `sink` with the body's bytes in order, in chunks of at most
  // 256 KiB (reading the spool file back when spooled).
  Status ForEachChunk(
      const std::function<Status(std::string_view)>& sink) const;

 private:
  friend class WarcHttpResponse;
  friend class WarcWriter;
  struct Rep;
  std::unique_ptr<Rep> rep_;
};

// True for a body of 256 KiB or more whose first 64 KiB deflate by less
// than 3 %: the writer stores such records at level 0 whatever their
// Content-Type says (media served as application/octet-stream, random
// data), as deflating them costs the most CPU and saves nothing.
bool WarcBodyDoesNotShrink(const WarcBody& body);

// Whether the body handed to AppendBody still carries its transfer coding.
enum class WarcBodyTransfer {
  // Bytes as they came off the wire: if the head says
  // "Transfer-Encoding: chunked" they are de-chunked here (robust to chunk
  // lines split across AppendBody calls).
  kAsReceived,
  // The HTTP client already removed the transfer coding (libcurl does by
  // default); the head is still rewritten as below.
  kDecoded,
};

// One HTTP response being captured: its head (status line + header lines +
// blank line, HTTP/1.1 text, as received) and a streamed body. The body is
// stored without transfer coding: a chunked response is written with
// "X-Orig-Transfer-Encoding: chunked" and a Content-Length equal to the
// decoded length. Content-Encoding is kept as received.
class WarcHttpResponse : public ResponseBody {
 public:
  WarcHttpResponse(std::string head, WarcBodyTransfer transfer,
                   WarcBodyOptions body_options = {});
  WarcHttpResponse(WarcHttpResponse&&) noexcept;
  WarcHttpResponse& operator=(WarcHttpResponse&&) noexcept;
  ~WarcHttpResponse() override;

  // Appends body bytes. A malformed chunked body returns Corruption; the
  // bytes decoded so far are kept and the response can still be written
  // (it is then marked truncated "disconnect").
  Status AppendBody(std::string_view bytes) override;
  // Marks the body as cut short: kWarcTruncatedLength (--max-size) or
  // kWarcTruncatedDisconnect (shorter than its Content-Length).
  void MarkTruncated(std::string_view reason) override;
  // Ends the body and finalizes the payload digests. Idempotent; the
  // writer calls it when needed. An unfinished chunked body is marked
  // truncated "disconnect" unless already marked.
  Status FinishBody();

  // Decoded payload bytes received so far (use it for --max-size).
  uint64_t payload_length() const override;
  bool chunked() const;
  const std::string& truncated() const override;
  // The head as received.
  const std::string& head() const override;
  // The decoded payload received so far (content coding kept), for
  // callers that parse it (page requisites) before it is written.
  const WarcBody& body() const;
  Status ForEachBodyChunk(
      const std::function<Status(std::string_view)>& visit) const override;
  // The head as it will be stored (valid after FinishBody()).
  std::string StoredHead() const;
  // Valid after FinishBody(): "sha1:BASE32" and lowercase hex sha256.
  const std::string& payload_digest() const;
  const std::string& payload_sha256() const;

 private:
  friend class WarcWriter;
  struct Rep;
  std::unique_ptr<Rep> rep_;
};

// A fetcher's body factory (FetchOptions::new_body) that makes every
// response a WarcHttpResponse (transfer coding already removed), spooled
// as `options` says.
ResponseBodyFactory WarcHttpResponseFactory(WarcBodyOptions options);

// What the caller knows about one capture event. All records of one
// exchange share it (same WARC-Date and WARC-Target-URI).
struct WarcCapture {
  std::string target_uri;
  std::string ip_address;  // WARC-IP-Address; empty when unknown
  std::string protocol;    // WARC-Protocol, e.g. "h2"; empty for none
  // WARC-Date; unset means "now" (taken once per write call).
  std::optional<std::chrono::system_clock::time_point> date;
  // For a copy fetched from a public web archive: its Memento-Datetime
  // (RFC 7089 HTTP-date), written on the response record; empty: none.
  std::string memento_datetime;
  // For a resource record derived from an exchange (the browser lane's DOM
  // snapshot and screenshots): WARC-Concurrent-To, that exchange's
  // response record id; empty: none.
  std::string concurrent_to;
};

// The original capture a revisit points at.
struct WarcRevisitOf {
  std::string record_id;       // "<urn:uuid:...>" → WARC-Refers-To
  std::string target_uri;      // → WARC-Refers-To-Target-URI
  std::string date;            // its WARC-Date → WARC-Refers-To-Date
  std::string payload_digest;  // "sha1:..." → WARC-Payload-Digest
  std::string payload_sha256;  // hex, echoed in the returned location
  uint64_t payload_length = 0;
};

// A metadata record links to the capture it describes.
struct WarcMetadataLink {
  std::string concurrent_to;  // record id, or empty
  std::string refers_to;      // record id, or empty
};

struct WarcExchangeLocations {
  WarcRecordLocation request;
  WarcRecordLocation response;  // the response or revisit record
};

// A closed (renamed, fsynced) WARC file.
struct WarcFileSummary {
  std::string file_name;
  std::filesystem::path path;
  uint64_t size = 0;
  uint64_t record_count = 0;
  std::string sha256;  // hex of the whole file
};

struct WarcWriterOptions {
  std::filesystem::path directory;  // must exist
  // May start with a subdirectory of `directory` ("ID/rotguard", which
  // must exist): file names then carry it, WARC-Filename does not.
  std::string prefix = "rotguard";
  uint64_t max_file_size = 1'000'000'000;  // roll before exceeding this
  WarcBodyOptions body;  // defaults for NewBody()/NewResponse()
  // Store-wide serial for file names (NNNNN); default: 0, 1, 2, ...
  std::function<uint64_t()> next_serial;
  std::string hostname;       // empty: gethostname(); sanitized for names
  int compression_level = 1;  // deflate level for compressible records
  // warcinfo body fields; empty ones are left out.
  std::string software;  // empty: "rotguard/<version>"
  std::string robots = "ignore";
  std::string user_agent;     // http-header-user-agent
  std::string operator_name;  // operator
  std::string is_part_of;     // isPartOf
  // Called after each file's warcinfo record is written, and after each
  // file is closed, so the manifest can index every record and file.
  std::function<void(const WarcRecordLocation&)> on_warcinfo;
  std::function<void(const WarcFileSummary&)> on_file_closed;
  // Every file operation goes through it (tests inject faults).
  Env* env = Env::Default();
};

class WarcWriter {
 public:
  // Checks the directory; the first file is created on the first write.
  static Result<std::unique_ptr<WarcWriter>> Open(WarcWriterOptions options);
  WarcWriter(const WarcWriter&) = delete;
  WarcWriter& operator=(const WarcWriter&) = delete;
  // Closes the current file if Close() was not called (errors are lost).
  ~WarcWriter();

  WarcBody NewBody() const;
  WarcHttpResponse NewResponse(std::string head,
                               WarcBodyTransfer transfer) const;

  // Writes a request record (block = `request`, the HTTP request head and
  // body as sent) and a response record, linked both ways with
  // WARC-Concurrent-To, in the same file.
  Result<WarcExchangeLocations> WriteExchange(const WarcCapture& capture,
                                              std::string_view request,
                                              WarcHttpResponse& response);
  // Same, but the response is written as a revisit record
  // (identical-payload-digest profile): the stored response head is kept,
  // the body is not (WARC-Truncated: length).
  Result<WarcExchangeLocations> WriteRevisit(const WarcCapture& capture,
                                             std::string_view request,
                                             WarcHttpResponse& response,
                                             const WarcRevisitOf& original);
  // A resource record: payload == block, both digests present.
  Result<WarcRecordLocation> WriteResource(const WarcCapture& capture,
                                           std::string_view content_type,
                                           std::string_view data);
  Result<WarcRecordLocation> WriteResource(const WarcCapture& capture,
                                           std::string_view content_type,
                                           const WarcBody& body);
  // A metadata record (application/warc-fields, block digest only).
  Result<WarcRecordLocation> WriteMetadata(const WarcCapture& capture,
                                           const WarcMetadataLink& link,
                                           const WarcFields& fields);

  // fdatasync of the current file: after it returns OK, every location
  // returned so far is durable. Once a sync (or the rollback of a failed
  // append) has failed, it and every later call fail: bytes written
  // before may be lost.
  Status Sync();
  // fsync, rename "<name>.open" to "<name>", fsync the directory. The next
  // write starts a new file. A file whose fsync failed keeps its ".open"
  // name for repair.
  Status Close();

  // Name of the file being written (without ".open"); empty when none.
  std::string current_file_name() const;

 private:
  struct Rep;
  explicit WarcWriter(std::unique_ptr<Rep> rep);
  std::unique_ptr<Rep> rep_;
};

// "2026-11-25T06:21:00.123456Z": WARC-Date with microseconds, UTC.
std::string FormatWarcDate(std::chrono::system_clock::time_point when);

}  // namespace rotguard

#endif  // ROTGUARD_WARC_WRITER_H_
