#include "manifest/pg_manifest.h"

#include <chrono>
#include <nlohmann/json.hpp>
#include <unordered_set>
#include <utility>

#include "manifest/pg_schema.h"
#include "manifest/schema.h"
#include "rotguard/url.h"

namespace rotguard {
namespace {

int64_t NowUnix() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The column lists and row readers, in the order of the SQLite backend's.
constexpr const char* kDocumentColumns =
    "path, sha256, title, date, draft, last_scanned, public_url";

DocumentRow ReadDocument(const PgRows& r, int i) {
  DocumentRow doc;
  doc.path = r.Text(i, 0);
  doc.sha256 = r.Text(i, 1);
  doc.title = r.Text(i, 2);
  doc.date = r.Text(i, 3);
  if (!r.IsNull(i, 4)) doc.draft = r.Int(i, 4) != 0;
  doc.last_scanned_unix = r.Int(i, 5);
  doc.public_url = r.Text(i, 6);
  return doc;
}

constexpr const char* kUrlColumns =
    "id, normalized, surt, first_seen, verdict, consecutive_failures, "
    "last_ok, last_failure, failure_class, "
    "(SELECT coalesce(max(captured_at_us), 0) FROM captures "
    "WHERE captures.url_id = urls.id AND captures.lost = 0), "
    "final_url, asset_key";

UrlRow ReadUrl(const PgRows& r, int i) {
  UrlRow url;
  url.id = r.Int(i, 0);
  url.normalized = r.Text(i, 1);
  url.surt = r.Text(i, 2);
  url.first_seen_unix = r.Int(i, 3);
  url.verdict = r.Text(i, 4);
  url.consecutive_failures = static_cast<int>(r.Int(i, 5));
  url.last_ok_unix = r.Int(i, 6);
  url.last_failure_unix = r.Int(i, 7);
  url.failure_class = r.Text(i, 8);
  url.last_capture_us = r.Int(i, 9);
  url.final_url = r.Text(i, 10);
  url.asset_key = r.Text(i, 11);
  return url;
}

constexpr const char* kWarcFileColumns =
    "name, state, size, sha256, record_count, created, closed, mtime_ns, "
    "inode, last_verified, imported";

WarcFileRow ReadWarcFile(const PgRows& r, int i) {
  WarcFileRow file;
  file.name = r.Text(i, 0);
  file.state =
      r.Text(i, 1) == "closed" ? WarcFileState::kClosed : WarcFileState::kOpen;
  file.size = r.Int(i, 2);
  file.sha256 = r.Text(i, 3);
  file.record_count = r.Int(i, 4);
  file.created_unix = r.Int(i, 5);
  file.closed_unix = r.Int(i, 6);
  file.mtime_ns = r.Int(i, 7);
  file.inode = r.Int(i, 8);
  file.last_verified_unix = r.Int(i, 9);
  file.imported = r.Int(i, 10) != 0;
  return file;
}

// Every WarcFileRow column in kWarcFileColumns order, as $1..$11.
PgParams WarcFileParams(const WarcFileRow& file) {
  PgParams p;
  p.Add(file.name)
      .Add(WarcFileStateName(file.state))
      .Add(file.size)
      .Add(file.sha256)
      .Add(file.record_count)
      .Add(file.created_unix)
      .Add(file.closed_unix)
      .Add(file.mtime_ns)
      .Add(file.inode)
      .Add(file.last_verified_unix)
      .Add(file.imported);
  return p;
}

constexpr const char* kCaptureSelect =
    "SELECT c.id, c.url, u.normalized, c.captured_at_us, c.http_status, "
    "c.final_url, c.chain_id, c.hop_index, c.warc_file, c.record_offset, "
    "c.compressed_length, c.record_id, c.block_sha1, c.payload_sha1, "
    "c.payload_sha256, c.content_type, c.payload_length, c.revisit_of, "
    "c.source, c.run_id, c.truncated, c.lost, c.archive, c.memento_at_us, "
    "c.quality FROM captures c JOIN urls u ON u.id = c.url_id ";

CaptureRow ReadCapture(const PgRows& r, int i) {
  CaptureRow c;
  c.id = r.Int(i, 0);
  c.url = r.Text(i, 1);
  c.normalized = r.Text(i, 2);
  c.captured_at_us = r.Int(i, 3);
  c.http_status = static_cast<int>(r.Int(i, 4));
  c.final_url = r.Text(i, 5);
  c.chain_id = r.Text(i, 6);
  c.hop_index = static_cast<int>(r.Int(i, 7));
  c.warc_file = r.Text(i, 8);
  c.record_offset = r.Int(i, 9);
  c.compressed_length = r.Int(i, 10);
  c.record_id = r.Text(i, 11);
  c.block_sha1 = r.Text(i, 12);
  c.payload_sha1 = r.Text(i, 13);
  c.payload_sha256 = r.Text(i, 14);
  c.content_type = r.Text(i, 15);
  c.payload_length = r.Int(i, 16);
  c.revisit_of = r.Text(i, 17);
  c.source = r.Text(i, 18);
  c.run_id = r.Int(i, 19);  // NULL reads as 0: none
  c.truncated = r.Int(i, 20) != 0;
  c.lost = r.Int(i, 21) != 0;
  c.archive = r.Text(i, 22);
  c.memento_at_us = r.Int(i, 23);
  c.quality = r.Text(i, 24);
  return c;
}

constexpr const char* kRecordSelectFrom =
    "SELECT warc_file, file_offset, compressed_length, type, record_id, "
    "target_uri, date, block_digest, payload_digest, lost, forgotten "
    "FROM records ";

constexpr const char* kRecordSelect =
    "SELECT warc_file, file_offset, compressed_length, type, record_id, "
    "target_uri, date, block_digest, payload_digest, lost, forgotten "
    "FROM records WHERE warc_file = $1 ORDER BY file_offset";

RecordRow ReadRecord(const PgRows& r, int i) {
  RecordRow rec;
  rec.warc_file = r.Text(i, 0);
  rec.offset = r.Int(i, 1);
  rec.compressed_length = r.Int(i, 2);
  rec.type = r.Text(i, 3);
  rec.record_id = r.Text(i, 4);
  rec.target_uri = r.Text(i, 5);
  rec.date = r.Text(i, 6);
  rec.block_digest = r.Text(i, 7);
  rec.payload_digest = r.Text(i, 8);
  rec.lost = r.Int(i, 9) != 0;
  rec.forgotten = r.Int(i, 10) != 0;
  return rec;
}

template <typename Row>
using ReadFn = Row (*)(const PgRows&, int);

template <typename Row>
std::vector<Row> AllRows(const PgRows& rows, ReadFn<Row> read) {
  std::vector<Row> out;
  out.reserve(static_cast<size_t>(rows.size()));
  for (int i = 0; i < rows.size(); ++i) out.push_back(read(rows, i));
  return out;
}

template <typename Row>
Result<std::optional<Row>> FirstRow(Result<PgRows> rows, ReadFn<Row> read) {
  if (!rows.ok()) return rows.status();
  if (rows->size() == 0) return std::optional<Row>();
  return std::optional<Row>(read(*rows, 0));
}

// Rows one batch at a time through a server-side cursor. WITH HOLD lets
// it live outside a transaction (and across the caller's own ones).
template <typename Row>
class PgCursor final : public RowCursor<Row> {
 public:
  static constexpr int kBatch = 1000;
  PgCursor(PgDb* db, std::string name, ReadFn<Row> read)
      : db_(db), name_(std::move(name)), read_(read) {}
  ~PgCursor() override { (void)db_->Exec("CLOSE " + name_); }
  Result<bool> Next(Row* row) override {
    if (!rows_.has_value() || next_ == rows_->size()) {
      if (done_) return false;
      Result<PgRows> batch = db_->QueryOnce(
          "FETCH FORWARD " + std::to_string(kBatch) + " FROM " + name_);
      if (!batch.ok()) return batch.status();
      done_ = batch->size() < kBatch;
      rows_.emplace(std::move(*batch));
      next_ = 0;
      if (rows_->size() == 0) return false;
    }
    *row = read_(*rows_, next_++);
    return true;
  }

