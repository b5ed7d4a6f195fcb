// Reads a file on its own thread as another thread appends to it.
#ifndef ROTGUARD_UTIL_FILE_FOLLOWER_H_
#define ROTGUARD_UTIL_FILE_FOLLOWER_H_

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "rotguard/status.h"

namespace rotguard {

// Feeds bytes [0, n) of a growing file to a consumer (a hasher) on a thread
// of its own, n being what the appending thread has published with
// Advance(). The appender then only writes: the hashing runs beside it, on
// another core, from the page cache. Bytes past the last Advance() are
// never read, so an appender may cut them off (roll back) freely.
//
//   FileFollower follower(fd, "x.warc", 0, kStep, [&](std::string_view b) {});
//   write(fd, ...); follower.Advance(size);   // any number of times
//   Status s = follower.Finish();             // consumer has seen it all
class FileFollower {
 public:
  using Consume = std::function<void(std::string_view)>;
  // Wakes up once `step` bytes are waiting (or at Finish) to keep the
  // hand-over cheap when the appender publishes small pieces.
  // `name` is for error messages.
  FileFollower(int fd, std::string name, uint64_t start, uint64_t step,
               Consume consume);
  FileFollower(const FileFollower&) = delete;
  FileFollower& operator=(const FileFollower&) = delete;
  ~FileFollower();  // abandons what is left: the owner gave up on it

  void Advance(uint64_t size);  // bytes [0, size) are in the file
  // Waits until every published byte was consumed; the first read error.
  Status Finish();

 private:
  void Run();
  Status ConsumeUpTo(uint64_t target);

  const int fd_;
  const std::string name_;
  const uint64_t step_;
  const Consume consume_;
  uint64_t consumed_;   // touched by the thread only (until joined)
  std::string buffer_;  // likewise
  std::mutex mu_;
  std::condition_variable cv_;
  uint64_t published_;      // guarded by mu_
  uint64_t taken_;          // guarded by mu_: what the thread went for
  bool finishing_ = false;  // guarded by mu_
  bool abandon_ = false;    // guarded by mu_
  Status status_;           // written by the thread, read after join
  std::thread thread_;      // last: starts after everything above is set
};

}  // namespace rotguard

#endif  // ROTGUARD_UTIL_FILE_FOLLOWER_H_
