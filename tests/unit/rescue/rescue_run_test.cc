// RunRescue and PlanRescue against a scripted fetcher (no network): the
// lookup → rank → fetch → commit flow, a memento whose replay is a 404
// page, the aggregator after an empty CDX reply, and which links are
// planned at all.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "rotguard/copy_choice.h"
#include "rotguard/rescue.h"
#include "rotguard/store.h"
#include "unit/archive/fake_fetcher.h"
#include "unit/temp_dir.h"

namespace rotguard {
namespace {

using testing::FakeFetcher;
using testing::FakeResponse;

constexpr const char* kDead = "http://dead.example/page";
constexpr const char* kCdx =
    "https://web.archive.org/cdx/search/cdx?url=http%3A%2F%2Fdead.example%2F"
    "page&output=json&fl=timestamp,original,statuscode,mimetype"
    "&filter=statuscode:200";

std::string Memento(const char* ts) {
  return std::string("https://web.archive.org/web/") + ts + "id_/" + kDead;
}

int64_t At(const char* ts) { return *ParseWaybackTimestamp(ts); }

class RescueRunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StoreOptions quiet;
    quiet.log_to_file = false;
    Result<std::unique_ptr<Store>> store = Store::OpenOrCreate(
        dir_.path() / ".rotguard", LockMode::kExclusive, quiet);
    ASSERT_TRUE(store.ok()) << store.status().message();
    store_ = std::move(*store);
    options_.config.rescue.timetravel_url =
        "https://timetravel.mementoweb.org/api/json";
  }

  // A post dated 2019-05-01 linking `url`, whose verdict is `verdict`.
  void Post(const std::string& url, const std::string& verdict) {
    DocumentRow doc{"post.md", "00", "", "2019-05-01", std::nullopt, 0, ""};
    LinkRow link{"link", url, url, url,
                 1,      1,   0,   static_cast<int64_t>(url.size())};
    Result<bool> scanned = manifest().RecordScan(doc, {link});
    ASSERT_TRUE(scanned.ok()) << scanned.status().message();
    Result<std::optional<UrlRow>> row = manifest().FindUrl(url);
    ASSERT_TRUE(row.ok() && *row);
    (*row)->verdict = verdict;
    ASSERT_TRUE(manifest().UpdateUrlHealth(**row).ok());
  }

  RescueSummary Run(std::map<std::string, FakeResponse> web) {
    fake_ = std::make_unique<FakeFetcher>(std::move(web));
    fetcher_ = fake_.get();
    options_.new_fetcher =
        [this](FetchOptions) -> Result<std::unique_ptr<Fetcher>> {
      return std::unique_ptr<Fetcher>(std::make_unique<Forward>(*fake_));
    };
    Result<std::vector<RescueTarget>> targets =
        PlanRescue(manifest(), {}, RescuePlanOptions{});
    EXPECT_TRUE(targets.ok());
    Result<RescueSummary> summary = RunRescue(*store_, *targets, options_);
    EXPECT_TRUE(summary.ok()) << summary.status().message();
    return summary.ok() ? *summary : RescueSummary{};
  }

  Manifest& manifest() { return store_->manifest(); }

  // The run owns its fetcher; the test keeps the fake to read it after.
  class Forward : public Fetcher {
   public:
    explicit Forward(Fetcher& to) : to_(to) {}
    void Add(FetchJob job) override { to_.Add(std::move(job)); }
    Status Run(FetchSink& sink) override { return to_.Run(sink); }
    void RequestCancel() override { to_.RequestCancel(); }

   private:
    Fetcher& to_;
  };

  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
  RescueOptions options_;
  std::unique_ptr<FakeFetcher> fake_;
  FakeFetcher* fetcher_ = nullptr;
};

