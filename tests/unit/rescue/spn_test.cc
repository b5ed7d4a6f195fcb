// Save Page Now 2 (issue #15 item 2): reply parsing, the form body, the
// token bucket on a fake clock, which links are planned, and the submit →
// poll flow against a scripted fetcher (no network, no sleeps: the run's
// sleep advances the fake clock).
#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "rotguard/rescue.h"
#include "rotguard/store.h"
#include "unit/temp_dir.h"

namespace rotguard {
namespace {

constexpr const char* kSave = "https://web.archive.org/save";
constexpr int64_t kSecond = 1'000'000;

// --- parsing and requests ---

TEST(SpnReplyTest, ASubmissionWithAJobIdIsPending) {
  Result<SpnReply> reply =
      ParseSpnReply(R"({"url": "https://a.example/", "job_id": "spn2-abc"})");
  ASSERT_TRUE(reply.ok()) << reply.status().message();
  EXPECT_EQ(reply->status, "pending");
  EXPECT_EQ(reply->job_id, "spn2-abc");
}

TEST(SpnReplyTest, ASuccessCarriesTimestampAndOriginal) {
  Result<SpnReply> reply = ParseSpnReply(
      R"({"status": "success", "timestamp": "20261206120000",
          "original_url": "https://a.example/", "job_id": "j"})");
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply->status, "success");
  EXPECT_EQ(SpnMementoUrl(kSave, reply->timestamp, reply->original_url),
            "https://web.archive.org/web/20261206120000/https://a.example/");
}

TEST(SpnReplyTest, AnErrorJoinsStatusExtAndMessage) {
  Result<SpnReply> reply = ParseSpnReply(
      R"({"status": "error", "status_ext": "error:too-many-requests",
          "message": "slow down"})");
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply->status, "error");
  EXPECT_EQ(reply->message, "error:too-many-requests: slow down");
}

TEST(SpnReplyTest, HostileRepliesAreErrorsNotCrashes) {
  for (const char* body :
       {"", "[]", "null", "{", R"({"status": 5})", R"({"status": "odd"})",
        R"({"status": "success", "timestamp": "2026", "original_url": "x"})",
        R"({"status": "success", "timestamp": "2026120612000x",
            "original_url": "x"})",
        R"({"job_id": 7})"}) {
    EXPECT_FALSE(ParseSpnReply(body).ok()) << body;
  }
}

TEST(SpnRequestTest, TheFormBodyIsPercentEncoded) {
  EXPECT_EQ(SpnFormBody("https://a.example/p?q=1&r=2", "30d"),
            "url=https%3A%2F%2Fa.example%2Fp%3Fq%3D1%26r%3D2"
            "&if_not_archived_within=30d");
  EXPECT_EQ(SpnFormBody("https://a.example/", ""),
            "url=https%3A%2F%2Fa.example%2F");
}

// --- token bucket ---

TEST(TokenBucketTest, FourPerMinuteSpacesTakesFifteenSecondsApart) {
  TokenBucket bucket(4);
  EXPECT_TRUE(bucket.TryTake(0));
  EXPECT_FALSE(bucket.TryTake(1));
  EXPECT_EQ(bucket.NextAt(1), 15 * kSecond);
  EXPECT_FALSE(bucket.TryTake(15 * kSecond - 1));
  EXPECT_TRUE(bucket.TryTake(15 * kSecond));
  EXPECT_EQ(bucket.NextAt(15 * kSecond), 30 * kSecond);
}

TEST(TokenBucketTest, ABurstIsNeverMoreThanItsCapacity) {
  TokenBucket bucket(60, 2);
  EXPECT_TRUE(bucket.TryTake(0));
  EXPECT_TRUE(bucket.TryTake(0));
  EXPECT_FALSE(bucket.TryTake(0));
  // An hour idle refills two tokens, not sixty.
  EXPECT_TRUE(bucket.TryTake(3600 * kSecond));
  EXPECT_TRUE(bucket.TryTake(3600 * kSecond));
  EXPECT_FALSE(bucket.TryTake(3600 * kSecond));
}

