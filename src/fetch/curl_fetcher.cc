// The libcurl multi Fetcher (rotguard/fetch.h; SPEC §6, §13 "HTTP details").
//
// One thread drives everything: Run() loops perform → harvest finished
// transfers → start what the queues allow → curl_multi_poll with a timeout
// that wakes for the next per-host delay or retry timer. libcurl never
// follows redirects itself: every hop is a transfer of ours, so each one is
// recorded and checked (loops, limits, the address guard).
//
// Queues: every host has its own FIFO; hosts with work take turns. A job
// continuing its chain (next hop or retry) goes to the front of its host's
// queue, so chains finish before new jobs on that host begin.
#include <arpa/inet.h>
#include <curl/curl.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <deque>
#include <filesystem>
#include <list>
#include <map>
#include <queue>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "fetch/fetch_internal.h"
#include "rotguard/fetch.h"
#include "rotguard/url.h"
#include "util/ascii.h"
#include "util/handles.h"

namespace rotguard {
namespace {

using Clock = std::chrono::steady_clock;
using fetch_internal::UrlHost;
using fetch_internal::UrlPort;

constexpr uint64_t kMetaRefreshLimit = uint64_t{1} << 20;
// A large body arrives in fewer, larger pieces: fewer receive and spool
// write calls (curl's default is 16 KiB; its maximum 10 MiB).
constexpr long kReceiveBufferBytes = 256L << 10;

struct HostState;

// A job between OnDone-less start and OnDone: its chain and current hop.
struct JobState {
  FetchJob job;
  FetchOutcome outcome;
  std::vector<std::string> chain;  // URLs of the hops so far, in order
  std::string url;                 // the hop being fetched
  HopKind kind = HopKind::kFirst;
  int hop_index = 0;
  int attempt = 0;
  HostState* host = nullptr;
  std::list<JobState>::iterator self;
};

struct HostState {
  std::string name;
  std::deque<JobState*> queue;
  int active = 0;
  int limit = 2;
  int delay_ms = 0;
  std::string user_agent;
  Clock::time_point next_start{};
  bool in_rotation = false;
  bool mapped = false;  // by `resolve`/`connect_to`: the guard is off
};

class CurlFetcher;

// One easy handle and the exchange it is carrying.
struct Transfer {
  CurlFetcher* fetcher = nullptr;
  CurlEasyPtr easy;
  JobState* job = nullptr;
  CurlSlistPtr extra_headers;  // when the job has its own headers
  std::chrono::system_clock::time_point started;
  std::string request_head;
  std::string head;  // current response header block
  bool head_done = false;
  bool h2 = false;
  int status = 0;
  std::string location, refresh, retry_after, content_type, content_encoding;
  std::unique_ptr<ResponseBody> response;
  bool too_large = false;
  bool guard = true;
  bool blocked = false;
  std::string blocked_ip;
  Status write_status;
  char error[CURL_ERROR_SIZE] = {};

  void Clear() {
    job = nullptr;
    extra_headers.reset();
    request_head.clear();
    head.clear();
    head_done = false;
    h2 = false;
    status = 0;
    location.clear();
    refresh.clear();
    retry_after.clear();
    content_type.clear();
    content_encoding.clear();
    response.reset();
    too_large = false;
    guard = true;
    blocked = false;
    blocked_ip.clear();
    write_status = Status::Ok();
    error[0] = '\0';
  }
};

struct Timer {
  Clock::time_point at;
  uint64_t seq;
  JobState* job;
  bool operator>(const Timer& o) const {
    return at != o.at ? at > o.at : seq > o.seq;
  }
};

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

std::string_view HeaderValue(std::string_view line, size_t name_len) {
  return TrimHeaderSpace(line.substr(name_len + 1));
}

class CurlFetcher final : public Fetcher {
 public:
  explicit CurlFetcher(FetchOptions options) : options_(std::move(options)) {}
  ~CurlFetcher() override {
    // Handles must leave the multi before either is cleaned up.
    for (auto& t : active_transfers_) {
      curl_multi_remove_handle(multi_.get(), t->easy.get());
    }
  }

  Status Init();
  void Add(FetchJob job) override;
  std::unique_ptr<ResponseBody> NewBody(std::string head) const {
    if (options_.new_body) return options_.new_body(std::move(head));
    return std::make_unique<MemoryResponseBody>(std::move(head));
  }
  Status Run(FetchSink& sink) override;
  void RequestCancel() override {
    cancel_.store(true);
    if (multi_) curl_multi_wakeup(multi_.get());
  }

