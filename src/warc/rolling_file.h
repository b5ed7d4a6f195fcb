// The rolling durable file under a WarcWriter: one
// rotguard-YYYYMMDDhhmmss-NNNNN-HOST.warc.gz at a time, written as
// "<name>.open" and renamed once closed (fsync of the file, then of the
// directory), its sha256 hashed by a follower as groups of records
// complete. A group whose write fails is cut off again (Rollback), so a
// failure never leaves a torn member in the middle of the file.
//
// Every system call on the WARC file (open, write, writev, ftruncate,
// fsync, fdatasync, rename, unlink) is made in this file's small helpers.
//
// Not thread-safe: the WarcWriter serializes calls under its lock, except
// SyncDuplicate(), which is meant to run outside it.
#ifndef ROTGUARD_WARC_ROLLING_FILE_H_
#define ROTGUARD_WARC_ROLLING_FILE_H_

#include <sys/uio.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rotguard/status.h"
#include "rotguard/warc_writer.h"
#include "util/digest.h"
#include "util/file_follower.h"
#include "util/handles.h"

namespace rotguard::warc {

// Host names go into file names: keeps [A-Za-z0-9.-], the rest becomes
// '-'; empty becomes "localhost".
std::string SanitizeHost(std::string_view host);
// gethostname(), or "localhost".
std::string LocalHostName();
// "rotguard-20261125062100-00042-host.warc.gz".
std::string WarcFileName(std::string_view prefix,
                         std::chrono::system_clock::time_point when,
                         uint64_t serial, std::string_view host);

class RollingWarcFile {
 public:
  RollingWarcFile(std::filesystem::path directory, uint64_t max_file_size)
      : directory_(std::move(directory)), max_file_size_(max_file_size) {}
  RollingWarcFile(const RollingWarcFile&) = delete;
  RollingWarcFile& operator=(const RollingWarcFile&) = delete;

  bool is_open() const { return fd_.valid(); }
  const std::string& file_name() const { return file_name_; }
  const std::filesystem::path& open_path() const { return open_path_; }
  uint64_t size() const { return size_; }
  uint64_t record_count() const { return record_count_; }

  // Creates DIRECTORY/<file_name>.open (never over an existing file).
  Status Create(const std::string& file_name);
  // Closes and removes a file whose first record could not be written.
  void Discard();

  // Appends bytes at the end; size() grows by what was written, even on
  // failure (Rollback() cuts it back).
  Status Append(std::string_view bytes);
  // Appends the bytes the iovecs point at; entries are advanced in place.
  Status AppendV(std::vector<iovec>& parts);
  // Best effort: cuts the file back to `offset` (the start of a failed
  // group). If even this fails the torn member stays at the tail, where
  // the reader reports it and repair cuts it.
  void Rollback(uint64_t offset);
  // `records` more records are wholly in the file: the hasher may read
  // up to size().
  void CommitGroup(uint64_t records);

  // Whether a group of `bytes` may go into this file: it must stay under
  // the maximum size, but a file holding only its warcinfo takes any
  // group (records are never split, so an oversized record makes an
  // oversized file).
  bool Fits(uint64_t bytes) const {
    return size_ + bytes <= max_file_size_ || record_count_ <= 1;
  }

  // fsync, close, rename to the final name, fsync the directory. Returns
  // the summary of the closed file; nullopt when none was open.
  Result<std::optional<WarcFileSummary>> Close();

  // A duplicate of the open file's descriptor (invalid if dup failed),
  // for SyncDuplicate() outside the writer's lock.
  Fd Duplicate() const;
  // fdatasync on `fd`: every byte appended to the file (through any of its
  // descriptors) before the call becomes durable. `what` names the file.
  static Status SyncDuplicate(const Fd& fd, const std::string& what);

 private:
  std::filesystem::path directory_;
  uint64_t max_file_size_;
  Fd fd_;
  std::filesystem::path open_path_;
  std::filesystem::path final_path_;
  std::string file_name_;
  uint64_t size_ = 0;
  uint64_t record_count_ = 0;
  // The file's sha256, hashed off the writer's lock by a follower of the
  // file that sees each group of records once it is wholly appended (so
  // never bytes a rollback cuts off). Declared after `fd_`: it stops
  // before fd_ closes.
  std::optional<Hasher> file_hash_;
  std::unique_ptr<FileFollower> file_follower_;
};

}  // namespace rotguard::warc

#endif  // ROTGUARD_WARC_ROLLING_FILE_H_