TEST_F(RescueRunTest, TheNewestGoodMementoBeforeThePostIsStoredAsAPublicCopy) {
  Post(kDead, "gone");
  std::string cdx =
      std::string(R"([["timestamp","original","statuscode","mimetype"],)") +
      R"(["20150101000000",")" + kDead + R"(","200","text/html"],)" +
      R"(["20190420000000",")" + kDead + R"(","200","text/html"],)" +
      R"(["20190425000000",")" + kDead + R"(","200","text/html"],)" +
      R"(["20200101000000",")" + kDead + R"(","200","text/html"]])";
  RescueSummary summary =
      Run({{kCdx, FakeResponse{200, "application/json", cdx}},
           {Memento("20190425000000"), FakeResponse{404, "text/html", "gone"}},
           {Memento("20190420000000"),
            FakeResponse{200, "text/html", "<p>as it was</p>"}}});
  EXPECT_EQ(summary.rescued, 1);
  // The 404 page was tried first and skipped; nothing after it was asked.
  EXPECT_EQ(fetcher_->requested,
            (std::vector<std::string>{kCdx, Memento("20190425000000"),
                                      Memento("20190420000000")}));
  Result<std::optional<CaptureRow>> best = FindBestMemento(manifest(), kDead);
  ASSERT_TRUE(best.ok() && *best);
  EXPECT_EQ((*best)->url, Memento("20190420000000"));
  EXPECT_EQ((*best)->source, kSourcePublicArchive);
  EXPECT_EQ((*best)->archive, "web.archive.org");
  EXPECT_EQ((*best)->memento_at_us, At("20190420000000"));
  EXPECT_EQ((*best)->http_status, 200);
  // Planned again: nothing, the link has its public copy.
  Result<std::vector<RescueTarget>> again =
      PlanRescue(manifest(), {}, RescuePlanOptions{});
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->empty());
}

TEST_F(RescueRunTest, TheAggregatorIsAskedWhenTheCdxApiHasNothing) {
  Post(kDead, "failing");
  std::string tt =
      "https://timetravel.mementoweb.org/api/json/20190501000000/" +
      std::string(kDead);
  std::string json = std::string(R"({"mementos":{"closest":{)") +
                     R"("datetime":"2018-06-01T00:00:00Z","uri":[)" +
                     R"("https://web.archive.org/web/20180601000000/)" + kDead +
                     R"("]}}})";
  RescueSummary summary =
      Run({{kCdx, FakeResponse{200, "application/json", "[]"}},
           {tt, FakeResponse{200, "application/json", json}},
           {Memento("20180601000000"), FakeResponse{200, "text/html", "x"}}});
  EXPECT_EQ(summary.rescued, 1);
  ASSERT_EQ(summary.results.size(), 1u);
  EXPECT_EQ(summary.results[0].memento_uri, Memento("20180601000000"));
}

TEST_F(RescueRunTest, ALinkNoArchiveHasEndsAsNone) {
  Post(kDead, "gone");
  // The aggregator's 404 (not in the fake web) means "no captures".
  RescueSummary summary =
      Run({{kCdx, FakeResponse{200, "application/json", "[]"}}});
  EXPECT_EQ(summary.none, 1);
  EXPECT_EQ(summary.failed, 0);
  Result<std::vector<CaptureRow>> rows = manifest().CapturesOf(kDead);
  ASSERT_TRUE(rows.ok());
  EXPECT_TRUE(rows->empty());
}

TEST_F(RescueRunTest, AFailingLookupMakesTheLinkFailedNotTheRun) {
  Post(kDead, "gone");
  options_.config.rescue.timetravel_url = "";
  RescueSummary summary =
      Run({{kCdx, FakeResponse{503, "text/plain", "busy"}}});
  EXPECT_EQ(summary.failed, 1);
  ASSERT_EQ(summary.results.size(), 1u);
  EXPECT_NE(summary.results[0].error.find("web.archive.org: HTTP 503"),
            std::string::npos)
      << summary.results[0].error;
}

TEST_F(RescueRunTest, LinksThatAreAliveAreNotPlanned) {
  Post(kDead, "ok");
  CaptureRow own;
  own.url = kDead;
  own.http_status = 200;
  own.warc_file = "w.warc.gz";
  own.record_id = "<urn:uuid:1>";
  WarcFileRow file;
  file.name = "w.warc.gz";
  ASSERT_TRUE(manifest().AddWarcFile(file).ok());
  ASSERT_TRUE(manifest().AddCaptures({own}).ok());
  Result<std::vector<RescueTarget>> targets =
      PlanRescue(manifest(), {}, RescuePlanOptions{});
  ASSERT_TRUE(targets.ok());
  EXPECT_TRUE(targets->empty());
}

