// The Save Page Now run (rotguard/rescue.h, RunSubmissions): a FetchSink
// that submits alive URLs under the token bucket, polls their jobs at the
// poll interval, and stores every change of a URL's submission row as it
// happens. The fetcher runs in rounds: each round sends what is due now
// (submissions the bucket allows, polls whose time has come); between
// rounds the run sleeps until the next token or poll, never past the
// run's deadline.
#ifndef ROTGUARD_RESCUE_SPN_SUBMIT_H_
#define ROTGUARD_RESCUE_SPN_SUBMIT_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rotguard/fetch.h"
#include "rotguard/manifest.h"
#include "rotguard/rescue.h"
#include "rotguard/store.h"

namespace rotguard::rescue {

class SpnSubmit : public FetchSink {
 public:
  SpnSubmit(rotguard::Store& store, const SubmitOptions& options);

  Status Run(const std::vector<SubmissionRow>& plan, SubmitSummary* summary);

  void OnExchange(const FetchJob& job, FetchedExchange& exchange) override;
  void OnDone(const FetchOutcome& outcome) override;

 private:
  struct Item {
    SubmissionRow row;
    bool touched = false;  // sent a request this run
    bool in_flight = false;
    int polls = 0;  // this run
    int64_t next_poll_us = 0;
  };
  struct Job {
    size_t item = 0;
    bool poll = false;
    int status = 0;
    std::string body;
    int64_t retry_after_s = -1;  // from the last exchange's header
  };

  Status MakeFetcher();
  int64_t Now() const;
  size_t StartDue(int64_t now_us);
  bool Pollable(const Item& item) const;
  std::optional<int64_t> NextWake(int64_t now_us) const;
  void AddJob(const std::string& url, Job job, bool post);
  void FinishSubmit(Item& item, const Job& job, const FetchOutcome& outcome);
  void FinishPoll(Item& item, const Job& job, const FetchOutcome& outcome);
  void AuthFailed(Item& item, int status);
  void Save(Item& item);
  std::string KeyHeader() const;

  rotguard::Store& store_;
  const SubmitOptions& options_;
  const RescueConfig& config_;
  TokenBucket bucket_;
  std::unique_ptr<Fetcher> fetcher_;
  std::vector<Item> items_;
  std::vector<size_t> to_submit_;  // indexes into items_, in order
  size_t next_submit_ = 0;
  std::map<uint64_t, Job> jobs_;
  uint64_t next_tag_ = 1;
  int64_t requests_ = 0;
  int64_t submitted_ = 0;
  bool auth_failed_ = false;
  Status failure_;  // the first manifest failure; the run then stops
};

}  // namespace rotguard::rescue

#endif  // ROTGUARD_RESCUE_SPN_SUBMIT_H_
