#include "manifest/sqlite_manifest.h"

#include <sqlite3.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <tuple>
#include <utility>

#include "manifest/pg_manifest.h"
#include "manifest/schema.h"
#include "rotguard/url.h"
#include "util/time_format.h"

namespace rotguard {
namespace {

int64_t NowUnix() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Inserts the `urls` row of `normalized` (with its SURT), known to be
// missing; returns its id. Runs inside the caller's transaction.
Result<int64_t> InsertUrl(SqliteDb& db, const std::string& normalized,
                          int64_t now_unix) {
  Result<CachedStatement> insert = db.PrepareCached(
      "INSERT INTO urls (normalized, surt, first_seen) VALUES (?1, ?2, ?3)");
  if (!insert.ok()) return insert.status();
  std::string surt = Surt(normalized);
  (*insert)->BindStatic(1, normalized).BindStatic(2, surt).Bind(3, now_unix);
  ROTGUARD_RETURN_IF_ERROR((*insert)->Run());
  return db.LastInsertRowId();
}

// The id of the `urls` row of `normalized`, created (with its SURT) when
// missing. Runs inside the caller's transaction, if any.
Result<int64_t> UrlId(SqliteDb& db, const std::string& normalized,
                      int64_t now_unix) {
  {
    Result<CachedStatement> select =
        db.PrepareCached("SELECT id FROM urls WHERE normalized = ?1");
    if (!select.ok()) return select.status();
    (*select)->BindStatic(1, normalized);
    Result<bool> row = (*select)->Step();
    if (!row.ok()) return row.status();
    if (*row) return (*select)->ColumnInt(0);
  }
  return InsertUrl(db, normalized, now_unix);
}

constexpr const char* kDocumentColumns =
    "path, sha256, title, date, draft, last_scanned, public_url";

DocumentRow ReadDocument(const Statement& s) {
  DocumentRow doc;
  doc.path = s.ColumnText(0);
  doc.sha256 = s.ColumnText(1);
  doc.title = s.ColumnText(2);
  doc.date = s.ColumnText(3);
  if (!s.ColumnIsNull(4)) doc.draft = s.ColumnInt(4) != 0;
  doc.last_scanned_unix = s.ColumnInt(5);
  doc.public_url = s.ColumnText(6);
  return doc;
}

constexpr const char* kUrlColumns =
    "id, normalized, surt, first_seen, verdict, consecutive_failures, "
    "last_ok, last_failure, failure_class, "
    "(SELECT coalesce(max(captured_at_us), 0) FROM captures "
    "WHERE captures.url_id = urls.id AND captures.lost = 0), "
    "final_url, asset_key";

UrlRow ReadUrl(const Statement& s) {
  UrlRow url;
  url.id = s.ColumnInt(0);
  url.normalized = s.ColumnText(1);
  url.surt = s.ColumnText(2);
  url.first_seen_unix = s.ColumnInt(3);
  url.verdict = s.ColumnText(4);
  url.consecutive_failures = static_cast<int>(s.ColumnInt(5));
  url.last_ok_unix = s.ColumnInt(6);
  url.last_failure_unix = s.ColumnInt(7);
  url.failure_class = s.ColumnText(8);
  url.last_capture_us = s.ColumnInt(9);
  url.final_url = s.ColumnText(10);
  url.asset_key = s.ColumnText(11);
  return url;
}

constexpr const char* kWarcFileColumns =
    "name, state, size, sha256, record_count, created, closed, mtime_ns, "
    "inode, last_verified, imported";

WarcFileRow ReadWarcFile(const Statement& s) {
  WarcFileRow file;
  file.name = s.ColumnText(0);
  file.state = s.ColumnText(1) == "closed" ? WarcFileState::kClosed
                                           : WarcFileState::kOpen;
  file.size = s.ColumnInt(2);
  file.sha256 = s.ColumnText(3);
  file.record_count = s.ColumnInt(4);
  file.created_unix = s.ColumnInt(5);
  file.closed_unix = s.ColumnInt(6);
  file.mtime_ns = s.ColumnInt(7);
  file.inode = s.ColumnInt(8);
  file.last_verified_unix = s.ColumnInt(9);
  file.imported = s.ColumnInt(10) != 0;
  return file;
}

// Binds every WarcFileRow column in kWarcFileColumns order from ?1.
void BindWarcFile(Statement& s, const WarcFileRow& file) {
  s.Bind(1, file.name)
      .Bind(2, WarcFileStateName(file.state))
      .Bind(3, file.size)
      .Bind(4, file.sha256)
      .Bind(5, file.record_count)
      .Bind(6, file.created_unix)
      .Bind(7, file.closed_unix)
      .Bind(8, file.mtime_ns)
      .Bind(9, file.inode)
      .Bind(10, file.last_verified_unix)
      .Bind(11, file.imported);
}

constexpr const char* kCaptureSelect =
    "SELECT c.id, c.url, u.normalized, c.captured_at_us, c.http_status, "
    "c.final_url, c.chain_id, c.hop_index, c.warc_file, c.record_offset, "
    "c.compressed_length, c.record_id, c.block_sha1, c.payload_sha1, "
    "c.payload_sha256, c.content_type, c.payload_length, c.revisit_of, "
    "c.source, c.run_id, c.truncated, c.lost, c.archive, c.memento_at_us, "
    "c.quality FROM captures c JOIN urls u ON u.id = c.url_id ";

CaptureRow ReadCapture(const Statement& s) {
  CaptureRow c;
  c.id = s.ColumnInt(0);
  c.url = s.ColumnText(1);
  c.normalized = s.ColumnText(2);
  c.captured_at_us = s.ColumnInt(3);
  c.http_status = static_cast<int>(s.ColumnInt(4));
  c.final_url = s.ColumnText(5);
  c.chain_id = s.ColumnText(6);
  c.hop_index = static_cast<int>(s.ColumnInt(7));
  c.warc_file = s.ColumnText(8);
  c.record_offset = s.ColumnInt(9);
  c.compressed_length = s.ColumnInt(10);
  c.record_id = s.ColumnText(11);
  c.block_sha1 = s.ColumnText(12);
  c.payload_sha1 = s.ColumnText(13);
  c.payload_sha256 = s.ColumnText(14);
  c.content_type = s.ColumnText(15);
  c.payload_length = s.ColumnInt(16);
  c.revisit_of = s.ColumnText(17);
  c.source = s.ColumnText(18);
  c.run_id = s.ColumnInt(19);
  c.truncated = s.ColumnInt(20) != 0;
  c.lost = s.ColumnInt(21) != 0;
  c.archive = s.ColumnText(22);
  c.memento_at_us = s.ColumnInt(23);
  c.quality = s.ColumnText(24);
  return c;
}

RecordRow ReadRecord(const Statement& s) {
  RecordRow r;
  r.warc_file = s.ColumnText(0);
  r.offset = s.ColumnInt(1);
  r.compressed_length = s.ColumnInt(2);
  r.type = s.ColumnText(3);
  r.record_id = s.ColumnText(4);
  r.target_uri = s.ColumnText(5);
  r.date = s.ColumnText(6);
  r.block_digest = s.ColumnText(7);
  r.payload_digest = s.ColumnText(8);
  r.lost = s.ColumnInt(9) != 0;
  r.forgotten = s.ColumnInt(10) != 0;
  return r;
}

// Runs a prepared query and maps every row with `read`.
template <typename Row, typename ReadFn>
Result<std::vector<Row>> CollectRows(Statement& stmt, ReadFn read) {
  std::vector<Row> rows;
  for (;;) {
    Result<bool> row = stmt.Step();
    if (!row.ok()) return row.status();
    if (!*row) return rows;
    rows.push_back(read(stmt));
  }
}

// A RowCursor stepping a prepared statement.
template <typename Row>
class StatementCursor final : public RowCursor<Row> {
 public:
  using ReadFn = Row (*)(const Statement&);
  StatementCursor(Statement stmt, ReadFn read)
      : stmt_(std::move(stmt)), read_(read) {}
  Result<bool> Next(Row* row) override {
    Result<bool> more = stmt_.Step();
    if (!more.ok()) return more.status();
    if (*more) *row = read_(stmt_);
    return *more;
  }

