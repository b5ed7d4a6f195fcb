// The damaged-store suite: one store per finding type, each checking the
// exact code, file and offset verify reports and that it goes on; then
// repair cases (torn tail, stale .open, orphan, lost record, dry run).
// Stores are built from the WARC corpus in tests/data/warc (offsets of
// good.warc.gz: warcinfo 0, request 268, response 565, resource 903; 1165
// bytes) and from WarcWriter.
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "rotguard/store.h"
#include "rotguard/verify.h"
#include "rotguard/warc_writer.h"
#include "unit/temp_dir.h"
#include "util/file.h"
#include "verify/warc_index.h"

namespace rotguard {
namespace {

namespace fs = std::filesystem;
using ::rotguard::testing::TempDir;

fs::path Corpus(const std::string& name) {
  return fs::path(ROTGUARD_TEST_DATA_DIR) / "warc" / name;
}

std::string Slurp(const fs::path& path) {
  Result<std::string> data = ReadFileToString(path);
  EXPECT_TRUE(data.ok()) << data.status().message();
  return data.ok() ? *data : "";
}

void Spit(const fs::path& path, std::string_view bytes) {
  ASSERT_TRUE(WriteFileAtomically(path, bytes).ok()) << path;
}

struct Found {
  std::string code;
  std::string file;
  int64_t offset;
  bool operator==(const Found&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Found& f) {
  return os << f.code << " " << f.file << "@" << f.offset;
}

class DamagedStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = dir_.path() / "store";
    ASSERT_TRUE(Store::Init(root_).ok());
    Reopen(LockMode::kExclusive);
  }

  void Reopen(LockMode mode) {
    store_.reset();
    StoreOptions options;
    options.log_to_file = false;
    Result<std::unique_ptr<Store>> store = Store::Open(root_, mode, options);
    ASSERT_TRUE(store.ok()) << store.status().message();
    store_ = std::move(*store);
  }

  fs::path WarcPath(const std::string& name) {
    return store_->warc_dir() / name;
  }

  // Puts `bytes_from` at warc/<name> and indexes the rows of `rows_from`
  // (which is what the manifest believed), after `edit` had its say.
  void AddFile(const std::string& name, const fs::path& rows_from,
               const fs::path& bytes_from,
               const std::function<void(std::vector<RecordRow>&,
                                        std::vector<CaptureRow>&)>& edit = {}) {
    Result<verify::IndexedFile> indexed =
        verify::IndexWarcFile(rows_from, name, verify::IndexDepth::kPayloads);
    ASSERT_TRUE(indexed.ok()) << indexed.status().message();
    std::vector<RecordRow> records;
    std::vector<CaptureRow> captures;
    for (const verify::IndexedRecord& r : indexed->records) {
      records.push_back(r.record);
      if (r.capturable) captures.push_back(verify::CaptureOf(r, "live"));
    }
    if (edit) edit(records, captures);
    Spit(WarcPath(name), Slurp(bytes_from));
    Result<std::string> sha256 = verify::Sha256OfFile(rows_from);
    ASSERT_TRUE(sha256.ok());
    WarcFileRow row;
    row.name = name;
    row.state = WarcFileState::kClosed;
    row.size = static_cast<int64_t>(indexed->size);
    row.sha256 = *sha256;
    row.record_count = static_cast<int64_t>(records.size());
    ASSERT_TRUE(
        store_->manifest().AddWarcFileWithRows(row, records, captures).ok());
  }

  void AddGood(const std::string& name = "a.warc.gz") {
    AddFile(name, Corpus("good.warc.gz"), Corpus("good.warc.gz"));
  }

  std::vector<Found> Verify(VerifyLevel level, VerifySummary* out = nullptr,
                            std::vector<VerifyFinding>* all = nullptr) {
    std::vector<Found> found;
    VerifyOptions options;
    options.level = level;
    options.on_finding = [&](const VerifyFinding& f) {
      if (all) all->push_back(f);
      if (!f.note) found.push_back({f.code, f.file, f.offset});
    };
    Result<VerifySummary> summary = VerifyStore(*store_, options);
    EXPECT_TRUE(summary.ok()) << summary.status().message();
    if (summary.ok()) {
      EXPECT_EQ(summary->findings, static_cast<int64_t>(found.size()));
      if (out) *out = *summary;
    }
    return found;
  }

