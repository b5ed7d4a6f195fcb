// The PostgreSQL backend's own machinery: its migrations, the schema
// version in meta, and how connection failures are reported. Needs a
// server (ROTGUARD_TEST_PG_URL), except for the failure tests.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "manifest/pg_db.h"
#include "manifest/pg_schema.h"
#include "manifest/schema.h"
#include "rotguard/manifest.h"
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

#define SKIP_WITHOUT_SERVER(backend)         \
  if (!(backend).unavailable().empty()) {    \
    GTEST_SKIP() << (backend).unavailable(); \
  }

TEST(PgManifestTest, Version1DatabaseIsMigratedAndKeepsItsRows) {
  ManifestBackend backend("postgresql");
  SKIP_WITHOUT_SERVER(backend);
  {
    Result<PgDb> db = PgDb::Connect(backend.location());
    ASSERT_TRUE(db.ok()) << db.status().message();
    ASSERT_TRUE(MigratePgSchema(*db, 1).ok());
    ASSERT_TRUE(db->Exec("INSERT INTO urls (normalized, surt) VALUES "
                         "('https://a.example/', 'example,a)/')")
                    .ok());
    EXPECT_EQ(*PgSchemaVersion(*db), 1);
  }
  std::unique_ptr<Manifest> manifest = backend.Open();
  ASSERT_NE(manifest, nullptr);
  EXPECT_EQ(manifest->SchemaVersion(), kSchemaVersion);
  Result<std::optional<UrlRow>> url = manifest->FindUrl("https://a.example/");
  ASSERT_TRUE(url.ok() && url->has_value()) << url.status().message();
  EXPECT_EQ((*url)->failure_class, "");  // the v2 column with its default
  EXPECT_EQ((*url)->asset_key, "");      // v3
}

TEST(PgManifestTest, NewerSchemaVersionIsRefusedAndLeftAlone) {
  ManifestBackend backend("postgresql");
  SKIP_WITHOUT_SERVER(backend);
  ASSERT_NE(backend.Open(), nullptr);
  ASSERT_TRUE(backend.PgExec(
      "UPDATE meta SET value = '99' WHERE key = 'schema_version'"));
  Result<std::unique_ptr<Manifest>> manifest = OpenManifest(backend.location());
  ASSERT_FALSE(manifest.ok());
  EXPECT_EQ(manifest.status().code(), ErrorCode::kNotSupported);
  EXPECT_NE(manifest.status().message().find("version 99"), std::string::npos)
      << manifest.status().message();
}

TEST(PgManifestTest, TwoConnectionsShareCountersAndSeeCommittedRows) {
  ManifestBackend backend("postgresql");
  SKIP_WITHOUT_SERVER(backend);
  std::unique_ptr<Manifest> a = backend.Open();
  std::unique_ptr<Manifest> b = backend.Open();
  ASSERT_TRUE(a && b);
  EXPECT_EQ(*a->NextCounter("warc_serial"), 1);
  EXPECT_EQ(*b->NextCounter("warc_serial"), 2);
  ASSERT_TRUE(a->EnsureUrl("https://shared.example/", 7).ok());
  Result<std::optional<UrlRow>> seen = b->FindUrl("https://shared.example/");
  ASSERT_TRUE(seen.ok() && seen->has_value());
  EXPECT_EQ(*b->EnsureUrl("https://shared.example/", 8), (*seen)->id);
}

// A SQLite manifest with a row in every table (NULLs, quotes and
// non-ASCII text included).
void FillSqlite(Manifest& m) {
  DocumentRow doc = MakeDocument("posts/a.md", "sha-a", 10);
  doc.title = "It's \"quoted\" \xc3\xa9";
  doc.draft.reset();
  LinkRow bare = MakeLink("mailto:me@example.com", 90);
  bare.normalized.clear();  // url_id NULL
  ASSERT_TRUE(
      m.RecordScan(doc, {MakeLink("https://a.example/x", 5), bare}).ok());
  ASSERT_TRUE(m.AddWarcFile(MakeWarcFile("a.warc.gz")).ok());
  Result<int64_t> run = m.BeginRun("archive", 100);
  ASSERT_TRUE(run.ok());
  CaptureRow original = MakeCapture("a.warc.gz", 0, "SAME");
  original.run_id = *run;
  CaptureRow revisit = MakeCapture("a.warc.gz", 100, "SAME");
  revisit.revisit_of = original.record_id;
  ASSERT_TRUE(
      m.CommitBatch({MakeRecord("a.warc.gz", 0), MakeRecord("a.warc.gz", 100)},
                    {original, revisit}, {})
          .ok());
  ASSERT_TRUE(m.EndRun(*run, 110, {{"captures", 2}}, 0).ok());
  ASSERT_TRUE(m.NextCounter("warc_serial").ok());
  ASSERT_TRUE(m.NextCounter("warc_serial").ok());
  SubmissionRow submission{
      "https://a.example/x", kSubmissionPending, "job", "", 0, 1, 5, "queued"};
  ASSERT_TRUE(m.PutSubmission(submission).ok());
  ASSERT_TRUE(m.SetLookupNone("https://a.example/x", 42).ok());
  UrlRow judged;
  judged.normalized = "https://a.example/x";
  judged.verdict = "ok";
  ASSERT_TRUE(m.UpdateUrlHealth(judged).ok());  // a verdict_changes row
  // A work_queue row leased to a worker, and its host's work_hosts row.
  ASSERT_TRUE(m.Enqueue({"https://a.example/x"}, 1000).ok());
  ASSERT_EQ(m.ClaimWork("w1", 1000, 5000, 10)->size(), 1u);
  ForgetRows forget;
  forget.tombstone = {"https://Gone.example", "https://gone.example/", "", 9};
  ASSERT_TRUE(m.Forget(forget).ok());
  ASSERT_TRUE(m.AddPurgedFile("old.warc.gz").ok());
}

