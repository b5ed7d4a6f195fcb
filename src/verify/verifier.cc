// `verify` (SPEC §7, §13 "verify output"): compares the WARC directory with
// the manifest at three depths. `jobs` threads read WARC bytes: the
// whole-file sha256 of each file and, with more than one job, the ranges
// of each .warc.gz cut at the manifest's record offsets, the next files'
// read ahead while one file is compared (warc_ranges.h).
// Comparing and reporting happen on the calling thread, the only one that
// touches the manifest, in file-name order and record order (output is
// deterministic and the same for any `jobs`), each file's records walked
// together with the manifest's row cursors, so memory does not grow with
// the record count.
#include <sys/stat.h>

#include <algorithm>
#include <condition_variable>
#include <ctime>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <tuple>

#include "rotguard/verify.h"
#include "util/worker_pool.h"
#include "verify/store_names.h"
#include "verify/warc_index.h"
#include "verify/warc_ranges.h"

namespace rotguard {
namespace {

namespace fs = std::filesystem;
using verify::IndexedFile;
using verify::IndexedRecord;

using verify::kOpenSuffix;

struct DiskFile {
  fs::path path;
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  int64_t inode = 0;
};

Result<DiskFile> StatFile(const fs::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return Status::FromErrno(path.string(), errno);
  }
  DiskFile file;
  file.path = path;
  file.size = static_cast<uint64_t>(st.st_size);
  file.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 +
                  st.st_mtim.tv_nsec;
  file.inode = static_cast<int64_t>(st.st_ino);
  return file;
}

// Every regular file under warc/, by name relative to it.
Result<std::map<std::string, DiskFile>> ListDisk(const fs::path& dir) {
  std::map<std::string, DiskFile> files;
  std::error_code ec;
  if (!fs::exists(dir, ec)) return files;
  fs::recursive_directory_iterator it(dir, ec), end;
  if (ec) return Status::IOError(dir.string() + ": " + ec.message());
  for (; it != end; it.increment(ec)) {
    if (ec) return Status::IOError(dir.string() + ": " + ec.message());
    if (!it->is_regular_file(ec)) continue;
    Result<DiskFile> stat = StatFile(it->path());
    if (!stat.ok()) return stat.status();
    std::string name = it->path().lexically_relative(dir).generic_string();
    files.emplace(std::move(name), std::move(*stat));
  }
  return files;
}

// The "record says X ... hashes to Y" parts of a digest problem message.
std::pair<std::string, std::string> ExpectedActualOf(const WarcProblem& p) {
  const std::string& m = p.message;
  size_t says = m.find("record says ");
  size_t to = m.rfind("hashes to ");
  if (says == std::string::npos || to == std::string::npos) return {"", m};
  size_t e_start = says + 12;
  std::string expected = m.substr(e_start, m.find(',', e_start) - e_start);
  size_t a_start = to + 10;
  std::string actual = m.substr(a_start, m.find(',', a_start) - a_start);
  return {expected, actual};
}

// The work one file needs, done off the main thread.
struct FileTask {
  std::string name;  // manifest name (without .open)
  DiskFile disk;
  bool rehash = false;
  bool parse = false;
  // Its number in the run of files read ahead in ranges (jobs > 1).
  std::optional<size_t> ahead;
  // Results.
  std::optional<Result<std::string>> sha256;
  Status error;  // the task itself failed (threw)
};

// The whole-file re-hash runs on a worker; records are compared on the
// calling thread against the manifest's cursors (the manifest is not
// thread-safe), read there or by range readers on the same pool.
void RunTask(FileTask& task) {
  if (task.rehash) task.sha256 = verify::Sha256OfFile(task.disk.path);
}

// Runs tasks on `jobs` threads; Wait(i) returns once task i is done. The
// pool also takes up to `more` other tasks at a time (ranges of a file).
class TaskRunner {
 public:
  TaskRunner(std::vector<FileTask>& tasks, int jobs, size_t more)
      : tasks_(tasks),
        done_(tasks.size(), false),
        pool_(static_cast<size_t>(std::max(1, jobs)), tasks.size() + more) {
    for (size_t i = 0; i < tasks_.size(); ++i) {
      pool_.Submit([this, i] { Run(i); });
    }
  }
  void Wait(size_t i) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return done_[i]; });
  }
  WorkerPool& pool() { return pool_; }

 private:
  void Run(size_t i) {
    FileTask& task = tasks_[i];
    try {
      RunTask(task);
    } catch (const std::exception& e) {  // bad_alloc and the like
      task.error = Status::Internal(task.name + ": " + e.what());
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_[i] = true;
    }
    cv_.notify_all();
  }

  std::vector<FileTask>& tasks_;
  std::vector<bool> done_;
  std::mutex mu_;
  std::condition_variable cv_;
  // Last: joined before the members above go (range tasks a failed file
  // left in flight own what they use).
  WorkerPool pool_;
};

