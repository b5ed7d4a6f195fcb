// restore and the exports reading what the headless-browser lane writes
// (issue #16): captures with source "browser", and per page a DOM
// snapshot resource record (urn:rotguard:dom:<final URL>) that has no
// captures row.
#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "restore/html_rewrite.h"
#include "rotguard/export.h"
#include "rotguard/extract.h"
#include "rotguard/restore.h"
#include "unit/restore/test_store.h"
#include "unit/test_support/archive_entries.h"
#include "util/file.h"

namespace rotguard {
namespace {

using testing::TestStore;
namespace fs = std::filesystem;

const std::string kApp = "https://app.example/post";
constexpr int64_t kShellAt = 1700000000;
constexpr int64_t kDomAt = 1700000100;

// What a plain GET of the app returns: a shell its script fills.
constexpr const char* kShell =
    "<!doctype html><html><head><title>App</title>"
    "<script src=\"/app.js\"></script></head>"
    "<body><div id=\"root\"></div></body></html>";

// The DOM the browser rendered from it.
constexpr const char* kDom =
    "<!doctype html><html><head><title>App</title>"
    "<script src=\"/app.js\"></script>"
    "<link rel=\"stylesheet\" href=\"https://cdn.example/never.css\"></head>"
    "<body><div id=\"root\"><article><p>The article text lives here.</p>"
    "<img src=\"/img/hero.png\" srcset=\"/img/hero.png 1x, "
    "https://cdn.example/big.png 2x\">"
    "<img src=\"https://cdn.example/never.png\"></article></div>"
    "<script>window.boot(\"</div>\")</script></body></html>";

// A post linking to the app; the static pass found the app thin, the
// browser lane captured its image and wrote its DOM snapshot.
class BrowserCaptureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string post = "See [the app](" + kApp + ").\n";
    fs::create_directories(t_.dir() / "content/posts");
    std::ofstream(t_.dir() / "content/posts/p.md") << post;
    ExtractedDocument extracted =
        ExtractLinks("p.md", post, DocumentFormat::kMarkdown);
    DocumentScan scan;
    scan.document.path = "content/posts/p.md";
    scan.document.sha256 = Sha256Hex(post);
    for (const Link& l : extracted.links) {
      scan.links.push_back({std::string(LinkKindName(l.kind)), l.written, l.url,
                            l.normalized, l.line, l.column,
                            static_cast<int64_t>(l.start),
                            static_cast<int64_t>(l.end)});
    }
    ASSERT_TRUE(t_.manifest().RecordScans({scan}).ok());
    t_.AddResource("file:content/posts/p.md", "text/markdown", post,
                   kShellAt - 10);
    t_.AddResponse("https://app.example/img/hero.png",
                   "HTTP/1.1 200 OK\r\nContent-Type: image/png", "HEROPNG",
                   kDomAt);
    t_.last_capture().source = kSourceBrowser;
    t_.AddRecordOnly(kDomSnapshotPrefix + kApp, "text/html; charset=utf-8",
                     kDom, kDomAt);
    // Last, so that tests can change it before Commit().
    t_.AddResponse(kApp,
                   "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8",
                   kShell, kShellAt);
    t_.last_capture().quality = "thin";
  }

  Result<RestoreSummary> Run(const fs::path& out,
                             std::optional<int64_t> at_us = std::nullopt) {
    RestoreOptions o;
    o.paths = {t_.dir() / "content"};
    o.out = out;
    o.format = RestoreFormat::kDir;
    o.site_root = t_.dir();
    o.at_us = at_us;
    return Restore(t_.manifest(), t_.warc_dir(), t_.store().config(), o);
  }

  // The restored page of kApp (assets/app.example/post/index.html: the one
  // .html file under assets/app.example).
  static std::string AppPage(const fs::path& out) {
    for (const auto& e :
         fs::recursive_directory_iterator(out / "assets/app.example")) {
      if (e.path().extension() == ".html") {
        Result<std::string> bytes = ReadFileToString(e.path());
        return bytes.ok() ? *bytes : "";
      }
    }
    return "";
  }

  TestStore t_;
};

TEST_F(BrowserCaptureTest,
       ThinPageIsRestoredFromItsDomWithLocalImagesNoScript) {
  t_.Commit();
  fs::path out = t_.dir() / "out";
  Result<RestoreSummary> summary = Run(out);
  ASSERT_TRUE(summary.ok()) << summary.status().message();
  std::string html = AppPage(out);
  EXPECT_NE(html.find("The article text lives here."), std::string::npos)
      << html;
  EXPECT_NE(html.find("src=\"../img/hero.png\""), std::string::npos) << html;
  EXPECT_NE(html.find("srcset=\"../img/hero.png 1x, "), std::string::npos)
      << html;
  EXPECT_EQ(ReadFileToString(out / "assets/app.example/img/hero.png").value(),
            "HEROPNG");
  EXPECT_EQ(html.find("<script"), std::string::npos) << html;
  EXPECT_EQ(html.find("http://"), std::string::npos) << html;
  EXPECT_EQ(html.find("https://"), std::string::npos) << html;
  EXPECT_NE(html.find("Content-Security-Policy"), std::string::npos);
  EXPECT_EQ(summary->rendered_pages, 1);  // the summary names its source
  EXPECT_EQ(summary->pages, 1);
}

TEST_F(BrowserCaptureTest,
       BrowserCaptureIsRestoredFromItsDomWhateverItsQuality) {
  t_.last_capture().source = kSourceBrowser;
  t_.last_capture().quality = "full";
  t_.Commit();
  fs::path out = t_.dir() / "out";
  ASSERT_TRUE(Run(out).ok());
  std::string html = AppPage(out);
  EXPECT_NE(html.find("The article text lives here."), std::string::npos)
      << html;
  EXPECT_EQ(html.find("<script"), std::string::npos) << html;
}

