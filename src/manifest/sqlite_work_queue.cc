// The work queue of the SQLite manifest (schema v11). Every claim is one
// BEGIN IMMEDIATE transaction, so two workers on one machine never lease
// the same URL (or host): the second waits for the first's write lock and
// then sees its leases.
#include <sqlite3.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "manifest/schema.h"
#include "manifest/sqlite_manifest.h"
#include "rotguard/url.h"

namespace rotguard {

Result<int64_t> SqliteManifest::Enqueue(
    const std::vector<std::string>& normalized, int64_t now_ms) {
  Result<Transaction> txn = Transaction::Begin(db_);
  if (!txn.ok()) return txn.status();
  // A due row keeps its lease and attempts; a done one is due again.
  Result<Statement> put = db_.Prepare(
      "INSERT INTO work_queue (url_id, host, enqueued_ms) VALUES (?1, ?2, ?3) "
      "ON CONFLICT (url_id) DO UPDATE SET state = 'due', lease_owner = '', "
      "lease_expires_ms = 0, attempts = 0, enqueued_ms = ?3, failure = '' "
      "WHERE state = 'done'");
  if (!put.ok()) return put.status();
  Result<Statement> host = db_.Prepare(
      "INSERT INTO work_hosts (host) VALUES (?1) ON CONFLICT DO NOTHING");
  if (!host.ok()) return host.status();
  int64_t queued = 0;
  for (const std::string& key : normalized) {
    Result<int64_t> id = EnsureUrl(key, now_ms / 1000);
    if (!id.ok()) return id.status();
    const std::string host_name = UrlHost(key);
    put->Reset();
    put->Bind(1, *id).Bind(2, host_name).Bind(3, now_ms);
    ROTGUARD_RETURN_IF_ERROR(put->Run());
    queued += sqlite3_changes(db_.handle());
    host->Reset();
    host->Bind(1, host_name);
    ROTGUARD_RETURN_IF_ERROR(host->Run());
  }
  ROTGUARD_RETURN_IF_ERROR(txn->Commit());
  return queued;
}

// Claims, in the caller's transaction, up to `limit` claimable URLs of the
// hosts `owner` holds; appends (url id, normalized) to *rows.
Status SqliteManifest::ClaimFromHeldHosts(const std::string& owner,
                                          int64_t now_ms, int64_t lease_ms,
                                          int64_t limit,
                                          std::vector<ClaimedUrl>* rows) {
  Result<Statement> claim = db_.Prepare(
      "UPDATE work_queue SET lease_owner = ?1, lease_expires_ms = ?2 + ?3, "
      "attempts = attempts + 1 WHERE url_id IN (SELECT q.url_id FROM "
      "work_hosts h JOIN work_queue q ON q.host = h.host WHERE "
      "h.lease_owner = ?1 AND h.lease_expires_ms > ?2 AND q.state = 'due' "
      "AND q.lease_expires_ms <= ?2 ORDER BY q.url_id LIMIT ?4) "
      "RETURNING url_id, (SELECT normalized FROM urls WHERE id = url_id)");
  if (!claim.ok()) return claim.status();
  claim->Bind(1, owner).Bind(2, now_ms).Bind(3, lease_ms).Bind(4, limit);
  for (;;) {
    Result<bool> row = claim->Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::Ok();
    rows->emplace_back(claim->ColumnInt(0), claim->ColumnText(1));
  }
}

// Leases one more host with claimable URLs to `owner`; false when there
// is none free.
Result<bool> SqliteManifest::TakeFreeHost(const std::string& owner,
                                          int64_t now_ms, int64_t lease_ms) {
  Result<Statement> take = db_.Prepare(
      "UPDATE work_hosts SET lease_owner = ?1, lease_expires_ms = ?2 + ?3 "
      "WHERE host = (SELECT h.host FROM work_hosts h WHERE "
      "h.lease_expires_ms <= ?2 AND EXISTS (SELECT 1 FROM work_queue q "
      "WHERE q.host = h.host AND q.state = 'due' AND "
      "q.lease_expires_ms <= ?2) ORDER BY h.host LIMIT 1)");
  if (!take.ok()) return take.status();
  take->Bind(1, owner).Bind(2, now_ms).Bind(3, lease_ms);
  ROTGUARD_RETURN_IF_ERROR(take->Run());
  return sqlite3_changes(db_.handle()) > 0;
}

// In the caller's transaction: the claimable URLs whose attempts ran out
// leave the queue, failed.
Status SqliteManifest::GiveUpExhaustedWork(int64_t now_ms) {
  Result<Statement> give_up = db_.Prepare(
      "UPDATE work_queue SET state = 'done', lease_owner = '', "
      "lease_expires_ms = 0, failure = ?3 WHERE state = 'due' AND "
      "attempts >= ?2 AND lease_expires_ms <= ?1");
  if (!give_up.ok()) return give_up.status();
  give_up->Bind(1, now_ms)
      .Bind(2, int64_t{kMaxWorkAttempts})
      .Bind(3, std::string(kWorkAttemptsFailure));
  return give_up->Run();
}

Result<std::vector<std::string>> SqliteManifest::ClaimWork(
    const std::string& owner, int64_t now_ms, int64_t lease_ms, int limit) {
  Result<Transaction> txn = Transaction::Begin(db_);
  if (!txn.ok()) return txn.status();
  ROTGUARD_RETURN_IF_ERROR(GiveUpExhaustedWork(now_ms));
  ROTGUARD_RETURN_IF_ERROR(
      ExecWithOwner("UPDATE work_hosts SET lease_expires_ms = ?2 + ?3 "
                    "WHERE lease_owner = ?1 AND lease_expires_ms > ?2",
                    owner, now_ms, lease_ms));
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
  // RETURNING gives no order: url id order, as documented.
  std::sort(rows.begin(), rows.end());
  std::vector<std::string> urls;
  urls.reserve(rows.size());
  for (auto& [id, key] : rows) urls.push_back(std::move(key));
  return urls;
}

Status SqliteManifest::ReleaseHosts(const std::string& owner, bool only_idle) {
  Result<Statement> release = db_.Prepare(
      std::string("UPDATE work_hosts SET lease_owner = '', "
                  "lease_expires_ms = 0 WHERE lease_owner = ?1") +
      (only_idle ? " AND NOT EXISTS (SELECT 1 FROM work_queue q WHERE "
                   "q.host = work_hosts.host AND q.state = 'due')"
                 : ""));
  if (!release.ok()) return release.status();
  release->Bind(1, owner);
  return release->Run();
}

Status SqliteManifest::ExecWithOwner(const char* sql, const std::string& owner,
                                     int64_t now_ms, int64_t lease_ms) {
  Result<Statement> stmt = db_.Prepare(sql);
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, owner).Bind(2, now_ms).Bind(3, lease_ms);
  return stmt->Run();
}

