// rotguard's settings (SPEC §9, §13). Built-in defaults below, then the
// store's rotguard.toml, then `--config FILE`, then command-line flags
// (applied by the CLI on top of the loaded Config). policies/default.toml
// spells out exactly these defaults; a unit test keeps the two equal.
#ifndef ROTGUARD_CONFIG_H_
#define ROTGUARD_CONFIG_H_

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rotguard/status.h"

namespace rotguard {

// [[fetch.host]]: extra request headers and cookies for one host (or its
// subdomains), for citations behind a login. Sent only on hops to a
// matching host, never on a redirect elsewhere; the credential values are
// kept out of the WARC request records unless `record_credentials`.
struct HostCredentials {
  // "members.example.org" (exactly that host) or "*.example.org" (any
  // subdomain of example.org, not example.org itself); lowercase.
  std::string host;
  // "Name", "value" pairs (sorted by name: TOML tables have no order).
  std::vector<std::pair<std::string, std::string>> headers;
  std::string cookies;  // the Cookie header value, "" none

  bool operator==(const HostCredentials&) const = default;
};

// [fetch]: how politely and how hard to fetch.
struct FetchConfig {
  std::string user_agent = "rotguard/0.1 (+https://github.com/rotguard)";
  int jobs = 8;                            // total concurrent transfers
  int per_host = 2;                        // concurrent transfers per host
  int delay_ms = 250;                      // pause between requests per host
  int64_t max_size = 100LL * 1024 * 1024;  // bytes; longer bodies truncated
  int retries = 3;                         // for transient failures
  int backoff_ms = 1000;                   // retry n waits backoff_ms * 2^n
  int retry_after_cap_s = 120;             // cap on a 429/503 Retry-After
  int connect_timeout_s = 10;
  int total_timeout_s = 120;  // whole transfer
  int requisites_depth = 1;   // page requisites of linked pages
  // Requisites fetched per page (or per stylesheet); the rest are dropped,
  // so a page naming 3,000 images cannot make 3,000 requests.
  int max_requisites = 300;
  int max_redirects = 10;         // longer chains stop
  std::string robots = "ignore";  // "ignore" or "obey"
  bool allow_private = false;     // loopback/private/link-local hosts
  // Every request goes through this proxy: "http://", "https://",
  // "socks5://" or "socks5h://" URL, credentials allowed
  // ("http://user:pass@proxy:3128"); "" fetches directly. The address
  // guard still judges the target, never the proxy.
  std::string proxy;
  // CA bundle for an https:// proxy's certificate ("" uses --cacert when
  // given, else the system CAs).
  std::string proxy_cacert;
  // Write Authorization, Proxy-Authorization and Cookie values into the
  // WARC request records as sent (default: replaced by
  // kRedactedCredential).
  bool record_credentials = false;
  std::vector<HostCredentials> host_credentials;  // [[fetch.host]]

  bool operator==(const FetchConfig&) const = default;
};

// [scope]: which URLs are archived at all. Host patterns match the host or
// any subdomain ("example.com" matches "a.example.com"); "*" globs are
// allowed ("lh*.googleusercontent.com"). URL patterns are RE2 regular
// expressions (rotguard/url_regex.h) matched against the normalized URL.
struct ScopeConfig {
  std::vector<std::string> include_hosts;  // empty: every host
  std::vector<std::string> exclude_hosts;
  std::vector<std::string> include_urls;  // empty: every URL
  std::vector<std::string> exclude_urls;

  bool operator==(const ScopeConfig&) const = default;
};

// [health]: when to re-fetch and when a link counts as gone.
struct HealthConfig {
  int recrawl_days = 30;             // a capture older than this is due again
  int gone_threshold = 3;            // consecutive 404/410/NXDOMAIN results...
  int gone_min_interval_hours = 20;  // ...counted at least this far apart

