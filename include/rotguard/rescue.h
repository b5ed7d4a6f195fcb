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

// The links of the store's documents (all, or those whose path starts with
// one of `paths`) that need a public copy: verdict failing, gone or
// soft-404, or no good capture of their own; and no public-archive copy
// yet (unless `again`). Each URL once, with the earliest post date.
Result<std::vector<RescueTarget>> PlanRescue(
    Manifest& manifest, const std::vector<std::string>& paths, bool again);

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
// (WARC or manifest writes) and the fetcher itself.
Result<RescueSummary> RunRescue(Store& store,
                                const std::vector<RescueTarget>& targets,
                                const RescueOptions& options);

}  // namespace rotguard

#endif  // ROTGUARD_RESCUE_H_
