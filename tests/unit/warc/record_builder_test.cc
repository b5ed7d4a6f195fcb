// The record builder (src/warc/record_builder.h): for each record type,
// the header fields in the order written, the block and the digests, as
// rotguard's profile in src/warc/format.h says.
#include "warc/record_builder.h"

#include <gtest/gtest.h>
#include <re2/re2.h>

#include <chrono>
#include <set>
#include <string>
#include <vector>

#include "util/digest.h"
#include "warc/gzip_member.h"

namespace rotguard::warc {
namespace {

constexpr char kGet[] = "GET /a HTTP/1.1\r\nHost: example.com\r\n\r\n";
constexpr char kInfoId[] = "<urn:uuid:00000000-0000-4000-8000-000000000000>";

WarcCapture Capture() {
  WarcCapture capture;
  capture.target_uri = "http://example.com/a";
  capture.ip_address = "127.0.0.1";
  capture.protocol = "h2";
  return capture;
}

const std::string kDate = "2026-11-25T06:21:00.123456Z";

// The header's lines, without the CRLFs and the final blank line.
std::vector<std::string> Lines(const std::string& header) {
  EXPECT_TRUE(header.ends_with("\r\n\r\n"));
  std::vector<std::string> lines;
  size_t at = 0;
  for (size_t end; (end = header.find("\r\n", at)) != std::string::npos;
       at = end + 2) {
    if (end == at) break;  // the blank line
    lines.push_back(header.substr(at, end - at));
  }
  return lines;
}

std::string Sha1Label(std::string_view bytes) {
  return WarcSha1Label(Sha1(bytes));
}

TEST(RecordBuilderTest, RecordIdsAreDistinctVersion4UuidUrns) {
  RE2 uuid(
      "<urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-"
      "[0-9a-f]{12}>");
  std::set<std::string> seen;
  for (int i = 0; i < 300; ++i) {  // crosses a refill of the random pool
    Result<std::string> id = NewRecordId();
    ASSERT_TRUE(id.ok());
    EXPECT_TRUE(RE2::FullMatch(*id, uuid)) << *id;
    seen.insert(*id);
  }
  EXPECT_EQ(seen.size(), 300u);
}

TEST(RecordBuilderTest, RequestHeaderHasItsFieldsInProfileOrder) {
  std::string post = "POST /f HTTP/1.1\r\nHost: example.com\r\n\r\nq=1";
  Result<PendingRecord> req = MakeRequest(Capture(), kDate, post);
  Result<PendingRecord> resp =
      MakeRevisit(Capture(), kDate, "HTTP/1.1 200 OK\r\n\r\n", {});
  ASSERT_TRUE(req.ok() && resp.ok());
  LinkConcurrent(*req, *resp);
  ASSERT_TRUE(ComputeBlockDigests(*req).ok());
  std::vector<std::string> expected = {
      "WARC/1.1",
      "WARC-Type: request",
      "WARC-Record-ID: " + req->record_id,
      std::string("WARC-Warcinfo-ID: ") + kInfoId,
      "WARC-Date: " + kDate,
      "WARC-Target-URI: http://example.com/a",
      "WARC-IP-Address: 127.0.0.1",
      "WARC-Protocol: h2",
      "WARC-Concurrent-To: " + resp->record_id,
      "WARC-Block-Digest: " + Sha1Label(post),
      "WARC-Payload-Digest: " + Sha1Label("q=1"),
      "Content-Type: application/http; msgtype=request",
      "Content-Length: " + std::to_string(post.size()),
  };
  EXPECT_EQ(Lines(SerializeHeader(*req, kInfoId)), expected);
  EXPECT_EQ(req->location.payload_sha256, Sha256Hex("q=1"));
  EXPECT_EQ(req->location.payload_length, 3u);
  EXPECT_EQ(resp->fields.Get("WARC-Concurrent-To"), req->record_id);
}

TEST(RecordBuilderTest, GetRequestHasTheEmptyPayloadDigest) {
  Result<PendingRecord> req = MakeRequest(Capture(), kDate, kGet);
  ASSERT_TRUE(req.ok());
  EXPECT_EQ(req->payload_digest, "sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ");
  EXPECT_EQ(req->location.payload_length, 0u);
}

TEST(RecordBuilderTest, ResponseBlockIsStoredHeadPlusBodyWithBothDigests) {
  WarcBody body;
  ASSERT_TRUE(body.Append("<p>hello</p>").ok());
  ResponseParts parts;
  parts.head = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n";
  parts.stored_head = std::string(parts.head);
  parts.body = &body;
  parts.body_memory = "<p>hello</p>";
  parts.payload_digest = Sha1Label("<p>hello</p>");
  parts.payload_sha256 = Sha256Hex("<p>hello</p>");
  parts.truncated = "length";
  Result<PendingRecord> record = MakeResponse(Capture(), kDate, parts);
  ASSERT_TRUE(record.ok());
  ASSERT_TRUE(ComputeBlockDigests(*record).ok());
  std::string block = parts.stored_head + "<p>hello</p>";
  std::vector<std::string> expected = {
      "WARC/1.1",
      "WARC-Type: response",
      "WARC-Record-ID: " + record->record_id,
      std::string("WARC-Warcinfo-ID: ") + kInfoId,
      "WARC-Date: " + kDate,
      "WARC-Target-URI: http://example.com/a",
      "WARC-IP-Address: 127.0.0.1",
      "WARC-Protocol: h2",
      "WARC-Truncated: length",
      "WARC-Block-Digest: " + Sha1Label(block),
      "WARC-Payload-Digest: " + Sha1Label("<p>hello</p>"),
      "Content-Type: application/http; msgtype=response",
      "Content-Length: " + std::to_string(block.size()),
  };
  EXPECT_EQ(Lines(SerializeHeader(*record, kInfoId)), expected);
  EXPECT_FALSE(record->incompressible);
  EXPECT_EQ(record->location.payload_length, 12u);
  EXPECT_EQ(record->location.truncated, "length");
  EXPECT_EQ(SerializeRecord(*record, kInfoId),
            SerializeHeader(*record, kInfoId) + block + "\r\n\r\n");
  EXPECT_EQ(TailCrc(*record), Crc32(0, block + "\r\n\r\n"));
}

TEST(RecordBuilderTest, EncodedOrMediaResponsesAreStoredNotDeflated) {
  EXPECT_TRUE(IsIncompressibleResponse(
      "HTTP/1.1 200 OK\r\nContent-Type: IMAGE/PNG\r\n\r\n"));
  EXPECT_TRUE(
      IsIncompressibleResponse("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
                               "Content-Encoding: br\r\n\r\n"));
  EXPECT_FALSE(
      IsIncompressibleResponse("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
                               "Content-Encoding: identity\r\n\r\n"));
  EXPECT_TRUE(IsIncompressibleType("video/mp4"));
  EXPECT_TRUE(IsIncompressibleType("application/zip; x=1"));
  EXPECT_FALSE(IsIncompressibleType("application/json"));
}

TEST(RecordBuilderTest, RevisitNamesTheOriginalAndKeepsOnlyTheHead) {
  WarcRevisitOf original;
  original.record_id = "<urn:uuid:11111111-1111-4111-8111-111111111111>";
  original.target_uri = "http://example.com/orig";
  original.date = "2026-01-01T00:00:00.000000Z";
  original.payload_digest = "sha1:AAAA";
  original.payload_sha256 = "ab";
  original.payload_length = 42;
  std::string head = "HTTP/1.1 200 OK\r\n\r\n";
  Result<PendingRecord> record = MakeRevisit(Capture(), kDate, head, original);
  ASSERT_TRUE(record.ok());
  ASSERT_TRUE(ComputeBlockDigests(*record).ok());
  std::vector<std::string> lines = Lines(SerializeHeader(*record, kInfoId));
  std::vector<std::string> middle(lines.begin() + 8, lines.end());
  std::vector<std::string> expected = {
      "WARC-Profile: http://netpreserve.org/warc/1.1/revisit/"
      "identical-payload-digest",
      "WARC-Refers-To: " + original.record_id,
      "WARC-Refers-To-Target-URI: http://example.com/orig",
      "WARC-Refers-To-Date: 2026-01-01T00:00:00.000000Z",
      "WARC-Truncated: length",
      "WARC-Block-Digest: " + Sha1Label(head),
      "WARC-Payload-Digest: sha1:AAAA",
      "Content-Type: application/http; msgtype=response",
      "Content-Length: " + std::to_string(head.size()),
  };
  EXPECT_EQ(middle, expected);
  EXPECT_EQ(lines[1], "WARC-Type: revisit");
  EXPECT_EQ(record->body, nullptr);
  EXPECT_EQ(record->location.payload_length, 42u);
  EXPECT_EQ(record->location.payload_sha256, "ab");
}

TEST(RecordBuilderTest, ResourceBlockIsItsPayloadWithBothDigests) {
  WarcBody body;
  ASSERT_TRUE(body.Append("JPEGDATA").ok());
  ResourceParts parts;
  parts.content_type = "image/jpeg";
  parts.body = &body;
  parts.body_memory = "JPEGDATA";
  parts.sha1 = Sha1("JPEGDATA");
  parts.sha256 = Sha256("JPEGDATA");
  Result<PendingRecord> record = MakeResource(Capture(), kDate, parts);
  ASSERT_TRUE(record.ok());
  ASSERT_TRUE(ComputeBlockDigests(*record).ok());
  std::vector<std::string> lines = Lines(SerializeHeader(*record, kInfoId));
  std::vector<std::string> tail(lines.begin() + 8, lines.end());
  std::vector<std::string> expected = {
      "WARC-Block-Digest: " + Sha1Label("JPEGDATA"),
      "WARC-Payload-Digest: " + Sha1Label("JPEGDATA"),
      "Content-Type: image/jpeg",
      "Content-Length: 8",
  };
  EXPECT_EQ(tail, expected);
  EXPECT_EQ(lines[1], "WARC-Type: resource");
  EXPECT_TRUE(record->incompressible);
  EXPECT_EQ(record->location.payload_sha256, Sha256Hex("JPEGDATA"));
}

TEST(RecordBuilderTest, MetadataBlockIsWarcFieldsWithABlockDigestOnly) {
  WarcMetadataLink link;
  link.concurrent_to = "<urn:uuid:c>";
  link.refers_to = "<urn:uuid:r>";
  WarcFields fields;
  fields.Add("outlink", "http://example.com/b\r\nInjected: 1");
  fields.Add("via", "x");
  Result<PendingRecord> record = MakeMetadata(Capture(), kDate, link, fields);
  ASSERT_TRUE(record.ok());
  ASSERT_TRUE(ComputeBlockDigests(*record).ok());
  std::string block = "outlink: http://example.com/bInjected: 1\r\nvia: x\r\n";
  EXPECT_EQ(record->prefix, block);
  std::vector<std::string> lines = Lines(SerializeHeader(*record, kInfoId));
  std::vector<std::string> tail(lines.begin() + 8, lines.end());
  std::vector<std::string> expected = {
      "WARC-Concurrent-To: <urn:uuid:c>",
      "WARC-Refers-To: <urn:uuid:r>",
      "WARC-Block-Digest: " + Sha1Label(block),
      "Content-Type: application/warc-fields",
      "Content-Length: " + std::to_string(block.size()),
  };
  EXPECT_EQ(tail, expected);
}

TEST(RecordBuilderTest, WarcinfoNamesItsFileAndLeavesEmptyFieldsOut) {
  WarcWriterOptions options;
  options.software = "rotguard/test";
  options.user_agent = "ua";
  Result<PendingRecord> info = MakeWarcinfo(options, "host", "f.warc.gz");
  ASSERT_TRUE(info.ok());
  ASSERT_TRUE(ComputeBlockDigests(*info).ok());
  EXPECT_EQ(info->prefix,
            "software: rotguard/test\r\n"
            "format: WARC file version 1.1\r\n"
            "conformsTo: http://iipc.github.io/warc-specifications/"
            "specifications/warc-format/warc-1.1/\r\n"
            "hostname: host\r\nrobots: ignore\r\n"
            "http-header-user-agent: ua\r\n");
  // A warcinfo never names a warcinfo, whatever it is given.
  std::vector<std::string> lines = Lines(SerializeHeader(*info, kInfoId));
  ASSERT_EQ(lines.size(), 8u);
  EXPECT_EQ(lines[1], "WARC-Type: warcinfo");
  EXPECT_EQ(lines[3], "WARC-Date: " + info->location.date);
  EXPECT_EQ(lines[4], "WARC-Filename: f.warc.gz");
  EXPECT_EQ(lines[5], "WARC-Block-Digest: " + Sha1Label(info->prefix));
  EXPECT_EQ(lines[6], "Content-Type: application/warc-fields");
}

TEST(RecordBuilderTest, FieldValuesFromTheNetworkCannotAddHeaderLines) {
  WarcCapture capture = Capture();
  capture.target_uri = "http://example.com/\r\nWARC-Type: evil";
  Result<PendingRecord> req = MakeRequest(capture, kDate, kGet);
  ASSERT_TRUE(req.ok());
  ASSERT_TRUE(ComputeBlockDigests(*req).ok());
  std::vector<std::string> lines = Lines(SerializeHeader(*req, ""));
  EXPECT_EQ(lines[4], "WARC-Target-URI: http://example.com/WARC-Type: evil");
  EXPECT_EQ(req->location.target_uri, "http://example.com/WARC-Type: evil");
  EXPECT_EQ(FieldValue("a\rb\nc"), "abc");
}

TEST(RecordBuilderTest, CaptureDateIsUsedWhenGiven) {
  WarcCapture capture = Capture();
  capture.date = std::chrono::system_clock::time_point(
      std::chrono::microseconds(1764051660123456));
  EXPECT_EQ(DateOf(capture), "2025-11-25T06:21:00.123456Z");
}

}  // namespace
}  // namespace rotguard::warc
