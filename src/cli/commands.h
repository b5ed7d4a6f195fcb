// Each command lives in its own cmd_<name>.cc and registers itself here.
#ifndef ROTGUARD_CLI_COMMANDS_H_
#define ROTGUARD_CLI_COMMANDS_H_

#include <string>

namespace CLI {
class App;
}

namespace rotguard::cli {

// Options every command sees (SPEC §3 "Global").
struct GlobalOptions {
  std::string store = ".rotguard";  // --store, env ROTGUARD_STORE
  std::string config;               // --config; empty: <store>/rotguard.toml
  int verbosity = 0;                // -v adds one, -q subtracts one
  bool json = false;                // --json machine output
  bool log_json = false;            // --log-format json: the store log
  // --manifest, env ROTGUARD_MANIFEST: a postgresql:// URL; empty: the
  // store config's [manifest] url, else <store>/manifest.sqlite3.
  std::string manifest;
  std::string color = "auto";  // --color auto|always|never
};

// A command's callback stores its exit code here instead of exiting.
struct CommandResult {
  int exit_code = 0;
};

void AddInitCommand(CLI::App& app, const GlobalOptions& global,
                    CommandResult& result);
void AddMigrateCommand(CLI::App& app, const GlobalOptions& global,
                       CommandResult& result);
void AddInspectCommand(CLI::App& app, const GlobalOptions& global,
                       CommandResult& result);
void AddScanCommand(CLI::App& app, const GlobalOptions& global,
                    CommandResult& result);

void AddArchiveCommand(CLI::App& app, const GlobalOptions& global,
                       CommandResult& result);
// `rotguard enqueue`: fills the work queue for `archive --worker`.
void AddEnqueueCommand(CLI::App& app, const GlobalOptions& global,
                       CommandResult& result);
void AddRescueCommand(CLI::App& app, const GlobalOptions& global,
                      CommandResult& result);
void AddVerifyCommand(CLI::App& app, const GlobalOptions& global,
                      CommandResult& result);
void AddRepairCommand(CLI::App& app, const GlobalOptions& global,
                      CommandResult& result);
void AddImportCommand(CLI::App& app, const GlobalOptions& global,
                      CommandResult& result);
void AddReportCommand(CLI::App& app, const GlobalOptions& global,
                      CommandResult& result);
void AddRestoreCommand(CLI::App& app, const GlobalOptions& global,
                       CommandResult& result);
void AddExtractCommand(CLI::App& app, const GlobalOptions& global,
                       CommandResult& result);
void AddExportCommand(CLI::App& app, const GlobalOptions& global,
                      CommandResult& result);
void AddFixCommand(CLI::App& app, const GlobalOptions& global,
                   CommandResult& result);
void AddForgetCommand(CLI::App& app, const GlobalOptions& global,
                      CommandResult& result);

}  // namespace rotguard::cli

#endif  // ROTGUARD_CLI_COMMANDS_H_
