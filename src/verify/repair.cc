// `repair` (SPEC §7): fixes what can be fixed without losing data. It
// never deletes a readable record: a torn tail is cut only after the
// last whole record and its bytes are kept in <store>/damaged/; damage
// in the middle of a file is reported and left alone.
//
// Per file, file operations come first (cut, fsync, rename) and manifest
// rows after, so a crash in between leaves a state the next repair
// recognises (an open row for a closed file, or orphans to index).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>
#include <map>
#include <memory>
#include <set>

#include "rotguard/verify.h"
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
using verify::kOpenSuffix;

// Copies bytes [from, to) of `in` to the new file `out_path`, fsynced.
Status CopyRange(int in, uint64_t from, uint64_t to, WritableFile& out,
                 const fs::path& out_path) {
  constexpr size_t kBuffer = 1 << 20;
  auto buffer = std::make_unique<char[]>(kBuffer);
  uint64_t pos = from;
  while (pos < to) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(kBuffer, to - pos));
    ssize_t got = ::pread(in, buffer.get(), want, static_cast<off_t>(pos));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return Status::FromErrno(out_path.string(), errno);
    ROTGUARD_RETURN_IF_ERROR(
        out.Append(std::string_view(buffer.get(), static_cast<size_t>(got))));
    pos += static_cast<uint64_t>(got);
  }
  ROTGUARD_RETURN_IF_ERROR(out.Sync());
  return out.Close();
}

// The copy is whole or gone: a partial one would be kept as if it held
// all the cut bytes.
Status CopyRangeToNewFile(Env* env, int in, uint64_t from, uint64_t to,
                          const fs::path& out_path) {
  Result<std::unique_ptr<WritableFile>> out =
      env->NewWritableFile(out_path, OpenMode::kCreateNew);
  if (!out.ok()) return out.status();
  Status status = CopyRange(in, from, to, **out, out_path);
  if (!status.ok()) {
    out->reset();
    (void)env->RemoveFile(out_path);
  }
  return status;
}

// "rotguard-...warc.gz" cut at 1234 → damaged/rotguard-...warc.gz.1234.damaged
// ("imported/x" → "imported_x..."), numbered when the name is taken.
fs::path DamagedPath(const Store& store, const std::string& name,
                     uint64_t offset) {
  std::string flat = name;
  for (char& c : flat) {
    if (c == '/') c = '_';
  }
  std::string base = flat + "." + std::to_string(offset);
  fs::path path = store.damaged_dir() / (base + ".damaged");
  std::error_code ec;
  for (int n = 2; fs::exists(path, ec); ++n) {
    path = store.damaged_dir() / (base + "-" + std::to_string(n) + ".damaged");
  }
  return path;
}

struct Stat {
  int64_t size = 0;
  int64_t mtime_ns = 0;
  int64_t inode = 0;
};

Result<Stat> StatOf(const fs::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return Status::FromErrno(path.string(), errno);
  }
  return Stat{static_cast<int64_t>(st.st_size),
              static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 +
                  st.st_mtim.tv_nsec,
              static_cast<int64_t>(st.st_ino)};
}

bool IsTorn(const IndexedRecord& r) {
  for (const WarcProblem& p : r.problems) {
    if (p.code == warc_problem::kTornMember) return true;
  }
  return false;
}

class Repairer {
 public:
  Repairer(Store& store, const RepairOptions& options)
      : store_(store),
        manifest_(store.manifest()),
        options_(options),
        now_(std::time(nullptr)) {}

