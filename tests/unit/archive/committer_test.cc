#include "archive/committer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "rotguard/manifest.h"
#include "unit/temp_dir.h"

namespace rotguard::archiver {
namespace {

constexpr char kFile[] = "rg-00001.warc.gz";

class CommitterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<std::unique_ptr<Manifest>> manifest =
        OpenManifest((dir_.path() / "manifest.sqlite").string());
    ASSERT_TRUE(manifest.ok()) << manifest.status().message();
    manifest_ = std::move(*manifest);
    WarcFileRow file;
    file.name = kFile;
    file.state = WarcFileState::kOpen;
    events_.opened.push_back(file);
  }

  CommitterOptions Options() {
    CommitterOptions options;
    options.sync = [this] {
      Trace("sync");
      return sync_status_;
    };
    options.trace = [this](std::string_view event) {
      if (event != "sync") Trace(std::string(event));
    };
    return options;
  }

  void Trace(const std::string& event) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      events_seen_.push_back(event);
    }
    seen_.notify_all();
  }

  // A capture of `url` at `offset` with its response record.
  CommitBatch Capture(const std::string& url, int64_t offset,
                      const std::string& sha1, int64_t length = 4096) {
    CommitBatch rows;
    RecordRow record;
    record.warc_file = kFile;
    record.offset = offset;
    record.type = "response";
    record.record_id = "<urn:uuid:" + std::to_string(offset) + ">";
    record.target_uri = url;
    rows.records.push_back(record);
    CaptureRow c;
    c.url = url;
    c.warc_file = kFile;
    c.record_offset = offset;
    c.record_id = record.record_id;
    c.payload_sha1 = sha1;
    c.payload_length = length;
    c.http_status = 200;
    c.source = "live";
    rows.captures.push_back(c);
    return rows;
  }

  testing::TempDir dir_;
  std::unique_ptr<Manifest> manifest_;
  std::mutex manifest_mu_;
  FileEvents events_;
  int lookups_ = 0;
  Originals originals_{[this](const std::string&) {
    ++lookups_;
    return Result<std::optional<CaptureRow>>(std::optional<CaptureRow>());
  }};
  Status sync_status_;
  std::mutex mu_;
  std::condition_variable seen_;
  std::vector<std::string> events_seen_;
};

TEST_F(CommitterTest, SyncComesBeforeTheTransactionThatNamesTheRecords) {
  Committer committer(*manifest_, manifest_mu_, events_, originals_, Options());
  committer.Add(Capture("https://a.example/", 100, "AAAA"));
  ASSERT_TRUE(committer.CommitPending().ok());
  EXPECT_EQ(events_seen_,
            (std::vector<std::string>{"sync", "commit https://a.example/"}));
  Result<std::vector<CaptureRow>> rows = manifest_->ListCaptures();
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(committer.records(), 1);
  EXPECT_EQ(committer.captures(), 1);
}

TEST_F(CommitterTest, AFailedSyncCommitsNoRows) {
  sync_status_ = Status::IOError("fdatasync: no space");
  Committer committer(*manifest_, manifest_mu_, events_, originals_, Options());
  committer.Add(Capture("https://a.example/", 100, "AAAA"));
  EXPECT_FALSE(committer.CommitPending().ok());
  Result<std::vector<CaptureRow>> rows = manifest_->ListCaptures();
  ASSERT_TRUE(rows.ok());
  EXPECT_TRUE(rows->empty());
  EXPECT_EQ(committer.captures(), 0);
}

TEST_F(CommitterTest, NothingPendingIsNeitherSyncedNorCommitted) {
  events_.opened.clear();
  Committer committer(*manifest_, manifest_mu_, events_, originals_, Options());
  ASSERT_TRUE(committer.CommitPending().ok());
  EXPECT_TRUE(events_seen_.empty());
}

