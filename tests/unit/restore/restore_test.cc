#include "rotguard/restore.h"

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "rotguard/extract.h"
#include "rotguard/inputs.h"
#include "unit/restore/test_store.h"
#include "unit/test_support/archive_entries.h"
#include "util/file.h"

namespace rotguard {
namespace {

using testing::ArchiveEntries;
using testing::TestStore;
namespace fs = std::filesystem;

constexpr const char* kPost =
    "---\ntitle: Hello\n---\n"
    "An [article](https://ift.tt/x) and "
    "![pic](https://1.bp.blogspot.com/a/s640/p.jpg) and "
    "[gone](https://example.com/gone.html) and ![local](images/local.png).\n"
    "Bare: https://ift.tt/x and https://example.com/gone.html too "
    "(https://ift.tt/x), and [spaced]( https://ift.tt/x).\n";

const std::string kFinal = "https://www.ehackingnews.com/2020/02/x.html";

constexpr const char* kPage =
    "<!doctype html><html><head><title>x</title>"
    "<link rel=stylesheet href=\"/style.css\"></head><body>"
    "<img src=\"/img.png\"><img src=\"https://cdn.example.net/missing.png\">"
    "<a href=\"https://other.example/\">other</a></body></html>";

void WriteFile(const fs::path& path, const std::string& bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << bytes;
}

std::string Read(const fs::path& path) {
  Result<std::string> bytes = ReadFileToString(path);
  EXPECT_TRUE(bytes.ok()) << path;
  return bytes.ok() ? *bytes : "";
}

// A store holding the post (as its resource record), an article behind a
// two-hop redirect chain with a stylesheet and an image, and a revisited
// Blogger image; one link and one requisite were never captured.
class RestoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    post_path_ = t_.dir() / "content/posts/hello.md";
    WriteFile(post_path_, kPost);
    WriteFile(t_.dir() / "content/posts/images/local.png", "PNGDATA");
    ExtractedDocument extracted =
        ExtractLinks("hello.md", kPost, DocumentFormat::kMarkdown);
    DocumentScan scan;
    scan.document.path = "content/posts/hello.md";
    scan.document.sha256 = Sha256Hex(kPost);
    scan.document.title = "Hello";
    for (const Link& l : extracted.links) {
      scan.links.push_back({std::string(LinkKindName(l.kind)), l.written, l.url,
                            l.normalized, l.line, l.column,
                            static_cast<int64_t>(l.start),
                            static_cast<int64_t>(l.end)});
    }
    links_ = scan.links;
    ASSERT_EQ(links_.size(), 7u);  // the relative image is not a link row
    ASSERT_TRUE(t_.manifest().RecordScans({scan}).ok());

    t_.AddResource("file:content/posts/hello.md",
                   "text/markdown; charset=utf-8", kPost, 1581156000);
    t_.AddResponse("https://ift.tt/x",
                   "HTTP/1.1 301 Moved\r\nLocation: https://feeds.example/x",
                   "", 1581156001, "c1", 0, kFinal);
    t_.AddResponse("https://feeds.example/x",
                   "HTTP/1.1 302 Found\r\nLocation: " + kFinal, "", 1581156002,
                   "c1", 1, kFinal);
    t_.AddResponse(kFinal,
                   "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8",
                   kPage, 1581156003, "c1", 2, kFinal);
    t_.AddResponse("https://www.ehackingnews.com/style.css",
                   "HTTP/1.1 200 OK\r\nContent-Type: text/css",
                   "body{background:url(\"/bg.png\")}", 1581156004);
    t_.AddResponse("https://www.ehackingnews.com/bg.png",
                   "HTTP/1.1 200 OK\r\nContent-Type: image/png", "BGPNG",
                   1581156005);
    t_.AddResponse("https://www.ehackingnews.com/img.png",
                   "HTTP/1.1 200 OK\r\nContent-Type: image/png", "IMGPNG",
                   1581156006);
    CaptureRow original = t_.AddResponse(
        "https://1.bp.blogspot.com/a/s1600/p.jpg",
        "HTTP/1.1 200 OK\r\nContent-Type: image/jpeg", "JPEG", 1581156007);
    t_.AddRevisit("https://1.bp.blogspot.com/a/s640/p.jpg",
                  "HTTP/1.1 200 OK\r\nContent-Type: image/jpeg", original,
                  1581156008);
    t_.Commit();
  }

