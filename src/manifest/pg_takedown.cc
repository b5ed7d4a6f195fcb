// The takedown tables of the PostgreSQL manifest (schema v8), as
// sqlite_takedown.cc: tombstones, records marked forgotten, and the
// switch of a purge from old WARC files to their rewritten replacements.
#include <string>
#include <vector>

#include "manifest/pg_manifest.h"

namespace rotguard {

Status PgManifest::Forget(const ForgetRows& rows) {
  Result<PgTransaction> txn = PgTransaction::Begin(db_);
  if (!txn.ok()) return txn.status();
  ROTGUARD_RETURN_IF_ERROR(ApplyForget(rows));
  return txn->Commit();
}

Status PgManifest::ApplyForget(const ForgetRows& rows) {
  const TombstoneRow& t = rows.tombstone;
  ROTGUARD_RETURN_IF_ERROR(
      db_.Query("INSERT INTO tombstones (url, normalized, reason, created) "
                "VALUES ($1, $2, $3, $4) ON CONFLICT (normalized) DO UPDATE "
                "SET url = $1, reason = $3, created = $4",
                PgParams()
                    .Add(t.url)
                    .Add(t.normalized)
                    .Add(t.reason)
                    .Add(t.created_unix))
          .status());
  for (int64_t id : rows.capture_ids) {
    ROTGUARD_RETURN_IF_ERROR(
        db_.Query("DELETE FROM captures WHERE id = $1", PgParams().Add(id))
            .status());
  }
  for (const ForgetRows::Location& r : rows.records) {
    ROTGUARD_RETURN_IF_ERROR(
        db_.Query("UPDATE records SET forgotten = 1 "
                  "WHERE warc_file = $1 AND file_offset = $2",
                  PgParams().Add(r.warc_file).Add(r.offset))
            .status());
  }
  // The URL row stays (posts still link to it): its verdict says why it
  // has no copy and is never checked.
  return db_
      .Query("UPDATE urls SET verdict = 'forgotten' WHERE normalized = $1",
             PgParams().Add(t.normalized))
      .status();
}

Result<std::vector<TombstoneRow>> PgManifest::ListTombstones() {
  Result<PgRows> rows = db_.Query(
      "SELECT url, normalized, reason, created FROM tombstones "
      "ORDER BY normalized");
  if (!rows.ok()) return rows.status();
  std::vector<TombstoneRow> tombstones;
  for (int i = 0; i < rows->size(); ++i) {
    tombstones.push_back({rows->Text(i, 0), rows->Text(i, 1), rows->Text(i, 2),
                          rows->Int(i, 3)});
  }
  return tombstones;
}

Result<bool> PgManifest::RemoveTombstone(const std::string& normalized) {
  Result<PgTransaction> txn = PgTransaction::Begin(db_);
  if (!txn.ok()) return txn.status();
  Result<PgRows> removed =
      db_.Query("DELETE FROM tombstones WHERE normalized = $1",
                PgParams().Add(normalized));
  if (!removed.ok()) return removed.status();
  ROTGUARD_RETURN_IF_ERROR(
      db_.Query("UPDATE urls SET verdict = '' "
                "WHERE normalized = $1 AND verdict = 'forgotten'",
                PgParams().Add(normalized))
          .status());
  ROTGUARD_RETURN_IF_ERROR(txn->Commit());
  return removed->Affected() > 0;
}

Result<std::vector<std::string>> PgManifest::QueryNames(
    const std::string& sql) {
  Result<PgRows> rows = db_.Query(sql);
  if (!rows.ok()) return rows.status();
  std::vector<std::string> names;
  for (int i = 0; i < rows->size(); ++i) names.push_back(rows->Text(i, 0));
  return names;
}

Result<std::vector<std::string>> PgManifest::FilesWithForgottenRecords() {
  return QueryNames(
      "SELECT DISTINCT warc_file FROM records WHERE forgotten = 1 "
      "ORDER BY warc_file");
}

Result<std::vector<std::string>> PgManifest::ListPurgedFiles() {
  return QueryNames("SELECT name FROM purged_files ORDER BY name");
}

Status PgManifest::AddPurgedFile(const std::string& name) {
  return db_
      .Query(
          "INSERT INTO purged_files (name, purged) "
          "VALUES ($1, extract(epoch FROM now())::bigint) "
          "ON CONFLICT (name) DO UPDATE SET purged = EXCLUDED.purged",
          PgParams().Add(name))
      .status();
}

Status PgManifest::ClearPurgedFile(const std::string& name) {
  return db_
      .Query("DELETE FROM purged_files WHERE name = $1", PgParams().Add(name))
      .status();
}

Status PgManifest::SwitchPurgedFiles(const std::vector<PurgedWarcFile>& files) {
  Result<PgTransaction> txn = PgTransaction::Begin(db_);
  if (!txn.ok()) return txn.status();
  for (const PurgedWarcFile& file : files) {
    ROTGUARD_RETURN_IF_ERROR(SwitchPurgedFile(file));
  }
  return txn->Commit();
}

Status PgManifest::SwitchPurgedFile(const PurgedWarcFile& file) {
  ROTGUARD_RETURN_IF_ERROR(AddWarcFile(file.replacement));
  const std::string& to = file.replacement.name;
  ROTGUARD_RETURN_IF_ERROR(ClearPurgedFile(to));
  for (const auto& [from_offset, to_offset] : file.moves) {
    PgParams p;
    p.Add(file.old_name).Add(from_offset).Add(to).Add(to_offset);
    ROTGUARD_RETURN_IF_ERROR(
        db_.Query("UPDATE records SET warc_file = $3, file_offset = $4 "
                  "WHERE warc_file = $1 AND file_offset = $2",
                  p)
            .status());
    ROTGUARD_RETURN_IF_ERROR(
        db_.Query("UPDATE captures SET warc_file = $3, record_offset = $4 "
                  "WHERE warc_file = $1 AND record_offset = $2",
                  p)
            .status());
  }
  // What is left of the old file is what the purge dropped.
  for (const char* sql :
       {"DELETE FROM captures WHERE warc_file = $1",
        "DELETE FROM records WHERE warc_file = $1",
        "DELETE FROM warc_files WHERE name = $1",
        "INSERT INTO purged_files (name, purged) "
        "VALUES ($1, extract(epoch FROM now())::bigint) "
        "ON CONFLICT (name) DO UPDATE SET purged = EXCLUDED.purged"}) {
    ROTGUARD_RETURN_IF_ERROR(
        db_.Query(sql, PgParams().Add(file.old_name)).status());
  }
  return Status::Ok();
}

}  // namespace rotguard
