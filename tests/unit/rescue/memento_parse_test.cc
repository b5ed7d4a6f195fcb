// Parsers of public-archive replies (rotguard/rescue.h): CDX JSON,
// TimeTravel JSON, link-format TimeMaps and their date forms, with damaged
// and hostile input.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "rotguard/rescue.h"

namespace rotguard {
namespace {

constexpr const char* kPrefix = "https://web.archive.org/web/";

int64_t At(const char* digits14) { return *ParseWaybackTimestamp(digits14); }

TEST(ParseCdxJsonTest, RowsBecomeMementosWithReplayUris) {
  std::string body = R"([["timestamp","original","statuscode","mimetype"],
    ["20190501101010","http://dead.example/page","200","text/html"],
    ["20200301000000","http://dead.example/page","404","text/html"]])";
  Result<std::vector<Memento>> parsed = ParseCdxJson(body, kPrefix);
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  ASSERT_EQ(parsed->size(), 2u);
  EXPECT_EQ((*parsed)[0].uri,
            "https://web.archive.org/web/20190501101010/"
            "http://dead.example/page");
  EXPECT_EQ((*parsed)[0].datetime_us, At("20190501101010"));
  EXPECT_EQ((*parsed)[0].status, 200);
  EXPECT_EQ((*parsed)[0].mime, "text/html");
  EXPECT_EQ((*parsed)[1].status, 404);
}

TEST(ParseCdxJsonTest, ColumnsAreFoundByTheHeaderNotByPosition) {
  std::string body = R"([["original","statuscode","timestamp"],
    ["http://a.example/","200","20190501000000"]])";
  Result<std::vector<Memento>> parsed = ParseCdxJson(body, kPrefix);
  ASSERT_TRUE(parsed.ok());
  ASSERT_EQ(parsed->size(), 1u);
  EXPECT_EQ((*parsed)[0].datetime_us, At("20190501000000"));
}

TEST(ParseCdxJsonTest, NoCapturesIsAnEmptyListNotAnError) {
  for (const char* body : {"", "  \n", "[]"}) {
    Result<std::vector<Memento>> parsed = ParseCdxJson(body, kPrefix);
    ASSERT_TRUE(parsed.ok()) << body;
    EXPECT_TRUE(parsed->empty());
  }
}

TEST(ParseCdxJsonTest, DamagedDocumentsAreErrors) {
  for (const char* body :
       {"[[\"timestamp\",\"original\"],", "{\"a\":1}", "not json",
        "[\"timestamp\"]", "[[\"urlkey\",\"digest\"]]"}) {
    EXPECT_FALSE(ParseCdxJson(body, kPrefix).ok()) << body;
  }
}

TEST(ParseCdxJsonTest, HostileRowsAreSkipped) {
  std::string body = R"json([["timestamp","original","statuscode"],
    ["2019050100000x","http://a.example/","200"],
    ["20191399000000","http://a.example/","200"],
    ["20190501000000","javascript:alert(1)","200"],
    ["20190501000000","http://a.example/\r\nX-Evil: 1","200"],
    ["20190501000000"],
    [1, 2, 3],
    "a row that is a string",
    ["2019","http://a.example/","200"],
    ["20190501000000","http://a.example/ok","2000"]])json";
  Result<std::vector<Memento>> parsed = ParseCdxJson(body, kPrefix);
  ASSERT_TRUE(parsed.ok());
  ASSERT_EQ(parsed->size(), 1u);
  EXPECT_EQ((*parsed)[0].status, -1);  // "2000" is no status: never chosen
}

TEST(ParseTimeTravelJsonTest, EveryListedMementoIsACandidate) {
  std::string body = R"({"original_uri":"http://dead.example/",
    "mementos":{
      "first":{"datetime":"2010-01-01T00:00:00Z",
               "uri":["https://web.archive.org/web/20100101000000/http://dead.example/"]},
      "closest":{"datetime":"2019-05-01T10:00:00Z",
               "uri":["https://web.archive.org/web/20190501100000/http://dead.example/",
                      "https://archive.example.net/20190501100000/http://dead.example/"]},
      "last":{"datetime":"2022-01-01T00:00:00Z",
               "uri":"https://web.archive.org/web/20220101000000/http://dead.example/"}}})";
  Result<std::vector<Memento>> parsed = ParseTimeTravelJson(body);
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  ASSERT_EQ(parsed->size(), 4u);
  EXPECT_EQ((*parsed)[1].datetime_us, At("20190501100000"));
  EXPECT_EQ((*parsed)[2].uri,
            "https://archive.example.net/20190501100000/http://dead.example/");
  EXPECT_EQ((*parsed)[1].status, 0);  // not listed: the fetch checks it
}

