#include "rotguard/store.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "store/file_lock.h"
#include "unit/temp_dir.h"
#include "util/file.h"

namespace rotguard {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

StoreOptions Quiet() {
  StoreOptions options;
  options.log_to_file = false;
  return options;
}

std::string ReadAll(const fs::path& path) {
  Result<std::string> text = ReadFileToString(path);
  EXPECT_TRUE(text.ok()) << text.status().message();
  return text.ok() ? *text : std::string();
}

// A store whose manifest is gone or empty while WARC files remain lost
// its index: it must not be opened (or re-created) as a new, empty store.
TEST(StoreTest, EmptyOrMissingManifestNextToWarcFilesIsCorruptionNotANewStore) {
  TempDir dir;
  fs::path root = dir.path() / "store";
  ASSERT_TRUE(Store::Init(root).ok());
  std::ofstream(root / "warc" / "rotguard-20260101000000-00001-h.warc.gz")
      << "bytes";
  fs::resize_file(root / "manifest.sqlite3", 0);
  for (int attempt = 0; attempt < 2; ++attempt) {
    Result<std::unique_ptr<Store>> opened =
        Store::Open(root, LockMode::kShared, Quiet());
    ASSERT_FALSE(opened.ok());
    EXPECT_EQ(opened.status().code(), ErrorCode::kCorruption);
    EXPECT_NE(opened.status().message().find("holds 1 WARC file"),
              std::string::npos)
        << opened.status().message();
    EXPECT_NE(opened.status().message().find("repair --rebuild-manifest"),
              std::string::npos);
    EXPECT_FALSE(Store::OpenOrCreate(root, LockMode::kExclusive, Quiet()).ok());
    EXPECT_FALSE(Store::Init(root).ok());
    fs::remove(root / "manifest.sqlite3");  // then: missing
  }
  EXPECT_FALSE(fs::exists(root / "manifest.sqlite3"));
  StoreOptions without = Quiet();
  without.open_manifest = false;
  Result<std::unique_ptr<Store>> bare =
      Store::Open(root, LockMode::kExclusive, without);
  ASSERT_TRUE(bare.ok()) << bare.status().message();
  EXPECT_FALSE((*bare)->has_manifest());
}

TEST(StoreTest, EmptyManifestWithoutWarcFilesIsStillANewStore) {
  TempDir dir;
  fs::path root = dir.path() / "store";
  ASSERT_TRUE(Store::Init(root).ok());
  fs::resize_file(root / "manifest.sqlite3", 0);
  EXPECT_TRUE(Store::Open(root, LockMode::kShared, Quiet()).ok());
}

TEST(StoreTest, InitCreatesTheLayoutOfTheSpec) {
  TempDir dir;
  fs::path root = dir.path() / "store";
  Result<bool> created = Store::Init(root);
  ASSERT_TRUE(created.ok()) << created.status().message();
  EXPECT_TRUE(*created);
  EXPECT_TRUE(fs::is_regular_file(root / "rotguard.toml"));
  EXPECT_TRUE(fs::is_regular_file(root / "manifest.sqlite3"));
  EXPECT_TRUE(fs::is_directory(root / "warc" / "imported"));
  EXPECT_TRUE(fs::is_directory(root / "damaged"));
  EXPECT_TRUE(fs::is_directory(root / "logs"));
  EXPECT_TRUE(fs::is_regular_file(root / "lock"));
  EXPECT_EQ(ReadAll(root / "rotguard.toml"), DefaultStoreConfigText());
}

TEST(StoreTest, InitAgainLeavesAnEditedConfigAlone) {
  TempDir dir;
  fs::path root = dir.path() / "store";
  ASSERT_TRUE(Store::Init(root).ok());
  std::ofstream(root / "rotguard.toml") << "[fetch]\njobs = 3\n";
  Result<bool> created = Store::Init(root);
  ASSERT_TRUE(created.ok()) << created.status().message();
  EXPECT_FALSE(*created);
  EXPECT_EQ(ReadAll(root / "rotguard.toml"), "[fetch]\njobs = 3\n");
  Result<std::unique_ptr<Store>> store =
      Store::Open(root, LockMode::kShared, Quiet());
  ASSERT_TRUE(store.ok());
  EXPECT_EQ((*store)->config().fetch.jobs, 3);
}

TEST(StoreTest, InitBelowARegularFileIsAnIOErrorNamingThePath) {
  TempDir dir;
  std::ofstream(dir / "file") << "x";
  Result<bool> created = Store::Init(dir.path() / "file" / "store");
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.status().code(), ErrorCode::kIOError);
  EXPECT_NE(created.status().message().find(dir / "file"), std::string::npos)
      << created.status().message();
}

