#include "util/fault_injecting_env.h"

#include <string_view>
#include <utility>

#include "util/file_copy.h"

namespace rotguard {
namespace {

class FaultInjectingFile final : public WritableFile, public RangeAppender {
 public:
  FaultInjectingFile(FaultInjectingEnv* env, std::string path,
                     std::unique_ptr<WritableFile> base)
      : env_(env), path_(std::move(path)), base_(std::move(base)) {}

  Status Append(std::string_view data) override {
    Status fault = env_->Check("Append", path_);
    if (fault.ok()) return base_->Append(data);
    (void)base_->Append(data.substr(0, data.size() / 2));  // a short write
    return fault;
  }

  Status AppendV(std::span<const std::string_view> parts) override {
    Status fault = env_->Check("AppendV", path_);
    if (fault.ok()) return base_->AppendV(parts);
    std::string joined;
    for (std::string_view part : parts) joined.append(part);
    (void)base_->Append(std::string_view(joined).substr(0, joined.size() / 2));
    return fault;
  }

  Status AppendRange(int fd, uint64_t offset, uint64_t length) override {
    Status fault = env_->Check("AppendFromFile", path_);
    if (fault.ok()) return AppendFromFile(*base_, fd, offset, length);
    (void)AppendFromFile(*base_, fd, offset, length / 2);  // a short write
    return fault;
  }

  Status Truncate(uint64_t size) override {
    ROTGUARD_RETURN_IF_ERROR(env_->Check("Truncate", path_));
    return base_->Truncate(size);
  }

  Status DataSync() override {
    ROTGUARD_RETURN_IF_ERROR(env_->Check("DataSync", path_));
    return env_->skip_syncs() ? Status::Ok() : base_->DataSync();
  }

  Status Sync() override {
    ROTGUARD_RETURN_IF_ERROR(env_->Check("Sync", path_));
    return env_->skip_syncs() ? Status::Ok() : base_->Sync();
  }

  Status Close() override {
    Status fault = env_->Check("Close", path_);
    Status closed = base_->Close();
    return fault.ok() ? closed : fault;
  }

 private:
  FaultInjectingEnv* const env_;
  const std::string path_;
  const std::unique_ptr<WritableFile> base_;
};

class FaultInjectingDirectory final : public DirectoryBeneath {
 public:
  FaultInjectingDirectory(FaultInjectingEnv* env, std::filesystem::path root,
                          std::unique_ptr<DirectoryBeneath> base)
      : env_(env), root_(std::move(root)), base_(std::move(base)) {}

  Result<std::unique_ptr<WritableFile>> NewWritableFile(
      std::string_view relative, OpenMode mode) override {
    std::string path = (root_ / relative).string();
    ROTGUARD_RETURN_IF_ERROR(env_->Check("NewWritableFile", path));
    Result<std::unique_ptr<WritableFile>> file =
        base_->NewWritableFile(relative, mode);
    if (!file.ok()) return file.status();
    return std::unique_ptr<WritableFile>(
        new FaultInjectingFile(env_, path, std::move(file).value()));
  }

 private:
  FaultInjectingEnv* const env_;
  const std::filesystem::path root_;
  const std::unique_ptr<DirectoryBeneath> base_;
};

}  // namespace

void FaultInjectingEnv::FailCall(uint64_t n, int error, bool sticky) {
  error_ = error;
  sticky_ = sticky;
  fail_at_ = n;
}

std::string FaultInjectingEnv::first_failure() const {
  std::lock_guard<std::mutex> lock(mu_);
  return first_failure_;
}

Status FaultInjectingEnv::Check(const char* what, const std::string& path) {
  uint64_t call = ++calls_;
  uint64_t fail_at = fail_at_.load();
  bool fail = fail_at != 0 && (call == fail_at || (sticky_ && call > fail_at));
  if (!fail) return Status::Ok();
  if (failures_++ == 0) {
    std::lock_guard<std::mutex> lock(mu_);
    first_failure_ = std::string(what) + " " + path;
  }
  return Status::FromErrno(
      path + " (injected by " + what + " #" + std::to_string(call) + ")",
      error_.load());
}

Result<std::unique_ptr<WritableFile>> FaultInjectingEnv::NewWritableFile(
    const std::filesystem::path& path, OpenMode mode) {
  ROTGUARD_RETURN_IF_ERROR(Check("NewWritableFile", path.string()));
  Result<std::unique_ptr<WritableFile>> file =
      base_->NewWritableFile(path, mode);
  if (!file.ok()) return file.status();
  return std::unique_ptr<WritableFile>(
      new FaultInjectingFile(this, path.string(), std::move(file).value()));
}

Result<std::unique_ptr<DirectoryBeneath>>
FaultInjectingEnv::OpenDirectoryBeneath(const std::filesystem::path& root) {
  Result<std::unique_ptr<DirectoryBeneath>> dir =
      base_->OpenDirectoryBeneath(root);
  if (!dir.ok()) return dir.status();
  return std::unique_ptr<DirectoryBeneath>(
      new FaultInjectingDirectory(this, root, std::move(dir).value()));
}

Status FaultInjectingEnv::RenameFile(const std::filesystem::path& from,
                                     const std::filesystem::path& to) {
  ROTGUARD_RETURN_IF_ERROR(Check("RenameFile", to.string()));
  return base_->RenameFile(from, to);
}

Status FaultInjectingEnv::RemoveFile(const std::filesystem::path& path) {
  return base_->RemoveFile(path);
}

Status FaultInjectingEnv::SyncDirectory(const std::filesystem::path& dir) {
  ROTGUARD_RETURN_IF_ERROR(Check("SyncDirectory", dir.string()));
  return skip_syncs() ? Status::Ok() : base_->SyncDirectory(dir);
}

}  // namespace rotguard
