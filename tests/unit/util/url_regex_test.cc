// URL regexes run in linear time on hostile input (issue #14 item 1).
#include "rotguard/url_regex.h"

#include <gtest/gtest.h>

#include <string>

#include "rotguard/rules.h"

namespace rotguard {
namespace {

// std::regex recursed once per character here and crashed with SIGSEGV on
// a 200 KB URL; RE2 matches it in linear time.
TEST(UrlRegexTest, AHugeUrlMatchesWithoutRecursion) {
  Result<UrlRegexSet> set =
      UrlRegexSet::Create({"^https://cdn\\.example/(a|b)*c$", "x+y"}, "test");
  ASSERT_TRUE(set.ok()) << set.status().message();
  std::string url = "https://cdn.example/" + std::string(4 << 20, 'a');
  EXPECT_FALSE(set->AnyMatches(url));
  url += "c";
  EXPECT_TRUE(set->AnyMatches(url));
}

TEST(UrlRegexTest, PatternsMatchAnywhereUnlessAnchored) {
  Result<UrlRegexSet> set = UrlRegexSet::Create({"utm_"}, "--exclude");
  ASSERT_TRUE(set.ok());
  EXPECT_TRUE(set->AnyMatches("https://a.example/?utm_source=x"));
  EXPECT_FALSE(set->AnyMatches("https://a.example/"));
  EXPECT_FALSE(UrlRegexSet().AnyMatches("https://a.example/"));
}

TEST(UrlRegexTest, BackreferencesAreRefusedNamingTheSettingAndPattern) {
  Result<UrlRegexSet> set =
      UrlRegexSet::Create({"ok", "(a)\\1"}, "[scope] exclude_urls");
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(set.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(set.status().message().find("[scope] exclude_urls '(a)\\1'"),
            std::string::npos)
      << set.status().message();
}

TEST(UrlRegexTest, BytesThatAreNotUtf8StillMatch) {
  Result<UrlRegexSet> set = UrlRegexSet::Create({"/caf.$"}, "test");
  ASSERT_TRUE(set.ok());
  EXPECT_TRUE(set->AnyMatches("https://a.example/caf\xE9"));
}

TEST(ScopeFilterTest, ALongRequisiteUrlWithAnExcludePatternIsJudged) {
  ScopeConfig scope;
  scope.exclude_urls = {".*\\.example/.*tracking.*"};
  Result<ScopeFilter> filter = ScopeFilter::Create(scope);
  ASSERT_TRUE(filter.ok()) << filter.status().message();
  const std::string url = "https://img.example/" + std::string(200'000, 'q');
  EXPECT_TRUE(filter->InScope(url));
  EXPECT_FALSE(filter->InScope(url + "tracking"));
}

}  // namespace
}  // namespace rotguard
