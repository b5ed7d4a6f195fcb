// The takedown tables of the SQLite manifest (schema v6): tombstones,
// records marked forgotten, and the switch of a purge from old WARC files
// to their rewritten replacements.
#include <string>
#include <vector>

#include "manifest/sqlite_manifest.h"

namespace rotguard {

Status SqliteManifest::Forget(const ForgetRows& rows) {
  Result<Transaction> txn = Transaction::Begin(db_);
  if (!txn.ok()) return txn.status();
  ROTGUARD_RETURN_IF_ERROR(ApplyForget(rows));
  return txn->Commit();
}

Status SqliteManifest::ApplyForget(const ForgetRows& rows) {
  const TombstoneRow& t = rows.tombstone;
  Result<Statement> tomb = db_.Prepare(
      "INSERT INTO tombstones (url, normalized, reason, created) "
      "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (normalized) DO UPDATE SET "
      "url = ?1, reason = ?3, created = ?4");
  if (!tomb.ok()) return tomb.status();
  tomb->Bind(1, t.url).Bind(2, t.normalized).Bind(3, t.reason);
  tomb->Bind(4, t.created_unix);
  ROTGUARD_RETURN_IF_ERROR(tomb->Run());
  Result<Statement> drop = db_.Prepare("DELETE FROM captures WHERE id = ?1");
  if (!drop.ok()) return drop.status();
  for (int64_t id : rows.capture_ids) {
    drop->Reset();
    drop->Bind(1, id);
    ROTGUARD_RETURN_IF_ERROR(drop->Run());
  }
  Result<Statement> mark = db_.Prepare(
      "UPDATE records SET forgotten = 1 "
      "WHERE warc_file = ?1 AND file_offset = ?2");
  if (!mark.ok()) return mark.status();
  for (const ForgetRows::Location& r : rows.records) {
    mark->Reset();
    mark->Bind(1, r.warc_file).Bind(2, r.offset);
    ROTGUARD_RETURN_IF_ERROR(mark->Run());
  }
  // The URL row stays (posts still link to it): its verdict says why it
  // has no copy and is never checked.
  Result<Statement> verdict = db_.Prepare(
      "UPDATE urls SET verdict = 'forgotten' WHERE normalized = ?1");
  if (!verdict.ok()) return verdict.status();
  verdict->Bind(1, t.normalized);
  return verdict->Run();
}

Result<std::optional<RecordRow>> SqliteManifest::FindRecordById(
    const std::string& record_id) {
  Result<Statement> stmt = db_.Prepare(
      "SELECT warc_file, file_offset, compressed_length, type, record_id, "
      "target_uri, date, block_digest, payload_digest, lost, forgotten "
      "FROM records WHERE record_id = ?1 "
      "ORDER BY warc_file, file_offset LIMIT 1");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, record_id);
  Result<bool> row = stmt->Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<RecordRow>();
  RecordRow r;
  r.warc_file = stmt->ColumnText(0);
  r.offset = stmt->ColumnInt(1);
  r.compressed_length = stmt->ColumnInt(2);
  r.type = stmt->ColumnText(3);
  r.record_id = stmt->ColumnText(4);
  r.target_uri = stmt->ColumnText(5);
  r.date = stmt->ColumnText(6);
  r.block_digest = stmt->ColumnText(7);
  r.payload_digest = stmt->ColumnText(8);
  r.lost = stmt->ColumnInt(9) != 0;
  r.forgotten = stmt->ColumnInt(10) != 0;
  return std::optional<RecordRow>(std::move(r));
}

Result<std::vector<TombstoneRow>> SqliteManifest::ListTombstones() {
  Result<Statement> stmt = db_.Prepare(
      "SELECT url, normalized, reason, created FROM tombstones "
      "ORDER BY normalized");
  if (!stmt.ok()) return stmt.status();
  std::vector<TombstoneRow> rows;
  for (;;) {
    Result<bool> row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) return rows;
    TombstoneRow t;
    t.url = stmt->ColumnText(0);
    t.normalized = stmt->ColumnText(1);
    t.reason = stmt->ColumnText(2);
    t.created_unix = stmt->ColumnInt(3);
    rows.push_back(std::move(t));
  }
}

