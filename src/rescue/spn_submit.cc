// Planning and running Save Page Now submissions (spn_submit.h,
// rotguard/rescue.h).
#include "rescue/spn_submit.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "rotguard/content_coding.h"
#include "rotguard/copy_choice.h"
#include "rotguard/http_head.h"
#include "rotguard/rules.h"
#include "rotguard/url.h"

namespace rotguard {
namespace {

// SPN replies are small JSON objects; anything bigger is not one.
constexpr size_t kMaxReplyBytes = 1u << 20;
// Without a Retry-After, a 429 pauses submissions this long.
constexpr int64_t kDefaultBackoffS = 60;

int64_t SystemNowUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The newest capture of its own (not a public-archive copy, not lost)
// answered 2xx: the link is alive, worth a public copy.
bool IsAlive(const std::vector<CaptureRow>& captures) {
  for (auto it = captures.rbegin(); it != captures.rend(); ++it) {
    if (it->lost || IsPublicArchiveCopy(*it)) continue;
    return it->http_status >= 200 && it->http_status < 300;
  }
  return false;
}

// Whether `normalized` goes into the plan, and as which row.
Result<std::optional<SubmissionRow>> PlanOne(Manifest& manifest,
                                             const std::string& normalized,
                                             const RescueConfig& config) {
  Result<std::optional<SubmissionRow>> found =
      manifest.FindSubmission(normalized);
  if (!found.ok()) return found.status();
  const std::optional<SubmissionRow> not_planned;
  std::optional<SubmissionRow> row = std::move(*found);
  if (row && row->state == kSubmissionSuccess) return not_planned;
  if (row && row->state == kSubmissionPending && !row->job_id.empty()) {
    return row;  // polled, alive or not
  }
  if (row && row->attempts >= config.submit_max_attempts) return not_planned;
  Result<std::vector<CaptureRow>> captures = manifest.CapturesOf(normalized);
  if (!captures.ok()) return captures.status();
  if (!IsAlive(*captures)) return not_planned;
  if (!row) row = SubmissionRow{normalized, "", "", "", 0, 0, 0, ""};
  return row;
}

}  // namespace

Result<std::vector<SubmissionRow>> PlanSubmissions(Manifest& manifest,
                                                   const Config& config) {
  Result<ScopeFilter> scope = ScopeFilter::Create(config.scope);
  if (!scope.ok()) return scope.status();
  Result<std::vector<DocumentRow>> docs = manifest.ListDocuments();
  if (!docs.ok()) return docs.status();
  std::set<std::string> seen;
  std::vector<SubmissionRow> plan;
  for (const DocumentRow& doc : *docs) {
    Result<std::vector<LinkRow>> links = manifest.LinksOf(doc.path);
    if (!links.ok()) return links.status();
    for (const LinkRow& link : *links) {
      const std::string& key = link.normalized;
      std::string scheme = UrlScheme(key);
      if (link.kind == "requisite" || (scheme != "http" && scheme != "https") ||
          !scope->InScope(key) || !seen.insert(key).second) {
        continue;
      }
      Result<std::optional<SubmissionRow>> row =
          PlanOne(manifest, key, config.rescue);
      if (!row.ok()) return row.status();
      if (*row) plan.push_back(std::move(**row));
    }
  }
  std::sort(plan.begin(), plan.end(),
            [](const SubmissionRow& a, const SubmissionRow& b) {
              return a.normalized < b.normalized;
            });
  return plan;
}

Result<SubmitSummary> RunSubmissions(Store& store,
                                     const std::vector<SubmissionRow>& plan,
                                     const SubmitOptions& options) {
  SubmitSummary summary;
  summary.candidates = static_cast<int64_t>(plan.size());
  if (plan.empty()) return summary;
  rescue::SpnSubmit run(store, options);
  ROTGUARD_RETURN_IF_ERROR(run.Run(plan, &summary));
  return summary;
}

namespace rescue {
namespace {

int SubmitsPerMinute(const RescueConfig& config, bool keyed) {
  if (config.submit_per_minute > 0) return config.submit_per_minute;
  return keyed ? 12 : 4;  // the published limits of SPN2
}

std::string ConfigKey(const RescueConfig& config) {
  if (config.spn_access_key.empty() || config.spn_secret_key.empty()) {
    return "";
  }
  return config.spn_access_key + ":" + config.spn_secret_key;
}

Result<std::string> ReadBody(ResponseBody& response) {
  if (response.payload_length() > kMaxReplyBytes) {
    return Status::ResourceExhausted("Save Page Now reply too large");
  }
  std::string coded;
  ROTGUARD_RETURN_IF_ERROR(
      response.ForEachBodyChunk([&coded](std::string_view chunk) {
        coded.append(chunk);
        return Status::Ok();
      }));
  std::string coding;
  warc::FindHeader(response.head(), "Content-Encoding", &coding);
  ContentDecodeLimits limits;
  limits.max_decoded = kMaxReplyBytes;
  return DecodeContent(coding, coded, limits);
}

std::string Describe(const FetchOutcome& outcome, int status,
                     const std::string& body) {
  if (!outcome.error.empty() && status == 0) return outcome.error;
  Result<SpnReply> reply = ParseSpnReply(body);
  std::string said = reply.ok() ? reply->message : "";
  return "HTTP " + std::to_string(status) + (said.empty() ? "" : ": " + said);
}

}  // namespace

SpnSubmit::SpnSubmit(rotguard::Store& store, const SubmitOptions& options)
    : store_(store),
      options_(options),
      config_(options.config.rescue),
      bucket_(SubmitsPerMinute(options.config.rescue, !KeyHeader().empty())) {}

std::string SpnSubmit::KeyHeader() const {
  std::string key =
      options_.key.empty() ? ConfigKey(options_.config.rescue) : options_.key;
  return key.empty() ? "" : "Authorization: LOW " + key;
}

int64_t SpnSubmit::Now() const {
  return options_.now_us ? options_.now_us() : SystemNowUs();
}

Status SpnSubmit::MakeFetcher() {
  FetchOptions fetch = options_.fetch;
  fetch.fetch = options_.config.fetch;
  // Only the archive is asked: its politeness is the run's.
  fetch.fetch.per_host = config_.per_host;
  fetch.fetch.delay_ms = config_.delay_ms;
  // A retry inside the fetcher would be a submission the token bucket
  // never saw; a failed one waits for the bucket (or the next run).
  fetch.fetch.retries = 0;
  fetch.hosts.clear();
  Result<std::unique_ptr<Fetcher>> made =
      options_.new_fetcher ? options_.new_fetcher(std::move(fetch))
                           : NewCurlFetcher(std::move(fetch));
  if (!made.ok()) return made.status();
  fetcher_ = std::move(*made);
  return Status::Ok();
}

Status SpnSubmit::Run(const std::vector<SubmissionRow>& plan,
                      SubmitSummary* summary) {
  ROTGUARD_RETURN_IF_ERROR(MakeFetcher());
  const int64_t start = Now();
  for (const SubmissionRow& row : plan) {
    Item item;
    item.row = row;
    item.next_poll_us = start;
    if (!Pollable(item)) to_submit_.push_back(items_.size());
    items_.push_back(std::move(item));
  }
  const int64_t deadline =
      start + int64_t{config_.submit_max_seconds} * 1'000'000;
  for (int64_t now = start; now < deadline && failure_.ok(); now = Now()) {
    if (StartDue(now) > 0) {
      ROTGUARD_RETURN_IF_ERROR(fetcher_->Run(*this));
      continue;
    }
    std::optional<int64_t> wake = NextWake(now);
    if (!wake || *wake >= deadline) break;
    if (options_.sleep_us) {
      options_.sleep_us(*wake - now);
    } else {
      std::this_thread::sleep_for(std::chrono::microseconds(*wake - now));
    }
  }
  ROTGUARD_RETURN_IF_ERROR(failure_);
  summary->requests = requests_;
  summary->submitted = submitted_;
  summary->auth_failed = auth_failed_;
  for (const Item& item : items_) {
    if (!item.touched) continue;
    const std::string& state = item.row.state;
    if (state == kSubmissionSuccess) ++summary->success;
    if (state == kSubmissionPending) ++summary->pending;
    if (state == kSubmissionError) ++summary->failed;
    summary->results.push_back({item.row.normalized, item.row});
  }
  return Status::Ok();
}

bool SpnSubmit::Pollable(const Item& item) const {
  return item.row.state == kSubmissionPending && !item.row.job_id.empty();
}

size_t SpnSubmit::StartDue(int64_t now_us) {
  size_t added = 0;
  while (!auth_failed_ && next_submit_ < to_submit_.size() &&
         bucket_.TryTake(now_us)) {
    Job job;
    job.item = to_submit_[next_submit_++];
    items_[job.item].touched = true;
    AddJob(config_.spn_endpoint, std::move(job), /*post=*/true);
    ++added;
  }
  for (size_t i = 0; i < items_.size(); ++i) {
    Item& item = items_[i];
    if (!Pollable(item) || item.in_flight || item.next_poll_us > now_us ||
        item.polls >= config_.submit_max_polls) {
      continue;
    }
    Job job;
    job.item = i;
    job.poll = true;
    item.touched = true;
    AddJob(config_.spn_endpoint + "/status/" + item.row.job_id, std::move(job),
           /*post=*/false);
    ++added;
  }
  return added;
}

std::optional<int64_t> SpnSubmit::NextWake(int64_t now_us) const {
  std::optional<int64_t> wake;
  if (!auth_failed_ && next_submit_ < to_submit_.size()) {
    wake = bucket_.NextAt(now_us);
  }
  for (const Item& item : items_) {
    if (Pollable(item) && item.polls < config_.submit_max_polls &&
        (!wake || item.next_poll_us < *wake)) {
      wake = item.next_poll_us;
    }
  }
  return wake;
}

void SpnSubmit::AddJob(const std::string& url, Job job, bool post) {
  FetchJob fetch;
  fetch.url = url;
  fetch.tag = next_tag_++;
  fetch.follow_redirects = false;
  fetch.follow_meta_refresh = false;
  fetch.headers.push_back("Accept: application/json");
  std::string key = KeyHeader();
  if (!key.empty()) fetch.headers.push_back(key);
  Item& item = items_[job.item];
  if (post) {
    fetch.method = "POST";
    fetch.body =
        SpnFormBody(item.row.normalized, config_.if_not_archived_within);
  }
  item.in_flight = true;
  jobs_[fetch.tag] = std::move(job);
  fetcher_->Add(std::move(fetch));
}

void SpnSubmit::OnExchange(const FetchJob& fetch_job,
                           FetchedExchange& exchange) {
  ++requests_;
  if (exchange.retrying || !exchange.response) return;
  auto found = jobs_.find(fetch_job.tag);
  if (found == jobs_.end()) return;
  Job& job = found->second;
  job.status = exchange.http_status;
  std::string retry_after;
  if (warc::FindHeader(exchange.response->head(), "Retry-After",
                       &retry_after)) {
    char* end = nullptr;
    long long seconds = std::strtoll(retry_after.c_str(), &end, 10);
    if (end != retry_after.c_str() && seconds >= 0) {
      job.retry_after_s = std::min<long long>(seconds, 3600);
    }
  }
  Result<std::string> body = ReadBody(*exchange.response);
  job.body = body.ok() ? std::move(*body) : std::string();
}

void SpnSubmit::OnDone(const FetchOutcome& outcome) {
  auto found = jobs_.find(outcome.job.tag);
  if (found == jobs_.end()) return;
  Job job = std::move(found->second);
  jobs_.erase(found);
  Item& item = items_[job.item];
  item.in_flight = false;
  item.row.last_attempt_us = Now();
  if (job.poll) {
    FinishPoll(item, job, outcome);
  } else {
    FinishSubmit(item, job, outcome);
  }
  Save(item);
}

void SpnSubmit::AuthFailed(Item& item, int status) {
  if (!auth_failed_) {
    spdlog::warn(
        "Save Page Now refused the access keys (HTTP {}): no more "
        "submissions this run; check [rescue] spn_access_key/spn_secret_key "
        "or ROTGUARD_SPN_KEY",
        status);
  }
  auth_failed_ = true;
  item.row.state = kSubmissionError;
  item.row.message = "HTTP " + std::to_string(status) + ": access keys refused";
}

void SpnSubmit::FinishSubmit(Item& item, const Job& job,
                             const FetchOutcome& outcome) {
  if (job.status == 401 || job.status == 403)
    return AuthFailed(item, job.status);
  ++item.row.attempts;
  if (job.status == 429) {
    int64_t wait_s =
        job.retry_after_s >= 0 ? job.retry_after_s : kDefaultBackoffS;
    bucket_.PauseUntil(Now() + wait_s * 1'000'000);
  }
  Result<SpnReply> reply = ParseSpnReply(job.body);
  if (job.status == 200 && reply.ok() && !reply->job_id.empty() &&
      reply->status != "error") {
    ++submitted_;
    item.row.state = kSubmissionPending;
    item.row.job_id = reply->job_id;
    item.row.message = reply->message;
    item.polls = 0;
    item.next_poll_us = Now() + int64_t{config_.submit_poll_interval_ms} * 1000;
    return;
  }
  item.row.state = kSubmissionError;
  item.row.message = Describe(outcome, job.status, job.body);
  spdlog::info("Save Page Now did not take {}: {}", item.row.normalized,
               item.row.message);
}

void SpnSubmit::FinishPoll(Item& item, const Job& job,
                           const FetchOutcome& outcome) {
  ++item.polls;
  item.next_poll_us = Now() + int64_t{config_.submit_poll_interval_ms} * 1000;
  Result<SpnReply> reply = ParseSpnReply(job.body);
  if (job.status != 200 || !reply.ok()) {
    // The job may still succeed: keep it pending for the next poll or run.
    item.row.message = Describe(outcome, job.status, job.body);
    return;
  }
  item.row.message = reply->message;
  if (reply->status == "success") {
    item.row.state = kSubmissionSuccess;
    item.row.memento_url = SpnMementoUrl(config_.spn_endpoint, reply->timestamp,
                                         reply->original_url);
    item.row.memento_at_us =
        ParseWaybackTimestamp(reply->timestamp).value_or(0);
    spdlog::info("public copy of {}: {}", item.row.normalized,
                 item.row.memento_url);
  } else if (reply->status == "error") {
    item.row.state = kSubmissionError;
    spdlog::info("Save Page Now job for {} failed: {}", item.row.normalized,
                 item.row.message);
  }
}

void SpnSubmit::Save(Item& item) {
  Status stored = store_.manifest().PutSubmission(item.row);
  if (!stored.ok() && failure_.ok()) {
    failure_ = stored;
    fetcher_->RequestCancel();
  }
}

}  // namespace rescue
}  // namespace rotguard
