// The scan corpus (tests/data/posts) as several modules' tests walk it.
#ifndef ROTGUARD_TESTS_UNIT_TEST_SUPPORT_POST_CORPUS_H_
#define ROTGUARD_TESTS_UNIT_TEST_SUPPORT_POST_CORPUS_H_

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "rotguard/extract.h"

namespace rotguard::testing {

inline std::filesystem::path CorpusDir() {
  return std::filesystem::path(ROTGUARD_TEST_DATA_DIR) / "posts";
}

// Every post of the corpus that scan would read, sorted.
inline std::vector<std::filesystem::path> CorpusPosts() {
  std::vector<std::filesystem::path> posts;
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(CorpusDir())) {
    if (entry.is_regular_file() && FormatForPath(entry.path().string())) {
      posts.push_back(entry.path());
    }
  }
  std::sort(posts.begin(), posts.end());
  return posts;
}

inline std::string ReadAll(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

}  // namespace rotguard::testing

#endif  // ROTGUARD_TESTS_UNIT_TEST_SUPPORT_POST_CORPUS_H_