 private:
  Statement stmt_;
  ReadFn read_;
};

// The first row or nullopt.
template <typename Row, typename ReadFn>
Result<std::optional<Row>> FirstRow(Statement& stmt, ReadFn read) {
  Result<bool> row = stmt.Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<Row>();
  return std::optional<Row>(read(stmt));
}

}  // namespace

const char* WarcFileStateName(WarcFileState state) {
  return state == WarcFileState::kClosed ? "closed" : "open";
}

namespace {

// The default Manifest::BeginWarcFile(): rows kept until Commit().
class BufferedWarcFileWriter final : public Manifest::WarcFileWriter {
 public:
  explicit BufferedWarcFileWriter(Manifest* manifest) : manifest_(manifest) {}
  Status Add(const std::vector<RecordRow>& records,
             const std::vector<CaptureRow>& captures) override {
    records_.insert(records_.end(), records.begin(), records.end());
    captures_.insert(captures_.end(), captures.begin(), captures.end());
    return Status::Ok();
  }
  Status Commit(const WarcFileRow& file) override {
    return manifest_->AddWarcFileWithRows(file, records_, captures_);
  }

 private:
  Manifest* manifest_;
  std::vector<RecordRow> records_;
  std::vector<CaptureRow> captures_;
};

}  // namespace

Result<std::unique_ptr<Manifest::WarcFileWriter>> Manifest::BeginWarcFile(
    const WarcFileRow& /*file*/) {
  return std::unique_ptr<WarcFileWriter>(
      std::make_unique<BufferedWarcFileWriter>(this));
}

Result<Manifest::CaptureCounts> Manifest::CountCaptures() {
  Result<std::vector<CaptureRow>> all = ListCaptures();
  if (!all.ok()) return all.status();
  CaptureCounts counts;
  for (const CaptureRow& c : *all) ++(c.lost ? counts.lost : counts.live);
  return counts;
}

Result<std::optional<RecordRow>> Manifest::FindNewestRecord(
    const std::string& target_uri, std::optional<int64_t> at_us) {
  Result<std::vector<RecordRow>> rows = RecordsOfTarget(target_uri);
  if (!rows.ok()) return rows.status();
  std::optional<RecordRow> best;
  int64_t best_us = 0;
  for (RecordRow& r : *rows) {
    std::optional<int64_t> us = ParseWarcDateUs(r.date);
    if (r.lost || r.forgotten || !us || (at_us && *us > *at_us)) continue;
    bool later =
        !best || *us > best_us ||
        (*us == best_us && std::tie(r.warc_file, r.offset) >
                               std::tie(best->warc_file, best->offset));
    if (!later) continue;
    best_us = *us;
    best = std::move(r);
  }
  return best;
}

Result<std::unique_ptr<Manifest>> OpenManifest(const std::string& path_or_uri) {
  if (IsPostgresUrl(path_or_uri)) {
    Result<std::unique_ptr<PgManifest>> pg = PgManifest::Open(path_or_uri);
    if (!pg.ok()) return pg.status();
    return std::unique_ptr<Manifest>(std::move(*pg));
  }
  Result<std::unique_ptr<SqliteManifest>> manifest =
      SqliteManifest::Open(path_or_uri);
  if (!manifest.ok()) return manifest.status();
  return std::unique_ptr<Manifest>(std::move(*manifest));
}

Result<std::unique_ptr<Manifest>> OpenManifestReadOnly(
    const std::string& path) {
  Result<std::unique_ptr<SqliteManifest>> manifest =
      SqliteManifest::OpenReadOnly(path);
  if (!manifest.ok()) return manifest.status();
  return std::unique_ptr<Manifest>(std::move(*manifest));
}

Result<std::unique_ptr<SqliteManifest>> SqliteManifest::Open(
    const std::string& path) {
  Result<SqliteDb> db = SqliteDb::Open(path);
  if (!db.ok()) return db.status();
  // Heap first: statements keep a pointer to the SqliteDb member.
  std::unique_ptr<SqliteManifest> manifest(new SqliteManifest(std::move(*db)));
  ROTGUARD_RETURN_IF_ERROR(MigrateSchema(manifest->db_));
  return manifest;
}

Result<std::unique_ptr<SqliteManifest>> SqliteManifest::OpenReadOnly(
    const std::string& path) {
  Result<SqliteDb> db = SqliteDb::OpenImmutable(path);
  if (!db.ok()) return db.status();
  Result<int64_t> version = db->QueryInt("PRAGMA user_version");
  if (!version.ok()) return version.status();
  if (*version > kSchemaVersion) {
    return Status::NotSupported(
        path + ": manifest schema version " + std::to_string(*version) +
        " is newer than this rotguard understands (" +
        std::to_string(kSchemaVersion) + "); upgrade rotguard");
  }
  if (*version < 1) {
    return Status::NotSupported(path +
                                ": holds no rotguard manifest (schema "
                                "version 0) and the store is read-only");
  }
  if (*version < kSchemaVersion) {
    return OpenMigratedCopy(*db, static_cast<int>(*version));
  }
  return std::unique_ptr<SqliteManifest>(new SqliteManifest(std::move(*db)));
}

SqliteManifest::PrivateCopy::~PrivateCopy() {
  if (dir_.empty()) return;
  std::error_code ignored;  // a leftover temp file is not worth a failure
  std::filesystem::remove_all(dir_, ignored);
}

// An older store on a read-only filesystem (a backup, a mounted snapshot)
// stays readable by a newer rotguard: VACUUM INTO works on a read-only
// source and writes a consistent copy, which is migrated like any store.
// Costs one copy of the manifest in the temp directory per command.
Result<std::unique_ptr<SqliteManifest>> SqliteManifest::OpenMigratedCopy(
    SqliteDb& source, int version) {
  std::error_code ec;
  std::filesystem::path tmp = std::filesystem::temp_directory_path(ec);
  if (ec) tmp = "/tmp";
  std::string pattern = (tmp / "rotguard-manifest-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) {
    return Status::IOError(pattern +
                           ": cannot create a directory for a "
                           "migrated copy of " +
                           source.path());
  }
  PrivateCopy copy{std::filesystem::path(pattern)};
  std::string copy_path = pattern + "/manifest.sqlite3";
  Result<Statement> vacuum = source.Prepare("VACUUM INTO ?1");
  if (!vacuum.ok()) return vacuum.status();
  Result<bool> row = vacuum->Bind(1, copy_path).Step();
  if (!row.ok()) {
    return Status::IOError(
        source.path() + ": schema version " + std::to_string(version) +
        " on a read-only store, and copying it to " + copy_path +
        " for migration failed: " + row.status().message());
  }
  Result<SqliteDb> db = SqliteDb::Open(copy_path);
  if (!db.ok()) return db.status();
  std::unique_ptr<SqliteManifest> manifest(
      new SqliteManifest(std::move(copy), std::move(*db)));
  ROTGUARD_RETURN_IF_ERROR(MigrateSchema(manifest->db_));
  return manifest;
}

int SqliteManifest::SchemaVersion() {
  Result<int64_t> version = db_.QueryInt("PRAGMA user_version");
  return version.ok() ? static_cast<int>(*version) : -1;
}

Status SqliteManifest::ExpectOneRowChanged(const std::string& what) {
  if (sqlite3_changes(db_.handle()) == 1) return Status::Ok();
  return Status::NotFound(db_.path() + ": no " + what);
}

// --- documents and links ---

Result<bool> SqliteManifest::RecordScan(const DocumentRow& doc,
                                        const std::vector<LinkRow>& links) {
  Result<Transaction> txn = Transaction::Begin(db_);
  if (!txn.ok()) return txn.status();
  UrlIdCache url_ids;
  Result<bool> changed = ApplyScan(doc, links, &url_ids);
  if (!changed.ok()) return changed.status();
  ROTGUARD_RETURN_IF_ERROR(txn->Commit());
  return *changed;
}

// A first scan of 10,000 posts inserts ~300,000 links and ~250,000 URLs
// in an order unrelated to the B-trees of links_normalized, urls'
// normalized and urls_surt. With SQLite's default 2 MB page cache nearly
// every insert re-read and re-wrote index pages (1.4 M preads and 1.3 M
// pwrites, ~27 s); 128 MiB holds those indexes for a site of that size.
// The cache only takes memory as pages are touched, so a small site or a
// no-op re-run stays small.
constexpr int64_t kScanCacheKib = 128 * 1024;

Status SqliteManifest::RaiseScanCache() {
  if (scan_cache_raised_) return Status::Ok();
  // Kept for the connection's life (one command): batches that follow
  // find the index pages the previous ones loaded.
  ROTGUARD_RETURN_IF_ERROR(
      db_.Exec("PRAGMA cache_size=-" + std::to_string(kScanCacheKib)));
  // The sorts that build a first scan's deferred indexes at commit may use
  // a second thread: extraction, the other core's work, is over by then.
  ROTGUARD_RETURN_IF_ERROR(db_.Exec("PRAGMA threads=2"));
  scan_cache_raised_ = true;
  return Status::Ok();
}

Result<std::vector<std::string>> SqliteManifest::RecordScans(
    const std::vector<DocumentScan>& scans) {
  ROTGUARD_RETURN_IF_ERROR(RaiseScanCache());
  Result<Transaction> txn = Transaction::Begin(db_);
  if (!txn.ok()) return txn.status();
  std::vector<std::string> changed_paths;
  UrlIdCache url_ids;
  for (const DocumentScan& scan : scans) {
    Result<bool> changed = ApplyScan(scan.document, scan.links, &url_ids);
    if (!changed.ok()) return changed.status();
    if (*changed) changed_paths.push_back(scan.document.path);
  }
  ROTGUARD_RETURN_IF_ERROR(txn->Commit());
  return changed_paths;
}

// A first scan writes every page of tables that were empty. In WAL mode
// each page went to the WAL and then again into the file at the
// checkpoint; a rollback journal holds only the pages that existed before
// the transaction (a few: the tables were empty), so the load is written
// once, and a failed or killed run still rolls back, from the journal.
// synchronous=FULL meanwhile: a rollback journal needs it to survive a
// power loss. Leaving WAL needs the only connection (`scan --update` holds
// the store's exclusive lock): with another one open the load stays in
// WAL mode. Restore() goes back to SqliteDb::Open's WAL and
// synchronous=NORMAL once the transaction is over.
class SqliteManifest::BulkLoadJournal {
 public:
  explicit BulkLoadJournal(SqliteDb* db) : db_(db) {}
  BulkLoadJournal(BulkLoadJournal&& other) noexcept
      : db_(std::exchange(other.db_, nullptr)),
        switched_(std::exchange(other.switched_, false)) {}
  BulkLoadJournal& operator=(BulkLoadJournal&&) = delete;
  ~BulkLoadJournal() { (void)Restore(); }