  Result<RepairSummary> Run() {
    Result<std::vector<WarcFileRow>> rows = manifest_.ListWarcFiles();
    if (!rows.ok()) return rows.status();
    std::map<std::string, WarcFileRow> by_name;
    for (WarcFileRow& row : *rows) by_name.emplace(row.name, std::move(row));
    Result<std::vector<CaptureRow>> captures = manifest_.ListCaptures();
    if (!captures.ok()) return captures.status();
    for (CaptureRow& c : *captures) {
      if (!c.lost) captures_[c.warc_file].push_back(std::move(c));
    }

    std::map<std::string, fs::path> disk;  // name (without .open) → path
    std::set<std::string> open_on_disk;
    ROTGUARD_RETURN_IF_ERROR(ListDisk(&disk, &open_on_disk));
    std::set<std::string> names;
    for (const auto& [name, row] : by_name) names.insert(name);
    for (const auto& [name, path] : disk) names.insert(name);
    Result<std::vector<std::string>> purged = manifest_.ListPurgedFiles();
    if (!purged.ok()) return purged.status();
    const std::set<std::string> leftovers(purged->begin(), purged->end());
    for (const std::string& name : names) {
      if (options_.only_open_files && !open_on_disk.contains(name)) continue;
      if (!options_.only_dir.empty() &&
          !name.starts_with(options_.only_dir + "/")) {
        continue;
      }
      auto row = by_name.find(name);
      auto path = disk.find(name);
      if (row == by_name.end() && leftovers.contains(name)) {
        // Never index it: it holds forgotten or duplicate records.
        ROTGUARD_RETURN_IF_ERROR(FinishPurge(name));
        continue;
      }
      std::optional<WarcFileRow> known;
      if (row != by_name.end()) known = row->second;
      if (path == disk.end()) {
        ROTGUARD_RETURN_IF_ERROR(MarkFileLost(*known));
        continue;
      }
      ROTGUARD_RETURN_IF_ERROR(
          RepairFile(name, path->second, open_on_disk.contains(name), known));
    }
    return summary_;
  }

 private:
  // A file an interrupted `forget --purge` left: unlinked, as the next
  // purge would.
  Status FinishPurge(const std::string& name) {
    Act("remove-purged", name, -1, "left by an interrupted purge");
    if (options_.dry_run) return Status::Ok();
    const fs::path path = store_.warc_dir() / name;
    Status removed = options_.env->RemoveFile(path);
    if (!removed.ok() && removed.code() != ErrorCode::kNotFound) {
      return removed;
    }
    ROTGUARD_RETURN_IF_ERROR(options_.env->SyncDirectory(path.parent_path()));
    return manifest_.ClearPurgedFile(name);
  }

  void Act(std::string kind, const std::string& file, int64_t offset,
           std::string detail) {
    RepairAction action{std::move(kind), file, offset, std::move(detail)};
    if (action.kind == "cannot-repair") {
      ++summary_.cannot_repair;
    } else {
      ++summary_.actions;
    }
    if (options_.on_action) options_.on_action(action);
  }

  Status ListDisk(std::map<std::string, fs::path>* disk,
                  std::set<std::string>* open_on_disk) {
    const fs::path& dir = store_.warc_dir();
    std::error_code ec;
    if (!fs::exists(dir, ec)) return Status::Ok();
    fs::recursive_directory_iterator it(dir, ec), end;
    if (ec) return Status::IOError(dir.string() + ": " + ec.message());
    for (; it != end; it.increment(ec)) {
      if (ec) return Status::IOError(dir.string() + ": " + ec.message());
      if (!it->is_regular_file(ec)) continue;
      std::string name = it->path().lexically_relative(dir).generic_string();
      if (name.ends_with(kOpenSuffix)) {
        name.resize(name.size() - kOpenSuffix.size());
        open_on_disk->insert(name);
      } else if (disk->contains(name)) {
        continue;  // a closed twin wins over a .open copy
      }
      (*disk)[name] = it->path();
    }
    return Status::Ok();
  }