  void AddOneFilePerDamage();

  std::vector<RepairAction> Repair(bool dry_run = false) {
    std::vector<RepairAction> actions;
    RepairOptions options;
    options.dry_run = dry_run;
    options.on_action = [&](const RepairAction& a) { actions.push_back(a); };
    Result<RepairSummary> summary = RepairStore(*store_, options);
    EXPECT_TRUE(summary.ok()) << summary.status().message();
    return actions;
  }

  static bool HasAction(const std::vector<RepairAction>& actions,
                        const std::string& kind, const std::string& file,
                        int64_t offset) {
    for (const RepairAction& a : actions) {
      if (a.kind == kind && a.file == file && a.offset == offset) return true;
    }
    return false;
  }

  TempDir dir_;
  fs::path root_;
  std::unique_ptr<Store> store_;
};

TEST_F(DamagedStoreTest, IntactStoreHasNoFindingsAtAnyLevel) {
  AddGood();
  for (VerifyLevel level :
       {VerifyLevel::kQuick, VerifyLevel::kDefault, VerifyLevel::kDeep}) {
    VerifySummary summary;
    EXPECT_EQ(Verify(level, &summary), std::vector<Found>{});
    EXPECT_EQ(summary.files, 1);
    EXPECT_EQ(summary.records, 4);
    EXPECT_EQ(summary.captures, 2);
  }
}

TEST_F(DamagedStoreTest, DeletedFileIsMissingFile) {
  AddGood();
  fs::remove(WarcPath("a.warc.gz"));
  EXPECT_EQ(Verify(VerifyLevel::kQuick),
            (std::vector<Found>{{"missing-file", "a.warc.gz", -1}}));
}

TEST_F(DamagedStoreTest, UnknownFileIsExtraFile) {
  AddGood();
  Spit(WarcPath("b.warc.gz"), Slurp(Corpus("good.warc.gz")));
  EXPECT_EQ(Verify(VerifyLevel::kQuick),
            (std::vector<Found>{{"extra-file", "b.warc.gz", -1}}));
}

TEST_F(DamagedStoreTest, LeftoverOpenFileIsStaleOpen) {
  AddGood();
  Spit(WarcPath("c.warc.gz.open"), Slurp(Corpus("good.warc.gz")));
  EXPECT_EQ(Verify(VerifyLevel::kQuick),
            (std::vector<Found>{{"stale-open", "c.warc.gz", -1}}));
}

TEST_F(DamagedStoreTest, GrownFileIsSizeMismatch) {
  AddGood();
  Spit(WarcPath("a.warc.gz"), Slurp(Corpus("good.warc.gz")) + "x");
  EXPECT_EQ(Verify(VerifyLevel::kQuick),
            (std::vector<Found>{{"size-mismatch", "a.warc.gz", -1}}));
}

TEST_F(DamagedStoreTest, SameSizeOtherBytesIsSha256MismatchWithinBudget) {
  // flipped-payload-byte.warc.gz has good.warc.gz's size, one byte off.
  AddFile("a.warc.gz", Corpus("good.warc.gz"),
          Corpus("flipped-payload-byte.warc.gz"));
  EXPECT_EQ(Verify(VerifyLevel::kQuick),
            (std::vector<Found>{{"sha256-mismatch", "a.warc.gz", -1}}));
}

TEST_F(DamagedStoreTest, RowPointingBetweenRecordsIsNotAtOffset) {
  AddFile("a.warc.gz", Corpus("good.warc.gz"), Corpus("good.warc.gz"),
          [](std::vector<RecordRow>& records, std::vector<CaptureRow>&) {
            records[1].offset = 300;  // the request really starts at 268
          });
  EXPECT_EQ(Verify(VerifyLevel::kDefault),
            (std::vector<Found>{{"not-at-offset", "a.warc.gz", 300},
                                {"orphan-record", "a.warc.gz", 268}}));
}

TEST_F(DamagedStoreTest, FlippedPayloadByteIsBlockAndPayloadDigestAtItsRecord) {
  AddFile("a.warc.gz", Corpus("good.warc.gz"),
          Corpus("flipped-payload-byte.warc.gz"));
  std::vector<VerifyFinding> all;
  Verify(VerifyLevel::kDefault, nullptr, &all);
  ASSERT_GE(all.size(), 3u);
  EXPECT_EQ(all[0].code, "sha256-mismatch");
  EXPECT_EQ(all[1].code, "block-digest");
  EXPECT_EQ(all[1].offset, 565);
  EXPECT_EQ(all[1].url, "http://example.com/");
  EXPECT_TRUE(all[1].expected.starts_with("sha1:"));
  EXPECT_NE(all[1].expected, all[1].actual);
  EXPECT_EQ(all[2].code, "payload-digest");
  EXPECT_EQ(all[2].offset, 565);
}

TEST_F(DamagedStoreTest, DeepPayloadSha256DifferingFromCaptureIsPayloadDigest) {
  AddFile("a.warc.gz", Corpus("good.warc.gz"), Corpus("good.warc.gz"),
          [](std::vector<RecordRow>&, std::vector<CaptureRow>& captures) {
            captures[0].payload_sha256 = std::string(64, '0');
          });
  EXPECT_EQ(Verify(VerifyLevel::kDefault), std::vector<Found>{});
  std::vector<VerifyFinding> all;
  EXPECT_EQ(Verify(VerifyLevel::kDeep, nullptr, &all),
            (std::vector<Found>{{"payload-digest", "a.warc.gz", 565}}));
  EXPECT_EQ(all[0].expected, "sha256:" + std::string(64, '0'));
}

TEST_F(DamagedStoreTest, RecordMissingFromManifestIsOrphanRecord) {
  AddFile("a.warc.gz", Corpus("good.warc.gz"), Corpus("good.warc.gz"),
          [](std::vector<RecordRow>& records, std::vector<CaptureRow>&) {
            records.erase(records.begin() + 3);
          });
  EXPECT_EQ(Verify(VerifyLevel::kDefault),
            (std::vector<Found>{{"orphan-record", "a.warc.gz", 903}}));
}

TEST_F(DamagedStoreTest, RecordCutAtMemberBoundaryIsLostRecord) {
  AddGood();
  Spit(WarcPath("a.warc.gz"), Slurp(Corpus("good.warc.gz")).substr(0, 903));
  EXPECT_EQ(Verify(VerifyLevel::kDefault),
            (std::vector<Found>{{"size-mismatch", "a.warc.gz", -1},
                                {"lost-record", "a.warc.gz", 903}}));
}

TEST_F(DamagedStoreTest, TruncatedFinalMemberIsTornMember) {
  AddFile("a.warc.gz", Corpus("good.warc.gz"),
          Corpus("truncated-final-member.warc.gz"));
  EXPECT_EQ(Verify(VerifyLevel::kDefault),
            (std::vector<Found>{{"size-mismatch", "a.warc.gz", -1},
                                {"torn-member", "a.warc.gz", 903}}));
}

TEST_F(DamagedStoreTest, BytesAfterTheLastRecordAreTrailingGarbage) {
  AddGood();
  Spit(WarcPath("a.warc.gz"), Slurp(Corpus("good.warc.gz")) + "garbage!");
  EXPECT_EQ(Verify(VerifyLevel::kDefault),
            (std::vector<Found>{{"size-mismatch", "a.warc.gz", -1},
                                {"trailing-garbage", "a.warc.gz", 1165}}));
}

TEST_F(DamagedStoreTest, WgetChunkedPayloadDigestIsANoteNotAFinding) {
  Result<ImportResult> imported =
      ImportWarc(*store_, Corpus("wget-style-1.0.warc"));
  ASSERT_TRUE(imported.ok()) << imported.status().message();
  VerifySummary summary;
  std::vector<VerifyFinding> all;
  EXPECT_EQ(Verify(VerifyLevel::kDeep, &summary, &all), std::vector<Found>{});
  EXPECT_EQ(summary.notes, 1);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].code, "chunked-payload-digest");
  EXPECT_TRUE(all[0].note);
}

