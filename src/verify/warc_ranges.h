// One .warc.gz read on several threads: every record is its own gzip
// member and the manifest knows where each starts, so the file is cut
// into ranges at record offsets, each range is read by its own WarcReader
// on a worker (workers read WARC bytes only, never the manifest), and the
// results are handed to the caller's sink in file order, as one reader of
// the whole file would hand them. A bounded window of ranges in flight
// keeps memory flat in the record count.
//
// Equivalence with one whole-file reader: a range reader starts fresh at
// its first byte, so it reads what the whole-file reader reads only if
// that reader arrives there in a fresh state too. WarcReader checks this
// (stopped_at_boundary). When a range does not end cleanly (a row that
// points between records, a damaged member whose resync crosses the cut,
// a member holding several records), everything from that range's start
// to the end of the file is read again by one reader on the calling
// thread: damaged files cost a second read of part of the file, never a
// different answer.
//
// A run of files is read the same way by one RangeReadAhead: while the
// caller takes one file's records, the next files' ranges are already
// being read, so many small files keep the workers as busy as one big
// file does, and a file smaller than a few ranges is cut into about
// equal ones (BalancedMinBytes) so that no core idles at its end.
#ifndef ROTGUARD_VERIFY_WARC_RANGES_H_
#define ROTGUARD_VERIFY_WARC_RANGES_H_

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rotguard/status.h"
#include "rotguard/warc_reader.h"
#include "util/worker_pool.h"
#include "verify/warc_index.h"

namespace rotguard::verify {

// Bytes [begin, end) of a file; a range's records start in it.
struct ByteRange {
  uint64_t begin = 0;
  uint64_t end = 0;
  bool operator==(const ByteRange&) const = default;
};

// Cuts [0, file_size) at record offsets into ranges of at least
// `min_bytes` or `max_records` records, whichever comes first (the last
// range may be shorter). Offsets come in ascending order (the manifest's
// offset order); one at or before the current range's start (offset 0, a
// repeated offset) or at or past the end of the file (a row the file no
// longer holds) is no place to cut and is skipped.
class RangeSplitter {
 public:
  RangeSplitter(uint64_t file_size, uint64_t min_bytes, size_t max_records);

  // The range that ends at `offset`, when cutting there makes it long
  // enough; nullopt otherwise.
  std::optional<ByteRange> Offer(uint64_t offset);
  // The last range (to the end of the file), once; nullopt after that or
  // for an empty file.
  std::optional<ByteRange> Finish();

 private:
  uint64_t size_;
  uint64_t min_bytes_;
  size_t max_records_;
  uint64_t begin_ = 0;
  size_t records_ = 1;  // records starting in the current range
  bool finished_ = false;
};

// What a worker read of one range.
struct RangeRead {
  Status status;  // I/O or internal error: the whole read fails
  std::vector<IndexedRecord> records;
  std::vector<WarcProblem> problems;  // every problem met in the range
  bool clean_end = false;  // WarcReader::stopped_at_boundary(), or EOF
};

// Reads the records that start in `range` of the file (the last range:
// to the end of the file).
RangeRead ReadWarcRange(const std::filesystem::path& path,
                        const std::string& name, IndexDepth depth,
                        const ByteRange& range, uint64_t file_size);

// The next record offset (ascending), or nullopt when there is no more.
using OffsetSource = std::function<Result<std::optional<uint64_t>>()>;

struct RangeOptions {
  // A range's bytes before it may end; a file smaller than `window` such
  // ranges is cut into `window` about equal ones (no smaller than
  // kBalancedFloor unless min_bytes is), so both cores share it.
  uint64_t min_bytes = uint64_t{4} << 20;
  // Bounds a range's results in memory (about 1 KiB a record): 1M tiny
  // records peaked at 26.5 MiB with 1024 a range and two jobs, 21 MiB
  // with one job.
  size_t max_records = 256;
  // Ranges in flight (queued, being read or read and not yet handed on),
  // across files.
  size_t window = 4;
};

// Below this a range is not worth a worker's start-up (open, seek).
inline constexpr uint64_t kBalancedFloor = uint64_t{256} << 10;

// The range length RangeSplitter gets for a file of `file_size` bytes.
uint64_t BalancedMinBytes(uint64_t file_size, const RangeOptions& options);

// A file of a run read ahead in ranges.
struct RangedFile {
  std::filesystem::path path;
  std::string name;  // names rows and problems
};

// The record offsets of the run's file number `file`, opened on the
// calling thread when the read-ahead reaches that file.
using OffsetsOpener = std::function<Result<OffsetSource>(size_t file)>;

// Reads a run of files in ranges on `pool`, the next files' ranges
// already in flight while the caller takes the current one's records:
// many small files keep every worker busy as one big file does. At most
// `window` ranges are in flight across all files. Offsets are pulled on
// the calling thread (Read()), never on a worker. Not thread-safe: one
// caller thread.
class RangeReadAhead {
 public:
  RangeReadAhead(std::vector<RangedFile> files, IndexDepth depth,
                 OffsetsOpener offsets_of, WorkerPool& pool,
                 const RangeOptions& options);
  ~RangeReadAhead();
  RangeReadAhead(const RangeReadAhead&) = delete;
  RangeReadAhead& operator=(const RangeReadAhead&) = delete;

  // StreamWarcFile() of files[file]: same records to `sink` (on the
  // calling thread, in file order), same IndexedFile. Files are read in
  // ascending order; a file may be left out (its ranges are dropped).
  Result<IndexedFile> Read(size_t file, const RecordSink& sink);

 private:
  class Rep;
  std::unique_ptr<Rep> rep_;
};

// StreamWarcFile() with the reading spread over `pool`: same records to
// `sink` (on the calling thread, in file order), same IndexedFile. Files
// that are not gzip WARC (plain .warc, ARC) are read by one reader here.
Result<IndexedFile> StreamWarcFileInRanges(
    const std::filesystem::path& path, const std::string& name,
    IndexDepth depth, const OffsetSource& offsets, WorkerPool& pool,
    const RangeOptions& options, const RecordSink& sink);

}  // namespace rotguard::verify

#endif  // ROTGUARD_VERIFY_WARC_RANGES_H_
