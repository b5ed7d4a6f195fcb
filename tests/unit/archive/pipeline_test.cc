// The archive pipeline against a scripted fake Fetcher and a real store.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "rotguard/archive.h"
#include "rotguard/fetch.h"
#include "rotguard/manifest.h"
#include "rotguard/store.h"
#include "rotguard/url.h"
#include "rotguard/warc_writer.h"
#include "unit/archive/fake_fetcher.h"
#include "unit/temp_dir.h"

namespace rotguard {
namespace {

namespace fs = std::filesystem;

using testing::FakeFetcher;

std::string Bytes(char c, size_t n) { return std::string(n, c); }

class ArchivePipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StoreOptions quiet;
    quiet.log_to_file = false;
    Result<std::unique_ptr<Store>> store = Store::OpenOrCreate(
        dir_.path() / ".rotguard", LockMode::kExclusive, quiet);
    ASSERT_TRUE(store.ok()) << store.status().message();
    store_ = std::move(*store);
    fs::create_directories(dir_.path() / "content" / "posts");
    options_.site_root = dir_.path();
    options_.config.fetch.requisites_depth = 1;
  }

  void WritePost(const std::string& name, const std::string& text) {
    std::ofstream(dir_.path() / "content" / "posts" / name) << text;
    options_.paths = {(dir_.path() / "content").string()};
  }

  ArchiveSummary Archive(FakeFetcher& fetcher) {
    Result<ArchiveSummary> summary = RunArchive(*store_, &fetcher, options_);
    EXPECT_TRUE(summary.ok()) << summary.status().message();
    return summary.ok() ? *summary : ArchiveSummary{};
  }

  std::vector<CaptureRow> CapturesOf(const std::string& url) {
    Result<std::vector<CaptureRow>> rows =
        store_->manifest().CapturesOf(*NormalizeUrl(url));
    EXPECT_TRUE(rows.ok());
    return rows.ok() ? *rows : std::vector<CaptureRow>{};
  }

  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
  ArchiveOptions options_;
};

TEST_F(ArchivePipelineTest, ArchivesLinksAndThePostItself) {
  WritePost("a.md",
            "See [one](https://example.com/one) and "
            "[two](https://example.com/two).\n");
  FakeFetcher fetcher;
  fetcher.web["https://example.com/one"] = {200, "text/plain", "one"};
  fetcher.web["https://example.com/two"] = {200, "text/plain", "two"};
  ArchiveSummary summary = Archive(fetcher);
  EXPECT_EQ(summary.documents, 1);
  EXPECT_EQ(summary.documents_changed, 1);
  EXPECT_EQ(summary.due, 2);
  EXPECT_EQ(summary.fetched, 2);
  EXPECT_EQ(summary.captures, 3);  // two links + the post
  EXPECT_EQ(summary.failed_links, 0);
  ASSERT_EQ(CapturesOf("https://example.com/one").size(), 1u);
  EXPECT_EQ(CapturesOf("https://example.com/one")[0].http_status, 200);

  Result<std::vector<CaptureRow>> post =
      store_->manifest().CapturesOf("file:content/posts/a.md");
  ASSERT_TRUE(post.ok());
  ASSERT_EQ(post->size(), 1u);
  EXPECT_EQ((*post)[0].source, "post");
  Result<std::optional<DocumentRow>> doc =
      store_->manifest().FindDocument("content/posts/a.md");
  ASSERT_TRUE(doc.ok() && doc->has_value());
  EXPECT_EQ((*post)[0].payload_sha256, (*doc)->sha256);
  // Every file the manifest names is closed and registered.
  Result<std::vector<WarcFileRow>> files = store_->manifest().ListWarcFiles();
  ASSERT_TRUE(files.ok());
  ASSERT_EQ(files->size(), 1u);
  EXPECT_EQ((*files)[0].state, WarcFileState::kClosed);
}

TEST_F(ArchivePipelineTest, SecondRunWithNothingDueFetchesNothing) {
  WritePost("a.md", "[one](https://example.com/one)\n");
  FakeFetcher first;
  first.web["https://example.com/one"] = {200, "text/plain", "one"};
  Archive(first);
  FakeFetcher second;
  ArchiveSummary summary = Archive(second);
  EXPECT_EQ(summary.due, 0);
  EXPECT_TRUE(second.requested.empty());
  EXPECT_EQ(summary.documents_changed, 0);
  options_.all = true;
  FakeFetcher forced;
  forced.web["https://example.com/one"] = {200, "text/plain", "one"};
  EXPECT_EQ(Archive(forced).due, 1);
  EXPECT_EQ(forced.requested.size(), 1u);
}

