#include "rotguard/config.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <limits>
#include <set>

#include "policy/default_policy.h"
#include "util/file.h"

namespace rotguard {
namespace {

std::string LineOf(const toml::node& node) {
  return std::to_string(node.source().begin.line);
}

std::string Lowercase(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

bool HasControl(std::string_view text) {
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) return true;
  }
  return false;
}

// Reads the keys of one TOML table into typed fields, remembering which
// keys it consumed so the rest can be reported as unknown.
class TableReader {
 public:
  TableReader(const toml::table& table, std::string prefix,
              const std::string& source)
      : table_(table), prefix_(std::move(prefix)), source_(source) {}

  Status Get(const char* key, std::string* out) {
    const toml::node* node = Find(key);
    if (node == nullptr) return Status::Ok();
    if (!node->is_string()) return TypeError(*node, key, "a string");
    *out = node->as_string()->get();
    return Status::Ok();
  }

  // A string sent as an HTTP header value: CR, LF or another control
  // character (tab aside) would end the header and forge the next one.
  template <typename Out>
  Status GetHeaderValue(const char* key, Out* out) {
    const toml::node* node = Find(key);
    if (node == nullptr) return Status::Ok();
    std::string value;
    ROTGUARD_RETURN_IF_ERROR(Get(key, &value));
    for (char c : value) {
      auto byte = static_cast<unsigned char>(c);
      if ((byte < 0x20 && c != '\t') || byte == 0x7f) {
        return Error(*node, key,
                     "must not contain control characters (CR, LF, ...): it "
                     "is sent as an HTTP header");
      }
    }
    *out = std::move(value);
    return Status::Ok();
  }

  // "" or an absolute http(s) URL with a host.
  Status GetHttpUrl(const char* key, std::string* out) {
    const toml::node* node = Find(key);
    if (node == nullptr) return Status::Ok();
    std::string value;
    ROTGUARD_RETURN_IF_ERROR(Get(key, &value));
    if (!value.empty()) {
      std::string scheme = Lowercase(value.substr(0, value.find(':')));
      bool http = scheme == "http" || scheme == "https";
      size_t host = value.find("://");
      if (!http || host == std::string::npos || host + 3 >= value.size() ||
          value[host + 3] == '/' || HasControl(value)) {
        return Error(*node, key,
                     "must be an absolute http(s) URL such as "
                     "\"https://example.com/\", not \"" +
                         value + '"');
      }
    }
    *out = std::move(value);
    return Status::Ok();
  }

  // A duration string such as "30d" or "1h30m" (ParseDurationSeconds),
  // in seconds; `text`, when given, keeps it as written.
  // A duration within [lo, hi] seconds.
  Status GetDurationIn(const char* key, int64_t lo, int64_t hi,
                       int64_t* seconds, std::string* text) {
    const toml::node* node = table_.get(key);
    int64_t value = *seconds;
    std::string written = *text;
    ROTGUARD_RETURN_IF_ERROR(GetDuration(key, &value, &written));
    if (node != nullptr && (value < lo || value > hi)) {
      return Error(*node, key,
                   "must be between " + std::to_string(lo) + "s and " +
                       std::to_string(hi) + "s");
    }
    *seconds = value;
    *text = std::move(written);
    return Status::Ok();
  }

  // A size of at least `lo` bytes.
  Status GetSizeAtLeast(const char* key, int64_t lo, int64_t* out) {
    const toml::node* node = table_.get(key);
    int64_t value = *out;
    ROTGUARD_RETURN_IF_ERROR(GetSize(key, &value));
    if (node != nullptr && value < lo) {
      return Error(*node, key,
                   "must be at least " + std::to_string(lo) + " bytes");
    }
    *out = value;
    return Status::Ok();
  }

  Status GetDuration(const char* key, int64_t* seconds,
                     std::string* text = nullptr) {
    const toml::node* node = Find(key);
    if (node == nullptr) return Status::Ok();
    std::string value;
    ROTGUARD_RETURN_IF_ERROR(Get(key, &value));
    Result<int64_t> parsed = ParseDurationSeconds(value);
    if (!parsed.ok()) return Error(*node, key, parsed.status().message());
    *seconds = *parsed;
    if (text != nullptr) *text = value;
    return Status::Ok();
  }

