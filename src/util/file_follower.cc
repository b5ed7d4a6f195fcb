#include "util/file_follower.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>
#include <utility>

namespace rotguard {
namespace {
constexpr size_t kReadBytes = size_t{256} << 10;
}  // namespace

FileFollower::FileFollower(int fd, std::string name, uint64_t start,
                           uint64_t step, Consume consume)
    : fd_(fd),
      name_(std::move(name)),
      step_(std::max<uint64_t>(step, 1)),
      consume_(std::move(consume)),
      consumed_(start),
      published_(start),
      taken_(start),
      thread_([this] { Run(); }) {}

FileFollower::~FileFollower() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    abandon_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void FileFollower::Advance(uint64_t size) {
  bool wake = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    published_ = std::max(published_, size);
    wake = published_ - taken_ >= step_;
  }
  if (wake) cv_.notify_one();
}

Status FileFollower::Finish() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    finishing_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
  return status_;
}

void FileFollower::Run() {
  buffer_.resize(kReadBytes);
  for (;;) {
    uint64_t target = 0;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] {
        return abandon_ || finishing_ || published_ - taken_ >= step_;
      });
      if (abandon_ || (finishing_ && published_ == taken_)) return;
      target = taken_ = published_;
    }
    status_ = ConsumeUpTo(target);
    if (!status_.ok()) return;
  }
}

Status FileFollower::ConsumeUpTo(uint64_t target) {
  while (consumed_ < target) {
    size_t want = static_cast<size_t>(
        std::min<uint64_t>(buffer_.size(), target - consumed_));
    ssize_t n =
        ::pread(fd_, buffer_.data(), want, static_cast<off_t>(consumed_));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::FromErrno(name_, errno);
    if (n == 0) return Status::IOError(name_ + ": ended before its end");
    consume_(std::string_view(buffer_.data(), static_cast<size_t>(n)));
    consumed_ += static_cast<uint64_t>(n);
  }
  return Status::Ok();
}

}  // namespace rotguard
