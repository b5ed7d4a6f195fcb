// The Manifest contract, run against every backend: SQLite always, and
// PostgreSQL when ROTGUARD_TEST_PG_URL names a server (skipped otherwise).
// Tests of one backend's own machinery (SQLite pragmas, PostgreSQL
// migrations) live in sqlite_manifest_test.cc and pg_manifest_test.cc.
#include <gtest/gtest.h>

#include <cctype>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "manifest/schema.h"
#include "rotguard/manifest.h"
#include "rotguard/scan_writer.h"
#include "unit/manifest/manifest_backend.h"
#include "unit/manifest/manifest_rows.h"

namespace rotguard {
namespace {

using testing::MakeCapture;
using testing::MakeDocument;
using testing::MakeLink;
using testing::MakeRecord;
using testing::MakeWarcFile;
using testing::ManifestBackend;

class ManifestContractTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    backend_ = std::make_unique<ManifestBackend>(GetParam());
    if (!backend_->unavailable().empty())
      GTEST_SKIP() << backend_->unavailable();
  }
  const ManifestBackend& backend() const { return *backend_; }

 private:
  std::unique_ptr<ManifestBackend> backend_;
};

INSTANTIATE_TEST_SUITE_P(
    Backends, ManifestContractTest, ::testing::Values("sqlite", "postgresql"),
    [](const ::testing::TestParamInfo<std::string>& param) {
      return param.param;
    });

TEST_P(ManifestContractTest, NewManifestIsAtTheCurrentSchemaVersion) {
  auto manifest = backend().Open();
  ASSERT_NE(manifest, nullptr);
  EXPECT_EQ(manifest->SchemaVersion(), kSchemaVersion);
  EXPECT_TRUE(manifest->CheckIntegrity(/*quick=*/true).ok());
  EXPECT_TRUE(manifest->CheckIntegrity(/*quick=*/false).ok());
}

TEST_P(ManifestContractTest, TextIsKeptByteForByteAndSortedInByteOrder) {
  auto manifest = backend().Open();
  ASSERT_NE(manifest, nullptr);
  // Upper case sorts before lower case, and multi-byte UTF-8 after ASCII:
  // byte order, whatever the database's collation.
  for (const std::string& url :
       {std::string("https://b.example/\xc3\xa9'--\"quote"),
        std::string("https://B.example/"), std::string("https://a.example/")}) {
    ASSERT_TRUE(manifest->EnsureUrl(url, 1).ok());
  }
  Result<std::vector<UrlRow>> urls = manifest->ListUrls();
  ASSERT_TRUE(urls.ok()) << urls.status().message();
  ASSERT_EQ(urls->size(), 3u);
  EXPECT_EQ((*urls)[0].normalized, "https://B.example/");
  EXPECT_EQ((*urls)[1].normalized, "https://a.example/");
  EXPECT_EQ((*urls)[2].normalized, "https://b.example/\xc3\xa9'--\"quote");
}

TEST_P(ManifestContractTest, CursorsReturnEveryRowInOrderAcrossBatches) {
  auto manifest = backend().Open();
  ASSERT_NE(manifest, nullptr);
  ASSERT_TRUE(manifest->AddWarcFile(MakeWarcFile("a.warc.gz")).ok());
  std::vector<RecordRow> records;
  std::vector<CaptureRow> captures;
  for (int64_t i = 1099; i >= 0; --i) {  // more than one fetch batch
    records.push_back(MakeRecord("a.warc.gz", i * 10));
    captures.push_back(MakeCapture("a.warc.gz", i * 10, "S"));
  }
  ASSERT_TRUE(manifest->CommitBatch(records, captures, {}).ok());
  auto records_of = manifest->OpenRecordsOf("a.warc.gz");
  ASSERT_TRUE(records_of.ok()) << records_of.status().message();
  auto captures_of = manifest->OpenCapturesOf("a.warc.gz");
  ASSERT_TRUE(captures_of.ok()) << captures_of.status().message();
  RecordRow record;
  CaptureRow capture;
  for (int64_t i = 0; i < 1100; ++i) {
    ASSERT_TRUE(*(*records_of)->Next(&record));
    ASSERT_TRUE(*(*captures_of)->Next(&capture));
    EXPECT_EQ(record.offset, i * 10);
    EXPECT_EQ(capture.record_offset, i * 10);
    // Another statement between two rows of an open cursor.
    if (i == 1050) {
      ASSERT_TRUE(manifest->NextCounter("between").ok());
    }
  }
  EXPECT_FALSE(*(*records_of)->Next(&record));
  EXPECT_FALSE(*(*captures_of)->Next(&capture));
  auto urls = manifest->OpenCapturedUrls();
  ASSERT_TRUE(urls.ok());
  UrlRow url;
  int64_t count = 0;
  while (*(*urls)->Next(&url)) ++count;
  EXPECT_EQ(count, 1100);
}