TEST_F(ArchivePipelineTest, DedupeOnlyAgainstCommittedOriginals) {
  // Same 2 KiB payload at two URLs, one batch: the first is not durable
  // when the second is written, so both are full responses.
  options_.urls = {"https://example.com/a", "https://example.com/b"};
  options_.commit_records = 1'000'000;
  options_.commit_interval_ms = 600'000;
  FakeFetcher fetcher;
  fetcher.web["https://example.com/a"] = {200, "text/plain", Bytes('x', 2048)};
  fetcher.web["https://example.com/b"] = {200, "text/plain", Bytes('x', 2048)};
  EXPECT_EQ(Archive(fetcher).revisits, 0);

  // A later run: the originals are durable now, both become revisits.
  options_.all = true;
  FakeFetcher again;
  again.web = fetcher.web;
  ArchiveSummary summary = Archive(again);
  EXPECT_EQ(summary.revisits, 2);
  std::vector<CaptureRow> b = CapturesOf("https://example.com/b");
  ASSERT_EQ(b.size(), 2u);
  EXPECT_FALSE(b[1].revisit_of.empty());
  EXPECT_EQ(b[1].payload_sha1, b[0].payload_sha1);
}

TEST_F(ArchivePipelineTest, DedupeWithinARunAfterTheOriginalIsCommitted) {
  options_.urls = {"https://example.com/a", "https://example.com/b"};
  options_.commit_records = 1;  // commit after every exchange
  // b is fetched only once a's capture is committed (writers and the
  // committer run on their own threads).
  std::mutex mu;
  std::condition_variable cv;
  bool a_committed = false;
  options_.trace = [&](std::string_view event) {
    if (event.rfind("commit", 0) != 0) return;
    if (event.find("https://example.com/a") == event.npos) return;
    std::lock_guard<std::mutex> lock(mu);
    a_committed = true;
    cv.notify_all();
  };
  FakeFetcher fetcher;
  fetcher.before_job = [&](const std::string& url) {
    if (url != "https://example.com/b") return;
    std::unique_lock<std::mutex> lock(mu);
    EXPECT_TRUE(cv.wait_for(lock, std::chrono::seconds(20), [&] {
      return a_committed;
    })) << "a was never committed";
  };
  fetcher.web["https://example.com/a"] = {200, "text/plain", Bytes('y', 4096)};
  fetcher.web["https://example.com/b"] = {200, "text/plain", Bytes('y', 4096)};
  EXPECT_EQ(Archive(fetcher).revisits, 1);
}

TEST_F(ArchivePipelineTest, SmallPayloadsAreNeverRevisits) {
  options_.urls = {"https://example.com/a", "https://example.com/b"};
  options_.commit_records = 1;
  FakeFetcher fetcher;
  fetcher.web["https://example.com/a"] = {200, "text/plain", Bytes('z', 1000)};
  fetcher.web["https://example.com/b"] = {200, "text/plain", Bytes('z', 1000)};
  EXPECT_EQ(Archive(fetcher).revisits, 0);
}

// Writers run in parallel, so other writes may come between a sync and a
// commit; what matters is that every capture a commit holds was written
// before the sync that precedes it.
TEST_F(ArchivePipelineTest, EveryCommittedCaptureWasWrittenBeforeTheSync) {
  WritePost("a.md",
            "[one](https://example.com/one) [2](https://example.com/2) "
            "[3](https://example.com/3)");
  options_.commit_records = 2;
  std::vector<std::string> events;
  options_.trace = [&](std::string_view event) { events.emplace_back(event); };
  FakeFetcher fetcher;
  fetcher.web["https://example.com/one"] = {200, "text/plain", "one"};
  fetcher.web["https://example.com/2"] = {200, "text/plain", "two"};
  fetcher.web["https://example.com/3"] = {200, "text/plain", "three"};
  Archive(fetcher);
  std::set<std::string> written, written_at_sync, committed;
  bool synced = false;
  int commits = 0;
  for (const std::string& event : events) {
    if (event.rfind("write ", 0) == 0) {
      written.insert(event.substr(6));
    } else if (event == "sync") {
      written_at_sync = written;
      synced = true;
    } else if (event.rfind("commit", 0) == 0) {
      EXPECT_TRUE(synced) << "commit without a sync before it";
      std::istringstream urls(event.substr(6));
      std::string url;
      while (urls >> url) {
        EXPECT_EQ(written_at_sync.count(url), 1u)
            << url << " committed but not written before the sync";
        committed.insert(url);
      }
      synced = false;
      ++commits;
    }
  }
  EXPECT_GE(commits, 2);
  EXPECT_EQ(committed.count("https://example.com/3"), 1u);
}