  // libcurl callbacks.
  static size_t OnHeader(char* data, size_t size, size_t n, void* user);
  static size_t OnBody(char* data, size_t size, size_t n, void* user);
  static int OnDebug(CURL*, curl_infotype type, char* data, size_t size,
                     void* user);
  static curl_socket_t OnOpenSocket(void* user, curlsocktype purpose,
                                    curl_sockaddr* address);

 private:
  Clock::time_point Now() const {
    return options_.now ? options_.now() : Clock::now();
  }
  HostState* HostFor(const std::string& url);
  void EnqueueBack(JobState* job);
  void EnqueueFront(JobState* job);
  void FireTimers(Clock::time_point now);
  Clock::time_point StartReady(Clock::time_point now);
  void StartHop(JobState* job, Clock::time_point now);
  Status ConfigureEasy(Transfer& t, JobState& job);
  const curl_slist* ResolveListFor(JobState& job, std::string* error,
                                   bool* nxdomain);
  bool HarvestDone();
  void OnTransferDone(Transfer* t, CURLcode code);
  std::optional<std::string> FindMetaRefreshIn(const Transfer& t,
                                               const std::string& url) const;
  void FinishJob(JobState* job, FailureClass failure, std::string error);
  void CancelEverything();
  std::unique_ptr<Transfer> TakeTransfer();

  FetchOptions options_;
  CurlMultiPtr multi_;
  CurlSlistPtr base_headers_;
  CurlSlistPtr resolve_list_;
  CurlSlistPtr connect_to_list_;
  std::set<std::string> mapped_hosts_;
  bool map_all_hosts_ = false;
  std::map<std::string, CurlSlistPtr> pinned_lists_;  // "host:port" → list
  std::map<std::string, std::vector<std::string>> resolved_;
  std::set<std::string> nxdomain_;

  std::list<JobState> jobs_;
  std::unordered_map<std::string, std::unique_ptr<HostState>> hosts_;
  std::deque<HostState*> rotation_;
  std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers_;
  uint64_t timer_seq_ = 0;
  std::vector<std::unique_ptr<Transfer>> idle_transfers_;
  std::vector<std::unique_ptr<Transfer>> active_transfers_;
  int active_ = 0;
  FetchSink* sink_ = nullptr;
  std::atomic<bool> cancel_{false};
};

// ---- setup ---------------------------------------------------------------

Status ValidateResolve(const std::string& entry) {
  // HOST:PORT:ADDR[,ADDR...], optionally prefixed "+" (curl syntax).
  std::string_view s = entry;
  if (!s.empty() && (s.front() == '+' || s.front() == '-')) s.remove_prefix(1);
  size_t c1 = s.find(':');
  size_t c2 = c1 == std::string_view::npos ? c1 : s.find(':', c1 + 1);
  if (c1 == 0 || c2 == std::string_view::npos || c2 == c1 + 1 ||
      c2 + 1 >= s.size()) {
    return Status::InvalidArgument("--resolve " + entry +
                                   ": expected HOST:PORT:ADDRESS");
  }
  for (char c : s.substr(c1 + 1, c2 - c1 - 1)) {
    if (c < '0' || c > '9') {
      return Status::InvalidArgument("--resolve " + entry +
                                     ": port is not a number");
    }
  }
  return Status::Ok();
}

Status ValidateConnectTo(const std::string& entry) {
  // HOST:PORT:CONNECT-HOST:CONNECT-PORT; any part may be empty.
  if (std::count(entry.begin(), entry.end(), ':') < 3) {
    return Status::InvalidArgument(
        "--connect-to " + entry +
        ": expected HOST:PORT:CONNECT-HOST:CONNECT-PORT");
  }
  return Status::Ok();
}

Status CurlFetcher::Init() {
  for (const std::string& entry : options_.resolve) {
    ROTGUARD_RETURN_IF_ERROR(ValidateResolve(entry));
    std::string_view s = entry;
    if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
      s.remove_prefix(1);
    }
    mapped_hosts_.insert(AsciiLowercase(s.substr(0, s.find(':'))));
    resolve_list_.reset(
        curl_slist_append(resolve_list_.release(), entry.c_str()));
  }
  for (const std::string& entry : options_.connect_to) {
    ROTGUARD_RETURN_IF_ERROR(ValidateConnectTo(entry));
    std::string host = AsciiLowercase(entry.substr(0, entry.find(':')));
    if (host.empty()) map_all_hosts_ = true;
    mapped_hosts_.insert(host);
    connect_to_list_.reset(
        curl_slist_append(connect_to_list_.release(), entry.c_str()));
  }
  if (!options_.cacert.empty()) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(options_.cacert, ec)) {
      return Status::InvalidArgument("--cacert " + options_.cacert +
                                     ": no such file");
    }
  }
  base_headers_.reset(curl_slist_append(nullptr, "Accept-Encoding: gzip"));
  multi_.reset(curl_multi_init());
  if (!multi_ || !base_headers_) {
    return Status::Internal("fetch: libcurl could not start");
  }
  return Status::Ok();
}

