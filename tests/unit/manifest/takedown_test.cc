// The manifest side of `rotguard forget`: tombstones, forgotten records and
// the switch of a purge to rewritten WARC files (schema v8), on every
// backend (manifest_backend.h).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "rotguard/manifest.h"
#include "unit/manifest/manifest_backend.h"

namespace rotguard {
namespace {

using testing::ManifestBackend;

RecordRow Record(const std::string& file, int64_t offset,
                 const std::string& type, const std::string& uri) {
  RecordRow r;
  r.warc_file = file;
  r.offset = offset;
  r.compressed_length = 10;
  r.type = type;
  r.record_id = "<urn:uuid:" + file + std::to_string(offset) + ">";
  r.target_uri = uri;
  return r;
}

CaptureRow Capture(const RecordRow& r) {
  CaptureRow c;
  c.url = c.normalized = r.target_uri;
  c.captured_at_us = 1700000000000000 + r.offset;
  c.http_status = 200;
  c.warc_file = r.warc_file;
  c.record_offset = r.offset;
  c.compressed_length = r.compressed_length;
  c.record_id = r.record_id;
  return c;
}

// a.warc.gz: warcinfo@0, request+response of gone@10/20, of kept@30/40.
class TakedownTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    backend_ = std::make_unique<ManifestBackend>(GetParam());
    if (!backend_->unavailable().empty())
      GTEST_SKIP() << backend_->unavailable();
    manifest_ = backend_->Open();
    ASSERT_NE(manifest_, nullptr);
    WarcFileRow file;
    file.name = "a.warc.gz";
    file.state = WarcFileState::kClosed;
    ASSERT_TRUE(manifest_->AddWarcFile(file).ok());
    records_ = {Record("a.warc.gz", 0, "warcinfo", ""),
                Record("a.warc.gz", 10, "request", kGone),
                Record("a.warc.gz", 20, "response", kGone),
                Record("a.warc.gz", 30, "request", kKept),
                Record("a.warc.gz", 40, "response", kKept)};
    ASSERT_TRUE(manifest_
                    ->CommitBatch(records_,
                                  {Capture(records_[2]), Capture(records_[4])},
                                  {})
                    .ok());
  }

  int64_t CaptureIdOf(const std::string& url) {
    Result<std::vector<CaptureRow>> rows = manifest_->CapturesOf(url);
    EXPECT_TRUE(rows.ok() && rows->size() == 1u);
    return rows.ok() && !rows->empty() ? rows->front().id : 0;
  }

  Status ForgetGone() {
    ForgetRows rows;
    rows.tombstone = {kGone, kGone, "DMCA notice 42", 1700000000};
    rows.capture_ids = {CaptureIdOf(kGone)};
    rows.records = {{"a.warc.gz", 10}, {"a.warc.gz", 20}};
    return manifest_->Forget(rows);
  }

  static constexpr const char* kGone = "https://gone.example/";
  static constexpr const char* kKept = "https://kept.example/";
  std::unique_ptr<ManifestBackend> backend_;
  std::unique_ptr<Manifest> manifest_;
  std::vector<RecordRow> records_;
};

INSTANTIATE_TEST_SUITE_P(
    Backends, TakedownTest, ::testing::Values("sqlite", "postgresql"),
    [](const ::testing::TestParamInfo<std::string>& param) {
      return param.param;
    });

TEST_P(TakedownTest, ForgetWritesTombstoneDropsCapturesAndMarksRecords) {
  ASSERT_TRUE(ForgetGone().ok());
  Result<std::vector<TombstoneRow>> tombs = manifest_->ListTombstones();
  ASSERT_TRUE(tombs.ok());
  ASSERT_EQ(tombs->size(), 1u);
  EXPECT_EQ((*tombs)[0].normalized, kGone);
  EXPECT_EQ((*tombs)[0].reason, "DMCA notice 42");
  EXPECT_TRUE(manifest_->CapturesOf(kGone)->empty());
  EXPECT_EQ(manifest_->CapturesOf(kKept)->size(), 1u);
  Result<std::vector<RecordRow>> rows = manifest_->RecordsOf("a.warc.gz");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 5u);
  std::vector<bool> forgotten;
  for (const RecordRow& r : *rows) forgotten.push_back(r.forgotten);
  EXPECT_EQ(forgotten, (std::vector<bool>{false, true, true, false, false}));
  EXPECT_EQ(*manifest_->FilesWithForgottenRecords(),
            std::vector<std::string>{"a.warc.gz"});
  EXPECT_EQ((*manifest_->FindUrl(kGone))->verdict, "forgotten");
}

TEST_P(TakedownTest, ForgettingAUrlWithoutCapturesStillWritesItsTombstone) {
  ForgetRows rows;
  rows.tombstone = {"https://never.example", "https://never.example/", "", 5};
  ASSERT_TRUE(manifest_->Forget(rows).ok());
  ASSERT_EQ(manifest_->ListTombstones()->size(), 1u);
  // Forgetting again replaces the reason, never duplicates the tombstone.
  rows.tombstone.reason = "again";
  ASSERT_TRUE(manifest_->Forget(rows).ok());
  ASSERT_EQ(manifest_->ListTombstones()->size(), 1u);
  EXPECT_EQ(manifest_->ListTombstones()->front().reason, "again");
}