  // "" or a PostgreSQL URL (the manifest's location, SPEC §10).
  Status GetPostgresUrl(const char* key, std::string* out) {
    const toml::node* node = Find(key);
    if (node == nullptr) return Status::Ok();
    std::string value;
    ROTGUARD_RETURN_IF_ERROR(Get(key, &value));
    if (!value.empty() && ((!value.starts_with("postgresql://") &&
                            !value.starts_with("postgres://")) ||
                           HasControl(value))) {
      return Error(*node, key,
                   "must be \"\" (the store's manifest.sqlite3) or a "
                   "postgresql:// URL, not \"" +
                       value + '"');
    }
    *out = std::move(value);
    return Status::Ok();
  }

  // A string that must be one of `choices`.
  Status GetChoice(const char* key, std::string* out,
                   std::initializer_list<const char*> choices) {
    const toml::node* node = Find(key);
    if (node == nullptr) return Status::Ok();
    std::string value;
    ROTGUARD_RETURN_IF_ERROR(Get(key, &value));
    std::string allowed;
    for (const char* choice : choices) {
      if (value == choice) {
        *out = value;
        return Status::Ok();
      }
      allowed +=
          std::string(allowed.empty() ? "" : " or ") + '"' + choice + '"';
    }
    return Error(*node, key, "must be " + allowed + ", not \"" + value + '"');
  }

  Status Get(const char* key, std::optional<std::string>* out) {
    std::string value;
    if (Find(key) == nullptr) return Status::Ok();
    ROTGUARD_RETURN_IF_ERROR(Get(key, &value));
    *out = std::move(value);
    return Status::Ok();
  }

  Status Get(const char* key, bool* out) {
    const toml::node* node = Find(key);
    if (node == nullptr) return Status::Ok();
    if (!node->is_boolean()) return TypeError(*node, key, "true or false");
    *out = node->as_boolean()->get();
    return Status::Ok();
  }

  // An integer in [min, max].
  Status Get(const char* key, int* out, int min,
             int max = std::numeric_limits<int>::max()) {
    const toml::node* node = Find(key);
    if (node == nullptr) return Status::Ok();
    if (!node->is_integer()) return TypeError(*node, key, "an integer");
    int64_t value = node->as_integer()->get();
    if (value < min || value > max) {
      return Error(*node, key,
                   "must be between " + std::to_string(min) + " and " +
                       std::to_string(max) + ", not " + std::to_string(value));
    }
    *out = static_cast<int>(value);
    return Status::Ok();
  }

  Status Get(const char* key, std::optional<int>* out, int min) {
    if (Find(key) == nullptr) return Status::Ok();
    int value = 0;
    ROTGUARD_RETURN_IF_ERROR(Get(key, &value, min));
    *out = value;
    return Status::Ok();
  }

  // A byte count: an integer, or a string such as "100M".
  Status GetSize(const char* key, int64_t* out) {
    const toml::node* node = Find(key);
    if (node == nullptr) return Status::Ok();
    if (node->is_integer() && node->as_integer()->get() > 0) {
      *out = node->as_integer()->get();
      return Status::Ok();
    }
    if (!node->is_string()) {
      return TypeError(*node, key, "a size such as \"100M\"");
    }
    Result<int64_t> size = ParseByteSize(node->as_string()->get());
    if (!size.ok()) return Error(*node, key, size.status().message());
    *out = *size;
    return Status::Ok();
  }

  Status Get(const char* key, std::vector<std::string>* out) {
    const toml::node* node = Find(key);
    if (node == nullptr) return Status::Ok();
    const toml::array* array = node->as_array();
    if (array == nullptr || !array->is_homogeneous<std::string>()) {
      if (array == nullptr || !array->empty()) {
        return TypeError(*node, key, "an array of strings");
      }
    }
    out->clear();
    for (const toml::node& item : *array) {
      out->push_back(item.as_string()->get());
    }
    return Status::Ok();
  }

  // A table of strings, inline ({ posts = "/:year/:slug/" }) or not.
  Status Get(const char* key, std::map<std::string, std::string>* out) {
    const toml::node* node = Find(key);
    if (node == nullptr) return Status::Ok();
    const toml::table* table = node->as_table();
    if (table == nullptr) return TypeError(*node, key, "a table of strings");
    out->clear();
    for (const auto& [name, value] : *table) {
      if (!value.is_string()) {
        return TypeError(value, key, "a table of strings");
      }
      (*out)[std::string(name.str())] = value.as_string()->get();
    }
    return Status::Ok();
  }

  Status Get(const char* key, std::vector<int>* out, int min, int max) {
    const toml::node* node = Find(key);
    if (node == nullptr) return Status::Ok();
    const toml::array* array = node->as_array();
    if (array == nullptr) return TypeError(*node, key, "an array of integers");
    out->clear();
    for (const toml::node& item : *array) {
      if (!item.is_integer()) {
        return TypeError(item, key, "an array of integers");
      }
      int64_t value = item.as_integer()->get();
      if (value < min || value > max) {
        return Error(item, key,
                     "value " + std::to_string(value) + " is out of range");
      }
      out->push_back(static_cast<int>(value));
    }
    return Status::Ok();
  }