// A finding whose code waits for the end of the file: a manifest row or
// capture with no record at its offset is "lost-record" when the offset
// lies past the last whole record, else "not-at-offset".
struct PendingFinding {
  VerifyFinding finding;  // expected = the record id
  bool absent = false;
};

// Problems of the file, with the URL of the record each belongs to; only
// records with problems are remembered.
class ProblemUrls {
 public:
  void Add(const IndexedRecord& r) {
    for (const WarcProblem& p : r.problems) {
      urls_[{p.offset, p.code}] = r.record.target_uri;
    }
  }
  std::string Of(const WarcProblem& p) const {
    auto url = urls_.find({p.offset, p.code});
    return url == urls_.end() ? "" : url->second;
  }

 private:
  std::map<std::pair<uint64_t, std::string>, std::string> urls_;
};

// Walks a WARC file's records (in file order) together with the
// manifest's records and captures of that file (in offset order), holding
// one of each at a time. Findings are kept in the order a whole-file
// comparison reports them: rows, orphan records, captures.
class FileComparer {
 public:
  FileComparer(std::string name, bool deep, RowCursor<RecordRow>* rows,
               RowCursor<CaptureRow>* captures)
      : name_(std::move(name)), deep_(deep), rows_(rows), captures_(captures) {}

  Status Start() {
    ROTGUARD_RETURN_IF_ERROR(NextRow());
    return NextCapture();
  }

  Status OnRecord(IndexedRecord&& r) {
    urls_.Add(r);
    ++records_;
    const int64_t offset = r.record.offset;
    bool torn = false;
    for (const WarcProblem& p : r.problems) {
      if (p.code == warc_problem::kTornMember) torn = true;
      found_.emplace(static_cast<int64_t>(p.offset), p.code);
    }
    bool known = false;
    while (row_ && row_->offset <= offset) {
      bool here = row_->offset == offset;
      known = known || here;
      HandleRow(*row_, here ? &r : nullptr);
      ROTGUARD_RETURN_IF_ERROR(NextRow());
    }
    if (!known && !torn) {
      orphans_.push_back(Finding("orphan-record", offset, r.record.target_uri,
                                 "a records row",
                                 r.record.type + " " + r.record.record_id));
    }
    while (capture_ && capture_->record_offset <= offset) {
      bool here = capture_->record_offset == offset;
      HandleCapture(*capture_, here ? &r : nullptr);
      ROTGUARD_RETURN_IF_ERROR(NextCapture());
    }
    // Every row and capture up to here is done with.
    reported_.clear();
    found_.clear();
    return Status::Ok();
  }

  // After the last record: the rows and captures past it.
  Status Finish() {
    while (row_) {
      HandleRow(*row_, nullptr);
      ROTGUARD_RETURN_IF_ERROR(NextRow());
    }
    while (capture_) {
      HandleCapture(*capture_, nullptr);
      ROTGUARD_RETURN_IF_ERROR(NextCapture());
    }
    return Status::Ok();
  }

