// `rotguard archive PATH…|URL…`: scan posts, fetch what is due, write WARC
// and the manifest (SPEC §3, §6, §13 "archive inputs and politeness flags",
// "archive exit 2", "Store creation", "Locks").
#include <fmt/format.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cli/archive_worker.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/fetcher_setup.h"
#include "cli/output.h"
#include "cli/rescue_run.h"
#include "cli/store_access.h"
#include "rotguard/archive.h"
#include "rotguard/config.h"
#include "rotguard/fetch.h"
#include "rotguard/rescue.h"
#include "rotguard/store.h"
#include "rotguard/verify.h"
#include "rotguard/warc_writer.h"
#include "util/cpu_stages.h"
#include "util/terminal_text.h"

namespace rotguard::cli {
namespace {

constexpr const char* kArchiveDescription =
    "Scan posts, then fetch every link that is due (never captured, failed "
    "last time, older than [health] recrawl_days, or all with --all) with "
    "its redirect chain and page requisites; write WARC files and the "
    "manifest. Creates the store when it is missing.";

constexpr const char* kArchiveFooter =
    "Inputs: PATH arguments are posts (files or directories, as for scan);\n"
    "arguments starting with http:// or https:// are URLs to archive\n"
    "directly; -i FILE (or -i - for stdin) adds one URL a line ('#'\n"
    "comments). New or changed posts are written as resource records.\n"
    "\n"
    "Settings: built-in < <store>/rotguard.toml < --config FILE < flags.\n"
    "Loopback and private addresses are refused unless --allow-private or a\n"
    "--resolve/--connect-to entry maps the host. robots.txt is ignored\n"
    "unless [fetch] robots = \"obey\".\n"
    "\n"
    "Run budget: --max-urls N fetches at most N due links (in post order;\n"
    "each with its redirect hops, page requisites and Blogger original,\n"
    "which do not count); --max-time DURATION (90s, 30m, 2h) stops\n"
    "starting transfers once the run is that old, gives those in flight\n"
    "30 s to end, and cancels the rest. Either way what was fetched is\n"
    "committed, one log line says how many due links are left, the next\n"
    "run takes them, and the exit code is that of a normal run. A page (or\n"
    "stylesheet) gets at most --max-requisites requisites fetched\n"
    "([fetch] max_requisites, 300); one log line names a page over it.\n"
    "\n"
    "Browser lane (--browser, [browser] mode): after the static pass, the\n"
    "link pages it classed thin (or, with 'always', every HTML link page)\n"
    "are loaded again in headless Chromium (--browser-jobs instances, each\n"
    "page under [browser] page_timeout and memory_cap), every request going\n"
    "through rotguard's own fetcher: the same address guard, --resolve and\n"
    "politeness, records with source 'browser', plus the rendered DOM, a\n"
    "screenshot and a thumbnail as urn:rotguard:dom:/screenshot:/thumbnail:\n"
    "resource records. A page that fails keeps its static capture. Without\n"
    "a Chromium ($ROTGUARD_CHROMIUM or /usr/bin/chromium) the lane is off,\n"
    "with one warning when a page needed it.\n"
    "\n"
    "Output (stdout, unless -q): one summary line, or with --json one JSON\n"
    "object with the keys documents, documents_changed, due, jobs,\n"
    "requisites, requisites_dropped, originals, fetched, captures,\n"
    "revisits, records, failed, failed_by_class (object: class name ->\n"
    "count), failed_links, bytes, seconds, cancelled, budget_reached,\n"
    "due_left, browser (object, when the lane had pages: pages, captured,\n"
    "failed, requests, blocked, off), run_id, exit_code. --stats adds the CPU "
    "seconds of each\n"
    "stage (receive, compress, digests, write, commit; other: the rest of\n"
    "the process, total: all of it): a 'cpu:' line, or with --json a\n"
    "cpu_seconds object. --dry-run prints one line per\n"
    "due URL ('due REASON KIND URL'; --json: a due_urls array of\n"
    "{url, normalized, kind, reason}) and fetches nothing. A progress line\n"
    "goes to stderr only when it is a terminal. SIGINT/SIGTERM stop the\n"
    "fetch, commit what is written and exit.\n"
    "\n"
    "Public copies: with --submit or [rescue] submit = true, every linked\n"
    "URL that is alive and has no public copy yet is submitted to the\n"
    "Internet Archive's Save Page Now ([rescue] spn_endpoint) at most\n"
    "[rescue] submit_per_minute a minute (4, or 12 with keys from [rescue]\n"
    "spn_access_key/spn_secret_key or ROTGUARD_SPN_KEY=ACCESS:SECRET); jobs\n"
    "are polled and the memento stored for `report`. Its failures never\n"
    "change the exit code; they are retried on the next run.\n"
    "\n"
    "Workers (SPEC §10): --worker takes due URLs that `rotguard enqueue`\n"
    "put on the manifest's work queue, --claim N at a time, each leased for\n"
    "--lease SECONDS and renewed while it works; a killed worker's URLs go\n"
    "to the others once its lease expires. A worker's whole life is one\n"
    "run (one runs row, one set of WARC files in warc/ID/ for --worker-id\n"
    "ID, each requisite fetched once); it claims the next batch while the\n"
    "last is still being fetched. It exits once nothing is due and no live\n"
    "lease can give work back; --follow keeps it polling instead. Workers\n"
    "on several machines share a postgresql:// manifest.\n"
    "\n"
    "Exit: 0 everything due was captured (gone links included); 2 a due\n"
    "link got no capture, or ended in 4xx/5xx without being known gone; 1\n"
    "bad flag or config; 4 the store is locked by another run; 5 I/O error\n"
    "or unreadable input.\n";

struct ArchiveFlags {
  std::vector<std::string> inputs;
  std::string input_file;
  std::optional<int> jobs;
  std::optional<int> per_host;
  std::optional<int> delay_ms;
  std::string max_size;
  std::optional<int> max_requisites;
  int64_t max_urls = 0;
  std::string max_time;
  std::string browser;              // --browser MODE ("" : [browser] mode)
  std::optional<int> browser_jobs;  // --browser-jobs N
  NetworkFlags network;             // --resolve, --connect-to, --cacert
  bool allow_private = false;
  bool all = false;
  bool dry_run = false;
  bool stats = false;
  bool submit = false;  // [rescue] submit for this run
  WorkerFlags worker;   // --worker and its options
};

// The fetcher a signal handler cancels; null outside a fetch.
std::atomic<Fetcher*> g_running_fetcher{nullptr};
// The browser lane's fetcher, cancelled with it.
std::atomic<Fetcher*> g_lane_fetcher{nullptr};
// Set by SIGINT/SIGTERM: a worker claims no further batch.
std::atomic<bool> g_stop_requested{false};

extern "C" void CancelOnSignal(int) {
  g_stop_requested = true;
  Fetcher* fetcher = g_running_fetcher.load();
  if (fetcher != nullptr) fetcher->RequestCancel();
  Fetcher* lane = g_lane_fetcher.load();
  if (lane != nullptr) lane->RequestCancel();
}

// Installs SIGINT/SIGTERM handlers for its lifetime.
class SignalGuard {
 public:
  explicit SignalGuard(Fetcher* fetcher, Fetcher* lane = nullptr) {
    g_running_fetcher = fetcher;
    g_lane_fetcher = lane;
    struct sigaction action {};
    action.sa_handler = CancelOnSignal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, &old_int_);
    sigaction(SIGTERM, &action, &old_term_);
  }
  SignalGuard(const SignalGuard&) = delete;
  SignalGuard& operator=(const SignalGuard&) = delete;
  ~SignalGuard() {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
    g_running_fetcher = nullptr;
    g_lane_fetcher = nullptr;
  }

