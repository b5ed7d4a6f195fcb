#include "rotguard/config.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "unit/temp_dir.h"
#include "util/file.h"

namespace rotguard {
namespace {

using testing::TempDir;

const char* const kPolicyPath =
    ROTGUARD_TEST_DATA_DIR "/../../policies/default.toml";

void WriteText(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

Status Apply(const std::string& text, Config* config) {
  return ApplyConfigText(text, "/etc/site.toml", config);
}

TEST(ConfigTest, ShippedDefaultPolicyEqualsTheBuiltInDefaults) {
  Config config;
  Status status = ApplyConfigFile(kPolicyPath, &config);
  ASSERT_TRUE(status.ok()) << status.message();
  EXPECT_EQ(config, Config{});
}

TEST(ConfigTest, ShippedDefaultPolicySetsEverySettingExplicitly) {
  // Start far from the defaults: every value the policy states is put back.
  Config config;
  config.fetch = FetchConfig{
      "x",          1,        1,    0, 1, 0, 0, 0, 1, 1, 0, 0, 0, "obey", true,
      "http://p:1", "/x.pem", true, {}};
  config.scope.include_hosts = {"a"};
  config.scope.exclude_hosts = {"a"};
  config.scope.include_urls = {"a"};
  config.scope.exclude_urls = {"a"};
  config.health = HealthConfig{1, 1, 1};
  config.site.base_url = "https://blog.example/";
  config.blogger = BloggerRule{false, {}, false};
  config.shortener = ShortenerRule{false, {}, false, false};
  config.rescue = RescueConfig{false, "https://x/",
                               "",    {"https://t/"},
                               2,     0,
                               9,     60,
                               true,  "https://s/",
                               "1h",  "a",
                               "b",   1,
                               1,     1,
                               1,     1};
  config.browser = BrowserConfig{"always", 4, 5, "5s", 1 << 30};
  ASSERT_TRUE(ApplyConfigFile(kPolicyPath, &config).ok());
  EXPECT_EQ(config, Config{});
}

TEST(ConfigTest, DefaultsMatchTheSpec) {
  Config config;
  EXPECT_EQ(config.fetch.jobs, 8);
  EXPECT_EQ(config.fetch.per_host, 2);
  EXPECT_EQ(config.fetch.delay_ms, 250);
  EXPECT_EQ(config.fetch.max_size, 100 * 1024 * 1024);
  EXPECT_EQ(config.fetch.retries, 3);
  EXPECT_EQ(config.fetch.backoff_ms, 1000);
  EXPECT_EQ(config.fetch.retry_after_cap_s, 120);
  EXPECT_EQ(config.fetch.connect_timeout_s, 10);
  EXPECT_EQ(config.fetch.total_timeout_s, 120);
  EXPECT_EQ(config.fetch.robots, "ignore");
  EXPECT_EQ(config.fetch.max_requisites, 300);
  EXPECT_FALSE(config.fetch.allow_private);
  EXPECT_EQ(config.health.recrawl_days, 30);
  EXPECT_EQ(config.health.gone_threshold, 3);
  EXPECT_EQ(config.shortener.hosts.size(), 9u);
  EXPECT_EQ(config.blogger.hosts.size(), 3u);
  // SPEC §8/§9, issue #15: public-archive lookups on, one request a second
  // per archive host.
  EXPECT_TRUE(config.rescue.lookup);
  EXPECT_EQ(config.rescue.per_host, 1);
  EXPECT_EQ(config.rescue.delay_ms, 1000);
  EXPECT_EQ(config.rescue.cdx_url, "https://web.archive.org/cdx/search/cdx");
}

TEST(ConfigTest, SubmitKeysAreHeaderSafeAndDurationsParse) {
  Config config;
  EXPECT_FALSE(
      Apply("[rescue]\nspn_access_key = \"a\\r\\nX-Evil: 1\"\n", &config).ok());
  EXPECT_FALSE(Apply("[rescue]\nspn_endpoint = \"ftp://a/\"\n", &config).ok());
  EXPECT_FALSE(Apply("[rescue]\nretry_after = \"soon\"\n", &config).ok());
  EXPECT_FALSE(
      Apply("[rescue]\nif_not_archived_within = \"1 day\"\n", &config).ok());
  EXPECT_FALSE(Apply("[rescue]\nsubmit_max_seconds = 0\n", &config).ok());
  ASSERT_TRUE(Apply("[rescue]\nretry_after = \"7d\"\n"
                    "if_not_archived_within = \"1h30m\"\nsubmit = true\n",
                    &config)
                  .ok());
  EXPECT_EQ(config.rescue.retry_after_s, 7 * 86400);
  EXPECT_EQ(config.rescue.if_not_archived_within, "1h30m");
  EXPECT_TRUE(config.rescue.submit);
}

TEST(ConfigTest, BrowserLaneKeysParseAndAreValidated) {
  Config config;
  EXPECT_EQ(config.browser.mode, "thin");
  EXPECT_EQ(config.browser.jobs, 1);
  EXPECT_EQ(config.browser.page_timeout_s, 30);
  EXPECT_EQ(config.browser.memory_cap, int64_t{1536} << 20);
  ASSERT_TRUE(Apply("[browser]\nmode = \"always\"\njobs = 2\n"
                    "page_timeout = \"1m30s\"\nmemory_cap = \"2GiB\"\n",
                    &config)
                  .ok());
  EXPECT_EQ(config.browser.mode, "always");
  EXPECT_EQ(config.browser.jobs, 2);
  EXPECT_EQ(config.browser.page_timeout_s, 90);
  EXPECT_EQ(config.browser.page_timeout, "1m30s");
  EXPECT_EQ(config.browser.memory_cap, int64_t{2} << 30);

  Config fresh;
  Status bad_mode = Apply("[browser]\nmode = \"sometimes\"\n", &fresh);
  ASSERT_FALSE(bad_mode.ok());
  EXPECT_NE(bad_mode.message().find("/etc/site.toml:2: browser.mode"),
            std::string::npos)
      << bad_mode.message();
  EXPECT_FALSE(Apply("[browser]\njobs = 0\n", &fresh).ok());
  EXPECT_FALSE(Apply("[browser]\njobs = 17\n", &fresh).ok());
  EXPECT_FALSE(Apply("[browser]\npage_timeout = \"0s\"\n", &fresh).ok());
  EXPECT_FALSE(Apply("[browser]\npage_timeout = \"2h\"\n", &fresh).ok());
  EXPECT_FALSE(Apply("[browser]\npage_timeout = \"soon\"\n", &fresh).ok());
  EXPECT_FALSE(Apply("[browser]\nmemory_cap = \"1M\"\n", &fresh).ok());
  EXPECT_FALSE(Apply("[browser]\nheadless = true\n", &fresh).ok());
  EXPECT_EQ(fresh.browser, BrowserConfig{});  // nothing half-applied counts
}

TEST(ConfigTest, RescueEndpointsMustBeHttpUrls) {
  Config config;
  EXPECT_FALSE(
      Apply("[rescue]\ncdx_url = \"file:///etc/passwd\"\n", &config).ok());
  EXPECT_FALSE(Apply("[rescue]\ndelay_ms = -1\n", &config).ok());
  EXPECT_FALSE(
      Apply("[rescue]\ntimemap_urls = [\"ftp://a/\"]\n", &config).ok());
  ASSERT_TRUE(
      Apply("[rescue]\nlookup = false\ntimetravel_url = \"\"\n"
            "timemap_urls = [\"https://arquivo.example/timemap/link/\"]\n",
            &config)
          .ok());
  EXPECT_FALSE(config.rescue.lookup);
  EXPECT_EQ(config.rescue.timetravel_url, "");
  EXPECT_EQ(config.rescue.timemap_urls.size(), 1u);
}

TEST(ConfigTest, ManifestUrlIsEmptyOrAPostgresqlUrl) {
  Config config;
  EXPECT_EQ(config.manifest.url, "");  // manifest.sqlite3 in the store
  Status sqlite_path =
      Apply("[manifest]\nurl = \"/srv/other.sqlite3\"\n", &config);
  EXPECT_EQ(sqlite_path.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(sqlite_path.message().find("postgresql://"), std::string::npos)
      << sqlite_path.message();
  ASSERT_TRUE(
      Apply("[manifest]\nurl = \"postgresql://rotguard@db.internal/rg\"\n",
            &config)
          .ok());
  EXPECT_EQ(config.manifest.url, "postgresql://rotguard@db.internal/rg");
}

TEST(ConfigTest, FreshStoreConfigListsEveryDefaultCommentedOut) {
  const std::string& text = DefaultStoreConfigText();
  Config config;
  ASSERT_TRUE(Apply(text, &config).ok());
  EXPECT_EQ(config, Config{});

  // Uncommenting every "# key = value" line gives the defaults again.
  std::istringstream in(text);
  std::string line, uncommented;
  int settings = 0;
  while (std::getline(in, line)) {
    bool setting = line.rfind("# ", 0) == 0 &&
                   line.find(" = ") != std::string::npos &&
                   line.find(' ', 2) == line.find(" = ");
    if (setting) {
      uncommented += line.substr(2) + "\n";
      ++settings;
    } else {
      uncommented += line + "\n";
    }
  }
  EXPECT_GE(settings, 25);
  config = Config{};
  config.fetch.jobs = 1;
  Status status = Apply(uncommented, &config);
  ASSERT_TRUE(status.ok()) << status.message() << "\n" << uncommented;
  EXPECT_EQ(config, Config{});
}

TEST(ConfigTest, LaterLayersOverrideEarlierOnesKeyByKey) {
  TempDir dir;
  WriteText(dir / "rotguard.toml",
            "[fetch]\njobs = 4\ndelay_ms = 100\n[site]\n"
            "base_url = \"https://blog.example/\"\n");
  WriteText(dir / "cli.toml", "[fetch]\njobs = 2\n");
  Result<Config> config = LoadConfig(dir / "rotguard.toml", dir / "cli.toml");
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->fetch.jobs, 2);        // --config wins
  EXPECT_EQ(config->fetch.delay_ms, 100);  // store file over built-in
  EXPECT_EQ(config->fetch.per_host, 2);    // built-in
  EXPECT_EQ(config->site.base_url, "https://blog.example/");
}

TEST(ConfigTest, MissingStoreConfigMeansDefaultsButMissingConfigFileIsAnError) {
  TempDir dir;
  Result<Config> config = LoadConfig(dir / "rotguard.toml");
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(*config, Config{});
  config = LoadConfig(dir / "rotguard.toml", dir / "nope.toml");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), ErrorCode::kNotFound);
  EXPECT_NE(config.status().message().find(dir / "nope.toml"),
            std::string::npos);
}

TEST(ConfigTest, UnknownKeyIsReportedWithFileLineAndFullKey) {
  Config config;
  Status status = Apply("[fetch]\njobs = 3\njobz = 4\n", &config);
  EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "/etc/site.toml:3: unknown key 'fetch.jobz'");
  EXPECT_EQ(config.fetch.jobs, 8);  // a failed file changes nothing
}

