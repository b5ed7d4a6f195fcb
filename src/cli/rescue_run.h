// The rescue step shared by `rotguard rescue` and `rotguard archive`
// ([rescue] lookup): runs RunRescue with the command's network flags and
// renders its summary.
#ifndef ROTGUARD_CLI_RESCUE_RUN_H_
#define ROTGUARD_CLI_RESCUE_RUN_H_

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/fetcher_setup.h"
#include "rotguard/config.h"
#include "rotguard/rescue.h"
#include "rotguard/store.h"

namespace rotguard::cli {

// What PlanRescue skips under `config` ([scope], [rescue] retry_after),
// now; `again` (rescue --again) looks those up anyway.
RescuePlanOptions RescuePlanOptionsOf(const Config& config, bool again);

// Throws CliError: usage for a bad --resolve/--cacert, else I/O.
RescueSummary RunRescueOrThrow(Store& store, const NetworkFlags& network,
                               const Config& config,
                               const std::vector<RescueTarget>& targets);

nlohmann::ordered_json RescueSummaryJson(const RescueSummary& summary);
// One line per target, then "rescued: N of M links ...".
std::string RescueSummaryText(const RescueSummary& summary);

// [rescue] submit / `archive --submit`: the second, public copy. Plans and
// runs Save Page Now submissions with the key of ROTGUARD_SPN_KEY (which
// wins over the config's). Throws CliError only for store or fetcher
// failures; SPN failures are in the summary.
SubmitSummary RunSubmitOrThrow(Store& store, const NetworkFlags& network,
                               const Config& config);
nlohmann::ordered_json SubmitSummaryJson(const SubmitSummary& summary);
// "public copies: N saved, N pending, N failed (N requests)" and a line
// per URL that is not saved.
std::string SubmitSummaryText(const SubmitSummary& summary);

}  // namespace rotguard::cli

#endif  // ROTGUARD_CLI_RESCUE_RUN_H_
