#include "rotguard/rules.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "rotguard/config.h"
#include "rotguard/manifest.h"

namespace rotguard {
namespace {

TEST(BloggerRuleTest, PathSizeTokenBecomesS0) {
  EXPECT_EQ(BloggerSizeToS0("https://1.bp.blogspot.com/-a/B/s640/cat.jpg"),
            "https://1.bp.blogspot.com/-a/B/s0/cat.jpg");
  EXPECT_EQ(BloggerSizeToS0("https://1.bp.blogspot.com/-a/B/s1600-h/cat.jpg"),
            "https://1.bp.blogspot.com/-a/B/s0/cat.jpg");
  EXPECT_EQ(BloggerSizeToS0("https://blogger.googleusercontent.com/img/b/"
                            "R29v/w640-h480/cat.jpg"),
            "https://blogger.googleusercontent.com/img/b/R29v/s0/cat.jpg");
}

TEST(BloggerRuleTest, EqualsSizeTokenBecomesS0) {
  EXPECT_EQ(BloggerSizeToS0("https://lh3.googleusercontent.com/abc=s640"),
            "https://lh3.googleusercontent.com/abc=s0");
  EXPECT_EQ(BloggerSizeToS0("https://lh3.googleusercontent.com/abc=w640-h480"),
            "https://lh3.googleusercontent.com/abc=s0");
}

TEST(BloggerRuleTest, SizeTokensCountOnlyInThePath) {
  // The path ends at "?" and "#"; a URL without a path has none.
  EXPECT_FALSE(BloggerSizeToS0("https://1.bp.blogspot.com?u=/a/s640/c.jpg"));
  EXPECT_EQ(BloggerSizeToS0("https://1.bp.blogspot.com/a/s640/c.jpg?v=/s9/"),
            "https://1.bp.blogspot.com/a/s0/c.jpg?v=/s9/");
  EXPECT_FALSE(BloggerSizeToS0("//1.bp.blogspot.com/a/s640/c.jpg"));
}

TEST(BloggerRuleTest, UrlWithoutSizeTokenHasNoOriginal) {
  EXPECT_FALSE(BloggerSizeToS0("https://1.bp.blogspot.com/-a/B/cat.jpg"));
  BloggerRule rule;
  EXPECT_FALSE(
      BloggerOriginalUrl(rule, "https://1.bp.blogspot.com/a/s0/c.jpg"));
  EXPECT_FALSE(BloggerOriginalUrl(rule, "https://example.com/a/s640/c.jpg"));
  EXPECT_EQ(BloggerOriginalUrl(rule, "https://2.bp.blogspot.com/a/s640/c.jpg"),
            "https://2.bp.blogspot.com/a/s0/c.jpg");
}

TEST(BloggerRuleTest, SizeVariantsShareOneAssetKey) {
  BloggerRule rule;
  std::string a =
      BloggerAssetKey(rule, "https://1.bp.blogspot.com/x/s640/c.jpg");
  std::string b =
      BloggerAssetKey(rule, "https://1.bp.blogspot.com/x/s1600/c.jpg");
  EXPECT_FALSE(a.empty());
  EXPECT_EQ(a, b);
  EXPECT_EQ(BloggerAssetKey(rule, "https://example.com/x/s640/c.jpg"), "");
}

TEST(BloggerRuleTest, DisabledRuleFetchesNoOriginal) {
  BloggerRule rule;
  rule.fetch_original = false;
  EXPECT_FALSE(
      BloggerOriginalUrl(rule, "https://1.bp.blogspot.com/a/s640/c.jpg"));
}

TEST(HostPatternTest, MatchesSubdomainsAndGlobsOnly) {
  EXPECT_TRUE(HostMatchesPattern("bp.blogspot.com", "1.bp.blogspot.com"));
  EXPECT_TRUE(HostMatchesPattern("example.com", "example.com"));
  EXPECT_FALSE(HostMatchesPattern("example.com", "badexample.com"));
  EXPECT_TRUE(HostMatchesPattern("lh*.googleusercontent.com",
                                 "lh3.googleusercontent.com"));
  EXPECT_FALSE(HostMatchesPattern("lh*.googleusercontent.com",
                                  "blogger.googleusercontent.com"));
}

TEST(UrlHostTest, DropsPortUserinfoAndCase) {
  EXPECT_EQ(UrlHostOf("https://User@Ift.TT:443/x?y"), "ift.tt");
  EXPECT_EQ(UrlHostOf("http://[::1]:8080/"), "[::1]");
  EXPECT_EQ(UrlHostOf("not a url"), "");
}

TEST(PostResourceUriTest, FileUriWithoutBaseUrl) {
  Config config;
  EXPECT_EQ(PostResourceUri(config, "content/posts/a.md"),
            "file:content/posts/a.md");
}

TEST(PostResourceUriTest, HugoAndJekyllPermalinks) {
  Config config;
  config.site.base_url = "https://blog.example.org/";
  EXPECT_EQ(PostResourceUri(config, "content/posts/hello.md"),
            "https://blog.example.org/posts/hello/");
  EXPECT_EQ(PostResourceUri(config, "content/posts/bundle/index.md"),
            "https://blog.example.org/posts/bundle/");
  EXPECT_EQ(PostResourceUri(config, "_posts/2020-02-03-news.md"),
            "https://blog.example.org/2020/02/03/news.html");
}

TEST(DueTest, NewFailedStaleForcedAndFresh) {
  HealthConfig health;  // 30 days
  int64_t day_us = int64_t{86400} * 1'000'000;
  int64_t now = 100 * day_us;
  EXPECT_EQ(DecideDue(nullptr, now, health, false), DueReason::kNew);
  UrlRow never;
  EXPECT_EQ(DecideDue(&never, now, health, false), DueReason::kNew);
  UrlRow fresh;
  fresh.verdict = "ok";
  fresh.last_capture_us = now - day_us;
  EXPECT_EQ(DecideDue(&fresh, now, health, false), DueReason::kNotDue);
  EXPECT_EQ(DecideDue(&fresh, now, health, true), DueReason::kForced);
  UrlRow failed = fresh;
  failed.failure_class = "http-4xx";
  EXPECT_EQ(DecideDue(&failed, now, health, false), DueReason::kFailed);
  UrlRow stale;
  stale.verdict = "ok";
  stale.last_capture_us = now - 31 * day_us;
  EXPECT_EQ(DecideDue(&stale, now, health, false), DueReason::kStale);
}

TEST(DueTest, CapturedButNeverJudgedIsDueOnce) {
  HealthConfig health;
  int64_t day_us = int64_t{86400} * 1'000'000;
  int64_t now = 100 * day_us;
  UrlRow unjudged;  // e.g. indexed from a killed run's stale file
  unjudged.last_capture_us = now - day_us;
  EXPECT_EQ(DecideDue(&unjudged, now, health, false), DueReason::kUnjudged);
  EXPECT_STREQ(DueReasonName(DueReason::kUnjudged), "unjudged");
  unjudged.verdict = "ok";  // judged by the run that fetched it again
  EXPECT_EQ(DecideDue(&unjudged, now, health, false), DueReason::kNotDue);
}

TEST(ShortenerTest, FinalTargetIsLastNonShortenerHop) {
  ShortenerRule rule;
  EXPECT_EQ(FinalNonShortenerUrl(
                rule, {"https://ift.tt/x", "https://feeds.feedburner.com/~r/x",
                       "https://www.ehackingnews.com/2020/02/x.html"}),
            "https://www.ehackingnews.com/2020/02/x.html");
  EXPECT_EQ(FinalNonShortenerUrl(
                rule, {"https://news.example.com/a", "https://bit.ly/b"}),
            "https://news.example.com/a");
  EXPECT_EQ(FinalNonShortenerUrl(rule, {"https://t.co/a"}), "");
  EXPECT_TRUE(IsShortenerUrl(rule, "https://t.co/abc"));
  EXPECT_FALSE(IsShortenerUrl(rule, "https://news.example.com/abc"));
}

TEST(ScopeTest, HostAndUrlPatterns) {
  ScopeConfig scope;
  scope.exclude_hosts = {"twitter.com"};
  scope.exclude_urls = {"\\.pdf$"};
  Result<ScopeFilter> filter = ScopeFilter::Create(scope);
  ASSERT_TRUE(filter.ok());
  EXPECT_TRUE(filter->InScope("https://example.com/a"));
  EXPECT_FALSE(filter->InScope("https://mobile.twitter.com/a"));
  EXPECT_FALSE(filter->InScope("https://example.com/a.pdf"));
  scope.include_hosts = {"example.com"};
  filter = ScopeFilter::Create(scope);
  ASSERT_TRUE(filter.ok());
  EXPECT_FALSE(filter->InScope("https://other.org/"));
  scope.exclude_urls = {"("};
  EXPECT_FALSE(ScopeFilter::Create(scope).ok());
}

TEST(ScopeTest, ForgottenUrlsAreOutOfScopeWhateverThePatterns) {
  Result<ScopeFilter> filter = ScopeFilter::Create(ScopeConfig{});
  ASSERT_TRUE(filter.ok());
  filter->ExcludeForgotten({"https://example.com/taken-down"});
  EXPECT_FALSE(filter->InScope("https://example.com/taken-down"));
  EXPECT_TRUE(filter->InScope("https://example.com/other"));
}

}  // namespace
}  // namespace rotguard
