#include "cli/archive_worker.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "cli/exit_codes.h"
#include "rotguard/manifest.h"
#include "util/handles.h"

namespace rotguard::cli {
namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Renews the worker's leases every third of the lease on a connection of
// its own (a Manifest is not thread-safe), reconnecting after a failure,
// so a slow batch never loses its URLs to another worker while this one
// is alive. A killed worker stops renewing: its leases expire.
class LeaseKeeper {
 public:
  LeaseKeeper(std::string location, std::string owner, int64_t lease_ms)
      : location_(std::move(location)),
        owner_(std::move(owner)),
        lease_ms_(lease_ms),
        thread_([this] { Loop(); }) {}
  LeaseKeeper(const LeaseKeeper&) = delete;
  LeaseKeeper& operator=(const LeaseKeeper&) = delete;
  ~LeaseKeeper() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }

 private:
  void Loop() {
    std::unique_lock<std::mutex> lock(mu_);
    const auto period =
        std::chrono::milliseconds(std::max<int64_t>(100, lease_ms_ / 3));
    while (!wake_.wait_for(lock, period, [this] { return stopping_; })) {
      Renew();
    }
  }

  void Renew() {
    if (manifest_ == nullptr) {
      Result<std::unique_ptr<Manifest>> opened = OpenManifest(location_);
      if (!opened.ok()) {
        spdlog::warn("worker {}: lease renewal: {}", owner_,
                     opened.status().message());
        return;
      }
      manifest_ = std::move(*opened);
    }
    Result<int64_t> renewed =
        manifest_->RenewLeases(owner_, NowMs(), lease_ms_);
    if (!renewed.ok()) {
      spdlog::warn("worker {}: lease renewal: {}", owner_,
                   renewed.status().message());
      manifest_.reset();  // reconnect on the next tick
    }
  }

  const std::string location_;
  const std::string owner_;
  const int64_t lease_ms_;
  std::unique_ptr<Manifest> manifest_;  // the keeper thread's own
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;  // last: starts once the rest is built
};

// <store>/workers/ID.lock, flocked for the worker's life: a second worker
// with the same id (so the same warc/ID/ directory) is refused, and
// `repair` can tell a running worker's files from a dead one's. Not under
// warc/, where verify would take it for a stray file.
Fd LockWorker(const Store& store, const std::string& id) {
  std::filesystem::path dir = store.root() / "workers";
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw CliError(kExitIoError, dir.string() + ": " + ec.message());
  std::filesystem::path path = dir / (id + ".lock");
  Fd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
  if (!fd.valid()) {
    throw CliError(kExitIoError, path.string() + ": cannot open");
  }
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    throw CliError(kExitLocked, "worker " + id + " is already running (" +
                                    path.string() + " is locked)");
  }
  return fd;
}

void AddCounts(const ArchiveSummary& s, ArchiveSummary* total) {
  total->due += s.due;
  total->jobs += s.jobs;
  total->requisites += s.requisites;
  total->requisites_dropped += s.requisites_dropped;
  total->originals += s.originals;
  total->fetched += s.fetched;
  total->captures += s.captures;
  total->revisits += s.revisits;
  total->records += s.records;
  total->failed += s.failed;
  for (const auto& [name, count] : s.failed_by_class) {
    total->failed_by_class[name] += count;
  }
  total->failed_links += s.failed_links;
  total->bytes += s.bytes;
  total->seconds += s.seconds;
  total->cancelled = total->cancelled || s.cancelled;
  total->run_id = s.run_id;
}

