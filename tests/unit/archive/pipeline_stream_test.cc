// A worker's run (ArchiveOptions::next_work): batches of a work source fed
// into one running pipeline, against the scripted FakeFetcher and a real
// store whose work queue the source claims from, as `archive --worker`
// does.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "rotguard/archive.h"
#include "rotguard/fetch.h"
#include "rotguard/manifest.h"
#include "rotguard/store.h"
#include "rotguard/url.h"
#include "unit/archive/fake_fetcher.h"
#include "unit/temp_dir.h"

namespace rotguard {
namespace {

using testing::FakeFetcher;

constexpr int64_t kNowMs = 1'700'000'000'000;
constexpr int64_t kLeaseMs = 600'000;  // never expires within a test
constexpr char kOwner[] = "w1";

class ArchivePipelineStreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StoreOptions quiet;
    quiet.log_to_file = false;
    Result<std::unique_ptr<Store>> store = Store::OpenOrCreate(
        dir_.path() / ".rotguard", LockMode::kExclusive, quiet);
    ASSERT_TRUE(store.ok()) << store.status().message();
    store_ = std::move(*store);
    options_.site_root = dir_.path();
    options_.config.fetch.requisites_depth = 1;
    options_.all = true;
    options_.worker_id = kOwner;
    options_.work_poll_ms = 600'000;  // a test that waits this long fails
    options_.next_work = [this](bool drained) { return Next(drained); };
    fetcher_.keep_running = true;
  }

  // The work source: `answer` when a test scripts one, else claims
  // `claim` URLs from the work queue on a connection of its own (the
  // run's committer owns the store's), ending once the run has drained
  // and nothing is left. Runs on the run's feed thread.
  Result<WorkBatch> Next(bool drained) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      asked_.push_back(drained);
    }
    asked_cv_.notify_all();
    if (answer_) return answer_(static_cast<int>(asked_.size()), drained);
    Result<std::vector<std::string>> claimed =
        Claimer().ClaimWork(kOwner, kNowMs, kLeaseMs, claim_);
    if (!claimed.ok()) return claimed.status();
    WorkBatch batch;
    batch.urls = std::move(*claimed);
    batch.end = batch.urls.empty() && drained;
    return batch;
  }

  Manifest& Claimer() {
    if (claimer_ == nullptr) {
      Result<std::unique_ptr<Manifest>> opened =
          OpenManifest(store_->manifest_location());
      EXPECT_TRUE(opened.ok()) << opened.status().message();
      claimer_ = std::move(*opened);
    }
    return *claimer_;
  }

  // Blocks (at most 10 s) until the source was asked `n` times.
  bool WaitForAsks(size_t n) {
    std::unique_lock<std::mutex> lock(mu_);
    return asked_cv_.wait_for(lock, std::chrono::seconds(10),
                              [&] { return asked_.size() >= n; });
  }

  std::vector<bool> Asked() {
    std::lock_guard<std::mutex> lock(mu_);
    return asked_;
  }

  void Enqueue(const std::vector<std::string>& urls) {
    ASSERT_TRUE(store_->manifest().Enqueue(urls, kNowMs).ok());
  }

  Result<ArchiveSummary> Run() {
    return RunArchive(*store_, &fetcher_, options_);
  }

  size_t CapturesOf(const std::string& url) {
    Result<std::vector<CaptureRow>> rows =
        store_->manifest().CapturesOf(*NormalizeUrl(url));
    EXPECT_TRUE(rows.ok());
    return rows.ok() ? rows->size() : 0;
  }

  size_t Requests(const std::string& url) const {
    return static_cast<size_t>(
        std::count(fetcher_.requested.begin(), fetcher_.requested.end(), url));
  }

  Manifest::WorkCounts Work() {
    Result<Manifest::WorkCounts> counts = store_->manifest().CountWork(kNowMs);
    EXPECT_TRUE(counts.ok());
    return counts.ok() ? *counts : Manifest::WorkCounts{};
  }

  ::rotguard::testing::TempDir dir_;
  std::unique_ptr<Store> store_;
  ArchiveOptions options_;
  FakeFetcher fetcher_;
  int claim_ = 2;
  std::function<Result<WorkBatch>(int call, bool drained)> answer_;
  std::unique_ptr<Manifest> claimer_;
  std::mutex mu_;
  std::condition_variable asked_cv_;
  std::vector<bool> asked_;  // `drained` of each ask
};