TEST_P(TakedownTest, UndoRemovesTheTombstoneAndTheForgottenVerdictOnly) {
  ASSERT_TRUE(ForgetGone().ok());
  Result<bool> removed = manifest_->RemoveTombstone(kGone);
  ASSERT_TRUE(removed.ok());
  EXPECT_TRUE(*removed);
  EXPECT_TRUE(manifest_->ListTombstones()->empty());
  EXPECT_EQ((*manifest_->FindUrl(kGone))->verdict, "");
  EXPECT_TRUE(manifest_->CapturesOf(kGone)->empty());  // not brought back
  removed = manifest_->RemoveTombstone(kGone);
  ASSERT_TRUE(removed.ok());
  EXPECT_FALSE(*removed);
}

TEST_P(TakedownTest, PurgeSwitchMovesKeptRowsAndOnlyTheOldFileWaitsForUnlink) {
  ASSERT_TRUE(ForgetGone().ok());
  PurgedWarcFile purged;
  purged.old_name = "a.warc.gz";
  purged.replacement.name = "b.warc.gz";
  purged.replacement.state = WarcFileState::kClosed;
  purged.replacement.record_count = 3;
  purged.moves = {{0, 0}, {30, 10}, {40, 20}};
  ASSERT_TRUE(manifest_->AddPurgedFile("b.warc.gz").ok());  // being written
  ASSERT_TRUE(manifest_->SwitchPurgedFiles({purged}).ok());

  EXPECT_FALSE(manifest_->FindWarcFile("a.warc.gz")->has_value());
  EXPECT_TRUE(manifest_->RecordsOf("a.warc.gz")->empty());
  Result<std::vector<RecordRow>> kept = manifest_->RecordsOf("b.warc.gz");
  ASSERT_TRUE(kept.ok());
  ASSERT_EQ(kept->size(), 3u);
  EXPECT_EQ((*kept)[2].offset, 20);
  EXPECT_EQ((*kept)[2].record_id, records_[4].record_id);
  Result<std::vector<CaptureRow>> capture = manifest_->CapturesOf(kKept);
  ASSERT_TRUE(capture.ok() && capture->size() == 1u);
  EXPECT_EQ(capture->front().warc_file, "b.warc.gz");
  EXPECT_EQ(capture->front().record_offset, 20);
  EXPECT_TRUE(manifest_->FilesWithForgottenRecords()->empty());
  EXPECT_EQ(*manifest_->ListPurgedFiles(),
            std::vector<std::string>{"a.warc.gz"});
  ASSERT_TRUE(manifest_->ClearPurgedFile("a.warc.gz").ok());
  EXPECT_TRUE(manifest_->ListPurgedFiles()->empty());
}

TEST_P(TakedownTest, ATombstonedUrlLeavesTheWorkListButKeepsItsRow) {
  DocumentRow doc;
  doc.path = "post.md";
  doc.sha256 = "sha";
  LinkRow gone;
  gone.kind = "link";
  gone.written = gone.url = gone.normalized = kGone;
  gone.end = 10;
  LinkRow kept = gone;
  kept.written = kept.url = kept.normalized = kKept;
  kept.start = 20;
  kept.end = 30;
  ASSERT_TRUE(manifest_->RecordScan(doc, {gone, kept}).ok());
  ASSERT_TRUE(ForgetGone().ok());
  Result<std::vector<UrlRow>> work = manifest_->ListLinkedUrls();
  ASSERT_TRUE(work.ok()) << work.status().message();
  ASSERT_EQ(work->size(), 1u);
  EXPECT_EQ(work->front().normalized, kKept);
  EXPECT_TRUE(manifest_->FindUrl(kGone)->has_value());
}

TEST_P(TakedownTest, ARecordIsFoundByItsIdForgottenOrNot) {
  ASSERT_TRUE(ForgetGone().ok());
  Result<std::optional<RecordRow>> found =
      manifest_->FindRecordById(records_[2].record_id);
  ASSERT_TRUE(found.ok()) << found.status().message();
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->offset, 20);
  EXPECT_TRUE((*found)->forgotten);
  found = manifest_->FindRecordById(records_[4].record_id);
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_FALSE((*found)->forgotten);
  found = manifest_->FindRecordById("<urn:uuid:none>");
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(found->has_value());
}

TEST_P(TakedownTest, FailedPurgeSwitchChangesNothing) {
  ASSERT_TRUE(ForgetGone().ok());
  PurgedWarcFile purged;
  purged.old_name = "a.warc.gz";
  purged.replacement.name = "b.warc.gz";
  purged.moves = {{30, 10}, {40, 10}};  // two records at one offset
  EXPECT_FALSE(manifest_->SwitchPurgedFiles({purged}).ok());
  EXPECT_TRUE(manifest_->FindWarcFile("a.warc.gz")->has_value());
  EXPECT_FALSE(manifest_->FindWarcFile("b.warc.gz")->has_value());
  EXPECT_EQ(manifest_->RecordsOf("a.warc.gz")->size(), 5u);
  EXPECT_TRUE(manifest_->ListPurgedFiles()->empty());
}

}  // namespace
}  // namespace rotguard
