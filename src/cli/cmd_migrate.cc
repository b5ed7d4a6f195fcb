// `rotguard migrate --to postgresql://...`: the store's SQLite manifest
// copied into PostgreSQL (SPEC §10), so several machines can share it.
#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/store_access.h"
#include "rotguard/manifest.h"
#include "rotguard/store.h"

namespace rotguard::cli {
namespace {

constexpr const char* kMigrateFooter =
    "Copies every row of every table of the store's manifest.sqlite3 (its\n"
    "posts, links, URLs, WARC files, records, captures, runs and counters,\n"
    "ids included) into the PostgreSQL database named by --to, in one\n"
    "transaction. The database must exist and hold no manifest yet (the\n"
    "tables are created); before committing, every table is counted and\n"
    "hashed on both sides and any difference rolls the copy back. The\n"
    "store takes its exclusive lock meanwhile. manifest.sqlite3 and the\n"
    "WARC files are left as they are: afterwards, point the store at the\n"
    "database with [manifest] url in rotguard.toml, --manifest URL or\n"
    "ROTGUARD_MANIFEST, and run 'rotguard verify' against it.\n"
    "\n"
    "Output: one line per table 'migrate: TABLE: N rows, sha256 HEX', then\n"
    "a summary; with --json one object per table {\"table\", \"rows\",\n"
    "\"sha256\"} and {\"summary\": {\"tables\", \"rows\", \"to\"}}.\n"
    "\n"
    "Exit: 0 copied and checked; 1 a bad URL, a store whose manifest is\n"
    "already on PostgreSQL, or a database that already holds a manifest;\n"
    "4 the store is locked by another run; 5 the server cannot be reached,\n"
    "a write failed or the copy did not read back equal (nothing is\n"
    "committed then).\n";

std::string Redacted(const std::string& url) {
  return WithoutPassword(url, "***");
}

int RunMigrate(const std::string& to, const GlobalOptions& global) {
  std::unique_ptr<Store> store = OpenStoreWithoutManifestOrThrow(global);
  if (store->manifest_on_server()) {
    throw CliError(kExitUsage,
                   "this store's manifest is already on PostgreSQL; migrate "
                   "copies a manifest.sqlite3");
  }
  std::error_code ec;
  if (!std::filesystem::exists(store->manifest_path(), ec)) {
    throw CliError(kExitUsage,
                   store->manifest_path().string() + ": no manifest to copy");
  }
  Result<std::vector<ManifestTableCopy>> copies =
      CopySqliteManifestToPostgres(store->manifest_path().string(), to);
  if (!copies.ok()) {
    int code = copies.status().code() == ErrorCode::kInvalidArgument
                   ? kExitUsage
                   : kExitIoError;
    throw CliError(code, copies.status().message());
  }
  int64_t rows = 0;
  for (const ManifestTableCopy& copy : *copies) {
    rows += copy.rows;
    if (global.json) {
      std::cout << nlohmann::ordered_json{{"table", copy.table},
                                          {"rows", copy.rows},
                                          {"sha256", copy.sha256}}
                       .dump()
                << '\n';
    } else if (global.verbosity >= 0) {
      std::cout << "migrate: " << copy.table << ": " << copy.rows
                << " rows, sha256 " << copy.sha256 << '\n';
    }
  }
  if (global.json) {
    nlohmann::ordered_json summary = {
        {"tables", copies->size()}, {"rows", rows}, {"to", Redacted(to)}};
    std::cout << nlohmann::ordered_json{{"summary", summary}}.dump() << '\n';
  } else {
    std::cout << "migrate: copied " << rows << " rows of " << copies->size()
              << " tables to " << Redacted(to)
              << "; counts and checksums match. Use it with --manifest URL "
                 "or [manifest] url in rotguard.toml\n";
  }
  return kExitOk;
}

}  // namespace

void AddMigrateCommand(CLI::App& app, const GlobalOptions& global,
                       CommandResult& result) {
  CLI::App* cmd = app.add_subcommand(
      "migrate", "Copy the SQLite manifest into PostgreSQL, checked");
  cmd->footer(kMigrateFooter);
  auto to = std::make_shared<std::string>();
  cmd->add_option("--to", *to,
                  "the PostgreSQL database: postgresql://USER@HOST/DB")
      ->required();
  cmd->callback(
      [&global, &result, to] { result.exit_code = RunMigrate(*to, global); });
}

}  // namespace rotguard::cli
