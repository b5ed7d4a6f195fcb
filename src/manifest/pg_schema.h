// The PostgreSQL manifest schema: the tables, columns and meaning of
// schema.h, translated (INTEGER PRIMARY KEY -> bigint identity, INTEGER
// -> bigint, TEXT -> text COLLATE "C" so that ORDER BY is byte order as
// with SQLite's BINARY collation). Version N of this list is version N of
// the SQLite list: a change to the schema adds one step to each, so the
// same kSchemaVersion describes both (a static_assert keeps them paired).
// The version lives in meta ('schema_version'), as PostgreSQL has no
// PRAGMA user_version.
#ifndef ROTGUARD_MANIFEST_PG_SCHEMA_H_
#define ROTGUARD_MANIFEST_PG_SCHEMA_H_

#include "manifest/pg_db.h"
#include "rotguard/status.h"

namespace rotguard {

// The version recorded in `db` (0: an empty database).
Result<int64_t> PgSchemaVersion(PgDb& db);

// Brings `db` to schema `target` (1..kSchemaVersion) in one transaction,
// under an advisory lock so that two processes opening a new database at
// once migrate it exactly once. A newer database is NotSupported.
Status MigratePgSchema(PgDb& db, int target);

}  // namespace rotguard

#endif  // ROTGUARD_MANIFEST_PG_SCHEMA_H_
