// CdpConnection: the DevTools protocol over Chromium's debugging pipe
// (--remote-debugging-pipe). Each message is one JSON object followed by a
// '\0', in both directions. Commands carry an id and get exactly one reply
// with that id ({"id","result"} or {"id","error"}); everything else is an
// event ({"method","params"}). With flattened sessions
// (Target.attachToTarget flatten:true) page commands, replies and events
// carry the target's "sessionId" on the same pipe.
//
// Every wait is bounded by a deadline (poll on the read fd); malformed
// JSON, EOF, a message over the cap and timeouts are Status errors that
// name the method. EOF and an oversized message break the connection for
// good (the stream can no longer be framed); a timeout or one malformed
// message does not. Not thread-safe.
#ifndef ROTGUARD_BROWSER_CDP_CONNECTION_H_
#define ROTGUARD_BROWSER_CDP_CONNECTION_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "rotguard/status.h"
#include "util/handles.h"

namespace rotguard {

struct CdpEvent {
  std::string method;
  std::string session_id;  // empty: a browser-level event
  nlohmann::json params;
};

class CdpConnection {
 public:
  using Clock = std::chrono::steady_clock;
  // Chromium's own limit for one pipe message (devtools_pipe_handler.cc).
  static constexpr std::size_t kDefaultMaxMessage = std::size_t{100} << 20;
  // Events beyond this many unread ones are dropped (counted), so a page
  // that floods the pipe cannot grow the queue without bound.
  static constexpr std::size_t kMaxQueuedEvents = 100000;

  // `to_browser` is written (Chromium's fd 3), `from_browser` read (its
  // fd 4); both are made non-blocking.
  CdpConnection(Fd to_browser, Fd from_browser,
                std::size_t max_message = kDefaultMaxMessage);

  // Sends a command; returns its id. session_id empty: the browser target.
  Result<std::int64_t> Send(std::string_view method,
                            const nlohmann::json& params,
                            std::string_view session_id,
                            Clock::time_point deadline);
  // Waits for the reply to `id` (sent for `method`), queueing the events
  // and keeping the other replies that arrive first. A CDP error reply is
  // a kInternal Status with its message.
  Result<nlohmann::json> AwaitReply(std::int64_t id, std::string_view method,
                                    Clock::time_point deadline);
  // Send + AwaitReply.
  Result<nlohmann::json> Call(std::string_view method,
                              const nlohmann::json& params,
                              std::string_view session_id,
                              Clock::time_point deadline);

  // The oldest queued event; when none is queued, reads until one arrives
  // or the deadline passes (then nullopt, not an error).
  Result<std::optional<CdpEvent>> NextEvent(Clock::time_point deadline);
  void DropQueuedEvents() { events_.clear(); }
  std::size_t dropped_events() const { return dropped_events_; }

  // False once EOF or an oversized message was seen.
  bool healthy() const { return broken_.ok(); }

 private:
  // Reads what is available (waiting at most until the deadline) and
  // dispatches every complete message. Ok with nothing read on timeout.
  Status Pump(Clock::time_point deadline, std::string_view waiting_for);
  Status Dispatch(std::string_view message, std::string_view waiting_for);
  Status WriteAll(std::string_view bytes, Clock::time_point deadline,
                  std::string_view method);

  Fd to_browser_;
  Fd from_browser_;
  std::size_t max_message_;
  std::int64_t next_id_ = 1;
  std::string inbox_;                               // bytes after the last '\0'
  std::set<std::int64_t> pending_;                  // sent, reply not yet read
  std::map<std::int64_t, nlohmann::json> replies_;  // arrived early
  std::deque<CdpEvent> events_;
  std::size_t dropped_events_ = 0;
  Status broken_;
};

}  // namespace rotguard

#endif  // ROTGUARD_BROWSER_CDP_CONNECTION_H_
