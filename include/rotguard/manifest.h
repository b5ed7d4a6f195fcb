// The manifest: what rotguard knows about posts, links, URLs, WARC files,
// records, captures and runs (SPEC §4). One abstract interface with plain
// row structs, so callers never see the database: SQLite (the default) or
// PostgreSQL (SPEC §10), chosen by OpenManifest() from the location.
//
// Thread-safety: a Manifest object is not thread-safe; use one per thread
// (or guard it). Several processes may open the same manifest; the store
// lock (store.h) decides who may write.
#ifndef ROTGUARD_MANIFEST_H_
#define ROTGUARD_MANIFEST_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rotguard/status.h"

namespace rotguard {

// A scanned post. `path` is the key (as the scanner reports it).
struct DocumentRow {
  std::string path;
  std::string sha256;  // hex of the file's bytes
  std::string title;   // front matter, "" when absent
  std::string date;    // front matter (or Jekyll file name), "" when absent
  std::optional<bool> draft;
  int64_t last_scanned_unix = 0;
  // The post's public URL from the site's permalink rules (the URI of its
  // resource record); "" when unknown (no base URL, or scanned before the
  // column existed).
  std::string public_url;
};

// One link of a document, with the exact byte span of the URL text.
struct LinkRow {
  std::string kind;        // link, image, embed, frontmatter, requisite
  std::string written;     // the bytes at [start, end)
  std::string url;         // absolute URL as written
  std::string normalized;  // manifest key; "" when not normalizable
  int line = 0;            // 1-based
  int column = 0;          // 1-based, in bytes
  int64_t start = 0;       // byte offset from the file's first byte
  int64_t end = 0;         // exclusive
};

// One scanned document and its links, for Manifest::RecordScans().
struct DocumentScan {
  DocumentRow document;
  std::vector<LinkRow> links;
};

// Link health of one normalized URL (SPEC §13 "Verdicts").
struct UrlRow {
  int64_t id = 0;
  std::string normalized;
  std::string surt;
  int64_t first_seen_unix = 0;
  std::string verdict;  // "" until judged: ok, moved, gone, ...
  int consecutive_failures = 0;
  int64_t last_ok_unix = 0;       // 0: never
  int64_t last_failure_unix = 0;  // 0: never; last failure that counted
  std::string failure_class;      // dns, connect, tls, timeout, http-404, ...
  // Read-only, computed when listing: the newest capture that is not
  // lost, 0 when there is none (what "due" is judged from).
  int64_t last_capture_us = 0;
  // Schema v3, written by archive (UpdateUrlsBatch): the final URL of the
  // chain that is not a shortener ("" unknown), and the key grouping size
  // variants of one image (the Blogger s0 URL; "" when not an asset).
  std::string final_url;
  std::string asset_key;
};

enum class WarcFileState { kOpen, kClosed };

// One WARC file of the store, by file name relative to <store>/warc/
// (e.g. "rotguard-20260101120000-00001-host.warc.gz" or
// "imported/crawl.warc.gz"). `name` is the key.
struct WarcFileRow {
  std::string name;
  WarcFileState state = WarcFileState::kOpen;
  int64_t size = 0;          // bytes, when closed
  std::string sha256;        // hex of the whole file, when closed
  int64_t record_count = 0;  // when closed
  int64_t created_unix = 0;
  int64_t closed_unix = 0;         // 0 while open
  int64_t mtime_ns = 0;            // stat() at close, for verify --quick
  int64_t inode = 0;               // stat() at close, for verify --quick
  int64_t last_verified_unix = 0;  // last whole-file re-hash; 0: never
  bool imported = false;           // copied in by `import`
};

// One record of a WARC file (every record of every file, SPEC §4).
struct RecordRow {
  std::string warc_file;  // WarcFileRow::name
  int64_t offset = 0;     // of the record's gzip member (or record start)
  int64_t compressed_length = 0;
  std::string type;       // warcinfo, request, response, revisit, resource...
  std::string record_id;  // WARC-Record-ID, with its angle brackets
  std::string target_uri;
  std::string date;            // WARC-Date as written
  std::string block_digest;    // "sha1:BASE32" as written, "" if absent
  std::string payload_digest;  // "sha1:BASE32" as written, "" if absent
  bool lost = false;           // repair found it missing
  // Schema v8: the record belongs to a forgotten URL (`rotguard forget`);
  // its bytes stay in the file until `forget --purge` rewrites it, and
  // export leaves it out.
  bool forgotten = false;
};

// A capture of a URL: points at its response/revisit/resource record.
struct CaptureRow {
  int64_t id = 0;              // assigned by the manifest
  std::string url;             // WARC-Target-URI as fetched
  std::string normalized;      // urls key; "" means: use `url` as the key
  int64_t captured_at_us = 0;  // WARC-Date, microseconds since the epoch
  int http_status = 0;         // 0 for non-HTTP records
  std::string final_url;       // end of the redirect chain
  std::string chain_id;        // groups the hops of one redirect chain
  int hop_index = 0;           // 0 for the first request of a chain
  std::string warc_file;
  int64_t record_offset = 0;
  int64_t compressed_length = 0;
  std::string record_id;
  std::string block_sha1;      // base32, no label
  std::string payload_sha1;    // base32, no label
  std::string payload_sha256;  // hex
  std::string content_type;
  int64_t payload_length = 0;
  std::string revisit_of;  // record id of the original, "" if none
  std::string source;      // "live", "import", "public-archive", "browser"
  int64_t run_id = 0;      // 0: none
  bool truncated = false;  // WARC-Truncated was written
  bool lost = false;       // repair found its record missing
  // Schema v5, for source "public-archive": the archive that held the copy
  // (its host, e.g. "web.archive.org") and the copy's Memento-Datetime
  // (microseconds since the epoch). `url` is then the archive's URL and
  // `normalized` the original link's key.
  std::string archive;
  int64_t memento_at_us = 0;
  // Schema v6: "full", "thin", "challenge" or "error-page" for a fetched
  // HTML page (rotguard/capture_quality.h); "" for any other capture and
  // for captures made before v6.
  std::string quality;
};

// Source values of CaptureRow::source.
inline constexpr const char* kSourcePublicArchive = "public-archive";
// A capture made by the headless-browser lane (issue #16): its exchanges
// went through the recording proxy; the page's DOM snapshot, screenshot
// and thumbnail are resource records of target
// "urn:rotguard:{dom,screenshot,thumbnail}:<final_url>" (no captures row).
inline constexpr const char* kSourceBrowser = "browser";
inline constexpr const char* kDomSnapshotPrefix = "urn:rotguard:dom:";
inline constexpr const char* kScreenshotPrefix = "urn:rotguard:screenshot:";
inline constexpr const char* kThumbnailPrefix = "urn:rotguard:thumbnail:";

// The second, public copy of a URL (schema v7): its Save Page Now
// submission. `normalized` is the key.
struct SubmissionRow {
  std::string normalized;
  std::string state;        // "pending", "success", "error"
  std::string job_id;       // SPN job; kept while pending across runs
  std::string memento_url;  // https://web.archive.org/web/TS/ORIGINAL
  int64_t memento_at_us = 0;
  int attempts = 0;             // submissions sent (POSTs that got a reply)
  int64_t last_attempt_us = 0;  // last submission or poll
  std::string message;          // the archive's (or our) last word
};

// Values of SubmissionRow::state.
inline constexpr const char* kSubmissionPending = "pending";
inline constexpr const char* kSubmissionSuccess = "success";
inline constexpr const char* kSubmissionError = "error";
// A URL taken down by `rotguard forget` (schema v8): never fetched,
// exported or restored again. `normalized` is the key.
struct TombstoneRow {
  std::string url;  // as the user gave it
  std::string normalized;
  std::string reason;  // "" when none was given
  int64_t created_unix = 0;
};

// What one `forget` of a URL changes, in ONE transaction: the tombstone is
// written (or its reason and time replaced), the captures deleted, the
// records marked forgotten, and the URL's verdict set to "forgotten".
struct ForgetRows {
  TombstoneRow tombstone;
  std::vector<int64_t> capture_ids;
  struct Location {
    std::string warc_file;
    int64_t offset = 0;
  };
  std::vector<Location> records;
};

// A WARC file rewritten by `forget --purge`: `replacement` (a closed file
// holding the kept records byte for byte) takes the place of `old_name`;
// `moves` maps the old offset of each kept record to its new one.
struct PurgedWarcFile {
  std::string old_name;
  WarcFileRow replacement;
  std::vector<std::pair<int64_t, int64_t>> moves;
};

// A command run (for cron histories and `report`).
struct RunRow {
  int64_t id = 0;
  std::string command;
  int64_t started_unix = 0;
  int64_t ended_unix = 0;  // 0 while running (or killed)
  std::map<std::string, int64_t> counts;
  int exit_code = -1;  // -1 while running (or killed)
};

// One change of a URL's verdict (schema v6; written by the manifest itself
// whenever a URL's verdict is updated to a different one).
struct VerdictChangeRow {
  int64_t changed_unix = 0;
  std::string verdict;
  std::string previous;  // "" for the first verdict of the URL
};

// Rows one at a time (memory flat in the row count): a cursor over a
// query that stays open until it is destroyed. Not thread-safe; the
// Manifest that opened it must outlive it.
template <typename Row>
class RowCursor {
 public:
  virtual ~RowCursor() = default;
  // The next row into *row; false (row untouched) once there is none.
  virtual Result<bool> Next(Row* row) = 0;
};

// A cursor over rows already in memory (the default forms below).
template <typename Row>
class VectorCursor final : public RowCursor<Row> {
 public:
  explicit VectorCursor(std::vector<Row> rows) : rows_(std::move(rows)) {}
  Result<bool> Next(Row* row) override {
    if (next_ == rows_.size()) return false;
    *row = std::move(rows_[next_++]);
    return true;
  }