// The browser lane's resource records have no captures row: readers
// (restore, report, export) find them by target URI, newest by WARC-Date
// (not by text: a fraction sorts after "Z"), at or before a time.
TEST_P(ManifestContractTest, NewestRecordOfATargetIsByDateAndSkipsLostOnes) {
  auto manifest = backend().Open();
  ASSERT_NE(manifest, nullptr);
  ASSERT_TRUE(manifest->AddWarcFile(MakeWarcFile("a.warc.gz")).ok());
  const std::string dom = "urn:rotguard:dom:https://app.example/post";
  auto record = [&](int64_t offset, const std::string& target,
                    const std::string& date) {
    RecordRow r = MakeRecord("a.warc.gz", offset);
    r.type = "resource";
    r.target_uri = target;
    r.date = date;
    return r;
  };
  ASSERT_TRUE(manifest
                  ->AddRecords({record(0, dom, "2024-01-01T00:00:00Z"),
                                record(10, dom, "2024-01-01T00:00:00.5Z"),
                                record(20, dom, "2024-03-01T00:00:00Z"),
                                record(30, dom, "2024-06-01T00:00:00Z"),
                                record(40, dom + "x", "2025-01-01T00:00:00Z")})
                  .ok());
  ASSERT_TRUE(manifest->MarkRecordLost("a.warc.gz", 30).ok());

  Result<std::optional<RecordRow>> newest = manifest->FindNewestRecord(dom);
  ASSERT_TRUE(newest.ok()) << newest.status().message();
  ASSERT_TRUE(newest->has_value());
  EXPECT_EQ((*newest)->offset, 20);  // 30 is newer but lost
  EXPECT_EQ((*newest)->type, "resource");

  const int64_t feb_2024_us = 1706745600LL * 1000000;  // 2024-02-01
  newest = manifest->FindNewestRecord(dom, feb_2024_us);
  ASSERT_TRUE(newest.ok() && newest->has_value());
  EXPECT_EQ((*newest)->offset, 10);

  newest = manifest->FindNewestRecord(dom, feb_2024_us - 40LL * 86400000000);
  ASSERT_TRUE(newest.ok());
  EXPECT_FALSE(newest->has_value());
  newest = manifest->FindNewestRecord("urn:rotguard:dom:https://none/");
  ASSERT_TRUE(newest.ok());
  EXPECT_FALSE(newest->has_value());
}

TEST_P(ManifestContractTest, ChainEndIsTheHighestHop) {
  auto manifest = backend().Open();
  ASSERT_NE(manifest, nullptr);
  ASSERT_TRUE(manifest->AddWarcFile(MakeWarcFile("a.warc.gz")).ok());
  std::vector<CaptureRow> hops;
  for (int hop = 0; hop < 3; ++hop) {
    CaptureRow c = MakeCapture("a.warc.gz", hop * 100, "H");
    c.chain_id = "chain-1";
    c.hop_index = hop;
    hops.push_back(c);
  }
  ASSERT_TRUE(manifest->AddCaptures(hops).ok());
  Result<std::optional<CaptureRow>> end = manifest->FindChainEnd("chain-1");
  ASSERT_TRUE(end.ok() && end->has_value());
  EXPECT_EQ((*end)->hop_index, 2);
  end = manifest->FindChainEnd("");
  ASSERT_TRUE(end.ok());
  EXPECT_FALSE(end->has_value());
  Result<std::vector<CaptureRow>> of = manifest->CapturesOf(hops[1].normalized);
  ASSERT_TRUE(of.ok());
  ASSERT_EQ(of->size(), 1u);
  EXPECT_EQ((*of)[0].run_id, 0);
  EXPECT_EQ((*of)[0].source, "live");
}