TEST(ConfigTest, UnknownTableIsReportedWithItsLine) {
  Config config;
  Status status = Apply("\n\n[fetchh]\njobs = 3\n", &config);
  EXPECT_EQ(status.message(), "/etc/site.toml:3: unknown key 'fetchh'");
  status = Apply("[rules.tumblr]\nenabled = true\n", &config);
  EXPECT_EQ(status.message(), "/etc/site.toml:1: unknown key 'rules.tumblr'");
}

TEST(ConfigTest, WrongTypeIsReportedWithFileLineAndKey) {
  Config config;
  Status status = Apply("[fetch]\n\njobs = \"eight\"\n", &config);
  EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "/etc/site.toml:3: fetch.jobs: expected an integer");
  status = Apply("[rules.shortener]\nhosts = [\"a\", 2]\n", &config);
  EXPECT_EQ(status.message(),
            "/etc/site.toml:2: rules.shortener.hosts: expected an array of "
            "strings");
  status = Apply("fetch = 3\n", &config);
  EXPECT_EQ(status.message(), "/etc/site.toml:1: fetch: expected a table");
}

TEST(ConfigTest, OutOfRangeAndBadChoicesAreRejected) {
  Config config;
  Status status = Apply("[fetch]\njobs = 0\n", &config);
  EXPECT_EQ(status.message(),
            "/etc/site.toml:2: fetch.jobs: must be between 1 and 1024, not 0");
  status = Apply("[fetch]\nrobots = \"maybe\"\n", &config);
  EXPECT_EQ(status.message(),
            "/etc/site.toml:2: fetch.robots: must be \"ignore\" or \"obey\", "
            "not \"maybe\"");
  status = Apply("[fetch]\nmax_size = \"12X\"\n", &config);
  EXPECT_NE(status.message().find("/etc/site.toml:2: fetch.max_size: "),
            std::string::npos)
      << status.message();
}

