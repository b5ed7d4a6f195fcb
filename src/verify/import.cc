// `import`: copy a foreign WARC or ARC file into the store and index it
// (SPEC §13).
// Order of work, so a failure leaves nothing half-imported: copy to a
// temporary file (hashing on the way), read the copy and refuse it on any
// damage, rename it to its final name, then write the manifest rows; if
// the manifest refuses them, the copy is removed again.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>
#include <memory>
#include <set>

#include "rotguard/verify.h"
#include "util/digest.h"
#include "util/file.h"
#include "util/handles.h"
#include "verify/warc_index.h"

namespace rotguard {
namespace {

namespace fs = std::filesystem;
using verify::IndexedFile;
using verify::IndexedRecord;

constexpr const char* kImportedPrefix = "imported/";

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
    if (!known.contains(kImportedPrefix + candidate) &&
        !fs::exists(store.imported_dir() / candidate, ec) &&
        !fs::exists(store.imported_dir() / (candidate + ".open"), ec)) {
      return candidate;
    }
  }
}

// The first error problem, as "CODE at offset N: message".
std::string DamageOf(const IndexedFile& file) {
  for (const verify::IndexedRecord& r : file.records) {
    for (const WarcProblem& p : r.problems) {
      if (verify::IsError(p)) {
        return p.code + " at offset " + std::to_string(p.offset) + ": " +
               p.message;
      }
    }
  }
  for (const WarcProblem& p : file.problems) {
    if (verify::IsError(p)) {
      return p.code + " at offset " + std::to_string(p.offset) + ": " +
             p.message;
    }
  }
  if (file.records.empty()) {
    return "not a WARC or ARC file (no record at offset 0)";
  }
  return "";
}

std::vector<std::string> NotesOf(const IndexedFile& file) {
  std::vector<std::string> notes;
  for (const WarcProblem& p : file.problems) {
    if (!verify::IsError(p)) {
      notes.push_back(p.code + " at offset " + std::to_string(p.offset) + ": " +
                      p.message);
    }
  }
  return notes;
}

Status AddRows(Manifest& manifest, const WarcFileRow& row,
               const IndexedFile& file, ImportResult* result) {
  std::vector<RecordRow> records;
  std::vector<CaptureRow> captures;
  for (const IndexedRecord& r : file.records) {
    records.push_back(r.record);
    if (r.capturable) captures.push_back(verify::CaptureOf(r, "import"));
  }
  ROTGUARD_RETURN_IF_ERROR(
      manifest.AddWarcFileWithRows(row, records, captures));
  result->records = static_cast<int64_t>(records.size());
  result->captures = static_cast<int64_t>(captures.size());
  return Status::Ok();
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
  result.name = kImportedPrefix + leaf;

  Result<IndexedFile> indexed =
      verify::IndexWarcFile(tmp, result.name, verify::IndexDepth::kPayloads);
  if (!indexed.ok()) return indexed.status();
  std::string damage = DamageOf(*indexed);
  if (!damage.empty()) {
    return Status::Corruption(source.string() + ": " + damage +
                              "; nothing imported");
  }
  result.notes = NotesOf(*indexed);

  fs::path final_path = store.imported_dir() / leaf;
  ROTGUARD_RETURN_IF_ERROR(env->RenameFile(tmp, final_path));
  cleanup.Retarget(final_path);
  ROTGUARD_RETURN_IF_ERROR(env->SyncDirectory(store.imported_dir()));

  struct stat st {};
  if (::stat(final_path.c_str(), &st) != 0) {
    return Status::FromErrno(final_path.string(), errno);
  }
  WarcFileRow row;
  row.name = result.name;
  row.state = WarcFileState::kClosed;
  row.size = static_cast<int64_t>(st.st_size);
  row.sha256 = *sha256;
  row.record_count = static_cast<int64_t>(indexed->records.size());
  row.created_unix = std::time(nullptr);
  row.closed_unix = row.created_unix;
  row.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 +
                 st.st_mtim.tv_nsec;
  row.inode = static_cast<int64_t>(st.st_ino);
  row.last_verified_unix = row.created_unix;
  row.imported = true;
  ROTGUARD_RETURN_IF_ERROR(AddRows(store.manifest(), row, *indexed, &result));
  cleanup.Release();
  return result;
}

}  // namespace rotguard
