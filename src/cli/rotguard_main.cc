#include "cli/rotguard_main.h"

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <exception>
#include <iostream>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/output.h"

namespace rotguard::cli {
namespace {

void AddGlobalOptions(CLI::App& app, GlobalOptions& global) {
  app.set_version_flag("--version", std::string("rotguard ") + ROTGUARD_VERSION);
  app.add_option("--store", global.store,
                 "store directory (default ./.rotguard)")
      ->envname("ROTGUARD_STORE");
  app.add_option("--config", global.config,
                 "config file (default <store>/rotguard.toml)");
  app.add_flag_function(
      "-v,--verbose", [&global](int64_t n) { global.verbosity += static_cast<int>(n); },
      "more output (repeatable)");
  app.add_flag_function(
      "-q,--quiet", [&global](int64_t n) { global.verbosity -= static_cast<int>(n); },
      "less output");
  app.add_flag("--json", global.json, "machine-readable output (JSON Lines)");
}

int RunApp(CLI::App& app, int argc, char** argv, const CommandResult& result,
           const GlobalOptions& global) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // CLI11 prints its own message; every usage error exits 1 (SPEC §3).
    app.exit(e);
    return kExitUsage;
  }
  (void)global;
  return result.exit_code;
}

}  // namespace

int RotguardMain(int argc, char** argv) {
  CLI::App app{"rotguard: keeps the web your posts link to from rotting away",
               "rotguard"};
  app.footer(kExitCodeHelp);
  app.require_subcommand(1);
  app.fallthrough();

  GlobalOptions global;
  CommandResult result;
  AddGlobalOptions(app, global);
  // One line per command; each lives in cmd_<name>.cc.
  AddInitCommand(app, global, result);
  AddInspectCommand(app, global, result);
  AddScanCommand(app, global, result);

  try {
    int code = RunApp(app, argc, argv, result, global);
    std::cout.flush();
    return code;
  } catch (const CliError& e) {
    std::cout.flush();
    std::cerr << "rotguard: error: " << e.what() << '\n';
    return e.exit_code();
  } catch (const std::exception& e) {
    std::cout.flush();
    std::cerr << "rotguard: error: " << e.what() << '\n';
    return kExitIoError;
  }
}

}  // namespace rotguard::cli