TEST_F(ArchivePipelineTest, ShortenerChainStoresItsFinalTarget) {
  WritePost("a.md", "https://ift.tt/abc\n");
  FakeFetcher fetcher;
  fetcher.web["https://ift.tt/abc"] = {301, "text/html", "",
                                       "https://feeds.feedburner.com/~r/abc"};
  fetcher.web["https://feeds.feedburner.com/~r/abc"] = {
      302, "text/html", "", "https://www.ehackingnews.com/2020/02/abc.html"};
  fetcher.web["https://www.ehackingnews.com/2020/02/abc.html"] = {
      200, "text/plain", "article"};
  ArchiveSummary summary = Archive(fetcher);
  EXPECT_EQ(summary.failed_links, 0);
  Result<std::optional<UrlRow>> row =
      store_->manifest().FindUrl("https://ift.tt/abc");
  ASSERT_TRUE(row.ok() && row->has_value());
  EXPECT_EQ((*row)->final_url, "https://www.ehackingnews.com/2020/02/abc.html");
  EXPECT_NE((*row)->verdict, "moved");  // judged past the shortener

  std::vector<CaptureRow> first = CapturesOf("https://ift.tt/abc");
  std::vector<CaptureRow> last =
      CapturesOf("https://www.ehackingnews.com/2020/02/abc.html");
  ASSERT_EQ(first.size(), 1u);
  ASSERT_EQ(last.size(), 1u);
  EXPECT_EQ(first[0].hop_index, 0);
  EXPECT_EQ(last[0].hop_index, 2);
  EXPECT_EQ(first[0].chain_id, last[0].chain_id);
  EXPECT_EQ(first[0].final_url, last[0].final_url);
  EXPECT_EQ(first[0].http_status, 301);
}

TEST_F(ArchivePipelineTest, BloggerImageAlsoFetchesItsS0Original) {
  WritePost("a.md", "![c](https://1.bp.blogspot.com/-x/AAA/s640/cat.jpg)\n");
  FakeFetcher fetcher;
  fetcher.web["https://1.bp.blogspot.com/-x/AAA/s640/cat.jpg"] = {
      200, "image/jpeg", Bytes('a', 2000)};
  fetcher.web["https://1.bp.blogspot.com/-x/AAA/s0/cat.jpg"] = {
      200, "image/jpeg", Bytes('b', 5000)};
  ArchiveSummary summary = Archive(fetcher);
  EXPECT_EQ(summary.originals, 1);
  EXPECT_EQ(CapturesOf("https://1.bp.blogspot.com/-x/AAA/s0/cat.jpg").size(),
            1u);
  Result<std::optional<UrlRow>> sized = store_->manifest().FindUrl(
      "https://1.bp.blogspot.com/-x/AAA/s640/cat.jpg");
  Result<std::optional<UrlRow>> original =
      store_->manifest().FindUrl("https://1.bp.blogspot.com/-x/AAA/s0/cat.jpg");
  ASSERT_TRUE(sized.ok() && sized->has_value());
  ASSERT_TRUE(original.ok() && original->has_value());
  EXPECT_EQ((*sized)->asset_key, "https://1.bp.blogspot.com/-x/AAA/s0/cat.jpg");
  EXPECT_EQ((*original)->asset_key, (*sized)->asset_key);
}