// Issue #14: a user agent is sent as a header, so CR/LF in it would let a
// config forge request headers; refused with file:line.
TEST(ConfigTest, UserAgentWithCrOrLfIsRejectedWithFileAndLine) {
  Config config;
  Status status =
      Apply("[fetch]\nuser_agent = \"a\\r\\nX-Evil: 1\"\n", &config);
  EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(status.message().rfind("/etc/site.toml:2: fetch.user_agent: ", 0),
            0u)
      << status.message();
  status = Apply("\n[hosts.\"a.example\"]\nuser_agent = \"x\\ny\"\n", &config);
  EXPECT_EQ(status.message().rfind(
                "/etc/site.toml:3: hosts.\"a.example\".user_agent: ", 0),
            0u)
      << status.message();
  EXPECT_TRUE(
      Apply("[fetch]\nuser_agent = \"bot/1.0\\t(+x)\"\n", &config).ok());
}

// A base URL that is not http(s) would turn relative links into file: or
// other URLs the archive never fetches.
TEST(ConfigTest, BaseUrlThatIsNotHttpIsRejectedWithFileAndLine) {
  Config config;
  for (const char* bad : {"file:///etc/", "ftp://example.com/", "example.com",
                          "https:///nohost", "javascript:alert(1)"}) {
    Status status =
        Apply(std::string("[site]\nbase_url = \"") + bad + "\"\n", &config);
    EXPECT_EQ(status.message().rfind("/etc/site.toml:2: site.base_url: ", 0),
              0u)
        << bad << ": " << status.message();
  }
  EXPECT_TRUE(
      Apply("[site]\nbase_url = \"https://blog.example/\"\n", &config).ok());
  EXPECT_EQ(config.site.base_url, "https://blog.example/");
  EXPECT_TRUE(Apply("[site]\nbase_url = \"\"\n", &config).ok());
}