// Every finding as text, and the summary, of one verify run.
// With jobs > 1, range_bytes 1 gives a range per record; 0 keeps the
// default.
std::vector<std::string> VerifyAll(Store& store, VerifyLevel level, int jobs,
                                   uint64_t range_bytes = 1) {
  std::vector<std::string> out;
  VerifyOptions options;
  options.level = level;
  options.jobs = jobs;
  if (range_bytes != 0) options.range_bytes = range_bytes;
  options.now_unix = 1'800'000'000;
  options.on_finding = [&](const VerifyFinding& f) {
    out.push_back(f.code + " " + f.file + "@" + std::to_string(f.offset) +
                  " url=" + f.url + " expected=" + f.expected +
                  " actual=" + f.actual + (f.note ? " (note)" : ""));
  };
  Result<VerifySummary> summary = VerifyStore(store, options);
  EXPECT_TRUE(summary.ok()) << summary.status().message();
  if (!summary.ok()) return out;
  const VerifySummary& s = *summary;
  out.push_back("summary " + std::to_string(s.files) + " " +
                std::to_string(s.records) + " " + std::to_string(s.captures) +
                " " + std::to_string(s.lost_records) + " " +
                std::to_string(s.findings) + " " + std::to_string(s.notes) +
                " " + std::to_string(s.files_rehashed));
  return out;
}

