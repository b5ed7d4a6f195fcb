// `import`: copy a foreign WARC or ARC file into the store and index it
// (SPEC §13).
// Order of work, so a failure leaves nothing half-imported: copy to a
// temporary file (hashing on the way), read the copy record by record,
// writing the manifest rows in batches inside one open transaction, and
// refuse it on any damage (rolled back); rename it to its final name, then
// commit; if the manifest refuses, the copy is removed again.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>
#include <memory>
#include <optional>
#include <set>

#include "rotguard/url.h"
#include "rotguard/verify.h"
#include "util/digest.h"
#include "util/file.h"
#include "util/handles.h"
#include "verify/store_names.h"
#include "verify/warc_index.h"

namespace rotguard {
namespace {

namespace fs = std::filesystem;
using verify::IndexedFile;
using verify::IndexedRecord;

using verify::kImportedPrefix;

// Removes a file on scope exit unless released.
class RemoveOnExit {
 public:
  RemoveOnExit(Env* env, fs::path path) : env_(env), path_(std::move(path)) {}
  RemoveOnExit(const RemoveOnExit&) = delete;
  RemoveOnExit& operator=(const RemoveOnExit&) = delete;
  ~RemoveOnExit() {
    if (!path_.empty()) (void)env_->RemoveFile(path_);
  }
  void Retarget(fs::path path) { path_ = std::move(path); }
  void Release() { path_.clear(); }

 private:
  Env* env_;
  fs::path path_;
};

// Copies `from` to a new file `to`, fsynced; returns the sha256 hex.
Result<std::string> CopyAndHash(const fs::path& from, const fs::path& to,
                                Env* env) {
  Fd in(::open(from.c_str(), O_RDONLY | O_CLOEXEC));
  if (!in.valid()) return Status::FromErrno(from.string(), errno);
  struct stat st {};
  if (::fstat(in.get(), &st) != 0)
    return Status::FromErrno(from.string(), errno);
  if (!S_ISREG(st.st_mode)) {
    return Status::InvalidArgument(from.string() + ": not a regular file");
  }
  Result<std::unique_ptr<WritableFile>> out =
      env->NewWritableFile(to, OpenMode::kCreateNew);
  if (!out.ok()) return out.status();
  Hasher hasher(DigestAlgorithm::kSha256);
  constexpr size_t kBuffer = 1 << 20;
  auto buffer = std::make_unique<char[]>(kBuffer);
  while (true) {
    ssize_t got = ::read(in.get(), buffer.get(), kBuffer);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return Status::FromErrno(from.string(), errno);
    if (got == 0) break;
    std::string_view bytes(buffer.get(), static_cast<size_t>(got));
    hasher.Update(bytes);
    ROTGUARD_RETURN_IF_ERROR((*out)->Append(bytes));
  }
  ROTGUARD_RETURN_IF_ERROR((*out)->Sync());
  ROTGUARD_RETURN_IF_ERROR((*out)->Close());
  return HexEncode(hasher.Final());
}

// "crawl.warc.gz" → "crawl-2.warc.gz", "old.arc.gz" → "old-2.arc.gz"
// (n = 2, 3, ...).
std::string NumberedName(const std::string& base, int n) {
  if (n <= 1) return base;
  size_t dot = base.find(".warc");
  if (dot == std::string::npos) dot = base.find(".arc");
  if (dot == std::string::npos || dot == 0) dot = base.size();
  return base.substr(0, dot) + "-" + std::to_string(n) + base.substr(dot);
}

// A name under imported/ that neither the disk nor the manifest knows.
std::string UniqueName(const Store& store, const std::string& base,
                       const std::set<std::string>& known) {
  for (int n = 1;; ++n) {
    std::string candidate = NumberedName(base, n);
    std::error_code ec;
    if (!known.contains(std::string(kImportedPrefix) + candidate) &&
        !fs::exists(store.imported_dir() / candidate, ec) &&
        !fs::exists(store.imported_dir() / (candidate + ".open"), ec)) {
      return candidate;
    }
  }
}

std::string Describe(const WarcProblem& p) {
  return p.code + " at offset " + std::to_string(p.offset) + ": " + p.message;
}

// Rows go to the manifest in batches of this many records, so memory
// stays flat however many records a file holds.
constexpr size_t kBatchRecords = 10'000;

// Indexes the copy record by record into `writer` (one open transaction):
// refuses it at the first damaged record, as a whole file would be.
class StreamingIndexer {
 public:
  StreamingIndexer(Manifest::WarcFileWriter* writer, std::string source,
                   std::set<std::string> forgotten)
      : writer_(writer),
        source_(std::move(source)),
        forgotten_(std::move(forgotten)) {}

  Status Add(IndexedRecord&& r) {
    for (const WarcProblem& p : r.problems) {
      if (verify::IsError(p)) return Refuse(Describe(p));
    }
    ++records_;
    std::optional<std::string> key = NormalizeUrl(r.record.target_uri);
    if (key && forgotten_.contains(*key)) {
      // A tombstoned URL (`forget`): indexed, never a capture; its bytes
      // wait for `forget --purge` like those of a forgotten capture.
      r.record.forgotten = true;
    } else if (r.capturable) {
      captures_.push_back(verify::CaptureOf(r, "import"));
      ++capture_count_;
    }
    records_batch_.push_back(std::move(r.record));
    if (records_batch_.size() >= kBatchRecords) return Flush();
    return Status::Ok();
  }