  // A proxy URL (ValidateProxyUrl).
  Status GetProxyUrl(const char* key, std::string* out) {
    const toml::node* node = Find(key);
    if (node == nullptr) return Status::Ok();
    std::string value;
    ROTGUARD_RETURN_IF_ERROR(Get(key, &value));
    Status valid = ValidateProxyUrl(value);
    if (!valid.ok()) return Error(*node, key, valid.message());
    *out = std::move(value);
    return Status::Ok();
  }

  // An array of tables (`[[key]]`), or nullptr when absent.
  Result<const toml::array*> TableArray(const char* key) {
    const toml::node* node = Find(key);
    if (node == nullptr) return static_cast<const toml::array*>(nullptr);
    if (!node->is_array_of_tables()) {
      return TypeError(*node, key, "an array of tables ([[...]])");
    }
    return node->as_array();
  }

  const std::string& source() const { return source_; }

  // A sub-table, or nullptr when absent; wrong types are errors.
  Result<const toml::table*> Table(const char* key) {
    const toml::node* node = Find(key);
    if (node == nullptr) return static_cast<const toml::table*>(nullptr);
    if (!node->is_table()) return TypeError(*node, key, "a table");
    return node->as_table();
  }

  // InvalidArgument for the first key no Get()/Table() asked for.
  Status CheckNoUnknownKeys() const {
    for (const auto& [key, node] : table_) {
      if (consumed_.count(std::string(key.str())) == 0) {
        return Status::InvalidArgument(source_ + ":" + LineOf(node) +
                                       ": unknown key '" + Name(key.str()) +
                                       "'");
      }
    }
    return Status::Ok();
  }

  Status Error(const toml::node& node, std::string_view key,
               const std::string& problem) const {
    return Status::InvalidArgument(source_ + ":" + LineOf(node) + ": " +
                                   Name(key) + ": " + problem);
  }

 private:
  const toml::node* Find(const char* key) {
    consumed_.insert(key);
    return table_.get(key);
  }
  Status TypeError(const toml::node& node, std::string_view key,
                   const std::string& expected) const {
    return Error(node, key, "expected " + expected);
  }
  std::string Name(std::string_view key) const {
    return prefix_.empty() ? std::string(key)
                           : prefix_ + "." + std::string(key);
  }

  const toml::table& table_;
  std::string prefix_;
  const std::string& source_;
  std::set<std::string> consumed_;
};

// A header value (or a header name's character): visible ASCII, spaces
// and tabs; UTF-8 passes, but no CR, LF or other control character, which
// would end the header line and forge the next one.
bool IsHeaderValueText(std::string_view value) {
  for (char c : value) {
    auto byte = static_cast<unsigned char>(c);
    if ((byte < 0x20 && c != '\t') || byte == 0x7f) return false;
  }
  return true;
}

// RFC 9110 token characters: what a header name may contain.
bool IsHeaderName(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (std::isalnum(static_cast<unsigned char>(c)) == 0 &&
        std::string_view("!#$%&'*+-.^_`|~").find(c) == std::string_view::npos) {
      return false;
    }
  }
  return true;
}

// "host.example" or "*.host.example": lowercase DNS characters, no port.
bool IsHostPattern(std::string_view pattern) {
  if (pattern.substr(0, 2) == "*.") pattern.remove_prefix(2);
  if (pattern.empty() || pattern.front() == '.' || pattern.back() == '.') {
    return false;
  }
  for (char c : pattern) {
    if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '-' &&
        c != '.') {
      return false;
    }
  }
  return true;
}

// Headers rotguard sets itself (or `cookies` does) and that a config must
// not replace: the recorded exchange would not be what was sent.
bool IsReservedHeader(std::string_view name) {
  const std::string lower = Lowercase(name);
  return lower == "host" || lower == "content-length" ||
         lower == "transfer-encoding" || lower == "connection" ||
         lower == "accept-encoding" || lower == "cookie" ||
         lower == "user-agent";
}

