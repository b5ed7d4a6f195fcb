// Helpers for the WARC tests: a temp directory, reading every record of a
// file, inflating one gzip member alone.
#ifndef ROTGUARD_TESTS_UNIT_WARC_WARC_TEST_UTIL_H_
#define ROTGUARD_TESTS_UNIT_WARC_WARC_TEST_UTIL_H_

#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "rotguard/warc_reader.h"
#include "unit/temp_dir.h"
#include "util/file.h"

namespace rotguard::warc_test {

using ::rotguard::testing::TempDir;

struct ReadResult {
  std::vector<WarcRecordInfo> records;
  std::vector<std::string> blocks;
  std::vector<std::string> payloads;
  std::vector<WarcProblem> problems;
};

inline ReadResult ReadRecords(std::unique_ptr<WarcReader> reader,
                              bool read_payloads = false) {
  ReadResult out;
  for (;;) {
    Result<bool> more = reader->Next();
    EXPECT_TRUE(more.ok()) << more.status().message();
    if (!more.ok() || !*more) break;
    std::string data;
    char buf[4096];
    for (;;) {
      Result<size_t> got = read_payloads ? reader->ReadPayload(buf, sizeof buf)
                                         : reader->ReadBlock(buf, sizeof buf);
      EXPECT_TRUE(got.ok());
      if (!got.ok() || *got == 0) break;
      data.append(buf, *got);
    }
    EXPECT_TRUE(reader->FinishRecord().ok());
    out.records.push_back(reader->record());
    (read_payloads ? out.payloads : out.blocks).push_back(std::move(data));
  }
  out.problems = reader->problems();
  return out;
}

inline ReadResult ReadFile(const std::filesystem::path& path,
                           bool read_payloads = false) {
  Result<std::unique_ptr<WarcReader>> reader = WarcReader::Open(path);
  EXPECT_TRUE(reader.ok()) << reader.status().message();
  if (!reader.ok()) return {};
  return ReadRecords(std::move(reader).value(), read_payloads);
}

inline ReadResult ReadBuffer(std::string_view data,
                             bool read_payloads = false) {
  return ReadRecords(WarcReader::FromBuffer(data, "buffer"), read_payloads);
}

inline std::string Slurp(const std::filesystem::path& path) {
  Result<std::string> data = ReadFileToString(path);
  EXPECT_TRUE(data.ok()) << data.status().message();
  return data.ok() ? *data : std::string();
}

// Inflates exactly one gzip member; fails the test if `member` holds more
// or less than one complete member.
inline std::string InflateOneMember(std::string_view member) {
  z_stream z{};
  EXPECT_EQ(inflateInit2(&z, 15 + 16), Z_OK);
  std::string out;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(member.data()));
  z.avail_in = static_cast<uInt>(member.size());
  char buf[65536];
  int rc = Z_OK;
  while (rc == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    rc = inflate(&z, Z_NO_FLUSH);
    out.append(buf, sizeof buf - z.avail_out);
  }
  EXPECT_EQ(rc, Z_STREAM_END);
  EXPECT_EQ(z.avail_in, 0u) << "bytes after the member";
  inflateEnd(&z);
  return out;
}

inline std::vector<std::filesystem::path> ListDir(
    const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

inline std::vector<std::string> ProblemCodes(const ReadResult& result) {
  std::vector<std::string> codes;
  for (const WarcProblem& p : result.problems) codes.push_back(p.code);
  return codes;
}

// A problem as (code, offset), for EXPECT_EQ against a list.
using CodeAt = std::pair<std::string, uint64_t>;

inline std::vector<CodeAt> Problems(const ReadResult& read) {
  std::vector<CodeAt> out;
  for (const WarcProblem& p : read.problems) out.emplace_back(p.code, p.offset);
  return out;
}

inline std::vector<uint64_t> Offsets(const ReadResult& read) {
  std::vector<uint64_t> out;
  for (const WarcRecordInfo& r : read.records) out.push_back(r.offset);
  return out;
}

}  // namespace rotguard::warc_test

#endif  // ROTGUARD_TESTS_UNIT_WARC_WARC_TEST_UTIL_H_
