// `rotguard init`: create the store at --store (SPEC §3, §4), idempotently.
#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/store_access.h"
#include "rotguard/config.h"
#include "rotguard/store.h"

namespace rotguard::cli {
namespace {

constexpr const char* kInitFooter =
    "Creates the store directory given by --store (default ./.rotguard, env\n"
    "ROTGUARD_STORE): rotguard.toml (every setting, commented out at its\n"
    "default), manifest.sqlite3, warc/, warc/imported/, damaged/, logs/ and\n"
    "the lock file. Existing files are left untouched, so running it again\n"
    "is safe; an existing rotguard.toml (and --config FILE) is checked.\n"
    "\n"
    "Output: 'initialized store at PATH' or 'store at PATH already\n"
    "initialized'; with --json one object {\"store\": PATH, \"created\":\n"
    "true|false}.\n"
    "\n"
    "Exit: 0 done; 1 a bad rotguard.toml or --config; 4 the store is locked\n"
    "by another run; 5 the store cannot be created (the path is named) or\n"
    "its manifest is damaged.\n";

int RunInit(const GlobalOptions& global) {
  std::string manifest_url = global.manifest;
  if (manifest_url.empty()) {
    // A [manifest] url in --config (or an existing rotguard.toml) counts.
    Result<Config> config = LoadConfig(
        std::filesystem::path(global.store) / "rotguard.toml", global.config);
    if (config.ok()) manifest_url = config->manifest.url;
  }
  Result<bool> created = Store::Init(global.store, manifest_url);
  if (!created.ok()) {
    throw CliError(StoreExitCode(created.status()), created.status().message());
  }
  // A store whose settings do not load would fail every later command:
  // say so now, while the user is looking.
  Result<Config> config = LoadConfig(
      std::filesystem::path(global.store) / "rotguard.toml", global.config);
  if (!config.ok()) {
    throw CliError(StoreExitCode(config.status()), config.status().message());
  }
  if (global.json) {
    nlohmann::json out = {{"store", global.store}, {"created", *created}};
    std::cout << out.dump() << '\n';
  } else if (*created) {
    std::cout << "initialized store at " << global.store << '\n';
  } else {
    std::cout << "store at " << global.store << " already initialized\n";
  }
  return kExitOk;
}

}  // namespace

void AddInitCommand(CLI::App& app, const GlobalOptions& global,
                    CommandResult& result) {
  CLI::App* cmd = app.add_subcommand(
      "init", "Create the store (config, manifest, warc/, logs/); idempotent");
  cmd->footer(kInitFooter);
  cmd->callback([&global, &result] { result.exit_code = RunInit(global); });
}

}  // namespace rotguard::cli