  // The file is gone: its records and captures are marked lost.
  Status MarkFileLost(const WarcFileRow& row) {
    Result<std::vector<RecordRow>> records = manifest_.RecordsOf(row.name);
    if (!records.ok()) return records.status();
    for (const RecordRow& r : *records) {
      if (r.lost) continue;
      Act("mark-lost", row.name, r.offset,
          "file is missing; " + r.type + " " + r.target_uri);
      if (options_.dry_run) continue;
      ROTGUARD_RETURN_IF_ERROR(manifest_.MarkRecordLost(row.name, r.offset));
      ROTGUARD_RETURN_IF_ERROR(manifest_.MarkCapturesLost(row.name, r.offset));
    }
    // Captures without a records row (older stores) go the same way.
    for (const CaptureRow& c : captures_[row.name]) {
      bool has_row = false;
      for (const RecordRow& r : *records)
        has_row |= r.offset == c.record_offset;
      if (has_row) continue;
      Act("mark-lost", row.name, c.record_offset, "file is missing; " + c.url);
      if (!options_.dry_run) {
        ROTGUARD_RETURN_IF_ERROR(
            manifest_.MarkCapturesLost(row.name, c.record_offset));
      }
    }
    return Status::Ok();
  }

  // Moves [cut, end) of `path` to damaged/ and truncates the file.
  Status CutTail(const std::string& name, const fs::path& path, uint64_t cut,
                 uint64_t end) {
    fs::path damaged = DamagedPath(store_, name, cut);
    Act("truncate-tail", name, static_cast<int64_t>(cut),
        "cut " + std::to_string(end - cut) +
            " bytes after the last whole "
            "record to " +
            fs::relative(damaged, store_.root()).generic_string());
    if (options_.dry_run) return Status::Ok();
    std::error_code ec;
    fs::create_directories(store_.damaged_dir(), ec);
    if (ec) {
      return Status::IOError(store_.damaged_dir().string() + ": " +
                             ec.message());
    }
    Fd in(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!in.valid()) return Status::FromErrno(path.string(), errno);
    Env* env = options_.env;
    ROTGUARD_RETURN_IF_ERROR(
        CopyRangeToNewFile(env, in.get(), cut, end, damaged));
    ROTGUARD_RETURN_IF_ERROR(env->SyncDirectory(store_.damaged_dir()));
    Result<std::unique_ptr<WritableFile>> file =
        env->NewWritableFile(path, OpenMode::kExisting);
    if (!file.ok()) return file.status();
    ROTGUARD_RETURN_IF_ERROR((*file)->Truncate(cut));
    ROTGUARD_RETURN_IF_ERROR((*file)->Sync());
    return (*file)->Close();
  }

  // Damage repair must leave in place (it would delete readable bytes).
  // Returns how many problems it reported.
  int ReportUnrepairable(const std::string& name, const IndexedFile& file) {
    int reported = 0;
    for (const WarcProblem& p : file.problems) {
      if (!verify::IsError(p)) continue;
      bool in_tail = file.torn_tail && p.offset >= *file.torn_tail;
      if (in_tail) continue;
      Act("cannot-repair", name, static_cast<int64_t>(p.offset),
          p.code + ": " + p.message + " (left in place)");
      ++reported;
    }
    return reported;
  }

