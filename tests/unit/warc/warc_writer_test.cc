#include "rotguard/warc_writer.h"

#include <gtest/gtest.h>
#include <re2/re2.h>
#include <signal.h>
#include <sys/resource.h>
#include <zlib.h>

#include <atomic>
#include <cerrno>
#include <set>
#include <thread>

#include "rotguard/warc_reader.h"
#include "unit/warc/warc_test_util.h"
#include "util/digest.h"
#include "util/fault_injecting_env.h"

namespace rotguard {
namespace {

using warc_test::InflateOneMember;
using warc_test::ListDir;
using warc_test::ReadFile;
using warc_test::ReadResult;
using warc_test::Slurp;
using warc_test::TempDir;

constexpr char kRequest[] =
    "GET /a.html HTTP/1.1\r\nHost: example.com\r\nUser-Agent: t\r\n\r\n";
constexpr char kHtmlHead[] =
    "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 11\r\n\r\n";

WarcWriterOptions Options(const TempDir& dir) {
  WarcWriterOptions options;
  options.directory = dir.path();
  options.hostname = "testhost";
  options.user_agent = "rotguard-test";
  return options;
}

std::unique_ptr<WarcWriter> OpenWriter(WarcWriterOptions options) {
  Result<std::unique_ptr<WarcWriter>> writer =
      WarcWriter::Open(std::move(options));
  EXPECT_TRUE(writer.ok()) << writer.status().message();
  return writer.ok() ? std::move(writer).value() : nullptr;
}

WarcCapture Capture(std::string uri) {
  WarcCapture capture;
  capture.target_uri = std::move(uri);
  capture.ip_address = "127.0.0.1";
  return capture;
}

WarcExchangeLocations WriteHtml(WarcWriter& writer, std::string_view body) {
  WarcHttpResponse response =
      writer.NewResponse(kHtmlHead, WarcBodyTransfer::kDecoded);
  EXPECT_TRUE(response.AppendBody(body).ok());
  Result<WarcExchangeLocations> locs = writer.WriteExchange(
      Capture("http://example.com/a.html"), kRequest, response);
  EXPECT_TRUE(locs.ok()) << locs.status().message();
  return locs.ok() ? *locs : WarcExchangeLocations{};
}

std::filesystem::path OnlyFile(const TempDir& dir) {
  std::vector<std::filesystem::path> files = ListDir(dir.path());
  EXPECT_EQ(files.size(), 1u);
  return files.empty() ? std::filesystem::path() : files[0];
}

// After Close(): the member at `loc` in the only WARC file inflates on its
// own and holds `bytes`, and the whole file reads back without problems.
void ExpectMemberHolds(const TempDir& dir, const WarcRecordLocation& loc,
                       std::string_view bytes) {
  std::filesystem::path path = OnlyFile(dir);
  std::string file = Slurp(path);
  std::string record = InflateOneMember(
      std::string_view(file).substr(loc.offset, loc.compressed_length));
  EXPECT_NE(record.find(bytes), std::string::npos);
  EXPECT_TRUE(ReadFile(path).problems.empty());
}

void ExpectSameLocation(const WarcRecordLocation& written,
                        const WarcRecordInfo& read) {
  EXPECT_EQ(written.offset, read.offset) << written.type;
  EXPECT_EQ(written.compressed_length, read.length) << written.type;
  EXPECT_EQ(written.record_id, read.record_id);
  EXPECT_EQ(written.type, read.type);
  EXPECT_EQ(written.block_digest, read.block_digest);
  EXPECT_EQ(written.block_length, read.content_length);
  if (written.type != "warcinfo" && written.type != "metadata") {
    EXPECT_EQ(written.payload_digest, read.payload_digest) << written.type;
  }
}

TEST(WarcWriterTest, EveryRecordTypeRoundTripsWithOffsetsAndDigests) {
  TempDir dir;
  std::vector<WarcRecordLocation> warcinfos;
  WarcWriterOptions options = Options(dir);
  options.on_warcinfo = [&](const WarcRecordLocation& loc) {
    warcinfos.push_back(loc);
  };
  options.is_part_of = "my blog";
  auto writer = OpenWriter(options);
  WarcExchangeLocations exchange = WriteHtml(*writer, "hello world");

  WarcHttpResponse again =
      writer->NewResponse(kHtmlHead, WarcBodyTransfer::kDecoded);
  ASSERT_TRUE(again.AppendBody("hello world").ok());
  ASSERT_TRUE(again.FinishBody().ok());
  EXPECT_EQ(again.payload_digest(), exchange.response.payload_digest);
  WarcRevisitOf original{
      exchange.response.record_id,      exchange.response.target_uri,
      exchange.response.date,           exchange.response.payload_digest,
      exchange.response.payload_sha256, exchange.response.payload_length};
  WarcCapture revisit_capture = Capture("http://example.com/b.html");
  revisit_capture.protocol = "h2";
  Result<WarcExchangeLocations> revisit =
      writer->WriteRevisit(revisit_capture, kRequest, again, original);
  ASSERT_TRUE(revisit.ok()) << revisit.status().message();

  Result<WarcRecordLocation> resource = writer->WriteResource(
      Capture("file:posts/a.md"), "text/markdown", "# Title\n");
  ASSERT_TRUE(resource.ok());
  WarcFields meta;
  meta.Add("via", "http://example.com/");
  meta.Add("hopsFromSeed", "E");
  Result<WarcRecordLocation> metadata =
      writer->WriteMetadata(Capture("http://example.com/a.html"),
                            {exchange.response.record_id, ""}, meta);
  ASSERT_TRUE(metadata.ok());
  ASSERT_TRUE(writer->Close().ok());

  std::filesystem::path path = OnlyFile(dir);
  ReadResult read = ReadFile(path);
  EXPECT_TRUE(read.problems.empty())
      << read.problems.front().code << ": " << read.problems.front().message;
  ASSERT_EQ(read.records.size(), 7u);
  ASSERT_EQ(warcinfos.size(), 1u);
  const std::vector<WarcRecordLocation> written = {
      warcinfos[0],      exchange.request, exchange.response, revisit->request,
      revisit->response, *resource,        *metadata};
  std::string file = Slurp(path);
  for (size_t i = 0; i < written.size(); ++i) {
    ExpectSameLocation(written[i], read.records[i]);
    EXPECT_EQ(written[i].file_name, path.filename().string());
    // Random access: each member alone is a complete gzip file.
    std::string record = InflateOneMember(std::string_view(file).substr(
        written[i].offset, written[i].compressed_length));
    EXPECT_EQ(record.substr(0, 10), "WARC/1.1\r\n");
    // Plain member header: magic, deflate, FLG = 0 (no FEXTRA/FNAME).
    EXPECT_EQ(file.substr(written[i].offset, 4),
              std::string("\x1f\x8b\x08\x00", 4));
    EXPECT_EQ(record.substr(record.size() - 4), "\r\n\r\n");
  }

  const WarcRecordInfo& info = read.records[0];
  EXPECT_EQ(info.type, "warcinfo");
  EXPECT_EQ(info.fields.Get("WARC-Filename"), path.filename().string());
  EXPECT_EQ(info.content_type, "application/warc-fields");
  EXPECT_NE(read.blocks[0].find("isPartOf: my blog\r\n"), std::string::npos);
  EXPECT_NE(read.blocks[0].find("http-header-user-agent: rotguard-test\r\n"),
            std::string::npos);
  EXPECT_NE(read.blocks[0].find("format: WARC file version 1.1\r\n"),
            std::string::npos);
  for (size_t i = 1; i < read.records.size(); ++i) {
    EXPECT_EQ(read.records[i].fields.Get("WARC-Warcinfo-ID"), info.record_id);
    EXPECT_TRUE(RE2::FullMatch(
        read.records[i].record_id,
        "<urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]"
        "{3}-[0-9a-f]{12}>"));
    EXPECT_TRUE(RE2::FullMatch(read.records[i].date,
                               R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z)"));
  }

  const WarcRecordInfo& request = read.records[1];
  const WarcRecordInfo& response = read.records[2];
  EXPECT_EQ(request.content_type, "application/http; msgtype=request");
  EXPECT_EQ(request.http_request_line, "GET /a.html HTTP/1.1");
  EXPECT_EQ(request.fields.Get("WARC-Concurrent-To"), response.record_id);
  EXPECT_EQ(response.fields.Get("WARC-Concurrent-To"), request.record_id);
  EXPECT_EQ(request.date, response.date);
  EXPECT_EQ(request.target_uri, "http://example.com/a.html");
  EXPECT_EQ(response.fields.Get("WARC-IP-Address"), "127.0.0.1");
  EXPECT_EQ(response.content_type, "application/http; msgtype=response");
  EXPECT_EQ(response.http_status, 200);
  EXPECT_EQ(read.blocks[2], std::string(kHtmlHead) + "hello world");
  EXPECT_EQ(response.payload_digest, WarcSha1Label(Sha1("hello world")));
  EXPECT_EQ(exchange.response.payload_sha256, Sha256Hex("hello world"));
  EXPECT_EQ(exchange.response.block_digest,
            WarcSha1Label(Sha1(std::string(kHtmlHead) + "hello world")));
  EXPECT_EQ(exchange.response.payload_length, 11u);

  const WarcRecordInfo& rev = read.records[4];
  EXPECT_EQ(rev.type, "revisit");
  EXPECT_EQ(rev.fields.Get("WARC-Profile"),
            "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest");
  EXPECT_EQ(rev.fields.Get("WARC-Refers-To"), exchange.response.record_id);
  EXPECT_EQ(rev.fields.Get("WARC-Refers-To-Target-URI"),
            "http://example.com/a.html");
  EXPECT_EQ(rev.fields.Get("WARC-Refers-To-Date"), exchange.response.date);
  EXPECT_EQ(rev.fields.Get("WARC-Truncated"), "length");
  EXPECT_EQ(rev.fields.Get("WARC-Protocol"), "h2");
  EXPECT_EQ(rev.payload_digest, exchange.response.payload_digest);
  EXPECT_EQ(read.blocks[4], kHtmlHead);

  const WarcRecordInfo& res = read.records[5];
  EXPECT_EQ(res.content_type, "text/markdown");
  EXPECT_EQ(res.block_digest, res.payload_digest);
  EXPECT_EQ(read.blocks[5], "# Title\n");

  const WarcRecordInfo& md = read.records[6];
  EXPECT_EQ(md.content_type, "application/warc-fields");
  EXPECT_EQ(md.fields.Get("WARC-Concurrent-To"), exchange.response.record_id);
  EXPECT_FALSE(md.fields.Has("WARC-Payload-Digest"));
  EXPECT_EQ(read.blocks[6], "via: http://example.com/\r\nhopsFromSeed: E\r\n");
}

TEST(WarcWriterTest, EmptyBodyHasTheKnownEmptySha1PayloadDigest) {
  TempDir dir;
  auto writer = OpenWriter(Options(dir));
  WarcExchangeLocations locs = WriteHtml(*writer, "");
  EXPECT_EQ(locs.response.payload_digest,
            "sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ");
  EXPECT_EQ(locs.response.payload_length, 0u);
  ASSERT_TRUE(writer->Close().ok());
  ReadResult read = ReadFile(OnlyFile(dir));
  EXPECT_TRUE(read.problems.empty());
  ASSERT_EQ(read.records.size(), 3u);
  EXPECT_EQ(read.records[2].payload_digest,
            "sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ");
  // The request of a GET has an empty payload too.
  EXPECT_EQ(read.records[1].payload_digest,
            "sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ");
}

TEST(WarcWriterTest, BinaryBodyWithEveryByteValueRoundTrips) {
  TempDir dir;
  auto writer = OpenWriter(Options(dir));
  std::string body;
  for (int round = 0; round < 4; ++round) {
    for (int b = 0; b < 256; ++b) body.push_back(static_cast<char>(b));
  }
  WarcExchangeLocations locs = WriteHtml(*writer, body);
  ASSERT_TRUE(writer->Close().ok());
  ReadResult read = ReadFile(OnlyFile(dir), /*read_payloads=*/true);
  EXPECT_TRUE(read.problems.empty());
  ASSERT_EQ(read.payloads.size(), 3u);
  EXPECT_EQ(read.payloads[2], body);
  EXPECT_EQ(locs.response.payload_sha256, Sha256Hex(body));
}

TEST(WarcWriterTest,
     ChunkedBodyIsStoredDecodedWithRenamedHeaderAndFixedLength) {
  TempDir dir;
  auto writer = OpenWriter(Options(dir));
  const std::string head =
      "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
      "Transfer-Encoding: chunked\r\n\r\n";
  const std::string wire =
      "5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n";
  WarcHttpResponse response =
      writer->NewResponse(head, WarcBodyTransfer::kAsReceived);
  // One byte per call: chunk-size lines and CRLFs split everywhere.
  for (char c : wire) {
    ASSERT_TRUE(response.AppendBody(std::string_view(&c, 1)).ok());
  }
  Result<WarcExchangeLocations> locs = writer->WriteExchange(
      Capture("http://example.com/c"), kRequest, response);
  ASSERT_TRUE(locs.ok());
  EXPECT_TRUE(response.truncated().empty());
  EXPECT_EQ(locs->response.payload_digest, WarcSha1Label(Sha1("hello world")));
  EXPECT_EQ(locs->response.payload_length, 11u);
  ASSERT_TRUE(writer->Close().ok());

  ReadResult read = ReadFile(OnlyFile(dir));
  EXPECT_TRUE(read.problems.empty());
  ASSERT_EQ(read.blocks.size(), 3u);
  EXPECT_EQ(read.blocks[2],
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
            "X-Orig-Transfer-Encoding: chunked\r\nContent-Length: 11\r\n\r\n"
            "hello world");
  EXPECT_FALSE(read.records[2].http_chunked);
}

TEST(WarcWriterTest, UnfinishedChunkedBodyIsMarkedDisconnect) {
  TempDir dir;
  auto writer = OpenWriter(Options(dir));
  WarcHttpResponse response = writer->NewResponse(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
      WarcBodyTransfer::kAsReceived);
  ASSERT_TRUE(response.AppendBody("a\r\n0123").ok());
  Result<WarcExchangeLocations> locs = writer->WriteExchange(
      Capture("http://example.com/d"), kRequest, response);
  ASSERT_TRUE(locs.ok());
  EXPECT_EQ(locs->response.truncated, "disconnect");
  EXPECT_EQ(locs->response.payload_length, 4u);
  ASSERT_TRUE(writer->Close().ok());
  ReadResult read = ReadFile(OnlyFile(dir));
  EXPECT_TRUE(read.problems.empty());
  EXPECT_EQ(read.records[2].fields.Get("WARC-Truncated"), "disconnect");
}

// Parses a gzip member made of stored deflate blocks only (what the writer
// makes of bytes that do not compress) and returns what it holds; fails
// the test on any framing error: wrong header, a compressed block, LEN and
// NLEN that disagree, a block over 65,535 bytes, or a CRC-32/ISIZE trailer
// that does not match the content.
std::string ParseStoredMember(std::string_view member) {
  auto byte = [&](size_t i) { return static_cast<unsigned char>(member[i]); };
  auto u16 = [&](size_t i) { return byte(i) | (byte(i + 1) << 8); };
  auto u32 = [&](size_t i) {
    return static_cast<uint32_t>(u16(i)) |
           (static_cast<uint32_t>(u16(i + 2)) << 16);
  };
  std::string content;
  EXPECT_GE(member.size(), 10u + 5 + 8);
  if (member.size() < 23) return content;
  EXPECT_EQ(byte(0), 0x1f);
  EXPECT_EQ(byte(1), 0x8b);
  EXPECT_EQ(byte(2), 8);  // deflate
  EXPECT_EQ(byte(3), 0);  // no optional fields
  size_t at = 10;
  for (bool last = false; !last;) {
    if (at + 5 > member.size() - 8) {
      ADD_FAILURE() << "member ends inside a block header at " << at;
      return content;
    }
    EXPECT_EQ(byte(at) & 0x06, 0) << "not a stored block at " << at;
    last = (byte(at) & 1) != 0;
    unsigned len = u16(at + 1);
    EXPECT_EQ(len ^ 0xffffu, static_cast<unsigned>(u16(at + 3)));
    at += 5;
    if (at + len > member.size() - 8) {
      ADD_FAILURE() << "block of " << len << " runs past the member";
      return content;
    }
    content.append(member.substr(at, len));
    at += len;
  }
  EXPECT_EQ(at + 8, member.size()) << "bytes after the trailer";
  uLong crc = crc32(0L, reinterpret_cast<const Bytef*>(content.data()),
                    static_cast<uInt>(content.size()));
  EXPECT_EQ(u32(at), static_cast<uint32_t>(crc));
  EXPECT_EQ(u32(at + 4), static_cast<uint32_t>(content.size()));
  return content;
}

void ExpectIncompressibleBodyIsStoredBlocks(size_t memory_threshold) {
  TempDir dir;
  WarcWriterOptions options = Options(dir);
  options.body.memory_threshold = memory_threshold;
  options.body.temp_dir = dir.path();
  auto writer = OpenWriter(options);
  std::string body(300000, '\0');  // over four blocks' worth
  for (size_t i = 0; i < body.size(); ++i) {
    body[i] = static_cast<char>(i * 7 + i / 997);
  }
  const std::string head =
      "HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\n\r\n";
  WarcHttpResponse response =
      writer->NewResponse(head, WarcBodyTransfer::kDecoded);
  for (size_t at = 0; at < body.size(); at += 70001) {
    ASSERT_TRUE(response.AppendBody(body.substr(at, 70001)).ok());
  }
  EXPECT_EQ(response.body().spooled(), memory_threshold < body.size());
  Result<WarcExchangeLocations> locs = writer->WriteExchange(
      Capture("http://example.com/i.jpg"), kRequest, response);
  ASSERT_TRUE(locs.ok()) << locs.status().message();
  ASSERT_TRUE(writer->Close().ok());
  std::string file = Slurp(OnlyFile(dir));
  std::string content = ParseStoredMember(std::string_view(file).substr(
      locs->response.offset, locs->response.compressed_length));
  EXPECT_EQ(content.rfind("WARC/1.1\r\nWARC-Type: response\r\n", 0), 0u);
  const std::string block_and_trailer = head + body + "\r\n\r\n";
  ASSERT_GE(content.size(), block_and_trailer.size());
  EXPECT_TRUE(content.compare(content.size() - block_and_trailer.size(),
                              block_and_trailer.size(),
                              block_and_trailer) == 0);
  EXPECT_TRUE(ReadFile(OnlyFile(dir)).problems.empty());
}

TEST(WarcWriterTest, IncompressibleBodyInMemoryIsWrittenAsStoredBlocks) {
  ExpectIncompressibleBodyIsStoredBlocks(/*memory_threshold=*/1 << 20);
}

TEST(WarcWriterTest, IncompressibleSpooledBodyIsWrittenAsStoredBlocks) {
  ExpectIncompressibleBodyIsStoredBlocks(/*memory_threshold=*/4096);
}

TEST(WarcWriterTest, MaxSizeTruncationIsRecorded) {
  TempDir dir;
  auto writer = OpenWriter(Options(dir));
  WarcHttpResponse response =
      writer->NewResponse(kHtmlHead, WarcBodyTransfer::kDecoded);
  ASSERT_TRUE(response.AppendBody("hello").ok());
  response.MarkTruncated(kWarcTruncatedLength);
  Result<WarcExchangeLocations> locs = writer->WriteExchange(
      Capture("http://example.com/e"), kRequest, response);
  ASSERT_TRUE(locs.ok());
  ASSERT_TRUE(writer->Close().ok());
  ReadResult read = ReadFile(OnlyFile(dir));
  EXPECT_TRUE(read.problems.empty());
  EXPECT_EQ(read.records[2].fields.Get("WARC-Truncated"), "length");
}

TEST(WarcWriterTest, IncompressibleMediaIsStoredAtLevelZeroInValidGzip) {
  TempDir dir;
  auto writer = OpenWriter(Options(dir));
  const std::string body(200000, 'x');  // would shrink 100x if deflated
  WarcHttpResponse response =
      writer->NewResponse("HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\n\r\n",
                          WarcBodyTransfer::kDecoded);
  ASSERT_TRUE(response.AppendBody(body).ok());
  Result<WarcExchangeLocations> locs = writer->WriteExchange(
      Capture("http://example.com/i.jpg"), kRequest, response);
  ASSERT_TRUE(locs.ok());
  EXPECT_GT(locs->response.compressed_length, body.size());
  WarcExchangeLocations html = WriteHtml(*writer, body);
  EXPECT_LT(html.response.compressed_length, body.size() / 20);
  ASSERT_TRUE(writer->Close().ok());
  ExpectMemberHolds(dir, locs->response, body);
}

// A large body whose first 64 KiB do not shrink is stored whatever its
// type says; a large one that shrinks is still deflated.
TEST(WarcWriterTest, LargeBodyThatDoesNotShrinkIsStoredWhateverItsType) {
  TempDir dir;
  WarcWriterOptions options = Options(dir);
  options.body.memory_threshold = 64 * 1024;  // the random body is spooled
  options.body.temp_dir = dir.path();
  auto writer = OpenWriter(options);
  std::string noise(512 * 1024, '\0');
  uint64_t state = 88172645463325252ull;  // xorshift64: no repeats to find
  for (char& c : noise) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    c = static_cast<char>(state >> 56);
  }
  WarcHttpResponse response = writer->NewResponse(
      "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n\r\n",
      WarcBodyTransfer::kDecoded);
  ASSERT_TRUE(response.AppendBody(noise).ok());
  WarcBody small_noise;
  ASSERT_TRUE(small_noise.Append(noise.substr(0, 100 * 1024)).ok());
  EXPECT_FALSE(WarcBodyDoesNotShrink(small_noise));  // too small to try
  WarcBody big_noise;
  ASSERT_TRUE(big_noise.Append(noise).ok());
  EXPECT_TRUE(WarcBodyDoesNotShrink(big_noise));
  WarcBody big_text;
  ASSERT_TRUE(big_text.Append(std::string(512 * 1024, 'x')).ok());
  EXPECT_FALSE(WarcBodyDoesNotShrink(big_text));
  Result<WarcExchangeLocations> stored = writer->WriteExchange(
      Capture("http://example.com/blob"), kRequest, response);
  ASSERT_TRUE(stored.ok()) << stored.status().message();
  // Level 0 adds a few bytes per 64 KiB block; level 1 on noise would
  // also expand, but spends the CPU. The record reads back either way.
  EXPECT_GT(stored->response.compressed_length, noise.size());
  WarcExchangeLocations text = WriteHtml(*writer, std::string(512 * 1024, 'x'));
  EXPECT_LT(text.response.compressed_length, 512 * 1024 / 20);
  ASSERT_TRUE(writer->Close().ok());
  ExpectMemberHolds(dir, stored->response, noise);
}

TEST(WarcWriterTest, SpooledBodyIsStreamedThroughZlibAndReadsBack) {
  TempDir dir;
  WarcWriterOptions options = Options(dir);
  options.body.memory_threshold = 1024;
  options.body.temp_dir = dir.path();
  auto writer = OpenWriter(options);
  std::string body;
  for (int i = 0; i < 20000; ++i) body += std::to_string(i * 7919) + ",";
  WarcHttpResponse response =
      writer->NewResponse(kHtmlHead, WarcBodyTransfer::kDecoded);
  for (size_t pos = 0; pos < body.size(); pos += 1000) {
    ASSERT_TRUE(response.AppendBody(body.substr(pos, 1000)).ok());
  }
  Result<WarcExchangeLocations> locs = writer->WriteExchange(
      Capture("http://example.com/big"), kRequest, response);
  ASSERT_TRUE(locs.ok()) << locs.status().message();
  Result<WarcRecordLocation> resource =
      writer->WriteResource(Capture("file:big.txt"), "text/plain", body);
  ASSERT_TRUE(resource.ok());
  ASSERT_TRUE(writer->Close().ok());
  // Only the WARC itself: spool files are anonymous.
  std::filesystem::path path = OnlyFile(dir);
  ReadResult read = ReadFile(path, /*read_payloads=*/true);
  EXPECT_TRUE(read.problems.empty());
  ASSERT_EQ(read.payloads.size(), 4u);
  EXPECT_EQ(read.payloads[2], body);
  EXPECT_EQ(read.payloads[3], body);
  EXPECT_EQ(read.records[2].offset, locs->response.offset);
  EXPECT_EQ(read.records[2].length, locs->response.compressed_length);
  EXPECT_EQ(read.records[3].length, resource->compressed_length);
  EXPECT_LT(locs->response.compressed_length, body.size() / 2);
}

TEST(WarcWriterTest, RollsAtMaxSizeAndEveryFileStartsWithWarcinfo) {
  TempDir dir;
  WarcWriterOptions options = Options(dir);
  options.max_file_size = 4000;
  std::vector<WarcFileSummary> closed;
  options.on_file_closed = [&](const WarcFileSummary& s) {
    closed.push_back(s);
  };
  uint64_t serial = 41;
  options.next_serial = [&] { return serial++; };
  auto writer = OpenWriter(options);
  std::vector<WarcExchangeLocations> all;
  for (int i = 0; i < 12; ++i) {
    all.push_back(WriteHtml(*writer, std::string(700, 'a' + i % 26) +
                                         std::to_string(i) + "\x01\xff"));
  }
  ASSERT_TRUE(writer->Close().ok());
  std::vector<std::filesystem::path> files = ListDir(dir.path());
  ASSERT_GE(files.size(), 3u);
  ASSERT_EQ(closed.size(), files.size());
  size_t records = 0;
  for (size_t i = 0; i < files.size(); ++i) {
    EXPECT_TRUE(
        RE2::FullMatch(files[i].filename().string(),
                       R"(rotguard-\d{14}-000(4[1-9]|5\d)-testhost\.warc\.gz)"))
        << files[i];
    ReadResult read = ReadFile(files[i]);
    EXPECT_TRUE(read.problems.empty());
    ASSERT_FALSE(read.records.empty());
    EXPECT_EQ(read.records[0].type, "warcinfo");
    // Pairs are never split across files.
    EXPECT_EQ(read.records.size() % 2, 1u);
    records += read.records.size() - 1;
    std::string bytes = Slurp(files[i]);
    EXPECT_LE(bytes.size(), 4000u + 1000u);
    EXPECT_EQ(closed[i].sha256, Sha256Hex(bytes));
    EXPECT_EQ(closed[i].size, bytes.size());
    EXPECT_EQ(closed[i].record_count, read.records.size());
  }
  EXPECT_EQ(records, 24u);
}

TEST(WarcWriterTest, OversizedRecordMakesAnOversizedFileInsteadOfSplitting) {
  TempDir dir;
  WarcWriterOptions options = Options(dir);
  options.max_file_size = 100;
  auto writer = OpenWriter(options);
  WriteHtml(*writer, "first");
  WriteHtml(*writer, "second");
  ASSERT_TRUE(writer->Close().ok());
  std::vector<std::filesystem::path> files = ListDir(dir.path());
  ASSERT_EQ(files.size(), 2u);
  for (const auto& file : files) {
    EXPECT_EQ(ReadFile(file).records.size(), 3u);
  }
}

TEST(WarcWriterTest, FileIsWrittenAsOpenAndRenamedOnClose) {
  TempDir dir;
  auto writer = OpenWriter(Options(dir));
  EXPECT_EQ(writer->current_file_name(), "");
  WarcExchangeLocations locs = WriteHtml(*writer, "x");
  std::string name = writer->current_file_name();
  EXPECT_EQ(name, locs.response.file_name);
  ASSERT_TRUE(writer->Sync().ok());
  EXPECT_TRUE(std::filesystem::exists(dir.path() / (name + ".open")));
  EXPECT_FALSE(std::filesystem::exists(dir.path() / name));
  ASSERT_TRUE(writer->Close().ok());
  EXPECT_FALSE(std::filesystem::exists(dir.path() / (name + ".open")));
  EXPECT_TRUE(std::filesystem::exists(dir.path() / name));
  EXPECT_EQ(writer->current_file_name(), "");
}

TEST(WarcWriterTest, HeaderValuesCannotInjectLinesIntoTheHeader) {
  TempDir dir;
  auto writer = OpenWriter(Options(dir));
  WarcHttpResponse response =
      writer->NewResponse(kHtmlHead, WarcBodyTransfer::kDecoded);
  Result<WarcExchangeLocations> locs = writer->WriteExchange(
      Capture("http://e.com/\r\nWARC-Type: evil"), kRequest, response);
  ASSERT_TRUE(locs.ok());
  ASSERT_TRUE(writer->Close().ok());
  ReadResult read = ReadFile(OnlyFile(dir));
  EXPECT_TRUE(read.problems.empty());
  ASSERT_EQ(read.records.size(), 3u);
  EXPECT_EQ(read.records[2].type, "response");
  EXPECT_EQ(read.records[2].fields.GetAll("WARC-Type").size(), 1u);
}

// Caps the size of files this process writes (RLIMIT_FSIZE) and makes
// writes past it fail with EFBIG instead of SIGXFSZ, until destroyed.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(uint64_t bytes) {
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    ::sigaction(SIGXFSZ, &ignore, &old_action_);
    ::getrlimit(RLIMIT_FSIZE, &old_limit_);
    rlimit limit = old_limit_;
    limit.rlim_cur = bytes;
    ::setrlimit(RLIMIT_FSIZE, &limit);
  }
  FileSizeLimit(const FileSizeLimit&) = delete;
  FileSizeLimit& operator=(const FileSizeLimit&) = delete;
  ~FileSizeLimit() {
    ::setrlimit(RLIMIT_FSIZE, &old_limit_);
    ::sigaction(SIGXFSZ, &old_action_, nullptr);
  }

