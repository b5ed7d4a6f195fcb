#include <gtest/gtest.h>

#include <string>

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

}  // namespace
}  // namespace rotguard
