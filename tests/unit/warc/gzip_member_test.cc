// Gzip member framing (src/warc/gzip_member.h): every way a record becomes
// a member yields exactly one RFC 1952 member holding exactly the record.
#include "warc/gzip_member.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <string>
#include <vector>

#include "unit/warc/warc_test_util.h"

namespace rotguard::warc {
namespace {

using warc_test::InflateOneMember;

// Bytes that deflate well, and bytes that do not (a fixed LCG, so the
// test is the same every run).
std::string Text(size_t n) {
  std::string out;
  while (out.size() < n) out += "WARC/1.1\r\nWARC-Type: response\r\n";
  out.resize(n);
  return out;
}

std::string Noise(size_t n) {
  std::string out(n, '\0');
  uint32_t x = 12345;
  for (char& c : out) {
    x = x * 1103515245u + 12345u;
    c = static_cast<char>(x >> 24);
  }
  return out;
}

std::string Concat(const std::vector<iovec>& parts) {
  std::string out;
  for (const iovec& v : parts) {
    out.append(static_cast<const char*>(v.iov_base), v.iov_len);
  }
  return out;
}

uint32_t LittleEndian32(std::string_view bytes) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i)
    v = (v << 8) | static_cast<unsigned char>(bytes[i]);
  return v;
}

// Level 1 is ISA-L's igzip, the others libdeflate's: both must frame the
// same plain member.
TEST(GzipMemberTest, CompressedMemberInflatesToExactlyTheRecord) {
  for (int level : {0, 1, 6}) {
    CompressorPool pool(level);
    for (const std::string& raw :
         {std::string(), Text(100), Noise(300000), Text(3 << 20)}) {
      std::string member;
      ASSERT_TRUE(GzipCompressMember(pool, raw, &member).ok());
      EXPECT_EQ(member.substr(0, 3), std::string("\x1f\x8b\x08", 3));
      EXPECT_EQ(member[3], 0) << "FLG: no FEXTRA, no FNAME";
      EXPECT_EQ(InflateOneMember(member), raw) << "level " << level;
      EXPECT_LE(member.size(), GzipMemberBound(raw.size()));
    }
  }
}

TEST(GzipMemberTest, DefaultLevelStillDeflatesText) {
  CompressorPool pool(1);
  std::string member;
  ASSERT_TRUE(GzipCompressMember(pool, Text(100000), &member).ok());
  EXPECT_LT(member.size(), 100000u / 20);
}

TEST(GzipMemberTest, CompressorReusedFromThePoolStartsAFreshMember) {
  CompressorPool pool(1);
  std::string first, second;
  ASSERT_TRUE(GzipCompressMember(pool, Text(70000), &first).ok());
  ASSERT_TRUE(GzipCompressMember(pool, Noise(5000), &second).ok());
  EXPECT_EQ(InflateOneMember(second), Noise(5000));
}

TEST(GzipMemberTest, CompressorPoolHandsBackAReleasedCompressor) {
  for (int level : {1, 6}) {
    CompressorPool pool(level);
    Result<CompressorPool::Ptr> first = pool.Acquire();
    ASSERT_TRUE(first.ok());
    GzipCompressor* raw = first->get();
    pool.Release(std::move(first).value());
    Result<CompressorPool::Ptr> again = pool.Acquire();
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->get(), raw);
    Result<CompressorPool::Ptr> second = pool.Acquire();  // empty: a new one
    ASSERT_TRUE(second.ok());
    EXPECT_NE(second->get(), raw);
  }
}

TEST(GzipMemberTest, StoredMemberIsStoredBlocksOfAtMost65535Bytes) {
  std::string data = Noise(150000);
  StoredMember member;
  member.Add(data);
  member.Finish(Crc32(0, data));
  std::string bytes = Concat(member.Parts());
  // Header: magic, CM=8, FLG=0, MTIME=0, XFL=4, OS=255.
  EXPECT_EQ(bytes.substr(0, 10),
            std::string("\x1f\x8b\x08\x00\x00\x00\x00\x00\x04\xff", 10));
  // Blocks of 65535, 65535 and 18930 bytes: BFINAL=0 BTYPE=00, LEN, NLEN.
  EXPECT_EQ(bytes.substr(10, 5), std::string("\x00\xff\xff\x00\x00", 5));
  EXPECT_EQ(bytes.substr(10 + 5 + 65535, 5),
            std::string("\x00\xff\xff\x00\x00", 5));
  size_t third = 10 + 2 * (5 + 65535);
  EXPECT_EQ(bytes.substr(third, 5), std::string("\x00\xf2\x49\x0d\xb6", 5));
  // The last block is empty with BFINAL=1; then CRC-32 and ISIZE.
  size_t last = third + 5 + 18930;
  EXPECT_EQ(bytes.substr(last, 5), std::string("\x01\x00\x00\xff\xff", 5));
  EXPECT_EQ(LittleEndian32(bytes.substr(last + 5, 4)), Crc32(0, data));
  EXPECT_EQ(LittleEndian32(bytes.substr(last + 9, 4)), data.size());
  EXPECT_EQ(bytes.size(), last + 5 + 8);
  EXPECT_LE(bytes.size(), GzipMemberBound(data.size()));
  EXPECT_EQ(InflateOneMember(bytes), data);
}

