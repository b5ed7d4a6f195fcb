#include "manifest/pg_db.h"

#include <cstdlib>
#include <cstring>

namespace rotguard {
namespace {

constexpr Oid kInt8Oid = 20;
constexpr Oid kTextOid = 25;

void IgnoreNotice(void* /*arg*/, const PGresult* /*result*/) {}

bool IsOk(const PGresult* result) {
  ExecStatusType status = PQresultStatus(result);
  return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
}

}  // namespace

bool IsPostgresUrl(std::string_view location) {
  return location.starts_with("postgresql://") ||
         location.starts_with("postgres://");
}

std::string RedactPostgresUrl(const std::string& url) {
  size_t scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  size_t start = scheme + 3;
  size_t at = url.find('@', start);
  size_t slash = url.find('/', start);
  if (at == std::string::npos || (slash != std::string::npos && slash < at)) {
    return url;
  }
  size_t colon = url.find(':', start);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon + 1) + "***" + url.substr(at);
}

PgParams& PgParams::Add(int64_t value) {
  values_.push_back(std::to_string(value));
  nulls_.push_back(false);
  types_.push_back(kInt8Oid);
  return *this;
}

PgParams& PgParams::Add(std::string_view text) {
  values_.emplace_back(text);
  nulls_.push_back(false);
  types_.push_back(kTextOid);
  return *this;
}

PgParams& PgParams::Add(const std::optional<bool>& value) {
  if (!value.has_value()) return AddNullInt();
  return Add(*value);
}

PgParams& PgParams::AddNullInt() {
  values_.emplace_back();
  nulls_.push_back(true);
  types_.push_back(kInt8Oid);
  return *this;
}

PgParams& PgParams::AddNullText() {
  values_.emplace_back();
  nulls_.push_back(true);
  types_.push_back(kTextOid);
  return *this;
}

PgParams::Arrays PgParams::ToArrays() const {
  Arrays arrays;
  for (size_t i = 0; i < values_.size(); ++i) {
    arrays.values.push_back(nulls_[i] ? nullptr : values_[i].c_str());
    arrays.lengths.push_back(static_cast<int>(values_[i].size()));
    // Text in binary format is its raw bytes with a length; an int8 in
    // binary would need network order, so integers go as text.
    arrays.formats.push_back(types_[i] == kTextOid ? 1 : 0);
  }
  return arrays;
}

int64_t PgRows::Int(int row, int column) const {
  if (IsNull(row, column)) return 0;
  return std::strtoll(PQgetvalue(result_.get(), row, column), nullptr, 10);
}

std::string PgRows::Text(int row, int column) const {
  return std::string(
      PQgetvalue(result_.get(), row, column),
      static_cast<size_t>(PQgetlength(result_.get(), row, column)));
}

int64_t PgRows::Affected() const {
  return std::strtoll(PQcmdTuples(result_.get()), nullptr, 10);
}

Result<PgDb> PgDb::Connect(const std::string& url) {
  std::string name = RedactPostgresUrl(url);
  PgConnPtr conn(PQconnectdb(url.c_str()));
  if (conn == nullptr) {
    return Status::ResourceExhausted(name + ": out of memory connecting");
  }
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    std::string message = PQerrorMessage(conn.get());
    while (!message.empty() && message.back() == '\n') message.pop_back();
    return Status::IOError(name + ": cannot connect: " + message);
  }
  PQsetNoticeReceiver(conn.get(), IgnoreNotice, nullptr);
  if (PQsetClientEncoding(conn.get(), "UTF8") != 0) {
    return Status::IOError(name + ": cannot set the client encoding");
  }
  PgDb db(std::move(name), std::move(conn));
  // Row order must be byte order, as SQLite's BINARY collation gives:
  // the schema declares COLLATE "C" on every text column for that.
  ROTGUARD_RETURN_IF_ERROR(db.Exec("SET client_min_messages = warning"));
  return db;
}

Status PgDb::Error(const PGresult* result, std::string_view what) const {
  std::string message = result != nullptr ? PQresultErrorMessage(result) : "";
  if (message.empty()) message = PQerrorMessage(conn_.get());
  while (!message.empty() && message.back() == '\n') message.pop_back();
  std::string text = name_ + ": " + std::string(what) + ": " + message;
  const char* state = result != nullptr
                          ? PQresultErrorField(result, PG_DIAG_SQLSTATE)
                          : nullptr;
  if (state != nullptr && std::strncmp(state, "23", 2) == 0) {
    return Status::InvalidArgument(text);
  }
  if (state != nullptr &&
      (std::strcmp(state, "40001") == 0 || std::strcmp(state, "40P01") == 0)) {
    return Status::Locked(text);
  }
  return Status::IOError(text);
}

Result<PgRows> PgDb::Check(PgResultPtr result, std::string_view what) const {
  if (result == nullptr || !IsOk(result.get())) {
    return Error(result.get(), what);
  }
  return PgRows(std::move(result));
}

Status PgDb::Exec(std::string_view sql) {
  std::string text(sql);
  PgResultPtr result(PQexec(conn_.get(), text.c_str()));
  Result<PgRows> rows = Check(std::move(result), "executing SQL");
  return rows.status();
}

std::pair<std::string, bool> PgDb::StatementName(const std::string& sql) {
  auto it = prepared_.find(sql);
  if (it != prepared_.end()) return {it->second, true};
  return {"rg" + std::to_string(++statements_), false};
}

