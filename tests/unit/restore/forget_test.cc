// `rotguard forget` and `--purge`: what goes with a URL, the rewrite of the
// WARC files, and a fault at every Env call of a purge (old store or new
// store, never a mix; nothing kept is lost; verify clean).
#include "rotguard/forget.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "rotguard/restore.h"
#include "rotguard/verify.h"
#include "rotguard/warc_reader.h"
#include "unit/restore/test_store.h"
#include "util/fault_injecting_env.h"

namespace rotguard {
namespace {

using testing::TestStore;

constexpr const char* kShort = "https://short.example/x";
constexpr const char* kGonePage = "https://gone.example/page";
constexpr const char* kGoneImage = "https://gone.example/img.png";
constexpr const char* kSharedCss = "https://shared.example/s.css";
constexpr const char* kKeptPage = "https://kept.example/";
constexpr const char* kHtml = "HTTP/1.1 200 OK\r\nContent-Type: text/html";

// A shortener hop to the page to forget, that page with an image only it
// uses and a stylesheet it shares with a kept page.
void Fill(TestStore& t) {
  t.AddResponse(kShort,
                "HTTP/1.1 301 Moved\r\nLocation: " + std::string(kGonePage), "",
                1000, "chain-1", 0, kGonePage);
  t.AddResponse(kGonePage, kHtml,
                "<p>SECRET-TAKEDOWN-TEXT<img src=\"/img.png\">"
                "<link rel=stylesheet href=\"https://shared.example/s.css\">",
                1001, "chain-1", 1, kGonePage);
  t.AddResponse(kGoneImage, "HTTP/1.1 200 OK\r\nContent-Type: image/png",
                "PNG-ONLY-FOR-GONE", 1002);
  t.AddResponse(kSharedCss, "HTTP/1.1 200 OK\r\nContent-Type: text/css",
                "body{color:red}", 1003);
  t.AddResponse(kKeptPage, kHtml,
                "<p>kept"
                "<link rel=stylesheet href=\"https://shared.example/s.css\">",
                1004);
}

size_t CaptureCount(Manifest& m, const std::string& url) {
  Result<std::vector<CaptureRow>> rows = m.CapturesOf(*NormalizeUrl(url));
  EXPECT_TRUE(rows.ok());
  return rows.ok() ? rows->size() : 0;
}

// Every block of every file under warc/, concatenated (decompressed).
std::string AllBlocks(const std::filesystem::path& warc_dir) {
  std::string all;
  for (const auto& entry : std::filesystem::directory_iterator(warc_dir)) {
    if (!entry.is_regular_file()) continue;
    auto reader = WarcReader::Open(entry.path());
    EXPECT_TRUE(reader.ok());
    if (!reader.ok()) continue;
    for (;;) {
      Result<bool> more = (*reader)->Next();
      if (!more.ok() || !*more) break;
      char buf[4096];
      for (;;) {
        Result<size_t> n = (*reader)->ReadBlock(buf, sizeof(buf));
        if (!n.ok() || *n == 0) break;
        all.append(buf, *n);
      }
    }
  }
  return all;
}

// Findings (not notes) of a verify at `level`; `notes` gets the notes.
int64_t Findings(Store& store, VerifyLevel level, int64_t* notes = nullptr) {
  VerifyOptions options;
  options.level = level;
  std::vector<std::string> seen;
  options.on_finding = [&](const VerifyFinding& f) {
    seen.push_back(f.code + " " + f.file + " " + f.actual);
  };
  Result<VerifySummary> summary = VerifyStore(store, options);
  EXPECT_TRUE(summary.ok()) << summary.status().ToString();
  if (!summary.ok()) return -1;
  for (const std::string& s : seen) ADD_FAILURE() << "finding: " << s;
  if (notes) *notes = summary->notes;
  return summary->findings;
}

std::string PayloadOf(TestStore& t, const std::string& url) {
  Result<std::vector<CaptureRow>> rows =
      t.manifest().CapturesOf(*NormalizeUrl(url));
  if (!rows.ok() || rows->empty()) return "<no capture>";
  Result<CapturePayload> p =
      ReadCapturePayload(t.manifest(), t.warc_dir(), rows->back(), true);
  return p.ok() ? p->bytes : "<" + p.status().ToString() + ">";
}

TEST(ForgetTest, ChainHopsAndRequisitesOnlyThisPageNeedsGoWithTheUrl) {
  TestStore t;
  Fill(t);
  t.Commit();
  ForgetOptions options;
  options.reason = "takedown request";
  Result<ForgetResult> r = ForgetUrl(t.store(), kShort, options);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->captures, 1);
  EXPECT_EQ(r->dependents, 2);  // the page (hop 1) and its own image
  EXPECT_EQ(r->records, 6);     // request + response of three exchanges
  EXPECT_EQ(CaptureCount(t.manifest(), kShort), 0u);
  EXPECT_EQ(CaptureCount(t.manifest(), kGonePage), 0u);
  EXPECT_EQ(CaptureCount(t.manifest(), kGoneImage), 0u);
  EXPECT_EQ(CaptureCount(t.manifest(), kSharedCss), 1u);  // kept page's
  EXPECT_EQ(CaptureCount(t.manifest(), kKeptPage), 1u);
  Result<std::vector<TombstoneRow>> tombs = t.manifest().ListTombstones();
  ASSERT_TRUE(tombs.ok());
  ASSERT_EQ(tombs->size(), 1u);  // dependents are not tombstoned
  EXPECT_EQ(tombs->front().reason, "takedown request");
  EXPECT_EQ(Findings(t.store(), VerifyLevel::kDefault), 0);
}

TEST(ForgetTest, UrlThatIsNotHttpIsRefusedAndUncapturedUrlGetsATombstone) {
  TestStore t;
  Fill(t);
  t.Commit();
  EXPECT_EQ(ForgetUrl(t.store(), "mailto:a@b.c").status().code(),
            ErrorCode::kInvalidArgument);
  Result<ForgetResult> r = ForgetUrl(t.store(), "https://never.example/");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->captures, 0);
  EXPECT_EQ(t.manifest().ListTombstones()->size(), 1u);
}