TEST(StoreTest, OpeningAMissingStoreIsNotFoundNamingThePath) {
  TempDir dir;
  fs::path root = dir.path() / "nothing";
  Result<std::unique_ptr<Store>> store =
      Store::Open(root, LockMode::kShared, Quiet());
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(store.status().message(),
            root.string() + ": no rotguard store here (run 'rotguard init')");
  // A directory without a manifest is not a store either.
  fs::create_directories(root);
  store = Store::Open(root, LockMode::kShared, Quiet());
  EXPECT_EQ(store.status().code(), ErrorCode::kNotFound);
  EXPECT_FALSE(fs::exists(root / "manifest.sqlite3"));
}

TEST(StoreTest, OpenOrCreateMakesAMissingStore) {
  TempDir dir;
  fs::path root = dir.path() / "new";
  Result<std::unique_ptr<Store>> store =
      Store::OpenOrCreate(root, LockMode::kExclusive, Quiet());
  ASSERT_TRUE(store.ok()) << store.status().message();
  EXPECT_TRUE(fs::is_regular_file(root / "manifest.sqlite3"));
  EXPECT_EQ((*store)->manifest().SchemaVersion() > 0, true);
}

TEST(StoreTest, ExclusiveHolderLocksOutEveryOtherOpenAndNamesItsPid) {
  TempDir dir;
  fs::path root = dir.path() / "store";
  ASSERT_TRUE(Store::Init(root).ok());
  Result<std::unique_ptr<Store>> writer =
      Store::Open(root, LockMode::kExclusive, Quiet());
  ASSERT_TRUE(writer.ok()) << writer.status().message();
  std::string expected = "store " + root.string() +
                         " is locked by another rotguard run (pid " +
                         std::to_string(::getpid()) + ")";
  for (LockMode mode : {LockMode::kShared, LockMode::kExclusive}) {
    Result<std::unique_ptr<Store>> other = Store::Open(root, mode, Quiet());
    ASSERT_FALSE(other.ok());
    EXPECT_EQ(other.status().code(), ErrorCode::kLocked);
    EXPECT_EQ(other.status().message(), expected);
  }
  EXPECT_EQ(Store::Init(root).status().code(), ErrorCode::kLocked);
  writer->reset();
  EXPECT_TRUE(Store::Open(root, LockMode::kExclusive, Quiet()).ok());
  EXPECT_EQ(ReadAll(root / "lock"), "");  // no stale pid after release
}

TEST(StoreTest, ReadersShareTheStoreButKeepWritersOut) {
  TempDir dir;
  fs::path root = dir.path() / "store";
  ASSERT_TRUE(Store::Init(root).ok());
  Result<std::unique_ptr<Store>> reader1 =
      Store::Open(root, LockMode::kShared, Quiet());
  Result<std::unique_ptr<Store>> reader2 =
      Store::Open(root, LockMode::kShared, Quiet());
  ASSERT_TRUE(reader1.ok());
  ASSERT_TRUE(reader2.ok());
  Result<std::unique_ptr<Store>> writer =
      Store::Open(root, LockMode::kExclusive, Quiet());
  ASSERT_FALSE(writer.ok());
  EXPECT_EQ(writer.status().code(), ErrorCode::kLocked);
}