 private:
  std::vector<Row> rows_;
  size_t next_ = 0;
};

class ScanWriter;  // rotguard/scan_writer.h

class Manifest {
 public:
  virtual ~Manifest() = default;
  Manifest(const Manifest&) = delete;
  Manifest& operator=(const Manifest&) = delete;

  // Schema version of the open database (PRAGMA user_version for SQLite).
  virtual int SchemaVersion() = 0;

  // --- documents and links ---
  // Upserts `doc` by path. When it is new or its sha256 changed, replaces
  // its links (creating missing `urls` rows) in one transaction and returns
  // true; otherwise only touches last_scanned and returns false.
  virtual Result<bool> RecordScan(const DocumentRow& doc,
                                  const std::vector<LinkRow>& links) = 0;
  // RecordScan() for many documents in ONE transaction (all or none),
  // much faster for a first scan of a whole site. Returns the paths whose
  // links were replaced (new or changed documents), in input order.
  virtual Result<std::vector<std::string>> RecordScans(
      const std::vector<DocumentScan>& scans) = 0;
  // RecordScans() fed in batches, still in ONE transaction
  // (rotguard/scan_writer.h): nothing is visible until Commit(), and a
  // writer destroyed uncommitted leaves the manifest as it was. No other
  // write may run on this manifest until the writer is gone. The SQLite
  // and PostgreSQL backends write as batches come; this default keeps the
  // scans for one RecordScans() at Commit().
  virtual Result<std::unique_ptr<ScanWriter>> BeginScans();
  virtual Result<std::optional<DocumentRow>> FindDocument(
      const std::string& path) = 0;
  virtual Result<std::vector<DocumentRow>> ListDocuments() = 0;
  // Links of a document in span order; empty when the path is unknown.
  virtual Result<std::vector<LinkRow>> LinksOf(const std::string& path) = 0;

