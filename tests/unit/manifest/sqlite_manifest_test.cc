#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "manifest/schema.h"
#include "manifest/sqlite_db.h"
#include "rotguard/manifest.h"
#include "unit/temp_dir.h"

namespace rotguard {
namespace {

using testing::TempDir;

std::unique_ptr<Manifest> MustOpen(const std::string& path) {
  Result<std::unique_ptr<Manifest>> manifest = OpenManifest(path);
  EXPECT_TRUE(manifest.ok()) << manifest.status().message();
  return manifest.ok() ? std::move(*manifest) : nullptr;
}

std::set<std::string> ColumnsOf(SqliteDb& db, const std::string& table) {
  std::set<std::string> columns;
  Result<Statement> stmt = db.Prepare("PRAGMA table_info(" + table + ")");
  EXPECT_TRUE(stmt.ok());
  while (stmt.ok()) {
    Result<bool> row = stmt->Step();
    if (!row.ok() || !*row) break;
    columns.insert(stmt->ColumnText(1));
  }
  return columns;
}

LinkRow MakeLink(const std::string& url, int64_t start) {
  LinkRow link;
  link.kind = "link";
  link.written = url;
  link.url = url;
  link.normalized = url;
  link.line = 1;
  link.column = static_cast<int>(start) + 1;
  link.start = start;
  link.end = start + static_cast<int64_t>(url.size());
  return link;
}

DocumentRow MakeDocument(const std::string& path, const std::string& sha256,
                         int64_t scanned) {
  DocumentRow doc;
  doc.path = path;
  doc.sha256 = sha256;
  doc.title = "Coronavirus";
  doc.date = "2020-02-08";
  doc.draft = false;
  doc.last_scanned_unix = scanned;
  return doc;
}

WarcFileRow MakeWarcFile(const std::string& name) {
  WarcFileRow file;
  file.name = name;
  file.created_unix = 1700000000;
  return file;
}

RecordRow MakeRecord(const std::string& file, int64_t offset) {
  RecordRow record;
  record.warc_file = file;
  record.offset = offset;
  record.compressed_length = 100;
  record.type = "response";
  record.record_id = "<urn:uuid:" + std::to_string(offset) + ">";
  record.target_uri = "https://example.com/";
  return record;
}

CaptureRow MakeCapture(const std::string& file, int64_t offset,
                       const std::string& sha1) {
  CaptureRow capture;
  capture.url = "https://example.com/" + std::to_string(offset);
  capture.normalized = capture.url;
  capture.captured_at_us = 1700000000000000 + offset;
  capture.http_status = 200;
  capture.warc_file = file;
  capture.record_offset = offset;
  capture.compressed_length = 100;
  capture.record_id = "<urn:uuid:" + std::to_string(offset) + ">";
  capture.payload_sha1 = sha1;
  capture.payload_length = 4096;
  return capture;
}

TEST(SqliteManifestTest, NewDatabaseHasEveryTableAndColumnOfTheSpec) {
  TempDir dir;
  auto manifest = MustOpen(dir / "m.sqlite3");
  ASSERT_NE(manifest, nullptr);
  EXPECT_EQ(manifest->SchemaVersion(), kSchemaVersion);
  manifest.reset();

  Result<SqliteDb> db = SqliteDb::Open(dir / "m.sqlite3");
  ASSERT_TRUE(db.ok()) << db.status().message();
  const std::vector<std::pair<std::string, std::vector<std::string>>> spec = {
      {"documents",
       {"path", "sha256", "title", "date", "draft", "last_scanned",
        "public_url"}},
      {"links",
       {"document_id", "written", "url", "normalized", "kind", "line", "col",
        "start_offset", "end_offset"}},
      {"urls",
       {"normalized", "surt", "first_seen", "verdict", "consecutive_failures",
        "last_ok", "last_failure", "failure_class"}},
      {"captures",
       {"url", "captured_at_us", "http_status", "final_url", "hop_index",
        "chain_id", "warc_file", "record_offset", "compressed_length",
        "record_id", "block_sha1", "payload_sha1", "payload_sha256",
        "content_type", "payload_length", "revisit_of"}},
      {"warc_files", {"name", "size", "sha256", "record_count", "state"}},
      {"runs", {"started", "ended", "command", "counts", "exit_code"}},
      {"records",
       {"warc_file", "file_offset", "compressed_length", "type", "record_id",
        "target_uri", "block_digest", "payload_digest"}},
      {"public_submissions",
       {"url_id", "state", "job_id", "memento_url", "memento_at_us", "attempts",
        "last_attempt_us", "message"}},
      {"public_lookups", {"url_id", "none_at_us"}},
  };
  for (const auto& [table, columns] : spec) {
    std::set<std::string> have = ColumnsOf(*db, table);
    for (const std::string& column : columns) {
      EXPECT_TRUE(have.count(column)) << table << "." << column;
    }
  }
  Result<int64_t> version = db->QueryInt("PRAGMA user_version");
  ASSERT_TRUE(version.ok());
  EXPECT_EQ(*version, kSchemaVersion);
  Result<Statement> mode = db->Prepare("PRAGMA journal_mode");
  ASSERT_TRUE(mode.ok());
  ASSERT_TRUE(mode->Step().ok());
  EXPECT_EQ(mode->ColumnText(0), "wal");
  Result<int64_t> foreign_keys = db->QueryInt("PRAGMA foreign_keys");
  ASSERT_TRUE(foreign_keys.ok());
  EXPECT_EQ(*foreign_keys, 1);
}

TEST(SqliteManifestTest, ForeignKeysRejectRecordsOfUnknownWarcFiles) {
  TempDir dir;
  auto manifest = MustOpen(dir / "m.sqlite3");
  ASSERT_NE(manifest, nullptr);
  Status status = manifest->AddRecords({MakeRecord("nowhere.warc.gz", 0)});
  EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument) << status.message();
  EXPECT_NE(status.message().find("FOREIGN KEY"), std::string::npos)
      << status.message();
}

TEST(SqliteManifestTest, Version1DatabaseIsMigratedAndKeepsItsRows) {
  TempDir dir;
  {
    Result<SqliteDb> db = SqliteDb::Open(dir / "m.sqlite3");
    ASSERT_TRUE(db.ok()) << db.status().message();
    ASSERT_TRUE(MigrateSchema(*db, 1).ok());
    ASSERT_TRUE(db->Exec("INSERT INTO documents (id, path, sha256, draft, "
                         "last_scanned) VALUES (7, 'post.md', 'ab', 1, 5);"
                         "INSERT INTO urls (id, normalized, surt, verdict) "
                         "VALUES (3, 'https://ift.tt/x', 'tt,ift)/x', 'gone');"
                         "INSERT INTO links (document_id, url_id, kind, "
                         "written, url, normalized, line, col, start_offset, "
                         "end_offset) VALUES (7, 3, 'link', 'https://ift.tt/x',"
                         " 'https://ift.tt/x', 'https://ift.tt/x', 2, 3, 10, "
                         "26);")
                    .ok());
    Result<int64_t> version = db->QueryInt("PRAGMA user_version");
    ASSERT_TRUE(version.ok());
    ASSERT_EQ(*version, 1);
    // Tables of migration 2 must not exist yet: this really is a v1 file.
    EXPECT_TRUE(ColumnsOf(*db, "captures").empty());
  }

  auto manifest = MustOpen(dir / "m.sqlite3");
  ASSERT_NE(manifest, nullptr);
  EXPECT_EQ(manifest->SchemaVersion(), kSchemaVersion);
  Result<std::optional<DocumentRow>> doc = manifest->FindDocument("post.md");
  ASSERT_TRUE(doc.ok());
  ASSERT_TRUE(doc->has_value());
  EXPECT_EQ((*doc)->sha256, "ab");
  EXPECT_EQ((*doc)->draft, std::optional<bool>(true));
  Result<std::vector<LinkRow>> links = manifest->LinksOf("post.md");
  ASSERT_TRUE(links.ok());
  ASSERT_EQ(links->size(), 1u);
  EXPECT_EQ((*links)[0].start, 10);
  Result<std::optional<UrlRow>> url = manifest->FindUrl("https://ift.tt/x");
  ASSERT_TRUE(url.ok());
  ASSERT_TRUE(url->has_value());
  EXPECT_EQ((*url)->verdict, "gone");
  EXPECT_EQ((*url)->failure_class, "");  // the column migration 2 added
  EXPECT_TRUE(manifest->AddWarcFile(MakeWarcFile("a.warc.gz")).ok());
}

// A read-only store (backup, snapshot) made by an older rotguard must stay
// readable: the manifest is migrated in a private temporary copy, the
// store's file is left as it was, and the copy goes when the manifest does.
TEST(SqliteManifestTest,
     OlderSchemaOnAReadOnlyStoreIsReadThroughAMigratedCopy) {
  TempDir dir;
  std::filesystem::create_directory(dir / "tmp");
  const char* old_tmpdir = std::getenv("TMPDIR");
  std::string saved = old_tmpdir ? old_tmpdir : "";
  setenv("TMPDIR", (dir / "tmp").c_str(), 1);
  {
    Result<SqliteDb> db = SqliteDb::Open(dir / "m.sqlite3");
    ASSERT_TRUE(db.ok()) << db.status().message();
    ASSERT_TRUE(MigrateSchema(*db, 1).ok());
    ASSERT_TRUE(db->Exec("INSERT INTO documents (id, path, sha256, draft, "
                         "last_scanned) VALUES (7, 'post.md', 'ab', 0, 5);")
                    .ok());
  }
  {
    Result<std::unique_ptr<Manifest>> manifest =
        OpenManifestReadOnly(dir / "m.sqlite3");
    ASSERT_TRUE(manifest.ok()) << manifest.status().message();
    EXPECT_EQ((*manifest)->SchemaVersion(), kSchemaVersion);
    Result<std::optional<DocumentRow>> doc =
        (*manifest)->FindDocument("post.md");
    ASSERT_TRUE(doc.ok());
    ASSERT_TRUE(doc->has_value());
    EXPECT_EQ((*doc)->sha256, "ab");
    EXPECT_FALSE(std::filesystem::is_empty(dir / "tmp"));
  }
  EXPECT_TRUE(std::filesystem::is_empty(dir / "tmp"));
  Result<SqliteDb> original = SqliteDb::OpenImmutable(dir / "m.sqlite3");
  ASSERT_TRUE(original.ok());
  Result<int64_t> version = original->QueryInt("PRAGMA user_version");
  ASSERT_TRUE(version.ok());
  EXPECT_EQ(*version, 1);
  if (old_tmpdir) {
    setenv("TMPDIR", saved.c_str(), 1);
  } else {
    unsetenv("TMPDIR");
  }
}

TEST(SqliteManifestTest, NewerSchemaVersionIsRefusedAndLeftAlone) {
  TempDir dir;
  {
    Result<SqliteDb> db = SqliteDb::Open(dir / "m.sqlite3");
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->Exec("PRAGMA user_version = 99").ok());
  }
  Result<std::unique_ptr<Manifest>> manifest = OpenManifest(dir / "m.sqlite3");
  ASSERT_FALSE(manifest.ok());
  EXPECT_EQ(manifest.status().code(), ErrorCode::kNotSupported);
  EXPECT_NE(manifest.status().message().find("version 99"), std::string::npos)
      << manifest.status().message();
  Result<SqliteDb> db = SqliteDb::Open(dir / "m.sqlite3");
  ASSERT_TRUE(db.ok());
  EXPECT_TRUE(ColumnsOf(*db, "documents").empty());
}

