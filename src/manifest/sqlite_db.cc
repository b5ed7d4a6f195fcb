#include "manifest/sqlite_db.h"

#include <sqlite3.h>

#include <mutex>
#include <string>

namespace rotguard {
namespace {

// Long enough to ride out a concurrent reader's checkpoint, short enough
// that a stuck process is reported instead of hanging cron.
constexpr int kBusyTimeoutMs = 5000;

// SQLite counts every allocation under a global mutex for statistics
// rotguard never reads (sqlite3_memory_used, a soft heap limit): 2 % of a
// first `scan --update`'s CPU. Only possible before SQLite initializes, so
// before the first connection opens; later it fails harmlessly.
void TurnOffMemoryStatistics() {
  static std::once_flag once;
  std::call_once(once,
                 [] { (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
}

}  // namespace

// --- Statement ---

Statement& Statement::Bind(int index, int64_t value) {
  int rc = sqlite3_bind_int64(stmt_.get(), index, value);
  if (rc != SQLITE_OK && bind_error_ == 0) bind_error_ = rc;
  return *this;
}

Statement& Statement::Bind(int index, std::string_view text) {
  int rc = sqlite3_bind_text64(stmt_.get(), index, text.data(), text.size(),
                               SQLITE_TRANSIENT, SQLITE_UTF8);
  if (rc != SQLITE_OK && bind_error_ == 0) bind_error_ = rc;
  return *this;
}

Statement& Statement::BindStatic(int index, std::string_view text) {
  int rc = sqlite3_bind_text64(stmt_.get(), index, text.data(), text.size(),
                               SQLITE_STATIC, SQLITE_UTF8);
  if (rc != SQLITE_OK && bind_error_ == 0) bind_error_ = rc;
  return *this;
}

Statement& Statement::BindNull(int index) {
  int rc = sqlite3_bind_null(stmt_.get(), index);
  if (rc != SQLITE_OK && bind_error_ == 0) bind_error_ = rc;
  return *this;
}

Statement& Statement::Bind(int index, const std::optional<bool>& value) {
  if (!value.has_value()) return BindNull(index);
  return Bind(index, *value);
}

Status Statement::BindStatus() const {
  if (bind_error_ == 0) return Status::Ok();
  return db_->Error(bind_error_, "binding a parameter");
}

Result<bool> Statement::Step() {
  ROTGUARD_RETURN_IF_ERROR(BindStatus());
  int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  // sqlite3_step's own code is generic for some errors; the connection
  // holds the extended one (e.g. SQLITE_CONSTRAINT_UNIQUE).
  return db_->Error(sqlite3_extended_errcode(db_->handle()),
                    sqlite3_sql(stmt_.get()));
}

Status Statement::Run() {
  for (;;) {
    Result<bool> row = Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::Ok();
  }
}

void Statement::Reset() {
  sqlite3_reset(stmt_.get());
  sqlite3_clear_bindings(stmt_.get());
  bind_error_ = 0;
}

int64_t Statement::ColumnInt(int column) const {
  return sqlite3_column_int64(stmt_.get(), column);
}

std::string Statement::ColumnText(int column) const {
  const unsigned char* text = sqlite3_column_text(stmt_.get(), column);
  if (text == nullptr) return {};
  int size = sqlite3_column_bytes(stmt_.get(), column);
  return std::string(reinterpret_cast<const char*>(text),
                     static_cast<size_t>(size));
}

bool Statement::ColumnIsNull(int column) const {
  return sqlite3_column_type(stmt_.get(), column) == SQLITE_NULL;
}

// --- SqliteDb ---

Result<SqliteDb> SqliteDb::Open(const std::string& path) {
  TurnOffMemoryStatistics();
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(
      path.c_str(), &raw,
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
      nullptr);
  SqliteDb db(path, SqlitePtr(raw));  // owns the handle even on failure
  if (rc != SQLITE_OK) return db.Error(rc, "opening the database");
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, kBusyTimeoutMs);
  // journal_mode is the first statement that reads the file: a file that
  // is not a database fails here, before anything is written to it.
  Result<Statement> wal = db.Prepare("PRAGMA journal_mode=WAL");
  if (!wal.ok()) return wal.status();
  Result<bool> row = wal->Step();
  if (!row.ok()) return row.status();
  if (!*row || wal->ColumnText(0) != "wal") {
    return Status::IOError(path + ": cannot switch the manifest to WAL mode");
  }
  // synchronous=NORMAL: in WAL mode a commit survives a crash of the
  // process (kill -9) and the file never corrupts; a power loss may drop
  // the last commits, which only leaves WARC records without manifest rows
  // (orphans `repair` re-indexes), never rows pointing at missing bytes,
  // because WARC bytes are synced before their batch commits (SPEC §4).
  ROTGUARD_RETURN_IF_ERROR(
      db.Exec("PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL;"));
  return db;
}

namespace {

// `path` as a "file:" URI (RFC 8089 as SQLite reads it): '%', '?' and '#'
// and every byte outside printable ASCII percent-encoded.
std::string FileUri(const std::string& path, const char* query) {
  constexpr char kHex[] = "0123456789ABCDEF";
  std::string uri = "file:";
  for (char c : path) {
    auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte >= 0x7f || c == '%' || c == '?' || c == '#') {
      uri += '%';
      uri += kHex[byte >> 4];
      uri += kHex[byte & 0xf];
    } else {
      uri += c;
    }
  }
  return uri + "?" + query;
}

}  // namespace

Result<SqliteDb> SqliteDb::OpenImmutable(const std::string& path) {
  TurnOffMemoryStatistics();
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(
      FileUri(path, "immutable=1").c_str(), &raw,
      SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, nullptr);
  SqliteDb db(path, SqlitePtr(raw));
  if (rc != SQLITE_OK) return db.Error(rc, "opening the database read-only");
  sqlite3_extended_result_codes(raw, 1);
  // The first read: a file that is not a database fails here.
  Result<int64_t> version = db.QueryInt("PRAGMA user_version");
  if (!version.ok()) return version.status();
  ROTGUARD_RETURN_IF_ERROR(db.Exec("PRAGMA foreign_keys=ON"));
  return db;
}

SqliteDb::SqliteDb(SqliteDb&& other) noexcept : path_(std::move(other.path_)) {
  other.cache_.clear();  // finalize before the handle changes hands
  db_ = std::move(other.db_);
}

SqliteDb& SqliteDb::operator=(SqliteDb&& other) noexcept {
  if (this != &other) {
    cache_.clear();
    other.cache_.clear();
    path_ = std::move(other.path_);
    db_ = std::move(other.db_);
  }
  return *this;
}

// Statements are finalized before the connection closes.
SqliteDb::~SqliteDb() { cache_.clear(); }

Result<CachedStatement> SqliteDb::PrepareCached(const std::string& sql) {
  auto found = cache_.find(sql);
  if (found == cache_.end()) {
    Result<Statement> stmt = Prepare(sql);
    if (!stmt.ok()) return stmt.status();
    found = cache_.emplace(sql, std::move(*stmt)).first;
  }
  return CachedStatement(&found->second);
}

Status SqliteDb::Exec(std::string_view sql) {
  std::string text(sql);
  char* errmsg = nullptr;
  int rc = sqlite3_exec(db_.get(), text.c_str(), nullptr, nullptr, &errmsg);
  sqlite3_free(errmsg);  // the connection's errmsg says the same
  if (rc != SQLITE_OK) {
    return Error(sqlite3_extended_errcode(db_.get()), text);
  }
  return Status::Ok();
}

Result<Statement> SqliteDb::Prepare(std::string_view sql) {
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v2(db_.get(), sql.data(),
                              static_cast<int>(sql.size()), &raw, nullptr);
  StmtPtr stmt(raw);
  if (rc != SQLITE_OK) return Error(rc, sql);
  return Statement(this, std::move(stmt));
}

Result<bool> SqliteDb::TrySetJournalMode(std::string_view mode) {
  // Leaving WAL mode needs the only connection: another one makes it
  // fail at once instead of after the busy timeout.
  Result<Statement> pragma =
      Prepare("PRAGMA journal_mode=" + std::string(mode));
  if (!pragma.ok()) return pragma.status();
  sqlite3_busy_timeout(db_.get(), 0);
  Result<bool> row = pragma->Step();
  sqlite3_busy_timeout(db_.get(), kBusyTimeoutMs);
  if (!row.ok()) {
    if (row.status().code() == ErrorCode::kLocked) return false;
    return row.status();
  }
  return *row && pragma->ColumnText(0) == mode;
}

Result<int64_t> SqliteDb::QueryInt(std::string_view sql) {
  Result<Statement> stmt = Prepare(sql);
  if (!stmt.ok()) return stmt.status();
  Result<bool> row = stmt->Step();
  if (!row.ok()) return row.status();
  if (!*row)
    return Status::Internal(path_ + ": no result for " + std::string(sql));
  return stmt->ColumnInt(0);
}

int64_t SqliteDb::LastInsertRowId() const {
  return sqlite3_last_insert_rowid(db_.get());
}

Status SqliteDb::Error(int rc, std::string_view what) const {
  std::string detail = db_ ? sqlite3_errmsg(db_.get()) : sqlite3_errstr(rc);
  std::string msg = path_ + ": " + detail + " (" + std::string(what) + ")";
  switch (rc & 0xff) {  // the primary code of an extended one
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Status::Corruption(path_ +
                                ": manifest is damaged or not a "
                                "SQLite database: " +
                                detail);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::Locked(msg);
    case SQLITE_CONSTRAINT:
    case SQLITE_MISMATCH:
    case SQLITE_RANGE:
    case SQLITE_TOOBIG:
      return Status::InvalidArgument(msg);
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_READONLY:
    case SQLITE_FULL:
    case SQLITE_PERM:
      return Status::IOError(msg);
    default:
      return Status::Internal(msg);
  }
}

// --- Transaction ---

Result<Transaction> Transaction::Begin(SqliteDb& db) {
  ROTGUARD_RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
  return Transaction(&db);
}

Transaction::~Transaction() {
  if (db_ == nullptr) return;
  // Ignored on purpose: a failed rollback leaves the transaction to
  // SQLite, which rolls it back when the connection closes.
  sqlite3_exec(db_->handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

Status Transaction::Commit() {
  if (db_ == nullptr) return Status::Internal("transaction already ended");
  Status status = db_->Exec("COMMIT");
  if (status.ok()) db_ = nullptr;  // else the destructor rolls back
  return status;
}

}  // namespace rotguard