// ---- queues ---------------------------------------------------------------

HostState* CurlFetcher::HostFor(const std::string& url) {
  std::string name = UrlHost(url);
  auto it = hosts_.find(name);
  if (it != hosts_.end()) return it->second.get();
  auto host = std::make_unique<HostState>();
  host->name = name;
  host->limit = std::max(1, options_.fetch.per_host);
  host->delay_ms = std::max(0, options_.fetch.delay_ms);
  host->user_agent = options_.fetch.user_agent;
  if (auto o = options_.hosts.find(name); o != options_.hosts.end()) {
    if (o->second.per_host) host->limit = std::max(1, *o->second.per_host);
    if (o->second.delay_ms) host->delay_ms = std::max(0, *o->second.delay_ms);
    if (o->second.user_agent) host->user_agent = *o->second.user_agent;
  }
  host->mapped = map_all_hosts_ || mapped_hosts_.count(name) > 0;
  HostState* raw = host.get();
  hosts_.emplace(name, std::move(host));
  return raw;
}

void CurlFetcher::Add(FetchJob job) {
  JobState& state = jobs_.emplace_back();
  state.self = std::prev(jobs_.end());
  state.url = job.url;
  state.outcome.job = job;
  state.job = std::move(job);
  state.chain.push_back(state.url);
  state.host = HostFor(state.url);
  EnqueueBack(&state);
}

void CurlFetcher::EnqueueBack(JobState* job) {
  HostState* host = job->host;
  host->queue.push_back(job);
  if (!host->in_rotation) {
    host->in_rotation = true;
    rotation_.push_back(host);
  }
}

void CurlFetcher::EnqueueFront(JobState* job) {
  HostState* host = job->host;
  host->queue.push_front(job);
  if (!host->in_rotation) {
    host->in_rotation = true;
    rotation_.push_front(host);
  }
}

void CurlFetcher::FireTimers(Clock::time_point now) {
  while (!timers_.empty() && timers_.top().at <= now) {
    JobState* job = timers_.top().job;
    timers_.pop();
    EnqueueFront(job);
  }
}

// Starts what the limits allow; returns when the next delayed start is due
// (Clock::time_point::max() when none is waiting on a delay).
Clock::time_point CurlFetcher::StartReady(Clock::time_point now) {
  Clock::time_point wake = Clock::time_point::max();
  const int total = std::max(1, options_.fetch.jobs);
  size_t turns = rotation_.size();
  for (size_t i = 0; i < turns && active_ < total && !rotation_.empty(); ++i) {
    HostState* host = rotation_.front();
    rotation_.pop_front();
    while (!host->queue.empty() && host->active < host->limit &&
           active_ < total && !cancel_.load()) {
      if (host->next_start > now) {
        wake = std::min(wake, host->next_start);
        break;
      }
      JobState* job = host->queue.front();
      host->queue.pop_front();
      StartHop(job, now);
    }
    if (host->queue.empty()) {
      host->in_rotation = false;
    } else {
      rotation_.push_back(host);
    }
  }
  return wake;
}

// ---- starting a transfer --------------------------------------------------

std::unique_ptr<Transfer> CurlFetcher::TakeTransfer() {
  if (!idle_transfers_.empty()) {
    std::unique_ptr<Transfer> t = std::move(idle_transfers_.back());
    idle_transfers_.pop_back();
    curl_easy_reset(t->easy.get());
    return t;
  }
  auto t = std::make_unique<Transfer>();
  t->fetcher = this;
  t->easy.reset(curl_easy_init());
  if (!t->easy) return nullptr;
  return t;
}

