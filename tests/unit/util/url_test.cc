#include "rotguard/url.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "rotguard/rules.h"

namespace rotguard {
namespace {

struct Case {
  std::string input;
  std::string want;
};

TEST(NormalizeUrlTest, LowercasesSchemeAndHostButNotPathOrQuery) {
  EXPECT_EQ(NormalizeUrl("HTTPS://Example.COM/Path/To?Q=A#Frag"),
            "https://example.com/Path/To?Q=A");
}

TEST(NormalizeUrlTest, ConvertsInternationalHostsToPunycode) {
  EXPECT_EQ(NormalizeUrl("https://b\xC3\xBC"
                         "cher.example/"),
            "https://xn--bcher-kva.example/");
  EXPECT_EQ(NormalizeUrl("https://B\xC3\x9C"
                         "CHER.example/a"),
            "https://xn--bcher-kva.example/a");
  // Non-transitional UTS #46 keeps the sharp s (transitional maps it to ss).
  EXPECT_EQ(NormalizeUrl("http://fa\xC3\x9F.de/"), "http://xn--fa-hia.de/");
}

TEST(NormalizeUrlTest, DropsOnlyTheSchemesDefaultPort) {
  const std::vector<Case> cases = {
      {"http://example.com:80/a", "http://example.com/a"},
      {"https://example.com:443/a", "https://example.com/a"},
      {"http://example.com:443/a", "http://example.com:443/a"},
      {"https://example.com:80/a", "https://example.com:80/a"},
      {"http://example.com:0080/a", "http://example.com/a"},
      {"http://example.com:08080/a", "http://example.com:8080/a"},
      {"http://example.com:/a", "http://example.com/a"},
      {"http://example.com:65535/", "http://example.com:65535/"},
  };
  for (const Case& c : cases)
    EXPECT_EQ(NormalizeUrl(c.input), c.want) << c.input;
}

TEST(NormalizeUrlTest, EmptyPathBecomesSlash) {
  EXPECT_EQ(NormalizeUrl("http://example.com"), "http://example.com/");
  EXPECT_EQ(NormalizeUrl("http://example.com?q=1"), "http://example.com/?q=1");
  EXPECT_EQ(NormalizeUrl("http://example.com#top"), "http://example.com/");
}

TEST(NormalizeUrlTest, RemovesDotSegments) {
  const std::vector<Case> cases = {
      {"http://example.com/a/./b/../c", "http://example.com/a/c"},
      {"http://example.com/../../a", "http://example.com/a"},
      {"http://example.com/a/b/..", "http://example.com/a/"},
      {"http://example.com/a/b/.", "http://example.com/a/b/"},
      {"http://example.com/a/.b/..c/", "http://example.com/a/.b/..c/"},
      // Encoded dots are data, not dot segments: nothing is decoded.
      {"http://example.com/a/%2e%2E/b", "http://example.com/a/%2E%2E/b"},
  };
  for (const Case& c : cases)
    EXPECT_EQ(NormalizeUrl(c.input), c.want) << c.input;
}

TEST(NormalizeUrlTest, UppercasesPercentHexWithoutDecodingAnything) {
  EXPECT_EQ(NormalizeUrl("http://example.com/%7ea%2fb?x=%c3%a9&y=%41"),
            "http://example.com/%7Ea%2Fb?x=%C3%A9&y=%41");
  // A lone "%" is not an escape and stays as written.
  EXPECT_EQ(NormalizeUrl("http://example.com/100%/%zz"),
            "http://example.com/100%/%zz");
}

TEST(NormalizeUrlTest, EncodesBytesThatCannotAppearRawLikeBrowsers) {
  EXPECT_EQ(NormalizeUrl("http://example.com/a b/\xC3\xA9{x}`?q=a b&s='t'`"),
            "http://example.com/a%20b/%C3%A9%7Bx%7D%60?q=a%20b&s=%27t%27`");
  EXPECT_EQ(NormalizeUrl("http://example.com/\"<>\""),
            "http://example.com/%22%3C%3E%22");
}

TEST(NormalizeUrlTest, KeepsQueryOrderAndBytesAndDropsFragment) {
  EXPECT_EQ(NormalizeUrl("http://example.com/p?b=2&a=1&&c#frag?x"),
            "http://example.com/p?b=2&a=1&&c");
  EXPECT_EQ(NormalizeUrl("http://example.com/p?"), "http://example.com/p?");
}

TEST(NormalizeUrlTest, KeepsUserinfo) {
  EXPECT_EQ(NormalizeUrl("http://User:Pa%2fss@Example.com:8080/x"),
            "http://User:Pa%2Fss@example.com:8080/x");
}

TEST(NormalizeUrlTest, LowercasesIpv6LiteralsAndKeepsTheirPort) {
  EXPECT_EQ(NormalizeUrl("http://[2001:DB8::A]:8080/x"),
            "http://[2001:db8::a]:8080/x");
  EXPECT_EQ(NormalizeUrl("https://[::1]:443"), "https://[::1]/");
}

TEST(NormalizeUrlTest, KeepsTheTrailingDotOfAHost) {
  EXPECT_EQ(NormalizeUrl("http://Example.com./"), "http://example.com./");
}

TEST(NormalizeUrlTest, TrimsSurroundingWhitespace) {
  EXPECT_EQ(NormalizeUrl("  http://example.com/a\n"), "http://example.com/a");
}

TEST(NormalizeUrlTest, RejectsWhatIsNotAnAbsoluteHttpUrlWithAValidHost) {
  const std::vector<std::string> rejects = {
      "",
      "example.com/a",
      "/relative/path",
      "//example.com/a",
      "mailto:someone@example.com",
      "ftp://example.com/file",
      "javascript:alert(1)",
      "http:example.com",
      "http:///path",
      "http://user@/path",
      "http://example.com:99999/",
      "http://example.com:8a/",
      "http://example.com:-1/",
      "http://exa mple.com/",
      "http://exa<mple.com/",
      "http://[::1/",
      "http://[not:an:address]/",
      "http://[::1]x/",
      "http://ex%zzample.com/",
      "http://\xFF\xFE.example/",
  };
  for (const std::string& url : rejects) {
    EXPECT_EQ(NormalizeUrl(url), std::nullopt) << url;
  }
}

TEST(NormalizeUrlTest, IsIdempotent) {
  for (const char* url :
       {"HTTP://B\xC3\xBC"
        "cher.Example:80/a/../b%7e?x=1 2#f",
        "https://[::1]:8443/%c3%a9", "http://u@h.example././"}) {
    std::optional<std::string> once = NormalizeUrl(url);
    ASSERT_TRUE(once.has_value()) << url;
    EXPECT_EQ(NormalizeUrl(*once), once) << url;
  }
}

// RFC 3986 §5.4.1 and §5.4.2, base "http://a/b/c/d;p?q".
TEST(ResolveUrlTest, MatchesRfc3986NormalExamples) {
  const std::vector<Case> cases = {
      {"g:h", "g:h"},
      {"g", "http://a/b/c/g"},
      {"./g", "http://a/b/c/g"},
      {"g/", "http://a/b/c/g/"},
      {"/g", "http://a/g"},
      {"//g", "http://g"},
      {"?y", "http://a/b/c/d;p?y"},
      {"g?y", "http://a/b/c/g?y"},
      {"#s", "http://a/b/c/d;p?q#s"},
      {"g#s", "http://a/b/c/g#s"},
      {"g?y#s", "http://a/b/c/g?y#s"},
      {";x", "http://a/b/c/;x"},
      {"g;x", "http://a/b/c/g;x"},
      {"g;x?y#s", "http://a/b/c/g;x?y#s"},
      {"", "http://a/b/c/d;p?q"},
      {".", "http://a/b/c/"},
      {"./", "http://a/b/c/"},
      {"..", "http://a/b/"},
      {"../", "http://a/b/"},
      {"../g", "http://a/b/g"},
      {"../..", "http://a/"},
      {"../../", "http://a/"},
      {"../../g", "http://a/g"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ResolveUrl("http://a/b/c/d;p?q", c.input), c.want) << c.input;
  }
}

TEST(ResolveUrlTest, MatchesRfc3986AbnormalExamples) {
  const std::vector<Case> cases = {
      {"../../../g", "http://a/g"},
      {"../../../../g", "http://a/g"},
      {"/./g", "http://a/g"},
      {"/../g", "http://a/g"},
      {"g.", "http://a/b/c/g."},
      {".g", "http://a/b/c/.g"},
      {"g..", "http://a/b/c/g.."},
      {"..g", "http://a/b/c/..g"},
      {"./../g", "http://a/b/g"},
      {"./g/.", "http://a/b/c/g/"},
      {"g/./h", "http://a/b/c/g/h"},
      {"g/../h", "http://a/b/c/h"},
      {"g;x=1/./y", "http://a/b/c/g;x=1/y"},
      {"g;x=1/../y", "http://a/b/c/y"},
      {"g?y/./x", "http://a/b/c/g?y/./x"},
      {"g?y/../x", "http://a/b/c/g?y/../x"},
      {"g#s/./x", "http://a/b/c/g#s/./x"},
      {"g#s/../x", "http://a/b/c/g#s/../x"},
      {"http:g", "http:g"},  // strict parser
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ResolveUrl("http://a/b/c/d;p?q", c.input), c.want) << c.input;
  }
}

TEST(ResolveUrlTest, BaseWithAuthorityAndEmptyPathMergesUnderSlash) {
  EXPECT_EQ(ResolveUrl("https://example.com", "post/1"),
            "https://example.com/post/1");
  EXPECT_EQ(ResolveUrl("https://example.com/blog/", "../img/a.png"),
            "https://example.com/img/a.png");
}

TEST(ResolveUrlTest, RejectsARelativeBase) {
  EXPECT_EQ(ResolveUrl("/blog/", "a"), std::nullopt);
  EXPECT_EQ(ResolveUrl("", "http://example.com/"), std::nullopt);
}

TEST(UrlSchemeTest, ReturnsTheLowercasedSchemeOrEmpty) {
  EXPECT_EQ(UrlScheme("HTTPS://example.com/"), "https");
  EXPECT_EQ(UrlScheme("mailto:a@example.com"), "mailto");
  EXPECT_EQ(UrlScheme("tel:+1-555"), "tel");
  EXPECT_EQ(UrlScheme("svn+ssh://host/repo"), "svn+ssh");
  EXPECT_EQ(UrlScheme("/relative:path"), "");
  EXPECT_EQ(UrlScheme("//example.com/a"), "");
  EXPECT_EQ(UrlScheme("1abc:x"), "");
  EXPECT_EQ(UrlScheme("a b:c"), "");
  EXPECT_EQ(UrlScheme(""), "");
}

// Expected values were produced by running warcio.js 2.4.11's getSurt()
// (tools/interop/node_modules/warcio) under Node 20 on each input.
TEST(SurtTest, MatchesWarcioJsGetSurt) {
  const std::vector<Case> cases = {
      {"https://www23.example.com/some/path", "com,example)/some/path"},
      {"https://example.com/www2.example/some/value",
       "com,example)/www2.example/some/value"},
      {"https://abc.www.example.com/example", "com,example,www,abc)/example"},
      {"https://www.example.com:443/some/path", "com,example)/some/path"},
      {"http://www.example.com:80/some/path", "com,example)/some/path"},
      {"https://www.example.com:123/some/path", "com,example:123)/some/path"},
      {"https://www.example.com/some/path?D=1&CC=2&EE=3",
       "com,example)/some/path?cc=2&d=1&ee=3"},
      {"https://www.example.com/some/path?a=b&c=d&*&z",
       "com,example)/some/path?*&a=b&c=d&z"},
      {"https://WWW.Example.COM/A/B?Z=1", "com,example,www)/a/b?z=1"},
      {"HTTP://example.com/", "HTTP://example.com/"},
      {"ftp://example.com/x", "ftp://example.com/x"},
      {"mailto:a@b.c", "mailto:a@b.c"},
      {"http://example.com", "com,example)/"},
      {"http://example.com?", "com,example)/"},
      {"http://example.com/?", "com,example)/"},
      {"http://example.com/a/./b/../c", "com,example)/a/c"},
      {"http://example.com/a/%2E%2E/b", "com,example)/b"},
      {"http://example.com/a b/c\"d<e>f`g{h}i|j^k",
       "com,example)/a%20b/c%22d%3Ce%3Ef%60g%7Bh%7Di|j^k"},
      {"http://example.com/?q=a b&x='y'&z=\"w\"",
       "com,example)/?q=a%20b&x=%27y%27&z=%22w%22"},
      {"http://example.com/#frag", "com,example)/"},
      {"http://example.com/p?b=2&a=1#f", "com,example)/p?a=1&b=2"},
      {"http://user:pass@example.com:8080/x", "com,example:8080)/x"},
      {"http://[::1]:8080/x", "[::1]:8080)/x"},
      {"http://[2001:DB8:0:0:1:0:0:1]/", "[2001:db8::1:0:0:1])/"},
      {"http://[::ffff:1.2.3.4]/", "[::ffff:102:304])/"},
      {"http://127.0.0.1/", "1,0,0,127)/"},
      {"http://0x7f.1/", "1,0,0,127)/"},
      {"http://2130706433/", "1,0,0,127)/"},
      {"http://1.2.3.256/", "http://1.2.3.256/"},
      {"http://example.com:99999/", "http://example.com:99999/"},
      {"http://example.com:8a/", "http://example.com:8a/"},
      {"http://b\xC3"
       "\xBC"
       "cher.example/stra\xC3"
       "\x9F"
       "e?\xC3"
       "\xA4"
       "=\xC3"
       "\xB6"
       "",
       "example,xn--bcher-kva)/stra%C3%9Fe?%C3%A4=%C3%B6"},
      {"http://ex%41mple.com/", "com,example)/"},
      {"http:\\\\example.com\\a\\b", "com,example)/a/b"},
      {"http:example.com/x", "com,example)/x"},
      {"http://example.com./a", ",com,example)/a"},
      {"http://example.com:/x", "com,example)/x"},
      {"http://a@/x", "http://a@/x"},
      {"http://exa mple.com/", "http://exa mple.com/"},
      {"https://www.example.com/%7Ea%2fb", "com,example)/%7ea%2fb"},
      {"https://www.example.com/\xC4"
       "\xB0"
       "stanbul",
       "com,example)/i%CC%87stanbul"},
      {"http://www.com/", "com)/"},
      {"http://www1.www2.example.com/", "com,example,www2)/"},
      {"https://example.com/a?b&a&&c", "com,example)/a?&a&b&c"},
      {"http://EXAMPLE.com:0080/", "com,example)/"},
      {"https://x.com/a/..%2e/b", "com,x)/a/..%2e/b"},
      {"https://example.com/\xCE"
       "\x91"
       "\xCE"
       "\x92"
       "\xCE"
       "\x93"
       "/Stra\xC3"
       "\x9F"
       "e?\xC3"
       "\x84"
       "=\xC3"
       "\x96"
       "",
       "com,example)/%CE%B1%CE%B2%CE%B3/stra%C3%9Fe?%C3%A4=%C3%B6"},
      {"https://\xC3"
       "\x89"
       "XAMPLE.com/x",
       "com,xn--xample-9ua)/x"},
      {"http://www.\xCE"
       "\xA3"
       "\xCE"
       "\x91"
       "\xCE"
       "\xA3"
       ".gr/\xCE"
       "\xA3"
       "\xCE"
       "\x91"
       "\xCE"
       "\xA3"
       "",
       "gr,xn--mxa9ab)/%CF%83%CE%B1%CF%82"},
      {"http://\xCE"
       "\xA3"
       "\xCE"
       "\x91"
       "\xCE"
       "\xA3"
       ":8080/",
       "xn--mxa8ab:8080)/"},
      {"https://a.com/\xCE"
       "\xA3"
       "\xCE"
       "\x91"
       "\xCE"
       "\xA3"
       "'\xCE"
       "\xA3"
       "",
       "com,a)/%CF%83%CE%B1%CF%83'%CF%82"},
      {"https://a.com/\xCE"
       "\x91"
       "\xCE"
       "\xA3"
       ".\xCE"
       "\xA3"
       "",
       "com,a)/%CE%B1%CF%83.%CF%82"},
  };
  for (const Case& c : cases) EXPECT_EQ(Surt(c.input), c.want) << c.input;
}

}  // namespace
}  // namespace rotguard