  Status RepairFile(const std::string& name, const fs::path& path, bool is_open,
                    std::optional<WarcFileRow> row) {
    Result<IndexedFile> indexed =
        verify::IndexWarcFile(path, name, verify::IndexDepth::kPayloads);
    if (!indexed.ok()) return indexed.status();
    const IndexedFile& file = *indexed;
    if (!row && file.whole_end == 0) {
      Act("cannot-repair", name, 0,
          "not in the manifest and holds no whole WARC record (left in "
          "place)");
      return Status::Ok();
    }
    bool damaged_inside = ReportUnrepairable(name, file) > 0;
    if (file.torn_tail) {
      ROTGUARD_RETURN_IF_ERROR(CutTail(name, path, *file.torn_tail, file.size));
    }
    // Records that survive: whole ones before the cut.
    std::map<int64_t, const IndexedRecord*> good;
    for (const IndexedRecord& r : file.records) {
      if (IsTorn(r)) continue;
      if (file.torn_tail &&
          static_cast<uint64_t>(r.record.offset) >= *file.torn_tail) {
        continue;
      }
      good[r.record.offset] = &r;
    }
    fs::path final_path = path;
    if (is_open) {
      final_path = store_.warc_dir() / name;
      Act("close-open", name, -1,
          "rename " + name + ".open to " + name + " and record it as closed");
      if (!options_.dry_run) {
        ROTGUARD_RETURN_IF_ERROR(options_.env->RenameFile(path, final_path));
        ROTGUARD_RETURN_IF_ERROR(
            options_.env->SyncDirectory(final_path.parent_path()));
      }
    }
    if (!row) return AddUnknownFile(name, final_path, good);
    ROTGUARD_RETURN_IF_ERROR(Reconcile(name, good));
    bool reclose =
        is_open || file.torn_tail || row->state == WarcFileState::kOpen;
    if (!reclose) {
      if (damaged_inside) return Status::Ok();
      return RefreshRow(*row, final_path, static_cast<int64_t>(good.size()));
    }
    if (!is_open && row->state == WarcFileState::kOpen) {
      Act("close-open", name, -1, "record the closed file as closed");
    }
    if (options_.dry_run) return Status::Ok();
    return UpdateClosedRow(*row, final_path, static_cast<int64_t>(good.size()));
  }

  CaptureRow CaptureFor(const std::string& name, const IndexedRecord& r) {
    bool imported = name.starts_with(kImportedPrefix);
    return verify::CaptureOf(r, imported ? "import" : "live");
  }

  // Rows of a known file vs its whole records: orphans indexed, rows whose
  // bytes are gone marked lost.
  Status Reconcile(const std::string& name,
                   const std::map<int64_t, const IndexedRecord*>& good) {
    Result<std::vector<RecordRow>> rows = manifest_.RecordsOf(name);
    if (!rows.ok()) return rows.status();
    std::set<int64_t> row_offsets;
    std::set<int64_t> sound;  // offsets whose row matches the bytes
    for (const RecordRow& r : *rows) {
      row_offsets.insert(r.offset);
      if (r.lost) continue;
      auto it = good.find(r.offset);
      if (it != good.end() && it->second->record.record_id == r.record_id) {
        sound.insert(r.offset);
        continue;
      }
      Act("mark-lost", name, r.offset,
          r.type + " " + r.target_uri + ": no such record at this offset");
      if (!options_.dry_run) {
        ROTGUARD_RETURN_IF_ERROR(manifest_.MarkRecordLost(name, r.offset));
        ROTGUARD_RETURN_IF_ERROR(manifest_.MarkCapturesLost(name, r.offset));
      }
    }
    std::vector<RecordRow> orphans;
    std::vector<CaptureRow> orphan_captures;
    for (const auto& [offset, r] : good) {
      if (row_offsets.contains(offset)) continue;
      Act("index-orphan", name, offset,
          r->record.type + " " + r->record.target_uri);
      orphans.push_back(r->record);
      if (r->capturable) orphan_captures.push_back(CaptureFor(name, *r));
      sound.insert(offset);
    }
    std::set<int64_t> marked;  // offsets whose captures went with the row
    for (const RecordRow& r : *rows) {
      if (!r.lost && !sound.contains(r.offset)) marked.insert(r.offset);
    }
    for (const CaptureRow& c : captures_[name]) {
      if (sound.contains(c.record_offset) || marked.contains(c.record_offset)) {
        continue;
      }
      marked.insert(c.record_offset);
      Act("mark-lost", name, c.record_offset,
          "capture of " + c.url + ": no such record at this offset");
      if (!options_.dry_run) {
        ROTGUARD_RETURN_IF_ERROR(
            manifest_.MarkCapturesLost(name, c.record_offset));
      }
    }
    if (options_.dry_run || orphans.empty()) return Status::Ok();
    return manifest_.CommitBatch(orphans, orphan_captures, {});
  }

