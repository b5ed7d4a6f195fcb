// The SQLite implementation of the Manifest interface (the embedded
// default, SPEC §10). Callers use OpenManifest(); tests may include this.
#ifndef ROTGUARD_MANIFEST_SQLITE_MANIFEST_H_
#define ROTGUARD_MANIFEST_SQLITE_MANIFEST_H_

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "manifest/sqlite_db.h"
#include "rotguard/manifest.h"
#include "rotguard/scan_writer.h"

namespace rotguard {

class SqliteManifest final : public Manifest {
 public:
  // Opens or creates the database at `path` and migrates it to the
  // current schema.
  static Result<std::unique_ptr<SqliteManifest>> Open(const std::string& path);
  // SqliteDb::OpenImmutable. A schema older than this build's cannot be
  // migrated in place, so a private copy in the temp directory is (VACUUM
  // INTO, then the migrations) and read instead; it is removed on close.
  static Result<std::unique_ptr<SqliteManifest>> OpenReadOnly(
      const std::string& path);

  int SchemaVersion() override;

  Result<bool> RecordScan(const DocumentRow& doc,
                          const std::vector<LinkRow>& links) override;
  Result<std::vector<std::string>> RecordScans(
      const std::vector<DocumentScan>& scans) override;
  // Writes each batch as it comes, in one transaction.
  Result<std::unique_ptr<ScanWriter>> BeginScans() override;
  Result<std::optional<DocumentRow>> FindDocument(
      const std::string& path) override;
  Result<std::vector<DocumentRow>> ListDocuments() override;
  Result<std::vector<LinkRow>> LinksOf(const std::string& path) override;

  Result<int64_t> EnsureUrl(const std::string& normalized,
                            int64_t now_unix) override;
  Result<std::optional<UrlRow>> FindUrl(const std::string& normalized) override;
  Result<std::vector<UrlRow>> ListLinkedUrls() override;
  Result<std::vector<UrlRow>> ListUrls() override;
  Status UpdateUrlHealth(const UrlRow& url) override;
  Status UpdateUrlsBatch(const std::vector<UrlRow>& urls) override;

  Status AddWarcFile(const WarcFileRow& file) override;
  Status AddWarcFileWithRows(const WarcFileRow& file,
                             const std::vector<RecordRow>& records,
                             const std::vector<CaptureRow>& captures) override;
  Result<std::unique_ptr<WarcFileWriter>> BeginWarcFile(
      const WarcFileRow& file) override;
  Status CloseWarcFile(const std::string& name, int64_t size,
                       const std::string& sha256,
                       int64_t record_count) override;
  Status UpdateWarcFile(const WarcFileRow& file) override;
  Result<std::optional<WarcFileRow>> FindWarcFile(
      const std::string& name) override;
  Result<std::vector<WarcFileRow>> ListWarcFiles() override;
  Status AddRecords(const std::vector<RecordRow>& batch) override;
  Result<std::vector<RecordRow>> RecordsOf(const std::string& file) override;
  Result<std::unique_ptr<RowCursor<RecordRow>>> OpenRecordsOf(
      const std::string& file) override;
  Status MarkRecordLost(const std::string& file, int64_t offset) override;
  Result<std::optional<RecordRow>> FindRecordById(
      const std::string& record_id) override;
  Result<std::vector<RecordRow>> RecordsOfTarget(
      const std::string& target_uri) override;

  Status AddCaptures(const std::vector<CaptureRow>& batch) override;
  Status CommitBatch(const std::vector<RecordRow>& records,
                     const std::vector<CaptureRow>& captures,
                     const std::vector<UrlRow>& urls) override;
  Result<std::optional<CaptureRow>> FindCaptureByPayloadSha1(
      const std::string& payload_sha1) override;
  Result<std::vector<CaptureRow>> CapturesOf(
      const std::string& normalized) override;
  Result<std::vector<CaptureRow>> ListCaptures() override;
  Result<std::unique_ptr<RowCursor<CaptureRow>>> OpenCapturesOf(
      const std::string& file) override;
  Status MarkCapturesLost(const std::string& file,
                          int64_t record_offset) override;
  Result<CaptureCounts> CountCaptures() override;
  Result<std::unique_ptr<RowCursor<UrlRow>>> OpenCapturedUrls() override;
  Result<std::optional<CaptureRow>> FindChainEnd(
      const std::string& chain_id) override;

  Status Forget(const ForgetRows& rows) override;
  Result<std::vector<TombstoneRow>> ListTombstones() override;
  Result<bool> RemoveTombstone(const std::string& normalized) override;
  Result<std::vector<std::string>> FilesWithForgottenRecords() override;
  Status AddPurgedFile(const std::string& name) override;
  Status SwitchPurgedFiles(const std::vector<PurgedWarcFile>& files) override;
  Result<std::vector<std::string>> ListPurgedFiles() override;
  Status ClearPurgedFile(const std::string& name) override;

  Result<int64_t> Enqueue(const std::vector<std::string>& normalized,
                          int64_t now_ms) override;
  Result<std::vector<std::string>> ClaimWork(const std::string& owner,
                                             int64_t now_ms, int64_t lease_ms,
                                             int limit) override;
  Result<int64_t> RenewLeases(const std::string& owner, int64_t now_ms,
                              int64_t lease_ms) override;
  Result<int64_t> ReleaseLeases(const std::string& owner, bool done) override;
  Result<WorkCounts> CountWork(int64_t now_ms) override;
  Status CommitWorkBatch(const std::vector<RecordRow>& records,
                         const std::vector<CaptureRow>& captures,
                         const std::vector<UrlRow>& urls) override;
  Status CompleteWork(const std::vector<std::string>& normalized) override;