TEST_F(BrowserCaptureTest, FullStaticCaptureKeepsItsOwnBytes) {
  t_.last_capture().quality = "full";
  t_.Commit();
  fs::path out = t_.dir() / "out";
  ASSERT_TRUE(Run(out).ok());
  std::string html = AppPage(out);
  EXPECT_NE(html.find("<div id=\"root\"></div>"), std::string::npos) << html;
  EXPECT_EQ(html.find("The article text"), std::string::npos) << html;
}

TEST_F(BrowserCaptureTest, RestoreAtATimeBeforeTheSnapshotKeepsTheStaticCopy) {
  t_.Commit();
  fs::path out = t_.dir() / "out";
  Result<RestoreSummary> summary = Run(out, (kShellAt + 50) * int64_t{1000000});
  ASSERT_TRUE(summary.ok()) << summary.status().message();
  std::string html = AppPage(out);
  EXPECT_NE(html.find("<div id=\"root\"></div>"), std::string::npos) << html;
  EXPECT_EQ(html.find("The article text"), std::string::npos) << html;
  EXPECT_EQ(summary->rendered_pages, 0);
}

TEST_F(BrowserCaptureTest, PageReadAgainFromTheStoreIsTheSameDom) {
  t_.Commit();
  ASSERT_TRUE(Run(t_.dir() / "held").ok());
  RestoreOptions o;
  o.paths = {t_.dir() / "content"};
  o.out = t_.dir() / "reread";
  o.format = RestoreFormat::kDir;
  o.site_root = t_.dir();
  o.max_pending_page_bytes = 0;  // the page is read again in phase 2
  ASSERT_TRUE(
      Restore(t_.manifest(), t_.warc_dir(), t_.store().config(), o).ok());
  EXPECT_EQ(AppPage(t_.dir() / "reread"), AppPage(t_.dir() / "held"));
  EXPECT_EQ(AppPage(t_.dir() / "reread").find("<script"), std::string::npos);
}

TEST_F(BrowserCaptureTest, WaczPagesMarkBrowserCapturesAndIndexTheSnapshot) {
  t_.AddResponse("https://static.example/",
                 "HTTP/1.1 200 OK\r\nContent-Type: text/html", "<p>s</p>",
                 kDomAt + 1);
  // The app page again, now from the browser lane (the newest capture).
  t_.AddResponse(kApp,
                 "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8",
                 kShell, kDomAt + 2);
  t_.last_capture().source = kSourceBrowser;
  t_.last_capture().quality = "full";
  DocumentScan scan;
  scan.document.path = "content/posts/q.md";
  scan.document.sha256 = Sha256Hex("q");
  scan.links.push_back({"link", "https://static.example/",
                        "https://static.example/", "https://static.example/", 1,
                        1, 0, 10});
  ASSERT_TRUE(t_.manifest().RecordScans({scan}).ok());
  t_.Commit();
  fs::path out = t_.dir() / "x.wacz";
  ASSERT_TRUE(WriteWacz(t_.manifest(), t_.warc_dir(), out, {}).ok());
  std::map<std::string, std::string> files = testing::ArchiveFiles(out);
  const std::string& pages = files["pages/pages.jsonl"];
  size_t app = pages.find("\"url\":\"" + kApp + "\"");
  ASSERT_NE(app, std::string::npos) << pages;
  std::string app_line = pages.substr(app, pages.find('\n', app) - app);
  EXPECT_NE(app_line.find("\"capturedBy\":\"browser\""), std::string::npos)
      << pages;
  size_t stat = pages.find("\"url\":\"https://static.example/\"");
  ASSERT_NE(stat, std::string::npos) << pages;
  std::string static_line = pages.substr(stat, pages.find('\n', stat) - stat);
  EXPECT_EQ(static_line.find("capturedBy"), std::string::npos) << pages;

  // warcio.js indexes a resource record under its URI as it is (no SURT
  // for a non-http(s) URI), with its whole Content-Type and no status.
  const std::string& cdxj = files["indexes/index.cdxj"];
  const std::string line_start =
      "urn:rotguard:dom:" + kApp + " 20231114221500 {";
  size_t dom = cdxj.find(line_start);
  ASSERT_NE(dom, std::string::npos) << cdxj;
  std::string dom_line = cdxj.substr(dom, cdxj.find('\n', dom) - dom);
  EXPECT_NE(dom_line.find("{\"url\":\"urn:rotguard:dom:" + kApp +
                          "\",\"mime\":\"text/html; charset=utf-8\","),
            std::string::npos)
      << dom_line;
  EXPECT_EQ(dom_line.find("\"status\""), std::string::npos) << dom_line;
}

TEST(WithoutScripts, DropsScriptElementsAndKeepsEveryOtherByte) {
  EXPECT_EQ(restore::WithoutScripts(
                "<p>a</p><SCRIPT type=module>if (a<b) x('</p>')</script >"
                "<p>b</p><script src=x.js></script><script/>tail"),
            "<p>a</p><p>b</p>");
  // Look-alikes that are no script element stay as they are.
  const std::string kept =
      "<!-- <script>x</script> --><div title=\"<script>\">t</div>"
      "<style>a::after{content:\"<script>\"}</style>"
      "<textarea><script>x</script></textarea><scripts>s</scripts>"
      "<noscript><script>y</script></noscript>";
  EXPECT_EQ(restore::WithoutScripts(kept), kept);
}

}  // namespace
}  // namespace rotguard