TEST(StoreTest, WarcSerialCountsUpAcrossOpensUnderTheExclusiveLock) {
  TempDir dir;
  fs::path root = dir.path() / "store";
  ASSERT_TRUE(Store::Init(root).ok());
  {
    auto store = Store::Open(root, LockMode::kExclusive, Quiet());
    ASSERT_TRUE(store.ok());
    EXPECT_EQ(*(*store)->NextWarcSerial(), 1);
    EXPECT_EQ(*(*store)->NextWarcSerial(), 2);
  }
  auto store = Store::Open(root, LockMode::kExclusive, Quiet());
  ASSERT_TRUE(store.ok());
  EXPECT_EQ(*(*store)->NextWarcSerial(), 3);
  store->reset();
  auto reader = Store::Open(root, LockMode::kShared, Quiet());
  ASSERT_TRUE(reader.ok());
  EXPECT_FALSE((*reader)->NextWarcSerial().ok());
}

TEST(StoreTest, GarbageManifestIsCorruptionNamingTheFileAndStaysUntouched) {
  TempDir dir;
  fs::path root = dir.path() / "store";
  ASSERT_TRUE(Store::Init(root).ok());
  fs::remove(root / "manifest.sqlite3");
  const std::string garbage(10000, '\x17');
  std::ofstream(root / "manifest.sqlite3", std::ios::binary) << garbage;
  Result<std::unique_ptr<Store>> store =
      Store::Open(root, LockMode::kShared, Quiet());
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), ErrorCode::kCorruption);
  EXPECT_NE(store.status().message().find((root / "manifest.sqlite3").string()),
            std::string::npos)
      << store.status().message();
  EXPECT_EQ(Store::Init(root).status().code(), ErrorCode::kCorruption);
  EXPECT_EQ(ReadAll(root / "manifest.sqlite3"), garbage);
  EXPECT_FALSE(fs::exists(root / "manifest.sqlite3-wal"));
}

TEST(StoreTest, BadStoreConfigIsInvalidArgumentNamingFileAndLine) {
  TempDir dir;
  fs::path root = dir.path() / "store";
  ASSERT_TRUE(Store::Init(root).ok());
  std::ofstream(root / "rotguard.toml") << "[fetch]\ntimeout = 3\n";
  Result<std::unique_ptr<Store>> store =
      Store::Open(root, LockMode::kShared, Quiet());
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(store.status().message(), (root / "rotguard.toml").string() +
                                          ":2: unknown key 'fetch.timeout'");
}

TEST(StoreTest, ConfigFileOptionOverridesTheStoreConfig) {
  TempDir dir;
  fs::path root = dir.path() / "store";
  ASSERT_TRUE(Store::Init(root).ok());
  std::ofstream(root / "rotguard.toml") << "[fetch]\njobs = 3\nper_host = 1\n";
  std::ofstream(dir / "extra.toml") << "[fetch]\njobs = 5\n";
  StoreOptions options = Quiet();
  options.config_file = dir / "extra.toml";
  Result<std::unique_ptr<Store>> store =
      Store::Open(root, LockMode::kShared, options);
  ASSERT_TRUE(store.ok()) << store.status().message();
  EXPECT_EQ((*store)->config().fetch.jobs, 5);
  EXPECT_EQ((*store)->config().fetch.per_host, 1);
}

