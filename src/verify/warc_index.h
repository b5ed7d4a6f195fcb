// Reads one WARC file record by record and turns it into manifest rows:
// the common ground of import (index a foreign file), repair (index
// orphans, find the torn tail) and verify (compare the file with the
// manifest). Memory stays flat: blocks are streamed, never held whole.
#ifndef ROTGUARD_VERIFY_WARC_INDEX_H_
#define ROTGUARD_VERIFY_WARC_INDEX_H_

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rotguard/manifest.h"
#include "rotguard/status.h"
#include "rotguard/warc_reader.h"
#include "util/time_format.h"  // ParseWarcDateUs, used with the index

namespace rotguard::verify {

// How much of each record to read beyond what the reader checks anyway.
enum class IndexDepth {
  kRecords,   // headers, digests checked by the reader; no payload read
  kPayloads,  // also sha256 (and sha1) of every payload, HTTP Content-Type
};

struct IndexedRecord {
  RecordRow record;  // warc_file = the name given to IndexWarcFile()
  // Filled for response/revisit/resource records (captures_for = true).
  bool capturable = false;
  int http_status = 0;
  bool is_http = false;           // application/http block
  std::string warc_content_type;  // the record's own Content-Type
  std::string http_content_type;  // kPayloads only: from the HTTP head
  std::string payload_sha1;       // base32 without label; "" if unknown
  std::string payload_sha256;     // hex, kPayloads only
  int64_t payload_length = 0;     // kPayloads only
  std::string refers_to;          // WARC-Refers-To of a revisit
  // kPayloads only: the Location header of a 3xx HTTP response, as
  // written ("" otherwise); the manifest rebuild links redirect hops by it.
  std::string location;
  bool truncated = false;  // WARC-Truncated present
  std::vector<WarcProblem> problems;
};

struct IndexedFile {
  std::vector<IndexedRecord> records;
  // Every problem, also those outside records (garbage), in file order.
  std::vector<WarcProblem> problems;
  uint64_t size = 0;  // bytes in the file when read
  // End of the last record that has no torn-member/gzip-crc problem and
  // is followed by nothing but damage: where a torn tail can be cut.
  uint64_t whole_end = 0;
  // Offset of a torn final record (the tail repair may cut), if any.
  std::optional<uint64_t> torn_tail;
};

// Reads `path`, naming rows and problems `name` (the manifest file name).
Result<IndexedFile> IndexWarcFile(const std::filesystem::path& path,
                                  const std::string& name, IndexDepth depth);

// Called with each record once it is read whole (length and problems
// final, problems naming the file); an error stops the reading.
using RecordSink = std::function<Status(IndexedRecord&&)>;

// IndexWarcFile() in flat memory: every record goes to `sink` in file
// order instead of into the result, whose `records` stay empty (the rest,
// torn_tail included, is filled as IndexWarcFile() would).
Result<IndexedFile> StreamWarcFile(const std::filesystem::path& path,
                                   const std::string& name, IndexDepth depth,
                                   const RecordSink& sink);

// StreamWarcFile()'s loop, for readers placed by the caller (a range of
// the file): the records from where `reader` stands until Next() returns
// false, each to `sink`; *whole_end becomes the end of the last record
// without a torn-member problem (WholeEndAfter).
Status ReadRecords(WarcReader& reader, const std::string& name,
                   IndexDepth depth, const RecordSink& sink,
                   uint64_t* whole_end);

// `whole_end` moved past `record` unless the record is torn.
uint64_t WholeEndAfter(const IndexedRecord& record, uint64_t whole_end);

// Sets file->whole_end, and torn_tail when damage lies after it.
void FindTornTail(IndexedFile* file, uint64_t whole_end);

// Every problem `reader` reported, naming the file `name`.
std::vector<WarcProblem> ProblemsOf(const WarcReader& reader,
                                    const std::string& name);

// The capture row of an indexed record (source "import" style: every
// capture its own chain, final_url = target).
CaptureRow CaptureOf(const IndexedRecord& indexed, const std::string& source);

// True for problems that make a file unfit to import (not notes).
bool IsError(const WarcProblem& problem);

// A sha1 digest field in any encoding ("sha1:BASE32", "SHA-1:hex",
// base64...) → its uppercase unpadded base32; "" for another algorithm,
// an unreadable value or an empty digest.
std::string Sha1Base32Of(std::string_view labeled_digest);

// sha256 hex of a whole file, streamed; adds the bytes read to *bytes.
Result<std::string> Sha256OfFile(const std::filesystem::path& path,
                                 uint64_t* bytes = nullptr);

}  // namespace rotguard::verify

#endif  // ROTGUARD_VERIFY_WARC_INDEX_H_
