#include "browser/cdp_connection.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>
#include <utility>

namespace rotguard {
namespace {

using Clock = CdpConnection::Clock;

void SetNonBlocking(int fd) {
  int flags = ::fcntl(fd, F_GETFL);
  if (flags >= 0) ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

// Milliseconds left until the deadline, for poll(): 0 when passed.
int PollTimeout(Clock::time_point deadline) {
  auto left =
      std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
  if (left.count() <= 0) return 0;
  return left.count() > 60000 ? 60000 : static_cast<int>(left.count());
}

// Waits until fd is ready for `events`; false when the deadline passed.
Result<bool> WaitReady(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    pollfd p{fd, events, 0};
    int rc = ::poll(&p, 1, PollTimeout(deadline));
    if (rc < 0 && errno == EINTR) continue;
    if (rc < 0) return Status::FromErrno("poll on the DevTools pipe", errno);
    if (rc > 0) return true;
    if (Clock::now() >= deadline) return false;
  }
}

// A write to a pipe whose reader died raises SIGPIPE, which would end
// rotguard: block it in this thread for the write and swallow the one it
// raised (the write still fails with EPIPE), as libcurl and OpenSSL do.
class SigpipeBlock {
 public:
  SigpipeBlock() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    sigset_t pending;
    sigemptyset(&pending);
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
  }
  ~SigpipeBlock() {
    if (!was_pending_) {
      timespec zero{0, 0};
      while (sigtimedwait(&pipe_, nullptr, &zero) == SIGPIPE) {
      }
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  SigpipeBlock(const SigpipeBlock&) = delete;
  SigpipeBlock& operator=(const SigpipeBlock&) = delete;

 private:
  sigset_t pipe_;
  sigset_t old_;
  bool was_pending_ = false;
};

std::string Named(std::string_view what, std::string_view method) {
  std::string text = "DevTools ";
  text += what;
  if (!method.empty()) {
    text += " (waiting for ";
    text += method;
    text += ")";
  }
  return text;
}

}  // namespace

CdpConnection::CdpConnection(Fd to_browser, Fd from_browser,
                             std::size_t max_message)
    : to_browser_(std::move(to_browser)),
      from_browser_(std::move(from_browser)),
      max_message_(max_message) {
  SetNonBlocking(to_browser_.get());
  SetNonBlocking(from_browser_.get());
}

Status CdpConnection::WriteAll(std::string_view bytes,
                               Clock::time_point deadline,
                               std::string_view method) {
  SigpipeBlock block;
  while (!bytes.empty()) {
    ssize_t n = ::write(to_browser_.get(), bytes.data(), bytes.size());
    if (n > 0) {
      bytes.remove_prefix(static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
      broken_ = Status::IOError(Named("pipe closed", method));
      return broken_;
    }
    Result<bool> ready = WaitReady(to_browser_.get(), POLLOUT, deadline);
    if (!ready.ok()) return ready.status();
    if (!*ready) {
      // A half-written message cannot be finished later: the framing is lost.
      broken_ = Status::ResourceExhausted(Named("write timed out", method));
      return broken_;
    }
  }
  return Status::Ok();
}

Result<std::int64_t> CdpConnection::Send(std::string_view method,
                                         const nlohmann::json& params,
                                         std::string_view session_id,
                                         Clock::time_point deadline) {
  if (!broken_.ok()) return Status(broken_);
  std::int64_t id = next_id_++;
  nlohmann::json message = {{"id", id}, {"method", method}, {"params", params}};
  if (!session_id.empty()) message["sessionId"] = session_id;
  std::string bytes =
      message.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  bytes.push_back('\0');
  ROTGUARD_RETURN_IF_ERROR(WriteAll(bytes, deadline, method));
  pending_.insert(id);
  return id;
}

Status CdpConnection::Dispatch(std::string_view message,
                               std::string_view waiting_for) {
  nlohmann::json parsed = nlohmann::json::parse(message, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return Status::Corruption(Named("sent malformed JSON", waiting_for));
  }
  auto id = parsed.find("id");
  if (id != parsed.end() && id->is_number_integer()) {
    std::int64_t n = id->get<std::int64_t>();
    // A reply to a command we gave up on (timed out) is dropped.
    if (pending_.erase(n) == 1) replies_.emplace(n, std::move(parsed));
    return Status::Ok();
  }
  auto method = parsed.find("method");
  if (method == parsed.end() || !method->is_string()) {
    return Status::Corruption(
        Named("sent a message with neither id nor method", waiting_for));
  }
  if (events_.size() >= kMaxQueuedEvents) {
    ++dropped_events_;
    return Status::Ok();
  }
  CdpEvent event;
  event.method = method->get<std::string>();
  if (auto s = parsed.find("sessionId"); s != parsed.end() && s->is_string()) {
    event.session_id = s->get<std::string>();
  }
  if (auto p = parsed.find("params"); p != parsed.end()) {
    event.params = std::move(*p);
  }
  events_.push_back(std::move(event));
  return Status::Ok();
}

Status CdpConnection::Pump(Clock::time_point deadline,
                           std::string_view waiting_for) {
  if (!broken_.ok()) return broken_;
  Result<bool> ready = WaitReady(from_browser_.get(), POLLIN, deadline);
  if (!ready.ok()) return ready.status();
  if (!*ready) return Status::Ok();
  char buffer[65536];
  ssize_t n = ::read(from_browser_.get(), buffer, sizeof buffer);
  if (n < 0) {
    if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) {
      return Status::Ok();
    }
    broken_ = Status::FromErrno(Named("pipe read", waiting_for), errno);
    return broken_;
  }
  if (n == 0) {
    broken_ = Status::IOError(Named("pipe closed (browser gone)", waiting_for));
    return broken_;
  }
  std::size_t scanned = inbox_.size();
  inbox_.append(buffer, static_cast<std::size_t>(n));
  Status first_error;
  std::size_t start = 0;
  for (std::size_t end = inbox_.find('\0', scanned); end != std::string::npos;
       end = inbox_.find('\0', start)) {
    Status s = Dispatch(std::string_view(inbox_).substr(start, end - start),
                        waiting_for);
    if (!s.ok() && first_error.ok()) first_error = std::move(s);
    start = end + 1;
  }
  inbox_.erase(0, start);
  if (inbox_.size() > max_message_) {
    inbox_.clear();
    broken_ = Status::ResourceExhausted(
        Named("message over the " + std::to_string(max_message_) + "-byte cap",
              waiting_for));
    return broken_;
  }
  return first_error;
}

Result<nlohmann::json> CdpConnection::AwaitReply(std::int64_t id,
                                                 std::string_view method,
                                                 Clock::time_point deadline) {
  for (;;) {
    if (auto it = replies_.find(id); it != replies_.end()) {
      nlohmann::json reply = std::move(it->second);
      replies_.erase(it);
      if (auto error = reply.find("error"); error != reply.end()) {
        std::string text = error->is_object() && error->contains("message") &&
                                   (*error)["message"].is_string()
                               ? (*error)["message"].get<std::string>()
                               : error->dump();
        return Status::Internal(std::string(method) + " failed: " + text);
      }
      auto result = reply.find("result");
      return result != reply.end() ? std::move(*result)
                                   : nlohmann::json::object();
    }
    if (Clock::now() >= deadline) {
      pending_.erase(id);
      return Status::ResourceExhausted(Named("reply timed out", method));
    }
    Status s = Pump(deadline, method);
    if (!s.ok()) {
      pending_.erase(id);
      replies_.erase(id);
      return s;
    }
  }
}

Result<nlohmann::json> CdpConnection::Call(std::string_view method,
                                           const nlohmann::json& params,
                                           std::string_view session_id,
                                           Clock::time_point deadline) {
  Result<std::int64_t> id = Send(method, params, session_id, deadline);
  if (!id.ok()) return id.status();
  return AwaitReply(*id, method, deadline);
}

Result<std::optional<CdpEvent>> CdpConnection::NextEvent(
    Clock::time_point deadline) {
  for (;;) {
    if (!events_.empty()) {
      CdpEvent event = std::move(events_.front());
      events_.pop_front();
      return std::optional<CdpEvent>(std::move(event));
    }
    if (Clock::now() >= deadline) return std::optional<CdpEvent>();
    ROTGUARD_RETURN_IF_ERROR(Pump(deadline, "an event"));
  }
}

}  // namespace rotguard