 private:
  struct sigaction old_action_ {};
  rlimit old_limit_{};
};

// Lets the file grow by only 100 bytes, so a big write fails midway; the
// failure must name the file and leave no torn member behind.
void ExpectFailedWriteIsRolledBack(bool spooled) {
  TempDir dir;
  WarcWriterOptions options = Options(dir);
  if (spooled) options.body.memory_threshold = 4096;  // streamed via zlib
  std::vector<WarcFileSummary> closed;
  options.on_file_closed = [&](const WarcFileSummary& s) {
    closed.push_back(s);
  };
  auto writer = OpenWriter(options);
  WarcExchangeLocations first = WriteHtml(*writer, "kept");
  ASSERT_TRUE(writer->Sync().ok());
  uint64_t good_size = first.response.offset + first.response.compressed_length;

  // The body spools before the limit (the limit would hit the spool too).
  WarcHttpResponse big =
      writer->NewResponse("HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\r\n",
                          WarcBodyTransfer::kDecoded);
  ASSERT_TRUE(big.AppendBody(std::string(100000, 'p')).ok());
  Result<WarcExchangeLocations> failed = Status::Internal("not run");
  {
    FileSizeLimit limit(good_size + 100);
    failed = writer->WriteExchange(Capture("http://example.com/big.png"),
                                   kRequest, big);
  }
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.status().message().find(first.response.file_name),
            std::string::npos)
      << failed.status().message();
  // The writer is still usable, and the file holds no torn member.
  WarcExchangeLocations after = WriteHtml(*writer, "after");
  EXPECT_EQ(after.request.offset, good_size);
  ASSERT_TRUE(writer->Close().ok());
  ReadResult read = ReadFile(OnlyFile(dir));
  EXPECT_TRUE(read.problems.empty());
  EXPECT_EQ(read.records.size(), 5u);
  // The file's sha256 never saw the bytes that were cut off.
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_EQ(closed[0].sha256, Sha256Hex(Slurp(OnlyFile(dir))));
}