// One file per kind of damage (digests, torn tail, CRC, garbage, rows
// that miss, an orphan) next to intact ones and a plain .warc.
void DamagedStoreTest::AddOneFilePerDamage() {
  auto rows_of_good = [&](const std::string& name, const std::string& bytes) {
    AddFile(name, Corpus("good.warc.gz"), Corpus(bytes));
  };
  rows_of_good("a.warc.gz", "flipped-payload-byte.warc.gz");
  rows_of_good("b.warc.gz", "truncated-final-member.warc.gz");
  rows_of_good("c.warc.gz", "gzip-crc.warc.gz");
  rows_of_good("d.warc.gz", "garbage-between-members.warc.gz");
  rows_of_good("e.warc.gz", "whole-file.warc.gz");
  AddFile("f.warc.gz", Corpus("good.warc.gz"), Corpus("good.warc.gz"),
          [](std::vector<RecordRow>& records, std::vector<CaptureRow>&) {
            records[1].offset = 300;             // between records
            records.erase(records.begin() + 3);  // an orphan
          });
  AddGood("g.warc.gz");
  Spit(WarcPath("g.warc.gz"),
       Slurp(Corpus("good.warc.gz")).substr(0, 903) + "garbage!");
  ASSERT_TRUE(ImportWarc(*store_, Corpus("wget-style-1.0.warc")).ok());
}

TEST_F(DamagedStoreTest, FindingsAreTheSameForOneJobAndTwoOnADamagedStore) {
  AddOneFilePerDamage();
  for (VerifyLevel level : {VerifyLevel::kDefault, VerifyLevel::kDeep}) {
    std::vector<std::string> one = VerifyAll(*store_, level, 1);
    EXPECT_GT(one.size(), 10u);
    EXPECT_EQ(VerifyAll(*store_, level, 2), one);
    EXPECT_EQ(VerifyAll(*store_, level, 3), one);
  }
}

TEST_F(DamagedStoreTest, ReadAheadOverManyFilesGivesTheSerialFindings) {
  AddOneFilePerDamage();
  for (int i = 0; i < 12; ++i) AddGood("m" + std::to_string(i) + ".warc.gz");
  AddGood("z.warc.gz");
  fs::remove(WarcPath("m3.warc.gz"));  // missing-file: not read at all
  Spit(WarcPath("m7.warc.gz"), "");    // emptied: lost-record per row
  for (VerifyLevel level : {VerifyLevel::kDefault, VerifyLevel::kDeep}) {
    std::vector<std::string> one = VerifyAll(*store_, level, 1, 0);
    EXPECT_GT(one.size(), 20u);
    for (uint64_t range_bytes : {uint64_t{0}, uint64_t{1}, uint64_t{600}}) {
      for (int jobs : {2, 5}) {
        EXPECT_EQ(VerifyAll(*store_, level, jobs, range_bytes), one)
            << "jobs " << jobs << " range_bytes " << range_bytes;
      }
    }
  }
}

