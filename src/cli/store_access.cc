#include "cli/store_access.h"

#include <iostream>
#include <string>

#include "cli/exit_codes.h"
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

}  // namespace rotguard::cli
