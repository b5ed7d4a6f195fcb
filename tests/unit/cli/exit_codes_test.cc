// The CLI alone maps outcomes to exit codes (SPEC §3, §13).
#include "cli/exit_codes.h"

#include <gtest/gtest.h>

namespace rotguard::cli {
namespace {

TEST(ArchiveExitCodeTest, TwoOnlyWhenADueLinkFailed) {
  ArchiveSummary summary;
  summary.failed = 3;  // requisites or known-gone links do not count
  EXPECT_EQ(ArchiveExitCode(&summary), kExitOk);
  summary.failed_links = 1;
  EXPECT_EQ(ArchiveExitCode(&summary), kExitFetchFailed);
}

TEST(ArchiveExitCodeTest, ARunThatEndedInAnErrorIsAnIoError) {
  EXPECT_EQ(ArchiveExitCode(nullptr), kExitIoError);
}

}  // namespace
}  // namespace rotguard::cli
