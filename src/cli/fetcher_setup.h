// The fetcher every network command builds the same way (archive,
// verify --live): settings, explicit name mappings, an extra CA, and WARC
// response bodies spooled to the store's tmp directory.
#ifndef ROTGUARD_CLI_FETCHER_SETUP_H_
#define ROTGUARD_CLI_FETCHER_SETUP_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rotguard/config.h"
#include "rotguard/fetch.h"
#include "rotguard/store.h"

namespace CLI {
class App;
}

namespace rotguard::cli {

struct NetworkFlags {
  std::vector<std::string> resolve;       // --resolve HOST:PORT:ADDR
  std::vector<std::string> connect_to;    // --connect-to
  std::string cacert;                     // --cacert FILE
  std::optional<std::string> proxy;       // --proxy URL ("" direct)
  std::optional<std::string> user_agent;  // --user-agent STRING
};

// Adds --resolve, --connect-to, --cacert, --proxy, --user-agent and
// --allow-private to `command`, spelled and explained the same on every
// command that fetches.
void AddNetworkOptions(CLI::App* command, NetworkFlags& network,
                       bool& allow_private);

// Adds --proxy and --user-agent (`prefix` starts their help text, e.g.
// "--live: "); AddNetworkOptions calls it.
void AddProxyAndAgentOptions(CLI::App* command, NetworkFlags& network,
                             const std::string& prefix = "");

// --proxy and --user-agent on top of the loaded [fetch] settings. Throws
// CliError (usage) for a malformed proxy URL or a user agent with CR, LF
// or another control character.
void ApplyNetworkFlags(const NetworkFlags& network, Config* config);

// Throws CliError (usage for a bad --resolve/--cacert, else I/O). The
// fetcher never requests a URL the store's tombstones name.
// `keep_running`: for the browser lane (FetchOptions::keep_running).
std::unique_ptr<Fetcher> MakeCliFetcher(const NetworkFlags& network,
                                        const Config& config, Store& store,
                                        bool keep_running = false);

}  // namespace rotguard::cli

#endif  // ROTGUARD_CLI_FETCHER_SETUP_H_