TEST_P(ManifestContractTest, ForeignKeysRejectRecordsOfUnknownWarcFiles) {
  auto manifest = backend().Open();
  ASSERT_NE(manifest, nullptr);
  Status status = manifest->AddRecords({MakeRecord("nowhere.warc.gz", 0)});
  EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument) << status.message();
  std::string lower = status.message();
  for (char& c : lower) c = static_cast<char>(std::tolower(c));
  EXPECT_NE(lower.find("foreign key"), std::string::npos) << status.message();
}

// A kill between captures and verdicts used to leave a URL captured but
// unjudged, never due again (archive_kill under TSan).
TEST_P(ManifestContractTest, ABatchCommitsCapturesAndTheirVerdictsTogether) {
  auto manifest = backend().Open();
  ASSERT_NE(manifest, nullptr);
  ASSERT_TRUE(manifest->AddWarcFile(MakeWarcFile("a.warc.gz")).ok());
  CaptureRow capture = MakeCapture("a.warc.gz", 0, "AAAA");
  UrlRow judged;
  judged.normalized = capture.url;
  judged.verdict = "ok";
  ASSERT_TRUE(
      manifest->CommitBatch({MakeRecord("a.warc.gz", 0)}, {capture}, {judged})
          .ok());
  Result<std::vector<UrlRow>> urls = manifest->ListUrls();
  ASSERT_TRUE(urls.ok());
  ASSERT_EQ(urls->size(), 1u);
  EXPECT_EQ((*urls)[0].verdict, "ok");

  // A batch that fails on a capture writes no verdict either.
  CaptureRow orphan = MakeCapture("missing.warc.gz", 50, "BBBB");
  UrlRow other;
  other.normalized = orphan.url;
  other.verdict = "dead";
  judged.verdict = "dead";
  EXPECT_FALSE(manifest->CommitBatch({}, {orphan}, {judged, other}).ok());
  urls = manifest->ListUrls();
  ASSERT_TRUE(urls.ok());
  ASSERT_EQ(urls->size(), 1u);
  EXPECT_EQ((*urls)[0].verdict, "ok");
}

TEST_P(ManifestContractTest,
       BatchWhoseThirdRecordViolatesAConstraintAddsNothing) {
  auto manifest = backend().Open();
  ASSERT_NE(manifest, nullptr);
  ASSERT_TRUE(manifest->AddWarcFile(MakeWarcFile("a.warc.gz")).ok());
  std::vector<RecordRow> batch = {MakeRecord("a.warc.gz", 0),
                                  MakeRecord("a.warc.gz", 100),
                                  MakeRecord("a.warc.gz", 0)};  // duplicate
  Status status = manifest->AddRecords(batch);
  EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument);
  Result<std::vector<RecordRow>> records = manifest->RecordsOf("a.warc.gz");
  ASSERT_TRUE(records.ok());
  EXPECT_TRUE(records->empty());
}

TEST_P(ManifestContractTest, FailedCaptureBatchLeavesNoCapturesAndNoNewUrls) {
  auto manifest = backend().Open();
  ASSERT_NE(manifest, nullptr);
  ASSERT_TRUE(manifest->AddWarcFile(MakeWarcFile("a.warc.gz")).ok());
  std::vector<CaptureRow> batch = {MakeCapture("a.warc.gz", 0, "AAAA"),
                                   MakeCapture("a.warc.gz", 100, "BBBB"),
                                   MakeCapture("missing.warc.gz", 200, "C")};
  EXPECT_FALSE(manifest->AddCaptures(batch).ok());
  Result<std::vector<CaptureRow>> captures = manifest->ListCaptures();
  ASSERT_TRUE(captures.ok());
  EXPECT_TRUE(captures->empty());
  Result<std::vector<UrlRow>> urls = manifest->ListUrls();
  ASSERT_TRUE(urls.ok());
  EXPECT_TRUE(urls->empty());
}

