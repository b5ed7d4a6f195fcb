// `repair --rebuild-manifest` (SPEC §7): a new manifest from the WARC
// files, which are the truth once the manifest is damaged or lost.
//
// What the WARC files hold comes back: warc_files rows, a records row per
// whole record, a capture per response/revisit/resource record (import's
// record-to-capture code, warc_index.cc), revisits with their original's
// sha256 and length, redirect chains (a 3xx response's Location names the
// next capture of that URL), urls rows for every captured URL, and the
// WARC serial counter. What only scanning posts gives (documents, links)
// and run history do not: the caller tells the user to scan again.
//
// Order of work, so a crash at any point leaves a state the next run
// recognises: the new database is written and synced as
// manifest.sqlite3.rebuild; then the damaged manifest (with its WAL and
// journal, which must never be replayed into another database) is renamed
// to manifest.sqlite3.damaged-TIMESTAMP; then the new one is renamed into
// place and the directory synced. A crash between the two renames leaves
// no manifest next to WARC files, which every command refuses and points
// back here.
#include <sys/stat.h>

#include <algorithm>
#include <ctime>
#include <map>
#include <set>

#include "rotguard/url.h"
#include "rotguard/verify.h"
#include "verify/store_names.h"
#include "verify/warc_index.h"

namespace rotguard {
namespace {

namespace fs = std::filesystem;
using verify::IndexedFile;
using verify::IndexedRecord;

using verify::kImportedPrefix;
using verify::kOpenSuffix;
// The files SQLite keeps beside a database, which belong to it.
constexpr const char* kCompanions[] = {"", "-wal", "-shm", "-journal"};

struct DiskWarc {
  std::string name;  // relative to warc/, without .open
  fs::path path;
  bool open = false;
};

bool IsWarcName(const std::string& leaf) {
  if (leaf.empty() || leaf.front() == '.') return false;  // import's temp
  std::string_view name = leaf;
  if (name.ends_with(kOpenSuffix)) name.remove_suffix(kOpenSuffix.size());
  return name.ends_with(".warc") || name.ends_with(".warc.gz") ||
         name.ends_with(".arc") || name.ends_with(".arc.gz");
}

// Every WARC file under warc/, by name; a closed file wins over a .open
// twin (as in repair).
Result<std::vector<DiskWarc>> ListWarcs(const fs::path& dir) {
  std::map<std::string, DiskWarc> found;
  std::error_code ec;
  if (!fs::exists(dir, ec)) return std::vector<DiskWarc>{};
  fs::recursive_directory_iterator it(dir, ec), end;
  if (ec) return Status::IOError(dir.string() + ": " + ec.message());
  for (; it != end; it.increment(ec)) {
    if (ec) return Status::IOError(dir.string() + ": " + ec.message());
    if (!it->is_regular_file(ec)) continue;
    if (!IsWarcName(it->path().filename().string())) continue;
    DiskWarc warc;
    warc.path = it->path();
    warc.name = it->path().lexically_relative(dir).generic_string();
    warc.open = warc.name.ends_with(kOpenSuffix);
    if (warc.open) warc.name.resize(warc.name.size() - kOpenSuffix.size());
    auto known = found.find(warc.name);
    if (known != found.end() && !known->second.open) continue;
    found[warc.name] = std::move(warc);
  }
  std::vector<DiskWarc> list;
  for (auto& [name, warc] : found) list.push_back(std::move(warc));
  return list;
}

// The serial NNNNN of "rotguard-YYYYMMDDhhmmss-NNNNN-HOST.warc.gz"; 0
// for any other name.
int64_t SerialOf(const std::string& name) {
  constexpr std::string_view kPrefix = "rotguard-";
  if (!name.starts_with(kPrefix)) return 0;
  size_t start = kPrefix.size() + 15;  // past the timestamp and its '-'
  if (name.size() <= start || name[start - 1] != '-') return 0;
  int64_t serial = 0;
  size_t i = start;
  for (; i < name.size() && name[i] >= '0' && name[i] <= '9'; ++i) {
    serial = serial * 10 + (name[i] - '0');
    if (serial > (int64_t{1} << 40)) return 0;
  }
  return i > start && i < name.size() && name[i] == '-' ? serial : 0;
}

bool IsTorn(const IndexedRecord& r) {
  for (const WarcProblem& p : r.problems) {
    if (p.code == warc_problem::kTornMember) return true;
  }
  return false;
}

bool HasDamageInside(const IndexedFile& file) {
  for (const WarcProblem& p : file.problems) {
    bool in_tail = file.torn_tail && p.offset >= *file.torn_tail;
    if (verify::IsError(p) && !in_tail) return true;
  }
  return false;
}

// One WARC file's rows, ready to write.
struct FileRows {
  WarcFileRow file;
  std::vector<RecordRow> records;
  std::vector<CaptureRow> captures;
  // Per capture: the Location of a 3xx response, resolved ("" if none).
  std::vector<std::string> redirects_to;
};

// The capture row as the run that wrote the record made it: posts are
// resource records of rotguard's own files, keyed by their URI as is.
CaptureRow CaptureFor(const DiskWarc& warc, const IndexedRecord& r) {
  if (warc.name.starts_with(kImportedPrefix)) {
    return verify::CaptureOf(r, "import");
  }
  if (r.record.type == "resource") {
    CaptureRow c = verify::CaptureOf(r, "post");
    c.normalized = "";
    return c;
  }
  return verify::CaptureOf(r, "live");
}

Result<WarcFileRow> FileRowOf(const DiskWarc& warc, int64_t record_count,
                              int64_t now) {
  struct stat st {};
  if (::stat(warc.path.c_str(), &st) != 0) {
    return Status::FromErrno(warc.path.string(), errno);
  }
  WarcFileRow row;
  row.name = warc.name;
  row.imported = warc.name.starts_with(kImportedPrefix);
  row.created_unix = static_cast<int64_t>(st.st_mtim.tv_sec);
  if (warc.open) return row;  // `repair` closes it, as after a killed run
  Result<std::string> sha256 = verify::Sha256OfFile(warc.path);
  if (!sha256.ok()) return sha256.status();
  row.state = WarcFileState::kClosed;
  row.size = static_cast<int64_t>(st.st_size);
  row.sha256 = *sha256;
  row.record_count = record_count;
  row.closed_unix = row.created_unix;
  row.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 +
                 st.st_mtim.tv_nsec;
  row.inode = static_cast<int64_t>(st.st_ino);
  row.last_verified_unix = now;
  return row;
}

// Whole records only: a torn tail is repair's to cut, not a record.
Result<FileRows> RowsOfFile(const DiskWarc& warc, int64_t now,
                            RebuildSummary* summary) {
  Result<IndexedFile> indexed = verify::IndexWarcFile(
      warc.path, warc.name, verify::IndexDepth::kPayloads);
  if (!indexed.ok()) return indexed.status();
  FileRows rows;
  for (const IndexedRecord& r : indexed->records) {
    bool past_cut =
        indexed->torn_tail &&
        static_cast<uint64_t>(r.record.offset) >= *indexed->torn_tail;
    if (IsTorn(r) || past_cut) {
      ++summary->skipped_records;
      continue;
    }
    rows.records.push_back(r.record);
    if (!r.capturable) continue;
    rows.captures.push_back(CaptureFor(warc, r));
    std::string target;
    if (!r.location.empty()) {
      target = ResolveUrl(r.record.target_uri, r.location).value_or("");
    }
    rows.redirects_to.push_back(std::move(target));
  }
  if (HasDamageInside(*indexed)) ++summary->damaged_files;
  Result<WarcFileRow> file =
      FileRowOf(warc, static_cast<int64_t>(rows.records.size()), now);
  if (!file.ok()) return file.status();
  rows.file = std::move(*file);
  return rows;
}

// A revisit carries its original's payload digest only; sha256 and
// length come from the original's capture, as the archive run wrote them.
void FillRevisits(std::vector<FileRows>& files, RebuildSummary* summary) {
  std::map<std::string, const CaptureRow*> by_record_id;
  for (const FileRows& f : files) {
    for (const CaptureRow& c : f.captures) {
      if (c.revisit_of.empty()) by_record_id.emplace(c.record_id, &c);
    }
  }
  for (FileRows& f : files) {
    for (CaptureRow& c : f.captures) {
      if (c.revisit_of.empty()) continue;
      ++summary->revisits;
      auto original = by_record_id.find(c.revisit_of);
      if (original == by_record_id.end()) continue;
      c.payload_sha256 = original->second->payload_sha256;
      c.payload_length = original->second->payload_length;
    }
  }
}

struct Hop {
  CaptureRow* capture;
  const std::string* redirects_to;
};

std::string KeyOf(const std::string& url) {
  return NormalizeUrl(url).value_or(url);
}

// Each 3xx capture with a Location leads to the earliest capture of that
// URL at or after its own time that no other hop leads to yet; returns
// next[i] (or -1) over `hops` sorted by time.
std::vector<int64_t> LinkHops(const std::vector<Hop>& hops) {
  std::map<std::string, std::vector<size_t>> by_url;  // in time order
  for (size_t i = 0; i < hops.size(); ++i) {
    by_url[KeyOf(hops[i].capture->url)].push_back(i);
  }
  std::vector<int64_t> next(hops.size(), -1);
  std::vector<bool> claimed(hops.size(), false);
  for (size_t i = 0; i < hops.size(); ++i) {
    if (hops[i].redirects_to->empty()) continue;
    auto candidates = by_url.find(KeyOf(*hops[i].redirects_to));
    if (candidates == by_url.end()) continue;
    for (size_t j : candidates->second) {
      if (j == i || claimed[j] ||
          hops[j].capture->captured_at_us < hops[i].capture->captured_at_us) {
        continue;
      }
      next[i] = static_cast<int64_t>(j);
      claimed[j] = true;
      break;
    }
  }
  return next;
}

// Chains from the links: the first hop's record id names the chain, every
// hop gets its index and the URL where the chain ended.
void LinkChains(std::vector<FileRows>& files, RebuildSummary* summary) {
  std::vector<Hop> hops;
  for (FileRows& f : files) {
    for (size_t i = 0; i < f.captures.size(); ++i) {
      hops.push_back({&f.captures[i], &f.redirects_to[i]});
    }
  }
  std::stable_sort(hops.begin(), hops.end(), [](const Hop& a, const Hop& b) {
    return a.capture->captured_at_us < b.capture->captured_at_us;
  });
  std::vector<int64_t> next = LinkHops(hops);
  std::vector<bool> has_previous(hops.size(), false);
  for (int64_t j : next) {
    if (j >= 0) has_previous[static_cast<size_t>(j)] = true;
  }
  for (size_t head = 0; head < hops.size(); ++head) {
    if (has_previous[head]) continue;
    std::vector<size_t> chain;  // `claimed` makes every chain a path
    for (int64_t i = static_cast<int64_t>(head); i >= 0;
         i = next[static_cast<size_t>(i)]) {
      chain.push_back(static_cast<size_t>(i));
    }
    const std::string& final_url = hops[chain.back()].capture->url;
    for (size_t k = 0; k < chain.size(); ++k) {
      CaptureRow& c = *hops[chain[k]].capture;
      c.chain_id = hops[head].capture->record_id;
      c.hop_index = static_cast<int>(k);
      c.final_url = final_url;
    }
    if (chain.size() > 1) ++summary->chains;
  }
}

Status RemoveIfPresent(Env* env, const fs::path& path) {
  Status status = env->RemoveFile(path);
  if (status.code() == ErrorCode::kNotFound) return Status::Ok();
  return status;
}

// The whole new database, closed (its WAL checkpointed away) and synced.
Status WriteManifest(const fs::path& path, const std::vector<FileRows>& files,
                     int64_t serial, Env* env) {
  {
    Result<std::unique_ptr<Manifest>> opened = OpenManifest(path.string());
    if (!opened.ok()) return opened.status();
    Manifest& manifest = **opened;
    for (const FileRows& f : files) {
      ROTGUARD_RETURN_IF_ERROR(
          manifest.AddWarcFileWithRows(f.file, f.records, f.captures));
    }
    // The next archive run must not reuse a serial already on disk.
    for (int64_t n = 0; n < serial; ++n) {
      Result<int64_t> counter = manifest.NextCounter("warc_serial");
      if (!counter.ok()) return counter.status();
    }
  }
  std::error_code ec;
  if (fs::file_size(path.string() + "-wal", ec) > 0 && !ec) {
    return Status::Internal(path.string() + ": WAL left after closing");
  }
  Result<std::unique_ptr<WritableFile>> file =
      env->NewWritableFile(path, OpenMode::kExisting);
  if (!file.ok()) return file.status();
  ROTGUARD_RETURN_IF_ERROR((*file)->Sync());
  return (*file)->Close();
}

// "manifest.sqlite3.damaged-20260102030405", numbered when taken.
fs::path AsidePath(const fs::path& manifest, int64_t now) {
  std::time_t t = static_cast<std::time_t>(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char stamp[16];
  std::strftime(stamp, sizeof stamp, "%Y%m%d%H%M%S", &tm);
  std::string base = manifest.string() + ".damaged-" + stamp;
  fs::path path = base;
  std::error_code ec;
  for (int n = 2; fs::exists(path, ec); ++n) {
    path = base + "-" + std::to_string(n);
  }
  return path;
}

// Moves the old manifest and its companions aside, the new one in.
Result<std::string> Install(const Store& store, const fs::path& rebuilt,
                            int64_t now, Env* env) {
  fs::path manifest = store.manifest_path();
  fs::path aside = AsidePath(manifest, now);
  std::string kept_as;
  std::error_code ec;
  for (const char* suffix : kCompanions) {
    fs::path from = manifest.string() + suffix;
    if (!fs::exists(fs::symlink_status(from, ec))) continue;
    fs::path to = aside.string() + suffix;
    ROTGUARD_RETURN_IF_ERROR(env->RenameFile(from, to));
    if (*suffix == '\0') kept_as = to.filename().string();
  }
  ROTGUARD_RETURN_IF_ERROR(env->RenameFile(rebuilt, manifest));
  ROTGUARD_RETURN_IF_ERROR(env->SyncDirectory(store.root()));
  return kept_as;
}

class Rebuilder {
 public:
  Rebuilder(Store& store, const RebuildOptions& options)
      : store_(store),
        options_(options),
        now_(options.now_unix != 0 ? options.now_unix : std::time(nullptr)) {}

  Result<RebuildSummary> Run() {
    if (store_.has_manifest() || store_.lock_mode() != LockMode::kExclusive) {
      return Status::Internal(
          "rebuilding the manifest needs the store opened exclusively "
          "without its manifest");
    }
    Result<std::vector<DiskWarc>> warcs = ListWarcs(store_.warc_dir());
    if (!warcs.ok()) return warcs.status();
    std::vector<FileRows> files;
    int64_t serial = 0;
    for (const DiskWarc& warc : *warcs) {
      Result<FileRows> rows = RowsOfFile(warc, now_, &summary_);
      if (!rows.ok()) return rows.status();
      Count(warc, *rows);
      if (!warc.name.starts_with(kImportedPrefix)) {
        serial = std::max(serial, SerialOf(warc.name));
      }
      files.push_back(std::move(*rows));
    }
    FillRevisits(files, &summary_);
    LinkChains(files, &summary_);
    if (options_.dry_run) return summary_;
    ROTGUARD_RETURN_IF_ERROR(Write(files, serial));
    return summary_;
  }

 private:
  void Count(const DiskWarc& warc, const FileRows& rows) {
    ++summary_.files;
    if (warc.open) ++summary_.open_files;
    summary_.records += static_cast<int64_t>(rows.records.size());
    summary_.captures += static_cast<int64_t>(rows.captures.size());
    for (const CaptureRow& c : rows.captures) {
      urls_.insert(c.normalized.empty() ? c.url : c.normalized);
    }
    summary_.urls = static_cast<int64_t>(urls_.size());
    if (options_.on_file) {
      options_.on_file(warc.name + (warc.open ? std::string(kOpenSuffix) : ""),
                       static_cast<int64_t>(rows.records.size()),
                       static_cast<int64_t>(rows.captures.size()));
    }
  }

  Status Write(const std::vector<FileRows>& files, int64_t serial) {
    Env* env = options_.env;
    fs::path rebuilt = store_.manifest_path().string() + ".rebuild";
    for (const char* suffix : kCompanions) {  // a crashed rebuild's
      ROTGUARD_RETURN_IF_ERROR(RemoveIfPresent(env, rebuilt.string() + suffix));
    }
    Status written = WriteManifest(rebuilt, files, serial, env);
    if (!written.ok()) {
      for (const char* suffix : kCompanions) {
        (void)RemoveIfPresent(env, rebuilt.string() + suffix);
      }
      return written;
    }
    Result<std::string> kept_as = Install(store_, rebuilt, now_, env);
    if (!kept_as.ok()) return kept_as.status();
    summary_.kept_as = *kept_as;
    return Status::Ok();
  }

  Store& store_;
  const RebuildOptions& options_;
  int64_t now_;
  RebuildSummary summary_;
  std::set<std::string> urls_;
};

}  // namespace

Result<RebuildSummary> RebuildManifest(Store& store,
                                       const RebuildOptions& options) {
  Rebuilder rebuilder(store, options);
  return rebuilder.Run();
}

}  // namespace rotguard