  RestoreOptions Options(RestoreFormat format, const fs::path& out) {
    RestoreOptions o;
    o.paths = {t_.dir() / "content"};
    o.out = out;
    o.format = format;
    o.site_root = t_.dir();
    return o;
  }

  Result<RestoreSummary> Run(const RestoreOptions& o) {
    return Restore(t_.manifest(), t_.warc_dir(), t_.store().config(), o);
  }

  TestStore t_;
  fs::path post_path_;
  std::vector<LinkRow> links_;
};

TEST_F(RestoreTest, SourceCopyChangesOnlyArchivedSpansToExistingFiles) {
  fs::path out = t_.dir() / "out";
  auto summary = Run(Options(RestoreFormat::kDir, out));
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->posts, 1);
  EXPECT_EQ(summary->not_captured, 2);
  const std::string restored = Read(out / "posts/content/posts/hello.md");
  const std::string original = kPost;
  size_t o = 0, r = 0;
  int replaced = 0;
  for (size_t i = 0; i < links_.size(); ++i) {
    const LinkRow& link = links_[i];
    std::string before = original.substr(o, link.start - o);
    ASSERT_EQ(restored.substr(r, before.size()), before);
    r += before.size();
    o = link.end;
    // The span's replacement runs up to the next unchanged byte.
    size_t end = restored.find(original[link.end], r);
    std::string text = restored.substr(r, end - r);
    r = end;
    if (link.url == "https://example.com/gone.html") {
      EXPECT_EQ(text, link.written);  // never captured: left as it was
      continue;
    }
    ++replaced;
    EXPECT_NE(text, link.written);
    EXPECT_TRUE(fs::is_regular_file(out / "posts/content/posts" / text))
        << text;
  }
  EXPECT_EQ(restored.substr(r), original.substr(o));
  EXPECT_EQ(replaced, 5);
}

TEST_F(RestoreTest, RenderedPostShowsLocalImagesAndCarriesCsp) {
  fs::path out = t_.dir() / "out";
  ASSERT_TRUE(Run(Options(RestoreFormat::kDir, out)).ok());
  std::string html = Read(out / "posts/content/posts/hello.md.html");
  EXPECT_NE(html.find("Content-Security-Policy"), std::string::npos);
  EXPECT_EQ(html.find("src=\"http"), std::string::npos) << html;
  EXPECT_NE(html.find("../../../site/content/posts/images/local.png"),
            std::string::npos)
      << html;
  EXPECT_EQ(Read(out / "site/content/posts/images/local.png"), "PNGDATA");
  EXPECT_NE(Read(out / "index.html").find("https://example.com/gone.html"),
            std::string::npos);
}