Result<int64_t> SqliteManifest::RenewLeases(const std::string& owner,
                                            int64_t now_ms, int64_t lease_ms) {
  Result<Statement> renew = db_.Prepare(
      "UPDATE work_queue SET lease_expires_ms = ?2 + ?3 "
      "WHERE lease_owner = ?1 AND state = 'due'");
  if (!renew.ok()) return renew.status();
  renew->Bind(1, owner).Bind(2, now_ms).Bind(3, lease_ms);
  ROTGUARD_RETURN_IF_ERROR(renew->Run());
  const int64_t renewed = sqlite3_changes(db_.handle());
  ROTGUARD_RETURN_IF_ERROR(
      ExecWithOwner("UPDATE work_hosts SET lease_expires_ms = ?2 + ?3 "
                    "WHERE lease_owner = ?1 AND lease_expires_ms > ?2",
                    owner, now_ms, lease_ms));
  return renewed;
}

Result<int64_t> SqliteManifest::ReleaseLeases(const std::string& owner,
                                              bool done) {
  Result<Statement> release =
      db_.Prepare(std::string("UPDATE work_queue SET lease_owner = '', "
                              "lease_expires_ms = 0") +
                  (done ? ", state = 'done'" : "") +
                  " WHERE lease_owner = ?1 AND state = 'due'");
  if (!release.ok()) return release.status();
  release->Bind(1, owner);
  ROTGUARD_RETURN_IF_ERROR(release->Run());
  const int64_t released = sqlite3_changes(db_.handle());
  // A batch that ended normally keeps its hosts for the next claim; a
  // worker that gives its URLs back gives its hosts back too.
  if (!done) {
    ROTGUARD_RETURN_IF_ERROR(ReleaseHosts(owner, /*only_idle=*/false));
  }
  return released;
}

Result<Manifest::WorkCounts> SqliteManifest::CountWork(int64_t now_ms) {
  Result<Statement> count = db_.Prepare(
      "SELECT coalesce(sum(state = 'due' AND lease_expires_ms <= ?1), 0), "
      "coalesce(sum(state = 'due' AND lease_expires_ms > ?1), 0), "
      "coalesce(sum(state = 'done'), 0) FROM work_queue");
  if (!count.ok()) return count.status();
  count->Bind(1, now_ms);
  Result<bool> row = count->Step();
  if (!row.ok()) return row.status();
  WorkCounts counts;
  counts.free = count->ColumnInt(0);
  counts.leased = count->ColumnInt(1);
  counts.done = count->ColumnInt(2);
  return counts;
}

Status SqliteManifest::CommitWorkBatch(const std::vector<RecordRow>& records,
                                       const std::vector<CaptureRow>& captures,
                                       const std::vector<UrlRow>& urls) {
  Result<Transaction> txn = Transaction::Begin(db_);
  if (!txn.ok()) return txn.status();
  ROTGUARD_RETURN_IF_ERROR(InsertRecords(records));
  ROTGUARD_RETURN_IF_ERROR(InsertCaptures(captures));
  ROTGUARD_RETURN_IF_ERROR(UpdateUrlRows(urls));
  Result<Statement> done = db_.Prepare(
      "UPDATE work_queue SET state = 'done', lease_owner = '', "
      "lease_expires_ms = 0 WHERE url_id = "
      "(SELECT id FROM urls WHERE normalized = ?1)");
  if (!done.ok()) return done.status();
  for (const UrlRow& url : urls) {
    done->Reset();
    done->Bind(1, url.normalized);
    ROTGUARD_RETURN_IF_ERROR(done->Run());
  }
  return txn->Commit();
}

Status SqliteManifest::CompleteWork(
    const std::vector<std::string>& normalized) {
  if (normalized.empty()) return Status::Ok();
  Result<Transaction> txn = Transaction::Begin(db_);
  if (!txn.ok()) return txn.status();
  Result<Statement> done = db_.Prepare(
      "UPDATE work_queue SET state = 'done', lease_owner = '', "
      "lease_expires_ms = 0 WHERE state = 'due' AND url_id = "
      "(SELECT id FROM urls WHERE normalized = ?1)");
  if (!done.ok()) return done.status();
  for (const std::string& key : normalized) {
    done->Reset();
    done->Bind(1, key);
    ROTGUARD_RETURN_IF_ERROR(done->Run());
  }
  return txn->Commit();
}

}  // namespace rotguard
