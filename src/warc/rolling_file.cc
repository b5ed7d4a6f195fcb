#include "warc/rolling_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>

#include "util/cpu_stages.h"
#include "util/file.h"
#include "util/file_copy.h"
#include "util/time_format.h"
#include "warc/format.h"

namespace rotguard::warc {
namespace {

// The file hasher wakes once this much is appended (or at close): small
// records are hashed in batches, not one wake-up each.
constexpr uint64_t kFileHashStep = uint64_t{1} << 20;

std::string FileTimestamp(std::chrono::system_clock::time_point when) {
  return FormatUtc(std::chrono::system_clock::to_time_t(when),
                   UtcStyle::kDigits14);
}

}  // namespace

std::string SanitizeHost(std::string_view host) {
  std::string out;
  for (char c : host) {
    bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                (c >= '0' && c <= '9') || c == '.' || c == '-';
    out.push_back(keep ? c : '-');
  }
  return out.empty() ? std::string("localhost") : out;
}

std::string LocalHostName() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return "localhost";
  return name;
}

std::string WarcFileName(std::string_view prefix,
                         std::chrono::system_clock::time_point when,
                         uint64_t serial, std::string_view host) {
  char serial_text[32];
  std::snprintf(serial_text, sizeof serial_text, "%05llu",
                static_cast<unsigned long long>(serial));
  std::string name(prefix);
  name.append("-").append(FileTimestamp(when)).append("-");
  name.append(serial_text).append("-").append(host);
  name.append(kFileExtension);
  return name;
}

Status RollingWarcFile::Create(const std::string& file_name) {
  ROTGUARD_RETURN_IF_ERROR(broken_);
  file_name_ = file_name;
  final_path_ = directory_ / file_name_;
  open_path_ = final_path_;
  open_path_ += kOpenSuffix;
  if (std::filesystem::exists(final_path_)) {
    return Status::InvalidArgument(final_path_.string() + ": already exists");
  }
  Result<std::unique_ptr<WritableFile>> created =
      env_->NewWritableFile(open_path_, OpenMode::kCreateNew);
  if (!created.ok()) return created.status();
  {
    std::unique_lock<std::shared_mutex> life(file_life_);
    file_ = std::move(created).value();
  }
  read_fd_.reset(::open(open_path_.c_str(), O_RDONLY | O_CLOEXEC));
  if (!read_fd_.valid()) {
    Status status = Status::FromErrno(open_path_.string(), errno);
    Discard();
    return status;
  }
  size_ = 0;
  record_count_ = 0;
  file_hash_.emplace(DigestAlgorithm::kSha256);
  file_follower_ = std::make_unique<FileFollower>(
      read_fd_.get(), open_path_.string(), 0, kFileHashStep,
      [this](std::string_view bytes) {
        CpuStageScope stage(CpuStage::kDigests);
        file_hash_->Update(bytes);
      });
  return Status::Ok();
}

void RollingWarcFile::Discard() {
  file_follower_.reset();
  read_fd_.reset();
  {
    std::unique_lock<std::shared_mutex> life(file_life_);
    file_.reset();
  }
  (void)env_->RemoveFile(open_path_);  // best effort, as on any error
}

Status RollingWarcFile::Append(std::string_view bytes) {
  CpuStageScope stage(CpuStage::kWrite);
  ROTGUARD_RETURN_IF_ERROR(file_->Append(bytes));
  size_ += bytes.size();
  return Status::Ok();
}

Status RollingWarcFile::AppendV(const std::vector<iovec>& parts) {
  CpuStageScope stage(CpuStage::kWrite);
  std::vector<std::string_view> views;
  views.reserve(parts.size());
  uint64_t total = 0;
  for (const iovec& part : parts) {
    views.emplace_back(static_cast<const char*>(part.iov_base), part.iov_len);
    total += part.iov_len;
  }
  ROTGUARD_RETURN_IF_ERROR(file_->AppendV(views));
  size_ += total;
  return Status::Ok();
}

Status RollingWarcFile::AppendFromFile(int fd, uint64_t offset,
                                       uint64_t length) {
  CpuStageScope stage(CpuStage::kWrite);
  ROTGUARD_RETURN_IF_ERROR(
      rotguard::AppendFromFile(*file_, fd, offset, length));
  size_ += length;
  return Status::Ok();
}

void RollingWarcFile::Rollback(uint64_t offset) {
  Status cut = file_->Truncate(offset);
  if (cut.ok()) {
    size_ = offset;
    return;
  }
  MarkBroken(cut);
}

void RollingWarcFile::CommitGroup(uint64_t records) {
  record_count_ += records;
  file_follower_->Advance(size_);
}

Result<std::optional<WarcFileSummary>> RollingWarcFile::Close() {
  if (!file_) return std::optional<WarcFileSummary>();
  Status status = file_follower_->Finish();
  file_follower_.reset();
  read_fd_.reset();
  {
    std::unique_lock<std::shared_mutex> life(file_life_);
    if (status.ok()) status = broken_;
    if (status.ok()) status = file_->Sync();
    MarkBroken(status);
    Status closed = file_->Close();
    file_.reset();
    if (status.ok()) status = closed;
  }
  if (!status.ok()) return status;
  ROTGUARD_RETURN_IF_ERROR(env_->RenameFile(open_path_, final_path_));
  // The directory that holds the entry: a name may carry a subdirectory
  // (a worker's "ID/rotguard-...").
  ROTGUARD_RETURN_IF_ERROR(env_->SyncDirectory(final_path_.parent_path()));
  WarcFileSummary summary;
  summary.file_name = std::move(file_name_);
  file_name_.clear();
  summary.path = final_path_;
  summary.size = size_;
  summary.record_count = record_count_;
  summary.sha256 = HexEncode(file_hash_->Final());
  return std::optional<WarcFileSummary>(std::move(summary));
}

RollingWarcFile::SyncLease RollingWarcFile::LeaseForSync() {
  if (!file_) return SyncLease();
  return SyncLease{std::shared_lock<std::shared_mutex>(file_life_),
                   file_.get()};
}

Status RollingWarcFile::SyncLeased(SyncLease lease) {
  if (lease.file == nullptr) return Status::Ok();
  CpuStageScope stage(CpuStage::kWrite);
  return lease.file->DataSync();
}

}  // namespace rotguard::warc
