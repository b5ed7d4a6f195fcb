// The hand-over from the fetch thread to the writer threads: a bounded
// FIFO drained by a worker pool, which keeps one order the pipeline needs:
// a job's end is handled only after every exchange of the job was handled
// (writers finish exchanges out of order, and the end judges the chain).
#ifndef ROTGUARD_ARCHIVE_WORK_QUEUE_H_
#define ROTGUARD_ARCHIVE_WORK_QUEUE_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>

#include "rotguard/chain_outcome.h"
#include "rotguard/fetch.h"
#include "rotguard/status.h"
#include "util/worker_pool.h"

namespace rotguard::archiver {

// One unit for the writer threads.
struct WorkItem {
  enum class Type { kExchange, kDone } type = Type::kExchange;
  uint64_t tag = 0;            // the job's
  FetchedExchange exchange;    // kExchange
  std::string quality;         // kExchange: its capture quality, "" if none
  FetchOutcome outcome;        // kDone
  std::vector<ChainHop> hops;  // kDone: the chain's responses, in order
};

// Push() runs on one thread (the fetch thread) and waits while `capacity`
// items are queued, so spooled bodies do not pile up when the writers fall
// behind. `exchange` runs on the pool's threads, several at once; `done`
// runs once per job end, after `exchange` returned for every exchange of
// the job pushed before it: on the thread that handled the last of them,
// or on the one that took the end.
class WorkQueue {
 public:
  struct Handlers {
    std::function<void(WorkItem&)> exchange;
    std::function<void(WorkItem&)> done;
  };

  WorkQueue(size_t threads, size_t capacity, Handlers handlers);
  ~WorkQueue() { (void)Close(); }

  void Push(WorkItem item);
  // Handles what is queued, then joins the threads; the pool's status (a
  // handler that threw).
  Status Close() { return pool_.Close(); }

 private:
  void HandleExchange(WorkItem& item);
  void HandleDone(WorkItem& item);

  const Handlers handlers_;
  std::mutex mu_;
  // Exchanges pushed but not handled yet, and ends waiting for them; by
  // job tag.
  std::unordered_map<uint64_t, int> unhandled_;
  std::unordered_map<uint64_t, WorkItem> deferred_;
  WorkerPool pool_;  // last: its threads use the members above
};

}  // namespace rotguard::archiver

#endif  // ROTGUARD_ARCHIVE_WORK_QUEUE_H_