  // --- urls ---
  // Returns the id of `normalized`, creating the row (with its SURT and
  // first_seen = now_unix) when it is new.
  virtual Result<int64_t> EnsureUrl(const std::string& normalized,
                                    int64_t now_unix) = 0;
  virtual Result<std::optional<UrlRow>> FindUrl(
      const std::string& normalized) = 0;
  // Every URL some document links to (the archive's work list), sorted;
  // tombstoned (forgotten) URLs are left out.
  virtual Result<std::vector<UrlRow>> ListLinkedUrls() = 0;
  virtual Result<std::vector<UrlRow>> ListUrls() = 0;
  // Writes the health columns of the row whose `normalized` matches.
  virtual Status UpdateUrlHealth(const UrlRow& url) = 0;
  // For each row: the health columns (as UpdateUrlHealth) plus final_url
  // and asset_key, creating missing rows; ONE transaction (archive).
  virtual Status UpdateUrlsBatch(const std::vector<UrlRow>& urls) = 0;

  // --- WARC files and records ---
  virtual Status AddWarcFile(const WarcFileRow& file) = 0;
  // A complete (closed) file with all its records and captures in ONE
  // transaction: all rows or none (import).
  virtual Status AddWarcFileWithRows(
      const WarcFileRow& file, const std::vector<RecordRow>& records,
      const std::vector<CaptureRow>& captures) = 0;
  // AddWarcFileWithRows() fed in batches (import of a large file in flat
  // memory): still ONE transaction, so nothing is visible until Commit()
  // and a writer destroyed uncommitted leaves no row behind.
  class WarcFileWriter {
   public:
    virtual ~WarcFileWriter() = default;
    virtual Status Add(const std::vector<RecordRow>& records,
                       const std::vector<CaptureRow>& captures) = 0;
    // Writes `file` (its final columns: record_count...) and commits.
    virtual Status Commit(const WarcFileRow& file) = 0;
  };
  // Opens the transaction; `file.name` is the name the rows carry. No
  // other write may run on this Manifest until the writer is gone. The
  // default buffers the rows for AddWarcFileWithRows() (for fakes).
  virtual Result<std::unique_ptr<WarcFileWriter>> BeginWarcFile(
      const WarcFileRow& file);
  virtual Status CloseWarcFile(const std::string& name, int64_t size,
                               const std::string& sha256,
                               int64_t record_count) = 0;
  // Overwrites every column of the row named `file.name` (verify/repair).
  virtual Status UpdateWarcFile(const WarcFileRow& file) = 0;
  virtual Result<std::optional<WarcFileRow>> FindWarcFile(
      const std::string& name) = 0;
  virtual Result<std::vector<WarcFileRow>> ListWarcFiles() = 0;
  // One transaction per call; all rows or none.
  virtual Status AddRecords(const std::vector<RecordRow>& batch) = 0;
  // Records of one file in offset order.
  virtual Result<std::vector<RecordRow>> RecordsOf(const std::string& file) = 0;
  virtual Status MarkRecordLost(const std::string& file, int64_t offset) = 0;
  // The record with WARC-Record-ID `record_id` (first by file and offset),
  // lost ones too; nullopt when none. A kept revisit of a forgotten
  // original reads its payload there until a purge.
  virtual Result<std::optional<RecordRow>> FindRecordById(
      const std::string& record_id) = 0;
  // Every record whose WARC-Target-URI is `target_uri`, lost and
  // forgotten ones too, in no particular order (schema v12 indexes it).
  virtual Result<std::vector<RecordRow>> RecordsOfTarget(
      const std::string& target_uri) = 0;
  // The newest record (by WARC-Date) of `target_uri` that is neither lost
  // nor forgotten, dated at or before `at_us` (microseconds since the
  // epoch) when given; nullopt when none. How readers find the browser
  // lane's urn:rotguard:dom:/screenshot:/thumbnail: resource records,
  // which have no captures row. Records with an unreadable date are
  // never picked; of equal dates the later one in the store wins.
  Result<std::optional<RecordRow>> FindNewestRecord(
      const std::string& target_uri,
      std::optional<int64_t> at_us = std::nullopt);
  // RecordsOf() as a cursor. The default reads the vector (for fakes).
  virtual Result<std::unique_ptr<RowCursor<RecordRow>>> OpenRecordsOf(
      const std::string& file) {
    Result<std::vector<RecordRow>> rows = RecordsOf(file);
    if (!rows.ok()) return rows.status();
    return std::unique_ptr<RowCursor<RecordRow>>(
        std::make_unique<VectorCursor<RecordRow>>(std::move(*rows)));
  }

