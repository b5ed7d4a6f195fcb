// The judgement of one fetched redirect chain (SPEC §6, §13 "Verdicts"),
// shared by `archive` and `verify --live` so both judge a chain alike:
// which response ends it, whether its host accepts that status
// ([hosts."name"] accept_statuses), the failure it counts as, and the
// inputs of the health verdict. Pure: a function of the configuration and
// what the fetcher reported.
#ifndef ROTGUARD_CHAIN_OUTCOME_H_
#define ROTGUARD_CHAIN_OUTCOME_H_

#include <string>
#include <string_view>
#include <vector>

#include "rotguard/config.h"
#include "rotguard/failure.h"
#include "rotguard/health.h"

namespace rotguard {

// One response of a chain.
struct ChainHop {
  std::string url;
  int status = 0;
};

// What the fetcher reported of a chain.
struct ChainFacts {
  std::string link_url;        // the URL the chain was started for
  std::vector<ChainHop> hops;  // responses in order, retried ones left out
  FailureClass failure = FailureClass::kNone;  // of the whole chain
  int final_status = 0;        // of the last response, 0 if none
  std::string last_attempted;  // URL of the last hop tried (even unanswered)
};

struct ChainOutcome {
  // URL of the last response (the last hop tried when none answered).
  std::string final_url;
  // The fetcher's failure, or for a chain that ended in a 4xx/5xx the
  // host does not accept, kHttp4xx/kHttp5xx.
  FailureClass failure = FailureClass::kNone;
  // The verdict inputs (final status, accepted status, first
  // non-shortener status, hops); the caller adds at_unix, soft_404 and
  // drifted.
  HealthObservation observation;
};

// True when the host of `url` (exactly, lowercase) lists `status` in its
// [hosts."name"] accept_statuses.
bool HostAcceptsStatus(const Config& config, std::string_view url, int status);

// A status counts as accepted when the host of the last response or the
// host of the link lists it (a link to a picky host that moved to another
// of its names keeps its allowance).
ChainOutcome JudgeChain(const Config& config, const ChainFacts& facts);

}  // namespace rotguard

#endif  // ROTGUARD_CHAIN_OUTCOME_H_
