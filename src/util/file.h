// Small file helpers: whole-file reads for small inputs, durable writes,
// and an AtomicFile that publishes a file only when it is complete.
#ifndef ROTGUARD_UTIL_FILE_H_
#define ROTGUARD_UTIL_FILE_H_

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "rotguard/env.h"
#include "rotguard/status.h"
#include "util/handles.h"

namespace rotguard {

// Reads a whole file; meant for posts and configs, not WARC bodies.
Result<std::string> ReadFileToString(const std::filesystem::path& path);

// Writes all bytes or fails with "path: strerror".
Status WriteAll(int fd, std::string_view bytes, const std::string& what);

// fsync the directory so a rename or create inside it survives power loss
// (Env::Default()->SyncDirectory).
Status SyncDirectory(const std::filesystem::path& dir);

// Write to a temporary file ("<path>.tmp.<pid>" unless `tmp` names one),
// then Commit() fsyncs it, renames it over `path` and fsyncs the
// directory, all through `env`. The destructor removes the temporary file
// if Commit() did not get as far as the rename, so a failed write never
// leaves a *.tmp behind.
class AtomicFile {
 public:
  static Result<AtomicFile> Create(const std::filesystem::path& path,
                                   Env* env = Env::Default(),
                                   std::filesystem::path tmp = {});
  AtomicFile(AtomicFile&& other) noexcept;
  AtomicFile& operator=(AtomicFile&& other) noexcept;
  ~AtomicFile();

  Status Write(std::string_view bytes);
  Status Commit();

  const std::filesystem::path& path() const { return path_; }
  const std::filesystem::path& tmp_path() const { return tmp_; }

 private:
  AtomicFile(Env* env, std::filesystem::path path, std::filesystem::path tmp,
             std::unique_ptr<WritableFile> file)
      : env_(env),
        path_(std::move(path)),
        tmp_(std::move(tmp)),
        file_(std::move(file)) {}
  void Discard();

  Env* env_ = nullptr;
  std::filesystem::path path_;
  std::filesystem::path tmp_;
  std::unique_ptr<WritableFile> file_;
  bool tmp_exists_ = true;  // false once renamed, removed or moved from
};

// Writes a small file atomically in one call.
Status WriteFileAtomically(const std::filesystem::path& path,
                           std::string_view bytes, Env* env = Env::Default());

// What WriteOutputFile does with a symbolic link at its path.
enum class SymlinkPolicy {
  kRefuse,  // fail, naming the link: its target may be anything
  kFollow,  // write to the target, by the same rules
};

// A file the user named (`extract -o`), written as a stream, as curl -o
// would but without its surprises: a new or regular file is written to a
// temporary and replaced atomically on Commit() (an unfinished one leaves
// the old file as it was); an existing file that is not regular
// (/dev/null, a FIFO, a socket) is written in place, never replaced by a
// regular file; a symbolic link is refused with InvalidArgument "PATH: is
// a symbolic link" unless `symlinks` is kFollow; a directory is refused.
class OutputFile {
 public:
  static Result<OutputFile> Open(const std::filesystem::path& path,
                                 SymlinkPolicy symlinks,
                                 Env* env = Env::Default());
  Status Write(std::string_view bytes);
  Status Commit();

 private:
  std::optional<AtomicFile> atomic_;
  std::unique_ptr<WritableFile> in_place_;
};

// Writes `bytes` to a file the user named (`extract -o`), as curl -o would
// but without its surprises: a new or regular file is replaced atomically
// (WriteFileAtomically); an existing file that is not regular (/dev/null,
// a FIFO, a socket) is written in place, never replaced by a regular
// file; a symbolic link is refused with InvalidArgument "PATH: is a
// symbolic link" unless `symlinks` is kFollow; a directory is refused.
Status WriteOutputFile(const std::filesystem::path& path,
                       std::string_view bytes, SymlinkPolicy symlinks,
                       Env* env = Env::Default());

}  // namespace rotguard

#endif  // ROTGUARD_UTIL_FILE_H_