 private:
  struct sigaction old_int_ {};
  struct sigaction old_term_ {};
};

bool IsUrlArgument(const std::string& arg) {
  return arg.rfind("http://", 0) == 0 || arg.rfind("https://", 0) == 0;
}

void ReadUrlList(std::istream& in, std::vector<std::string>* urls) {
  std::string line;
  while (std::getline(in, line)) {
    size_t begin = line.find_first_not_of(" \t\r");
    if (begin == std::string::npos || line[begin] == '#') continue;
    size_t end = line.find_last_not_of(" \t\r");
    urls->push_back(line.substr(begin, end - begin + 1));
  }
}

Config ApplyFlags(const ArchiveFlags& flags, Config config) {
  if (flags.jobs) config.fetch.jobs = *flags.jobs;
  if (flags.per_host) config.fetch.per_host = *flags.per_host;
  if (flags.delay_ms) config.fetch.delay_ms = *flags.delay_ms;
  if (!flags.max_size.empty()) {
    Result<int64_t> size = ParseByteSize(flags.max_size);
    if (!size.ok()) {
      throw CliError(kExitUsage, "--max-size '" + flags.max_size +
                                     "': " + size.status().message());
    }
    config.fetch.max_size = *size;
  }
  if (flags.max_requisites) config.fetch.max_requisites = *flags.max_requisites;
  if (flags.allow_private) config.fetch.allow_private = true;
  if (!flags.browser.empty()) {
    config.browser.mode = flags.browser;
  } else if (const char* env = std::getenv("ROTGUARD_BROWSER");
             env != nullptr && *env != '\0') {
    // Over the config files, under --browser (as $ROTGUARD_LOG_FORMAT):
    // the test suite sets it to "off" so that only the tests that ask for
    // the browser lane start Chromium.
    const std::string mode = env;
    if (mode != "off" && mode != "thin" && mode != "always") {
      throw CliError(kExitUsage,
                     "ROTGUARD_BROWSER: expected off, thin or "
                     "always, not '" +
                         mode + "'");
    }
    config.browser.mode = mode;
  }
  if (flags.browser_jobs) config.browser.jobs = *flags.browser_jobs;
  ApplyNetworkFlags(flags.network, &config);
  return config;
}

nlohmann::ordered_json SummaryJson(const ArchiveSummary& s, int exit_code,
                                   bool dry_run) {
  nlohmann::ordered_json j;
  j["documents"] = s.documents;
  j["documents_changed"] = s.documents_changed;
  j["due"] = s.due;
  j["jobs"] = s.jobs;
  j["requisites"] = s.requisites;
  j["requisites_dropped"] = s.requisites_dropped;
  j["originals"] = s.originals;
  j["fetched"] = s.fetched;
  j["captures"] = s.captures;
  j["revisits"] = s.revisits;
  j["records"] = s.records;
  j["failed"] = s.failed;
  j["failed_by_class"] = nlohmann::ordered_json::object();
  for (const auto& [name, count] : s.failed_by_class) {
    j["failed_by_class"][name] = count;
  }
  j["failed_links"] = s.failed_links;
  j["bytes"] = s.bytes;
  j["seconds"] = s.seconds;
  j["cancelled"] = s.cancelled;
  j["budget_reached"] = s.budget_reached;
  j["due_left"] = s.due_left;
  if (s.browser_pages > 0 || s.browser_off > 0) {
    j["browser"] = {
        {"pages", s.browser_pages},     {"captured", s.browser_captured},
        {"failed", s.browser_failed},   {"requests", s.browser_requests},
        {"blocked", s.browser_blocked}, {"off", s.browser_off}};
  }
  j["run_id"] = s.run_id;
  j["exit_code"] = exit_code;
  if (dry_run) {
    j["due_urls"] = nlohmann::ordered_json::array();
    for (const DueUrl& due : s.due_urls) {
      j["due_urls"].push_back({{"url", due.url},
                               {"normalized", due.normalized},
                               {"kind", due.kind},
                               {"reason", DueReasonName(due.reason)}});
    }
  }
  return j;
}

// The browser lane's part of the summary line; "" when it had no page.
std::string BrowserText(const ArchiveSummary& s) {
  if (s.browser_off > 0) {
    return "; browser lane off: " + std::to_string(s.browser_off) +
           " pages not sent";
  }
  if (s.browser_pages == 0) return "";
  return "; browser: " + std::to_string(s.browser_pages) + " pages, " +
         std::to_string(s.browser_captured) + " captured, " +
         std::to_string(s.browser_failed) + " browser failed, " +
         std::to_string(s.browser_requests) + " requests, " +
         std::to_string(s.browser_blocked) + " blocked";
}

std::string SummaryText(const ArchiveSummary& s) {
  std::string failed;
  for (const auto& [name, count] : s.failed_by_class) {
    failed +=
        (failed.empty() ? " (" : ", ") + name + " " + std::to_string(count);
  }
  if (!failed.empty()) failed += ")";
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%.2f", s.seconds);
  return "archived: " + std::to_string(s.documents) + " posts (" +
         std::to_string(s.documents_changed) + " new or changed), " +
         std::to_string(s.due) + " due, " + std::to_string(s.fetched) +
         " fetched, " + std::to_string(s.captures) + " captures (" +
         std::to_string(s.revisits) + " revisits), " +
         std::to_string(s.failed) + " failed" + failed + ", " +
         std::to_string(s.bytes) + " bytes, " + seconds + " s" +
         (s.requisites_dropped > 0
              ? ", " + std::to_string(s.requisites_dropped) +
                    " requisites over max-requisites"
              : "") +
         (s.budget_reached
              ? ", budget reached (" + std::to_string(s.due_left) + " due left)"
              : "") +
         BrowserText(s) + (s.cancelled ? ", cancelled" : "");
}

// The posts, URLs and -i list the command line names; with none, the
// store's [site] content_dirs.
void CollectInputs(const ArchiveFlags& flags, const Store& store,
                   ArchiveOptions* options) {
  for (const std::string& input : flags.inputs) {
    (IsUrlArgument(input) ? options->urls : options->paths).push_back(input);
  }
  if (!flags.input_file.empty()) {
    if (flags.input_file == "-") {
      ReadUrlList(std::cin, &options->urls);
    } else {
      std::ifstream in(flags.input_file);
      if (!in) throw CliError(kExitIoError, flags.input_file + ": cannot read");
      ReadUrlList(in, &options->urls);
    }
  }
  if (options->paths.empty() && options->urls.empty() &&
      flags.input_file.empty() && !options->config.site.content_dirs.empty()) {
    options->paths = DefaultContentPaths(options->config.site,
                                         SiteRootOfStore(store.root()));
  }
  if (options->paths.empty() && options->urls.empty()) {
    throw CliError(kExitUsage,
                   "archive: nothing to do: give posts, URLs or -i (or run "
                   "'rotguard init' in a Hugo or Jekyll site root)");
  }
}

ArchiveOptions MakeArchiveOptions(const ArchiveFlags& flags,
                                  const GlobalOptions& global,
                                  const Store& store) {
  ArchiveOptions options;
  options.config = ApplyFlags(flags, store.config());
  CollectInputs(flags, store, &options);
  options.all = flags.all;
  options.dry_run = flags.dry_run;
  options.max_urls = flags.max_urls;
  if (!flags.max_time.empty()) {
    Result<int64_t> seconds = ParseDurationSeconds(flags.max_time);
    if (!seconds.ok()) {
      throw CliError(kExitUsage,
                     "--max-time: " + std::string(seconds.status().message()));
    }
    options.max_time_ms = *seconds * 1000;
  }
  options.site_root = SiteRootOfStore(store.root());
  options.exit_code_of = [](const ArchiveSummary* summary) {
    return ArchiveExitCode(summary);
  };
  if (global.verbosity >= 0 && !global.json && StderrIsTty()) {
    ProgressSeconds();  // the ETA counts from here
    options.progress = [](int64_t done, int64_t queued, int64_t bytes) {
      // Padded: a shorter ETA must not leave the old one's tail behind.
      std::fprintf(stderr, "\rrotguard: %lld/%lld done, %.1f MB%-14s",
                   static_cast<long long>(done), static_cast<long long>(queued),
                   static_cast<double>(bytes) / 1e6,
                   EtaText(ProgressSeconds(), static_cast<double>(done),
                           static_cast<double>(queued))
                       .c_str());
      std::fflush(stderr);
    };
  }
  return options;
}

// --stats: the stages' CPU seconds (util/cpu_stages.h), then what the
// process used besides them and in all (getrusage: every thread, ended
// ones included).
std::vector<std::pair<std::string, double>> CpuSecondsByStage() {
  CpuStageSeconds stages = ReadCpuStages();
  std::vector<std::pair<std::string, double>> out;
  double staged = 0;
  for (CpuStage stage :
       {CpuStage::kReceive, CpuStage::kCompress, CpuStage::kDigests,
        CpuStage::kWrite, CpuStage::kCommit}) {
    double seconds = stages[static_cast<size_t>(stage)];
    out.emplace_back(std::string(CpuStageName(stage)), seconds);
    staged += seconds;
  }
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds_of = [](const timeval& tv) {
    return static_cast<double>(tv.tv_sec) +
           static_cast<double>(tv.tv_usec) / 1e6;
  };
  double total = seconds_of(usage.ru_utime) + seconds_of(usage.ru_stime);
  out.emplace_back("other", std::max(0.0, total - staged));
  out.emplace_back("total", total);
  return out;
}

std::string CpuStatsLine(
    const std::vector<std::pair<std::string, double>>& stages) {
  std::string line = "cpu:";
  for (const auto& [name, seconds] : stages) {
    line += fmt::format(" {} {:.3f} s", name, seconds);
  }
  return line;
}

// [rescue] lookup: public-archive copies of this run's post links that
// are dead or got no capture (only links of posts: a post's date says
// which copy to take). nullopt when nothing needed one.
std::optional<RescueSummary> RescueStep(Store& store, const ArchiveFlags& flags,
                                        const ArchiveOptions& options) {
  if (!options.config.rescue.lookup || options.paths.empty()) {
    return std::nullopt;
  }
  Result<std::vector<RescueTarget>> targets = PlanRescue(
      store.manifest(), {}, RescuePlanOptionsOf(options.config, false));
  ThrowIfError(targets.status());
  if (targets->empty()) return std::nullopt;
  return RunRescueOrThrow(store, flags.network, options.config, *targets);
}

// [rescue] submit or --submit: the second, public copy of the alive links
// (Save Page Now). Its failures never change the run's exit code.
std::optional<SubmitSummary> SubmitStep(Store& store, const ArchiveFlags& flags,
                                        const ArchiveOptions& options,
                                        const GlobalOptions& global) {
  if (!options.config.rescue.submit && !flags.submit) return std::nullopt;
  SubmitSummary submitted =
      RunSubmitOrThrow(store, flags.network, options.config);
  if (submitted.auth_failed && global.verbosity >= 0) {
    std::cerr << "rotguard: warning: Save Page Now refused the access keys "
                 "([rescue] spn_access_key/spn_secret_key or "
                 "ROTGUARD_SPN_KEY): no more submissions this run\n";
  }
  return submitted;
}

// What the steps after the archive run did.
struct AfterSteps {
  std::optional<RescueSummary> rescued;
  std::optional<SubmitSummary> submitted;
};

// `stages` is empty without --stats (taken before the rescue step, so it
// is the archive run's CPU alone).
void PrintArchiveSummary(
    const ArchiveSummary& summary, int exit_code, const ArchiveFlags& flags,
    const GlobalOptions& global, const AfterSteps& after,
    const std::vector<std::pair<std::string, double>>& stages) {
  const std::optional<RescueSummary>& rescued = after.rescued;
  if (global.json) {
    nlohmann::ordered_json j = SummaryJson(summary, exit_code, flags.dry_run);
    if (rescued) j["rescue"] = RescueSummaryJson(*rescued);
    if (after.submitted) j["submit"] = SubmitSummaryJson(*after.submitted);
    if (flags.stats) {
      j["cpu_seconds"] = nlohmann::ordered_json::object();
      for (const auto& [name, seconds] : stages) {
        j["cpu_seconds"][name] = std::round(seconds * 1000) / 1000;
      }
    }
    std::cout << j.dump() << '\n';
    return;
  }
  if (rescued && global.verbosity >= 0) {
    std::cout << RescueSummaryText(*rescued);
  }
  if (after.submitted && global.verbosity >= 0) {
    std::cout << SubmitSummaryText(*after.submitted);
  }
  if (flags.dry_run) {
    for (const DueUrl& due : summary.due_urls) {
      std::cout << "due " << DueReasonName(due.reason) << ' ' << due.kind << ' '
                << TerminalSafe(due.url) << '\n';
    }
  } else if (global.verbosity >= 0) {
    std::cout << SummaryText(summary) << '\n';
  }
  if (flags.stats && global.verbosity >= 0) {
    std::cout << CpuStatsLine(stages) << '\n';
  }
}

// A .open WARC under our exclusive lock (or, for a worker, in warc/DIR/
// under its workers/DIR.lock) was left by a killed run: close it as
// `repair` would (torn tail cut to damaged/, orphans indexed), before
// this run's writer starts, and say so in the log and on stderr.
void CloseStaleOpenFiles(Store& store, const GlobalOptions& global,
                         const std::string& dir = "") {
  Result<bool> any = HasOpenWarcFiles(store, dir);
  ThrowIfError(any.status());
  if (!*any) return;
  RepairOptions options;
  options.only_open_files = true;
  options.only_dir = dir;
  options.on_action = [&global](const RepairAction& action) {
    std::string line =
        "stale WARC from an interrupted run: " + action.kind + ' ' +
        action.file +
        (action.offset >= 0 ? " at " + std::to_string(action.offset)
                            : std::string()) +
        ": " + action.detail;
    spdlog::warn("{}", line);
    if (global.verbosity >= 0) std::cerr << "rotguard: note: " << line << '\n';
  };
  Result<RepairSummary> repaired = RepairStore(store, options);
  if (!repaired.ok()) {
    throw CliError(kExitIoError, "closing a stale .open WARC: " +
                                     repaired.status().message());
  }
}

// --worker: batches claimed from the work queue until none is left. The
// store is locked shared, so workers run side by side while a plain
// archive or repair (exclusive) is refused until they all end; each
// worker's own lock is workers/ID.lock.
int RunWorkerCommand(const ArchiveFlags& flags, const GlobalOptions& global) {
  if (flags.dry_run || flags.all || flags.max_urls > 0 ||
      !flags.max_time.empty() || !flags.inputs.empty() ||
      !flags.input_file.empty()) {
    throw CliError(kExitUsage,
                   "archive --worker takes its URLs from the work queue "
                   "(rotguard enqueue): no PATH, URL, -i, --all, --dry-run, "
                   "--max-urls or --max-time");
  }
  std::unique_ptr<Store> store =
      OpenStoreOrThrow(global, LockMode::kShared, StoreCreation::kMustExist);
  ArchiveOptions options;
  options.config = ApplyFlags(flags, store->config());
  options.site_root = SiteRootOfStore(store->root());
  options.exit_code_of = [](const ArchiveSummary* summary) {
    return ArchiveExitCode(summary);
  };
  // Keeps running between claimed batches: the session is one run.
  std::unique_ptr<Fetcher> fetcher =
      MakeCliFetcher(flags.network, options.config, *store,
                     /*keep_running=*/true);
  if (flags.stats) EnableCpuStages();
  WorkerRun run = [&] {
    SignalGuard guard(fetcher.get());
    // A restarted worker finishes the files its previous life left open.
    auto close_stale = [&](const std::string& id) {
      CloseStaleOpenFiles(*store, global, id);
    };
    return RunArchiveWorker(*store, *fetcher, options, flags.worker,
                            g_stop_requested, close_stale);
  }();
  std::vector<std::pair<std::string, double>> stages;
  if (flags.stats) stages = CpuSecondsByStage();
  PrintArchiveSummary(run.total, run.exit_code, flags, global, AfterSteps(),
                      stages);
  return run.exit_code;
}

int RunArchiveCommand(const ArchiveFlags& flags, const GlobalOptions& global) {
  if (flags.worker.enabled) return RunWorkerCommand(flags, global);
  // The lock first: a held store exits 4 at once.
  std::unique_ptr<Store> store =
      OpenStoreOrThrow(global, LockMode::kExclusive, StoreCreation::kCreate);
  if (!flags.dry_run) CloseStaleOpenFiles(*store, global);
  ArchiveOptions options = MakeArchiveOptions(flags, global, *store);
  std::unique_ptr<Fetcher> fetcher;
  std::unique_ptr<Fetcher> lane_fetcher;
  if (!flags.dry_run) {
    fetcher = MakeCliFetcher(flags.network, options.config, *store);
    if (options.config.browser.mode != "off") {
      // Made now (a curl multi handle, no connection) so the signal
      // handler can cancel it; used only if a page needs the browser.
      lane_fetcher = MakeCliFetcher(flags.network, options.config, *store,
                                    /*keep_running=*/true);
      options.browser_fetcher = lane_fetcher.get();
      options.resolve = flags.network.resolve;
      options.connect_to = flags.network.connect_to;
    }
  }
  if (flags.stats) EnableCpuStages();
  Result<ArchiveSummary> summary = [&] {
    SignalGuard guard(fetcher.get(), lane_fetcher.get());
    return RunArchive(*store, fetcher.get(), options);
  }();
  if (options.progress) std::fputs("\n", stderr);
  if (!summary.ok()) {
    const Status& status = summary.status();
    int code = status.code() == ErrorCode::kInvalidArgument ? kExitUsage
               : status.code() == ErrorCode::kLocked        ? kExitLocked
                                                            : kExitIoError;
    throw CliError(code, status.message());
  }
  int exit_code = flags.dry_run ? kExitOk : ArchiveExitCode(&*summary);
  std::vector<std::pair<std::string, double>> stages;
  if (flags.stats) stages = CpuSecondsByStage();
  AfterSteps after;
  if (!flags.dry_run && !summary->cancelled) {
    after.rescued = RescueStep(*store, flags, options);
    after.submitted = SubmitStep(*store, flags, options, global);
  }
  PrintArchiveSummary(*summary, exit_code, flags, global, after, stages);
  return exit_code;
}

constexpr const char* kEnqueueDescription =
    "Scan posts (and take URLs) as archive does, then put every link that "
    "is due on the manifest's work queue for `archive --worker`. Writes no "
    "WARC and fetches nothing; running it again queues nothing twice.";

struct EnqueueFlags {
  std::vector<std::string> inputs;
  std::string input_file;
  bool all = false;
};

// The due URLs of a dry-run plan (the same scan and DecideDue rules as
// archive), put on the queue in one transaction.
int RunEnqueueCommand(const EnqueueFlags& enqueue,
                      const GlobalOptions& global) {
  std::unique_ptr<Store> store =
      OpenStoreOrThrow(global, LockMode::kShared, StoreCreation::kMustExist);
  ArchiveFlags flags;
  flags.inputs = enqueue.inputs;
  flags.input_file = enqueue.input_file;
  flags.all = enqueue.all;
  flags.dry_run = true;
  GlobalOptions quiet = global;
  quiet.verbosity = -1;  // no progress line for a plan
  ArchiveOptions options = MakeArchiveOptions(flags, quiet, *store);
  Result<ArchiveSummary> plan = RunArchive(*store, nullptr, options);
  ThrowIfError(plan.status());
  std::vector<std::string> keys;
  keys.reserve(plan->due_urls.size());
  for (const DueUrl& due : plan->due_urls) keys.push_back(due.normalized);
  const int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::system_clock::now().time_since_epoch())
          .count();
  Result<int64_t> queued = store->manifest().Enqueue(keys, now_ms);
  ThrowIfError(queued.status());
  Result<Manifest::WorkCounts> counts = store->manifest().CountWork(now_ms);
  ThrowIfError(counts.status());
  if (global.json) {
    nlohmann::ordered_json j;
    j["documents"] = plan->documents;
    j["due"] = static_cast<int64_t>(keys.size());
    j["queued"] = *queued;
    j["free"] = counts->free;
    j["leased"] = counts->leased;
    j["done"] = counts->done;
    std::cout << j.dump() << '\n';
  } else if (global.verbosity >= 0) {
    std::cout << fmt::format(
        "enqueued: {} posts, {} due, {} newly queued; queue: {} free, {} "
        "leased, {} done\n",
        plan->documents, keys.size(), *queued, counts->free, counts->leased,
        counts->done);
  }
  return kExitOk;
}