  // Every finding in order, the absent ones resolved against `file`.
  std::vector<VerifyFinding> TakeFindings(const IndexedFile& file) {
    std::vector<VerifyFinding> out;
    for (std::vector<PendingFinding>* list :
         {&row_findings_, &orphans_, &capture_findings_}) {
      for (PendingFinding& f : *list) out.push_back(Resolve(f, file));
    }
    return out;
  }

  const ProblemUrls& urls() const { return urls_; }
  int64_t records() const { return records_; }
  int64_t lost_records() const { return lost_records_; }

 private:
  Status NextRow() {
    RecordRow row;
    Result<bool> more = rows_->Next(&row);
    if (!more.ok()) return more.status();
    row_.reset();
    if (*more) row_ = std::move(row);
    return Status::Ok();
  }

  Status NextCapture() {
    capture_.reset();
    for (CaptureRow c;;) {
      Result<bool> more = captures_->Next(&c);
      if (!more.ok()) return more.status();
      if (!*more) return Status::Ok();
      if (c.lost) continue;  // counted store-wide, never compared
      capture_ = std::move(c);
      return Status::Ok();
    }
  }

  PendingFinding Finding(std::string code, int64_t offset, std::string url,
                         std::string expected, std::string actual) {
    PendingFinding p;
    p.finding.code = std::move(code);
    p.finding.file = name_;
    p.finding.offset = offset;
    p.finding.url = std::move(url);
    p.finding.expected = std::move(expected);
    p.finding.actual = std::move(actual);
    return p;
  }

  PendingFinding Absent(int64_t offset, std::string url,
                        std::string record_id) {
    PendingFinding p =
        Finding("", offset, std::move(url), std::move(record_id), "");
    p.absent = true;
    return p;
  }

  static VerifyFinding Resolve(PendingFinding& p, const IndexedFile& file) {
    if (!p.absent) return std::move(p.finding);
    uint64_t offset = static_cast<uint64_t>(p.finding.offset);
    bool gone =
        offset >= file.size || (file.torn_tail && offset >= *file.torn_tail);
    p.finding.code = gone ? "lost-record" : "not-at-offset";
    p.finding.actual = gone ? "past the last whole record (file ends at " +
                                  std::to_string(file.size) + ")"
                            : "no record starts here";
    return std::move(p.finding);
  }

  // Reports a manifest record whose bytes differ (or are absent).
  void HandleRow(const RecordRow& row, const IndexedRecord* parsed) {
    if (row.lost) {
      ++lost_records_;
      return;
    }
    if (parsed == nullptr) {
      row_findings_.push_back(
          Absent(row.offset, row.target_uri, row.record_id));
      reported_.insert(row.offset);
      return;
    }
    const RecordRow& record = parsed->record;
    if (record.record_id != row.record_id) {
      row_findings_.push_back(Finding("not-at-offset", row.offset,
                                      row.target_uri, row.record_id,
                                      record.record_id));
      reported_.insert(row.offset);
      return;
    }
    for (const auto& [code, expected, actual] :
         {std::tuple<const char*, const std::string&, const std::string&>{
              "block-digest", row.block_digest, record.block_digest},
          {"payload-digest", row.payload_digest, record.payload_digest}}) {
      if (expected == actual) continue;
      // The reader's own digest finding is the one reported.
      if (!found_.contains({row.offset, code})) {
        row_findings_.push_back(
            Finding(code, row.offset, row.target_uri, expected, actual));
      }
      reported_.insert(row.offset);
      return;
    }
  }

  void HandleCapture(const CaptureRow& c, const IndexedRecord* parsed) {
    if (reported_.contains(c.record_offset)) return;
    if (parsed == nullptr) {
      capture_findings_.push_back(Absent(c.record_offset, c.url, c.record_id));
      return;
    }
    const IndexedRecord& r = *parsed;
    if (r.record.record_id != c.record_id) {
      capture_findings_.push_back(Finding("not-at-offset", c.record_offset,
                                          c.url, c.record_id,
                                          r.record.record_id));
      return;
    }
    bool check_sha256 = deep_ && !c.payload_sha256.empty() &&
                        r.record.type != "revisit" && !r.payload_sha256.empty();
    if (check_sha256 && r.payload_sha256 != c.payload_sha256) {
      capture_findings_.push_back(Finding("payload-digest", c.record_offset,
                                          c.url, "sha256:" + c.payload_sha256,
                                          "sha256:" + r.payload_sha256));
    }
  }