TEST_F(DamagedStoreTest, ImportRefusesDamagedInputAndLeavesNothing) {
  Result<ImportResult> imported =
      ImportWarc(*store_, Corpus("truncated-final-member.warc.gz"));
  ASSERT_FALSE(imported.ok());
  EXPECT_EQ(imported.status().code(), ErrorCode::kCorruption);
  EXPECT_NE(imported.status().message().find("torn-member at offset 903"),
            std::string::npos)
      << imported.status().message();
  EXPECT_TRUE(fs::is_empty(store_->imported_dir()));
  EXPECT_TRUE(store_->manifest().ListWarcFiles()->empty());
}

TEST_F(DamagedStoreTest, ImportTwiceSkipsTheSameBytes) {
  ASSERT_TRUE(ImportWarc(*store_, Corpus("good.warc.gz")).ok());
  Result<ImportResult> again = ImportWarc(*store_, Corpus("good.warc.gz"));
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->skipped);
  EXPECT_EQ(again->name, "imported/good.warc.gz");
  EXPECT_EQ(store_->manifest().ListWarcFiles()->size(), 1u);
  EXPECT_EQ(Verify(VerifyLevel::kDeep), std::vector<Found>{});
}

// --- repair ---

TEST_F(DamagedStoreTest, RepairCutsTornTailToDamagedAndVerifyIsClean) {
  AddFile("a.warc.gz", Corpus("good.warc.gz"),
          Corpus("truncated-final-member.warc.gz"));
  std::string before = Slurp(WarcPath("a.warc.gz"));
  std::vector<RepairAction> actions = Repair();
  EXPECT_TRUE(HasAction(actions, "truncate-tail", "a.warc.gz", 903));
  EXPECT_TRUE(HasAction(actions, "mark-lost", "a.warc.gz", 903));
  EXPECT_EQ(Slurp(WarcPath("a.warc.gz")), before.substr(0, 903));
  EXPECT_EQ(Slurp(root_ / "damaged" / "a.warc.gz.903.damaged"),
            before.substr(903));
  VerifySummary summary;
  EXPECT_EQ(Verify(VerifyLevel::kDeep, &summary), std::vector<Found>{});
  EXPECT_EQ(summary.lost_captures, 1);  // the resource record at 903
}

TEST_F(DamagedStoreTest, RepairClosesStaleOpenFileWrittenByWarcWriter) {
  WarcWriterOptions w;
  w.directory = store_->warc_dir();
  w.hostname = "test";
  Result<std::unique_ptr<WarcWriter>> writer = WarcWriter::Open(std::move(w));
  ASSERT_TRUE(writer.ok());
  WarcCapture capture;
  capture.target_uri = "https://example.com/post";
  ASSERT_TRUE((*writer)->WriteResource(capture, "text/plain", "hello").ok());
  ASSERT_TRUE((*writer)->Sync().ok());
  std::string name = (*writer)->current_file_name();
  fs::path open_path = WarcPath(name + ".open");
  std::string durable = Slurp(open_path);
  // The run's first commit: the file open, its records indexed.
  Result<verify::IndexedFile> indexed =
      verify::IndexWarcFile(open_path, name, verify::IndexDepth::kPayloads);
  ASSERT_TRUE(indexed.ok());
  WarcFileRow row;
  row.name = name;
  row.state = WarcFileState::kOpen;
  ASSERT_TRUE(store_->manifest().AddWarcFile(row).ok());
  std::vector<RecordRow> records;
  std::vector<CaptureRow> captures;
  for (const verify::IndexedRecord& r : indexed->records) {
    records.push_back(r.record);
    if (r.capturable) captures.push_back(verify::CaptureOf(r, "live"));
  }
  ASSERT_TRUE(store_->manifest().CommitBatch(records, captures, {}).ok());
  writer->reset();  // closes and renames; put back what a kill -9 leaves
  fs::remove(WarcPath(name));
  Spit(open_path, durable + "\x1f\x8b\x08\x00half a member");

  EXPECT_EQ(Verify(VerifyLevel::kDefault).front(),
            (Found{"stale-open", name, -1}));
  std::vector<RepairAction> actions = Repair();
  EXPECT_TRUE(HasAction(actions, "close-open", name, -1));
  EXPECT_TRUE(fs::exists(WarcPath(name)));
  EXPECT_FALSE(fs::exists(open_path));
  Result<std::optional<WarcFileRow>> closed =
      store_->manifest().FindWarcFile(name);
  ASSERT_TRUE(closed.ok() && closed->has_value());
  EXPECT_EQ((*closed)->state, WarcFileState::kClosed);
  EXPECT_EQ((*closed)->size, static_cast<int64_t>(durable.size()));
  EXPECT_EQ((*closed)->record_count, 2);
  EXPECT_EQ(Verify(VerifyLevel::kDeep), std::vector<Found>{});
}

