// `verify` (SPEC §7, §13 "verify output"): compares the WARC directory with
// the manifest at three depths. Per-file work (whole-file sha256, parsing
// every record) runs on `jobs` threads; comparing and reporting happen on
// the calling thread in file-name order, so output is deterministic.
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
#include "verify/warc_index.h"

namespace rotguard {
namespace {

namespace fs = std::filesystem;
using verify::IndexedFile;
using verify::IndexedRecord;

constexpr std::string_view kOpenSuffix = ".open";

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
  // Results.
  std::optional<Result<std::string>> sha256;
  std::optional<Result<IndexedFile>> indexed;
  Status error;  // the task itself failed (threw)
};

void RunTask(FileTask& task, verify::IndexDepth depth) {
  if (task.rehash) task.sha256 = verify::Sha256OfFile(task.disk.path);
  if (task.parse) {
    task.indexed = verify::IndexWarcFile(task.disk.path, task.name, depth);
  }
}

// Runs tasks on `jobs` threads; Wait(i) returns once task i is done.
class TaskRunner {
 public:
  TaskRunner(std::vector<FileTask>& tasks, int jobs, verify::IndexDepth depth)
      : tasks_(tasks),
        done_(tasks.size(), false),
        depth_(depth),
        pool_(std::max(1, std::min<int>(jobs, static_cast<int>(tasks.size()))),
              tasks.size()) {
    for (size_t i = 0; i < tasks_.size(); ++i) {
      pool_.Submit([this, i] { Run(i); });
    }
  }
  void Wait(size_t i) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return done_[i]; });
  }

 private:
  void Run(size_t i) {
    FileTask& task = tasks_[i];
    try {
      RunTask(task, depth_);
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
  verify::IndexDepth depth_;
  std::mutex mu_;
  std::condition_variable cv_;
  WorkerPool pool_;  // last: joined before the members above go
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
    ROTGUARD_RETURN_IF_ERROR(LoadCaptures());
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
    Emit("sqlite-integrity", store_.manifest_path().filename().string(), -1, "",
         "ok",
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

  Status LoadCaptures() {
    Result<std::vector<CaptureRow>> captures = manifest_->ListCaptures();
    if (!captures.ok()) return captures.status();
    for (CaptureRow& c : *captures) {
      if (c.lost) {
        ++summary_.lost_captures;
        continue;
      }
      ++summary_.captures;
      captures_[c.warc_file].push_back(std::move(c));
    }
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
      if (closed != disk_.end()) {
        add("extra-file", "no file (not in the manifest)",
            std::to_string(closed->second.size) + " bytes");
      }
      // An unknown .open file is reported once, as stale-open.
      task.parse = false;
      if (!found.empty()) tasks_.push_back(std::move(task));
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
  template <typename Add>
  Status PlanMissing(const WarcFileRow& r, Add& add) {
    Result<std::vector<RecordRow>> records = manifest_->RecordsOf(r.name);
    if (!records.ok()) return records.status();
    bool all_lost = !records->empty();
    for (const RecordRow& rec : *records) {
      if (rec.lost) {
        ++summary_.lost_records;
      } else {
        all_lost = false;
      }
    }
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
    verify::IndexDepth depth = options_.level == VerifyLevel::kDeep
                                   ? verify::IndexDepth::kPayloads
                                   : verify::IndexDepth::kRecords;
    TaskRunner runner(tasks_, options_.jobs, depth);
    Status failure;
    for (size_t i = 0; i < tasks_.size(); ++i) {
      runner.Wait(i);
      FileTask& task = tasks_[i];
      for (VerifyFinding& f : file_findings_[task.name]) Emit(std::move(f));
      if (failure.ok()) failure = FinishTask(task);
      done += (task.rehash ? task.disk.size : 0) +
              (task.parse ? task.disk.size : 0);
      task.indexed.reset();  // free the rows early
      if (options_.on_progress) options_.on_progress(done, total);
    }
    return failure;
  }

  Status FinishTask(FileTask& task) {
    ROTGUARD_RETURN_IF_ERROR(task.error);
    if (task.sha256) ROTGUARD_RETURN_IF_ERROR(CheckSha256(task));
    if (task.indexed) {
      if (!task.indexed->ok()) return task.indexed->status();
      if (!manifest_sound_) {
        ReportProblems(**task.indexed);
        summary_.records +=
            static_cast<int64_t>((*task.indexed)->records.size());
        return Status::Ok();
      }
      ROTGUARD_RETURN_IF_ERROR(CompareRecords(task.name, **task.indexed));
    }
    return Status::Ok();
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

  void ReportProblems(const IndexedFile& file) {
    std::map<std::pair<uint64_t, std::string>, std::string> urls;
    for (const IndexedRecord& r : file.records) {
      for (const WarcProblem& p : r.problems) {
        urls[{p.offset, p.code}] = r.record.target_uri;
      }
    }
    for (const WarcProblem& p : file.problems) {
      auto [expected, actual] = ExpectedActualOf(p);
      auto url = urls.find({p.offset, p.code});
      VerifyFinding f;
      f.code = p.code;
      f.file = p.file;
      f.offset = static_cast<int64_t>(p.offset);
      f.url = url == urls.end() ? "" : url->second;
      f.expected = expected;
      f.actual = actual;
      f.note = !verify::IsError(p);
      Emit(std::move(f));
    }
  }

  Status CompareRecords(const std::string& name, const IndexedFile& file) {
    ReportProblems(file);
    std::map<int64_t, const IndexedRecord*> parsed;
    std::set<int64_t> torn;
    for (const IndexedRecord& r : file.records) {
      parsed[r.record.offset] = &r;
      for (const WarcProblem& p : r.problems) {
        if (p.code == warc_problem::kTornMember) torn.insert(r.record.offset);
      }
    }
    summary_.records += static_cast<int64_t>(file.records.size());
    Result<std::vector<RecordRow>> rows = manifest_->RecordsOf(name);
    if (!rows.ok()) return rows.status();
    std::set<int64_t> known;
    std::set<int64_t> reported;
    // What the reader already found, so that a record's digest failure
    // is one finding even when its field also differs from the manifest.
    std::set<std::pair<int64_t, std::string>> found;
    for (const WarcProblem& p : file.problems) {
      found.emplace(static_cast<int64_t>(p.offset), p.code);
    }
    for (const RecordRow& row : *rows) {
      known.insert(row.offset);
      if (row.lost) {
        ++summary_.lost_records;
        continue;
      }
      if (CompareRow(row, parsed, file, found)) reported.insert(row.offset);
    }
    for (const IndexedRecord& r : file.records) {
      if (known.contains(r.record.offset) || torn.contains(r.record.offset)) {
        continue;
      }
      Emit("orphan-record", name, r.record.offset, r.record.target_uri,
           "a records row", r.record.type + " " + r.record.record_id);
    }
    CompareCaptures(name, parsed, reported, file);
    return Status::Ok();
  }

  // Reports a manifest record whose bytes differ; true when it did.
  bool CompareRow(const RecordRow& row,
                  const std::map<int64_t, const IndexedRecord*>& parsed,
                  const IndexedFile& file,
                  const std::set<std::pair<int64_t, std::string>>& found) {
    auto it = parsed.find(row.offset);
    if (it == parsed.end()) {
      ReportAbsent(row.warc_file, row.offset, row.target_uri, row.record_id,
                   file);
      return true;
    }
    const RecordRow& record = it->second->record;
    if (record.record_id != row.record_id) {
      Emit("not-at-offset", row.warc_file, row.offset, row.target_uri,
           row.record_id, record.record_id);
      return true;
    }
    for (const auto& [code, expected, actual] :
         {std::tuple<const char*, const std::string&, const std::string&>{
              "block-digest", row.block_digest, record.block_digest},
          {"payload-digest", row.payload_digest, record.payload_digest}}) {
      if (expected == actual) continue;
      if (!found.contains({row.offset, code})) {
        Emit(code, row.warc_file, row.offset, row.target_uri, expected, actual);
      }
      return true;
    }
    return false;
  }

  // No record starts at `offset`: its bytes are gone (past the end or in
  // the torn tail) or something else sits there.
  void ReportAbsent(const std::string& name, int64_t offset,
                    const std::string& url, const std::string& record_id,
                    const IndexedFile& file) {
    bool gone =
        static_cast<uint64_t>(offset) >= file.size ||
        (file.torn_tail && static_cast<uint64_t>(offset) >= *file.torn_tail);
    Emit(gone ? "lost-record" : "not-at-offset", name, offset, url, record_id,
         gone ? "past the last whole record (file ends at " +
                    std::to_string(file.size) + ")"
              : "no record starts here");
  }

  void CompareCaptures(const std::string& name,
                       const std::map<int64_t, const IndexedRecord*>& parsed,
                       const std::set<int64_t>& reported,
                       const IndexedFile& file) {
    auto list = captures_.find(name);
    if (list == captures_.end()) return;
    for (const CaptureRow& c : list->second) {
      if (reported.contains(c.record_offset)) continue;
      auto it = parsed.find(c.record_offset);
      if (it == parsed.end()) {
        ReportAbsent(name, c.record_offset, c.url, c.record_id, file);
        continue;
      }
      const IndexedRecord& r = *it->second;
      if (r.record.record_id != c.record_id) {
        Emit("not-at-offset", name, c.record_offset, c.url, c.record_id,
             r.record.record_id);
        continue;
      }
      bool check_sha256 =
          options_.level == VerifyLevel::kDeep && !c.payload_sha256.empty() &&
          r.record.type != "revisit" && !r.payload_sha256.empty();
      if (check_sha256 && r.payload_sha256 != c.payload_sha256) {
        Emit("payload-digest", name, c.record_offset, c.url,
             "sha256:" + c.payload_sha256, "sha256:" + r.payload_sha256);
      }
    }
  }

  Store& store_;
  Manifest* manifest_;  // null when the store has none (not opened)
  const VerifyOptions& options_;
  int64_t now_;
  bool manifest_sound_ = true;  // quick_check/integrity_check passed
  VerifySummary summary_;
  std::map<std::string, WarcFileRow> rows_;
  std::map<std::string, DiskFile> disk_;
  std::map<std::string, std::vector<CaptureRow>> captures_;
  std::map<std::string, std::vector<VerifyFinding>> file_findings_;
  std::vector<FileTask> tasks_;
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
