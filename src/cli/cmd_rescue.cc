// `rotguard rescue [PATH|URL...]`: copies of dead links from public web
// archives (SPEC §8, issue #15), and the same step run by `archive`.
#include <CLI/CLI.hpp>
#include <chrono>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/fetcher_setup.h"
#include "cli/rescue_run.h"
#include "cli/store_access.h"
#include "rotguard/rescue.h"
#include "rotguard/url.h"
#include "util/terminal_text.h"
#include "util/time_format.h"

namespace rotguard::cli {
namespace {

constexpr const char* kRescueDescription =
    "Find public-archive copies of dead links (failing, gone, soft-404, or "
    "never captured) and fetch them into the store, marked as coming from "
    "the public archive.";

constexpr const char* kRescueFooter =
    "Inputs: PATH arguments select posts already scanned into the store (a\n"
    "file or a directory prefix; none: every post); URL arguments are looked\n"
    "up as they are, dated now. A link that already has a public-archive\n"
    "copy, one out of [scope], and one no archive had when it was last\n"
    "looked up less than [rescue] retry_after (30d) ago are skipped;\n"
    "--again looks up the first and last kind anyway.\n"
    "\n"
    "Lookups: the Wayback CDX API ([rescue] cdx_url), then the Memento\n"
    "aggregator ([rescue] timetravel_url) and [rescue] timemap_urls. The\n"
    "capture chosen is the newest 200 at or before the post's date, else\n"
    "the oldest after it; never a redirect or error capture. Its raw bytes\n"
    "(Wayback id_ form) are written to the store's WARC under the archive's\n"
    "URL with a Memento-Datetime header. At most [rescue] per_host requests\n"
    "at once and one per [rescue] delay_ms (1000) per archive host; a 429\n"
    "backs off and retries ([fetch] retries).\n"
    "\n"
    "Output: one line per link ('rescued URL <- MEMENTO (ARCHIVE, memento\n"
    "DATE)', 'none URL', 'failed URL: WHY') and a summary line; --json: one\n"
    "object {targets, rescued, none, failed, requests, results: [{url,\n"
    "outcome, memento, archive, memento_datetime, error}]}.\n"
    "\n"
    "Exit: 0 done (links without any public copy included); 2 a lookup or\n"
    "fetch failed for some link; 1 usage or no store; 4 store locked; 5 I/O.\n";

struct RescueFlags {
  std::vector<std::string> inputs;
  bool again = false;
  NetworkFlags network;  // --resolve, --connect-to, --cacert
  bool allow_private = false;
};

bool IsUrlArgument(const std::string& arg) {
  return arg.rfind("http://", 0) == 0 || arg.rfind("https://", 0) == 0;
}

std::vector<RescueTarget> TargetsOf(const RescueFlags& flags, Store& store) {
  std::vector<std::string> paths;
  std::vector<RescueTarget> urls;
  for (const std::string& input : flags.inputs) {
    if (!IsUrlArgument(input)) {
      paths.push_back(input);
      continue;
    }
    std::optional<std::string> normalized = NormalizeUrl(input);
    if (!normalized) throw CliError(kExitUsage, input + ": not a valid URL");
    urls.push_back(RescueTarget{input, *normalized, 0});
  }
  if (!urls.empty() && paths.empty()) return urls;
  Result<std::vector<RescueTarget>> planned =
      PlanRescue(store.manifest(), paths,
                 RescuePlanOptionsOf(store.config(), flags.again));
  ThrowIfError(planned.status());
  planned->insert(planned->end(), urls.begin(), urls.end());
  return std::move(*planned);
}

int RunRescueCommand(const RescueFlags& flags, const GlobalOptions& global) {
  std::unique_ptr<Store> store = OpenStoreOrThrow(global, LockMode::kExclusive);
  Config config = store->config();
  if (flags.allow_private) config.fetch.allow_private = true;
  ApplyNetworkFlags(flags.network, &config);
  std::vector<RescueTarget> targets = TargetsOf(flags, *store);
  RescueSummary summary =
      RunRescueOrThrow(*store, flags.network, config, targets);
  if (global.json) {
    std::cout << RescueSummaryJson(summary).dump() << '\n';
  } else if (global.verbosity >= 0) {
    std::cout << RescueSummaryText(summary);
  }
  return summary.failed > 0 ? kExitFetchFailed : kExitOk;
}

std::string MementoDate(int64_t us) {
  return us == 0 ? "" : FormatUtc(us / 1'000'000, UtcStyle::kIso);
}

}  // namespace

RescuePlanOptions RescuePlanOptionsOf(const Config& config, bool again) {
  RescuePlanOptions options;
  options.again = again;
  options.scope = config.scope;
  options.retry_after_s = config.rescue.retry_after_s;
  options.now_us = std::chrono::duration_cast<std::chrono::microseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  return options;
}

RescueSummary RunRescueOrThrow(Store& store, const NetworkFlags& network,
                               const Config& config,
                               const std::vector<RescueTarget>& targets) {
  RescueOptions options;
  options.config = config;
  options.fetch.resolve = network.resolve;
  options.fetch.connect_to = network.connect_to;
  options.fetch.cacert = network.cacert;
  Result<RescueSummary> summary = RunRescue(store, targets, options);
  if (!summary.ok()) {
    const bool usage = summary.status().code() == ErrorCode::kInvalidArgument;
    throw CliError(usage ? kExitUsage : kExitIoError,
                   "rescue: " + summary.status().message());
  }
  return std::move(*summary);
}

nlohmann::ordered_json RescueSummaryJson(const RescueSummary& s) {
  nlohmann::ordered_json j;
  j["targets"] = s.targets;
  j["rescued"] = s.rescued;
  j["none"] = s.none;
  j["failed"] = s.failed;
  j["requests"] = s.requests;
  j["results"] = nlohmann::ordered_json::array();
  for (const RescueResult& r : s.results) {
    j["results"].push_back({{"url", r.url},
                            {"outcome", r.outcome},
                            {"memento", r.memento_uri},
                            {"archive", r.archive},
                            {"memento_datetime", MementoDate(r.memento_at_us)},
                            {"error", r.error}});
  }
  return j;
}

std::string RescueSummaryText(const RescueSummary& s) {
  std::string out;
  for (const RescueResult& r : s.results) {
    if (r.outcome == "rescued") {
      out += "rescued " + TerminalSafe(r.url) + " <- " +
             TerminalSafe(r.memento_uri) + " (" + r.archive + ", memento " +
             MementoDate(r.memento_at_us) + ")\n";
    } else if (r.outcome == "none") {
      out += "none " + TerminalSafe(r.url) + "\n";
    } else {
      out +=
          "failed " + TerminalSafe(r.url) + ": " + TerminalSafe(r.error) + "\n";
    }
  }
  out += "rescued: " + std::to_string(s.rescued) + " of " +
         std::to_string(s.targets) + " links from public archives (" +
         std::to_string(s.none) + " without a copy, " +
         std::to_string(s.failed) + " failed, " + std::to_string(s.requests) +
         " requests)\n";
  return out;
}

void AddRescueCommand(CLI::App& app, const GlobalOptions& global,
                      CommandResult& result) {
  auto flags = std::make_shared<RescueFlags>();
  CLI::App* command = app.add_subcommand("rescue", kRescueDescription);
  command->footer(kRescueFooter);
  command->add_option("PATH|URL", flags->inputs,
                      "posts in the store (path prefixes) and URLs");
  command->add_flag("--again", flags->again,
                    "also look up links that have a public copy, or that no "
                    "archive had at their last lookup");
  AddNetworkOptions(command, flags->network, flags->allow_private);
  command->callback([flags, &global, &result] {
    result.exit_code = RunRescueCommand(*flags, global);
  });
}

}  // namespace rotguard::cli