// A feed named to restore: its entries are the documents FILE#ID (as
// scan --update records them), so each entry is restored, not the file
// skipped as "not scanned".
TEST_F(RestoreTest, FeedFileRestoresEveryEntry) {
  const std::string feed =
      "<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel><title>t"
      "</title>\n<item><title>One</title><link>https://blog.example/one/"
      "</link><guid>p1</guid><description><![CDATA[<img "
      "src=\"https://www.ehackingnews.com/img.png\">]]></description></item>\n"
      "<item><title>Two</title><guid>p2</guid><description><![CDATA[<a "
      "href=\"https://example.com/gone.html\">gone</a>]]></description>"
      "</item>\n</channel></rss>\n";
  WriteFile(t_.dir() / "feed.xml", feed);
  StructuredInput input = ReadStructuredInput(feed, DetectInputType(feed));
  ASSERT_EQ(input.entries.size(), 2u);
  std::vector<DocumentScan> scans;
  for (const InputEntry& entry : input.entries) {
    DocumentScan scan;
    scan.document.path = "feed.xml#" + entry.id;
    scan.document.sha256 = Sha256Hex(feed);
    scan.document.title = entry.extracted.front_matter.title;
    scan.document.public_url = entry.public_url;
    for (const Link& l : entry.extracted.links) {
      scan.links.push_back({std::string(LinkKindName(l.kind)), l.written, l.url,
                            l.normalized, l.line, l.column,
                            static_cast<int64_t>(l.start),
                            static_cast<int64_t>(l.end)});
    }
    scans.push_back(std::move(scan));
  }
  ASSERT_TRUE(t_.manifest().RecordScans(scans).ok());

  fs::path out = t_.dir() / "out";
  RestoreOptions options = Options(RestoreFormat::kDir, out);
  options.paths = {t_.dir() / "feed.xml"};
  auto summary = Run(options);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->posts, 2);
  EXPECT_EQ(summary->not_captured, 1);
  for (const std::string& note : summary->notes) {
    EXPECT_EQ(note.find("not scanned"), std::string::npos) << note;
  }
  // The file's copy points the captured image at its local file.
  const std::string copy = Read(out / "posts/feed.xml");
  EXPECT_EQ(copy.find("https://www.ehackingnews.com/img.png"),
            std::string::npos)
      << copy;
  EXPECT_NE(copy.find("https://example.com/gone.html"), std::string::npos);
  // Each entry has a page of its own, and a section in the index.
  const std::string one = Read(out / "posts/feed.xml.entry-1.html");
  EXPECT_NE(one.find("One"), std::string::npos) << one;
  EXPECT_NE(one.find("href=\"../assets/"), std::string::npos) << one;
  EXPECT_NE(one.find("Content-Security-Policy"), std::string::npos);
  EXPECT_TRUE(fs::is_regular_file(out / "posts/feed.xml.entry-2.html"));
  const std::string index = Read(out / "index.html");
  EXPECT_NE(index.find("href=\"posts/feed.xml.entry-1.html\">One</a>"),
            std::string::npos)
      << index;
  EXPECT_NE(index.find(">Two</a>"), std::string::npos) << index;
}

TEST_F(RestoreTest, RenderedPostKeepsBareUrlsAsLinks) {
  fs::path out = t_.dir() / "out";
  ASSERT_TRUE(Run(Options(RestoreFormat::kDir, out)).ok());
  std::string html = Read(out / "posts/content/posts/hello.md.html");
  // In prose, in parentheses too; a "( url)" destination stays a link's.
  size_t count = 0;
  for (size_t at = html.find(">https://ift.tt/x</a>"); at != std::string::npos;
       at = html.find(">https://ift.tt/x</a>", at + 1)) {
    ++count;
  }
  EXPECT_EQ(count, 2u) << html;
  EXPECT_NE(html.find(">spaced</a>"), std::string::npos) << html;
  size_t archived = html.find(">https://ift.tt/x</a>");
  ASSERT_NE(archived, std::string::npos) << html;
  size_t href = html.rfind("<a href=\"../../../assets/", archived);
  EXPECT_NE(href, std::string::npos) << html;
  EXPECT_EQ(html.substr(href, archived - href).find('<', 1), std::string::npos)
      << html;
  EXPECT_NE(html.find("<a href=\"https://example.com/gone.html\">"
                      "https://example.com/gone.html</a>"),
            std::string::npos)
      << html;
}

