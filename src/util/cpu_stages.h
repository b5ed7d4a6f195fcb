// CPU seconds per pipeline stage (receive, compress, digests, write,
// commit), for `archive --stats`: each thread charges its own CPU clock
// (CLOCK_THREAD_CPUTIME_ID) to the stage it is in, and the totals are
// summed over threads. Off by default: then a scope costs one relaxed
// load and no clock read.
//
// Scopes nest: entering a stage pauses the one the thread was in, so a
// digest taken inside the fetch loop counts as digests, not as receive.
// Re-entering the stage a thread is already in costs nothing.
//
//   EnableCpuStages();
//   { CpuStageScope scope(CpuStage::kCompress); Deflate(...); }
//   CpuStageSeconds totals = ReadCpuStages();
#ifndef ROTGUARD_UTIL_CPU_STAGES_H_
#define ROTGUARD_UTIL_CPU_STAGES_H_

#include <array>
#include <cstddef>
#include <string_view>

namespace rotguard {

enum class CpuStage { kNone, kReceive, kCompress, kDigests, kWrite, kCommit };
inline constexpr size_t kCpuStageCount = 6;

// The stage's name as printed ("receive", ...; "none" for kNone).
std::string_view CpuStageName(CpuStage stage);

// Starts accounting (for the rest of the process; scopes already open are
// not counted).
void EnableCpuStages();
bool CpuStagesEnabled();

// Seconds charged to each stage so far, by threads whose scopes closed.
using CpuStageSeconds = std::array<double, kCpuStageCount>;
CpuStageSeconds ReadCpuStages();

class CpuStageScope {
 public:
  explicit CpuStageScope(CpuStage stage);
  CpuStageScope(const CpuStageScope&) = delete;
  CpuStageScope& operator=(const CpuStageScope&) = delete;
  ~CpuStageScope();

 private:
  bool active_ = false;
  CpuStage outer_ = CpuStage::kNone;
};

}  // namespace rotguard

#endif  // ROTGUARD_UTIL_CPU_STAGES_H_
