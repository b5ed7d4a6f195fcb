// `rotguard report` over a small manifest filled directly: what each link
// shows, and the exact table, CSV and JSON renderings.
#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "rotguard/manifest.h"
#include "rotguard/report.h"
#include "unit/temp_dir.h"

namespace rotguard {
namespace {

using testing::TempDir;

constexpr int64_t kNow = 1'767'225'600;                // 2026-01-01T00:00:00Z
constexpr int64_t kCaptureUs = 1'764'547'200'000'000;  // 2025-12-01T00:00:00Z
constexpr int64_t kDay = 86'400;

LinkRow Link(const std::string& kind, const std::string& url, int line,
             int column, int64_t start) {
  LinkRow link;
  link.kind = kind;
  link.written = url;
  link.url = url;
  link.normalized = url;
  link.line = line;
  link.column = column;
  link.start = start;
  link.end = start + static_cast<int64_t>(url.size());
  return link;
}

DocumentRow Document(const std::string& path, const std::string& title) {
  DocumentRow document;
  document.path = path;
  document.sha256 = "00";
  document.title = title;
  document.date = "2020-02-08";
  return document;
}

CaptureRow Capture(const std::string& url, int status, int64_t offset,
                   int64_t at_us) {
  CaptureRow capture;
  capture.url = url;
  capture.normalized = url;
  capture.captured_at_us = at_us;
  capture.http_status = status;
  capture.warc_file = "rotguard-20251201000000-00001-host.warc.gz";
  capture.record_offset = offset;
  capture.compressed_length = 100;
  capture.record_id = "<urn:uuid:" + std::to_string(offset) + ">";
  capture.payload_sha1 = "SHA" + std::to_string(offset);
  return capture;
}

// What WriteReport streams, gathered.
std::string Streamed(Manifest& manifest, ReportFormat format,
                     bool* dead = nullptr) {
  std::string text;
  const ReportWriteFn append = [&text](std::string_view bytes) {
    text += bytes;
    return Status::Ok();
  };
  Result<bool> result = WriteReport(manifest, Config{}, kNow, format, append);
  EXPECT_TRUE(result.ok()) << result.status().message();
  if (dead != nullptr) *dead = result.ok() && *result;
  return text;
}

// Two posts: a gone link with an old good copy, a bit.ly link whose
// chain ends at the article, two sizes of one Blogger image, a link never
// checked, and a post whose title needs CSV quoting.
class ReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = OpenManifest(dir_ / "manifest.sqlite3");
    ASSERT_TRUE(opened.ok()) << opened.status().message();
    manifest_ = std::move(*opened);
    WarcFileRow file;
    file.name = "rotguard-20251201000000-00001-host.warc.gz";
    file.created_unix = kNow - 31 * kDay;
    ASSERT_TRUE(manifest_->AddWarcFile(file).ok());

    ASSERT_TRUE(manifest_
                    ->RecordScan(Document("content/a.md", "Virus news"),
                                 {Link("link", kGone, 3, 5, 40),
                                  Link("link", kShort, 4, 1, 90),
                                  Link("image", kSmall, 5, 10, 130),
                                  Link("link", kNever, 6, 1, 200),
                                  Link("image", kLarge, 7, 1, 260)})
                    .ok());
    ASSERT_TRUE(manifest_
                    ->RecordScan(Document("content/b.md", "Hello, \"world\""),
                                 {Link("link", kNever, 2, 3, 12)})
                    .ok());

    CaptureRow old_good = Capture(kGone, 200, 0, kCaptureUs);
    CaptureRow shortener = Capture(kShort, 301, 1000, kCaptureUs);
    shortener.chain_id = "chain-1";
    CaptureRow target = Capture(kTarget, 200, 2000, kCaptureUs + 1000);
    target.chain_id = "chain-1";
    target.hop_index = 1;
    CaptureRow small = Capture(kSmall, 200, 3000, kCaptureUs);
    CaptureRow large = Capture(kLarge, 200, 4000, kCaptureUs);
    ASSERT_TRUE(
        manifest_->AddCaptures({old_good, shortener, target, small, large})
            .ok());

    SetHealth(kGone, "gone", 3, 0, "http-404");
    SetHealth(kShort, "ok", 0, kNow - kDay, "");
    SetHealth(kSmall, "ok", 0, kNow - kDay, "");
    SetHealth(kLarge, "ok", 0, kNow - kDay, "");
  }

