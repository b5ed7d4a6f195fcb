// A thin layer over libpq, in the shape of sqlite_db.h: a connection with
// statements prepared once per connection (PQprepare/PQexecPrepared), a
// parameter list sent with explicit types and lengths (so bytes are never
// spliced into SQL text), result rows read by index, and a transaction
// guard. Every PGconn and PGresult is owned by an RAII pointer; every
// failure becomes a Status naming the database (without its password).
#ifndef ROTGUARD_MANIFEST_PG_DB_H_
#define ROTGUARD_MANIFEST_PG_DB_H_

#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "rotguard/status.h"
#include "util/handles.h"

namespace rotguard {

using PgConnPtr = std::unique_ptr<PGconn, CallFree<PQfinish>>;
using PgResultPtr = std::unique_ptr<PGresult, CallFree<PQclear>>;

// The parameters of one statement, $1 first. Strings go as text in binary
// format (their exact bytes with a length), integers as int8.
class PgParams {
 public:
  PgParams& Add(int64_t value);
  PgParams& Add(int value) { return Add(static_cast<int64_t>(value)); }
  PgParams& Add(bool value) { return Add(static_cast<int64_t>(value)); }
  PgParams& Add(std::string_view text);
  PgParams& Add(const std::string& text) { return Add(std::string_view(text)); }
  PgParams& Add(const char* text) { return Add(std::string_view(text)); }
  PgParams& Add(const std::optional<bool>& value);
  PgParams& AddNullInt();
  PgParams& AddNullText();

  int size() const { return static_cast<int>(values_.size()); }
  const std::vector<Oid>& types() const { return types_; }
  // Pointer arrays for libpq, valid while this object is unchanged.
  struct Arrays {
    std::vector<const char*> values;
    std::vector<int> lengths;
    std::vector<int> formats;
  };
  Arrays ToArrays() const;

 private:
  std::vector<std::string> values_;
  std::vector<bool> nulls_;
  std::vector<Oid> types_;
};

// The rows of one result (text format).
class PgRows {
 public:
  explicit PgRows(PgResultPtr result) : result_(std::move(result)) {}
  int size() const { return PQntuples(result_.get()); }
  bool IsNull(int row, int column) const {
    return PQgetisnull(result_.get(), row, column) != 0;
  }
  int64_t Int(int row, int column) const;
  std::string Text(int row, int column) const;
  // Rows changed by an INSERT, UPDATE or DELETE (PQcmdTuples).
  int64_t Affected() const;

 private:
  PgResultPtr result_;
};

class PgDb {
 public:
  // Connects to `url` (postgresql://...), UTF8 client encoding, notices
  // silenced (they would go to stderr).
  static Result<PgDb> Connect(const std::string& url);
  PgDb(PgDb&&) noexcept = default;
  PgDb& operator=(PgDb&&) noexcept = default;

  // One or more statements without parameters (migrations, BEGIN...).
  Status Exec(std::string_view sql);
  // Runs `sql`, prepared on first use and kept for the connection's life:
  // the hot lookups and inserts pay for parsing and planning once.
  Result<PgRows> Query(const std::string& sql, const PgParams& params = {});
  // Runs `sql` once without keeping a prepared statement (DDL, DECLARE).
  Result<PgRows> QueryOnce(const std::string& sql, const PgParams& params = {});
  // A new name for a server-side cursor of this connection.
  std::string NextCursorName() { return "rg_cur" + std::to_string(++cursors_); }

  // The URL without its password, for messages.
  const std::string& name() const { return name_; }
  PGconn* handle() const { return conn_.get(); }
  // The Status for a failed result (nullptr: the connection failed):
  // InvalidArgument for constraint violations (SQLSTATE class 23),
  // Locked for serialization failures and deadlocks, IOError otherwise.
  Status Error(const PGresult* result, std::string_view what) const;

 private:
  friend class PgPipeline;
  PgDb(std::string name, PgConnPtr conn)
      : name_(std::move(name)), conn_(std::move(conn)) {}
  Result<PgRows> Check(PgResultPtr result, std::string_view what) const;
  // The name `sql` is prepared as, or a new one (not yet on the server).
  std::pair<std::string, bool> StatementName(const std::string& sql);

  std::string name_;
  PgConnPtr conn_;
  std::unordered_map<std::string, std::string> prepared_;  // sql -> name
  int64_t statements_ = 0;  // names ever given: never reused
  int64_t cursors_ = 0;
};

// Statements sent without waiting for each answer (libpq pipeline mode):
// N writes cost one round trip to the server instead of N, which is most
// of a batch's time on a remote (or even a loopback) database. Only for
// statements whose rows nobody reads. With `transaction`, BEGIN goes
// first and Finish() sends COMMIT, so the whole batch is one round trip;
// any failure rolls it back. Without, the statements join the caller's
// transaction (a sync inside BEGIN ... COMMIT does not commit).
class PgPipeline {
 public:
  PgPipeline(PgDb& db, bool transaction);
  PgPipeline(const PgPipeline&) = delete;
  PgPipeline& operator=(const PgPipeline&) = delete;
  // Finishes (status lost) when Finish() was not called.
  ~PgPipeline();

  // Queues `sql` (prepared on first use, within the pipeline too); after
  // a failure, nothing more is sent.
  void Send(const std::string& sql, const PgParams& params = {});
  // Sends what is queued, reads every answer and leaves pipeline mode:
  // the first failure, if any.
  Status Finish();

 private:
  // One answer to wait for: the SQL a Parse prepares, or "" (a statement).
  struct Pending {
    std::string prepares;
    std::string what;
  };
  void Fail(Status status);
  // Sync, then every pending answer: keeps the socket buffers from filling
  // up on long batches (the server answers while the client still sends).
  void Drain();
  void ReadOne(const Pending& pending);

  PgDb& db_;
  const bool transaction_;
  bool finished_ = false;
  Status status_;
  std::vector<Pending> pending_;
};

// BEGIN on construction, ROLLBACK in the destructor unless Commit()
// succeeded (a failed statement leaves the transaction aborted; rolling
// back makes the connection usable again).
class PgTransaction {
 public:
  static Result<PgTransaction> Begin(PgDb& db);
  PgTransaction(PgTransaction&& other) noexcept
      : db_(std::exchange(other.db_, nullptr)) {}
  PgTransaction& operator=(PgTransaction&&) = delete;
  PgTransaction(const PgTransaction&) = delete;
  ~PgTransaction();

  Status Commit();

 private:
  explicit PgTransaction(PgDb* db) : db_(db) {}
  PgDb* db_;  // null once committed or rolled back
};

// "postgresql://" or "postgres://": the URL names a PostgreSQL manifest.
bool IsPostgresUrl(std::string_view location);
// `url` with the password of its user info replaced by "***".
std::string RedactPostgresUrl(const std::string& url);

}  // namespace rotguard

#endif  // ROTGUARD_MANIFEST_PG_DB_H_