  // Outside any transaction.
  Status Switch() {
    Result<bool> switched = db_->TrySetJournalMode("delete");
    if (!switched.ok()) return switched.status();
    switched_ = *switched;
    if (!switched_) return Status::Ok();
    return db_->Exec("PRAGMA synchronous=FULL");
  }
  // After the transaction's commit or rollback.
  Status Restore() {
    if (db_ == nullptr || !switched_) return Status::Ok();
    switched_ = false;
    Result<bool> wal = db_->TrySetJournalMode("wal");
    if (!wal.ok()) return wal.status();
    if (!*wal) return Status::IOError(db_->path() + ": cannot return to WAL");
    return db_->Exec("PRAGMA synchronous=NORMAL");
  }

 private:
  SqliteDb* db_;
  bool switched_ = false;
};

// One transaction for a whole `scan --update`: with one per batch of 500
// documents, every commit wrote the index pages the batch had touched
// (nearly all of them, the keys being random) to the WAL again, ~20 times
// per first scan. A first scan (empty links or urls table) also builds
// the secondary indexes of those tables once at Commit(), a sort each,
// instead of ~550,000 random B-tree inserts. Dropping and re-creating
// them happens inside the transaction, so a run that fails or is killed
// leaves the manifest, indexes included, as it was.
class SqliteManifest::SqliteScanWriter final : public ScanWriter {
 public:
  SqliteScanWriter(SqliteManifest* manifest, BulkLoadJournal journal,
                   Transaction txn, std::vector<std::string> deferred_indexes,
                   bool urls_new)
      : manifest_(manifest),
        journal_(std::move(journal)),
        txn_(std::move(txn)),
        deferred_indexes_(std::move(deferred_indexes)) {
    url_ids_.urls_new = urls_new;
  }
  Status Add(const std::vector<DocumentScan>& scans) override {
    for (const DocumentScan& scan : scans) {
      Result<bool> changed =
          manifest_->ApplyScan(scan.document, scan.links, &url_ids_);
      if (!changed.ok()) return changed.status();
      if (*changed) changed_paths_.push_back(scan.document.path);
    }
    return Status::Ok();
  }
  Result<std::vector<std::string>> Commit() override {
    for (const std::string& create : deferred_indexes_) {
      ROTGUARD_RETURN_IF_ERROR(manifest_->db_.Exec(create));
    }
    ROTGUARD_RETURN_IF_ERROR(txn_.Commit());
    ROTGUARD_RETURN_IF_ERROR(journal_.Restore());
    return std::move(changed_paths_);
  }