  void SetHealth(const std::string& url, const std::string& verdict,
                 int failures, int64_t last_ok, const std::string& failure) {
    auto row = manifest_->FindUrl(url);
    ASSERT_TRUE(row.ok() && row->has_value()) << url;
    UrlRow health = **row;
    health.verdict = verdict;
    health.consecutive_failures = failures;
    health.last_ok_unix = last_ok;
    health.last_failure_unix = failures ? kNow - kDay : 0;
    health.failure_class = failure;
    ASSERT_TRUE(manifest_->UpdateUrlHealth(health).ok());
  }

  Report Build() {
    auto report = BuildReport(*manifest_, Config{}, kNow);
    EXPECT_TRUE(report.ok()) << report.status().message();
    return report.ok() ? std::move(*report) : Report{};
  }

  static constexpr const char* kGone = "https://news.example.com/gone.html";
  static constexpr const char* kShort = "https://bit.ly/abc";
  static constexpr const char* kTarget = "https://news.example.com/abc";
  static constexpr const char* kSmall =
      "https://1.bp.blogspot.com/-x/AAA/s320/photo.jpg";
  static constexpr const char* kLarge =
      "https://1.bp.blogspot.com/-x/AAA/s1600/photo.jpg";
  static constexpr const char* kNever = "https://example.com/";

  TempDir dir_;
  std::unique_ptr<Manifest> manifest_;
};

TEST_F(ReportTest, EachLinkShowsVerdictStreakAndNewestGoodCopy) {
  Report report = Build();
  ASSERT_EQ(report.documents.size(), 2u);
  const ReportDocument& a = report.documents[0];
  EXPECT_EQ(a.path, "content/a.md");
  ASSERT_EQ(a.links.size(), 5u);
  const ReportLink& gone = a.links[0];
  EXPECT_EQ(gone.verdict, "gone");
  EXPECT_EQ(gone.consecutive_failures, 3);
  EXPECT_EQ(gone.failure_class, "http-404");
  ASSERT_TRUE(gone.copy.has_value());
  EXPECT_EQ(gone.copy->offset, 0);
  EXPECT_EQ(gone.copy->warc_file, "rotguard-20251201000000-00001-host.warc.gz");
}

TEST_F(ReportTest, ShortenerLinkShowsItsFinalTargetAndTheTargetsCopy) {
  Report report = Build();
  const ReportLink& shortener = report.documents[0].links[1];
  EXPECT_EQ(shortener.url, kShort);
  EXPECT_EQ(shortener.final_url, kTarget);
  ASSERT_TRUE(shortener.copy.has_value());
  EXPECT_EQ(shortener.copy->url, kTarget);
  EXPECT_EQ(shortener.copy->offset, 2000);
  EXPECT_EQ(shortener.copy->http_status, 200);
}

TEST_F(ReportTest, BloggerSizeVariantsAreGroupedTogether) {
  Report report = Build();
  const auto& links = report.documents[0].links;
  EXPECT_EQ(links[2].url, kSmall);
  EXPECT_EQ(links[3].url, kLarge);  // moved up from line 7
  EXPECT_EQ(links[2].group, links[3].group);
  EXPECT_EQ(links[2].group, "https://1.bp.blogspot.com/-x/AAA/s0/photo.jpg");
  EXPECT_EQ(links[4].url, kNever);
}

TEST_F(ReportTest, NeverCheckedLinkIsUncheckedWithoutCopy) {
  Report report = Build();
  const ReportLink& never = report.documents[1].links[0];
  EXPECT_EQ(never.verdict, "unchecked");
  EXPECT_FALSE(never.copy.has_value());
}

TEST_F(ReportTest, SummaryCountsLinksPerVerdict) {
  Report report = Build();
  EXPECT_EQ(report.link_count, 6);
  EXPECT_EQ(report.url_count, 5);
  EXPECT_EQ(report.verdict_counts["gone"], 1);
  EXPECT_EQ(report.verdict_counts["ok"], 3);
  EXPECT_EQ(report.verdict_counts["unchecked"], 2);
  EXPECT_TRUE(ReportHasDeadLinks(report));
}

