#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rotguard/export.h"
#include "unit/restore/test_store.h"
#include "unit/temp_dir.h"

namespace rotguard {
namespace {

CdxEntry Entry() {
  CdxEntry e;
  e.warc_file = "rotguard-1.warc.gz";
  e.offset = 123;
  e.length = 456;
  e.type = "response";
  e.target_uri = "https://www.Example.com/a?b=2&a=1";
  e.date = "2020-02-08T10:00:00.123456Z";
  e.payload_digest = "sha1:ABCDEF";
  e.mime = "text/html";
  e.http_status = 200;
  return e;
}

TEST(CdxjLine, KeysInWarcioOrderWithStringNumbers) {
  EXPECT_EQ(CdxjLine(Entry()),
            "com,example)/a?a=1&b=2 20200208100000 "
            "{\"url\":\"https://www.Example.com/a?b=2&a=1\",\"mime\":"
            "\"text/html\",\"status\":\"200\",\"digest\":\"ABCDEF\","
            "\"length\":\"456\",\"offset\":\"123\",\"filename\":"
            "\"rotguard-1.warc.gz\"}");
}

TEST(Cdx11Line, FieldsHoldNoSpaceSoAResourceMimeKeepsItsMediaTypeOnly) {
  CdxEntry e = Entry();
  e.type = "resource";
  e.mime = "text/html; charset=utf-8";
  e.http_status = 0;
  e.target_uri = "urn:rotguard:dom:https://example.com/a b";
  std::vector<std::string> fields;
  std::string line = Cdx11Line(e);
  for (size_t at = 0; at <= line.size();) {
    size_t space = std::min(line.find(' ', at), line.size());
    fields.push_back(line.substr(at, space - at));
    at = space + 1;
  }
  ASSERT_EQ(fields.size(), 11u) << line;
  EXPECT_EQ(fields[2], "urn:rotguard:dom:https://example.com/a%20b");
  EXPECT_EQ(fields[3], "text/html");
  EXPECT_EQ(fields[4], "-");  // no HTTP status
  EXPECT_EQ(fields[10], "rotguard-1.warc.gz");
}

TEST(CdxjLine, LeavesOutAbsentMimeStatusAndDigest) {
  CdxEntry e = Entry();
  e.mime.clear();
  e.http_status = 0;
  e.payload_digest.clear();
  EXPECT_EQ(CdxjLine(e).substr(CdxjLine(e).find('{')),
            "{\"url\":\"https://www.Example.com/a?b=2&a=1\",\"length\":"
            "\"456\",\"offset\":\"123\",\"filename\":\"rotguard-1.warc.gz\"}");
}

TEST(CdxjLine, EscapesLikeJsonStringify) {
  CdxEntry e = Entry();
  e.mime = "a\"b\\c\x01\td\xC3\xA9\xFF";
  std::string line = CdxjLine(e);
  EXPECT_NE(
      line.find("\"mime\":\"a\\\"b\\\\c\\u0001\\td\xC3\xA9\xEF\xBF\xBD\""),
      std::string::npos)
      << line;
}

// Expected values from Node 20: JSON.stringify(new TextDecoder().decode(b)).
TEST(CdxjLine, InvalidUtf8BecomesOneReplacementPerMaximalSubpart) {
  const std::string kFffd = "\xEF\xBF\xBD";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {std::string("\xE2\x82") + "A", kFffd + "A"},  // cut 3-byte sequence
      {"\xE2\x82", kFffd},                           // cut at the end
      {"\xF0\x9F\x98", kFffd},
      {"\xF8\x80\x80", kFffd + kFffd + kFffd},              // no such lead byte
      {"\xED\xA0\x80", kFffd + kFffd + kFffd},              // a surrogate
      {"\xF4\x90\x80\x80", kFffd + kFffd + kFffd + kFffd},  // > U+10FFFF
      {std::string("\xE0\x80") + "A", kFffd + kFffd + "A"},  // overlong
      {"\xC0\xAF", kFffd + kFffd},
      {"\xF0\x9F\x98\x80", "\xF0\x9F\x98\x80"},  // valid: kept as is
  };
  for (const auto& [mime, want] : cases) {
    CdxEntry e = Entry();
    e.mime = mime;
    std::string line = CdxjLine(e);
    EXPECT_NE(line.find("\"mime\":\"" + want + "\""), std::string::npos)
        << line;
  }
}

TEST(IsIndexedRecord, SkipsRequestsWarcinfoAndWarcFields) {
  EXPECT_FALSE(IsIndexedRecord("request", "application/http"));
  EXPECT_FALSE(IsIndexedRecord("warcinfo", "application/warc-fields"));
  EXPECT_FALSE(IsIndexedRecord("metadata", "application/warc-fields"));
  EXPECT_FALSE(IsIndexedRecord("resource", "application/warc-fields"));
  EXPECT_TRUE(IsIndexedRecord("resource", "text/markdown"));
  EXPECT_TRUE(IsIndexedRecord("metadata", "application/json"));
  EXPECT_TRUE(IsIndexedRecord("response", "application/http"));
  EXPECT_TRUE(IsIndexedRecord("revisit", "application/http"));
}

TEST(RenderCdxj, SortsBytewiseLikeCLocaleSort) {
  CdxEntry a = Entry();
  CdxEntry b = Entry();
  // warcio lowercases the whole key, so case cannot order lines; '-'
  // (0x2d) sorts before '?' (0x3f) bytewise, the other way round in a
  // locale that ignores punctuation.
  b.target_uri = "https://example.com/a-b";
  CdxEntry c = Entry();
  c.target_uri = "https://example.com/";
  std::string out = RenderCdxj({a, b, c});
  EXPECT_LT(out.find("com,example)/ "), out.find("com,example)/a-b "));
  EXPECT_LT(out.find("com,example)/a-b "), out.find("com,example)/a?"));
}

TEST(CollectCdxEntries, IndexesResponsesRevisitsResourcesFromTheManifest) {
  testing::TestStore t;
  CaptureRow page = t.AddResponse("https://example.com/",
                                  "HTTP/1.1 200 OK\r\nContent-Type: text/html; "
                                  "charset=utf-8",
                                  "<p>hi</p>", 1581156000);
  t.AddRevisit("https://example.com/",
               "HTTP/1.1 200 OK\r\nContent-Type: "
               "text/html",
               page, 1581156100);
  t.AddResource("file:content/posts/hello.md", "text/markdown", "# Hi\n",
                1581156200);
  t.Commit();
  auto entries = CollectCdxEntries(t.manifest(), t.warc_dir());
  ASSERT_TRUE(entries.ok()) << entries.status().ToString();
  ASSERT_EQ(entries->size(), 3u);  // no warcinfo, no requests
  EXPECT_EQ((*entries)[0].mime, "text/html");
  EXPECT_EQ((*entries)[0].http_status, 200);
  EXPECT_EQ((*entries)[1].mime, "warc/revisit");
  EXPECT_EQ((*entries)[1].http_status, 200);
  EXPECT_EQ((*entries)[2].mime, "text/markdown");
  EXPECT_EQ((*entries)[2].http_status, 0);
}

TEST(WriteCdxIndex, SpilledAndMergedEqualsTheInMemoryIndex) {
  testing::TestStore t;
  for (int i = 0; i < 40; ++i) {
    t.AddResponse("https://h" + std::to_string(i % 7) + ".example.com/p/" +
                      std::to_string(i),
                  "HTTP/1.1 200 OK\r\nContent-Type: text/plain",
                  "body " + std::to_string(i), 1581156000 + i);
  }
  t.Commit();
  auto entries = CollectCdxEntries(t.manifest(), t.warc_dir());
  ASSERT_TRUE(entries.ok()) << entries.status().ToString();
  ASSERT_EQ(entries->size(), 40u);
  testing::TempDir tmp;
  for (CdxFormat format : {CdxFormat::kCdxj, CdxFormat::kCdx11}) {
    std::string streamed;
    // A budget of about two lines: many runs, all merged.
    Status status = WriteCdxIndex(
        t.manifest(), t.warc_dir(), format, tmp.path(),
        [&streamed](std::string_view bytes) {
          streamed.append(bytes);
          return Status::Ok();
        },
        500);
    ASSERT_TRUE(status.ok()) << status.ToString();
    EXPECT_EQ(streamed, format == CdxFormat::kCdxj ? RenderCdxj(*entries)
                                                   : RenderCdx11(*entries));
  }
  // The run files are gone.
  EXPECT_TRUE(std::filesystem::is_empty(tmp.path()));
}

}  // namespace
}  // namespace rotguard
