// `verify --live` request plan, soft-404 heuristic and streak updates, with
// a scripted fake Fetcher and a manifest filled directly.
#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "rotguard/fetch.h"
#include "rotguard/live.h"
#include "rotguard/manifest.h"
#include "rotguard/warc_writer.h"
#include "unit/temp_dir.h"

namespace rotguard {
namespace {

using testing::TempDir;

constexpr int64_t kStart = 1'767'225'600;  // 2026-01-01T00:00:00Z
constexpr int64_t kHour = 3600;

// One hop of a scripted chain.
struct Hop {
  int status = 200;
  std::string location;  // next URL ("" ends the chain)
  std::string content_type = "text/html; charset=utf-8";
  std::string body;
};

// Answers jobs from a script keyed by "METHOD URL"; unknown requests get a
// DNS failure. Records every request.
class FakeFetcher : public Fetcher {
 public:
  void Script(const std::string& method, const std::string& url,
              std::vector<Hop> hops,
              FailureClass failure = FailureClass::kNone) {
    scripts_[method + " " + url] = {std::move(hops), failure};
  }
  void ScriptBoth(const std::string& url, std::vector<Hop> hops) {
    Script("HEAD", url, hops);
    Script("GET", url, std::move(hops));
  }

  void Add(FetchJob job) override { queue_.push_back(std::move(job)); }

  Status Run(FetchSink& sink) override {
    while (!queue_.empty()) {
      FetchJob job = std::move(queue_.front());
      queue_.pop_front();
      requests.push_back(job.method + " " + job.url);
      RunJob(job, sink);
    }
    return Status::Ok();
  }

  void RequestCancel() override {}

  std::vector<std::string> requests;

 private:
  struct Scripted {
    std::vector<Hop> hops;
    FailureClass failure = FailureClass::kNone;
  };

  void RunJob(const FetchJob& job, FetchSink& sink) {
    FetchOutcome outcome;
    outcome.job = job;
    outcome.final_url = job.url;
    auto found = scripts_.find(job.method + " " + job.url);
    if (found == scripts_.end()) {
      outcome.failure = FailureClass::kDns;
      sink.OnDone(outcome);
      return;
    }
    std::string url = job.url;
    int index = 0;
    for (const Hop& hop : found->second.hops) {
      FetchedExchange exchange;
      exchange.url = url;
      exchange.hop_index = index++;
      exchange.http_status = hop.status;
      exchange.next_url = hop.location;
      std::string head = "HTTP/1.1 " + std::to_string(hop.status) +
                         " X\r\nContent-Type: " + hop.content_type + "\r\n\r\n";
      exchange.response =
          std::make_unique<WarcHttpResponse>(head, WarcBodyTransfer::kDecoded);
      if (job.method == "GET") {
        EXPECT_TRUE(exchange.response->AppendBody(hop.body).ok());
      }
      sink.OnExchange(job, exchange);
      outcome.final_status = hop.status;
      outcome.final_url = url;
      ++outcome.hops;
      if (!hop.location.empty()) url = hop.location;
    }
    outcome.failure = found->second.failure;
    sink.OnDone(outcome);
  }

  std::map<std::string, Scripted> scripts_;
  std::deque<FetchJob> queue_;
};

std::string Page(const std::string& title, const std::string& text) {
  return "<!doctype html><html><head><title>" + title +
         "</title></head><body><p>" + text + "</p></body></html>\n";
}

class LiveCheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = OpenManifest(dir_ / "manifest.sqlite3");
    ASSERT_TRUE(opened.ok()) << opened.status().message();
    manifest_ = std::move(*opened);
    options_.now_unix = kStart;
    options_.random_name = [] { return std::string("rgsibling"); };
  }

  void Link(const std::vector<std::string>& urls) {
    DocumentRow document;
    document.path = "content/post.md";
    document.sha256 = std::to_string(++version_);
    std::vector<LinkRow> links;
    int64_t start = 0;
    for (const std::string& url : urls) {
      LinkRow link;
      link.kind = "link";
      link.written = link.url = link.normalized = url;
      link.line = 1;
      link.column = static_cast<int>(start) + 1;
      link.start = start;
      start += static_cast<int64_t>(url.size()) + 1;
      link.end = start - 1;
      links.push_back(link);
    }
    ASSERT_TRUE(manifest_->RecordScan(document, links).ok());
  }

  LiveSummary Check() {
    auto summary = RunLiveCheck(*manifest_, fetcher_, options_);
    EXPECT_TRUE(summary.ok()) << summary.status().message();
    return summary.ok() ? std::move(*summary) : LiveSummary{};
  }

