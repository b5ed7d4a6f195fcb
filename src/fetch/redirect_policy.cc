// The next-hop decision of a redirect chain (redirect_policy.h).
#include "fetch/redirect_policy.h"

#include <algorithm>

#include "rotguard/url.h"

namespace rotguard::fetch_internal {
namespace {

struct Target {
  std::optional<std::string> url;
  HopKind kind = HopKind::kFirst;
  bool malformed = false;  // a Location that does not resolve
};

// Where the response points, before the chain is considered.
Target FindTarget(const HopResponse& hop, const RedirectOptions& options) {
  Target target;
  if (options.follow_redirects && IsRedirectStatus(hop.status) &&
      !hop.location.empty()) {
    target.url = ResolveUrl(hop.url, hop.location);
    target.kind = HopKind::kLocation;
    target.malformed = !target.url;
  } else if (options.follow_redirects && !hop.refresh.empty()) {
    target.url = ParseRefreshHeader(hop.refresh, hop.url);
    target.kind = HopKind::kRefresh;
  } else if (options.follow_meta_refresh && hop.status >= 200 &&
             hop.status < 300 && !options.head && hop.meta_refresh) {
    target.url = hop.meta_refresh();
    target.kind = HopKind::kMetaRefresh;
  }
  // A page that refreshes to itself is not a hop.
  if (target.url && target.kind != HopKind::kLocation &&
      *target.url == hop.url) {
    target.url.reset();
  }
  return target;
}

NextHop Fail(NextHop next, FailureClass failure, std::string error) {
  next.action = NextHop::Action::kFail;
  next.failure = failure;
  next.error = std::move(error);
  return next;
}

}  // namespace

bool IsRedirectStatus(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 ||
         status == 308;
}

NextHop DecideNextHop(const HopResponse& hop,
                      const std::vector<std::string>& chain,
                      const RedirectOptions& options) {
  const Target target = FindTarget(hop, options);
  NextHop next;
  if (target.malformed) {
    return Fail(next, FailureClass::kBadUrl,
                hop.url + ": malformed redirect target");
  }
  if (!target.url) return next;
  next.url = *target.url;
  next.kind = target.kind;
  if (std::find(chain.begin(), chain.end(), next.url) != chain.end()) {
    return Fail(next, FailureClass::kRedirectLoop,
                hop.url + ": redirect loop back to " + next.url);
  }
  // The chain holds the hops so far: one more would exceed the limit.
  if (chain.size() > static_cast<size_t>(std::max(0, options.max_redirects))) {
    const std::string& first = chain.empty() ? hop.url : chain.front();
    return Fail(next, FailureClass::kTooManyRedirects,
                first + ": more than " + std::to_string(options.max_redirects) +
                    " redirects");
  }
  next.action = NextHop::Action::kFollow;
  return next;
}

}  // namespace rotguard::fetch_internal