bool IsIpLiteral(const std::string& host) {
  unsigned char buf[16];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 ||
         inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

// The CURLOPT_RESOLVE list for a job's hop: the `resolve` entries, plus,
// when a resolver seam is set, the addresses it gave for this host.
const curl_slist* CurlFetcher::ResolveListFor(JobState& job, std::string* error,
                                              bool* nxdomain) {
  const std::string& host = job.host->name;
  if (!options_.resolver || job.host->mapped || IsIpLiteral(host)) {
    return resolve_list_.get();
  }
  const std::string key = host + ":" + std::to_string(UrlPort(job.url));
  if (auto it = pinned_lists_.find(key); it != pinned_lists_.end()) {
    return it->second.get();
  }
  if (nxdomain_.count(host)) {
    *nxdomain = true;
    *error = job.url + ": could not resolve host " + host;
    return nullptr;
  }
  auto found = resolved_.find(host);
  if (found == resolved_.end()) {
    Result<std::vector<std::string>> addresses = options_.resolver(host);
    if (!addresses.ok() || addresses->empty()) {
      nxdomain_.insert(host);
      *nxdomain = true;
      *error =
          job.url + ": could not resolve host " + host +
          (addresses.ok() ? "" : " (" + addresses.status().message() + ")");
      return nullptr;
    }
    found = resolved_.emplace(host, std::move(*addresses)).first;
  }
  std::string pin = key + ":";
  for (size_t i = 0; i < found->second.size(); ++i) {
    const std::string& a = found->second[i];
    if (i > 0) pin += ',';
    bool v6 = a.find(':') != std::string::npos && a.front() != '[';
    pin += v6 ? "[" + a + "]" : a;
  }
  curl_slist* list = nullptr;
  for (const curl_slist* e = resolve_list_.get(); e; e = e->next) {
    list = curl_slist_append(list, e->data);
  }
  list = curl_slist_append(list, pin.c_str());
  CurlSlistPtr& slot = pinned_lists_[key];
  slot.reset(list);
  return list;
}

Status CurlFetcher::ConfigureEasy(Transfer& t, JobState& job) {
  CURL* e = t.easy.get();
  const FetchConfig& cfg = options_.fetch;
  curl_easy_setopt(e, CURLOPT_URL, job.url.c_str());
  curl_easy_setopt(e, CURLOPT_PRIVATE, &t);
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t.error);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(e, CURLOPT_HTTP_VERSION, long{CURL_HTTP_VERSION_2TLS});
  curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
  curl_easy_setopt(e, CURLOPT_BUFFERSIZE, kReceiveBufferBytes);
  curl_easy_setopt(e, CURLOPT_USERAGENT, job.host->user_agent.c_str());
  if (job.job.headers.empty()) {
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, base_headers_.get());
  } else {
    curl_slist* list = curl_slist_append(nullptr, "Accept-Encoding: gzip");
    for (const std::string& h : job.job.headers) {
      list = curl_slist_append(list, h.c_str());
    }
    t.extra_headers.reset(list);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, list);
  }
  if (job.job.method == "HEAD") curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &CurlFetcher::OnHeader);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &CurlFetcher::OnBody);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &t);
  // The request head as sent comes only through the debug callback.
  curl_easy_setopt(e, CURLOPT_DEBUGFUNCTION, &CurlFetcher::OnDebug);
  curl_easy_setopt(e, CURLOPT_DEBUGDATA, &t);
  curl_easy_setopt(e, CURLOPT_VERBOSE, 1L);
  curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, &CurlFetcher::OnOpenSocket);
  curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, &t);
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, long{cfg.connect_timeout_s});
  curl_easy_setopt(e, CURLOPT_TIMEOUT, long{cfg.total_timeout_s});
  curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, long{options_.low_speed_bytes});
  curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, long{options_.low_speed_time_s});
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!options_.cacert.empty()) {
    curl_easy_setopt(e, CURLOPT_CAINFO, options_.cacert.c_str());
  }
  if (connect_to_list_) {
    curl_easy_setopt(e, CURLOPT_CONNECT_TO, connect_to_list_.get());
  }
  t.guard = !cfg.allow_private && !job.host->mapped;
  return Status::Ok();
}

void CurlFetcher::StartHop(JobState* job, Clock::time_point now) {
  const std::string scheme = AsciiLowercase(
      job->url.substr(0, std::min(job->url.find(':'), job->url.size())));
  if ((scheme != "http" && scheme != "https") || job->host->name.empty()) {
    FinishJob(job, FailureClass::kBadUrl,
              job->url + ": not an absolute http(s) URL");
    return;
  }
  std::string error;
  bool nxdomain = false;
  const curl_slist* resolve = ResolveListFor(*job, &error, &nxdomain);
  if (nxdomain) {
    ++job->outcome.attempts;
    FinishJob(job, FailureClass::kDns, error);
    return;
  }
  std::unique_ptr<Transfer> t = TakeTransfer();
  if (!t) {
    FinishJob(job, FailureClass::kOther, job->url + ": libcurl out of memory");
    return;
  }
  t->Clear();
  t->job = job;
  ConfigureEasy(*t, *job);
  if (resolve) {
    curl_easy_setopt(t->easy.get(), CURLOPT_RESOLVE, resolve);
  }
  t->started = std::chrono::system_clock::now();
  if (curl_multi_add_handle(multi_.get(), t->easy.get()) != CURLM_OK) {
    idle_transfers_.push_back(std::move(t));
    FinishJob(job, FailureClass::kOther, job->url + ": libcurl refused");
    return;
  }
  ++job->host->active;
  ++active_;
  job->host->next_start = now + std::chrono::milliseconds(job->host->delay_ms);
  active_transfers_.push_back(std::move(t));
}

