// `report --since`: which links a report of changes lists, judged from the
// verdict history the manifest keeps, and how each format shows them.
#include "verify/report_since.h"

#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "manifest/sqlite_db.h"
#include "rotguard/manifest.h"
#include "rotguard/report.h"
#include "unit/temp_dir.h"

namespace rotguard {
namespace {

using testing::TempDir;

constexpr int64_t kSince = 1'767'225'600;  // 2026-01-01T00:00:00Z
constexpr int64_t kNow = kSince + 86'400;
constexpr int64_t kHour = 3'600;
constexpr int64_t kDay = 86'400;

VerdictChangeRow Change(int64_t at, const std::string& verdict,
                        const std::string& previous) {
  return VerdictChangeRow{at, verdict, previous};
}

LinkHistory History(const std::string& now,
                    std::vector<VerdictChangeRow> changes) {
  LinkHistory history;
  history.verdict_now = now;
  history.changes = std::move(changes);
  history.first_seen_unix = kSince - 30 * kDay;
  return history;
}

TEST(ReportSinceSelectionTest, VerdictAtIsTheLastChangeUpToThatTime) {
  LinkHistory history =
      History("gone", {Change(kSince - kDay, "failing", "ok"),
                       Change(kSince + kHour, "gone", "failing")});
  EXPECT_EQ(VerdictAt(history, kSince), "failing");
  EXPECT_EQ(VerdictAt(history, kSince - 2 * kDay), "ok");
  EXPECT_EQ(VerdictAt(history, kSince + 2 * kHour), "gone");
}

TEST(ReportSinceSelectionTest, AUrlWithoutHistoryCountsAsUnchanged) {
  EXPECT_EQ(VerdictAt(History("gone", {}), kSince), "gone");
  EXPECT_EQ(ClassifyChange(History("gone", {}), kSince).change, "");
}

TEST(ReportSinceSelectionTest, BecomingGoneAfterTheTimeIsNewlyGone) {
  LinkChange change = ClassifyChange(
      History("gone", {Change(kSince - kDay, "failing", "ok"),
                       Change(kSince + kHour, "gone", "failing")}),
      kSince);
  EXPECT_EQ(change.change, kChangeGone);
  EXPECT_EQ(change.previous_verdict, "failing");
  EXPECT_EQ(change.changed_unix, kSince + kHour);
}

TEST(ReportSinceSelectionTest, GoneBeforeTheTimeIsNotListed) {
  EXPECT_EQ(
      ClassifyChange(
          History("gone", {Change(kSince - kDay, "gone", "failing")}), kSince)
          .change,
      "");
}

TEST(ReportSinceSelectionTest, EachKindOfChangeHasItsName) {
  const auto after = [](const std::string& before, const std::string& now) {
    return ClassifyChange(History(now, {Change(kSince + kHour, now, before)}),
                          kSince)
        .change;
  };
  EXPECT_EQ(after("ok", "moved"), kChangeMoved);
  EXPECT_EQ(after("ok", "failing"), kChangeFailing);
  EXPECT_EQ(after("redirected", "soft-404"), kChangeFailing);
  EXPECT_EQ(after("ok", "unreachable"), kChangeFailing);
  EXPECT_EQ(after("gone", "ok"), kChangeRecovered);
  EXPECT_EQ(after("server-error", "redirected"), kChangeRecovered);
  // Neither a new failure nor a recovery: still broken, or a 429.
  EXPECT_EQ(after("failing", "unreachable"), "");
  EXPECT_EQ(after("ok", "rate-limited"), "");
  EXPECT_EQ(after("ok", "drifted"), "");
}

TEST(ReportSinceSelectionTest, AVerdictThatCameBackIsNotAChange) {
  LinkHistory history =
      History("ok", {Change(kSince + kHour, "failing", "ok"),
                     Change(kSince + 2 * kHour, "ok", "failing")});
  EXPECT_EQ(ClassifyChange(history, kSince).change, "");
}

TEST(ReportSinceSelectionTest, RescuedAndNewLinksAreListedWhenNothingWorse) {
  LinkHistory rescued = History("gone", {});
  rescued.rescued_since = true;
  EXPECT_EQ(ClassifyChange(rescued, kSince).change, kChangeRescued);

  LinkHistory fresh = History("ok", {Change(kSince + kHour, "ok", "")});
  fresh.first_seen_unix = kSince + kHour;
  EXPECT_EQ(ClassifyChange(fresh, kSince).change, kChangeNew);

  LinkHistory fresh_failing =
      History("failing", {Change(kSince + kHour, "failing", "")});
  fresh_failing.first_seen_unix = kSince + kHour;
  EXPECT_EQ(ClassifyChange(fresh_failing, kSince).change, kChangeFailing);

  LinkHistory unchecked = History("unchecked", {});
  unchecked.first_seen_unix = kSince + kHour;
  EXPECT_EQ(ClassifyChange(unchecked, kSince).change, kChangeNew);
}

TEST(ReportSinceParseTest, DatesAndTimesAreUtcUnlessZoned) {
  EXPECT_EQ(ParseReportSince("2026-01-01"), kSince);
  EXPECT_EQ(ParseReportSince("2026-01-01T00:00:00Z"), kSince);
  EXPECT_EQ(ParseReportSince("2026-01-01T01:30"), kSince + 90 * 60);
  EXPECT_EQ(ParseReportSince("2026-01-01 01:30:00"), kSince + 90 * 60);
  EXPECT_EQ(ParseReportSince("2026-01-01T02:00:00+02:00"), kSince);
  EXPECT_EQ(ParseReportSince("2025-12-31T22:00:00-02:00"), kSince);
}

TEST(ReportSinceParseTest, AnythingElseIsRefused) {
  for (const char* bad : {"", "LAST_RUN", "yesterday", "2026-13-01",
                          "2026-02-31", "2026-01-01T25:00", "2026-01-01Tx",
                          "2026-01-01T00:00:00+2", "1767225600"}) {
    EXPECT_FALSE(ParseReportSince(bad).has_value()) << bad;
  }
}

LinkRow Link(const std::string& url, int line, int64_t start) {
  LinkRow link;
  link.kind = "link";
  link.written = url;
  link.url = url;
  link.normalized = url;
  link.line = line;
  link.column = 1;
  link.start = start;
  link.end = start + static_cast<int64_t>(url.size());
  return link;
}

DocumentRow Document(const std::string& path) {
  DocumentRow document;
  document.path = path;
  document.sha256 = "00";
  document.title = path;
  return document;
}

// A post with one link per kind of change, one unchanged link and one
// that only hit a 429, plus a post whose only link did not change; the
// verdict history is written by the manifest and then dated.
class ReportSinceTest : public ::testing::Test {
 protected:
  static constexpr const char* kGone = "https://a.example/gone";
  static constexpr const char* kFailing = "https://a.example/failing";
  static constexpr const char* kRecovered = "https://a.example/recovered";
  static constexpr const char* kMoved = "https://a.example/moved";
  static constexpr const char* kSame = "https://a.example/same";
  static constexpr const char* kNew = "https://a.example/new";
  static constexpr const char* kRescued = "https://a.example/rescued";
  static constexpr const char* kSlow = "https://a.example/slow";