TEST_F(ReportTest, LostCaptureIsNotOfferedAsACopy) {
  ASSERT_TRUE(
      manifest_
          ->MarkCapturesLost("rotguard-20251201000000-00001-host.warc.gz", 0)
          .ok());
  Report report = Build();
  EXPECT_FALSE(report.documents[0].links[0].copy.has_value());
}

// Issue #14: a copy cut short (WARC-Truncated, e.g. by --max-size) is not
// offered as a normal copy: text, JSON and HTML say it is truncated.
TEST_F(ReportTest, TruncatedCopyIsMarkedTruncatedInEveryFormat) {
  CaptureRow cut = Capture(kGone, 200, 5000, kCaptureUs + 5000);
  cut.truncated = true;
  ASSERT_TRUE(manifest_->AddCaptures({cut}).ok());
  Report report = Build();
  const ReportLink& gone = report.documents[0].links[0];
  ASSERT_TRUE(gone.copy.has_value());
  EXPECT_EQ(gone.copy->offset, 5000);
  EXPECT_TRUE(gone.copy->truncated);
  EXPECT_NE(RenderReportTable(report).find("@ 5000, 2025-12-01T00:00:00Z, "
                                           "truncated, rotguard extract"),
            std::string::npos)
      << RenderReportTable(report);
  EXPECT_NE(RenderReportJson(report).find("\"truncated\": true"),
            std::string::npos);
  EXPECT_NE(RenderReportHtml(report).find("(truncated)"), std::string::npos);
  EXPECT_FALSE(report.documents[0].links[1].copy->truncated);
}

TEST_F(ReportTest, NewerFailedCaptureDoesNotHideTheOlderGoodOne) {
  CaptureRow failed = Capture(kGone, 404, 5000, kCaptureUs + 5'000'000);
  ASSERT_TRUE(manifest_->AddCaptures({failed}).ok());
  Report report = Build();
  ASSERT_TRUE(report.documents[0].links[0].copy.has_value());
  EXPECT_EQ(report.documents[0].links[0].copy->offset, 0);
}

TEST_F(ReportTest, InterstitialLinkPointsAtTheArticleNotTheInterstitial) {
  const std::string link = "https://t.co/xyz";
  const std::string article = "https://news.example.com/xyz";
  DocumentRow document = Document("content/c.md", "C");
  ASSERT_TRUE(
      manifest_->RecordScan(document, {Link("link", link, 1, 1, 0)}).ok());
  CaptureRow interstitial = Capture(link, 200, 6000, kCaptureUs);
  interstitial.chain_id = "chain-t";
  CaptureRow target = Capture(article, 200, 7000, kCaptureUs + 10);
  target.chain_id = "chain-t";
  target.hop_index = 1;
  ASSERT_TRUE(manifest_->AddCaptures({interstitial, target}).ok());
  Report report = Build();
  ASSERT_EQ(report.documents.size(), 3u);
  const ReportLink& shown = report.documents[2].links[0];
  ASSERT_TRUE(shown.copy.has_value());
  EXPECT_EQ(shown.copy->url, article);
  EXPECT_EQ(shown.copy->offset, 7000);
  EXPECT_EQ(shown.final_url, article);
}

TEST_F(ReportTest, QualityIsThatOfTheNewestOwnCaptureAtItsChainEnd) {
  // The bit.ly link's chain ends at the article: its quality is the link's.
  CaptureRow shortener = Capture(kShort, 301, 8000, kCaptureUs + 50);
  shortener.chain_id = "chain-2";
  CaptureRow target = Capture(kTarget, 200, 9000, kCaptureUs + 60);
  target.chain_id = "chain-2";
  target.hop_index = 1;
  target.quality = "thin";
  // A newer public-archive copy of the gone link says nothing about ours.
  CaptureRow own = Capture(kGone, 404, 10000, kCaptureUs + 70);
  own.quality = "error-page";
  CaptureRow memento = Capture("https://web.archive.org/web/2020id_/x", 200,
                               11000, kCaptureUs + 80);
  memento.normalized = kGone;
  memento.source = kSourcePublicArchive;
  memento.quality = "full";
  ASSERT_TRUE(manifest_->AddCaptures({shortener, target, own, memento}).ok());
  Report report = Build();
  EXPECT_EQ(report.documents[0].links[0].quality, "error-page");
  EXPECT_EQ(report.documents[0].links[1].quality, "thin");
  EXPECT_EQ(report.documents[0].links[2].quality, "");  // an image
  EXPECT_TRUE(ReportHasThinLinks(report));
}