TEST(WarcWriterTest, FailedWriteNamesTheFileAndKeepsEarlierRecords) {
  ExpectFailedWriteIsRolledBack(/*spooled=*/false);
}

TEST(WarcWriterTest, FailedStreamedWriteOfASpooledBodyIsRolledBack) {
  ExpectFailedWriteIsRolledBack(/*spooled=*/true);
}

// Through the Env: a failed append (a short write, as ENOSPC gives) is
// cut back and the writer goes on; a failed rollback or fdatasync breaks
// it for good, as bytes already written may not be durable.
TEST(WarcWriterTest, FailedAppendThroughTheEnvIsCutBackAndWritingGoesOn) {
  TempDir dir;
  FaultInjectingEnv env;
  WarcWriterOptions options = Options(dir);
  options.env = &env;
  auto writer = OpenWriter(options);
  WarcExchangeLocations first = WriteHtml(*writer, "kept");
  uint64_t good_size = first.response.offset + first.response.compressed_length;
  env.FailCall(env.calls() + 1, ENOSPC);  // the next append
  WarcHttpResponse response =
      writer->NewResponse(kHtmlHead, WarcBodyTransfer::kDecoded);
  ASSERT_TRUE(response.AppendBody("lost").ok());
  Result<WarcExchangeLocations> failed = writer->WriteExchange(
      Capture("http://example.com/b.html"), kRequest, response);
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.status().message().find("No space left on device"),
            std::string::npos);
  WarcExchangeLocations after = WriteHtml(*writer, "after");
  EXPECT_EQ(after.request.offset, good_size);
  ASSERT_TRUE(writer->Sync().ok());
  ASSERT_TRUE(writer->Close().ok());
  ReadResult read = ReadFile(OnlyFile(dir));
  EXPECT_TRUE(read.problems.empty());
  EXPECT_EQ(read.records.size(), 5u);
}