  // --- captures ---
  // One transaction per call; all rows or none. Creates missing `urls`
  // rows. Ids in `batch` are ignored.
  virtual Status AddCaptures(const std::vector<CaptureRow>& batch) = 0;
  // Records and captures of one durable WARC batch, and the urls rows
  // (verdicts) they decide, in ONE transaction (SPEC §4: commit only
  // after the WARC bytes are on disk). One transaction, so a kill can
  // never leave a URL captured but unjudged, which no later run would
  // find due.
  virtual Status CommitBatch(const std::vector<RecordRow>& records,
                             const std::vector<CaptureRow>& captures,
                             const std::vector<UrlRow>& urls) = 0;
  // The earliest non-revisit, non-lost capture with this payload sha1
  // (base32): the original a revisit record should point at.
  virtual Result<std::optional<CaptureRow>> FindCaptureByPayloadSha1(
      const std::string& payload_sha1) = 0;
  // Captures of a normalized URL, oldest first.
  virtual Result<std::vector<CaptureRow>> CapturesOf(
      const std::string& normalized) = 0;
  // Every capture, by file then offset (verify, export).
  virtual Result<std::vector<CaptureRow>> ListCaptures() = 0;
  virtual Status MarkCapturesLost(const std::string& file,
                                  int64_t record_offset) = 0;
  // The captures of one WARC file, by offset then id, as a cursor. The
  // default filters ListCaptures() (for fakes).
  virtual Result<std::unique_ptr<RowCursor<CaptureRow>>> OpenCapturesOf(
      const std::string& file) {
    Result<std::vector<CaptureRow>> all = ListCaptures();
    if (!all.ok()) return all.status();
    std::vector<CaptureRow> rows;
    for (CaptureRow& c : *all) {
      if (c.warc_file == file) rows.push_back(std::move(c));
    }
    return std::unique_ptr<RowCursor<CaptureRow>>(
        std::make_unique<VectorCursor<CaptureRow>>(std::move(rows)));
  }