Status ReadCredentialHeaders(TableReader& t, HostCredentials* entry) {
  Result<const toml::table*> headers = t.Table("headers");
  if (!headers.ok()) return headers.status();
  if (*headers == nullptr) return Status::Ok();
  for (const auto& [key, node] : **headers) {
    const std::string name(key.str());
    const std::string field = "headers.\"" + name + "\"";
    if (!IsHeaderName(name)) {
      return t.Error(node, field, "not a valid HTTP header name");
    }
    if (IsReservedHeader(name)) {
      return t.Error(node, field,
                     "rotguard sets this header itself (use `cookies` for "
                     "Cookie, [hosts.\"name\"] user_agent for User-Agent)");
    }
    if (!node.is_string()) return t.Error(node, field, "expected a string");
    const std::string& value = node.as_string()->get();
    if (!IsHeaderValueText(value)) {
      return t.Error(node, field,
                     "must not contain control characters (CR, LF, ...): "
                     "it is sent as an HTTP header");
    }
    entry->headers.emplace_back(name, value);
  }
  return Status::Ok();
}

// One [[fetch.host]] table.
Status ReadHostCredentials(const toml::table& table, const std::string& source,
                           HostCredentials* entry) {
  TableReader t(table, "fetch.host", source);
  ROTGUARD_RETURN_IF_ERROR(t.Get("host", &entry->host));
  entry->host = Lowercase(entry->host);
  if (!IsHostPattern(entry->host)) {
    return t.Error(table, "host",
                   "expected a host name (\"members.example.org\") or a "
                   "subdomain wildcard (\"*.example.org\"), not \"" +
                       entry->host + "\"");
  }
  ROTGUARD_RETURN_IF_ERROR(ReadCredentialHeaders(t, entry));
  ROTGUARD_RETURN_IF_ERROR(t.GetHeaderValue("cookies", &entry->cookies));
  return t.CheckNoUnknownKeys();
}

// [[fetch.host]]: a later file's entry for the same host pattern replaces
// the earlier one; other entries add up across files.
Status ReadHostCredentialsArray(TableReader& t, FetchConfig* f) {
  Result<const toml::array*> array = t.TableArray("host");
  if (!array.ok()) return array.status();
  if (*array == nullptr) return Status::Ok();
  for (const toml::node& node : **array) {
    HostCredentials entry;
    ROTGUARD_RETURN_IF_ERROR(
        ReadHostCredentials(*node.as_table(), t.source(), &entry));
    auto same = std::find_if(
        f->host_credentials.begin(), f->host_credentials.end(),
        [&](const HostCredentials& e) { return e.host == entry.host; });
    if (same != f->host_credentials.end()) {
      *same = std::move(entry);
    } else {
      f->host_credentials.push_back(std::move(entry));
    }
  }
  return Status::Ok();
}

Status ReadFetchNetwork(TableReader& t, FetchConfig* f) {
  ROTGUARD_RETURN_IF_ERROR(t.GetProxyUrl("proxy", &f->proxy));
  ROTGUARD_RETURN_IF_ERROR(t.Get("proxy_cacert", &f->proxy_cacert));
  ROTGUARD_RETURN_IF_ERROR(t.Get("record_credentials", &f->record_credentials));
  return ReadHostCredentialsArray(t, f);
}

Status ReadFetch(TableReader& t, FetchConfig* f) {
  constexpr int kMaxMs = 24 * 3600 * 1000;
  ROTGUARD_RETURN_IF_ERROR(t.GetHeaderValue("user_agent", &f->user_agent));
  ROTGUARD_RETURN_IF_ERROR(t.Get("jobs", &f->jobs, 1, 1024));
  ROTGUARD_RETURN_IF_ERROR(t.Get("per_host", &f->per_host, 1, 1024));
  ROTGUARD_RETURN_IF_ERROR(t.Get("delay_ms", &f->delay_ms, 0, kMaxMs));
  ROTGUARD_RETURN_IF_ERROR(t.GetSize("max_size", &f->max_size));
  ROTGUARD_RETURN_IF_ERROR(t.Get("retries", &f->retries, 0, 100));
  ROTGUARD_RETURN_IF_ERROR(t.Get("backoff_ms", &f->backoff_ms, 0, kMaxMs));
  ROTGUARD_RETURN_IF_ERROR(
      t.Get("retry_after_cap_s", &f->retry_after_cap_s, 0, 86400));
  ROTGUARD_RETURN_IF_ERROR(
      t.Get("connect_timeout_s", &f->connect_timeout_s, 1, 3600));
  ROTGUARD_RETURN_IF_ERROR(
      t.Get("total_timeout_s", &f->total_timeout_s, 1, 86400));
  ROTGUARD_RETURN_IF_ERROR(
      t.Get("requisites_depth", &f->requisites_depth, 0, 5));
  ROTGUARD_RETURN_IF_ERROR(
      t.Get("max_requisites", &f->max_requisites, 0, 1'000'000));
  ROTGUARD_RETURN_IF_ERROR(t.Get("max_redirects", &f->max_redirects, 0, 100));
  ROTGUARD_RETURN_IF_ERROR(
      t.GetChoice("robots", &f->robots, {"ignore", "obey"}));
  ROTGUARD_RETURN_IF_ERROR(t.Get("allow_private", &f->allow_private));
  return ReadFetchNetwork(t, f);
}

