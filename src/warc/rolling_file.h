// The rolling durable file under a WarcWriter: one
// rotguard-YYYYMMDDhhmmss-NNNNN-HOST.warc.gz at a time, written as
// "<name>.open" and renamed once closed (fsync of the file, then of the
// directory), its sha256 hashed by a follower as groups of records
// complete. A group whose write fails is cut off again (Rollback), so a
// failure never leaves a torn member in the middle of the file.
//
// Every write-side operation on the WARC file (open, write, writev,
// ftruncate, fsync, fdatasync, rename, unlink, directory sync) goes
// through the Env (rotguard/env.h) in this file's small helpers, so tests
// can fail any of them. Once a sync or the rollback of a failed append has
// failed the file is broken for good: what was appended may not be durable
// (a failed fsync can drop dirty pages and a retry report success), so
// the writer's later writes, syncs and Close() fail with that error, and
// Close() leaves the ".open" name for repair.
//
// Not thread-safe: the WarcWriter serializes calls under its lock, except
// SyncLeased(), which is meant to run outside it.
#ifndef ROTGUARD_WARC_ROLLING_FILE_H_
#define ROTGUARD_WARC_ROLLING_FILE_H_

#include <sys/uio.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "rotguard/env.h"
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
  RollingWarcFile(std::filesystem::path directory, uint64_t max_file_size,
                  Env* env = Env::Default())
      : directory_(std::move(directory)),
        max_file_size_(max_file_size),
        env_(env ? env : Env::Default()) {}
  RollingWarcFile(const RollingWarcFile&) = delete;
  RollingWarcFile& operator=(const RollingWarcFile&) = delete;

  bool is_open() const { return file_ != nullptr; }
  const std::string& file_name() const { return file_name_; }
  const std::filesystem::path& open_path() const { return open_path_; }
  uint64_t size() const { return size_; }
  uint64_t record_count() const { return record_count_; }

  // The first failed sync or rollback; OK while the file is whole.
  const Status& broken() const { return broken_; }

  // Creates DIRECTORY/<file_name>.open (never over an existing file).
  // Fails with broken() once the writer is broken.
  Status Create(const std::string& file_name);
  // Closes and removes a file whose first record could not be written.
  void Discard();

  // Appends bytes at the end; size() grows once they are all written (on
  // failure part of them may be in the file: Rollback() cuts it back).
  Status Append(std::string_view bytes);
  // Appends the bytes the iovecs point at, in order.
  Status AppendV(const std::vector<iovec>& parts);
  // Appends `length` bytes of the file `fd` from `offset`, copied by the
  // kernel (util/file_copy.h).
  Status AppendFromFile(int fd, uint64_t offset, uint64_t length);
  // Cuts the file back to `offset` (the start of a failed group). If even
  // this fails the torn member stays at the tail, where the reader reports
  // it and repair cuts it, and the file is broken: nothing more may go
  // after it.
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
  // the summary of the closed file; nullopt when none was open. A file
  // whose fsync failed (or that was broken before) is closed but keeps its
  // ".open" name.
  Result<std::optional<WarcFileSummary>> Close();

  // The open file held open for a DataSync() outside the writer's lock:
  // Close() waits until the lease is given back. `file` is null when no
  // file is open.
  struct SyncLease {
    std::shared_lock<std::shared_mutex> life;
    WritableFile* file = nullptr;
  };
  SyncLease LeaseForSync();
  // fdatasync through a lease, which it gives back: every byte appended
  // before the call becomes durable. The caller reports a failure with
  // MarkBroken() under its lock.
  static Status SyncLeased(SyncLease lease);
  // Records the first failure that breaks the file for good.
  void MarkBroken(const Status& status) {
    if (broken_.ok() && !status.ok()) broken_ = status;
  }

 private:
  std::filesystem::path directory_;
  uint64_t max_file_size_;
  Env* env_;
  Status broken_;
  // Held shared by a SyncLease while it syncs `file_` outside the
  // writer's lock, and exclusively while `file_` is set, closed or reset.
  std::shared_mutex file_life_;
  std::unique_ptr<WritableFile> file_;
  // The hasher reads the file through a descriptor of its own.
  Fd read_fd_;
  std::filesystem::path open_path_;
  std::filesystem::path final_path_;
  std::string file_name_;
  uint64_t size_ = 0;
  uint64_t record_count_ = 0;
  // The file's sha256, hashed off the writer's lock by a follower of the
  // file that sees each group of records once it is wholly appended (so
  // never bytes a rollback cuts off). Declared after `read_fd_`: it stops
  // before read_fd_ closes.
  std::optional<Hasher> file_hash_;
  std::unique_ptr<FileFollower> file_follower_;
};

}  // namespace rotguard::warc

#endif  // ROTGUARD_WARC_ROLLING_FILE_H_