// Sleeps up to `ms`, waking early when `stop` is set.
void Nap(int64_t ms, const std::atomic<bool>& stop) {
  for (int64_t slept = 0; slept < ms && !stop.load(); slept += 50) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

// The worker's work source (ArchiveOptions::next_work): claims on a
// connection of its own (the run's committer owns the store's), on the
// run's feed thread. The stream ends when `stop` is set, or (without
// --follow) once the run holds nothing and no URL is due: none free, and
// no live lease of another worker that could expire and give work back.
// With --follow a session that did work ends once it holds nothing and
// finds nothing to claim: the next begins with the next work (Prime), so
// a worker that runs for months keeps no run's bookkeeping that long.
class ClaimSource {
 public:
  ClaimSource(std::string location, std::string owner, int64_t lease_ms,
              const WorkerFlags& flags, const std::atomic<bool>& stop)
      : location_(std::move(location)),
        owner_(std::move(owner)),
        lease_ms_(lease_ms),
        flags_(flags),
        stop_(stop) {}

  // The first batch of the next session, claimed between sessions.
  void Prime(std::vector<std::string> urls) {
    primed_ = std::move(urls);
    session_batches_ = 0;
  }

  Result<WorkBatch> Next(bool drained) {
    WorkBatch batch;
    batch.end = stop_.load();
    if (batch.end) return batch;
    if (!primed_.empty()) {
      batch.urls.swap(primed_);
      Count();
      return batch;
    }
    if (manifest_ == nullptr) {
      Result<std::unique_ptr<Manifest>> opened = OpenManifest(location_);
      if (!opened.ok()) return opened.status();
      manifest_ = std::move(*opened);
    }
    Result<std::vector<std::string>> claimed =
        manifest_->ClaimWork(owner_, NowMs(), lease_ms_, flags_.claim);
    if (!claimed.ok()) return claimed.status();
    if (!claimed->empty()) {
      spdlog::info("worker {}: claimed {} URLs", owner_, claimed->size());
      Count();
      batch.urls = std::move(*claimed);
      return batch;
    }
    // Our own leases count as live until their rows are committed: only
    // a drained run can tell whether any other lease is left.
    if (!drained) return batch;
    if (flags_.follow) {
      batch.end = session_batches_ > 0;
      return batch;
    }
    Result<Manifest::WorkCounts> counts = manifest_->CountWork(NowMs());
    if (!counts.ok()) return counts.status();
    batch.end = counts->free == 0 && counts->leased == 0;
    return batch;
  }

  int64_t batches() const { return batches_; }

 private:
  void Count() {
    ++batches_;
    ++session_batches_;
  }

  const std::string location_;
  const std::string owner_;
  const int64_t lease_ms_;
  const WorkerFlags& flags_;
  const std::atomic<bool>& stop_;
  std::unique_ptr<Manifest> manifest_;  // the feed thread's own
  std::vector<std::string> primed_;
  int64_t batches_ = 0;
  int64_t session_batches_ = 0;
};

// --follow between sessions: claims on the store's connection (no run
// uses it now) every `poll_ms` until work comes; empty once `stop`.
std::vector<std::string> WaitForWork(Manifest& manifest, const std::string& id,
                                     int64_t lease_ms, int claim,
                                     int64_t poll_ms,
                                     const std::atomic<bool>& stop) {
  while (!stop.load()) {
    Result<std::vector<std::string>> claimed =
        manifest.ClaimWork(id, NowMs(), lease_ms, claim);
    ThrowIfError(claimed.status());
    if (!claimed->empty()) {
      spdlog::info("worker {}: claimed {} URLs", id, claimed->size());
      return std::move(*claimed);
    }
    Nap(poll_ms, stop);
  }
  return {};
}

// One session: a run over the claimed batches. What it did not decide
// (cut short, failed) goes back to the queue for anyone; decided URLs
// left it with their commits.
ArchiveSummary RunSession(Store& store, Fetcher& fetcher,
                          const ArchiveOptions& options,
                          const std::string& id) {
  Result<ArchiveSummary> summary = RunArchive(store, &fetcher, options);
  Manifest& manifest = store.manifest();
  if (!summary.ok()) {
    (void)manifest.ReleaseLeases(id, /*done=*/false);  // best effort
    ThrowIfError(summary.status());
  }
  ThrowIfError(manifest.ReleaseLeases(id, /*done=*/false).status());
  return *summary;
}

}  // namespace

std::string WorkerIdOf(const WorkerFlags& flags) {
  std::string id = flags.id;
  if (id.empty()) {
    char host[256] = {};
    if (::gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
    id = std::string(host[0] != '\0' ? host : "localhost") + "-" +
         std::to_string(::getpid());
  }
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
    if (!ok || id == "." || id == ".." || id == "imported") {
      throw CliError(kExitUsage, "--worker-id '" + id +
                                     "': use letters, digits, '.', '-', '_'");
    }
  }
  return id;
}

WorkerRun RunArchiveWorker(
    Store& store, Fetcher& fetcher, const ArchiveOptions& base,
    const WorkerFlags& flags, const std::atomic<bool>& stop,
    const std::function<void(const std::string&)>& on_locked) {
  const std::string id = WorkerIdOf(flags);
  Fd lock = LockWorker(store, id);
  if (on_locked) on_locked(id);
  const int64_t lease_ms = int64_t{flags.lease_seconds} * 1000;
  // Polling for work others may give back: often enough that an expired
  // lease is taken soon, bounded so idle workers cost the server little.
  const int64_t poll_ms = std::clamp<int64_t>(lease_ms / 4, 200, 5000);
  LeaseKeeper keeper(store.manifest_location(), id, lease_ms);
  ClaimSource source(store.manifest_location(), id, lease_ms, flags, stop);
  // A session is one run over the claimed batches.
  ArchiveOptions options = base;
  options.paths.clear();
  options.urls.clear();
  options.all = true;  // due when enqueued: claimed means fetch
  options.worker_id = id;
  options.next_work = [&source](bool drained) { return source.Next(drained); };
  // The next batch is claimed while the last one's jobs are still under
  // way, so the fetcher never drains between batches.
  options.work_low_water = static_cast<size_t>(std::max(1, flags.claim));
  // Without --follow, "nothing now" in a session means others hold the
  // last leases: asked twice a second, the worker exits within half a
  // second of their last commit (not a whole poll_ms later).
  options.work_poll_ms = static_cast<int>(
      flags.follow ? poll_ms : std::min<int64_t>(poll_ms, 500));
  WorkerRun run;
  for (;;) {
    ArchiveSummary session = RunSession(store, fetcher, options, id);
    AddCounts(session, &run.total);
    run.exit_code = std::max(run.exit_code, ArchiveExitCode(&session));
    if (!flags.follow || stop.load() || session.cancelled) break;
    std::vector<std::string> next =
        WaitForWork(store.manifest(), id, lease_ms, flags.claim, poll_ms, stop);
    if (next.empty()) break;  // stopped
    source.Prime(std::move(next));
    fetcher.ResumeKeepRunning();
  }
  run.batches = source.batches();
  return run;
}

}  // namespace rotguard::cli