// ---- libcurl callbacks ----------------------------------------------------

size_t CurlFetcher::OnHeader(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t len = size * n;
  std::string_view line(data, len);
  if (StartsWith(line, "HTTP/")) {
    // A new header block: an earlier one was 1xx (or a retry on a reused
    // connection); keep only the final block.
    t->head.clear();
    t->head_done = false;
    t->location.clear();
    t->refresh.clear();
    t->retry_after.clear();
    t->content_type.clear();
    t->content_encoding.clear();
    size_t sp = line.find(' ');
    t->status = sp == std::string_view::npos
                    ? 0
                    : std::atoi(std::string(line.substr(sp + 1, 3)).c_str());
    t->h2 = StartsWith(line, "HTTP/2");
    if (t->h2) {
      t->head = "HTTP/1.1 " + std::to_string(t->status) + " " +
                fetch_internal::ReasonPhrase(t->status) + "\r\n";
    } else {
      t->head.assign(line);
    }
    return len;
  }
  if (t->head_done) return len;  // trailers after the body
  std::string_view bare = line;
  while (!bare.empty() && (bare.back() == '\n' || bare.back() == '\r')) {
    bare.remove_suffix(1);
  }
  if (bare.empty()) {
    t->head += "\r\n";
    if (t->status >= 200 || t->status == 0) {
      t->head_done = true;
      t->response = t->fetcher->NewBody(std::move(t->head));
      t->head.clear();
    }
    return len;
  }
  t->head.append(bare).append("\r\n");
  auto is = [&](std::string_view name) {
    return bare.size() > name.size() && bare[name.size()] == ':' &&
           StartsWithIgnoreCase(bare, name);
  };
  if (is("location")) {
    t->location.assign(HeaderValue(bare, 8));
  } else if (is("refresh")) {
    t->refresh.assign(HeaderValue(bare, 7));
  } else if (is("retry-after")) {
    t->retry_after.assign(HeaderValue(bare, 11));
  } else if (is("content-type")) {
    t->content_type.assign(HeaderValue(bare, 12));
  } else if (is("content-encoding")) {
    t->content_encoding.assign(HeaderValue(bare, 16));
  }
  return len;
}

size_t CurlFetcher::OnBody(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t len = size * n;
  if (!t->response) {  // a body without a head: never from libcurl
    t->response = t->fetcher->NewBody("HTTP/1.1 200 OK\r\n\r\n");
    t->head_done = true;
  }
  const int64_t max_size = t->fetcher->options_.fetch.max_size;
  const uint64_t have = t->response->payload_length();
  std::string_view bytes(data, len);
  bool cut = false;
  if (max_size > 0 && have + len > static_cast<uint64_t>(max_size)) {
    bytes = bytes.substr(0, static_cast<uint64_t>(max_size) - have);
    cut = true;
  }
  Status appended = t->response->AppendBody(bytes);
  if (!appended.ok()) {
    t->write_status = std::move(appended);
    return 0;  // aborts the transfer with CURLE_WRITE_ERROR
  }
  if (cut) {
    t->response->MarkTruncated(kTruncatedLength);
    t->too_large = true;
    return 0;
  }
  return len;
}

int CurlFetcher::OnDebug(CURL*, curl_infotype type, char* data, size_t size,
                         void* user) {
  if (type != CURLINFO_HEADER_OUT) return 0;
  auto* t = static_cast<Transfer*>(user);
  std::string_view chunk(data, size);
  // A request line starts a new request head (a resend replaces it).
  size_t eol = chunk.find('\n');
  std::string_view first = chunk.substr(0, eol);
  if (!first.empty() && first.front() >= 'A' && first.front() <= 'Z' &&
      first.find(" HTTP/") != std::string_view::npos) {
    t->request_head.assign(chunk);
  } else {
    t->request_head.append(chunk);
  }
  return 0;
}