TEST_P(ManifestContractTest,
       RecordScanReplacesLinksOnlyWhenTheDocumentChanged) {
  auto manifest = backend().Open();
  ASSERT_NE(manifest, nullptr);
  std::vector<LinkRow> first = {MakeLink("https://ift.tt/31zykrh", 40),
                                MakeLink("https://example.com/a", 10)};
  Result<bool> changed =
      manifest->RecordScan(MakeDocument("post.md", "sha-1", 100), first);
  ASSERT_TRUE(changed.ok()) << changed.status().message();
  EXPECT_TRUE(*changed);

  // Same bytes: links stay, only last_scanned moves.
  changed = manifest->RecordScan(MakeDocument("post.md", "sha-1", 200),
                                 {MakeLink("https://other.example/", 0)});
  ASSERT_TRUE(changed.ok());
  EXPECT_FALSE(*changed);
  Result<std::vector<LinkRow>> links = manifest->LinksOf("post.md");
  ASSERT_TRUE(links.ok());
  ASSERT_EQ(links->size(), 2u);
  EXPECT_EQ((*links)[0].url, "https://example.com/a");  // span order
  EXPECT_EQ((*links)[1].url, "https://ift.tt/31zykrh");
  Result<std::optional<DocumentRow>> doc = manifest->FindDocument("post.md");
  ASSERT_TRUE(doc.ok() && doc->has_value());
  EXPECT_EQ((*doc)->last_scanned_unix, 200);

  // New bytes: the old links are replaced, not added to.
  LinkRow bare = MakeLink("mailto:me@example.com", 5);
  bare.normalized.clear();
  changed = manifest->RecordScan(MakeDocument("post.md", "sha-2", 300),
                                 {MakeLink("https://ift.tt/31zykrh", 7), bare});
  ASSERT_TRUE(changed.ok());
  EXPECT_TRUE(*changed);
  links = manifest->LinksOf("post.md");
  ASSERT_TRUE(links.ok());
  ASSERT_EQ(links->size(), 2u);
  EXPECT_EQ((*links)[0].url, "mailto:me@example.com");
  EXPECT_EQ((*links)[1].start, 7);

  Result<std::optional<UrlRow>> url =
      manifest->FindUrl("https://ift.tt/31zykrh");
  ASSERT_TRUE(url.ok() && url->has_value());
  EXPECT_EQ((*url)->surt, "tt,ift)/31zykrh");
  EXPECT_EQ((*url)->first_seen_unix, 100);
  Result<std::vector<UrlRow>> linked = manifest->ListLinkedUrls();
  ASSERT_TRUE(linked.ok());
  ASSERT_EQ(linked->size(), 1u);  // example.com/a is no longer linked
  EXPECT_EQ((*linked)[0].normalized, "https://ift.tt/31zykrh");
}

TEST_P(ManifestContractTest, RecordScansReportsChangedPathsAndIsAllOrNothing) {
  auto manifest = backend().Open();
  ASSERT_NE(manifest, nullptr);
  ASSERT_TRUE(manifest
                  ->RecordScan(MakeDocument("a.md", "sha-a", 1),
                               {MakeLink("https://a.example/", 0)})
                  .ok());
  std::vector<DocumentScan> scans = {
      {MakeDocument("a.md", "sha-a", 2), {MakeLink("https://x.example/", 0)}},
      {MakeDocument("b.md", "sha-b", 2), {MakeLink("https://b.example/", 3)}},
  };
  Result<std::vector<std::string>> changed = manifest->RecordScans(scans);
  ASSERT_TRUE(changed.ok()) << changed.status().message();
  EXPECT_EQ(*changed, std::vector<std::string>{"b.md"});
  EXPECT_EQ(manifest->LinksOf("a.md")->at(0).url, "https://a.example/");
  EXPECT_EQ(manifest->LinksOf("b.md")->size(), 1u);

  LinkRow bad = MakeLink("https://c.example/", 0);
  bad.kind = "hyperlink";  // violates the kind CHECK constraint
  scans = {{MakeDocument("c.md", "sha-c", 3), {}},
           {MakeDocument("b.md", "sha-b2", 3), {bad}}};
  changed = manifest->RecordScans(scans);
  EXPECT_EQ(changed.status().code(), ErrorCode::kInvalidArgument);
  Result<std::optional<DocumentRow>> c = manifest->FindDocument("c.md");
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(c->has_value());
  EXPECT_EQ(manifest->FindDocument("b.md")->value().sha256, "sha-b");
  EXPECT_EQ(manifest->LinksOf("b.md")->at(0).url, "https://b.example/");
}