TEST_F(ArchivePipelineTest, FailedLinkExitsTwoButKnownGoneDoesNot) {
  WritePost("a.md",
            "[gone](https://example.com/gone) "
            "[dns](https://nxdomain.example/)\n");
  FakeFetcher fetcher;
  fetcher.web["https://nxdomain.example/"] = {0, "", "", "",
                                              FailureClass::kDns};
  ArchiveSummary summary = Archive(fetcher);
  EXPECT_EQ(summary.failed_links, 2);
  EXPECT_EQ(summary.failed_by_class["http-4xx"], 1);
  EXPECT_EQ(summary.failed_by_class["dns"], 1);
  EXPECT_GT(summary.failed_links, 0);

  // Mark the 404 as known gone: a 404 again is not a new failure.
  UrlRow gone = **store_->manifest().FindUrl("https://example.com/gone");
  gone.verdict = "gone";
  ASSERT_TRUE(store_->manifest().UpdateUrlHealth(gone).ok());
  WritePost("a.md", "[gone](https://example.com/gone)\n");
  FakeFetcher again;
  summary = Archive(again);
  EXPECT_EQ(summary.failed_links, 0);
  EXPECT_EQ(summary.failed_links, 0);
}

// The same judgement as verify --live (JudgeChain): a status the linked
// host accepts counts even when the chain ended on another of its names.
TEST_F(ArchivePipelineTest, StatusAcceptedByTheLinkedHostIsNoFailure) {
  WritePost("a.md", "[picky](https://picky.example/a)\n");
  options_.config.hosts["picky.example"].accept_statuses = {403};
  FakeFetcher fetcher;
  fetcher.web["https://picky.example/a"] = {301, "text/html", "",
                                            "https://www.picky.example/a"};
  fetcher.web["https://www.picky.example/a"] = {403, "text/html", "no bots"};
  ArchiveSummary summary = Archive(fetcher);
  EXPECT_EQ(summary.failed, 0);
  EXPECT_EQ(summary.failed_links, 0);
  UrlRow row = **store_->manifest().FindUrl("https://picky.example/a");
  EXPECT_EQ(row.failure_class, "");
  EXPECT_EQ(row.consecutive_failures, 0);
}

TEST_F(ArchivePipelineTest, LinkedPageRequisitesAndStylesheetUrlsAreFetched) {
  WritePost("a.md", "[page](https://news.example.com/p.html)\n");
  FakeFetcher fetcher;
  fetcher.web["https://news.example.com/p.html"] = {
      200, "text/html; charset=utf-8",
      "<html><head><link rel=stylesheet href=/s.css></head><body>"
      "<img src=\"https://cdn.example.net/i.png\"><a href=/other>x</a>"
      "</body></html>"};
  fetcher.web["https://news.example.com/s.css"] = {
      200, "text/css", "body{background:url(bg.png)}"};
  fetcher.web["https://cdn.example.net/i.png"] = {200, "image/png", "png"};
  fetcher.web["https://news.example.com/bg.png"] = {200, "image/png", "bg"};
  ArchiveSummary summary = Archive(fetcher);
  EXPECT_EQ(summary.requisites, 3);
  EXPECT_EQ(CapturesOf("https://news.example.com/bg.png").size(), 1u);
  EXPECT_EQ(CapturesOf("https://cdn.example.net/i.png").size(), 1u);
  EXPECT_TRUE(CapturesOf("https://news.example.com/other").empty());
}

TEST_F(ArchivePipelineTest, RequisitesPastMaxRequisitesAreDroppedAndCounted) {
  options_.config.fetch.max_requisites = 2;
  WritePost("a.md", "[page](https://news.example.com/p.html)\n");
  FakeFetcher fetcher;
  // Five distinct images, the first named twice: a repeat is not counted.
  std::string html = "<html><body><img src=/0.png><img src=/0.png>";
  for (int i = 1; i < 5; ++i) {
    html += "<img src=/" + std::to_string(i) + ".png>";
  }
  fetcher.web["https://news.example.com/p.html"] = {200, "text/html",
                                                    html + "</body></html>"};
  for (int i = 0; i < 5; ++i) {
    fetcher.web["https://news.example.com/" + std::to_string(i) + ".png"] = {
        200, "image/png", "png"};
  }
  ArchiveSummary summary = Archive(fetcher);
  EXPECT_EQ(summary.requisites, 2);
  EXPECT_EQ(summary.requisites_dropped, 3);
  EXPECT_EQ(fetcher.requested.size(), 3u);  // the page and two images
  EXPECT_EQ(CapturesOf("https://news.example.com/1.png").size(), 1u);
  EXPECT_TRUE(CapturesOf("https://news.example.com/2.png").empty());
  EXPECT_EQ(summary.failed_links, 0);
  Result<std::vector<RunRow>> runs = store_->manifest().ListRuns();
  ASSERT_TRUE(runs.ok());
  ASSERT_EQ(runs->size(), 1u);
  EXPECT_EQ((*runs)[0].counts.at("requisites_dropped"), 3);
}