TEST(StoreTest, OpenStoreLogsToItsRotatingLogFile) {
  TempDir dir;
  fs::path root = dir.path() / "store";
  ASSERT_TRUE(Store::Init(root).ok());
  {
    StoreOptions options;
    Result<std::unique_ptr<Store>> store =
        Store::Open(root, LockMode::kExclusive, options);
    ASSERT_TRUE(store.ok()) << store.status().message();
  }
  std::string log = ReadAll(root / "logs" / "rotguard.log");
  EXPECT_NE(log.find("opened store " + root.string() + " (exclusive lock)"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("closing store"), std::string::npos) << log;
}

// --log-format json: every line one JSON object a log shipper can parse,
// whatever the message holds (quotes, a newline, an ESC, invalid UTF-8).
TEST(StoreTest, JsonLogLinesAreOneValidObjectEachWhateverTheMessage) {
  TempDir dir;
  fs::path root = dir.path() / "store";
  ASSERT_TRUE(Store::Init(root).ok());
  {
    StoreOptions options;
    options.log_json = true;
    Result<std::unique_ptr<Store>> store =
        Store::Open(root, LockMode::kExclusive, options);
    ASSERT_TRUE(store.ok()) << store.status().message();
    spdlog::warn("fetch of \"https://x.test/a\nb\x1b[31m\xff\" failed");
  }
  std::ifstream log(root / "logs" / "rotguard.log");
  std::string line;
  int lines = 0;
  bool saw_warning = false;
  while (std::getline(log, line)) {
    ++lines;
    nlohmann::json object = nlohmann::json::parse(line);  // throws if not
    EXPECT_TRUE(object["time"].is_string());
    EXPECT_TRUE(object["pid"].is_number_integer());
    if (object["level"] == "warning") {
      saw_warning = true;
      EXPECT_EQ(object["msg"],
                "fetch of \"https://x.test/a\nb\x1b[31m\xef\xbf\xbd\" failed");
    }
  }
  EXPECT_GE(lines, 3);  // opened, the warning, closing
  EXPECT_TRUE(saw_warning);
}

// open(2) as on a read-only filesystem: any open that could write fails
// with EROFS, a read-only open works.
int ReadOnlyFsOpen(const char* path, int flags, mode_t mode) {
  if ((flags & O_ACCMODE) != O_RDONLY || (flags & O_CREAT) != 0) {
    errno = EROFS;
    return -1;
  }
  return ::open(path, flags, mode);
}

TEST(FileLockTest, SharedLockOnAReadOnlyFilesystemUsesAReadOnlyDescriptor) {
  TempDir dir;
  ASSERT_TRUE(Store::Init(dir.path()).ok());
  fs::path lock_path = dir.path() / "lock";
  Result<std::unique_ptr<FileLock>> reader = FileLock::Acquire(
      lock_path, LockMode::kShared, dir.path(), ReadOnlyFsOpen);
  ASSERT_TRUE(reader.ok()) << reader.status().message();
  // The read-only descriptor's lock still keeps a writer out.
  Result<std::unique_ptr<FileLock>> writer =
      FileLock::Acquire(lock_path, LockMode::kExclusive, dir.path());
  EXPECT_EQ(writer.status().code(), ErrorCode::kLocked);
}

TEST(FileLockTest, ExclusiveLockOnAReadOnlyFilesystemIsAnIOErrorNamingTheFile) {
  TempDir dir;
  ASSERT_TRUE(Store::Init(dir.path()).ok());
  fs::path lock_path = dir.path() / "lock";
  Result<std::unique_ptr<FileLock>> writer = FileLock::Acquire(
      lock_path, LockMode::kExclusive, dir.path(), ReadOnlyFsOpen);
  EXPECT_EQ(writer.status().code(), ErrorCode::kIOError);
  EXPECT_EQ(writer.status().message(),
            lock_path.string() + ": Read-only file system");
}

TEST(FileLockTest, MissingLockFileOnAReadOnlyFilesystemIsNotFound) {
  TempDir dir;
  Result<std::unique_ptr<FileLock>> reader = FileLock::Acquire(
      dir.path() / "lock", LockMode::kShared, dir.path(), ReadOnlyFsOpen);
  EXPECT_EQ(reader.status().code(), ErrorCode::kNotFound);
  EXPECT_FALSE(fs::exists(dir.path() / "lock"));
}

}  // namespace
}  // namespace rotguard