  std::string name_;
  bool deep_;
  RowCursor<RecordRow>* rows_;
  RowCursor<CaptureRow>* captures_;
  std::optional<RecordRow> row_;       // the next row not yet handled
  std::optional<CaptureRow> capture_;  // the next non-lost capture
  ProblemUrls urls_;
  // Offsets whose row was reported (their captures are not), and the
  // reader's problems at the current record; both cleared per record.
  std::set<int64_t> reported_;
  std::set<std::pair<int64_t, std::string>> found_;
  std::vector<PendingFinding> row_findings_;
  std::vector<PendingFinding> orphans_;
  std::vector<PendingFinding> capture_findings_;
  int64_t records_ = 0;
  int64_t lost_records_ = 0;
};

class Verifier {
 public:
  Verifier(Store& store, Manifest* manifest, const VerifyOptions& options)
      : store_(store),
        manifest_(manifest),
        options_(options),
        now_(options.now_unix != 0 ? options.now_unix : std::time(nullptr)) {}

  Result<VerifySummary> Run() {
    manifest_sound_ = CheckSqlite();
    Result<std::map<std::string, DiskFile>> disk = ListDisk(store_.warc_dir());
    if (!disk.ok()) return disk.status();
    disk_ = std::move(*disk);
    if (!manifest_sound_) {
      // Rows read from a damaged database are not evidence: matching them
      // against the files would turn every unreadable page into false
      // orphan-record findings. The WARC files are still checked alone.
      PlanWarcOnly();
      ROTGUARD_RETURN_IF_ERROR(RunTasks());
      return summary_;
    }
    Result<std::vector<WarcFileRow>> rows = manifest_->ListWarcFiles();
    if (!rows.ok()) return rows.status();
    for (WarcFileRow& row : *rows) rows_.emplace(row.name, std::move(row));
    Result<std::vector<std::string>> purged = manifest_->ListPurgedFiles();
    if (!purged.ok()) return purged.status();
    purged_.insert(purged->begin(), purged->end());
    ROTGUARD_RETURN_IF_ERROR(CountCaptures());
    ROTGUARD_RETURN_IF_ERROR(PlanFiles());
    ROTGUARD_RETURN_IF_ERROR(RunTasks());
    return summary_;
  }

 private:
  void Emit(VerifyFinding finding) {
    if (finding.note) {
      ++summary_.notes;
    } else {
      ++summary_.findings;
    }
    if (options_.on_finding) options_.on_finding(finding);
  }

  void Emit(std::string code, std::string file, int64_t offset, std::string url,
            std::string expected, std::string actual) {
    VerifyFinding f;
    f.code = std::move(code);
    f.file = std::move(file);
    f.offset = offset;
    f.url = std::move(url);
    f.expected = std::move(expected);
    f.actual = std::move(actual);
    Emit(std::move(f));
  }

  // One finding for a damaged manifest, however many pages are bad;
  // true when the manifest passed.
  bool CheckSqlite() {
    Status integrity =
        !store_.has_manifest()
            ? Status::Corruption(options_.manifest_error)
            : manifest_->CheckIntegrity(options_.level != VerifyLevel::kDeep);
    if (integrity.ok()) return true;
    std::string where = store_.manifest_on_server()
                            ? std::string("manifest (PostgreSQL)")
                            : store_.manifest_path().filename().string();
    Emit("sqlite-integrity", where, -1, "", "ok",
         integrity.message() +
             "; WARC files checked alone, not matched with the manifest "
             "(run 'rotguard repair --rebuild-manifest')");
    return false;
  }

