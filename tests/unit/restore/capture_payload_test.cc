#include "restore/capture_payload.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "rotguard/restore.h"
#include "unit/restore/test_store.h"
#include "unit/test_support/compress.h"

namespace rotguard {
namespace {

using testing::Gzip;
using testing::TestStore;

TEST(ParseCaptureTime, AcceptsShortTimestampsAsTheirEarliestInstant) {
  EXPECT_EQ(*ParseCaptureTime("2020"), 1577836800LL * 1000000);
  EXPECT_EQ(*ParseCaptureTime("20200208"), 1581120000LL * 1000000);
  EXPECT_EQ(*ParseCaptureTime("20200208100000"), 1581156000LL * 1000000);
}

TEST(ParseCaptureTime, AcceptsRfc3339WithOffsetAndFraction) {
  EXPECT_EQ(*ParseCaptureTime("2020-02-08T10:00:00Z"), 1581156000LL * 1000000);
  EXPECT_EQ(*ParseCaptureTime("2020-02-08T11:00:00.5+01:00"),
            1581156000LL * 1000000 + 500000);
}

TEST(ParseCaptureTime, RejectsOddLengthsAndGarbage) {
  for (const char* bad :
       {"202", "20201", "202013", "yesterday", "2020-02-08 10:00",
        "2020-13-01T00:00:00Z", "123456789012345"}) {
    EXPECT_EQ(ParseCaptureTime(bad).status().code(),
              ErrorCode::kInvalidArgument)
        << bad;
  }
}

TEST(DecodeContentEncoding, DecodesGzipDeflateAndIdentity) {
  std::string text(5000, 'x');
  EXPECT_EQ(*DecodeContentEncoding(Gzip(text), "gzip"), text);
  EXPECT_EQ(*DecodeContentEncoding(Gzip(text) + Gzip("y"), "x-gzip"),
            text + "y");
  EXPECT_EQ(*DecodeContentEncoding("abc", "identity"), "abc");
  EXPECT_EQ(DecodeContentEncoding("abc", "zstd").status().code(),
            ErrorCode::kNotSupported);
  EXPECT_EQ(DecodeContentEncoding("not gzip", "gzip").status().code(),
            ErrorCode::kCorruption);
}

TEST(ResolveCapture, DefaultIsTheLatest2xxAndAtPicksTheNearest) {
  TestStore t;
  t.AddResponse("https://example.com/p", "HTTP/1.1 200 OK", "old", 1000);
  t.AddResponse("https://example.com/p", "HTTP/1.1 200 OK", "new", 3000);
  t.AddResponse("https://example.com/p", "HTTP/1.1 503 No", "err", 4000);
  t.Commit();
  auto latest = ResolveCapture(t.manifest(), t.warc_dir(),
                               "https://EXAMPLE.com/p", std::nullopt);
  ASSERT_TRUE(latest.ok()) << latest.status().ToString();
  EXPECT_EQ(latest->final_capture().captured_at_us, 3000LL * 1000000);
  auto near = ResolveCapture(t.manifest(), t.warc_dir(),
                             "https://example.com/p", 1400LL * 1000000);
  ASSERT_TRUE(near.ok());
  auto payload = ReadCapturePayload(t.manifest(), t.warc_dir(),
                                    near->final_capture(), true);
  ASSERT_TRUE(payload.ok());
  EXPECT_EQ(payload->bytes, "old");
}

TEST(ResolveCapture, UnknownUrlIsNotFound) {
  TestStore t;
  t.AddResponse("https://example.com/p", "HTTP/1.1 200 OK", "x", 1000);
  t.Commit();
  auto r = ResolveCapture(t.manifest(), t.warc_dir(), "https://nope.example/",
                          std::nullopt);
  EXPECT_EQ(r.status().code(), ErrorCode::kNotFound);
}

TEST(ResolveCapture, FollowsTheRecordedChainToTheFinalGzipPage) {
  TestStore t;
  const std::string final_url = "https://www.ehackingnews.com/2020/02/x.html";
  t.AddResponse("https://ift.tt/x",
                "HTTP/1.1 301 Moved\r\nLocation: https://feeds.example/x", "",
                1000, "chain-1", 0, final_url);
  t.AddResponse("https://feeds.example/x",
                "HTTP/1.1 302 Found\r\nLocation: " + final_url, "", 1001,
                "chain-1", 1, final_url);
  t.AddResponse(final_url,
                "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
                "Content-Encoding: gzip",
                Gzip("<h1>article</h1>"), 1002, "chain-1", 2, final_url);
  t.Commit();
  auto r = ResolveCapture(t.manifest(), t.warc_dir(), "https://ift.tt/x",
                          std::nullopt);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->hops.size(), 2u);  // the chain jumps to its final hop
  EXPECT_EQ(r->final_capture().url, final_url);
  auto payload =
      ReadCapturePayload(t.manifest(), t.warc_dir(), r->final_capture(), true);
  ASSERT_TRUE(payload.ok()) << payload.status().ToString();
  EXPECT_EQ(payload->bytes, "<h1>article</h1>");
  EXPECT_EQ(payload->content_type, "text/html");
}

TEST(ResolveCapture, FollowsLocationWhenNoChainWasRecorded) {
  TestStore t;
  t.AddResponse("https://bit.ly/y", "HTTP/1.1 301 Moved\r\nLocation: /target",
                "", 1000);
  t.AddResponse("https://bit.ly/target", "HTTP/1.1 200 OK", "landed", 1001);
  t.Commit();
  auto r = ResolveCapture(t.manifest(), t.warc_dir(), "https://bit.ly/y",
                          std::nullopt);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->final_capture().url, "https://bit.ly/target");
}