TEST_F(ArchivePipelineStreamTest,
       ASessionIsOneRunAndFetchesEachRequisiteOnceAcrossBatches) {
  std::vector<std::string> pages;
  for (const char* n : {"1", "2", "3", "4", "5"}) {
    pages.push_back(std::string("https://a.example/p") + n);
    fetcher_.web[pages.back()] = {
        200, "text/html", "<link rel=stylesheet href=/s.css><p>page</p>"};
  }
  fetcher_.web["https://a.example/s.css"] = {200, "text/css", "p{}"};
  Enqueue(pages);
  Result<ArchiveSummary> summary = Run();
  ASSERT_TRUE(summary.ok()) << summary.status().message();
  EXPECT_EQ(summary->due, 5);
  EXPECT_EQ(summary->requisites, 1);
  EXPECT_EQ(Requests("https://a.example/s.css"), 1u);
  for (const std::string& page : pages) EXPECT_EQ(CapturesOf(page), 1u);
  Result<std::vector<RunRow>> runs = store_->manifest().ListRuns();
  ASSERT_TRUE(runs.ok());
  EXPECT_EQ(runs->size(), 1u);
  Result<std::vector<WarcFileRow>> files = store_->manifest().ListWarcFiles();
  ASSERT_TRUE(files.ok());
  EXPECT_EQ(files->size(), 1u);
  EXPECT_EQ(Work().done, 5);
  EXPECT_EQ(Work().leased, 0);
  EXPECT_GE(Asked().size(), 4u);  // three batches of at most 2, then the end
}

TEST_F(ArchivePipelineStreamTest,
       TheNextBatchIsAskedForWhileTheLastIsStillBeingFetched) {
  const std::vector<std::string> urls = {
      "https://a.example/1", "https://a.example/2", "https://a.example/3",
      "https://a.example/4"};
  for (const std::string& url : urls) {
    fetcher_.web[url] = {200, "text/plain", url};
  }
  Enqueue(urls);
  claim_ = 3;
  options_.work_low_water = 3;
  // The last job of the first batch starts only once the source was asked
  // again: a run that drained before asking would wait here in vain.
  bool asked_ahead = false;
  fetcher_.before_job = [&](const std::string& url) {
    if (url == urls[2]) asked_ahead = WaitForAsks(2);
  };
  Result<ArchiveSummary> summary = Run();
  ASSERT_TRUE(summary.ok()) << summary.status().message();
  EXPECT_TRUE(asked_ahead);
  ASSERT_GE(Asked().size(), 2u);
  EXPECT_FALSE(Asked()[1]);  // not drained: jobs were still in flight
  EXPECT_EQ(CapturesOf(urls[3]), 1u);
  EXPECT_EQ(Work().done, 4);
}

TEST_F(ArchivePipelineStreamTest,
       ClaimedUrlsOutOfScopeAreDoneWithoutAFetchAndTheRestByTheirCommits) {
  const std::vector<std::string> urls = {"https://in.example/a",
                                         "https://out.example/b"};
  fetcher_.web[urls[0]] = {200, "text/plain", "a"};
  options_.config.scope.exclude_hosts = {"out.example"};
  claim_ = 10;
  Enqueue(urls);
  Result<ArchiveSummary> summary = Run();
  ASSERT_TRUE(summary.ok()) << summary.status().message();
  EXPECT_EQ(Requests(urls[1]), 0u);
  EXPECT_EQ(CapturesOf(urls[0]), 1u);
  EXPECT_EQ(Work().done, 2);
  EXPECT_EQ(Work().leased, 0);
}

TEST_F(ArchivePipelineStreamTest,
       NothingNowIsAskedAgainAtOnceWhenTheRunDrains) {
  const std::vector<std::string> urls = {"https://a.example/1",
                                         "https://a.example/2"};
  for (const std::string& url : urls) {
    fetcher_.web[url] = {200, "text/plain", url};
  }
  options_.work_low_water = 2;
  // The second job waits for the second ask, so that ask comes while it
  // is in flight; its "nothing now" must not cost the 600 s poll.
  fetcher_.before_job = [&](const std::string& url) {
    if (url == urls[1]) WaitForAsks(2);
  };
  bool committed_when_drained = false;
  answer_ = [&](int call, bool drained) -> Result<WorkBatch> {
    WorkBatch batch;
    if (call == 1) batch.urls = urls;
    if (call >= 3 || (call == 2 && drained)) {
      batch.end = true;
      Result<std::vector<CaptureRow>> rows =
          Claimer().CapturesOf(*NormalizeUrl(urls[1]));
      committed_when_drained = drained && rows.ok() && rows->size() == 1;
    }
    return batch;
  };
  const auto started = std::chrono::steady_clock::now();
  Result<ArchiveSummary> summary = Run();
  ASSERT_TRUE(summary.ok()) << summary.status().message();
  EXPECT_LT(std::chrono::steady_clock::now() - started,
            std::chrono::seconds(60));
  EXPECT_TRUE(committed_when_drained);
  EXPECT_EQ(CapturesOf(urls[0]), 1u);
}

TEST_F(ArchivePipelineStreamTest,
       AWorkSourceErrorFailsTheRunAndKeepsWhatItFetched) {
  fetcher_.web["https://a.example/1"] = {200, "text/plain", "one"};
  options_.work_low_water = 1;
  answer_ = [](int call, bool) -> Result<WorkBatch> {
    if (call > 1) return Status::IOError("claim: connection lost");
    WorkBatch batch;
    batch.urls = {"https://a.example/1"};
    return batch;
  };
  Result<ArchiveSummary> summary = Run();
  ASSERT_FALSE(summary.ok());
  EXPECT_NE(summary.status().message().find("connection lost"),
            std::string::npos);
  EXPECT_EQ(CapturesOf("https://a.example/1"), 1u);
}

}  // namespace
}  // namespace rotguard
