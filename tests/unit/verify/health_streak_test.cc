// Health streak rules (SPEC §6, §13 "Verdicts") over simulated runs with a
// controllable clock.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "rotguard/health.h"

namespace rotguard {
namespace {

constexpr int64_t kHour = 3600;
constexpr int64_t kStart = 1'767'225'600;  // 2026-01-01T00:00:00Z

// A URL observed by successive runs; `now` is the simulated clock.
class SimulatedRuns {
 public:
  explicit SimulatedRuns(HealthConfig config = HealthConfig{})
      : config_(config) {
    url_.normalized = "https://news.example.com/post.html";
  }

  void Advance(int64_t seconds) { now_ += seconds; }
  int64_t now() const { return now_; }
  const UrlRow& url() const { return url_; }

  void Observe(HealthObservation observation) {
    observation.at_unix = now_;
    ApplyHealthObservation(config_, observation, &url_);
  }
  void Status(int status) { Observe(WithStatus(status)); }
  void Failure(FailureClass failure) {
    HealthObservation observation;
    observation.failure = failure;
    Observe(observation);
  }

  static HealthObservation WithStatus(int status) {
    HealthObservation observation;
    observation.final_status = status;
    observation.first_non_shortener_status = status;
    return observation;
  }

 private:
  HealthConfig config_;
  UrlRow url_;
  int64_t now_ = kStart;
};

TEST(HealthStreakTest, NotFoundIsGoneOnlyOnTheThirdRunTwentyHoursApart) {
  SimulatedRuns runs;
  runs.Status(404);
  EXPECT_EQ(runs.url().verdict, "failing");
  EXPECT_EQ(runs.url().consecutive_failures, 1);
  runs.Advance(20 * kHour);
  runs.Status(404);
  EXPECT_EQ(runs.url().verdict, "failing");
  EXPECT_EQ(runs.url().consecutive_failures, 2);
  runs.Advance(20 * kHour);
  runs.Status(404);
  EXPECT_EQ(runs.url().verdict, "gone");
  EXPECT_EQ(runs.url().consecutive_failures, 3);
  EXPECT_EQ(runs.url().last_failure_unix, runs.now());
  EXPECT_EQ(runs.url().failure_class, "http-404");
}

TEST(HealthStreakTest, GoneAndNxdomainCountLikeNotFound) {
  SimulatedRuns runs;
  runs.Status(410);
  runs.Advance(24 * kHour);
  runs.Failure(FailureClass::kDns);
  EXPECT_EQ(runs.url().failure_class, "dns");
  runs.Advance(24 * kHour);
  runs.Status(404);
  EXPECT_EQ(runs.url().verdict, "gone");
  EXPECT_EQ(runs.url().consecutive_failures, 3);
}

TEST(HealthStreakTest, FailureSoonerThanTwentyHoursNeitherCountsNorResets) {
  SimulatedRuns runs;
  runs.Status(404);
  const int64_t first_counted = runs.now();
  for (int i = 0; i < 5; ++i) {  // five runs within the same day
    runs.Advance(3 * kHour);
    runs.Status(404);
    EXPECT_EQ(runs.url().consecutive_failures, 1);
    EXPECT_EQ(runs.url().verdict, "failing");
  }
  EXPECT_EQ(runs.url().last_failure_unix, first_counted);
  // 20 h after the last COUNTED failure (not the last observed one).
  runs.Advance(20 * kHour - 15 * kHour);
  runs.Status(404);
  EXPECT_EQ(runs.url().consecutive_failures, 2);
}

TEST(HealthStreakTest, OneSecondShortOfTheIntervalDoesNotCount) {
  SimulatedRuns runs;
  runs.Status(404);
  runs.Advance(20 * kHour - 1);
  runs.Status(404);
  EXPECT_EQ(runs.url().consecutive_failures, 1);
  runs.Advance(1);
  runs.Status(404);
  EXPECT_EQ(runs.url().consecutive_failures, 2);
}

TEST(HealthStreakTest, ManyRunsInOneDayNeverMakeAUrlGone) {
  SimulatedRuns runs;
  for (int i = 0; i < 20; ++i) {
    runs.Status(404);
    runs.Advance(kHour);
  }
  EXPECT_EQ(runs.url().verdict, "failing");
  EXPECT_EQ(runs.url().consecutive_failures, 1);
}

TEST(HealthStreakTest, ForbiddenIsNeverGoneAlone) {
  SimulatedRuns runs;
  for (int i = 0; i < 10; ++i) {
    runs.Status(403);
    EXPECT_EQ(runs.url().verdict, "blocked");
    EXPECT_EQ(runs.url().consecutive_failures, 0);
    runs.Advance(24 * kHour);
  }
  EXPECT_EQ(runs.url().failure_class, "http-403");
}

TEST(HealthStreakTest, RateLimitServerErrorAndTimeoutsAreNeverGoneAlone) {
  SimulatedRuns runs;
  for (int i = 0; i < 4; ++i) {
    runs.Status(429);
    EXPECT_EQ(runs.url().verdict, "rate-limited");
    runs.Advance(24 * kHour);
    runs.Status(503);
    EXPECT_EQ(runs.url().verdict, "server-error");
    runs.Advance(24 * kHour);
    runs.Failure(FailureClass::kTimeout);
    EXPECT_EQ(runs.url().verdict, "unreachable");
    EXPECT_EQ(runs.url().failure_class, "timeout");
    runs.Advance(24 * kHour);
    runs.Failure(FailureClass::kConnect);
    EXPECT_EQ(runs.url().verdict, "unreachable");
    runs.Advance(24 * kHour);
  }
  EXPECT_EQ(runs.url().consecutive_failures, 0);
}

TEST(HealthStreakTest, TransientFailuresBetweenNotFoundsDoNotResetTheStreak) {
  SimulatedRuns runs;
  runs.Status(404);
  runs.Advance(24 * kHour);
  runs.Status(503);
  EXPECT_EQ(runs.url().consecutive_failures, 1);
  EXPECT_EQ(runs.url().verdict, "server-error");
  runs.Advance(24 * kHour);
  runs.Status(404);
  runs.Advance(24 * kHour);
  runs.Failure(FailureClass::kTimeout);
  runs.Advance(24 * kHour);
  runs.Status(403);
  EXPECT_EQ(runs.url().consecutive_failures, 2);
  runs.Advance(24 * kHour);
  runs.Status(404);
  EXPECT_EQ(runs.url().verdict, "gone");
}

TEST(HealthStreakTest, TransientFailureDoesNotMoveTheCountedFailureTime) {
  SimulatedRuns runs;
  runs.Status(404);
  const int64_t counted = runs.now();
  runs.Advance(24 * kHour);
  runs.Status(500);
  EXPECT_EQ(runs.url().last_failure_unix, counted);
}

TEST(HealthStreakTest, GoneUrlStaysGoneThroughTransientFailures) {
  SimulatedRuns runs;
  for (int i = 0; i < 3; ++i) {
    runs.Status(404);
    runs.Advance(24 * kHour);
  }
  runs.Status(503);
  EXPECT_EQ(runs.url().verdict, "gone");
  EXPECT_EQ(runs.url().failure_class, "http-503");
  EXPECT_TRUE(IsDeadVerdict(runs.url().verdict));
}

TEST(HealthStreakTest, SuccessResetsTheStreak) {
  SimulatedRuns runs;
  runs.Status(404);
  runs.Advance(24 * kHour);
  runs.Status(404);
  runs.Advance(24 * kHour);
  runs.Status(200);
  EXPECT_EQ(runs.url().verdict, "ok");
  EXPECT_EQ(runs.url().consecutive_failures, 0);
  EXPECT_EQ(runs.url().last_ok_unix, runs.now());
  EXPECT_EQ(runs.url().failure_class, "");
  runs.Advance(24 * kHour);
  runs.Status(404);
  EXPECT_EQ(runs.url().consecutive_failures, 1);
  EXPECT_EQ(runs.url().verdict, "failing");
}

TEST(HealthStreakTest, SuccessRevivesAGoneUrl) {
  SimulatedRuns runs;
  for (int i = 0; i < 3; ++i) {
    runs.Status(410);
    runs.Advance(24 * kHour);
  }
  ASSERT_EQ(runs.url().verdict, "gone");
  runs.Status(200);
  EXPECT_EQ(runs.url().verdict, "ok");
  EXPECT_FALSE(IsDeadVerdict(runs.url().verdict));
}

TEST(HealthStreakTest, NewStreakAfterResetCountsAtOnce) {
  SimulatedRuns runs;
  runs.Status(404);
  runs.Advance(kHour);
  runs.Status(200);
  runs.Advance(kHour);  // 2 h after the last counted 404
  runs.Status(404);
  EXPECT_EQ(runs.url().consecutive_failures, 1);
  EXPECT_EQ(runs.url().last_failure_unix, runs.now());
}

TEST(HealthStreakTest, ThresholdAndIntervalComeFromTheConfig) {
  HealthConfig config;
  config.gone_threshold = 2;
  config.gone_min_interval_hours = 1;
  SimulatedRuns runs(config);
  runs.Status(404);
  runs.Advance(kHour);
  runs.Status(404);
  EXPECT_EQ(runs.url().verdict, "gone");
}

TEST(HealthStreakTest, ThresholdOfOneMakesTheFirstNotFoundGone) {
  HealthConfig config;
  config.gone_threshold = 1;
  SimulatedRuns runs(config);
  runs.Status(404);
  EXPECT_EQ(runs.url().verdict, "gone");
}

TEST(HealthStreakTest, CancelledFetchChangesNothing) {
  SimulatedRuns runs;
  runs.Status(404);
  const UrlRow before = runs.url();
  runs.Advance(24 * kHour);
  runs.Failure(FailureClass::kCancelled);
  EXPECT_EQ(runs.url().verdict, before.verdict);
  EXPECT_EQ(runs.url().consecutive_failures, before.consecutive_failures);
  EXPECT_EQ(runs.url().failure_class, before.failure_class);
}

// A chain stopped at a URL the user took down (`forget`) says nothing
// about the link: its verdict and streak stay, its class says why.
TEST(HealthStreakTest, ChainStoppedAtAForgottenUrlKeepsTheVerdict) {
  SimulatedRuns runs;
  runs.Status(404);
  runs.Advance(20 * kHour);
  HealthObservation stopped = SimulatedRuns::WithStatus(301);
  stopped.failure = FailureClass::kForgotten;
  runs.Observe(stopped);
  EXPECT_EQ(runs.url().verdict, "failing");
  EXPECT_EQ(runs.url().consecutive_failures, 1);
  EXPECT_EQ(runs.url().failure_class, "forgotten");
  EXPECT_EQ(runs.url().last_ok_unix, 0);
}

TEST(HealthStreakTest, OnlyHealthColumnsAreTouched) {
  SimulatedRuns runs;
  runs.Status(200);
  EXPECT_EQ(runs.url().normalized, "https://news.example.com/post.html");
  EXPECT_EQ(runs.url().id, 0);
  EXPECT_EQ(runs.url().first_seen_unix, 0);
}

TEST(HealthVerdictTest, PermanentRedirectOfFirstNonShortenerHopIsMoved) {
  for (int code : {301, 308}) {
    SimulatedRuns runs;
    HealthObservation observation = SimulatedRuns::WithStatus(200);
    observation.first_non_shortener_status = code;
    observation.hops = 2;
    runs.Observe(observation);
    EXPECT_EQ(runs.url().verdict, "moved") << code;
  }
}

TEST(HealthVerdictTest, ShortenerRedirectAloneIsRedirectedNotMoved) {
  // ift.tt 301 → feedburner 302 → article 200: the first non-shortener
  // hop answered 302.
  SimulatedRuns runs;
  HealthObservation observation = SimulatedRuns::WithStatus(200);
  observation.first_non_shortener_status = 302;
  observation.hops = 3;
  runs.Observe(observation);
  EXPECT_EQ(runs.url().verdict, "redirected");
}

TEST(HealthVerdictTest, ShortenerStraightToTheTargetIsOk) {
  // bit.ly 301 → article 200: the first non-shortener hop is the target.
  SimulatedRuns runs;
  HealthObservation observation = SimulatedRuns::WithStatus(200);
  observation.first_non_shortener_status = 200;
  observation.hops = 2;
  runs.Observe(observation);
  EXPECT_EQ(runs.url().verdict, "ok");
}

TEST(HealthVerdictTest, ChainWithoutFirstHopStatusFallsBackToHopCount) {
  SimulatedRuns runs;
  HealthObservation observation = SimulatedRuns::WithStatus(200);
  observation.first_non_shortener_status = 0;
  observation.hops = 2;
  runs.Observe(observation);
  EXPECT_EQ(runs.url().verdict, "redirected");
}

TEST(HealthVerdictTest, TemporaryRedirectIsRedirected) {
  for (int code : {302, 303, 307}) {
    SimulatedRuns runs;
    HealthObservation observation = SimulatedRuns::WithStatus(200);
    observation.first_non_shortener_status = code;
    observation.hops = 2;
    runs.Observe(observation);
    EXPECT_EQ(runs.url().verdict, "redirected") << code;
  }
}

TEST(HealthVerdictTest, MovedToANotFoundPageCountsTowardGone) {
  SimulatedRuns runs;
  HealthObservation observation = SimulatedRuns::WithStatus(404);
  observation.first_non_shortener_status = 301;
  observation.hops = 2;
  runs.Observe(observation);
  EXPECT_EQ(runs.url().verdict, "failing");
  EXPECT_EQ(runs.url().consecutive_failures, 1);
}

TEST(HealthVerdictTest, AcceptedStatusIsASuccess) {
  SimulatedRuns runs;
  runs.Status(404);
  runs.Advance(24 * kHour);
  HealthObservation observation = SimulatedRuns::WithStatus(403);
  observation.accepted_status = true;
  runs.Observe(observation);
  EXPECT_EQ(runs.url().verdict, "ok");
  EXPECT_EQ(runs.url().consecutive_failures, 0);
  EXPECT_EQ(runs.url().last_ok_unix, runs.now());
}

TEST(HealthVerdictTest, AcceptedNotFoundNeverCountsTowardGone) {
  SimulatedRuns runs;
  HealthObservation observation = SimulatedRuns::WithStatus(404);
  observation.accepted_status = true;
  for (int i = 0; i < 4; ++i) {
    runs.Observe(observation);
    runs.Advance(24 * kHour);
  }
  EXPECT_EQ(runs.url().verdict, "ok");
}

TEST(HealthVerdictTest, Soft404IsReportedSeparatelyAndResetsTheStreak) {
  SimulatedRuns runs;
  runs.Status(404);
  runs.Advance(24 * kHour);
  HealthObservation observation = SimulatedRuns::WithStatus(200);
  observation.soft_404 = true;
  runs.Observe(observation);
  EXPECT_EQ(runs.url().verdict, "soft-404");
  EXPECT_EQ(runs.url().consecutive_failures, 0);
  EXPECT_FALSE(IsDeadVerdict(runs.url().verdict));
}

TEST(HealthVerdictTest, Soft404WinsOverARedirect) {
  // A parked domain: 301 to a sale page that answers every path.
  SimulatedRuns runs;
  HealthObservation observation = SimulatedRuns::WithStatus(200);
  observation.first_non_shortener_status = 301;
  observation.hops = 2;
  observation.soft_404 = true;
  runs.Observe(observation);
  EXPECT_EQ(runs.url().verdict, "soft-404");
}

TEST(HealthVerdictTest, DriftedPayloadIsDrifted) {
  SimulatedRuns runs;
  HealthObservation observation = SimulatedRuns::WithStatus(200);
  observation.drifted = true;
  runs.Observe(observation);
  EXPECT_EQ(runs.url().verdict, "drifted");
  EXPECT_EQ(runs.url().last_ok_unix, runs.now());
}

TEST(HealthVerdictTest, TruncatedAtMaxSizeIsStillALivePage) {
  SimulatedRuns runs;
  HealthObservation observation = SimulatedRuns::WithStatus(200);
  observation.failure = FailureClass::kTooLarge;
  runs.Observe(observation);
  EXPECT_EQ(runs.url().verdict, "ok");
}

TEST(HealthVerdictTest, OtherClientErrorsAreFailingWithoutAStreak) {
  SimulatedRuns runs;
  runs.Status(400);
  EXPECT_EQ(runs.url().verdict, "failing");
  EXPECT_EQ(runs.url().consecutive_failures, 0);
  EXPECT_EQ(runs.url().failure_class, "http-400");
}

TEST(HealthVerdictTest, UnauthorizedAndLegalBlocksAreBlocked) {
  for (int code : {401, 451}) {
    SimulatedRuns runs;
    runs.Status(code);
    EXPECT_EQ(runs.url().verdict, "blocked") << code;
  }
}

TEST(HealthVerdictTest, FailureClassKeepsTheFetchClassName) {
  SimulatedRuns runs;
  runs.Failure(FailureClass::kTls);
  EXPECT_EQ(runs.url().failure_class, "tls");
  runs.Failure(FailureClass::kRedirectLoop);
  EXPECT_EQ(runs.url().failure_class, "redirect-loop");
  EXPECT_EQ(runs.url().verdict, "unreachable");
  // A redirect loop whose last hop was a 301 still has no usable answer.
  HealthObservation loop;
  loop.failure = FailureClass::kTooManyRedirects;
  loop.final_status = 301;
  runs.Observe(loop);
  EXPECT_EQ(runs.url().failure_class, "too-many-redirects");
}

TEST(HealthVerdictTest, FailureClassIsKeptForUncountedFailures) {
  SimulatedRuns runs;
  runs.Status(404);
  runs.Advance(kHour);
  runs.Failure(FailureClass::kDns);  // too soon: not counted
  EXPECT_EQ(runs.url().consecutive_failures, 1);
  EXPECT_EQ(runs.url().failure_class, "dns");
}

TEST(HealthVerdictTest, OnlyGoneIsDead) {
  EXPECT_TRUE(IsDeadVerdict("gone"));
  for (const char* verdict :
       {"", "ok", "moved", "redirected", "rate-limited", "blocked",
        "server-error", "failing", "unreachable", "soft-404", "drifted"}) {
    EXPECT_FALSE(IsDeadVerdict(verdict)) << verdict;
  }
}

}  // namespace
}  // namespace rotguard