  // After the last record: the damage outside records, then the rest.
  Status Finish(const IndexedFile& file, ImportResult* result) {
    for (const WarcProblem& p : file.problems) {
      if (verify::IsError(p)) return Refuse(Describe(p));
    }
    if (records_ == 0) {
      return Refuse("not a WARC or ARC file (no record at offset 0)");
    }
    for (const WarcProblem& p : file.problems) {
      if (!verify::IsError(p)) result->notes.push_back(Describe(p));
    }
    result->records = records_;
    result->captures = capture_count_;
    return Flush();
  }

  int64_t records() const { return records_; }

 private:
  Status Refuse(const std::string& damage) {
    return Status::Corruption(source_ + ": " + damage + "; nothing imported");
  }

  Status Flush() {
    ROTGUARD_RETURN_IF_ERROR(writer_->Add(records_batch_, captures_));
    records_batch_.clear();
    captures_.clear();
    return Status::Ok();
  }

  Manifest::WarcFileWriter* writer_;
  std::string source_;
  std::set<std::string> forgotten_;  // tombstoned normalized URLs
  std::vector<RecordRow> records_batch_;
  std::vector<CaptureRow> captures_;
  int64_t records_ = 0;
  int64_t capture_count_ = 0;
};

// The closed-file row of the copy at `path` (stat() survives the rename).
Result<WarcFileRow> FileRowOf(const fs::path& path, const std::string& name,
                              const std::string& sha256) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return Status::FromErrno(path.string(), errno);
  }
  WarcFileRow row;
  row.name = name;
  row.state = WarcFileState::kClosed;
  row.size = static_cast<int64_t>(st.st_size);
  row.sha256 = sha256;
  row.created_unix = std::time(nullptr);
  row.closed_unix = row.created_unix;
  row.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 +
                 st.st_mtim.tv_nsec;
  row.inode = static_cast<int64_t>(st.st_ino);
  row.last_verified_unix = row.created_unix;
  row.imported = true;
  return row;
}

// The normalized URLs taken down with `rotguard forget`: their records
// are indexed but never become captures.
Result<std::set<std::string>> ForgottenUrls(Manifest& manifest) {
  Result<std::vector<TombstoneRow>> tombstones = manifest.ListTombstones();
  if (!tombstones.ok()) return tombstones.status();
  std::set<std::string> forgotten;
  for (const TombstoneRow& t : *tombstones) forgotten.insert(t.normalized);
  return forgotten;
}

}  // namespace

Result<ImportResult> ImportWarc(Store& store, const fs::path& source,
                                const ImportOptions& options) {
  Env* env = options.env;
  ImportResult result;
  result.source = source.string();
  std::error_code ec;
  fs::create_directories(store.imported_dir(), ec);
  if (ec) {
    return Status::IOError(store.imported_dir().string() + ": " + ec.message());
  }
  Result<std::vector<WarcFileRow>> files = store.manifest().ListWarcFiles();
  if (!files.ok()) return files.status();
  std::set<std::string> known;
  for (const WarcFileRow& f : *files) known.insert(f.name);

  fs::path tmp =
      store.imported_dir() / (".import-" + std::to_string(::getpid()) + ".tmp");
  fs::remove(tmp, ec);
  RemoveOnExit cleanup(env, tmp);
  Result<std::string> sha256 = CopyAndHash(source, tmp, env);
  if (!sha256.ok()) return sha256.status();
  for (const WarcFileRow& f : *files) {
    if (f.imported && f.sha256 == *sha256) {
      result.skipped = true;
      result.name = f.name;
      return result;
    }
  }

  std::string base = source.filename().string();
  if (base.empty() || base.starts_with(".")) base = "import" + base;
  std::string leaf = UniqueName(store, base, known);
  result.name = std::string(kImportedPrefix) + leaf;

  // The rows are written while the copy is read, in one transaction that
  // is committed only once the file has its final name.
  Result<WarcFileRow> row = FileRowOf(tmp, result.name, *sha256);
  if (!row.ok()) return row.status();
  Result<std::set<std::string>> forgotten = ForgottenUrls(store.manifest());
  if (!forgotten.ok()) return forgotten.status();
  Result<std::unique_ptr<Manifest::WarcFileWriter>> writer =
      store.manifest().BeginWarcFile(*row);
  if (!writer.ok()) return writer.status();
  StreamingIndexer indexer(writer->get(), source.string(),
                           std::move(*forgotten));
  Result<IndexedFile> indexed = verify::StreamWarcFile(
      tmp, result.name, verify::IndexDepth::kPayloads,
      [&](IndexedRecord&& r) { return indexer.Add(std::move(r)); });
  if (!indexed.ok()) return indexed.status();
  ROTGUARD_RETURN_IF_ERROR(indexer.Finish(*indexed, &result));

  fs::path final_path = store.imported_dir() / leaf;
  ROTGUARD_RETURN_IF_ERROR(env->RenameFile(tmp, final_path));
  cleanup.Retarget(final_path);
  ROTGUARD_RETURN_IF_ERROR(env->SyncDirectory(store.imported_dir()));
  row->record_count = indexer.records();
  ROTGUARD_RETURN_IF_ERROR((*writer)->Commit(*row));
  cleanup.Release();
  return result;
}

}  // namespace rotguard