 private:
  SqliteManifest* manifest_;
  // Before txn_: restored after the rollback of an uncommitted writer.
  BulkLoadJournal journal_;
  Transaction txn_;  // rolled back on destruction unless committed
  std::vector<std::string> deferred_indexes_;
  UrlIdCache url_ids_;
  std::vector<std::string> changed_paths_;
};

Status SqliteManifest::DropDeferrableIndexes(
    const std::string& table, std::vector<std::string>* deferred) {
  // Not the UNIQUE constraints' indexes (no sql): they enforce and find
  // the keys during the load. Not links_document: ApplyScan's DELETE of a
  // changed document's links needs it.
  Result<Statement> list = db_.Prepare(
      "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND "
      "tbl_name = ?1 AND sql IS NOT NULL AND name != 'links_document'");
  if (!list.ok()) return list.status();
  list->Bind(1, table);
  std::vector<std::string> names;
  for (;;) {
    Result<bool> row = list->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    names.push_back(list->ColumnText(0));
    deferred->push_back(list->ColumnText(1));
  }
  for (const std::string& name : names) {
    ROTGUARD_RETURN_IF_ERROR(db_.Exec("DROP INDEX \"" + name + "\""));
  }
  return Status::Ok();
}

Result<std::unique_ptr<ScanWriter>> SqliteManifest::BeginScans() {
  ROTGUARD_RETURN_IF_ERROR(RaiseScanCache());
  BulkLoadJournal journal(&db_);
  Result<int64_t> empty_before = db_.QueryInt(
      "SELECT NOT EXISTS (SELECT 1 FROM links) AND "
      "NOT EXISTS (SELECT 1 FROM urls)");
  if (!empty_before.ok()) return empty_before.status();
  if (*empty_before != 0) ROTGUARD_RETURN_IF_ERROR(journal.Switch());
  // Checked again inside the transaction, which is what counts.
  Result<Transaction> txn = Transaction::Begin(db_);
  if (!txn.ok()) return txn.status();
  Result<int64_t> links_empty =
      db_.QueryInt("SELECT NOT EXISTS (SELECT 1 FROM links)");
  if (!links_empty.ok()) return links_empty.status();
  Result<int64_t> urls_empty =
      db_.QueryInt("SELECT NOT EXISTS (SELECT 1 FROM urls)");
  if (!urls_empty.ok()) return urls_empty.status();
  std::vector<std::string> deferred;
  if (*links_empty != 0) {
    ROTGUARD_RETURN_IF_ERROR(DropDeferrableIndexes("links", &deferred));
  }
  if (*urls_empty != 0) {
    ROTGUARD_RETURN_IF_ERROR(DropDeferrableIndexes("urls", &deferred));
  }
  return std::unique_ptr<ScanWriter>(std::make_unique<SqliteScanWriter>(
      this, std::move(journal), std::move(*txn), std::move(deferred),
      *urls_empty != 0));
}

Result<bool> SqliteManifest::ApplyScan(const DocumentRow& doc,
                                       const std::vector<LinkRow>& links,
                                       UrlIdCache* url_ids) {
  bool unchanged = false;
  {
    Result<CachedStatement> find = db_.PrepareCached(
        "SELECT sha256, public_url FROM documents WHERE "
        "path = ?1");
    if (!find.ok()) return find.status();
    (*find)->BindStatic(1, doc.path);
    Result<bool> found = (*find)->Step();
    if (!found.ok()) return found.status();
    // A new public URL (the site's permalink rules changed) counts as a
    // change: the post's resource record is written again under it.
    unchanged = *found && (*find)->ColumnText(0) == doc.sha256 &&
                (*find)->ColumnText(1) == doc.public_url;
  }
  if (unchanged) {
    Result<CachedStatement> touch = db_.PrepareCached(
        "UPDATE documents SET last_scanned = ?2 WHERE path = ?1");
    if (!touch.ok()) return touch.status();
    (*touch)->BindStatic(1, doc.path).Bind(2, doc.last_scanned_unix);
    ROTGUARD_RETURN_IF_ERROR((*touch)->Run());
    return false;
  }

  Result<CachedStatement> upsert = db_.PrepareCached(
      "INSERT INTO documents (path, sha256, title, date, draft, last_scanned, "
      "public_url) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (path) DO "
      "UPDATE SET sha256 = excluded.sha256, title = excluded.title, "
      "date = excluded.date, draft = excluded.draft, "
      "last_scanned = excluded.last_scanned, public_url = excluded.public_url "
      "RETURNING id");
  if (!upsert.ok()) return upsert.status();
  (*upsert)
      ->BindStatic(1, doc.path)
      .BindStatic(2, doc.sha256)
      .BindStatic(3, doc.title)
      .BindStatic(4, doc.date)
      .Bind(5, doc.draft)
      .Bind(6, doc.last_scanned_unix)
      .BindStatic(7, doc.public_url);
  Result<bool> row = (*upsert)->Step();
  if (!row.ok()) return row.status();
  int64_t document_id = (*upsert)->ColumnInt(0);
  ROTGUARD_RETURN_IF_ERROR((*upsert)->Run());  // finish the RETURNING step

  Result<CachedStatement> clear =
      db_.PrepareCached("DELETE FROM links WHERE document_id = ?1");
  if (!clear.ok()) return clear.status();
  (*clear)->Bind(1, document_id);
  ROTGUARD_RETURN_IF_ERROR((*clear)->Run());
  ROTGUARD_RETURN_IF_ERROR(
      InsertLinks(document_id, links, doc.last_scanned_unix, url_ids));
  return true;
}

// The statements are fetched once per document and bound without copies:
// the links of a first scan are the manifest's biggest bulk write.
Status SqliteManifest::InsertLinks(int64_t document_id,
                                   const std::vector<LinkRow>& links,
                                   int64_t now_unix, UrlIdCache* url_ids) {
  Result<CachedStatement> insert = db_.PrepareCached(
      "INSERT INTO links (document_id, url_id, kind, written, url, "
      "normalized, line, col, start_offset, end_offset) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
  if (!insert.ok()) return insert.status();
  Statement& row = **insert;
  for (const LinkRow& link : links) {
    row.Reset();
    row.Bind(1, document_id);
    if (link.normalized.empty()) {
      row.BindNull(2);
    } else {
      Result<int64_t> url_id = CachedUrlId(link.normalized, now_unix, url_ids);
      if (!url_id.ok()) return url_id.status();
      row.Bind(2, *url_id);
    }
    row.BindStatic(3, link.kind)
        .BindStatic(4, link.written)
        .BindStatic(5, link.url)
        .BindStatic(6, link.normalized)
        .Bind(7, link.line)
        .Bind(8, link.column)
        .Bind(9, link.start)
        .Bind(10, link.end);
    ROTGUARD_RETURN_IF_ERROR(row.Run());
  }
  return Status::Ok();
}

Result<int64_t> SqliteManifest::CachedUrlId(const std::string& normalized,
                                            int64_t now_unix,
                                            UrlIdCache* url_ids) {
  auto [entry, first_time] = url_ids->ids.try_emplace(normalized, 0);
  if (!first_time) return entry->second;
  Result<int64_t> id = url_ids->urls_new ? InsertUrl(db_, normalized, now_unix)
                                         : UrlId(db_, normalized, now_unix);
  if (!id.ok()) {
    url_ids->ids.erase(entry);
    return id.status();
  }
  entry->second = *id;
  return *id;
}

Result<std::optional<DocumentRow>> SqliteManifest::FindDocument(
    const std::string& path) {
  Result<Statement> stmt =
      db_.Prepare(std::string("SELECT ") + kDocumentColumns +
                  " FROM documents WHERE path = ?1");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, path);
  return FirstRow<DocumentRow>(*stmt, ReadDocument);
}

Result<std::vector<DocumentRow>> SqliteManifest::ListDocuments() {
  Result<Statement> stmt =
      db_.Prepare(std::string("SELECT ") + kDocumentColumns +
                  " FROM documents ORDER BY path");
  if (!stmt.ok()) return stmt.status();
  return CollectRows<DocumentRow>(*stmt, ReadDocument);
}

Result<std::vector<LinkRow>> SqliteManifest::LinksOf(const std::string& path) {
  Result<Statement> stmt = db_.Prepare(
      "SELECT l.kind, l.written, l.url, l.normalized, l.line, l.col, "
      "l.start_offset, l.end_offset FROM links l "
      "JOIN documents d ON d.id = l.document_id WHERE d.path = ?1 "
      "ORDER BY l.start_offset, l.id");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, path);
  return CollectRows<LinkRow>(*stmt, [](const Statement& s) {
    LinkRow link;
    link.kind = s.ColumnText(0);
    link.written = s.ColumnText(1);
    link.url = s.ColumnText(2);
    link.normalized = s.ColumnText(3);
    link.line = static_cast<int>(s.ColumnInt(4));
    link.column = static_cast<int>(s.ColumnInt(5));
    link.start = s.ColumnInt(6);
    link.end = s.ColumnInt(7);
    return link;
  });
}