TEST_P(ManifestContractTest,
       ScanWriterShowsNothingUntilCommitAndRollsBackIfDropped) {
  auto manifest = backend().Open();
  ASSERT_NE(manifest, nullptr);
  {
    Result<std::unique_ptr<ScanWriter>> writer = manifest->BeginScans();
    ASSERT_TRUE(writer.ok()) << writer.status().message();
    ASSERT_TRUE((*writer)
                    ->Add({{MakeDocument("dropped.md", "sha-d", 1),
                            {MakeLink("https://d.example/", 0)}}})
                    .ok());
  }  // destroyed uncommitted: a scan that failed or was killed
  EXPECT_FALSE(manifest->FindDocument("dropped.md")->has_value());
  EXPECT_TRUE(manifest->ListUrls()->empty());

  // Two batches into the empty manifest, the same URL in both.
  Result<std::unique_ptr<ScanWriter>> writer = manifest->BeginScans();
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE((*writer)
                  ->Add({{MakeDocument("a.md", "sha-a", 1),
                          {MakeLink("https://same.example/", 0),
                           MakeLink("https://a.example/", 30)}}})
                  .ok());
  ASSERT_TRUE((*writer)
                  ->Add({{MakeDocument("b.md", "sha-b", 1),
                          {MakeLink("https://same.example/", 5)}}})
                  .ok());
  Result<std::vector<std::string>> changed = (*writer)->Commit();
  ASSERT_TRUE(changed.ok()) << changed.status().message();
  EXPECT_EQ(*changed, (std::vector<std::string>{"a.md", "b.md"}));
  writer->reset();
  EXPECT_EQ(manifest->LinksOf("a.md")->size(), 2u);
  EXPECT_EQ(manifest->LinksOf("b.md")->at(0).start, 5);
  Result<std::vector<UrlRow>> urls = manifest->ListUrls();
  ASSERT_TRUE(urls.ok());
  ASSERT_EQ(urls->size(), 2u);
  EXPECT_EQ(manifest->ListLinkedUrls()->size(), 2u);
  EXPECT_FALSE(
      manifest->FindUrl("https://same.example/")->value().surt.empty());
}

TEST_P(ManifestContractTest, ScanWriterOverAFilledManifestKeepsUrlIds) {
  auto manifest = backend().Open();
  ASSERT_NE(manifest, nullptr);
  ASSERT_TRUE(manifest
                  ->RecordScans({{MakeDocument("a.md", "sha-a", 1),
                                  {MakeLink("https://a.example/", 0)}},
                                 {MakeDocument("b.md", "sha-b", 1),
                                  {MakeLink("https://b.example/", 0)}}})
                  .ok());
  int64_t a_id = manifest->FindUrl("https://a.example/")->value().id;
  Result<std::unique_ptr<ScanWriter>> writer = manifest->BeginScans();
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE((*writer)
                  ->Add({{MakeDocument("a.md", "sha-a", 2),
                          {MakeLink("https://a.example/", 0)}},
                         {MakeDocument("b.md", "sha-b2", 2),
                          {MakeLink("https://a.example/", 0),
                           MakeLink("https://c.example/", 20)}}})
                  .ok());
  Result<std::vector<std::string>> changed = (*writer)->Commit();
  ASSERT_TRUE(changed.ok()) << changed.status().message();
  EXPECT_EQ(*changed, std::vector<std::string>{"b.md"});
  writer->reset();
  EXPECT_EQ(manifest->FindUrl("https://a.example/")->value().id, a_id);
  EXPECT_EQ(manifest->FindDocument("a.md")->value().last_scanned_unix, 2);
  EXPECT_EQ(manifest->LinksOf("b.md")->size(), 2u);
  EXPECT_EQ(manifest->ListUrls()->size(), 3u);
}

