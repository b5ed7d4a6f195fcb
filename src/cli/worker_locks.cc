#include "cli/worker_locks.h"

#include <fcntl.h>
#include <sys/file.h>

#include <cerrno>
#include <cstring>
#include <set>
#include <string>
#include <system_error>

#include "rotguard/store.h"

namespace rotguard::cli {

std::filesystem::path WorkerLockPath(const Store& store,
                                     const std::string& id) {
  return store.root() / "workers" / (id + ".lock");
}

namespace {

// Takes `id`'s lock without waiting: a valid Fd when no worker holds it.
Result<Fd> TryLockWorker(const std::filesystem::path& path) {
  Fd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
  if (!fd.valid()) {
    return Status::IOError(path.string() + ": " + std::strerror(errno));
  }
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) return Fd();
    return Status::IOError(path.string() + ": " + std::strerror(errno));
  }
  return fd;
}

}  // namespace

// The names in `dir` that are directories (want_dirs) or files ending in
// `suffix`, the suffix cut off.
Status AddNames(const std::filesystem::path& dir, bool want_dirs,
                const std::string& suffix, std::set<std::string>* names) {
  std::error_code ec;
  if (!std::filesystem::exists(dir, ec)) return Status::Ok();
  std::filesystem::directory_iterator it(dir, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (want_dirs ? it->is_directory(ec)
                  : name.size() > suffix.size() && name.ends_with(suffix)) {
      names->insert(want_dirs ? name
                              : name.substr(0, name.size() - suffix.size()));
    }
  }
  if (ec) return Status::IOError(dir.string() + ": " + ec.message());
  return Status::Ok();
}

Result<WorkerDirs> LockStoppedWorkers(const Store& store) {
  // Workers that run hold their lock whether or not they wrote a file yet;
  // stopped ones matter only where they left a directory.
  std::set<std::string> ids, dirs;
  ROTGUARD_RETURN_IF_ERROR(
      AddNames(store.root() / "workers", false, ".lock", &ids));
  ROTGUARD_RETURN_IF_ERROR(AddNames(store.warc_dir(), true, "", &dirs));
  dirs.erase("imported");
  ids.insert(dirs.begin(), dirs.end());
  std::error_code ec;
  std::filesystem::create_directories(store.root() / "workers", ec);
  if (ec)
    return Status::IOError((store.root() / "workers").string() + ": " +
                           ec.message());
  WorkerDirs result;
  for (const std::string& id : ids) {
    Result<Fd> lock = TryLockWorker(WorkerLockPath(store, id));
    if (!lock.ok()) return lock.status();
    if (!lock->valid()) {
      result.running.push_back(id);
    } else if (dirs.contains(id)) {
      result.stopped.emplace_back(id, std::move(*lock));
    }
  }
  return result;
}

}  // namespace rotguard::cli