  // Every file on disk, parsed for its own damage (framing, gzip CRC,
  // digests inside records) without a manifest row to compare with.
  void PlanWarcOnly() {
    for (const auto& [name, file] : disk_) {
      ++summary_.files;
      FileTask task;
      task.name = name;
      task.disk = file;
      task.parse = Parsing();
      tasks_.push_back(std::move(task));
    }
  }

  Status CountCaptures() {
    Result<Manifest::CaptureCounts> counts = manifest_->CountCaptures();
    if (!counts.ok()) return counts.status();
    summary_.captures += counts->live;
    summary_.lost_captures += counts->lost;
    return Status::Ok();
  }

  bool Parsing() const { return options_.level != VerifyLevel::kQuick; }

  // Every file name (manifest or disk), with its file-level findings and
  // the task that reads it.
  Status PlanFiles() {
    std::set<std::string> names;
    for (const auto& [name, row] : rows_) names.insert(name);
    for (const auto& [name, file] : disk_) {
      names.insert(name.ends_with(kOpenSuffix)
                       ? name.substr(0, name.size() - kOpenSuffix.size())
                       : name);
    }
    std::vector<std::string> rehash_order;
    for (const std::string& name : names) {
      ROTGUARD_RETURN_IF_ERROR(PlanFile(name, &rehash_order));
    }
    AssignRehashBudget(rehash_order);
    return Status::Ok();
  }

  Status PlanFile(const std::string& name,
                  std::vector<std::string>* rehash_order) {
    auto row = rows_.find(name);
    auto closed = disk_.find(name);
    auto open = disk_.find(name + std::string(kOpenSuffix));
    bool on_disk = closed != disk_.end() || open != disk_.end();
    FileTask task;
    task.name = name;
    std::vector<VerifyFinding>& found = file_findings_[name];
    auto add = [&](std::string code, std::string expected, std::string actual) {
      VerifyFinding f;
      f.code = std::move(code);
      f.file = name;
      f.expected = std::move(expected);
      f.actual = std::move(actual);
      found.push_back(std::move(f));
    };
    if (open != disk_.end()) {
      add("stale-open", "no .open file (no run is writing)",
          name + ".open, " + std::to_string(open->second.size) + " bytes");
      task.disk = open->second;
    }
    if (row == rows_.end()) {
      PlanUnlistedFile(closed, add, &task);
      return Status::Ok();
    }
    const WarcFileRow& r = row->second;
    ++summary_.files;
    if (!on_disk) {
      ROTGUARD_RETURN_IF_ERROR(PlanMissing(r, add));
      tasks_.push_back(std::move(task));
      return Status::Ok();
    }
    if (closed != disk_.end()) task.disk = closed->second;
    task.parse = Parsing();
    if (r.state == WarcFileState::kOpen) {
      if (open == disk_.end()) {
        add("stale-open", "closed in the manifest",
            "manifest row still open for a closed file");
      }
      tasks_.push_back(std::move(task));
      return Status::Ok();
    }
    if (closed == disk_.end()) {  // closed row, only a .open file on disk
      tasks_.push_back(std::move(task));
      return Status::Ok();
    }
    PlanClosedFile(r, closed->second, add, &task, rehash_order);
    tasks_.push_back(std::move(task));
    return Status::Ok();
  }

  // A closed file in the manifest and on disk: its size, and whether its
  // bytes are re-hashed now (deep, or a changed stat) or in rehash order.
  template <typename Add>
  void PlanClosedFile(const WarcFileRow& r, const DiskFile& d, const Add& add,
                      FileTask* task, std::vector<std::string>* rehash_order) {
    if (static_cast<int64_t>(d.size) != r.size) {
      add("size-mismatch", std::to_string(r.size) + " bytes",
          std::to_string(d.size) + " bytes");
    } else {
      bool stat_known = r.mtime_ns != 0 || r.inode != 0;
      bool stat_changed =
          stat_known && (r.mtime_ns != d.mtime_ns || r.inode != d.inode);
      if (options_.level == VerifyLevel::kDeep || stat_changed) {
        task->rehash = true;  // a changed stat is proven by the bytes
      } else {
        rehash_order->push_back(task->name);
      }
    }
    if (options_.level == VerifyLevel::kQuick) {
      summary_.records += r.record_count;
    }
  }

