#include "cli/fetcher_setup.h"

#include <filesystem>
#include <system_error>
#include <utility>

#include "cli/exit_codes.h"
#include "rotguard/warc_writer.h"

namespace rotguard::cli {

std::unique_ptr<Fetcher> MakeCliFetcher(const NetworkFlags& network,
                                        const Config& config,
                                        const Store& store) {
  FetchOptions fetch;
  fetch.fetch = config.fetch;
  fetch.hosts = config.hosts;
  fetch.resolve = network.resolve;
  fetch.connect_to = network.connect_to;
  fetch.cacert = network.cacert;
  WarcBodyOptions body{size_t{1} << 20, store.root() / "tmp"};
  std::error_code ignored;
  std::filesystem::create_directories(body.temp_dir, ignored);
  fetch.new_body = WarcHttpResponseFactory(body);
  Result<std::unique_ptr<Fetcher>> made = NewCurlFetcher(std::move(fetch));
  if (!made.ok()) {
    const bool usage = made.status().code() == ErrorCode::kInvalidArgument;
    throw CliError(usage ? kExitUsage : kExitIoError, made.status().message());
  }
  return std::move(*made);
}

}  // namespace rotguard::cli