TEST(ReadCapturePayload, RevisitGivesTheOriginalsBytes) {
  TestStore t;
  CaptureRow original = t.AddResponse(
      "https://1.bp.blogspot.com/a/s1600/p.jpg",
      "HTTP/1.1 200 OK\r\nContent-Type: image/jpeg", "JPEGBYTES", 1000);
  t.AddRevisit("https://1.bp.blogspot.com/a/s640/p.jpg",
               "HTTP/1.1 200 OK\r\nContent-Type: image/jpeg", original, 2000);
  t.Commit();
  auto r =
      ResolveCapture(t.manifest(), t.warc_dir(),
                     "https://1.bp.blogspot.com/a/s640/p.jpg", std::nullopt);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->final_capture().revisit_of.empty());
  auto payload =
      ReadCapturePayload(t.manifest(), t.warc_dir(), r->final_capture(), true);
  ASSERT_TRUE(payload.ok()) << payload.status().ToString();
  EXPECT_EQ(payload->bytes, "JPEGBYTES");
}

TEST(DecodedSizeLimit, IsOneGibOr200TimesTheStoredSizeUnlessConfigured) {
  constexpr uint64_t kGib = uint64_t{1} << 30;
  EXPECT_EQ(DecodedSizeLimit(0, 0), kGib);
  EXPECT_EQ(DecodedSizeLimit(0, 1000), kGib);
  EXPECT_EQ(DecodedSizeLimit(0, 10000000), 2000000000u);
  EXPECT_EQ(DecodedSizeLimit(4096, 10 * kGib), 4096u);
}

// The decoded body reaches the sink in pieces as it is inflated: memory
// does not grow with a body that inflates 1000-fold.
TEST(StreamCapturePayload, DeliversTheDecodedBodyInBoundedPieces) {
  TestStore t;
  const std::string body(4 << 20, '\0');
  CaptureRow c = t.AddResponse(
      "https://bomb.example/z",
      "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
      "Content-Encoding: gzip",
      Gzip(body), 1000);
  t.Commit();
  uint64_t total = 0;
  size_t largest = 0;
  auto head = StreamCapturePayload(t.manifest(), t.warc_dir(), c, {},
                                   [&](std::string_view piece) {
                                     total += piece.size();
                                     largest = std::max(largest, piece.size());
                                     return Status::Ok();
                                   });
  ASSERT_TRUE(head.ok()) << head.status().ToString();
  EXPECT_EQ(total, body.size());
  EXPECT_LE(largest, size_t{256} << 10);
  EXPECT_TRUE(head->bytes.empty());
  EXPECT_EQ(head->content_encoding, "");  // decoded
  EXPECT_LT(head->stored_size, 64u << 10);
}