Status ReadScope(TableReader& t, ScopeConfig* s) {
  ROTGUARD_RETURN_IF_ERROR(t.Get("include_hosts", &s->include_hosts));
  ROTGUARD_RETURN_IF_ERROR(t.Get("exclude_hosts", &s->exclude_hosts));
  ROTGUARD_RETURN_IF_ERROR(t.Get("include_urls", &s->include_urls));
  return t.Get("exclude_urls", &s->exclude_urls);
}

Status ReadHealth(TableReader& t, HealthConfig* h) {
  ROTGUARD_RETURN_IF_ERROR(t.Get("recrawl_days", &h->recrawl_days, 0, 36500));
  ROTGUARD_RETURN_IF_ERROR(
      t.Get("gone_threshold", &h->gone_threshold, 1, 1000));
  return t.Get("gone_min_interval_hours", &h->gone_min_interval_hours, 0,
               24 * 365);
}

Status ReadBlogger(TableReader& t, BloggerRule* b) {
  ROTGUARD_RETURN_IF_ERROR(t.Get("enabled", &b->enabled));
  ROTGUARD_RETURN_IF_ERROR(t.Get("hosts", &b->hosts));
  return t.Get("fetch_original", &b->fetch_original);
}

Status ReadShortener(TableReader& t, ShortenerRule* s) {
  ROTGUARD_RETURN_IF_ERROR(t.Get("enabled", &s->enabled));
  ROTGUARD_RETURN_IF_ERROR(t.Get("hosts", &s->hosts));
  ROTGUARD_RETURN_IF_ERROR(
      t.Get("follow_meta_refresh", &s->follow_meta_refresh));
  return t.Get("accept_interstitial", &s->accept_interstitial);
}

