// The libcurl multi Fetcher (rotguard/fetch.h; SPEC §6, §13 "HTTP details").
//
// One thread drives everything: Run() loops perform → harvest finished
// transfers → start what the host scheduler allows → curl_multi_poll with a
// timeout that wakes for the next per-host delay or retry timer. libcurl
// never follows redirects itself: every hop is a transfer of ours, so each
// one is recorded and checked (redirect_policy.h: loops, limits; the
// address guard per explicit mapping, address_guard.h).
//
// Parts: host_scheduler.h (queues, limits, delays, retry timers),
// redirect_policy.h (the next hop), curl_transfer.h (one easy handle and
// its callbacks); this file owns the multi handle, the jobs and their
// chains.
#include <arpa/inet.h>
#include <curl/curl.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "fetch/address_guard.h"
#include "fetch/curl_transfer.h"
#include "fetch/fetch_internal.h"
#include "fetch/host_scheduler.h"
#include "fetch/redirect_policy.h"
#include "rotguard/fetch.h"
#include "rotguard/url.h"
#include "util/ascii.h"
#include "util/handles.h"

namespace rotguard {
namespace {

using Clock = std::chrono::steady_clock;
using fetch_internal::ExplicitMappings;
using fetch_internal::HopRequest;
using fetch_internal::HostScheduler;
using fetch_internal::NextHop;
using fetch_internal::Transfer;
using fetch_internal::TransferResult;
using JobId = HostScheduler::JobId;

// A job between Add and OnDone: its chain and current hop.
struct JobState {
  JobId id = 0;
  FetchJob job;
  FetchOutcome outcome;
  std::vector<std::string> chain;  // URLs of the hops so far, in order
  std::string url;                 // the hop being fetched
  std::string host;                // UrlHost(url)
  HopKind kind = HopKind::kFirst;
  int hop_index = 0;
  int attempt = 0;
};

class CurlFetcher final : public Fetcher {
 public:
  explicit CurlFetcher(FetchOptions options)
      : options_(std::move(options)),
        scheduler_(options_.fetch, options_.hosts),
        keep_running_(options_.keep_running) {}
  ~CurlFetcher() override {
    // Handles must leave the multi before either is cleaned up.
    for (auto& t : active_transfers_) {
      curl_multi_remove_handle(multi_.get(), t->easy.get());
    }
  }

  Status Init();
  Status InitProxy();
  void Add(FetchJob job) override;
  Status Run(FetchSink& sink) override;
  void RequestCancel() override {
    cancel_.store(true);
    if (multi_) curl_multi_wakeup(multi_.get());
  }
  void StopAdmitting() override {
    stop_admitting_.store(true);
    if (multi_) curl_multi_wakeup(multi_.get());
  }
  void AddFromAnyThread(FetchJob job) override;
  void EndKeepRunning() override {
    keep_running_.store(false);
    if (multi_) curl_multi_wakeup(multi_.get());
  }
  void ResumeKeepRunning() override {
    keep_running_.store(options_.keep_running);
  }

 private:
  Clock::time_point Now() const {
    return options_.now ? options_.now() : Clock::now();
  }
  const std::string& UserAgentFor(const std::string& host) const;
  bool StartHop(JobId id);
  bool Permitted(const JobState& job) const;
  bool GuardsTargetBeforeRequest(const JobState& job) const;
  std::string BlockedTargetAddress(const JobState& job) const;
  HopRequest RequestFor(const JobState& job, const curl_slist* resolve) const;
  const curl_slist* ResolveListFor(const JobState& job, std::string* error,
                                   bool* nxdomain);
  const curl_slist* PinnedList(const std::string& key,
                               const std::vector<std::string>& addresses);
  bool HarvestDone();
  void OnTransferDone(Transfer* t, CURLcode code);
  NextHop DecideNext(const Transfer& t, const JobState& job) const;
  void Deliver(Transfer& t, JobState& job, bool retry, const NextHop& next);
  void Advance(JobState& job, const TransferResult& result, NextHop next);
  void FinishJob(JobState& job, FailureClass failure, std::string error);
  void CancelEverything();
  void DropNotStarted();
  std::unique_ptr<Transfer> TakeTransfer();
  void ReleaseTransfer(Transfer* t);
  long PollTimeoutMs(Clock::time_point wake) const;
  bool TakeInbox();