TEST(ConfigTest, SyntaxErrorIsReportedWithFileLineAndColumn) {
  Config config;
  Status status = Apply("[fetch]\njobs = = 3\n", &config);
  EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(status.message().rfind("/etc/site.toml:2:", 0), 0u)
      << status.message();
}

TEST(ConfigTest, HostTablesAreKeyedByLowercaseHost) {
  Config config;
  Status status = Apply(
      "[hosts.\"Example.COM\"]\nper_host = 1\naccept_statuses = [403]\n"
      "[hosts.\"b.example\"]\nuser_agent = \"Mozilla/5.0\"\n",
      &config);
  ASSERT_TRUE(status.ok()) << status.message();
  ASSERT_EQ(config.hosts.size(), 2u);
  EXPECT_EQ(config.hosts["example.com"].per_host, std::optional<int>(1));
  EXPECT_EQ(config.hosts["example.com"].accept_statuses, std::vector<int>{403});
  EXPECT_FALSE(config.hosts["example.com"].delay_ms.has_value());
  EXPECT_EQ(config.hosts["b.example"].user_agent,
            std::optional<std::string>("Mozilla/5.0"));
  status = Apply("[hosts.\"c.example\"]\nspeed = 1\n", &config);
  EXPECT_EQ(status.message(),
            "/etc/site.toml:2: unknown key 'hosts.\"c.example\".speed'");
}

