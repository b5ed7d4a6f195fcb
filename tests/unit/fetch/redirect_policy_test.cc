// The next-hop decision of a redirect chain, as a pure function: which
// header or body target is followed, and when a chain ends or fails.
#include "fetch/redirect_policy.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace rotguard::fetch_internal {
namespace {

using Action = NextHop::Action;

HopResponse Hop(const std::string& url, int status) {
  HopResponse hop;
  hop.url = url;
  hop.status = status;
  return hop;
}

// A meta refresh source that counts how often it is read.
struct Meta {
  std::optional<std::string> target;
  int asked = 0;
  std::function<std::optional<std::string>()> Fn() {
    return [this] {
      ++asked;
      return target;
    };
  }
};

TEST(RedirectPolicy, LocationOfA3xxIsFollowedResolved) {
  for (int status : {301, 302, 303, 307, 308}) {
    HopResponse hop = Hop("http://a.example/x/y", status);
    hop.location = "../z?q=1";
    NextHop next = DecideNextHop(hop, {hop.url}, {});
    EXPECT_EQ(next.action, Action::kFollow) << status;
    EXPECT_EQ(next.url, "http://a.example/z?q=1") << status;
    EXPECT_EQ(next.kind, HopKind::kLocation) << status;
    EXPECT_EQ(next.failure, FailureClass::kNone);
  }
}

TEST(RedirectPolicy, LocationOutsideA3xxIsNoHop) {
  for (int status : {200, 201, 300, 304, 404}) {
    HopResponse hop = Hop("http://a.example/", status);
    hop.location = "/elsewhere";
    NextHop next = DecideNextHop(hop, {hop.url}, {});
    EXPECT_EQ(next.action, Action::kEnd) << status;
    EXPECT_EQ(next.url, "") << status;
  }
}

TEST(RedirectPolicy, LocationThatDoesNotResolveFailsAsBadUrl) {
  // Resolution fails only without an absolute base to resolve against.
  HopResponse hop = Hop("no-scheme/p", 302);
  hop.location = "next";
  NextHop next = DecideNextHop(hop, {hop.url}, {});
  EXPECT_EQ(next.action, Action::kFail);
  EXPECT_EQ(next.failure, FailureClass::kBadUrl);
  EXPECT_EQ(next.error, "no-scheme/p: malformed redirect target");
  EXPECT_EQ(next.url, "");
}

TEST(RedirectPolicy, RefreshHeaderIsAHopWhenThereIsNoRedirect) {
  HopResponse hop = Hop("http://a.example/p", 200);
  hop.refresh = "0; url=/next";
  NextHop next = DecideNextHop(hop, {hop.url}, {});
  EXPECT_EQ(next.action, Action::kFollow);
  EXPECT_EQ(next.url, "http://a.example/next");
  EXPECT_EQ(next.kind, HopKind::kRefresh);
  // A 3xx Location wins over a Refresh header.
  hop.status = 301;
  hop.location = "/moved";
  next = DecideNextHop(hop, {hop.url}, {});
  EXPECT_EQ(next.url, "http://a.example/moved");
  EXPECT_EQ(next.kind, HopKind::kLocation);
}

TEST(RedirectPolicy, MetaRefreshIsReadOnlyForA2xxGetWithoutHeaders) {
  Meta meta;
  meta.target = "http://b.example/landing";
  HopResponse hop = Hop("http://a.example/p", 200);
  hop.meta_refresh = meta.Fn();
  NextHop next = DecideNextHop(hop, {hop.url}, {});
  EXPECT_EQ(next.action, Action::kFollow);
  EXPECT_EQ(next.kind, HopKind::kMetaRefresh);
  EXPECT_EQ(next.url, "http://b.example/landing");
  EXPECT_EQ(meta.asked, 1);

  RedirectOptions head;
  head.head = true;
  EXPECT_EQ(DecideNextHop(hop, {hop.url}, head).action, Action::kEnd);
  RedirectOptions no_meta;
  no_meta.follow_meta_refresh = false;
  EXPECT_EQ(DecideNextHop(hop, {hop.url}, no_meta).action, Action::kEnd);
  hop.status = 404;
  EXPECT_EQ(DecideNextHop(hop, {hop.url}, {}).action, Action::kEnd);
  hop.status = 200;
  hop.refresh = "5; url=/r";
  EXPECT_EQ(DecideNextHop(hop, {hop.url}, {}).kind, HopKind::kRefresh);
  EXPECT_EQ(meta.asked, 1);  // the body was never read again
}

TEST(RedirectPolicy, FollowRedirectsOffStillAllowsMetaRefresh) {
  RedirectOptions options;
  options.follow_redirects = false;
  HopResponse hop = Hop("http://a.example/p", 302);
  hop.location = "/x";
  EXPECT_EQ(DecideNextHop(hop, {hop.url}, options).action, Action::kEnd);
  Meta meta;
  meta.target = "http://a.example/m";
  hop = Hop("http://a.example/p", 200);
  hop.refresh = "0; url=/r";
  hop.meta_refresh = meta.Fn();
  NextHop next = DecideNextHop(hop, {hop.url}, options);
  EXPECT_EQ(next.kind, HopKind::kMetaRefresh);
  EXPECT_EQ(next.url, "http://a.example/m");
}

TEST(RedirectPolicy, RefreshToThePageItselfIsNoHopButALocationIsALoop) {
  HopResponse hop = Hop("http://a.example/p", 200);
  hop.refresh = "30";
  EXPECT_EQ(DecideNextHop(hop, {hop.url}, {}).action, Action::kEnd);
  hop.refresh = "30; url=/p";
  EXPECT_EQ(DecideNextHop(hop, {hop.url}, {}).action, Action::kEnd);
  Meta meta;
  meta.target = "http://a.example/p";
  hop.refresh.clear();
  hop.meta_refresh = meta.Fn();
  EXPECT_EQ(DecideNextHop(hop, {hop.url}, {}).action, Action::kEnd);

  HopResponse loop = Hop("http://a.example/loop", 302);
  loop.location = "/loop";
  NextHop next = DecideNextHop(loop, {loop.url}, {});
  EXPECT_EQ(next.action, Action::kFail);
  EXPECT_EQ(next.failure, FailureClass::kRedirectLoop);
  EXPECT_EQ(next.url, "http://a.example/loop");
  EXPECT_EQ(next.error,
            "http://a.example/loop: redirect loop back to "
            "http://a.example/loop");
}

TEST(RedirectPolicy, TargetEarlierInTheChainIsARedirectLoop) {
  HopResponse hop = Hop("http://b.example/2", 301);
  hop.location = "http://a.example/1";
  NextHop next =
      DecideNextHop(hop, {"http://a.example/1", "http://b.example/2"}, {});
  EXPECT_EQ(next.failure, FailureClass::kRedirectLoop);
  EXPECT_EQ(next.kind, HopKind::kLocation);
}

TEST(RedirectPolicy, MaxRedirectsHopsAreFollowedAndOneMoreFails) {
  RedirectOptions options;
  options.max_redirects = 3;
  std::vector<std::string> chain = {"http://a.example/0"};
  for (int i = 1; i <= 4; ++i) {
    HopResponse hop = Hop(chain.back(), 302);
    hop.location = "/" + std::to_string(i);
    NextHop next = DecideNextHop(hop, chain, options);
    if (i <= 3) {
      ASSERT_EQ(next.action, Action::kFollow) << i;
      chain.push_back(next.url);
      continue;
    }
    EXPECT_EQ(next.action, Action::kFail);
    EXPECT_EQ(next.failure, FailureClass::kTooManyRedirects);
    EXPECT_EQ(next.url, "http://a.example/4");
    EXPECT_EQ(next.error, "http://a.example/0: more than 3 redirects");
  }
  EXPECT_EQ(chain.size(), 4u);  // the first request + 3 redirects
}

TEST(RedirectPolicy, ZeroMaxRedirectsFailsOnTheFirstRedirect) {
  RedirectOptions options;
  options.max_redirects = 0;
  HopResponse hop = Hop("http://a.example/", 301);
  hop.location = "https://a.example/";
  EXPECT_EQ(DecideNextHop(hop, {hop.url}, options).failure,
            FailureClass::kTooManyRedirects);
  hop.location.clear();
  EXPECT_EQ(DecideNextHop(hop, {hop.url}, options).action, Action::kEnd);
}

}  // namespace
}  // namespace rotguard::fetch_internal