// archive --worker and its settings (issue #18).
void AddWorkerOptions(CLI::App* command, WorkerFlags& worker) {
  command->add_flag("--worker", worker.enabled,
                    "take due URLs from the work queue (rotguard enqueue) "
                    "in leased batches until none is left");
  command->add_option("--worker-id", worker.id,
                      "this worker's name: its WARC directory warc/ID/ "
                      "(default HOST-PID)");
  command
      ->add_option("--lease", worker.lease_seconds,
                   "seconds a claimed URL stays this worker's without a "
                   "renewal (default 120)")
      ->check(CLI::Range(1, 86'400));
  command
      ->add_option("--claim", worker.claim,
                   "URLs claimed per batch (default 50)")
      ->check(CLI::Range(1, 100'000));
  command->add_flag("--follow", worker.follow,
                    "with --worker: keep polling for new work instead of "
                    "exiting when the queue is empty");
}

}  // namespace

void AddEnqueueCommand(CLI::App& app, const GlobalOptions& global,
                       CommandResult& result) {
  auto flags = std::make_shared<EnqueueFlags>();
  CLI::App* command = app.add_subcommand("enqueue", kEnqueueDescription);
  command->footer(
      "Inputs as for archive (posts, URLs, -i FILE; default the store's\n"
      "[site] content_dirs). Output: one line, or with --json an object with\n"
      "the keys documents, due, queued (rows that were not due before),\n"
      "free, leased, done (the whole queue). Exit: 0 done; 1 bad flag; 5\n"
      "I/O error or unreadable input.\n");
  command->add_option("PATH|URL", flags->inputs,
                      "posts (files, directories) and URLs "
                      "(default: the store's [site] content_dirs)");
  command->add_option("-i,--input", flags->input_file,
                      "read URLs from FILE, one a line ('-': stdin)");
  command->add_flag("--all", flags->all, "queue every URL, due or not");
  command->callback([flags, &global, &result] {
    result.exit_code = RunEnqueueCommand(*flags, global);
  });
}

void AddArchiveCommand(CLI::App& app, const GlobalOptions& global,
                       CommandResult& result) {
  auto flags = std::make_shared<ArchiveFlags>();
  CLI::App* command = app.add_subcommand("archive", kArchiveDescription);
  command->footer(kArchiveFooter);
  command->add_option("PATH|URL", flags->inputs,
                      "posts (files, directories) and URLs to archive "
                      "(default: the store's [site] content_dirs)");
  command->add_option("-i,--input", flags->input_file,
                      "read URLs from FILE, one a line ('-': stdin)");
  command
      ->add_option("--jobs", flags->jobs,
                   "concurrent transfers in total (default 8)")
      ->check(CLI::Range(1, 1024));
  command
      ->add_option("--per-host", flags->per_host,
                   "concurrent transfers per host (default 2)")
      ->check(CLI::Range(1, 256));
  command
      ->add_option("--delay", flags->delay_ms,
                   "pause between requests to one host, ms (default 250)")
      ->check(CLI::Range(0, 3'600'000));
  command->add_option("--max-size", flags->max_size,
                      "truncate bodies longer than SIZE (100M; K, M, G)");
  command
      ->add_option("--max-requisites", flags->max_requisites,
                   "requisites fetched per page or stylesheet (default 300)")
      ->check(CLI::Range(0, 1'000'000));
  command
      ->add_option("--max-urls", flags->max_urls,
                   "fetch at most N due links this run (0: no limit)")
      ->check(CLI::Range(int64_t{0}, int64_t{1} << 40));
  command->add_option("--max-time", flags->max_time,
                      "stop starting transfers after DURATION (90s, 30m)");
  command
      ->add_option("--browser", flags->browser,
                   "browser lane: off, thin (capture again the link pages "
                   "classed thin; default when Chromium is found) or always "
                   "([browser] mode)")
      ->check(CLI::IsMember({"off", "thin", "always"}));
  command
      ->add_option("--browser-jobs", flags->browser_jobs,
                   "headless Chromium instances of the browser lane "
                   "(default 1)")
      ->check(CLI::Range(1, 16));
  AddNetworkOptions(command, flags->network, flags->allow_private);
  command->add_flag("--all", flags->all, "fetch every URL, due or not");
  command->add_flag("--dry-run", flags->dry_run,
                    "print what is due; fetch and write nothing");
  command->add_flag("--submit", flags->submit,
                    "also submit alive links to Save Page Now for a second, "
                    "public copy ([rescue] submit)");
  AddWorkerOptions(command, flags->worker);
  command->add_flag("--stats", flags->stats,
                    "also print CPU seconds per stage (receive, compress, "
                    "digests, write, commit)");
  command->callback([flags, &global, &result] {
    result.exit_code = RunArchiveCommand(*flags, global);
  });
}

}  // namespace rotguard::cli