TEST(ConfigTest, ByteSizesTakeBinarySuffixes) {
  EXPECT_EQ(*ParseByteSize("4096"), 4096);
  EXPECT_EQ(*ParseByteSize("100M"), 100LL << 20);
  EXPECT_EQ(*ParseByteSize("512KiB"), 512LL << 10);
  EXPECT_EQ(*ParseByteSize("1g"), 1LL << 30);
  EXPECT_EQ(*ParseByteSize("2GB"), 2LL << 30);
  EXPECT_FALSE(ParseByteSize("").ok());
  EXPECT_FALSE(ParseByteSize("0").ok());
  EXPECT_FALSE(ParseByteSize("1.5G").ok());
  EXPECT_FALSE(ParseByteSize("10X").ok());
  EXPECT_FALSE(ParseByteSize("99999999999999999999").ok());
  EXPECT_FALSE(ParseByteSize("9999999999T").ok());
}

TEST(ConfigTest, DurationsTakeSecondMinuteHourAndDayUnits) {
  EXPECT_EQ(*ParseDurationSeconds("90s"), 90);
  EXPECT_EQ(*ParseDurationSeconds("30m"), 1800);
  EXPECT_EQ(*ParseDurationSeconds("2h"), 7200);
  EXPECT_EQ(*ParseDurationSeconds("1d"), 86400);
  EXPECT_EQ(*ParseDurationSeconds("1h30m"), 5400);
  EXPECT_EQ(*ParseDurationSeconds("45"), 45);
  for (const char* bad : {"", "m", "10x", "-5s", "1.5h", "99999999999d"}) {
    EXPECT_FALSE(ParseDurationSeconds(bad).ok()) << bad;
  }
}

TEST(ConfigTest, MaxRequisitesIsReadFromFetchAndRangeChecked) {
  Config config;
  ASSERT_TRUE(Apply("[fetch]\nmax_requisites = 20\n", &config).ok());
  EXPECT_EQ(config.fetch.max_requisites, 20);
  EXPECT_FALSE(Apply("[fetch]\nmax_requisites = -1\n", &config).ok());
}

// Issue #20 item 5: [[fetch.host]] tables, the proxy and record_credentials.
TEST(ConfigTest, HostCredentialTablesAreReadWithHeadersAndCookies) {
  Config config;
  Status status = Apply(
      "[fetch]\nproxy = \"socks5h://127.0.0.1:1080\"\n"
      "record_credentials = true\n"
      "[[fetch.host]]\nhost = \"Members.Example.org\"\n"
      "headers = { \"Authorization\" = \"Bearer t\", \"X-Foo\" = \"bar\" }\n"
      "cookies = \"session=abc; theme=dark\"\n"
      "[[fetch.host]]\nhost = \"*.example.net\"\ncookies = \"a=1\"\n",
      &config);
  ASSERT_TRUE(status.ok()) << status.message();
  EXPECT_EQ(config.fetch.proxy, "socks5h://127.0.0.1:1080");
  EXPECT_TRUE(config.fetch.record_credentials);
  ASSERT_EQ(config.fetch.host_credentials.size(), 2u);
  const HostCredentials& members = config.fetch.host_credentials[0];
  EXPECT_EQ(members.host, "members.example.org");
  using Header = std::pair<std::string, std::string>;
  EXPECT_EQ(members.headers, (std::vector<Header>{{"Authorization", "Bearer t"},
                                                  {"X-Foo", "bar"}}));
  EXPECT_EQ(members.cookies, "session=abc; theme=dark");
  EXPECT_EQ(FindHostCredentials(config.fetch, "a.example.net"),
            &config.fetch.host_credentials[1]);
  EXPECT_EQ(FindHostCredentials(config.fetch, "example.net"), nullptr);
}

TEST(ConfigTest, LaterFileReplacesTheHostEntryOfTheSamePatternOnly) {
  Config config;
  ASSERT_TRUE(Apply("[[fetch.host]]\nhost = \"a.example\"\ncookies = \"x=1\"\n"
                    "[[fetch.host]]\nhost = \"b.example\"\ncookies = \"y=1\"\n",
                    &config)
                  .ok());
  ASSERT_TRUE(Apply("[[fetch.host]]\nhost = \"a.example\"\ncookies = \"x=2\"\n",
                    &config)
                  .ok());
  ASSERT_EQ(config.fetch.host_credentials.size(), 2u);
  EXPECT_EQ(config.fetch.host_credentials[0].cookies, "x=2");
  EXPECT_EQ(config.fetch.host_credentials[1].cookies, "y=1");
}