curl_socket_t CurlFetcher::OnOpenSocket(void* user, curlsocktype,
                                        curl_sockaddr* address) {
  auto* t = static_cast<Transfer*>(user);
  if (t->guard && (address->family == AF_INET || address->family == AF_INET6)) {
    char ip[INET6_ADDRSTRLEN] = {};
    const void* raw =
        address->family == AF_INET
            ? static_cast<const void*>(
                  &reinterpret_cast<const sockaddr_in*>(&address->addr)
                       ->sin_addr)
            : static_cast<const void*>(
                  &reinterpret_cast<const sockaddr_in6*>(&address->addr)
                       ->sin6_addr);
    inet_ntop(address->family, raw, ip, sizeof ip);
    if (IsNonPublicAddress(ip)) {
      t->blocked = true;
      t->blocked_ip = ip;
      return CURL_SOCKET_BAD;
    }
  }
  return socket(address->family, address->socktype | SOCK_CLOEXEC,
                address->protocol);
}

// ---- finishing a transfer -------------------------------------------------

FailureClass ClassifyCurlError(CURLcode code, const Transfer& t,
                               bool connected) {
  switch (code) {
    case CURLE_OK:
      return FailureClass::kNone;
    case CURLE_COULDNT_RESOLVE_HOST:
      return FailureClass::kDns;
    case CURLE_COULDNT_CONNECT:
      return t.blocked ? FailureClass::kBlockedAddress : FailureClass::kConnect;
    case CURLE_OPERATION_TIMEDOUT:
      return connected ? FailureClass::kTimeout : FailureClass::kConnect;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_USE_SSL_FAILED:
      return FailureClass::kTls;
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return FailureClass::kReset;
    case CURLE_PARTIAL_FILE:
      return FailureClass::kTruncated;
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return FailureClass::kBadUrl;
    case CURLE_WRITE_ERROR:
      return t.too_large ? FailureClass::kTooLarge : FailureClass::kOther;
    case CURLE_ABORTED_BY_CALLBACK:
      return FailureClass::kCancelled;
    default:
      return FailureClass::kOther;
  }
}

std::string DescribeFailure(FailureClass failure, CURLcode code,
                            const Transfer& t, const std::string& url) {
  switch (failure) {
    case FailureClass::kBlockedAddress:
      return url + ": refused to connect to non-public address " +
             t.blocked_ip +
             " (set allow_private, or map the host with --resolve)";
    case FailureClass::kTooLarge:
      return url + ": body cut at --max-size";
    case FailureClass::kOther:
      if (!t.write_status.ok()) {
        return url + ": storing the body failed: " + t.write_status.message();
      }
      break;
    default:
      break;
  }
  std::string detail = t.error[0] ? t.error : curl_easy_strerror(code);
  return url + ": " + FailureClassName(failure) + ": " + detail;
}

bool IsRedirectStatus(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 ||
         status == 308;
}

bool IsHtml(std::string_view content_type) {
  return content_type.empty() ||
         AsciiLowercase(content_type).find("html") != std::string::npos;
}

std::optional<std::string> CurlFetcher::FindMetaRefreshIn(
    const Transfer& t, const std::string& url) const {
  const ResponseBody& response = *t.response;
  const uint64_t size = response.payload_length();
  if (size == 0 || size > kMetaRefreshLimit || !IsHtml(t.content_type)) {
    return std::nullopt;
  }
  const std::string coding = AsciiLowercase(t.content_encoding);
  const bool coded = coding.find("gzip") != std::string::npos ||
                     coding.find("deflate") != std::string::npos;
  std::optional<std::string> found;
  std::string joined;
  bool done = false;
  auto inspect = [&](std::string_view html) {
    if (coded) {
      std::optional<std::string> plain =
          fetch_internal::InflateForInspection(html, kMetaRefreshLimit);
      if (plain) found = FindMetaRefresh(*plain, url);
    } else {
      found = FindMetaRefresh(html, url);
    }
  };
  // Usually the whole body is one in-memory chunk: scan it in place.
  Status s = response.ForEachBodyChunk([&](std::string_view chunk) {
    if (joined.empty() && chunk.size() == size) {
      inspect(chunk);
      done = true;
    } else {
      joined.append(chunk);
    }
    return Status::Ok();
  });
  if (!s.ok()) return std::nullopt;
  if (!done) inspect(joined);
  return found;
}

// Backoff doubles per attempt; a 429/503 Retry-After replaces it, capped.
std::chrono::milliseconds RetryWait(const FetchConfig& cfg, int attempt,
                                    int status,
                                    const std::string& retry_after) {
  if ((status == 429 || status == 503) && !retry_after.empty()) {
    std::optional<std::chrono::seconds> asked = fetch_internal::ParseRetryAfter(
        retry_after, std::chrono::system_clock::now());
    if (asked) {
      return std::min<std::chrono::milliseconds>(
          *asked, std::chrono::seconds(std::max(0, cfg.retry_after_cap_s)));
    }
  }
  return std::chrono::milliseconds(int64_t{std::max(0, cfg.backoff_ms)}
                                   << std::min(attempt, 20));
}

