#include "archive/work_queue.h"

#include <memory>
#include <optional>
#include <utility>

namespace rotguard::archiver {

WorkQueue::WorkQueue(size_t threads, size_t capacity, Handlers handlers)
    : handlers_(std::move(handlers)), pool_(threads, capacity) {}

void WorkQueue::Push(WorkItem item) {
  // Counted when pushed: the end of a job is pushed after its exchanges,
  // so when a thread takes it, every exchange of the job is counted.
  if (item.type == WorkItem::Type::kExchange) {
    std::lock_guard<std::mutex> lock(mu_);
    ++unhandled_[item.tag];
  }
  // The pool's tasks are copyable; the item (its body) is not.
  auto shared = std::make_shared<WorkItem>(std::move(item));
  pool_.Submit([this, shared] {
    if (shared->type == WorkItem::Type::kExchange) {
      HandleExchange(*shared);
    } else {
      HandleDone(*shared);
    }
  });
}

void WorkQueue::HandleExchange(WorkItem& item) {
  std::optional<WorkItem> done;
  auto handled = [&] {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = unhandled_.find(item.tag);
    if (it == unhandled_.end() || --it->second > 0) return;
    unhandled_.erase(it);
    auto end = deferred_.find(item.tag);
    if (end == deferred_.end()) return;
    done = std::move(end->second);
    deferred_.erase(end);
  };
  try {
    handlers_.exchange(item);
  } catch (...) {
    handled();  // the job's end still comes, after this exchange
    if (done) handlers_.done(*done);
    throw;  // the pool reports it
  }
  handled();
  if (done) handlers_.done(*done);
}

void WorkQueue::HandleDone(WorkItem& item) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (unhandled_.count(item.tag) > 0) {
      deferred_.emplace(item.tag, std::move(item));
      return;  // the last of its exchanges hands it on
    }
  }
  handlers_.done(item);
}

}  // namespace rotguard::archiver
