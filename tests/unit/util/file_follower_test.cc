#include "util/file_follower.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <mutex>
#include <string>

#include "unit/temp_dir.h"
#include "util/file.h"
#include "util/handles.h"

namespace rotguard {
namespace {

using testing::TempDir;

// A file being appended to, and what a follower of it has consumed.
class Followed {
 public:
  explicit Followed(const TempDir& dir)
      : fd_(::open((dir.path() / "grows").c_str(),
                   O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) {
    EXPECT_TRUE(fd_.valid());
  }
  int fd() const { return fd_.get(); }
  uint64_t Append(std::string_view bytes) {
    EXPECT_TRUE(WriteAll(fd_.get(), bytes, "grows").ok());
    written_ += bytes.size();
    return written_;
  }
  FileFollower::Consume Sink() {
    return [this](std::string_view bytes) {
      std::lock_guard<std::mutex> lock(mu_);
      seen_.append(bytes);
    };
  }
  std::string seen() {
    std::lock_guard<std::mutex> lock(mu_);
    return seen_;
  }

 private:
  Fd fd_;
  uint64_t written_ = 0;
  std::mutex mu_;
  std::string seen_;
};

std::string Pattern(size_t size, char seed) {
  std::string out(size, '\0');
  for (size_t i = 0; i < size; ++i) out[i] = static_cast<char>(seed + i % 251);
  return out;
}

TEST(FileFollowerTest, ConsumesEveryPublishedByteInOrder) {
  TempDir dir;
  Followed file(dir);
  FileFollower follower(file.fd(), "grows", 0, 4096, file.Sink());
  std::string expected;
  for (int i = 0; i < 200; ++i) {
    std::string piece = Pattern(1000 + i * 37, static_cast<char>(i));
    expected += piece;
    follower.Advance(file.Append(piece));
  }
  ASSERT_TRUE(follower.Finish().ok());
  EXPECT_EQ(file.seen(), expected);
}

TEST(FileFollowerTest, NeverReadsBytesThatWereNotPublished) {
  TempDir dir;
  Followed file(dir);
  FileFollower follower(file.fd(), "grows", 0, 1, file.Sink());
  follower.Advance(file.Append("kept"));
  // Appended but not published: an appender may still cut these off.
  file.Append("rolled back");
  ASSERT_TRUE(follower.Finish().ok());
  EXPECT_EQ(file.seen(), "kept");
}

TEST(FileFollowerTest, PiecesSmallerThanTheStepAreConsumedAtFinish) {
  TempDir dir;
  Followed file(dir);
  FileFollower follower(file.fd(), "grows", 0, uint64_t{1} << 30, file.Sink());
  follower.Advance(file.Append("a"));
  follower.Advance(file.Append("bc"));
  ASSERT_TRUE(follower.Finish().ok());
  EXPECT_EQ(file.seen(), "abc");
}

TEST(FileFollowerTest, StartsAtTheGivenOffset) {
  TempDir dir;
  Followed file(dir);
  file.Append("header");
  FileFollower follower(file.fd(), "grows", 6, 1, file.Sink());
  follower.Advance(file.Append("body"));
  ASSERT_TRUE(follower.Finish().ok());
  EXPECT_EQ(file.seen(), "body");
}

TEST(FileFollowerTest, AFileShorterThanPublishedIsAnErrorNamingIt) {
  TempDir dir;
  Followed file(dir);
  FileFollower follower(file.fd(), "grows.warc", 0, 1, file.Sink());
  follower.Advance(file.Append("short") + 100);
  Status status = follower.Finish();
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("grows.warc"), std::string::npos)
      << status.message();
}

TEST(FileFollowerTest, DestroyingWithoutFinishStopsTheThread) {
  TempDir dir;
  Followed file(dir);
  {
    FileFollower follower(file.fd(), "grows", 0, uint64_t{1} << 30,
                          file.Sink());
    follower.Advance(file.Append(Pattern(100000, 'x')));
  }  // joins here; a hang would time the test out
  EXPECT_LE(file.seen().size(), 100000u);
}

}  // namespace
}  // namespace rotguard
