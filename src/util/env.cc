// The POSIX Env: open(2), write(2)/writev(2), copy_file_range(2),
// ftruncate(2), fdatasync(2),
// fsync(2), close(2), rename(2), unlink(2).
#include "rotguard/env.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "util/file.h"
#include "util/file_copy.h"
#include "util/handles.h"

namespace rotguard {

Status AppendFromFileByCopy(WritableFile& file, int fd, uint64_t offset,
                            uint64_t length) {
  std::string buffer(std::min<uint64_t>(length, uint64_t{256} << 10), '\0');
  while (length > 0) {
    size_t want =
        static_cast<size_t>(std::min<uint64_t>(buffer.size(), length));
    ssize_t n = ::pread(fd, buffer.data(), want, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::FromErrno("source file", errno);
    if (n == 0) return Status::IOError("source file: ended early");
    ROTGUARD_RETURN_IF_ERROR(
        file.Append(std::string_view(buffer.data(), static_cast<size_t>(n))));
    offset += static_cast<uint64_t>(n);
    length -= static_cast<uint64_t>(n);
  }
  return Status::Ok();
}

Status AppendFromFile(WritableFile& file, int fd, uint64_t offset,
                      uint64_t length) {
  if (auto* appender = dynamic_cast<RangeAppender*>(&file)) {
    return appender->AppendRange(fd, offset, length);
  }
  return AppendFromFileByCopy(file, fd, offset, length);
}

namespace {

class PosixWritableFile final : public WritableFile, public RangeAppender {
 public:
  PosixWritableFile(std::string path, Fd fd)
      : path_(std::move(path)), fd_(std::move(fd)) {}

  Status Append(std::string_view data) override {
    return WriteAll(fd_.get(), data, path_);
  }

  Status AppendV(std::span<const std::string_view> parts) override {
    std::vector<iovec> iov;
    iov.reserve(std::min<size_t>(parts.size(), IOV_MAX));
    while (!parts.empty()) {
      iov.clear();
      size_t count = std::min<size_t>(parts.size(), IOV_MAX);
      for (std::string_view part : parts.first(count)) {
        iov.push_back({const_cast<char*>(part.data()), part.size()});
      }
      ROTGUARD_RETURN_IF_ERROR(WriteVector(iov));
      parts = parts.subspan(count);
    }
    return Status::Ok();
  }

  // Falls back to read + write where the kernel cannot copy between the
  // two files (another filesystem type, no copy_file_range); what was
  // copied before the fallback stays, both advance the file offset.
  Status AppendRange(int fd, uint64_t offset, uint64_t length) override {
    auto in = static_cast<loff_t>(offset);
    while (length > 0 && !no_copy_range_) {
      ssize_t n = ::copy_file_range(fd, &in, fd_.get(), nullptr,
                                    static_cast<size_t>(length), 0);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EXDEV || errno == EINVAL || errno == ENOSYS ||
                    errno == EOPNOTSUPP || errno == EBADF)) {
        no_copy_range_ = true;
        break;
      }
      if (n < 0) return Status::FromErrno(path_, errno);
      if (n == 0) return Status::IOError(path_ + ": source ended early");
      length -= static_cast<uint64_t>(n);
    }
    if (length == 0) return Status::Ok();
    return AppendFromFileByCopy(*this, fd, static_cast<uint64_t>(in), length);
  }

  Status Truncate(uint64_t size) override {
    off_t offset = static_cast<off_t>(size);
    if (::ftruncate(fd_.get(), offset) != 0 ||
        ::lseek(fd_.get(), offset, SEEK_SET) != offset) {
      return Status::FromErrno(path_, errno);
    }
    return Status::Ok();
  }

  Status DataSync() override {
    if (::fdatasync(fd_.get()) != 0) return Status::FromErrno(path_, errno);
    return Status::Ok();
  }

  Status Sync() override {
    if (::fsync(fd_.get()) != 0) return Status::FromErrno(path_, errno);
    return Status::Ok();
  }

  Status Close() override {
    if (!fd_.valid()) return Status::Ok();
    if (::close(fd_.release()) != 0) return Status::FromErrno(path_, errno);
    return Status::Ok();
  }

 private:
  // Writes every byte `iov` points at; a short write goes on from where
  // it stopped.
  Status WriteVector(std::vector<iovec>& iov) {
    size_t done = 0;
    while (done < iov.size()) {
      ssize_t n = ::writev(fd_.get(), iov.data() + done,
                           static_cast<int>(iov.size() - done));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Status::FromErrno(path_, errno);
      if (n == 0 && iov[done].iov_len > 0) {
        return Status::IOError(path_ + ": write made no progress");
      }
      auto left = static_cast<size_t>(n);
      while (done < iov.size() && left >= iov[done].iov_len) {
        left -= iov[done++].iov_len;
      }
      if (left > 0) {
        iov[done].iov_base = static_cast<char*>(iov[done].iov_base) + left;
        iov[done].iov_len -= left;
      }
    }
    return Status::Ok();
  }

  const std::string path_;
  Fd fd_;
  bool no_copy_range_ = false;  // copy_file_range refused: read + write
};

// ELOOP under O_NOFOLLOW means the last component is a symbolic link;
// strerror's "Too many levels of symbolic links" would mislead.
Status OpenError(const std::string& path, int err, int flags) {
  if (err == ELOOP && (flags & O_NOFOLLOW) != 0) {
    return Status::IOError(path + ": is a symbolic link, not followed");
  }
  return Status::FromErrno(path, err);
}

// Why `name` in `dir_fd` could not be opened, naming `shown`: a symbolic
// link says so (InvalidArgument), as O_NOFOLLOW's ELOOP would not.
Status BeneathError(int dir_fd, const std::string& name,
                    const std::string& shown, int err) {
  struct stat st {};
  if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 &&
      S_ISLNK(st.st_mode)) {
    return Status::InvalidArgument(shown +
                                   ": is a symbolic link, not followed");
  }
  return Status::FromErrno(shown, err);
}

