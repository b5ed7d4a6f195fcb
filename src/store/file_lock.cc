#include "store/file_lock.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

#include "util/file.h"

namespace rotguard {
namespace {

// The pid the last exclusive holder wrote, when that process still lives.
std::string LiveHolderPid(int fd) {
  char buf[32];
  ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
  if (n <= 0) return {};
  long pid = 0;
  auto [end, ec] = std::from_chars(buf, buf + n, pid);
  if (ec != std::errc() || pid <= 0) return {};
  // EPERM: the process exists but belongs to someone else.
  if (::kill(static_cast<pid_t>(pid), 0) != 0 && errno != EPERM) return {};
  return std::to_string(pid);
}

Status WritePid(int fd, const std::string& path) {
  if (::ftruncate(fd, 0) != 0) return Status::FromErrno(path, errno);
  std::string pid = std::to_string(::getpid()) + "\n";
  if (::pwrite(fd, pid.data(), pid.size(), 0) !=
      static_cast<ssize_t>(pid.size())) {
    return Status::IOError(path + ": cannot write the lock holder's pid");
  }
  return Status::Ok();
}

int PosixOpen(const char* path, int flags, mode_t mode) {
  return ::open(path, flags, mode);
}

bool IsNotWritable(int err) {
  return err == EROFS || err == EACCES || err == EPERM;
}

// The lock file, read-write (created when missing), or read-only for a
// shared lock on a store that cannot be written.
Result<Fd> OpenLockFile(const std::filesystem::path& path, LockMode mode,
                        FileLock::OpenFunction open) {
  Fd fd(open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
  if (!fd.valid() && mode == LockMode::kShared && IsNotWritable(errno)) {
    const int write_error = errno;
    fd.reset(open(path.c_str(), O_RDONLY | O_CLOEXEC, 0));
    if (!fd.valid() && errno == ENOENT) {
      return Status::NotFound(path.string() + ": " +
                              std::strerror(write_error));
    }
  }
  if (!fd.valid()) {
    return Status::IOError(path.string() + ": " + std::strerror(errno));
  }
  return fd;
}

}  // namespace

Result<std::unique_ptr<FileLock>> FileLock::Acquire(
    const std::filesystem::path& path, LockMode mode,
    const std::filesystem::path& store_root, OpenFunction open) {
  Result<Fd> opened =
      OpenLockFile(path, mode, open != nullptr ? open : PosixOpen);
  if (!opened.ok()) return opened.status();
  Fd fd = std::move(opened).value();
  int op = (mode == LockMode::kExclusive ? LOCK_EX : LOCK_SH) | LOCK_NB;
  while (::flock(fd.get(), op) != 0) {
    if (errno == EINTR) continue;
    if (errno != EWOULDBLOCK) {
      return Status::IOError(path.string() + ": " + std::strerror(errno));
    }
    std::string pid = LiveHolderPid(fd.get());
    return Status::Locked("store " + store_root.string() +
                          " is locked by another rotguard run" +
                          (pid.empty() ? "" : " (pid " + pid + ")"));
  }
  if (mode == LockMode::kExclusive) {
    ROTGUARD_RETURN_IF_ERROR(WritePid(fd.get(), path.string()));
  }
  return std::unique_ptr<FileLock>(new FileLock(std::move(fd), mode));
}

FileLock::~FileLock() {
  // A stale pid would name an innocent process in a later message.
  if (mode_ == LockMode::kExclusive && fd_.valid()) {
    [[maybe_unused]] int ignored = ::ftruncate(fd_.get(), 0);
  }
}

}  // namespace rotguard