TEST_F(RestoreTest, ProgressIsReportedAfterEachPost) {
  RestoreOptions o = Options(RestoreFormat::kDir, t_.dir() / "out");
  std::vector<std::pair<int, int>> calls;
  o.on_progress = [&](int done, int total) { calls.emplace_back(done, total); };
  ASSERT_TRUE(Run(o).ok());
  EXPECT_EQ(calls, (std::vector<std::pair<int, int>>{{1, 1}}));
}

// Files go out as soon as they are final, not all at the end: memory stays
// flat however much is restored. Only HTML pages wait for the last post.
TEST_F(RestoreTest, PostsAndTheirAssetsAreWrittenBeforeTheRunEnds) {
  fs::path out = t_.dir() / "out";
  RestoreOptions o = Options(RestoreFormat::kDir, out);
  std::set<std::string> on_disk_after_post;
  o.on_progress = [&](int, int) {
    for (const auto& e : fs::recursive_directory_iterator(out)) {
      if (e.is_regular_file()) {
        on_disk_after_post.insert(fs::relative(e.path(), out).string());
      }
    }
  };
  ASSERT_TRUE(Run(o).ok());
  EXPECT_TRUE(on_disk_after_post.count("posts/content/posts/hello.md"));
  EXPECT_TRUE(on_disk_after_post.count("posts/content/posts/hello.md.html"));
  EXPECT_TRUE(
      on_disk_after_post.count("assets/1.bp.blogspot.com/a/s640/p.jpg"));
  EXPECT_FALSE(on_disk_after_post.count("index.html"));
  EXPECT_TRUE(fs::is_regular_file(out / "index.html"));
}

TEST_F(RestoreTest, AFailedArchiveRestoreLeavesNoPartialFile) {
  // A second post, scanned but never archived: restore reads it from disk,
  // and fails once it is gone, after the first post went into the tar.
  const fs::path second = t_.dir() / "content/posts/zz.md";
  { std::ofstream(second) << "second post\n"; }
  DocumentScan scan;
  scan.document.path = "content/posts/zz.md";
  scan.document.sha256 = Sha256Hex("second post\n");
  ASSERT_TRUE(t_.manifest().RecordScans({scan}).ok());
  fs::path out = t_.dir() / "out.tar";
  RestoreOptions o = Options(RestoreFormat::kTar, out);
  int posts_done = 0;
  o.on_progress = [&](int done, int) {
    posts_done = done;
    EXPECT_TRUE(fs::exists(out.string() + ".tmp"));  // being written
    fs::remove(second);
  };
  EXPECT_FALSE(Run(o).ok());
  EXPECT_EQ(posts_done, 1);
  EXPECT_FALSE(fs::exists(out));
  EXPECT_FALSE(fs::exists(out.string() + ".tmp"));
}

TEST_F(RestoreTest, LinkedPageIsTheFinalHopWithLocalRequisites) {
  fs::path out = t_.dir() / "out";
  ASSERT_TRUE(Run(Options(RestoreFormat::kDir, out)).ok());
  fs::path page = out / "assets/www.ehackingnews.com/2020/02/x.html";
  std::string html = Read(page);
  EXPECT_NE(html.find("Content-Security-Policy"), std::string::npos);
  EXPECT_NE(html.find("href=\"../../style.css\""), std::string::npos) << html;
  EXPECT_NE(html.find("src=\"../../img.png\""), std::string::npos) << html;
  EXPECT_EQ(html.find("missing.png"), std::string::npos) << html;
  EXPECT_EQ(Read(out / "assets/www.ehackingnews.com/img.png"), "IMGPNG");
  EXPECT_EQ(Read(out / "assets/www.ehackingnews.com/style.css"),
            "body{background:url(\"bg.png\")}");
  EXPECT_EQ(Read(out / "assets/www.ehackingnews.com/bg.png"), "BGPNG");
  EXPECT_EQ(Read(out / "assets/1.bp.blogspot.com/a/s640/p.jpg"), "JPEG");
  EXPECT_FALSE(fs::exists(out / "assets/ift.tt"));
}

