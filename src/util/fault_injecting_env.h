// An Env for tests that fails one chosen call (or every call from it on)
// with an errno such as ENOSPC or EIO, as a full or dying disk would.
//
//   FaultInjectingEnv env;
//   RunEverything(&env);              // count the calls of a clean run
//   for (uint64_t n = 1; n <= env.calls(); ++n) {
//     FaultInjectingEnv faulty;
//     faulty.FailCall(n, ENOSPC);
//     RunEverything(&faulty);         // fails at the n-th call
//     CheckNothingCommittedIsLost();
//   }
//
// Counted calls: NewWritableFile (also a file of NewWritableFileBeneath or
// OpenDirectoryBeneath), Append, AppendV, AppendFromFile (util/file_copy.h),
// Truncate, DataSync, Sync, Close, RenameFile and SyncDirectory. RemoveFile is
// passed through uncounted: it is how callers clean up after a failure, and
// unlinking still works on a full disk.
//
// What a failed call leaves behind: NewWritableFile creates nothing; an
// Append, AppendV or AppendFromFile writes the first half of its bytes (a
// short write);
// Truncate, DataSync, Sync, RenameFile and SyncDirectory do nothing;
// Close closes the descriptor anyway.
//
// Thread-safe: calls from several threads are numbered in the order they
// take their number.
#ifndef ROTGUARD_UTIL_FAULT_INJECTING_ENV_H_
#define ROTGUARD_UTIL_FAULT_INJECTING_ENV_H_

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>

#include "rotguard/env.h"

namespace rotguard {

class FaultInjectingEnv final : public Env {
 public:
  explicit FaultInjectingEnv(Env* base = Env::Default()) : base_(base) {}

  // Fails call number `n` (1-based; 0 fails none) with `error`; with
  // `sticky`, every call after it fails too.
  void FailCall(uint64_t n, int error, bool sticky = false);

  // Counts DataSync, Sync and SyncDirectory as usual but does not do
  // them: a test that never cuts the power need not wait for the disk.
  void SkipSyncs(bool skip) { skip_syncs_ = skip; }
  bool skip_syncs() const { return skip_syncs_.load(); }

  // Calls counted so far.
  uint64_t calls() const { return calls_.load(); }
  // How many calls failed (0 or 1 unless sticky).
  uint64_t failures() const { return failures_.load(); }
  // "Append /path/x.warc.gz.open": the first call that failed, or "".
  std::string first_failure() const;

  // Counts one call named `what` on `path`; the error to fail it with, or
  // OK. Used by the files this Env hands out.
  Status Check(const char* what, const std::string& path);

  Result<std::unique_ptr<WritableFile>> NewWritableFile(
      const std::filesystem::path& path, OpenMode mode) override;
  // Its files count (and fail) as NewWritableFile; opening the root does
  // not count.
  Result<std::unique_ptr<DirectoryBeneath>> OpenDirectoryBeneath(
      const std::filesystem::path& root) override;
  Status RenameFile(const std::filesystem::path& from,
                    const std::filesystem::path& to) override;
  Status RemoveFile(const std::filesystem::path& path) override;
  Status SyncDirectory(const std::filesystem::path& dir) override;

 private:
  Env* const base_;
  std::atomic<uint64_t> fail_at_{0};
  std::atomic<int> error_{0};
  std::atomic<bool> sticky_{false};
  std::atomic<bool> skip_syncs_{false};
  std::atomic<uint64_t> calls_{0};
  std::atomic<uint64_t> failures_{0};
  mutable std::mutex mu_;
  std::string first_failure_;  // guarded by mu_
};

}  // namespace rotguard

#endif  // ROTGUARD_UTIL_FAULT_INJECTING_ENV_H_
