#include "cli/store_access.h"

#include <iostream>
#include <string>

#include "cli/exit_codes.h"
#include "cli/output.h"
#include "util/terminal_text.h"

namespace rotguard::cli {

int StoreExitCode(const Status& status) {
  switch (status.code()) {
    case ErrorCode::kOk:
      return kExitOk;
    case ErrorCode::kNotFound:         // no store here
    case ErrorCode::kInvalidArgument:  // rotguard.toml or --config
      return kExitUsage;
    case ErrorCode::kLocked:
      return kExitLocked;
    default:  // a damaged manifest is an I/O error outside verify
      return kExitIoError;
  }
}

void PrintStoreNotes(const Store& store, const GlobalOptions& global) {
  if (global.verbosity < 0) return;
  for (const std::string& note : store.notes()) {
    std::cerr << "rotguard: note: " << TerminalSafe(note) << '\n';
  }
}

StoreOptions StoreOptionsOf(const GlobalOptions& global) {
  StoreOptions options;
  options.config_file = global.config;
  options.verbosity = global.verbosity;
  options.log_json = global.log_json;
  options.manifest_url = global.manifest;
  options.log_color = !global.log_json && FileColor();
  return options;
}

std::unique_ptr<Store> OpenStoreOrThrow(const GlobalOptions& global,
                                        LockMode mode, StoreCreation creation) {
  StoreOptions options = StoreOptionsOf(global);
  Result<std::unique_ptr<Store>> store =
      creation == StoreCreation::kCreate
          ? Store::OpenOrCreate(global.store, mode, options)
          : Store::Open(global.store, mode, options);
  if (!store.ok()) {
    std::string message = store.status().message();
    if (store.status().code() == ErrorCode::kCorruption &&
        message.find("--rebuild-manifest") == std::string::npos) {
      message +=
          "; run 'rotguard repair --rebuild-manifest' to rebuild the "
          "manifest from the WARC files";
    }
    throw CliError(StoreExitCode(store.status()), message);
  }
  PrintStoreNotes(**store, global);
  return std::move(*store);
}

std::unique_ptr<Store> OpenStoreWithoutManifestOrThrow(
    const GlobalOptions& global) {
  StoreOptions options = StoreOptionsOf(global);
  options.open_manifest = false;
  Result<std::unique_ptr<Store>> store =
      Store::Open(global.store, LockMode::kExclusive, options);
  if (!store.ok()) {
    throw CliError(StoreExitCode(store.status()), store.status().message());
  }
  PrintStoreNotes(**store, global);
  return std::move(*store);
}

void ThrowIfManifestDamaged(Store& store) {
  Status integrity = store.manifest().CheckIntegrity(/*quick=*/true);
  if (integrity.ok()) return;
  throw CliError(kExitIoError,
                 "the manifest is damaged (" + integrity.message() +
                     "); its rows cannot be trusted: run 'rotguard repair "
                     "--rebuild-manifest' to rebuild it from the WARC files");
}

std::filesystem::path SiteRootOfStore(const std::filesystem::path& store_root) {
  std::filesystem::path root =
      std::filesystem::absolute(store_root).lexically_normal();
  if (!root.has_filename()) root = root.parent_path();  // "…/.rotguard/"
  return root.parent_path();
}

std::vector<std::string> DefaultContentPaths(
    const SiteConfig& site, const std::filesystem::path& site_root) {
  if (site.content_dirs.empty()) {
    throw CliError(kExitUsage,
                   "no PATH given and the store's [site] content_dirs is "
                   "empty: name the posts to read, or run 'rotguard init' in "
                   "a Hugo or Jekyll site root (or 'init --site DIR')");
  }
  std::error_code ec;
  bool here = std::filesystem::equivalent(
      site_root, std::filesystem::current_path(ec), ec);
  std::vector<std::string> paths;
  for (const std::string& dir : site.content_dirs) {
    paths.push_back(here ? dir : (site_root / dir).lexically_normal().string());
  }
  return paths;
}

std::string WithoutPassword(const std::string& url, const std::string& mask) {
  size_t start = url.find("://");
  if (start == std::string::npos) return url;
  size_t at = url.find('@', start + 3);
  size_t slash = url.find('/', start + 3);
  if (at == std::string::npos || (slash != std::string::npos && slash < at)) {
    return url;  // no userinfo
  }
  size_t colon = url.find(':', start + 3);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, mask.empty() ? colon : colon + 1) + mask +
         url.substr(at);
}

}  // namespace rotguard::cli
