// ARC files (tests/data/arc/, made by make_arc.py) read through WarcReader:
// each record listed with its offset, URL, date, IP, content type and
// length, presented as the WARC record warcio converts it to; damage gives
// the same problem codes at the same kind of offsets as in a WARC file.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "rotguard/warc_reader.h"
#include "unit/warc/warc_test_util.h"
#include "warc/arc_format.h"

namespace rotguard {
namespace {

using warc_test::CodeAt;
using warc_test::Offsets;
using warc_test::Problems;
using warc_test::ReadFile;
using warc_test::ReadResult;
using warc_test::Slurp;

std::filesystem::path ArcFile(const char* name) {
  return std::filesystem::path(ROTGUARD_TEST_DATA_DIR) / "arc" / name;
}

void ExpectSampleRecords(const ReadResult& read, const char* version) {
  ASSERT_EQ(read.records.size(), 5u);
  const std::vector<std::string> types = {"warcinfo", "response", "resource",
                                          "response", "response"};
  const std::vector<std::string> uris = {
      "filedesc://", "http://example.com/", "dns:example.com",
      "http://example.com/missing.html", "http://example.com/logo.gif"};
  const std::vector<int> statuses = {0, 200, 0, 404, 200};
  for (size_t i = 0; i < 5; ++i) {
    const WarcRecordInfo& r = read.records[i];
    EXPECT_EQ(r.type, types[i]) << i;
    EXPECT_TRUE(r.target_uri.starts_with(uris[i])) << r.target_uri;
    EXPECT_EQ(r.http_status, statuses[i]) << i;
    EXPECT_EQ(r.version, version);
    EXPECT_TRUE(r.block_digest.empty() && r.payload_digest.empty());
  }
  const WarcRecordInfo& html = read.records[1];
  EXPECT_EQ(html.date, "2001-02-03T04:05:07Z");
  EXPECT_EQ(html.ip_address, "93.184.216.34");
  EXPECT_EQ(html.content_type, "text/html");
  EXPECT_EQ(html.content_length, 191u);
  EXPECT_TRUE(html.is_http);
  EXPECT_EQ(html.fields.Get("WARC-Target-URI"), "http://example.com/");
  const WarcRecordInfo& dns = read.records[2];
  EXPECT_EQ(dns.content_type, "text/dns");
  EXPECT_EQ(dns.ip_address, "192.0.2.53");
  EXPECT_FALSE(dns.is_http);
  EXPECT_EQ(read.blocks[2],
            "20010203040506\nexample.com.\t86400\tIN\tA\t93.184.216.34\n");
}

TEST(ArcReaderTest, Arc10RecordsReadAsWarcRecordsWithOffsetsAndLengths) {
  ReadResult plain = ReadFile(ArcFile("sample.arc"));
  EXPECT_TRUE(Problems(plain).empty());
  EXPECT_EQ(Offsets(plain), (std::vector<uint64_t>{0, 135, 390, 498, 681}));
  ExpectSampleRecords(plain, "ARC/1.0");
  // A record's length runs to the next record: header line, content, LF.
  EXPECT_EQ(plain.records[0].length, 135u);
  EXPECT_EQ(plain.records[4].length, 860u - 681u);
  EXPECT_TRUE(plain.blocks[1].starts_with("HTTP/1.0 200 OK\r\n"));
}

TEST(ArcReaderTest, GzippedArcHasMemberOffsetsAndTheSameBlocks) {
  ReadResult gz = ReadFile(ArcFile("sample.arc.gz"));
  EXPECT_TRUE(Problems(gz).empty());
  EXPECT_EQ(Offsets(gz), (std::vector<uint64_t>{0, 138, 353, 457, 621}));
  ExpectSampleRecords(gz, "ARC/1.0");
  EXPECT_EQ(gz.records[4].length, 789u - 621u);
  ReadResult plain = ReadFile(ArcFile("sample.arc"));
  ASSERT_EQ(plain.blocks.size(), gz.blocks.size());
  for (size_t i = 1; i < gz.blocks.size(); ++i) {
    EXPECT_EQ(gz.blocks[i], plain.blocks[i]);
  }
}

TEST(ArcReaderTest, Arc11HeaderWithXmlMetadataReads) {
  ReadResult read = ReadFile(ArcFile("sample-1.1.arc.gz"));
  EXPECT_TRUE(Problems(read).empty());
  EXPECT_EQ(Offsets(read), (std::vector<uint64_t>{0, 261, 476, 580, 744}));
  ExpectSampleRecords(read, "ARC/1.1");
  EXPECT_NE(read.blocks[0].find("<arcmetadata"), std::string::npos);
}

TEST(ArcReaderTest, PayloadsOfArcResponsesAreTheHttpBodies) {
  ReadResult read = ReadFile(ArcFile("sample.arc.gz"), true);
  ASSERT_EQ(read.payloads.size(), 5u);
  EXPECT_EQ(read.payloads[3], "<html><body>Not here.</body></html>\n");
  EXPECT_TRUE(read.payloads[4].starts_with("GIF89a"));
}

TEST(ArcReaderTest, RecordIdsAreStableAndDistinct) {
  ReadResult a = ReadFile(ArcFile("sample.arc.gz"));
  ReadResult b = ReadFile(ArcFile("sample.arc.gz"));
  ReadResult other = ReadFile(ArcFile("sample.arc"));
  ASSERT_EQ(a.records.size(), 5u);
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(a.records[i].record_id, b.records[i].record_id);
    EXPECT_TRUE(a.records[i].record_id.starts_with("<urn:sha1:"));
    EXPECT_NE(a.records[i].record_id, other.records[i].record_id);
    for (size_t j = 0; j < i; ++j) {
      EXPECT_NE(a.records[i].record_id, a.records[j].record_id);
    }
  }
}

TEST(ArcReaderTest, SeekToARecordOffsetReadsThatRecord) {
  auto opened = WarcReader::Open(ArcFile("sample.arc.gz"));
  ASSERT_TRUE(opened.ok());
  WarcReader& reader = **opened;
  EXPECT_TRUE(reader.arc());
  ASSERT_TRUE(reader.Seek(457).ok());
  Result<bool> more = reader.Next();
  ASSERT_TRUE(more.ok() && *more);
  EXPECT_EQ(reader.record().target_uri, "http://example.com/missing.html");
  EXPECT_EQ(reader.record().http_status, 404);
  ReadResult again = ReadFile(ArcFile("sample.arc.gz"));
  EXPECT_EQ(reader.record().record_id, again.records[3].record_id);
}

TEST(ArcReaderTest, TruncatedFinalMemberIsATornMemberAtItsOffset) {
  ReadResult read = ReadFile(ArcFile("truncated-member.arc.gz"));
  EXPECT_EQ(Problems(read), (std::vector<CodeAt>{{"torn-member", 621}}));
  // The cut member yields no whole header line: no record there.
  EXPECT_EQ(Offsets(read), (std::vector<uint64_t>{0, 138, 353, 457}));
}

TEST(ArcReaderTest, LengthTooSmallInPlainArcIsMissingCrlfAndReadingGoesOn) {
  ReadResult read = ReadFile(ArcFile("bad-length.arc"));
  EXPECT_EQ(Problems(read), (std::vector<CodeAt>{{"missing-crlf", 139}}));
  EXPECT_EQ(Offsets(read), (std::vector<uint64_t>{0, 139, 394, 502, 685}));
}

TEST(ArcReaderTest, LengthTooLargeInGzippedArcIsMissingCrlfOfThatMember) {
  ReadResult read = ReadFile(ArcFile("bad-length.arc.gz"));
  EXPECT_EQ(Problems(read), (std::vector<CodeAt>{{"missing-crlf", 141}}));
  EXPECT_EQ(Offsets(read), (std::vector<uint64_t>{0, 141, 356, 460, 624}));
}

TEST(ArcReaderTest, GarbageLineBetweenPlainRecordsIsABadHeaderThenResyncs) {
  std::string data = Slurp(ArcFile("sample.arc"));
  data.insert(390, "this is not an ARC header line\n");
  ReadResult read = warc_test::ReadBuffer(data);
  EXPECT_EQ(Problems(read), (std::vector<CodeAt>{{"bad-header", 390}}));
  EXPECT_EQ(read.records.size(), 5u);
}

TEST(ArcFormatTest, HeaderLinesOfBothVersionsParse) {
  warc::ArcHeader h;
  EXPECT_EQ(
      warc::ParseArcHeaderLine(
          "http://a.example/x y.html 10.0.0.1 20010203040506 text/html 12", 5,
          &h),
      "");
  EXPECT_EQ(h.url, "http://a.example/x y.html");
  EXPECT_EQ(h.length, 12u);
  EXPECT_EQ(warc::ParseArcHeaderLine(
                "http://a.example/ 10.0.0.1 20010203040506 text/html 200 "
                "ABCDEF - 0 a.arc 34",
                10, &h),
            "");
  EXPECT_EQ(h.result_code, "200");
  EXPECT_EQ(h.filename, "a.arc");
  EXPECT_EQ(h.length, 34u);
  // 12-digit dates are completed as warcio does.
  EXPECT_EQ(
      warc::ParseArcHeaderLine("dns:a 1.2.3.4 200102030405 text/dns 3", 5, &h),
      "");
  EXPECT_EQ(warc::ArcDateToWarc(h.date), "2001-02-03T04:05:00Z");
  EXPECT_NE(warc::ParseArcHeaderLine("http://a/ 1.2.3.4 2001 x", 5, &h), "");
  EXPECT_NE(
      warc::ParseArcHeaderLine("http://a/ 1.2.3.4 2001x text/html 3", 5, &h),
      "");
  EXPECT_NE(warc::ParseArcHeaderLine("nourl 1.2.3.4 20010203040506 x 3", 5, &h),
            "");
}

TEST(ArcFormatTest, VersionBlockGivesVersionAndFieldCount) {
  warc::ArcFileInfo v1 = warc::ParseArcFileInfo(
      "filedesc://a.arc 0.0.0.0 20010203040506 text/plain 70\n1 1 IA\n"
      "URL IP-address Archive-date Content-type Archive-length\n");
  EXPECT_EQ(v1.version, "ARC/1.1");
  EXPECT_EQ(v1.field_count, 5u);
  warc::ArcFileInfo v2 = warc::ParseArcFileInfo(
      "filedesc://a.arc 0.0.0.0 20010203040506 text/plain 70\n2 0 IA\n"
      "URL IP-address Archive-date Content-type Result-code Checksum "
      "Location Offset Filename Archive-length\n");
  EXPECT_EQ(v2.version, "ARC/2.0");
  EXPECT_EQ(v2.field_count, 10u);
}

}  // namespace
}  // namespace rotguard
