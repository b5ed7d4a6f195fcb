#include "verify/warc_ranges.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <system_error>
#include <utility>

namespace rotguard::verify {
namespace {

namespace fs = std::filesystem;

// Only a gzip WARC is a sequence of members a reader can start at; a
// plain .warc or an ARC file is read whole by one reader.
Result<bool> Splittable(const fs::path& path) {
  Result<std::unique_ptr<WarcReader>> reader = WarcReader::Open(path);
  if (!reader.ok()) return reader.status();
  return (*reader)->compressed() && !(*reader)->arc();
}

Status ReadRangeInto(const fs::path& path, const std::string& name,
                     IndexDepth depth, const ByteRange& range,
                     uint64_t file_size, RangeRead* out) {
  Result<std::unique_ptr<WarcReader>> opened = WarcReader::Open(path);
  if (!opened.ok()) return opened.status();
  WarcReader& reader = **opened;
  if (range.begin > 0) ROTGUARD_RETURN_IF_ERROR(reader.Seek(range.begin));
  bool last = range.end >= file_size;
  if (!last) reader.StopAt(range.end);
  uint64_t whole_end = 0;  // the caller follows it over every range
  ROTGUARD_RETURN_IF_ERROR(ReadRecords(
      reader, name, depth,
      [out](IndexedRecord&& record) {
        out->records.push_back(std::move(record));
        return Status::Ok();
      },
      &whole_end));
  out->problems = ProblemsOf(reader, name);
  out->clean_end = last || reader.stopped_at_boundary();
  return Status::Ok();
}

// One range in flight: filled by a worker, taken by the calling thread.
struct Slot {
  ByteRange range;
  RangeRead read;
  bool done = false;
  std::mutex mu;
  std::condition_variable cv;
};

class RangedStream {
 public:
  RangedStream(fs::path path, std::string name, IndexDepth depth,
               const OffsetSource& offsets, WorkerPool& pool,
               const RangeOptions& options, const RecordSink& sink,
               uint64_t file_size)
      : path_(std::move(path)),
        name_(std::move(name)),
        depth_(depth),
        offsets_(offsets),
        pool_(pool),
        window_size_(std::max<size_t>(options.window, 1)),
        sink_(sink),
        splitter_(file_size, options.min_bytes, options.max_records) {
    file_.size = file_size;
  }

  // Hands the ranges on in order while each ends where the next begins
  // in the same reader state; from the first that does not, one reader
  // reads on to the end of the file.
  Result<IndexedFile> Run() {
    std::deque<std::shared_ptr<Slot>> window;
    uint64_t whole_end = 0;
    for (;;) {
      ROTGUARD_RETURN_IF_ERROR(Fill(&window));
      if (window.empty()) break;
      std::shared_ptr<Slot> slot = std::move(window.front());
      window.pop_front();
      Wait(*slot);
      ROTGUARD_RETURN_IF_ERROR(slot->read.status);
      if (!slot->read.clean_end) {
        // The ranges still in flight finish on their own (they share
        // nothing with this thread but their slot) and are dropped.
        ROTGUARD_RETURN_IF_ERROR(ReadRest(slot->range.begin, &whole_end));
        break;
      }
      for (IndexedRecord& record : slot->read.records) {
        whole_end = WholeEndAfter(record, whole_end);
        ROTGUARD_RETURN_IF_ERROR(sink_(std::move(record)));
      }
      for (WarcProblem& problem : slot->read.problems) {
        file_.problems.push_back(std::move(problem));
      }
    }
    FindTornTail(&file_, whole_end);
    return std::move(file_);
  }

 private:
  Status Fill(std::deque<std::shared_ptr<Slot>>* window) {
    while (window->size() < window_size_) {
      Result<std::optional<ByteRange>> range = NextRange();
      if (!range.ok()) return range.status();
      if (!range->has_value()) return Status::Ok();
      auto slot = std::make_shared<Slot>();
      slot->range = **range;
      if (!Submit(slot)) return Status::Internal("verify: worker pool closed");
      window->push_back(std::move(slot));
    }
    return Status::Ok();
  }

