// A scripted Fetcher for archive tests: answers each job from a map of
// canned responses, following Location hops, with no network.
#ifndef ROTGUARD_TESTS_UNIT_ARCHIVE_FAKE_FETCHER_H_
#define ROTGUARD_TESTS_UNIT_ARCHIVE_FAKE_FETCHER_H_

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "rotguard/fetch.h"
#include "rotguard/warc_writer.h"

namespace rotguard::testing {

// What the fake web answers for one URL.
struct FakeResponse {
  FakeResponse() = default;
  FakeResponse(int status_in, std::string type, std::string body_in,
               std::string location_in = "",
               FailureClass failure_in = FailureClass::kNone)
      : status(status_in),
        content_type(std::move(type)),
        body(std::move(body_in)),
        location(std::move(location_in)),
        failure(failure_in) {}
  int status = 200;
  std::string content_type = "text/plain";
  std::string body;
  std::string location;                        // next hop ("" ends the chain)
  FailureClass failure = FailureClass::kNone;  // no response at all
};

// Runs jobs one after another, following `location` hops (at most 10);
// a URL missing from `web` is a 404.
class FakeFetcher : public Fetcher {
 public:
  FakeFetcher() = default;
  explicit FakeFetcher(std::map<std::string, FakeResponse> web_in)
      : web(std::move(web_in)) {}

  std::map<std::string, FakeResponse> web;
  std::vector<std::string> requested;
  // Called before each job is fetched: lets a test wait for the pipeline.
  std::function<void(const std::string& url)> before_job;

  // Like FetchOptions::keep_running: Run() waits for AddFromAnyThread()
  // jobs until EndKeepRunning() or a cancel. Set before Run().
  bool keep_running = false;

  void Add(FetchJob job) override { queue_.push_back(std::move(job)); }
  void AddFromAnyThread(FetchJob job) override {
    std::lock_guard<std::mutex> lock(inbox_mu_);
    inbox_.push_back(std::move(job));
    inbox_cv_.notify_all();
  }
  void EndKeepRunning() override {
    std::lock_guard<std::mutex> lock(inbox_mu_);
    keep_running = false;
    inbox_cv_.notify_all();
  }
  // Called from a writer thread when the disk fails.
  void RequestCancel() override {
    std::lock_guard<std::mutex> lock(inbox_mu_);
    cancelled_ = true;
    inbox_cv_.notify_all();
  }
  // Like the curl fetcher between jobs: the job under way ends, no other
  // starts.
  void StopAdmitting() override {
    std::lock_guard<std::mutex> lock(stop_mu_);
    cancelled_ = true;
    stop_cv_.notify_all();
  }
  // Blocks until StopAdmitting() was called (a test's before_job).
  void WaitForStopAdmitting() {
    std::unique_lock<std::mutex> lock(stop_mu_);
    stop_cv_.wait(lock, [this] { return cancelled_.load(); });
  }

  Status Run(FetchSink& sink) override {
    while (NextJob()) {
      FetchOutcome outcome;
      outcome.job = queue_.front();
      queue_.pop_front();
      if (cancelled_) {
        outcome.failure = FailureClass::kCancelled;
      } else {
        if (before_job) before_job(outcome.job.url);
        FollowChain(sink, &outcome);
      }
      sink.OnDone(outcome);
    }
    return Status::Ok();
  }

 private:
  // Whether queue_ has a job, taking AddFromAnyThread()'s and, with
  // keep_running, waiting for them.
  bool NextJob() {
    std::unique_lock<std::mutex> lock(inbox_mu_);
    for (;;) {
      for (FetchJob& job : inbox_) queue_.push_back(std::move(job));
      inbox_.clear();
      if (!queue_.empty()) return true;
      if (!keep_running || cancelled_) return false;
      inbox_cv_.wait(lock);
    }
  }

  void FollowChain(FetchSink& sink, FetchOutcome* outcome) {
    std::string url = outcome->job.url;
    for (int hop = 0; hop < 10; ++hop) {
      requested.push_back(url);
      outcome->final_url = url;
      auto it = web.find(url);
      FakeResponse response = it == web.end()
                                  ? FakeResponse{404, "text/plain", "not found"}
                                  : it->second;
      if (response.failure != FailureClass::kNone) {
        outcome->failure = response.failure;
        return;
      }
      outcome->final_status = response.status;
      outcome->hops = hop + 1;
      outcome->bytes += response.body.size();
      FetchedExchange exchange = Exchange(url, hop, response);
      sink.OnExchange(outcome->job, exchange);
      if (response.location.empty()) return;
      url = response.location;
    }
  }

  static FetchedExchange Exchange(const std::string& url, int hop,
                                  const FakeResponse& response) {
    FetchedExchange ex;
    ex.url = url;
    ex.hop_index = hop;
    ex.hop_kind = hop == 0 ? HopKind::kFirst : HopKind::kLocation;
    ex.started = std::chrono::system_clock::now();
    ex.request_head = "GET " + url + " HTTP/1.1\r\nHost: x\r\n\r\n";
    ex.http_status = response.status;
    std::string head =
        "HTTP/1.1 " + std::to_string(response.status) +
        " X\r\nContent-Type: " + response.content_type +
        "\r\nContent-Length: " + std::to_string(response.body.size()) + "\r\n";
    if (!response.location.empty()) {
      head += "Location: " + response.location + "\r\n";
    }
    ex.response = std::make_unique<WarcHttpResponse>(
        head + "\r\n", WarcBodyTransfer::kDecoded);
    EXPECT_TRUE(ex.response->AppendBody(response.body).ok());
    ex.next_url = response.location;
    return ex;
  }

  std::deque<FetchJob> queue_;
  std::mutex inbox_mu_;
  std::condition_variable inbox_cv_;
  std::vector<FetchJob> inbox_;  // from AddFromAnyThread()
  std::atomic<bool> cancelled_{false};
  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
};

}  // namespace rotguard::testing

#endif  // ROTGUARD_TESTS_UNIT_ARCHIVE_FAKE_FETCHER_H_