TEST_F(ReportTest, ThinAndChallengeFailOnThinOtherQualitiesDoNot) {
  EXPECT_TRUE(IsThinQuality("thin"));
  EXPECT_TRUE(IsThinQuality("challenge"));
  EXPECT_FALSE(IsThinQuality("full"));
  EXPECT_FALSE(IsThinQuality("error-page"));
  EXPECT_FALSE(IsThinQuality(""));
  EXPECT_FALSE(ReportHasThinLinks(Build()));
}

TEST_F(ReportTest, StreamedReportTellsWhetherALinkIsThinInEveryFormat) {
  CaptureRow challenge = Capture(kSmall, 403, 12000, kCaptureUs + 90);
  challenge.quality = "challenge";
  ASSERT_TRUE(manifest_->AddCaptures({challenge}).ok());
  for (ReportFormat format : {ReportFormat::kTable, ReportFormat::kJson,
                              ReportFormat::kCsv, ReportFormat::kHtml}) {
    bool thin = false;
    const ReportWriteFn ignore = [](std::string_view) { return Status::Ok(); };
    Result<bool> dead =
        WriteReport(*manifest_, Config{}, kNow, format, ignore, &thin);
    ASSERT_TRUE(dead.ok()) << dead.status().message();
    EXPECT_TRUE(thin) << static_cast<int>(format);
  }
  // The widest class in the table's fixed-width column, streamed as built.
  CaptureRow error_page = Capture(kGone, 404, 13000, kCaptureUs + 95);
  error_page.quality = "error-page";
  ASSERT_TRUE(manifest_->AddCaptures({error_page}).ok());
  EXPECT_EQ(Streamed(*manifest_, ReportFormat::kTable),
            RenderReportTable(Build()));
  const std::string html = RenderReportHtml(Build());
  EXPECT_NE(html.find("data-quality=\"challenge\""), std::string::npos);
  EXPECT_NE(html.find("data-filter=\"quality-challenge\""), std::string::npos);
}

TEST_F(ReportTest, NoDeadLinksWhenNothingIsGone) {
  SetHealth(kGone, "failing", 2, 0, "http-404");
  EXPECT_FALSE(ReportHasDeadLinks(Build()));
}

TEST_F(ReportTest, PostsShowTheirPublicUrlWhenTheManifestKnowsIt) {
  DocumentRow post = Document("content/posts/c.md", "With a URL");
  post.public_url = "https://blog.example.org/2020/02/c/";
  ASSERT_TRUE(
      manifest_->RecordScan(post, {Link("link", kNever, 2, 3, 12)}).ok());
  Report report = Build();
  ASSERT_EQ(report.documents.size(), 3u);
  EXPECT_EQ(report.documents[2].url, "https://blog.example.org/2020/02/c/");
  EXPECT_EQ(report.documents[0].url, "");
  for (ReportFormat format :
       {ReportFormat::kTable, ReportFormat::kJson, ReportFormat::kHtml}) {
    std::string text = RenderReport(report, format);
    EXPECT_NE(text.find("https://blog.example.org/2020/02/c/"),
              std::string::npos)
        << text;
    EXPECT_EQ(Streamed(*manifest_, format), text);
  }
  EXPECT_NE(RenderReportJson(report).find(
                "\"url\": \"https://blog.example.org/2020/02/c/\""),
            std::string::npos);
}

