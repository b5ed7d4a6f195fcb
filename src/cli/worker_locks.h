// Which `archive --worker` processes are running, told by their locks:
// each holds <store>/workers/ID.lock (flock) for its life and writes only
// into warc/ID/. `repair` uses this to repair the directories of stopped
// workers while others run (issue #18 item 3).
#ifndef ROTGUARD_CLI_WORKER_LOCKS_H_
#define ROTGUARD_CLI_WORKER_LOCKS_H_

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "rotguard/status.h"
#include "util/handles.h"

namespace rotguard {
class Store;
}

namespace rotguard::cli {

// <store>/workers/ID.lock.
std::filesystem::path WorkerLockPath(const Store& store, const std::string& id);

// The worker directories under warc/ (every warc/ID/ but imported/),
// split by whether their worker runs. A stopped worker's lock is taken
// and kept in its Fd, so no worker with that id starts while the caller
// works in its directory.
struct WorkerDirs {
  std::vector<std::string> running;
  std::vector<std::pair<std::string, Fd>> stopped;
};
Result<WorkerDirs> LockStoppedWorkers(const Store& store);

}  // namespace rotguard::cli

#endif  // ROTGUARD_CLI_WORKER_LOCKS_H_
