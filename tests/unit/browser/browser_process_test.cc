// Chromium's command line and the binary finder; nothing is started here
// (tests/integration/browser_capture.sh runs the real browser).
#include "browser/browser_process.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <optional>
#include <string>

#include "rotguard/browser.h"

namespace rotguard {
namespace {

bool Has(const std::vector<std::string>& args, const std::string& flag) {
  return std::find(args.begin(), args.end(), flag) != args.end();
}

bool HasPrefix(const std::vector<std::string>& args,
               const std::string& prefix) {
  return std::any_of(args.begin(), args.end(), [&](const std::string& a) {
    return a.rfind(prefix, 0) == 0;
  });
}

TEST(ChromiumArguments, RunHeadlessOverThePipeWithTheGivenProfile) {
  BrowserOptions options;
  options.chromium = "/usr/bin/chromium";
  std::vector<std::string> args = ChromiumArguments(options, "/tmp/p", false);
  EXPECT_EQ(args.front(), "/usr/bin/chromium");
  EXPECT_TRUE(Has(args, "--headless"));
  EXPECT_TRUE(Has(args, "--remote-debugging-pipe"));
  EXPECT_TRUE(Has(args, "--user-data-dir=/tmp/p"));
  EXPECT_TRUE(Has(args, "--disable-background-networking"));
  EXPECT_TRUE(Has(args, "--disable-component-update"));
  EXPECT_TRUE(Has(args, "--no-first-run"));
}

TEST(ChromiumArguments, DisableTheSandboxOnlyWhenRunningAsRoot) {
  BrowserOptions options;
  EXPECT_FALSE(
      Has(ChromiumArguments(options, "/tmp/p", false), "--no-sandbox"));
  EXPECT_TRUE(Has(ChromiumArguments(options, "/tmp/p", true), "--no-sandbox"));
}

TEST(ChromiumArguments, RouteEverythingThroughTheProxyIncludingLoopback) {
  BrowserOptions options;
  EXPECT_FALSE(
      HasPrefix(ChromiumArguments(options, "/tmp/p", false), "--proxy"));
  options.proxy = ProxySettings{"127.0.0.1:8123", "abc+/="};
  std::vector<std::string> args = ChromiumArguments(options, "/tmp/p", false);
  EXPECT_TRUE(Has(args, "--proxy-server=http://127.0.0.1:8123"));
  EXPECT_TRUE(Has(args, "--proxy-bypass-list=<-loopback>"));
  EXPECT_TRUE(Has(args, "--ignore-certificate-errors-spki-list=abc+/="));
}

TEST(ChromiumArguments, PassHostResolverRulesOnlyWhenGiven) {
  BrowserOptions options;
  EXPECT_FALSE(HasPrefix(ChromiumArguments(options, "/tmp/p", false),
                         "--host-resolver-rules"));
  options.host_resolver_rules = "MAP news.example.com 127.0.0.2:8080";
  EXPECT_TRUE(Has(ChromiumArguments(options, "/tmp/p", false),
                  "--host-resolver-rules=MAP news.example.com 127.0.0.2:8080"));
}

// Sets ROTGUARD_CHROMIUM for one test and restores it afterwards.
class ChromiumOverride {
 public:
  explicit ChromiumOverride(const char* value) {
    if (const char* old = std::getenv("ROTGUARD_CHROMIUM")) old_ = old;
    ::setenv("ROTGUARD_CHROMIUM", value, 1);
  }
  ~ChromiumOverride() {
    if (old_) {
      ::setenv("ROTGUARD_CHROMIUM", old_->c_str(), 1);
    } else {
      ::unsetenv("ROTGUARD_CHROMIUM");
    }
  }

 private:
  std::optional<std::string> old_;
};

TEST(FindChromium, TheEnvironmentOverrideWinsWhenItIsAnExecutable) {
  ChromiumOverride env("/bin/sh");
  Result<std::filesystem::path> found = FindChromium();
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(*found, "/bin/sh");
}

TEST(FindChromium, AMissingBinaryIsNotFoundNamingThePath) {
  ChromiumOverride env("/nonexistent/chromium");
  Result<std::filesystem::path> found = FindChromium();
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.status().code(), ErrorCode::kNotFound);
  EXPECT_NE(found.status().message().find("/nonexistent/chromium"),
            std::string::npos);
}

// /bin/true exits at once without speaking DevTools: Launch reports the
// closed pipe (no wait for the start timeout) and reaps it.
TEST(BrowserLaunch, AProgramThatIsNotChromiumFailsFastNamingIt) {
  BrowserOptions options;
  options.chromium = "/bin/true";
  options.start_timeout = std::chrono::seconds(60);
  Result<std::unique_ptr<Browser>> browser = Browser::Launch(options);
  ASSERT_FALSE(browser.ok());
  EXPECT_NE(browser.status().message().find("/bin/true did not start"),
            std::string::npos)
      << browser.status().message();
}

}  // namespace
}  // namespace rotguard
