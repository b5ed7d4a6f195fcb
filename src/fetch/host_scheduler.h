// The fetcher's politeness scheduler (SPEC §6 "Politeness"): which queued
// hop may start now. Every host has its own FIFO; hosts with work take
// turns; a host runs at most `per_host` transfers at once and waits
// `delay_ms` between starts; the run as a whole at most `jobs`. A retry
// waits on a timer (backoff, or a 429/503 Retry-After up to a cap) and then
// goes to the front of its host's queue, as does a chain's next hop, so
// chains finish before new jobs on that host begin.
//
// No I/O and no clock of its own: the caller passes `now` (the fetcher's
// FetchOptions::now seam), so tests drive it with a fake clock.
#ifndef ROTGUARD_FETCH_HOST_SCHEDULER_H_
#define ROTGUARD_FETCH_HOST_SCHEDULER_H_

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <queue>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "rotguard/config.h"

namespace rotguard::fetch_internal {

// How long a retry waits: the backoff doubles per attempt (`backoff_ms`
// << attempt); a 429/503 with a parseable Retry-After (delta-seconds, or
// an HTTP-date relative to `wall_now`) replaces it, capped at
// `retry_after_cap_s`.
std::chrono::milliseconds RetryDelay(
    const FetchConfig& cfg, int attempt, int status,
    std::string_view retry_after,
    std::chrono::system_clock::time_point wall_now);

class HostScheduler {
 public:
  using Clock = std::chrono::steady_clock;
  using JobId = uint64_t;
  // Starts a job's hop; true when a transfer began (it then counts against
  // the limits until OnFinished), false when the job ended without one.
  using StartFn = std::function<bool(JobId)>;

  // `fetch` gives `jobs`, `per_host` and `delay_ms`; `hosts` the per-host
  // overrides of the last two.
  HostScheduler(const FetchConfig& fetch,
                const std::map<std::string, HostConfig>& hosts);

  // Queues a new job at the back of its host's queue.
  void EnqueueBack(JobId job, const std::string& host);
  // Queues a job continuing its chain at the front of its host's queue.
  void EnqueueFront(JobId job, const std::string& host);
  // Queues `job` at the front of its host's queue once `now + wait` passes.
  void RetryLater(JobId job, const std::string& host, Clock::time_point now,
                  Clock::duration wait);

  // Moves the retries due by `now` to their hosts' queues, then calls
  // `start` for every job the limits let begin now, hosts taking turns,
  // until they are exhausted or `cancelled()` (when given) says so.
  // Returns when the next start held back only by a host's delay is due,
  // or Clock::time_point::max() when none is.
  Clock::time_point StartReady(Clock::time_point now, const StartFn& start,
                               const std::function<bool()>& cancelled = {});
  // A transfer of `host` that began in StartReady has ended.
  void OnFinished(const std::string& host);
  // The earlier of `wake` and the next retry timer.
  Clock::time_point EarliestWake(Clock::time_point wake) const;
  // Forgets every queued job and timer (cancellation); in-flight counts
  // stay until their OnFinished.
  void DropQueued();

  int active() const { return active_; }
  int active(const std::string& host) const;
  bool idle() const;  // nothing queued, waiting or in flight

 private:
  struct Host {
    std::string name;
    std::deque<JobId> queue;
    int active = 0;
    int limit = 2;
    int delay_ms = 0;
    Clock::time_point next_start{};
    bool in_rotation = false;
  };
  struct Timer {
    Clock::time_point at;
    uint64_t seq;
    JobId job;
    Host* host;
    bool operator>(const Timer& o) const {
      return at != o.at ? at > o.at : seq > o.seq;
    }
  };

  Host* HostNamed(const std::string& name);
  void PushFront(JobId job, Host* host);
  void FireTimers(Clock::time_point now);
  // One host's turn; returns when its delay holds the next start back.
  Clock::time_point StartFromHost(Host* host, Clock::time_point now,
                                  const StartFn& start,
                                  const std::function<bool()>& cancelled);

  FetchConfig fetch_;
  std::map<std::string, HostConfig> overrides_;
  int total_limit_ = 1;
  int active_ = 0;
  std::unordered_map<std::string, std::unique_ptr<Host>> hosts_;
  std::deque<Host*> rotation_;
  std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers_;
  uint64_t timer_seq_ = 0;
};

}  // namespace rotguard::fetch_internal

#endif  // ROTGUARD_FETCH_HOST_SCHEDULER_H_