TEST_F(ReportTest, TableIsExact) {
  // Continuation lines (final target, copy) start under the LINK column;
  // "\\_ " marks another size of the image above.
  EXPECT_EQ(
      RenderReportTable(Build()),
      R"golden(rotguard report, generated 2026-01-01T00:00:00Z: 2 documents, 6 links to 5 URLs: 1 gone, 3 ok, 2 unchecked

content/a.md  "Virus news" (2020-02-08)
  LINE:COL  KIND   VERDICT    QUALITY     FAILS  CLASS     LAST OK               LINK
  3:5       link   gone       -           3      http-404  -                     https://news.example.com/gone.html
                                                                                 copy: rotguard-20251201000000-00001-host.warc.gz @ 0, 2025-12-01T00:00:00Z, rotguard extract 'https://news.example.com/gone.html'
  4:1       link   ok         -           0      -         2025-12-31T00:00:00Z  https://bit.ly/abc
                                                                                 -> https://news.example.com/abc
                                                                                 copy: rotguard-20251201000000-00001-host.warc.gz @ 2000, 2025-12-01T00:00:00Z, rotguard extract 'https://news.example.com/abc'
  5:10      image  ok         -           0      -         2025-12-31T00:00:00Z  https://1.bp.blogspot.com/-x/AAA/s320/photo.jpg
                                                                                 copy: rotguard-20251201000000-00001-host.warc.gz @ 3000, 2025-12-01T00:00:00Z, rotguard extract 'https://1.bp.blogspot.com/-x/AAA/s320/photo.jpg'
  7:1       image  ok         -           0      -         2025-12-31T00:00:00Z  \_ https://1.bp.blogspot.com/-x/AAA/s1600/photo.jpg
                                                                                 copy: rotguard-20251201000000-00001-host.warc.gz @ 4000, 2025-12-01T00:00:00Z, rotguard extract 'https://1.bp.blogspot.com/-x/AAA/s1600/photo.jpg'
  6:1       link   unchecked  -           0      -         -                     https://example.com/
                                                                                 copy: none

content/b.md  "Hello, "world"" (2020-02-08)
  LINE:COL  KIND   VERDICT    QUALITY     FAILS  CLASS     LAST OK               LINK
  2:3       link   unchecked  -           0      -         -                     https://example.com/
                                                                                 copy: none
)golden");
}

TEST_F(ReportTest, CsvIsExact) {
  // RFC 4180: CRLF line ends, quotes doubled inside quoted fields.
  const std::string expected =
      "document,title,line,col,kind,written,url,verdict,failure_class,"
      "consecutive_failures,last_ok,final_url,group,warc_file,warc_offset,"
      "captured_at,captured_url,quality,public_copy,captured_by\r\n"
      "content/a.md,Virus "
      "news,3,5,link,https://news.example.com/gone.html,https://"
      "news.example.com/"
      "gone.html,gone,http-404,3,,,,rotguard-20251201000000-00001-host.warc.gz,"
      "0,2025-12-01T00:00:00Z,https://news.example.com/gone.html,,,static\r\n"
      "content/a.md,Virus "
      "news,4,1,link,https://bit.ly/abc,https://bit.ly/"
      "abc,ok,,0,2025-12-31T00:00:00Z,https://news.example.com/"
      "abc,,rotguard-20251201000000-00001-host.warc.gz,2000,2025-12-01T00:00:"
      "00Z,https://news.example.com/abc,,,static\r\n"
      "content/a.md,Virus "
      "news,5,10,image,https://1.bp.blogspot.com/-x/AAA/s320/photo.jpg,https://"
      "1.bp.blogspot.com/-x/AAA/s320/"
      "photo.jpg,ok,,0,2025-12-31T00:00:00Z,,https://1.bp.blogspot.com/-x/AAA/"
      "s0/"
      "photo.jpg,rotguard-20251201000000-00001-host.warc.gz,3000,2025-12-01T00:"
      "00:00Z,https://1.bp.blogspot.com/-x/AAA/s320/photo.jpg,,,static\r\n"
      "content/a.md,Virus "
      "news,7,1,image,https://1.bp.blogspot.com/-x/AAA/s1600/photo.jpg,https://"
      "1.bp.blogspot.com/-x/AAA/s1600/"
      "photo.jpg,ok,,0,2025-12-31T00:00:00Z,,https://1.bp.blogspot.com/-x/AAA/"
      "s0/"
      "photo.jpg,rotguard-20251201000000-00001-host.warc.gz,4000,2025-12-01T00:"
      "00:00Z,https://1.bp.blogspot.com/-x/AAA/s1600/photo.jpg,,,static\r\n"
      "content/a.md,Virus "
      "news,6,1,link,https://example.com/,https://example.com/"
      ",unchecked,,0,,,,,,,,,,\r\n"
      "content/b.md,\"Hello, "
      "\"\"world\"\"\",2,3,link,https://example.com/,https://example.com/"
      ",unchecked,,0,,,,,,,,,,\r\n";
  EXPECT_EQ(RenderReportCsv(Build()), expected);
}

