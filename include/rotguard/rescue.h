// Rescue of dead links from public web archives (SPEC §8 "Public
// archives", issue #15 item 1): for each link that is failing, gone or
// soft-404, or that has no good capture of its own, ask the Wayback CDX
// API, then the Memento aggregator (TimeTravel JSON API) and any RFC 7089
// link-format TimeMap endpoints, for the archive's captures; pick the
// capture nearest the post's date (RankMementos); fetch its raw bytes (the
// Wayback `id_` form) through the normal Fetcher (address guard, retries,
// per-host politeness, 429 back-off) into the store's own WARC, under the
// archive's URL with a Memento-Datetime header; and tie it in the manifest
// to the original link as a capture with source "public-archive", the
// archive's name and the memento's datetime.
//
// The parsers and the ranking are pure (unit-tested with damaged and
// hostile input); RunRescue is the only part that does I/O.
#ifndef ROTGUARD_RESCUE_H_
#define ROTGUARD_RESCUE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rotguard/config.h"
#include "rotguard/fetch.h"
#include "rotguard/manifest.h"
#include "rotguard/status.h"
#include "rotguard/store.h"

namespace rotguard {

// One capture a public archive lists for an original URL.
struct Memento {
  std::string uri;          // URI-M as the archive names it
  int64_t datetime_us = 0;  // when the archive captured it (UTC, µs)
  int status = 0;           // archived HTTP status; 0 when not listed
  std::string mime;         // archived media type, "" when not listed
};

// --- parsers: hostile input gives an error or fewer rows, never a crash ---

// A CDX API reply with output=json: an array of string arrays whose first
// row names the fields (timestamp and original are required; statuscode
// and mimetype are used when present). `replay_prefix` makes the URI-M:
// replay_prefix + timestamp + "/" + original. An empty reply (no
// captures) is an empty list; rows with a bad timestamp are skipped.
Result<std::vector<Memento>> ParseCdxJson(std::string_view body,
                                          const std::string& replay_prefix);

// A TimeTravel JSON API reply: {"mementos": {"first"|"prev"|"closest"|
// "next"|"last": {"datetime": "2013-01-15T09:46:43Z", "uri": [...]}}}.
// Status is not listed (0): the fetch checks it.
Result<std::vector<Memento>> ParseTimeTravelJson(std::string_view body);

// An RFC 7089 TimeMap in application/link-format: every entry whose rel
// contains "memento" and that has a datetime="HTTP-date".
Result<std::vector<Memento>> ParseLinkTimeMap(std::string_view body);

// "Tue, 11 Sep 2001 20:35:00 GMT" → µs since the epoch (RFC 7231
// IMF-fixdate only; Memento requires it).
std::optional<int64_t> ParseHttpDate(std::string_view text);
// The IMF-fixdate of `us` (seconds, rounded towards the past).
std::string FormatHttpDate(int64_t us);
// A 14-digit (or shorter, 4..14) Wayback timestamp → µs since the epoch.
std::optional<int64_t> ParseWaybackTimestamp(std::string_view digits);
// A front-matter date ("2019-05-01", "2019-05-01T10:20:30Z", "2019-05-01
// 10:20:30 +0200") → µs since the epoch; nullopt when unparsable.
std::optional<int64_t> ParsePostDate(std::string_view text);

// --- selection ---

// The mementos worth fetching, best first: only status 200 (or not
// listed), never a redirect or error capture; the newest one at or before
// `post_us` first (the page as the author saw it), then the others before
// it newest first, then those after it oldest first. Ties keep the input
// order, except that a listed 200 goes before an unlisted status. The same
// URI-M twice counts once.
std::vector<Memento> RankMementos(const std::vector<Memento>& mementos,
                                  int64_t post_us);

// The raw-bytes form of a Wayback-style URI-M (".../web/<14 digits>/URL"
// → ".../web/<14 digits>id_/URL"); other URI-Ms unchanged.
std::string RawMementoUri(const std::string& uri_m);

// --- planning and running ---

// One link to rescue.
struct RescueTarget {
  std::string url;         // the original URL (as linked)
  std::string normalized;  // its manifest key
  int64_t post_us = 0;     // the post's date; 0: now (the newest copy)
};

// What PlanRescue leaves out.
struct RescuePlanOptions {
  // Also links that have a public copy already, or whose last lookup
  // found none less than `retry_after_s` ago (`rescue --again`).
  bool again = false;
  ScopeConfig scope;  // links out of [scope] are never looked up
  // A link whose lookups found no copy anywhere ([rescue] retry_after).
  int64_t retry_after_s = 0;
  int64_t now_us = 0;
};

// The links of the store's documents (all, or those whose path starts with
// one of `paths`) that need a public copy: verdict failing, gone or
// soft-404, or no good capture of their own; in [scope]; no public-archive
// copy yet and no lookup that found nothing within `retry_after_s`
// (unless `again`). Each URL once, with the earliest post date.
Result<std::vector<RescueTarget>> PlanRescue(
    Manifest& manifest, const std::vector<std::string>& paths,
    const RescuePlanOptions& options);

struct RescueOptions {
  Config config;       // [rescue], [fetch]
  FetchOptions fetch;  // resolve/connect_to/cacert/resolver; the rest is set
  // Makes the fetcher (tests inject one); empty: NewCurlFetcher.
  std::function<Result<std::unique_ptr<Fetcher>>(FetchOptions)> new_fetcher;
  // Clock (µs since the epoch) for "now"; empty: the system clock.
  std::function<int64_t()> now_us;
};

// What happened to one target.
struct RescueResult {
  std::string url;
  std::string outcome;      // "rescued", "none" (no good memento), "failed"
  std::string memento_uri;  // the URI fetched (raw form), when rescued
  std::string archive;      // its archive's host
  int64_t memento_at_us = 0;
  std::string error;  // why it failed, or which lookups failed
};

struct RescueSummary {
  int64_t targets = 0;
  int64_t rescued = 0;
  int64_t none = 0;
  int64_t failed = 0;
  int64_t requests = 0;  // HTTP requests sent (lookups and fetches)
  std::vector<RescueResult> results;  // in target order
};

// Looks up and fetches a public copy of every target (exclusive store lock
// held) and commits the WARC records and captures. A target whose lookups
// or fetches fail is counted, never an error; errors are for the store
// (WARC or manifest writes) and the fetcher itself. A target no archive
// has is remembered (Manifest::SetLookupNone) for [rescue] retry_after.
Result<RescueSummary> RunRescue(Store& store,
                                const std::vector<RescueTarget>& targets,
                                const RescueOptions& options);

// --- Save Page Now 2: the second, public copy (issue #15 item 2) ---

// POST {spn_endpoint} answers {"url", "job_id"} (or {"status": "error",
// "status_ext", "message"}); GET {spn_endpoint}/status/JOB_ID answers
// {"status": "pending"|"success"|"error", "timestamp", "original_url",
// "status_ext", "message"}.
struct SpnReply {
  std::string status;  // "pending", "success", "error"; "" when not said
  std::string job_id;
  std::string timestamp;  // 14 digits, on success
  std::string original_url;
  std::string message;  // status_ext and message, joined
};
// Hostile input gives an error, never a crash. A submission reply with a
// job_id and no status is "pending".
Result<SpnReply> ParseSpnReply(std::string_view body);

// The form body of a submission: url=…&if_not_archived_within=… (values
// percent-encoded).
std::string SpnFormBody(const std::string& url,
                        const std::string& if_not_archived_within);
// "https://web.archive.org/web/TIMESTAMP/ORIGINAL": the replay prefix of
// the endpoint's host.
std::string SpnMementoUrl(const std::string& endpoint,
                          const std::string& timestamp,
                          const std::string& original);

// A client-side token bucket: at most `per_minute` takes per minute on
// average, `burst` at once (the bucket starts full). Integer µs, so a
// fake clock gives exact answers.
class TokenBucket {
 public:
  explicit TokenBucket(int per_minute, int burst = 1);
  // True (a token spent) when one is there at `now_us`.
  bool TryTake(int64_t now_us);
  // The first time at or after `now_us` when TryTake succeeds.
  int64_t NextAt(int64_t now_us) const;
  // No token before `until_us` (a 429's Retry-After).
  void PauseUntil(int64_t until_us);

