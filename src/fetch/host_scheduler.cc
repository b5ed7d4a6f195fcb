// The fetcher's per-host queues, limits, delays and retry timers
// (host_scheduler.h).
#include "fetch/host_scheduler.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "fetch/fetch_internal.h"

namespace rotguard::fetch_internal {

std::chrono::milliseconds RetryDelay(
    const FetchConfig& cfg, int attempt, int status,
    std::string_view retry_after,
    std::chrono::system_clock::time_point wall_now) {
  if ((status == 429 || status == 503) && !retry_after.empty()) {
    std::optional<std::chrono::seconds> asked =
        ParseRetryAfter(retry_after, wall_now);
    if (asked) {
      return std::min<std::chrono::milliseconds>(
          *asked, std::chrono::seconds(std::max(0, cfg.retry_after_cap_s)));
    }
  }
  return std::chrono::milliseconds(int64_t{std::max(0, cfg.backoff_ms)}
                                   << std::min(attempt, 20));
}

HostScheduler::HostScheduler(const FetchConfig& fetch,
                             const std::map<std::string, HostConfig>& hosts)
    : fetch_(fetch), overrides_(hosts), total_limit_(std::max(1, fetch.jobs)) {}

HostScheduler::Host* HostScheduler::HostNamed(const std::string& name) {
  auto it = hosts_.find(name);
  if (it != hosts_.end()) return it->second.get();
  auto host = std::make_unique<Host>();
  host->name = name;
  host->limit = std::max(1, fetch_.per_host);
  host->delay_ms = std::max(0, fetch_.delay_ms);
  if (auto o = overrides_.find(name); o != overrides_.end()) {
    if (o->second.per_host) host->limit = std::max(1, *o->second.per_host);
    if (o->second.delay_ms) host->delay_ms = std::max(0, *o->second.delay_ms);
  }
  Host* raw = host.get();
  hosts_.emplace(name, std::move(host));
  return raw;
}

void HostScheduler::EnqueueBack(JobId job, const std::string& host_name) {
  Host* host = HostNamed(host_name);
  host->queue.push_back(job);
  if (!host->in_rotation) {
    host->in_rotation = true;
    rotation_.push_back(host);
  }
}

void HostScheduler::EnqueueFront(JobId job, const std::string& host_name) {
  PushFront(job, HostNamed(host_name));
}

void HostScheduler::PushFront(JobId job, Host* host) {
  host->queue.push_front(job);
  if (!host->in_rotation) {
    host->in_rotation = true;
    rotation_.push_front(host);
  }
}

void HostScheduler::RetryLater(JobId job, const std::string& host,
                               Clock::time_point now, Clock::duration wait) {
  timers_.push(Timer{now + wait, timer_seq_++, job, HostNamed(host)});
}

void HostScheduler::FireTimers(Clock::time_point now) {
  while (!timers_.empty() && timers_.top().at <= now) {
    Timer timer = timers_.top();
    timers_.pop();
    PushFront(timer.job, timer.host);
  }
}

HostScheduler::Clock::time_point HostScheduler::StartFromHost(
    Host* host, Clock::time_point now, const StartFn& start,
    const std::function<bool()>& cancelled) {
  while (!host->queue.empty() && host->active < host->limit &&
         active_ < total_limit_ && !(cancelled && cancelled())) {
    if (host->next_start > now) return host->next_start;
    JobId job = host->queue.front();
    host->queue.pop_front();
    if (start(job)) {
      ++host->active;
      ++active_;
      host->next_start = now + std::chrono::milliseconds(host->delay_ms);
    }
  }
  return Clock::time_point::max();
}

HostScheduler::Clock::time_point HostScheduler::StartReady(
    Clock::time_point now, const StartFn& start,
    const std::function<bool()>& cancelled) {
  FireTimers(now);
  Clock::time_point wake = Clock::time_point::max();
  const size_t turns = rotation_.size();
  for (size_t i = 0; i < turns && active_ < total_limit_ && !rotation_.empty();
       ++i) {
    Host* host = rotation_.front();
    rotation_.pop_front();
    wake = std::min(wake, StartFromHost(host, now, start, cancelled));
    if (host->queue.empty()) {
      host->in_rotation = false;
    } else {
      rotation_.push_back(host);
    }
  }
  return wake;
}

void HostScheduler::OnFinished(const std::string& host_name) {
  Host* host = HostNamed(host_name);
  --host->active;
  --active_;
}

HostScheduler::Clock::time_point HostScheduler::EarliestWake(
    Clock::time_point wake) const {
  return timers_.empty() ? wake : std::min(wake, timers_.top().at);
}

void HostScheduler::DropQueued() {
  timers_ = {};
  rotation_.clear();
  for (auto& [name, host] : hosts_) {
    host->queue.clear();
    host->in_rotation = false;
  }
}

int HostScheduler::active(const std::string& host) const {
  auto it = hosts_.find(host);
  return it == hosts_.end() ? 0 : it->second->active;
}

bool HostScheduler::idle() const {
  return active_ == 0 && timers_.empty() && rotation_.empty();
}

}  // namespace rotguard::fetch_internal
