#include "rotguard/warc_reader.h"

#include <gtest/gtest.h>

#include <string>

#include "rotguard/warc_writer.h"
#include "unit/test_support/compress.h"
#include "unit/warc/warc_test_util.h"
#include "util/digest.h"

namespace rotguard {
namespace {

using testing::Gzip;
using warc_test::InflateOneMember;
using warc_test::ProblemCodes;
using warc_test::ReadBuffer;
using warc_test::ReadResult;
using warc_test::Slurp;
using warc_test::TempDir;

using Codes = std::vector<std::string>;

std::string Record(std::string_view fields, std::string_view block) {
  std::string r = "WARC/1.1\r\n";
  r.append(fields);
  r += "Content-Length: " + std::to_string(block.size()) + "\r\n\r\n";
  r.append(block);
  r += "\r\n\r\n";
  return r;
}

std::string UpperHex(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(c));
  return s;
}

TEST(WarcReaderTest, HostileContentLengthIsReadAsTornWithoutAllocating) {
  std::string data =
      "WARC/1.1\r\nWARC-Type: resource\r\n"
      "Content-Length: 9223372036854775807\r\n\r\nabc";
  ReadResult read = ReadBuffer(data);
  EXPECT_EQ(ProblemCodes(read), Codes{"torn-member"});
  ASSERT_EQ(read.records.size(), 1u);
  EXPECT_EQ(read.blocks[0], "abc");
}

TEST(WarcReaderTest, ContentLengthBeyond64BitsIsABadHeader) {
  ReadResult read =
      ReadBuffer("WARC/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n");
  EXPECT_EQ(ProblemCodes(read), Codes{"bad-header"});
  EXPECT_TRUE(read.records.empty());
}

TEST(WarcReaderTest, HeaderBlockOverOneMebibyteIsABadHeader) {
  std::string data = "WARC/1.1\r\n";
  while (data.size() < (size_t{2} << 20))
    data += "X-Filler: aaaaaaaaaaaaaaaa\r\n";
  ReadResult read = ReadBuffer(data);
  ASSERT_FALSE(read.problems.empty());
  EXPECT_EQ(read.problems[0].code, "bad-header");
  EXPECT_EQ(read.problems[0].offset, 0u);
  EXPECT_TRUE(read.records.empty());
}

TEST(WarcReaderTest, FieldLineWithoutColonIsABadHeader) {
  ReadResult read = ReadBuffer(
      "WARC/1.1\r\nWARC-Type: resource\r\nno colon here\r\n"
      "Content-Length: 0\r\n\r\n\r\n\r\n" +
      Record("WARC-Type: resource\r\n", "ok"));
  EXPECT_EQ(ProblemCodes(read), Codes{"bad-header"});
  ASSERT_EQ(read.records.size(), 1u);
  EXPECT_EQ(read.blocks[0], "ok");
}

TEST(WarcReaderTest, MissingContentLengthIsABadHeader) {
  ReadResult read = ReadBuffer("WARC/1.1\r\nWARC-Type: resource\r\n\r\n");
  EXPECT_EQ(ProblemCodes(read), Codes{"bad-header"});
}

TEST(WarcReaderTest, GzipMemberWithoutWarcIsABadHeaderAtTheMember) {
  std::string good = Gzip(Record("WARC-Type: resource\r\n", "x"));
  ReadResult read = ReadBuffer(good + Gzip("hello, not a WARC\n"));
  ASSERT_EQ(read.problems.size(), 1u);
  EXPECT_EQ(read.problems[0].code, "bad-header");
  EXPECT_EQ(read.problems[0].offset, good.size());
  EXPECT_EQ(read.records.size(), 1u);
}

TEST(WarcReaderTest, AcceptsMsgtypeWithoutSpaceAndAnyDigestEncoding) {
  std::string head =
      "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\n\r\n";
  std::string body = "gone";
  std::string fields =
      "WARC-Type: response\r\n"
      "WARC-Target-URI: http://example.com/x\r\n"
      "WARC-Block-Digest: SHA-256:" +
      UpperHex(Sha256Hex(head + body)) +
      "\r\n"
      "WARC-Payload-Digest: sha1:" +
      HexEncode(Sha1(body)) +
      "\r\n"
      "Content-Type: application/http;msgtype=response\r\n";
  ReadResult read = ReadBuffer(Record(fields, head + body));
  EXPECT_TRUE(read.problems.empty()) << read.problems[0].message;
  ASSERT_EQ(read.records.size(), 1u);
  EXPECT_TRUE(read.records[0].is_http);
  EXPECT_EQ(read.records[0].http_status, 404);
  EXPECT_EQ(read.records[0].http_head_length, head.size());
}

TEST(WarcReaderTest, WrongSha256DigestIsReportedInItsOwnForm) {
  std::string fields =
      "WARC-Type: resource\r\nWARC-Block-Digest: sha256:" + Sha256Hex("other") +
      "\r\n";
  ReadResult read = ReadBuffer(Record(fields, "data"));
  ASSERT_EQ(ProblemCodes(read), Codes{"block-digest"});
  EXPECT_NE(read.problems[0].message.find("sha256:" + Sha256Hex("data")),
            std::string::npos)
      << read.problems[0].message;
}

TEST(WarcReaderTest, ChunkedBodyWithDechunkedPayloadDigestIsClean) {
  std::string head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  std::string chunked = "3\r\nabc\r\n0\r\n\r\n";
  std::string fields =
      "WARC-Type: response\r\n"
      "WARC-Payload-Digest: " +
      WarcSha1Label(Sha1("abc")) +
      "\r\n"
      "Content-Type: application/http; msgtype=response\r\n";
  ReadResult read = ReadBuffer(Record(fields, head + chunked));
  EXPECT_TRUE(read.problems.empty());
  ReadResult payloads = ReadBuffer(Record(fields, head + chunked), true);
  ASSERT_EQ(payloads.payloads.size(), 1u);
  EXPECT_EQ(payloads.payloads[0], "abc");
}

TEST(WarcReaderTest, ChunkedBodyMatchingNeitherFormIsAPayloadDigestError) {
  std::string head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  std::string fields =
      "WARC-Type: response\r\nWARC-Payload-Digest: " +
      WarcSha1Label(Sha1("zzz")) +
      "\r\nContent-Type: application/http; msgtype=response\r\n";
  ReadResult read = ReadBuffer(Record(fields, head + "3\r\nabc\r\n0\r\n\r\n"));
  EXPECT_EQ(ProblemCodes(read), Codes{"payload-digest"});
}

TEST(WarcReaderTest, RevisitPayloadDigestIsNotChecked) {
  std::string head = "HTTP/1.1 200 OK\r\n\r\n";
  std::string fields =
      "WARC-Type: revisit\r\nWARC-Payload-Digest: " +
      WarcSha1Label(Sha1("the original")) +
      "\r\nContent-Type: application/http; msgtype=response\r\n";
  EXPECT_TRUE(ReadBuffer(Record(fields, head)).problems.empty());
}

TEST(WarcReaderTest, UnknownDigestAlgorithmIsANoteNotAnError) {
  ReadResult read = ReadBuffer(
      Record("WARC-Type: resource\r\nWARC-Block-Digest: blake3:abcd\r\n", "x"));
  ASSERT_EQ(ProblemCodes(read), Codes{"unknown-digest"});
  EXPECT_EQ(read.problems[0].severity, WarcProblem::Severity::kNote);
}

TEST(WarcReaderTest, StrayLineEndsBetweenAndAfterRecordsAreIgnored) {
  std::string a = Record("WARC-Type: resource\r\n", "a");
  std::string b = Record("WARC-Type: resource\r\n", "b");
  ReadResult read = ReadBuffer(a + "\r\n" + b + "\r\n\n");
  EXPECT_TRUE(read.problems.empty());
  ASSERT_EQ(read.records.size(), 2u);
  EXPECT_EQ(read.records[1].offset, a.size() + 2);
}

TEST(WarcReaderTest, GarbageAfterTheLastPlainRecordIsTrailingGarbage) {
  std::string a = Record("WARC-Type: resource\r\n", "a");
  ReadResult read = ReadBuffer(a + "leftover bytes");
  ASSERT_EQ(ProblemCodes(read), Codes{"trailing-garbage"});
  EXPECT_EQ(read.problems[0].offset, a.size());
  EXPECT_EQ(read.problems[0].file, "buffer");
}

TEST(WarcReaderTest, ProblemsGoToTheCallbackWithFileAndOffset) {
  std::vector<WarcProblem> seen;
  WarcReaderOptions options;
  options.on_problem = [&](const WarcProblem& p) { seen.push_back(p); };
  std::string a = Record("WARC-Type: resource\r\n", "a");
  const std::string data = a + "junk";  // must outlive the reader
  auto reader = WarcReader::FromBuffer(data, "mem.warc", options);
  while (true) {
    Result<bool> more = reader->Next();
    ASSERT_TRUE(more.ok());
    if (!*more) break;
  }
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].file, "mem.warc");
  EXPECT_EQ(seen[0].offset, a.size());
}

class WrittenWarcTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WarcWriterOptions options;
    options.directory = dir_.path();
    options.hostname = "h";
    auto writer = WarcWriter::Open(options);
    ASSERT_TRUE(writer.ok());
    for (int i = 0; i < 3; ++i) {
      WarcHttpResponse response = (*writer)->NewResponse(
          "HTTP/1.1 200 OK\r\n\r\n", WarcBodyTransfer::kDecoded);
      ASSERT_TRUE(response.AppendBody("body " + std::to_string(i)).ok());
      WarcCapture capture;
      capture.target_uri = "http://example.com/" + std::to_string(i);
      auto locs =
          (*writer)->WriteExchange(capture, "GET / HTTP/1.1\r\n\r\n", response);
      ASSERT_TRUE(locs.ok());
      responses_.push_back(locs->response);
    }
    ASSERT_TRUE((*writer)->Close().ok());
    path_ = dir_.path() / responses_[0].file_name;
  }
  TempDir dir_;
  std::filesystem::path path_;
  std::vector<WarcRecordLocation> responses_;
};

TEST_F(WrittenWarcTest, SeekReadsTheRecordAtAMemberOffset) {
  auto reader = WarcReader::Open(path_);
  ASSERT_TRUE(reader.ok());
  EXPECT_TRUE((*reader)->compressed());
  ASSERT_TRUE((*reader)->Seek(responses_[1].offset).ok());
  Result<bool> more = (*reader)->Next();
  ASSERT_TRUE(more.ok() && *more);
  EXPECT_EQ((*reader)->record().record_id, responses_[1].record_id);
  EXPECT_EQ((*reader)->record().target_uri, "http://example.com/1");
  char buf[64];
  Result<size_t> n = (*reader)->ReadPayload(buf, sizeof buf);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(std::string(buf, *n), "body 1");
  ASSERT_TRUE((*reader)->FinishRecord().ok());
  EXPECT_EQ((*reader)->record().length, responses_[1].compressed_length);
}

