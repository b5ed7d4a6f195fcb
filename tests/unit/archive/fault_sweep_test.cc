// Fault injection over a whole run (issue 13): archive, import, a repair
// of a torn tail, restore (tar and directory) and the WACZ export share
// one FaultInjectingEnv that fails its N-th call with ENOSPC or EIO, for
// every N a clean run makes. Whatever call fails:
//   - the failure is reported (no stage swallows it);
//   - after a repair with the real Env, verify finds nothing;
//   - every capture committed before the failure is still there (not
//     marked lost) and its payload reads back;
//   - no temporary file (*.tmp, *.tmp.<pid>) is left anywhere.
#include <gtest/gtest.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "rotguard/archive.h"
#include "rotguard/export.h"
#include "rotguard/fetch.h"
#include "rotguard/restore.h"
#include "rotguard/store.h"
#include "rotguard/verify.h"
#include "rotguard/warc_writer.h"
#include "unit/archive/fake_fetcher.h"
#include "unit/temp_dir.h"
#include "util/fault_injecting_env.h"
#include "util/file.h"

namespace rotguard {
namespace {

namespace fs = std::filesystem;

using testing::FakeFetcher;
using testing::FakeResponse;

// Bytes that do not deflate: the writer stores them (AppendV).
std::string Noise(size_t n) {
  std::string out;
  uint32_t x = 12345;
  for (size_t i = 0; i < n; ++i) {
    x = x * 1103515245 + 12345;
    out.push_back(static_cast<char>(x >> 24));
  }
  return out;
}

std::map<std::string, FakeResponse> Web() {
  std::string html = "<html><body>" + std::string(3000, 'h') + "</body>";
  return {
      {"https://example.com/page", {200, "text/html", html, ""}},
      {"https://example.com/photo.png", {200, "image/png", Noise(6000), ""}},
      {"https://example.com/old",
       {301, "text/plain", "", "https://example.com/new"}},
      {"https://example.com/new", {200, "text/plain", "moved here", ""}},
      {"https://example.com/gone", {404, "text/plain", "no", ""}},
  };
}

bool IsTemporary(const fs::path& path) {
  std::string name = path.filename().string();
  return name.ends_with(".tmp") || name.find(".tmp.") != std::string::npos;
}

class FaultSweepTest : public ::testing::Test {
 protected:
  // One store, post and output directory per run.
  struct Run {
    testing::TempDir dir;
    std::unique_ptr<Store> store;
  };

  // A fresh store is made once and copied for each run: creating one
  // (schema, lock, config) costs more than the whole run.
  static void MakeTemplate(const fs::path& root) {
    fs::create_directories(root / "content/posts");
    std::ofstream(root / "content/posts/a.md")
        << "# A\n[page](https://example.com/page) "
           "![photo](https://example.com/photo.png) "
           "[old](https://example.com/old) [gone](https://example.com/gone)\n";
    StoreOptions quiet;
    quiet.log_to_file = false;
    Result<std::unique_ptr<Store>> store =
        Store::OpenOrCreate(root / ".rotguard", LockMode::kExclusive, quiet);
    ASSERT_TRUE(store.ok()) << store.status().message();
  }

  static std::unique_ptr<Run> NewRun(const fs::path& from) {
    auto run = std::make_unique<Run>();
    const fs::path& root = run->dir.path();
    fs::copy(from, root, fs::copy_options::recursive);
    StoreOptions quiet;
    quiet.log_to_file = false;
    Result<std::unique_ptr<Store>> store =
        Store::Open(root / ".rotguard", LockMode::kExclusive, quiet);
    EXPECT_TRUE(store.ok()) << store.status().message();
    if (store.ok()) run->store = std::move(*store);
    return run;
  }

  // Every stage, `env` under all of them; the first failure ends it.
  static Status RunStages(Run& run, Env* env) {
    Store& store = *run.store;
    const fs::path& root = run.dir.path();
    ArchiveOptions archive;
    archive.paths = {(root / "content").string()};
    archive.site_root = root;
    archive.max_warc_file_size = 8 * 1024;  // several files, each closed
    archive.commit_records = 2;             // several commits, each synced
    archive.env = env;
    FakeFetcher fetcher(Web());
    Result<ArchiveSummary> archived = RunArchive(store, &fetcher, archive);
    ROTGUARD_RETURN_IF_ERROR(archived.status());

    ImportOptions import;
    import.env = env;
    fs::path foreign = fs::path(ROTGUARD_TEST_DATA_DIR) / "warc/good.warc.gz";
    ROTGUARD_RETURN_IF_ERROR(ImportWarc(store, foreign, import).status());

    TearLastFile(store);
    RepairOptions repair;
    repair.env = env;
    ROTGUARD_RETURN_IF_ERROR(RepairStore(store, repair).status());

    for (RestoreFormat format : {RestoreFormat::kTar, RestoreFormat::kDir}) {
      RestoreOptions restore;
      restore.paths = {root / "content"};
      restore.site_root = root;
      restore.format = format;
      restore.out = root / (format == RestoreFormat::kTar ? "out.tar" : "out");
      restore.env = env;
      ROTGUARD_RETURN_IF_ERROR(
          Restore(store.manifest(), store.warc_dir(), store.config(), restore)
              .status());
    }
    WaczOptions wacz;
    wacz.env = env;
    return WriteWacz(store.manifest(), store.warc_dir(), root / "out.wacz",
                     wacz);
  }

