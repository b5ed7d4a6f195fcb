// Feeds, sitemaps, WXR exports and bookmark files as inputs (inputs.h):
// the corpus under tests/data/inputs and hostile bytes.
#include "rotguard/inputs.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "rotguard/scan.h"
#include "unit/temp_dir.h"

namespace rotguard {
namespace {

namespace fs = std::filesystem;

std::string ReadData(const std::string& name) {
  std::ifstream in(fs::path(ROTGUARD_TEST_DATA_DIR) / "inputs" / name,
                   std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

StructuredInput ReadData(const std::string& name, InputType expected) {
  std::string content = ReadData(name);
  EXPECT_EQ(DetectInputType(content), expected) << name;
  return ReadStructuredInput(content, expected);
}

std::vector<std::string> Urls(const InputEntry& entry) {
  std::vector<std::string> urls;
  for (const Link& link : entry.extracted.links) urls.push_back(link.url);
  return urls;
}

// Every span holds exactly its `written` bytes; for exact entries those
// bytes are the URL as written (no XML escaping in between).
void ExpectSpansHold(const std::string& content, const StructuredInput& in) {
  for (const InputEntry& entry : in.entries) {
    for (const Link& link : entry.extracted.links) {
      ASSERT_LE(link.end, content.size());
      EXPECT_EQ(content.substr(link.start, link.end - link.start), link.written)
          << entry.id;
    }
  }
}

TEST(DetectInputTypeTest, TellsEachTypeByContentNotName) {
  EXPECT_EQ(DetectInputType("<rss version='2.0'><channel/></rss>"),
            InputType::kRss);
  EXPECT_EQ(DetectInputType("\xEF\xBB\xBF<?xml version='1.0'?>\n<!-- c -->"
                            "<feed xmlns='http://www.w3.org/2005/Atom'/>"),
            InputType::kAtom);
  EXPECT_EQ(DetectInputType("<urlset/>"), InputType::kSitemap);
  EXPECT_EQ(DetectInputType("<sitemapindex/>"), InputType::kSitemapIndex);
  EXPECT_EQ(DetectInputType(
                "<rss xmlns:wp=\"http://wordpress.org/export/1.2/\"></rss>"),
            InputType::kWxr);
  EXPECT_EQ(DetectInputType("<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<DL>"),
            InputType::kBookmarks);
}

TEST(DetectInputTypeTest, PostsAndOtherFilesStayPosts) {
  EXPECT_EQ(DetectInputType("---\ntitle: x\n---\n<rss>"), InputType::kPost);
  EXPECT_EQ(DetectInputType("<!DOCTYPE html><html><title>x</title>"),
            InputType::kPost);
  EXPECT_EQ(DetectInputType("<p>rss</p>"), InputType::kPost);
  EXPECT_EQ(DetectInputType(""), InputType::kPost);
  EXPECT_EQ(DetectInputType("<?xml version='1.0'?><svg/>"), InputType::kPost);
}

TEST(RssInputTest, EachItemIsAPostWithItsContentLinksAndUtcDate) {
  std::string content = ReadData("feed.rss");
  StructuredInput in = ReadData("feed.rss", InputType::kRss);
  ASSERT_EQ(in.entries.size(), 2u);
  const InputEntry& first = in.entries[0];
  EXPECT_EQ(first.id, "post-1");
  EXPECT_EQ(first.public_url, "https://blog.example/2021/first/");
  EXPECT_EQ(first.extracted.front_matter.title, "First post");
  EXPECT_EQ(first.extracted.front_matter.date, "2021-09-06T14:45:00Z");
  EXPECT_EQ(Urls(first),
            (std::vector<std::string>{"https://news.example/a?x=1&y=2",
                                      "https://blog.example/img/cat.png",
                                      "https://cdn.example/ep1.mp3"}));
  EXPECT_EQ(first.fidelity, SpanFidelity::kExact);
  EXPECT_EQ(first.extracted.links[0].written,
            "https://news.example/a?x=1&amp;y=2");
  ExpectSpansHold(content, in);
  EXPECT_TRUE(in.warnings.empty());
}

TEST(RssInputTest, EscapedHtmlSpansHoldTheEscapedText) {
  std::string content = ReadData("feed.rss");
  StructuredInput in = ReadStructuredInput(content, InputType::kRss);
  const InputEntry& second = in.entries.at(1);
  EXPECT_EQ(second.id, "https://blog.example/2021/second/");
  EXPECT_EQ(second.extracted.front_matter.date, "2021-09-07T08:00:00Z");
  EXPECT_EQ(second.fidelity, SpanFidelity::kEscaped);
  ASSERT_EQ(second.extracted.links.size(), 1u);
  const Link& link = second.extracted.links[0];
  EXPECT_EQ(link.url, "https://other.example/b?p=1&q=2");
  EXPECT_EQ(link.written, "https://other.example/b?p=1&amp;amp;q=2");
  EXPECT_EQ(content.substr(link.start, link.end - link.start), link.written);
  EXPECT_EQ(link.line, 20);
}

TEST(AtomInputTest, HtmlAndXhtmlContentAndEnclosures) {
  std::string content = ReadData("feed.atom");
  StructuredInput in = ReadData("feed.atom", InputType::kAtom);
  ASSERT_EQ(in.entries.size(), 2u);
  EXPECT_EQ(in.entries[0].id, "tag:atom.example,2021:1");
  EXPECT_EQ(in.entries[0].extracted.front_matter.date, "2021-03-04T10:20:30Z");
  // Relative links resolve against the entry's own URL.
  EXPECT_EQ(Urls(in.entries[0]),
            (std::vector<std::string>{"https://news.example/one",
                                      "https://atom.example/posts/pic.jpg"}));
  EXPECT_EQ(in.entries[1].public_url, "https://atom.example/posts/two");
  EXPECT_EQ(in.entries[1].extracted.front_matter.date,
            "2021-04-01T12:00:00+02:00");
  EXPECT_EQ(Urls(in.entries[1]),
            (std::vector<std::string>{"https://cdn.example/two.pdf",
                                      "https://news.example/two"}));
  EXPECT_EQ(in.entries[1].fidelity, SpanFidelity::kExact);
  ExpectSpansHold(content, in);
}

TEST(AtomInputTest, BloggerExportCountsPostsOnly) {
  std::string content = ReadData("blogger-export.atom");
  StructuredInput in = ReadData("blogger-export.atom", InputType::kAtom);
  ASSERT_EQ(in.entries.size(), 2u);  // no template, settings, comment
  const InputEntry& post = in.entries[0];
  EXPECT_EQ(post.id, "tag:blogger.com,1999:blog-123.post-111");
  EXPECT_EQ(post.public_url,
            "https://hackingnews.blogspot.com/2020/02/coronavirus-scam.html");
  EXPECT_EQ(post.extracted.front_matter.date, "2020-02-08T10:15:00.001-08:00");
  EXPECT_EQ(Urls(post), (std::vector<std::string>{
                            "https://1.bp.blogspot.com/-Fx/s1600/corona.jpg",
                            "https://1.bp.blogspot.com/-Fx/s640/corona.jpg"}));
  EXPECT_EQ(in.entries[1].extracted.front_matter.draft, true);
  ExpectSpansHold(content, in);
}

TEST(SitemapInputTest, EachUrlIsADocumentWithLastmodAndImages) {
  std::string content = ReadData("sitemap.xml");
  StructuredInput in = ReadData("sitemap.xml", InputType::kSitemap);
  ASSERT_EQ(in.entries.size(), 2u);
  EXPECT_EQ(in.entries[0].extracted.front_matter.date, "2021-05-01");
  EXPECT_EQ(Urls(in.entries[0]),
            std::vector<std::string>{"https://site.example/"});
  const InputEntry& second = in.entries[1];
  EXPECT_EQ(second.id, "https://site.example/search?q=a&page=2");
  EXPECT_EQ(second.fidelity, SpanFidelity::kEscaped);
  ASSERT_EQ(second.extracted.links.size(), 3u);
  EXPECT_EQ(second.extracted.links[0].written,
            "https://site.example/search?q=a&amp;page=2");
  EXPECT_EQ(second.extracted.links[1].kind, LinkKind::kImage);
  EXPECT_EQ(second.extracted.links[2].url, "https://cdn.example/b.jpg");
  ExpectSpansHold(content, in);
}

TEST(SitemapInputTest, IndexNamesItsChildren) {
  std::vector<ExtractWarning> warnings;
  EXPECT_EQ(SitemapIndexChildren(ReadData("sitemap-index.xml"), &warnings),
            (std::vector<std::string>{
                "https://site.example/sitemaps/posts.xml", "pages.xml",
                "https://elsewhere.example/remote-sitemap.xml"}));
  EXPECT_TRUE(warnings.empty());
}

TEST(WxrInputTest, PublishedPostsAndPagesWithAttachmentsNoDrafts) {
  std::string content = ReadData("wordpress.wxr.xml");
  StructuredInput in = ReadData("wordpress.wxr.xml", InputType::kWxr);
  ASSERT_EQ(in.entries.size(), 3u);
  EXPECT_EQ(in.entries[0].id, "1");
  EXPECT_EQ(in.entries[0].extracted.front_matter.date, "2021-06-01T09:30:00Z");
  EXPECT_EQ(Urls(in.entries[0]),
            (std::vector<std::string>{
                "https://news.example/wp",
                "https://wp.example/wp-content/uploads/2021/06/photo.jpg"}));
  EXPECT_EQ(in.entries[1].id, "2");
  EXPECT_EQ(in.entries[1].public_url, "https://wp.example/about/");
  // The draft (3) and its attachment are left out.
  EXPECT_EQ(in.entries[2].id, "attachments");
  EXPECT_EQ(Urls(in.entries[2]),
            (std::vector<std::string>{
                "https://wp.example/wp-content/uploads/2021/06/photo.jpg",
                "https://wp.example/wp-content/uploads/logo.svg"}));
  for (const InputEntry& entry : in.entries) {
    EXPECT_EQ(entry.fidelity, SpanFidelity::kExact) << entry.id;
  }
  ExpectSpansHold(content, in);
}

TEST(BookmarksInputTest, FirefoxExportEachBookmarkWithItsAddDate) {
  std::string content = ReadData("bookmarks-firefox.html");
  StructuredInput in =
      ReadData("bookmarks-firefox.html", InputType::kBookmarks);
  ASSERT_EQ(in.entries.size(), 4u);  // place: is counted, not linked
  EXPECT_EQ(in.entries[0].extracted.front_matter.title, "Get Firefox");
  EXPECT_EQ(in.entries[0].extracted.front_matter.date, "2021-02-03T09:47:58Z");
  EXPECT_EQ(Urls(in.entries[1]),
            std::vector<std::string>{"https://docs.example/guide?a=1&b=2"});
  EXPECT_EQ(in.entries[1].extracted.links[0].written,
            "https://docs.example/guide?a=1&amp;b=2");
  EXPECT_TRUE(in.entries[2].extracted.links.empty());
  EXPECT_EQ(in.entries[2].extracted.skipped.at("place"), 1);
  EXPECT_EQ(in.entries[3].extracted.links.at(0).line, 18);
  ExpectSpansHold(content, in);
}

TEST(BookmarksInputTest, PocketExportUsesTimeAdded) {
  std::string content = ReadData("bookmarks-pocket.html");
  StructuredInput in = ReadData("bookmarks-pocket.html", InputType::kBookmarks);
  ASSERT_EQ(in.entries.size(), 3u);
  EXPECT_EQ(in.entries[0].id, "https://read.example/later");
  EXPECT_EQ(in.entries[0].extracted.front_matter.date, "2020-06-04T01:36:07Z");
  EXPECT_EQ(in.entries[2].extracted.front_matter.title, "Done");
  ExpectSpansHold(content, in);
}

TEST(HostileInputTest, EntityDeclarationsStopTheParse) {
  std::string bomb =
      "<?xml version='1.0'?><!DOCTYPE rss [<!ENTITY a 'aaaaaaaaaa'>"
      "<!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;'>"
      "<!ENTITY c '&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;'>]>"
      "<rss><channel><item><title>&c;</title></item></channel></rss>";
  StructuredInput in = ReadStructuredInput(bomb, InputType::kRss);
  EXPECT_TRUE(in.entries.empty());
  ASSERT_EQ(in.warnings.size(), 1u);
  EXPECT_NE(in.warnings[0].message.find("entity declarations"),
            std::string::npos);
}

TEST(HostileInputTest, ExternalEntitiesAreNeverRead) {
  std::string xxe =
      "<?xml version='1.0'?><!DOCTYPE rss SYSTEM 'file:///etc/passwd'>"
      "<rss><channel><item><link>https://a.example/</link>"
      "<description>x</description></item></channel></rss>";
  StructuredInput in = ReadStructuredInput(xxe, InputType::kRss);
  ASSERT_EQ(in.entries.size(), 1u);
  EXPECT_TRUE(in.entries[0].extracted.links.empty());
}

TEST(HostileInputTest, DeepNestingStopsAtTheDepthLimit) {
  std::string deep = "<rss><channel>";
  for (int i = 0; i < 100000; ++i) deep += "<x>";
  StructuredInput in = ReadStructuredInput(deep, InputType::kRss);
  ASSERT_FALSE(in.warnings.empty());
  EXPECT_NE(in.warnings[0].message.find("nested deeper than"),
            std::string::npos);
}

TEST(HostileInputTest, FilesOverTheSizeLimitAreNotParsed) {
  InputLimits limits;
  limits.max_bytes = 1024;
  std::string big = "<urlset>" + std::string(4096, ' ') + "</urlset>";
  StructuredInput in =
      ReadStructuredInput(big, InputType::kSitemap, {}, limits);
  EXPECT_TRUE(in.entries.empty());
  ASSERT_EQ(in.warnings.size(), 1u);
  EXPECT_NE(in.warnings[0].message.find("larger than 1024"), std::string::npos);
}

TEST(HostileInputTest, EntryLimitKeepsTheFirstEntries) {
  InputLimits limits;
  limits.max_entries = 2;
  std::string many = "<urlset>";
  for (int i = 0; i < 5; ++i) {
    many += "<url><loc>https://e.example/" + std::to_string(i) + "</loc></url>";
  }
  many += "</urlset>";
  StructuredInput in =
      ReadStructuredInput(many, InputType::kSitemap, {}, limits);
  EXPECT_EQ(in.entries.size(), 2u);
  EXPECT_EQ(in.warnings.size(), 1u);
}

TEST(HostileInputTest, InvalidUtf8KeepsEntriesBeforeIt) {
  std::string bad =
      "<urlset><url><loc>https://ok.example/</loc></url>"
      "<url><loc>https://bad.example/\xFF</loc></url></urlset>";
  StructuredInput in = ReadStructuredInput(bad, InputType::kSitemap);
  ASSERT_EQ(in.entries.size(), 1u);
  EXPECT_EQ(in.entries[0].id, "https://ok.example/");
  ASSERT_EQ(in.warnings.size(), 1u);
  EXPECT_NE(in.warnings[0].message.find("not well-formed"), std::string::npos);
}

TEST(HostileInputTest, RepeatedIdsGetASuffix) {
  std::string twice =
      "<urlset><url><loc>https://a.example/</loc></url>"
      "<url><loc>https://a.example/</loc></url></urlset>";
  StructuredInput in = ReadStructuredInput(twice, InputType::kSitemap);
  ASSERT_EQ(in.entries.size(), 2u);
  EXPECT_EQ(in.entries[1].id, "https://a.example/~2");
}

// Scanning: a named feed is read whatever its name; a sitemap index
// stands for its local children; remote children are never fetched.
class InputsScanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    old_cwd_ = fs::current_path();
    fs::current_path(tmp_.path());
    for (const char* name :
         {"sitemap-index.xml", "posts.xml", "pages.xml", "feed.rss"}) {
      std::ofstream(name) << ReadData(name);
    }
    fs::rename("feed.rss", "feed");  // no extension: told by content
  }
  void TearDown() override { fs::current_path(old_cwd_); }

  ::rotguard::testing::TempDir tmp_;
  fs::path old_cwd_;
};

TEST_F(InputsScanTest, SitemapIndexReadsLocalChildrenOnly) {
  Result<WalkResult> walk = WalkInputs({"sitemap-index.xml", "feed"});
  ASSERT_TRUE(walk.ok()) << walk.status().message();
  std::vector<std::string> paths;
  for (const ScanInput& input : walk->files)
    paths.push_back(input.display_path);
  EXPECT_EQ(paths,
            (std::vector<std::string>{"feed", "pages.xml", "posts.xml"}));
  EXPECT_EQ(walk->skipped.at("remote-sitemap"), 1);
  ASSERT_EQ(walk->warnings.size(), 1u);
  EXPECT_NE(walk->warnings[0].find("never fetched"), std::string::npos);
}

TEST_F(InputsScanTest, EntriesAreDocumentsKeyedFileHashId) {
  Result<WalkResult> walk = WalkInputs({"feed", "posts.xml"});
  ASSERT_TRUE(walk.ok());
  ScanOptions options;
  options.compute_sha256 = true;
  Result<std::vector<ScannedDocument>> docs = ScanInputs(walk->files, options);
  ASSERT_TRUE(docs.ok());
  std::vector<std::string> keys;
  for (const ScannedDocument& doc : *docs) {
    keys.push_back(ScannedDocumentKey(doc, tmp_.path()));
    EXPECT_FALSE(doc.sha256.empty());
  }
  EXPECT_EQ(keys, (std::vector<std::string>{
                      "feed#post-1", "feed#https://blog.example/2021/second/",
                      "posts.xml#https://site.example/posts/one/",
                      "posts.xml#https://site.example/posts/two/"}));
  EXPECT_EQ((*docs)[0].sha256, (*docs)[1].sha256);
  EXPECT_EQ((*docs)[0].type, InputType::kRss);
}

}  // namespace
}  // namespace rotguard
