// `rotguard forget --purge`: rewrites the WARC files holding forgotten
// records without them. Order (rotguard/forget.h): list the new name in
// purged_files, write it through the Env, fdatasync, sync the directory,
// read it back, switch the manifest in one transaction, unlink the old
// files, sync the directory. A crash leaves the old or the new store,
// plus files listed in purged_files that the next purge unlinks.
#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "rotguard/forget.h"
#include "rotguard/warc_reader.h"
#include "util/digest.h"
#include "util/time_format.h"

namespace rotguard {
namespace {

namespace fs = std::filesystem;

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.substr(s.size() - suffix.size()) == suffix;
}

bool IsArcName(std::string_view name) {
  return EndsWith(name, ".arc") || EndsWith(name, ".arc.gz");
}

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

std::string Serial(int64_t serial) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%05lld", static_cast<long long>(serial));
  return buf;
}

// A fresh name for the rewrite of `old` (relative to warc/, same folder):
// rotguard's own files get a new time and serial and keep their host;
// other names (imported files) get "-purged-NNNNN" before the extension.
std::string ReplacementName(const std::string& old, int64_t serial,
                            int64_t now_unix) {
  fs::path path(old);
  std::string base = path.filename().string();
  std::string dir = path.has_parent_path()
                        ? path.parent_path().generic_string() + "/"
                        : std::string();
  const std::string ext = EndsWith(base, ".warc.gz") ? ".warc.gz" : ".warc";
  std::string stem = base.substr(0, base.size() - ext.size());
  // rotguard-YYYYMMDDhhmmss-NNNNN-HOST
  if (stem.starts_with("rotguard-") && stem.size() > 24 && stem[23] == '-' &&
      AllDigits(stem.substr(9, 14))) {
    size_t host = stem.find('-', 24);
    if (host != std::string::npos && AllDigits(stem.substr(24, host - 24))) {
      return dir + "rotguard-" + FormatUtc(now_unix, UtcStyle::kDigits14) +
             "-" + Serial(serial) + stem.substr(host) + ext;
    }
  }
  size_t purged = stem.rfind("-purged-");
  if (purged != std::string::npos && AllDigits(stem.substr(purged + 8))) {
    stem.resize(purged);
  }
  return dir + stem + "-purged-" + Serial(serial) + ext;
}

class Purger {
 public:
  Purger(Store& store, const PurgeOptions& options)
      : store_(store), manifest_(store.manifest()), options_(options) {}

  Result<PurgeResult> Run() {
    ROTGUARD_RETURN_IF_ERROR(RemoveLeftovers());
    Result<std::vector<std::string>> files =
        manifest_.FilesWithForgottenRecords();
    if (!files.ok()) return files.status();
    if (files->empty()) return result_;
    ROTGUARD_RETURN_IF_ERROR(CheckFiles(*files));
    ROTGUARD_RETURN_IF_ERROR(CheckRevisits());
    Status written = WriteAll();
    if (!written.ok()) {
      RemoveWritten();
      return written;
    }
    ROTGUARD_RETURN_IF_ERROR(manifest_.SwitchPurgedFiles(switches_));
    for (const PurgedWarcFile& s : switches_) {
      Status unlinked = Unlink(s.old_name);
      if (!unlinked.ok()) {
        return Status::IOError(
            "purged, but " + s.old_name +
            " is not removed yet (run 'rotguard forget --purge' again): " +
            unlinked.message());
      }
    }
    return result_;
  }

 private:
  struct Job {
    std::string old_name;
    std::vector<RecordRow> kept;
    int64_t dropped = 0;
  };

  fs::path PathOf(const std::string& name) const {
    return store_.warc_dir() / name;
  }

  int64_t Now() const {
    if (options_.now_unix != 0) return options_.now_unix;
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }

  // Unlinks `name` (gone already is fine), syncs its directory, then
  // takes it off purged_files.
  Status Unlink(const std::string& name) {
    Status removed = options_.env->RemoveFile(PathOf(name));
    if (!removed.ok() && removed.code() != ErrorCode::kNotFound) {
      return removed;
    }
    ROTGUARD_RETURN_IF_ERROR(
        options_.env->SyncDirectory(PathOf(name).parent_path()));
    return manifest_.ClearPurgedFile(name);
  }