  // A crash in the middle of an append: the head of a record member
  // after the last whole one, which repair must cut.
  static void TearLastFile(Store& store) {
    fs::path last;
    for (const auto& entry : fs::directory_iterator(store.warc_dir())) {
      if (entry.is_regular_file() && entry.path() > last) last = entry.path();
    }
    ASSERT_FALSE(last.empty());
    Result<std::string> bytes = ReadFileToString(last);
    ASSERT_TRUE(bytes.ok());
    std::ofstream(last, std::ios::app | std::ios::binary)
        << bytes->substr(0, 100);
  }

  static std::vector<CaptureRow> LiveCaptures(Store& store) {
    Result<std::vector<CaptureRow>> all = store.manifest().ListCaptures();
    EXPECT_TRUE(all.ok()) << all.status().message();
    std::vector<CaptureRow> live;
    if (!all.ok()) return live;
    for (CaptureRow& c : *all) {
      if (!c.lost) live.push_back(std::move(c));
    }
    return live;
  }

  // The checks after a run that may have failed anywhere.
  static void CheckRecovered(Run& run) {
    Store& store = *run.store;
    std::vector<CaptureRow> committed = LiveCaptures(store);
    Result<RepairSummary> repaired = RepairStore(store, RepairOptions{});
    ASSERT_TRUE(repaired.ok()) << repaired.status().message();
    EXPECT_EQ(repaired->cannot_repair, 0);

    std::vector<std::string> findings;
    VerifyOptions verify;
    verify.on_finding = [&](const VerifyFinding& f) {
      if (!f.note) findings.push_back(f.code + " " + f.file + " " + f.actual);
    };
    ASSERT_TRUE(VerifyStore(store, verify).ok());
    EXPECT_TRUE(findings.empty()) << ::testing::PrintToString(findings);

    std::set<std::pair<std::string, int64_t>> live;
    for (const CaptureRow& c : LiveCaptures(store)) {
      live.insert({c.warc_file, c.record_offset});
    }
    for (const CaptureRow& c : committed) {
      EXPECT_TRUE(live.contains({c.warc_file, c.record_offset}))
          << c.url << " in " << c.warc_file << " was lost";
      Result<CapturePayload> payload =
          ReadCapturePayload(store.manifest(), store.warc_dir(), c, false);
      EXPECT_TRUE(payload.ok()) << c.url << ": " << payload.status().message();
    }
    for (const auto& entry : fs::recursive_directory_iterator(run.dir.path())) {
      EXPECT_FALSE(IsTemporary(entry.path())) << entry.path() << " was left";
    }
  }

  // Fails each call of a clean run in turn (`sticky`: and every call
  // after it), then checks what is left.
  static void Sweep(bool sticky) {
    testing::TempDir base;
    MakeTemplate(base.path());
    if (HasFatalFailure()) return;
    FaultInjectingEnv counter;
    counter.SkipSyncs(true);
    {
      std::unique_ptr<Run> clean = NewRun(base.path());
      ASSERT_TRUE(clean->store);
      Status status = RunStages(*clean, &counter);
      ASSERT_TRUE(status.ok()) << status.message();
      CheckRecovered(*clean);
    }
    uint64_t total = counter.calls();
    ASSERT_GT(total, 50u);  // every stage made its calls
    for (uint64_t n = 1; n <= total; ++n) {
      FaultInjectingEnv env;
      env.SkipSyncs(true);
      env.FailCall(n, n % 2 ? ENOSPC : EIO, sticky);
      std::unique_ptr<Run> run = NewRun(base.path());
      ASSERT_TRUE(run->store);
      Status status = RunStages(*run, &env);
      SCOPED_TRACE("call " + std::to_string(n) + " of " +
                   std::to_string(total) + " failed: " + env.first_failure() +
                   "; run: " + status.ToString());
      // Writer threads may number calls in another order, so a run can
      // end without reaching call n; one that reached it must fail.
      if (env.failures() > 0) {
        EXPECT_FALSE(status.ok());
      }
      CheckRecovered(*run);
      if (HasFailure()) return;  // one failing N tells the story
    }
  }
};

TEST_F(FaultSweepTest, OneFailedCallAnywhereLosesNothingCommitted) {
  Sweep(/*sticky=*/false);
}

TEST_F(FaultSweepTest, DiskFailingForGoodLosesNothingCommitted) {
  Sweep(/*sticky=*/true);
}

}  // namespace
}  // namespace rotguard
