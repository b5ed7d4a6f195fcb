#include "rotguard/store.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "store/file_lock.h"
#include "store/store_logger.h"
#include "util/file.h"

namespace rotguard {
namespace {

namespace fs = std::filesystem;

Status NoStoreHere(const fs::path& root) {
  return Status::NotFound(root.string() +
                          ": no rotguard store here (run 'rotguard init')");
}

// mkdir -p that reports which path failed and why; every failure is an
// IOError (a missing parent of a store we were asked to create is an I/O
// problem, not a usage one).
Status MakeDirectories(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    return Status::IOError("cannot create " + dir.string() + ": " +
                           ec.message());
  }
  if (!fs::is_directory(dir, ec)) {
    return Status::IOError(dir.string() + ": not a directory");
  }
  return Status::Ok();
}

Status WriteDefaultConfigIfMissing(const fs::path& path) {
  std::error_code ec;
  if (fs::exists(fs::symlink_status(path, ec))) return Status::Ok();
  Status status = WriteFileAtomically(path, DefaultStoreConfigText());
  if (!status.ok()) return Status::IOError(status.message());
  return Status::Ok();
}

bool IsWarcFileName(const std::string& name) {
  if (name.empty() || name.front() == '.') return false;  // import's temp
  for (std::string_view suffix :
       {".warc", ".warc.gz", ".arc", ".arc.gz", ".warc.open", ".warc.gz.open",
        ".arc.open", ".arc.gz.open"}) {
    if (name.ends_with(suffix)) return true;
  }
  return false;
}

// WARC (and ARC) files anywhere under warc/, .open ones included.
int64_t CountWarcFiles(const fs::path& warc_dir) {
  int64_t count = 0;
  std::error_code ec;
  fs::recursive_directory_iterator it(warc_dir, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file(ec) &&
        IsWarcFileName(it->path().filename().string())) {
      ++count;
    }
  }
  return count;
}

// A manifest that is missing or empty (0 bytes, no WAL beside it) next to
// WARC files lost its index: opening it as a new store would forget every
// capture, and the next run would reuse WARC serials.
Status CheckManifestNotLost(const fs::path& root) {
  fs::path manifest = root / "manifest.sqlite3";
  std::error_code ec;
  bool missing = !fs::exists(manifest, ec);
  if (!missing) {
    uintmax_t size = fs::file_size(manifest, ec);
    if (ec || size != 0) return Status::Ok();
    uintmax_t wal = fs::file_size(root / "manifest.sqlite3-wal", ec);
    if (!ec && wal != 0) return Status::Ok();
  }
  int64_t warcs = CountWarcFiles(root / "warc");
  if (warcs == 0) return Status::Ok();
  return Status::Corruption(
      root.string() + ": the manifest manifest.sqlite3 is " +
      (missing ? "missing" : "empty (0 bytes)") + " but warc/ holds " +
      std::to_string(warcs) + (warcs == 1 ? " WARC file" : " WARC files") +
      ": this is a store that lost its manifest, not a new one; run "
      "'rotguard repair --rebuild-manifest' to rebuild it from the WARC "
      "files");
}

