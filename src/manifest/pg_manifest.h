// The PostgreSQL implementation of the Manifest interface (SPEC §10):
// the same tables and semantics as SqliteManifest, for stores whose
// manifest is shared by several processes or machines. Callers use
// OpenManifest("postgresql://..."); tests may include this.
//
// Adding a Manifest method: write its SQL against pg_schema.cc's tables
// with $N parameters, run it through db_.Query() (prepared once per
// connection) with a PgParams list, and map rows with the Read*()
// helpers of pg_manifest.cc, which take the same column lists as the
// SQLite backend's. Writes of several rows take a PgTransaction.
#ifndef ROTGUARD_MANIFEST_PG_MANIFEST_H_
#define ROTGUARD_MANIFEST_PG_MANIFEST_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "manifest/pg_db.h"
#include "rotguard/manifest.h"
#include "rotguard/scan_writer.h"

namespace rotguard {

class PgManifest final : public Manifest {
 public:
  // Connects to `url` and migrates the database to the current schema.
  static Result<std::unique_ptr<PgManifest>> Open(const std::string& url);

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

  PgDb& db() { return db_; }

 private:
  class PgWarcFileWriter;
  class PgScanWriter;
  explicit PgManifest(PgDb db) : db_(std::move(db)) {}

  // Helpers that run inside a caller's transaction.
  Result<int64_t> UrlId(const std::string& normalized, int64_t now_unix);
  Result<bool> ApplyScan(const DocumentRow& doc,
                         const std::vector<LinkRow>& links);
  Status InsertLinks(int64_t document_id, const std::vector<LinkRow>& links,
                     int64_t now_unix);
  Status InsertRecords(const std::vector<RecordRow>& batch);
  Status InsertCaptures(const std::vector<CaptureRow>& batch);
  // Inside the caller's transaction.
  Status UpdateUrlRows(const std::vector<UrlRow>& urls);
  // The same writes queued on a pipeline (one round trip for a batch).
  // Statements name URLs by their normalized key (a subquery finds the
  // id), after SendEnsureUrl created any missing urls row; `ensured`
  // remembers the keys of this batch so each is sent once.
  using EnsuredUrls = std::unordered_set<std::string>;
  void SendEnsureUrl(PgPipeline& pipe, const std::string& normalized,
                     int64_t now_unix, EnsuredUrls* ensured);
  void SendRecords(PgPipeline& pipe, const std::vector<RecordRow>& batch);
  void SendCaptures(PgPipeline& pipe, const std::vector<CaptureRow>& batch,
                    EnsuredUrls* ensured);
  void SendUrlRows(PgPipeline& pipe, const std::vector<UrlRow>& urls,
                   EnsuredUrls* ensured);
  Result<std::vector<UrlRow>> QueryUrls(const std::string& sql,
                                        const PgParams& params);
  Result<std::vector<CaptureRow>> QueryCaptures(const std::string& sql,
                                                const PgParams& params);
  Result<std::vector<WarcFileRow>> QueryWarcFiles(const std::string& where,
                                                  const PgParams& params);
  Status ExpectOneRowChanged(const PgRows& rows, const std::string& what);
  Status ApplyForget(const ForgetRows& rows);
  // The work queue (pg_work_queue.cc): one chunk of Enqueue(), and the
  // steps of ClaimWork, each inside its caller's transaction.
  Result<int64_t> EnqueueChunk(const std::vector<std::string>& keys,
                               int64_t now_ms);
  using ClaimedUrl = std::pair<int64_t, std::string>;  // url id, normalized
  Status ClaimFromHeldHosts(const std::string& owner, int64_t now_ms,
                            int64_t lease_ms, int64_t limit,
                            std::vector<ClaimedUrl>* urls);
  Result<bool> TakeFreeHost(const std::string& owner, int64_t now_ms,
                            int64_t lease_ms);
  // Frees the hosts `owner` holds (only_idle: those with nothing due).
  Status ReleaseHosts(const std::string& owner, bool only_idle);
  Status SwitchPurgedFile(const PurgedWarcFile& file);
  Result<std::vector<std::string>> QueryNames(const std::string& sql);

  PgDb db_;
};

}  // namespace rotguard

#endif  // ROTGUARD_MANIFEST_PG_MANIFEST_H_
