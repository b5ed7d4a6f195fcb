// Fakes for the `fix` planner tests: a MementoSource answering from a
// map, and links extracted from a post with verdicts from a map.
#ifndef ROTGUARD_TESTS_UNIT_RESTORE_FIX_TEST_UTIL_H_
#define ROTGUARD_TESTS_UNIT_RESTORE_FIX_TEST_UTIL_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rotguard/extract.h"
#include "rotguard/fix.h"

namespace rotguard::testing {

// Answers with the memento stored for a link URL; counts the questions.
class FakeMementoSource : public MementoSource {
 public:
  void Add(const std::string& url, ArchivedCopy memento) {
    mementos_[url] = std::move(memento);
  }
  // Every other URL asked about gets `archive_prefix` + itself (corpus
  // tests).
  void AnswerEverything(std::string archive_prefix) {
    every_prefix_ = std::move(archive_prefix);
  }
  std::optional<ArchivedCopy> Best(std::string_view link_url,
                                   std::string_view post_date) override {
    ++questions;
    last_post_date = std::string(post_date);
    auto it = mementos_.find(std::string(link_url));
    if (it != mementos_.end()) return it->second;
    if (!every_prefix_.empty()) {
      return ArchivedCopy{every_prefix_ + std::string(link_url),
                          "20190501100000", "web.archive.org"};
    }
    return std::nullopt;
  }
  int questions = 0;
  std::string last_post_date;

 private:
  std::map<std::string, ArchivedCopy> mementos_;
  std::string every_prefix_;
};

struct FakeHealth {
  std::string verdict;
  std::string final_url;
};

// The links of `bytes` (as the extractor finds them) that `health` knows.
inline std::vector<FixLink> LinksWithHealth(
    std::string_view bytes, DocumentFormat format,
    const std::map<std::string, FakeHealth>& health) {
  std::vector<FixLink> out;
  ExtractedDocument doc = ExtractLinks("post", bytes, format);
  for (Link& link : doc.links) {
    auto it = health.find(link.url);
    if (it == health.end()) continue;
    out.push_back({std::move(link), it->second.verdict, it->second.final_url});
  }
  return out;
}

}  // namespace rotguard::testing

#endif  // ROTGUARD_TESTS_UNIT_RESTORE_FIX_TEST_UTIL_H_
