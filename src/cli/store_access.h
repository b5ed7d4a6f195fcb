// Opening the store from a command, with the exit codes of SPEC §13:
// missing store or bad config → 1, locked → 4 (wins over everything),
// damaged manifest or I/O failure → 5 (verify maps damage to 3 itself).
#ifndef ROTGUARD_CLI_STORE_ACCESS_H_
#define ROTGUARD_CLI_STORE_ACCESS_H_

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "rotguard/config.h"
#include "rotguard/status.h"
#include "rotguard/store.h"

namespace rotguard::cli {

enum class StoreCreation {
  kMustExist,  // most commands: a missing store exits 1
  kCreate,     // archive and import create a missing store (SPEC §13)
};

// The exit code for a failure to create or open the store.
int StoreExitCode(const Status& status);

// The store options the global flags ask for (--config, -v/-q,
// --log-format).
StoreOptions StoreOptionsOf(const GlobalOptions& global);

// Opens (or creates) the store named by --store with --config and the
// verbosity applied; throws CliError with StoreExitCode() on failure.
// "rotguard: note: ..." on stderr for each of the store's notes (how a
// read-only store was opened), unless -q.
void PrintStoreNotes(const Store& store, const GlobalOptions& global);

std::unique_ptr<Store> OpenStoreOrThrow(
    const GlobalOptions& global, LockMode mode,
    StoreCreation creation = StoreCreation::kMustExist);

// Opens the store with the exclusive lock but not its manifest (repair
// --rebuild-manifest, which replaces a damaged or lost one).
std::unique_ptr<Store> OpenStoreWithoutManifestOrThrow(
    const GlobalOptions& global);

// Runs SQLite's quick_check on the manifest; a damaged one throws CliError
// (exit 5, SPEC §13) saying to run 'rotguard repair --rebuild-manifest'.
// For commands that would otherwise present rows read from bad pages as
// the truth (report) or act on them (repair).
void ThrowIfManifestDamaged(Store& store);

// The site root: the directory that holds the store directory.
std::filesystem::path SiteRootOfStore(const std::filesystem::path& store_root);

// What scan, archive and restore read when given no PATH: the [site]
// content_dirs, relative when the site root is the current directory
// (so output names "content/posts/a.md"), else below the site root.
// Throws CliError (exit 1) when there are none.
std::vector<std::string> DefaultContentPaths(
    const SiteConfig& site, const std::filesystem::path& site_root);

// A postgresql:// URL with its password replaced by `mask`, or removed
// with its ':' when `mask` is empty (for output, and for rotguard.toml:
// a password belongs in ~/.pgpass). Other URLs come back unchanged.
std::string WithoutPassword(const std::string& url, const std::string& mask);

}  // namespace rotguard::cli

#endif  // ROTGUARD_CLI_STORE_ACCESS_H_
