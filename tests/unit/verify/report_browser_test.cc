// The report on links the headless-browser lane captured (issue #16):
// captured_by in every format, and in HTML the page's thumbnail (the
// urn:rotguard:thumbnail: resource record) inline.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "rotguard/report.h"
#include "unit/restore/test_store.h"
#include "util/digest.h"

namespace rotguard {
namespace {

const std::string kApp = "https://app.example/post";
const std::string kStatic = "https://static.example/";
// Not a real PNG: the report copies the bytes, it does not decode them.
const std::string kThumb = std::string("\x89PNG\r\n\x1a\n", 8) + "thumb";
constexpr int64_t kAt = 1700000000;

class ReportBrowserTest : public ::testing::Test {
 protected:
  void SetUp() override {
    DocumentScan scan;
    scan.document.path = "content/posts/p.md";
    scan.document.sha256 = Sha256Hex("p");
    scan.links.push_back({"link", kApp, kApp, kApp, 1, 1, 0, 10});
    scan.links.push_back({"link", kStatic, kStatic, kStatic, 2, 1, 20, 30});
    ASSERT_TRUE(t_.manifest().RecordScans({scan}).ok());
    t_.AddResponse(kStatic, "HTTP/1.1 200 OK\r\nContent-Type: text/html",
                   "<p>static</p>", kAt);
    t_.AddResponse(kApp, "HTTP/1.1 200 OK\r\nContent-Type: text/html",
                   "<div id=root></div>", kAt);
    t_.last_capture().source = kSourceBrowser;
    t_.last_capture().quality = "full";
    t_.AddRecordOnly(kThumbnailPrefix + kApp, "image/png", kThumb, kAt);
    t_.AddRecordOnly(kScreenshotPrefix + kApp, "image/png", "full page", kAt);
    t_.Commit();
  }

  Report Build(bool thumbnails) {
    ReportOptions options;
    if (thumbnails) options.warc_dir = t_.warc_dir();
    Result<Report> report =
        BuildReport(t_.manifest(), t_.store().config(), kAt + 10, options);
    EXPECT_TRUE(report.ok()) << report.status().message();
    return report.ok() ? *report : Report{};
  }

  static const ReportLink& LinkOf(const Report& report,
                                  const std::string& url) {
    for (const ReportLink& link : report.documents.at(0).links) {
      if (link.url == url) return link;
    }
    ADD_FAILURE() << "no link " << url;
    return report.documents.at(0).links.at(0);
  }

  testing::TestStore t_;
};

TEST_F(ReportBrowserTest, EachLinkSaysWhichLaneMadeItsNewestCapture) {
  Report report = Build(false);
  EXPECT_EQ(LinkOf(report, kApp).captured_by, "browser");
  EXPECT_EQ(LinkOf(report, kStatic).captured_by, "static");
  EXPECT_TRUE(LinkOf(report, kApp).thumbnail_png.empty());  // not asked for

  nlohmann::json json = nlohmann::json::parse(RenderReportJson(report));
  for (const auto& link : json["documents"][0]["links"]) {
    const std::string url = link["url"].get<std::string>();
    EXPECT_EQ(link["captured_by"].get<std::string>(),
              url == kApp ? "browser" : "static");
  }
  std::string csv = RenderReportCsv(report);
  EXPECT_NE(csv.find(",public_copy,captured_by\r\n"), std::string::npos) << csv;
  EXPECT_NE(csv.find(",browser\r\n"), std::string::npos) << csv;
  EXPECT_NE(csv.find(",static\r\n"), std::string::npos) << csv;
}

TEST_F(ReportBrowserTest, HtmlShowsTheBrowserCapturesThumbnailInline) {
  Report report = Build(true);
  EXPECT_EQ(LinkOf(report, kApp).thumbnail_png, kThumb);
  EXPECT_TRUE(LinkOf(report, kStatic).thumbnail_png.empty());
  std::string html = RenderReportHtml(report);
  const std::string img = "<img class=\"thumb\" loading=\"lazy\"";
  size_t at = html.find(img);
  ASSERT_NE(at, std::string::npos) << html;
  EXPECT_EQ(html.find(img, at + 1), std::string::npos);  // one: the app's
  std::string tag = html.substr(at, html.find('>', at) - at);
  EXPECT_NE(tag.find(" alt=\""), std::string::npos) << tag;
  EXPECT_NE(tag.find("src=\"data:image/png;base64," +
                     Base64Encode(kThumb, false, true) + "\""),
            std::string::npos)
      << tag;
  EXPECT_NE(html.find("data-captured-by=\"browser\""), std::string::npos);
}

}  // namespace
}  // namespace rotguard
