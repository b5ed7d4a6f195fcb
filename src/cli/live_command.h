// The CLI side of `rotguard verify --live` (called from cmd_verify.cc):
// its flags, the store (exclusive lock: it writes health columns), the
// fetcher, and the output. Never exits 2: it reports link health only
// (SPEC §13 "Exit codes, finer").
#ifndef ROTGUARD_CLI_LIVE_COMMAND_H_
#define ROTGUARD_CLI_LIVE_COMMAND_H_

#include <optional>
#include <string>
#include <vector>

#include "cli/commands.h"

namespace CLI {
class App;
}

namespace rotguard::cli {

// The politeness and safety flags of `archive`, for --live.
struct LiveFlags {
  std::optional<int> jobs;
  std::optional<int> per_host;
  std::optional<int> delay_ms;
  std::vector<std::string> resolve;
  std::vector<std::string> connect_to;
  std::string cacert;
  std::optional<std::string> proxy;
  std::optional<std::string> user_agent;
  bool allow_private = false;
  bool no_soft_404 = false;
};

// Adds the --live options to `command`, skipping any option name the
// command already has (e.g. verify's own --jobs: its caller then copies
// that value into `flags->jobs` before RunVerifyLive).
void AddLiveOptions(CLI::App* command, LiveFlags* flags);

// Runs the live check on the store named by `global`; returns the exit
// code (0, or 1/4/5 for usage, lock and I/O errors, thrown as CliError).
int RunVerifyLive(const LiveFlags& flags, const GlobalOptions& global);

}  // namespace rotguard::cli

#endif  // ROTGUARD_CLI_LIVE_COMMAND_H_