// The directory `name` inside `dir_fd`, created when missing, opened
// without following a symbolic link.
Result<Fd> OpenSubdirectory(int dir_fd, const std::string& name,
                            const std::string& shown) {
  constexpr int kFlags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
  Fd fd(::openat(dir_fd, name.c_str(), kFlags));
  if (!fd.valid() && errno == ENOENT) {
    // EEXIST: another writer made it first, which is as good.
    if (::mkdirat(dir_fd, name.c_str(), 0755) != 0 && errno != EEXIST) {
      return Status::FromErrno(shown, errno);
    }
    fd.reset(::openat(dir_fd, name.c_str(), kFlags));
  }
  if (!fd.valid()) return BeneathError(dir_fd, name, shown, errno);
  return fd;
}

// `relative` split at '/'; nullopt when a part is empty, "." or "..".
std::optional<std::vector<std::string>> SplitRelative(
    std::string_view relative) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= relative.size()) {
    size_t slash = relative.find('/', start);
    if (slash == std::string_view::npos) slash = relative.size();
    std::string part(relative.substr(start, slash - start));
    if (part.empty() || part == "." || part == "..") return std::nullopt;
    parts.push_back(std::move(part));
    start = slash + 1;
  }
  return parts;
}

// ROOT/PARTS[0]/…/PARTS[count - 1], for messages.
std::string ShownPath(const std::filesystem::path& root,
                      const std::vector<std::string>& parts, size_t count) {
  std::filesystem::path shown = root;
  for (size_t i = 0; i < count; ++i) shown /= parts[i];
  return shown.string();
}

class PosixDirectoryBeneath final : public DirectoryBeneath {
 public:
  PosixDirectoryBeneath(std::filesystem::path root, Fd root_fd)
      : root_(std::move(root)), root_fd_(std::move(root_fd)) {}

  Result<std::unique_ptr<WritableFile>> NewWritableFile(
      std::string_view relative, OpenMode mode) override {
    std::optional<std::vector<std::string>> parts = SplitRelative(relative);
    if (!parts ||
        (mode != OpenMode::kTruncate && mode != OpenMode::kCreateNew)) {
      return Status::Internal((root_ / relative).string() +
                              ": not a name to create beneath " +
                              root_.string());
    }
    Result<int> dir = OpenParents(*parts);
    if (!dir.ok()) return dir.status();
    int flags = O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC |
                (mode == OpenMode::kTruncate ? O_TRUNC : O_EXCL);
    Fd fd(::openat(*dir, parts->back().c_str(), flags, 0644));
    std::string shown = ShownPath(root_, *parts, parts->size());
    if (!fd.valid()) return BeneathError(*dir, parts->back(), shown, errno);
    return std::unique_ptr<WritableFile>(
        new PosixWritableFile(std::move(shown), std::move(fd)));
  }