  // Non-lost and lost captures of the whole manifest. The default counts
  // ListCaptures() (for fakes).
  struct CaptureCounts {
    int64_t live = 0;
    int64_t lost = 0;
  };
  virtual Result<CaptureCounts> CountCaptures();
  // The URLs that have at least one capture, by normalized, as a cursor
  // (`report` of a store without posts). The default filters ListUrls().
  virtual Result<std::unique_ptr<RowCursor<UrlRow>>> OpenCapturedUrls() {
    Result<std::vector<UrlRow>> urls = ListUrls();
    if (!urls.ok()) return urls.status();
    Result<std::vector<CaptureRow>> captures = ListCaptures();
    if (!captures.ok()) return captures.status();
    std::vector<UrlRow> rows;
    for (UrlRow& url : *urls) {
      for (const CaptureRow& c : *captures) {
        if ((c.normalized.empty() ? c.url : c.normalized) == url.normalized) {
          rows.push_back(std::move(url));
          break;
        }
      }
    }
    return std::unique_ptr<RowCursor<UrlRow>>(
        std::make_unique<VectorCursor<UrlRow>>(std::move(rows)));
  }
  // The hop of redirect chain `chain_id` with the highest hop_index (the
  // first by file, offset and id among equals); nullopt for an unknown or
  // empty id. The default scans ListCaptures() (for fakes).
  virtual Result<std::optional<CaptureRow>> FindChainEnd(
      const std::string& chain_id) {
    if (chain_id.empty()) return std::optional<CaptureRow>();
    Result<std::vector<CaptureRow>> all = ListCaptures();
    if (!all.ok()) return all.status();
    std::optional<CaptureRow> end;
    for (CaptureRow& c : *all) {
      if (c.chain_id == chain_id && (!end || c.hop_index > end->hop_index)) {
        end = std::move(c);
      }
    }
    return end;
  }