TEST_F(ReportTest, JsonIsExact) {
  const std::string report = RenderReportJson(Build());
  EXPECT_EQ(report, R"golden({
  "generated": "2026-01-01T00:00:00Z",
  "summary": {
    "documents": 2,
    "links": 6,
    "urls": 5,
    "dead": true,
    "verdicts": {
      "gone": 1,
      "failing": 0,
      "soft-404": 0,
      "unreachable": 0,
      "server-error": 0,
      "blocked": 0,
      "rate-limited": 0,
      "moved": 0,
      "redirected": 0,
      "drifted": 0,
      "ok": 3,
      "unchecked": 2
    }
  },
  "documents": [
    {
      "path": "content/a.md",
      "title": "Virus news",
      "date": "2020-02-08",
      "links": [
        {
          "kind": "link",
          "written": "https://news.example.com/gone.html",
          "url": "https://news.example.com/gone.html",
          "normalized": "https://news.example.com/gone.html",
          "line": 3,
          "col": 5,
          "verdict": "gone",
          "failure_class": "http-404",
          "consecutive_failures": 3,
          "last_ok": null,
          "final_url": null,
          "group": null,
          "quality": null,
          "archived": {
            "url": "https://news.example.com/gone.html",
            "warc_file": "rotguard-20251201000000-00001-host.warc.gz",
            "offset": 0,
            "captured_at": "2025-12-01T00:00:00Z",
            "status": 200,
            "extract": "rotguard extract 'https://news.example.com/gone.html'",
            "truncated": false,
            "source": "live"
          },
          "public_copy": null,
          "captured_by": "static"
        },
        {
          "kind": "link",
          "written": "https://bit.ly/abc",
          "url": "https://bit.ly/abc",
          "normalized": "https://bit.ly/abc",
          "line": 4,
          "col": 1,
          "verdict": "ok",
          "failure_class": "",
          "consecutive_failures": 0,
          "last_ok": "2025-12-31T00:00:00Z",
          "final_url": "https://news.example.com/abc",
          "group": null,
          "quality": null,
          "archived": {
            "url": "https://news.example.com/abc",
            "warc_file": "rotguard-20251201000000-00001-host.warc.gz",
            "offset": 2000,
            "captured_at": "2025-12-01T00:00:00Z",
            "status": 200,
            "extract": "rotguard extract 'https://news.example.com/abc'",
            "truncated": false,
            "source": "live"
          },
          "public_copy": null,
          "captured_by": "static"
        },
        {
          "kind": "image",
          "written": "https://1.bp.blogspot.com/-x/AAA/s320/photo.jpg",
          "url": "https://1.bp.blogspot.com/-x/AAA/s320/photo.jpg",
          "normalized": "https://1.bp.blogspot.com/-x/AAA/s320/photo.jpg",
          "line": 5,
          "col": 10,
          "verdict": "ok",
          "failure_class": "",
          "consecutive_failures": 0,
          "last_ok": "2025-12-31T00:00:00Z",
          "final_url": null,
          "group": "https://1.bp.blogspot.com/-x/AAA/s0/photo.jpg",
          "quality": null,
          "archived": {
            "url": "https://1.bp.blogspot.com/-x/AAA/s320/photo.jpg",
            "warc_file": "rotguard-20251201000000-00001-host.warc.gz",
            "offset": 3000,
            "captured_at": "2025-12-01T00:00:00Z",
            "status": 200,
            "extract": "rotguard extract 'https://1.bp.blogspot.com/-x/AAA/s320/photo.jpg'",
            "truncated": false,
            "source": "live"
          },
          "public_copy": null,
          "captured_by": "static"
        },
        {
          "kind": "image",
          "written": "https://1.bp.blogspot.com/-x/AAA/s1600/photo.jpg",
          "url": "https://1.bp.blogspot.com/-x/AAA/s1600/photo.jpg",
          "normalized": "https://1.bp.blogspot.com/-x/AAA/s1600/photo.jpg",
          "line": 7,
          "col": 1,
          "verdict": "ok",
          "failure_class": "",
          "consecutive_failures": 0,
          "last_ok": "2025-12-31T00:00:00Z",
          "final_url": null,
          "group": "https://1.bp.blogspot.com/-x/AAA/s0/photo.jpg",
          "quality": null,
          "archived": {
            "url": "https://1.bp.blogspot.com/-x/AAA/s1600/photo.jpg",
            "warc_file": "rotguard-20251201000000-00001-host.warc.gz",
            "offset": 4000,
            "captured_at": "2025-12-01T00:00:00Z",
            "status": 200,
            "extract": "rotguard extract 'https://1.bp.blogspot.com/-x/AAA/s1600/photo.jpg'",
            "truncated": false,
            "source": "live"
          },
          "public_copy": null,
          "captured_by": "static"
        },
        {
          "kind": "link",
          "written": "https://example.com/",
          "url": "https://example.com/",
          "normalized": "https://example.com/",
          "line": 6,
          "col": 1,
          "verdict": "unchecked",
          "failure_class": "",
          "consecutive_failures": 0,
          "last_ok": null,
          "final_url": null,
          "group": null,
          "quality": null,
          "archived": null,
          "public_copy": null,
          "captured_by": null
        }
      ]
    },
    {
      "path": "content/b.md",
      "title": "Hello, \"world\"",
      "date": "2020-02-08",
      "links": [
        {
          "kind": "link",
          "written": "https://example.com/",
          "url": "https://example.com/",
          "normalized": "https://example.com/",
          "line": 2,
          "col": 3,
          "verdict": "unchecked",
          "failure_class": "",
          "consecutive_failures": 0,
          "last_ok": null,
          "final_url": null,
          "group": null,
          "quality": null,
          "archived": null,
          "public_copy": null,
          "captured_by": null
        }
      ]
    }
  ],
  "unlinked": []
}
)golden");
  EXPECT_TRUE(nlohmann::json::accept(report));
}