  Result<std::vector<VerdictChangeRow>> VerdictChangesOf(
      const std::string& normalized) override;
  Result<int64_t> BeginRun(const std::string& command,
                           int64_t started_unix) override;
  Status EndRun(int64_t run_id, int64_t ended_unix,
                const std::map<std::string, int64_t>& counts,
                int exit_code) override;
  Result<std::vector<RunRow>> ListRuns() override;

  Status PutSubmission(const SubmissionRow& row) override;
  Result<std::optional<SubmissionRow>> FindSubmission(
      const std::string& normalized) override;
  Result<std::vector<SubmissionRow>> ListSubmissions() override;
  Status SetLookupNone(const std::string& normalized,
                       int64_t none_at_us) override;
  Result<int64_t> LookupNoneAt(const std::string& normalized) override;
  Result<int64_t> NextCounter(const std::string& name) override;
  Status CheckIntegrity(bool quick) override;

 private:
  class SqliteWarcFileWriter;
  class SqliteScanWriter;
  class BulkLoadJournal;
  // Removes a private migrated copy's directory; declared before db_ so
  // that the connection closes first.
  class PrivateCopy {
   public:
    PrivateCopy() = default;
    explicit PrivateCopy(std::filesystem::path dir) : dir_(std::move(dir)) {}
    PrivateCopy(PrivateCopy&& other) noexcept : dir_(std::move(other.dir_)) {
      other.dir_.clear();
    }
    PrivateCopy& operator=(PrivateCopy&&) = delete;
    ~PrivateCopy();

   private:
    std::filesystem::path dir_;
  };

  explicit SqliteManifest(SqliteDb db) : db_(std::move(db)) {}
  SqliteManifest(PrivateCopy copy, SqliteDb db)
      : private_copy_(std::move(copy)), db_(std::move(db)) {}
  static Result<std::unique_ptr<SqliteManifest>> OpenMigratedCopy(
      SqliteDb& source, int version);

  // The `urls` ids one scan transaction has looked up or created. A
  // first scan meets ~300,000 links to ~250,000 URLs: a lookup statement
  // per link cost more than inserting the link. Valid only inside the
  // transaction that filled it (a rollback takes the rows away).
  struct UrlIdCache {
    // The urls table was empty when the transaction began, so a URL not
    // in `ids` is not in the table either: inserted without a lookup.
    bool urls_new = false;
    std::unordered_map<std::string, int64_t> ids;
  };
  // Helpers that run inside a caller's transaction.
  Result<bool> ApplyScan(const DocumentRow& doc,
                         const std::vector<LinkRow>& links,
                         UrlIdCache* url_ids);
  Status InsertLinks(int64_t document_id, const std::vector<LinkRow>& links,
                     int64_t now_unix, UrlIdCache* url_ids);
  Result<int64_t> CachedUrlId(const std::string& normalized, int64_t now_unix,
                              UrlIdCache* url_ids);
  Status RaiseScanCache();
  // Drops the indexes of `table` that a bulk load can build afterwards
  // and appends their CREATE statements to `*deferred`.
  Status DropDeferrableIndexes(const std::string& table,
                               std::vector<std::string>* deferred);
  Status InsertRecords(const std::vector<RecordRow>& batch);
  Status InsertCaptures(const std::vector<CaptureRow>& batch);
  // Inside the caller's transaction.
  Status UpdateUrlRows(const std::vector<UrlRow>& urls);
  Result<std::vector<UrlRow>> QueryUrls(const std::string& sql);
  Result<std::vector<CaptureRow>> QueryCaptures(const std::string& where,
                                                const std::string& arg);
  Result<std::vector<WarcFileRow>> QueryWarcFiles(const std::string& where,
                                                  const std::string& arg);
  Status ExpectOneRowChanged(const std::string& what);
  Status ApplyForget(const ForgetRows& rows);
  Status SwitchPurgedFile(const PurgedWarcFile& file);
  // The work queue (sqlite_work_queue.cc), inside ClaimWork's transaction.
  using ClaimedUrl = std::pair<int64_t, std::string>;  // url id, normalized
  Status GiveUpExhaustedWork(int64_t now_ms);
  Status ClaimFromHeldHosts(const std::string& owner, int64_t now_ms,
                            int64_t lease_ms, int64_t limit,
                            std::vector<ClaimedUrl>* rows);
  Result<bool> TakeFreeHost(const std::string& owner, int64_t now_ms,
                            int64_t lease_ms);
  // Frees the hosts `owner` holds (only_idle: those with nothing due).
  Status ReleaseHosts(const std::string& owner, bool only_idle);
  // Runs `sql` with ?1 owner, ?2 now_ms, ?3 lease_ms.
  Status ExecWithOwner(const char* sql, const std::string& owner,
                       int64_t now_ms, int64_t lease_ms);
  Result<std::vector<std::string>> QueryNames(const std::string& sql);

  PrivateCopy private_copy_;
  SqliteDb db_;
  bool scan_cache_raised_ = false;  // RecordScans' larger page cache set
};

}  // namespace rotguard

#endif  // ROTGUARD_MANIFEST_SQLITE_MANIFEST_H_