  void SetUp() override {
    auto opened = OpenManifest(path_);
    ASSERT_TRUE(opened.ok()) << opened.status().message();
    manifest_ = std::move(*opened);
    auto db = SqliteDb::Open(path_);
    ASSERT_TRUE(db.ok());
    db_.emplace(std::move(*db));
    const std::vector<std::string> urls = {kGone, kFailing, kRecovered, kMoved,
                                           kSame, kNew,     kRescued,   kSlow};
    std::vector<LinkRow> links;
    for (size_t i = 0; i < urls.size(); ++i) {
      links.push_back(Link(urls[i], static_cast<int>(i) + 1, 100 * i));
    }
    ASSERT_TRUE(manifest_->RecordScan(Document("a.md"), links).ok());
    ASSERT_TRUE(
        manifest_->RecordScan(Document("b.md"), {Link(kSame, 1, 0)}).ok());
    Exec("UPDATE urls SET first_seen = " + std::to_string(kSince - 30 * kDay));
    Exec("UPDATE urls SET first_seen = " + std::to_string(kSince + kHour) +
         " WHERE normalized = '" + kNew + "'");
    Judge(kGone, {{"ok", -10 * kDay}, {"failing", -kDay}, {"gone", kHour}});
    Judge(kFailing, {{"ok", -10 * kDay}, {"failing", kHour}});
    Judge(kRecovered, {{"gone", -3 * kDay}, {"ok", 2 * kHour}});
    Judge(kMoved, {{"ok", -10 * kDay}, {"moved", kHour}});
    Judge(kSame, {{"ok", -10 * kDay}});
    Judge(kNew, {{"ok", 2 * kHour}});
    Judge(kRescued, {{"gone", -5 * kDay}});
    Judge(kSlow, {{"ok", -10 * kDay}, {"rate-limited", kHour}});
    AddRescue(kRescued, kSince + 3 * kHour);
  }

