// The POSIX Env, the fault-injecting Env and AtomicFile on top of them.
#include "rotguard/env.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "unit/temp_dir.h"
#include "util/fault_injecting_env.h"
#include "util/file.h"

namespace rotguard {
namespace {

namespace fs = std::filesystem;

std::string Read(const fs::path& path) {
  Result<std::string> bytes = ReadFileToString(path);
  EXPECT_TRUE(bytes.ok()) << bytes.status().message();
  return bytes.ok() ? *bytes : std::string();
}

std::vector<std::string> Names(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::unique_ptr<WritableFile> Open(Env* env, const fs::path& path,
                                   OpenMode mode) {
  Result<std::unique_ptr<WritableFile>> file = env->NewWritableFile(path, mode);
  EXPECT_TRUE(file.ok()) << file.status().message();
  return file.ok() ? std::move(file).value() : nullptr;
}

TEST(PosixEnv, AppendsPartsInOrderAndTruncatesBack) {
  testing::TempDir dir;
  fs::path path = dir.path() / "f";
  std::unique_ptr<WritableFile> file =
      Open(Env::Default(), path, OpenMode::kCreateNew);
  ASSERT_TRUE(file);
  ASSERT_TRUE(file->Append("head ").ok());
  std::vector<std::string_view> parts = {"a", "", "bc", "def"};
  ASSERT_TRUE(file->AppendV(parts).ok());
  ASSERT_TRUE(file->Truncate(7).ok());
  ASSERT_TRUE(file->Append("!").ok());  // goes where the cut was
  ASSERT_TRUE(file->DataSync().ok());
  ASSERT_TRUE(file->Sync().ok());
  ASSERT_TRUE(file->Close().ok());
  EXPECT_EQ(Read(path), "head ab!");
}

TEST(PosixEnv, AppendVWritesMoreSlicesThanOneWritevTakes) {
  testing::TempDir dir;
  fs::path path = dir.path() / "f";
  std::unique_ptr<WritableFile> file =
      Open(Env::Default(), path, OpenMode::kCreateNew);
  ASSERT_TRUE(file);
  std::string expected;
  std::vector<std::string> owned;
  for (int i = 0; i < 3000; ++i) owned.push_back(std::to_string(i) + ",");
  std::vector<std::string_view> parts(owned.begin(), owned.end());
  for (const std::string& s : owned) expected += s;
  ASSERT_TRUE(file->AppendV(parts).ok());
  ASSERT_TRUE(file->Close().ok());
  EXPECT_EQ(Read(path), expected);
}

TEST(PosixEnv, OpenModesCreateTruncateOrKeep) {
  testing::TempDir dir;
  fs::path path = dir.path() / "f";
  Env* env = Env::Default();
  ASSERT_TRUE(Open(env, path, OpenMode::kCreateNew)->Append("abc").ok());
  Result<std::unique_ptr<WritableFile>> again =
      env->NewWritableFile(path, OpenMode::kCreateNew);
  EXPECT_FALSE(again.ok());  // O_EXCL
  EXPECT_NE(again.status().message().find(path.string()), std::string::npos);
  ASSERT_TRUE(Open(env, path, OpenMode::kExisting)->Append("de").ok());
  EXPECT_EQ(Read(path), "abcde");  // appended at the end
  ASSERT_TRUE(Open(env, path, OpenMode::kTruncate)->Append("x").ok());
  EXPECT_EQ(Read(path), "x");
  EXPECT_EQ(env->NewWritableFile(dir.path() / "missing", OpenMode::kExisting)
                .status()
                .code(),
            ErrorCode::kNotFound);
}

TEST(PosixEnv, RenamesRemovesAndSyncsDirectories) {
  testing::TempDir dir;
  Env* env = Env::Default();
  ASSERT_TRUE(Open(env, dir.path() / "a", OpenMode::kCreateNew)->Close().ok());
  ASSERT_TRUE(env->RenameFile(dir.path() / "a", dir.path() / "b").ok());
  EXPECT_EQ(Names(dir.path()), std::vector<std::string>{"b"});
  EXPECT_TRUE(env->SyncDirectory(dir.path()).ok());
  ASSERT_TRUE(env->RemoveFile(dir.path() / "b").ok());
  EXPECT_EQ(env->RemoveFile(dir.path() / "b").code(), ErrorCode::kNotFound);
  EXPECT_FALSE(env->RenameFile(dir.path() / "b", dir.path() / "c").ok());
  EXPECT_FALSE(env->SyncDirectory(dir.path() / "nope").ok());
}

TEST(FaultInjectingEnv, CountsEveryWriteSideCallButRemoval) {
  testing::TempDir dir;
  FaultInjectingEnv env;
  std::unique_ptr<WritableFile> file =
      Open(&env, dir.path() / "a", OpenMode::kCreateNew);  // 1
  ASSERT_TRUE(file);
  std::vector<std::string_view> parts = {"x", "y"};
  EXPECT_TRUE(file->Append("abc").ok());                                 // 2
  EXPECT_TRUE(file->AppendV(parts).ok());                                // 3
  EXPECT_TRUE(file->Truncate(1).ok());                                   // 4
  EXPECT_TRUE(file->DataSync().ok());                                    // 5
  EXPECT_TRUE(file->Sync().ok());                                        // 6
  EXPECT_TRUE(file->Close().ok());                                       // 7
  EXPECT_TRUE(env.RenameFile(dir.path() / "a", dir.path() / "b").ok());  // 8
  EXPECT_TRUE(env.SyncDirectory(dir.path()).ok());                       // 9
  EXPECT_TRUE(env.RemoveFile(dir.path() / "b").ok());  // not counted
  EXPECT_EQ(env.calls(), 9u);
  EXPECT_EQ(env.failures(), 0u);
}

TEST(FaultInjectingEnv, FailsOnlyTheChosenCallWithItsErrno) {
  testing::TempDir dir;
  FaultInjectingEnv env;
  env.FailCall(2, ENOSPC);
  std::unique_ptr<WritableFile> file =
      Open(&env, dir.path() / "a", OpenMode::kCreateNew);
  ASSERT_TRUE(file);
  Status failed = file->Append("abcdef");
  EXPECT_EQ(failed.code(), ErrorCode::kIOError);
  EXPECT_NE(failed.message().find("No space left on device"),
            std::string::npos);
  EXPECT_NE(failed.message().find((dir.path() / "a").string()),
            std::string::npos);
  EXPECT_EQ(env.first_failure(), "Append " + (dir.path() / "a").string());
  EXPECT_TRUE(file->Append("XYZ").ok());  // a one-off fault
  ASSERT_TRUE(file->Close().ok());
  EXPECT_EQ(Read(dir.path() / "a"), "abcXYZ");  // the failed one: half
  EXPECT_EQ(env.failures(), 1u);
}

TEST(FaultInjectingEnv, StickyFaultFailsEveryLaterCall) {
  testing::TempDir dir;
  FaultInjectingEnv env;
  env.FailCall(3, EIO, /*sticky=*/true);
  std::unique_ptr<WritableFile> file =
      Open(&env, dir.path() / "a", OpenMode::kCreateNew);
  ASSERT_TRUE(file);
  EXPECT_TRUE(file->Append("ok").ok());
  EXPECT_NE(file->Sync().message().find("Input/output error"),
            std::string::npos);
  EXPECT_FALSE(file->Append("more").ok());
  EXPECT_FALSE(file->Close().ok());
  EXPECT_FALSE(env.SyncDirectory(dir.path()).ok());
  EXPECT_EQ(env.failures(), 4u);
  EXPECT_TRUE(env.RemoveFile(dir.path() / "a").ok());  // cleanup still works
}

TEST(FaultInjectingEnv, FailedOpenCreatesNothing) {
  testing::TempDir dir;
  FaultInjectingEnv env;
  env.FailCall(1, EIO);
  EXPECT_FALSE(
      env.NewWritableFile(dir.path() / "a", OpenMode::kCreateNew).ok());
  EXPECT_TRUE(Names(dir.path()).empty());
}

// AtomicFile under a fault at each of its calls: the old content stays
// and no temporary file is left; without a fault the new content is in.
TEST(AtomicFile, FaultAtAnyCallKeepsTheOldFileAndLeavesNoTmp) {
  testing::TempDir dir;
  fs::path path = dir.path() / "config.toml";
  ASSERT_TRUE(WriteFileAtomically(path, "old").ok());
  FaultInjectingEnv counter;
  ASSERT_TRUE(WriteFileAtomically(path, "old", &counter).ok());
  ASSERT_EQ(counter.calls(), 6u);  // open, write, fsync, close, rename, dir
  for (uint64_t n = 1; n <= counter.calls(); ++n) {
    SCOPED_TRACE("fault at call " + std::to_string(n));
    FaultInjectingEnv env;
    env.FailCall(n, n % 2 ? ENOSPC : EIO);
    Status status = WriteFileAtomically(path, "new", &env);
    EXPECT_FALSE(status.ok());
    // Past the rename (the directory sync failed) the new file is in.
    EXPECT_EQ(Read(path), n == 6 ? "new" : "old");
    EXPECT_EQ(Names(dir.path()), std::vector<std::string>{"config.toml"});
    ASSERT_TRUE(WriteFileAtomically(path, "old").ok());
  }
}

TEST(AtomicFile, DestroyedWithoutCommitRemovesItsTmp) {
  testing::TempDir dir;
  fs::path path = dir.path() / "out.tar";
  {
    Result<AtomicFile> file =
        AtomicFile::Create(path, Env::Default(), dir.path() / "out.tar.tmp");
    ASSERT_TRUE(file.ok());
    ASSERT_TRUE(file->Write("partial").ok());
    EXPECT_EQ(Names(dir.path()), std::vector<std::string>{"out.tar.tmp"});
    AtomicFile moved = std::move(file).value();  // the tmp goes with it
  }
  EXPECT_TRUE(Names(dir.path()).empty());
}

TEST(PosixEnv, TruncateModeDoesNotFollowASymlinkAtThePath) {
  testing::TempDir dir;
  ASSERT_TRUE(WriteFileAtomically(dir.path() / "target", "precious").ok());
  fs::create_symlink(dir.path() / "target", dir.path() / "out.tmp");
  Result<std::unique_ptr<WritableFile>> file = Env::Default()->NewWritableFile(
      dir.path() / "out.tmp", OpenMode::kTruncate);
  ASSERT_FALSE(file.ok());
  EXPECT_NE(file.status().message().find("out.tmp: is a symbolic link"),
            std::string::npos)
      << file.status().message();
  EXPECT_EQ(Read(dir.path() / "target"), "precious");
}

TEST(WriteOutputFile, RefusesASymlinkUnlessToldToFollowIt) {
  testing::TempDir dir;
  fs::path target = dir.path() / "target";
  fs::path link = dir.path() / "link";
  ASSERT_TRUE(WriteFileAtomically(target, "precious").ok());
  fs::create_symlink(target, link);
  Status refused = WriteOutputFile(link, "new", SymlinkPolicy::kRefuse);
  EXPECT_EQ(refused.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(refused.message(), link.string() + ": is a symbolic link");
  EXPECT_EQ(Read(target), "precious");

  ASSERT_TRUE(WriteOutputFile(link, "new", SymlinkPolicy::kFollow).ok());
  EXPECT_TRUE(fs::is_symlink(link));
  EXPECT_EQ(Read(target), "new");
}

TEST(WriteOutputFile, FollowingADanglingSymlinkCreatesItsTarget) {
  testing::TempDir dir;
  fs::path link = dir.path() / "link";
  fs::create_symlink("sub/target", link);  // relative to the link's dir
  fs::create_directories(dir.path() / "sub");
  ASSERT_TRUE(WriteOutputFile(link, "new", SymlinkPolicy::kFollow).ok());
  EXPECT_TRUE(fs::is_symlink(link));
  EXPECT_EQ(Read(dir.path() / "sub" / "target"), "new");
}

TEST(WriteOutputFile, WritesACharacterDeviceInPlaceAndKeepsIt) {
  ASSERT_TRUE(fs::is_character_file("/dev/null"));
  FaultInjectingEnv env;  // records what was opened, writes nothing odd
  ASSERT_TRUE(
      WriteOutputFile("/dev/null", "bytes", SymlinkPolicy::kRefuse, &env).ok());
  EXPECT_TRUE(fs::is_character_file("/dev/null"));
  EXPECT_EQ(env.calls(), 3u);  // open, append, close: no rename
}

TEST(WriteOutputFile, ReplacesARegularFileAtomically) {
  testing::TempDir dir;
  fs::path path = dir.path() / "out";
  ASSERT_TRUE(WriteFileAtomically(path, "old").ok());
  FaultInjectingEnv env;
  ASSERT_TRUE(WriteOutputFile(path, "new", SymlinkPolicy::kRefuse, &env).ok());
  EXPECT_EQ(Read(path), "new");
  EXPECT_EQ(Names(dir.path()), std::vector<std::string>{"out"});
  FaultInjectingEnv faulty;
  faulty.FailCall(env.calls() - 1, ENOSPC);  // the rename
  EXPECT_FALSE(
      WriteOutputFile(path, "newer", SymlinkPolicy::kRefuse, &faulty).ok());
  EXPECT_EQ(Read(path), "new");
}

TEST(WriteOutputFile, RefusesADirectory) {
  testing::TempDir dir;
  Status status = WriteOutputFile(dir.path(), "bytes", SymlinkPolicy::kRefuse);
  EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(fs::is_directory(dir.path()));
}

TEST(PosixEnv, BeneathRefusesDotDotAndEmptyParts) {
  testing::TempDir dir;
  for (const char* name : {"../x", "a/../x", "a//x", "./x", "", "a/"}) {
    Result<std::unique_ptr<WritableFile>> file =
        Env::Default()->NewWritableFileBeneath(dir.path(), name,
                                               OpenMode::kTruncate);
    EXPECT_FALSE(file.ok()) << name;
  }
  EXPECT_TRUE(Names(dir.path()).empty());
}

TEST(PosixEnv, BeneathFollowsNoSymlinkInsideTheRoot) {
  testing::TempDir dir;
  fs::create_directories(dir.path() / "root" / "a");
  fs::create_directories(dir.path() / "elsewhere");
  fs::create_directory_symlink(dir.path() / "elsewhere",
                               dir.path() / "root" / "a" / "b");
  Result<std::unique_ptr<WritableFile>> file =
      Env::Default()->NewWritableFileBeneath(dir.path() / "root", "a/b/c.txt",
                                             OpenMode::kTruncate);
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.status().message(),
            (dir.path() / "root" / "a" / "b").string() +
                ": is a symbolic link, not followed");
  EXPECT_TRUE(Names(dir.path() / "elsewhere").empty());
}

TEST(PosixEnv, DirectoryBeneathRefusesALinkPlantedAfterItOpened) {
  testing::TempDir dir;
  fs::create_directories(dir.path() / "root");
  fs::create_directories(dir.path() / "elsewhere");
  Result<std::unique_ptr<DirectoryBeneath>> root =
      Env::Default()->OpenDirectoryBeneath(dir.path() / "root");
  ASSERT_TRUE(root.ok()) << root.status().message();
  ASSERT_TRUE((*root)->NewWritableFile("a/one.txt", OpenMode::kTruncate).ok());
  fs::create_directory_symlink(dir.path() / "elsewhere",
                               dir.path() / "root" / "b");
  Result<std::unique_ptr<WritableFile>> file =
      (*root)->NewWritableFile("b/two.txt", OpenMode::kTruncate);
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.status().message(), (dir.path() / "root" / "b").string() +
                                         ": is a symbolic link, not followed");
  EXPECT_TRUE(Names(dir.path() / "elsewhere").empty());
}

TEST(PosixEnv, DirectoryBeneathWritesAHeldDirectoryThroughItsDescriptor) {
  testing::TempDir dir;
  fs::create_directories(dir.path() / "root");
  fs::create_directories(dir.path() / "elsewhere");
  Result<std::unique_ptr<DirectoryBeneath>> root =
      Env::Default()->OpenDirectoryBeneath(dir.path() / "root");
  ASSERT_TRUE(root.ok()) << root.status().message();
  ASSERT_TRUE((*root)->NewWritableFile("a/one.txt", OpenMode::kTruncate).ok());
  // `a` swapped for a link after it was checked: the held descriptor still
  // names the checked directory, so nothing lands outside the root.
  fs::rename(dir.path() / "root" / "a", dir.path() / "root" / "moved");
  fs::create_directory_symlink(dir.path() / "elsewhere",
                               dir.path() / "root" / "a");
  ASSERT_TRUE((*root)->NewWritableFile("a/two.txt", OpenMode::kTruncate).ok());
  EXPECT_TRUE(Names(dir.path() / "elsewhere").empty());
  EXPECT_TRUE(fs::exists(dir.path() / "root" / "moved" / "two.txt"));
}

TEST(FaultInjectingEnv, CountsEachFileOfADirectoryBeneath) {
  testing::TempDir dir;
  FaultInjectingEnv env;
  Result<std::unique_ptr<DirectoryBeneath>> root =
      env.OpenDirectoryBeneath(dir.path());
  ASSERT_TRUE(root.ok());
  EXPECT_EQ(env.calls(), 0u);
  ASSERT_TRUE((*root)->NewWritableFile("a/one.txt", OpenMode::kTruncate).ok());
  EXPECT_EQ(env.calls(), 1u);
  env.FailCall(2, EIO);
  EXPECT_FALSE((*root)->NewWritableFile("a/two.txt", OpenMode::kTruncate).ok());
  EXPECT_EQ(env.calls(), 2u);
  EXPECT_FALSE(fs::exists(dir.path() / "a" / "two.txt"));
}

TEST(FaultInjectingEnv, CountsAndFailsNewWritableFileBeneath) {
  testing::TempDir dir;
  FaultInjectingEnv env;
  env.FailCall(1, ENOSPC);
  Result<std::unique_ptr<WritableFile>> file =
      env.NewWritableFileBeneath(dir.path(), "a/b.txt", OpenMode::kTruncate);
  EXPECT_FALSE(file.ok());
  EXPECT_EQ(env.calls(), 1u);
  EXPECT_TRUE(Names(dir.path()).empty());  // a failed open creates nothing
}

}  // namespace
}  // namespace rotguard
