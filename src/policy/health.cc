// Link health streaks (SPEC §6, §13 "Verdicts"); rules in rotguard/health.h.
#include "rotguard/health.h"

#include <algorithm>
#include <string>

namespace rotguard {
namespace {

constexpr int64_t kSecondsPerHour = 3600;

// What kind of result an observation is, for the streak rules.
enum class Outcome {
  kSuccess,       // resets the streak
  kGoneCounting,  // 404, 410, NXDOMAIN: may extend the streak
  kOtherFailure,  // never gone alone, leaves the streak as it is
  kNoResult,      // cancelled: nothing was learned
  kStopped,       // the chain reached a forgotten URL: noted, not judged
};

// The failure of the whole chain, with HTTP statuses of a chain that
// ended "successfully" at a 4xx/5xx made explicit.
FailureClass EffectiveFailure(const HealthObservation& observation) {
  if (observation.failure != FailureClass::kNone) return observation.failure;
  return FailureClassOfStatus(observation.final_status);
}

bool IsSuccessStatus(int status) {
  // 3xx only ends a chain when it was not followed (a HEAD without
  // redirects, a Location-less 3xx): the URL answered, so it is alive.
  return status >= 200 && status < 400;
}

Outcome ClassifyOutcome(const HealthObservation& observation) {
  const FailureClass failure = EffectiveFailure(observation);
  // A proxy that is down says nothing about the link behind it.
  if (failure == FailureClass::kCancelled || failure == FailureClass::kProxy) {
    return Outcome::kNoResult;
  }
  if (failure == FailureClass::kForgotten) return Outcome::kStopped;
  if (observation.accepted_status) return Outcome::kSuccess;
  // A max-size cut is still a capture of a live page.
  if ((failure == FailureClass::kNone || failure == FailureClass::kTooLarge) &&
      IsSuccessStatus(observation.final_status)) {
    return Outcome::kSuccess;
  }
  if (failure == FailureClass::kDns) return Outcome::kGoneCounting;
  if (observation.final_status == 404 || observation.final_status == 410) {
    return Outcome::kGoneCounting;
  }
  return Outcome::kOtherFailure;
}

// Verdict for a failure that does not count toward gone.
const char* OtherFailureVerdict(const HealthObservation& observation) {
  const int status = observation.final_status;
  if (status == 429) return kVerdictRateLimited;
  if (status == 401 || status == 403 || status == 407 || status == 451) {
    return kVerdictBlocked;
  }
  if (status >= 500 && status < 600) return kVerdictServerError;
  if (status >= 400 && status < 500) return kVerdictFailing;
  return kVerdictUnreachable;  // no usable response: timeout, TLS, reset...
}

const char* SuccessVerdict(const HealthObservation& observation) {
  if (observation.soft_404) return kVerdictSoft404;
  const int first = observation.first_non_shortener_status;
  if (first == 301 || first == 308) return kVerdictMoved;
  // Redirects by shorteners before the first other hop are expected (the
  // report shows the final target); a redirect after them is news.
  const bool redirected =
      first != 0 ? (first >= 300 && first < 400) : observation.hops > 1;
  if (redirected) return kVerdictRedirected;
  if (observation.drifted) return kVerdictDrifted;
  return kVerdictOk;
}

// Counts a 404/410/NXDOMAIN unless it came too soon after the last
// counted one (two runs on one day are one observation).
void CountGoneFailure(const HealthConfig& config, int64_t at_unix,
                      UrlRow* url) {
  const int64_t min_interval =
      static_cast<int64_t>(std::max(config.gone_min_interval_hours, 0)) *
      kSecondsPerHour;
  const bool first_of_streak =
      url->consecutive_failures <= 0 || url->last_failure_unix == 0;
  if (first_of_streak || at_unix - url->last_failure_unix >= min_interval) {
    url->consecutive_failures = std::max(url->consecutive_failures, 0) + 1;
    url->last_failure_unix = at_unix;
  }
}

bool StreakIsGone(const HealthConfig& config, const UrlRow& url) {
  return url.consecutive_failures >= std::max(config.gone_threshold, 1);
}

}  // namespace

std::string HealthFailureLabel(const HealthObservation& observation) {
  const FailureClass failure = EffectiveFailure(observation);
  if (failure == FailureClass::kHttp4xx || failure == FailureClass::kHttp5xx) {
    if (observation.final_status > 0) {
      return "http-" + std::to_string(observation.final_status);
    }
  }
  return FailureClassName(failure);
}

void ApplyHealthObservation(const HealthConfig& config,
                            const HealthObservation& observation, UrlRow* url) {
  switch (ClassifyOutcome(observation)) {
    case Outcome::kNoResult:
      return;
    case Outcome::kStopped:
      // The user took the target down; the link itself answered. Its
      // verdict and streak stay, and the class says why the chain ended
      // (so the link is due again, and followed once `forget --undo`).
      url->failure_class = HealthFailureLabel(observation);
      return;
    case Outcome::kSuccess:
      url->consecutive_failures = 0;
      url->last_ok_unix = observation.at_unix;
      url->failure_class.clear();
      url->verdict = SuccessVerdict(observation);
      return;
    case Outcome::kGoneCounting:
      CountGoneFailure(config, observation.at_unix, url);
      url->failure_class = HealthFailureLabel(observation);
      url->verdict =
          StreakIsGone(config, *url) ? kVerdictGone : kVerdictFailing;
      return;
    case Outcome::kOtherFailure:
      // Leaves the streak alone: a URL already counted gone stays gone.
      url->failure_class = HealthFailureLabel(observation);
      url->verdict = StreakIsGone(config, *url)
                         ? kVerdictGone
                         : OtherFailureVerdict(observation);
      return;
  }
}

bool IsDeadVerdict(const std::string& verdict) {
  return verdict == kVerdictGone;
}

}  // namespace rotguard