TEST_F(ArchivePipelineTest, EachFinalHtmlCaptureGetsItsQualityOthersNone) {
  WritePost("a.md",
            "[a](https://news.example.com/article) "
            "[b](https://news.example.com/app) "
            "[c](https://news.example.com/wall) "
            "[d](https://news.example.com/missing) "
            "![e](https://news.example.com/e.png)\n");
  FakeFetcher fetcher;
  std::string text;
  for (int i = 0; i < 100; ++i) text += "Words of a real article. ";
  fetcher.web["https://news.example.com/article"] = {
      200, "text/html", "<title>A</title><p>" + text + "</p>"};
  fetcher.web["https://news.example.com/app"] = {
      200, "text/html",
      "<div id=root></div><script src=https://news.example.com/app.js>"
      "</script>"};
  fetcher.web["https://news.example.com/app.js"] = {200, "text/javascript",
                                                    "render()"};
  fetcher.web["https://news.example.com/wall"] = {
      403, "text/html", "<title>Just a moment...</title>"};
  fetcher.web["https://news.example.com/missing"] = {
      404, "text/html", "<title>Not Found</title>"};
  fetcher.web["https://news.example.com/e.png"] = {200, "image/png", "png"};
  Archive(fetcher);
  auto quality = [this](const std::string& url) {
    std::vector<CaptureRow> rows = CapturesOf(url);
    return rows.size() == 1 ? rows[0].quality
                            : "rows: " + std::to_string(rows.size());
  };
  EXPECT_EQ(quality("https://news.example.com/article"), "full");
  EXPECT_EQ(quality("https://news.example.com/app"), "thin");
  EXPECT_EQ(quality("https://news.example.com/wall"), "challenge");
  EXPECT_EQ(quality("https://news.example.com/missing"), "error-page");
  EXPECT_EQ(quality("https://news.example.com/e.png"), "");
  EXPECT_EQ(quality("https://news.example.com/app.js"), "");
}

TEST_F(ArchivePipelineTest, PageWhoseRequisitesAreMostlyCutByTheCapIsThin) {
  options_.config.fetch.max_requisites = 1;
  WritePost("a.md", "[page](https://news.example.com/p.html)\n");
  FakeFetcher fetcher;
  std::string html = "<p>";
  for (int i = 0; i < 100; ++i) html += "Words of a real article. ";
  html += "</p>";
  for (int i = 0; i < 4; ++i) {
    html += "<img src=/" + std::to_string(i) + ".png>";
    fetcher.web["https://news.example.com/" + std::to_string(i) + ".png"] = {
        200, "image/png", "png"};
  }
  fetcher.web["https://news.example.com/p.html"] = {200, "text/html", html};
  Archive(fetcher);
  std::vector<CaptureRow> rows = CapturesOf("https://news.example.com/p.html");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].quality, "thin");
}

TEST_F(ArchivePipelineTest, MaxUrlsFetchesThatManyDueLinksAndLeavesTheRestDue) {
  WritePost("a.md",
            "[p](https://news.example.com/p.html) [1](https://example.com/1) "
            "[2](https://example.com/2) [3](https://example.com/3)\n");
  FakeFetcher fetcher;
  // The page's requisite and redirect hop come with it: they do not count.
  fetcher.web["https://news.example.com/p.html"] = {
      301, "text/plain", "", "https://news.example.com/q.html"};
  fetcher.web["https://news.example.com/q.html"] = {200, "text/html",
                                                    "<img src=/i.png>"};
  fetcher.web["https://news.example.com/i.png"] = {200, "image/png", "i"};
  for (const char* n : {"1", "2", "3"}) {
    fetcher.web[std::string("https://example.com/") + n] = {200, "text/plain",
                                                            n};
  }
  options_.max_urls = 2;
  ArchiveSummary first = Archive(fetcher);
  EXPECT_TRUE(first.budget_reached);
  EXPECT_EQ(first.due, 4);
  EXPECT_EQ(first.due_left, 2);
  EXPECT_EQ(first.failed_links, 0);
  EXPECT_EQ(first.requisites, 1);
  EXPECT_EQ(CapturesOf("https://news.example.com/i.png").size(), 1u);
  EXPECT_EQ(CapturesOf("https://example.com/1").size(), 1u);
  EXPECT_TRUE(CapturesOf("https://example.com/2").empty());

  // The next run takes up what was left.
  options_.max_urls = 0;
  FakeFetcher second;
  second.web = fetcher.web;
  ArchiveSummary next = Archive(second);
  EXPECT_FALSE(next.budget_reached);
  EXPECT_EQ(next.due, 2);
  EXPECT_EQ(CapturesOf("https://example.com/3").size(), 1u);
}