TEST(ForgetTest, PurgeRewritesTheFileWithoutForgottenBytesAndVerifyIsClean) {
  TestStore t;
  Fill(t);
  t.Commit();
  const std::string kept_css = PayloadOf(t, kSharedCss);
  ASSERT_NE(AllBlocks(t.warc_dir()).find("SECRET-TAKEDOWN-TEXT"),
            std::string::npos);
  ASSERT_TRUE(ForgetUrl(t.store(), kShort).ok());
  Result<PurgeResult> purged = PurgeForgotten(t.store());
  ASSERT_TRUE(purged.ok()) << purged.status().ToString();
  ASSERT_EQ(purged->files.size(), 1u);
  EXPECT_EQ(purged->files[0].dropped, 6);
  EXPECT_EQ(purged->files[0].kept, 5);  // warcinfo + two exchanges
  EXPECT_FALSE(
      std::filesystem::exists(t.warc_dir() / purged->files[0].old_name));
  const std::string bytes = AllBlocks(t.warc_dir());
  EXPECT_EQ(bytes.find("SECRET-TAKEDOWN-TEXT"), std::string::npos);
  EXPECT_EQ(bytes.find("PNG-ONLY-FOR-GONE"), std::string::npos);
  EXPECT_EQ(PayloadOf(t, kSharedCss), kept_css);
  EXPECT_EQ(Findings(t.store(), VerifyLevel::kDefault), 0);
  EXPECT_EQ(Findings(t.store(), VerifyLevel::kDeep), 0);
  EXPECT_TRUE(t.manifest().ListPurgedFiles()->empty());
}

