// Small file helpers: whole-file reads for small inputs, durable writes,
// and an AtomicFile that publishes a file only when it is complete.
#ifndef ROTGUARD_UTIL_FILE_H_
#define ROTGUARD_UTIL_FILE_H_

#include <filesystem>
#include <string>
#include <string_view>

#include "rotguard/status.h"
#include "util/handles.h"

namespace rotguard {

// Reads a whole file; meant for posts and configs, not WARC bodies.
Result<std::string> ReadFileToString(const std::filesystem::path& path);

// Writes all bytes or fails with "path: strerror".
Status WriteAll(int fd, std::string_view bytes, const std::string& what);

// fsync the directory so a rename or create inside it survives power loss.
Status SyncDirectory(const std::filesystem::path& dir);

// Write to "<path>.tmp.<pid>", then Commit() fsyncs and renames over path.
// The destructor removes the temporary file if Commit() never ran.
class AtomicFile {
 public:
  static Result<AtomicFile> Create(const std::filesystem::path& path);
  AtomicFile(AtomicFile&&) noexcept = default;
  AtomicFile& operator=(AtomicFile&&) noexcept = default;
  ~AtomicFile();

  Status Write(std::string_view bytes);
  Status Commit();

 private:
  AtomicFile(std::filesystem::path path, std::filesystem::path tmp, Fd fd)
      : path_(std::move(path)), tmp_(std::move(tmp)), fd_(std::move(fd)) {}
  std::filesystem::path path_;
  std::filesystem::path tmp_;
  Fd fd_;
  bool committed_ = false;
};

// Writes a small file atomically in one call.
Status WriteFileAtomically(const std::filesystem::path& path,
                           std::string_view bytes);

}  // namespace rotguard

#endif  // ROTGUARD_UTIL_FILE_H_
