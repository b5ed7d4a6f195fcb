// A fixed set of threads draining a bounded queue of tasks: the one
// worker pool of the code base (archive writers, verify --jobs, the
// ordered post scan).
#ifndef ROTGUARD_UTIL_WORKER_POOL_H_
#define ROTGUARD_UTIL_WORKER_POOL_H_

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "rotguard/status.h"

namespace rotguard {

// Tasks run in the order they were submitted (FIFO), each on one of the
// pool's threads; with more than one thread, tasks run concurrently.
// Submit() waits while `capacity` tasks are queued (not yet taken), so a
// fast producer cannot pile work up. Close() (or the destructor) lets the
// threads run what is queued, then joins them. A task that throws never
// takes its thread (or the process) down: the pool keeps the first
// exception and Close() reports it.
//
// Thread-safety: Submit() and Close() may be called from any thread but a
// pool thread (Close() from a task would wait for itself).
//
//   WorkerPool pool(WorkerPool::ThreadsFor(4), /*capacity=*/16);
//   pool.Submit([&] { Hash(file); });
//   Status s = pool.Close();
class WorkerPool {
 public:
  using Task = std::function<void()>;

  // At least one thread, and a capacity of at least one task.
  WorkerPool(size_t threads, size_t capacity);
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;
  ~WorkerPool();  // Close(), its status ignored

  // Queues `task`, waiting while the queue is full. False (and `task`
  // dropped) once the pool is closed.
  bool Submit(Task task);

  // No more tasks; runs what is queued and joins the threads. Internal
  // naming the first exception a task threw, else Ok. Idempotent.
  Status Close();

  // The cores of the machine (at least `min`), at most `max`: a thread
  // count for CPU-bound work.
  static size_t ThreadsFor(size_t max, size_t min = 1);

 private:
  void Drain();
  void Run(const Task& task);

  std::mutex mu_;
  std::condition_variable not_empty_, not_full_;
  std::deque<Task> tasks_;
  const size_t capacity_;
  bool closed_ = false;
  std::exception_ptr first_failure_;  // under mu_
  std::mutex join_mu_;                // one Close() joins
  std::vector<std::thread> threads_;  // last: they start in the constructor
};

}  // namespace rotguard

#endif  // ROTGUARD_UTIL_WORKER_POOL_H_
