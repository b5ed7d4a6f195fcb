// `rotguard migrate`: the SQLite manifest copied into PostgreSQL, table by
// table with the same column names (pg_schema.cc mirrors schema.cc), in
// one transaction that commits only when both sides count and hash equal.
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "manifest/pg_db.h"
#include "manifest/pg_manifest.h"
#include "manifest/schema.h"
#include "manifest/sqlite_db.h"
#include "rotguard/manifest.h"
#include "util/digest.h"

namespace rotguard {
namespace {

struct TableSpec {
  const char* name;
  const char* key;  // the order rows are copied and hashed in
};

// In foreign-key order: a row's parents are copied before it.
constexpr TableSpec kTables[] = {
    {"meta", "key"},
    {"documents", "id"},
    {"urls", "id"},
    {"links", "id"},
    {"warc_files", "name"},
    {"records", "id"},
    {"runs", "id"},
    {"captures", "id"},
    {"public_submissions", "url_id"},
    {"public_lookups", "url_id"},
    {"tombstones", "id"},
    {"purged_files", "name"},
    // Copied rows, not written by the trigger: it fires on UPDATE only.
    {"verdict_changes", "id"},
    {"work_queue", "url_id"},
    {"work_hosts", "host"},
};

// "LOCK TABLE t1, t2, ... IN EXCLUSIVE MODE" over every copied table.
std::string LockAllSql() {
  std::string sql = "LOCK TABLE ";
  for (const TableSpec& spec : kTables) {
    sql += std::string(&spec == kTables ? "" : ", ") + spec.name;
  }
  return sql + " IN EXCLUSIVE MODE";
}

struct Column {
  std::string name;
  bool is_text = false;
};

// The columns of `table` in PostgreSQL, checked against SQLite's: a
// column on one side only means the two schema lists went apart.
Result<std::vector<Column>> ColumnsOf(SqliteDb& sqlite, PgDb& pg,
                                      const std::string& table) {
  Result<PgRows> rows = pg.QueryOnce(
      "SELECT column_name, data_type FROM information_schema.columns "
      "WHERE table_schema = current_schema() AND table_name = $1 "
      "ORDER BY ordinal_position",
      PgParams().Add(table));
  if (!rows.ok()) return rows.status();
  std::vector<Column> columns;
  std::set<std::string> pg_names;
  for (int i = 0; i < rows->size(); ++i) {
    columns.push_back({rows->Text(i, 0), rows->Text(i, 1) == "text"});
    pg_names.insert(rows->Text(i, 0));
  }
  Result<Statement> info = sqlite.Prepare("PRAGMA table_info(" + table + ")");
  if (!info.ok()) return info.status();
  std::set<std::string> sqlite_names;
  for (;;) {
    Result<bool> row = info->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    sqlite_names.insert(info->ColumnText(1));
  }
  if (sqlite_names != pg_names) {
    return Status::Internal("table " + table +
                            " has different columns in SQLite and "
                            "PostgreSQL (a migration is missing on one side)");
  }
  return columns;
}

std::string SelectSql(const TableSpec& spec, const std::vector<Column>& columns,
                      bool skip_schema_version) {
  std::string sql = "SELECT ";
  for (size_t i = 0; i < columns.size(); ++i) {
    sql += (i ? ", " : "") + columns[i].name;
  }
  sql += std::string(" FROM ") + spec.name;
  // PostgreSQL keeps its schema version in meta; SQLite in user_version.
  if (skip_schema_version) sql += " WHERE key <> 'schema_version'";
  return sql + " ORDER BY " + spec.key;
}

std::string InsertSql(const TableSpec& spec,
                      const std::vector<Column>& columns) {
  std::string names;
  std::string values;
  for (size_t i = 0; i < columns.size(); ++i) {
    names += (i ? ", " : "") + columns[i].name;
    values += (i ? ", $" : "$") + std::to_string(i + 1);
  }
  return std::string("INSERT INTO ") + spec.name + " (" + names + ") VALUES (" +
         values + ")";
}

// One value into the table hash, unambiguous whatever the bytes: a tag,
// then the length for text.
void HashValue(Hasher& hash, bool is_null, bool is_text,
               const std::string& text) {
  std::string head = is_null   ? "N"
                     : is_text ? "T" + std::to_string(text.size())
                               : "I";
  hash.Update(head + ":");
  if (!is_null) hash.Update(text);
  hash.Update(";");
}

// Copies `spec`'s rows from SQLite to PostgreSQL and hashes them as read.
Result<ManifestTableCopy> CopyTable(SqliteDb& sqlite, PgDb& pg,
                                    const TableSpec& spec,
                                    const std::vector<Column>& columns) {
  Result<Statement> select =
      sqlite.Prepare(SelectSql(spec, columns, /*skip_schema_version=*/false));
  if (!select.ok()) return select.status();
  std::string insert = InsertSql(spec, columns);
  Hasher hash(DigestAlgorithm::kSha256);
  ManifestTableCopy copy{spec.name, 0, ""};
  for (;;) {
    Result<bool> row = select->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    PgParams params;
    for (int i = 0; i < static_cast<int>(columns.size()); ++i) {
      bool is_null = select->ColumnIsNull(i);
      bool is_text = columns[static_cast<size_t>(i)].is_text;
      std::string value = is_text ? select->ColumnText(i)
                                  : std::to_string(select->ColumnInt(i));
      HashValue(hash, is_null, is_text, value);
      if (is_null && is_text) {
        params.AddNullText();
      } else if (is_null) {
        params.AddNullInt();
      } else if (is_text) {
        params.Add(value);
      } else {
        params.Add(select->ColumnInt(i));
      }
    }
    Result<PgRows> inserted = pg.Query(insert, params);
    if (!inserted.ok()) return inserted.status();
    ++copy.rows;
  }
  copy.sha256 = HexEncode(hash.Final());
  return copy;
}

// Reads `spec`'s rows back from PostgreSQL (inside the copy's
// transaction) and hashes them the same way.
Result<ManifestTableCopy> HashPgTable(PgDb& pg, const TableSpec& spec,
                                      const std::vector<Column>& columns) {
  std::string cursor = pg.NextCursorName();
  Result<PgRows> declared =
      pg.QueryOnce("DECLARE " + cursor + " NO SCROLL CURSOR FOR " +
                   SelectSql(spec, columns, std::string(spec.name) == "meta"));
  if (!declared.ok()) return declared.status();
  Hasher hash(DigestAlgorithm::kSha256);
  ManifestTableCopy copy{spec.name, 0, ""};
  for (;;) {
    Result<PgRows> batch = pg.QueryOnce("FETCH FORWARD 1000 FROM " + cursor);
    if (!batch.ok()) return batch.status();
    for (int r = 0; r < batch->size(); ++r) {
      for (int i = 0; i < static_cast<int>(columns.size()); ++i) {
        HashValue(hash, batch->IsNull(r, i),
                  columns[static_cast<size_t>(i)].is_text, batch->Text(r, i));
      }
      ++copy.rows;
    }
    if (batch->size() < 1000) break;
  }
  ROTGUARD_RETURN_IF_ERROR(pg.Exec("CLOSE " + cursor));
  copy.sha256 = HexEncode(hash.Final());
  return copy;
}

Status CheckEmpty(PgDb& pg) {
  for (const TableSpec& spec : kTables) {
    std::string sql = std::string("SELECT count(*) FROM ") + spec.name;
    if (std::string(spec.name) == "meta")
      sql += " WHERE key <> 'schema_version'";
    Result<PgRows> count = pg.QueryOnce(sql);
    if (!count.ok()) return count.status();
    if (count->Int(0, 0) != 0) {
      return Status::InvalidArgument(
          pg.name() + ": the database already holds a manifest (table " +
          spec.name + " has " + count->Text(0, 0) +
          " rows); migrate copies into an empty database only");
    }
  }
  return Status::Ok();
}

// Identity columns were given explicit ids: move each sequence past them.
Status ResetSequences(PgDb& pg) {
  for (const TableSpec& spec : kTables) {
    if (std::string(spec.key) != "id") continue;
    ROTGUARD_RETURN_IF_ERROR(pg.Exec(
        std::string("SELECT setval(pg_get_serial_sequence('") + spec.name +
        "', 'id'), coalesce(max(id), 0) + 1, false) FROM " + spec.name));
  }
  return Status::Ok();
}

Result<std::vector<ManifestTableCopy>> CopyAll(SqliteDb& sqlite, PgDb& pg) {
  std::vector<ManifestTableCopy> copies;
  for (const TableSpec& spec : kTables) {
    Result<std::vector<Column>> columns = ColumnsOf(sqlite, pg, spec.name);
    if (!columns.ok()) return columns.status();
    Result<ManifestTableCopy> copied = CopyTable(sqlite, pg, spec, *columns);
    if (!copied.ok()) return copied.status();
    Result<ManifestTableCopy> read_back = HashPgTable(pg, spec, *columns);
    if (!read_back.ok()) return read_back.status();
    if (read_back->rows != copied->rows ||
        read_back->sha256 != copied->sha256) {
      return Status::Corruption(
          pg.name() + ": table " + spec.name + " reads back " +
          std::to_string(read_back->rows) + " rows (sha256 " +
          read_back->sha256 + ") after copying " +
          std::to_string(copied->rows) + " (sha256 " + copied->sha256 +
          "); nothing was committed");
    }
    copies.push_back(std::move(*copied));
  }
  return copies;
}

}  // namespace

Result<std::vector<ManifestTableCopy>> CopySqliteManifestToPostgres(
    const std::string& sqlite_path, const std::string& pg_url) {
  if (!IsPostgresUrl(pg_url)) {
    return Status::InvalidArgument(pg_url + ": not a postgresql:// URL");
  }
  Result<SqliteDb> sqlite = SqliteDb::Open(sqlite_path);
  if (!sqlite.ok()) return sqlite.status();
  ROTGUARD_RETURN_IF_ERROR(MigrateSchema(*sqlite));
  Result<std::unique_ptr<PgManifest>> manifest = PgManifest::Open(pg_url);
  if (!manifest.ok()) return manifest.status();
  PgDb& pg = (*manifest)->db();
  // A read transaction on SQLite: one consistent snapshot of every table.
  ROTGUARD_RETURN_IF_ERROR(sqlite->Exec("BEGIN"));
  Result<PgTransaction> txn = PgTransaction::Begin(pg);
  if (!txn.ok()) return txn.status();
  // No other writer may slip rows in between the check and the commit.
  ROTGUARD_RETURN_IF_ERROR(pg.Exec(LockAllSql()));
  ROTGUARD_RETURN_IF_ERROR(CheckEmpty(pg));
  Result<std::vector<ManifestTableCopy>> copies = CopyAll(*sqlite, pg);
  (void)sqlite->Exec("COMMIT");
  if (!copies.ok()) return copies.status();
  ROTGUARD_RETURN_IF_ERROR(ResetSequences(pg));
  ROTGUARD_RETURN_IF_ERROR(txn->Commit());
  return copies;
}

}  // namespace rotguard
