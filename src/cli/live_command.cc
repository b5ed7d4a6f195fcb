// `rotguard verify --live`: flags, store, fetcher and output (live.h does
// the checking).
#include "cli/live_command.h"

#include <signal.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "cli/exit_codes.h"
#include "cli/fetcher_setup.h"
#include "cli/output.h"
#include "cli/store_access.h"
#include "rotguard/fetch.h"
#include "rotguard/health.h"
#include "rotguard/live.h"
#include "rotguard/warc_writer.h"
#include "util/terminal_text.h"

namespace rotguard::cli {
namespace {

std::atomic<Fetcher*> g_live_fetcher{nullptr};

extern "C" void CancelLiveOnSignal(int) {
  Fetcher* fetcher = g_live_fetcher.load();
  if (fetcher != nullptr) fetcher->RequestCancel();
}

// SIGINT/SIGTERM cancel the fetch (finished URLs are still saved).
class LiveSignalGuard {
 public:
  explicit LiveSignalGuard(Fetcher* fetcher) {
    g_live_fetcher = fetcher;
    struct sigaction action {};
    action.sa_handler = CancelLiveOnSignal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, &old_int_);
    sigaction(SIGTERM, &action, &old_term_);
  }
  LiveSignalGuard(const LiveSignalGuard&) = delete;
  LiveSignalGuard& operator=(const LiveSignalGuard&) = delete;
  ~LiveSignalGuard() {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
    g_live_fetcher = nullptr;
  }

 private:
  struct sigaction old_int_ {};
  struct sigaction old_term_ {};
};

bool HasOption(CLI::App* command, const std::string& name) {
  return command->get_option_no_throw(name) != nullptr;
}

Config ApplyFlags(const LiveFlags& flags, Config config) {
  if (flags.jobs) config.fetch.jobs = *flags.jobs;
  if (flags.per_host) config.fetch.per_host = *flags.per_host;
  if (flags.delay_ms) config.fetch.delay_ms = *flags.delay_ms;
  if (flags.allow_private) config.fetch.allow_private = true;
  NetworkFlags network;
  network.proxy = flags.proxy;
  network.user_agent = flags.user_agent;
  ApplyNetworkFlags(network, &config);
  return config;
}

std::unique_ptr<Fetcher> MakeFetcher(const LiveFlags& flags,
                                     const Config& config, Store& store) {
  NetworkFlags network;
  network.resolve = flags.resolve;
  network.connect_to = flags.connect_to;
  network.cacert = flags.cacert;
  return MakeCliFetcher(network, config, store);
}

// Healthy verdicts are not listed in quiet (cron) output.
bool IsHealthy(const std::string& verdict) {
  return verdict == kVerdictOk || verdict == kVerdictRedirected ||
         verdict == kVerdictMoved;
}

void PrintText(const LiveSummary& summary, const GlobalOptions& global) {
  const bool quiet = global.verbosity < 0;
  const bool all = global.verbosity > 0 || StdoutIsTty();
  for (const LiveUrlResult& result : summary.results) {
    if (!all && IsHealthy(result.verdict)) continue;
    if (quiet && !IsDeadVerdict(result.verdict)) continue;
    std::cout << result.verdict << ' ' << TerminalSafe(result.url);
    if (!result.failure_class.empty()) std::cout << ' ' << result.failure_class;
    if (result.consecutive_failures > 0) {
      std::cout << " streak=" << result.consecutive_failures;
    }
    if (result.previous_verdict != result.verdict) {
      std::cout << " (was "
                << (result.previous_verdict.empty() ? "unchecked"
                                                    : result.previous_verdict)
                << ')';
    }
    std::cout << '\n';
  }
  if (quiet) return;
  std::cout << "verify --live: " << summary.results.size() << " URLs checked";
  std::string sep = ": ";
  for (const auto& [verdict, count] : summary.verdicts) {
    std::cout << sep << count << ' ' << verdict;
    sep = ", ";
  }
  std::cout << '\n';
}

void PrintJson(const LiveSummary& summary) {
  for (const LiveUrlResult& result : summary.results) {
    nlohmann::ordered_json line;
    line["url"] = result.url;
    line["verdict"] = result.verdict;
    line["previous_verdict"] = result.previous_verdict;
    line["failure_class"] = result.failure_class;
    line["consecutive_failures"] = result.consecutive_failures;
    line["status"] = result.final_status;
    line["final_url"] = result.final_url;
    line["soft_404"] = result.soft_404;
    line["requests"] = result.requests;
    std::cout << line.dump() << '\n';
  }
  nlohmann::ordered_json total;
  total["summary"] = true;
  total["checked"] = summary.results.size();
  total["verdicts"] = summary.verdicts;
  total["cancelled"] = summary.cancelled;
  std::cout << total.dump() << '\n';
}

}  // namespace

