#include "archive/browser_lane.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "rotguard/manifest.h"
#include "rotguard/warc_reader.h"
#include "rotguard/warc_writer.h"
#include "unit/temp_dir.h"

namespace rotguard::archiver {
namespace {

constexpr const char* kHtml = "text/html; charset=utf-8";

StaticPage Page(std::string url, std::string quality, std::string kind = "link",
                int status = 200, std::string type = kHtml) {
  return {std::move(url), std::move(kind), status, std::move(type),
          std::move(quality)};
}

std::vector<StaticPage> MixedRun() {
  return {
      Page("https://a.example/app", "thin"),
      Page("https://a.example/article", "full"),
      Page("https://a.example/wall", "challenge", "link", 403),
      Page("https://a.example/cf200", "challenge"),
      Page("https://a.example/missing", "error-page", "link", 404),
      Page("https://a.example/named", "thin", "url"),
      Page("https://i.example/pic.png", "", "image", 200, "image/png"),
      Page("https://a.example/thin-embed", "thin", "embed"),
      Page("https://a.example/app", "thin"),  // a second link to it
      Page("https://a.example/data.json", "", "link", 200, "application/json"),
  };
}

TEST(SelectBrowserPagesTest, ThinModeTakesThinLinkPagesOnceEach) {
  EXPECT_EQ(SelectBrowserPages("thin", MixedRun()),
            (std::vector<std::string>{"https://a.example/app",
                                      "https://a.example/named"}));
}

TEST(SelectBrowserPagesTest, AlwaysModeTakesEvery2xxHtmlLinkPageButChallenges) {
  EXPECT_EQ(SelectBrowserPages("always", MixedRun()),
            (std::vector<std::string>{"https://a.example/app",
                                      "https://a.example/article",
                                      "https://a.example/named"}));
}

TEST(SelectBrowserPagesTest, OffModeTakesNothing) {
  EXPECT_TRUE(SelectBrowserPages("off", MixedRun()).empty());
  EXPECT_TRUE(SelectBrowserPages("", MixedRun()).empty());
}

TEST(SelectBrowserPagesTest, XhtmlCountsAsHtmlWhateverTheCase) {
  std::vector<StaticPage> pages = {
      Page("https://a.example/x", "thin", "link", 200,
           "Application/XHTML+XML ; charset=utf-8")};
  EXPECT_EQ(SelectBrowserPages("thin", pages).size(), 1u);
}

TEST(DomQualityTest, RenderedArticleIsFullWhereTheShellIsThin) {
  const std::string shell =
      "<html><head><script src=/app.js></script></head><body>"
      "<noscript>You need to enable JavaScript to run this app.</noscript>"
      "<div id=root></div></body></html>";
  std::string article;
  for (int i = 0; i < 8; ++i) {
    article +=
        "<p>Link rot is the slow decay of the web a blog points to. Pages "
        "move, domains lapse, and the article a post once cited is gone.</p>";
  }
  const std::string rendered =
      "<html><head><script src=/app.js></script></head><body>"
      "<noscript>You need to enable JavaScript to run this app.</noscript>"
      "<div id=root><h1>Why links rot</h1>" +
      article + "</div></body></html>";
  EXPECT_EQ(DomQuality(shell, "https://a.example/app", 200), "thin");
  EXPECT_EQ(DomQuality(rendered, "https://a.example/app", 200), "full");
  EXPECT_EQ(DomQuality(rendered, "https://a.example/app", 404), "error-page");
}

class BrowserResourcesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WarcWriterOptions options;
    options.directory = dir_.path();
    options.body.temp_dir = dir_.path();
    Result<std::unique_ptr<WarcWriter>> writer =
        WarcWriter::Open(std::move(options));
    ASSERT_TRUE(writer.ok()) << writer.status().message();
    writer_ = std::move(*writer);
  }

