// The Save Page Now step of `archive` ([rescue] submit, --submit): the
// second, public copy of every alive link (cli/rescue_run.h).
#include <cstdlib>
#include <string>
#include <utility>

#include "cli/exit_codes.h"
#include "cli/rescue_run.h"
#include "util/terminal_text.h"
#include "util/time_format.h"

namespace rotguard::cli {
namespace {

// ROTGUARD_SPN_KEY="ACCESS:SECRET"; "" when unset or malformed (a value
// with a control byte would forge a header line).
std::string SpnKeyFromEnv() {
  const char* env = std::getenv("ROTGUARD_SPN_KEY");
  if (env == nullptr) return "";
  std::string key(env);
  size_t colon = key.find(':');
  if (colon == 0 || colon == std::string::npos || colon + 1 == key.size()) {
    return "";
  }
  for (char c : key) {
    auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) return "";
  }
  return key;
}

std::string MementoDate(int64_t us) {
  return us == 0 ? "" : FormatUtc(us / 1'000'000, UtcStyle::kIso);
}

}  // namespace

SubmitSummary RunSubmitOrThrow(Store& store, const NetworkFlags& network,
                               const Config& config) {
  Result<std::vector<SubmissionRow>> plan =
      PlanSubmissions(store.manifest(), config);
  ThrowIfError(plan.status());
  SubmitOptions options;
  options.config = config;
  options.key = SpnKeyFromEnv();
  options.fetch.resolve = network.resolve;
  options.fetch.connect_to = network.connect_to;
  options.fetch.cacert = network.cacert;
  Result<SubmitSummary> summary = RunSubmissions(store, *plan, options);
  if (!summary.ok()) {
    const bool usage = summary.status().code() == ErrorCode::kInvalidArgument;
    throw CliError(usage ? kExitUsage : kExitIoError,
                   "submit: " + summary.status().message());
  }
  return std::move(*summary);
}

nlohmann::ordered_json SubmitSummaryJson(const SubmitSummary& s) {
  nlohmann::ordered_json j;
  j["candidates"] = s.candidates;
  j["submitted"] = s.submitted;
  j["success"] = s.success;
  j["pending"] = s.pending;
  j["failed"] = s.failed;
  j["requests"] = s.requests;
  j["auth_failed"] = s.auth_failed;
  j["results"] = nlohmann::ordered_json::array();
  for (const SubmitResult& r : s.results) {
    j["results"].push_back(
        {{"url", r.url},
         {"state", r.row.state},
         {"job_id", r.row.job_id},
         {"memento", r.row.memento_url},
         {"memento_datetime", MementoDate(r.row.memento_at_us)},
         {"attempts", r.row.attempts},
         {"message", r.row.message}});
  }
  return j;
}

std::string SubmitSummaryText(const SubmitSummary& s) {
  std::string out;
  for (const SubmitResult& r : s.results) {
    if (r.row.state == kSubmissionSuccess) {
      out += "public copy " + TerminalSafe(r.url) + " <- " +
             TerminalSafe(r.row.memento_url) + "\n";
    } else {
      out += r.row.state + " " + TerminalSafe(r.url) +
             (r.row.message.empty() ? "" : ": " + TerminalSafe(r.row.message)) +
             "\n";
    }
  }
  out += "public copies: " + std::to_string(s.success) + " saved, " +
         std::to_string(s.pending) + " pending, " + std::to_string(s.failed) +
         " failed of " + std::to_string(s.candidates) + " links (" +
         std::to_string(s.requests) + " requests" +
         (s.auth_failed ? ", access keys refused" : "") + ")\n";
  return out;
}

}  // namespace rotguard::cli