TEST(ParseTimeTravelJsonTest, NoMementosIsEmptyAndDamageIsAnError) {
  Result<std::vector<Memento>> none = ParseTimeTravelJson("{}");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  EXPECT_FALSE(ParseTimeTravelJson("{\"mementos\": [1]}").ok());
  EXPECT_FALSE(ParseTimeTravelJson("[]").ok());
  EXPECT_FALSE(ParseTimeTravelJson("{\"mementos\":").ok());
}

TEST(ParseTimeTravelJsonTest, BadEntriesAreSkipped) {
  std::string body = R"({"mementos":{
      "first":{"datetime":"2010-13-01T00:00:00Z","uri":["https://a/1"]},
      "prev":{"datetime":"yesterday","uri":["https://a/2"]},
      "closest":{"datetime":"2019-05-01T10:00:00Z","uri":[7, "ftp://a/3"]},
      "next":"not an object",
      "last":{"uri":["https://a/4"]}}})";
  Result<std::vector<Memento>> parsed = ParseTimeTravelJson(body);
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(parsed->empty());
}

TEST(ParseLinkTimeMapTest, MementoEntriesWithDatetimesAreRead) {
  std::string body =
      "<http://dead.example/>; rel=\"original\",\n"
      "<https://web.archive.org/web/timemap/link/http://dead.example/>; "
      "rel=\"self\"; type=\"application/link-format\"; from=\"Sat, 14 Jan "
      "2006 02:36:25 GMT\",\n"
      "<https://web.archive.org/web/20060114023625/http://dead.example/>; "
      "rel=\"first memento\"; datetime=\"Sat, 14 Jan 2006 02:36:25 GMT\",\n"
      "<https://web.archive.org/web/20190501100000/http://dead.example/>; "
      "rel=\"memento\"; datetime=\"Wed, 01 May 2019 10:00:00 GMT\"\n";
  Result<std::vector<Memento>> parsed = ParseLinkTimeMap(body);
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  ASSERT_EQ(parsed->size(), 2u);
  EXPECT_EQ((*parsed)[0].datetime_us, At("20060114023625"));
  EXPECT_EQ((*parsed)[1].uri,
            "https://web.archive.org/web/20190501100000/http://dead.example/");
}

TEST(ParseLinkTimeMapTest, DamagedEntriesAreSkippedAndGarbageIsAnError) {
  std::string body =
      "<https://a.example/1>; rel=\"memento\"; datetime=\"not a date\",\n"
      "<https://a.example/2>; rel=\"mementos\"; datetime=\"Wed, 01 May 2019 "
      "10:00:00 GMT\",\n"
      "<https://a.example/3; rel=\"memento\"";
  Result<std::vector<Memento>> parsed = ParseLinkTimeMap(body);
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(parsed->empty());
  EXPECT_FALSE(ParseLinkTimeMap("<html><body>oops").ok() &&
               !ParseLinkTimeMap("<html><body>oops")->empty());
  EXPECT_FALSE(ParseLinkTimeMap("just text").ok());
  EXPECT_TRUE(ParseLinkTimeMap("").ok());
}

TEST(DateFormsTest, HttpDatesRoundTrip) {
  std::optional<int64_t> at = ParseHttpDate("Fri, 24 Nov 2017 15:13:15 GMT");
  ASSERT_TRUE(at);
  EXPECT_EQ(*at, At("20171124151315"));
  EXPECT_EQ(FormatHttpDate(*at), "Fri, 24 Nov 2017 15:13:15 GMT");
  for (const char* bad :
       {"", "Fri, 24 Nov 2017 15:13:15 UTC", "Fri, 24 Foo 2017 15:13:15 GMT",
        "Fri, 31 Feb 2017 15:13:15 GMT", "Fri, 24 Nov 2017 25:13:15 GMT",
        "Fri, 24 Nov 2017 15:13:15 GMT\r\nX: y"}) {
    EXPECT_FALSE(ParseHttpDate(bad)) << bad;
  }
}

TEST(DateFormsTest, WaybackTimestampsMayBeShort) {
  EXPECT_EQ(ParseWaybackTimestamp("2019"), At("20190101000000"));
  EXPECT_EQ(ParseWaybackTimestamp("201905"), At("20190501000000"));
  EXPECT_FALSE(ParseWaybackTimestamp("201"));
  EXPECT_FALSE(ParseWaybackTimestamp("201905011010101"));
  EXPECT_FALSE(ParseWaybackTimestamp("2019-05"));
}

TEST(DateFormsTest, PostDatesFromFrontMatter) {
  EXPECT_EQ(ParsePostDate("2019-05-01"), At("20190501000000"));
  EXPECT_EQ(ParsePostDate("2019-05-01T10:20:30Z"), At("20190501102030"));
  EXPECT_EQ(ParsePostDate("2019-05-01 10:20:30 +0200"), At("20190501102030"));
  EXPECT_FALSE(ParsePostDate("May 1st"));
  EXPECT_FALSE(ParsePostDate(""));
  EXPECT_FALSE(ParsePostDate("2019-13-01"));
}

}  // namespace
}  // namespace rotguard