  // Every record of the (closed) WARC file, with its block.
  struct Read {
    WarcRecordInfo info;
    std::string block;
  };
  std::vector<Read> ReadAll() {
    EXPECT_TRUE(writer_->Close().ok());
    std::vector<Read> out;
    for (const auto& entry : std::filesystem::directory_iterator(dir_.path())) {
      if (entry.path().extension() != ".gz") continue;
      Result<std::unique_ptr<WarcReader>> reader =
          WarcReader::Open(entry.path());
      EXPECT_TRUE(reader.ok());
      while (true) {
        Result<bool> more = (*reader)->Next();
        if (!more.ok() || !*more) break;
        Read r;
        char buf[4096];
        for (;;) {
          Result<size_t> n = (*reader)->ReadBlock(buf, sizeof buf);
          if (!n.ok() || *n == 0) break;
          r.block.append(buf, *n);
        }
        EXPECT_TRUE((*reader)->FinishRecord().ok());
        r.info = (*reader)->record();
        out.push_back(std::move(r));
      }
    }
    return out;
  }

  testing::TempDir dir_;
  std::unique_ptr<WarcWriter> writer_;
};

TEST_F(BrowserResourcesTest,
       DomScreenshotAndThumbnailAreResourcesConcurrentToThePageResponse) {
  PageCapture page;
  page.dom_html = "<html><body><h1>Rendered</h1></body></html>";
  page.screenshot_png = std::string("\x89PNG\r\n\x1a\nfull", 12);
  page.thumbnail_png = std::string("\x89PNG\r\n\x1a\nsmall", 13);
  const auto when = std::chrono::system_clock::time_point(
      std::chrono::microseconds(1'790'000'000'123'456));
  const std::string response_id = "<urn:uuid:11111111-2222-3333-4444-5555>";
  Result<std::vector<WarcRecordLocation>> written = WriteBrowserResources(
      *writer_, "https://a.example/app?x=1", response_id, when, page);
  ASSERT_TRUE(written.ok()) << written.status().message();
  ASSERT_EQ(written->size(), 3u);
  EXPECT_EQ((*written)[0].target_uri,
            "urn:rotguard:dom:https://a.example/app?x=1");
  EXPECT_EQ((*written)[1].target_uri,
            "urn:rotguard:screenshot:https://a.example/app?x=1");
  EXPECT_EQ((*written)[2].target_uri,
            "urn:rotguard:thumbnail:https://a.example/app?x=1");

  std::vector<Read> records = ReadAll();
  std::vector<Read> resources;
  for (Read& r : records) {
    if (r.info.type == "resource") resources.push_back(std::move(r));
  }
  ASSERT_EQ(resources.size(), 3u);
  const char* types[] = {"text/html; charset=utf-8", "image/png", "image/png"};
  const std::string* blocks[] = {&page.dom_html, &page.screenshot_png,
                                 &page.thumbnail_png};
  for (size_t i = 0; i < 3; ++i) {
    const WarcRecordInfo& info = resources[i].info;
    EXPECT_EQ(info.target_uri, (*written)[i].target_uri);
    EXPECT_EQ(info.content_type, types[i]);
    EXPECT_EQ(info.fields.Get("WARC-Concurrent-To"), response_id);
    EXPECT_EQ(info.date, "2026-09-21T14:13:20.123456Z");
    EXPECT_EQ(resources[i].block, *blocks[i]);
    EXPECT_FALSE(info.payload_digest.empty());
    EXPECT_TRUE(info.problems.empty()) << info.problems.size();
  }
}

TEST_F(BrowserResourcesTest, APageWithNothingToDrawGetsItsDomOnly) {
  PageCapture page;
  page.dom_html = "<html></html>";
  Result<std::vector<WarcRecordLocation>> written =
      WriteBrowserResources(*writer_, "https://a.example/", "<urn:uuid:x>",
                            std::chrono::system_clock::now(), page);
  ASSERT_TRUE(written.ok());
  ASSERT_EQ(written->size(), 1u);
  EXPECT_EQ((*written)[0].target_uri, "urn:rotguard:dom:https://a.example/");
}

TEST(BrowserResourceUriTest, IsTheUrnPrefixBeforeTheExactUri) {
  EXPECT_EQ(kDomSnapshotPrefix + std::string("http://h/p?q#f"),
            "urn:rotguard:dom:http://h/p?q#f");
}

}  // namespace
}  // namespace rotguard::archiver