  bool operator==(const HealthConfig&) const = default;
};

// [site]: the blog being archived. `rotguard init` fills it from a Hugo or
// Jekyll site's own configuration (rotguard/site.h); paths are relative to
// the site root (the directory that holds the store).
struct SiteConfig {
  std::string base_url;  // resolves relative links; "" keeps them internal
  // "hugo", "jekyll" or "" (unknown: permalinks are guessed from the path,
  // a Jekyll _posts/ file or else Hugo's default).
  std::string generator;
  // What `scan`, `archive` and `restore` read when given no PATH; for Hugo
  // also where a page's path starts (its section is the first directory
  // below the longest matching entry).
  std::vector<std::string> content_dirs;
  // Generator output the walk skips, at these paths below the site root
  // only (a content section of the same name is scanned). With no
  // generator also directly inside each directory named on the command
  // line. node_modules/ is skipped everywhere.
  std::vector<std::string> build_dirs = {"public", "_site", "resources"};
  // Hugo section or Jekyll collection ("posts" for _posts/, "pages" for
  // other pages) → permalink pattern or Jekyll style (date, pretty,
  // ordinal, weekdate, none). "" for a Jekyll collection without output:
  // its documents have no public URL.
  std::map<std::string, std::string> permalinks;
  // Jekyll's site-wide `permalink`; "" is Jekyll's default, "date".
  std::string permalink;
  // Content directory → URL prefix (Hugo languages not at the root: "/fr").
  std::map<std::string, std::string> url_prefixes;
  // Hugo uglyURLs: pages at /section/name.html and sections at
  // /section.html, for every section or only for those listed.
  bool ugly_urls = false;
  std::vector<std::string> ugly_url_sections;
  // Jekyll front matter defaults that set a permalink: "TYPE:PATH" (TYPE
  // posts, pages, drafts or a collection, "" for any; PATH a prefix of the
  // document's path below the source, or a glob with '*', "" for all) →
  // pattern or style. The longest matching PATH wins, then one with a
  // TYPE; a document's own front matter `permalink` wins over all.
  std::map<std::string, std::string> permalink_defaults;
  // Jekyll collections_dir: the collections (and _posts/, _drafts/) live
  // below it, and only there; "" is the source itself.
  std::string collections_dir;

  bool operator==(const SiteConfig&) const = default;
};

// [manifest]: where the manifest lives (SPEC §10). `--manifest URL` and
// $ROTGUARD_MANIFEST override it.
struct ManifestConfig {
  // "": <store>/manifest.sqlite3; else a postgresql:// URL (libpq syntax)
  // of a database shared by the processes that archive into this store.
  std::string url;

  bool operator==(const ManifestConfig&) const = default;
};

// [rules.blogger]: Blogger image URLs also fetch the s0 original.
struct BloggerRule {
  bool enabled = true;
  std::vector<std::string> hosts = {"bp.blogspot.com",
                                    "blogger.googleusercontent.com",
                                    "lh*.googleusercontent.com"};
  bool fetch_original = true;  // also fetch the s0 (full size) variant

  bool operator==(const BloggerRule&) const = default;
};

// [rules.shortener]: record every hop and report the final target.
struct ShortenerRule {
  bool enabled = true;
  std::vector<std::string> hosts = {
      "ift.tt",  "bit.ly",  "t.co",  "goo.gl", "feedproxy.google.com",
      "dlvr.it", "buff.ly", "ow.ly", "lnkd.in"};
  bool follow_meta_refresh = true;  // interstitial pages count as hops
  bool accept_interstitial = true;  // an HTML hop page is not the target

  bool operator==(const ShortenerRule&) const = default;
};

// [rescue]: copies of dead links from public web archives (SPEC §8).
// Lookups ask the Wayback CDX API, then the Memento aggregator (TimeTravel
// JSON API) and any RFC 7089 link-format TimeMap endpoints; the chosen
// memento's raw bytes (Wayback `id_` form) are fetched into the store.
struct RescueConfig {
  bool lookup = true;  // `archive` also rescues its failing post links
  std::string cdx_url = "https://web.archive.org/cdx/search/cdx";
  // "" turns the aggregator off; the URL gets "/<YYYYMMDDhhmmss>/<URI-R>".
  std::string timetravel_url = "https://timetravel.mementoweb.org/api/json";
  // TimeMap endpoints in RFC 7089 link format; each gets "<URI-R>" appended.
  std::vector<std::string> timemap_urls;
  int per_host = 1;        // concurrent requests per archive host
  int delay_ms = 1000;     // between two requests to one archive host
  int max_candidates = 3;  // mementos tried per link before giving up
  // A link whose lookups found no copy anywhere is not looked up again
  // before this many seconds ("30d"); `rescue --again` overrides.
  int64_t retry_after_s = 30 * 86400;