TEST_F(RescueRunTest, PlannedLinksCarryThePostDate) {
  Post(kDead, "soft-404");
  Result<std::vector<RescueTarget>> targets =
      PlanRescue(manifest(), {}, RescuePlanOptions{});
  ASSERT_TRUE(targets.ok());
  ASSERT_EQ(targets->size(), 1u);
  EXPECT_EQ((*targets)[0].post_us, At("20190501000000"));
  EXPECT_EQ((*targets)[0].normalized, kDead);
}

TEST_F(RescueRunTest, ALinkNoArchiveHadIsNotLookedUpAgainBeforeRetryAfter) {
  Post(kDead, "gone");
  options_.now_us = [] { return At("20260101000000"); };
  RescueSummary summary =
      Run({{kCdx, FakeResponse{200, "application/json", "[]"}}});
  ASSERT_EQ(summary.none, 1);
  Result<int64_t> none_at = manifest().LookupNoneAt(kDead);
  ASSERT_TRUE(none_at.ok());
  EXPECT_EQ(*none_at, At("20260101000000"));
  RescuePlanOptions plan;
  plan.retry_after_s = 30 * 86400;
  plan.now_us = At("20260130000000");  // 29 days later
  Result<std::vector<RescueTarget>> targets = PlanRescue(manifest(), {}, plan);
  ASSERT_TRUE(targets.ok());
  EXPECT_TRUE(targets->empty());
  plan.again = true;  // rescue --again
  targets = PlanRescue(manifest(), {}, plan);
  ASSERT_TRUE(targets.ok());
  EXPECT_EQ(targets->size(), 1u);
  plan.again = false;
  plan.now_us = At("20260201000000");  // 31 days later
  targets = PlanRescue(manifest(), {}, plan);
  ASSERT_TRUE(targets.ok());
  EXPECT_EQ(targets->size(), 1u);
}

TEST_F(RescueRunTest, AFoundCopyClearsTheNoneMark) {
  Post(kDead, "gone");
  ASSERT_TRUE(manifest().SetLookupNone(kDead, At("20250101000000")).ok());
  std::string cdx =
      std::string(R"([["timestamp","original","statuscode","mimetype"],)") +
      R"(["20190420000000",")" + kDead + R"(","200","text/html"]])";
  Result<std::vector<RescueTarget>> targets =
      PlanRescue(manifest(), {}, RescuePlanOptions{true, {}, 0, 0});
  ASSERT_TRUE(targets.ok());
  fake_ = std::make_unique<FakeFetcher>(std::map<std::string, FakeResponse>{
      {kCdx, FakeResponse{200, "application/json", cdx}},
      {Memento("20190420000000"), FakeResponse{200, "text/html", "x"}}});
  options_.new_fetcher =
      [this](FetchOptions) -> Result<std::unique_ptr<Fetcher>> {
    return std::unique_ptr<Fetcher>(std::make_unique<Forward>(*fake_));
  };
  Result<RescueSummary> summary = RunRescue(*store_, *targets, options_);
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(summary->rescued, 1);
  EXPECT_EQ(*manifest().LookupNoneAt(kDead), 0);
}

TEST_F(RescueRunTest, LinksOutOfScopeGetNoLookups) {
  Post(kDead, "gone");
  RescuePlanOptions plan;
  plan.scope.exclude_hosts = {"dead.example"};
  Result<std::vector<RescueTarget>> targets = PlanRescue(manifest(), {}, plan);
  ASSERT_TRUE(targets.ok());
  EXPECT_TRUE(targets->empty());
  plan.scope = ScopeConfig{};
  plan.scope.exclude_urls = {"^http://dead\\.example/"};
  targets = PlanRescue(manifest(), {}, plan);
  ASSERT_TRUE(targets.ok());
  EXPECT_TRUE(targets->empty());
}

}  // namespace
}  // namespace rotguard