TEST(TokenBucketTest, APauseHoldsEveryTokenUntilItEnds) {
  TokenBucket bucket(12);
  bucket.PauseUntil(30 * kSecond);
  EXPECT_FALSE(bucket.TryTake(0));
  EXPECT_EQ(bucket.NextAt(0), 30 * kSecond);
  EXPECT_TRUE(bucket.TryTake(30 * kSecond));
}

// --- the run ---

// One scripted reply.
struct Reply {
  Reply(int status_in, std::string body_in, std::string extra_head_in = "",
        FailureClass failure_in = FailureClass::kNone)
      : status(status_in),
        body(std::move(body_in)),
        extra_head(std::move(extra_head_in)),
        failure(failure_in) {}
  int status;
  std::string body;
  std::string extra_head;  // e.g. "Retry-After: 5\r\n"
  FailureClass failure;
};

// A request as the fake saw it, with the fake clock's time.
struct Sent {
  int64_t at_us;
  std::string method;
  std::string url;
  std::string body;
  std::vector<std::string> headers;
};

// Answers "METHOD URL" from a queue of replies (the last one repeats);
// anything unscripted is a 404.
class ScriptedFetcher : public Fetcher {
 public:
  ScriptedFetcher(std::map<std::string, std::deque<Reply>>* script,
                  std::vector<Sent>* sent, const int64_t* clock)
      : script_(script), sent_(sent), clock_(clock) {}
  void Add(FetchJob job) override { queue_.push_back(std::move(job)); }
  void RequestCancel() override {}
  Status Run(FetchSink& sink) override {
    for (; !queue_.empty(); queue_.pop_front()) {
      const FetchJob& job = queue_.front();
      sent_->push_back({*clock_, job.method, job.url, job.body, job.headers});
      Reply reply = Next(job.method + " " + job.url);
      FetchOutcome outcome;
      outcome.job = job;
      outcome.failure = reply.failure;
      if (reply.failure == FailureClass::kNone) {
        FetchedExchange ex;
        ex.url = job.url;
        ex.http_status = reply.status;
        ex.response = std::make_unique<MemoryResponseBody>(
            "HTTP/1.1 " + std::to_string(reply.status) +
            " X\r\nContent-Type: application/json\r\n" + reply.extra_head +
            "\r\n");
        EXPECT_TRUE(ex.response->AppendBody(reply.body).ok());
        outcome.final_status = reply.status;
        sink.OnExchange(job, ex);
      } else {
        outcome.error = job.url + ": connection refused";
      }
      sink.OnDone(outcome);
    }
    return Status::Ok();
  }

 private:
  Reply Next(const std::string& key) {
    auto it = script_->find(key);
    if (it == script_->end() || it->second.empty()) return Reply{404, "{}"};
    Reply reply = it->second.front();
    if (it->second.size() > 1) it->second.pop_front();
    return reply;
  }
  std::map<std::string, std::deque<Reply>>* script_;
  std::vector<Sent>* sent_;
  const int64_t* clock_;
  std::deque<FetchJob> queue_;
};

class SpnRunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StoreOptions quiet;
    quiet.log_to_file = false;
    Result<std::unique_ptr<Store>> store = Store::OpenOrCreate(
        dir_.path() / ".rotguard", LockMode::kExclusive, quiet);
    ASSERT_TRUE(store.ok()) << store.status().message();
    store_ = std::move(*store);
    options_.config.rescue.submit_poll_interval_ms = 5000;
    options_.now_us = [this] { return clock_; };
    options_.sleep_us = [this](int64_t us) { clock_ += us; };
    options_.new_fetcher = [this](FetchOptions) {
      return Result<std::unique_ptr<Fetcher>>(std::unique_ptr<Fetcher>(
          std::make_unique<ScriptedFetcher>(&script_, &sent_, &clock_)));
    };
  }

  // A post linking each URL, each captured with `status` (own capture).
  void Post(const std::vector<std::string>& urls, int status = 200,
            const std::string& kind = "link") {
    const std::string name = "post" + std::to_string(++posts_);
    DocumentRow doc{name + ".md", "00", "", "2019-05-01", std::nullopt, 0, ""};
    std::vector<LinkRow> links;
    std::vector<CaptureRow> captures;
    int64_t at = 0;
    for (const std::string& url : urls) {
      links.push_back(LinkRow{kind, url, url, url, 1, 1, at,
                              at + static_cast<int64_t>(url.size())});
      at += 100;
      CaptureRow c;
      c.url = url;
      c.http_status = status;
      c.warc_file = name + ".warc.gz";
      c.record_id = "<urn:uuid:" + url + ">";
      captures.push_back(c);
    }
    ASSERT_TRUE(manifest().RecordScan(doc, links).ok());
    WarcFileRow file;
    file.name = name + ".warc.gz";
    ASSERT_TRUE(manifest().AddWarcFile(file).ok());
    ASSERT_TRUE(manifest().AddCaptures(captures).ok());
  }

  SubmitSummary Run() {
    Result<std::vector<SubmissionRow>> plan =
        PlanSubmissions(manifest(), options_.config);
    EXPECT_TRUE(plan.ok()) << plan.status().message();
    Result<SubmitSummary> summary = RunSubmissions(
        *store_, plan.ok() ? *plan : std::vector<SubmissionRow>{}, options_);
    EXPECT_TRUE(summary.ok()) << summary.status().message();
    return summary.ok() ? *summary : SubmitSummary{};
  }

  SubmissionRow Row(const std::string& url) {
    Result<std::optional<SubmissionRow>> row = manifest().FindSubmission(url);
    EXPECT_TRUE(row.ok() && *row) << url;
    return row.ok() && *row ? **row : SubmissionRow{};
  }

  std::vector<Sent> Posts() const {
    std::vector<Sent> posts;
    for (const Sent& s : sent_) {
      if (s.method == "POST") posts.push_back(s);
    }
    return posts;
  }

  Manifest& manifest() { return store_->manifest(); }

  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
  SubmitOptions options_;
  int64_t clock_ = 1'000 * kSecond;
  int posts_ = 0;
  std::map<std::string, std::deque<Reply>> script_;
  std::vector<Sent> sent_;
};

constexpr const char* kA = "https://a.example/post";
constexpr const char* kB = "https://b.example/post";
constexpr const char* kC = "https://c.example/post";

std::string Job(const std::string& id) {
  return R"({"url": "x", "job_id": ")" + id + R"("})";
}
std::string Success(const std::string& url) {
  return R"({"status": "success", "timestamp": "20261206120000",
             "original_url": ")" +
         url + R"("})";
}

TEST_F(SpnRunTest, AJobIsPolledUntilItsMementoIsStored) {
  Post({kA});
  script_["POST " + std::string(kSave)] = {Reply{200, Job("j1")}};
  script_["GET " + std::string(kSave) + "/status/j1"] = {
      Reply{200, R"({"status": "pending"})"}, Reply{200, Success(kA)}};
  SubmitSummary summary = Run();
  EXPECT_EQ(summary.submitted, 1);
  EXPECT_EQ(summary.success, 1);
  SubmissionRow row = Row(kA);
  EXPECT_EQ(row.state, kSubmissionSuccess);
  EXPECT_EQ(row.job_id, "j1");
  EXPECT_EQ(row.memento_url,
            "https://web.archive.org/web/20261206120000/" + std::string(kA));
  EXPECT_EQ(row.memento_at_us, *ParseWaybackTimestamp("20261206120000"));
  EXPECT_EQ(row.attempts, 1);
  // The form body, the JSON accept header, and polls one interval apart.
  ASSERT_EQ(sent_.size(), 3u);
  EXPECT_EQ(sent_[0].body,
            "url=https%3A%2F%2Fa.example%2Fpost&if_not_archived_within=30d");
  EXPECT_EQ(sent_[0].headers,
            (std::vector<std::string>{"Accept: application/json"}));
  EXPECT_EQ(sent_[1].at_us - sent_[0].at_us, 5 * kSecond);
  EXPECT_EQ(sent_[2].at_us - sent_[1].at_us, 5 * kSecond);
  // Saved: never planned again.
  Result<std::vector<SubmissionRow>> again =
      PlanSubmissions(manifest(), options_.config);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->empty());
}