// NotFound when `root` has no manifest; IOError when it cannot be looked at.
Status CheckStoreExists(const fs::path& root) {
  struct stat st;
  if (::stat(root.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return NoStoreHere(root);
    return Status::IOError(root.string() + ": " + std::strerror(errno));
  }
  if (!S_ISDIR(st.st_mode)) {
    return Status::NotFound(root.string() +
                            ": not a directory, so no rotguard store here");
  }
  fs::path manifest = root / "manifest.sqlite3";
  if (::stat(manifest.c_str(), &st) != 0) {
    if (errno != ENOENT) {
      return Status::IOError(manifest.string() + ": " + std::strerror(errno));
    }
    ROTGUARD_RETURN_IF_ERROR(CheckManifestNotLost(root));
    return NoStoreHere(root);
  }
  return CheckManifestNotLost(root);
}

// The PostgreSQL URL the manifest lives at: `options.manifest_url`, else
// the store config's [manifest] url; "" for manifest.sqlite3. A config
// that does not load gives "" here and its error later, where it always
// did.
std::string ManifestUrl(const fs::path& root, const StoreOptions& options) {
  if (!options.manifest_url.empty()) return options.manifest_url;
  std::error_code ec;
  if (!fs::exists(root / "rotguard.toml", ec) && options.config_file.empty()) {
    return "";
  }
  Result<Config> config =
      LoadConfig(root / "rotguard.toml", options.config_file);
  return config.ok() ? config->manifest.url : "";
}

Status CheckManifestUrl(const std::string& url) {
  if (url.empty() || url.starts_with("postgresql://") ||
      url.starts_with("postgres://")) {
    return Status::Ok();
  }
  return Status::InvalidArgument("--manifest " + url +
                                 ": not a postgresql:// URL");
}

// For a store opened without its manifest (the rebuild): the directory
// must look like a store, a manifest file is not needed.
Status CheckStoreDirectory(const fs::path& root) {
  std::error_code ec;
  if (fs::exists(root / "manifest.sqlite3", ec) ||
      fs::is_directory(root / "warc", ec)) {
    return Status::Ok();
  }
  return NoStoreHere(root);
}

// errno when this process cannot write to `root`: EROFS on a read-only
// mount, EACCES without write permission; 0 when it can.
int NotWritableError(const fs::path& root) {
  if (::access(root.c_str(), W_OK) == 0) return 0;
  return errno == EROFS || errno == EACCES ? errno : 0;
}

// A read-only store's manifest is opened as usual when SQLite can (its
// -wal and -shm files exist), else read as an immutable file: WAL mode
// cannot create its -shm file on a read-only filesystem.
Result<std::unique_ptr<Manifest>> OpenStoreManifest(const fs::path& path,
                                                    bool read_only) {
  Result<std::unique_ptr<Manifest>> manifest = OpenManifest(path.string());
  if (manifest.ok() || !read_only) return manifest;
  return OpenManifestReadOnly(path.string());
}

}  // namespace

Store::Store(fs::path root, LockMode mode)
    : root_(std::move(root)), mode_(mode) {}

Store::~Store() {
  if (log_ != nullptr) spdlog::info("closing store {}", root_.string());
  // Members go in reverse order: the manifest closes before the lock is
  // released, so no other run sees a half-closed database.
  manifest_.reset();
  log_.reset();
  lock_.reset();
}

Result<bool> Store::Init(const fs::path& root,
                         const std::string& manifest_url) {
  ROTGUARD_RETURN_IF_ERROR(CheckManifestUrl(manifest_url));
  // A server that refuses us (no password, no database) fails the init
  // before anything is created, so the retry is a first init, not a
  // half-made store that already exists.
  if (!manifest_url.empty()) {
    Result<std::unique_ptr<Manifest>> reachable = OpenManifest(manifest_url);
    if (!reachable.ok()) return reachable.status();
  }
  std::error_code ec;
  bool new_directory =
      !fs::exists(root / "rotguard.toml", ec) && !fs::exists(root / "warc", ec);
  // The root first, so a failure names the path the user gave.
  for (const fs::path& dir :
       {root, root / "warc" / "imported", root / "damaged", root / "logs"}) {
    ROTGUARD_RETURN_IF_ERROR(MakeDirectories(dir));
  }
  ROTGUARD_RETURN_IF_ERROR(WriteDefaultConfigIfMissing(root / "rotguard.toml"));
  Result<std::unique_ptr<FileLock>> lock =
      FileLock::Acquire(root / "lock", LockMode::kExclusive, root);
  if (!lock.ok()) return lock.status();
  if (!manifest_url.empty()) {
    Result<std::unique_ptr<Manifest>> manifest = OpenManifest(manifest_url);
    if (!manifest.ok()) return manifest.status();
    if (new_directory) ROTGUARD_RETURN_IF_ERROR(SyncDirectory(root));
    return new_directory;
  }
  ROTGUARD_RETURN_IF_ERROR(CheckManifestNotLost(root));
  fs::path manifest_path = root / "manifest.sqlite3";
  bool existed = fs::exists(manifest_path, ec);
  Result<std::unique_ptr<Manifest>> manifest =
      OpenManifest(manifest_path.string());
  if (!manifest.ok()) return manifest.status();
  manifest->reset();
  if (!existed) ROTGUARD_RETURN_IF_ERROR(SyncDirectory(root));
  return !existed;
}

