// The whole command tree in one place: built by RotguardMain to run a
// command, and by rotguard-docs to write the man page and completions
// from the same options (so the documentation cannot miss a flag).
#ifndef ROTGUARD_CLI_APP_H_
#define ROTGUARD_CLI_APP_H_

#include "cli/commands.h"

namespace CLI {
class App;
}

namespace rotguard::cli {

inline constexpr const char* kAppDescription =
    "rotguard: keeps the web your posts link to from rotting away";

// Adds the global options and every command to `app`; the callbacks write
// into `global` and `result`, which must outlive `app`.
void BuildApp(CLI::App& app, GlobalOptions& global, CommandResult& result);

}  // namespace rotguard::cli

#endif  // ROTGUARD_CLI_APP_H_