TEST_F(SpnRunTest, SubmissionsWaitForTheTokenBucket) {
  Post({kA, kB, kC});
  script_["POST " + std::string(kSave)] = {Reply{200, Job("j")}};
  options_.config.rescue.submit_max_polls = 0;
  Run();
  std::vector<Sent> posts = Posts();
  ASSERT_EQ(posts.size(), 3u);
  // Anonymous: 4 a minute.
  EXPECT_EQ(posts[1].at_us - posts[0].at_us, 15 * kSecond);
  EXPECT_EQ(posts[2].at_us - posts[1].at_us, 15 * kSecond);
}

TEST_F(SpnRunTest, KeysRaiseTheRateAndAreSentAsLowAuthorization) {
  Post({kA, kB});
  script_["POST " + std::string(kSave)] = {Reply{200, Job("j")}};
  options_.config.rescue.submit_max_polls = 0;
  options_.config.rescue.spn_access_key = "cfg";
  options_.config.rescue.spn_secret_key = "cfgsecret";
  options_.key = "env:envsecret";  // ROTGUARD_SPN_KEY wins
  Run();
  std::vector<Sent> posts = Posts();
  ASSERT_EQ(posts.size(), 2u);
  EXPECT_EQ(posts[1].at_us - posts[0].at_us, 5 * kSecond);  // 12 a minute
  EXPECT_EQ(posts[0].headers[1], "Authorization: LOW env:envsecret");
}

TEST_F(SpnRunTest, A429BacksOffForRetryAfterAndIsRetriedNextRun) {
  Post({kA, kB});
  options_.config.rescue.submit_per_minute = 600;
  options_.config.rescue.submit_max_polls = 0;
  script_["POST " + std::string(kSave)] = {
      Reply{429, R"({"status": "error", "status_ext": "error:too-many"})",
            "Retry-After: 40\r\n"},
      Reply{200, Job("j")}};
  SubmitSummary summary = Run();
  EXPECT_EQ(summary.failed, 1);
  std::vector<Sent> posts = Posts();
  ASSERT_EQ(posts.size(), 2u);
  EXPECT_EQ(posts[1].at_us - posts[0].at_us, 40 * kSecond);
  SubmissionRow failed = Row(kA);
  EXPECT_EQ(failed.state, kSubmissionError);
  EXPECT_EQ(failed.attempts, 1);
  EXPECT_NE(failed.message.find("HTTP 429"), std::string::npos);
  // The next run submits it again.
  Result<std::vector<SubmissionRow>> next =
      PlanSubmissions(manifest(), options_.config);
  ASSERT_TRUE(next.ok());
  ASSERT_EQ(next->size(), 2u);  // kA to resubmit, kB still pending
  EXPECT_EQ((*next)[0].normalized, kA);
  EXPECT_EQ((*next)[1].state, kSubmissionPending);
}

TEST_F(SpnRunTest, AnAuthFailureStopsSubmittingForTheRun) {
  Post({kA, kB, kC});
  options_.config.rescue.submit_per_minute = 600;
  options_.key = "bad:key";
  script_["POST " + std::string(kSave)] = {
      Reply{401, R"({"status": "error", "status_ext": "error:unauthorized"})"}};
  SubmitSummary summary = Run();
  EXPECT_TRUE(summary.auth_failed);
  EXPECT_EQ(Posts().size(), 1u);
  SubmissionRow row = Row(kA);
  EXPECT_EQ(row.state, kSubmissionError);
  EXPECT_EQ(row.attempts, 0);  // not the URL's fault
  Result<std::optional<SubmissionRow>> untouched =
      manifest().FindSubmission(kB);
  ASSERT_TRUE(untouched.ok());
  EXPECT_FALSE(*untouched);
}