TEST_P(ManifestContractTest, DedupeLookupFindsTheEarliestOriginalNotARevisit) {
  auto manifest = backend().Open();
  ASSERT_NE(manifest, nullptr);
  ASSERT_TRUE(manifest->AddWarcFile(MakeWarcFile("a.warc.gz")).ok());
  CaptureRow original = MakeCapture("a.warc.gz", 0, "SAME");
  CaptureRow revisit = MakeCapture("a.warc.gz", 100, "SAME");
  revisit.revisit_of = original.record_id;
  ASSERT_TRUE(manifest
                  ->CommitBatch({MakeRecord("a.warc.gz", 0),
                                 MakeRecord("a.warc.gz", 100)},
                                {original, revisit}, {})
                  .ok());
  Result<std::optional<CaptureRow>> found =
      manifest->FindCaptureByPayloadSha1("SAME");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->record_offset, 0);
  EXPECT_EQ((*found)->record_id, original.record_id);
  found = manifest->FindCaptureByPayloadSha1("OTHER");
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(found->has_value());

  ASSERT_TRUE(manifest->MarkCapturesLost("a.warc.gz", 0).ok());
  found = manifest->FindCaptureByPayloadSha1("SAME");
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(found->has_value());  // a lost original cannot be pointed at
}

TEST_P(ManifestContractTest, ListedUrlsCarryTheirNewestCaptureThatIsNotLost) {
  auto manifest = backend().Open();
  ASSERT_NE(manifest, nullptr);
  ASSERT_TRUE(manifest->AddWarcFile(MakeWarcFile("a.warc.gz")).ok());
  CaptureRow older = MakeCapture("a.warc.gz", 0, "X");
  CaptureRow newer = MakeCapture("a.warc.gz", 100, "Y");
  newer.url = newer.normalized = older.url;
  ASSERT_TRUE(manifest->AddCaptures({older, newer}).ok());
  ASSERT_TRUE(manifest->EnsureUrl("https://never.example/", 5).ok());
  Result<std::vector<UrlRow>> urls = manifest->ListUrls();
  ASSERT_TRUE(urls.ok());
  ASSERT_EQ(urls->size(), 2u);
  EXPECT_EQ((*urls)[0].normalized, older.url);
  EXPECT_EQ((*urls)[0].last_capture_us, newer.captured_at_us);
  EXPECT_EQ((*urls)[1].last_capture_us, 0);  // never captured
  ASSERT_TRUE(manifest->MarkCapturesLost("a.warc.gz", 100).ok());
  Result<std::optional<UrlRow>> url = manifest->FindUrl(older.url);
  ASSERT_TRUE(url.ok() && url->has_value());
  EXPECT_EQ((*url)->last_capture_us, older.captured_at_us);
}

TEST_P(ManifestContractTest, WarcFileIsClosedWithItsSizeDigestAndCount) {
  auto manifest = backend().Open();
  ASSERT_NE(manifest, nullptr);
  ASSERT_TRUE(manifest->AddWarcFile(MakeWarcFile("b.warc.gz")).ok());
  ASSERT_TRUE(manifest->AddWarcFile(MakeWarcFile("a.warc.gz")).ok());
  ASSERT_TRUE(manifest->CloseWarcFile("b.warc.gz", 1234, "cafe", 9).ok());
  EXPECT_EQ(manifest->CloseWarcFile("zzz.warc.gz", 1, "", 0).code(),
            ErrorCode::kNotFound);
  Result<std::vector<WarcFileRow>> files = manifest->ListWarcFiles();
  ASSERT_TRUE(files.ok());
  ASSERT_EQ(files->size(), 2u);
  EXPECT_EQ((*files)[0].state, WarcFileState::kOpen);
  const WarcFileRow& closed = (*files)[1];
  EXPECT_EQ(closed.name, "b.warc.gz");
  EXPECT_EQ(closed.state, WarcFileState::kClosed);
  EXPECT_EQ(closed.size, 1234);
  EXPECT_EQ(closed.sha256, "cafe");
  EXPECT_EQ(closed.record_count, 9);
  EXPECT_GT(closed.closed_unix, 0);
}

TEST_P(ManifestContractTest, RunsKeepTheirCountsAndExitCode) {
  auto manifest = backend().Open();
  ASSERT_NE(manifest, nullptr);
  Result<int64_t> run = manifest->BeginRun("archive", 1000);
  ASSERT_TRUE(run.ok());
  ASSERT_TRUE(
      manifest->EndRun(*run, 1010, {{"fetched", 12}, {"failed", 1}}, 2).ok());
  Result<std::vector<RunRow>> runs = manifest->ListRuns();
  ASSERT_TRUE(runs.ok());
  ASSERT_EQ(runs->size(), 1u);
  EXPECT_EQ((*runs)[0].command, "archive");
  EXPECT_EQ((*runs)[0].ended_unix, 1010);
  EXPECT_EQ((*runs)[0].counts.at("fetched"), 12);
  EXPECT_EQ((*runs)[0].exit_code, 2);
}

