// A thin layer over the SQLite C API: a connection, prepared statements
// with bind/step/column helpers, and a transaction guard. Every sqlite3
// handle is owned by an RAII pointer from util/handles.h; every failure
// becomes a Status naming the database file.
#ifndef ROTGUARD_MANIFEST_SQLITE_DB_H_
#define ROTGUARD_MANIFEST_SQLITE_DB_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "rotguard/status.h"
#include "util/handles.h"

namespace rotguard {

class SqliteDb;

// One prepared statement. Bind*() take 1-based indexes like SQLite;
// Column*() take 0-based ones. Reset() makes it reusable with new binds.
class Statement {
 public:
  Statement(SqliteDb* db, StmtPtr stmt) : db_(db), stmt_(std::move(stmt)) {}
  Statement(Statement&&) noexcept = default;
  Statement& operator=(Statement&&) noexcept = default;

  Statement& Bind(int index, int64_t value);
  Statement& Bind(int index, int value) {
    return Bind(index, static_cast<int64_t>(value));
  }
  Statement& Bind(int index, bool value) {
    return Bind(index, static_cast<int64_t>(value ? 1 : 0));
  }
  Statement& Bind(int index, std::string_view text);
  Statement& Bind(int index, const std::string& text) {
    return Bind(index, std::string_view(text));
  }
  Statement& Bind(int index, const char* text) {
    return Bind(index, std::string_view(text));
  }
  // Binds `text` without copying it: the bytes must stay unchanged until
  // the statement is reset or the parameter bound again (bulk inserts,
  // where the copy SQLITE_TRANSIENT makes showed up in profiles).
  Statement& BindStatic(int index, std::string_view text);
  Statement& BindNull(int index);
  Statement& Bind(int index, const std::optional<bool>& value);

  // true: a row is available; false: done.
  Result<bool> Step();
  // Steps until done (for statements that return no rows).
  Status Run();
  void Reset();

  int64_t ColumnInt(int column) const;
  std::string ColumnText(int column) const;
  bool ColumnIsNull(int column) const;

 private:
  Status BindStatus() const;
  SqliteDb* db_;
  StmtPtr stmt_;
  int bind_error_ = 0;  // first failed bind, reported by Step()
};

// A statement from SqliteDb::PrepareCached(): borrowed, and reset (with
// its bindings cleared) when this handle goes out of scope, so a cached
// statement never keeps a read transaction open.
class CachedStatement {
 public:
  explicit CachedStatement(Statement* stmt) : stmt_(stmt) {}
  CachedStatement(CachedStatement&& other) noexcept
      : stmt_(std::exchange(other.stmt_, nullptr)) {}
  CachedStatement& operator=(CachedStatement&&) = delete;
  ~CachedStatement() {
    if (stmt_ != nullptr) stmt_->Reset();
  }
  Statement* operator->() { return stmt_; }
  Statement& operator*() { return *stmt_; }

 private:
  Statement* stmt_;
};

class SqliteDb {
 public:
  // Opens (creating) the database file at `path` and sets the connection
  // pragmas: WAL, foreign keys on, a busy timeout.
  static Result<SqliteDb> Open(const std::string& path);
  // Opens the existing database at `path` read-only and immutable
  // (SQLite's immutable=1: no -wal, -shm or lock is touched), for a store
  // on a read-only filesystem, where WAL mode cannot create its -shm file.
  // Changes a writer makes meanwhile are not seen.
  static Result<SqliteDb> OpenImmutable(const std::string& path);
  // Moving drops the statement cache: cached statements point at the
  // object they came from.
  SqliteDb(SqliteDb&& other) noexcept;
  SqliteDb& operator=(SqliteDb&& other) noexcept;
  ~SqliteDb();

  // Runs one or more statements that return no rows.
  Status Exec(std::string_view sql);
  Result<Statement> Prepare(std::string_view sql);
  // Prepares `sql` once per connection and hands it out again on later
  // calls (hot lookups: dedupe, URL ids). Not reentrant for the same sql.
  Result<CachedStatement> PrepareCached(const std::string& sql);
  // PRAGMA journal_mode=`mode` (lowercase: "delete", "wal") without
  // waiting for other connections: true when the database is in `mode`
  // afterwards, false when another connection kept it from changing.
  Result<bool> TrySetJournalMode(std::string_view mode);
  // Runs a single-value query such as "PRAGMA user_version".
  Result<int64_t> QueryInt(std::string_view sql);
  int64_t LastInsertRowId() const;

  // The Status for SQLite result `rc`: Corruption for a damaged file or a
  // file that is not a database, Locked when another process holds it
  // past the busy timeout, InvalidArgument for constraint violations,
  // IOError otherwise. The message names the file and what was done.
  Status Error(int rc, std::string_view what) const;
  const std::string& path() const { return path_; }
  sqlite3* handle() const { return db_.get(); }

 private:
  SqliteDb(std::string path, SqlitePtr db)
      : path_(std::move(path)), db_(std::move(db)) {}
  std::string path_;
  SqlitePtr db_;
  std::unordered_map<std::string, Statement> cache_;
};

// BEGIN IMMEDIATE on construction (so the write lock is taken up front and
// a busy database fails early), ROLLBACK in the destructor unless Commit()
// succeeded. The destructor never throws and ignores rollback errors: the
// connection is then left for SQLite to roll back on close.
class Transaction {
 public:
  static Result<Transaction> Begin(SqliteDb& db);
  Transaction(Transaction&& other) noexcept
      : db_(std::exchange(other.db_, nullptr)) {}
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  ~Transaction();

  Status Commit();

 private:
  explicit Transaction(SqliteDb* db) : db_(db) {}
  SqliteDb* db_;  // null once committed or rolled back
};

}  // namespace rotguard

#endif  // ROTGUARD_MANIFEST_SQLITE_DB_H_
