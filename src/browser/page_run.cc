// PageRun: the capture sequence of one page (round2.md §5):
//   1. a fresh browser context (no cookies or cache shared between pages)
//      with downloads denied, an about:blank target in it, attached with a
//      flattened session; Page/Network enabled, lifecycle events on;
//   2. Page.navigate, then wait (bounded) for the lifecycle "networkIdle"
//      of that navigation's loader;
//   3. scroll one viewport at a time to the end (bounded step count) so
//      IntersectionObserver and scroll-driven loaders fire, then wait for
//      idle again (no request in flight for kQuietPeriod, bounded);
//   4. the rendered DOM (DOM.getDocument + DOM.getOuterHTML) and a
//      full-page PNG (getLayoutMetrics + captureScreenshot beyond the
//      viewport, height capped).
// Throughout, popups (targets opened by the page) are closed, dialogs
// dismissed, every request recorded, and the group's memory sampled. The
// page limit (options.page_timeout) bounds all of it.
#include <algorithm>
#include <cmath>

#include "browser/browser_impl.h"
#include "util/digest.h"

namespace rotguard {
namespace {

using Clock = PageRun::Clock;
using nlohmann::json;

// The network counts as idle after this long without a request in flight
// (Puppeteer's networkidle0 and Chromium's own "networkIdle" use 500 ms).
constexpr std::chrono::milliseconds kQuietPeriod{500};
// Events are handled in slices this long, so time-based conditions (quiet
// period, memory sampling) are re-checked even when nothing arrives.
constexpr std::chrono::milliseconds kSlice{100};
// Reading smaps_rollup takes each process's mmap lock: not too often.
constexpr std::chrono::milliseconds kMemoryInterval{500};
// After each scroll step, time for observers to fire and requests to start.
constexpr std::chrono::milliseconds kScrollSettle{200};
// Closing the page may take this long even after the page limit passed.
constexpr std::chrono::seconds kCloseTimeout{3};

// One viewport down; true once the bottom of the document is in view.
constexpr const char* kScrollStep =
    "(() => { const h = Math.max(document.documentElement.scrollHeight,"
    " document.body ? document.body.scrollHeight : 0);"
    " window.scrollBy(0, window.innerHeight);"
    " return window.scrollY + window.innerHeight >= h; })()";

std::string StringAt(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

PageRun::PageRun(CdpConnection& cdp, const BrowserProcess& process,
                 const BrowserOptions& browser, const CaptureOptions& options,
                 const std::string& url)
    : cdp_(cdp),
      process_(process),
      browser_(browser),
      options_(options),
      start_(Clock::now()),
      deadline_(start_ + options.page_timeout),
      last_network_activity_(start_),
      next_memory_check_(start_) {
  capture_.requested_url = url;
}

Status PageRun::LimitReached(std::string_view stage) const {
  return Status::ResourceExhausted(
      "page time limit (" + std::to_string(options_.page_timeout.count()) +
      " ms) reached while " + std::string(stage) + ": " +
      capture_.requested_url);
}

Result<json> PageRun::PageCall(std::string_view method, const json& params) {
  Result<json> reply = cdp_.Call(method, params, session_id_, deadline_);
  if (!reply.ok() && Clock::now() >= deadline_) return LimitReached(stage_);
  return reply;
}

Status PageRun::CheckMemory() {
  Clock::time_point now = Clock::now();
  if (now < next_memory_check_) return Status::Ok();
  next_memory_check_ = now + kMemoryInterval;
  std::uint64_t used = process_.GroupMemoryBytes();
  capture_.peak_memory_bytes = std::max(capture_.peak_memory_bytes, used);
  if (used <= browser_.memory_cap_bytes) return Status::Ok();
  return Status::ResourceExhausted(
      "browser memory cap reached (" + std::to_string(used >> 20) + " MiB > " +
      std::to_string(browser_.memory_cap_bytes >> 20) + " MiB) while " +
      stage_ + ": " + capture_.requested_url);
}

void PageRun::HandleNetwork(const CdpEvent& event) {
  const json& p = event.params;
  std::string id = StringAt(p, "requestId");
  last_network_activity_ = Clock::now();
  if (event.method == "Network.requestWillBeSent") {
    const json request = p.value("request", json::object());
    PageRequest row;
    row.url = StringAt(request, "url");
    row.method = StringAt(request, "method");
    row.resource_type = StringAt(p, "type");
    // A redirect reuses the requestId: each hop is its own row.
    request_index_[id] = capture_.requests.size();
    capture_.requests.push_back(std::move(row));
    in_flight_.insert(id);
  } else if (event.method == "Network.loadingFinished") {
    in_flight_.erase(id);
  } else if (event.method == "Network.loadingFailed") {
    in_flight_.erase(id);
    auto it = request_index_.find(id);
    if (it == request_index_.end()) return;
    PageRequest& row = capture_.requests[it->second];
    row.error_text = StringAt(p, "errorText");
    row.blocked_reason = StringAt(p, "blockedReason");
  }
}

Status PageRun::Handle(const CdpEvent& event) {
  if (event.session_id.empty()) {
    if (event.method != "Target.targetCreated") return Status::Ok();
    const json info = event.params.value("targetInfo", json::object());
    std::string id = StringAt(info, "targetId");
    bool popup = StringAt(info, "openerId") == target_id_ ||
                 (StringAt(info, "browserContextId") == context_id_ &&
                  id != target_id_ && StringAt(info, "type") == "page");
    if (!popup || target_id_.empty()) return Status::Ok();
    ++capture_.popups_closed;
    Result<json> closed =
        cdp_.Call("Target.closeTarget", {{"targetId", id}}, "", deadline_);
    return closed.ok() || Clock::now() < deadline_ ? Status::Ok()
                                                   : LimitReached(stage_);
  }
  if (event.session_id != session_id_) return Status::Ok();  // an old page
  if (event.method.rfind("Network.", 0) == 0) {
    HandleNetwork(event);
  } else if (event.method == "Page.lifecycleEvent") {
    if (StringAt(event.params, "name") == "networkIdle" &&
        StringAt(event.params, "loaderId") == loader_id_) {
      lifecycle_idle_ = true;
    }
  } else if (event.method == "Page.frameNavigated") {
    const json frame = event.params.value("frame", json::object());
    if (!frame.contains("parentId")) {
      capture_.final_url = StringAt(frame, "url");
      // A script or meta-refresh navigation: wait for its loader's idle.
      std::string loader = StringAt(frame, "loaderId");
      if (!loader.empty() && loader != loader_id_) {
        loader_id_ = loader;
        lifecycle_idle_ = false;
      }
    }
  } else if (event.method == "Page.javascriptDialogOpening") {
    // An alert() would hold the page forever: nothing is clicked, so it
    // is dismissed.
    Result<json> ignored =
        PageCall("Page.handleJavaScriptDialog", {{"accept", false}});
    (void)ignored;
  }
  return Status::Ok();
}

Result<bool> PageRun::PumpUntil(const std::function<bool()>& done,
                                Clock::time_point until) {
  for (;;) {
    ROTGUARD_RETURN_IF_ERROR(CheckMemory());
    if (done()) return true;
    Clock::time_point now = Clock::now();
    if (now >= deadline_) return LimitReached(stage_);
    if (now >= until) return false;
    Result<std::optional<CdpEvent>> event =
        cdp_.NextEvent(std::min({until, deadline_, now + kSlice}));
    if (!event.ok()) return event.status();
    if (*event) ROTGUARD_RETURN_IF_ERROR(Handle(**event));
  }
}

Clock::time_point PageRun::IdleDeadline() const {
  return std::min(deadline_, Clock::now() + options_.idle_timeout);
}

Status PageRun::Open() {
  Result<json> context =
      PageCall("Target.createBrowserContext", json::object());
  if (!context.ok()) return context.status();
  context_id_ = StringAt(*context, "browserContextId");
  Result<json> deny =
      PageCall("Browser.setDownloadBehavior",
               {{"behavior", "deny"}, {"browserContextId", context_id_}});
  if (!deny.ok()) return deny.status();
  Result<json> target =
      PageCall("Target.createTarget", {{"url", "about:blank"},
                                       {"browserContextId", context_id_},
                                       {"width", browser_.window_width},
                                       {"height", browser_.window_height}});
  if (!target.ok()) return target.status();
  target_id_ = StringAt(*target, "targetId");
  Result<json> attached = PageCall(
      "Target.attachToTarget", {{"targetId", target_id_}, {"flatten", true}});
  if (!attached.ok()) return attached.status();
  session_id_ = StringAt(*attached, "sessionId");
  for (const char* method : {"Page.enable", "Network.enable"}) {
    Result<json> on = PageCall(method, json::object());
    if (!on.ok()) return on.status();
  }
  Result<json> lifecycle =
      PageCall("Page.setLifecycleEventsEnabled", {{"enabled", true}});
  return lifecycle.ok() ? Status::Ok() : lifecycle.status();
}

Status PageRun::Navigate() {
  stage_ = "loading the page";
  Result<json> navigated =
      PageCall("Page.navigate", {{"url", capture_.requested_url}});
  if (!navigated.ok()) return navigated.status();
  capture_.navigation_error = StringAt(*navigated, "errorText");
  loader_id_ = StringAt(*navigated, "loaderId");
  if (!capture_.navigation_error.empty()) return Status::Ok();
  stage_ = "waiting for the network to be idle";
  Result<bool> idle =
      PumpUntil([this] { return lifecycle_idle_; }, IdleDeadline());
  if (!idle.ok()) return idle.status();
  capture_.network_idle = *idle;
  return Status::Ok();
}

Status PageRun::ScrollToEnd() {
  stage_ = "scrolling";
  capture_.requests_before_scroll = capture_.requests.size();
  for (int step = 0; step < options_.max_scroll_steps; ++step) {
    Result<json> scrolled =
        PageCall("Runtime.evaluate",
                 {{"expression", kScrollStep}, {"returnByValue", true}});
    if (!scrolled.ok()) return scrolled.status();
    ++capture_.scroll_steps;
    Result<bool> settled =
        PumpUntil([] { return false; },
                  std::min(deadline_, Clock::now() + kScrollSettle));
    if (!settled.ok()) return settled.status();
    const json value =
        scrolled->value("result", json::object()).value("value", json());
    if (value.is_boolean() && value.get<bool>()) break;
  }
  stage_ = "waiting for the network to be idle after scrolling";
  Result<bool> idle = PumpUntil(
      [this] {
        return in_flight_.empty() &&
               Clock::now() - last_network_activity_ >= kQuietPeriod;
      },
      IdleDeadline());
  if (!idle.ok()) return idle.status();
  capture_.network_idle = capture_.network_idle && *idle;
  return Status::Ok();
}

Status PageRun::Snapshot() {
  stage_ = "serializing the DOM";
  // depth 0: only the document node's id is needed; getOuterHTML
  // serializes the whole tree from it, and the JSON of the full node tree
  // (depth -1) could approach the pipe's message cap on large pages.
  Result<json> document = PageCall("DOM.getDocument", {{"depth", 0}});
  if (!document.ok()) return document.status();
  json node_id =
      document->value("root", json::object()).value("nodeId", json());
  Result<json> html = PageCall("DOM.getOuterHTML", {{"nodeId", node_id}});
  if (!html.ok()) return html.status();
  capture_.dom_html = StringAt(*html, "outerHTML");
  return Status::Ok();
}

Status PageRun::Screenshot() {
  stage_ = "taking the screenshot";
  Result<json> metrics = PageCall("Page.getLayoutMetrics", json::object());
  if (!metrics.ok()) return metrics.status();
  const json size = metrics->value("cssContentSize", json::object());
  double width = std::ceil(size.value("width", 0.0));
  double height = std::ceil(size.value("height", 0.0));
  if (width < 1 || height < 1) return Status::Ok();  // nothing to draw
  // What overflows the window sideways is cut, as the reader sees it; a
  // page as wide as it is tall could otherwise need gigabytes of pixels.
  if (width > browser_.window_width) {
    width = browser_.window_width;
    capture_.screenshot_cut = true;
  }
  if (height > options_.max_screenshot_height) {
    height = options_.max_screenshot_height;
    capture_.screenshot_cut = true;
  }
  json clip = {
      {"x", 0}, {"y", 0}, {"width", width}, {"height", height}, {"scale", 1}};
  Result<json> shot = PageCall(
      "Page.captureScreenshot",
      {{"format", "png"}, {"clip", clip}, {"captureBeyondViewport", true}});
  if (!shot.ok()) return shot.status();
  if (!Base64Decode(StringAt(*shot, "data"), &capture_.screenshot_png)) {
    return Status::Corruption("Page.captureScreenshot: data is not base64");
  }
  return Thumbnail(width, height);
}

// The first viewport, scaled down by Chromium itself (clip.scale), so no
// PNG decoder is needed here; captured after scrolling, hence in document
// coordinates (captureBeyondViewport) like the full-page shot.
Status PageRun::Thumbnail(double width, double height) {
  if (options_.thumbnail_width <= 0) return Status::Ok();
  stage_ = "taking the thumbnail";
  double h = std::min<double>(height, browser_.window_height);
  json clip = {{"x", 0},
               {"y", 0},
               {"width", width},
               {"height", h},
               {"scale", options_.thumbnail_width / width}};
  Result<json> shot = PageCall(
      "Page.captureScreenshot",
      {{"format", "png"}, {"clip", clip}, {"captureBeyondViewport", true}});
  if (!shot.ok()) return shot.status();
  if (!Base64Decode(StringAt(*shot, "data"), &capture_.thumbnail_png)) {
    return Status::Corruption("Page.captureScreenshot: data is not base64");
  }
  return Status::Ok();
}

Status PageRun::Steps() {
  ROTGUARD_RETURN_IF_ERROR(Open());
  ROTGUARD_RETURN_IF_ERROR(Navigate());
  if (!capture_.navigation_error.empty()) return Status::Ok();
  ROTGUARD_RETURN_IF_ERROR(ScrollToEnd());
  ROTGUARD_RETURN_IF_ERROR(Snapshot());
  ROTGUARD_RETURN_IF_ERROR(Screenshot());
  if (capture_.final_url.empty()) capture_.final_url = capture_.requested_url;
  return Status::Ok();
}

Status PageRun::Run() {
  Status status = Steps();
  // The events that came during the last calls (late requests, or the
  // failed document request of a navigation error).
  for (;;) {
    Result<std::optional<CdpEvent>> event = cdp_.NextEvent(Clock::time_point());
    if (!event.ok() || !*event) break;
    Status handled = Handle(**event);
    if (!handled.ok()) break;
  }
  capture_.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      Clock::now() - start_);
  return status;
}

bool PageRun::Close() {
  Clock::time_point until = Clock::now() + kCloseTimeout;
  bool answered = true;
  if (!target_id_.empty()) {
    answered =
        cdp_.Call("Target.closeTarget", {{"targetId", target_id_}}, "", until)
            .ok();
  }
  if (!context_id_.empty()) {
    // Also closes any popup that slipped through.
    answered = cdp_.Call("Target.disposeBrowserContext",
                         {{"browserContextId", context_id_}}, "", until)
                   .ok() &&
               answered;
  }
  return answered;
}

}  // namespace rotguard
