#include "warc/rolling_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <ctime>

#include "util/file.h"
#include "warc/format.h"

namespace rotguard::warc {
namespace {

// The file hasher wakes once this much is appended (or at close): small
// records are hashed in batches, not one wake-up each.
constexpr uint64_t kFileHashStep = uint64_t{1} << 20;

std::string FileTimestamp(std::chrono::system_clock::time_point when) {
  std::time_t t = std::chrono::system_clock::to_time_t(when);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y%m%d%H%M%S", &tm);
  return text;
}

// Skips `n` written bytes from parts[done]; a partly written entry is
// trimmed to its rest.
size_t AdvanceParts(std::vector<iovec>& parts, size_t done, size_t n) {
  while (n > 0 && n >= parts[done].iov_len) n -= parts[done++].iov_len;
  if (n > 0) {
    parts[done].iov_base = static_cast<char*>(parts[done].iov_base) + n;
    parts[done].iov_len -= n;
  }
  return done;
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
  file_name_ = file_name;
  final_path_ = directory_ / file_name_;
  open_path_ = final_path_;
  open_path_ += kOpenSuffix;
  if (std::filesystem::exists(final_path_)) {
    return Status::InvalidArgument(final_path_.string() + ": already exists");
  }
  fd_.reset(
      ::open(open_path_.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  if (!fd_.valid()) return Status::FromErrno(open_path_.string(), errno);
  size_ = 0;
  record_count_ = 0;
  file_hash_.emplace(DigestAlgorithm::kSha256);
  file_follower_ = std::make_unique<FileFollower>(
      fd_.get(), open_path_.string(), 0, kFileHashStep,
      [this](std::string_view bytes) { file_hash_->Update(bytes); });
  return Status::Ok();
}

void RollingWarcFile::Discard() {
  file_follower_.reset();
  fd_.reset();
  ::unlink(open_path_.c_str());
}

Status RollingWarcFile::Append(std::string_view bytes) {
  ROTGUARD_RETURN_IF_ERROR(WriteAll(fd_.get(), bytes, open_path_.string()));
  size_ += bytes.size();
  return Status::Ok();
}

Status RollingWarcFile::AppendV(std::vector<iovec>& parts) {
  size_t done = 0;
  while (done < parts.size()) {
    int count = static_cast<int>(std::min<size_t>(parts.size() - done, 512));
    ssize_t n = ::writev(fd_.get(), parts.data() + done, count);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::FromErrno(open_path_.string(), errno);
    if (n == 0) {
      return Status::IOError(open_path_.string() + ": write made no progress");
    }
    size_ += static_cast<uint64_t>(n);
    done = AdvanceParts(parts, done, static_cast<size_t>(n));
  }
  return Status::Ok();
}

void RollingWarcFile::Rollback(uint64_t offset) {
  if (::ftruncate(fd_.get(), static_cast<off_t>(offset)) == 0) {
    ::lseek(fd_.get(), static_cast<off_t>(offset), SEEK_SET);
    size_ = offset;
  }
}

void RollingWarcFile::CommitGroup(uint64_t records) {
  record_count_ += records;
  file_follower_->Advance(size_);
}

Result<std::optional<WarcFileSummary>> RollingWarcFile::Close() {
  if (!fd_.valid()) return std::optional<WarcFileSummary>();
  Status status = file_follower_->Finish();
  file_follower_.reset();
  if (status.ok() && ::fsync(fd_.get()) != 0) {
    status = Status::FromErrno(open_path_.string(), errno);
  }
  if (::close(fd_.release()) != 0 && status.ok()) {
    status = Status::FromErrno(open_path_.string(), errno);
  }
  if (!status.ok()) return status;
  if (::rename(open_path_.c_str(), final_path_.c_str()) != 0) {
    return Status::FromErrno(final_path_.string(), errno);
  }
  ROTGUARD_RETURN_IF_ERROR(SyncDirectory(directory_));
  WarcFileSummary summary;
  summary.file_name = std::move(file_name_);
  file_name_.clear();
  summary.path = final_path_;
  summary.size = size_;
  summary.record_count = record_count_;
  summary.sha256 = HexEncode(file_hash_->Final());
  return std::optional<WarcFileSummary>(std::move(summary));
}

Fd RollingWarcFile::Duplicate() const {
  if (!fd_.valid()) return Fd();
  return Fd(::fcntl(fd_.get(), F_DUPFD_CLOEXEC, 0));
}

Status RollingWarcFile::SyncDuplicate(const Fd& fd, const std::string& what) {
  if (!fd.valid() || ::fdatasync(fd.get()) != 0) {
    return Status::FromErrno(what, errno);
  }
  return Status::Ok();
}

}  // namespace rotguard::warc
