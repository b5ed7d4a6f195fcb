// The browser lane's parts that need no Archiver (browser_lane.h): page
// selection, DOM quality, resource records, and the run of browsers, proxy
// and fetcher with their threads.
#include "archive/browser_lane.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "archive/body_text.h"
#include "rotguard/capture_quality.h"
#include "rotguard/manifest.h"

namespace rotguard::archiver {
namespace {

// How long the lane's fetcher may finish requests in flight once every
// page is done, before they are cancelled (their records are still
// written: a cancelled transfer ends its job).
constexpr std::chrono::seconds kFetchDrain{10};

// The fetcher's sink during the lane: the proxy's jobs go to the upstream
// first (the waiting browser request gets its bytes), which then hands
// the exchange to the record sink; job ends go to both.
class RoutingSink final : public FetchSink {
 public:
  RoutingSink(FetcherUpstream& upstream, FetchSink* record)
      : upstream_(upstream), record_(record) {}
  void OnExchange(const FetchJob& job, FetchedExchange& exchange) override {
    if (FetcherUpstream::IsProxyJob(job)) {
      upstream_.OnExchange(job, exchange);
    } else if (record_ != nullptr) {
      record_->OnExchange(job, exchange);
    }
  }
  void OnDone(const FetchOutcome& outcome) override {
    if (FetcherUpstream::IsProxyJob(outcome.job)) upstream_.OnDone(outcome);
    if (record_ != nullptr) record_->OnDone(outcome);
  }

 private:
  FetcherUpstream& upstream_;
  FetchSink* record_;
};

// The pages being captured right now (for the blocked-request log), and
// the next page to take.
class PageBoard {
 public:
  explicit PageBoard(const std::vector<std::string>& pages) : pages_(pages) {}
  std::optional<std::string> Take() {
    std::lock_guard<std::mutex> lock(mu_);
    if (next_ >= pages_.size()) return std::nullopt;
    const std::string& url = pages_[next_++];
    active_.insert(url);
    return url;
  }
  // No page is taken any more (the run was cancelled).
  void Stop() {
    std::lock_guard<std::mutex> lock(mu_);
    next_ = pages_.size();
  }
  void Done(const std::string& url) {
    std::lock_guard<std::mutex> lock(mu_);
    active_.erase(url);
  }
  std::vector<std::string> Active() {
    std::lock_guard<std::mutex> lock(mu_);
    return {active_.begin(), active_.end()};
  }