size_t CountOf(const std::string& text, const std::string& needle) {
  size_t count = 0;
  for (size_t at = text.find(needle); at != std::string::npos;
       at = text.find(needle, at + 1)) {
    ++count;
  }
  return count;
}

TEST_F(ReportTest, HtmlIsOneSelfContainedPage) {
  const std::string html = RenderReportHtml(Build());
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("Content-Security-Policy\" content=\"default-src 'none'"),
            std::string::npos);
  // Nothing the browser would load by itself: no stylesheet links, no
  // script or image sources, no CSS imports or remote url().
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(html.find("src="), std::string::npos);
  EXPECT_EQ(html.find("@import"), std::string::npos);
  EXPECT_EQ(html.find("url("), std::string::npos);
  EXPECT_EQ(CountOf(html, "<script>"), 1u);
  EXPECT_EQ(CountOf(html, "<style>"), 1u);
}

TEST_F(ReportTest, HtmlHasSummaryCountsRowsAndFilters) {
  const std::string html = RenderReportHtml(Build());
  EXPECT_NE(html.find("id=\"count-all\">6</b>"), std::string::npos);
  EXPECT_NE(html.find("id=\"count-gone\">1</b>"), std::string::npos);
  EXPECT_NE(html.find("id=\"count-ok\">3</b>"), std::string::npos);
  EXPECT_NE(html.find("id=\"count-unchecked\">2</b>"), std::string::npos);
  EXPECT_EQ(html.find("id=\"count-moved\""), std::string::npos);  // zero
  EXPECT_EQ(CountOf(html, "<tr class=\"link"), 6u);
  EXPECT_EQ(CountOf(html, "data-verdict=\"gone\""), 1u);
  EXPECT_EQ(CountOf(html, "<tr class=\"link variant\""), 1u);
  EXPECT_EQ(CountOf(html, "data-filter=\""), 4u);  // all, gone, ok, unchecked
}

TEST_F(ReportTest, HtmlEscapesTextFromPosts) {
  const std::string html = RenderReportHtml(Build());
  EXPECT_NE(html.find("Hello, &quot;world&quot;"), std::string::npos);
  EXPECT_NE(
      html.find("rotguard extract &#39;https://news.example.com/abc&#39;"),
      std::string::npos);
}

TEST_F(ReportTest, StreamedReportIsByteIdenticalToTheBuiltOneInEveryFormat) {
  const Report built = Build();
  for (ReportFormat format : {ReportFormat::kTable, ReportFormat::kJson,
                              ReportFormat::kCsv, ReportFormat::kHtml}) {
    bool dead = false;
    EXPECT_EQ(Streamed(*manifest_, format, &dead), RenderReport(built, format))
        << static_cast<int>(format);
    EXPECT_TRUE(dead);
  }
}

