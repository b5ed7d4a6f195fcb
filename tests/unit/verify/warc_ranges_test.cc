// One .warc.gz read in ranges on several threads (verify/warc_ranges.h):
// where the splitter cuts, and that the ranged read hands on exactly the
// records, problems and torn tail one reader of the whole file finds, for
// intact files, damaged members in the middle, garbage and cuts that are
// no record start.
#include "verify/warc_ranges.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "unit/temp_dir.h"
#include "unit/test_support/compress.h"
#include "util/digest.h"
#include "util/file.h"
#include "util/worker_pool.h"

namespace rotguard::verify {
namespace {

namespace fs = std::filesystem;
using ::rotguard::testing::Gzip;
using ::rotguard::testing::TempDir;

std::vector<ByteRange> Split(uint64_t size, uint64_t min_bytes,
                             size_t max_records,
                             const std::vector<uint64_t>& offsets) {
  RangeSplitter splitter(size, min_bytes, max_records);
  std::vector<ByteRange> ranges;
  for (uint64_t offset : offsets) {
    if (std::optional<ByteRange> r = splitter.Offer(offset)) {
      ranges.push_back(*r);
    }
  }
  if (std::optional<ByteRange> r = splitter.Finish()) ranges.push_back(*r);
  EXPECT_EQ(splitter.Finish(), std::nullopt);
  return ranges;
}

TEST(RangeSplitterTest, CutsOnlyAtRecordOffsetsOnceARangeIsLongEnough) {
  // Records at 0, 100, 250, 300, 700 of a 1000-byte file; 200 bytes min.
  EXPECT_EQ(Split(1000, 200, 100, {0, 100, 250, 300, 700}),
            (std::vector<ByteRange>{{0, 250}, {250, 700}, {700, 1000}}));
}

TEST(RangeSplitterTest, MaxRecordsCutsBeforeTheBytesAreReached) {
  EXPECT_EQ(Split(1000, 1 << 20, 2, {0, 10, 20, 30, 40}),
            (std::vector<ByteRange>{{0, 20}, {20, 40}, {40, 1000}}));
}

TEST(RangeSplitterTest, OneByteMinimumGivesEveryRecordItsOwnRange) {
  EXPECT_EQ(Split(90, 1, 1000, {0, 30, 60}),
            (std::vector<ByteRange>{{0, 30}, {30, 60}, {60, 90}}));
}

TEST(RangeSplitterTest, LastRangeRunsToTheEndOfTheFileAndComesOnce) {
  EXPECT_EQ(Split(500, 1, 10, {0, 400}),
            (std::vector<ByteRange>{{0, 400}, {400, 500}}));
}

TEST(RangeSplitterTest, RepeatedStartAndPastTheEndOffsetsAreNoCut) {
  // 0 is the first range's start; 40 twice (two rows, one member); 500
  // and 900 lie past a file the rows no longer match (lost records).
  EXPECT_EQ(Split(400, 1, 10, {0, 40, 40, 30, 500, 900}),
            (std::vector<ByteRange>{{0, 40}, {40, 400}}));
}

TEST(RangeSplitterTest, SmallFileIsCutIntoAboutEqualRangesForTheWindow) {
  RangeOptions options;  // 4 MiB ranges, a window of 4
  EXPECT_EQ(BalancedMinBytes(uint64_t{100} << 20, options), uint64_t{4} << 20);
  EXPECT_EQ(BalancedMinBytes(uint64_t{6} << 20, options),
            uint64_t{3} << 19);  // 1.5 MiB: four ranges, not 4 + 2 MiB
  EXPECT_EQ(BalancedMinBytes(1000, options), kBalancedFloor);
  options.min_bytes = 1;  // a range per record stays so
  EXPECT_EQ(BalancedMinBytes(uint64_t{6} << 20, options), 1u);
}

TEST(RangeSplitterTest, FileNotInTheManifestIsOneRange) {
  EXPECT_EQ(Split(1234, 1, 10, {}), (std::vector<ByteRange>{{0, 1234}}));
  EXPECT_EQ(Split(0, 1, 10, {}), (std::vector<ByteRange>{}));
}

// A response record with correct digests, as its own gzip member; its
// body is `body` when given.
std::string Member(int i, std::string body = "") {
  if (body.empty()) {
    body = "body " + std::to_string(i) + " ";
    for (int k = 0; k < 20 + i % 13; ++k)
      body += "word" + std::to_string(k * i);
  }
  std::string block =
      "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " +
      std::to_string(body.size()) + "\r\n\r\n" + body;
  std::string head =
      "WARC/1.1\r\nWARC-Type: response\r\nWARC-Target-URI: "
      "https://example.com/" +
      std::to_string(i) +
      "\r\nWARC-Date: 2026-01-02T03:04:05Z\r\n"
      "WARC-Record-ID: <urn:uuid:00000000-0000-4000-8000-" +
      std::string(12 - std::to_string(i).size(), '0') + std::to_string(i) +
      ">\r\nWARC-Block-Digest: " + WarcSha1Label(Sha1(block)) +
      "\r\nWARC-Payload-Digest: " + WarcSha1Label(Sha1(body)) +
      "\r\nContent-Type: application/http; msgtype=response\r\n"
      "Content-Length: " +
      std::to_string(block.size()) + "\r\n\r\n";
  return Gzip(head + block + "\r\n\r\n");
}

// `n` members; *offsets gets where each starts.
std::string Members(int n, std::vector<uint64_t>* offsets) {
  std::string file;
  for (int i = 0; i < n; ++i) {
    offsets->push_back(file.size());
    file += Member(i);
  }
  return file;
}

std::string Describe(const WarcProblem& p) {
  return p.file + "@" + std::to_string(p.offset) + " " + p.code + ": " +
         p.message;
}

// Everything a reader of the file hands on, as comparable text.
struct Read {
  std::vector<std::string> records;
  std::vector<std::string> problems;
  uint64_t whole_end = 0;
  std::optional<uint64_t> torn_tail;
  bool operator==(const Read&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Read& r) {
  for (const std::string& s : r.records) os << "\n  record " << s;
  for (const std::string& s : r.problems) os << "\n  problem " << s;
  os << "\n  whole_end " << r.whole_end << " torn_tail "
     << (r.torn_tail ? std::to_string(*r.torn_tail) : "none");
  return os;
}

Read Collect(const Result<IndexedFile>& file,
             std::vector<std::string> records) {
  EXPECT_TRUE(file.ok()) << file.status().message();
  Read read;
  read.records = std::move(records);
  if (!file.ok()) return read;
  for (const WarcProblem& p : file->problems) {
    read.problems.push_back(Describe(p));
  }
  read.whole_end = file->whole_end;
  read.torn_tail = file->torn_tail;
  return read;
}

RecordSink Recorder(std::vector<std::string>* out) {
  return [out](IndexedRecord&& r) {
    std::string s = std::to_string(r.record.offset) + "+" +
                    std::to_string(r.record.compressed_length) + " " +
                    r.record.type + " " + r.record.record_id + " " +
                    r.record.target_uri + " " + r.payload_sha256;
    for (const WarcProblem& p : r.problems) s += " [" + Describe(p) + "]";
    out->push_back(std::move(s));
    return Status::Ok();
  };
}

Read ReadWhole(const fs::path& path, IndexDepth depth) {
  std::vector<std::string> records;
  Result<IndexedFile> file =
      StreamWarcFile(path, "f.warc.gz", depth, Recorder(&records));
  return Collect(file, std::move(records));
}

Read ReadRanged(const fs::path& path, IndexDepth depth,
                const std::vector<uint64_t>& offsets, uint64_t min_bytes) {
  WorkerPool pool(2, 64);
  size_t next = 0;
  OffsetSource source = [&]() -> Result<std::optional<uint64_t>> {
    if (next == offsets.size()) return std::optional<uint64_t>();
    return std::optional<uint64_t>(offsets[next++]);
  };
  RangeOptions options;
  options.min_bytes = min_bytes;
  options.window = 3;
  std::vector<std::string> records;
  Result<IndexedFile> file = StreamWarcFileInRanges(
      path, "f.warc.gz", depth, source, pool, options, Recorder(&records));
  EXPECT_TRUE(pool.Close().ok());
  return Collect(file, std::move(records));
}

class RangedReadTest : public ::testing::Test {
 protected:
  fs::path Write(std::string_view bytes) {
    fs::path path = dir_.path() / ("f" + std::to_string(++files_));
    EXPECT_TRUE(WriteFileAtomically(path, bytes).ok());
    return path;
  }