// A spooled body that is stored reaches the file as block frames and
// kernel copies from its spool file (AppendFromFile). Whichever of those
// calls fails, the group is cut back and the next exchange starts where
// the failed one began.
TEST(WarcWriterTest, FailedKernelCopyOfASpooledStoredBodyIsCutBack) {
  bool failed_a_copy = false;
  for (uint64_t n = 1; n < 100; ++n) {
    TempDir dir;
    FaultInjectingEnv env;
    WarcWriterOptions options = Options(dir);
    options.env = &env;
    options.body.memory_threshold = 4096;  // spooled
    auto writer = OpenWriter(options);
    WarcExchangeLocations first = WriteHtml(*writer, "kept");
    uint64_t good_size =
        first.response.offset + first.response.compressed_length;
    WarcHttpResponse big = writer->NewResponse(
        "HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\r\n",
        WarcBodyTransfer::kDecoded);
    ASSERT_TRUE(big.AppendBody(std::string(200000, 'p')).ok());
    env.FailCall(env.calls() + n, ENOSPC);
    Result<WarcExchangeLocations> failed = writer->WriteExchange(
        Capture("http://example.com/big.png"), kRequest, big);
    if (failed.ok()) break;  // past the exchange's last call
    failed_a_copy |= env.first_failure().rfind("AppendFromFile", 0) == 0;
    WarcExchangeLocations after = WriteHtml(*writer, "after");
    EXPECT_EQ(after.request.offset, good_size) << "failed call " << n;
    ASSERT_TRUE(writer->Close().ok());
    ReadResult read = ReadFile(OnlyFile(dir));
    EXPECT_TRUE(read.problems.empty()) << "failed call " << n;
    EXPECT_EQ(read.records.size(), 5u);
  }
  EXPECT_TRUE(failed_a_copy);
}

