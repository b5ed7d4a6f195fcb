// Browser::Impl: the running Chromium (process + DevTools connection), and
// PageRun, the state of one CapturePage call.
#ifndef ROTGUARD_BROWSER_BROWSER_IMPL_H_
#define ROTGUARD_BROWSER_BROWSER_IMPL_H_

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "browser/browser_process.h"
#include "browser/cdp_connection.h"
#include "rotguard/browser.h"

namespace rotguard {

class Browser::Impl {
 public:
  explicit Impl(BrowserOptions options) : options_(std::move(options)) {}

  // Starts Chromium and checks it answers (Browser.getVersion).
  Status Start();
  // Restarts Chromium when it died, its pipe broke, a page could not be
  // closed, or it stays above the memory cap with no page open.
  Status EnsureRunning();
  Result<PageCapture> Capture(const std::string& url,
                              const CaptureOptions& options);

  const BrowserOptions& options() const { return options_; }
  BrowserProcess* process() { return process_.get(); }

 private:
  BrowserOptions options_;
  std::unique_ptr<BrowserProcess> process_;
  std::unique_ptr<CdpConnection> cdp_;
  bool restart_needed_ = false;
};

// One page load: its browser context, target and session, the requests
// seen so far, and the bounded waits of the capture sequence.
class PageRun {
 public:
  using Clock = CdpConnection::Clock;
  PageRun(CdpConnection& cdp, const BrowserProcess& process,
          const BrowserOptions& browser, const CaptureOptions& options,
          const std::string& url);

  // The whole sequence; on any failure the caller still runs Close().
  Status Run();
  // Closes the target and disposes of its context; false when Chromium
  // did not answer (the browser should then be restarted).
  bool Close();
  PageCapture& capture() { return capture_; }

 private:
  Status Steps();
  Status Open();
  Status Navigate();
  Status ScrollToEnd();
  Status Snapshot();
  Status Screenshot();
  Status Thumbnail(double width, double height);
  Result<nlohmann::json> PageCall(std::string_view method,
                                  const nlohmann::json& params);
  // Handles events until `done` holds (true), `until` passes (false) or
  // the page limit passes (an error).
  Result<bool> PumpUntil(const std::function<bool()>& done,
                         Clock::time_point until);
  Status Handle(const CdpEvent& event);
  void HandleNetwork(const CdpEvent& event);
  Status CheckMemory();
  Status LimitReached(std::string_view stage) const;
  Clock::time_point IdleDeadline() const;

  CdpConnection& cdp_;
  const BrowserProcess& process_;
  const BrowserOptions& browser_;
  const CaptureOptions& options_;
  Clock::time_point start_;
  Clock::time_point deadline_;
  std::string stage_ = "opening the page";
  std::string context_id_, target_id_, session_id_, loader_id_;
  PageCapture capture_;
  std::map<std::string, std::size_t> request_index_;  // requestId -> row
  std::set<std::string> in_flight_;
  Clock::time_point last_network_activity_;
  Clock::time_point next_memory_check_;
  bool lifecycle_idle_ = false;
};

}  // namespace rotguard

#endif  // ROTGUARD_BROWSER_BROWSER_IMPL_H_