 private:
  PgDb* db_;
  std::string name_;
  ReadFn<Row> read_;
  std::optional<PgRows> rows_;
  int next_ = 0;
  bool done_ = false;
};

template <typename Row>
Result<std::unique_ptr<RowCursor<Row>>> OpenCursor(PgDb& db,
                                                   const std::string& sql,
                                                   const PgParams& params,
                                                   ReadFn<Row> read) {
  std::string name = db.NextCursorName();
  Result<PgRows> declared = db.QueryOnce(
      "DECLARE " + name + " NO SCROLL CURSOR WITH HOLD FOR " + sql, params);
  if (!declared.ok()) return declared.status();
  return std::unique_ptr<RowCursor<Row>>(
      std::make_unique<PgCursor<Row>>(&db, std::move(name), read));
}

}  // namespace

Result<std::unique_ptr<PgManifest>> PgManifest::Open(const std::string& url) {
  Result<PgDb> db = PgDb::Connect(url);
  if (!db.ok()) return db.status();
  std::unique_ptr<PgManifest> manifest(new PgManifest(std::move(*db)));
  ROTGUARD_RETURN_IF_ERROR(MigratePgSchema(manifest->db_, kSchemaVersion));
  return manifest;
}

int PgManifest::SchemaVersion() {
  Result<int64_t> version = PgSchemaVersion(db_);
  return version.ok() ? static_cast<int>(*version) : -1;
}

Status PgManifest::ExpectOneRowChanged(const PgRows& rows,
                                       const std::string& what) {
  if (rows.Affected() == 1) return Status::Ok();
  return Status::NotFound(db_.name() + ": no " + what);
}

// The id of the `urls` row of `normalized`, created (with its SURT) when
// missing. ON CONFLICT DO NOTHING: another process may insert it first.
Result<int64_t> PgManifest::UrlId(const std::string& normalized,
                                  int64_t now_unix) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    Result<PgRows> found =
        db_.Query("SELECT id FROM urls WHERE normalized = $1",
                  PgParams().Add(normalized));
    if (!found.ok()) return found.status();
    if (found->size() > 0) return found->Int(0, 0);
    Result<PgRows> inserted = db_.Query(
        "INSERT INTO urls (normalized, surt, first_seen) VALUES ($1, $2, $3) "
        "ON CONFLICT (normalized) DO NOTHING RETURNING id",
        PgParams().Add(normalized).Add(Surt(normalized)).Add(now_unix));
    if (!inserted.ok()) return inserted.status();
    if (inserted->size() > 0) return inserted->Int(0, 0);
  }
  return Status::Internal(db_.name() + ": url " + normalized +
                          " neither found nor inserted");
}

// --- documents and links ---

