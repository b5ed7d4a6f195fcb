// Link health (SPEC §6, §13 "Verdicts"): turns one observation of a URL
// (the end of its redirect chain, from `archive` or `verify --live`) into
// the health columns of its `urls` row, keeping consecutive-failure
// streaks across runs. Pure logic with the time passed in, so the streak
// rules are tested with a controllable clock.
//
// Rules:
// - 404, 410 and NXDOMAIN count toward the gone streak; the URL is `gone`
//   once `gone_threshold` of them were counted in a row, else `failing`.
// - A counted failure must come at least `gone_min_interval_hours` after
//   the previous counted one; a failure sooner than that neither counts
//   nor resets the streak (two runs on one day are one observation).
// - 403 (blocked), 429 (rate-limited), 5xx (server-error), timeouts and
//   connection failures (unreachable) never make a URL gone on their own:
//   they leave the streak as it is.
// - A success (2xx, or a status the host's accept_statuses lists) resets
//   the streak; the verdict is ok, or moved when the first hop that is not
//   a known shortener answered 301/308, or redirected for other redirect
//   chains, or soft-404 / drifted when those flags are set.
//   A chain whose only redirects are shortener hops before the first
//   other hop is ok (the report shows its final target).
// - Other failures are named by their final status: 429 rate-limited;
//   401/403/407/451 blocked; 5xx server-error; other 4xx failing; no
//   response at all (DNS aside) unreachable. While the streak is at the
//   gone threshold the verdict stays gone. A cancelled fetch changes
//   nothing. failure_class holds the latest failure ("" after a success).
#ifndef ROTGUARD_HEALTH_H_
#define ROTGUARD_HEALTH_H_

#include <cstdint>
#include <string>

#include "rotguard/config.h"
#include "rotguard/failure.h"
#include "rotguard/manifest.h"

namespace rotguard {

// Verdict names, as stored in urls.verdict and printed by report.
inline constexpr const char* kVerdictOk = "ok";
inline constexpr const char* kVerdictMoved = "moved";
inline constexpr const char* kVerdictRedirected = "redirected";
inline constexpr const char* kVerdictRateLimited = "rate-limited";
inline constexpr const char* kVerdictBlocked = "blocked";
inline constexpr const char* kVerdictServerError = "server-error";
inline constexpr const char* kVerdictFailing = "failing";
inline constexpr const char* kVerdictGone = "gone";
inline constexpr const char* kVerdictUnreachable = "unreachable";
inline constexpr const char* kVerdictSoft404 = "soft-404";
inline constexpr const char* kVerdictDrifted = "drifted";
// Taken down by `rotguard forget`: no copy, never fetched or checked.
inline constexpr const char* kVerdictForgotten = "forgotten";

// What one fetch of a URL's chain showed.
struct HealthObservation {
  int64_t at_unix = 0;
  FailureClass failure = FailureClass::kNone;  // of the whole chain
  int final_status = 0;                        // last response, 0 if none
  // Status of the first hop whose host is not a known shortener (SPEC §6:
  // shorteners always answer 301); 0 when there was none.
  int first_non_shortener_status = 0;
  int hops = 1;                  // responses in the chain
  bool accepted_status = false;  // final_status is in accept_statuses
  bool soft_404 = false;         // a random sibling path gave the same page
  bool drifted = false;          // 2xx, payload differs from first capture
};

// Updates verdict, consecutive_failures, last_ok_unix, last_failure_unix
// and failure_class of `*url` (its other fields are left alone).
void ApplyHealthObservation(const HealthConfig& config,
                            const HealthObservation& observation, UrlRow* url);

// The failure_class stored for an observation: "http-<status>" for a
// chain that ended in a 4xx/5xx response, else the FailureClassName()
// ("dns", "timeout", ...); "" for a success.
std::string HealthFailureLabel(const HealthObservation& observation);

// True for verdicts that `report --fail-on-dead` fails on (gone).
bool IsDeadVerdict(const std::string& verdict);

}  // namespace rotguard

#endif  // ROTGUARD_HEALTH_H_
