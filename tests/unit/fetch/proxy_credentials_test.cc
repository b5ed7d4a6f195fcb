// What a proxy and [[fetch.host]] credentials change about a request and
// its WARC record (fetch_internal.h), without the network.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "fetch/fetch_internal.h"
#include "rotguard/config.h"

namespace rotguard::fetch_internal {
namespace {

FetchConfig WithCredentials() {
  FetchConfig fetch;
  fetch.host_credentials = {
      {"members.example.org", {{"Authorization", "Bearer exact"}}, ""},
      {"*.example.org", {{"X-Any", "1"}}, "s=wild"},
      {"*.deep.example.org", {}, "s=deeper"},
  };
  return fetch;
}

TEST(HostCredentialsTest, ExactHostWinsOverAWildcard) {
  const FetchConfig fetch = WithCredentials();
  EXPECT_EQ(CredentialHeaderLines(fetch, "members.example.org"),
            std::vector<std::string>{"Authorization: Bearer exact"});
}

TEST(HostCredentialsTest, WildcardMatchesSubdomainsNotTheDomainItself) {
  const FetchConfig fetch = WithCredentials();
  EXPECT_EQ(CredentialHeaderLines(fetch, "a.example.org"),
            (std::vector<std::string>{"X-Any: 1", "Cookie: s=wild"}));
  EXPECT_TRUE(CredentialHeaderLines(fetch, "example.org").empty());
  EXPECT_TRUE(CredentialHeaderLines(fetch, "badexample.org").empty());
  EXPECT_TRUE(CredentialHeaderLines(fetch, "example.org.evil.net").empty());
}

TEST(HostCredentialsTest, LongestWildcardSuffixWins) {
  const FetchConfig fetch = WithCredentials();
  EXPECT_EQ(CredentialHeaderLines(fetch, "x.deep.example.org"),
            std::vector<std::string>{"Cookie: s=deeper"});
}

TEST(RecordedRequestHeadTest, CredentialValuesAreRedactedNamesStay) {
  const std::string head =
      "GET /p HTTP/1.1\r\nHost: a\r\nauthorization: Bearer x\r\n"
      "Proxy-Authorization: Basic dTpw\r\nCookie: s=1; t=2\r\n"
      "X-Cookie-Note: kept\r\n\r\n";
  EXPECT_EQ(RecordedRequestHead(head, true),
            "GET /p HTTP/1.1\r\nHost: a\r\nauthorization: [redacted]\r\n"
            "Proxy-Authorization: [redacted]\r\nCookie: [redacted]\r\n"
            "X-Cookie-Note: kept\r\n\r\n");
  EXPECT_EQ(RecordedRequestHead(head, false), head);
}

TEST(RecordedRequestHeadTest, AbsoluteFormRequestLineBecomesOriginForm) {
  EXPECT_EQ(RecordedRequestHead(
                "GET http://h.example:8080/a/b?q=1 HTTP/1.1\r\nHost: "
                "h.example:8080\r\nProxy-Connection: Keep-Alive\r\n\r\n",
                true),
            "GET /a/b?q=1 HTTP/1.1\r\nHost: h.example:8080\r\n\r\n");
  EXPECT_EQ(RecordedRequestHead("HEAD HTTP://h.example HTTP/1.1\r\n\r\n", true),
            "HEAD / HTTP/1.1\r\n\r\n");
  EXPECT_EQ(RecordedRequestHead("GET http://h?x HTTP/1.1\r\n\r\n", true),
            "GET /?x HTTP/1.1\r\n\r\n");
  // Origin form stays byte for byte.
  EXPECT_EQ(RecordedRequestHead("GET /http://x HTTP/1.1\r\n\r\n", true),
            "GET /http://x HTTP/1.1\r\n\r\n");
}

TEST(ProxyForDisplayTest, PasswordIsNeverShown) {
  EXPECT_EQ(ProxyForDisplay("http://user:pw@proxy:3128"), "http://proxy:3128");
  EXPECT_EQ(ProxyForDisplay("socks5h://a@b:1"), "socks5h://b:1");
  EXPECT_EQ(ProxyForDisplay("http://proxy:3128/x@y"), "http://proxy:3128/x@y");
}

TEST(MappedAddressesTest, EveryResolveEntryNamesItsHostsAddresses) {
  auto mapped = MappedAddresses({"A.example:80:127.0.0.5",
                                 "+b.example:443:10.0.0.1,[::1]",
                                 "-c.example:80", "[::2]:80:10.9.9.9"});
  EXPECT_EQ(mapped["a.example"], std::vector<std::string>{"127.0.0.5"});
  EXPECT_EQ(mapped["b.example"], (std::vector<std::string>{"10.0.0.1", "::1"}));
  EXPECT_EQ(mapped.count("c.example"), 0u);
  EXPECT_EQ(mapped["::2"], std::vector<std::string>{"10.9.9.9"});
}

}  // namespace
}  // namespace rotguard::fetch_internal
