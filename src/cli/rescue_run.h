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

// Throws CliError: usage for a bad --resolve/--cacert, else I/O.
RescueSummary RunRescueOrThrow(Store& store, const NetworkFlags& network,
                               const Config& config,
                               const std::vector<RescueTarget>& targets);

nlohmann::ordered_json RescueSummaryJson(const RescueSummary& summary);
// One line per target, then "rescued: N of M links ...".
std::string RescueSummaryText(const RescueSummary& summary);

}  // namespace rotguard::cli

#endif  // ROTGUARD_CLI_RESCUE_RUN_H_