TEST_F(SpnRunTest, AJobStillPendingAfterMaxPollsIsPolledNextRun) {
  Post({kA});
  options_.config.rescue.submit_max_polls = 2;
  script_["POST " + std::string(kSave)] = {Reply{200, Job("j9")}};
  script_["GET " + std::string(kSave) + "/status/j9"] = {
      Reply{200, R"({"status": "pending"})"}};
  SubmitSummary summary = Run();
  EXPECT_EQ(summary.pending, 1);
  EXPECT_EQ(sent_.size(), 3u);  // one POST, two polls
  EXPECT_EQ(Row(kA).state, kSubmissionPending);
  EXPECT_EQ(Row(kA).job_id, "j9");
  // Next run: polled by its job id, not submitted again.
  sent_.clear();
  script_["GET " + std::string(kSave) + "/status/j9"] = {
      Reply{200, Success(kA)}};
  summary = Run();
  EXPECT_EQ(summary.success, 1);
  ASSERT_EQ(sent_.size(), 1u);
  EXPECT_EQ(sent_[0].method, "GET");
  EXPECT_EQ(Row(kA).attempts, 1);
}

TEST_F(SpnRunTest, TheRunEndsAtItsTimeBudget) {
  Post({kA, kB, kC});
  options_.config.rescue.submit_max_seconds = 20;
  options_.config.rescue.submit_max_polls = 0;
  script_["POST " + std::string(kSave)] = {Reply{200, Job("j")}};
  SubmitSummary summary = Run();
  // 4 a minute: t=0 and t=15 s fit in 20 s, t=30 s does not.
  EXPECT_EQ(Posts().size(), 2u);
  EXPECT_EQ(summary.candidates, 3);
}

TEST_F(SpnRunTest, AFailedJobAndATransportErrorAreStoredAsErrors) {
  Post({kA, kB});
  options_.config.rescue.submit_per_minute = 600;
  script_["POST " + std::string(kSave)] = {
      Reply{200, Job("bad")}, Reply{0, "", "", FailureClass::kConnect}};
  script_["GET " + std::string(kSave) + "/status/bad"] = {
      Reply{200, R"({"status": "error", "status_ext": "error:job-failed"})"}};
  SubmitSummary summary = Run();
  EXPECT_EQ(summary.failed, 2);
  EXPECT_EQ(Row(kA).state, kSubmissionError);
  EXPECT_EQ(Row(kA).message, "error:job-failed");
  EXPECT_EQ(Row(kB).state, kSubmissionError);
  EXPECT_NE(Row(kB).message.find("connection refused"), std::string::npos);
}

TEST_F(SpnRunTest, OnlyAliveInScopeLinksWithAttemptsLeftArePlanned) {
  Post({kA, kB});
  Post({kC}, 404);  // dead: its latest own capture is not 2xx
  options_.config.scope.exclude_hosts = {"b.example"};
  SubmissionRow spent{kA, kSubmissionError, "", "", 0, 5, 0, "HTTP 502"};
  ASSERT_TRUE(manifest().PutSubmission(spent).ok());
  Result<std::vector<SubmissionRow>> plan =
      PlanSubmissions(manifest(), options_.config);
  ASSERT_TRUE(plan.ok());
  EXPECT_TRUE(plan->empty());
  options_.config.rescue.submit_max_attempts = 6;
  plan = PlanSubmissions(manifest(), options_.config);
  ASSERT_TRUE(plan.ok());
  ASSERT_EQ(plan->size(), 1u);
  EXPECT_EQ((*plan)[0].normalized, kA);
}

}  // namespace
}  // namespace rotguard
