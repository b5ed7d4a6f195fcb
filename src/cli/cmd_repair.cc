// `rotguard repair [--dry-run] [--rebuild-manifest]`: fix what verify
// found, without losing data (SPEC §7). Takes the exclusive lock; while
// archive workers run, only the directories of stopped workers.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/store_access.h"
#include "cli/worker_locks.h"
#include "rotguard/verify.h"
#include "util/terminal_text.h"

namespace rotguard::cli {
namespace {

constexpr const char* kRepairDescription =
    "Fix what can be fixed without losing data: cut a torn tail after the "
    "last whole record (the bytes go to <store>/damaged/), close stale "
    ".open files, index records the manifest misses, mark records and "
    "captures whose bytes are gone as lost. Never deletes a readable record. "
    "With --rebuild-manifest: a new manifest from the WARC files, for a "
    "damaged or lost one (the old one is kept aside).";

constexpr const char* kRepairFooter =
    "Output, one line per action (what --dry-run would do):\n"
    "  text    'repair: KIND FILE@OFFSET: detail' with KIND truncate-tail,\n"
    "          close-open, index-orphan, mark-lost, update-row,\n"
    "          remove-purged (left by an interrupted forget --purge),\n"
    "          or cannot-repair\n"
    "          (damage left in place); then a summary line.\n"
    "  --json  JSON Lines {kind, file, offset, detail, dry_run}; the last\n"
    "          line is {\"summary\": {actions, cannot_repair, dry_run}}.\n"
    "A damaged manifest (SQLite quick_check fails) is not reconciled: repair\n"
    "exits 5 and says to run --rebuild-manifest, which reads every WARC file\n"
    "and writes warc files, records, captures (revisits, redirect chains\n"
    "from Location headers) and urls into manifest.sqlite3.rebuild, moves the\n"
    "old manifest to manifest.sqlite3.damaged-TIMESTAMP and the new one into\n"
    "place: 'repair: index FILE: N records, M captures' per file, then a\n"
    "summary. Posts and their links are not in the WARC files: run\n"
    "'rotguard archive PATH' (or 'scan --update PATH') again to re-link them.\n"
    "While `archive --worker` processes run, repair touches only the\n"
    "warc/ID/ directories of workers that are not running (each locked while\n"
    "it works there) and says so; stop the workers to repair the rest.\n"
    "Exit: 0 done (verify exits 0 afterwards unless something could not be\n"
    "repaired); 3 damage remains that repair leaves alone; 4 locked; 5 I/O\n"
    "error or a damaged manifest (without --rebuild-manifest).\n";

struct RepairFlags {
  bool dry_run = false;
  bool rebuild_manifest = false;
};

void PrintJson(const nlohmann::ordered_json& line) {
  std::cout << line.dump(-1, ' ', false,
                         nlohmann::ordered_json::error_handler_t::replace)
            << '\n';
}

void PrintRebuildSummary(const RebuildSummary& s, bool dry_run,
                         const GlobalOptions& global) {
  if (global.json) {
    PrintJson({{"summary",
                {{"rebuilt", !dry_run},
                 {"files", s.files},
                 {"open_files", s.open_files},
                 {"damaged_files", s.damaged_files},
                 {"records", s.records},
                 {"skipped_records", s.skipped_records},
                 {"captures", s.captures},
                 {"revisits", s.revisits},
                 {"chains", s.chains},
                 {"urls", s.urls},
                 {"kept_as", s.kept_as},
                 {"dry_run", dry_run}}}});
    return;
  }
  std::cout << "repair: " << (dry_run ? "would rebuild" : "rebuilt")
            << " the manifest from " << s.files << " WARC files: " << s.records
            << " records, " << s.captures << " captures (" << s.revisits
            << " revisits), " << s.chains << " redirect chains, " << s.urls
            << " URLs; " << s.skipped_records << " torn records skipped\n";
  if (!s.kept_as.empty()) {
    std::cout << "repair: the old manifest is kept as " << s.kept_as << '\n';
  }
  if (s.open_files > 0 || s.damaged_files > 0) {
    std::cout << "repair: " << s.open_files << " stale .open files and "
              << s.damaged_files
              << " files with damage remain: run 'rotguard verify', then "
                 "'rotguard repair'\n";
  }
  std::cout << "repair: posts and their links are not in the WARC files: run "
               "'rotguard archive PATH' (or 'rotguard scan --update PATH') "
               "again to re-link them\n";
}

int RunRebuild(const RepairFlags& flags, const GlobalOptions& global) {
  std::unique_ptr<Store> store = OpenStoreWithoutManifestOrThrow(global);
  if (store->manifest_on_server()) {
    // The rebuild writes and swaps manifest.sqlite3 files; a PostgreSQL
    // database is kept sound (and backed up) by its server.
    throw CliError(kExitUsage,
                   "--rebuild-manifest rebuilds manifest.sqlite3; this store's "
                   "manifest is on PostgreSQL: restore the database from its "
                   "backup instead");
  }
  RebuildOptions options;
  options.dry_run = flags.dry_run;
  options.on_file = [&](const std::string& file, int64_t records,
                        int64_t captures) {
    if (global.json) {
      PrintJson({{"kind", "index"},
                 {"file", file},
                 {"records", records},
                 {"captures", captures},
                 {"dry_run", flags.dry_run}});
    } else if (global.verbosity >= 0) {
      std::cout << "repair: " << (flags.dry_run ? "would " : "") << "index "
                << file << ": " << records << " records, " << captures
                << " captures\n";
    }
  };
  Result<RebuildSummary> summary = RebuildManifest(*store, options);
  if (!summary.ok()) throw CliError(kExitIoError, summary.status().message());
  PrintRebuildSummary(*summary, flags.dry_run, global);
  return kExitOk;
}

// The store for a repair: under the exclusive lock, or, while
// `archive --worker` processes hold it shared, under a shared lock with
// the locks of the stopped workers, whose warc/ID/ directories are all
// this repair may touch (no other process writes there). Anything else
// holding the store keeps it locked (exit 4).
std::unique_ptr<Store> OpenStoreForRepair(const GlobalOptions& global,
                                          WorkerDirs* workers) {
  try {
    return OpenStoreOrThrow(global, LockMode::kExclusive);
  } catch (const CliError& locked) {
    if (locked.exit_code() != kExitLocked) throw;
    std::unique_ptr<Store> store = OpenStoreOrThrow(global, LockMode::kShared);
    Result<WorkerDirs> dirs = LockStoppedWorkers(*store);
    if (!dirs.ok()) throw CliError(kExitIoError, dirs.status().message());
    if (dirs->running.empty()) throw;
    *workers = std::move(*dirs);
    std::string running;
    for (const std::string& id : workers->running) running += ' ' + id;
    std::cerr << "rotguard: note: workers are running (" << running.substr(1)
              << "): only the directories of stopped workers are repaired\n";
    return store;
  }
}

// RepairStore over the whole store, or over each stopped worker's
// directory when workers run; the summaries added up.
Result<RepairSummary> RepairWhatIsOurs(Store& store, RepairOptions options,
                                       const WorkerDirs& workers) {
  if (workers.running.empty()) return RepairStore(store, options);
  RepairSummary total;
  for (const auto& [id, lock] : workers.stopped) {
    options.only_dir = id;
    Result<RepairSummary> one = RepairStore(store, options);
    if (!one.ok()) return one.status();
    total.actions += one->actions;
    total.cannot_repair += one->cannot_repair;
  }
  return total;
}

int RunRepair(const RepairFlags& flags, const GlobalOptions& global) {
  if (flags.rebuild_manifest) return RunRebuild(flags, global);
  WorkerDirs workers;
  std::unique_ptr<Store> store = OpenStoreForRepair(global, &workers);
  // Reconciling against unreadable pages would "fix" every record the
  // damage hides (index it as an orphan, or mark it lost).
  ThrowIfManifestDamaged(*store);
  RepairOptions options;
  options.dry_run = flags.dry_run;
  options.on_action = [&](const RepairAction& a) {
    if (global.json) {
      PrintJson({{"kind", a.kind},
                 {"file", a.file},
                 {"offset", a.offset < 0 ? nlohmann::ordered_json(nullptr)
                                         : nlohmann::ordered_json(a.offset)},
                 {"detail", a.detail},
                 {"dry_run", flags.dry_run}});
      return;
    }
    std::cout << "repair: " << (flags.dry_run ? "would " : "") << a.kind << ' '
              << TerminalSafe(a.file);
    if (a.offset >= 0) std::cout << '@' << a.offset;
    std::cout << ": " << TerminalSafe(a.detail) << '\n';
  };
  Result<RepairSummary> summary = RepairWhatIsOurs(*store, options, workers);
  if (!summary.ok()) throw CliError(kExitIoError, summary.status().message());
  int code = summary->cannot_repair > 0 ? kExitIntegrity : kExitOk;
  if (global.json) {
    PrintJson({{"summary",
                {{"actions", summary->actions},
                 {"cannot_repair", summary->cannot_repair},
                 {"dry_run", flags.dry_run}}}});
  } else if (global.verbosity >= 0 || code != kExitOk) {
    std::cout << "repair: " << summary->actions
              << (flags.dry_run ? " actions would be taken" : " actions taken")
              << ", " << summary->cannot_repair << " problems left in place\n";
  }
  return code;
}

}  // namespace

void AddRepairCommand(CLI::App& app, const GlobalOptions& global,
                      CommandResult& result) {
  auto flags = std::make_shared<RepairFlags>();
  CLI::App* command = app.add_subcommand("repair", kRepairDescription);
  command->footer(kRepairFooter);
  command->add_flag("--dry-run", flags->dry_run,
                    "list what would be done; change nothing");
  command->add_flag("--rebuild-manifest", flags->rebuild_manifest,
                    "rebuild a damaged or lost manifest from the WARC files "
                    "(the old one is kept as manifest.sqlite3.damaged-TIME)");
  command->callback([flags, &global, &result] {
    result.exit_code = RunRepair(*flags, global);
  });
}

}  // namespace rotguard::cli