TEST_P(ManifestContractTest, CountersStartAtOneAndPersist) {
  {
    auto manifest = backend().Open();
    ASSERT_NE(manifest, nullptr);
    EXPECT_EQ(*manifest->NextCounter("warc_serial"), 1);
    EXPECT_EQ(*manifest->NextCounter("warc_serial"), 2);
    EXPECT_EQ(*manifest->NextCounter("other"), 1);
  }
  auto manifest = backend().Open();
  ASSERT_NE(manifest, nullptr);
  EXPECT_EQ(*manifest->NextCounter("warc_serial"), 3);
}

TEST_P(ManifestContractTest,
       WarcFileWriterShowsNothingUntilCommitAndRollsBackIfDropped) {
  auto manifest = backend().Open();
  ASSERT_NE(manifest, nullptr);
  {
    Result<std::unique_ptr<Manifest::WarcFileWriter>> writer =
        manifest->BeginWarcFile(MakeWarcFile("dropped.warc.gz"));
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)
                    ->Add({MakeRecord("dropped.warc.gz", 0)},
                          {MakeCapture("dropped.warc.gz", 0, "http://a.test/")})
                    .ok());
  }  // destroyed uncommitted: a failed import
  Result<std::vector<WarcFileRow>> files = manifest->ListWarcFiles();
  ASSERT_TRUE(files.ok());
  EXPECT_TRUE(files->empty());

  Result<std::unique_ptr<Manifest::WarcFileWriter>> writer =
      manifest->BeginWarcFile(MakeWarcFile("kept.warc.gz"));
  ASSERT_TRUE(writer.ok());
  for (int64_t batch = 0; batch < 2; ++batch) {
    ASSERT_TRUE(
        (*writer)
            ->Add({MakeRecord("kept.warc.gz", batch * 100)},
                  {MakeCapture("kept.warc.gz", batch * 100, "http://a.test/")})
            .ok());
  }
  WarcFileRow final_row = MakeWarcFile("kept.warc.gz");
  final_row.record_count = 2;
  ASSERT_TRUE((*writer)->Commit(final_row).ok());
  Result<std::optional<WarcFileRow>> kept =
      manifest->FindWarcFile("kept.warc.gz");
  ASSERT_TRUE(kept.ok() && kept->has_value());
  EXPECT_EQ((*kept)->record_count, 2);
  Result<std::vector<RecordRow>> records = manifest->RecordsOf("kept.warc.gz");
  ASSERT_TRUE(records.ok());
  EXPECT_EQ(records->size(), 2u);
  Result<Manifest::CaptureCounts> counts = manifest->CountCaptures();
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->live, 2);
  EXPECT_EQ(counts->lost, 0);
}

TEST_P(ManifestContractTest, ANewPublicUrlCountsAsAChangedDocument) {
  auto manifest = backend().Open();
  ASSERT_NE(manifest, nullptr);
  DocumentRow doc = MakeDocument("a.md", "sha-a", 1);
  doc.public_url = "https://blog.example/a/";
  ASSERT_TRUE(manifest->RecordScans({{doc, {}}}).ok());
  EXPECT_EQ(manifest->FindDocument("a.md")->value().public_url,
            "https://blog.example/a/");
  // Same bytes, same URL: unchanged.
  EXPECT_TRUE(manifest->RecordScans({{doc, {}}})->empty());
  // Same bytes, a new permalink rule: changed, so archive writes the post
  // again under its new URL.
  doc.public_url = "https://blog.example/2024/a/";
  EXPECT_EQ(*manifest->RecordScans({{doc, {}}}),
            std::vector<std::string>{"a.md"});
  EXPECT_EQ(manifest->FindDocument("a.md")->value().public_url,
            "https://blog.example/2024/a/");
}