// The block digest of a response stored as received is taken with the
// payload digests (two SHA-1 lanes): it must be the SHA-1 of head + body
// whether the body stayed in memory or was spooled, for appends of any
// size.
TEST(WarcWriterTest, BlockDigestIsSha1OfHeadAndBodyInMemoryAndSpooled) {
  std::string body(300007, '\0');
  for (size_t i = 0; i < body.size(); ++i) {
    body[i] = static_cast<char>(i * 31 + i / 251);
  }
  const std::string head =
      "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Pad: abc\r\n\r\n";
  for (size_t threshold : {size_t{1} << 20, size_t{4096}}) {
    TempDir dir;
    WarcWriterOptions options = Options(dir);
    options.body.memory_threshold = threshold;
    auto writer = OpenWriter(options);
    WarcHttpResponse response =
        writer->NewResponse(head, WarcBodyTransfer::kDecoded);
    for (size_t at = 0; at < body.size(); at += 4099) {
      ASSERT_TRUE(response.AppendBody(body.substr(at, 4099)).ok());
    }
    Result<WarcExchangeLocations> locs = writer->WriteExchange(
        Capture("http://example.com/t.txt"), kRequest, response);
    ASSERT_TRUE(locs.ok()) << locs.status().message();
    EXPECT_EQ(response.body().spooled(), threshold < body.size());
    EXPECT_EQ(locs->response.block_digest, WarcSha1Label(Sha1(head + body)));
    EXPECT_EQ(locs->response.payload_digest, WarcSha1Label(Sha1(body)));
    EXPECT_EQ(locs->response.payload_sha256, Sha256Hex(body));
    ASSERT_TRUE(writer->Close().ok());
    EXPECT_TRUE(ReadFile(OnlyFile(dir)).problems.empty());
  }
}

