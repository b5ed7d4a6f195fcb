// The store directory (SPEC §4):
//
//   <root>/rotguard.toml      the store's settings
//   <root>/manifest.sqlite3   the manifest (manifest.h), unless it lives
//                             in PostgreSQL ([manifest] url, --manifest)
//   <root>/warc/              WARC files; warc/imported/ for foreign ones
//   <root>/damaged/           bytes cut off by `repair`, never deleted
//   <root>/logs/rotguard.log  rotating log of every run
//   <root>/lock               advisory lock (flock) of the running command
//
// A Store object holds the lock for its whole life: shared for readers
// (verify, report, restore, extract, export), exclusive for writers
// (archive, import, repair, scan --update). A conflict fails at once with
// Locked; nothing waits. Not thread-safe.
#ifndef ROTGUARD_STORE_H_
#define ROTGUARD_STORE_H_

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "rotguard/config.h"
#include "rotguard/manifest.h"
#include "rotguard/status.h"

namespace rotguard {

enum class LockMode { kShared, kExclusive };

class FileLock;     // src/store/file_lock.h
class StoreLogger;  // src/store/store_logger.h

struct StoreOptions {
  // `--config FILE`, applied over the store's rotguard.toml; empty: none.
  std::filesystem::path config_file;
  // Send spdlog's default logger to <root>/logs/rotguard.log (rotating)
  // while the Store is open. Off for tools and tests that want no log.
  bool log_to_file = true;
  // Log level: 0 info, 1 debug, 2+ trace, negative warnings only.
  int verbosity = 0;
  // Log lines as text ("TIME [PID] LEVEL: MESSAGE") or as JSON Lines
  // ({"time","pid","level","msg"}) for log shippers (`--log-format`).
  bool log_json = false;
  // Text log lines with their level in ANSI colour (`--color always`, for
  // `tail -f`; `auto` never colours a file). JSON lines never are.
  bool log_color = false;
  // Take the lock and load the configuration but leave the manifest
  // closed, so a missing, empty or damaged one is no error (`repair
  // --rebuild-manifest` replaces it). manifest() must not be called.
  bool open_manifest = true;
  // `--manifest URL` or $ROTGUARD_MANIFEST: a postgresql:// URL that
  // overrides the config's [manifest] url. Empty: the config's, and
  // without one <root>/manifest.sqlite3. The WARC files stay in the store
  // directory either way; only the manifest moves.
  std::string manifest_url;
};

class Store {
 public:
  // Creates the layout at `root` where missing, leaving existing files
  // untouched; a fresh rotguard.toml lists every default, commented out.
  // Returns true when it created the manifest (a new store), false when
  // the store was already initialized. Fails with IOError naming the path
  // it could not create, Locked when a run holds the store, Corruption
  // when an existing manifest is damaged.
  // With `manifest_url` (a postgresql:// URL) the manifest is created or
  // migrated in that database instead of <root>/manifest.sqlite3, and the
  // result is true when the store directory was new.
  static Result<bool> Init(const std::filesystem::path& root,
                           const std::string& manifest_url = "");

  // Opens an existing store. A missing store is NotFound "<root>: no
  // rotguard store here (run 'rotguard init')"; an unreadable file is
  // IOError naming it; a damaged manifest is Corruption naming it; a bad
  // config is InvalidArgument naming file:line; a held lock is Locked.
  // A manifest that is missing or empty while warc/ holds WARC files is
  // Corruption too (the index was lost, the store is not new): Init()
  // and OpenOrCreate() refuse it the same way rather than start afresh.
  static Result<std::unique_ptr<Store>> Open(const std::filesystem::path& root,
                                             LockMode mode,
                                             const StoreOptions& options = {});

  // Init() when the store is missing, then Open() (SPEC §13: archive and
  // import create the store).
  static Result<std::unique_ptr<Store>> OpenOrCreate(
      const std::filesystem::path& root, LockMode mode,
      const StoreOptions& options = {});

  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;
  ~Store();  // releases the lock (clearing the pid) and the log file

  const std::filesystem::path& root() const { return root_; }
  std::filesystem::path config_path() const { return root_ / "rotguard.toml"; }
  std::filesystem::path manifest_path() const {
    return root_ / "manifest.sqlite3";
  }
  // What OpenManifest() takes for this store's manifest: manifest_path(),
  // or the postgresql:// URL it was opened with.
  std::string manifest_location() const {
    return manifest_url_.empty() ? manifest_path().string() : manifest_url_;
  }
  // The manifest is a PostgreSQL database, not manifest.sqlite3.
  bool manifest_on_server() const { return !manifest_url_.empty(); }
  std::filesystem::path warc_dir() const { return root_ / "warc"; }
  std::filesystem::path imported_dir() const {
    return root_ / "warc" / "imported";
  }
  std::filesystem::path damaged_dir() const { return root_ / "damaged"; }
  std::filesystem::path log_path() const {
    return root_ / "logs" / "rotguard.log";
  }
  LockMode lock_mode() const { return mode_; }
  // Opened kShared on a store this process cannot write (a read-only
  // mount, or no write permission): the lock is taken on a read-only
  // descriptor (or skipped when there is no lock file), no log is written
  // and the manifest is read as it is. Writes to the manifest fail.
  bool read_only() const { return read_only_; }
  // What the caller should tell the user about how the store was opened
  // (read-only, no lock, no log), one line each.
  const std::vector<std::string>& notes() const { return notes_; }

  Manifest& manifest() { return *manifest_; }
  // False when opened with StoreOptions::open_manifest = false.
  bool has_manifest() const { return manifest_ != nullptr; }
  // Built-in defaults < rotguard.toml < StoreOptions::config_file.
  const Config& config() const { return config_; }

  // The next store-wide WARC serial (NNNNN of SPEC §4), 1 first,
  // persisted in the manifest. Needs the exclusive lock, which is what
  // makes it safe against a second process.
  Result<int64_t> NextWarcSerial();

 private:
  Store(std::filesystem::path root, LockMode mode);

  std::filesystem::path root_;
  std::string manifest_url_;  // "" for manifest.sqlite3
  LockMode mode_;
  bool read_only_ = false;
  std::vector<std::string> notes_;
  std::unique_ptr<FileLock> lock_;  // null when a read-only store has none
  std::unique_ptr<StoreLogger> log_;
  std::unique_ptr<Manifest> manifest_;
  Config config_;
};

}  // namespace rotguard

#endif  // ROTGUARD_STORE_H_
