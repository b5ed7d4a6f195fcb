// The browser lane's driver (issue #16 item 2): rotguard starts Debian's
// headless Chromium itself and drives it over the DevTools protocol on a
// pipe (--remote-debugging-pipe: JSON + '\0' on fds 3/4), with no Node at
// run time. One Browser is one Chromium process group; CapturePage loads
// one URL in a fresh browser context, waits for the network to go idle,
// scrolls to the end so lazy content loads, and returns the rendered DOM,
// a full-page PNG and the requests the page made. Nothing is clicked.
//
// Not thread-safe: one Browser per thread. Because the child dies with the
// thread that started it (PR_SET_PDEATHSIG), Launch a Browser from a thread
// that outlives it.
#ifndef ROTGUARD_BROWSER_H_
#define ROTGUARD_BROWSER_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rotguard/status.h"

namespace rotguard {

// The recording proxy every request of the browser goes through (the
// caller runs it): its "127.0.0.1:PORT", and the base64 SHA-256 of the
// SubjectPublicKeyInfo of its ephemeral CA, the only certificate this
// browser instance then accepts in place of a trusted chain.
struct ProxySettings {
  std::string address;
  std::string spki_sha256_base64;
};

struct BrowserOptions {
  std::filesystem::path chromium;  // from FindChromium()
  std::optional<ProxySettings> proxy;
  // Chromium's --host-resolver-rules ("MAP host 127.0.0.2:8080, ..."):
  // tests only, so no fixture name ever reaches DNS. Empty: not passed.
  std::string host_resolver_rules;
  // Chromium's stderr is appended here; empty: a file in the temporary
  // profile, gone with it.
  std::filesystem::path log_path;
  // The memory cap: the proportional set size (PSS) summed over the whole
  // Chromium process group, sampled twice a second while a
  // page loads. Above it the page is closed and the capture fails with
  // kResourceExhausted; a browser still above it afterwards is restarted.
  // (RLIMIT_AS cannot be used: Chromium reserves terabytes of address
  // space for its heaps and does not start under any useful limit.)
  std::uint64_t memory_cap_bytes = std::uint64_t{1536} << 20;
  std::chrono::milliseconds start_timeout{20000};
  int window_width = 1280;
  int window_height = 800;
};

struct CaptureOptions {
  // Hard limit for the whole page: load, idle waits, scrolling, DOM and
  // screenshot. On expiry the page is closed and kResourceExhausted
  // returned; the browser stays usable.
  std::chrono::milliseconds page_timeout{30000};
  // Each wait for the network to be idle gives up after this (a page that
  // never stops loading is still captured, with network_idle false).
  std::chrono::milliseconds idle_timeout{10000};
  int max_scroll_steps = 20;          // one viewport height per step
  int max_screenshot_height = 16384;  // CSS pixels; taller pages are cut
  // Width in pixels of the thumbnail of the first viewport (for the HTML
  // report); 0: no thumbnail.
  int thumbnail_width = 320;
};

// One request the page (or one of its workers) made.
struct PageRequest {
  std::string url;
  std::string method;
  std::string resource_type;   // Document, Image, Fetch, ...
  std::string error_text;      // Network.loadingFailed's errorText
  std::string blocked_reason;  // Network.loadingFailed's blockedReason
};

struct PageCapture {
  std::string requested_url;
  std::string final_url;         // after redirects and script navigation
  std::string navigation_error;  // Page.navigate's errorText, e.g.
                                 // "net::ERR_NAME_NOT_RESOLVED"; then
                                 // there is no DOM and no screenshot
  std::string dom_html;          // the rendered DOM, serialized
  std::string screenshot_png;    // full page, PNG bytes
  // The first viewport (the top of the page, as a reader first sees it)
  // scaled by Chromium to about CaptureOptions::thumbnail_width, PNG.
  std::string thumbnail_png;
  // Taller than max_screenshot_height or wider than the window: cut.
  bool screenshot_cut = false;
  bool network_idle = false;  // both idle waits ended in idle
  int scroll_steps = 0;
  // requests[0, requests_before_scroll) came before the first scroll step;
  // the rest were triggered by scrolling (lazy loading) or came late.
  std::size_t requests_before_scroll = 0;
  int popups_closed = 0;
  std::vector<PageRequest> requests;
  std::chrono::milliseconds elapsed{0};
  std::uint64_t peak_memory_bytes = 0;  // the group's PSS, as sampled
};

// The Chromium to start: $ROTGUARD_CHROMIUM when set (it must then be an
// executable file), else /usr/bin/chromium. kNotFound when there is none,
// so the caller can turn the browser lane off with one warning.
Result<std::filesystem::path> FindChromium();

// Removes the throw-away profiles ("rotguard-chromium.<pid>.XXXXXX") in
// `temp_dir` that a rotguard process which is gone left behind (a kill -9
// skips the Browser destructor; Chromium itself dies with it). Profiles of
// live processes, and names it does not know, are left alone. Returns how
// many were removed.
int RemoveStaleProfiles(const std::filesystem::path& temp_dir);

class Browser {
 public:
  // Starts Chromium and waits (at most options.start_timeout) until it
  // answers on the pipe.
  static Result<std::unique_ptr<Browser>> Launch(const BrowserOptions& options);
  ~Browser();  // kills the whole process group, reaps it, removes the profile
  Browser(const Browser&) = delete;
  Browser& operator=(const Browser&) = delete;

  // Loads `url` and captures it. A failed page does not end the browser;
  // if Chromium itself died or stopped answering it is restarted by the
  // next call.
  Result<PageCapture> CapturePage(const std::string& url,
                                  const CaptureOptions& options);

  // The Chromium process group (= the browser process's pid), for tests.
  int process_group() const;
  const std::filesystem::path& profile_dir() const;

  class Impl;

 private:
  explicit Browser(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace rotguard

#endif  // ROTGUARD_BROWSER_H_