TEST(WarcWriterTest, FailedSyncBreaksTheWriterAndTheFileStaysOpen) {
  TempDir dir;
  FaultInjectingEnv env;
  WarcWriterOptions options = Options(dir);
  options.env = &env;
  int closed = 0;
  options.on_file_closed = [&](const WarcFileSummary&) { ++closed; };
  auto writer = OpenWriter(options);
  WriteHtml(*writer, "written");
  env.FailCall(env.calls() + 1, EIO);  // the fdatasync
  Status sync = writer->Sync();
  EXPECT_NE(sync.message().find("Input/output error"), std::string::npos);
  // A retried fsync could report success for pages the kernel dropped.
  EXPECT_FALSE(writer->Sync().ok());
  WarcHttpResponse response =
      writer->NewResponse(kHtmlHead, WarcBodyTransfer::kDecoded);
  ASSERT_TRUE(response.AppendBody("refused").ok());
  EXPECT_FALSE(writer
                   ->WriteExchange(Capture("http://example.com/c.html"),
                                   kRequest, response)
                   .ok());
  EXPECT_FALSE(writer->Close().ok());
  EXPECT_EQ(closed, 0);
  std::filesystem::path left = OnlyFile(dir);
  EXPECT_EQ(left.extension(), ".open");  // for repair to look at
  EXPECT_TRUE(ReadFile(left).problems.empty());
}