  Result<std::optional<ByteRange>> NextRange() {
    while (!offsets_done_) {
      Result<std::optional<uint64_t>> offset = offsets_();
      if (!offset.ok()) return offset.status();
      if (!offset->has_value()) {
        offsets_done_ = true;
        break;
      }
      if (std::optional<ByteRange> range = splitter_.Offer(**offset)) {
        return range;
      }
    }
    return splitter_.Finish();
  }

  // The task owns copies of what it reads, so it may outlive Run().
  bool Submit(const std::shared_ptr<Slot>& slot) {
    return pool_.Submit(
        [slot, path = path_, name = name_, depth = depth_, size = file_.size] {
          RangeRead read;
          try {
            read.status =
                ReadRangeInto(path, name, depth, slot->range, size, &read);
          } catch (const std::exception& e) {  // bad_alloc and the like
            read.status = Status::Internal(name + ": " + e.what());
          }
          std::lock_guard<std::mutex> lock(slot->mu);
          slot->read = std::move(read);
          slot->done = true;
          slot->cv.notify_all();
        });
  }

  static void Wait(Slot& slot) {
    std::unique_lock<std::mutex> lock(slot.mu);
    slot.cv.wait(lock, [&] { return slot.done; });
  }

  // From `begin` (where a whole-file reader is in a fresh state) to the
  // end of the file, on this thread.
  Status ReadRest(uint64_t begin, uint64_t* whole_end) {
    Result<std::unique_ptr<WarcReader>> opened = WarcReader::Open(path_);
    if (!opened.ok()) return opened.status();
    WarcReader& reader = **opened;
    if (begin > 0) ROTGUARD_RETURN_IF_ERROR(reader.Seek(begin));
    ROTGUARD_RETURN_IF_ERROR(
        ReadRecords(reader, name_, depth_, sink_, whole_end));
    for (WarcProblem& problem : ProblemsOf(reader, name_)) {
      file_.problems.push_back(std::move(problem));
    }
    return Status::Ok();
  }

  fs::path path_;
  std::string name_;
  IndexDepth depth_;
  const OffsetSource& offsets_;
  WorkerPool& pool_;
  size_t window_size_;
  const RecordSink& sink_;
  RangeSplitter splitter_;
  bool offsets_done_ = false;
  IndexedFile file_;
};

}  // namespace

RangeSplitter::RangeSplitter(uint64_t file_size, uint64_t min_bytes,
                             size_t max_records)
    : size_(file_size),
      min_bytes_(min_bytes),
      max_records_(std::max<size_t>(max_records, 1)) {}

std::optional<ByteRange> RangeSplitter::Offer(uint64_t offset) {
  if (finished_ || offset <= begin_ || offset >= size_) return std::nullopt;
  if (offset - begin_ < min_bytes_ && records_ < max_records_) {
    ++records_;
    return std::nullopt;
  }
  ByteRange range{begin_, offset};
  begin_ = offset;
  records_ = 1;
  return range;
}

std::optional<ByteRange> RangeSplitter::Finish() {
  if (finished_ || begin_ >= size_) return std::nullopt;
  finished_ = true;
  return ByteRange{begin_, size_};
}

RangeRead ReadWarcRange(const fs::path& path, const std::string& name,
                        IndexDepth depth, const ByteRange& range,
                        uint64_t file_size) {
  RangeRead read;
  read.status = ReadRangeInto(path, name, depth, range, file_size, &read);
  return read;
}

Result<IndexedFile> StreamWarcFileInRanges(
    const fs::path& path, const std::string& name, IndexDepth depth,
    const OffsetSource& offsets, WorkerPool& pool, const RangeOptions& options,
    const RecordSink& sink) {
  std::error_code ec;
  uint64_t size = fs::file_size(path, ec);
  if (ec) return Status::IOError(path.string() + ": " + ec.message());
  Result<bool> splittable = Splittable(path);
  if (!splittable.ok()) return splittable.status();
  if (!*splittable) return StreamWarcFile(path, name, depth, sink);
  RangedStream stream(path, name, depth, offsets, pool, options, sink, size);
  return stream.Run();
}

}  // namespace rotguard::verify
