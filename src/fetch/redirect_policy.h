// Where a completed hop leads (SPEC §6 "Redirects"): a pure function from
// the hop's response facts and the chain so far to the next action.
// libcurl never follows redirects itself; the fetcher asks this for every
// hop that got a final, non-retried response.
#ifndef ROTGUARD_FETCH_REDIRECT_POLICY_H_
#define ROTGUARD_FETCH_REDIRECT_POLICY_H_

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rotguard/failure.h"
#include "rotguard/fetch.h"

namespace rotguard::fetch_internal {

// What the policy reads from a hop's response.
struct HopResponse {
  std::string url;  // the URL this hop requested
  int status = 0;
  std::string location;  // Location header value, "" when absent
  std::string refresh;   // Refresh header value, "" when absent
  // The meta refresh target of the body, resolved; asked only when the
  // body matters (a 2xx GET with neither header to follow), since finding
  // it reads the body. Empty function: no meta refresh.
  std::function<std::optional<std::string>()> meta_refresh;
};

// The job's settings that shape its chain.
struct RedirectOptions {
  bool follow_redirects = true;     // 3xx Location and Refresh header
  bool follow_meta_refresh = true;  // HTML meta refresh
  bool head = false;                // a HEAD job has no body to look in
  int max_redirects = 10;
};

struct NextHop {
  enum class Action {
    kEnd,     // the chain ends here, successfully
    kFollow,  // fetch `url` next, reached by `kind`
    kFail,    // the chain ends with `failure` and `error`
  };
  Action action = Action::kEnd;
  // The resolved target this hop points to, also for kFail on a loop or
  // the redirect limit ("" when there is none, or it was malformed).
  std::string url;
  HopKind kind = HopKind::kFirst;
  FailureClass failure = FailureClass::kNone;
  std::string error;  // names the URL; "" unless kFail
};

// True for the statuses whose Location is followed: 301 302 303 307 308.
bool IsRedirectStatus(int status);

// The next action after `hop`, given the URLs of the chain so far (the
// job's URL first, `hop.url` last). Order: a 3xx Location (malformed:
// kBadUrl), else a Refresh header, else a meta refresh in a 2xx body; a
// Refresh or meta refresh to the page itself is no hop; a target already
// in the chain is kRedirectLoop; a hop beyond `max_redirects` is
// kTooManyRedirects.
NextHop DecideNextHop(const HopResponse& hop,
                      const std::vector<std::string>& chain,
                      const RedirectOptions& options);

}  // namespace rotguard::fetch_internal

#endif  // ROTGUARD_FETCH_REDIRECT_POLICY_H_
