#include "util/file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace rotguard {

Status Status::FromErrno(const std::string& context, int err) {
  std::string msg = context + ": " + std::strerror(err);
  if (err == ENOENT) return NotFound(std::move(msg));
  return IOError(std::move(msg));
}

std::string Status::ToString() const { return ok() ? "OK" : message_; }

Result<std::string> ReadFileToString(const std::filesystem::path& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return Status::FromErrno(path.string(), errno);
  std::string out;
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::FromErrno(path.string(), errno);
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

Status WriteAll(int fd, std::string_view bytes, const std::string& what) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::FromErrno(what, errno);
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

Status SyncDirectory(const std::filesystem::path& dir) {
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) return Status::FromErrno(dir.string(), errno);
  if (::fsync(fd.get()) != 0) return Status::FromErrno(dir.string(), errno);
  return Status::Ok();
}

Result<AtomicFile> AtomicFile::Create(const std::filesystem::path& path) {
  std::filesystem::path tmp = path;
  tmp += ".tmp." + std::to_string(::getpid());
  Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!fd.valid()) return Status::FromErrno(tmp.string(), errno);
  return AtomicFile(path, tmp, std::move(fd));
}

AtomicFile::~AtomicFile() {
  if (!committed_ && !tmp_.empty() && fd_.valid()) ::unlink(tmp_.c_str());
}

Status AtomicFile::Write(std::string_view bytes) {
  return WriteAll(fd_.get(), bytes, tmp_.string());
}

Status AtomicFile::Commit() {
  if (::fsync(fd_.get()) != 0) return Status::FromErrno(tmp_.string(), errno);
  fd_.reset();
  if (::rename(tmp_.c_str(), path_.c_str()) != 0) {
    Status s = Status::FromErrno(path_.string(), errno);
    ::unlink(tmp_.c_str());
    return s;
  }
  committed_ = true;
  std::filesystem::path dir = path_.parent_path();
  return SyncDirectory(dir.empty() ? "." : dir);
}

Status WriteFileAtomically(const std::filesystem::path& path,
                           std::string_view bytes) {
  Result<AtomicFile> file = AtomicFile::Create(path);
  if (!file.ok()) return file.status();
  ROTGUARD_RETURN_IF_ERROR(file->Write(bytes));
  return file->Commit();
}

}  // namespace rotguard