Result<bool> PgManifest::RecordScan(const DocumentRow& doc,
                                    const std::vector<LinkRow>& links) {
  Result<PgTransaction> txn = PgTransaction::Begin(db_);
  if (!txn.ok()) return txn.status();
  Result<bool> changed = ApplyScan(doc, links);
  if (!changed.ok()) return changed.status();
  ROTGUARD_RETURN_IF_ERROR(txn->Commit());
  return *changed;
}

Result<std::vector<std::string>> PgManifest::RecordScans(
    const std::vector<DocumentScan>& scans) {
  Result<PgTransaction> txn = PgTransaction::Begin(db_);
  if (!txn.ok()) return txn.status();
  std::vector<std::string> changed_paths;
  for (const DocumentScan& scan : scans) {
    Result<bool> changed = ApplyScan(scan.document, scan.links);
    if (!changed.ok()) return changed.status();
    if (*changed) changed_paths.push_back(scan.document.path);
  }
  ROTGUARD_RETURN_IF_ERROR(txn->Commit());
  return changed_paths;
}

// As SqliteScanWriter: one transaction for a whole `scan --update`.
class PgManifest::PgScanWriter final : public ScanWriter {
 public:
  PgScanWriter(PgManifest* manifest, PgTransaction txn)
      : manifest_(manifest), txn_(std::move(txn)) {}
  Status Add(const std::vector<DocumentScan>& scans) override {
    for (const DocumentScan& scan : scans) {
      Result<bool> changed = manifest_->ApplyScan(scan.document, scan.links);
      if (!changed.ok()) return changed.status();
      if (*changed) changed_paths_.push_back(scan.document.path);
    }
    return Status::Ok();
  }
  Result<std::vector<std::string>> Commit() override {
    ROTGUARD_RETURN_IF_ERROR(txn_.Commit());
    return std::move(changed_paths_);
  }

 private:
  PgManifest* manifest_;
  PgTransaction txn_;  // rolled back on destruction unless committed
  std::vector<std::string> changed_paths_;
};

Result<std::unique_ptr<ScanWriter>> PgManifest::BeginScans() {
  Result<PgTransaction> txn = PgTransaction::Begin(db_);
  if (!txn.ok()) return txn.status();
  return std::unique_ptr<ScanWriter>(
      std::make_unique<PgScanWriter>(this, std::move(*txn)));
}

Result<bool> PgManifest::ApplyScan(const DocumentRow& doc,
                                   const std::vector<LinkRow>& links) {
  Result<PgRows> found =
      db_.Query("SELECT sha256, public_url FROM documents WHERE path = $1",
                PgParams().Add(doc.path));
  if (!found.ok()) return found.status();
  // A new public URL (the site's permalink rules changed) counts as a
  // change: the post's resource record is written again under it.
  if (found->size() > 0 && found->Text(0, 0) == doc.sha256 &&
      found->Text(0, 1) == doc.public_url) {
    Result<PgRows> touch =
        db_.Query("UPDATE documents SET last_scanned = $2 WHERE path = $1",
                  PgParams().Add(doc.path).Add(doc.last_scanned_unix));
    if (!touch.ok()) return touch.status();
    return false;
  }
  Result<PgRows> upsert = db_.Query(
      "INSERT INTO documents (path, sha256, title, date, draft, last_scanned, "
      "public_url) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (path) DO "
      "UPDATE SET sha256 = EXCLUDED.sha256, title = EXCLUDED.title, "
      "date = EXCLUDED.date, draft = EXCLUDED.draft, "
      "last_scanned = EXCLUDED.last_scanned, public_url = EXCLUDED.public_url "
      "RETURNING id",
      PgParams()
          .Add(doc.path)
          .Add(doc.sha256)
          .Add(doc.title)
          .Add(doc.date)
          .Add(doc.draft)
          .Add(doc.last_scanned_unix)
          .Add(doc.public_url));
  if (!upsert.ok()) return upsert.status();
  int64_t document_id = upsert->Int(0, 0);
  Result<PgRows> clear = db_.Query("DELETE FROM links WHERE document_id = $1",
                                   PgParams().Add(document_id));
  if (!clear.ok()) return clear.status();
  ROTGUARD_RETURN_IF_ERROR(
      InsertLinks(document_id, links, doc.last_scanned_unix));
  return true;
}