  Result<WarcFileRow> ClosedRow(WarcFileRow row, const fs::path& path,
                                int64_t record_count) {
    Result<Stat> stat = StatOf(path);
    if (!stat.ok()) return stat.status();
    Result<std::string> sha256 = verify::Sha256OfFile(path);
    if (!sha256.ok()) return sha256.status();
    row.state = WarcFileState::kClosed;
    row.size = stat->size;
    row.sha256 = *sha256;
    row.record_count = record_count;
    if (row.closed_unix == 0) row.closed_unix = now_;
    row.mtime_ns = stat->mtime_ns;
    row.inode = stat->inode;
    row.last_verified_unix = now_;
    return row;
  }

  // A readable closed file whose size or sha256 no longer match its row
  // (e.g. cut at a record boundary): the row follows the bytes, whose
  // lost records Reconcile() has marked.
  Status RefreshRow(const WarcFileRow& row, const fs::path& path,
                    int64_t record_count) {
    Result<WarcFileRow> now = ClosedRow(row, path, record_count);
    if (!now.ok()) return now.status();
    if (now->size == row.size && now->sha256 == row.sha256) return Status::Ok();
    Act("update-row", row.name, -1,
        "size " + std::to_string(row.size) + " -> " +
            std::to_string(now->size) + ", sha256 " + row.sha256 + " -> " +
            now->sha256);
    if (options_.dry_run) return Status::Ok();
    return manifest_.UpdateWarcFile(*now);
  }

  Status UpdateClosedRow(const WarcFileRow& row, const fs::path& path,
                         int64_t record_count) {
    Result<WarcFileRow> closed = ClosedRow(row, path, record_count);
    if (!closed.ok()) return closed.status();
    return manifest_.UpdateWarcFile(*closed);
  }

  // A file the manifest never heard of (a run killed before its first
  // commit): indexed whole, as import would.
  Status AddUnknownFile(const std::string& name, const fs::path& path,
                        const std::map<int64_t, const IndexedRecord*>& good) {
    std::vector<RecordRow> records;
    std::vector<CaptureRow> captures;
    for (const auto& [offset, r] : good) {
      Act("index-orphan", name, offset,
          r->record.type + " " + r->record.target_uri);
      records.push_back(r->record);
      if (r->capturable) captures.push_back(CaptureFor(name, *r));
    }
    if (options_.dry_run) return Status::Ok();
    WarcFileRow row;
    row.name = name;
    row.created_unix = now_;
    row.imported = name.starts_with(kImportedPrefix);
    Result<WarcFileRow> closed =
        ClosedRow(row, path, static_cast<int64_t>(records.size()));
    if (!closed.ok()) return closed.status();
    return manifest_.AddWarcFileWithRows(*closed, records, captures);
  }

  Store& store_;
  Manifest& manifest_;
  const RepairOptions& options_;
  int64_t now_;
  RepairSummary summary_;
  std::map<std::string, std::vector<CaptureRow>> captures_;
};

}  // namespace

Result<RepairSummary> RepairStore(Store& store, const RepairOptions& options) {
  Repairer repairer(store, options);
  return repairer.Run();
}

Result<bool> HasOpenWarcFiles(const Store& store, const std::string& subdir) {
  const fs::path dir =
      subdir.empty() ? store.warc_dir() : store.warc_dir() / subdir;
  std::error_code ec;
  if (!fs::exists(dir, ec)) return false;
  fs::recursive_directory_iterator it(dir, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    if (it->path().filename().string().ends_with(kOpenSuffix) &&
        it->is_regular_file(ec)) {
      return true;
    }
  }
  if (ec) return Status::IOError(dir.string() + ": " + ec.message());
  return false;
}

}  // namespace rotguard