  void Exec(const std::string& sql) { ASSERT_TRUE(db_->Exec(sql).ok()) << sql; }

  // Each verdict in turn, its change dated `offset` from kSince.
  void Judge(const std::string& url,
             const std::vector<std::pair<std::string, int64_t>>& verdicts) {
    for (const auto& [verdict, offset] : verdicts) {
      auto row = manifest_->FindUrl(url);
      ASSERT_TRUE(row.ok() && row->has_value()) << url;
      UrlRow health = **row;
      health.verdict = verdict;
      ASSERT_TRUE(manifest_->UpdateUrlHealth(health).ok());
      Exec("UPDATE verdict_changes SET changed = " +
           std::to_string(kSince + offset) +
           " WHERE id = (SELECT max(id) FROM verdict_changes)");
    }
  }

  void AddRescue(const std::string& url, int64_t at_unix) {
    WarcFileRow file;
    file.name = "rescue.warc.gz";
    ASSERT_TRUE(manifest_->AddWarcFile(file).ok());
    CaptureRow capture;
    capture.url = "https://web.archive.org/web/2020id_/" + url;
    capture.normalized = url;
    capture.captured_at_us = at_unix * 1'000'000;
    capture.http_status = 200;
    capture.warc_file = file.name;
    capture.record_id = "<urn:uuid:1>";
    capture.source = kSourcePublicArchive;
    capture.archive = "web.archive.org";
    ASSERT_TRUE(manifest_->AddCaptures({capture}).ok());
  }

  std::string Render(ReportFormat format) {
    std::string text;
    const ReportWriteFn append = [&text](std::string_view bytes) {
      text += bytes;
      return Status::Ok();
    };
    ReportOptions options;
    options.since_unix = kSince;
    Result<bool> result =
        WriteReport(*manifest_, Config{}, kNow, format, options, append);
    EXPECT_TRUE(result.ok()) << result.status().message();
    return text;
  }

  TempDir dir_;
  std::string path_ = (dir_.path() / "manifest.sqlite3").string();
  std::unique_ptr<Manifest> manifest_;
  std::optional<SqliteDb> db_;
};

TEST_F(ReportSinceTest, TheManifestRecordsOnlyRealVerdictChanges) {
  Judge(kSame, {{"ok", 0}, {"ok", 0}});
  auto changes = manifest_->VerdictChangesOf(kSame);
  ASSERT_TRUE(changes.ok());
  ASSERT_EQ(changes->size(), 1u);
  EXPECT_EQ((*changes)[0].verdict, "ok");
  EXPECT_EQ((*changes)[0].previous, "");
  auto gone = manifest_->VerdictChangesOf(kGone);
  ASSERT_TRUE(gone.ok());
  ASSERT_EQ(gone->size(), 3u);
  EXPECT_EQ((*gone)[2].previous, "failing");
  EXPECT_EQ((*gone)[2].changed_unix, kSince + kHour);
}

TEST_F(ReportSinceTest, ListsOnlyChangedLinksOfChangedPosts) {
  ReportOptions options;
  options.since_unix = kSince;
  auto report = BuildReport(*manifest_, Config{}, kNow, options);
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->documents.size(), 1u);  // b.md did not change
  std::vector<std::pair<std::string, std::string>> listed;
  for (const ReportLink& link : report->documents[0].links) {
    listed.emplace_back(link.url, link.change);
  }
  const std::vector<std::pair<std::string, std::string>> expected = {
      {kGone, kChangeGone},
      {kFailing, kChangeFailing},
      {kRecovered, kChangeRecovered},
      {kMoved, kChangeMoved},
      {kNew, kChangeNew},
      {kRescued, kChangeRescued}};
  EXPECT_EQ(listed, expected);
  EXPECT_EQ(report->change_counts.at(kChangeGone), 1);
}

TEST_F(ReportSinceTest, AFullReportSaysNothingOfChanges) {
  auto report = BuildReport(*manifest_, Config{}, kNow);
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->documents.size(), 2u);
  EXPECT_EQ(report->documents[0].links.size(), 8u);
  for (const ReportLink& link : report->documents[0].links) {
    EXPECT_EQ(link.change, "");
  }
  const std::string json = RenderReportJson(*report);
  EXPECT_EQ(json.find("\"change\""), std::string::npos);
  EXPECT_EQ(json.find("\"since\""), std::string::npos);
}