  // The ranged read equals the whole-file read at both depths and for
  // ranges of one record and of a few.
  void ExpectSameAsOneReader(const fs::path& path,
                             const std::vector<uint64_t>& offsets) {
    for (IndexDepth depth : {IndexDepth::kRecords, IndexDepth::kPayloads}) {
      Read whole = ReadWhole(path, depth);
      for (uint64_t min_bytes :
           {uint64_t{1}, uint64_t{700}, uint64_t{1} << 20}) {
        EXPECT_EQ(ReadRanged(path, depth, offsets, min_bytes), whole)
            << path << " min_bytes " << min_bytes;
      }
    }
  }

  TempDir dir_;
  int files_ = 0;
};

TEST_F(RangedReadTest, IntactFileInRangesHandsOnWhatOneReaderDoes) {
  std::vector<uint64_t> offsets;
  fs::path path = Write(Members(40, &offsets));
  Read whole = ReadWhole(path, IndexDepth::kRecords);
  EXPECT_EQ(whole.records.size(), 40u);
  EXPECT_TRUE(whole.problems.empty());
  ExpectSameAsOneReader(path, offsets);
  // Every cut is clean: nothing falls back to one reader.
  uint64_t size = fs::file_size(path);
  for (size_t i = 0; i < offsets.size(); ++i) {
    uint64_t end = i + 1 < offsets.size() ? offsets[i + 1] : size;
    RangeRead read =
        ReadWarcRange(path, "f", IndexDepth::kRecords, {offsets[i], end}, size);
    EXPECT_TRUE(read.status.ok() && read.clean_end) << offsets[i];
    EXPECT_EQ(read.records.size(), 1u);
  }
}

TEST_F(RangedReadTest, DamagedMemberInTheMiddleHandsOnWhatOneReaderDoes) {
  std::vector<uint64_t> offsets;
  std::string bytes = Members(30, &offsets);
  // Deflate data of member 12 broken: the reader resyncs at member 13.
  bytes[offsets[12] + 20] ^= 0x5a;
  // The CRC of member 20 wrong: gzip-crc.
  bytes[offsets[21] - 7] ^= 0x01;
  fs::path path = Write(bytes);
  Read whole = ReadWhole(path, IndexDepth::kRecords);
  EXPECT_FALSE(whole.problems.empty());
  ExpectSameAsOneReader(path, offsets);
}

TEST_F(RangedReadTest, GarbageBetweenMembersAndATornTailHandOnTheSame) {
  std::vector<uint64_t> offsets;
  std::string bytes = Members(10, &offsets);
  std::string garbage = "not a member at all";
  bytes.insert(offsets[5], garbage);
  for (size_t i = 5; i < offsets.size(); ++i) offsets[i] += garbage.size();
  bytes.resize(bytes.size() - 9);  // the last member cut short
  fs::path path = Write(bytes);
  Read whole = ReadWhole(path, IndexDepth::kRecords);
  EXPECT_TRUE(whole.torn_tail.has_value());
  ExpectSameAsOneReader(path, offsets);
  // Rows that believe the garbage is not there (offsets before it moved).
  std::vector<uint64_t> stale;
  Members(10, &stale);
  ExpectSameAsOneReader(path, stale);
}

TEST_F(RangedReadTest, CutsThatAreNoRecordStartHandOnTheSame) {
  std::vector<uint64_t> offsets;
  fs::path path = Write(Members(12, &offsets));
  std::vector<uint64_t> wrong;
  for (uint64_t offset : offsets) {
    wrong.push_back(offset);
    wrong.push_back(offset + 5);  // inside the member
  }
  ExpectSameAsOneReader(path, wrong);
}

TEST_F(RangedReadTest, EveryCorpusFileHandsOnWhatOneReaderDoes) {
  fs::path corpus = fs::path(ROTGUARD_TEST_DATA_DIR) / "warc";
  // good.warc.gz's record offsets, and cuts inside its members.
  const std::vector<uint64_t> offsets = {0, 268, 300, 565, 903, 1000};
  for (const auto& entry : fs::directory_iterator(corpus)) {
    std::string name = entry.path().filename().string();
    if (!name.ends_with(".warc.gz") && !name.ends_with(".warc")) continue;
    SCOPED_TRACE(name);
    ExpectSameAsOneReader(entry.path(), offsets);
  }
}

TEST_F(RangedReadTest, EmptyFileHandsOnWhatOneReaderDoes) {
  fs::path path = Write("");
  ExpectSameAsOneReader(path, {});
  ExpectSameAsOneReader(path, {0, 10});  // rows of a file since emptied
}

TEST_F(RangedReadTest, OneRecordFileHandsOnItsRecordOnce) {
  std::vector<uint64_t> offsets;
  fs::path path = Write(Members(1, &offsets));
  EXPECT_EQ(ReadWhole(path, IndexDepth::kRecords).records.size(), 1u);
  ExpectSameAsOneReader(path, offsets);
}

TEST_F(RangedReadTest, RecordLargerThanARangeIsReadWholeByOneRange) {
  std::vector<uint64_t> offsets;
  std::string bytes = Members(5, &offsets);
  // 300 KiB of incompressible body: a member longer than a range.
  std::string big_body(300 << 10, '\0');
  uint32_t x = 12345;
  for (char& c : big_body) {
    x = x * 1103515245 + 12345;
    c = static_cast<char>(x >> 24);
  }
  offsets.push_back(bytes.size());
  bytes += Member(5, big_body);
  for (int i = 6; i < 10; ++i) {
    offsets.push_back(bytes.size());
    bytes += Member(i);
  }
  fs::path path = Write(bytes);
  Read whole = ReadWhole(path, IndexDepth::kPayloads);
  EXPECT_EQ(whole.records.size(), 10u);
  EXPECT_TRUE(whole.problems.empty());
  ExpectSameAsOneReader(path, offsets);
}

// Each file of a run read by one RangeReadAhead, as text; files not in
// `read` are left out.
std::vector<Read> ReadAhead(const std::vector<fs::path>& paths,
                            const std::vector<std::vector<uint64_t>>& offsets,
                            const std::vector<size_t>& read, uint64_t min_bytes,
                            size_t window) {
  WorkerPool pool(2, 64);
  std::vector<RangedFile> files;
  for (const fs::path& path : paths) files.push_back({path, "f.warc.gz"});
  std::vector<size_t> next(paths.size(), 0);
  RangeOptions options;
  options.min_bytes = min_bytes;
  options.window = window;
  std::vector<Read> out;
  {
    RangeReadAhead ahead(
        files, IndexDepth::kPayloads,
        [&](size_t f) -> Result<OffsetSource> {
          return OffsetSource([&, f]() -> Result<std::optional<uint64_t>> {
            if (next[f] == offsets[f].size()) return std::optional<uint64_t>();
            return std::optional<uint64_t>(offsets[f][next[f]++]);
          });
        },
        pool, options);
    for (size_t f : read) {
      std::vector<std::string> records;
      Result<IndexedFile> file = ahead.Read(f, Recorder(&records));
      out.push_back(Collect(file, std::move(records)));
    }
  }
  EXPECT_TRUE(pool.Close().ok());
  return out;
}

TEST_F(RangedReadTest, ReadAheadOverManyFilesHandsOnEachAsOneReaderDoes) {
  std::vector<fs::path> paths;
  std::vector<std::vector<uint64_t>> offsets(7);
  paths.push_back(Write(Members(40, &offsets[0])));
  paths.push_back(Write(""));
  std::string damaged = Members(30, &offsets[2]);
  damaged[offsets[2][12] + 20] ^= 0x5a;
  paths.push_back(Write(damaged));
  paths.push_back(Write(Members(1, &offsets[3])));
  paths.push_back(fs::path(ROTGUARD_TEST_DATA_DIR) / "warc" /
                  "wget-style-1.0.warc");  // plain: read by one reader
  std::string torn = Members(9, &offsets[5]);
  torn.resize(torn.size() - 9);
  paths.push_back(Write(torn));
  paths.push_back(Write(Members(25, &offsets[6])));
  std::vector<Read> whole;
  for (const fs::path& path : paths) {
    whole.push_back(ReadWhole(path, IndexDepth::kPayloads));
  }
  std::vector<size_t> all = {0, 1, 2, 3, 4, 5, 6};
  for (uint64_t min_bytes : {uint64_t{1}, uint64_t{700}, uint64_t{1} << 20}) {
    for (size_t window : {size_t{1}, size_t{3}, size_t{16}}) {
      SCOPED_TRACE("min_bytes " + std::to_string(min_bytes) + " window " +
                   std::to_string(window));
      EXPECT_EQ(ReadAhead(paths, offsets, all, min_bytes, window), whole);
      // Files left out (a run that stopped early, files not parsed) take
      // their ranges with them.
      EXPECT_EQ(ReadAhead(paths, offsets, {2, 6}, min_bytes, window),
                (std::vector<Read>{whole[2], whole[6]}));
    }
  }
}

TEST_F(RangedReadTest, EveryRecordOfARunIsHandedOnExactlyOnce) {
  std::vector<fs::path> paths;
  std::vector<std::vector<uint64_t>> offsets(3);
  for (int n : {50, 7, 33}) {
    paths.push_back(Write(Members(n, &offsets[paths.size()])));
  }
  std::vector<Read> reads = ReadAhead(paths, offsets, {0, 1, 2}, 1, 4);
  ASSERT_EQ(reads.size(), 3u);
  for (size_t f = 0; f < 3; ++f) {
    std::vector<uint64_t> seen;
    for (const std::string& record : reads[f].records) {
      seen.push_back(std::stoull(record.substr(0, record.find('+'))));
    }
    EXPECT_EQ(seen, offsets[f]) << "file " << f;
  }
}

TEST_F(RangedReadTest, RangeEndsCleanlyOnlyWhereAMemberStarts) {
  std::vector<uint64_t> offsets;
  std::string bytes = Members(6, &offsets);
  fs::path path = Write(bytes);
  RangeRead at_member = ReadWarcRange(path, "f", IndexDepth::kRecords,
                                      {offsets[1], offsets[3]}, bytes.size());
  ASSERT_TRUE(at_member.status.ok());
  EXPECT_TRUE(at_member.clean_end);
  EXPECT_EQ(at_member.records.size(), 2u);
  RangeRead inside = ReadWarcRange(path, "f", IndexDepth::kRecords,
                                   {offsets[1], offsets[3] + 5}, bytes.size());
  ASSERT_TRUE(inside.status.ok());
  EXPECT_FALSE(inside.clean_end);
  RangeRead last = ReadWarcRange(path, "f", IndexDepth::kRecords,
                                 {offsets[4], bytes.size()}, bytes.size());
  ASSERT_TRUE(last.status.ok());
  EXPECT_TRUE(last.clean_end);
  EXPECT_EQ(last.records.size(), 2u);
}

}  // namespace
}  // namespace rotguard::verify