std::set<std::string> ListArchive(const fs::path& path) {
  std::set<std::string> names;
  archive* a = archive_read_new();
  archive_read_support_format_all(a);
  archive_read_support_filter_all(a);
  EXPECT_EQ(archive_read_open_filename(a, path.c_str(), 65536), ARCHIVE_OK);
  archive_entry* entry = nullptr;
  while (archive_read_next_header(a, &entry) == ARCHIVE_OK) {
    names.insert(archive_entry_pathname(entry));
    archive_read_data_skip(a);
  }
  archive_read_free(a);
  return names;
}

std::set<std::string> ListDirectory(const fs::path& dir) {
  std::set<std::string> names;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) {
      names.insert(fs::relative(e.path(), dir).generic_string());
    }
  }
  return names;
}

TEST_F(RestoreTest, PagesReadAgainFromTheStoreComeOutTheSame) {
  fs::path held = t_.dir() / "held";
  ASSERT_TRUE(Run(Options(RestoreFormat::kDir, held)).ok());
  RestoreOptions reread = Options(RestoreFormat::kDir, t_.dir() / "reread");
  reread.max_pending_page_bytes = 0;  // no page waits with its bytes
  Result<RestoreSummary> summary = Run(reread);
  ASSERT_TRUE(summary.ok()) << summary.status().message();
  EXPECT_GT(summary->pages, 0);
  std::set<std::string> files = ListDirectory(held);
  ASSERT_EQ(ListDirectory(t_.dir() / "reread"), files);
  for (const std::string& name : files) {
    EXPECT_EQ(Read(t_.dir() / "reread" / name), Read(held / name)) << name;
  }
}

TEST_F(RestoreTest, TarAndZipHoldTheSameFilesAsTheDirectory) {
  ASSERT_TRUE(Run(Options(RestoreFormat::kDir, t_.dir() / "out")).ok());
  ASSERT_TRUE(Run(Options(RestoreFormat::kTar, t_.dir() / "out.tar")).ok());
  ASSERT_TRUE(Run(Options(RestoreFormat::kZip, t_.dir() / "out.zip")).ok());
  std::set<std::string> files = ListDirectory(t_.dir() / "out");
  EXPECT_TRUE(files.count("index.html"));
  EXPECT_EQ(ListArchive(t_.dir() / "out.tar"), files);
  EXPECT_EQ(ListArchive(t_.dir() / "out.zip"), files);
}

// --max-decoded-size: a capture decoding to more is skipped with a note
// naming it, and the restore goes on with the rest.
TEST_F(RestoreTest, CaptureDecodingPastTheLimitIsSkippedWithANote) {
  fs::path out = t_.dir() / "out";
  RestoreOptions o = Options(RestoreFormat::kDir, out);
  o.max_decoded = 5;  // the article page is longer, the image "JPEG" not
  Result<RestoreSummary> summary = Run(o);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_FALSE(fs::exists(out / "assets/www.ehackingnews.com/2020/02/x.html"));
  EXPECT_EQ(Read(out / "assets/1.bp.blogspot.com/a/s640/p.jpg"), "JPEG");
  bool noted = false;
  for (const std::string& note : summary->notes) {
    noted |= note.find(kFinal) != std::string::npos &&
             note.find("--max-decoded-size") != std::string::npos;
  }
  EXPECT_TRUE(noted);
}

// More linked pages than phase 2 scans in one batch, each linking the
// next, half with an image; the first page frames a page no post links,
// which phase 2 itself queues.
class RestoreManyPagesTest : public ::testing::Test {
 protected:
  static constexpr int kPages = 90;