  // The second, public copy: alive links submitted to Save Page Now 2.
  bool submit = false;  // also `archive --submit`
  std::string spn_endpoint = "https://web.archive.org/save";
  std::string if_not_archived_within = "30d";  // sent to SPN as is
  // "LOW ACCESS:SECRET" authorization; env ROTGUARD_SPN_KEY wins.
  std::string spn_access_key;
  std::string spn_secret_key;
  int submit_per_minute = 0;           // 0: 4, or 12 with keys
  int submit_poll_interval_ms = 5000;  // between two polls of one job
  int submit_max_polls = 12;           // per job per run; then left pending
  int submit_max_seconds = 300;        // the whole submit step of a run
  int submit_max_attempts = 5;         // failed submissions before giving up

  bool operator==(const RescueConfig&) const = default;
};

// [browser]: the browser lane (issue #16): after the static pass of an
// `archive` run, link pages are captured again by a headless Chromium
// whose every request goes through rotguard's own fetcher (a recording
// proxy), so JavaScript-built pages are archived as a reader sees them.
struct BrowserConfig {
  // "off", "thin" (link pages the static pass classed thin) or "always"
  // (every HTML link page of the run). "thin" needs a Chromium
  // (FindChromium: $ROTGUARD_CHROMIUM or /usr/bin/chromium); without one
  // the lane is off and the run says so once, when it had a page to send.
  std::string mode = "thin";
  int jobs = 1;  // Chromium instances (one page each at a time)
  // Hard limit per page: load, idle waits, scrolling, DOM and screenshot.
  int64_t page_timeout_s = 30;
  std::string page_timeout = "30s";  // as written
  // Proportional set size of one Chromium process group; above it the
  // page fails and the browser is restarted.
  int64_t memory_cap = int64_t{1536} << 20;

  bool operator==(const BrowserConfig&) const = default;
};

// [hosts."name"]: per-host overrides; unset fields use [fetch].
struct HostConfig {
  std::optional<std::string> user_agent;
  std::optional<int> per_host;
  std::optional<int> delay_ms;
  std::vector<int> accept_statuses;  // also count these statuses as ok

  bool operator==(const HostConfig&) const = default;
};

struct Config {
  FetchConfig fetch;
  ScopeConfig scope;
  HealthConfig health;
  SiteConfig site;
  BloggerRule blogger;
  ShortenerRule shortener;
  RescueConfig rescue;
  BrowserConfig browser;
  ManifestConfig manifest;
  std::map<std::string, HostConfig> hosts;  // key: host name, lowercase

  bool operator==(const Config&) const = default;
};

// The value that replaces a credential header's value in WARC request
// records (unless `record_credentials`).
inline constexpr std::string_view kRedactedCredential = "[redacted]";

// The [[fetch.host]] entry that applies to `host` (lowercase): an exact
// entry first, else the wildcard with the longest matching suffix; null
// when none does.
const HostCredentials* FindHostCredentials(const FetchConfig& fetch,
                                           std::string_view host);

// Checks a proxy URL (`[fetch] proxy`, --proxy): "" or
// http/https/socks5/socks5h://HOST[:PORT] with no control characters.
// InvalidArgument says what is wrong.
Status ValidateProxyUrl(std::string_view url);

// "100M", "1G", "512k", "4096": binary suffixes (K, M, G, T; an optional
// trailing "iB" or "B"), for `max_size` and --max-size.
Result<int64_t> ParseByteSize(std::string_view text);

// "90s", "30m", "2h", "1d", "1h30m", "45" (seconds): whole seconds, for
// `archive --max-time`. InvalidArgument names the text.
Result<int64_t> ParseDurationSeconds(std::string_view text);

// Applies the TOML document `text` on top of `*config`. `source_name`
// (a file path) names the source in errors: unknown keys, wrong types and
// out-of-range values give InvalidArgument "source:line: key: problem".
Status ApplyConfigText(std::string_view text, const std::string& source_name,
                       Config* config);

// Applies the file at `path` on top of `*config`. A missing file is
// NotFound naming it; an unreadable one IOError.
Status ApplyConfigFile(const std::filesystem::path& path, Config* config);

// Built-in defaults < `store_config` (skipped when it does not exist) <
// `extra_config` (when non-empty; must exist).
Result<Config> LoadConfig(const std::filesystem::path& store_config,
                          const std::filesystem::path& extra_config = {});

// The text of a fresh store's rotguard.toml: every setting, commented out
// at its default value, with a line on what it does.
const std::string& DefaultStoreConfigText();

}  // namespace rotguard

#endif  // ROTGUARD_CONFIG_H_