void AddLiveOptions(CLI::App* command, LiveFlags* flags) {
  if (!HasOption(command, "--jobs")) {
    command
        ->add_option("--jobs", flags->jobs,
                     "--live: concurrent transfers in total (default 8)")
        ->check(CLI::Range(1, 1024));
  }
  if (!HasOption(command, "--per-host")) {
    command
        ->add_option("--per-host", flags->per_host,
                     "--live: concurrent transfers per host (default 2)")
        ->check(CLI::Range(1, 256));
  }
  if (!HasOption(command, "--delay")) {
    command
        ->add_option("--delay", flags->delay_ms,
                     "--live: pause between requests to one host, ms "
                     "(default 250)")
        ->check(CLI::Range(0, 3'600'000));
  }
  if (!HasOption(command, "--resolve")) {
    command
        ->add_option("--resolve", flags->resolve,
                     "--live: HOST:PORT:ADDR, as curl --resolve (repeatable)")
        ->allow_extra_args(false);
  }
  if (!HasOption(command, "--connect-to")) {
    command
        ->add_option("--connect-to", flags->connect_to,
                     "--live: HOST:PORT:CONNECT-HOST:CONNECT-PORT, as curl "
                     "(repeatable)")
        ->allow_extra_args(false);
  }
  if (!HasOption(command, "--cacert")) {
    command->add_option("--cacert", flags->cacert,
                        "--live: also trust the CA certificates in FILE");
  }
  if (!HasOption(command, "--allow-private")) {
    command->add_flag("--allow-private", flags->allow_private,
                      "--live: allow loopback, private and link-local "
                      "addresses");
  }
  if (!HasOption(command, "--proxy")) {
    command->add_option("--proxy", flags->proxy,
                        "--live: fetch through this proxy: http://, "
                        "https://, socks5:// or socks5h://HOST:PORT");
  }
  if (!HasOption(command, "--user-agent")) {
    command->add_option("--user-agent", flags->user_agent,
                        "--live: the User-Agent header sent (overrides "
                        "[fetch] user_agent)");
  }
  command->add_flag("--no-soft-404", flags->no_soft_404,
                    "--live: skip the random-sibling soft-404 check");
}

int RunVerifyLive(const LiveFlags& flags, const GlobalOptions& global) {
  std::unique_ptr<Store> store = OpenStoreOrThrow(global, LockMode::kExclusive);
  LiveCheckOptions options;
  options.config = ApplyFlags(flags, store->config());
  options.now_unix = HealthNowUnix();
  options.soft_404_check = !flags.no_soft_404;
  std::unique_ptr<Fetcher> fetcher = MakeFetcher(flags, options.config, *store);

  Result<LiveSummary> summary = [&] {
    LiveSignalGuard guard(fetcher.get());
    return RunLiveCheck(store->manifest(), *fetcher, options);
  }();
  if (!summary.ok()) {
    throw CliError(kExitIoError,
                   "verify --live: " + summary.status().message());
  }
  if (global.json) {
    PrintJson(*summary);
  } else {
    PrintText(*summary, global);
  }
  if (summary->cancelled)
    PrintWarning("verify --live: cancelled; finished URLs were saved");
  return kExitOk;
}

}  // namespace rotguard::cli