Result<bool> SqliteManifest::RemoveTombstone(const std::string& normalized) {
  Result<Transaction> txn = Transaction::Begin(db_);
  if (!txn.ok()) return txn.status();
  Result<Statement> stmt =
      db_.Prepare("DELETE FROM tombstones WHERE normalized = ?1");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, normalized);
  ROTGUARD_RETURN_IF_ERROR(stmt->Run());
  Result<int64_t> changed = db_.QueryInt("SELECT changes()");
  if (!changed.ok()) return changed.status();
  Result<Statement> verdict = db_.Prepare(
      "UPDATE urls SET verdict = '' "
      "WHERE normalized = ?1 AND verdict = 'forgotten'");
  if (!verdict.ok()) return verdict.status();
  verdict->Bind(1, normalized);
  ROTGUARD_RETURN_IF_ERROR(verdict->Run());
  ROTGUARD_RETURN_IF_ERROR(txn->Commit());
  return *changed > 0;
}

Result<std::vector<std::string>> SqliteManifest::QueryNames(
    const std::string& sql) {
  Result<Statement> stmt = db_.Prepare(sql);
  if (!stmt.ok()) return stmt.status();
  std::vector<std::string> names;
  for (;;) {
    Result<bool> row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) return names;
    names.push_back(stmt->ColumnText(0));
  }
}

Result<std::vector<std::string>> SqliteManifest::FilesWithForgottenRecords() {
  return QueryNames(
      "SELECT DISTINCT warc_file FROM records WHERE forgotten = 1 "
      "ORDER BY warc_file");
}

Result<std::vector<std::string>> SqliteManifest::ListPurgedFiles() {
  return QueryNames("SELECT name FROM purged_files ORDER BY name");
}

Status SqliteManifest::AddPurgedFile(const std::string& name) {
  Result<Statement> stmt = db_.Prepare(
      "INSERT OR REPLACE INTO purged_files (name, purged) "
      "VALUES (?1, strftime('%s', 'now'))");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, name);
  return stmt->Run();
}

Status SqliteManifest::ClearPurgedFile(const std::string& name) {
  Result<Statement> stmt =
      db_.Prepare("DELETE FROM purged_files WHERE name = ?1");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, name);
  return stmt->Run();
}

Status SqliteManifest::SwitchPurgedFiles(
    const std::vector<PurgedWarcFile>& files) {
  Result<Transaction> txn = Transaction::Begin(db_);
  if (!txn.ok()) return txn.status();
  for (const PurgedWarcFile& file : files) {
    ROTGUARD_RETURN_IF_ERROR(SwitchPurgedFile(file));
  }
  return txn->Commit();
}

Status SqliteManifest::SwitchPurgedFile(const PurgedWarcFile& file) {
  ROTGUARD_RETURN_IF_ERROR(AddWarcFile(file.replacement));
  const std::string& to = file.replacement.name;
  ROTGUARD_RETURN_IF_ERROR(ClearPurgedFile(to));
  Result<Statement> record = db_.Prepare(
      "UPDATE records SET warc_file = ?3, file_offset = ?4 "
      "WHERE warc_file = ?1 AND file_offset = ?2");
  if (!record.ok()) return record.status();
  Result<Statement> capture = db_.Prepare(
      "UPDATE captures SET warc_file = ?3, record_offset = ?4 "
      "WHERE warc_file = ?1 AND record_offset = ?2");
  if (!capture.ok()) return capture.status();
  for (const auto& [from_offset, to_offset] : file.moves) {
    for (Statement* s : {&*record, &*capture}) {
      s->Reset();
      s->Bind(1, file.old_name).Bind(2, from_offset).Bind(3, to);
      s->Bind(4, to_offset);
      ROTGUARD_RETURN_IF_ERROR(s->Run());
    }
  }
  // What is left of the old file is what the purge dropped.
  for (const char* sql : {"DELETE FROM captures WHERE warc_file = ?1",
                          "DELETE FROM records WHERE warc_file = ?1",
                          "DELETE FROM warc_files WHERE name = ?1",
                          "INSERT OR REPLACE INTO purged_files (name, purged) "
                          "VALUES (?1, strftime('%s', 'now'))"}) {
    Result<Statement> stmt = db_.Prepare(sql);
    if (!stmt.ok()) return stmt.status();
    stmt->Bind(1, file.old_name);
    ROTGUARD_RETURN_IF_ERROR(stmt->Run());
  }
  return Status::Ok();
}

}  // namespace rotguard
