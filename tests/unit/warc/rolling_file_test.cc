// The rolling durable file (src/warc/rolling_file.h): ".open" while being
// written, renamed on close, the size limit, and the rollback of a group
// whose write failed.
#include "warc/rolling_file.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <filesystem>
#include <string>
#include <vector>

#include "unit/warc/warc_test_util.h"
#include "util/digest.h"
#include "util/fault_injecting_env.h"

namespace rotguard::warc {
namespace {

using warc_test::ListDir;
using warc_test::Slurp;
using warc_test::TempDir;

constexpr char kName[] = "rotguard-20260101000000-00000-host.warc.gz";

TEST(RollingFileTest, FileNameHasPrefixUtcTimeSerialAndHost) {
  auto when =
      std::chrono::system_clock::time_point(std::chrono::seconds(1764051660));
  EXPECT_EQ(WarcFileName("rotguard", when, 42, "host"),
            "rotguard-20251125062100-00042-host.warc.gz");
  EXPECT_EQ(WarcFileName("p", when, 123456, "h"),
            "p-20251125062100-123456-h.warc.gz");
  EXPECT_EQ(SanitizeHost("a_b/c.example-1"), "a-b-c.example-1");
  EXPECT_EQ(SanitizeHost(""), "localhost");
}

TEST(RollingFileTest, FileIsWrittenAsOpenAndRenamedOnClose) {
  TempDir dir;
  RollingWarcFile file(dir.path(), 1000);
  ASSERT_TRUE(file.Create(kName).ok());
  EXPECT_TRUE(file.is_open());
  EXPECT_EQ(file.open_path(), dir.path() / (std::string(kName) + ".open"));
  ASSERT_TRUE(file.Append("first record").ok());
  file.CommitGroup(1);
  ASSERT_TRUE(file.Append("second").ok());
  file.CommitGroup(1);
  EXPECT_EQ(ListDir(dir.path()),
            std::vector<std::filesystem::path>{file.open_path()});

  Result<std::optional<WarcFileSummary>> closed = file.Close();
  ASSERT_TRUE(closed.ok()) << closed.status().message();
  ASSERT_TRUE(closed->has_value());
  const WarcFileSummary& summary = **closed;
  EXPECT_FALSE(file.is_open());
  EXPECT_EQ(ListDir(dir.path()),
            std::vector<std::filesystem::path>{dir.path() / kName});
  EXPECT_EQ(summary.file_name, kName);
  EXPECT_EQ(summary.path, dir.path() / kName);
  EXPECT_EQ(summary.size, 18u);
  EXPECT_EQ(summary.record_count, 2u);
  EXPECT_EQ(Slurp(summary.path), "first recordsecond");
  EXPECT_EQ(summary.sha256, Sha256Hex("first recordsecond"));
}

TEST(RollingFileTest, ClosingWithNoFileOpenIsANoOp) {
  TempDir dir;
  RollingWarcFile file(dir.path(), 1000);
  Result<std::optional<WarcFileSummary>> closed = file.Close();
  ASSERT_TRUE(closed.ok());
  EXPECT_FALSE(closed->has_value());
}

TEST(RollingFileTest, NeverOpensOverAnExistingFile) {
  TempDir dir;
  {
    RollingWarcFile file(dir.path(), 1000);
    ASSERT_TRUE(file.Create(kName).ok());
    ASSERT_TRUE(file.Close().ok());
  }
  RollingWarcFile again(dir.path(), 1000);
  Status status = again.Create(kName);
  EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(status.message().find("already exists"), std::string::npos);
  // An ".open" left by another writer is not taken over either.
  RollingWarcFile other(dir.path(), 1000);
  ASSERT_TRUE(other.Create("b.warc.gz").ok());
  RollingWarcFile clash(dir.path(), 1000);
  EXPECT_FALSE(clash.Create("b.warc.gz").ok());
  EXPECT_FALSE(clash.is_open());
}

TEST(RollingFileTest, GroupFitsUnderTheLimitOrIntoAFileHoldingOnlyWarcinfo) {
  TempDir dir;
  RollingWarcFile file(dir.path(), 100);
  ASSERT_TRUE(file.Create(kName).ok());
  ASSERT_TRUE(file.Append(std::string(60, 'w')).ok());  // the warcinfo
  file.CommitGroup(1);
  // Records are never split: the first group after the warcinfo goes in
  // whatever its size.
  EXPECT_TRUE(file.Fits(1000));
  ASSERT_TRUE(file.Append(std::string(30, 'r')).ok());
  file.CommitGroup(1);
  EXPECT_TRUE(file.Fits(10));  // exactly 100
  EXPECT_FALSE(file.Fits(11));
}

TEST(RollingFileTest, RollbackCutsOffAPartialGroupAndTheHashNeverSeesIt) {
  TempDir dir;
  RollingWarcFile file(dir.path(), 1 << 20);
  ASSERT_TRUE(file.Create(kName).ok());
  ASSERT_TRUE(file.Append("kept").ok());
  file.CommitGroup(1);
  uint64_t group_start = file.size();
  ASSERT_TRUE(file.Append("torn request").ok());
  ASSERT_TRUE(file.Append("torn resp").ok());
  file.Rollback(group_start);
  EXPECT_EQ(file.size(), 4u);
  ASSERT_TRUE(file.Append("after").ok());
  file.CommitGroup(1);
  Result<std::optional<WarcFileSummary>> closed = file.Close();
  ASSERT_TRUE(closed.ok() && closed->has_value());
  EXPECT_EQ(Slurp((*closed)->path), "keptafter");
  EXPECT_EQ((*closed)->sha256, Sha256Hex("keptafter"));
  EXPECT_EQ((*closed)->record_count, 2u);
  EXPECT_EQ((*closed)->size, 9u);
}

TEST(RollingFileTest, AppendVWritesEveryPartInOrder) {
  TempDir dir;
  RollingWarcFile file(dir.path(), 1 << 20);
  ASSERT_TRUE(file.Create(kName).ok());
  // More parts than one writev call takes (it is given at most 512).
  std::vector<std::string> pieces;
  std::string expected;
  for (int i = 0; i < 1500; ++i) {
    pieces.push_back(std::to_string(i) + ",");
    expected += pieces.back();
  }
  std::vector<iovec> parts;
  for (std::string& p : pieces) parts.push_back({p.data(), p.size()});
  ASSERT_TRUE(file.AppendV(parts).ok());
  EXPECT_EQ(file.size(), expected.size());
  file.CommitGroup(1);
  Result<std::optional<WarcFileSummary>> closed = file.Close();
  ASSERT_TRUE(closed.ok() && closed->has_value());
  EXPECT_EQ(Slurp((*closed)->path), expected);
}

TEST(RollingFileTest, DiscardRemovesTheOpenFile) {
  TempDir dir;
  RollingWarcFile file(dir.path(), 1000);
  ASSERT_TRUE(file.Create(kName).ok());
  ASSERT_TRUE(file.Append("partial warcinfo").ok());
  file.Discard();
  EXPECT_FALSE(file.is_open());
  EXPECT_TRUE(ListDir(dir.path()).empty());
}

TEST(RollingFileTest, ASyncLeaseHoldsTheOpenFileAndIsEmptyWithoutOne) {
  TempDir dir;
  RollingWarcFile file(dir.path(), 1000);
  EXPECT_EQ(file.LeaseForSync().file, nullptr);  // no file yet
  EXPECT_TRUE(RollingWarcFile::SyncLeased(file.LeaseForSync()).ok());
  ASSERT_TRUE(file.Create(kName).ok());
  ASSERT_TRUE(file.Append("x").ok());
  RollingWarcFile::SyncLease lease = file.LeaseForSync();
  ASSERT_NE(lease.file, nullptr);
  EXPECT_TRUE(lease.life.owns_lock());
  EXPECT_TRUE(RollingWarcFile::SyncLeased(std::move(lease)).ok());
  file.CommitGroup(1);
  EXPECT_TRUE(file.Close().ok());  // the lease was given back
}

TEST(RollingFileTest, AFailedRollbackBreaksTheFileAndItKeepsItsOpenName) {
  TempDir dir;
  FaultInjectingEnv env(Env::Default());
  RollingWarcFile file(dir.path(), 1 << 20, &env);
  ASSERT_TRUE(file.Create(kName).ok());
  ASSERT_TRUE(file.Append("kept").ok());
  file.CommitGroup(1);
  ASSERT_TRUE(file.Append("torn").ok());
  env.FailCall(env.calls() + 1, EIO);  // the truncate
  file.Rollback(4);
  EXPECT_FALSE(file.broken().ok());
  EXPECT_FALSE(file.Close().ok());
  EXPECT_TRUE(
      std::filesystem::exists(dir.path() / (std::string(kName) + ".open")));
  EXPECT_FALSE(file.Create(kName).ok());  // broken for good
}

}  // namespace
}  // namespace rotguard::warc
