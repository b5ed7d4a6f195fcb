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

std::unique_ptr<Store> OpenStoreOrThrow(const GlobalOptions& global,
                                        LockMode mode, StoreCreation creation) {
  StoreOptions options;
  options.config_file = global.config;
  options.verbosity = global.verbosity;
  Result<std::unique_ptr<Store>> store =
      creation == StoreCreation::kCreate
          ? Store::OpenOrCreate(global.store, mode, options)
          : Store::Open(global.store, mode, options);
  if (!store.ok()) {
    throw CliError(StoreExitCode(store.status()), store.status().message());
  }
  PrintStoreNotes(**store, global);
  return std::move(*store);
}

}  // namespace rotguard::cli
