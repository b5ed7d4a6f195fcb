// Output sinks (src/restore/output_sink.h): a directory, a tar and a zip
// receive the same files and hold the same names and bytes.
#include "restore/output_sink.h"

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "unit/temp_dir.h"
#include "unit/test_support/archive_entries.h"
#include "util/file.h"

namespace rotguard::restore {
namespace {

namespace fs = std::filesystem;
using ::rotguard::testing::TempDir;
using Files = std::map<std::string, std::string>;

const Files kFiles = {
    {"index.html", "<!doctype html><p>index</p>\n"},
    {"posts/a.md", "# A\n"},
    {"assets/example.com/img.png", std::string("PNG\0\x01\xff", 6)},
    {"assets/example.com/empty.css", ""},
};

Status PutAll(OutputSink& sink) {
  for (const auto& [name, bytes] : kFiles) {
    ROTGUARD_RETURN_IF_ERROR(sink.Put(name, bytes));
  }
  return sink.Finish();
}

Files ReadDirectory(const fs::path& dir) {
  Files files;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    Result<std::string> bytes = ReadFileToString(e.path());
    EXPECT_TRUE(bytes.ok());
    files[fs::relative(e.path(), dir).generic_string()] =
        bytes.ok() ? *bytes : "";
  }
  return files;
}

Result<std::unique_ptr<OutputSink>> Open(RestoreFormat format,
                                         const fs::path& out) {
  Result<std::unique_ptr<OutputSink>> sink = OpenSink(format, out);
  EXPECT_TRUE(sink.ok()) << sink.status().message();
  return sink;
}

TEST(OutputSinkTest, DirectoryTarAndZipHoldTheSameNamesAndBytes) {
  TempDir t;
  for (auto [format, name] : {std::pair{RestoreFormat::kDir, "out"},
                              std::pair{RestoreFormat::kTar, "out.tar"},
                              std::pair{RestoreFormat::kZip, "out.zip"}}) {
    Result<std::unique_ptr<OutputSink>> sink = Open(format, t.path() / name);
    ASSERT_TRUE(sink.ok());
    ASSERT_TRUE(PutAll(**sink).ok());
  }
  EXPECT_EQ(ReadDirectory(t.path() / "out"), kFiles);
  EXPECT_EQ(testing::ArchiveFiles(t.path() / "out.tar"), kFiles);
  EXPECT_EQ(testing::ArchiveFiles(t.path() / "out.zip"), kFiles);
  EXPECT_FALSE(fs::exists(t.path() / "out.tar.tmp"));
  EXPECT_FALSE(fs::exists(t.path() / "out.zip.tmp"));
}

TEST(OutputSinkTest, DirectoryKeepsTheLastBytesOfAFilePutTwice) {
  TempDir t;
  Result<std::unique_ptr<OutputSink>> sink =
      Open(RestoreFormat::kDir, t.path() / "out");
  ASSERT_TRUE(sink.ok());
  ASSERT_TRUE((*sink)->Put("a/b.txt", "first, longer").ok());
  ASSERT_TRUE((*sink)->Put("a/b.txt", "second").ok());
  ASSERT_TRUE((*sink)->Finish().ok());
  EXPECT_EQ(ReadDirectory(t.path() / "out"), (Files{{"a/b.txt", "second"}}));
}

TEST(OutputSinkTest,
     ArchiveAppearsOnlyOnFinishAndAnUnfinishedOneLeavesNothing) {
  TempDir t;
  fs::path out = t.path() / "out.zip";
  {
    Result<std::unique_ptr<OutputSink>> sink = Open(RestoreFormat::kZip, out);
    ASSERT_TRUE(sink.ok());
    ASSERT_TRUE((*sink)->Put("a.txt", "a").ok());
    EXPECT_TRUE(fs::exists(out.string() + ".tmp"));
    EXPECT_FALSE(fs::exists(out));
  }  // destroyed unfinished
  EXPECT_FALSE(fs::exists(out));
  EXPECT_FALSE(fs::exists(out.string() + ".tmp"));
}

TEST(OutputSinkTest, ArchiveInAMissingDirectoryFailsNamingTheOutput) {
  TempDir t;
  fs::path out = t.path() / "missing" / "out.tar";
  Result<std::unique_ptr<OutputSink>> sink = OpenSink(RestoreFormat::kTar, out);
  ASSERT_FALSE(sink.ok());
  EXPECT_NE(sink.status().message().find(out.string()), std::string::npos);
}

TEST(OutputSinkTest, DirectoryRefusesASymlinkedSubdirectoryNamingIt) {
  TempDir dir;
  fs::path out = dir.path() / "out";
  fs::path outside = dir.path() / "outside";
  fs::create_directories(out);
  fs::create_directories(outside);
  fs::create_directory_symlink(outside, out / "assets");
  Result<std::unique_ptr<OutputSink>> sink = OpenSink(RestoreFormat::kDir, out);
  ASSERT_TRUE(sink.ok());
  Status status = (*sink)->Put("assets/example.com/img.png", "PNG");
  EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            (out / "assets").string() + ": is a symbolic link, not followed");
  EXPECT_TRUE(fs::is_empty(outside));
}

TEST(OutputSinkTest, DirectoryRefusesASymlinkedFileNamingIt) {
  TempDir dir;
  fs::path out = dir.path() / "out";
  fs::create_directories(out);
  ASSERT_TRUE(WriteFileAtomically(dir.path() / "victim", "precious").ok());
  fs::create_symlink(dir.path() / "victim", out / "index.html");
  Result<std::unique_ptr<OutputSink>> sink = OpenSink(RestoreFormat::kDir, out);
  ASSERT_TRUE(sink.ok());
  Status status = (*sink)->Put("index.html", "<p>index</p>");
  EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(status.message(), (out / "index.html").string() +
                                  ": is a symbolic link, not followed");
  Result<std::string> victim = ReadFileToString(dir.path() / "victim");
  ASSERT_TRUE(victim.ok());
  EXPECT_EQ(*victim, "precious");
}

TEST(OutputSinkTest, DirectoryCreatesNestedDirectoriesBelowOut) {
  TempDir dir;
  fs::path out = dir.path() / "new" / "out";  // --out itself is created
  Result<std::unique_ptr<OutputSink>> sink = OpenSink(RestoreFormat::kDir, out);
  ASSERT_TRUE(sink.ok());
  ASSERT_TRUE((*sink)->Put("a/b/c/d.txt", "deep").ok());
  EXPECT_EQ(ReadDirectory(out), (Files{{"a/b/c/d.txt", "deep"}}));
}

}  // namespace
}  // namespace rotguard::restore