TEST(ForgetTest, KeptRevisitOfAForgottenOriginalResolvesAndBlocksThePurge) {
  TestStore t;
  Fill(t);
  CaptureRow original = t.AddResponse(
      "https://gone.example/other.png",
      "HTTP/1.1 200 OK\r\nContent-Type: image/png", "SAME-BYTES", 1005);
  t.AddRevisit("https://mirror.example/copy.png",
               "HTTP/1.1 200 OK\r\nContent-Type: image/png", original, 1006);
  t.Commit();
  ASSERT_TRUE(ForgetUrl(t.store(), "https://gone.example/other.png").ok());
  // Until a purge, the revisit reads its payload from the kept record.
  EXPECT_EQ(PayloadOf(t, "https://mirror.example/copy.png"), "SAME-BYTES");
  const std::string before = AllBlocks(t.warc_dir());
  Result<PurgeResult> purged = PurgeForgotten(t.store());
  ASSERT_FALSE(purged.ok());
  EXPECT_NE(purged.status().message().find("revisit"), std::string::npos);
  EXPECT_NE(purged.status().message().find("mirror.example"),
            std::string::npos);
  EXPECT_EQ(AllBlocks(t.warc_dir()), before);
  // Forgetting the revisit's URL too lets the purge go through.
  ASSERT_TRUE(ForgetUrl(t.store(), "https://mirror.example/copy.png").ok());
  ASSERT_TRUE(PurgeForgotten(t.store()).ok());
  EXPECT_EQ(AllBlocks(t.warc_dir()).find("SAME-BYTES"), std::string::npos);
  EXPECT_EQ(Findings(t.store(), VerifyLevel::kDefault), 0);
}

// Purges a fresh store with a fault at Env call `n` (0: none); returns
// whether the purge succeeded.
bool PurgeWithFaultAt(TestStore& t, uint64_t n, uint64_t* calls) {
  Fill(t);
  t.Commit();
  EXPECT_TRUE(ForgetUrl(t.store(), kShort).ok());
  FaultInjectingEnv env;
  env.SkipSyncs(true);
  env.FailCall(n, n % 2 ? ENOSPC : EIO, /*sticky=*/true);
  PurgeOptions options;
  options.env = &env;
  bool ok = PurgeForgotten(t.store(), options).ok();
  if (calls) *calls = env.calls();
  return ok;
}

TEST(ForgetTest, FaultAtEveryEnvCallOfAPurgeLeavesOldOrNewStoreNeverAMix) {
  uint64_t total = 0;
  {
    TestStore t;
    ASSERT_TRUE(PurgeWithFaultAt(t, 0, &total));
  }
  ASSERT_GT(total, 4u);
  for (uint64_t n = 1; n <= total; ++n) {
    SCOPED_TRACE("fault at call " + std::to_string(n));
    TestStore t;
    const bool ok = PurgeWithFaultAt(t, n, nullptr);
    // Whatever state the fault left is a whole store: verify finds
    // nothing (a file waiting to be unlinked is a note) and every kept
    // capture reads back.
    EXPECT_EQ(Findings(t.store(), VerifyLevel::kDefault), 0);
    EXPECT_EQ(PayloadOf(t, kSharedCss), "body{color:red}");
    EXPECT_NE(PayloadOf(t, kKeptPage).find("kept"), std::string::npos);
    EXPECT_EQ(CaptureCount(t.manifest(), kGonePage), 0u);
    // The next purge finishes the job.
    Result<PurgeResult> again = PurgeForgotten(t.store());
    ASSERT_TRUE(again.ok()) << again.status().ToString();
    int64_t notes = -1;
    EXPECT_EQ(Findings(t.store(), VerifyLevel::kDeep, &notes), 0);
    EXPECT_EQ(notes, 0);
    EXPECT_EQ(AllBlocks(t.warc_dir()).find("SECRET-TAKEDOWN-TEXT"),
              std::string::npos)
        << (ok ? "purged at once" : "purged on the second run");
    EXPECT_TRUE(t.manifest().ListPurgedFiles()->empty());
    EXPECT_TRUE(t.manifest().FilesWithForgottenRecords()->empty());
  }
}

}  // namespace
}  // namespace rotguard