Result<PgRows> PgDb::Query(const std::string& sql, const PgParams& params) {
  auto [name, known] = StatementName(sql);
  if (!known) {
    PgResultPtr prepared(PQprepare(conn_.get(), name.c_str(), sql.c_str(),
                                   params.size(), params.types().data()));
    Result<PgRows> ok = Check(std::move(prepared), "preparing a statement");
    if (!ok.ok()) return ok.status();
    prepared_.emplace(sql, name);
  }
  PgParams::Arrays arrays = params.ToArrays();
  PgResultPtr result(PQexecPrepared(conn_.get(), name.c_str(), params.size(),
                                    arrays.values.data(), arrays.lengths.data(),
                                    arrays.formats.data(), /*resultFormat=*/0));
  return Check(std::move(result), "running a statement");
}

Result<PgRows> PgDb::QueryOnce(const std::string& sql, const PgParams& params) {
  PgParams::Arrays arrays = params.ToArrays();
  PgResultPtr result(PQexecParams(conn_.get(), sql.c_str(), params.size(),
                                  params.types().data(), arrays.values.data(),
                                  arrays.lengths.data(), arrays.formats.data(),
                                  /*resultFormat=*/0));
  return Check(std::move(result), "running a statement");
}

Result<PgTransaction> PgTransaction::Begin(PgDb& db) {
  ROTGUARD_RETURN_IF_ERROR(db.Exec("BEGIN"));
  return PgTransaction(&db);
}

PgTransaction::~PgTransaction() {
  if (db_ != nullptr) (void)db_->Exec("ROLLBACK");
}

Status PgTransaction::Commit() {
  PgDb* db = std::exchange(db_, nullptr);
  if (db == nullptr) return Status::Internal("transaction already ended");
  Status status = db->Exec("COMMIT");
  if (!status.ok()) (void)db->Exec("ROLLBACK");
  return status;
}

namespace {
// Answers a pipeline may hold before it syncs and reads them: a few
// hundred KiB of replies at most, well within loopback and WAN socket
// buffers, so the server never blocks on a client that is still sending.
constexpr size_t kPipelineDepth = 1000;
}  // namespace

PgPipeline::PgPipeline(PgDb& db, bool transaction)
    : db_(db), transaction_(transaction) {
  if (PQenterPipelineMode(db_.conn_.get()) != 1) {
    status_ = db_.Error(nullptr, "entering pipeline mode");
    return;
  }
  if (transaction_) Send("BEGIN");
}

PgPipeline::~PgPipeline() {
  if (!finished_) (void)Finish();
}

void PgPipeline::Fail(Status status) {
  if (status_.ok()) status_ = std::move(status);
}

void PgPipeline::Send(const std::string& sql, const PgParams& params) {
  if (!status_.ok()) return;
  PGconn* conn = db_.conn_.get();
  auto [name, known] = db_.StatementName(sql);
  if (!known) {
    if (PQsendPrepare(conn, name.c_str(), sql.c_str(), params.size(),
                      params.types().data()) != 1) {
      return Fail(db_.Error(nullptr, "preparing a statement"));
    }
    // Counted as prepared now; dropped again if its Parse fails.
    db_.prepared_.emplace(sql, name);
    pending_.push_back({sql, "preparing a statement"});
  }
  PgParams::Arrays arrays = params.ToArrays();
  if (PQsendQueryPrepared(conn, name.c_str(), params.size(),
                          arrays.values.data(), arrays.lengths.data(),
                          arrays.formats.data(), /*resultFormat=*/0) != 1) {
    return Fail(db_.Error(nullptr, "sending a statement"));
  }
  pending_.push_back({"", "running a statement"});
  if (pending_.size() >= kPipelineDepth) Drain();
}

void PgPipeline::ReadOne(const Pending& pending) {
  PgResultPtr result(PQgetResult(db_.conn_.get()));
  if (result == nullptr) {
    return Fail(db_.Error(nullptr, pending.what));
  }
  ExecStatusType status = PQresultStatus(result.get());
  if (status == PGRES_PIPELINE_ABORTED) {
    Fail(Status::IOError(db_.name() + ": " + pending.what +
                         ": skipped after an earlier failure"));
  } else if (!IsOk(result.get())) {
    Fail(db_.Error(result.get(), pending.what));
  }
  if (!pending.prepares.empty() && status != PGRES_COMMAND_OK) {
    db_.prepared_.erase(pending.prepares);  // never reached the server
  }
  // Each statement's results end with a null.
  PgResultPtr end(PQgetResult(db_.conn_.get()));
}

void PgPipeline::Drain() {
  PGconn* conn = db_.conn_.get();
  if (PQpipelineSync(conn) != 1) {
    Fail(db_.Error(nullptr, "syncing a pipeline"));
    pending_.clear();
    return;
  }
  for (const Pending& pending : pending_) ReadOne(pending);
  pending_.clear();
  PgResultPtr sync(PQgetResult(conn));
  if (sync == nullptr || PQresultStatus(sync.get()) != PGRES_PIPELINE_SYNC) {
    Fail(db_.Error(sync.get(), "syncing a pipeline"));
  }
}

Status PgPipeline::Finish() {
  if (finished_) return Status::Internal("pipeline already finished");
  finished_ = true;
  PGconn* conn = db_.conn_.get();
  if (PQpipelineStatus(conn) == PQ_PIPELINE_OFF) return status_;
  if (transaction_ && status_.ok()) Send("COMMIT");
  Drain();
  if (PQexitPipelineMode(conn) != 1)
    Fail(db_.Error(nullptr, "leaving pipeline mode"));
  // A failed statement leaves the transaction aborted (or, when COMMIT
  // itself failed, ended): ROLLBACK makes the connection usable again.
  if (!status_.ok() && transaction_) (void)db_.Exec("ROLLBACK");
  return status_;
}

}  // namespace rotguard
