#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "manifest/schema.h"
#include "manifest/sqlite_db.h"
#include "rotguard/manifest.h"
#include "rotguard/scan_writer.h"
#include "unit/manifest/manifest_rows.h"
#include "unit/temp_dir.h"

namespace rotguard {
namespace {

using testing::MakeDocument;
using testing::MakeLink;
using testing::MakeRecord;
using testing::MakeWarcFile;
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

// The CREATE statements of every index, keyed by name.
std::map<std::string, std::string> IndexesOf(const std::string& path) {
  std::map<std::string, std::string> indexes;
  Result<SqliteDb> db = SqliteDb::Open(path);
  EXPECT_TRUE(db.ok());
  if (!db.ok()) return indexes;
  Result<Statement> stmt = db->Prepare(
      "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND "
      "sql IS NOT NULL");
  while (stmt.ok()) {
    Result<bool> row = stmt->Step();
    if (!row.ok() || !*row) break;
    indexes[stmt->ColumnText(0)] = stmt->ColumnText(1);
  }
  return indexes;
}

// The journal mode the database file records in its header (bytes 18
// and 19 are 2 for WAL, 1 for a rollback journal): what the next process
// finds.
std::string PersistedJournalMode(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char header[20] = {};
  in.read(header, sizeof header);
  if (!in) return "";
  return header[18] == 2 && header[19] == 2 ? "wal" : "delete";
}

TEST(SqliteManifestTest, FirstScanLoadsWithARollbackJournalAndEndsInWal) {
  TempDir dir;
  std::string path = dir / "m.sqlite3";
  auto manifest = MustOpen(path);
  ASSERT_NE(manifest, nullptr);
  {
    Result<std::unique_ptr<ScanWriter>> writer = manifest->BeginScans();
    ASSERT_TRUE(writer.ok()) << writer.status().message();
    // During the load of empty tables: no WAL, a rollback journal.
    EXPECT_EQ(PersistedJournalMode(path), "delete");
    ASSERT_TRUE((*writer)
                    ->Add({{MakeDocument("a.md", "sha-a", 1),
                            {MakeLink("https://a.example/", 0)}}})
                    .ok());
  }  // rolled back
  EXPECT_EQ(PersistedJournalMode(path), "wal");
  EXPECT_FALSE(manifest->FindDocument("a.md")->has_value());

  Result<std::unique_ptr<ScanWriter>> writer = manifest->BeginScans();
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE((*writer)
                  ->Add({{MakeDocument("a.md", "sha-a", 1),
                          {MakeLink("https://a.example/", 0)}}})
                  .ok());
  ASSERT_TRUE((*writer)->Commit().ok());
  writer->reset();
  EXPECT_EQ(PersistedJournalMode(path), "wal");
  EXPECT_EQ(manifest->LinksOf("a.md")->size(), 1u);
  // A filled manifest is written in WAL mode.
  writer = manifest->BeginScans();
  ASSERT_TRUE(writer.ok());
  EXPECT_EQ(PersistedJournalMode(path), "wal");
}

TEST(SqliteManifestTest, FirstScanBuildsTheDeferredIndexesAgainOrRollsBack) {
  TempDir dir;
  std::string path = dir / "m.sqlite3";
  auto manifest = MustOpen(path);
  ASSERT_NE(manifest, nullptr);
  const std::map<std::string, std::string> schema = IndexesOf(path);
  ASSERT_EQ(schema.count("links_normalized"), 1u);
  ASSERT_EQ(schema.count("urls_surt"), 1u);
  {
    Result<std::unique_ptr<ScanWriter>> writer = manifest->BeginScans();
    ASSERT_TRUE(writer.ok()) << writer.status().message();
    ASSERT_TRUE((*writer)
                    ->Add({{MakeDocument("a.md", "sha-a", 1),
                            {MakeLink("https://a.example/", 0)}}})
                    .ok());
  }  // killed: nothing recorded, no index lost
  EXPECT_EQ(IndexesOf(path), schema);

  Result<std::unique_ptr<ScanWriter>> writer = manifest->BeginScans();
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE((*writer)
                  ->Add({{MakeDocument("a.md", "sha-a", 1),
                          {MakeLink("https://a.example/", 0)}}})
                  .ok());
  ASSERT_TRUE((*writer)->Commit().ok());
  writer->reset();
  EXPECT_EQ(IndexesOf(path), schema);
  manifest.reset();
  Result<SqliteDb> db = SqliteDb::Open(path);
  ASSERT_TRUE(db.ok());
  EXPECT_EQ(*db->QueryInt("SELECT count(*) FROM links INDEXED BY "
                          "links_normalized WHERE normalized = "
                          "'https://a.example/'"),
            1);
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

}  // namespace
}  // namespace rotguard