TEST_P(ManifestContractTest, CaptureQualityIsStoredAndReadBack) {
  auto manifest = backend().Open();
  ASSERT_NE(manifest, nullptr);
  ASSERT_TRUE(manifest->AddWarcFile(MakeWarcFile("a.warc.gz")).ok());
  CaptureRow thin = MakeCapture("a.warc.gz", 0, "X");
  thin.quality = "thin";
  CaptureRow image = MakeCapture("a.warc.gz", 100, "Y");  // no quality
  ASSERT_TRUE(manifest->AddCaptures({thin, image}).ok());
  Result<std::vector<CaptureRow>> got = manifest->CapturesOf(thin.url);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ((*got)[0].quality, "thin");
  got = manifest->CapturesOf(image.url);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ((*got)[0].quality, "");
}

TEST_P(ManifestContractTest, ASubmissionRowIsUpsertedPerUrl) {
  auto m = backend().Open();
  ASSERT_NE(m, nullptr);
  const std::string url = "https://a.example/";
  SubmissionRow row{url, kSubmissionPending, "job1", "", 0, 1, 5, ""};
  ASSERT_TRUE(m->PutSubmission(row).ok());
  row.state = kSubmissionSuccess;
  row.memento_url = "https://web.archive.org/web/20260101000000/" + url;
  row.memento_at_us = 7;
  ASSERT_TRUE(m->PutSubmission(row).ok());
  Result<std::optional<SubmissionRow>> found = m->FindSubmission(url);
  ASSERT_TRUE(found.ok() && *found);
  EXPECT_EQ((*found)->state, kSubmissionSuccess);
  EXPECT_EQ((*found)->job_id, "job1");
  EXPECT_EQ((*found)->memento_url, row.memento_url);
  EXPECT_EQ((*found)->memento_at_us, 7);
  EXPECT_EQ((*found)->attempts, 1);
  Result<std::vector<SubmissionRow>> all = m->ListSubmissions();
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 1u);
  found = m->FindSubmission("https://b.example/");
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(*found);
}

TEST_P(ManifestContractTest, ALookupThatFoundNothingIsRememberedUntilCleared) {
  auto m = backend().Open();
  ASSERT_NE(m, nullptr);
  const std::string url = "https://gone.example/";
  EXPECT_EQ(*m->LookupNoneAt(url), 0);
  ASSERT_TRUE(m->SetLookupNone(url, 42).ok());
  EXPECT_EQ(*m->LookupNoneAt(url), 42);
  ASSERT_TRUE(m->SetLookupNone(url, 0).ok());
  EXPECT_EQ(*m->LookupNoneAt(url), 0);
}

// The history is written by the database itself (a trigger), whichever
// method updates the verdict; a write of the same verdict is no change.
TEST_P(ManifestContractTest, OnlyRealVerdictChangesAreRecordedInOrder) {
  auto m = backend().Open();
  ASSERT_NE(m, nullptr);
  const std::string url = "https://flaky.example/";
  ASSERT_TRUE(m->EnsureUrl(url, 1).ok());
  UrlRow row;
  row.normalized = url;
  for (const char* verdict : {"ok", "ok", "failing", "dead"}) {
    row.verdict = verdict;
    ASSERT_TRUE(m->UpdateUrlHealth(row).ok());
  }
  row.verdict = "dead";
  ASSERT_TRUE(m->UpdateUrlsBatch({row}).ok());
  row.verdict = "ok";
  ASSERT_TRUE(m->UpdateUrlsBatch({row}).ok());
  Result<std::vector<VerdictChangeRow>> changes = m->VerdictChangesOf(url);
  ASSERT_TRUE(changes.ok()) << changes.status().message();
  std::vector<std::pair<std::string, std::string>> seen;
  for (const VerdictChangeRow& c : *changes) {
    seen.emplace_back(c.previous, c.verdict);
    EXPECT_GT(c.changed_unix, 0);
  }
  EXPECT_EQ(
      seen,
      (std::vector<std::pair<std::string, std::string>>{
          {"", "ok"}, {"ok", "failing"}, {"failing", "dead"}, {"dead", "ok"}}));
  changes = m->VerdictChangesOf("https://never.example/");
  ASSERT_TRUE(changes.ok());
  EXPECT_TRUE(changes->empty());
}

}  // namespace
}  // namespace rotguard
