// The browser lane of an archive run (issue #16): after the static pass,
// the link pages that need a browser are loaded by headless Chromium
// instances (rotguard/browser.h) whose every request goes through one
// RecordingProxy into one keep_running Fetcher (rotguard/recording_proxy.h),
// so the exchanges reach the run's own writer and committer like any other.
//
// This file holds the parts that do not need the Archiver: which pages go
// to the browser (pure), the quality of a rendered DOM, the three resource
// records of a page, and the run of the browsers, the proxy and the
// fetcher (threads, limits, shutdown).
#ifndef ROTGUARD_ARCHIVE_BROWSER_LANE_H_
#define ROTGUARD_ARCHIVE_BROWSER_LANE_H_

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "rotguard/browser.h"
#include "rotguard/fetch.h"
#include "rotguard/recording_proxy.h"
#include "rotguard/status.h"
#include "rotguard/warc_writer.h"

namespace rotguard::archiver {

// The end of one static chain of this run, as the lane sees it.
struct StaticPage {
  std::string url;      // the chain's final URL (the browser starts there)
  std::string kind;     // the target's link kind: link, url, image, ...
  int http_status = 0;  // of the final response
  std::string content_type;
  std::string quality;  // "full", "thin", "challenge", "error-page", ""
};

// The pages `mode` sends to the browser, in order, each URL once:
// "thin": link pages (kind link or url) whose static capture was classed
// thin; "always": every 2xx HTML link page; "off" (or anything else):
// none. Challenge pages are never sent: a headless browser meets the same
// wall (Cloudflare and the like single out HeadlessChrome), and each would
// only cost a page time limit.
std::vector<std::string> SelectBrowserPages(
    std::string_view mode, const std::vector<StaticPage>& pages);
// Whether SelectBrowserPages would take `page` (the pipeline keeps only
// those, so a large run holds no list of every page).
bool WantsBrowser(std::string_view mode, const StaticPage& page);

// The capture quality of a rendered DOM (rotguard/capture_quality.h), as
// the static pass judges raw HTML; requisites are not counted, the browser
// loaded what the page asked for.
std::string DomQuality(const std::string& dom_html, const std::string& url,
                       int http_status);

// Writes the page's DOM snapshot, screenshot and thumbnail as resource
// records (urn:rotguard:dom:/screenshot:/thumbnail:<page_uri>), each with
// WARC-Concurrent-To `response_record_id` and WARC-Date `date`. An empty
// screenshot or thumbnail is not written. The locations, in that order.
Result<std::vector<WarcRecordLocation>> WriteBrowserResources(
    WarcWriter& writer, const std::string& page_uri,
    const std::string& response_record_id,
    std::chrono::system_clock::time_point date, const PageCapture& page);

struct LaneOptions {
  std::filesystem::path chromium;
  int jobs = 1;  // browsers, one thread each
  CaptureOptions capture;
  uint64_t memory_cap_bytes = uint64_t{1536} << 20;
  // The proxy's scope: the run's explicit mappings, and the hosts the run
  // fetched (in_scope). Anything else is refused without a lookup.
  std::vector<std::string> resolve;
  std::vector<std::string> connect_to;
  std::function<bool(const std::string& host, int port)> in_scope;
  std::filesystem::path chromium_log;  // empty: in the profile
  // Response payload bytes one page may pull through the proxy (0: none).
  uint64_t max_page_bytes = 0;
};

// What the lane reports back; called from browser threads (page_done,
// blocked) and from the fetch thread (record), so each must be
// thread-safe.
struct LaneHooks {
  // Every exchange and job end of the lane's fetcher (proxy jobs: tag with
  // FetcherUpstream::kTagBit), after the browser got its bytes.
  FetchSink* record = nullptr;
  // A page is done: its capture, or why it failed.
  std::function<void(const std::string& url, Result<PageCapture>& capture)>
      page_done;
  // A request the proxy refused for its address, with the pages being
  // captured at that moment.
  std::function<void(const BlockedRequest& request,
                     const std::vector<std::string>& pages)>
      blocked;
};

struct LaneResult {
  RecordingProxyStats proxy;
  int stale_profiles_removed = 0;
};

// Runs `pages` through `options.jobs` browsers sharing one proxy and
// `fetcher` (made with keep_running; Run() on a thread of the lane's).
// Returns once every page is done, every browser reaped and the fetcher's
// Run() returned. An error only when nothing could start (no CA, no proxy
// listener); a browser that cannot start fails its pages one by one.
Result<LaneResult> RunBrowserLane(const std::vector<std::string>& pages,
                                  Fetcher& fetcher, const LaneOptions& options,
                                  const LaneHooks& hooks);

}  // namespace rotguard::archiver

#endif  // ROTGUARD_ARCHIVE_BROWSER_LANE_H_