TEST_F(WrittenWarcTest, InflatedToPlainWarcReadsWithTheSameRecords) {
  std::string file = Slurp(path_);
  ReadResult gz = ReadBuffer(file);
  std::string plain;
  std::vector<uint64_t> plain_offsets;
  for (const WarcRecordInfo& r : gz.records) {
    plain_offsets.push_back(plain.size());
    plain +=
        InflateOneMember(std::string_view(file).substr(r.offset, r.length));
  }
  ReadResult read = ReadBuffer(plain);
  EXPECT_TRUE(read.problems.empty());
  ASSERT_EQ(read.records.size(), gz.records.size());
  for (size_t i = 0; i < read.records.size(); ++i) {
    EXPECT_EQ(read.records[i].offset, plain_offsets[i]);
    EXPECT_EQ(read.records[i].record_id, gz.records[i].record_id);
    EXPECT_EQ(read.blocks[i], gz.blocks[i]);
  }
}

}  // namespace
}  // namespace rotguard

namespace rotguard {
namespace {

using warc_test::ReadBuffer;
using warc_test::ReadResult;

// A crash can cut a WARC anywhere. For every cut, the records before the
// cut must read cleanly and the damage must be exactly one torn-member at
// the start of the record that was being written.
void ExpectEveryCutIsOneTornTail(const std::string& file,
                                 const std::vector<uint64_t>& starts) {
  for (size_t cut = 1; cut < file.size(); ++cut) {
    ReadResult read = ReadBuffer(std::string_view(file).substr(0, cut));
    size_t whole = 0;
    while (whole + 1 < starts.size() && starts[whole + 1] <= cut) ++whole;
    if (starts[whole] == cut) {
      EXPECT_TRUE(read.problems.empty()) << "cut at " << cut;
      continue;
    }
    ASSERT_EQ(read.problems.size(), 1u)
        << "cut at " << cut << ": " << read.problems[0].code << " "
        << read.problems[0].offset << " " << read.problems[0].message << " / "
        << read.problems.back().code << " " << read.problems.back().message;
    EXPECT_EQ(read.problems[0].code, "torn-member") << "cut at " << cut;
    EXPECT_EQ(read.problems[0].offset, starts[whole]) << "cut at " << cut;
    ASSERT_GE(read.records.size(), whole) << "cut at " << cut;
    for (size_t i = 0; i < whole; ++i) {
      EXPECT_TRUE(read.records[i].problems.empty()) << "cut at " << cut;
    }
  }
}

TEST_F(WrittenWarcTest, EveryCutOfAGzipFileIsOneTornMemberAfterWholeRecords) {
  std::string file = Slurp(path_);
  ReadResult whole = ReadBuffer(file);
  std::vector<uint64_t> starts;
  for (const WarcRecordInfo& r : whole.records) starts.push_back(r.offset);
  starts.push_back(file.size());
  ExpectEveryCutIsOneTornTail(file, starts);
}

TEST_F(WrittenWarcTest, EveryCutOfAPlainFileIsOneTornRecordAfterWholeRecords) {
  std::string file = Slurp(path_);
  ReadResult gz = ReadBuffer(file);
  std::string plain;
  std::vector<uint64_t> starts;
  for (const WarcRecordInfo& r : gz.records) {
    starts.push_back(plain.size());
    plain +=
        InflateOneMember(std::string_view(file).substr(r.offset, r.length));
  }
  starts.push_back(plain.size());
  ExpectEveryCutIsOneTornTail(plain, starts);
}

}  // namespace
}  // namespace rotguard
