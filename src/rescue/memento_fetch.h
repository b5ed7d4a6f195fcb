// The rescue run (rotguard/rescue.h, RunRescue): a FetchSink that moves
// each target through lookups and memento fetches, writes accepted
// mementos to the store's WARC and commits each one as soon as its bytes
// are synced.
#ifndef ROTGUARD_RESCUE_MEMENTO_FETCH_H_
#define ROTGUARD_RESCUE_MEMENTO_FETCH_H_

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
#include "rotguard/warc_writer.h"

namespace rotguard::rescue {

// The lookup steps of one target, in order.
enum class Step { kCdx, kTimeTravel, kTimeMap };

class MementoFetch : public FetchSink {
 public:
  MementoFetch(Store& store, const RescueOptions& options, int64_t now_us);

  // Runs every target to its end; fills `summary`. Errors: the fetcher
  // could not start, or a WARC/manifest write failed.
  Status Run(const std::vector<RescueTarget>& targets, RescueSummary* summary);

  void OnExchange(const FetchJob& job, FetchedExchange& exchange) override;
  void OnDone(const FetchOutcome& outcome) override;

 private:
  struct Target {
    RescueTarget target;
    size_t lookup = 0;                // index into lookups_ of the next one
    std::vector<Memento> candidates;  // ranked, from the current lookup
    size_t next_candidate = 0;
    int tried = 0;  // mementos fetched without success
    RescueResult result;
  };
  // One job in flight.
  struct Job {
    size_t target = 0;
    bool lookup = false;  // else a memento fetch
    size_t lookup_index = 0;
    Memento memento;   // for a fetch
    int status = 0;    // of the last exchange
    std::string body;  // decoded lookup reply
    bool written = false;
  };
  struct Lookup {
    Step step;
    std::string base;  // endpoint
  };

  Status MakeFetcher();
  Status OpenWriter();
  void StartLookup(size_t target);
  void StartNextCandidate(size_t target);
  void AddJob(const std::string& url, Job job, bool follow_redirects);
  void FinishLookup(Job& job, const FetchOutcome& outcome);
  void FinishFetch(Job& job, const FetchOutcome& outcome);
  void End(size_t target, const std::string& outcome);
  std::string LookupUrl(const Lookup& lookup, const Target& target) const;
  Result<std::vector<Memento>> ParseReply(const Lookup& lookup,
                                          const std::string& body) const;
  Status ReadLookupBody(FetchedExchange& exchange, Job& job);
  Status WriteMemento(const FetchJob& fetch_job, FetchedExchange& exchange,
                      Job& job);
  Status Commit(const WarcExchangeLocations& locations, const Job& job,
                const FetchedExchange& exchange, int64_t memento_us);

  Store& store_;
  const RescueOptions& options_;
  int64_t now_us_;
  std::vector<Lookup> lookups_;
  std::unique_ptr<Fetcher> fetcher_;
  std::unique_ptr<WarcWriter> writer_;
  std::vector<WarcFileRow> opened_;  // WARC files not yet in the manifest
  std::vector<RecordRow> warcinfo_;
  std::vector<WarcFileSummary> closed_;
  std::vector<Target> targets_;
  std::map<uint64_t, Job> jobs_;
  uint64_t next_tag_ = 1;
  int64_t requests_ = 0;
  Status failure_;  // the first store failure; the run then winds down
};

}  // namespace rotguard::rescue

#endif  // ROTGUARD_RESCUE_MEMENTO_FETCH_H_
