#include "cli/fetcher_setup.h"

#include <CLI/CLI.hpp>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <system_error>
#include <unordered_set>
#include <utility>
#include <vector>

#include "cli/exit_codes.h"
#include "rotguard/manifest.h"
#include "rotguard/url.h"
#include "rotguard/warc_writer.h"

namespace rotguard::cli {

void AddNetworkOptions(CLI::App* command, NetworkFlags& network,
                       bool& allow_private) {
  command
      ->add_option("--resolve", network.resolve,
                   "HOST:PORT:ADDR, as curl --resolve (repeatable)")
      ->allow_extra_args(false);
  command
      ->add_option("--connect-to", network.connect_to,
                   "HOST:PORT:CONNECT-HOST:CONNECT-PORT, as curl "
                   "(repeatable)")
      ->allow_extra_args(false);
  command->add_option("--cacert", network.cacert,
                      "also trust the CA certificates in FILE (PEM)");
  command->add_flag("--allow-private", allow_private,
                    "allow loopback, private and link-local addresses");
  AddProxyAndAgentOptions(command, network);
}

void AddProxyAndAgentOptions(CLI::App* command, NetworkFlags& network,
                             const std::string& prefix) {
  command->add_option("--proxy", network.proxy,
                      prefix +
                          "fetch through this proxy: http://, https://, "
                          "socks5:// or socks5h://HOST:PORT (overrides "
                          "[fetch] proxy; \"\" fetches directly)");
  command->add_option("--user-agent", network.user_agent,
                      prefix +
                          "the User-Agent header sent (overrides [fetch] "
                          "user_agent; [hosts.\"name\"] user_agent still "
                          "wins for its host)");
}

void ApplyNetworkFlags(const NetworkFlags& network, Config* config) {
  if (network.proxy) {
    Status valid = ValidateProxyUrl(*network.proxy);
    if (!valid.ok()) {
      throw CliError(kExitUsage, "--proxy: " + valid.message());
    }
    config->fetch.proxy = *network.proxy;
  }
  if (network.user_agent) {
    for (char c : *network.user_agent) {
      auto byte = static_cast<unsigned char>(c);
      if ((byte < 0x20 && c != '\t') || byte == 0x7f) {
        throw CliError(kExitUsage,
                       "--user-agent: must not contain control characters "
                       "(CR, LF, ...): it is sent as an HTTP header");
      }
    }
    config->fetch.user_agent = *network.user_agent;
  }
}

namespace {

// The store's tombstones as the fetcher's `forgotten` test: a kept link
// whose chain reaches one stops there (FetchOptions::forgotten).
std::function<bool(const std::string&)> ForgottenTest(Store& store) {
  if (!store.has_manifest()) return {};
  Result<std::vector<TombstoneRow>> tombstones =
      store.manifest().ListTombstones();
  if (!tombstones.ok()) {
    throw CliError(kExitIoError, tombstones.status().message());
  }
  if (tombstones->empty()) return {};
  std::unordered_set<std::string> forgotten;
  for (const TombstoneRow& row : *tombstones) forgotten.insert(row.normalized);
  return [forgotten = std::move(forgotten)](const std::string& url) {
    std::optional<std::string> normalized = NormalizeUrl(url);
    return normalized && forgotten.count(*normalized) > 0;
  };
}

}  // namespace

std::unique_ptr<Fetcher> MakeCliFetcher(const NetworkFlags& network,
                                        const Config& config, Store& store,
                                        bool keep_running) {
  FetchOptions fetch;
  fetch.keep_running = keep_running;
  fetch.fetch = config.fetch;
  fetch.hosts = config.hosts;
  fetch.resolve = network.resolve;
  fetch.connect_to = network.connect_to;
  fetch.cacert = network.cacert;
  WarcBodyOptions body{size_t{1} << 20, store.root() / "tmp"};
  std::error_code ignored;
  std::filesystem::create_directories(body.temp_dir, ignored);
  fetch.new_body = WarcHttpResponseFactory(body);
  fetch.forgotten = ForgottenTest(store);
  Result<std::unique_ptr<Fetcher>> made = NewCurlFetcher(std::move(fetch));
  if (!made.ok()) {
    const bool usage = made.status().code() == ErrorCode::kInvalidArgument;
    throw CliError(usage ? kExitUsage : kExitIoError, made.status().message());
  }
  return std::move(*made);
}

}  // namespace rotguard::cli
