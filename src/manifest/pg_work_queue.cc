// The work queue of the PostgreSQL manifest (schema v11), as
// sqlite_work_queue.cc. Workers on many machines claim with FOR UPDATE
// SKIP LOCKED (../shared/reference/round2.md §6): each claim locks the rows
// it takes and skips those another claim holds, so two claims never wait
// on each other and never lease the same URL or host.
#include <algorithm>
#include <cstddef>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "manifest/pg_manifest.h"
#include "manifest/schema.h"
#include "rotguard/url.h"

namespace rotguard {

namespace {

// URLs per statement of Enqueue(): each chunk is sent as arrays, a few
// hundred kilobytes of parameters.
constexpr size_t kEnqueueChunk = 5000;

// A PostgreSQL array literal of `values` ({"a","b"}): every element
// quoted, its '"' and '\\' escaped, so any URL text arrives unchanged.
std::string TextArrayLiteral(const std::vector<std::string>& values) {
  std::string out = "{";
  for (const std::string& value : values) {
    if (out.size() > 1) out += ',';
    out += '"';
    for (char c : value) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

}  // namespace

// Set-based, in ONE transaction: each chunk of URLs is three statements
// taking the chunk as arrays (urls rows, queue rows, hosts), so 10,000
// URLs cost a handful of round trips, not three per URL.
Result<int64_t> PgManifest::Enqueue(const std::vector<std::string>& normalized,
                                    int64_t now_ms) {
  // Each URL once: ON CONFLICT DO UPDATE may not touch a row twice in one
  // statement.
  std::vector<std::string> keys;
  std::unordered_set<std::string> seen;
  for (const std::string& key : normalized) {
    if (seen.insert(key).second) keys.push_back(key);
  }
  Result<PgTransaction> txn = PgTransaction::Begin(db_);
  if (!txn.ok()) return txn.status();
  int64_t queued = 0;
  for (size_t at = 0; at < keys.size(); at += kEnqueueChunk) {
    const size_t end = std::min(keys.size(), at + kEnqueueChunk);
    Result<int64_t> chunk = EnqueueChunk(
        std::vector<std::string>(keys.begin() + static_cast<ptrdiff_t>(at),
                                 keys.begin() + static_cast<ptrdiff_t>(end)),
        now_ms);
    if (!chunk.ok()) return chunk.status();
    queued += *chunk;
  }
  ROTGUARD_RETURN_IF_ERROR(txn->Commit());
  return queued;
}

// In Enqueue()'s transaction: distinct `keys`, in their order (url ids,
// and so claims, follow it). A due row keeps its lease and attempts; a
// done one is due again. Returns how many rows were not due before.
Result<int64_t> PgManifest::EnqueueChunk(const std::vector<std::string>& keys,
                                         int64_t now_ms) {
  std::vector<std::string> surts;
  std::vector<std::string> hosts;
  for (const std::string& key : keys) {
    surts.push_back(Surt(key));
    hosts.push_back(UrlHost(key));
  }
  const std::string key_array = TextArrayLiteral(keys);
  const std::string host_array = TextArrayLiteral(hosts);
  // NOT EXISTS keeps the id sequence from advancing for known URLs.
  ROTGUARD_RETURN_IF_ERROR(
      db_.Query("INSERT INTO urls (normalized, surt, first_seen) "
                "SELECT t.k, t.s, $3 FROM unnest($1::text[], $2::text[]) "
                "WITH ORDINALITY AS t(k, s, n) WHERE NOT EXISTS (SELECT 1 "
                "FROM urls u WHERE u.normalized = t.k) ORDER BY t.n "
                "ON CONFLICT (normalized) DO NOTHING",
                PgParams()
                    .Add(key_array)
                    .Add(TextArrayLiteral(surts))
                    .Add(now_ms / 1000))
          .status());
  Result<PgRows> put = db_.Query(
      "INSERT INTO work_queue (url_id, host, enqueued_ms) "
      "SELECT u.id, t.h, $3 FROM unnest($1::text[], $2::text[]) "
      "WITH ORDINALITY AS t(k, h, n) JOIN urls u ON u.normalized = t.k "
      "ORDER BY t.n ON CONFLICT (url_id) DO UPDATE SET state = 'due', "
      "lease_owner = '', lease_expires_ms = 0, attempts = 0, "
      "enqueued_ms = $3, failure = '' WHERE work_queue.state = 'done'",
      PgParams().Add(key_array).Add(host_array).Add(now_ms));
  if (!put.ok()) return put.status();
  ROTGUARD_RETURN_IF_ERROR(
      db_.Query("INSERT INTO work_hosts (host) SELECT DISTINCT t.h FROM "
                "unnest($1::text[]) AS t(h) ON CONFLICT DO NOTHING",
                PgParams().Add(host_array))
          .status());
  return put->Affected();
}

// Claims, in the caller's transaction, up to `limit` claimable URLs of the
// hosts `owner` holds, by url id.
Status PgManifest::ClaimFromHeldHosts(const std::string& owner, int64_t now_ms,
                                      int64_t lease_ms, int64_t limit,
                                      std::vector<ClaimedUrl>* urls) {
  Result<PgRows> rows = db_.Query(
      "WITH claimed AS (UPDATE work_queue q SET lease_owner = $1, "
      "lease_expires_ms = $2 + $3, attempts = q.attempts + 1 "
      "FROM (SELECT w.url_id FROM work_hosts h JOIN work_queue w "
      "ON w.host = h.host WHERE h.lease_owner = $1 AND "
      "h.lease_expires_ms > $2 AND w.state = 'due' AND "
      "w.lease_expires_ms <= $2 ORDER BY w.url_id LIMIT $4 "
      "FOR UPDATE OF w SKIP LOCKED) c WHERE q.url_id = c.url_id "
      "RETURNING q.url_id) "
      "SELECT u.id, u.normalized FROM claimed "
      "JOIN urls u ON u.id = claimed.url_id",
      PgParams().Add(owner).Add(now_ms).Add(lease_ms).Add(limit));
  if (!rows.ok()) return rows.status();
  for (int i = 0; i < rows->size(); ++i) {
    urls->emplace_back(rows->Int(i, 0), rows->Text(i, 1));
  }
  return Status::Ok();
}

// Leases one more host with claimable URLs to `owner`; false when none is
// free (hosts another claim is taking are skipped, not waited for).
Result<bool> PgManifest::TakeFreeHost(const std::string& owner, int64_t now_ms,
                                      int64_t lease_ms) {
  Result<PgRows> rows = db_.Query(
      "UPDATE work_hosts SET lease_owner = $1, lease_expires_ms = $2 + $3 "
      "FROM (SELECT h.host FROM work_hosts h WHERE h.lease_expires_ms <= $2 "
      "AND EXISTS (SELECT 1 FROM work_queue q WHERE q.host = h.host AND "
      "q.state = 'due' AND q.lease_expires_ms <= $2) ORDER BY h.host "
      "LIMIT 1 FOR UPDATE SKIP LOCKED) c WHERE work_hosts.host = c.host",
      PgParams().Add(owner).Add(now_ms).Add(lease_ms));
  if (!rows.ok()) return rows.status();
  return rows->Affected() > 0;
}

Status PgManifest::ReleaseHosts(const std::string& owner, bool only_idle) {
  return db_
      .Query(std::string("UPDATE work_hosts SET lease_owner = '', "
                         "lease_expires_ms = 0 WHERE lease_owner = $1") +
                 (only_idle ? " AND NOT EXISTS (SELECT 1 FROM work_queue q "
                              "WHERE q.host = work_hosts.host AND "
                              "q.state = 'due')"
                            : ""),
             PgParams().Add(owner))
      .status();
}

Result<std::vector<std::string>> PgManifest::ClaimWork(const std::string& owner,
                                                       int64_t now_ms,
                                                       int64_t lease_ms,
                                                       int limit) {
  Result<PgTransaction> txn = PgTransaction::Begin(db_);
  if (!txn.ok()) return txn.status();
  // Claimable URLs whose attempts ran out leave the queue, failed (rows
  // another claim is taking are skipped: they are not claimable).
  ROTGUARD_RETURN_IF_ERROR(
      db_.Query("UPDATE work_queue SET state = 'done', lease_owner = '', "
                "lease_expires_ms = 0, failure = $3 WHERE url_id IN (SELECT "
                "url_id FROM work_queue WHERE state = 'due' AND attempts >= "
                "$2 AND lease_expires_ms <= $1 FOR UPDATE SKIP LOCKED)",
                PgParams()
                    .Add(now_ms)
                    .Add(int64_t{kMaxWorkAttempts})
                    .Add(kWorkAttemptsFailure))
          .status());
  ROTGUARD_RETURN_IF_ERROR(
      db_.Query("UPDATE work_hosts SET lease_expires_ms = $2 + $3 "
                "WHERE lease_owner = $1 AND lease_expires_ms > $2",
                PgParams().Add(owner).Add(now_ms).Add(lease_ms))
          .status());
  // The hosts this worker holds first; one more host at a time only when
  // they cannot fill the batch, so hosts spread over the workers.
  std::vector<ClaimedUrl> rows;
  for (;;) {
    ROTGUARD_RETURN_IF_ERROR(
        ClaimFromHeldHosts(owner, now_ms, lease_ms,
                           limit - static_cast<int64_t>(rows.size()), &rows));
    if (rows.size() >= static_cast<size_t>(limit)) break;
    Result<bool> took = TakeFreeHost(owner, now_ms, lease_ms);
    if (!took.ok()) return took.status();
    if (!*took) break;
  }
  // A host with nothing due left is free for others at once.
  ROTGUARD_RETURN_IF_ERROR(ReleaseHosts(owner, /*only_idle=*/true));
  ROTGUARD_RETURN_IF_ERROR(txn->Commit());
  std::sort(rows.begin(), rows.end());  // url id order, as documented
  std::vector<std::string> urls;
  urls.reserve(rows.size());
  for (auto& [id, key] : rows) urls.push_back(std::move(key));
  return urls;
}

Result<int64_t> PgManifest::RenewLeases(const std::string& owner,
                                        int64_t now_ms, int64_t lease_ms) {
  Result<PgRows> rows = db_.Query(
      "UPDATE work_queue SET lease_expires_ms = $2 + $3 "
      "WHERE lease_owner = $1 AND state = 'due'",
      PgParams().Add(owner).Add(now_ms).Add(lease_ms));
  if (!rows.ok()) return rows.status();
  ROTGUARD_RETURN_IF_ERROR(
      db_.Query("UPDATE work_hosts SET lease_expires_ms = $2 + $3 "
                "WHERE lease_owner = $1 AND lease_expires_ms > $2",
                PgParams().Add(owner).Add(now_ms).Add(lease_ms))
          .status());
  return rows->Affected();
}

Result<int64_t> PgManifest::ReleaseLeases(const std::string& owner, bool done) {
  Result<PgRows> rows =
      db_.Query(std::string("UPDATE work_queue SET lease_owner = '', "
                            "lease_expires_ms = 0") +
                    (done ? ", state = 'done'" : "") +
                    " WHERE lease_owner = $1 AND state = 'due'",
                PgParams().Add(owner));
  if (!rows.ok()) return rows.status();
  // A batch that ended normally keeps its hosts for the next claim; a
  // worker that gives its URLs back gives its hosts back too.
  if (!done) ROTGUARD_RETURN_IF_ERROR(ReleaseHosts(owner, false));
  return rows->Affected();
}

Result<Manifest::WorkCounts> PgManifest::CountWork(int64_t now_ms) {
  Result<PgRows> rows = db_.Query(
      "SELECT count(*) FILTER (WHERE state = 'due' AND "
      "lease_expires_ms <= $1), count(*) FILTER (WHERE state = 'due' AND "
      "lease_expires_ms > $1), count(*) FILTER (WHERE state = 'done') "
      "FROM work_queue",
      PgParams().Add(now_ms));
  if (!rows.ok()) return rows.status();
  WorkCounts counts;
  counts.free = rows->Int(0, 0);
  counts.leased = rows->Int(0, 1);
  counts.done = rows->Int(0, 2);
  return counts;
}

// One pipeline, one transaction: the rows, the verdicts and the queue
// rows marked done arrive together or not at all.
Status PgManifest::CommitWorkBatch(const std::vector<RecordRow>& records,
                                   const std::vector<CaptureRow>& captures,
                                   const std::vector<UrlRow>& urls) {
  PgPipeline pipe(db_, /*transaction=*/true);
  EnsuredUrls ensured;
  SendRecords(pipe, records);
  SendCaptures(pipe, captures, &ensured);
  SendUrlRows(pipe, urls, &ensured);
  for (const UrlRow& url : urls) {
    pipe.Send(
        "UPDATE work_queue SET state = 'done', lease_owner = '', "
        "lease_expires_ms = 0 WHERE url_id = "
        "(SELECT id FROM urls WHERE normalized = $1)",
        PgParams().Add(url.normalized));
  }
  return pipe.Finish();
}

// One pipeline, one transaction, one round trip.
Status PgManifest::CompleteWork(const std::vector<std::string>& normalized) {
  if (normalized.empty()) return Status::Ok();
  PgPipeline pipe(db_, /*transaction=*/true);
  for (const std::string& key : normalized) {
    pipe.Send(
        "UPDATE work_queue SET state = 'done', lease_owner = '', "
        "lease_expires_ms = 0 WHERE state = 'due' AND url_id = "
        "(SELECT id FROM urls WHERE normalized = $1)",
        PgParams().Add(key));
  }
  return pipe.Finish();
}

}  // namespace rotguard