  UrlRow Row(const std::string& url) {
    auto row = manifest_->FindUrl(url);
    EXPECT_TRUE(row.ok() && row->has_value()) << url;
    return row.ok() && row->has_value() ? **row : UrlRow{};
  }

  TempDir dir_;
  std::unique_ptr<Manifest> manifest_;
  FakeFetcher fetcher_;
  LiveCheckOptions options_;
  int version_ = 0;
};

TEST_F(LiveCheckTest, HealthyNonHtmlUrlCostsOneHeadRequest) {
  const std::string image = "https://cdn.example.net/a.png";
  Link({image});
  fetcher_.ScriptBoth(image, {{200, "", "image/png", "PNG"}});
  Check();
  EXPECT_EQ(fetcher_.requests, std::vector<std::string>{"HEAD " + image});
  EXPECT_EQ(Row(image).verdict, "ok");
  EXPECT_EQ(Row(image).last_ok_unix, kStart);
}

TEST_F(LiveCheckTest, HeadAnswering405IsRetriedWithGet) {
  const std::string url = "https://cdn.example.net/file.pdf";
  Link({url});
  fetcher_.Script("HEAD", url, {{405, "", "text/plain", ""}});
  fetcher_.Script("GET", url, {{200, "", "application/pdf", "%PDF"}});
  Check();
  EXPECT_EQ(fetcher_.requests,
            (std::vector<std::string>{"HEAD " + url, "GET " + url}));
  EXPECT_EQ(Row(url).verdict, "ok");
}

TEST_F(LiveCheckTest, HeadAnswering403Or500IsRetriedWithGet) {
  const std::string blocked = "https://a.example.com/x.pdf";
  const std::string broken = "https://b.example.com/y.pdf";
  Link({blocked, broken});
  fetcher_.Script("HEAD", blocked, {{403, "", "text/html", ""}});
  fetcher_.Script("GET", blocked, {{200, "", "application/pdf", "%PDF"}});
  fetcher_.Script("HEAD", broken, {{500, "", "text/html", ""}});
  fetcher_.Script("GET", broken, {{200, "", "application/pdf", "%PDF"}});
  Check();
  EXPECT_EQ(Row(blocked).verdict, "ok");
  EXPECT_EQ(Row(broken).verdict, "ok");
}

TEST_F(LiveCheckTest, NotFoundOnBothCountsOnceAndIsGoneOnTheThirdDay) {
  const std::string url = "https://news.example.com/gone.html";
  Link({url});
  fetcher_.ScriptBoth(url, {{404, "", "text/html", Page("Not found", "")}});
  Check();
  EXPECT_EQ(Row(url).verdict, "failing");
  EXPECT_EQ(Row(url).consecutive_failures, 1);
  options_.now_unix += 2 * kHour;  // same day: does not count
  Check();
  EXPECT_EQ(Row(url).consecutive_failures, 1);
  options_.now_unix += 20 * kHour;
  Check();
  EXPECT_EQ(Row(url).consecutive_failures, 2);
  EXPECT_EQ(Row(url).verdict, "failing");
  options_.now_unix += 20 * kHour;
  LiveSummary summary = Check();
  EXPECT_EQ(Row(url).verdict, "gone");
  EXPECT_EQ(Row(url).failure_class, "http-404");
  ASSERT_EQ(summary.results.size(), 1u);
  EXPECT_EQ(summary.results[0].previous_verdict, "failing");
  EXPECT_EQ(summary.results[0].verdict, "gone");
}

TEST_F(LiveCheckTest, ForbiddenIsNeverGone) {
  const std::string url = "https://news.example.com/forbidden.html";
  Link({url});
  fetcher_.ScriptBoth(url, {{403, "", "text/html", Page("Forbidden", "")}});
  for (int run = 0; run < 4; ++run) {
    Check();
    options_.now_unix += 24 * kHour;
  }
  EXPECT_EQ(Row(url).verdict, "blocked");
  EXPECT_EQ(Row(url).consecutive_failures, 0);
}

TEST_F(LiveCheckTest, NxdomainCountsTowardGone) {
  const std::string url = "https://expired.example/";
  Link({url});  // no script: the fake answers DNS failure
  Check();
  EXPECT_EQ(Row(url).verdict, "failing");
  EXPECT_EQ(Row(url).failure_class, "dns");
}