  // A closed file that is gone: a finding unless repair already marked
  // every record of it lost.
  // A file on disk without a manifest row: an extra file, or one an
  // interrupted `forget --purge` left (the next purge or repair unlinks
  // it). An unknown .open file is reported once, as stale-open.
  template <typename Add>
  void PlanUnlistedFile(std::map<std::string, DiskFile>::const_iterator closed,
                        Add& add, FileTask* task) {
    const std::string& name = task->name;
    if (closed != disk_.end() && purged_.count(name)) {
      add("purge-pending", "no file (replaced by a purge)",
          std::to_string(closed->second.size) + " bytes, to be unlinked");
      file_findings_[name].back().note = true;
    } else if (closed != disk_.end()) {
      add("extra-file", "no file (not in the manifest)",
          std::to_string(closed->second.size) + " bytes");
    }
    task->parse = false;
    if (!file_findings_[name].empty()) tasks_.push_back(std::move(*task));
  }

  template <typename Add>
  Status PlanMissing(const WarcFileRow& r, Add& add) {
    Result<std::unique_ptr<RowCursor<RecordRow>>> records =
        manifest_->OpenRecordsOf(r.name);
    if (!records.ok()) return records.status();
    bool all_lost = true;
    bool any = false;
    for (RecordRow rec;;) {
      Result<bool> more = (*records)->Next(&rec);
      if (!more.ok()) return more.status();
      if (!*more) break;
      any = true;
      if (rec.lost) {
        ++summary_.lost_records;
      } else {
        all_lost = false;
      }
    }
    all_lost = all_lost && any;
    if (!all_lost) {
      std::string expected =
          r.state == WarcFileState::kClosed
              ? std::to_string(r.size) + " bytes, sha256 " + r.sha256
              : "an open file " + r.name + ".open";
      add("missing-file", expected, "no such file");
    }
    return Status::Ok();
  }

  // Oldest-verified first, until the budget is spent (the last file may
  // overshoot it, so a file larger than the budget is still re-checked).
  void AssignRehashBudget(std::vector<std::string>& order) {
    if (options_.rehash_budget == 0) return;
    std::stable_sort(order.begin(), order.end(),
                     [&](const std::string& a, const std::string& b) {
                       return rows_.at(a).last_verified_unix <
                              rows_.at(b).last_verified_unix;
                     });
    uint64_t spent = 0;
    for (const std::string& name : order) {
      if (spent >= options_.rehash_budget) break;
      for (FileTask& task : tasks_) {
        if (task.name == name) {
          task.rehash = true;
          spent += task.disk.size;
        }
      }
    }
  }

  Status RunTasks() {
    uint64_t total = 0;
    for (const FileTask& t : tasks_) {
      if (t.rehash) total += t.disk.size;
      if (t.parse) total += t.disk.size;
    }
    uint64_t done = 0;
    // Numbered before the runner's threads look at the tasks.
    std::vector<verify::RangedFile> ahead_files;
    if (options_.jobs > 1 && manifest_sound_) ahead_files = AheadFiles();
    TaskRunner runner(tasks_, options_.jobs, Ranges().window);
    // Destroyed before the runner: its ranges in flight own what they use.
    std::optional<verify::RangeReadAhead> ahead;
    if (!ahead_files.empty()) {
      ahead.emplace(
          std::move(ahead_files), Depth(),
          [this](size_t file) { return OffsetsOf(file); }, runner.pool(),
          Ranges());
      ahead_ = &*ahead;
    }
    Status failure;
    for (size_t i = 0; i < tasks_.size(); ++i) {
      FileTask& task = tasks_[i];
      for (VerifyFinding& f : file_findings_[task.name]) Emit(std::move(f));
      // The records are read while the file's re-hash runs; their
      // findings follow the sha256 one, as they always have.
      std::vector<VerifyFinding> held;
      Status parsed = failure.ok() ? ParseTask(task, &held) : Status::Ok();
      runner.Wait(i);
      if (failure.ok()) failure = FinishTask(task, parsed, held);
      done += (task.rehash ? task.disk.size : 0) +
              (task.parse ? task.disk.size : 0);
      if (options_.on_progress) options_.on_progress(done, total);
    }
    ahead_ = nullptr;
    return failure;
  }

