#include "util/worker_pool.h"

#include <algorithm>
#include <exception>
#include <string>
#include <utility>

namespace rotguard {

WorkerPool::WorkerPool(size_t threads, size_t capacity)
    : capacity_(std::max<size_t>(capacity, 1)) {
  threads = std::max<size_t>(threads, 1);
  threads_.reserve(threads);
  for (size_t i = 0; i < threads; ++i)
    threads_.emplace_back([this] { Drain(); });
}

WorkerPool::~WorkerPool() { (void)Close(); }

bool WorkerPool::Submit(Task task) {
  std::unique_lock<std::mutex> lock(mu_);
  not_full_.wait(lock, [&] { return tasks_.size() < capacity_ || closed_; });
  if (closed_) return false;
  tasks_.push_back(std::move(task));
  not_empty_.notify_one();
  return true;
}

Status WorkerPool::Close() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
  }
  not_empty_.notify_all();
  not_full_.notify_all();  // a Submit() waiting for room gives up
  {
    std::lock_guard<std::mutex> lock(join_mu_);
    for (std::thread& thread : threads_) {
      if (thread.joinable()) thread.join();
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (!first_failure_) return Status::Ok();
  try {
    std::rethrow_exception(first_failure_);
  } catch (const std::exception& e) {
    return Status::Internal(std::string("worker task failed: ") + e.what());
  } catch (...) {
    return Status::Internal("worker task failed: unknown exception");
  }
}

size_t WorkerPool::ThreadsFor(size_t max, size_t min) {
  size_t cores = std::max<size_t>(std::thread::hardware_concurrency(), min);
  return std::max<size_t>(std::min(cores, max), 1);
}

// One pool thread: tasks until the pool is closed and empty.
void WorkerPool::Drain() {
  for (;;) {
    Task task;
    {
      std::unique_lock<std::mutex> lock(mu_);
      not_empty_.wait(lock, [&] { return !tasks_.empty() || closed_; });
      if (tasks_.empty()) return;
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    not_full_.notify_one();
    Run(task);
  }
}

void WorkerPool::Run(const Task& task) {
  try {
    task();
  } catch (...) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!first_failure_) first_failure_ = std::current_exception();
  }
}

}  // namespace rotguard