TEST(StreamCapturePayload, PastTheDecodedLimitIsResourceExhaustedNamingTheUrl) {
  TestStore t;
  CaptureRow c = t.AddResponse("https://bomb.example/z",
                               "HTTP/1.1 200 OK\r\nContent-Encoding: gzip",
                               Gzip(std::string(1 << 20, 'a')), 1000);
  t.Commit();
  PayloadReadOptions options;
  options.max_decoded = 100000;
  uint64_t total = 0;
  auto head = StreamCapturePayload(t.manifest(), t.warc_dir(), c, options,
                                   [&](std::string_view piece) {
                                     total += piece.size();
                                     return Status::Ok();
                                   });
  ASSERT_EQ(head.status().code(), ErrorCode::kResourceExhausted);
  EXPECT_NE(head.status().message().find("https://bomb.example/z"),
            std::string::npos);
  EXPECT_NE(head.status().message().find("--max-decoded-size"),
            std::string::npos);
  EXPECT_LE(total, 100000u);
}

TEST(StreamCapturePayload, ASinkErrorIsReturnedAsItIs) {
  TestStore t;
  CaptureRow c = t.AddResponse("https://e.example/",
                               "HTTP/1.1 200 OK\r\nContent-Encoding: gzip",
                               Gzip("hello"), 1000);
  t.Commit();
  auto head = StreamCapturePayload(
      t.manifest(), t.warc_dir(), c, {},
      [](std::string_view) { return Status::IOError("disk full"); });
  EXPECT_EQ(head.status().code(), ErrorCode::kIOError);
  EXPECT_EQ(head.status().message(), "disk full");
}

TEST(StreamCapturePayload, CorruptGzipIsCorruptionNamingTheUrl) {
  TestStore t;
  CaptureRow c = t.AddResponse("https://e.example/",
                               "HTTP/1.1 200 OK\r\nContent-Encoding: gzip",
                               "not gzip at all", 1000);
  t.Commit();
  auto head =
      StreamCapturePayload(t.manifest(), t.warc_dir(), c, {},
                           [](std::string_view) { return Status::Ok(); });
  EXPECT_EQ(head.status().code(), ErrorCode::kCorruption);
  EXPECT_EQ(head.status().message().rfind("https://e.example/", 0), 0u);
}

// restore reads every record through one held reader per WARC file; the
// reader's position after one record must not leak into the next.
std::string ReadThrough(TestStore& t, const CaptureRow& c,
                        restore::WarcReaders* readers) {
  Result<CaptureRow> record = restore::PayloadRecordOf(t.manifest(), c);
  EXPECT_TRUE(record.ok());
  std::string bytes;
  auto head = restore::StreamRecordPayload(
      t.warc_dir(), c, *record, {},
      [&](std::string_view chunk) {
        bytes.append(chunk);
        return Status::Ok();
      },
      readers);
  EXPECT_TRUE(head.ok()) << head.status().ToString();
  return bytes;
}

TEST(WarcReaders, RecordsReadInAnyOrderThroughOneReaderAreTheirOwnBytes) {
  TestStore t;
  std::vector<CaptureRow> captures;
  for (int i = 0; i < 6; ++i) {
    std::string body(1000 + i * 40000, static_cast<char>('a' + i));
    captures.push_back(t.AddResponse(
        "https://e.example/" + std::to_string(i),
        i % 2 ? "HTTP/1.1 200 OK\r\nContent-Encoding: gzip" : "HTTP/1.1 200 OK",
        i % 2 ? Gzip(body) : body, 1000 + i));
  }
  captures.push_back(t.AddRevisit("https://e.example/again", "HTTP/1.1 200 OK",
                                  captures[2], 2000));
  t.Commit();
  restore::WarcReaders readers;
  for (int round = 0; round < 2; ++round) {
    for (int i : {3, 0, 6, 5, 1, 1, 4, 2}) {
      std::string expected(1000 + (i == 6 ? 2 : i) * 40000,
                           static_cast<char>('a' + (i == 6 ? 2 : i)));
      EXPECT_EQ(ReadThrough(t, captures[i], &readers), expected) << i;
      EXPECT_EQ(ReadThrough(t, captures[i], nullptr), expected) << i;
    }
  }
}

TEST(WarcReaders, AMissingWarcFileIsNotFoundAndNotHeld) {
  TestStore t;
  CaptureRow c =
      t.AddResponse("https://e.example/", "HTTP/1.1 200 OK", "body", 1000);
  t.Commit();
  restore::WarcReaders readers;
  Result<WarcReader*> missing = readers.Get(t.warc_dir() / "none.warc.gz");
  EXPECT_EQ(missing.status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(ReadThrough(t, c, &readers), "body");
}

}  // namespace
}  // namespace rotguard