 private:
  const std::vector<std::string>& pages_;
  std::mutex mu_;
  size_t next_ = 0;
  std::multiset<std::string> active_;
};

// One browser thread: Launch here (the child dies with this thread:
// PR_SET_PDEATHSIG), then pages until none is left. A browser that does
// not start fails every page it takes, so none is silently skipped.
void BrowserThread(PageBoard& board, RecordingProxy& proxy,
                   const BrowserOptions& browser_options,
                   const LaneOptions& options, const LaneHooks& hooks) {
  Result<std::unique_ptr<Browser>> browser = Browser::Launch(browser_options);
  if (!browser.ok()) {
    spdlog::warn("browser: chromium did not start: {}",
                 browser.status().message());
  }
  while (std::optional<std::string> url = board.Take()) {
    Result<PageCapture> capture =
        browser.ok() ? (*browser)->CapturePage(*url, options.capture)
                     : Result<PageCapture>(browser.status());
    if (hooks.page_done) hooks.page_done(*url, capture);
    board.Done(*url);
    proxy.ResetByteBudget();
  }
}

// The browser threads, until every page is done; then the proxy stops.
void RunBrowsers(PageBoard& board, RecordingProxy& proxy, const EphemeralCa& ca,
                 const LaneOptions& options, const LaneHooks& hooks,
                 size_t pages) {
  BrowserOptions bo;
  bo.chromium = options.chromium;
  // "127.0.0.1:PORT": the browser module writes the scheme itself.
  bo.proxy = ProxySettings{"127.0.0.1:" + std::to_string(proxy.port()),
                           ca.SpkiSha256Base64()};
  bo.log_path = options.chromium_log;
  bo.memory_cap_bytes = options.memory_cap_bytes;
  const int jobs = std::max(1, std::min(options.jobs, static_cast<int>(pages)));
  std::vector<std::thread> browsers;
  for (int i = 0; i < jobs; ++i) {
    browsers.emplace_back(BrowserThread, std::ref(board), std::ref(proxy),
                          std::cref(bo), std::cref(options), std::cref(hooks));
  }
  for (std::thread& t : browsers) t.join();
  proxy.Stop();
}

RecordingProxyOptions ProxyOptionsOf(const LaneOptions& options,
                                     PageBoard& board, const LaneHooks& hooks) {
  RecordingProxyOptions po;
  po.resolve = options.resolve;
  po.connect_to = options.connect_to;
  po.in_scope = options.in_scope;
  po.max_total_bytes = options.max_page_bytes;
  po.on_blocked = [&board, &hooks](const BlockedRequest& request) {
    if (hooks.blocked) hooks.blocked(request, board.Active());
  };
  return po;
}

}  // namespace

bool WantsBrowser(std::string_view mode, const StaticPage& page) {
  if (mode != "thin" && mode != "always") return false;
  if (page.kind != "link" && page.kind != "url") return false;
  if (page.http_status < 200 || page.http_status > 299) return false;
  if (!IsHtmlMediaType(MediaType(page.content_type))) return false;
  return mode == "always" ? page.quality != "challenge"
                          : page.quality == "thin";
}

std::vector<std::string> SelectBrowserPages(
    std::string_view mode, const std::vector<StaticPage>& pages) {
  std::vector<std::string> selected;
  std::set<std::string> seen;
  for (const StaticPage& page : pages) {
    if (WantsBrowser(mode, page) && seen.insert(page.url).second) {
      selected.push_back(page.url);
    }
  }
  return selected;
}

std::string DomQuality(const std::string& dom_html, const std::string& url,
                       int http_status) {
  extract::QualityInput input;
  input.html = true;
  input.http_status = http_status;
  input.signals = extract::ScanPage(dom_html, url).signals;
  return std::string(QualityName(ClassifyCapture(input)));
}

Result<std::vector<WarcRecordLocation>> WriteBrowserResources(
    WarcWriter& writer, const std::string& page_uri,
    const std::string& response_record_id,
    std::chrono::system_clock::time_point date, const PageCapture& page) {
  // The prefixes restore and report look the records up by.
  struct Part {
    const char* uri_prefix;
    const char* type;
    const std::string* bytes;
  };
  const Part parts[] = {
      {kDomSnapshotPrefix, "text/html; charset=utf-8", &page.dom_html},
      {kScreenshotPrefix, "image/png", &page.screenshot_png},
      {kThumbnailPrefix, "image/png", &page.thumbnail_png},
  };
  std::vector<WarcRecordLocation> written;
  for (const Part& part : parts) {
    // A DOM is always written (even empty: the page rendered nothing);
    // a page too small to draw has no picture.
    if (part.bytes->empty() && part.bytes != &page.dom_html) continue;
    WarcCapture capture;
    capture.target_uri = part.uri_prefix + page_uri;
    capture.date = date;
    capture.concurrent_to = response_record_id;
    Result<WarcRecordLocation> loc =
        writer.WriteResource(capture, part.type, *part.bytes);
    if (!loc.ok()) return loc.status();
    written.push_back(std::move(*loc));
  }
  return written;
}

Result<LaneResult> RunBrowserLane(const std::vector<std::string>& pages,
                                  Fetcher& fetcher, const LaneOptions& options,
                                  const LaneHooks& hooks) {
  LaneResult result;
  std::error_code ec;
  std::filesystem::path temp = std::filesystem::temp_directory_path(ec);
  result.stale_profiles_removed = RemoveStaleProfiles(ec ? "/tmp" : temp);
  if (result.stale_profiles_removed > 0) {
    spdlog::info("browser: removed {} stale Chromium profile(s) of killed runs",
                 result.stale_profiles_removed);
  }
  Result<std::unique_ptr<EphemeralCa>> ca = EphemeralCa::Create();
  if (!ca.ok()) return ca.status();
  // A browser request waits at most a page's time (and a little more, so
  // the page limit, not this wait, ends a page that waits on it).
  const int wait_ms =
      static_cast<int>(options.capture.page_timeout.count()) + 5000;
  FetcherUpstream upstream(fetcher, hooks.record, wait_ms);
  RoutingSink sink(upstream, hooks.record);
  Status fetch_status;
  std::mutex fetch_mu;
  std::condition_variable fetch_cv;
  bool fetch_ended = false;
  PageBoard board(pages);
  std::thread fetch_thread([&] {
    Status status = fetcher.Run(sink);
    // Before the pages are done only on a cancel (SIGINT/SIGTERM): the
    // browsers' waiting requests fail at once and no page starts.
    board.Stop();
    upstream.Abort();
    std::lock_guard<std::mutex> lock(fetch_mu);
    fetch_status = status;
    fetch_ended = true;
    fetch_cv.notify_all();
  });
  Result<std::unique_ptr<RecordingProxy>> proxy = RecordingProxy::Start(
      ProxyOptionsOf(options, board, hooks), **ca, upstream);
  if (proxy.ok()) {
    RunBrowsers(board, **proxy, **ca, options, hooks, pages.size());
    result.proxy = (*proxy)->stats();
  }
  upstream.Abort();
  fetcher.EndKeepRunning();
  {
    // A request no browser waits for any more (a long poll of a closed
    // page) would hold Run() up to the fetcher's total timeout.
    std::unique_lock<std::mutex> lock(fetch_mu);
    if (!fetch_cv.wait_for(lock, kFetchDrain, [&] { return fetch_ended; })) {
      fetcher.RequestCancel();
    }
  }
  fetch_thread.join();
  if (!proxy.ok()) return proxy.status();
  if (!fetch_status.ok()) return fetch_status;
  return result;
}

}  // namespace rotguard::archiver