  FetchOptions options_;
  fetch_internal::TransferDefaults defaults_;
  CurlMultiPtr multi_;
  CurlSlistPtr base_headers_;
  CurlSlistPtr resolve_list_;
  CurlSlistPtr connect_to_list_;
  ExplicitMappings mappings_;
  std::map<std::string, CurlSlistPtr> pinned_lists_;  // "host:port" → list
  std::map<std::string, std::vector<std::string>> resolved_;
  std::set<std::string> nxdomain_;

  std::map<JobId, JobState> jobs_;  // by id, which is the order added
  JobId next_id_ = 1;
  HostScheduler scheduler_;
  std::vector<std::unique_ptr<Transfer>> idle_transfers_;
  std::vector<std::unique_ptr<Transfer>> active_transfers_;
  FetchSink* sink_ = nullptr;
  std::atomic<bool> cancel_{false};
  std::atomic<bool> stop_admitting_{false};
  std::atomic<bool> keep_running_{false};
  std::mutex inbox_mu_;
  std::vector<FetchJob> inbox_;  // from AddFromAnyThread, for Run's thread
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
    mappings_.AddResolve(entry);
    resolve_list_.reset(
        curl_slist_append(resolve_list_.release(), entry.c_str()));
  }
  for (const std::string& entry : options_.connect_to) {
    ROTGUARD_RETURN_IF_ERROR(ValidateConnectTo(entry));
    mappings_.AddConnectTo(entry);
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
  ROTGUARD_RETURN_IF_ERROR(InitProxy());
  base_headers_.reset(curl_slist_append(nullptr, "Accept-Encoding: gzip"));
  multi_.reset(curl_multi_init());
  if (!multi_ || !base_headers_) {
    return Status::Internal("fetch: libcurl could not start");
  }
  defaults_.fetch = options_.fetch;
  defaults_.low_speed_bytes = options_.low_speed_bytes;
  defaults_.low_speed_time_s = options_.low_speed_time_s;
  defaults_.cacert = options_.cacert;
  defaults_.proxy = options_.fetch.proxy;
  defaults_.proxy_cacert = options_.fetch.proxy_cacert.empty()
                               ? options_.cacert
                               : options_.fetch.proxy_cacert;
  defaults_.base_headers = base_headers_.get();
  defaults_.connect_to = connect_to_list_.get();
  defaults_.new_body = options_.new_body;
  return Status::Ok();
}

// Through a proxy, curl connects only to the proxy, so the guard cannot
// judge the target on the connected socket: the target's address is
// checked before each hop instead, from its --resolve mapping, the
// resolver seam, or our own lookup (pinned, so a socks5:// proxy is handed
// exactly the address that was checked).
Status CurlFetcher::InitProxy() {
  if (options_.fetch.proxy.empty()) return Status::Ok();
  Status valid = ValidateProxyUrl(options_.fetch.proxy);
  if (!valid.ok()) {
    return Status::InvalidArgument(
        "--proxy " + fetch_internal::ProxyForDisplay(options_.fetch.proxy) +
        ": " + fetch_internal::ProxyForDisplay(valid.message()));
  }
  const std::string& ca = options_.fetch.proxy_cacert;
  std::error_code ec;
  if (!ca.empty() && !std::filesystem::is_regular_file(ca, ec)) {
    return Status::InvalidArgument("proxy_cacert " + ca + ": no such file");
  }
  if (!options_.resolver && !options_.fetch.allow_private) {
    options_.resolver =
        [mapped = fetch_internal::MappedAddresses(options_.resolve)](
            const std::string& host) -> Result<std::vector<std::string>> {
      // A name the user mapped (on another port) points where they said,
      // for this run: judge that address rather than ask DNS.
      if (auto it = mapped.find(host); it != mapped.end()) return it->second;
      return fetch_internal::LookUpHost(host);
    };
  }
  return Status::Ok();
}

const std::string& CurlFetcher::UserAgentFor(const std::string& host) const {
  if (auto o = options_.hosts.find(host);
      o != options_.hosts.end() && o->second.user_agent) {
    return *o->second.user_agent;
  }
  return options_.fetch.user_agent;
}

void CurlFetcher::Add(FetchJob job) {
  const JobId id = next_id_++;
  JobState& state = jobs_[id];
  state.id = id;
  state.url = job.url;
  state.host = UrlHost(state.url);
  state.outcome.job = job;
  state.job = std::move(job);
  state.chain.push_back(state.url);
  scheduler_.EnqueueBack(id, state.host);
}

void CurlFetcher::AddFromAnyThread(FetchJob job) {
  {
    std::lock_guard<std::mutex> lock(inbox_mu_);
    inbox_.push_back(std::move(job));
  }
  // curl_multi_wakeup is thread-safe: the poll in Run() returns at once.
  if (multi_) curl_multi_wakeup(multi_.get());
}

// Moves the jobs other threads added into the queues (on Run's thread);
// true when there were any.
bool CurlFetcher::TakeInbox() {
  std::vector<FetchJob> taken;
  {
    std::lock_guard<std::mutex> lock(inbox_mu_);
    taken.swap(inbox_);
  }
  for (FetchJob& job : taken) Add(std::move(job));
  return !taken.empty();
}

// ---- starting a transfer --------------------------------------------------

std::unique_ptr<Transfer> CurlFetcher::TakeTransfer() {
  if (!idle_transfers_.empty()) {
    std::unique_ptr<Transfer> t = std::move(idle_transfers_.back());
    idle_transfers_.pop_back();
    curl_easy_reset(t->easy.get());
    return t;
  }
  return Transfer::New(&defaults_);
}

// The transfer is free again: back to the pool.
void CurlFetcher::ReleaseTransfer(Transfer* t) {
  t->Clear();
  auto it = std::find_if(active_transfers_.begin(), active_transfers_.end(),
                         [t](const auto& p) { return p.get() == t; });
  idle_transfers_.push_back(std::move(*it));
  *it = std::move(active_transfers_.back());
  active_transfers_.pop_back();
}

bool IsIpLiteral(const std::string& host) {
  unsigned char buf[16];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 ||
         inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

// True when an explicit --resolve/--connect-to names this hop's (host,
// port): only then is the guard off (and the resolver seam not asked).
bool CurlFetcher::Permitted(const JobState& job) const {
  return mappings_.Permits(job.host, UrlPort(job.url));
}

const curl_slist* CurlFetcher::PinnedList(
    const std::string& key, const std::vector<std::string>& addresses) {
  std::string pin = key + ":";
  for (size_t i = 0; i < addresses.size(); ++i) {
    const std::string& a = addresses[i];
    if (i > 0) pin += ',';
    bool v6 = a.find(':') != std::string::npos && a.front() != '[';
    pin += v6 ? "[" + a + "]" : a;
  }
  curl_slist* list = nullptr;
  for (const curl_slist* e = resolve_list_.get(); e; e = e->next) {
    list = curl_slist_append(list, e->data);
  }
  list = curl_slist_append(list, pin.c_str());
  pinned_lists_[key].reset(list);
  return list;
}

// The CURLOPT_RESOLVE list for a job's hop: the `resolve` entries, plus,
// when a resolver seam is set, the addresses it gave for this host.
const curl_slist* CurlFetcher::ResolveListFor(const JobState& job,
                                              std::string* error,
                                              bool* nxdomain) {
  const std::string& host = job.host;
  if (!options_.resolver || Permitted(job) || IsIpLiteral(host)) {
    return resolve_list_.get();
  }
  const std::string key = host + ":" + std::to_string(UrlPort(job.url));
  if (auto it = pinned_lists_.find(key); it != pinned_lists_.end()) {
    return it->second.get();
  }
  auto found = resolved_.find(host);
  if (found == resolved_.end() && !nxdomain_.count(host)) {
    Result<std::vector<std::string>> addresses = options_.resolver(host);
    if (addresses.ok() && !addresses->empty()) {
      found = resolved_.emplace(host, std::move(*addresses)).first;
    } else {
      nxdomain_.insert(host);
      *error =
          job.url + ": could not resolve host " + host +
          (addresses.ok() ? "" : " (" + addresses.status().message() + ")");
    }
  }
  if (found == resolved_.end()) {
    *nxdomain = true;
    if (error->empty()) *error = job.url + ": could not resolve host " + host;
    return nullptr;
  }
  return PinnedList(key, found->second);
}

HopRequest CurlFetcher::RequestFor(const JobState& job,
                                   const curl_slist* resolve) const {
  HopRequest request;
  request.url = job.url;
  request.method = job.job.method;
  request.body = job.job.body;
  request.headers = job.job.headers;
  for (std::string& line :
       fetch_internal::CredentialHeaderLines(options_.fetch, job.host)) {
    request.headers.push_back(std::move(line));
  }
  request.user_agent = UserAgentFor(job.host);
  request.resolve = resolve;
  request.guard = !options_.fetch.allow_private && !Permitted(job) &&
                  options_.fetch.proxy.empty();
  return request;
}

bool CurlFetcher::GuardsTargetBeforeRequest(const JobState& job) const {
  return !options_.fetch.proxy.empty() && !options_.fetch.allow_private &&
         !Permitted(job);
}

// The first non-public address the hop's target host has ("" when none):
// the host itself when it is an IP literal, else what ResolveListFor got
// for it.
std::string CurlFetcher::BlockedTargetAddress(const JobState& job) const {
  if (IsIpLiteral(job.host)) {
    return IsNonPublicAddress(job.host) ? job.host : "";
  }
  auto found = resolved_.find(job.host);
  if (found == resolved_.end()) return "";
  for (const std::string& address : found->second) {
    if (IsNonPublicAddress(address)) return address;
  }
  return "";
}

// Why a hop to a URL taken down with `forget` is not requested; `from` is
// the hop that pointed there (a redirect), unused for the job's own URL.
std::string ForgottenHopError(const std::string& url, int hop_index,
                              const std::string& from) {
  const std::string why = "taken down with `rotguard forget`: not fetched";
  if (hop_index == 0) return url + ": " + why;
  return from + ": redirects to " + url + ", " + why;
}

// Starts the job's current hop; false when the job ended instead.
bool CurlFetcher::StartHop(JobId id) {
  JobState& job = jobs_.at(id);
  const std::string scheme = AsciiLowercase(
      job.url.substr(0, std::min(job.url.find(':'), job.url.size())));
  if ((scheme != "http" && scheme != "https") || job.host.empty()) {
    FinishJob(job, FailureClass::kBadUrl,
              job.url + ": not an absolute http(s) URL");
    return false;
  }
  if (job.url.size() > kMaxUrlBytes) {  // a post's link or a redirect target
    FinishJob(job, FailureClass::kBadUrl,
              job.url.substr(0, 100) + "...: URL of " +
                  std::to_string(job.url.size()) + " bytes, over the " +
                  std::to_string(kMaxUrlBytes) + "-byte limit");
    return false;
  }
  if (options_.forgotten && options_.forgotten(job.url)) {
    FinishJob(job, FailureClass::kForgotten,
              ForgottenHopError(job.url, job.hop_index, job.outcome.final_url));
    return false;
  }
  std::string error;
  bool nxdomain = false;
  const curl_slist* resolve = ResolveListFor(job, &error, &nxdomain);
  if (nxdomain) {
    ++job.outcome.attempts;
    FinishJob(job, FailureClass::kDns, error);
    return false;
  }
  if (GuardsTargetBeforeRequest(job)) {
    if (std::string ip = BlockedTargetAddress(job); !ip.empty()) {
      ++job.outcome.attempts;
      FinishJob(job, FailureClass::kBlockedAddress,
                job.url + ": refused to fetch non-public address " + ip +
                    " through the proxy (set allow_private, or map this "
                    "host and port with --resolve)");
      return false;
    }
  }
  std::unique_ptr<Transfer> t = TakeTransfer();
  if (!t) {
    FinishJob(job, FailureClass::kOther, job.url + ": libcurl out of memory");
    return false;
  }
  t->Clear();
  t->job = id;
  t->Configure(RequestFor(job, resolve));
  t->started = std::chrono::system_clock::now();
  if (curl_multi_add_handle(multi_.get(), t->easy.get()) != CURLM_OK) {
    idle_transfers_.push_back(std::move(t));
    FinishJob(job, FailureClass::kOther, job.url + ": libcurl refused");
    return false;
  }
  active_transfers_.push_back(std::move(t));
  return true;
}

// ---- finishing a transfer -------------------------------------------------

NextHop CurlFetcher::DecideNext(const Transfer& t, const JobState& job) const {
  fetch_internal::HopResponse hop;
  hop.url = job.url;
  hop.status = t.status;
  hop.location = t.location;
  hop.refresh = t.refresh;
  hop.meta_refresh = [&t, &job] { return t.MetaRefreshTarget(job.url); };
  fetch_internal::RedirectOptions options;
  options.follow_redirects = job.job.follow_redirects;
  options.follow_meta_refresh = job.job.follow_meta_refresh;
  options.head = job.job.method == "HEAD";
  options.max_redirects = options_.fetch.max_redirects;
  return fetch_internal::DecideNextHop(hop, job.chain, options);
}

// Hands the exchange to the sink.
void CurlFetcher::Deliver(Transfer& t, JobState& job, bool retry,
                          const NextHop& next) {
  FetchedExchange ex;
  ex.url = job.url;
  ex.hop_index = job.hop_index;
  ex.hop_kind = job.kind;
  ex.attempt = job.attempt;
  ex.retrying = retry;
  job.outcome.bytes += t.response->payload_length();
  t.FillExchange(ex);
  if (!next.url.empty()) {
    ex.next_url = next.url;
    ex.next_kind = next.kind;
  }
  job.outcome.final_status = ex.http_status;
  if (!retry) job.outcome.hops = job.hop_index + 1;
  sink_->OnExchange(job.job, ex);
}

// A hop ended without a retry: the job ends or goes on to the next hop.
void CurlFetcher::Advance(JobState& job, const TransferResult& result,
                          NextHop next) {
  if (result.failure != FailureClass::kNone) {
    FinishJob(job, result.failure, result.error);
    return;
  }
  switch (next.action) {
    case NextHop::Action::kEnd:
      FinishJob(job, FailureClass::kNone, "");
      return;
    case NextHop::Action::kFail:
      FinishJob(job, next.failure, std::move(next.error));
      return;
    case NextHop::Action::kFollow:
      break;
  }
  job.url = std::move(next.url);
  job.host = UrlHost(job.url);
  job.chain.push_back(job.url);
  job.kind = next.kind;
  ++job.hop_index;
  job.attempt = 0;
  scheduler_.EnqueueFront(job.id, job.host);
}

void CurlFetcher::OnTransferDone(Transfer* t, CURLcode code) {
  JobState& job = jobs_.at(t->job);
  curl_multi_remove_handle(multi_.get(), t->easy.get());
  scheduler_.OnFinished(job.host);
  ++job.outcome.attempts;

  const TransferResult result = t->Finish(code, job.url);
  const FetchConfig& cfg = options_.fetch;
  const bool retry =
      result.failure != FailureClass::kTooLarge &&
      result.failure != FailureClass::kCancelled &&
      IsTransient(result.failure,
                  result.failure == FailureClass::kNone ? result.status : 0) &&
      job.attempt < cfg.retries && !cancel_.load();
  NextHop next;
  if (result.have_response && result.failure == FailureClass::kNone && !retry) {
    next = DecideNext(*t, job);
  }
  if (result.have_response) Deliver(*t, job, retry, next);
  job.outcome.final_url = job.url;

  const std::chrono::milliseconds wait =
      retry ? fetch_internal::RetryDelay(cfg, job.attempt, result.status,
                                         t->retry_after,
                                         std::chrono::system_clock::now())
            : std::chrono::milliseconds(0);
  ReleaseTransfer(t);  // free again before the job moves on
  if (retry) {
    ++job.attempt;
    scheduler_.RetryLater(job.id, job.host, Now(), wait);
    return;
  }
  Advance(job, result, std::move(next));
}

void CurlFetcher::FinishJob(JobState& job, FailureClass failure,
                            std::string error) {
  FetchOutcome& outcome = job.outcome;
  outcome.failure = failure;
  outcome.error = std::move(error);
  if (outcome.final_url.empty()) outcome.final_url = job.url;
  FetchOutcome done = std::move(outcome);
  jobs_.erase(job.id);
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
    JobState& job = jobs_.at(t->job);
    scheduler_.OnFinished(job.host);
    t->Clear();
    idle_transfers_.push_back(std::move(t));
    FinishJob(job, FailureClass::kCancelled, job.url + ": cancelled");
  }
  // Jobs added by OnDone callbacks meanwhile end the same way.
  while (!jobs_.empty()) {
    scheduler_.DropQueued();
    JobState& job = jobs_.begin()->second;
    FinishJob(job, FailureClass::kCancelled, job.url + ": cancelled");
  }
}

// After StopAdmitting(): a job not in flight that is still at its first
// hop (queued, or waiting to retry it) ends kCancelled; a chain between two
// hops goes on, so what was written stays a whole chain.
void CurlFetcher::DropNotStarted() {
  std::set<JobId> in_flight;
  for (const auto& t : active_transfers_) in_flight.insert(t->job);
  std::vector<JobId> drop;
  std::vector<JobId> keep;
  for (const auto& [id, job] : jobs_) {
    if (in_flight.count(id) != 0) continue;
    (job.hop_index == 0 ? drop : keep).push_back(id);
  }
  if (drop.empty()) return;
  scheduler_.DropQueued();
  for (JobId id : keep) scheduler_.EnqueueFront(id, jobs_.at(id).host);
  for (JobId id : drop) {
    JobState& job = jobs_.at(id);
    FinishJob(job, FailureClass::kCancelled,
              job.url + ": not started (run budget reached)");
  }
}

// How long curl_multi_poll may sleep: until `wake`, at most 1 s.
long CurlFetcher::PollTimeoutMs(Clock::time_point wake) const {
  if (wake == Clock::time_point::max()) return 1000;
  auto until = std::chrono::ceil<std::chrono::milliseconds>(wake - Now());
  return std::clamp<long>(static_cast<long>(until.count()), 0, 1000);
}

Status CurlFetcher::Run(FetchSink& sink) {
  sink_ = &sink;
  const auto start = [this](JobId id) { return StartHop(id); };
  const auto cancelled = [this] { return cancel_.load(); };
  while (true) {
    TakeInbox();
    if (cancel_.load()) {
      CancelEverything();
      break;
    }
    if (stop_admitting_.load()) DropNotStarted();
    Clock::time_point wake = scheduler_.StartReady(Now(), start, cancelled);
    if (scheduler_.active() == 0 && jobs_.empty() && !keep_running_.load()) {
      if (!TakeInbox()) break;
      continue;
    }
    int running = 0;
    CURLMcode mc = curl_multi_perform(multi_.get(), &running);
    if (mc != CURLM_OK) {
      sink_ = nullptr;
      return Status::Internal(std::string("fetch: libcurl: ") +
                              curl_multi_strerror(mc));
    }
    if (HarvestDone()) continue;
    const long timeout_ms = PollTimeoutMs(scheduler_.EarliestWake(wake));
    if (scheduler_.active() == 0 && timeout_ms == 0) continue;
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
