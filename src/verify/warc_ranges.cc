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

// What the read-ahead learnt of a file when it reached it.
struct FileState {
  bool entered = false;
  bool splittable = false;
  uint64_t size = 0;
  Status error;  // entering the file or pulling its offsets failed
};

}  // namespace

class RangeReadAhead::Rep {
 public:
  Rep(std::vector<RangedFile> files, IndexDepth depth, OffsetsOpener offsets_of,
      WorkerPool& pool, const RangeOptions& options)
      : files_(std::move(files)),
        state_(files_.size()),
        depth_(depth),
        offsets_of_(std::move(offsets_of)),
        pool_(pool),
        options_(options),
        window_size_(std::max<size_t>(options.window, 1)) {}

  // Hands the file's ranges on in order while each ends where the next
  // begins in the same reader state; from the first that does not, one
  // reader reads on to the end of the file.
  Result<IndexedFile> Read(size_t i, const RecordSink& sink) {
    if (i >= files_.size()) return Status::Internal("verify: no such file");
    DropBefore(i);
    ROTGUARD_RETURN_IF_ERROR(Fill());
    const FileState& state = state_[i];
    if (!state.entered) return Status::Internal("verify: file not reached");
    if (state.error.ok() && !state.splittable) {
      return StreamWarcFile(files_[i].path, files_[i].name, depth_, sink);
    }
    IndexedFile file;
    file.size = state.size;
    uint64_t whole_end = 0;
    for (;;) {
      ROTGUARD_RETURN_IF_ERROR(Fill());
      if (window_.empty() || window_.front().file != i) break;
      std::shared_ptr<Slot> slot = std::move(window_.front().slot);
      window_.pop_front();
      Wait(*slot);
      ROTGUARD_RETURN_IF_ERROR(slot->read.status);
      if (!slot->read.clean_end) {
        // The file's ranges still in flight finish on their own (they
        // share nothing with this thread but their slot) and are dropped.
        DropRestOf(i);
        ROTGUARD_RETURN_IF_ERROR(
            ReadRest(i, slot->range.begin, sink, &file, &whole_end));
        break;
      }
      for (IndexedRecord& record : slot->read.records) {
        whole_end = WholeEndAfter(record, whole_end);
        ROTGUARD_RETURN_IF_ERROR(sink(std::move(record)));
      }
      for (WarcProblem& problem : slot->read.problems) {
        file.problems.push_back(std::move(problem));
      }
    }
    ROTGUARD_RETURN_IF_ERROR(state.error);
    FindTornTail(&file, whole_end);
    return file;
  }

 private:
  struct InFlight {
    size_t file = 0;
    std::shared_ptr<Slot> slot;
  };

  Status Fill() {
    while (window_.size() < window_size_) {
      std::optional<InFlight> next = NextRange();
      if (!next) return Status::Ok();
      if (!Submit(*next)) return Status::Internal("verify: worker pool closed");
      window_.push_back(std::move(*next));
    }
    return Status::Ok();
  }

  // The next range of the run, moving on to the next file when one is
  // done; a file that fails keeps its error for Read() and ends there.
  std::optional<InFlight> NextRange() {
    while (producing_ < files_.size()) {
      FileState& state = state_[producing_];
      if (!state.entered) Enter(producing_);
      if (state.error.ok() && state.splittable) {
        if (std::optional<ByteRange> range = Pull(state)) {
          auto slot = std::make_shared<Slot>();
          slot->range = *range;
          return InFlight{producing_, std::move(slot)};
        }
      }
      Leave();
    }
    return std::nullopt;
  }

  void Enter(size_t i) {
    FileState& state = state_[i];
    state.entered = true;
    std::error_code ec;
    state.size = fs::file_size(files_[i].path, ec);
    if (ec) {
      state.error =
          Status::IOError(files_[i].path.string() + ": " + ec.message());
      return;
    }
    Result<bool> splittable = Splittable(files_[i].path);
    if (!splittable.ok()) {
      state.error = splittable.status();
      return;
    }
    state.splittable = *splittable;
    if (!state.splittable) return;
    Result<OffsetSource> offsets = offsets_of_(i);
    if (!offsets.ok()) {
      state.error = offsets.status();
      return;
    }
    offsets_ = std::move(*offsets);
    offsets_done_ = false;
    splitter_.emplace(state.size, BalancedMinBytes(state.size, options_),
                      options_.max_records);
  }

