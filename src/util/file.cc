#include "util/file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

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
  return Env::Default()->SyncDirectory(dir);
}

Result<AtomicFile> AtomicFile::Create(const std::filesystem::path& path,
                                      Env* env, std::filesystem::path tmp) {
  if (tmp.empty()) {
    tmp = path;
    tmp += ".tmp." + std::to_string(::getpid());
  }
  Result<std::unique_ptr<WritableFile>> file =
      env->NewWritableFile(tmp, OpenMode::kTruncate);
  if (!file.ok()) return file.status();
  return AtomicFile(env, path, std::move(tmp), std::move(file).value());
}

AtomicFile::AtomicFile(AtomicFile&& other) noexcept
    : env_(other.env_),
      path_(std::move(other.path_)),
      tmp_(std::move(other.tmp_)),
      file_(std::move(other.file_)),
      tmp_exists_(std::exchange(other.tmp_exists_, false)) {}

AtomicFile& AtomicFile::operator=(AtomicFile&& other) noexcept {
  if (this != &other) {
    Discard();
    env_ = other.env_;
    path_ = std::move(other.path_);
    tmp_ = std::move(other.tmp_);
    file_ = std::move(other.file_);
    tmp_exists_ = std::exchange(other.tmp_exists_, false);
  }
  return *this;
}

AtomicFile::~AtomicFile() { Discard(); }

// Unlinking is not undone by a full disk, so it is the one call whose
// failure is ignored here.
void AtomicFile::Discard() {
  file_.reset();
  if (tmp_exists_) (void)env_->RemoveFile(tmp_);
  tmp_exists_ = false;
}

Status AtomicFile::Write(std::string_view bytes) {
  if (!file_) return Status::Internal(tmp_.string() + ": already committed");
  return file_->Append(bytes);
}

Status AtomicFile::Commit() {
  if (!file_) return Status::Internal(tmp_.string() + ": already committed");
  ROTGUARD_RETURN_IF_ERROR(file_->Sync());
  Status closed = file_->Close();
  file_.reset();
  ROTGUARD_RETURN_IF_ERROR(closed);
  ROTGUARD_RETURN_IF_ERROR(env_->RenameFile(tmp_, path_));
  tmp_exists_ = false;
  std::filesystem::path dir = path_.parent_path();
  return env_->SyncDirectory(dir.empty() ? "." : dir);
}

Status WriteFileAtomically(const std::filesystem::path& path,
                           std::string_view bytes, Env* env) {
  Result<AtomicFile> file = AtomicFile::Create(path, env);
  if (!file.ok()) return file.status();
  ROTGUARD_RETURN_IF_ERROR(file->Write(bytes));
  return file->Commit();
}

namespace {

// The first name in `path`'s chain of symbolic links that is not a link,
// which may not exist yet: a rename over the link itself would replace
// the link, not write where it points.
Result<std::filesystem::path> LinkTarget(std::filesystem::path path) {
  constexpr int kMaxLinks = 40;  // Linux's MAXSYMLINKS
  for (int i = 0; i < kMaxLinks; ++i) {
    std::error_code ec;
    if (!std::filesystem::is_symlink(
            std::filesystem::symlink_status(path, ec))) {
      return path;
    }
    std::filesystem::path next = std::filesystem::read_symlink(path, ec);
    if (ec) return Status::FromErrno(path.string(), ec.value());
    path = next.is_absolute() ? next : path.parent_path() / next;
  }
  return Status::FromErrno(path.string(), ELOOP);
}

}  // namespace

Result<OutputFile> OutputFile::Open(const std::filesystem::path& path,
                                    SymlinkPolicy symlinks, Env* env) {
  std::filesystem::path target = path;
  struct stat st {};
  bool exists = ::lstat(path.c_str(), &st) == 0;
  if (!exists && errno != ENOENT)
    return Status::FromErrno(path.string(), errno);
  if (exists && S_ISLNK(st.st_mode)) {
    if (symlinks == SymlinkPolicy::kRefuse) {
      return Status::InvalidArgument(path.string() + ": is a symbolic link");
    }
    Result<std::filesystem::path> resolved = LinkTarget(path);
    if (!resolved.ok()) return resolved.status();
    target = std::move(resolved).value();
    exists = ::stat(target.c_str(), &st) == 0;
    if (!exists && errno != ENOENT) {
      return Status::FromErrno(target.string(), errno);
    }
  }
  OutputFile out;
  if (exists && S_ISDIR(st.st_mode)) {
    return Status::InvalidArgument(target.string() + ": is a directory");
  }
  if (!exists || S_ISREG(st.st_mode)) {
    Result<AtomicFile> file = AtomicFile::Create(target, env);
    if (!file.ok()) return file.status();
    out.atomic_.emplace(std::move(file).value());
    return out;
  }
  Result<std::unique_ptr<WritableFile>> file =
      env->NewWritableFile(target, OpenMode::kInPlace);
  if (!file.ok()) return file.status();
  out.in_place_ = std::move(file).value();
  return out;
}

Status OutputFile::Write(std::string_view bytes) {
  return atomic_ ? atomic_->Write(bytes) : in_place_->Append(bytes);
}

Status OutputFile::Commit() {
  return atomic_ ? atomic_->Commit() : in_place_->Close();
}

Status WriteOutputFile(const std::filesystem::path& path,
                       std::string_view bytes, SymlinkPolicy symlinks,
                       Env* env) {
  Result<OutputFile> file = OutputFile::Open(path, symlinks, env);
  if (!file.ok()) return file.status();
  ROTGUARD_RETURN_IF_ERROR(file->Write(bytes));
  return file->Commit();
}

}  // namespace rotguard
