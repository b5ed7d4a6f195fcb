// RebuildManifest (repair --rebuild-manifest): a manifest rebuilt from
// WARC files written by WarcWriter has the captures, redirect chains,
// revisits and WARC serial the files imply; the old manifest and its WAL
// are kept aside, and verify is clean afterwards. Also: verify against a
// manifest it cannot use reports it once and still checks the WARC files.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "rotguard/store.h"
#include "rotguard/verify.h"
#include "rotguard/warc_writer.h"
#include "unit/temp_dir.h"
#include "util/file.h"

namespace rotguard {
namespace {

namespace fs = std::filesystem;
using ::rotguard::testing::TempDir;

constexpr char kRequest[] = "GET / HTTP/1.1\r\nHost: a.example\r\n\r\n";

void Spit(const fs::path& path, std::string_view bytes) {
  ASSERT_TRUE(WriteFileAtomically(path, bytes).ok()) << path;
}

StoreOptions Quiet(bool open_manifest = true) {
  StoreOptions options;
  options.log_to_file = false;
  options.open_manifest = open_manifest;
  return options;
}

class ManifestRebuildTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = dir_.path() / "store";
    ASSERT_TRUE(Store::Init(root_).ok());
  }

  // Writes a 301 → 200 chain, a revisit of the 200's payload and a post,
  // as an archive run would, into one file with serial 7.
  void WriteRun() {
    WarcWriterOptions w;
    w.directory = root_ / "warc";
    w.hostname = "test";
    w.next_serial = [] { return uint64_t{7}; };
    Result<std::unique_ptr<WarcWriter>> writer = WarcWriter::Open(std::move(w));
    ASSERT_TRUE(writer.ok());
    Exchange(
        **writer, "http://a.example/old",
        "HTTP/1.1 301 Moved\r\nLocation: /new\r\nContent-Length: 0\r\n\r\n",
        "");
    WarcExchangeLocations original =
        Exchange(**writer, "http://a.example/new",
                 "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n",
                 std::string(2000, 'x'));
    WarcHttpResponse again = (*writer)->NewResponse(
        "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n",
        WarcBodyTransfer::kDecoded);
    ASSERT_TRUE(again.AppendBody(std::string(2000, 'x')).ok());
    const WarcRecordLocation& o = original.response;
    WarcRevisitOf of{o.record_id,      o.target_uri,     o.date,
                     o.payload_digest, o.payload_sha256, o.payload_length};
    WarcCapture copy;
    copy.target_uri = "http://a.example/copy";
    ASSERT_TRUE((*writer)->WriteRevisit(copy, kRequest, again, of).ok());
    WarcCapture post;
    post.target_uri = "file:posts/a.md";
    ASSERT_TRUE(
        (*writer)->WriteResource(post, "text/markdown", "# A post\n").ok());
    ASSERT_TRUE((*writer)->Close().ok());
  }

  WarcExchangeLocations Exchange(WarcWriter& writer, const std::string& url,
                                 const std::string& head,
                                 const std::string& body) {
    WarcHttpResponse response =
        writer.NewResponse(head, WarcBodyTransfer::kDecoded);
    EXPECT_TRUE(response.AppendBody(body).ok());
    WarcCapture capture;
    capture.target_uri = url;
    Result<WarcExchangeLocations> locs =
        writer.WriteExchange(capture, kRequest, response);
    EXPECT_TRUE(locs.ok()) << locs.status().message();
    return locs.ok() ? *locs : WarcExchangeLocations{};
  }

  Result<RebuildSummary> Rebuild() {
    Result<std::unique_ptr<Store>> bare =
        Store::Open(root_, LockMode::kExclusive, Quiet(false));
    if (!bare.ok()) return bare.status();
    RebuildOptions options;
    options.now_unix = 1767225600;  // 2026-01-01T00:00:00Z
    return RebuildManifest(**bare, options);
  }

  std::unique_ptr<Store> Open() {
    Result<std::unique_ptr<Store>> store =
        Store::Open(root_, LockMode::kExclusive, Quiet());
    EXPECT_TRUE(store.ok()) << store.status().message();
    return store.ok() ? std::move(*store) : nullptr;
  }

  TempDir dir_;
  fs::path root_;
};

