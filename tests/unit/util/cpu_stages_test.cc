// Per-stage CPU accounting (util/cpu_stages.h): a thread's CPU goes to the
// innermost stage it is in, and only while accounting is on.
#include "util/cpu_stages.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace rotguard {
namespace {

// Work the optimizer cannot drop; how long it takes does not matter, only
// that it uses some CPU.
uint64_t Burn() {
  volatile uint64_t x = 1;
  for (int i = 0; i < 2'000'000; ++i) x = x * 6364136223846793005u + 1;
  return x;
}

double Of(const CpuStageSeconds& s, CpuStage stage) {
  return s[static_cast<size_t>(stage)];
}

TEST(CpuStagesTest, NamesAreTheOnesArchiveStatsPrints) {
  EXPECT_EQ(CpuStageName(CpuStage::kReceive), "receive");
  EXPECT_EQ(CpuStageName(CpuStage::kCompress), "compress");
  EXPECT_EQ(CpuStageName(CpuStage::kDigests), "digests");
  EXPECT_EQ(CpuStageName(CpuStage::kWrite), "write");
  EXPECT_EQ(CpuStageName(CpuStage::kCommit), "commit");
}

TEST(CpuStagesTest, InnerStageIsChargedAndOuterResumesAfterIt) {
  EnableCpuStages();
  ASSERT_TRUE(CpuStagesEnabled());
  CpuStageSeconds before = ReadCpuStages();
  {
    CpuStageScope receive(CpuStage::kReceive);
    {
      CpuStageScope compress(CpuStage::kCompress);
      Burn();
      CpuStageSeconds inside = ReadCpuStages();
      // Nothing is charged until a scope closes or another opens.
      EXPECT_EQ(Of(inside, CpuStage::kCompress),
                Of(before, CpuStage::kCompress));
    }
    CpuStageSeconds between = ReadCpuStages();
    EXPECT_GT(Of(between, CpuStage::kCompress),
              Of(before, CpuStage::kCompress));
    Burn();
  }
  CpuStageSeconds after = ReadCpuStages();
  EXPECT_GT(Of(after, CpuStage::kReceive), Of(before, CpuStage::kReceive));
  EXPECT_EQ(Of(after, CpuStage::kCommit), Of(before, CpuStage::kCommit));
}

TEST(CpuStagesTest, ReenteringTheCurrentStageChargesItOnce) {
  EnableCpuStages();
  CpuStageSeconds before = ReadCpuStages();
  {
    CpuStageScope outer(CpuStage::kDigests);
    {
      CpuStageScope again(CpuStage::kDigests);  // free: same stage
      Burn();
    }
    // The inner scope closed without charging: the outer one still runs.
    EXPECT_EQ(Of(ReadCpuStages(), CpuStage::kDigests),
              Of(before, CpuStage::kDigests));
  }
  EXPECT_GT(Of(ReadCpuStages(), CpuStage::kDigests),
            Of(before, CpuStage::kDigests));
}

}  // namespace
}  // namespace rotguard
