// `rotguard repair [--dry-run]`: fix what verify found, without losing
// data (SPEC §7). Takes the exclusive lock.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/store_access.h"
#include "rotguard/verify.h"
#include "util/terminal_text.h"

namespace rotguard::cli {
namespace {

constexpr const char* kRepairDescription =
    "Fix what can be fixed without losing data: cut a torn tail after the "
    "last whole record (the bytes go to <store>/damaged/), close stale "
    ".open files, index records the manifest misses, mark records and "
    "captures whose bytes are gone as lost. Never deletes a readable record.";

constexpr const char* kRepairFooter =
    "Output, one line per action (what --dry-run would do):\n"
    "  text    'repair: KIND FILE@OFFSET: detail' with KIND truncate-tail,\n"
    "          close-open, index-orphan, mark-lost, update-row,\n"
    "          or cannot-repair\n"
    "          (damage left in place); then a summary line.\n"
    "  --json  JSON Lines {kind, file, offset, detail, dry_run}; the last\n"
    "          line is {\"summary\": {actions, cannot_repair, dry_run}}.\n"
    "Exit: 0 done (verify exits 0 afterwards unless something could not be\n"
    "repaired); 3 damage remains that repair leaves alone; 4 locked; 5 I/O\n"
    "error.\n";

struct RepairFlags {
  bool dry_run = false;
};

void PrintJson(const nlohmann::ordered_json& line) {
  std::cout << line.dump(-1, ' ', false,
                         nlohmann::ordered_json::error_handler_t::replace)
            << '\n';
}

int RunRepair(const RepairFlags& flags, const GlobalOptions& global) {
  std::unique_ptr<Store> store = OpenStoreOrThrow(global, LockMode::kExclusive);
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
  Result<RepairSummary> summary = RepairStore(*store, options);
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
  command->callback([flags, &global, &result] {
    result.exit_code = RunRepair(*flags, global);
  });
}

}  // namespace rotguard::cli