namespace rotguard {
namespace {

TEST(UrlHostTest, HostIsLowercaseWithoutUserinfoPortOrBrackets) {
  EXPECT_EQ(UrlHost("https://User:pw@Example.COM:8443/p?q#f"), "example.com");
  EXPECT_EQ(UrlHost("http://[::1]:8081/"), "::1");
  EXPECT_EQ(UrlHost("http://a.example?x=1"), "a.example");
  EXPECT_EQ(UrlHost("/relative/path"), "");
  EXPECT_EQ(UrlHost("mailto:someone@example.com"), "");
  EXPECT_EQ(UrlHost("http://[::1/"), "");
}

TEST(UrlPortTest, ExplicitPortElseTheSchemesDefault) {
  EXPECT_EQ(UrlPort("http://example.com/"), 80);
  EXPECT_EQ(UrlPort("HTTPS://example.com/"), 443);
  EXPECT_EQ(UrlPort("http://example.com:8081/"), 8081);
  EXPECT_EQ(UrlPort("http://[::1]:9/"), 9);
  EXPECT_EQ(UrlPort("http://[::1]/"), 80);
  EXPECT_EQ(UrlPort("http://example.com:99999/"), 0);
  EXPECT_EQ(UrlPort("http://example.com:8x/"), 0);
  EXPECT_EQ(UrlPort("ftp://example.com/"), 0);
}

TEST(UrlHostOfTest, IPv6LiteralsKeepTheirBracketsForConfigKeys) {
  EXPECT_EQ(UrlHostOf("http://[::1]:8081/"), "[::1]");
  EXPECT_EQ(UrlHostOf("https://LH3.googleusercontent.com/x"),
            "lh3.googleusercontent.com");
}

}  // namespace
}  // namespace rotguard