  Status ParseTask(const FileTask& task, std::vector<VerifyFinding>* held) {
    if (!task.parse) return Status::Ok();
    try {
      return manifest_sound_ ? CompareRecords(task, held)
                             : ParseAlone(task, held);
    } catch (const std::exception& e) {  // bad_alloc and the like
      return Status::Internal(task.name + ": " + e.what());
    }
  }

  Status FinishTask(FileTask& task, const Status& parsed,
                    std::vector<VerifyFinding>& held) {
    ROTGUARD_RETURN_IF_ERROR(task.error);
    if (task.sha256) ROTGUARD_RETURN_IF_ERROR(CheckSha256(task));
    ROTGUARD_RETURN_IF_ERROR(parsed);
    for (VerifyFinding& f : held) Emit(std::move(f));
    return Status::Ok();
  }

  verify::IndexDepth Depth() const {
    return options_.level == VerifyLevel::kDeep ? verify::IndexDepth::kPayloads
                                                : verify::IndexDepth::kRecords;
  }

  Status CheckSha256(FileTask& task) {
    if (!task.sha256->ok()) return task.sha256->status();
    WarcFileRow row = rows_.at(task.name);
    ++summary_.files_rehashed;
    summary_.bytes_rehashed += task.disk.size;
    if (**task.sha256 != row.sha256) {
      Emit("sha256-mismatch", task.name, -1, "", row.sha256, **task.sha256);
      return Status::Ok();
    }
    // A read-only store cannot take the stamp; the check itself stands.
    if (store_.read_only()) return Status::Ok();
    row.last_verified_unix = now_;
    row.mtime_ns = task.disk.mtime_ns;
    row.inode = task.disk.inode;
    return manifest_->UpdateWarcFile(row);
  }

  static void ReportProblems(const IndexedFile& file, const ProblemUrls& urls,
                             std::vector<VerifyFinding>* out) {
    for (const WarcProblem& p : file.problems) {
      auto [expected, actual] = ExpectedActualOf(p);
      VerifyFinding f;
      f.code = p.code;
      f.file = p.file;
      f.offset = static_cast<int64_t>(p.offset);
      f.url = urls.Of(p);
      f.expected = expected;
      f.actual = actual;
      f.note = !verify::IsError(p);
      out->push_back(std::move(f));
    }
  }

  // A file checked for its own damage only (no sound manifest).
  Status ParseAlone(const FileTask& task, std::vector<VerifyFinding>* out) {
    ProblemUrls urls;
    int64_t records = 0;
    Result<IndexedFile> file = verify::StreamWarcFile(
        task.disk.path, task.name, Depth(), [&](IndexedRecord&& r) {
          urls.Add(r);
          ++records;
          return Status::Ok();
        });
    if (!file.ok()) return file.status();
    ReportProblems(*file, urls, out);
    summary_.records += records;
    return Status::Ok();
  }

  verify::RangeOptions Ranges() const {
    verify::RangeOptions ranges;
    ranges.window = 2 * static_cast<size_t>(std::max(1, options_.jobs));
    ranges.min_bytes = options_.range_bytes;
    return ranges;
  }

