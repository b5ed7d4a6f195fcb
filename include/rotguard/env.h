// Env: the seam every durable write goes through (as leveldb's Env).
// Opening a file for writing, appending, fdatasync/fsync, truncating,
// closing, renaming and syncing a directory are virtual calls, so a test
// can hand the WARC writer, atomic files, repair, import, restore and the
// WACZ export an Env that fails the N-th call (util/fault_injecting_env.h)
// and check that nothing committed is lost.
//
// Reads are not part of the seam: they go straight to the OS.
//
// Thread-safety: an Env may be shared by threads. A WritableFile belongs
// to one thread at a time, except that Sync() and DataSync() may run on
// another thread while the owner appends (never while it closes).
#ifndef ROTGUARD_ENV_H_
#define ROTGUARD_ENV_H_

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string_view>

#include "rotguard/status.h"

namespace rotguard {

// A file open for writing. Errors read "PATH: strerror".
class WritableFile {
 public:
  WritableFile() = default;
  WritableFile(const WritableFile&) = delete;
  WritableFile& operator=(const WritableFile&) = delete;
  // Closes the file if Close() was not called; that error is lost.
  virtual ~WritableFile() = default;

  // Writes all of `data` at the current end. On failure some of it may
  // have been written: the caller truncates back or gives the file up.
  virtual Status Append(std::string_view data) = 0;
  // Appends `parts` in order, in as few system calls as it can (writev).
  virtual Status AppendV(std::span<const std::string_view> parts) = 0;
  // Cuts the file to `size` bytes; the next Append writes at `size`.
  virtual Status Truncate(uint64_t size) = 0;
  // fdatasync: the bytes appended so far survive a crash.
  virtual Status DataSync() = 0;
  // fsync: the bytes and the file's metadata survive a crash.
  virtual Status Sync() = 0;
  // Closes the descriptor; any later call fails.
  virtual Status Close() = 0;
};

// How NewWritableFile opens its file.
enum class OpenMode {
  kCreateNew,  // create; fail if the file exists (O_EXCL)
  // Create or empty an existing file; a symbolic link at the path is not
  // followed ("PATH: is a symbolic link, not followed"), so a link planted
  // where a temporary file goes cannot redirect the write.
  kTruncate,
  kExisting,  // an existing file, kept as it is (repair cuts it)
  // An existing file that is not a regular one (a character device such
  // as /dev/null, a FIFO, a socket), written from where it stands: no
  // create, no truncate, no seek, not a symbolic link. Opening a FIFO
  // waits for its reader, as any writer's open(2) would.
  kInPlace,
};

// Files created below one root directory without following a symbolic
// link anywhere below it (Env::NewWritableFileBeneath). The directories
// opened on the way stay open, each checked once, and the next file in
// one of them is a single openat from its descriptor: `restore` writes
// thousands of files into a few directories. A directory renamed or
// replaced by a link after it was opened is still written through the
// descriptor, inside the tree that was checked. One thread at a time.
class DirectoryBeneath {
 public:
  DirectoryBeneath() = default;
  DirectoryBeneath(const DirectoryBeneath&) = delete;
  DirectoryBeneath& operator=(const DirectoryBeneath&) = delete;
  virtual ~DirectoryBeneath() = default;

  // Opens ROOT/`relative` as Env::NewWritableFileBeneath does.
  virtual Result<std::unique_ptr<WritableFile>> NewWritableFile(
      std::string_view relative, OpenMode mode) = 0;
};

class Env {
 public:
  Env() = default;
  Env(const Env&) = delete;
  Env& operator=(const Env&) = delete;
  virtual ~Env() = default;

  // The POSIX Env; lives for the whole process, never delete it.
  static Env* Default();

  virtual Result<std::unique_ptr<WritableFile>> NewWritableFile(
      const std::filesystem::path& path, OpenMode mode) = 0;
  // Opens `root`/`relative` like NewWritableFile (kTruncate or kCreateNew),
  // creating the missing directories on the way, without following a
  // symbolic link anywhere below `root`: each directory is opened from
  // the one before it (openat, O_NOFOLLOW), so a link planted inside
  // `root` (an `index.html` or an `assets` pointing elsewhere) cannot
  // redirect the write. A link in the way fails with InvalidArgument
  // "ROOT/PART: is a symbolic link, not followed". `relative` is
  // '/'-separated, without "." or ".." components; `root` itself may be a
  // link (the user named it). One file: OpenDirectoryBeneath for many.
  Result<std::unique_ptr<WritableFile>> NewWritableFileBeneath(
      const std::filesystem::path& root, std::string_view relative,
      OpenMode mode);
  // `root` (an existing directory, opened following a link) for creating
  // files below it as NewWritableFileBeneath does.
  virtual Result<std::unique_ptr<DirectoryBeneath>> OpenDirectoryBeneath(
      const std::filesystem::path& root) = 0;
  // rename(2): atomically replaces `to`. Errors name `to`.
  virtual Status RenameFile(const std::filesystem::path& from,
                            const std::filesystem::path& to) = 0;
  // unlink(2); a missing file is NotFound.
  virtual Status RemoveFile(const std::filesystem::path& path) = 0;
  // fsync of the directory, so a create or rename inside it survives a
  // crash.
  virtual Status SyncDirectory(const std::filesystem::path& dir) = 0;
};

}  // namespace rotguard

#endif  // ROTGUARD_ENV_H_