TEST_F(DamagedStoreTest, RepairIndexesOrphanRecordWithItsCapture) {
  AddFile("a.warc.gz", Corpus("good.warc.gz"), Corpus("good.warc.gz"),
          [](std::vector<RecordRow>& records, std::vector<CaptureRow>& caps) {
            records.erase(records.begin() + 2);  // the response at 565
            caps.erase(caps.begin());
          });
  std::vector<RepairAction> actions = Repair();
  EXPECT_TRUE(HasAction(actions, "index-orphan", "a.warc.gz", 565));
  EXPECT_EQ(Verify(VerifyLevel::kDeep), std::vector<Found>{});
  Result<std::vector<CaptureRow>> captures =
      store_->manifest().CapturesOf("http://example.com/");
  ASSERT_TRUE(captures.ok());
  ASSERT_EQ(captures->size(), 1u);
  EXPECT_EQ((*captures)[0].record_offset, 565);
}

TEST_F(DamagedStoreTest, RepairMarksMissingRecordLostAndVerifyCountsIt) {
  AddGood();
  Spit(WarcPath("a.warc.gz"), Slurp(Corpus("good.warc.gz")).substr(0, 903));
  std::vector<RepairAction> actions = Repair();
  EXPECT_TRUE(HasAction(actions, "mark-lost", "a.warc.gz", 903));
  EXPECT_TRUE(HasAction(actions, "update-row", "a.warc.gz", -1));
  VerifySummary summary;
  EXPECT_EQ(Verify(VerifyLevel::kDeep, &summary), std::vector<Found>{});
  EXPECT_EQ(summary.lost_captures, 1);
  EXPECT_EQ(summary.lost_records, 1);
}

TEST_F(DamagedStoreTest, RepairMarksEveryRecordOfADeletedFileLost) {
  AddGood();
  fs::remove(WarcPath("a.warc.gz"));
  Repair();
  VerifySummary summary;
  EXPECT_EQ(Verify(VerifyLevel::kDefault, &summary), std::vector<Found>{});
  EXPECT_EQ(summary.lost_records, 4);
  EXPECT_EQ(summary.lost_captures, 2);
}

TEST_F(DamagedStoreTest, RepairDryRunListsActionsAndChangesNothing) {
  AddFile("a.warc.gz", Corpus("good.warc.gz"),
          Corpus("truncated-final-member.warc.gz"));
  Spit(WarcPath("b.warc.gz.open"), Slurp(Corpus("good.warc.gz")));
  std::string bytes = Slurp(WarcPath("a.warc.gz"));
  std::string manifest = Slurp(store_->manifest_path());
  std::vector<RepairAction> actions = Repair(/*dry_run=*/true);
  EXPECT_TRUE(HasAction(actions, "truncate-tail", "a.warc.gz", 903));
  EXPECT_TRUE(HasAction(actions, "close-open", "b.warc.gz", -1));
  EXPECT_EQ(Slurp(WarcPath("a.warc.gz")), bytes);
  EXPECT_TRUE(fs::exists(WarcPath("b.warc.gz.open")));
  EXPECT_FALSE(fs::exists(root_ / "damaged" / "a.warc.gz.903.damaged"));
  EXPECT_EQ(Slurp(store_->manifest_path()), manifest);
  EXPECT_EQ(store_->manifest().ListWarcFiles()->size(), 1u);
}

TEST_F(DamagedStoreTest, RepairLeavesMidFileDamageAlone) {
  AddFile("a.warc.gz", Corpus("good.warc.gz"), Corpus("gzip-crc.warc.gz"));
  std::string bytes = Slurp(WarcPath("a.warc.gz"));
  std::vector<RepairAction> actions = Repair();
  EXPECT_TRUE(HasAction(actions, "cannot-repair", "a.warc.gz", 268));
  EXPECT_EQ(Slurp(WarcPath("a.warc.gz")), bytes);
}

}  // namespace
}  // namespace rotguard