TEST_F(ReportSinceTest, TableSaysWhatChangedAndFromWhat) {
  const std::string table = Render(ReportFormat::kTable);
  EXPECT_NE(table.find("changed since 2026-01-01T00:00:00Z: 1 newly gone, 1 "
                       "newly moved, 1 newly failing, 1 newly recovered, 1 "
                       "newly rescued, 1 new link"),
            std::string::npos)
      << table;
  EXPECT_NE(table.find("change: newly gone (was failing, changed "
                       "2026-01-01T01:00:00Z)"),
            std::string::npos)
      << table;
  EXPECT_EQ(table.find("b.md"), std::string::npos);
  EXPECT_EQ(table.find(kSame), std::string::npos);
  EXPECT_EQ(table.find(kSlow), std::string::npos);
}

TEST_F(ReportSinceTest, JsonAndCsvCarryTheChange) {
  const auto json = nlohmann::json::parse(Render(ReportFormat::kJson));
  EXPECT_EQ(json["since"], "2026-01-01T00:00:00Z");
  EXPECT_EQ(json["summary"]["changes"]["newly-gone"], 1);
  EXPECT_EQ(json["summary"]["links"], 6);
  const auto& first = json["documents"][0]["links"][0];
  EXPECT_EQ(first["change"], "newly-gone");
  EXPECT_EQ(first["previous_verdict"], "failing");
  EXPECT_EQ(first["changed_at"], "2026-01-01T01:00:00Z");

  const std::string csv = Render(ReportFormat::kCsv);
  // captured_by came later: appended after them, so no column moved.
  EXPECT_NE(csv.find(",captured_url,quality,public_copy,change,previous_"
                     "verdict,changed_at,captured_by\r\n"),
            std::string::npos);
  EXPECT_NE(csv.find(",newly-gone,failing,2026-01-01T01:00:00Z,"),
            std::string::npos)
      << csv;
}

TEST_F(ReportSinceTest, NothingChangedSaysSo) {
  std::string text;
  const ReportWriteFn append = [&text](std::string_view bytes) {
    text += bytes;
    return Status::Ok();
  };
  ReportOptions options;
  options.since_unix = kSince + kDay;
  ASSERT_TRUE(WriteReport(*manifest_, Config{}, kNow, ReportFormat::kTable,
                          options, append)
                  .ok());
  EXPECT_NE(text.find("changed since 2026-01-02T00:00:00Z: nothing"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("no link changed"), std::string::npos);
}

TEST_F(ReportSinceTest, LastRunIsTheNewestArchiveRunsStart) {
  auto none = LastArchiveRunStart(*manifest_);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  ASSERT_TRUE(manifest_->BeginRun("archive", kSince - kDay).ok());
  ASSERT_TRUE(manifest_->BeginRun("archive", kSince).ok());
  ASSERT_TRUE(manifest_->BeginRun("other", kSince + kDay).ok());
  auto last = LastArchiveRunStart(*manifest_);
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(*last, std::optional<int64_t>(kSince));
}

}  // namespace
}  // namespace rotguard