TEST(GzipMemberTest, StoredMemberPointsAtTheCallersBytesWithoutCopying) {
  std::string data = Text(1000);
  StoredMember member;
  member.Add(data);
  bool found = false;
  for (const iovec& v : member.Parts()) {
    found = found || v.iov_base == static_cast<const void*>(data.data());
  }
  EXPECT_TRUE(found);
}

TEST(GzipMemberTest, StoredMemberBuiltInPiecesWithCombinedCrcInflates) {
  std::string head = Text(700), body = Noise(70000), tail = "\r\n\r\n";
  StoredMember member;
  std::string written;
  member.Add(head);
  written += Concat(member.Parts());
  member.Clear();  // written: the parts may go
  member.Add(body);
  member.Add(tail);
  uint32_t tail_crc = Crc32(Crc32(0, body), tail);
  member.Finish(
      Crc32Combine(Crc32(0, head), tail_crc, body.size() + tail.size()));
  written += Concat(member.Parts());
  EXPECT_EQ(InflateOneMember(written), head + body + tail);
}

TEST(GzipMemberTest, EmptyStoredMemberIsAValidEmptyMember) {
  StoredMember member;
  member.Finish(Crc32(0, ""));
  std::string bytes = Concat(member.Parts());
  EXPECT_EQ(bytes.size(), 10u + 5u + 8u);
  EXPECT_EQ(InflateOneMember(bytes), "");
}

TEST(GzipMemberTest, Crc32CombineEqualsTheCrcOfTheConcatenation) {
  std::string a = Text(1234), b = Noise(5678);
  EXPECT_EQ(Crc32Combine(Crc32(0, a), Crc32(0, b), b.size()), Crc32(0, a + b));
  EXPECT_EQ(Crc32(0, "123456789"), 0xcbf43926u);  // the standard check value
}

TEST(GzipMemberTest, StreamedMemberInflatesToExactlyWhatWasFed) {
  for (int level : {0, 1, 9}) {
    std::string out;
    std::vector<size_t> chunks;
    GzipMemberStream member(4096, [&](std::string_view bytes) {
      out.append(bytes);
      chunks.push_back(bytes.size());
      return Status::Ok();
    });
    ASSERT_TRUE(member.Init(level).ok());
    std::string fed;
    for (const std::string& piece :
         {Text(5000), Noise(100000), Text(3), Text(1 << 20)}) {
      ASSERT_TRUE(member.Add(piece).ok());
      fed += piece;
    }
    ASSERT_TRUE(member.Finish("\r\n\r\n").ok());
    fed += "\r\n\r\n";
    EXPECT_EQ(InflateOneMember(out), fed) << "level " << level;
    EXPECT_EQ(out[3], 0) << "FLG: no FEXTRA, no FNAME";
    for (size_t n : chunks) EXPECT_LE(n, 4096u);
    EXPECT_LE(out.size(), GzipMemberBound(fed.size()));
  }
}

// ISA-L (level 1) may hold a block's worth of input before it writes, so
// the first sink call can come at Finish; either way it is the only one.
TEST(GzipMemberTest, StreamedMemberStopsAtTheSinksFirstError) {
  for (int level : {1, 9}) {
    int calls = 0;
    GzipMemberStream member(1024, [&](std::string_view) {
      ++calls;
      return Status::IOError("disk full");
    });
    ASSERT_TRUE(member.Init(level).ok());
    Status status = member.Add(Noise(100000));
    if (status.ok()) status = member.Finish("");
    EXPECT_FALSE(status.ok()) << "level " << level;
    EXPECT_EQ(status.message(), "disk full");
    EXPECT_EQ(calls, 1) << "level " << level;
  }
}

}  // namespace
}  // namespace rotguard::warc