TEST(ConfigTest, CrOrLfInCredentialValuesIsRejectedWithFileAndLine) {
  Config config;
  Status status = Apply(
      "[[fetch.host]]\nhost = \"a.example\"\n"
      "headers = { \"X-A\" = \"ok\", \"X-B\" = \"v\\r\\nInjected: 1\" }\n",
      &config);
  EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(
      status.message().find("/etc/site.toml:3: fetch.host.headers.\"X-B\": "
                            "must not contain control characters"),
      std::string::npos)
      << status.message();
  status = Apply(
      "[[fetch.host]]\nhost = \"a.example\"\n\ncookies = \"s=1\\nX: y\"\n",
      &config);
  EXPECT_NE(status.message().find("/etc/site.toml:4: fetch.host.cookies: must "
                                  "not contain control characters"),
            std::string::npos)
      << status.message();
  EXPECT_TRUE(config.fetch.host_credentials.empty());
}

TEST(ConfigTest, HostCredentialEntriesAreValidated) {
  Config config;
  auto message = [&](const std::string& text) {
    return Apply(text, &config).message();
  };
  EXPECT_EQ(message("[[fetch.host]]\ncookies = \"a=1\"\n"),
            "/etc/site.toml:1: fetch.host.host: expected a host name "
            "(\"members.example.org\") or a subdomain wildcard "
            "(\"*.example.org\"), not \"\"");
  EXPECT_NE(message("[[fetch.host]]\nhost = \"a.example:8080\"\n")
                .find("fetch.host.host: expected a host name"),
            std::string::npos);
  EXPECT_NE(message("[[fetch.host]]\nhost = \"*a.example\"\n")
                .find("fetch.host.host: expected a host name"),
            std::string::npos);
  EXPECT_EQ(message("[[fetch.host]]\nhost = \"a.example\"\ncookie = \"x\"\n"),
            "/etc/site.toml:3: unknown key 'fetch.host.cookie'");
  EXPECT_NE(message("[[fetch.host]]\nhost = \"a.example\"\n"
                    "headers = { \"Bad Name\" = \"x\" }\n")
                .find("not a valid HTTP header name"),
            std::string::npos);
  EXPECT_NE(message("[[fetch.host]]\nhost = \"a.example\"\n"
                    "headers = { \"Cookie\" = \"x=1\" }\n")
                .find("rotguard sets this header itself"),
            std::string::npos);
  EXPECT_NE(message("[[fetch.host]]\nhost = \"a.example\"\n"
                    "headers = { \"X-N\" = 3 }\n")
                .find("expected a string"),
            std::string::npos);
  EXPECT_EQ(message("[fetch]\nhost = \"a\"\n"),
            "/etc/site.toml:2: fetch.host: expected an array of tables "
            "([[...]])");
}

TEST(ConfigTest, ProxyMustBeAnHttpHttpsOrSocks5Url) {
  Config config;
  for (const char* good : {"http://127.0.0.1:3128", "https://u:p@proxy:443",
                           "socks5://[::1]:1080", "SOCKS5H://p:1", ""}) {
    Status status =
        Apply(std::string("[fetch]\nproxy = \"") + good + "\"\n", &config);
    EXPECT_TRUE(status.ok()) << good << ": " << status.message();
  }
  for (const char* bad : {"127.0.0.1:3128", "ftp://p:21", "socks4://p:1",
                          "http://", "http:///x", "http://p:1\\r\\n"}) {
    Status status =
        Apply(std::string("[fetch]\n\nproxy = \"") + bad + "\"\n", &config);
    EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument) << bad;
    EXPECT_EQ(status.message().rfind("/etc/site.toml:3: fetch.proxy: ", 0), 0u)
        << status.message();
  }
}

}  // namespace
}  // namespace rotguard