TEST_F(ReportTest, StreamedReportStopsAtTheFirstFailedWrite) {
  int writes = 0;
  const ReportWriteFn failing = [&writes](std::string_view) {
    ++writes;
    return Status::IOError("disk full");
  };
  Result<bool> result =
      WriteReport(*manifest_, Config{}, kNow, ReportFormat::kJson, failing);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().message(), "disk full");
  EXPECT_EQ(writes, 1);
}

// A store without posts, streamed from the captured-URL cursor: same
// bytes as the built report, with chain ends, size variants next to each
// other and captures of the same instant taken in file and offset order.
TEST(ReportStoreTest, StreamedImportedStoreIsByteIdenticalToTheBuiltOne) {
  TempDir dir;
  auto manifest = OpenManifest(dir / "manifest.sqlite3");
  ASSERT_TRUE(manifest.ok());
  WarcFileRow file;
  file.name = "imported/wget.warc.gz";
  ASSERT_TRUE((*manifest)->AddWarcFile(file).ok());
  std::vector<CaptureRow> captures = {
      Capture("https://bit.ly/x", 301, 0, kCaptureUs),
      Capture("https://example.com/x", 200, 100, kCaptureUs + 1),
      Capture("https://1.bp.blogspot.com/-x/AAA/s320/a.jpg", 200, 200,
              kCaptureUs),
      Capture("https://1.bp.blogspot.com/-x/AAA/s1600/a.jpg", 200, 300,
              kCaptureUs),
      Capture("https://example.com/same", 404, 500, kCaptureUs),
      Capture("https://example.com/same", 200, 400, kCaptureUs)};
  captures[0].chain_id = captures[1].chain_id = "c1";
  captures[1].hop_index = 1;
  for (CaptureRow& capture : captures) capture.warc_file = file.name;
  ASSERT_TRUE((*manifest)->AddCaptures(captures).ok());
  auto built = BuildReport(**manifest, Config{}, kNow);
  ASSERT_TRUE(built.ok());
  ASSERT_EQ(built->unlinked.size(), 5u);
  EXPECT_EQ(built->unlinked[2].url, "https://bit.ly/x");
  EXPECT_EQ(built->unlinked[2].final_url, "https://example.com/x");
  for (ReportFormat format : {ReportFormat::kTable, ReportFormat::kJson,
                              ReportFormat::kCsv, ReportFormat::kHtml}) {
    EXPECT_EQ(Streamed(**manifest, format), RenderReport(*built, format))
        << static_cast<int>(format);
  }
}

TEST(ReportStoreTest, ImportedStoreWithoutPostsListsItsCapturedUrls) {
  TempDir dir;
  auto manifest = OpenManifest(dir / "manifest.sqlite3");
  ASSERT_TRUE(manifest.ok());
  WarcFileRow file;
  file.name = "imported/wget.warc.gz";
  ASSERT_TRUE((*manifest)->AddWarcFile(file).ok());
  CaptureRow capture = Capture("https://example.com/page", 200, 0, kCaptureUs);
  capture.warc_file = file.name;
  ASSERT_TRUE((*manifest)->AddCaptures({capture}).ok());
  auto report = BuildReport(**manifest, Config{}, kNow);
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->unlinked.size(), 1u);
  EXPECT_EQ(report->unlinked[0].url, "https://example.com/page");
  EXPECT_EQ(report->unlinked[0].verdict, "unchecked");
  ASSERT_TRUE(report->unlinked[0].copy.has_value());
  EXPECT_EQ(report->unlinked[0].copy->warc_file, "imported/wget.warc.gz");
  EXPECT_EQ(report->verdict_counts["unchecked"], 1);
}

TEST(ReportFormatTest, FormatNamesParse) {
  EXPECT_EQ(ParseReportFormat("table"), ReportFormat::kTable);
  EXPECT_EQ(ParseReportFormat("json"), ReportFormat::kJson);
  EXPECT_EQ(ParseReportFormat("csv"), ReportFormat::kCsv);
  EXPECT_EQ(ParseReportFormat("html"), ReportFormat::kHtml);
  EXPECT_EQ(ParseReportFormat("xml"), std::nullopt);
}

TEST(ReportFormatTest, UtcTimesAreRfc3339) {
  EXPECT_EQ(FormatUnixUtc(kNow), "2026-01-01T00:00:00Z");
  EXPECT_EQ(FormatUnixUtc(0), "");
}

}  // namespace
}  // namespace rotguard