  // The files whose records are compared, numbered for the read-ahead.
  std::vector<verify::RangedFile> AheadFiles() {
    std::vector<verify::RangedFile> files;
    ahead_names_.clear();
    for (FileTask& task : tasks_) {
      if (!task.parse) continue;
      task.ahead = files.size();
      files.push_back({task.disk.path, task.name});
      ahead_names_.push_back(task.name);
    }
    return files;
  }

  // The manifest's offsets of file `file`'s (not lost) rows, ascending;
  // pulled on this thread as the read-ahead reaches the file.
  Result<verify::OffsetSource> OffsetsOf(size_t file) {
    Result<std::unique_ptr<RowCursor<RecordRow>>> opened =
        manifest_->OpenRecordsOf(ahead_names_.at(file));
    if (!opened.ok()) return opened.status();
    std::shared_ptr<RowCursor<RecordRow>> rows = std::move(*opened);
    return verify::OffsetSource([rows]() -> Result<std::optional<uint64_t>> {
      for (RecordRow row;;) {
        Result<bool> more = rows->Next(&row);
        if (!more.ok()) return more.status();
        if (!*more) return std::optional<uint64_t>();
        if (!row.lost && row.offset >= 0) {
          return std::optional<uint64_t>(static_cast<uint64_t>(row.offset));
        }
      }
    });
  }

  // The file's records to `sink` in file order: read here with one job,
  // else in ranges cut at the manifest's offsets of its (not lost) rows,
  // read ahead with the next files'.
  Result<IndexedFile> ReadRecords(const FileTask& task,
                                  const verify::RecordSink& sink) {
    if (ahead_ == nullptr || !task.ahead) {
      return verify::StreamWarcFile(task.disk.path, task.name, Depth(), sink);
    }
    return ahead_->Read(*task.ahead, sink);
  }

  Status CompareRecords(const FileTask& task, std::vector<VerifyFinding>* out) {
    Result<std::unique_ptr<RowCursor<RecordRow>>> rows =
        manifest_->OpenRecordsOf(task.name);
    if (!rows.ok()) return rows.status();
    Result<std::unique_ptr<RowCursor<CaptureRow>>> captures =
        manifest_->OpenCapturesOf(task.name);
    if (!captures.ok()) return captures.status();
    FileComparer comparer(task.name, options_.level == VerifyLevel::kDeep,
                          rows->get(), captures->get());
    ROTGUARD_RETURN_IF_ERROR(comparer.Start());
    Result<IndexedFile> file = ReadRecords(task, [&](IndexedRecord&& r) {
      return comparer.OnRecord(std::move(r));
    });
    if (!file.ok()) return file.status();
    ROTGUARD_RETURN_IF_ERROR(comparer.Finish());
    ReportProblems(*file, comparer.urls(), out);
    summary_.records += comparer.records();
    summary_.lost_records += comparer.lost_records();
    for (VerifyFinding& f : comparer.TakeFindings(*file)) {
      out->push_back(std::move(f));
    }
    return Status::Ok();
  }

  Store& store_;
  Manifest* manifest_;  // null when the store has none (not opened)
  const VerifyOptions& options_;
  int64_t now_;
  bool manifest_sound_ = true;  // quick_check/integrity_check passed
  VerifySummary summary_;
  std::map<std::string, WarcFileRow> rows_;
  std::set<std::string> purged_;  // purged_files: left by a purge
  std::map<std::string, DiskFile> disk_;
  std::map<std::string, std::vector<VerifyFinding>> file_findings_;
  std::vector<FileTask> tasks_;
  // RunTasks()'s, while it runs, with jobs > 1.
  verify::RangeReadAhead* ahead_ = nullptr;
  std::vector<std::string> ahead_names_;  // its files, by number
};

}  // namespace

Result<VerifySummary> VerifyStore(Store& store, const VerifyOptions& options) {
  if (!store.has_manifest()) {
    // Without a manifest only the WARC files are read (manifest_ unused).
    Verifier verifier(store, nullptr, options);
    return verifier.Run();
  }
  Verifier verifier(store, &store.manifest(), options);
  return verifier.Run();
}

}  // namespace rotguard
