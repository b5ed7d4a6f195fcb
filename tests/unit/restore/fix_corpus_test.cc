// `fix` over the whole post corpus (tests/data/posts), with a fake
// MementoSource that has a copy of every link and every link gone or
// moved: only the links' spans change (plus Robust Links attributes right
// after an <a>'s href), a re-scan finds every link where it was with its
// new URL, a second run changes nothing, and the dry-run diff applied by
// `git apply` to a copy gives the same bytes.
#include <gtest/gtest.h>
#include <re2/re2.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "rotguard/extract.h"
#include "rotguard/fix.h"
#include "unit/restore/fix_test_util.h"
#include "unit/temp_dir.h"
#include "unit/test_support/post_corpus.h"

namespace rotguard {
namespace {

namespace fs = std::filesystem;
using testing::FakeHealth;
using testing::FakeMementoSource;

using ::rotguard::testing::CorpusDir;
using ::rotguard::testing::CorpusPosts;
using ::rotguard::testing::ReadAll;

struct CorpusPost {
  std::string relative;
  DocumentFormat format;
  std::string bytes;
  ExtractedDocument doc;
  std::map<std::string, FakeHealth> health;  // every link: gone or moved
};

CorpusPost LoadPost(const fs::path& path) {
  CorpusPost post;
  post.relative = fs::relative(path, CorpusDir()).generic_string();
  post.format = *FormatForPath(post.relative);
  post.bytes = ReadAll(path);
  post.doc = ExtractLinks(post.relative, post.bytes, post.format);
  int n = 0;
  for (const Link& link : post.doc.links) {
    if (post.health.count(link.url)) continue;
    post.health[link.url] =
        n++ % 3 == 1
            ? FakeHealth{"moved", "https://moved.example/" + std::to_string(n)}
            : FakeHealth{n % 3 == 0 ? "gone" : "soft-404", ""};
  }
  return post;
}

std::vector<FixLink> LinksOf(const std::string& bytes, const CorpusPost& post) {
  std::vector<FixLink> out;
  ExtractedDocument doc = ExtractLinks(post.relative, bytes, post.format);
  for (Link& link : doc.links) {
    auto it = post.health.find(link.url);
    if (it == post.health.end()) continue;
    out.push_back({std::move(link), it->second.verdict, it->second.final_url});
  }
  return out;
}

std::vector<PlannedFix> PlanPost(const std::string& bytes,
                                 const CorpusPost& post, FixTarget target,
                                 FakeMementoSource* source) {
  return PlanFixes(bytes, post.doc.front_matter.date, LinksOf(bytes, post),
                   target, {source, nullptr});
}

const RE2& RobustAttributes() {
  static const RE2 re(
      " data-originalurl=\"[^\"]*\"( "
      "data-versiondate=\"\\d{4}-\\d{2}-\\d{2}\")?"
      " data-versionurl=\"[^\"]*\"");
  return re;
}

// Each edit starts at its link's span, replaces the span, copies the
// bytes up to its end, and adds nothing but Robust Links attributes.
void ExpectOnlySpansChange(const std::string& bytes,
                           const std::vector<PlannedFix>& plan) {
  for (const PlannedFix& fix : plan) {
    if (!fix.edit) continue;
    SCOPED_TRACE(fix.link.written);
    const FixEdit& edit = *fix.edit;
    ASSERT_EQ(edit.start, fix.link.start);
    ASSERT_GE(edit.end, fix.link.end);
    std::string kept = bytes.substr(fix.link.end, edit.end - fix.link.end);
    if (edit.end == fix.link.end) {
      EXPECT_EQ(edit.text.find_first_of(" \t\r\n"), std::string::npos);
      continue;
    }
    size_t at = edit.text.rfind(kept + " data-originalurl=");
    ASSERT_NE(at, std::string::npos) << edit.text;
    std::string attrs = edit.text.substr(at + kept.size());
    EXPECT_TRUE(RE2::FullMatch(attrs, RobustAttributes())) << attrs;
  }
}

// Re-scanning the result finds the same links in order, each fixed one
// with its new URL; putting the old spans back and dropping the
// attributes gives the original bytes.
void ExpectRescanMatches(const CorpusPost& post, const std::string& after,
                         const std::vector<PlannedFix>& plan,
                         FixTarget target) {
  ExtractedDocument again = ExtractLinks(post.relative, after, post.format);
  ASSERT_EQ(again.links.size(), post.doc.links.size());
  std::map<size_t, const PlannedFix*> fixed_at;
  for (const PlannedFix& fix : plan) {
    if (fix.edit) fixed_at[fix.link.start] = &fix;
  }
  std::string restored;
  size_t at = 0;
  for (size_t i = 0; i < again.links.size(); ++i) {
    const Link& old_link = post.doc.links[i];
    const Link& new_link = again.links[i];
    auto fixed = fixed_at.find(old_link.start);
    // An <a>'s href is replaced too unless --to auto keeps it.
    bool replaced = fixed != fixed_at.end() &&
                    (fixed->second->action == FixAction::kReplaced ||
                     (fixed->second->action == FixAction::kRobustLink &&
                      target != FixTarget::kAuto));
    EXPECT_EQ(new_link.url, replaced ? fixed->second->new_url : old_link.url);
    restored += after.substr(at, new_link.start - at) + old_link.written;
    at = new_link.end;
  }
  restored += after.substr(at);
  RE2::GlobalReplace(&restored, RobustAttributes(), "");
  EXPECT_EQ(restored, post.bytes);
}

void ExpectGitApplyGives(const CorpusPost& post, const std::string& after) {
  testing::TempDir dir;
  fs::path file = dir.path() / "post" / post.relative;
  fs::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary) << post.bytes;
  std::ofstream(dir.path() / "fix.diff", std::ios::binary)
      << UnifiedDiff(post.relative, post.bytes, after);
  std::string command =
      "cd '" + (dir.path() / "post").string() + "' && git apply ../fix.diff";
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  EXPECT_EQ(ReadAll(file), after);
}

class FixCorpusTest : public ::testing::TestWithParam<FixTarget> {};

TEST_P(FixCorpusTest, OnlySpansChangeRescanMatchesAndSecondRunIsANoOp) {
  int fixed_links = 0, robust_links = 0;
  for (const fs::path& path : CorpusPosts()) {
    CorpusPost post = LoadPost(path);
    SCOPED_TRACE(post.relative);
    FakeMementoSource source;
    source.AnswerEverything("https://web.archive.org/web/20190501100000/");
    std::vector<PlannedFix> plan =
        PlanPost(post.bytes, post, GetParam(), &source);
    std::string after = ApplyFixes(post.bytes, plan);
    for (const PlannedFix& fix : plan) {
      fixed_links += fix.edit ? 1 : 0;
      robust_links += fix.action == FixAction::kRobustLink ? 1 : 0;
    }
    ExpectOnlySpansChange(post.bytes, plan);
    ExpectRescanMatches(post, after, plan, GetParam());
    EXPECT_EQ(ApplyFixes(after, PlanPost(after, post, GetParam(), &source)),
              after);
  }
  EXPECT_GE(fixed_links, 100);
  EXPECT_GE(robust_links, 3);
}

INSTANTIATE_TEST_SUITE_P(EveryTarget, FixCorpusTest,
                         ::testing::Values(FixTarget::kAuto,
                                           FixTarget::kArchive));

TEST(FixCorpusDiffTest, DryRunDiffAppliedByGitGivesTheSameBytes) {
  if (std::system("git --version > /dev/null 2>&1") != 0) {
    GTEST_SKIP() << "no git binary";
  }
  for (const fs::path& path : CorpusPosts()) {
    CorpusPost post = LoadPost(path);
    SCOPED_TRACE(post.relative);
    FakeMementoSource source;
    source.AnswerEverything("https://web.archive.org/web/20190501100000/");
    std::string after = ApplyFixes(
        post.bytes, PlanPost(post.bytes, post, FixTarget::kArchive, &source));
    if (after == post.bytes) continue;
    ExpectGitApplyGives(post, after);
  }
}

}  // namespace
}  // namespace rotguard
