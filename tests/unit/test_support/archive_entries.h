// Reads a tar or zip (any format and filter libarchive knows) whole, for
// tests of what restore, export and WACZ wrote.
#ifndef ROTGUARD_TESTS_UNIT_TEST_SUPPORT_ARCHIVE_ENTRIES_H_
#define ROTGUARD_TESTS_UNIT_TEST_SUPPORT_ARCHIVE_ENTRIES_H_

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace rotguard::testing {

// The entries in their order, with their bytes.
inline std::vector<std::pair<std::string, std::string>> ArchiveEntries(
    const std::filesystem::path& path) {
  std::vector<std::pair<std::string, std::string>> entries;
  archive* a = archive_read_new();
  archive_read_support_format_all(a);
  archive_read_support_filter_all(a);
  EXPECT_EQ(archive_read_open_filename(a, path.c_str(), 65536), ARCHIVE_OK);
  archive_entry* entry = nullptr;
  while (archive_read_next_header(a, &entry) == ARCHIVE_OK) {
    std::string bytes;
    char buf[65536];
    la_ssize_t n = 0;
    while ((n = archive_read_data(a, buf, sizeof buf)) > 0) {
      bytes.append(buf, static_cast<size_t>(n));
    }
    entries.emplace_back(archive_entry_pathname(entry), std::move(bytes));
  }
  archive_read_free(a);
  return entries;
}

// The same as name → bytes.
inline std::map<std::string, std::string> ArchiveFiles(
    const std::filesystem::path& path) {
  std::map<std::string, std::string> files;
  for (auto& [name, bytes] : ArchiveEntries(path)) {
    files[name] = std::move(bytes);
  }
  return files;
}

}  // namespace rotguard::testing

#endif  // ROTGUARD_TESTS_UNIT_TEST_SUPPORT_ARCHIVE_ENTRIES_H_
