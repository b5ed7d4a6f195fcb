// The manifest's work queue (schema v11-12: `enqueue`, `archive --worker`),
// on every backend (manifest_backend.h): leases of URLs and of their hosts,
// their expiry and renewal, and completion in the same transaction as the
// captures.
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "manifest/schema.h"  // kMaxWorkAttempts
#include "rotguard/manifest.h"
#include "unit/manifest/manifest_backend.h"

namespace rotguard {
namespace {

using testing::ManifestBackend;

constexpr int64_t kNow = 1'700'000'000'000;  // ms
constexpr int64_t kLease = 3'000;

// n URLs spread over `hosts` hosts: URL i is on host i % hosts.
std::vector<std::string> Urls(int n, int hosts = 1) {
  std::vector<std::string> urls;
  for (int i = 0; i < n; ++i) {
    urls.push_back("https://h" + std::to_string(i % hosts) + ".example/" +
                   std::to_string(100 + i));
  }
  return urls;
}

std::set<std::string> SetOf(const std::vector<std::string>& urls) {
  return std::set<std::string>(urls.begin(), urls.end());
}

class WorkQueueTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    backend_ = std::make_unique<ManifestBackend>(GetParam());
    if (!backend_->unavailable().empty())
      GTEST_SKIP() << backend_->unavailable();
    manifest_ = backend_->Open();
    ASSERT_NE(manifest_, nullptr);
  }

  std::vector<std::string> Claim(Manifest& m, const std::string& owner,
                                 int64_t now_ms, int limit) {
    Result<std::vector<std::string>> got =
        m.ClaimWork(owner, now_ms, kLease, limit);
    EXPECT_TRUE(got.ok()) << got.status().message();
    return got.ok() ? *got : std::vector<std::string>();
  }

  Manifest::WorkCounts Counts(int64_t now_ms) {
    Result<Manifest::WorkCounts> counts = manifest_->CountWork(now_ms);
    EXPECT_TRUE(counts.ok());
    return counts.ok() ? *counts : Manifest::WorkCounts();
  }

  std::unique_ptr<ManifestBackend> backend_;
  std::unique_ptr<Manifest> manifest_;
};

INSTANTIATE_TEST_SUITE_P(
    Backends, WorkQueueTest, ::testing::Values("sqlite", "postgresql"),
    [](const ::testing::TestParamInfo<std::string>& param) {
      return param.param;
    });

TEST_P(WorkQueueTest, EnqueueIsIdempotentWhileAUrlIsDue) {
  Result<int64_t> first = manifest_->Enqueue(Urls(5), kNow);
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_EQ(*first, 5);
  Result<int64_t> again = manifest_->Enqueue(Urls(5), kNow + 1);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0);
  EXPECT_EQ(Counts(kNow).free, 5);
  // The urls rows exist, as for a scanned link.
  Result<std::optional<UrlRow>> row = manifest_->FindUrl(Urls(5)[0]);
  ASSERT_TRUE(row.ok());
  EXPECT_TRUE(row->has_value());
}

TEST_P(WorkQueueTest, EnqueueTakesAnyUrlTextOnceAndKeepsItsOrder) {
  // PostgreSQL sends a call's URLs as array literals: quotes, backslashes,
  // braces and commas arrive as given; a repeated URL counts once.
  const std::vector<std::string> urls = {
      "https://h.example/q?a=\"b\"", "https://h.example/back\\slash",
      "https://h.example/{x,y}", "https://h.example/q?a=\"b\""};
  Result<int64_t> queued = manifest_->Enqueue(urls, kNow);
  ASSERT_TRUE(queued.ok()) << queued.status().message();
  EXPECT_EQ(*queued, 3);
  EXPECT_EQ(Claim(*manifest_, "w", kNow, 10),
            std::vector<std::string>(urls.begin(), urls.begin() + 3));
}