TEST(WarcWriterTest, ThreadsSharingAWriterProduceWholeFilesThatRollCleanly) {
  TempDir dir;
  WarcWriterOptions options = Options(dir);
  options.max_file_size = 20000;
  auto writer = OpenWriter(options);
  constexpr int kThreads = 4;
  constexpr int kPerThread = 40;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        WarcHttpResponse response =
            writer->NewResponse(kHtmlHead, WarcBodyTransfer::kDecoded);
        std::string body(500 + i, static_cast<char>('a' + t));
        if (!response.AppendBody(body).ok()) ++failures;
        WarcCapture capture =
            Capture("http://example.com/" + std::to_string(t * 1000 + i));
        if (!writer->WriteExchange(capture, kRequest, response).ok()) {
          ++failures;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  ASSERT_TRUE(writer->Close().ok());
  EXPECT_EQ(failures.load(), 0);
  size_t exchanges = 0;
  size_t records = 0;
  std::set<std::string> ids;  // ids come from per-thread random pools
  std::vector<std::filesystem::path> files = ListDir(dir.path());
  EXPECT_GT(files.size(), 1u);
  for (const auto& file : files) {
    ReadResult read = ReadFile(file);
    EXPECT_TRUE(read.problems.empty()) << file;
    ASSERT_FALSE(read.records.empty());
    const std::string& info_id = read.records[0].record_id;
    records += read.records.size();
    for (const WarcRecordInfo& record : read.records) {
      ids.insert(record.record_id);
    }
    for (size_t i = 1; i < read.records.size(); ++i) {
      // Every record names the warcinfo of the file it is in.
      EXPECT_EQ(read.records[i].fields.Get("WARC-Warcinfo-ID"), info_id);
    }
    for (size_t i = 1; i + 1 < read.records.size(); i += 2) {
      EXPECT_EQ(read.records[i].fields.Get("WARC-Concurrent-To"),
                read.records[i + 1].record_id);
    }
    exchanges += (read.records.size() - 1) / 2;
  }
  EXPECT_EQ(exchanges, size_t{kThreads * kPerThread});
  EXPECT_EQ(ids.size(), records) << "a WARC-Record-ID was used twice";
}

TEST(WarcWriterTest, FormatWarcDateHasMicrosecondsInUtc) {
  auto when = std::chrono::system_clock::time_point(
      std::chrono::microseconds(1700000000123456LL));
  EXPECT_EQ(FormatWarcDate(when), "2023-11-14T22:13:20.123456Z");
}

}  // namespace
}  // namespace rotguard