// The [rescue] keys of Save Page Now submissions.
Status ReadSubmit(TableReader& t, RescueConfig* r) {
  ROTGUARD_RETURN_IF_ERROR(t.Get("submit", &r->submit));
  ROTGUARD_RETURN_IF_ERROR(t.GetHttpUrl("spn_endpoint", &r->spn_endpoint));
  int64_t ignored = 0;
  ROTGUARD_RETURN_IF_ERROR(t.GetDuration("if_not_archived_within", &ignored,
                                         &r->if_not_archived_within));
  ROTGUARD_RETURN_IF_ERROR(
      t.GetHeaderValue("spn_access_key", &r->spn_access_key));
  ROTGUARD_RETURN_IF_ERROR(
      t.GetHeaderValue("spn_secret_key", &r->spn_secret_key));
  ROTGUARD_RETURN_IF_ERROR(
      t.Get("submit_per_minute", &r->submit_per_minute, 0, 60'000));
  ROTGUARD_RETURN_IF_ERROR(t.Get("submit_poll_interval_ms",
                                 &r->submit_poll_interval_ms, 0, 600'000));
  ROTGUARD_RETURN_IF_ERROR(
      t.Get("submit_max_polls", &r->submit_max_polls, 0, 1000));
  ROTGUARD_RETURN_IF_ERROR(
      t.Get("submit_max_seconds", &r->submit_max_seconds, 1, 86'400));
  return t.Get("submit_max_attempts", &r->submit_max_attempts, 1, 1000);
}

Status ReadRescue(TableReader& t, RescueConfig* r) {
  ROTGUARD_RETURN_IF_ERROR(t.Get("lookup", &r->lookup));
  ROTGUARD_RETURN_IF_ERROR(t.GetHttpUrl("cdx_url", &r->cdx_url));
  ROTGUARD_RETURN_IF_ERROR(t.GetHttpUrl("timetravel_url", &r->timetravel_url));
  ROTGUARD_RETURN_IF_ERROR(t.Get("timemap_urls", &r->timemap_urls));
  for (const std::string& url : r->timemap_urls) {
    std::string scheme = Lowercase(url.substr(0, url.find("://")));
    if ((scheme != "http" && scheme != "https") || HasControl(url)) {
      return Status::InvalidArgument("rescue.timemap_urls: \"" + url +
                                     "\" is not an http(s) URL");
    }
  }
  ROTGUARD_RETURN_IF_ERROR(t.Get("per_host", &r->per_host, 1, 64));
  ROTGUARD_RETURN_IF_ERROR(t.Get("delay_ms", &r->delay_ms, 0, 3'600'000));
  ROTGUARD_RETURN_IF_ERROR(t.Get("max_candidates", &r->max_candidates, 1, 100));
  ROTGUARD_RETURN_IF_ERROR(t.GetDuration("retry_after", &r->retry_after_s));
  return ReadSubmit(t, r);
}

Status ReadBrowser(TableReader& t, BrowserConfig* b) {
  ROTGUARD_RETURN_IF_ERROR(
      t.GetChoice("mode", &b->mode, {"off", "thin", "always"}));
  ROTGUARD_RETURN_IF_ERROR(t.Get("jobs", &b->jobs, 1, 16));
  ROTGUARD_RETURN_IF_ERROR(t.GetDurationIn(
      "page_timeout", 1, 3600, &b->page_timeout_s, &b->page_timeout));
  // Chromium does not start under much less.
  return t.GetSizeAtLeast("memory_cap", int64_t{64} << 20, &b->memory_cap);
}

Status ReadHost(TableReader& t, HostConfig* h) {
  ROTGUARD_RETURN_IF_ERROR(t.GetHeaderValue("user_agent", &h->user_agent));
  ROTGUARD_RETURN_IF_ERROR(t.Get("per_host", &h->per_host, 1));
  ROTGUARD_RETURN_IF_ERROR(t.Get("delay_ms", &h->delay_ms, 0));
  return t.Get("accept_statuses", &h->accept_statuses, 100, 599);
}

// Reads table `key` of `parent` with `read` when present.
template <typename Field, typename ReadFn>
Status ReadSection(TableReader& parent, const char* key,
                   const std::string& name, const std::string& source,
                   Field* field, ReadFn read) {
  Result<const toml::table*> table = parent.Table(key);
  if (!table.ok()) return table.status();
  if (*table == nullptr) return Status::Ok();
  TableReader reader(**table, name, source);
  ROTGUARD_RETURN_IF_ERROR(read(reader, field));
  return reader.CheckNoUnknownKeys();
}

Status ReadHosts(TableReader& root, const std::string& source, Config* config) {
  Result<const toml::table*> hosts = root.Table("hosts");
  if (!hosts.ok()) return hosts.status();
  if (*hosts == nullptr) return Status::Ok();
  TableReader hosts_reader(**hosts, "hosts", source);
  for (const auto& [key, node] : **hosts) {
    std::string host(key.str());
    std::string name = "hosts.\"" + host + "\"";
    HostConfig& entry = config->hosts[Lowercase(host)];
    ROTGUARD_RETURN_IF_ERROR(ReadSection(hosts_reader, host.c_str(), name,
                                         source, &entry, ReadHost));
  }
  return Status::Ok();
}

Status ReadRules(TableReader& root, const std::string& source, Config* config) {
  Result<const toml::table*> rules = root.Table("rules");
  if (!rules.ok()) return rules.status();
  if (*rules == nullptr) return Status::Ok();
  TableReader reader(**rules, "rules", source);
  ROTGUARD_RETURN_IF_ERROR(ReadSection(reader, "blogger", "rules.blogger",
                                       source, &config->blogger, ReadBlogger));
  ROTGUARD_RETURN_IF_ERROR(ReadSection(reader, "shortener", "rules.shortener",
                                       source, &config->shortener,
                                       ReadShortener));
  return reader.CheckNoUnknownKeys();
}

Status ReadSite(TableReader& t, SiteConfig* s) {
  ROTGUARD_RETURN_IF_ERROR(t.GetHttpUrl("base_url", &s->base_url));
  ROTGUARD_RETURN_IF_ERROR(
      t.GetChoice("generator", &s->generator, {"", "hugo", "jekyll"}));
  ROTGUARD_RETURN_IF_ERROR(t.Get("content_dirs", &s->content_dirs));
  ROTGUARD_RETURN_IF_ERROR(t.Get("build_dirs", &s->build_dirs));
  ROTGUARD_RETURN_IF_ERROR(t.Get("permalinks", &s->permalinks));
  ROTGUARD_RETURN_IF_ERROR(t.Get("permalink", &s->permalink));
  ROTGUARD_RETURN_IF_ERROR(t.Get("url_prefixes", &s->url_prefixes));
  ROTGUARD_RETURN_IF_ERROR(t.Get("ugly_urls", &s->ugly_urls));
  ROTGUARD_RETURN_IF_ERROR(t.Get("ugly_url_sections", &s->ugly_url_sections));
  ROTGUARD_RETURN_IF_ERROR(t.Get("permalink_defaults", &s->permalink_defaults));
  return t.Get("collections_dir", &s->collections_dir);
}

Status ReadManifest(TableReader& t, ManifestConfig* m) {
  return t.GetPostgresUrl("url", &m->url);
}

Status ReadRoot(const toml::table& root, const std::string& source,
                Config* config) {
  TableReader reader(root, "", source);
  ROTGUARD_RETURN_IF_ERROR(
      ReadSection(reader, "fetch", "fetch", source, &config->fetch, ReadFetch));
  ROTGUARD_RETURN_IF_ERROR(
      ReadSection(reader, "scope", "scope", source, &config->scope, ReadScope));
  ROTGUARD_RETURN_IF_ERROR(ReadSection(reader, "health", "health", source,
                                       &config->health, ReadHealth));
  ROTGUARD_RETURN_IF_ERROR(
      ReadSection(reader, "site", "site", source, &config->site, ReadSite));
  ROTGUARD_RETURN_IF_ERROR(ReadRules(reader, source, config));
  ROTGUARD_RETURN_IF_ERROR(ReadSection(reader, "rescue", "rescue", source,
                                       &config->rescue, ReadRescue));
  ROTGUARD_RETURN_IF_ERROR(ReadSection(reader, "browser", "browser", source,
                                       &config->browser, ReadBrowser));
  ROTGUARD_RETURN_IF_ERROR(ReadSection(reader, "manifest", "manifest", source,
                                       &config->manifest, ReadManifest));
  ROTGUARD_RETURN_IF_ERROR(ReadHosts(reader, source, config));
  return reader.CheckNoUnknownKeys();
}

// A setting line of the policy: "key = value" at the start of a line.
bool IsSettingLine(std::string_view line) {
  size_t eq = line.find(" = ");
  if (eq == std::string_view::npos || eq == 0) return false;
  for (char c : line.substr(0, eq)) {
    if (!std::islower(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

std::string BuildStoreConfigText() {
  std::string out =
      "# This store's settings (rotguard.toml). Every setting is listed\n"
      "# below, commented out at its built-in default: uncomment a line to\n"
      "# change it. `--config FILE` and command-line flags override this\n"
      "# file; see policies/default.toml in the rotguard sources.\n";
  std::string_view policy = kDefaultPolicyToml;
  // Skip the policy's own header comment (up to its first blank line).
  size_t body = policy.find("\n\n");
  policy.remove_prefix(body == std::string_view::npos ? 0 : body + 1);
  while (!policy.empty()) {
    size_t eol = policy.find('\n');
    std::string_view line = policy.substr(0, eol);
    if (IsSettingLine(line)) out += "# ";
    out.append(line);
    out += '\n';
    policy.remove_prefix(eol == std::string_view::npos ? policy.size()
                                                       : eol + 1);
  }
  return out;
}

}  // namespace

const HostCredentials* FindHostCredentials(const FetchConfig& fetch,
                                           std::string_view host) {
  const HostCredentials* best = nullptr;
  for (const HostCredentials& entry : fetch.host_credentials) {
    if (entry.host == host) return &entry;
    if (entry.host.substr(0, 2) != "*.") continue;
    std::string_view suffix = std::string_view(entry.host).substr(1);
    const bool matches = host.size() > suffix.size() &&
                         host.substr(host.size() - suffix.size()) == suffix;
    if (matches && (best == nullptr || entry.host.size() > best->host.size())) {
      best = &entry;
    }
  }
  return best;
}

Status ValidateProxyUrl(std::string_view url) {
  if (url.empty()) return Status::Ok();
  const size_t sep = url.find("://");
  const std::string scheme =
      Lowercase(url.substr(0, sep == std::string_view::npos ? 0 : sep));
  if (scheme != "http" && scheme != "https" && scheme != "socks5" &&
      scheme != "socks5h") {
    return Status::InvalidArgument(
        "proxy \"" + std::string(url) +
        "\": expected an http://, https://, socks5:// or socks5h:// URL");
  }
  std::string_view rest = url.substr(sep + 3);
  if (size_t at = rest.rfind('@'); at != std::string_view::npos) {
    rest.remove_prefix(at + 1);
  }
  bool has_space = false;
  for (char c : url) has_space = has_space || c == ' ' || c == '\t';
  if (rest.empty() || rest.front() == ':' || rest.front() == '/' ||
      HasControl(url) || has_space) {
    return Status::InvalidArgument("proxy \"" + std::string(url) +
                                   "\": expected SCHEME://HOST[:PORT]");
  }
  return Status::Ok();
}

Result<int64_t> ParseDurationSeconds(std::string_view text) {
  auto bad = [&](const char* why) {
    return Status::InvalidArgument("duration '" + std::string(text) + "' " +
                                   why + " (e.g. 90s, 30m, 2h, 1h30m)");
  };
  constexpr int64_t kMax = 100LL * 365 * 86400;
  std::string_view rest = text;
  int64_t total = 0;
  if (rest.empty()) return bad("is empty");
  while (!rest.empty()) {
    int64_t value = 0;
    size_t digits = 0;
    while (digits < rest.size() &&
           std::isdigit(static_cast<unsigned char>(rest[digits]))) {
      value = value * 10 + (rest[digits] - '0');
      if (value > kMax) return bad("is too long");
      ++digits;
    }
    if (digits == 0) return bad("must be numbers with units");
    rest.remove_prefix(digits);
    int64_t unit = 1;  // a bare number is seconds (only as the last part)
    if (!rest.empty()) {
      switch (rest.front()) {
        case 's':
          unit = 1;
          break;
        case 'm':
          unit = 60;
          break;
        case 'h':
          unit = 3600;
          break;
        case 'd':
          unit = 86400;
          break;
        default:
          return bad("has an unknown unit");
      }
      rest.remove_prefix(1);
    }
    total += value * unit;
    if (total > kMax) return bad("is too long");
  }
  return total;
}

Result<int64_t> ParseByteSize(std::string_view text) {
  std::string_view rest = text;
  int64_t value = 0;
  size_t digits = 0;
  while (digits < rest.size() &&
         std::isdigit(static_cast<unsigned char>(rest[digits]))) {
    if (value > std::numeric_limits<int64_t>::max() / 10) {
      return Status::InvalidArgument("size '" + std::string(text) +
                                     "' is too large");
    }
    value = value * 10 + (rest[digits] - '0');
    ++digits;
  }
  if (digits == 0) {
    return Status::InvalidArgument("size '" + std::string(text) +
                                   "' must start with a number");
  }
  rest.remove_prefix(digits);
  int shift = 0;
  if (!rest.empty()) {
    switch (std::toupper(static_cast<unsigned char>(rest.front()))) {
      case 'K':
        shift = 10;
        break;
      case 'M':
        shift = 20;
        break;
      case 'G':
        shift = 30;
        break;
      case 'T':
        shift = 40;
        break;
      case 'B':
        shift = 0;
        break;
      default:
        shift = -1;
    }
    if (shift > 0) rest.remove_prefix(1);
  }
  if (shift >= 0 && (rest == "" || rest == "B" || rest == "b" || rest == "iB" ||
                     rest == "ib")) {
    if (value == 0) {
      return Status::InvalidArgument("size '" + std::string(text) +
                                     "' must be positive");
    }
    if (value > (std::numeric_limits<int64_t>::max() >> shift)) {
      return Status::InvalidArgument("size '" + std::string(text) +
                                     "' is too large");
    }
    return value << shift;
  }
  return Status::InvalidArgument("size '" + std::string(text) +
                                 "' has an unknown unit (use K, M, G or T)");
}

Status ApplyConfigText(std::string_view text, const std::string& source_name,
                       Config* config) {
  toml::table root;
  try {
    root = toml::parse(text, std::string_view(source_name));
  } catch (const toml::parse_error& e) {
    const toml::source_position& at = e.source().begin;
    return Status::InvalidArgument(source_name + ":" + std::to_string(at.line) +
                                   ":" + std::to_string(at.column) + ": " +
                                   std::string(e.description()));
  }
  // Work on a copy so a failed file leaves *config as it was.
  Config updated = *config;
  ROTGUARD_RETURN_IF_ERROR(ReadRoot(root, source_name, &updated));
  *config = std::move(updated);
  return Status::Ok();
}

Status ApplyConfigFile(const std::filesystem::path& path, Config* config) {
  Result<std::string> text = ReadFileToString(path);
  if (!text.ok()) return text.status();
  return ApplyConfigText(*text, path.string(), config);
}

Result<Config> LoadConfig(const std::filesystem::path& store_config,
                          const std::filesystem::path& extra_config) {
  Config config;
  std::error_code ec;
  if (!store_config.empty() && std::filesystem::exists(store_config, ec)) {
    ROTGUARD_RETURN_IF_ERROR(ApplyConfigFile(store_config, &config));
  }
  if (!extra_config.empty()) {
    ROTGUARD_RETURN_IF_ERROR(ApplyConfigFile(extra_config, &config));
  }
  return config;
}

const std::string& DefaultStoreConfigText() {
  static const std::string text = BuildStoreConfigText();
  return text;
}

}  // namespace rotguard