// --- urls ---

Result<int64_t> SqliteManifest::EnsureUrl(const std::string& normalized,
                                          int64_t now_unix) {
  return UrlId(db_, normalized, now_unix);
}

Result<std::optional<UrlRow>> SqliteManifest::FindUrl(
    const std::string& normalized) {
  Result<CachedStatement> stmt =
      db_.PrepareCached(std::string("SELECT ") + kUrlColumns +
                        " FROM urls WHERE normalized = ?1");
  if (!stmt.ok()) return stmt.status();
  (*stmt)->Bind(1, normalized);
  return FirstRow<UrlRow>(**stmt, ReadUrl);
}

Result<std::vector<UrlRow>> SqliteManifest::QueryUrls(const std::string& sql) {
  Result<Statement> stmt = db_.Prepare(sql);
  if (!stmt.ok()) return stmt.status();
  return CollectRows<UrlRow>(*stmt, ReadUrl);
}

Result<std::vector<UrlRow>> SqliteManifest::ListLinkedUrls() {
  return QueryUrls(std::string("SELECT ") + kUrlColumns +
                   " FROM urls WHERE id IN (SELECT url_id FROM links) "
                   "AND normalized NOT IN (SELECT normalized FROM tombstones) "
                   "ORDER BY normalized");
}

Result<std::vector<UrlRow>> SqliteManifest::ListUrls() {
  return QueryUrls(std::string("SELECT ") + kUrlColumns +
                   " FROM urls ORDER BY normalized");
}

Status SqliteManifest::UpdateUrlHealth(const UrlRow& url) {
  Result<Statement> stmt = db_.Prepare(
      "UPDATE urls SET verdict = ?2, consecutive_failures = ?3, "
      "last_ok = ?4, last_failure = ?5, failure_class = ?6 "
      "WHERE normalized = ?1");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, url.normalized)
      .Bind(2, url.verdict)
      .Bind(3, url.consecutive_failures)
      .Bind(4, url.last_ok_unix)
      .Bind(5, url.last_failure_unix)
      .Bind(6, url.failure_class);
  ROTGUARD_RETURN_IF_ERROR(stmt->Run());
  return ExpectOneRowChanged("url " + url.normalized);
}

Status SqliteManifest::UpdateUrlsBatch(const std::vector<UrlRow>& urls) {
  if (urls.empty()) return Status::Ok();
  Result<Transaction> txn = Transaction::Begin(db_);
  if (!txn.ok()) return txn.status();
  ROTGUARD_RETURN_IF_ERROR(UpdateUrlRows(urls));
  return txn->Commit();
}

Status SqliteManifest::UpdateUrlRows(const std::vector<UrlRow>& urls) {
  if (urls.empty()) return Status::Ok();
  Result<CachedStatement> stmt = db_.PrepareCached(
      "UPDATE urls SET verdict = ?2, consecutive_failures = ?3, "
      "last_ok = ?4, last_failure = ?5, failure_class = ?6, "
      "final_url = ?7, asset_key = ?8 WHERE id = ?1");
  if (!stmt.ok()) return stmt.status();
  int64_t now = NowUnix();
  for (const UrlRow& url : urls) {
    Result<int64_t> id = UrlId(db_, url.normalized, now);
    if (!id.ok()) return id.status();
    (*stmt)->Reset();
    (*stmt)
        ->Bind(1, *id)
        .Bind(2, url.verdict)
        .Bind(3, url.consecutive_failures)
        .Bind(4, url.last_ok_unix)
        .Bind(5, url.last_failure_unix)
        .Bind(6, url.failure_class)
        .Bind(7, url.final_url)
        .Bind(8, url.asset_key);
    ROTGUARD_RETURN_IF_ERROR((*stmt)->Run());
  }
  return Status::Ok();
}

// --- WARC files and records ---