TEST_F(ManifestRebuildTest, LostManifestComesBackWithChainsRevisitsAndSerial) {
  WriteRun();
  fs::remove(root_ / "manifest.sqlite3");
  Result<RebuildSummary> summary = Rebuild();
  ASSERT_TRUE(summary.ok()) << summary.status().message();
  EXPECT_EQ(summary->files, 1);
  EXPECT_EQ(summary->records, 8);  // warcinfo, 3 × (request, response), post
  EXPECT_EQ(summary->captures, 4);
  EXPECT_EQ(summary->revisits, 1);
  EXPECT_EQ(summary->chains, 1);
  EXPECT_EQ(summary->kept_as, "");  // nothing to keep: it was missing

  std::unique_ptr<Store> store = Open();
  ASSERT_NE(store, nullptr);
  Result<std::vector<CaptureRow>> captures = store->manifest().ListCaptures();
  ASSERT_TRUE(captures.ok());
  std::map<std::string, CaptureRow> by_url;
  for (const CaptureRow& c : *captures) by_url[c.url] = c;
  const CaptureRow& old_hop = by_url["http://a.example/old"];
  const CaptureRow& new_hop = by_url["http://a.example/new"];
  EXPECT_EQ(old_hop.http_status, 301);
  EXPECT_EQ(old_hop.hop_index, 0);
  EXPECT_EQ(new_hop.hop_index, 1);
  EXPECT_EQ(new_hop.chain_id, old_hop.chain_id);
  EXPECT_EQ(old_hop.final_url, "http://a.example/new");
  const CaptureRow& copy = by_url["http://a.example/copy"];
  EXPECT_EQ(copy.revisit_of, new_hop.record_id);
  EXPECT_EQ(copy.payload_sha256, new_hop.payload_sha256);
  EXPECT_EQ(copy.payload_length, 2000);
  EXPECT_EQ(copy.hop_index, 0);
  const CaptureRow& post = by_url["file:posts/a.md"];
  EXPECT_EQ(post.source, "post");
  EXPECT_EQ(post.content_type, "text/markdown");
  // The next archive run continues after the serial on disk.
  EXPECT_EQ(*store->NextWarcSerial(), 8);

  VerifyOptions verify;
  verify.level = VerifyLevel::kDeep;
  Result<VerifySummary> verified = VerifyStore(*store, verify);
  ASSERT_TRUE(verified.ok());
  EXPECT_EQ(verified->findings, 0);
  EXPECT_EQ(verified->captures, 4);
}

TEST_F(ManifestRebuildTest, DamagedManifestAndItsWalAreKeptAsideNotReplayed) {
  WriteRun();
  Spit(root_ / "manifest.sqlite3", "not a database at all");
  Spit(root_ / "manifest.sqlite3-wal", "a WAL of that database");
  Result<RebuildSummary> summary = Rebuild();
  ASSERT_TRUE(summary.ok()) << summary.status().message();
  EXPECT_EQ(summary->kept_as, "manifest.sqlite3.damaged-20260101000000");
  EXPECT_EQ(*ReadFileToString(root_ / summary->kept_as),
            "not a database at all");
  EXPECT_EQ(*ReadFileToString(root_ / (summary->kept_as + "-wal")),
            "a WAL of that database");
  EXPECT_FALSE(fs::exists(root_ / "manifest.sqlite3.rebuild"));
  std::unique_ptr<Store> store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_TRUE(store->manifest().CheckIntegrity(false).ok());
  EXPECT_EQ(store->manifest().ListCaptures()->size(), 4u);
}

TEST_F(ManifestRebuildTest, DryRunCountsAndWritesNothing) {
  WriteRun();
  fs::remove(root_ / "manifest.sqlite3");
  Result<std::unique_ptr<Store>> bare =
      Store::Open(root_, LockMode::kExclusive, Quiet(false));
  ASSERT_TRUE(bare.ok());
  RebuildOptions options;
  options.dry_run = true;
  Result<RebuildSummary> summary = RebuildManifest(**bare, options);
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(summary->captures, 4);
  EXPECT_FALSE(fs::exists(root_ / "manifest.sqlite3"));
}

// Rows of a manifest that cannot be used are not evidence: one
// sqlite-integrity finding, no orphan-record per record, and the WARC
// files' own damage still found.
TEST_F(ManifestRebuildTest,
       VerifyWithoutUsableManifestIsOneFindingPlusWarcDamage) {
  WriteRun();
  fs::path warc;
  for (const auto& entry : fs::directory_iterator(root_ / "warc")) {
    if (entry.is_regular_file()) warc = entry.path();
  }
  std::string bytes = *ReadFileToString(warc);
  Spit(warc, bytes + "trailing garbage");
  Result<std::unique_ptr<Store>> bare =
      Store::Open(root_, LockMode::kShared, Quiet(false));
  ASSERT_TRUE(bare.ok());
  VerifyOptions options;
  options.manifest_error = "manifest.sqlite3: database disk image is malformed";
  std::vector<std::string> codes;
  options.on_finding = [&](const VerifyFinding& f) { codes.push_back(f.code); };
  Result<VerifySummary> summary = VerifyStore(**bare, options);
  ASSERT_TRUE(summary.ok()) << summary.status().message();
  EXPECT_EQ(codes,
            (std::vector<std::string>{"sqlite-integrity", "trailing-garbage"}));
  EXPECT_EQ(summary->records, 8);
}

}  // namespace
}  // namespace rotguard