  // --- takedowns (schema v8) ---
  virtual Status Forget(const ForgetRows& rows) = 0;
  // By normalized URL.
  virtual Result<std::vector<TombstoneRow>> ListTombstones() = 0;
  // False when there was no tombstone. The URL's verdict goes back to ""
  // (unchecked): its captures are not restored, the next archive fetches it.
  virtual Result<bool> RemoveTombstone(const std::string& normalized) = 0;
  // The WARC files holding records marked forgotten, by name.
  virtual Result<std::vector<std::string>> FilesWithForgottenRecords() = 0;
  // purged_files lists files under warc/ that are not part of the store
  // and wait to be unlinked: a purge's replacements while they are
  // written (AddPurgedFile, before the first byte), then the old files it
  // replaced. Whoever holds the exclusive lock next unlinks those that
  // have no warc_files row, then ClearPurgedFile(), so a crash at any
  // point leaves the old or the new store plus files to remove.
  virtual Status AddPurgedFile(const std::string& name) = 0;
  // ONE transaction for all `files`: each replacement's warc_files row
  // added (and its name taken off purged_files), kept records and
  // captures moved to it, the old file's remaining records, captures and
  // row deleted, its name added to purged_files.
  virtual Status SwitchPurgedFiles(
      const std::vector<PurgedWarcFile>& files) = 0;
  virtual Result<std::vector<std::string>> ListPurgedFiles() = 0;
  virtual Status ClearPurgedFile(const std::string& name) = 0;
  // The verdict changes of a normalized URL, oldest first; empty for a URL
  // judged only before the history was kept. The default has none (fakes).
  virtual Result<std::vector<VerdictChangeRow>> VerdictChangesOf(
      const std::string& normalized) {
    (void)normalized;
    return std::vector<VerdictChangeRow>();
  }

  // --- work queue (schema v11: `enqueue`, `archive --worker`) ---
  // Puts each normalized URL (creating its urls row) on the queue as due,
  // unless it is due already (leased or not): a done row becomes due
  // again. ONE transaction. Returns how many rows were not due before, so
  // a second call with the same URLs returns 0.
  virtual Result<int64_t> Enqueue(const std::vector<std::string>& normalized,
                                  int64_t now_ms) = 0;
  // Leases up to `limit` due URLs whose lease is free or expired (lease
  // time <= now_ms) to `owner` until now_ms + lease_ms, counting an
  // attempt on each; normalized keys in url id order. Only URLs of hosts
  // `owner` holds are claimed: first those it holds already, then one
  // more free host at a time while the batch is not full; a host with
  // nothing due left is freed. So one worker at a time fetches from a
  // host, and its --per-host, --delay and Retry-After hold across
  // workers. Two callers never get the same URL or host while its lease
  // is live: PostgreSQL claims with FOR UPDATE SKIP LOCKED, SQLite in one
  // write transaction.
  virtual Result<std::vector<std::string>> ClaimWork(const std::string& owner,
                                                     int64_t now_ms,
                                                     int64_t lease_ms,
                                                     int limit) = 0;
  // Moves the lease of every due URL and every host `owner` holds to
  // now_ms + lease_ms; returns how many URLs. A lease another worker took
  // over is not touched.
  virtual Result<int64_t> RenewLeases(const std::string& owner, int64_t now_ms,
                                      int64_t lease_ms) = 0;
  // Ends the leases `owner` still holds on due URLs: with `done` their
  // rows are marked done (the run decided them without a verdict: out of
  // scope, forgotten) and its hosts stay its own for the next claim;
  // otherwise URLs and hosts are free for anyone again (a worker's exit,
  // a cut-short batch). Returns how many URLs.
  virtual Result<int64_t> ReleaseLeases(const std::string& owner,
                                        bool done) = 0;
  struct WorkCounts {
    int64_t free = 0;    // due, lease free or expired: claimable now
    int64_t leased = 0;  // due, lease live at now_ms
    int64_t done = 0;
  };
  virtual Result<WorkCounts> CountWork(int64_t now_ms) = 0;
  // CommitBatch() that also marks the work-queue rows of `urls` done and
  // ends their leases, in the same transaction: a URL leaves the queue
  // exactly when its captures and verdict are committed (whoever holds
  // the lease by then).
  virtual Status CommitWorkBatch(const std::vector<RecordRow>& records,
                                 const std::vector<CaptureRow>& captures,
                                 const std::vector<UrlRow>& urls) = 0;
  // Marks the due work-queue rows of `normalized` done and ends their
  // leases (whoever holds them), in ONE transaction: a worker decided
  // them without a verdict (out of scope, forgotten) while the rest of
  // its leases are still being fetched, so ReleaseLeases(owner, true)
  // would end too many. URLs not on the queue, or done, are skipped.
  virtual Status CompleteWork(const std::vector<std::string>& normalized) = 0;

