// The record builder: what goes into each WARC record rotguard writes
// (src/warc/format.h has the profile), before any byte reaches a file.
// Each Make* function returns a PendingRecord with its type, a fresh
// record id, its named fields in the order they are written, its block
// (prefix + optional body) and the digests it will carry; SerializeHeader
// turns it into the record's header once the file (its warcinfo) is known.
#ifndef ROTGUARD_WARC_RECORD_BUILDER_H_
#define ROTGUARD_WARC_RECORD_BUILDER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "rotguard/status.h"
#include "rotguard/warc_record.h"
#include "rotguard/warc_writer.h"

namespace rotguard::warc {

// One record on its way to the file.
struct PendingRecord {
  std::string type;
  std::string record_id;
  WarcFields fields;   // written between the ids and the digests
  std::string prefix;  // start of the block (HTTP head, or the whole block)
  const WarcBody* body = nullptr;  // rest of the block, if any
  // The body's bytes when it is held in memory (not spooled).
  std::string_view body_memory;
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

// "<urn:uuid:...>", a version 4 UUID from OpenSSL's CSPRNG.
Result<std::string> NewRecordId();

// A value from the network must not break the header: CR and LF dropped.
std::string FieldValue(std::string_view value);

// Media types whose bytes are already compressed (JPEG, PNG, video/,
// archives, ...): their records are stored, not deflated.
bool IsIncompressibleType(std::string_view content_type);
// A response with a Content-Encoding, or of an incompressible type.
bool IsIncompressibleResponse(std::string_view head);

// The warcinfo record opening the file `file_name`.
Result<PendingRecord> MakeWarcinfo(const WarcWriterOptions& options,
                                   std::string_view host,
                                   const std::string& file_name);

// The request record of an exchange: block = `request` as sent; payload
// digest of what follows its head.
Result<PendingRecord> MakeRequest(const WarcCapture& capture,
                                  const std::string& date,
                                  std::string_view request);

// What a response record is made of, taken from a finished
// WarcHttpResponse.
struct ResponseParts {
  std::string_view head;    // as received (for compressibility)
  std::string stored_head;  // the block's prefix
  const WarcBody* body = nullptr;
  std::string_view body_memory;  // the body's bytes, if not spooled
  std::optional<std::string> block_sha1;
  std::string payload_digest;
  std::string payload_sha256;
  std::string truncated;
};
Result<PendingRecord> MakeResponse(const WarcCapture& capture,
                                   const std::string& date,
                                   ResponseParts parts);

// A revisit of `original` (identical-payload-digest profile) keeping the
// response's stored head.
Result<PendingRecord> MakeRevisit(const WarcCapture& capture,
                                  const std::string& date,
                                  std::string stored_head,
                                  const WarcRevisitOf& original);

// A resource record: block == payload == `body`, whose digests are known.
struct ResourceParts {
  std::string_view content_type;
  const WarcBody* body = nullptr;
  std::string_view body_memory;  // the body's bytes, if not spooled
  std::string sha1;              // raw
  std::string sha256;            // raw
};
Result<PendingRecord> MakeResource(const WarcCapture& capture,
                                   const std::string& date,
                                   const ResourceParts& parts);

// A metadata record (application/warc-fields, block digest only).
Result<PendingRecord> MakeMetadata(const WarcCapture& capture,
                                   const std::string& date,
                                   const WarcMetadataLink& link,
                                   const WarcFields& fields);

// Links the request and response (or revisit) of one exchange both ways.
void LinkConcurrent(PendingRecord& request, PendingRecord& response);

// WARC-Date of a capture: its date, or now.
std::string DateOf(const WarcCapture& capture);

// Sets record.block_sha1 (prefix + body) unless already known.
Status ComputeBlockDigests(PendingRecord& record);

// CRC-32 of an in-memory stored record's block and trailer (its header
// comes later, once the file is known).
uint32_t TailCrc(const PendingRecord& record);

// The record's header, ending in the blank line; `info_id` is the
// WARC-Warcinfo-ID of the file it goes to (empty: none, as in warcinfo).
std::string SerializeHeader(const PendingRecord& record,
                            const std::string& info_id);

// The raw record: header, block and trailer (in-memory records only).
std::string SerializeRecord(const PendingRecord& record,
                            const std::string& info_id);

}  // namespace rotguard::warc

#endif  // ROTGUARD_WARC_RECORD_BUILDER_H_