TEST_F(ArchivePipelineTest, MaxTimeStopsStartingJobsCommitsAndIsNoFailure) {
  WritePost("a.md",
            "[1](https://example.com/1) [2](https://example.com/2) "
            "[3](https://example.com/3)\n");
  FakeFetcher fetcher;
  for (const char* n : {"1", "2", "3"}) {
    fetcher.web[std::string("https://example.com/") + n] = {200, "text/plain",
                                                            n};
  }
  // No job finishes before the budget runs out. The one in flight then
  // (the first, unless the deadline passed before the fetch began) ends
  // and is committed; the others never start and stay due.
  fetcher.before_job = [&fetcher](const std::string&) {
    fetcher.WaitForStopAdmitting();
  };
  options_.max_time_ms = 1;
  ArchiveSummary summary = Archive(fetcher);
  EXPECT_TRUE(summary.budget_reached);
  EXPECT_FALSE(summary.cancelled);
  EXPECT_EQ(summary.failed, 0);
  EXPECT_EQ(summary.failed_links, 0);
  int64_t captured = 0;
  for (const char* n : {"1", "2", "3"}) {
    std::string url = std::string("https://example.com/") + n;
    if (!CapturesOf(url).empty()) {
      ++captured;
      continue;
    }
    Result<std::optional<UrlRow>> left =
        store_->manifest().FindUrl(*NormalizeUrl(url));
    ASSERT_TRUE(left.ok());
    // Left for the next run: no verdict was recorded.
    EXPECT_TRUE(!left->has_value() || (*left)->verdict.empty()) << url;
  }
  EXPECT_LE(captured, 1);
  EXPECT_EQ(summary.due_left, 3 - captured);

  FakeFetcher next;
  next.web = fetcher.web;
  options_.max_time_ms = 0;
  EXPECT_EQ(Archive(next).due, 3 - captured);
}

TEST_F(ArchivePipelineTest, DryRunFetchesAndWritesNothing) {
  WritePost("a.md", "[one](https://example.com/one)\n");
  options_.dry_run = true;
  FakeFetcher fetcher;
  ArchiveSummary summary = Archive(fetcher);
  EXPECT_EQ(summary.due, 1);
  ASSERT_EQ(summary.due_urls.size(), 1u);
  EXPECT_EQ(summary.due_urls[0].reason, DueReason::kNew);
  EXPECT_TRUE(fetcher.requested.empty());
  Result<std::vector<WarcFileRow>> files = store_->manifest().ListWarcFiles();
  ASSERT_TRUE(files.ok());
  EXPECT_TRUE(files->empty());
}

TEST_F(ArchivePipelineTest, RunRowRecordsCountsAndTheCallersExitCode) {
  options_.urls = {"https://example.com/missing"};
  // The exit code is the caller's (the CLI's) decision; the run row keeps it.
  options_.exit_code_of = [](const ArchiveSummary* summary) {
    return summary != nullptr && summary->failed_links > 0 ? 2 : 0;
  };
  FakeFetcher fetcher;
  Archive(fetcher);
  Result<std::vector<RunRow>> runs = store_->manifest().ListRuns();
  ASSERT_TRUE(runs.ok());
  ASSERT_EQ(runs->size(), 1u);
  EXPECT_EQ((*runs)[0].command, "archive");
  EXPECT_EQ((*runs)[0].exit_code, 2);
  EXPECT_EQ((*runs)[0].counts.at("failed_links"), 1);
}

}  // namespace
}  // namespace rotguard