  // --- runs ---
  virtual Result<int64_t> BeginRun(const std::string& command,
                                   int64_t started_unix) = 0;
  virtual Status EndRun(int64_t run_id, int64_t ended_unix,
                        const std::map<std::string, int64_t>& counts,
                        int exit_code) = 0;
  virtual Result<std::vector<RunRow>> ListRuns() = 0;

  // --- public copies (schema v7) ---
  // Upserts the submission row of `row.normalized` (creating its urls row).
  virtual Status PutSubmission(const SubmissionRow& row) = 0;
  virtual Result<std::optional<SubmissionRow>> FindSubmission(
      const std::string& normalized) = 0;
  // Every submission, by normalized URL.
  virtual Result<std::vector<SubmissionRow>> ListSubmissions() = 0;
  // When a public-archive lookup of `normalized` last found no copy at
  // all (µs; 0: never, or a copy was found since). Set to 0 to clear.
  virtual Status SetLookupNone(const std::string& normalized,
                               int64_t none_at_us) = 0;
  virtual Result<int64_t> LookupNoneAt(const std::string& normalized) = 0;

  // --- store-wide counters and maintenance ---
  // Increments the named counter and returns its new value (1 first).
  // Safe across processes only while the caller holds the store's
  // exclusive lock.
  virtual Result<int64_t> NextCounter(const std::string& name) = 0;
  // PRAGMA quick_check (quick) or integrity_check; Corruption with the
  // first problem found.
  virtual Status CheckIntegrity(bool quick) = 0;

 protected:
  Manifest() = default;
};

// Opens (creating and migrating when needed) the manifest at `path_or_uri`:
// a file path for SQLite, or a "postgresql://" (or "postgres://") URL for
// the PostgreSQL backend, whose database is created at the current schema
// when empty (an unreachable server is IOError naming the URL without its
// password). A file that is not a database gives Corruption naming the
// file; a schema newer than this build gives NotSupported.
Result<std::unique_ptr<Manifest>> OpenManifest(const std::string& path_or_uri);

// Opens the existing SQLite manifest at `path` for reading only, touching
// no file next to it: for a store on a read-only filesystem, where
// OpenManifest fails (WAL mode needs to create its -shm file). Every write
// fails; a schema older than this build's is NotSupported.
Result<std::unique_ptr<Manifest>> OpenManifestReadOnly(const std::string& path);

const char* WarcFileStateName(WarcFileState state);

// One table as CopySqliteManifestToPostgres() copied it: its row count and
// a sha256 over every column of every row in key order, equal on both
// sides.
struct ManifestTableCopy {
  std::string table;
  int64_t rows = 0;
  std::string sha256;  // hex
};

// `rotguard migrate`: copies every row of every table of the SQLite
// manifest at `sqlite_path` (migrated to the current schema first) into
// the PostgreSQL database at `pg_url`, ids and counters included, in ONE
// transaction; before committing, counts and checksums every table on
// both sides, and any difference rolls it all back (Corruption). A
// destination that already holds rows is InvalidArgument: nothing is
// merged or overwritten.
Result<std::vector<ManifestTableCopy>> CopySqliteManifestToPostgres(
    const std::string& sqlite_path, const std::string& pg_url);

}  // namespace rotguard

#endif  // ROTGUARD_MANIFEST_H_