TEST(PgManifestTest, MigrateCopiesEveryRowAndIdsContinueAfterThem) {
  ManifestBackend target("postgresql");
  SKIP_WITHOUT_SERVER(target);
  ManifestBackend source("sqlite");
  {
    std::unique_ptr<Manifest> sqlite = source.Open();
    ASSERT_NE(sqlite, nullptr);
    FillSqlite(*sqlite);
  }
  Result<std::vector<ManifestTableCopy>> copies =
      CopySqliteManifestToPostgres(source.location(), target.location());
  ASSERT_TRUE(copies.ok()) << copies.status().message();
  ASSERT_EQ(copies->size(), 15u);  // every table of the schema
  std::map<std::string, int64_t> rows;
  for (const ManifestTableCopy& copy : *copies) rows[copy.table] = copy.rows;
  EXPECT_EQ(rows["documents"], 1);
  EXPECT_EQ(rows["links"], 2);
  EXPECT_EQ(rows["captures"], 2);
  EXPECT_EQ(rows["meta"], 1);  // the counter; not PostgreSQL's version row
  for (const char* table :
       {"public_submissions", "public_lookups", "tombstones", "purged_files",
        "verdict_changes", "work_queue", "work_hosts"}) {
    EXPECT_EQ(rows[table], 1) << table;
  }

  std::unique_ptr<Manifest> sqlite = source.Open();
  std::unique_ptr<Manifest> pg = target.Open();
  ASSERT_TRUE(sqlite && pg);
  EXPECT_EQ(pg->FindDocument("posts/a.md")->value().title,
            sqlite->FindDocument("posts/a.md")->value().title);
  EXPECT_FALSE(pg->FindDocument("posts/a.md")->value().draft.has_value());
  EXPECT_EQ(pg->LinksOf("posts/a.md")->size(), 2u);
  Result<std::vector<CaptureRow>> a = sqlite->ListCaptures();
  Result<std::vector<CaptureRow>> b = pg->ListCaptures();
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_EQ(a->size(), b->size());
  for (size_t i = 0; i < a->size(); ++i) {
    EXPECT_EQ((*a)[i].id, (*b)[i].id);
    EXPECT_EQ((*a)[i].run_id, (*b)[i].run_id);
    EXPECT_EQ((*a)[i].revisit_of, (*b)[i].revisit_of);
  }
  EXPECT_EQ(pg->ListRuns()->at(0).counts.at("captures"), 2);
  // Counters and identities go on after the copied rows.
  EXPECT_EQ(*pg->NextCounter("warc_serial"), 3);
  Result<int64_t> run = pg->BeginRun("verify", 200);
  ASSERT_TRUE(run.ok()) << run.status().message();
  EXPECT_GT(*run, sqlite->ListRuns()->back().id);
  Result<int64_t> url = pg->EnsureUrl("https://new.example/", 1);
  ASSERT_TRUE(url.ok()) << url.status().message();
  EXPECT_EQ(pg->FindSubmission("https://a.example/x")->value().message,
            "queued");
  EXPECT_EQ(*pg->LookupNoneAt("https://a.example/x"), 42);
  EXPECT_EQ(pg->VerdictChangesOf("https://a.example/x")->size(), 1u);
  EXPECT_EQ(*pg->ListPurgedFiles(), std::vector<std::string>{"old.warc.gz"});
  ForgetRows forget;
  forget.tombstone = {"https://b.example", "https://b.example/", "", 10};
  ASSERT_TRUE(pg->Forget(forget).ok());  // tombstone ids go on too
  EXPECT_EQ(pg->ListTombstones()->size(), 2u);

  // A second copy into the same database is refused; nothing merged.
  Result<std::vector<ManifestTableCopy>> again =
      CopySqliteManifestToPostgres(source.location(), target.location());
  EXPECT_EQ(again.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(pg->ListCaptures()->size(), 2u);
}

TEST(PgManifestTest, UnreachableServerIsIOErrorWithoutThePassword) {
  // Port 1 on loopback: refused at once, no DNS query.
  Result<std::unique_ptr<Manifest>> manifest = OpenManifest(
      "postgresql://rotguard:s3cret@127.0.0.1:1/rotguard?connect_timeout=2");
  ASSERT_FALSE(manifest.ok());
  EXPECT_EQ(manifest.status().code(), ErrorCode::kIOError);
  EXPECT_EQ(manifest.status().message().find("s3cret"), std::string::npos)
      << manifest.status().message();
  EXPECT_NE(manifest.status().message().find("127.0.0.1:1"), std::string::npos)
      << manifest.status().message();
}

TEST(PgManifestTest, PasswordIsRedactedFromTheUrlInMessages) {
  EXPECT_EQ(RedactPostgresUrl("postgresql://u:pw@h:5/db"),
            "postgresql://u:***@h:5/db");
  EXPECT_EQ(RedactPostgresUrl("postgresql://u@h/db"), "postgresql://u@h/db");
  EXPECT_EQ(RedactPostgresUrl("postgresql:///db?host=/tmp/s"),
            "postgresql:///db?host=/tmp/s");
  EXPECT_TRUE(IsPostgresUrl("postgres://h/db"));
  EXPECT_FALSE(IsPostgresUrl("/srv/store/manifest.sqlite3"));
}

}  // namespace
}  // namespace rotguard