  // Files an interrupted purge left: never one the manifest still uses.
  Status RemoveLeftovers() {
    Result<std::vector<std::string>> names = manifest_.ListPurgedFiles();
    if (!names.ok()) return names.status();
    for (const std::string& name : *names) {
      Result<std::optional<WarcFileRow>> row = manifest_.FindWarcFile(name);
      if (!row.ok()) return row.status();
      if (row->has_value()) {
        ROTGUARD_RETURN_IF_ERROR(manifest_.ClearPurgedFile(name));
        continue;
      }
      ROTGUARD_RETURN_IF_ERROR(Unlink(name));
      ++result_.leftovers_removed;
    }
    return Status::Ok();
  }

  Status CheckFiles(const std::vector<std::string>& files) {
    for (const std::string& name : files) {
      Result<std::optional<WarcFileRow>> row = manifest_.FindWarcFile(name);
      if (!row.ok()) return row.status();
      if (!row->has_value() || (*row)->state != WarcFileState::kClosed) {
        return Status::InvalidArgument(
            name +
            ": not a closed WARC file of the store; run 'rotguard "
            "repair' first, then purge again");
      }
      if (IsArcName(name)) {
        return Status::NotSupported(
            name +
            ": an ARC file cannot be purged (its record ids come from "
            "their offsets)");
      }
      Result<std::vector<RecordRow>> records = manifest_.RecordsOf(name);
      if (!records.ok()) return records.status();
      Job job{name, {}, 0};
      for (RecordRow& r : *records) {
        if (r.lost) {
          return Status::InvalidArgument(
              name +
              ": has records marked lost; run 'rotguard repair' "
              "and 'rotguard verify' first, then purge again");
        }
        if (r.forgotten) {
          dropped_ids_.insert(r.record_id);
          ++job.dropped;
        } else {
          job.kept.push_back(std::move(r));
        }
      }
      jobs_.push_back(std::move(job));
    }
    return Status::Ok();
  }

  // A kept revisit must keep resolving: through a kept original with its
  // payload digest, else through the record it names, which must stay.
  Status CheckRevisits() {
    Result<std::vector<CaptureRow>> all = manifest_.ListCaptures();
    if (!all.ok()) return all.status();
    for (const CaptureRow& c : *all) {
      if (c.revisit_of.empty() || !dropped_ids_.count(c.revisit_of)) continue;
      Result<std::optional<CaptureRow>> original =
          manifest_.FindCaptureByPayloadSha1(c.payload_sha1);
      if (!original.ok()) return original.status();
      if (original->has_value()) continue;
      return Status::InvalidArgument(
          "cannot purge: the kept capture of " + c.url + " (" + c.warc_file +
          "@" + std::to_string(c.record_offset) + ") is a revisit of " +
          c.revisit_of +
          ", a forgotten record that holds its payload; forget that URL "
          "too, or leave the bytes in place (forget without --purge)");
    }
    return Status::Ok();
  }

  Status WriteAll() {
    for (const Job& job : jobs_) {
      Result<int64_t> serial = store_.NextWarcSerial();
      if (!serial.ok()) return serial.status();
      PurgedWarcFile s;
      s.old_name = job.old_name;
      s.replacement.name = ReplacementName(job.old_name, *serial, Now());
      ROTGUARD_RETURN_IF_ERROR(manifest_.AddPurgedFile(s.replacement.name));
      written_.push_back(s.replacement.name);
      ROTGUARD_RETURN_IF_ERROR(Copy(job, &s));
      switches_.push_back(std::move(s));
    }
    std::set<fs::path> dirs;
    for (const std::string& name : written_) {
      dirs.insert(PathOf(name).parent_path());
    }
    for (const fs::path& dir : dirs) {
      ROTGUARD_RETURN_IF_ERROR(options_.env->SyncDirectory(dir));
    }
    for (size_t i = 0; i < jobs_.size(); ++i) {
      ROTGUARD_RETURN_IF_ERROR(ReadBack(jobs_[i], &switches_[i]));
      result_.files.push_back({jobs_[i].old_name, switches_[i].replacement.name,
                               static_cast<int64_t>(jobs_[i].kept.size()),
                               jobs_[i].dropped});
    }
    return Status::Ok();
  }

