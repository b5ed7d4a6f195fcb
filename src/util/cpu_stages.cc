#include "util/cpu_stages.h"

#include <time.h>

#include <atomic>
#include <cstdint>

namespace rotguard {
namespace {

std::atomic<bool> g_enabled{false};
// Nanoseconds per stage, summed over threads.
std::array<std::atomic<int64_t>, kCpuStageCount> g_nanos{};

// The stage this thread is in and its CPU clock when it entered it.
thread_local CpuStage t_stage = CpuStage::kNone;
thread_local int64_t t_since = 0;

int64_t ThreadCpuNanos() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

// Charges the time since the last switch to the current stage and makes
// `next` current.
void SwitchTo(CpuStage next) {
  int64_t now = ThreadCpuNanos();
  if (t_stage != CpuStage::kNone) {
    g_nanos[static_cast<size_t>(t_stage)].fetch_add(now - t_since,
                                                    std::memory_order_relaxed);
  }
  t_stage = next;
  t_since = now;
}

}  // namespace

std::string_view CpuStageName(CpuStage stage) {
  switch (stage) {
    case CpuStage::kNone:
      return "none";
    case CpuStage::kReceive:
      return "receive";
    case CpuStage::kCompress:
      return "compress";
    case CpuStage::kDigests:
      return "digests";
    case CpuStage::kWrite:
      return "write";
    case CpuStage::kCommit:
      return "commit";
  }
  return "none";
}

void EnableCpuStages() { g_enabled.store(true, std::memory_order_relaxed); }

bool CpuStagesEnabled() { return g_enabled.load(std::memory_order_relaxed); }

CpuStageSeconds ReadCpuStages() {
  CpuStageSeconds out{};
  for (size_t i = 0; i < kCpuStageCount; ++i) {
    out[i] =
        static_cast<double>(g_nanos[i].load(std::memory_order_relaxed)) / 1e9;
  }
  return out;
}

CpuStageScope::CpuStageScope(CpuStage stage) {
  if (!CpuStagesEnabled() || stage == t_stage) return;
  active_ = true;
  outer_ = t_stage;
  SwitchTo(stage);
}

CpuStageScope::~CpuStageScope() {
  if (active_) SwitchTo(outer_);
}

}  // namespace rotguard
