// Pure rules of the fetch module: the address guard, refresh parsing,
// failure classes, Retry-After.
#include <gtest/gtest.h>

#include <chrono>

#include "fetch/address_guard.h"
#include "fetch/fetch_internal.h"
#include "rotguard/fetch.h"
#include "rotguard/health.h"
#include "rotguard/manifest.h"
#include "rotguard/url.h"

namespace rotguard {
namespace {

using fetch_internal::ExplicitMappings;
using fetch_internal::NormalizeRequestHead;
using fetch_internal::ParseRetryAfter;

TEST(AddressGuard, RefusesNonPublicV4Ranges) {
  for (const char* ip :
       {"127.0.0.1", "127.235.1.2", "10.1.2.3", "172.16.0.1", "172.31.255.255",
        "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0", "224.0.0.1",
        "255.255.255.255", "192.0.2.1", "198.18.0.1"}) {
    EXPECT_TRUE(IsNonPublicAddress(ip)) << ip;
  }
}

TEST(AddressGuard, AllowsPublicV4) {
  for (const char* ip :
       {"8.8.8.8", "93.184.216.34", "172.32.0.1", "100.128.0.1", "1.1.1.1"}) {
    EXPECT_FALSE(IsNonPublicAddress(ip)) << ip;
  }
}

TEST(AddressGuard, RefusesNonPublicV6AndMappedForms) {
  for (const char* ip :
       {"::1", "::", "fe80::1", "fd00::1", "fc00::1", "ff02::1",
        "::ffff:127.0.0.1", "::ffff:169.254.169.254", "::ffff:10.0.0.1",
        "64:ff9b::a9fe:a9fe", "2002:7f00:1::", "2001:db8::1", "[::1]",
        "fe80::1%eth0", "fd00:ec2::254"}) {
    EXPECT_TRUE(IsNonPublicAddress(ip)) << ip;
  }
}

TEST(AddressGuard, AllowsPublicV6AndMappedPublicV4) {
  for (const char* ip :
       {"2606:4700:4700::1111", "2001:4860:4860::8888", "::ffff:8.8.8.8"}) {
    EXPECT_FALSE(IsNonPublicAddress(ip)) << ip;
  }
}

TEST(AddressGuard, RefusesWhatIsNotAnAddress) {
  EXPECT_TRUE(IsNonPublicAddress("localhost"));
  EXPECT_TRUE(IsNonPublicAddress(""));
}

TEST(RefreshHeader, ParsesTheUsualForms) {
  const std::string base = "http://a.example/dir/page";
  EXPECT_EQ(ParseRefreshHeader("0; url=/next", base), "http://a.example/next");
  EXPECT_EQ(ParseRefreshHeader("5;URL=next", base),
            "http://a.example/dir/next");
  EXPECT_EQ(ParseRefreshHeader("3, https://b.example/", base),
            "https://b.example/");
  EXPECT_EQ(ParseRefreshHeader("0;url='http://c.example/x'", base),
            "http://c.example/x");
  EXPECT_EQ(ParseRefreshHeader(" 1 ; url = \"/q?a=1\" ", base),
            "http://a.example/q?a=1");
}

TEST(RefreshHeader, WithoutUrlIsNoHop) {
  EXPECT_FALSE(ParseRefreshHeader("30", "http://a.example/"));
  EXPECT_FALSE(ParseRefreshHeader("", "http://a.example/"));
  EXPECT_FALSE(ParseRefreshHeader("url=/x", "http://a.example/"));
}

TEST(MetaRefresh, FindsTheTagInAnyCaseAndQuoting) {
  const std::string base = "https://t.co/abc";
  EXPECT_EQ(FindMetaRefresh("<html><head><META HTTP-EQUIV=\"Refresh\" "
                            "CONTENT=\"0;URL=https://news.example.com/1\">",
                            base),
            "https://news.example.com/1");
  EXPECT_EQ(FindMetaRefresh("<meta content='0; url=/x?a=1&amp;b=2' "
                            "http-equiv=refresh />",
                            base),
            "https://t.co/x?a=1&b=2");
  EXPECT_EQ(FindMetaRefresh("<meta\nhttp-equiv=\"refresh\"\ncontent=\"2; "
                            "url=http://e.example/\">",
                            base),
            "http://e.example/");
}

TEST(MetaRefresh, IgnoresCommentsOtherMetaAndRefreshWithoutUrl) {
  const std::string base = "https://t.co/abc";
  EXPECT_FALSE(FindMetaRefresh(
      "<!-- <meta http-equiv=refresh content=\"0;url=/a\"> -->", base));
  EXPECT_FALSE(
      FindMetaRefresh("<meta name=refresh content=\"0;url=/a\">", base));
  EXPECT_FALSE(
      FindMetaRefresh("<meta http-equiv=refresh content=\"30\">", base));
  EXPECT_FALSE(
      FindMetaRefresh("<metadata http-equiv=refresh "
                      "content=\"0;url=/a\">",
                      base));
}

TEST(FailureClasses, HaveStableNames) {
  EXPECT_STREQ(FailureClassName(FailureClass::kNone), "");
  EXPECT_STREQ(FailureClassName(FailureClass::kDns), "dns");
  EXPECT_STREQ(FailureClassName(FailureClass::kTooLarge), "too-large");
  EXPECT_STREQ(FailureClassName(FailureClass::kBlockedAddress),
               "blocked-address");
  EXPECT_STREQ(FailureClassName(FailureClass::kRedirectLoop), "redirect-loop");
  EXPECT_STREQ(FailureClassName(FailureClass::kTooManyRedirects),
               "too-many-redirects");
  EXPECT_STREQ(FailureClassName(FailureClass::kForgotten), "forgotten");
  EXPECT_STREQ(HopKindName(HopKind::kMetaRefresh), "meta-refresh");
}

// Issue #20 item 5: a proxy that is down is named as such, is not
// retried per link, and says nothing about the link behind it.
TEST(FailureClasses, ProxyFailureIsNotTransientAndLeavesTheLinkAsItWas) {
  EXPECT_STREQ(FailureClassName(FailureClass::kProxy), "proxy");
  EXPECT_FALSE(IsTransient(FailureClass::kProxy, 0));
  UrlRow url;
  url.verdict = "failing";
  url.consecutive_failures = 2;
  url.last_failure_unix = 1000;
  url.failure_class = "http-404";
  HealthObservation observation;
  observation.at_unix = 1'000'000;
  observation.failure = FailureClass::kProxy;
  ApplyHealthObservation(HealthConfig{}, observation, &url);
  EXPECT_EQ(url.verdict, "failing");
  EXPECT_EQ(url.consecutive_failures, 2);
  EXPECT_EQ(url.last_failure_unix, 1000);
  EXPECT_EQ(url.failure_class, "http-404");
}

TEST(FailureClasses, StatusClasses) {
  EXPECT_EQ(FailureClassOfStatus(200), FailureClass::kNone);
  EXPECT_EQ(FailureClassOfStatus(301), FailureClass::kNone);
  EXPECT_EQ(FailureClassOfStatus(404), FailureClass::kHttp4xx);
  EXPECT_EQ(FailureClassOfStatus(503), FailureClass::kHttp5xx);
}

// Issue #14: a status HTTP does not define (LinkedIn answers 999) is a
// failure with a class of its own, never an empty one.
TEST(FailureClasses, StatusOutsideOneToFiveHundredsIsBadResponse) {
  EXPECT_EQ(FailureClassOfStatus(999), FailureClass::kBadResponse);
  EXPECT_EQ(FailureClassOfStatus(600), FailureClass::kBadResponse);
  EXPECT_EQ(FailureClassOfStatus(42), FailureClass::kBadResponse);
  EXPECT_EQ(FailureClassOfStatus(0), FailureClass::kNone);  // no response
  EXPECT_STREQ(FailureClassName(FailureClass::kBadResponse), "bad-response");
}

TEST(FailureClasses, OnlyTransientOnesAreRetried) {
  for (FailureClass f : {FailureClass::kTimeout, FailureClass::kReset,
                         FailureClass::kTruncated, FailureClass::kConnect}) {
    EXPECT_TRUE(IsTransient(f, 0)) << FailureClassName(f);
  }
  for (FailureClass f : {FailureClass::kDns, FailureClass::kTls,
                         FailureClass::kTooLarge, FailureClass::kBlockedAddress,
                         FailureClass::kRedirectLoop, FailureClass::kBadUrl,
                         FailureClass::kCancelled, FailureClass::kForgotten}) {
    EXPECT_FALSE(IsTransient(f, 0)) << FailureClassName(f);
  }
  for (int status : {408, 425, 429, 500, 502, 503, 504}) {
    EXPECT_TRUE(IsTransient(FailureClass::kNone, status)) << status;
  }
  for (int status : {200, 301, 403, 404, 410, 501}) {
    EXPECT_FALSE(IsTransient(FailureClass::kNone, status)) << status;
  }
}

TEST(RetryAfter, ParsesSecondsAndHttpDates) {
  const auto now = std::chrono::system_clock::from_time_t(1'700'000'000);
  EXPECT_EQ(ParseRetryAfter("120", now), std::chrono::seconds(120));
  EXPECT_EQ(ParseRetryAfter(" 0 ", now), std::chrono::seconds(0));
  // 1700000000 is Tue, 14 Nov 2023 22:13:20 GMT.
  EXPECT_EQ(ParseRetryAfter("Tue, 14 Nov 2023 22:14:20 GMT", now),
            std::chrono::seconds(60));
  EXPECT_EQ(ParseRetryAfter("Tue, 14 Nov 2023 20:00:00 GMT", now),
            std::chrono::seconds(0));
  EXPECT_FALSE(ParseRetryAfter("soon", now));
  EXPECT_FALSE(ParseRetryAfter("-5", now));
  EXPECT_FALSE(ParseRetryAfter("", now));
}

TEST(UrlParts, HostAndPort) {
  EXPECT_EQ(UrlHost("https://User@Ift.TT:8443/x?y"), "ift.tt");
  EXPECT_EQ(UrlHost("http://[::1]:80/"), "::1");
  EXPECT_EQ(UrlPort("https://ift.tt/x"), 443);
  EXPECT_EQ(UrlPort("http://ift.tt/x"), 80);
  EXPECT_EQ(UrlPort("http://ift.tt:8080"), 8080);
  EXPECT_EQ(UrlPort("http://[::1]:81/"), 81);
}

TEST(RequestHead, Http2HeadBecomesHttp11TextWithHostFirst) {
  EXPECT_EQ(NormalizeRequestHead("GET /p HTTP/2\r\nuser-agent: x\r\n"
                                 ":authority: ift.tt\r\naccept: */*\r\n\r\n"),
            "GET /p HTTP/1.1\r\nHost: ift.tt\r\nuser-agent: x\r\n"
            "accept: */*\r\n\r\n");
  EXPECT_EQ(NormalizeRequestHead("GET / HTTP/2\r\nHost: a\r\n"),
            "GET / HTTP/1.1\r\nHost: a\r\n\r\n");
}

TEST(ExplicitMappings, ResolvePermitsExactlyTheHostAndPortItNames) {
  ExplicitMappings m;
  m.AddResolve("Evil.Example:80:127.0.0.1");
  m.AddResolve("+other.example:443:127.0.0.2,127.0.0.3");
  EXPECT_TRUE(m.Permits("evil.example", 80));
  EXPECT_FALSE(m.Permits("evil.example", 8081));
  EXPECT_FALSE(m.Permits("evil.example", 443));
  EXPECT_TRUE(m.Permits("other.example", 443));
  EXPECT_FALSE(m.Permits("other.example", 80));
  EXPECT_FALSE(m.Permits("sub.evil.example", 80));
}

TEST(ExplicitMappings, ConnectToPermitsOnlyANamedHostAndPort) {
  ExplicitMappings m;
  m.AddConnectTo("ift.tt:443:127.0.0.5:8443");
  EXPECT_TRUE(m.Permits("ift.tt", 443));
  EXPECT_FALSE(m.Permits("ift.tt", 80));
}

TEST(ExplicitMappings, WildcardEntriesNameNoHostAndPermitNothing) {
  ExplicitMappings m;
  m.AddConnectTo(":80:127.0.0.1:8080");           // every host on port 80
  m.AddConnectTo("any.example::127.0.0.1:8080");  // every port of a host
  m.AddConnectTo(":::");
  m.AddResolve("-gone.example:80");  // a removal, not a mapping
  m.AddResolve("*:80:127.0.0.1");
  EXPECT_FALSE(m.Permits("evil.example", 80));
  EXPECT_FALSE(m.Permits("", 80));
  EXPECT_FALSE(m.Permits("any.example", 80));
  EXPECT_FALSE(m.Permits("gone.example", 80));
  EXPECT_FALSE(m.Permits("evil.example", 80));
}

TEST(ExplicitMappings, BracketedIpv6HostIsNamedWithoutBrackets) {
  ExplicitMappings m;
  m.AddConnectTo("[::1]:8080:127.0.0.1:80");
  m.AddResolve("[fd00::5]:443:127.0.0.1");
  EXPECT_TRUE(m.Permits("::1", 8080));
  EXPECT_TRUE(m.Permits("fd00::5", 443));
  EXPECT_FALSE(m.Permits("::1", 80));
}

}  // namespace
}  // namespace rotguard