void CurlFetcher::OnTransferDone(Transfer* t, CURLcode code) {
  JobState* job = t->job;
  CURL* e = t->easy.get();
  curl_multi_remove_handle(multi_.get(), e);
  --job->host->active;
  --active_;
  ++job->outcome.attempts;

  curl_off_t connect_time = 0;
  curl_easy_getinfo(e, CURLINFO_CONNECT_TIME_T, &connect_time);
  const bool connected = connect_time > 0 || t->head_done;
  FailureClass failure = ClassifyCurlError(code, *t, connected);
  if (t->too_large) failure = FailureClass::kTooLarge;
  std::string error = failure == FailureClass::kNone
                          ? ""
                          : DescribeFailure(failure, code, *t, job->url);

  const FetchConfig& cfg = options_.fetch;
  const bool have_response = t->head_done && t->response != nullptr;
  const int status = have_response ? t->status : 0;
  if (have_response && failure != FailureClass::kNone &&
      failure != FailureClass::kTooLarge && t->response->truncated().empty()) {
    t->response->MarkTruncated(kTruncatedDisconnect);
  }
  const bool retry =
      failure != FailureClass::kTooLarge &&
      failure != FailureClass::kCancelled &&
      IsTransient(failure, failure == FailureClass::kNone ? status : 0) &&
      job->attempt < cfg.retries && !cancel_.load();

  // Where this hop points next.
  std::optional<std::string> next;
  HopKind next_kind = HopKind::kFirst;
  bool bad_location = false;
  if (have_response && failure == FailureClass::kNone && !retry) {
    if (job->job.follow_redirects && IsRedirectStatus(status) &&
        !t->location.empty()) {
      next = ResolveUrl(job->url, t->location);
      next_kind = HopKind::kLocation;
      bad_location = !next;
    } else if (job->job.follow_redirects && !t->refresh.empty()) {
      next = ParseRefreshHeader(t->refresh, job->url);
      next_kind = HopKind::kRefresh;
    } else if (job->job.follow_meta_refresh && status >= 200 && status < 300 &&
               job->job.method != "HEAD") {
      next = FindMetaRefreshIn(*t, job->url);
      next_kind = HopKind::kMetaRefresh;
    }
    // A page that refreshes to itself is not a hop.
    if (next && next_kind != HopKind::kLocation && *next == job->url) {
      next.reset();
    }
  }

  if (have_response) {
    FetchedExchange ex;
    ex.url = job->url;
    ex.hop_index = job->hop_index;
    ex.hop_kind = job->kind;
    ex.attempt = job->attempt;
    ex.retrying = retry;
    ex.started = t->started;
    char* ip = nullptr;
    if (curl_easy_getinfo(e, CURLINFO_PRIMARY_IP, &ip) == CURLE_OK && ip) {
      ex.ip_address = ip;
    }
    long version = 0;
    curl_easy_getinfo(e, CURLINFO_HTTP_VERSION, &version);
    const bool h2 = version == CURL_HTTP_VERSION_2_0 || t->h2;
    ex.protocol = h2 ? "h2" : "";
    ex.request_head = h2 ? fetch_internal::NormalizeRequestHead(t->request_head)
                         : std::move(t->request_head);
    if (!h2 && (ex.request_head.size() < 4 ||
                ex.request_head.compare(ex.request_head.size() - 4, 4,
                                        "\r\n\r\n") != 0)) {
      ex.request_head = fetch_internal::NormalizeRequestHead(ex.request_head);
    }
    ex.http_status = status;
    job->outcome.bytes += t->response->payload_length();
    ex.response = std::move(t->response);
    if (next) {
      ex.next_url = *next;
      ex.next_kind = next_kind;
    }
    job->outcome.final_status = status;
    if (!retry) job->outcome.hops = job->hop_index + 1;
    sink_->OnExchange(job->job, ex);
  }
  job->outcome.final_url = job->url;

  const std::chrono::milliseconds wait =
      retry ? RetryWait(cfg, job->attempt, status, t->retry_after)
            : std::chrono::milliseconds(0);
  // The transfer is free again before the job moves on.
  t->Clear();
  auto it = std::find_if(active_transfers_.begin(), active_transfers_.end(),
                         [t](const auto& p) { return p.get() == t; });
  idle_transfers_.push_back(std::move(*it));
  *it = std::move(active_transfers_.back());
  active_transfers_.pop_back();

  if (retry) {
    ++job->attempt;
    timers_.push(Timer{Now() + wait, timer_seq_++, job});
    return;
  }
  if (failure != FailureClass::kNone) {
    FinishJob(job, failure, std::move(error));
    return;
  }
  if (bad_location) {
    FinishJob(job, FailureClass::kBadUrl,
              job->url + ": malformed redirect target");
    return;
  }
  if (!next) {
    FinishJob(job, FailureClass::kNone, "");
    return;
  }
  if (std::find(job->chain.begin(), job->chain.end(), *next) !=
      job->chain.end()) {
    FinishJob(job, FailureClass::kRedirectLoop,
              job->url + ": redirect loop back to " + *next);
    return;
  }
  if (job->hop_index + 1 > cfg.max_redirects) {
    FinishJob(job, FailureClass::kTooManyRedirects,
              job->chain.front() + ": more than " +
                  std::to_string(cfg.max_redirects) + " redirects");
    return;
  }
  job->url = std::move(*next);
  job->chain.push_back(job->url);
  job->kind = next_kind;
  ++job->hop_index;
  job->attempt = 0;
  job->host = HostFor(job->url);
  EnqueueFront(job);
}

