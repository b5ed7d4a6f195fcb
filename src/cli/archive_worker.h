// `rotguard archive --worker` (SPEC §10): claims due URLs from the work
// queue in batches and archives them all in ONE ordinary run (RunArchive
// with worker_id set and the claims as its ArchiveOptions::next_work),
// and keeps its leases alive meanwhile.
#ifndef ROTGUARD_CLI_ARCHIVE_WORKER_H_
#define ROTGUARD_CLI_ARCHIVE_WORKER_H_

#include <atomic>
#include <functional>
#include <string>

#include "rotguard/archive.h"
#include "rotguard/fetch.h"
#include "rotguard/store.h"

namespace rotguard::cli {

struct WorkerFlags {
  bool enabled = false;  // --worker
  std::string id;        // --worker-id; "" : HOST-PID
  int lease_seconds = 120;
  int claim = 50;  // URLs per claimed batch
  bool follow = false;
};

// The id a worker runs under: `flags.id`, or HOST-PID. Only letters,
// digits, '.', '-' and '_' (it names a directory and a file part).
std::string WorkerIdOf(const WorkerFlags& flags);

struct WorkerRun {
  ArchiveSummary total;  // counts added over every session
  int exit_code = 0;     // the worst session's ArchiveExitCode
  int64_t batches = 0;   // claims that brought URLs
};

// One run over the claimed batches until no due URL is left and no live
// lease can return one. With --follow, until `stop`: a session ends when
// the queue has nothing for it, and the next run begins with the next
// claimed batch. The fetcher must be made with FetchOptions::keep_running.
// Holds <store>/workers/ID.lock for its whole life: a second worker with the
// same id is Locked (exit 4). `on_locked(id)` runs once the lock is held,
// before the first claim (the CLI closes the stale .open files of warc/ID/
// there). Throws CliError on failures.
WorkerRun RunArchiveWorker(
    Store& store, Fetcher& fetcher, const ArchiveOptions& base,
    const WorkerFlags& flags, const std::atomic<bool>& stop,
    const std::function<void(const std::string&)>& on_locked = {});

}  // namespace rotguard::cli

#endif  // ROTGUARD_CLI_ARCHIVE_WORKER_H_
