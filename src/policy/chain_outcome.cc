// The judgement of a redirect chain; rules in rotguard/chain_outcome.h.
#include "rotguard/chain_outcome.h"

#include <algorithm>

#include "rotguard/rules.h"

namespace rotguard {

bool HostAcceptsStatus(const Config& config, std::string_view url, int status) {
  auto host = config.hosts.find(UrlHostOf(url));
  if (host == config.hosts.end()) return false;
  const std::vector<int>& accepted = host->second.accept_statuses;
  return std::find(accepted.begin(), accepted.end(), status) != accepted.end();
}

ChainOutcome JudgeChain(const Config& config, const ChainFacts& facts) {
  ChainOutcome outcome;
  outcome.final_url =
      facts.hops.empty() ? facts.last_attempted : facts.hops.back().url;
  HealthObservation& observation = outcome.observation;
  observation.failure = facts.failure;
  observation.final_status = facts.final_status;
  observation.hops = std::max(1, static_cast<int>(facts.hops.size()));
  observation.accepted_status =
      HostAcceptsStatus(config, outcome.final_url, facts.final_status) ||
      HostAcceptsStatus(config, facts.link_url, facts.final_status);
  // SPEC §6: shorteners always answer 301, so the first other hop tells
  // whether the link itself moved.
  for (const ChainHop& hop : facts.hops) {
    if (!IsShortenerUrl(config.shortener, hop.url)) {
      observation.first_non_shortener_status = hop.status;
      break;
    }
  }
  outcome.failure = facts.failure;
  if (outcome.failure == FailureClass::kNone && !observation.accepted_status) {
    outcome.failure = FailureClassOfStatus(facts.final_status);
  }
  return outcome;
}

}  // namespace rotguard