Status PgManifest::InsertLinks(int64_t document_id,
                               const std::vector<LinkRow>& links,
                               int64_t now_unix) {
  for (const LinkRow& link : links) {
    PgParams p;
    p.Add(document_id);
    if (link.normalized.empty()) {
      p.AddNullInt();
    } else {
      Result<int64_t> url_id = UrlId(link.normalized, now_unix);
      if (!url_id.ok()) return url_id.status();
      p.Add(*url_id);
    }
    p.Add(link.kind)
        .Add(link.written)
        .Add(link.url)
        .Add(link.normalized)
        .Add(link.line)
        .Add(link.column)
        .Add(link.start)
        .Add(link.end);
    Result<PgRows> inserted = db_.Query(
        "INSERT INTO links (document_id, url_id, kind, written, url, "
        "normalized, line, col, start_offset, end_offset) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        p);
    if (!inserted.ok()) return inserted.status();
  }
  return Status::Ok();
}

Result<std::optional<DocumentRow>> PgManifest::FindDocument(
    const std::string& path) {
  return FirstRow<DocumentRow>(
      db_.Query(std::string("SELECT ") + kDocumentColumns +
                    " FROM documents WHERE path = $1",
                PgParams().Add(path)),
      ReadDocument);
}

Result<std::vector<DocumentRow>> PgManifest::ListDocuments() {
  Result<PgRows> rows = db_.Query(std::string("SELECT ") + kDocumentColumns +
                                  " FROM documents ORDER BY path");
  if (!rows.ok()) return rows.status();
  return AllRows<DocumentRow>(*rows, ReadDocument);
}

Result<std::vector<LinkRow>> PgManifest::LinksOf(const std::string& path) {
  Result<PgRows> rows = db_.Query(
      "SELECT l.kind, l.written, l.url, l.normalized, l.line, l.col, "
      "l.start_offset, l.end_offset FROM links l "
      "JOIN documents d ON d.id = l.document_id WHERE d.path = $1 "
      "ORDER BY l.start_offset, l.id",
      PgParams().Add(path));
  if (!rows.ok()) return rows.status();
  return AllRows<LinkRow>(*rows, [](const PgRows& r, int i) {
    LinkRow link;
    link.kind = r.Text(i, 0);
    link.written = r.Text(i, 1);
    link.url = r.Text(i, 2);
    link.normalized = r.Text(i, 3);
    link.line = static_cast<int>(r.Int(i, 4));
    link.column = static_cast<int>(r.Int(i, 5));
    link.start = r.Int(i, 6);
    link.end = r.Int(i, 7);
    return link;
  });
}

// --- urls ---

Result<int64_t> PgManifest::EnsureUrl(const std::string& normalized,
                                      int64_t now_unix) {
  return UrlId(normalized, now_unix);
}

Result<std::optional<UrlRow>> PgManifest::FindUrl(
    const std::string& normalized) {
  return FirstRow<UrlRow>(db_.Query(std::string("SELECT ") + kUrlColumns +
                                        " FROM urls WHERE normalized = $1",
                                    PgParams().Add(normalized)),
                          ReadUrl);
}

Result<std::vector<UrlRow>> PgManifest::QueryUrls(const std::string& sql,
                                                  const PgParams& params) {
  Result<PgRows> rows = db_.Query(sql, params);
  if (!rows.ok()) return rows.status();
  return AllRows<UrlRow>(*rows, ReadUrl);
}

Result<std::vector<UrlRow>> PgManifest::ListLinkedUrls() {
  return QueryUrls(std::string("SELECT ") + kUrlColumns +
                       " FROM urls WHERE id IN (SELECT url_id FROM links) "
                       "AND normalized NOT IN "
                       "(SELECT normalized FROM tombstones) "
                       "ORDER BY normalized",
                   {});
}

Result<std::vector<UrlRow>> PgManifest::ListUrls() {
  return QueryUrls(
      std::string("SELECT ") + kUrlColumns + " FROM urls ORDER BY normalized",
      {});
}

Status PgManifest::UpdateUrlHealth(const UrlRow& url) {
  Result<PgRows> rows = db_.Query(
      "UPDATE urls SET verdict = $2, consecutive_failures = $3, "
      "last_ok = $4, last_failure = $5, failure_class = $6 "
      "WHERE normalized = $1",
      PgParams()
          .Add(url.normalized)
          .Add(url.verdict)
          .Add(url.consecutive_failures)
          .Add(url.last_ok_unix)
          .Add(url.last_failure_unix)
          .Add(url.failure_class));
  if (!rows.ok()) return rows.status();
  return ExpectOneRowChanged(*rows, "url " + url.normalized);
}

Status PgManifest::UpdateUrlsBatch(const std::vector<UrlRow>& urls) {
  if (urls.empty()) return Status::Ok();
  Result<PgTransaction> txn = PgTransaction::Begin(db_);
  if (!txn.ok()) return txn.status();
  ROTGUARD_RETURN_IF_ERROR(UpdateUrlRows(urls));
  return txn->Commit();
}

Status PgManifest::UpdateUrlRows(const std::vector<UrlRow>& urls) {
  PgPipeline pipe(db_, /*transaction=*/false);
  EnsuredUrls ensured;
  SendUrlRows(pipe, urls, &ensured);
  return pipe.Finish();
}

// As UrlId() without waiting for the id: statements that follow find it
// by key. The NOT EXISTS keeps the id sequence from advancing for URLs
// that have a row; ON CONFLICT covers another writer inserting it first.
void PgManifest::SendEnsureUrl(PgPipeline& pipe, const std::string& normalized,
                               int64_t now_unix, EnsuredUrls* ensured) {
  if (!ensured->insert(normalized).second) return;
  pipe.Send(
      "INSERT INTO urls (normalized, surt, first_seen) SELECT $1, $2, $3 "
      "WHERE NOT EXISTS (SELECT 1 FROM urls WHERE normalized = $1) "
      "ON CONFLICT (normalized) DO NOTHING",
      PgParams().Add(normalized).Add(Surt(normalized)).Add(now_unix));
}

void PgManifest::SendUrlRows(PgPipeline& pipe, const std::vector<UrlRow>& urls,
                             EnsuredUrls* ensured) {
  int64_t now = NowUnix();
  for (const UrlRow& url : urls) {
    SendEnsureUrl(pipe, url.normalized, now, ensured);
    pipe.Send(
        "UPDATE urls SET verdict = $2, consecutive_failures = $3, "
        "last_ok = $4, last_failure = $5, failure_class = $6, "
        "final_url = $7, asset_key = $8 WHERE normalized = $1",
        PgParams()
            .Add(url.normalized)
            .Add(url.verdict)
            .Add(url.consecutive_failures)
            .Add(url.last_ok_unix)
            .Add(url.last_failure_unix)
            .Add(url.failure_class)
            .Add(url.final_url)
            .Add(url.asset_key));
  }
}

// --- WARC files and records ---

Status PgManifest::AddWarcFile(const WarcFileRow& file) {
  return db_
      .Query(std::string("INSERT INTO warc_files (") + kWarcFileColumns +
                 ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
             WarcFileParams(file))
      .status();
}

Status PgManifest::AddWarcFileWithRows(
    const WarcFileRow& file, const std::vector<RecordRow>& records,
    const std::vector<CaptureRow>& captures) {
  Result<PgTransaction> txn = PgTransaction::Begin(db_);
  if (!txn.ok()) return txn.status();
  ROTGUARD_RETURN_IF_ERROR(AddWarcFile(file));
  ROTGUARD_RETURN_IF_ERROR(InsertRecords(records));
  ROTGUARD_RETURN_IF_ERROR(InsertCaptures(captures));
  return txn->Commit();
}

// As SqliteWarcFileWriter: the file row first, its final columns at
// Commit(); the open transaction hides all of it until then.
class PgManifest::PgWarcFileWriter final : public Manifest::WarcFileWriter {
 public:
  PgWarcFileWriter(PgManifest* manifest, PgTransaction txn)
      : manifest_(manifest), txn_(std::move(txn)) {}
  Status Add(const std::vector<RecordRow>& records,
             const std::vector<CaptureRow>& captures) override {
    ROTGUARD_RETURN_IF_ERROR(manifest_->InsertRecords(records));
    return manifest_->InsertCaptures(captures);
  }
  Status Commit(const WarcFileRow& file) override {
    ROTGUARD_RETURN_IF_ERROR(manifest_->UpdateWarcFile(file));
    return txn_.Commit();
  }

 private:
  PgManifest* manifest_;
  PgTransaction txn_;  // rolled back on destruction unless committed
};

Result<std::unique_ptr<Manifest::WarcFileWriter>> PgManifest::BeginWarcFile(
    const WarcFileRow& file) {
  Result<PgTransaction> txn = PgTransaction::Begin(db_);
  if (!txn.ok()) return txn.status();
  ROTGUARD_RETURN_IF_ERROR(AddWarcFile(file));
  return std::unique_ptr<WarcFileWriter>(
      std::make_unique<PgWarcFileWriter>(this, std::move(*txn)));
}

Status PgManifest::CloseWarcFile(const std::string& name, int64_t size,
                                 const std::string& sha256,
                                 int64_t record_count) {
  Result<PgRows> rows = db_.Query(
      "UPDATE warc_files SET state = 'closed', size = $2, sha256 = $3, "
      "record_count = $4, closed = $5 WHERE name = $1",
      PgParams()
          .Add(name)
          .Add(size)
          .Add(sha256)
          .Add(record_count)
          .Add(NowUnix()));
  if (!rows.ok()) return rows.status();
  return ExpectOneRowChanged(*rows, "WARC file " + name);
}

Status PgManifest::UpdateWarcFile(const WarcFileRow& file) {
  Result<PgRows> rows = db_.Query(
      "UPDATE warc_files SET state = $2, size = $3, sha256 = $4, "
      "record_count = $5, created = $6, closed = $7, mtime_ns = $8, "
      "inode = $9, last_verified = $10, imported = $11 WHERE name = $1",
      WarcFileParams(file));
  if (!rows.ok()) return rows.status();
  return ExpectOneRowChanged(*rows, "WARC file " + file.name);
}

Result<std::vector<WarcFileRow>> PgManifest::QueryWarcFiles(
    const std::string& where, const PgParams& params) {
  Result<PgRows> rows =
      db_.Query(std::string("SELECT ") + kWarcFileColumns +
                    " FROM warc_files " + where + " ORDER BY name",
                params);
  if (!rows.ok()) return rows.status();
  return AllRows<WarcFileRow>(*rows, ReadWarcFile);
}

Result<std::optional<WarcFileRow>> PgManifest::FindWarcFile(
    const std::string& name) {
  Result<std::vector<WarcFileRow>> rows =
      QueryWarcFiles("WHERE name = $1", PgParams().Add(name));
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<WarcFileRow>();
  return std::optional<WarcFileRow>(std::move(rows->front()));
}

Result<std::vector<WarcFileRow>> PgManifest::ListWarcFiles() {
  return QueryWarcFiles("", {});
}

Status PgManifest::InsertRecords(const std::vector<RecordRow>& batch) {
  PgPipeline pipe(db_, /*transaction=*/false);
  SendRecords(pipe, batch);
  return pipe.Finish();
}

void PgManifest::SendRecords(PgPipeline& pipe,
                             const std::vector<RecordRow>& batch) {
  for (const RecordRow& r : batch) {
    pipe.Send(
        "INSERT INTO records (warc_file, file_offset, compressed_length, "
        "type, record_id, target_uri, date, block_digest, payload_digest, "
        "lost, forgotten) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, "
        "$11)",
        PgParams()
            .Add(r.warc_file)
            .Add(r.offset)
            .Add(r.compressed_length)
            .Add(r.type)
            .Add(r.record_id)
            .Add(r.target_uri)
            .Add(r.date)
            .Add(r.block_digest)
            .Add(r.payload_digest)
            .Add(r.lost)
            .Add(r.forgotten));
  }
}

Status PgManifest::AddRecords(const std::vector<RecordRow>& batch) {
  return CommitBatch(batch, {}, {});
}

Result<std::vector<RecordRow>> PgManifest::RecordsOf(const std::string& file) {
  Result<PgRows> rows = db_.Query(kRecordSelect, PgParams().Add(file));
  if (!rows.ok()) return rows.status();
  return AllRows<RecordRow>(*rows, ReadRecord);
}

Result<std::unique_ptr<RowCursor<RecordRow>>> PgManifest::OpenRecordsOf(
    const std::string& file) {
  return OpenCursor<RecordRow>(db_, kRecordSelect, PgParams().Add(file),
                               ReadRecord);
}

Status PgManifest::MarkRecordLost(const std::string& file, int64_t offset) {
  Result<PgRows> rows = db_.Query(
      "UPDATE records SET lost = 1 WHERE warc_file = $1 AND file_offset = $2",
      PgParams().Add(file).Add(offset));
  if (!rows.ok()) return rows.status();
  return ExpectOneRowChanged(
      *rows, "record at " + file + ":" + std::to_string(offset));
}

Result<std::optional<RecordRow>> PgManifest::FindRecordById(
    const std::string& record_id) {
  return FirstRow<RecordRow>(
      db_.Query(std::string(kRecordSelectFrom) +
                    "WHERE record_id = $1 ORDER BY warc_file, file_offset "
                    "LIMIT 1",
                PgParams().Add(record_id)),
      ReadRecord);
}

Result<std::vector<RecordRow>> PgManifest::RecordsOfTarget(
    const std::string& target_uri) {
  Result<PgRows> rows =
      db_.Query(std::string(kRecordSelectFrom) + "WHERE target_uri = $1",
                PgParams().Add(target_uri));
  if (!rows.ok()) return rows.status();
  return AllRows<RecordRow>(*rows, ReadRecord);
}

// --- captures ---

Status PgManifest::InsertCaptures(const std::vector<CaptureRow>& batch) {
  PgPipeline pipe(db_, /*transaction=*/false);
  EnsuredUrls ensured;
  SendCaptures(pipe, batch, &ensured);
  return pipe.Finish();
}

void PgManifest::SendCaptures(PgPipeline& pipe,
                              const std::vector<CaptureRow>& batch,
                              EnsuredUrls* ensured) {
  int64_t now = NowUnix();
  for (const CaptureRow& c : batch) {
    const std::string& key = c.normalized.empty() ? c.url : c.normalized;
    SendEnsureUrl(pipe, key, now, ensured);
    PgParams p;
    p.Add(key)
        .Add(c.url)
        .Add(c.captured_at_us)
        .Add(c.http_status)
        .Add(c.final_url)
        .Add(c.chain_id)
        .Add(c.hop_index)
        .Add(c.warc_file)
        .Add(c.record_offset)
        .Add(c.compressed_length)
        .Add(c.record_id)
        .Add(c.block_sha1)
        .Add(c.payload_sha1)
        .Add(c.payload_sha256)
        .Add(c.content_type)
        .Add(c.payload_length)
        .Add(c.revisit_of)
        .Add(c.source.empty() ? std::string("live") : c.source);
    if (c.run_id == 0) {
      p.AddNullInt();
    } else {
      p.Add(c.run_id);
    }
    p.Add(c.truncated).Add(c.lost).Add(c.archive).Add(c.memento_at_us);
    p.Add(c.quality);
    pipe.Send(
        "INSERT INTO captures (url_id, url, captured_at_us, http_status, "
        "final_url, chain_id, hop_index, warc_file, record_offset, "
        "compressed_length, record_id, block_sha1, payload_sha1, "
        "payload_sha256, content_type, payload_length, revisit_of, source, "
        "run_id, truncated, lost, archive, memento_at_us, quality) VALUES "
        "((SELECT id FROM urls WHERE normalized = $1), $2, $3, $4, $5, $6, "
        "$7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, "
        "$21, $22, $23, $24)",
        p);
  }
}

Status PgManifest::AddCaptures(const std::vector<CaptureRow>& batch) {
  return CommitBatch({}, batch, {});
}

// BEGIN, every row and COMMIT in one pipeline: one round trip a batch.
Status PgManifest::CommitBatch(const std::vector<RecordRow>& records,
                               const std::vector<CaptureRow>& captures,
                               const std::vector<UrlRow>& urls) {
  PgPipeline pipe(db_, /*transaction=*/true);
  EnsuredUrls ensured;
  SendRecords(pipe, records);
  SendCaptures(pipe, captures, &ensured);
  SendUrlRows(pipe, urls, &ensured);
  return pipe.Finish();
}

Result<std::vector<CaptureRow>> PgManifest::QueryCaptures(
    const std::string& sql, const PgParams& params) {
  Result<PgRows> rows = db_.Query(sql, params);
  if (!rows.ok()) return rows.status();
  return AllRows<CaptureRow>(*rows, ReadCapture);
}

Result<std::optional<CaptureRow>> PgManifest::FindCaptureByPayloadSha1(
    const std::string& payload_sha1) {
  if (payload_sha1.empty()) return std::optional<CaptureRow>();
  return FirstRow<CaptureRow>(
      db_.Query(std::string(kCaptureSelect) +
                    "WHERE c.payload_sha1 = $1 AND c.revisit_of = '' AND "
                    "c.lost = 0 AND c.truncated = 0 ORDER BY c.id LIMIT 1",
                PgParams().Add(payload_sha1)),
      ReadCapture);
}

Result<std::vector<CaptureRow>> PgManifest::CapturesOf(
    const std::string& normalized) {
  return QueryCaptures(
      std::string(kCaptureSelect) +
          "WHERE u.normalized = $1 ORDER BY c.captured_at_us, c.id",
      PgParams().Add(normalized));
}

Result<std::unique_ptr<RowCursor<UrlRow>>> PgManifest::OpenCapturedUrls() {
  return OpenCursor<UrlRow>(
      db_,
      std::string("SELECT ") + kUrlColumns +
          " FROM urls WHERE EXISTS (SELECT 1 FROM captures "
          "WHERE captures.url_id = urls.id) ORDER BY normalized",
      {}, ReadUrl);
}

Result<std::optional<CaptureRow>> PgManifest::FindChainEnd(
    const std::string& chain_id) {
  if (chain_id.empty()) return std::optional<CaptureRow>();
  return FirstRow<CaptureRow>(
      db_.Query(std::string(kCaptureSelect) +
                    // The "<> ''" matches the partial captures_chain index.
                    "WHERE c.chain_id = $1 AND c.chain_id != '' ORDER BY "
                    "c.hop_index DESC, c.warc_file, c.record_offset, c.id "
                    "LIMIT 1",
                PgParams().Add(chain_id)),
      ReadCapture);
}

Result<std::vector<CaptureRow>> PgManifest::ListCaptures() {
  return QueryCaptures(std::string(kCaptureSelect) +
                           "ORDER BY c.warc_file, c.record_offset, c.id",
                       {});
}

Result<std::unique_ptr<RowCursor<CaptureRow>>> PgManifest::OpenCapturesOf(
    const std::string& file) {
  return OpenCursor<CaptureRow>(
      db_,
      std::string(kCaptureSelect) +
          "WHERE c.warc_file = $1 ORDER BY c.record_offset, c.id",
      PgParams().Add(file), ReadCapture);
}

Status PgManifest::MarkCapturesLost(const std::string& file,
                                    int64_t record_offset) {
  return db_
      .Query(
          "UPDATE captures SET lost = 1 "
          "WHERE warc_file = $1 AND record_offset = $2",
          PgParams().Add(file).Add(record_offset))
      .status();
}

Result<Manifest::CaptureCounts> PgManifest::CountCaptures() {
  Result<PgRows> rows = db_.Query(
      "SELECT count(*) FILTER (WHERE lost = 0), "
      "count(*) FILTER (WHERE lost <> 0) FROM captures");
  if (!rows.ok()) return rows.status();
  CaptureCounts counts;
  counts.live = rows->Int(0, 0);
  counts.lost = rows->Int(0, 1);
  return counts;
}

// --- runs ---

Result<int64_t> PgManifest::BeginRun(const std::string& command,
                                     int64_t started_unix) {
  Result<PgRows> rows = db_.Query(
      "INSERT INTO runs (command, started) VALUES ($1, $2) RETURNING id",
      PgParams().Add(command).Add(started_unix));
  if (!rows.ok()) return rows.status();
  return rows->Int(0, 0);
}

Status PgManifest::EndRun(int64_t run_id, int64_t ended_unix,
                          const std::map<std::string, int64_t>& counts,
                          int exit_code) {
  Result<PgRows> rows = db_.Query(
      "UPDATE runs SET ended = $2, counts = $3, exit_code = $4 WHERE id = $1",
      PgParams()
          .Add(run_id)
          .Add(ended_unix)
          .Add(nlohmann::json(counts).dump())
          .Add(exit_code));
  if (!rows.ok()) return rows.status();
  return ExpectOneRowChanged(*rows, "run " + std::to_string(run_id));
}

Result<std::vector<RunRow>> PgManifest::ListRuns() {
  Result<PgRows> rows = db_.Query(
      "SELECT id, command, started, ended, counts, exit_code FROM runs "
      "ORDER BY id");
  if (!rows.ok()) return rows.status();
  std::vector<RunRow> runs;
  for (int i = 0; i < rows->size(); ++i) {
    RunRow run;
    run.id = rows->Int(i, 0);
    run.command = rows->Text(i, 1);
    run.started_unix = rows->Int(i, 2);
    run.ended_unix = rows->Int(i, 3);
    nlohmann::json counts =
        nlohmann::json::parse(rows->Text(i, 4), nullptr, false);
    if (!counts.is_object()) {
      return Status::Corruption(db_.name() + ": run " + std::to_string(run.id) +
                                " has unreadable counts");
    }
    for (const auto& [key, value] : counts.items()) {
      if (value.is_number_integer()) run.counts[key] = value.get<int64_t>();
    }
    run.exit_code = static_cast<int>(rows->Int(i, 5));
    runs.push_back(std::move(run));
  }
  return runs;
}

Result<std::vector<VerdictChangeRow>> PgManifest::VerdictChangesOf(
    const std::string& normalized) {
  Result<PgRows> rows = db_.Query(
      "SELECT v.changed, v.verdict, v.previous FROM verdict_changes v "
      "JOIN urls u ON u.id = v.url_id WHERE u.normalized = $1 "
      "ORDER BY v.changed, v.id",
      PgParams().Add(normalized));
  if (!rows.ok()) return rows.status();
  return AllRows<VerdictChangeRow>(*rows, [](const PgRows& r, int i) {
    VerdictChangeRow change;
    change.changed_unix = r.Int(i, 0);
    change.verdict = r.Text(i, 1);
    change.previous = r.Text(i, 2);
    return change;
  });
}

// --- public copies ---

namespace {

constexpr const char* kSubmissionSelect =
    "SELECT u.normalized, s.state, s.job_id, s.memento_url, s.memento_at_us, "
    "s.attempts, s.last_attempt_us, s.message FROM public_submissions s "
    "JOIN urls u ON u.id = s.url_id ";

SubmissionRow ReadSubmission(const PgRows& r, int i) {
  SubmissionRow row;
  row.normalized = r.Text(i, 0);
  row.state = r.Text(i, 1);
  row.job_id = r.Text(i, 2);
  row.memento_url = r.Text(i, 3);
  row.memento_at_us = r.Int(i, 4);
  row.attempts = static_cast<int>(r.Int(i, 5));
  row.last_attempt_us = r.Int(i, 6);
  row.message = r.Text(i, 7);
  return row;
}

}  // namespace

Status PgManifest::PutSubmission(const SubmissionRow& row) {
  Result<PgTransaction> txn = PgTransaction::Begin(db_);
  if (!txn.ok()) return txn.status();
  Result<int64_t> id = UrlId(row.normalized, NowUnix());
  if (!id.ok()) return id.status();
  Result<PgRows> rows = db_.Query(
      "INSERT INTO public_submissions (url_id, state, job_id, memento_url, "
      "memento_at_us, attempts, last_attempt_us, message) VALUES ($1, $2, "
      "$3, $4, $5, $6, $7, $8) ON CONFLICT (url_id) DO UPDATE SET "
      "state = EXCLUDED.state, job_id = EXCLUDED.job_id, "
      "memento_url = EXCLUDED.memento_url, "
      "memento_at_us = EXCLUDED.memento_at_us, attempts = EXCLUDED.attempts, "
      "last_attempt_us = EXCLUDED.last_attempt_us, message = EXCLUDED.message",
      PgParams()
          .Add(*id)
          .Add(row.state)
          .Add(row.job_id)
          .Add(row.memento_url)
          .Add(row.memento_at_us)
          .Add(row.attempts)
          .Add(row.last_attempt_us)
          .Add(row.message));
  if (!rows.ok()) return rows.status();
  return txn->Commit();
}

Result<std::optional<SubmissionRow>> PgManifest::FindSubmission(
    const std::string& normalized) {
  return FirstRow<SubmissionRow>(
      db_.Query(std::string(kSubmissionSelect) + "WHERE u.normalized = $1",
                PgParams().Add(normalized)),
      ReadSubmission);
}

Result<std::vector<SubmissionRow>> PgManifest::ListSubmissions() {
  Result<PgRows> rows =
      db_.Query(std::string(kSubmissionSelect) + "ORDER BY u.normalized");
  if (!rows.ok()) return rows.status();
  return AllRows<SubmissionRow>(*rows, ReadSubmission);
}

Status PgManifest::SetLookupNone(const std::string& normalized,
                                 int64_t none_at_us) {
  Result<PgTransaction> txn = PgTransaction::Begin(db_);
  if (!txn.ok()) return txn.status();
  Result<int64_t> id = UrlId(normalized, NowUnix());
  if (!id.ok()) return id.status();
  Result<PgRows> rows = db_.Query(
      "INSERT INTO public_lookups (url_id, none_at_us) VALUES ($1, $2) "
      "ON CONFLICT (url_id) DO UPDATE SET none_at_us = EXCLUDED.none_at_us",
      PgParams().Add(*id).Add(none_at_us));
  if (!rows.ok()) return rows.status();
  return txn->Commit();
}

Result<int64_t> PgManifest::LookupNoneAt(const std::string& normalized) {
  Result<PgRows> rows = db_.Query(
      "SELECT l.none_at_us FROM public_lookups l JOIN urls u ON u.id = "
      "l.url_id WHERE u.normalized = $1",
      PgParams().Add(normalized));
  if (!rows.ok()) return rows.status();
  return rows->size() > 0 ? rows->Int(0, 0) : int64_t{0};
}

// --- counters and maintenance ---

Result<int64_t> PgManifest::NextCounter(const std::string& name) {
  // The row lock of the upsert makes this atomic across connections.
  Result<PgRows> rows = db_.Query(
      "INSERT INTO meta (key, value) VALUES ($1, '1') "
      "ON CONFLICT (key) DO UPDATE SET "
      "value = (meta.value::bigint + 1)::text RETURNING value::bigint",
      PgParams().Add("counter." + name));
  if (!rows.ok()) return rows.status();
  return rows->Int(0, 0);
}

// PostgreSQL guards its own pages (and amcheck needs a superuser), so
// this checks what rotguard can: the server answers, the schema is this
// build's, and (full) no row points at a missing WARC file or URL.
Status PgManifest::CheckIntegrity(bool quick) {
  Result<int64_t> version = PgSchemaVersion(db_);
  if (!version.ok()) return version.status();
  if (*version != kSchemaVersion) {
    return Status::Corruption(db_.name() + ": schema version " +
                              std::to_string(*version) + ", expected " +
                              std::to_string(kSchemaVersion));
  }
  if (quick) return Status::Ok();
  Result<PgRows> orphans = db_.Query(
      "SELECT (SELECT count(*) FROM captures c WHERE NOT EXISTS "
      "(SELECT 1 FROM urls u WHERE u.id = c.url_id)) + "
      "(SELECT count(*) FROM records r WHERE NOT EXISTS "
      "(SELECT 1 FROM warc_files w WHERE w.name = r.warc_file))");
  if (!orphans.ok()) return orphans.status();
  if (orphans->Int(0, 0) == 0) return Status::Ok();
  return Status::Corruption(db_.name() + ": " + orphans->Text(0, 0) +
                            " rows point at missing urls or WARC files");
}

}  // namespace rotguard