Status SqliteManifest::AddWarcFile(const WarcFileRow& file) {
  Result<Statement> stmt =
      db_.Prepare(std::string("INSERT INTO warc_files (") + kWarcFileColumns +
                  ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
  if (!stmt.ok()) return stmt.status();
  BindWarcFile(*stmt, file);
  return stmt->Run();
}

Status SqliteManifest::AddWarcFileWithRows(
    const WarcFileRow& file, const std::vector<RecordRow>& records,
    const std::vector<CaptureRow>& captures) {
  Result<Transaction> txn = Transaction::Begin(db_);
  if (!txn.ok()) return txn.status();
  ROTGUARD_RETURN_IF_ERROR(AddWarcFile(file));
  ROTGUARD_RETURN_IF_ERROR(InsertRecords(records));
  ROTGUARD_RETURN_IF_ERROR(InsertCaptures(captures));
  return txn->Commit();
}

// The file row first (so the rows' file exists at once), its final
// columns at Commit(); the open transaction hides all of it until then.
class SqliteManifest::SqliteWarcFileWriter final
    : public Manifest::WarcFileWriter {
 public:
  SqliteWarcFileWriter(SqliteManifest* manifest, Transaction txn)
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
  SqliteManifest* manifest_;
  Transaction txn_;  // rolled back on destruction unless committed
};

Result<std::unique_ptr<Manifest::WarcFileWriter>> SqliteManifest::BeginWarcFile(
    const WarcFileRow& file) {
  Result<Transaction> txn = Transaction::Begin(db_);
  if (!txn.ok()) return txn.status();
  ROTGUARD_RETURN_IF_ERROR(AddWarcFile(file));
  return std::unique_ptr<WarcFileWriter>(
      std::make_unique<SqliteWarcFileWriter>(this, std::move(*txn)));
}

Status SqliteManifest::CloseWarcFile(const std::string& name, int64_t size,
                                     const std::string& sha256,
                                     int64_t record_count) {
  Result<Statement> stmt = db_.Prepare(
      "UPDATE warc_files SET state = 'closed', size = ?2, sha256 = ?3, "
      "record_count = ?4, closed = ?5 WHERE name = ?1");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, name).Bind(2, size).Bind(3, sha256).Bind(4, record_count);
  stmt->Bind(5, NowUnix());
  ROTGUARD_RETURN_IF_ERROR(stmt->Run());
  return ExpectOneRowChanged("WARC file " + name);
}

Status SqliteManifest::UpdateWarcFile(const WarcFileRow& file) {
  Result<Statement> stmt = db_.Prepare(
      "UPDATE warc_files SET state = ?2, size = ?3, sha256 = ?4, "
      "record_count = ?5, created = ?6, closed = ?7, mtime_ns = ?8, "
      "inode = ?9, last_verified = ?10, imported = ?11 WHERE name = ?1");
  if (!stmt.ok()) return stmt.status();
  BindWarcFile(*stmt, file);
  ROTGUARD_RETURN_IF_ERROR(stmt->Run());
  return ExpectOneRowChanged("WARC file " + file.name);
}

Result<std::vector<WarcFileRow>> SqliteManifest::QueryWarcFiles(
    const std::string& where, const std::string& arg) {
  Result<Statement> stmt =
      db_.Prepare(std::string("SELECT ") + kWarcFileColumns +
                  " FROM warc_files " + where + " ORDER BY name");
  if (!stmt.ok()) return stmt.status();
  if (!arg.empty()) stmt->Bind(1, arg);
  return CollectRows<WarcFileRow>(*stmt, ReadWarcFile);
}

Result<std::optional<WarcFileRow>> SqliteManifest::FindWarcFile(
    const std::string& name) {
  Result<std::vector<WarcFileRow>> rows =
      QueryWarcFiles("WHERE name = ?1", name);
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<WarcFileRow>();
  return std::optional<WarcFileRow>(std::move(rows->front()));
}

Result<std::vector<WarcFileRow>> SqliteManifest::ListWarcFiles() {
  return QueryWarcFiles("", "");
}

Status SqliteManifest::InsertRecords(const std::vector<RecordRow>& batch) {
  Result<Statement> insert = db_.Prepare(
      "INSERT INTO records (warc_file, file_offset, compressed_length, type, "
      "record_id, target_uri, date, block_digest, payload_digest, lost, "
      "forgotten) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
  if (!insert.ok()) return insert.status();
  for (const RecordRow& r : batch) {
    insert->Reset();
    insert->Bind(1, r.warc_file)
        .Bind(2, r.offset)
        .Bind(3, r.compressed_length)
        .Bind(4, r.type)
        .Bind(5, r.record_id)
        .Bind(6, r.target_uri)
        .Bind(7, r.date)
        .Bind(8, r.block_digest)
        .Bind(9, r.payload_digest)
        .Bind(10, r.lost)
        .Bind(11, r.forgotten);
    ROTGUARD_RETURN_IF_ERROR(insert->Run());
  }
  return Status::Ok();
}

Status SqliteManifest::AddRecords(const std::vector<RecordRow>& batch) {
  return CommitBatch(batch, {}, {});
}

Result<std::vector<RecordRow>> SqliteManifest::RecordsOf(
    const std::string& file) {
  Result<Statement> stmt = db_.Prepare(
      "SELECT warc_file, file_offset, compressed_length, type, record_id, "
      "target_uri, date, block_digest, payload_digest, lost, forgotten "
      "FROM records "
      "WHERE warc_file = ?1 ORDER BY file_offset");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, file);
  return CollectRows<RecordRow>(*stmt, ReadRecord);
}

Result<std::vector<RecordRow>> SqliteManifest::RecordsOfTarget(
    const std::string& target_uri) {
  Result<Statement> stmt = db_.Prepare(
      "SELECT warc_file, file_offset, compressed_length, type, record_id, "
      "target_uri, date, block_digest, payload_digest, lost, forgotten "
      "FROM records WHERE target_uri = ?1");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, target_uri);
  return CollectRows<RecordRow>(*stmt, ReadRecord);
}

Result<std::unique_ptr<RowCursor<RecordRow>>> SqliteManifest::OpenRecordsOf(
    const std::string& file) {
  Result<Statement> stmt = db_.Prepare(
      "SELECT warc_file, file_offset, compressed_length, type, record_id, "
      "target_uri, date, block_digest, payload_digest, lost, forgotten "
      "FROM records "
      "WHERE warc_file = ?1 ORDER BY file_offset");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, file);
  return std::unique_ptr<RowCursor<RecordRow>>(
      std::make_unique<StatementCursor<RecordRow>>(std::move(*stmt),
                                                   ReadRecord));
}

Status SqliteManifest::MarkRecordLost(const std::string& file, int64_t offset) {
  Result<Statement> stmt = db_.Prepare(
      "UPDATE records SET lost = 1 WHERE warc_file = ?1 AND file_offset = ?2");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, file).Bind(2, offset);
  ROTGUARD_RETURN_IF_ERROR(stmt->Run());
  return ExpectOneRowChanged("record at " + file + ":" +
                             std::to_string(offset));
}

// --- captures ---

Status SqliteManifest::InsertCaptures(const std::vector<CaptureRow>& batch) {
  Result<Statement> insert = db_.Prepare(
      "INSERT INTO captures (url_id, url, captured_at_us, http_status, "
      "final_url, chain_id, hop_index, warc_file, record_offset, "
      "compressed_length, record_id, block_sha1, payload_sha1, "
      "payload_sha256, content_type, payload_length, revisit_of, source, "
      "run_id, truncated, lost, archive, memento_at_us, quality) VALUES (?1, "
      "?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, "
      "?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24)");
  if (!insert.ok()) return insert.status();
  int64_t now = NowUnix();
  for (const CaptureRow& c : batch) {
    const std::string& key = c.normalized.empty() ? c.url : c.normalized;
    Result<int64_t> url_id = UrlId(db_, key, now);
    if (!url_id.ok()) return url_id.status();
    insert->Reset();
    insert->Bind(1, *url_id)
        .Bind(2, c.url)
        .Bind(3, c.captured_at_us)
        .Bind(4, c.http_status)
        .Bind(5, c.final_url)
        .Bind(6, c.chain_id)
        .Bind(7, c.hop_index)
        .Bind(8, c.warc_file)
        .Bind(9, c.record_offset)
        .Bind(10, c.compressed_length)
        .Bind(11, c.record_id)
        .Bind(12, c.block_sha1)
        .Bind(13, c.payload_sha1)
        .Bind(14, c.payload_sha256)
        .Bind(15, c.content_type)
        .Bind(16, c.payload_length)
        .Bind(17, c.revisit_of)
        .Bind(18, c.source.empty() ? std::string("live") : c.source);
    if (c.run_id == 0) {
      insert->BindNull(19);
    } else {
      insert->Bind(19, c.run_id);
    }
    insert->Bind(20, c.truncated)
        .Bind(21, c.lost)
        .Bind(22, c.archive)
        .Bind(23, c.memento_at_us)
        .Bind(24, c.quality);
    ROTGUARD_RETURN_IF_ERROR(insert->Run());
  }
  return Status::Ok();
}