Result<std::unique_ptr<Store>> Store::Open(const fs::path& root, LockMode mode,
                                           const StoreOptions& options) {
  ROTGUARD_RETURN_IF_ERROR(CheckManifestUrl(options.manifest_url));
  std::string manifest_url = ManifestUrl(root, options);
  // A store whose manifest is on a server has no manifest.sqlite3 to look
  // for (or to find missing): its directory is what must exist.
  ROTGUARD_RETURN_IF_ERROR(options.open_manifest && manifest_url.empty()
                               ? CheckStoreExists(root)
                               : CheckStoreDirectory(root));
  std::unique_ptr<Store> store(new Store(root, mode));
  store->manifest_url_ = std::move(manifest_url);
  int write_error = mode == LockMode::kShared ? NotWritableError(root) : 0;
  store->read_only_ = write_error != 0;
  if (store->read_only_) {
    store->notes_.push_back("store " + root.string() + " is read-only (" +
                            std::strerror(write_error) +
                            "): reading it without writing the log");
  }
  Result<std::unique_ptr<FileLock>> lock =
      FileLock::Acquire(root / "lock", mode, root);
  if (store->read_only_ && lock.status().code() == ErrorCode::kNotFound) {
    store->notes_.push_back(lock.status().message() +
                            ": no lock file, so reading without a lock");
  } else if (!lock.ok()) {
    return lock.status();
  } else {
    store->lock_ = std::move(*lock);
  }

  Result<Config> config = LoadConfig(store->config_path(), options.config_file);
  if (!config.ok()) return config.status();
  store->config_ = std::move(*config);

  if (options.open_manifest) {
    Result<std::unique_ptr<Manifest>> manifest =
        store->manifest_on_server()
            ? OpenManifest(store->manifest_url_)
            : OpenStoreManifest(store->manifest_path(), store->read_only_);
    if (!manifest.ok()) return manifest.status();
    store->manifest_ = std::move(*manifest);
  }

  if (options.log_to_file && !store->read_only_) {
    Result<std::unique_ptr<StoreLogger>> log =
        StoreLogger::Install(store->log_path(), options.verbosity,
                             options.log_json, options.log_color);
    if (!log.ok()) return log.status();
    store->log_ = std::move(*log);
    spdlog::info("opened store {} ({} lock)", root.string(),
                 mode == LockMode::kExclusive ? "exclusive" : "shared");
  }
  return store;
}

Result<std::unique_ptr<Store>> Store::OpenOrCreate(
    const fs::path& root, LockMode mode, const StoreOptions& options) {
  std::string manifest_url = ManifestUrl(root, options);
  Status exists =
      manifest_url.empty() ? CheckStoreExists(root) : CheckStoreDirectory(root);
  if (exists.code() == ErrorCode::kNotFound) {
    Result<bool> created = Init(root, manifest_url);
    if (!created.ok()) return created.status();
  } else if (!exists.ok()) {
    return exists;
  }
  return Open(root, mode, options);
}

Result<int64_t> Store::NextWarcSerial() {
  if (manifest_ == nullptr) {
    return Status::Internal("the store was opened without its manifest");
  }
  if (mode_ != LockMode::kExclusive) {
    return Status::Internal("the WARC serial needs the store's exclusive lock");
  }
  return manifest_->NextCounter("warc_serial");
}

}  // namespace rotguard