 private:
  int64_t CreditAt(int64_t now_us) const;
  int64_t interval_us_;  // the cost of one token
  int64_t capacity_us_;  // burst * interval
  int64_t credit_us_;
  int64_t last_us_ = -1;  // -1: never used (full)
  int64_t paused_until_us_ = 0;
};

struct SubmitOptions {
  Config config;       // [rescue] submit keys, [fetch]
  FetchOptions fetch;  // resolve/connect_to/cacert; the rest is set
  // "ACCESS:SECRET" (ROTGUARD_SPN_KEY); "" uses the config's keys.
  std::string key;
  std::function<Result<std::unique_ptr<Fetcher>>(FetchOptions)> new_fetcher;
  // Clock and sleep (µs); empty: the system's. Tests pass a fake pair.
  std::function<int64_t()> now_us;
  std::function<void(int64_t)> sleep_us;
};

// One URL's end in this run.
struct SubmitResult {
  std::string url;
  SubmissionRow row;  // as stored
};

struct SubmitSummary {
  int64_t candidates = 0;  // URLs to submit or poll this run
  int64_t submitted = 0;   // POSTs that got a job
  int64_t success = 0;
  int64_t pending = 0;       // left pending for the next run
  int64_t failed = 0;        // error this run (retried next run)
  int64_t requests = 0;      // HTTP requests sent
  bool auth_failed = false;  // 401/403: submitting stopped for the run
  std::vector<SubmitResult> results;
};

// The linked URLs to submit (alive: the latest own capture is 2xx; in
// [scope]; not yet submitted successfully; an error row with attempts
// left) and those pending with a job id to poll, by normalized URL.
Result<std::vector<SubmissionRow>> PlanSubmissions(Manifest& manifest,
                                                   const Config& config);

// Submits and polls them under the token bucket ([rescue]
// submit_per_minute), bounded by submit_max_polls and submit_max_seconds,
// storing each change at once. SPN failures are counted, never an error;
// errors are for the manifest and the fetcher itself.
Result<SubmitSummary> RunSubmissions(Store& store,
                                     const std::vector<SubmissionRow>& plan,
                                     const SubmitOptions& options);

}  // namespace rotguard

#endif  // ROTGUARD_RESCUE_H_