Status SqliteManifest::AddCaptures(const std::vector<CaptureRow>& batch) {
  return CommitBatch({}, batch, {});
}

Status SqliteManifest::CommitBatch(const std::vector<RecordRow>& records,
                                   const std::vector<CaptureRow>& captures,
                                   const std::vector<UrlRow>& urls) {
  Result<Transaction> txn = Transaction::Begin(db_);
  if (!txn.ok()) return txn.status();
  ROTGUARD_RETURN_IF_ERROR(InsertRecords(records));
  ROTGUARD_RETURN_IF_ERROR(InsertCaptures(captures));
  ROTGUARD_RETURN_IF_ERROR(UpdateUrlRows(urls));
  return txn->Commit();
}

Result<std::vector<CaptureRow>> SqliteManifest::QueryCaptures(
    const std::string& where, const std::string& arg) {
  Result<Statement> stmt = db_.Prepare(kCaptureSelect + where);
  if (!stmt.ok()) return stmt.status();
  if (!arg.empty()) stmt->Bind(1, arg);
  return CollectRows<CaptureRow>(*stmt, ReadCapture);
}

Result<std::optional<CaptureRow>> SqliteManifest::FindCaptureByPayloadSha1(
    const std::string& payload_sha1) {
  if (payload_sha1.empty()) return std::optional<CaptureRow>();
  Result<CachedStatement> stmt = db_.PrepareCached(
      std::string(kCaptureSelect) +
      "WHERE c.payload_sha1 = ?1 AND c.revisit_of = '' AND c.lost = 0 "
      "AND c.truncated = 0 ORDER BY c.id LIMIT 1");
  if (!stmt.ok()) return stmt.status();
  (*stmt)->Bind(1, payload_sha1);
  return FirstRow<CaptureRow>(**stmt, ReadCapture);
}

Result<std::vector<CaptureRow>> SqliteManifest::CapturesOf(
    const std::string& normalized) {
  // Cached: `report` asks once per link.
  Result<CachedStatement> stmt = db_.PrepareCached(
      std::string(kCaptureSelect) +
      "WHERE u.normalized = ?1 ORDER BY c.captured_at_us, c.id");
  if (!stmt.ok()) return stmt.status();
  (*stmt)->Bind(1, normalized);
  return CollectRows<CaptureRow>(**stmt, ReadCapture);
}

Result<std::unique_ptr<RowCursor<UrlRow>>> SqliteManifest::OpenCapturedUrls() {
  Result<Statement> stmt =
      db_.Prepare(std::string("SELECT ") + kUrlColumns +
                  " FROM urls WHERE EXISTS (SELECT 1 FROM captures "
                  "WHERE captures.url_id = urls.id) ORDER BY normalized");
  if (!stmt.ok()) return stmt.status();
  return std::unique_ptr<RowCursor<UrlRow>>(
      std::make_unique<StatementCursor<UrlRow>>(std::move(*stmt), ReadUrl));
}

Result<std::optional<CaptureRow>> SqliteManifest::FindChainEnd(
    const std::string& chain_id) {
  if (chain_id.empty()) return std::optional<CaptureRow>();
  Result<CachedStatement> stmt = db_.PrepareCached(
      std::string(kCaptureSelect) +
      // The "!= ''" lets SQLite use the partial captures_chain index.
      "WHERE c.chain_id = ?1 AND c.chain_id != '' "
      "ORDER BY c.hop_index DESC, c.warc_file, c.record_offset, c.id LIMIT 1");
  if (!stmt.ok()) return stmt.status();
  (*stmt)->Bind(1, chain_id);
  return FirstRow<CaptureRow>(**stmt, ReadCapture);
}

Result<std::vector<CaptureRow>> SqliteManifest::ListCaptures() {
  return QueryCaptures("ORDER BY c.warc_file, c.record_offset, c.id", "");
}

Result<std::unique_ptr<RowCursor<CaptureRow>>> SqliteManifest::OpenCapturesOf(
    const std::string& file) {
  Result<Statement> stmt =
      db_.Prepare(std::string(kCaptureSelect) +
                  "WHERE c.warc_file = ?1 ORDER BY c.record_offset, c.id");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, file);
  return std::unique_ptr<RowCursor<CaptureRow>>(
      std::make_unique<StatementCursor<CaptureRow>>(std::move(*stmt),
                                                    ReadCapture));
}

Status SqliteManifest::MarkCapturesLost(const std::string& file,
                                        int64_t record_offset) {
  Result<Statement> stmt = db_.Prepare(
      "UPDATE captures SET lost = 1 "
      "WHERE warc_file = ?1 AND record_offset = ?2");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, file).Bind(2, record_offset);
  return stmt->Run();
}

// --- runs ---

Result<int64_t> SqliteManifest::BeginRun(const std::string& command,
                                         int64_t started_unix) {
  Result<Statement> stmt =
      db_.Prepare("INSERT INTO runs (command, started) VALUES (?1, ?2)");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, command).Bind(2, started_unix);
  ROTGUARD_RETURN_IF_ERROR(stmt->Run());
  return db_.LastInsertRowId();
}

Status SqliteManifest::EndRun(int64_t run_id, int64_t ended_unix,
                              const std::map<std::string, int64_t>& counts,
                              int exit_code) {
  Result<Statement> stmt = db_.Prepare(
      "UPDATE runs SET ended = ?2, counts = ?3, exit_code = ?4 WHERE id = ?1");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, run_id)
      .Bind(2, ended_unix)
      .Bind(3, nlohmann::json(counts).dump())
      .Bind(4, exit_code);
  ROTGUARD_RETURN_IF_ERROR(stmt->Run());
  return ExpectOneRowChanged("run " + std::to_string(run_id));
}

Result<std::vector<VerdictChangeRow>> SqliteManifest::VerdictChangesOf(
    const std::string& normalized) {
  // Cached: `report --since` asks once per link.
  Result<CachedStatement> stmt = db_.PrepareCached(
      "SELECT v.changed, v.verdict, v.previous FROM verdict_changes v "
      "JOIN urls u ON u.id = v.url_id WHERE u.normalized = ?1 "
      "ORDER BY v.changed, v.id");
  if (!stmt.ok()) return stmt.status();
  (*stmt)->Bind(1, normalized);
  std::vector<VerdictChangeRow> changes;
  for (;;) {
    Result<bool> row = (*stmt)->Step();
    if (!row.ok()) return row.status();
    if (!*row) return changes;
    VerdictChangeRow change;
    change.changed_unix = (*stmt)->ColumnInt(0);
    change.verdict = (*stmt)->ColumnText(1);
    change.previous = (*stmt)->ColumnText(2);
    changes.push_back(std::move(change));
  }
}

