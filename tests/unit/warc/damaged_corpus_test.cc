// The damaged-WARC corpus (tests/data/warc/, made by make_corpus.py): each
// file must produce exactly the listed problems, codes and offsets, like
// libzim's TEST_BROKEN_ZIM_NAME.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "rotguard/warc_reader.h"
#include "unit/warc/warc_test_util.h"

namespace rotguard {
namespace {

using warc_test::CodeAt;
using warc_test::Offsets;
using warc_test::Problems;
using warc_test::ReadFile;
using warc_test::ReadResult;

std::filesystem::path CorpusFile(const char* name) {
  return std::filesystem::path(ROTGUARD_TEST_DATA_DIR) / "warc" / name;
}

#define EXPECT_BROKEN_WARC(name, ...)                                       \
  do {                                                                      \
    ReadResult read_ = ReadFile(CorpusFile(name));                          \
    EXPECT_EQ(Problems(read_), (std::vector<CodeAt>{__VA_ARGS__})) << name; \
  } while (0)

TEST(DamagedCorpusTest, GoodFilesReadCleanlyWithMemberOffsetsAndLengths) {
  ReadResult gz = ReadFile(CorpusFile("good.warc.gz"));
  EXPECT_TRUE(Problems(gz).empty());
  EXPECT_EQ(Offsets(gz), (std::vector<uint64_t>{0, 268, 565, 903}));
  ASSERT_EQ(gz.records.size(), 4u);
  EXPECT_EQ(gz.records[0].length, 268u);
  EXPECT_EQ(gz.records[3].length, 1165u - 903u);

  ReadResult plain = ReadFile(CorpusFile("good.warc"));
  EXPECT_TRUE(Problems(plain).empty());
  EXPECT_EQ(Offsets(plain), (std::vector<uint64_t>{0, 345, 748, 1230}));
  ASSERT_EQ(plain.records.size(), 4u);
  EXPECT_EQ(plain.records[0].length, 345u);
  EXPECT_EQ(plain.records[3].length, 1607u - 1230u);
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(gz.blocks[i], plain.blocks[i]);
  }
}

TEST(DamagedCorpusTest, FlippedPayloadByteFailsBothDigestsOfThatRecord) {
  EXPECT_BROKEN_WARC("flipped-payload-byte.warc.gz", {"block-digest", 565},
                     {"payload-digest", 565});
}

TEST(DamagedCorpusTest, TruncatedFinalMemberIsReportedWithItsOffset) {
  EXPECT_BROKEN_WARC("truncated-final-member.warc.gz", {"torn-member", 903});
  EXPECT_EQ(
      ReadFile(CorpusFile("truncated-final-member.warc.gz")).records.size(),
      4u);
}

TEST(DamagedCorpusTest, NonNumericContentLengthIsABadHeaderAndReadingGoesOn) {
  EXPECT_BROKEN_WARC("bad-content-length.warc", {"bad-header", 748});
  EXPECT_EQ(Offsets(ReadFile(CorpusFile("bad-content-length.warc"))),
            (std::vector<uint64_t>{0, 345, 1230}));
}

TEST(DamagedCorpusTest, MissingCrlfAfterBlockIsReportedAndNextRecordFound) {
  EXPECT_BROKEN_WARC("missing-crlf.warc", {"missing-crlf", 748});
  ReadResult read = ReadFile(CorpusFile("missing-crlf.warc"));
  EXPECT_EQ(Offsets(read), (std::vector<uint64_t>{0, 345, 748, 1228}));
  ASSERT_EQ(read.records.size(), 4u);
  EXPECT_EQ(read.records[3].type, "resource");
}

TEST(DamagedCorpusTest, GarbageBetweenMembersIsSkippedToTheNextMember) {
  EXPECT_BROKEN_WARC("garbage-between-members.warc.gz",
                     {"trailing-garbage", 565});
  EXPECT_EQ(Offsets(ReadFile(CorpusFile("garbage-between-members.warc.gz"))),
            (std::vector<uint64_t>{0, 268, 616, 954}));
}

TEST(DamagedCorpusTest, GzipCrcMismatchIsReportedAtItsMember) {
  EXPECT_BROKEN_WARC("gzip-crc.warc.gz", {"gzip-crc", 268});
  EXPECT_EQ(Offsets(ReadFile(CorpusFile("gzip-crc.warc.gz"))),
            (std::vector<uint64_t>{0, 268, 565, 903}));
}

TEST(DamagedCorpusTest, WholeFileGzipIsDetectedOnceAndAllRecordsRead) {
  EXPECT_BROKEN_WARC("whole-file.warc.gz", {"whole-file-gzip", 0});
  EXPECT_EQ(ReadFile(CorpusFile("whole-file.warc.gz")).records.size(), 4u);
}

TEST(DamagedCorpusTest, NonWarcFileIsABadHeaderAtOffsetZero) {
  EXPECT_BROKEN_WARC("not-a-warc.txt", {"bad-header", 0});
  EXPECT_TRUE(ReadFile(CorpusFile("not-a-warc.txt")).records.empty());
}

TEST(DamagedCorpusTest, WgetStyleWarc10IsReadWithStrippedUrisAndAChunkedNote) {
  ReadResult read = ReadFile(CorpusFile("wget-style-1.0.warc"));
  EXPECT_EQ(Problems(read),
            (std::vector<CodeAt>{{"chunked-payload-digest", 681}}));
  ASSERT_EQ(read.problems.size(), 1u);
  EXPECT_EQ(read.problems[0].severity, WarcProblem::Severity::kNote);
  ASSERT_EQ(read.records.size(), 3u);
  const WarcRecordInfo& response = read.records[2];
  EXPECT_EQ(response.version, "WARC/1.0");
  EXPECT_EQ(response.target_uri, "http://example.com/chunked");
  EXPECT_TRUE(response.is_http);
  EXPECT_TRUE(response.http_chunked);
  EXPECT_EQ(response.http_status, 200);
  EXPECT_EQ(response.fields.GetAll("WARC-Concurrent-To").size(), 1u);
  EXPECT_EQ(read.records[1].http_request_line, "GET /chunked HTTP/1.1");

  ReadResult payloads =
      ReadFile(CorpusFile("wget-style-1.0.warc"), /*read_payloads=*/true);
  ASSERT_EQ(payloads.payloads.size(), 3u);
  EXPECT_EQ(payloads.payloads[2], "hello world");
}

}  // namespace
}  // namespace rotguard
