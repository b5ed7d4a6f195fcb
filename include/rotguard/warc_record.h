// Types shared by the WARC writer and reader: an ordered, case-insensitive
// list of header fields, and the location + digests of one written record.
#ifndef ROTGUARD_WARC_RECORD_H_
#define ROTGUARD_WARC_RECORD_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rotguard {

// WARC-Truncated reasons (WARC 1.1 §5.13).
inline constexpr std::string_view kWarcTruncatedLength = "length";
inline constexpr std::string_view kWarcTruncatedDisconnect = "disconnect";

// Header fields in the order they were written or read. Names compare
// case-insensitively; a name may repeat (WARC-Concurrent-To does).
class WarcFields {
 public:
  using Field = std::pair<std::string, std::string>;

  void Add(std::string name, std::string value) {
    fields_.emplace_back(std::move(name), std::move(value));
  }
  // First value of `name`, or nullptr.
  const std::string* Find(std::string_view name) const;
  // First value of `name`, or "" when absent.
  std::string Get(std::string_view name) const;
  std::vector<std::string> GetAll(std::string_view name) const;
  bool Has(std::string_view name) const { return Find(name) != nullptr; }

  const std::vector<Field>& fields() const { return fields_; }
  bool empty() const { return fields_.empty(); }
  size_t size() const { return fields_.size(); }

 private:
  std::vector<Field> fields_;
};

// Where a record landed and what it hashes to: everything the manifest
// stores about a record. Digests are given in WARC form ("sha1:BASE32") and
// sha256 as lowercase hex.
struct WarcRecordLocation {
  std::string file_name;  // final name, e.g. rotguard-2026...-00001-h.warc.gz
  uint64_t offset = 0;    // gzip member start
  uint64_t compressed_length = 0;  // gzip member length
  std::string type;                // "response", "request", ...
  std::string record_id;           // "<urn:uuid:...>"
  std::string target_uri;          // empty for warcinfo
  std::string date;                // WARC-Date as written
  uint64_t block_length = 0;       // Content-Length
  std::string block_digest;        // "sha1:..."
  // Empty for warcinfo and metadata. For a revisit these are the
  // original's digests (the record holds no payload).
  std::string payload_digest;  // "sha1:..."
  std::string payload_sha256;  // hex
  uint64_t payload_length = 0;
  std::string truncated;  // "", "length" or "disconnect"
};

}  // namespace rotguard

#endif  // ROTGUARD_WARC_RECORD_H_
