#include "cli/rotguard_main.h"

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <string_view>

#include "cli/app.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/output.h"
#include "util/color.h"
#include "util/terminal_text.h"

namespace rotguard::cli {
namespace {

void AddGlobalOptions(CLI::App& app, GlobalOptions& global) {
  app.set_version_flag("--version",
                       std::string("rotguard ") + ROTGUARD_VERSION);
  app.add_option("--store", global.store,
                 "store directory (default ./.rotguard)")
      ->envname("ROTGUARD_STORE");
  app.add_option("--manifest", global.manifest,
                 "the manifest on PostgreSQL: postgresql://USER@HOST/DB "
                 "(default: [manifest] url of the config, else "
                 "<store>/manifest.sqlite3)")
      ->envname("ROTGUARD_MANIFEST");
  app.add_option("--config", global.config,
                 "config file (default <store>/rotguard.toml)");
  app.add_flag_function(
      "-v,--verbose",
      [&global](int64_t n) { global.verbosity += static_cast<int>(n); },
      "more output (repeatable)");
  app.add_flag_function(
      "-q,--quiet",
      [&global](int64_t n) { global.verbosity -= static_cast<int>(n); },
      "less output");
  app.add_flag("--json", global.json, "machine-readable output (JSON Lines)");
  app.add_option_function<std::string>(
         "--log-format",
         [&global](const std::string& format) {
           global.log_json = format == "json";
         },
         "lines of <store>/logs/rotguard.log: text (default) or json (one "
         "object per line: time, pid, level, msg)")
      ->check(CLI::IsMember({"text", "json"}))
      ->envname("ROTGUARD_LOG_FORMAT");
  app.add_option_function<std::string>(
         "--color",
         [&global](const std::string& mode) {
           global.color = mode;
           SetColorMode(ParseColorMode(mode).value_or(ColorMode::kAuto));
         },
         "colour in text output on a terminal and in the log: auto "
         "(default: a terminal, unless NO_COLOR is set), always or never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
}

// Messages name URLs and file names from WARCs and posts: escaped, so
// the one error line stays one line and cannot drive the terminal.
int ReportError(std::string_view message, int exit_code) {
  std::cout.flush();
  std::cerr << Paint("rotguard: error:", Color::kRed, StderrColor()) << ' '
            << TerminalSafe(message) << '\n';
  return exit_code;
}

// Parses and runs the chosen command. Help and --version are "errors" to
// CLI11 with exit code 0; every real usage error exits 1 (SPEC §3) through
// the same "rotguard: error:" line as every other error.
int RunApp(CLI::App& app, int argc, char** argv, const CommandResult& result) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);
    return ReportError(std::string(e.what()) + " (see --help)", kExitUsage);
  }
  return result.exit_code;
}

}  // namespace

void BuildApp(CLI::App& app, GlobalOptions& global, CommandResult& result) {
  app.description(kAppDescription);
  app.name("rotguard");
  app.footer(kExitCodeHelp);
  app.require_subcommand(1);
  app.fallthrough();
  AddGlobalOptions(app, global);
  // One line per command; each lives in cmd_<name>.cc.
  AddInitCommand(app, global, result);
  AddInspectCommand(app, global, result);
  AddScanCommand(app, global, result);
  AddArchiveCommand(app, global, result);
  AddEnqueueCommand(app, global, result);
  AddRescueCommand(app, global, result);
  AddImportCommand(app, global, result);
  AddVerifyCommand(app, global, result);
  AddRepairCommand(app, global, result);
  AddReportCommand(app, global, result);
  AddExportCommand(app, global, result);
  AddExtractCommand(app, global, result);
  AddRestoreCommand(app, global, result);
  AddFixCommand(app, global, result);
  AddForgetCommand(app, global, result);
  AddMigrateCommand(app, global, result);
}

int RotguardMain(int argc, char** argv) {
  CLI::App app;
  GlobalOptions global;
  CommandResult result;
  BuildApp(app, global, result);

  // The one top-level handler: commands throw, this prints once.
  try {
    int code = RunApp(app, argc, argv, result);
    std::cout.flush();
    return code;
  } catch (const CliError& e) {
    return ReportError(e.what(), e.exit_code());
  } catch (const std::exception& e) {
    return ReportError(e.what(), kExitIoError);
  }
}

}  // namespace rotguard::cli