 private:
  // Bounds the descriptors held: a restore of many hosts opens a
  // directory per host.
  static constexpr size_t kMaxHeldDirectories = 128;

  // The descriptor of the directory that holds the last of `parts`,
  // opening (and creating) the ones not held yet from their parent.
  Result<int> OpenParents(const std::vector<std::string>& parts) {
    if (held_.size() + parts.size() > kMaxHeldDirectories) held_.clear();
    int dir = root_fd_.get();
    std::string key;
    for (size_t i = 0; i + 1 < parts.size(); ++i) {
      key += parts[i];
      key += '/';
      auto it = held_.find(key);
      if (it == held_.end()) {
        Result<Fd> next =
            OpenSubdirectory(dir, parts[i], ShownPath(root_, parts, i + 1));
        if (!next.ok()) return next.status();
        it = held_.emplace(key, std::move(next).value()).first;
      }
      dir = it->second.get();
    }
    return dir;
  }

  const std::filesystem::path root_;
  const Fd root_fd_;
  // "a/b/" -> the directory ROOT/a/b, opened from ROOT/a without
  // following a link.
  std::unordered_map<std::string, Fd> held_;
};

class PosixEnv final : public Env {
 public:
  Result<std::unique_ptr<WritableFile>> NewWritableFile(
      const std::filesystem::path& path, OpenMode mode) override {
    int flags = O_WRONLY | O_CLOEXEC;
    switch (mode) {
      case OpenMode::kCreateNew:
        flags |= O_CREAT | O_EXCL;
        break;
      case OpenMode::kTruncate:
        flags |= O_CREAT | O_TRUNC | O_NOFOLLOW;
        break;
      case OpenMode::kExisting:
        break;
      case OpenMode::kInPlace:
        flags |= O_NOCTTY | O_NOFOLLOW;
        break;
    }
    Fd fd(::open(path.c_str(), flags, 0644));
    if (!fd.valid()) return OpenError(path.string(), errno, flags);
    if (mode == OpenMode::kExisting && ::lseek(fd.get(), 0, SEEK_END) < 0) {
      return Status::FromErrno(path.string(), errno);
    }
    return std::unique_ptr<WritableFile>(
        new PosixWritableFile(path.string(), std::move(fd)));
  }

  Result<std::unique_ptr<DirectoryBeneath>> OpenDirectoryBeneath(
      const std::filesystem::path& root) override {
    Fd fd(::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd.valid()) return Status::FromErrno(root.string(), errno);
    return std::unique_ptr<DirectoryBeneath>(
        new PosixDirectoryBeneath(root, std::move(fd)));
  }

  Status RenameFile(const std::filesystem::path& from,
                    const std::filesystem::path& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) {
      return Status::FromErrno(to.string(), errno);
    }
    return Status::Ok();
  }

  Status RemoveFile(const std::filesystem::path& path) override {
    if (::unlink(path.c_str()) != 0) {
      return Status::FromErrno(path.string(), errno);
    }
    return Status::Ok();
  }

  Status SyncDirectory(const std::filesystem::path& dir) override {
    Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd.valid()) return Status::FromErrno(dir.string(), errno);
    if (::fsync(fd.get()) != 0) return Status::FromErrno(dir.string(), errno);
    return Status::Ok();
  }
};

}  // namespace

Result<std::unique_ptr<WritableFile>> Env::NewWritableFileBeneath(
    const std::filesystem::path& root, std::string_view relative,
    OpenMode mode) {
  Result<std::unique_ptr<DirectoryBeneath>> dir = OpenDirectoryBeneath(root);
  if (!dir.ok()) return dir.status();
  return (*dir)->NewWritableFile(relative, mode);
}

Env* Env::Default() {
  static PosixEnv* env = new PosixEnv;  // never destroyed: see env.h
  return env;
}

}  // namespace rotguard
