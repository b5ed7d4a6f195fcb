// An advisory whole-file lock (flock) that never waits: the store's lock
// file (SPEC §13 "Locks"). The exclusive holder writes its pid into the
// file so a refused run can say who holds the store.
#ifndef ROTGUARD_STORE_FILE_LOCK_H_
#define ROTGUARD_STORE_FILE_LOCK_H_

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <string>

#include "rotguard/status.h"
#include "rotguard/store.h"
#include "util/handles.h"

namespace rotguard {

class FileLock {
 public:
  // open(2), or a fake in tests (a read-only filesystem's EROFS).
  using OpenFunction = int (*)(const char* path, int flags, mode_t mode);

  // Opens (creating) `path` and locks it in `mode` without blocking. A
  // conflict is Locked "store <store_root> is locked by another rotguard
  // run (pid N)"; the pid is left out when no live holder wrote one.
  //
  // A shared lock needs no write access: when the file cannot be opened
  // for writing because the store is read-only (EROFS) or not writable by
  // this user (EACCES, EPERM), it is opened O_RDONLY, which flock(2)
  // accepts, and still excludes a writer on another mount of the same
  // files. If it does not exist then either, the result is NotFound and
  // the caller decides whether to go on unlocked.
  static Result<std::unique_ptr<FileLock>> Acquire(
      const std::filesystem::path& path, LockMode mode,
      const std::filesystem::path& store_root, OpenFunction open = nullptr);

  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  // Clears the pid (exclusive holder) and unlocks by closing the file.
  ~FileLock();

 private:
  FileLock(Fd fd, LockMode mode) : fd_(std::move(fd)), mode_(mode) {}
  Fd fd_;
  LockMode mode_;
};

}  // namespace rotguard

#endif  // ROTGUARD_STORE_FILE_LOCK_H_
