// The post corpus under tests/data/posts: every post has a golden
// `<post>.links.json` (regenerate with ROTGUARD_UPDATE_GOLDEN=1, then read
// each diff by hand), and every post must satisfy the span properties of
// SPEC §13: bytes at each span equal `written`, splicing all `written`
// back reproduces the file, and replacing each span with a sentinel URL
// gives the same links at the shifted spans.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "rotguard/extract.h"
#include "unit/extract/extract_test_util.h"
#include "unit/test_support/post_corpus.h"

namespace rotguard {
namespace {

namespace fs = std::filesystem;

using ::rotguard::testing::CorpusDir;
using ::rotguard::testing::CorpusPosts;
using ::rotguard::testing::ReadAll;

ExtractedDocument ExtractPost(const fs::path& path, const std::string& bytes) {
  std::string relative = fs::relative(path, CorpusDir()).generic_string();
  return ExtractLinks(relative, bytes, *FormatForPath(relative));
}

TEST(PostCorpusTest, CorpusHasAtLeastThirtyPosts) {
  EXPECT_GE(CorpusPosts().size(), 30u);
}

TEST(PostCorpusTest, EveryPostMatchesItsGoldenLinksFile) {
  bool update = std::getenv("ROTGUARD_UPDATE_GOLDEN") != nullptr;
  for (const fs::path& post : CorpusPosts()) {
    SCOPED_TRACE(post.string());
    std::string bytes = ReadAll(post);
    nlohmann::ordered_json actual =
        testing::DocumentToJson(ExtractPost(post, bytes));
    fs::path golden = post;
    golden += ".links.json";
    if (update) {
      std::ofstream(golden, std::ios::binary) << actual.dump(2) << "\n";
      continue;
    }
    ASSERT_TRUE(fs::exists(golden)) << "run with ROTGUARD_UPDATE_GOLDEN=1";
    nlohmann::ordered_json expected =
        nlohmann::ordered_json::parse(ReadAll(golden));
    EXPECT_EQ(actual.dump(2), expected.dump(2));
  }
}

TEST(PostCorpusTest, SplicingEveryWrittenBackReproducesTheFile) {
  for (const fs::path& post : CorpusPosts()) {
    SCOPED_TRACE(post.string());
    std::string bytes = ReadAll(post);
    ExtractedDocument doc = ExtractPost(post, bytes);
    ASSERT_EQ(testing::SpanViolation(bytes, doc), "");
    std::string spliced;
    size_t at = 0;
    for (const Link& link : doc.links) {
      spliced.append(bytes, at, link.start - at);
      spliced += link.written;
      at = link.end;
    }
    spliced.append(bytes, at, std::string::npos);
    EXPECT_EQ(spliced, bytes);
  }
}

// Shortcode embeds span the whole shortcode and are not URL text; every
// other span is replaced by https://sentinel.invalid/N.
TEST(PostCorpusTest, SentinelUrlsReplaceEverySpanAndAreFoundAgain) {
  for (const fs::path& post : CorpusPosts()) {
    SCOPED_TRACE(post.string());
    std::string bytes = ReadAll(post);
    ExtractedDocument doc = ExtractPost(post, bytes);
    std::string replaced;
    std::vector<size_t> new_starts;
    std::vector<std::string> sentinels;
    size_t at = 0;
    for (size_t i = 0; i < doc.links.size(); ++i) {
      const Link& link = doc.links[i];
      replaced.append(bytes, at, link.start - at);
      new_starts.push_back(replaced.size());
      if (link.written.rfind("{{", 0) == 0) {
        replaced += link.written;
        sentinels.push_back(link.url);
      } else {
        sentinels.push_back("https://sentinel.invalid/" + std::to_string(i));
        replaced += sentinels.back();
      }
      at = link.end;
    }
    replaced.append(bytes, at, std::string::npos);
    ExtractedDocument again = ExtractPost(post, replaced);
    ASSERT_EQ(again.links.size(), doc.links.size());
    for (size_t i = 0; i < doc.links.size(); ++i) {
      EXPECT_EQ(again.links[i].kind, doc.links[i].kind) << i;
      EXPECT_EQ(again.links[i].start, new_starts[i]) << i;
      EXPECT_EQ(again.links[i].url, sentinels[i]) << i;
    }
  }
}

}  // namespace
}  // namespace rotguard