  // The kept records' bytes, as they are, into the new file.
  Status Copy(const Job& job, PurgedWarcFile* s) {
    std::ifstream in(PathOf(job.old_name), std::ios::binary);
    if (!in)
      return Status::IOError(PathOf(job.old_name).string() +
                             ": cannot "
                             "open for reading");
    Result<std::unique_ptr<WritableFile>> out = options_.env->NewWritableFile(
        PathOf(s->replacement.name), OpenMode::kCreateNew);
    if (!out.ok()) return out.status();
    Hasher sha256(DigestAlgorithm::kSha256);
    std::string buf;
    int64_t at = 0;
    for (const RecordRow& r : job.kept) {
      buf.resize(static_cast<size_t>(r.compressed_length));
      in.seekg(r.offset);
      if (!in.read(buf.data(), static_cast<std::streamsize>(buf.size()))) {
        return Status::IOError(PathOf(job.old_name).string() +
                               ": short read at offset " +
                               std::to_string(r.offset));
      }
      ROTGUARD_RETURN_IF_ERROR((*out)->Append(buf));
      sha256.Update(buf);
      s->moves.emplace_back(r.offset, at);
      at += r.compressed_length;
    }
    ROTGUARD_RETURN_IF_ERROR((*out)->DataSync());
    ROTGUARD_RETURN_IF_ERROR((*out)->Close());
    WarcFileRow& row = s->replacement;
    row.state = WarcFileState::kClosed;
    row.size = at;
    row.sha256 = HexEncode(sha256.Final());
    row.record_count = static_cast<int64_t>(job.kept.size());
    row.created_unix = row.closed_unix = row.last_verified_unix = Now();
    return Status::Ok();
  }

  // Reads the new file back: every kept record at its new offset, with
  // its id, length and both digests intact; then its stat for --quick.
  Status ReadBack(const Job& job, PurgedWarcFile* s) {
    const fs::path path = PathOf(s->replacement.name);
    Result<std::unique_ptr<WarcReader>> reader = WarcReader::Open(path);
    if (!reader.ok()) return reader.status();
    size_t i = 0;
    for (;; ++i) {
      Result<bool> more = (*reader)->Next();
      if (!more.ok()) return more.status();
      if (!*more) break;
      ROTGUARD_RETURN_IF_ERROR((*reader)->FinishRecord());
      const WarcRecordInfo& r = (*reader)->record();
      bool errors = false;
      for (const WarcProblem& p : r.problems) {
        errors = errors || p.severity == WarcProblem::Severity::kError;
      }
      if (i >= job.kept.size() || errors ||
          static_cast<int64_t>(r.offset) != s->moves[i].second ||
          static_cast<int64_t>(r.length) != job.kept[i].compressed_length ||
          r.record_id != job.kept[i].record_id) {
        return Status::Corruption(
            path.string() + ": record " + std::to_string(i) + " at offset " +
            std::to_string(r.offset) + " does not read back as copied");
      }
    }
    if (i != job.kept.size()) {
      return Status::Corruption(path.string() + ": " + std::to_string(i) +
                                " records read back, " +
                                std::to_string(job.kept.size()) + " copied");
    }
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
      return Status::FromErrno(path.string(), errno);
    }
    s->replacement.mtime_ns =
        static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 +
        st.st_mtim.tv_nsec;
    s->replacement.inode = static_cast<int64_t>(st.st_ino);
    return Status::Ok();
  }

  // After a failure before the switch: the store as it was. What cannot
  // be unlinked now stays listed for the next purge.
  void RemoveWritten() {
    for (const std::string& name : written_) {
      Status removed = options_.env->RemoveFile(PathOf(name));
      if (removed.ok() || removed.code() == ErrorCode::kNotFound) {
        (void)options_.env->SyncDirectory(PathOf(name).parent_path());
        (void)manifest_.ClearPurgedFile(name);
      }
    }
  }

  Store& store_;
  Manifest& manifest_;
  PurgeOptions options_;
  std::vector<Job> jobs_;
  std::set<std::string> dropped_ids_;
  std::vector<std::string> written_;
  std::vector<PurgedWarcFile> switches_;
  PurgeResult result_;
};

}  // namespace

Result<PurgeResult> PurgeForgotten(Store& store, const PurgeOptions& options) {
  Purger purger(store, options);
  return purger.Run();
}

}  // namespace rotguard
