// FetcherUpstream (rotguard/recording_proxy.h): the browser's requests as
// jobs of rotguard's own Fetcher, so the guard, mappings, politeness and
// WARC records are those of a static capture.
#include <chrono>
#include <string>
#include <utility>

#include "rotguard/recording_proxy.h"
#include "util/ascii.h"

namespace rotguard {
namespace {

UpstreamResponse Failed(FailureClass failure, std::string error) {
  UpstreamResponse response;
  response.failure = failure;
  response.error = std::move(error);
  return response;
}

}  // namespace

const char* const kForwardedRequestHeaders[] = {
    "Accept", "Accept-Language", "Content-Type",     "Cookie", "Origin",
    "Range",  "Referer",         "X-Requested-With", nullptr};

FetcherUpstream::FetcherUpstream(Fetcher& fetcher, FetchSink* record,
                                 int wait_limit_ms)
    : fetcher_(fetcher), record_(record), wait_limit_ms_(wait_limit_ms) {}

FetcherUpstream::~FetcherUpstream() { Abort(); }

FetchJob FetcherUpstream::JobFor(const UpstreamRequest& request, uint64_t tag) {
  FetchJob job;
  job.url = request.url;
  job.tag = tag;
  job.method = request.method;
  job.body = request.body;
  // The browser follows redirects (and meta refreshes) itself, each as a
  // request of its own through the proxy.
  job.follow_redirects = false;
  job.follow_meta_refresh = false;
  bool content_type = false;
  for (const auto& [name, value] : request.headers) {
    for (const char* const* h = kForwardedRequestHeaders; *h; ++h) {
      if (EqualsIgnoreCase(name, *h)) {
        job.headers.push_back(name + ": " + value);
        content_type = content_type || EqualsIgnoreCase(name, "content-type");
      }
    }
  }
  if (request.method != "GET" && request.method != "HEAD") {
    // Not libcurl's defaults: no form Content-Type the browser did not
    // send, no "Expect: 100-continue" pause.
    if (!content_type) job.headers.push_back("Content-Type:");
    job.headers.push_back("Expect:");
  }
  return job;
}

UpstreamResponse FetcherUpstream::Fetch(const UpstreamRequest& request) {
  uint64_t tag = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (aborted_) {
      return Failed(FailureClass::kCancelled, request.url + ": proxy stopping");
    }
    tag = kTagBit | next_tag_++;
    pending_[tag];
  }
  fetcher_.AddFromAnyThread(JobFor(request, tag));
  std::unique_lock<std::mutex> lock(mu_);
  const bool done =
      cv_.wait_for(lock, std::chrono::milliseconds(wait_limit_ms_),
                   [this, tag] { return aborted_ || pending_.at(tag).done; });
  UpstreamResponse response = std::move(pending_.at(tag).response);
  const bool finished = pending_.at(tag).done;
  pending_.erase(tag);
  if (!finished) {
    response = Failed(
        done ? FailureClass::kCancelled : FailureClass::kTimeout,
        request.url + (done ? ": proxy stopping" : ": no answer in time"));
  }
  return response;
}

void FetcherUpstream::Abort() {
  std::lock_guard<std::mutex> lock(mu_);
  aborted_ = true;
  cv_.notify_all();
}

// The bytes go to the waiting browser request first, then the exchange
// to the record sink, which may take the body away to write it.
void FetcherUpstream::OnExchange(const FetchJob& job,
                                 FetchedExchange& exchange) {
  if (!exchange.retrying && exchange.response) {
    UpstreamResponse response;
    response.head = exchange.response->head();
    response.truncated = exchange.response->truncated();
    response.body.reserve(exchange.response->payload_length());
    Status read = exchange.response->ForEachBodyChunk([&](std::string_view c) {
      response.body.append(c);
      return Status::Ok();
    });
    if (!read.ok()) {
      response = Failed(FailureClass::kOther, job.url + ": " + read.message());
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = pending_.find(job.tag); it != pending_.end()) {
      it->second.response = std::move(response);
    }
  }
  if (record_) record_->OnExchange(job, exchange);
}

void FetcherUpstream::OnDone(const FetchOutcome& outcome) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = pending_.find(outcome.job.tag);
  if (it == pending_.end()) return;  // the browser stopped waiting
  UpstreamResponse& response = it->second.response;
  if (outcome.failure != FailureClass::kNone && response.head.empty()) {
    response.failure = outcome.failure;
    response.error = outcome.error;
  }
  it->second.done = true;
  cv_.notify_all();
}

}  // namespace rotguard