TEST_P(WorkQueueTest, EnqueueOfMoreUrlsThanOneStatementTakesAll) {
  const std::vector<std::string> urls = Urls(12'000, 3);
  Result<int64_t> queued = manifest_->Enqueue(urls, kNow);
  ASSERT_TRUE(queued.ok()) << queued.status().message();
  EXPECT_EQ(*queued, 12'000);
  EXPECT_EQ(Counts(kNow).free, 12'000);
  Result<int64_t> again = manifest_->Enqueue(urls, kNow + 1);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0);
}

TEST_P(WorkQueueTest, TwoWorkersNeverClaimTheSameUrlWhileItsLeaseIsLive) {
  const std::vector<std::string> urls = Urls(10, 5);
  ASSERT_TRUE(manifest_->Enqueue(urls, kNow).ok());
  std::unique_ptr<Manifest> other = backend_->Open();
  ASSERT_NE(other, nullptr);
  std::vector<std::string> a = Claim(*manifest_, "a", kNow, 4);
  std::vector<std::string> b = Claim(*other, "b", kNow, 100);
  EXPECT_EQ(a.size(), 4u);
  EXPECT_EQ(b.size(), 6u);
  std::set<std::string> all = SetOf(a);
  all.insert(b.begin(), b.end());
  EXPECT_EQ(all.size(), 10u);
  // Whole hosts, taken one at a time: h0 and h1, in url id order.
  EXPECT_EQ(a, std::vector<std::string>({urls[0], urls[1], urls[5], urls[6]}));
  EXPECT_TRUE(Claim(*manifest_, "c", kNow + kLease - 1, 100).empty());
  EXPECT_EQ(Counts(kNow).leased, 10);
  EXPECT_EQ(Counts(kNow).free, 0);
}

TEST_P(WorkQueueTest, OnlyTheWorkerHoldingAHostClaimsItsUrls) {
  // One worker at a time per host: its --per-host and --delay then hold
  // for all workers together.
  const std::vector<std::string> urls = Urls(3);
  ASSERT_TRUE(manifest_->Enqueue(urls, kNow).ok());
  EXPECT_EQ(Claim(*manifest_, "a", kNow, 1).size(), 1u);
  EXPECT_TRUE(Claim(*manifest_, "b", kNow, 10).empty());
  EXPECT_EQ(Counts(kNow).free, 2);  // due, but the host is a's
  EXPECT_EQ(Claim(*manifest_, "a", kNow, 10).size(), 2u);
  // Once a's leases expire, host and URLs go to another worker.
  EXPECT_EQ(SetOf(Claim(*manifest_, "b", kNow + kLease, 10)), SetOf(urls));
}

TEST_P(WorkQueueTest, AHostIsFreedWhenItsWorkIsDoneOrGivenBack) {
  const std::vector<std::string> urls = Urls(4, 2);  // h0: 0, 2; h1: 1, 3
  ASSERT_TRUE(manifest_->Enqueue(urls, kNow).ok());
  ASSERT_EQ(Claim(*manifest_, "a", kNow, 2),
            std::vector<std::string>({urls[0], urls[2]}));
  UrlRow judged;
  judged.verdict = "ok";
  for (int i : {0, 2}) {
    judged.normalized = urls[i];
    ASSERT_TRUE(manifest_->CommitWorkBatch({}, {}, {judged}).ok());
  }
  ASSERT_TRUE(manifest_->ReleaseLeases("a", /*done=*/true).ok());
  // h0 has nothing due left: a's next claim frees it and takes h1.
  ASSERT_EQ(Claim(*manifest_, "a", kNow, 1),
            std::vector<std::string>({urls[1]}));
  EXPECT_TRUE(Claim(*manifest_, "b", kNow, 10).empty());
  // Giving the URLs back gives the host back: b may take it at once.
  ASSERT_TRUE(manifest_->ReleaseLeases("a", /*done=*/false).ok());
  EXPECT_EQ(Claim(*manifest_, "b", kNow, 10),
            std::vector<std::string>({urls[1], urls[3]}));
}

TEST_P(WorkQueueTest, AnExpiredLeaseIsTakenOverAndARenewedOneIsNot) {
  const std::vector<std::string> urls = Urls(4, 2);
  ASSERT_TRUE(manifest_->Enqueue(urls, kNow).ok());
  ASSERT_EQ(Claim(*manifest_, "alive", kNow, 2).size(), 2u);   // h0
  ASSERT_EQ(Claim(*manifest_, "killed", kNow, 2).size(), 2u);  // h1
  Result<int64_t> renewed =
      manifest_->RenewLeases("alive", kNow + kLease - 1, kLease);
  ASSERT_TRUE(renewed.ok());
  EXPECT_EQ(*renewed, 2);
  // Past the first lease: only the killed worker's URLs (and host) are
  // free.
  std::vector<std::string> taken =
      Claim(*manifest_, "taker", kNow + kLease, 10);
  EXPECT_EQ(taken, std::vector<std::string>({urls[1], urls[3]}));
  // Renewing an URL someone else took over does not steal it back.
  Result<int64_t> stale = manifest_->RenewLeases("killed", kNow + kLease, 1);
  ASSERT_TRUE(stale.ok());
  EXPECT_EQ(*stale, 0);
}

TEST_P(WorkQueueTest, CommitWorkBatchCompletesTheUrlsItJudges) {
  const std::vector<std::string> urls = Urls(2);
  ASSERT_TRUE(manifest_->Enqueue(urls, kNow).ok());
  ASSERT_EQ(Claim(*manifest_, "w", kNow, 10).size(), 2u);
  UrlRow judged;
  judged.normalized = urls[0];
  judged.verdict = "ok";
  ASSERT_TRUE(manifest_->CommitWorkBatch({}, {}, {judged}).ok());
  EXPECT_EQ(Counts(kNow).done, 1);
  EXPECT_EQ(Counts(kNow).leased, 1);
  // A clean exit gives the rest back; an expired lease needs no release.
  Result<int64_t> released = manifest_->ReleaseLeases("w", /*done=*/false);
  ASSERT_TRUE(released.ok());
  EXPECT_EQ(*released, 1);
  EXPECT_EQ(Claim(*manifest_, "v", kNow, 10),
            std::vector<std::string>({urls[1]}));
  // What the run did not judge (out of scope, forgotten) is done too.
  ASSERT_TRUE(manifest_->ReleaseLeases("v", /*done=*/true).ok());
  EXPECT_EQ(Counts(kNow).done, 2);
  // Done URLs are due again when enqueued again.
  Result<int64_t> again = manifest_->Enqueue(urls, kNow + 1);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 2);
}

TEST_P(WorkQueueTest, CompleteWorkEndsOnlyTheNamedLeases) {
  // A streaming worker decides some claimed URLs without a verdict while
  // the others are still being fetched: only those leave the queue.
  const std::vector<std::string> urls = Urls(3);
  ASSERT_TRUE(manifest_->Enqueue(urls, kNow).ok());
  ASSERT_EQ(Claim(*manifest_, "w", kNow, 10).size(), 3u);
  ASSERT_TRUE(
      manifest_->CompleteWork({urls[1], "https://not-queued.example/"}).ok());
  EXPECT_EQ(Counts(kNow).done, 1);
  EXPECT_EQ(Counts(kNow).leased, 2);
  Result<int64_t> released = manifest_->ReleaseLeases("w", /*done=*/false);
  ASSERT_TRUE(released.ok());
  EXPECT_EQ(*released, 2);
  EXPECT_EQ(Claim(*manifest_, "v", kNow, 10),
            std::vector<std::string>({urls[0], urls[2]}));
  EXPECT_TRUE(manifest_->CompleteWork({}).ok());
}

TEST_P(WorkQueueTest, AFailedCommitLeavesTheUrlDue) {
  ASSERT_TRUE(manifest_->Enqueue(Urls(1), kNow).ok());
  ASSERT_EQ(Claim(*manifest_, "w", kNow, 10).size(), 1u);
  UrlRow judged;
  judged.normalized = Urls(1).front();
  judged.verdict = "ok";
  CaptureRow orphan;  // its WARC file has no row: the batch fails
  orphan.url = orphan.normalized = judged.normalized;
  orphan.warc_file = "missing.warc.gz";
  orphan.record_id = "<urn:uuid:x>";
  EXPECT_FALSE(manifest_->CommitWorkBatch({}, {orphan}, {judged}).ok());
  EXPECT_EQ(Counts(kNow).leased, 1);
  EXPECT_EQ(Counts(kNow).done, 0);
}

TEST_P(WorkQueueTest,
       AUrlNoWorkerEverCommitsLeavesTheQueueFailedAfterMaxAttempts) {
  ASSERT_TRUE(manifest_->Enqueue(Urls(1), kNow).ok());
  // Each claimer dies: its lease expires and the next one takes the URL.
  for (int attempt = 0; attempt < kMaxWorkAttempts; ++attempt) {
    EXPECT_EQ(Claim(*manifest_, "w" + std::to_string(attempt),
                    kNow + attempt * kLease, 1)
                  .size(),
              1u)
        << "attempt " << attempt;
  }
  const int64_t later = kNow + kMaxWorkAttempts * kLease;
  EXPECT_TRUE(Claim(*manifest_, "next", later, 1).empty());
  Manifest::WorkCounts counts = Counts(later);
  EXPECT_EQ(counts.free + counts.leased, 0);
  EXPECT_EQ(counts.done, 1);
  // Enqueued again (fixed, or to try once more), it starts afresh.
  Result<int64_t> again = manifest_->Enqueue(Urls(1), later);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 1);
  EXPECT_EQ(Claim(*manifest_, "next", later, 1), Urls(1));
}