Result<std::vector<RunRow>> SqliteManifest::ListRuns() {
  Result<Statement> stmt = db_.Prepare(
      "SELECT id, command, started, ended, counts, exit_code FROM runs "
      "ORDER BY id");
  if (!stmt.ok()) return stmt.status();
  std::vector<RunRow> runs;
  for (;;) {
    Result<bool> row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) return runs;
    RunRow run;
    run.id = stmt->ColumnInt(0);
    run.command = stmt->ColumnText(1);
    run.started_unix = stmt->ColumnInt(2);
    run.ended_unix = stmt->ColumnInt(3);
    nlohmann::json counts =
        nlohmann::json::parse(stmt->ColumnText(4), nullptr, false);
    if (!counts.is_object()) {
      return Status::Corruption(db_.path() + ": run " + std::to_string(run.id) +
                                " has unreadable counts");
    }
    for (const auto& [key, value] : counts.items()) {
      if (value.is_number_integer()) run.counts[key] = value.get<int64_t>();
    }
    run.exit_code = static_cast<int>(stmt->ColumnInt(5));
    runs.push_back(std::move(run));
  }
}

// --- public copies ---

namespace {

constexpr const char* kSubmissionSelect =
    "SELECT u.normalized, s.state, s.job_id, s.memento_url, s.memento_at_us, "
    "s.attempts, s.last_attempt_us, s.message FROM public_submissions s "
    "JOIN urls u ON u.id = s.url_id ";

SubmissionRow ReadSubmission(const Statement& s) {
  SubmissionRow row;
  row.normalized = s.ColumnText(0);
  row.state = s.ColumnText(1);
  row.job_id = s.ColumnText(2);
  row.memento_url = s.ColumnText(3);
  row.memento_at_us = s.ColumnInt(4);
  row.attempts = static_cast<int>(s.ColumnInt(5));
  row.last_attempt_us = s.ColumnInt(6);
  row.message = s.ColumnText(7);
  return row;
}

}  // namespace

Status SqliteManifest::PutSubmission(const SubmissionRow& row) {
  Result<Transaction> txn = Transaction::Begin(db_);
  if (!txn.ok()) return txn.status();
  Result<int64_t> id = UrlId(db_, row.normalized, NowUnix());
  if (!id.ok()) return id.status();
  Result<Statement> stmt = db_.Prepare(
      "INSERT OR REPLACE INTO public_submissions (url_id, state, job_id, "
      "memento_url, memento_at_us, attempts, last_attempt_us, message) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, *id)
      .Bind(2, row.state)
      .Bind(3, row.job_id)
      .Bind(4, row.memento_url)
      .Bind(5, row.memento_at_us)
      .Bind(6, row.attempts)
      .Bind(7, row.last_attempt_us)
      .Bind(8, row.message);
  ROTGUARD_RETURN_IF_ERROR(stmt->Run());
  return txn->Commit();
}

Result<std::optional<SubmissionRow>> SqliteManifest::FindSubmission(
    const std::string& normalized) {
  // Cached: `report` asks once per link.
  Result<CachedStatement> stmt = db_.PrepareCached(
      std::string(kSubmissionSelect) + "WHERE u.normalized = ?1");
  if (!stmt.ok()) return stmt.status();
  (*stmt)->Bind(1, normalized);
  return FirstRow<SubmissionRow>(**stmt, ReadSubmission);
}

Result<std::vector<SubmissionRow>> SqliteManifest::ListSubmissions() {
  Result<Statement> stmt =
      db_.Prepare(std::string(kSubmissionSelect) + "ORDER BY u.normalized");
  if (!stmt.ok()) return stmt.status();
  return CollectRows<SubmissionRow>(*stmt, ReadSubmission);
}

Status SqliteManifest::SetLookupNone(const std::string& normalized,
                                     int64_t none_at_us) {
  Result<Transaction> txn = Transaction::Begin(db_);
  if (!txn.ok()) return txn.status();
  Result<int64_t> id = UrlId(db_, normalized, NowUnix());
  if (!id.ok()) return id.status();
  Result<Statement> stmt = db_.Prepare(
      "INSERT OR REPLACE INTO public_lookups (url_id, none_at_us) "
      "VALUES (?1, ?2)");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, *id).Bind(2, none_at_us);
  ROTGUARD_RETURN_IF_ERROR(stmt->Run());
  return txn->Commit();
}

Result<int64_t> SqliteManifest::LookupNoneAt(const std::string& normalized) {
  Result<CachedStatement> stmt = db_.PrepareCached(
      "SELECT l.none_at_us FROM public_lookups l JOIN urls u ON u.id = "
      "l.url_id WHERE u.normalized = ?1");
  if (!stmt.ok()) return stmt.status();
  (*stmt)->Bind(1, normalized);
  Result<bool> row = (*stmt)->Step();
  if (!row.ok()) return row.status();
  return *row ? (*stmt)->ColumnInt(0) : int64_t{0};
}

// --- counters and maintenance ---

Result<Manifest::CaptureCounts> SqliteManifest::CountCaptures() {
  Result<Statement> stmt = db_.Prepare(
      "SELECT COALESCE(SUM(lost = 0), 0), COALESCE(SUM(lost <> 0), 0) "
      "FROM captures");
  if (!stmt.ok()) return stmt.status();
  Result<bool> row = stmt->Step();
  if (!row.ok()) return row.status();
  CaptureCounts counts;
  counts.live = stmt->ColumnInt(0);
  counts.lost = stmt->ColumnInt(1);
  ROTGUARD_RETURN_IF_ERROR(stmt->Run());
  return counts;
}

Result<int64_t> SqliteManifest::NextCounter(const std::string& name) {
  Result<Statement> stmt = db_.Prepare(
      "INSERT INTO meta (key, value) VALUES (?1, '1') "
      "ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1 "
      "RETURNING CAST(value AS INTEGER)");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, "counter." + name);
  Result<bool> row = stmt->Step();
  if (!row.ok()) return row.status();
  int64_t value = stmt->ColumnInt(0);
  ROTGUARD_RETURN_IF_ERROR(stmt->Run());
  return value;
}

Status SqliteManifest::CheckIntegrity(bool quick) {
  Result<Statement> stmt =
      db_.Prepare(quick ? "PRAGMA quick_check" : "PRAGMA integrity_check");
  if (!stmt.ok()) return stmt.status();
  Result<bool> row = stmt->Step();
  if (!row.ok()) return row.status();
  std::string first = *row ? stmt->ColumnText(0) : "no result";
  if (first == "ok") return Status::Ok();
  return Status::Corruption(db_.path() + ": " +
                            (quick ? "quick_check" : "integrity_check") +
                            " failed: " + first);
}

}  // namespace rotguard