TEST(SqliteManifestTest, BatchWhoseThirdRecordViolatesAConstraintAddsNothing) {
  TempDir dir;
  auto manifest = MustOpen(dir / "m.sqlite3");
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

TEST(SqliteManifestTest, FailedCaptureBatchLeavesNoCapturesAndNoNewUrls) {
  TempDir dir;
  auto manifest = MustOpen(dir / "m.sqlite3");
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

TEST(SqliteManifestTest, RecordScanReplacesLinksOnlyWhenTheDocumentChanged) {
  TempDir dir;
  auto manifest = MustOpen(dir / "m.sqlite3");
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

TEST(SqliteManifestTest, RecordScansReportsChangedPathsAndIsAllOrNothing) {
  TempDir dir;
  auto manifest = MustOpen(dir / "m.sqlite3");
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

TEST(SqliteManifestTest, ANewPublicUrlCountsAsAChangedDocument) {
  TempDir dir;
  auto manifest = MustOpen(dir / "m.sqlite3");
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

TEST(SqliteManifestTest, DedupeLookupFindsTheEarliestOriginalNotARevisit) {
  TempDir dir;
  auto manifest = MustOpen(dir / "m.sqlite3");
  ASSERT_NE(manifest, nullptr);
  ASSERT_TRUE(manifest->AddWarcFile(MakeWarcFile("a.warc.gz")).ok());
  CaptureRow original = MakeCapture("a.warc.gz", 0, "SAME");
  CaptureRow revisit = MakeCapture("a.warc.gz", 100, "SAME");
  revisit.revisit_of = original.record_id;
  ASSERT_TRUE(manifest
                  ->CommitBatch({MakeRecord("a.warc.gz", 0),
                                 MakeRecord("a.warc.gz", 100)},
                                {original, revisit})
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

TEST(SqliteManifestTest, ListedUrlsCarryTheirNewestCaptureThatIsNotLost) {
  TempDir dir;
  auto manifest = MustOpen(dir / "m.sqlite3");
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

TEST(SqliteManifestTest, CaptureQualityIsStoredAndReadBack) {
  TempDir dir;
  auto manifest = MustOpen(dir / "m.sqlite3");
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

// The newest schema version whose captures have no quality column, found
// step by step (migrations are renumbered when branches merge).
int VersionBeforeQuality(const std::filesystem::path& scratch) {
  Result<SqliteDb> db = SqliteDb::Open(scratch);
  if (!db.ok()) return 0;
  for (int version = 1; version <= kSchemaVersion; ++version) {
    if (!MigrateSchema(*db, version).ok()) return 0;
    if (ColumnsOf(*db, "captures").count("quality")) return version - 1;
  }
  return 0;
}

// The quality column came with a migration: captures made before it have
// none (their pages are not re-read), which `report` shows as empty.
TEST(SqliteManifestTest, CapturesFromBeforeTheQualityColumnHaveNoQuality) {
  TempDir dir;
  const int before = VersionBeforeQuality(dir / "scratch.sqlite3");
  ASSERT_GE(before, 2);  // captures exist since version 2
  {
    Result<SqliteDb> db = SqliteDb::Open(dir / "m.sqlite3");
    ASSERT_TRUE(db.ok()) << db.status().message();
    ASSERT_TRUE(MigrateSchema(*db, before).ok());
    ASSERT_TRUE(db->Exec("INSERT INTO warc_files (name, state, created) "
                         "VALUES ('a.warc.gz', 'open', 1);"
                         "INSERT INTO urls (id, normalized, surt) VALUES "
                         "(3, 'https://old.example/', 'example,old)/');"
                         "INSERT INTO captures (url_id, url, captured_at_us, "
                         "http_status, warc_file, record_offset, "
                         "compressed_length, record_id) VALUES (3, "
                         "'https://old.example/', 1, 200, 'a.warc.gz', 0, 10, "
                         "'<urn:uuid:1>');")
                    .ok());
    EXPECT_EQ(ColumnsOf(*db, "captures").count("quality"), 0u);
  }
  auto manifest = MustOpen(dir / "m.sqlite3");
  ASSERT_NE(manifest, nullptr);
  Result<std::vector<CaptureRow>> got =
      manifest->CapturesOf("https://old.example/");
  ASSERT_TRUE(got.ok()) << got.status().message();
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ((*got)[0].quality, "");
}

TEST(SqliteManifestTest, WarcFileIsClosedWithItsSizeDigestAndCount) {
  TempDir dir;
  auto manifest = MustOpen(dir / "m.sqlite3");
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

TEST(SqliteManifestTest, RunsKeepTheirCountsAndExitCode) {
  TempDir dir;
  auto manifest = MustOpen(dir / "m.sqlite3");
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

TEST(SqliteManifestTest, CountersStartAtOneAndPersist) {
  TempDir dir;
  {
    auto manifest = MustOpen(dir / "m.sqlite3");
    ASSERT_NE(manifest, nullptr);
    EXPECT_EQ(*manifest->NextCounter("warc_serial"), 1);
    EXPECT_EQ(*manifest->NextCounter("warc_serial"), 2);
    EXPECT_EQ(*manifest->NextCounter("other"), 1);
  }
  auto manifest = MustOpen(dir / "m.sqlite3");
  ASSERT_NE(manifest, nullptr);
  EXPECT_EQ(*manifest->NextCounter("warc_serial"), 3);
}

TEST(SqliteManifestTest, TransactionRollsBackWhenNotCommitted) {
  TempDir dir;
  Result<SqliteDb> db = SqliteDb::Open(dir / "t.sqlite3");
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE(db->Exec("CREATE TABLE t (x INTEGER)").ok());
  {
    Result<Transaction> txn = Transaction::Begin(*db);
    ASSERT_TRUE(txn.ok());
    ASSERT_TRUE(db->Exec("INSERT INTO t VALUES (1)").ok());
  }
  EXPECT_EQ(*db->QueryInt("SELECT count(*) FROM t"), 0);
  {
    Result<Transaction> txn = Transaction::Begin(*db);
    ASSERT_TRUE(txn.ok());
    ASSERT_TRUE(db->Exec("INSERT INTO t VALUES (1)").ok());
    ASSERT_TRUE(txn->Commit().ok());
  }
  EXPECT_EQ(*db->QueryInt("SELECT count(*) FROM t"), 1);
}

TEST(SqliteManifestTest, OverwrittenPagesAreReportedAsCorruption) {
  TempDir dir;
  const std::string path = dir / "m.sqlite3";
  {
    auto manifest = MustOpen(path);
    ASSERT_NE(manifest, nullptr);
    std::vector<LinkRow> links;
    for (int i = 0; i < 2000; ++i) {
      links.push_back(MakeLink(
          "https://example.com/some/long/path/" + std::to_string(i), i * 60));
    }
    ASSERT_TRUE(
        manifest->RecordScan(MakeDocument("post.md", "s", 1), links).ok());
    ASSERT_TRUE(manifest->CheckIntegrity(false).ok());
  }  // closing the last connection checkpoints the WAL into the file
  std::error_code ec;
  uintmax_t size = std::filesystem::file_size(path, ec);
  ASSERT_FALSE(ec);
  ASSERT_GT(size, 64u * 1024);
  {
    std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(static_cast<std::streamoff>(size / 2));
    std::string garbage(8192, '\x5a');
    file.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
  }
  Result<std::unique_ptr<Manifest>> manifest = OpenManifest(path);
  Status status =
      manifest.ok() ? (*manifest)->CheckIntegrity(false) : manifest.status();
  EXPECT_EQ(status.code(), ErrorCode::kCorruption) << status.message();
  EXPECT_NE(status.message().find(path), std::string::npos) << status.message();
}

TEST(SqliteManifestTest, FileThatIsNotADatabaseIsCorruptionNamingIt) {
  TempDir dir;
  const std::string path = dir / "m.sqlite3";
  std::ofstream(path) << std::string(4096, 'x');
  Result<std::unique_ptr<Manifest>> manifest = OpenManifest(path);
  ASSERT_FALSE(manifest.ok());
  EXPECT_EQ(manifest.status().code(), ErrorCode::kCorruption);
  EXPECT_NE(manifest.status().message().find(path), std::string::npos);
}

TEST(SqliteManifestTest, PostgresqlUriIsReservedForTheFutureBackend) {
  Result<std::unique_ptr<Manifest>> manifest =
      OpenManifest("postgresql://db.example/rotguard");
  ASSERT_FALSE(manifest.ok());
  EXPECT_EQ(manifest.status().code(), ErrorCode::kNotSupported);
}

TEST(SqliteManifestTest,
     WarcFileWriterShowsNothingUntilCommitAndRollsBackIfDropped) {
  TempDir dir;
  auto manifest = MustOpen(dir / "m.sqlite3");
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

TEST(SqliteManifestTest, ASubmissionRowIsUpsertedPerUrl) {
  TempDir dir;
  std::unique_ptr<Manifest> m = MustOpen(dir / "m.sqlite3");
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

TEST(SqliteManifestTest, ALookupThatFoundNothingIsRememberedUntilCleared) {
  TempDir dir;
  std::unique_ptr<Manifest> m = MustOpen(dir / "m.sqlite3");
  ASSERT_NE(m, nullptr);
  const std::string url = "https://gone.example/";
  EXPECT_EQ(*m->LookupNoneAt(url), 0);
  ASSERT_TRUE(m->SetLookupNone(url, 42).ok());
  EXPECT_EQ(*m->LookupNoneAt(url), 42);
  ASSERT_TRUE(m->SetLookupNone(url, 0).ok());
  EXPECT_EQ(*m->LookupNoneAt(url), 0);
}

}  // namespace
}  // namespace rotguard