// Longer than one pipeline sync on PostgreSQL (1,000 statements), failing
// after the first: the whole batch still commits together, or not at all.
TEST_P(WorkQueueTest, ALongCommitWorkBatchIsAllOrNothing) {
  const std::vector<std::string> urls = Urls(600);
  ASSERT_TRUE(manifest_->Enqueue(urls, kNow).ok());
  ASSERT_EQ(Claim(*manifest_, "w", kNow, 600).size(), 600u);
  WarcFileRow file;
  file.name = "a.warc.gz";
  ASSERT_TRUE(manifest_->AddWarcFile(file).ok());
  std::vector<RecordRow> records;
  for (int i = 0; i < 1200; ++i) {
    RecordRow r;
    r.warc_file = file.name;
    r.offset = i * 100;
    r.compressed_length = 100;
    r.type = "response";
    r.record_id = "<urn:uuid:" + std::to_string(i) + ">";
    records.push_back(r);
  }
  std::vector<UrlRow> judged;
  for (const std::string& url : urls) {
    UrlRow row;
    row.normalized = url;
    row.verdict = "ok";
    judged.push_back(row);
  }
  CaptureRow orphan;  // its WARC file has no row: the batch fails
  orphan.url = orphan.normalized = urls.back();
  orphan.warc_file = "missing.warc.gz";
  orphan.record_id = "<urn:uuid:x>";
  EXPECT_FALSE(manifest_->CommitWorkBatch(records, {orphan}, judged).ok());
  EXPECT_EQ(Counts(kNow).done, 0);
  Result<std::vector<RecordRow>> kept = manifest_->RecordsOf(file.name);
  ASSERT_TRUE(kept.ok());
  EXPECT_TRUE(kept->empty());
  ASSERT_TRUE(manifest_->CommitWorkBatch(records, {}, judged).ok());
  EXPECT_EQ(Counts(kNow).done, 600);
  kept = manifest_->RecordsOf(file.name);
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(kept->size(), 1200u);
  Result<std::optional<UrlRow>> row = manifest_->FindUrl(urls[450]);
  ASSERT_TRUE(row.ok() && row->has_value());
  EXPECT_EQ((*row)->verdict, "ok");
}

}  // namespace
}  // namespace rotguard
