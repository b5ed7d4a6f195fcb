// The fetcher's host scheduler on a fake clock: per-host and total limits,
// per-host delays, hosts taking turns, chains first, retry timers and
// their waits (backoff, Retry-After up to the cap). No sleeps, no wall
// clock: every `now` is a number the test picks.
#include "fetch/host_scheduler.h"

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace rotguard::fetch_internal {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Clock = HostScheduler::Clock;
using JobId = HostScheduler::JobId;

const Clock::time_point kT0 = Clock::time_point(seconds(1000));
const Clock::time_point kNever = Clock::time_point::max();

FetchConfig Config(int jobs, int per_host, int delay_ms) {
  FetchConfig c;
  c.jobs = jobs;
  c.per_host = per_host;
  c.delay_ms = delay_ms;
  return c;
}

// Records what StartReady started; every start succeeds unless listed.
struct Starter {
  std::vector<JobId> started;
  std::vector<JobId> refuse;  // these end without a transfer
  HostScheduler::StartFn Fn() {
    return [this](JobId id) {
      for (JobId r : refuse) {
        if (r == id) return false;
      }
      started.push_back(id);
      return true;
    };
  }
};

TEST(HostScheduler, PerHostLimitHoldsBackTheRestUntilOneFinishes) {
  HostScheduler s(Config(8, 2, 0), {});
  for (JobId id = 1; id <= 4; ++id) s.EnqueueBack(id, "a.example");
  Starter st;
  EXPECT_EQ(s.StartReady(kT0, st.Fn()), kNever);
  EXPECT_EQ(st.started, (std::vector<JobId>{1, 2}));
  EXPECT_EQ(s.active("a.example"), 2);
  s.StartReady(kT0, st.Fn());
  EXPECT_EQ(st.started.size(), 2u);
  s.OnFinished("a.example");
  s.StartReady(kT0, st.Fn());
  EXPECT_EQ(st.started, (std::vector<JobId>{1, 2, 3}));
}

TEST(HostScheduler, TotalLimitCountsEveryHost) {
  HostScheduler s(Config(3, 2, 0), {});
  for (JobId id = 1; id <= 3; ++id) s.EnqueueBack(id, "a.example");
  for (JobId id = 11; id <= 13; ++id) s.EnqueueBack(id, "b.example");
  Starter st;
  s.StartReady(kT0, st.Fn());
  EXPECT_EQ(st.started, (std::vector<JobId>{1, 2, 11}));
  EXPECT_EQ(s.active(), 3);
  s.StartReady(kT0, st.Fn());
  EXPECT_EQ(st.started.size(), 3u);
}

TEST(HostScheduler, HostsWithWorkTakeTurns) {
  HostScheduler s(Config(1, 4, 0), {});
  s.EnqueueBack(1, "a.example");
  s.EnqueueBack(2, "a.example");
  s.EnqueueBack(11, "b.example");
  s.EnqueueBack(12, "b.example");
  Starter st;
  for (int i = 0; i < 4; ++i) {
    s.StartReady(kT0, st.Fn());
    s.OnFinished(st.started.back() < 10 ? "a.example" : "b.example");
  }
  EXPECT_EQ(st.started, (std::vector<JobId>{1, 11, 2, 12}));
}

TEST(HostScheduler, DelaySpacesStartsToOneHostOnTheFakeClock) {
  HostScheduler s(Config(8, 4, 250), {});
  for (JobId id = 1; id <= 3; ++id) s.EnqueueBack(id, "a.example");
  Starter st;
  EXPECT_EQ(s.StartReady(kT0, st.Fn()), kT0 + milliseconds(250));
  EXPECT_EQ(st.started, (std::vector<JobId>{1}));
  EXPECT_EQ(s.StartReady(kT0 + milliseconds(249), st.Fn()),
            kT0 + milliseconds(250));
  EXPECT_EQ(st.started.size(), 1u);
  EXPECT_EQ(s.StartReady(kT0 + milliseconds(250), st.Fn()),
            kT0 + milliseconds(500));
  EXPECT_EQ(st.started, (std::vector<JobId>{1, 2}));
}

TEST(HostScheduler, DelayOfOneHostDoesNotHoldBackAnother) {
  HostScheduler s(Config(8, 4, 1000), {});
  s.EnqueueBack(1, "a.example");
  s.EnqueueBack(2, "a.example");
  s.EnqueueBack(3, "b.example");
  Starter st;
  EXPECT_EQ(s.StartReady(kT0, st.Fn()), kT0 + seconds(1));
  EXPECT_EQ(st.started, (std::vector<JobId>{1, 3}));
}

TEST(HostScheduler, HostOverridesReplaceLimitAndDelay) {
  HostConfig slow;
  slow.per_host = 1;
  slow.delay_ms = 5000;
  HostScheduler s(Config(8, 4, 0), {{"slow.example", slow}});
  for (JobId id = 1; id <= 2; ++id) s.EnqueueBack(id, "slow.example");
  for (JobId id = 11; id <= 12; ++id) s.EnqueueBack(id, "fast.example");
  Starter st;
  s.StartReady(kT0, st.Fn());
  EXPECT_EQ(st.started, (std::vector<JobId>{1, 11, 12}));
  s.OnFinished("slow.example");
  EXPECT_EQ(s.StartReady(kT0 + seconds(1), st.Fn()), kT0 + seconds(5));
  EXPECT_EQ(st.started.size(), 3u);
  s.StartReady(kT0 + seconds(5), st.Fn());
  EXPECT_EQ(st.started.back(), 2u);
}

TEST(HostScheduler, NextHopOfAChainGoesBeforeNewJobsOfItsHost) {
  HostScheduler s(Config(8, 1, 0), {});
  s.EnqueueBack(1, "a.example");
  s.EnqueueBack(2, "a.example");
  Starter st;
  s.StartReady(kT0, st.Fn());
  s.OnFinished("a.example");
  s.EnqueueFront(1, "a.example");  // job 1 follows a redirect
  s.StartReady(kT0, st.Fn());
  EXPECT_EQ(st.started, (std::vector<JobId>{1, 1}));
}

TEST(HostScheduler, JobEndingWithoutATransferDoesNotCountAgainstLimits) {
  HostScheduler s(Config(8, 1, 1000), {});
  for (JobId id = 1; id <= 3; ++id) s.EnqueueBack(id, "a.example");
  Starter st;
  st.refuse = {1, 2};
  // Neither the limit nor the delay is used up by jobs 1 and 2.
  EXPECT_EQ(s.StartReady(kT0, st.Fn()), kNever);
  EXPECT_EQ(st.started, (std::vector<JobId>{3}));
  EXPECT_EQ(s.active(), 1);
}

TEST(HostScheduler, RetryWaitsOnItsTimerThenGoesFirst) {
  HostScheduler s(Config(8, 1, 0), {});
  s.EnqueueBack(1, "a.example");
  Starter st;
  s.StartReady(kT0, st.Fn());
  s.OnFinished("a.example");
  s.RetryLater(1, "a.example", kT0, seconds(2));
  s.EnqueueBack(2, "a.example");
  EXPECT_EQ(s.EarliestWake(kNever), kT0 + seconds(2));
  s.StartReady(kT0 + seconds(1), st.Fn());
  EXPECT_EQ(st.started, (std::vector<JobId>{1, 2}));
  s.OnFinished("a.example");
  s.EnqueueBack(3, "a.example");
  s.StartReady(kT0 + seconds(2), st.Fn());
  EXPECT_EQ(st.started, (std::vector<JobId>{1, 2, 1}));
  EXPECT_EQ(s.EarliestWake(kNever), kNever);
}

TEST(HostScheduler, EarlierTimerWinsAndTiesKeepTheirOrder) {
  HostScheduler s(Config(8, 4, 0), {});
  s.RetryLater(1, "a.example", kT0, seconds(3));
  s.RetryLater(2, "a.example", kT0, seconds(1));
  s.RetryLater(3, "a.example", kT0, seconds(1));
  EXPECT_EQ(s.EarliestWake(kT0 + seconds(5)), kT0 + seconds(1));
  EXPECT_EQ(s.EarliestWake(kT0), kT0);
  Starter st;
  s.StartReady(kT0 + seconds(1), st.Fn());
  // Both fire at once, each to the queue front: the later one runs first.
  EXPECT_EQ(st.started, (std::vector<JobId>{3, 2}));
}

TEST(HostScheduler, CancelledStopsStartingAndDropQueuedForgetsEverything) {
  HostScheduler s(Config(8, 4, 0), {});
  for (JobId id = 1; id <= 3; ++id) s.EnqueueBack(id, "a.example");
  s.RetryLater(9, "a.example", kT0, seconds(1));
  Starter st;
  bool cancel = false;
  auto start = [&](JobId id) {
    cancel = true;  // cancelled while the first one starts
    return st.Fn()(id);
  };
  s.StartReady(kT0, start, [&] { return cancel; });
  EXPECT_EQ(st.started, (std::vector<JobId>{1}));
  s.DropQueued();
  EXPECT_EQ(s.EarliestWake(kNever), kNever);
  s.StartReady(kT0 + seconds(9), st.Fn());
  EXPECT_EQ(st.started.size(), 1u);
  EXPECT_FALSE(s.idle());
  s.OnFinished("a.example");
  EXPECT_TRUE(s.idle());
}

TEST(RetryDelay, BackoffDoublesPerAttempt) {
  FetchConfig c;
  c.backoff_ms = 100;
  const auto wall = std::chrono::system_clock::now();
  EXPECT_EQ(RetryDelay(c, 0, 500, "", wall), milliseconds(100));
  EXPECT_EQ(RetryDelay(c, 1, 0, "", wall), milliseconds(200));
  EXPECT_EQ(RetryDelay(c, 3, 503, "", wall), milliseconds(800));
}

TEST(RetryDelay, RetryAfterOf429And503ReplacesBackoffUpToTheCap) {
  FetchConfig c;
  c.backoff_ms = 100;
  c.retry_after_cap_s = 5;
  const auto wall = std::chrono::system_clock::now();
  EXPECT_EQ(RetryDelay(c, 0, 429, "2", wall), seconds(2));
  EXPECT_EQ(RetryDelay(c, 0, 503, "30", wall), seconds(5));
  // Other statuses, and values that do not parse, keep the backoff.
  EXPECT_EQ(RetryDelay(c, 0, 500, "2", wall), milliseconds(100));
  EXPECT_EQ(RetryDelay(c, 0, 429, "soon", wall), milliseconds(100));
}

TEST(RetryDelay, RetryAfterDateIsRelativeToTheWallClockGiven) {
  FetchConfig c;
  c.retry_after_cap_s = 120;
  // Sun, 06 Nov 1994 08:49:37 GMT, asked 10 s before.
  const auto date = std::chrono::system_clock::time_point(seconds(784111777));
  EXPECT_EQ(RetryDelay(c, 0, 503, "Sun, 06 Nov 1994 08:49:37 GMT",
                       date - seconds(10)),
            seconds(10));
  EXPECT_EQ(RetryDelay(c, 0, 503, "Sun, 06 Nov 1994 08:49:37 GMT",
                       date + seconds(10)),
            seconds(0));
}

}  // namespace
}  // namespace rotguard::fetch_internal