namespace rotguard {
namespace {

TEST(SplitUrlTest, GivesTheFiveComponentsAsViewsIntoTheInput) {
  const std::string url = "HTTPS://u@Example.com:8443/a/b;p?q=1&r#frag";
  UrlComponents parts = SplitUrl(url);
  EXPECT_EQ(parts.scheme, "HTTPS");
  EXPECT_EQ(parts.authority, "u@Example.com:8443");
  EXPECT_EQ(parts.path, "/a/b;p");
  EXPECT_EQ(parts.query, "q=1&r");
  EXPECT_EQ(parts.fragment, "frag");
  EXPECT_EQ(parts.path.data() - url.data(), 26);
}

TEST(SplitUrlTest, AbsentAndEmptyComponentsDiffer) {
  UrlComponents with_empty = SplitUrl("http://h?#");
  EXPECT_EQ(with_empty.path, "");
  EXPECT_EQ(with_empty.query, "");
  EXPECT_EQ(with_empty.fragment, "");
  UrlComponents without = SplitUrl("http://h");
  EXPECT_EQ(without.query, std::nullopt);
  EXPECT_EQ(without.fragment, std::nullopt);
}

TEST(PercentDecodeTest, DecodesEscapesAndKeepsALoneOrBadPercent) {
  EXPECT_EQ(PercentDecode("a%20b%2Fc%c3%A9"), "a b/c\xC3\xA9");
  EXPECT_EQ(PercentDecode("100%"), "100%");
  EXPECT_EQ(PercentDecode("%zz%4"), "%zz%4");
  EXPECT_EQ(PercentDecode("%41"), "A");
}

TEST(SplitUrlTest, SplitsRelativeAndNonHierarchicalReferences) {
  UrlComponents mailto = SplitUrl("mailto:a@example.com?subject=x");
  EXPECT_EQ(mailto.scheme, "mailto");
  EXPECT_EQ(mailto.authority, std::nullopt);
  EXPECT_EQ(mailto.path, "a@example.com");
  UrlComponents network = SplitUrl("//cdn.example/x.js");
  EXPECT_EQ(network.scheme, std::nullopt);
  EXPECT_EQ(network.authority, "cdn.example");
  EXPECT_EQ(network.path, "/x.js");
  // Not a valid scheme: the colon is part of the path.
  UrlComponents path = SplitUrl("1x:y/z");
  EXPECT_EQ(path.scheme, std::nullopt);
  EXPECT_EQ(path.path, "1x:y/z");
}

}  // namespace
}  // namespace rotguard
