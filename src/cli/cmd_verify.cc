// `rotguard verify [--quick|--deep]`: prove the store is intact (SPEC §7,
// §13 "verify output"). Takes the shared lock. Each level adds to the one
// before: --quick (stat, missing/extra/stale files, quick_check, rolling
// re-hash), default (every record parsed and matched with the manifest),
// --deep (whole-file and payload sha256).
#include <CLI/CLI.hpp>
#include <algorithm>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/live_command.h"
#include "cli/output.h"
#include "cli/store_access.h"
#include "rotguard/config.h"
#include "rotguard/verify.h"
#include "util/terminal_text.h"
#include "util/worker_pool.h"

namespace rotguard::cli {
namespace {

constexpr const char* kVerifyDescription =
    "Prove the store is intact: every WARC file and record matches the "
    "manifest. --quick: sizes, mtimes and inodes, missing/extra/stale .open "
    "files, SQLite quick_check, and a rolling sha256 re-hash; default: also "
    "every record of every file parsed (gzip CRC, digests) and matched with "
    "the manifest both ways; --deep: also every file's and payload's sha256.";

constexpr const char* kVerifyFooter =
    "Output: one line per finding, verify goes on after each:\n"
    "  text    'verify: CODE FILE@OFFSET URL: expected X, actual Y' (no\n"
    "          @OFFSET for a whole-file finding, no URL when no record is\n"
    "          involved), notes as 'verify: note: ...', then a summary line.\n"
    "  --json  JSON Lines {code, file, offset, url, expected, actual,\n"
    "          severity}, offset null for a whole file, severity error|note;\n"
    "          the last line is {\"summary\": {level, files, records,\n"
    "          captures, lost_captures, lost_records, findings, notes,\n"
    "          files_rehashed, bytes_rehashed, exit}}.\n"
    "Codes: missing-file extra-file stale-open size-mismatch sha256-mismatch\n"
    "not-at-offset block-digest payload-digest orphan-record lost-record\n"
    "torn-member trailing-garbage sqlite-integrity, and the reader's\n"
    "gzip-crc bad-header missing-crlf whole-file-gzip; note:\n"
    "chunked-payload-digest, purge-pending (a file an interrupted\n"
    "forget --purge left). Captures that repair marked lost are counted,\n"
    "not reported.\n"
    "Exit: 0 intact; 3 any finding (notes do not count); 4 store locked;\n"
    "5 I/O error.\n";

// The command's flags; a new mode (e.g. --live) adds a field here and a
// branch at the top of RunVerify().
struct VerifyFlags {
  bool quick = false;
  bool deep = false;
  std::string rehash_budget = "1GiB";
  // Threads reading WARC bytes: set to one per core unless --jobs says.
  int jobs = 1;
  bool live = false;  // --live: link health on the web (live_command.h)
  LiveFlags live_flags;
};

nlohmann::ordered_json FindingJson(const VerifyFinding& f) {
  return {{"code", f.code},
          {"file", f.file},
          {"offset", f.offset < 0 ? nlohmann::ordered_json(nullptr)
                                  : nlohmann::ordered_json(f.offset)},
          {"url", f.url},
          {"expected", f.expected},
          {"actual", f.actual},
          {"severity", f.note ? "note" : "error"}};
}

std::string FindingText(const VerifyFinding& f) {
  std::string line = f.note ? "verify: note: " : "verify: ";
  line += f.code + " " + TerminalSafe(f.file);
  if (f.offset >= 0) line += "@" + std::to_string(f.offset);
  if (!f.url.empty()) line += " " + TerminalSafe(f.url);
  line += ": expected " +
          (f.expected.empty() ? "-" : TerminalSafe(f.expected)) + ", actual " +
          (f.actual.empty() ? "-" : TerminalSafe(f.actual));
  return line;
}

void PrintJson(const nlohmann::ordered_json& line) {
  std::cout << line.dump(-1, ' ', false,
                         nlohmann::ordered_json::error_handler_t::replace)
            << '\n';
}

const char* LevelName(VerifyLevel level) {
  switch (level) {
    case VerifyLevel::kQuick:
      return "quick";
    case VerifyLevel::kDeep:
      return "deep";
    default:
      return "default";
  }
}

void PrintSummary(const VerifySummary& s, VerifyLevel level, int exit_code,
                  const GlobalOptions& global) {
  if (global.json) {
    PrintJson({{"summary",
                {{"level", LevelName(level)},
                 {"files", s.files},
                 {"records", s.records},
                 {"captures", s.captures},
                 {"lost_captures", s.lost_captures},
                 {"lost_records", s.lost_records},
                 {"findings", s.findings},
                 {"notes", s.notes},
                 {"files_rehashed", s.files_rehashed},
                 {"bytes_rehashed", s.bytes_rehashed},
                 {"exit", exit_code}}}});
    return;
  }
  if (global.verbosity < 0 && exit_code == kExitOk) return;
  std::cout << "verify: " << LevelName(level) << ": " << s.files << " files, "
            << s.records << " records, " << s.captures << " captures ("
            << s.lost_captures << " lost), " << s.files_rehashed
            << " files re-hashed; " << s.findings << " findings, " << s.notes
            << " notes\n";
}

void ShowProgress(uint64_t done, uint64_t total) {
  if (total == 0) return;
  std::string eta = EtaText(ProgressSeconds(), static_cast<double>(done),
                            static_cast<double>(total));
  eta.resize(std::max<size_t>(eta.size(), 14), ' ');
  std::cerr << "\rverify: " << (done * 100 / total) << "% (" << (done >> 20)
            << " / " << (total >> 20) << " MiB)" << eta
            << (done == total ? "\n" : "") << std::flush;
}

VerifyOptions OptionsFrom(const VerifyFlags& flags) {
  if (flags.quick && flags.deep) {
    throw CliError(kExitUsage, "verify: --quick and --deep exclude each other");
  }
  VerifyOptions options;
  options.level = flags.quick  ? VerifyLevel::kQuick
                  : flags.deep ? VerifyLevel::kDeep
                               : VerifyLevel::kDefault;
  // ParseByteSize() refuses 0, which here means "no re-hash this run".
  Result<int64_t> budget = flags.rehash_budget == "0"
                               ? Result<int64_t>(int64_t{0})
                               : ParseByteSize(flags.rehash_budget);
  if (!budget.ok() || *budget < 0) {
    throw CliError(kExitUsage, "verify: --rehash-budget " +
                                   flags.rehash_budget + ": not a size");
  }
  options.rehash_budget = static_cast<uint64_t>(*budget);
  if (flags.jobs < 1) throw CliError(kExitUsage, "verify: --jobs must be >= 1");
  options.jobs = flags.jobs;
  return options;
}

// A manifest too damaged to open (or lost next to WARC files) is a
// finding here, not an I/O error: the store is opened without it and the
// WARC files are still checked (VerifyOptions::manifest_error).
std::unique_ptr<Store> OpenForVerify(const GlobalOptions& global,
                                     VerifyOptions* options) {
  StoreOptions store_options = StoreOptionsOf(global);
  Result<std::unique_ptr<Store>> store =
      Store::Open(global.store, LockMode::kShared, store_options);
  if (store.ok()) {
    PrintStoreNotes(**store, global);
    return std::move(*store);
  }
  if (store.status().code() != ErrorCode::kCorruption) {
    throw CliError(StoreExitCode(store.status()), store.status().message());
  }
  options->manifest_error = store.status().message();
  store_options.open_manifest = false;
  store = Store::Open(global.store, LockMode::kShared, store_options);
  if (!store.ok()) {
    throw CliError(StoreExitCode(store.status()), store.status().message());
  }
  return std::move(*store);
}

int RunVerify(const VerifyFlags& flags, const GlobalOptions& global) {
  VerifyOptions options = OptionsFrom(flags);
  std::unique_ptr<Store> store = OpenForVerify(global, &options);
  options.on_finding = [&global](const VerifyFinding& f) {
    if (f.note && global.verbosity < 0) return;
    if (global.json) {
      PrintJson(FindingJson(f));
    } else {
      std::cout << FindingText(f) << '\n';
    }
  };
  if (StderrIsTty() && global.verbosity >= 0) {
    ProgressSeconds();  // the ETA counts from here
    options.on_progress = ShowProgress;
  }
  Result<VerifySummary> summary = VerifyStore(*store, options);
  if (!summary.ok()) {
    throw CliError(kExitIoError, summary.status().message());
  }
  int code = summary->findings > 0 ? kExitIntegrity : kExitOk;
  PrintSummary(*summary, options.level, code, global);
  return code;
}

}  // namespace

void AddVerifyCommand(CLI::App& app, const GlobalOptions& global,
                      CommandResult& result) {
  auto flags = std::make_shared<VerifyFlags>();
  CLI::App* command = app.add_subcommand("verify", kVerifyDescription);
  command->footer(kVerifyFooter);
  command->add_flag(
      "--quick", flags->quick,
      "stat, file lists, quick_check and the re-hash budget only");
  command->add_flag("--deep", flags->deep,
                    "also sha256 of every closed file and every payload");
  command->add_option("--rehash-budget", flags->rehash_budget,
                      "whole-file sha256 bytes per run, oldest verified "
                      "first (binary suffixes; default 1GiB; 0: none)");
  command->add_option("--jobs", flags->jobs,
                      "threads reading WARC files: files re-hashed and "
                      "ranges of one file checked in parallel (default: "
                      "one per core)");
  command->add_flag("--live", flags->live,
                    "re-check link health on the web instead (updates "
                    "verdicts and streaks; never exits 2)");
  AddLiveOptions(command, &flags->live_flags);
  command->callback([flags, command, &global, &result] {
    if (flags->live) {
      if (command->count("--jobs") > 0) flags->live_flags.jobs = flags->jobs;
      result.exit_code = RunVerifyLive(flags->live_flags, global);
      return;
    }
    if (command->count("--jobs") == 0) {
      flags->jobs = static_cast<int>(WorkerPool::ThreadsFor(64));
    }
    result.exit_code = RunVerify(*flags, global);
  });
}

}  // namespace rotguard::cli