void CurlFetcher::FinishJob(JobState* job, FailureClass failure,
                            std::string error) {
  FetchOutcome& outcome = job->outcome;
  outcome.failure = failure;
  outcome.error = std::move(error);
  if (outcome.final_url.empty()) outcome.final_url = job->url;
  FetchOutcome done = std::move(outcome);
  jobs_.erase(job->self);
  sink_->OnDone(done);
}

bool CurlFetcher::HarvestDone() {
  bool any = false;
  int left = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi_.get(), &left)) {
    if (msg->msg != CURLMSG_DONE) continue;
    Transfer* t = nullptr;
    curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &t);
    OnTransferDone(t, msg->data.result);
    any = true;
  }
  return any;
}

void CurlFetcher::CancelEverything() {
  while (!active_transfers_.empty()) {
    std::unique_ptr<Transfer> t = std::move(active_transfers_.back());
    active_transfers_.pop_back();
    curl_multi_remove_handle(multi_.get(), t->easy.get());
    JobState* job = t->job;
    --job->host->active;
    --active_;
    t->Clear();
    idle_transfers_.push_back(std::move(t));
    FinishJob(job, FailureClass::kCancelled, job->url + ": cancelled");
  }
  // Jobs added by OnDone callbacks meanwhile end the same way.
  while (!jobs_.empty()) {
    timers_ = {};
    rotation_.clear();
    for (auto& [name, host] : hosts_) {
      host->queue.clear();
      host->in_rotation = false;
    }
    JobState* job = &jobs_.front();
    FinishJob(job, FailureClass::kCancelled, job->url + ": cancelled");
  }
}

Status CurlFetcher::Run(FetchSink& sink) {
  sink_ = &sink;
  while (true) {
    if (cancel_.load()) {
      CancelEverything();
      break;
    }
    Clock::time_point now = Now();
    FireTimers(now);
    Clock::time_point wake = StartReady(now);
    if (active_ == 0 && jobs_.empty()) break;
    int running = 0;
    CURLMcode mc = curl_multi_perform(multi_.get(), &running);
    if (mc != CURLM_OK) {
      sink_ = nullptr;
      return Status::Internal(std::string("fetch: libcurl: ") +
                              curl_multi_strerror(mc));
    }
    if (HarvestDone()) continue;
    if (!timers_.empty()) wake = std::min(wake, timers_.top().at);
    long timeout_ms = 1000;
    if (wake != Clock::time_point::max()) {
      auto until = std::chrono::ceil<std::chrono::milliseconds>(wake - Now());
      timeout_ms = std::clamp<long>(static_cast<long>(until.count()), 0, 1000);
    }
    if (active_ == 0 && timeout_ms == 0) continue;
    curl_multi_poll(multi_.get(), nullptr, 0, static_cast<int>(timeout_ms),
                    nullptr);
  }
  sink_ = nullptr;
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<Fetcher>> NewCurlFetcher(FetchOptions options) {
  static const CURLcode global = curl_global_init(CURL_GLOBAL_DEFAULT);
  if (global != CURLE_OK) {
    return Status::Internal("fetch: libcurl global init failed");
  }
  auto fetcher = std::make_unique<CurlFetcher>(std::move(options));
  ROTGUARD_RETURN_IF_ERROR(fetcher->Init());
  return std::unique_ptr<Fetcher>(std::move(fetcher));
}

}  // namespace rotguard