TEST_F(LiveCheckTest, PageThatEveryRandomSiblingRepeatsIsSoft404) {
  const std::string url = "https://parked.example.com/2020/02/story.html";
  const std::string sibling =
      "https://parked.example.com/2020/02/rgsibling.html";
  Link({url});
  const std::string sale = Page("Buy this domain", "This domain is for sale");
  fetcher_.ScriptBoth(url, {{200, "", "text/html", sale}});
  fetcher_.Script("GET", sibling, {{200, "", "text/html", sale}});
  LiveSummary summary = Check();
  EXPECT_EQ(fetcher_.requests,
            (std::vector<std::string>{"HEAD " + url, "GET " + url,
                                      "GET " + sibling}));
  EXPECT_EQ(Row(url).verdict, "soft-404");
  ASSERT_EQ(summary.results.size(), 1u);
  EXPECT_TRUE(summary.results[0].soft_404);
  EXPECT_EQ(summary.results[0].requests, 3);
}

TEST_F(LiveCheckTest, ParkedDomainRedirectingEveryPathToItsLanderIsSoft404) {
  const std::string url = "https://parked.example.com/old/post.html";
  const std::string sibling = "https://parked.example.com/old/rgsibling.html";
  const std::string lander = "https://parked.example.com/";
  Link({url});
  const std::string sale = Page("Buy this domain", "for sale");
  fetcher_.ScriptBoth(
      url, {{302, lander, "text/html", ""}, {200, "", "text/html", sale}});
  fetcher_.Script(
      "GET", sibling,
      {{302, lander, "text/html", ""}, {200, "", "text/html", sale}});
  Check();
  EXPECT_EQ(fetcher_.requests.back(), "GET " + sibling);
  EXPECT_EQ(Row(url).verdict, "soft-404");
}

TEST_F(LiveCheckTest, SameTitleAndNearlySameSizeIsSoft404) {
  // A "not here" page that echoes the path: sha1 differs, title and size
  // (within 5%) do not.
  const std::string url = "https://parked.example.com/a/b.html";
  const std::string sibling = "https://parked.example.com/a/rgsibling.html";
  Link({url});
  const std::string filler(400, 'x');
  fetcher_.ScriptBoth(
      url, {{200, "", "text/html", Page("Oops", filler + " /a/b.html")}});
  fetcher_.Script(
      "GET", sibling,
      {{200, "", "text/html", Page("Oops", filler + " /a/rgsibling.html")}});
  Check();
  EXPECT_EQ(Row(url).verdict, "soft-404");
}

TEST_F(LiveCheckTest, SameTitleButMuchSmallerSiblingIsARealPage) {
  const std::string url = "https://blog.example.com/a/b.html";
  const std::string sibling = "https://blog.example.com/a/rgsibling.html";
  Link({url});
  fetcher_.ScriptBoth(
      url, {{200, "", "text/html", Page("My blog", std::string(4000, 'x'))}});
  fetcher_.Script("GET", sibling,
                  {{200, "", "text/html", Page("My blog", "nothing here")}});
  Check();
  EXPECT_EQ(Row(url).verdict, "ok");
}

TEST_F(LiveCheckTest, SiblingThatIsNotFoundMeansARealPage) {
  const std::string url = "https://news.example.com/2020/02/story.html";
  const std::string sibling = "https://news.example.com/2020/02/rgsibling.html";
  Link({url});
  fetcher_.ScriptBoth(url, {{200, "", "text/html", Page("Story", "news")}});
  fetcher_.Script("GET", sibling,
                  {{404, "", "text/html", Page("Story", "news")}});
  Check();
  EXPECT_EQ(Row(url).verdict, "ok");
}

TEST_F(LiveCheckTest, SiblingWithADifferentPageMeansARealPage) {
  const std::string url = "https://news.example.com/2020/02/story.html";
  const std::string sibling = "https://news.example.com/2020/02/rgsibling.html";
  Link({url});
  fetcher_.ScriptBoth(url,
                      {{200, "", "text/html", Page("Story", "a long story")}});
  fetcher_.Script("GET", sibling,
                  {{200, "", "text/html", Page("Other", "other text")}});
  Check();
  EXPECT_EQ(Row(url).verdict, "ok");
}

TEST_F(LiveCheckTest, SiteRootIsNotCheckedForSoft404) {
  const std::string url = "https://example.com/";
  Link({url});
  fetcher_.ScriptBoth(url, {{200, "", "text/html", Page("Home", "")}});
  Check();
  EXPECT_EQ(fetcher_.requests, std::vector<std::string>{"HEAD " + url});
  EXPECT_EQ(Row(url).verdict, "ok");
}

TEST_F(LiveCheckTest, Soft404CheckCanBeTurnedOff) {
  const std::string url = "https://parked.example.com/x.html";
  Link({url});
  fetcher_.ScriptBoth(url, {{200, "", "text/html", Page("Sale", "")}});
  options_.soft_404_check = false;
  Check();
  EXPECT_EQ(fetcher_.requests, std::vector<std::string>{"HEAD " + url});
}

