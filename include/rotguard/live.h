// `rotguard verify --live` (SPEC §3, §6, §13 "Verdicts"): re-checks the
// health of every URL a post links to on the web and updates its streak in
// the manifest. Writes no WARC records.
//
// Per URL: HEAD first (shorteners: GET, so interstitial pages are
// followed); GET when HEAD fails or answers an error (servers answer HEAD
// with 405, 403 or 500 where GET works); for HTML pages that answered 200,
// the soft-404 / parked-domain check: GET the page and a random sibling
// path (same directory as the link, or for a shortener as its target,
// random name) and flag soft-404 when the sibling
// also answers 200 with the same page (same payload sha1, or the same
// non-empty <title> and a size within 5%). Links to a site root are not
// checked that way (every random path of some sites is the home page).
#ifndef ROTGUARD_LIVE_H_
#define ROTGUARD_LIVE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "rotguard/config.h"
#include "rotguard/fetch.h"
#include "rotguard/manifest.h"
#include "rotguard/status.h"

namespace rotguard {

struct LiveCheckOptions {
  Config config;  // [health], [rules.shortener], [hosts] accept_statuses
  int64_t now_unix = 0;
  bool soft_404_check = true;
  // Test seam: the random file name of the sibling path. Empty: 16 random
  // hex digits.
  std::function<std::string()> random_name;
};

// What one URL showed.
struct LiveUrlResult {
  std::string url;  // manifest key
  std::string previous_verdict;
  std::string verdict;
  std::string failure_class;
  int consecutive_failures = 0;
  int final_status = 0;
  std::string final_url;
  bool soft_404 = false;
  int requests = 0;  // chains fetched for it (HEAD, GET, sibling)
};

struct LiveSummary {
  std::vector<LiveUrlResult> results;  // in URL order
  std::map<std::string, int64_t> verdicts;
  bool cancelled = false;
};

// Checks every linked URL of `manifest` with `fetcher` (whose options
// carry the politeness and safety settings) and writes the new health
// columns in one transaction. A cancelled run writes only the URLs it
// finished.
Result<LiveSummary> RunLiveCheck(Manifest& manifest, Fetcher& fetcher,
                                 const LiveCheckOptions& options);

// The path of a random sibling of `url`: same scheme, host and directory,
// file name `name` with the extension of the last segment (".html"), no
// query or fragment. "" when `url` is not an absolute http(s) URL.
std::string SiblingUrl(const std::string& url, const std::string& name);

// "now" for health streaks: the system clock, or the test hook
// ROTGUARD_TEST_NOW (unix seconds) when that environment variable is set
// to a number. Read only by the live check, so tests can simulate runs
// days apart.
int64_t HealthNowUnix();

}  // namespace rotguard

#endif  // ROTGUARD_LIVE_H_