  void SetUp() override {
    std::string post = "---\ntitle: Many\n---\n";
    for (int i = 0; i < kPages; ++i) post += "[p](" + PageUrl(i) + ")\n";
    WriteFile(t_.dir() / "content/many.md", post);
    ExtractedDocument extracted =
        ExtractLinks("many.md", post, DocumentFormat::kMarkdown);
    DocumentScan scan;
    scan.document.path = "content/many.md";
    scan.document.sha256 = Sha256Hex(post);
    scan.document.title = "Many";
    for (const Link& l : extracted.links) {
      scan.links.push_back({std::string(LinkKindName(l.kind)), l.written, l.url,
                            l.normalized, l.line, l.column,
                            static_cast<int64_t>(l.start),
                            static_cast<int64_t>(l.end)});
    }
    ASSERT_TRUE(t_.manifest().RecordScans({scan}).ok());
    t_.AddResource("file:content/many.md", "text/markdown; charset=utf-8", post,
                   1581156000);
    const std::string html = "HTTP/1.1 200 OK\r\nContent-Type: text/html";
    for (int i = 0; i < kPages; ++i) {
      std::string page = "<html><head><title>" + std::to_string(i) +
                         "</title></head><body><a href=\"" +
                         PageUrl((i + 1) % kPages) + "\">next</a>" +
                         "<img src=\"/img/" + std::to_string(i) + ".png\">" +
                         (i == 0 ? "<iframe src=\"https://q.example/f.html\">"
                                   "</iframe>"
                                 : "") +
                         std::string(100 + i * 7, 'x') + "</body></html>";
      t_.AddResponse(PageUrl(i), html, page, 1581156001 + i);
      if (i % 2 == 0) {
        t_.AddResponse("https://p.example/img/" + std::to_string(i) + ".png",
                       "HTTP/1.1 200 OK\r\nContent-Type: image/png",
                       "PNG" + std::to_string(i), 1581157000 + i);
      }
    }
    t_.AddResponse("https://q.example/f.html", html,
                   "<html><body>frame</body></html>", 1581158000);
    t_.Commit();
  }

  static std::string PageUrl(int i) {
    return "https://p.example/" + std::to_string(i) + ".html";
  }

  Result<RestoreSummary> Run(const fs::path& out, uint64_t pending_bytes) {
    RestoreOptions o;
    o.paths = {t_.dir() / "content"};
    o.out = out;
    o.format = RestoreFormat::kTar;
    o.site_root = t_.dir();
    o.max_pending_page_bytes = pending_bytes;
    return Restore(t_.manifest(), t_.warc_dir(), t_.store().config(), o);
  }

  TestStore t_;
};

TEST_F(RestoreManyPagesTest, PagesComeOutInOneOrderWithTheSameBytesHeldOrRead) {
  ASSERT_TRUE(Run(t_.dir() / "held.tar", uint64_t{32} << 20).ok());
  auto held = ArchiveEntries(t_.dir() / "held.tar");
  for (uint64_t pending : {uint64_t{0}, uint64_t{4000}}) {
    fs::path out = t_.dir() / ("out" + std::to_string(pending) + ".tar");
    Result<RestoreSummary> summary = Run(out, pending);
    ASSERT_TRUE(summary.ok()) << summary.status().ToString();
    EXPECT_EQ(summary->pages, kPages + 1);
    EXPECT_EQ(ArchiveEntries(out), held) << pending;
  }
  std::map<std::string, std::string> files(held.begin(), held.end());
  for (int i = 0; i < kPages; ++i) {
    const std::string& page =
        files["assets/p.example/" + std::to_string(i) + ".html"];
    EXPECT_NE(
        page.find("href=\"" + std::to_string((i + 1) % kPages) + ".html\""),
        std::string::npos)
        << page;
    EXPECT_NE(page.find(i % 2 ? "src=\"\"" : "src=\"img/"), std::string::npos)
        << page;
  }
  EXPECT_NE(files["assets/q.example/f.html"].find("Content-Security-Policy"),
            std::string::npos);
  EXPECT_NE(files["assets/p.example/0.html"].find("../q.example/f.html"),
            std::string::npos);
}

}  // namespace
}  // namespace rotguard