namespace rotguard {
namespace {

long MaxRssKiB() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

#if defined(__SANITIZE_ADDRESS__)
constexpr uint64_t kLargeBody = uint64_t{16} << 20;  // ASan is ~10x slower
#else
constexpr uint64_t kLargeBody = uint64_t{100} << 20;
#endif

TEST(WarcWriterTest, LargeBodyStreamsThroughWriterAndReaderWithFlatMemory) {
  TempDir dir;
  WarcWriterOptions options = Options(dir);
  options.body.temp_dir = dir.path();
  auto writer = OpenWriter(options);
  long rss_before = MaxRssKiB();

  WarcHttpResponse response = writer->NewResponse(
      "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n\r\n",
      WarcBodyTransfer::kDecoded);
  Hasher expected(DigestAlgorithm::kSha256);
  std::string chunk(64 << 10, '\0');
  uint64_t state = 0x9e3779b97f4a7c15ULL;
  for (uint64_t sent = 0; sent < kLargeBody; sent += chunk.size()) {
    for (size_t i = 0; i < chunk.size(); i += 8) {
      state ^= state << 13;
      state ^= state >> 7;
      state ^= state << 17;
      // Half random, half text: compresses, but not to nothing.
      chunk[i] = static_cast<char>(state);
      chunk[i + 1] = static_cast<char>(state >> 8);
      chunk[i + 2] = static_cast<char>(state >> 16);
      chunk[i + 3] = static_cast<char>(state >> 24);
      chunk.replace(i + 4, 4, "abcd");
    }
    expected.Update(chunk);
    ASSERT_TRUE(response.AppendBody(chunk).ok());
  }
  Result<WarcExchangeLocations> locs = writer->WriteExchange(
      Capture("http://example.com/large.bin"), kRequest, response);
  ASSERT_TRUE(locs.ok()) << locs.status().message();
  std::string expected_sha256 = HexEncode(expected.Final());
  EXPECT_EQ(locs->response.payload_sha256, expected_sha256);
  EXPECT_EQ(locs->response.payload_length, kLargeBody);
  ASSERT_TRUE(writer->Close().ok());

  Result<std::unique_ptr<WarcReader>> reader =
      WarcReader::Open(dir.path() / locs->response.file_name);
  ASSERT_TRUE(reader.ok());
  ASSERT_TRUE((*reader)->Seek(locs->response.offset).ok());
  Result<bool> more = (*reader)->Next();
  ASSERT_TRUE(more.ok() && *more);
  Hasher got(DigestAlgorithm::kSha256);
  uint64_t total = 0;
  for (;;) {
    Result<size_t> n = (*reader)->ReadPayload(chunk.data(), chunk.size());
    ASSERT_TRUE(n.ok());
    if (*n == 0) break;
    got.Update(std::string_view(chunk.data(), *n));
    total += *n;
  }
  ASSERT_TRUE((*reader)->FinishRecord().ok());
  EXPECT_EQ(total, kLargeBody);
  EXPECT_EQ(HexEncode(got.Final()), expected_sha256);
  EXPECT_TRUE((*reader)->record().problems.empty());
  EXPECT_EQ((*reader)->record().length, locs->response.compressed_length);

  long growth_kib = MaxRssKiB() - rss_before;
#if defined(__SANITIZE_THREAD__)
  (void)growth_kib;  // TSan's shadow memory is in the RSS
#else
  EXPECT_LT(growth_kib, 32 * 1024)
      << "max RSS grew by " << growth_kib << " KiB";
#endif
}

}  // namespace
}  // namespace rotguard