  // The producing file's next range, or nullopt when it has no more.
  std::optional<ByteRange> Pull(FileState& state) {
    while (!offsets_done_) {
      Result<std::optional<uint64_t>> offset = offsets_();
      if (!offset.ok()) {
        state.error = offset.status();
        return std::nullopt;
      }
      if (!offset->has_value()) {
        offsets_done_ = true;
        break;
      }
      if (std::optional<ByteRange> range = splitter_->Offer(**offset)) {
        return range;
      }
    }
    return splitter_->Finish();
  }

  // The producer moves to the next file (its offsets, a manifest cursor,
  // are let go now).
  void Leave() {
    ++producing_;
    splitter_.reset();
    offsets_ = nullptr;
    offsets_done_ = false;
  }

  // Files before `i` are not read (any more): their ranges are dropped.
  void DropBefore(size_t i) {
    while (!window_.empty() && window_.front().file < i) window_.pop_front();
    while (producing_ < i) Leave();
  }

  void DropRestOf(size_t i) {
    while (!window_.empty() && window_.front().file == i) window_.pop_front();
    if (producing_ == i) Leave();
  }

  // The task owns copies of what it reads, so it may outlive the Rep.
  bool Submit(const InFlight& next) {
    const RangedFile& f = files_[next.file];
    return pool_.Submit([slot = next.slot, path = f.path, name = f.name,
                         depth = depth_, size = state_[next.file].size] {
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
  // end of file `i`, on this thread.
  Status ReadRest(size_t i, uint64_t begin, const RecordSink& sink,
                  IndexedFile* file, uint64_t* whole_end) {
    Result<std::unique_ptr<WarcReader>> opened =
        WarcReader::Open(files_[i].path);
    if (!opened.ok()) return opened.status();
    WarcReader& reader = **opened;
    if (begin > 0) ROTGUARD_RETURN_IF_ERROR(reader.Seek(begin));
    ROTGUARD_RETURN_IF_ERROR(
        ReadRecords(reader, files_[i].name, depth_, sink, whole_end));
    for (WarcProblem& problem : ProblemsOf(reader, files_[i].name)) {
      file->problems.push_back(std::move(problem));
    }
    return Status::Ok();
  }

  std::vector<RangedFile> files_;
  std::vector<FileState> state_;
  IndexDepth depth_;
  OffsetsOpener offsets_of_;
  WorkerPool& pool_;
  RangeOptions options_;
  size_t window_size_;
  std::deque<InFlight> window_;  // in file order, then range order
  // The producer: the file the next range comes from, its cutter and
  // offsets.
  size_t producing_ = 0;
  std::optional<RangeSplitter> splitter_;
  OffsetSource offsets_;
  bool offsets_done_ = false;
};

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

uint64_t BalancedMinBytes(uint64_t file_size, const RangeOptions& options) {
  uint64_t parts = std::max<uint64_t>(options.window, 1);
  return std::min(options.min_bytes,
                  std::max(file_size / parts, kBalancedFloor));
}

RangeReadAhead::RangeReadAhead(std::vector<RangedFile> files, IndexDepth depth,
                               OffsetsOpener offsets_of, WorkerPool& pool,
                               const RangeOptions& options)
    : rep_(std::make_unique<Rep>(std::move(files), depth, std::move(offsets_of),
                                 pool, options)) {}

RangeReadAhead::~RangeReadAhead() = default;

Result<IndexedFile> RangeReadAhead::Read(size_t file, const RecordSink& sink) {
  return rep_->Read(file, sink);
}

Result<IndexedFile> StreamWarcFileInRanges(
    const fs::path& path, const std::string& name, IndexDepth depth,
    const OffsetSource& offsets, WorkerPool& pool, const RangeOptions& options,
    const RecordSink& sink) {
  RangeReadAhead ahead(
      {RangedFile{path, name}}, depth,
      [&offsets](size_t) -> Result<OffsetSource> { return offsets; }, pool,
      options);
  return ahead.Read(0, sink);
}

}  // namespace rotguard::verify