TEST_F(LiveCheckTest, ShortenerIsFetchedWithGetAndItsTargetRecorded) {
  const std::string link = "https://bit.ly/abc";
  const std::string target = "https://news.example.com/abc.html";
  Link({link});
  options_.soft_404_check = false;
  fetcher_.Script("GET", link,
                  {{301, target, "text/html", ""},
                   {200, "", "text/html", Page("Abc", "")}});
  Check();
  EXPECT_EQ(fetcher_.requests, std::vector<std::string>{"GET " + link});
  UrlRow row = Row(link);
  EXPECT_EQ(row.verdict, "ok");  // the shortener's own 301 is expected
  EXPECT_EQ(row.final_url, target);
}

TEST_F(LiveCheckTest, SoftCheckOfAShortenerUsesItsTargetsDirectory) {
  const std::string link = "https://bit.ly/abc";
  const std::string target = "https://parked.example.com/p/abc.html";
  const std::string sibling = "https://parked.example.com/p/rgsibling.html";
  Link({link});
  const std::string sale = Page("Sale", "for sale");
  fetcher_.Script(
      "GET", link,
      {{301, target, "text/html", ""}, {200, "", "text/html", sale}});
  fetcher_.Script("GET", sibling, {{200, "", "text/html", sale}});
  Check();
  EXPECT_EQ(fetcher_.requests.back(), "GET " + sibling);
  EXPECT_EQ(Row(link).verdict, "soft-404");
}

TEST_F(LiveCheckTest, PermanentRedirectIsMoved) {
  const std::string url = "https://old.example.com/doc.pdf";
  const std::string moved = "https://new.example.com/doc.pdf";
  Link({url});
  fetcher_.Script(
      "HEAD", url,
      {{301, moved, "text/html", ""}, {200, "", "application/pdf", ""}});
  Check();
  EXPECT_EQ(Row(url).verdict, "moved");
}

TEST_F(LiveCheckTest, AcceptedStatusOfTheHostIsOk) {
  const std::string url = "https://picky.example.com/p.pdf";
  Link({url});
  options_.config.hosts["picky.example.com"].accept_statuses = {403};
  fetcher_.ScriptBoth(url, {{403, "", "text/html", ""}});
  Check();
  EXPECT_EQ(Row(url).verdict, "ok");
}

TEST_F(LiveCheckTest, TimeoutIsUnreachableAndKeepsTheStreak) {
  const std::string url = "https://slow.example.com/a.pdf";
  Link({url});
  fetcher_.ScriptBoth(url, {{404, "", "text/html", ""}});
  Check();
  ASSERT_EQ(Row(url).consecutive_failures, 1);
  fetcher_.Script("HEAD", url, {}, FailureClass::kTimeout);
  fetcher_.Script("GET", url, {}, FailureClass::kTimeout);
  options_.now_unix += 24 * kHour;
  Check();
  EXPECT_EQ(Row(url).verdict, "unreachable");
  EXPECT_EQ(Row(url).consecutive_failures, 1);
  EXPECT_EQ(Row(url).failure_class, "timeout");
}

TEST(SiblingUrlTest, KeepsDirectoryAndExtensionDropsQuery) {
  EXPECT_EQ(SiblingUrl("https://h.example/2020/02/a.html?x=1#f", "rg1"),
            "https://h.example/2020/02/rg1.html");
  EXPECT_EQ(SiblingUrl("https://h.example/dir/page", "rg1"),
            "https://h.example/dir/rg1");
  EXPECT_EQ(SiblingUrl("https://h.example/dir/", "rg1"),
            "https://h.example/dir/rg1");
  EXPECT_EQ(SiblingUrl("https://h.example", "rg1"), "https://h.example/rg1");
  EXPECT_EQ(SiblingUrl("http://h.example:8080/a/.hidden", "rg1"),
            "http://h.example:8080/a/rg1");
  EXPECT_EQ(SiblingUrl("ftp://h.example/a", "rg1"), "");
}

TEST(HealthNowTest, TestHookOverridesTheClock) {
  ::setenv("ROTGUARD_TEST_NOW", "1767225600", 1);
  EXPECT_EQ(HealthNowUnix(), 1767225600);
  ::setenv("ROTGUARD_TEST_NOW", "garbage", 1);
  EXPECT_GT(HealthNowUnix(), 1767225600 - 1);  // the real clock (2026+)
  ::unsetenv("ROTGUARD_TEST_NOW");
}

}  // namespace
}  // namespace rotguard