TEST_F(CommitterTest, CommittedCapturesBecomeOriginalsRevisitsDoNot) {
  Committer committer(*manifest_, manifest_mu_, events_, originals_, Options());
  committer.Add(Capture("https://a.example/", 100, "AAAA"));
  CommitBatch revisit = Capture("https://b.example/", 200, "BBBB");
  revisit.captures[0].revisit_of = "<urn:uuid:1>";
  committer.Add(std::move(revisit));
  committer.Add(Capture("https://c.example/", 300, "CCCC", /*length=*/10));
  EXPECT_FALSE(originals_.Find("AAAA").has_value());  // not committed yet
  ASSERT_TRUE(committer.CommitPending().ok());
  lookups_ = 0;
  std::optional<WarcRevisitOf> original = originals_.Find("AAAA");
  ASSERT_TRUE(original.has_value());
  EXPECT_EQ(original->target_uri, "https://a.example/");
  EXPECT_EQ(lookups_, 0);  // known without asking the manifest
  EXPECT_FALSE(originals_.Find("BBBB").has_value());
  EXPECT_FALSE(originals_.Find("CCCC").has_value());  // too short
  EXPECT_EQ(committer.revisits(), 1);
}

TEST_F(CommitterTest, ItsThreadCommitsOnceEnoughRowsWait) {
  CommitterOptions options = Options();
  options.interval_ms = 3'600'000;  // only the row count makes it due
  options.records = 4;              // records + captures
  Committer committer(*manifest_, manifest_mu_, events_, originals_,
                      std::move(options));
  std::atomic<bool> halted{false};
  int failures = 0;
  committer.Start(&halted, [&failures](const Status&) { ++failures; });
  committer.Add(Capture("https://a.example/", 100, "AAAA"));
  committer.Add(Capture("https://b.example/", 200, "BBBB"));
  {
    std::unique_lock<std::mutex> lock(mu_);
    // The bound only keeps a broken committer from hanging the suite.
    ASSERT_TRUE(seen_.wait_for(lock, std::chrono::minutes(1),
                               [&] { return events_seen_.size() >= 2; }));
  }
  committer.Stop();
  EXPECT_EQ(events_seen_[0], "sync");
  EXPECT_EQ(events_seen_[1], "commit https://a.example/ https://b.example/");
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(committer.captures(), 2);
}

TEST_F(CommitterTest, FlushCommitsWhatWaitsAtOnceAndReturnsOnceCommitted) {
  CommitterOptions options = Options();
  options.interval_ms = 3'600'000;  // neither the clock nor the count is due
  options.records = 1000;
  Committer committer(*manifest_, manifest_mu_, events_, originals_,
                      std::move(options));
  std::atomic<bool> halted{false};
  committer.Start(&halted, [](const Status&) {});
  committer.Add(Capture("https://a.example/", 100, "AAAA"));
  const auto asked = std::chrono::steady_clock::now();
  committer.Flush();
  EXPECT_LT(std::chrono::steady_clock::now() - asked, std::chrono::minutes(1));
  {
    std::lock_guard<std::mutex> lock(manifest_mu_);
    Result<std::vector<CaptureRow>> rows = manifest_->ListCaptures();
    ASSERT_TRUE(rows.ok());
    EXPECT_EQ(rows->size(), 1u);
  }
  committer.Flush();  // nothing waits: returns all the same
  committer.Stop();
  committer.Flush();  // no commit thread: returns at once
  EXPECT_EQ(committer.captures(), 1);
}

TEST_F(CommitterTest, WorkDoneRowsLeaveTheWorkQueueWithTheirCommit) {
  const std::vector<std::string> urls = {"https://a.example/1",
                                         "https://a.example/2"};
  ASSERT_TRUE(manifest_->Enqueue(urls, 1000).ok());
  ASSERT_EQ(manifest_->ClaimWork("w", 1000, 60'000, 10)->size(), 2u);
  CommitterOptions options = Options();
  options.complete_work = true;
  Committer committer(*manifest_, manifest_mu_, events_, originals_,
                      std::move(options));
  CommitBatch skipped;
  skipped.work_done = {urls[0]};
  committer.Add(std::move(skipped));
  ASSERT_TRUE(committer.CommitPending().ok());
  Result<Manifest::WorkCounts> counts = manifest_->CountWork(1000);
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->done, 1);
  EXPECT_EQ(counts->leased, 1);
}

}  // namespace
}  // namespace rotguard::archiver
