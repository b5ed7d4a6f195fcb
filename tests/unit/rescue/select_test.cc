// Choosing the public-archive capture nearest a post's date
// (rotguard/rescue.h RankMementos, RawMementoUri).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "rotguard/rescue.h"

namespace rotguard {
namespace {

int64_t At(const char* digits14) { return *ParseWaybackTimestamp(digits14); }

Memento M(const char* ts, int status, const char* tag = "") {
  return Memento{std::string("https://web.archive.org/web/") + ts + "/" +
                     "http://example.com/" + tag,
                 At(ts), status, "text/html"};
}

std::vector<std::string> Uris(const std::vector<Memento>& ranked) {
  std::vector<std::string> out;
  for (const Memento& m : ranked) out.push_back(m.uri);
  return out;
}

TEST(RankMementosTest, NewestCaptureBeforeThePostDateComesFirst) {
  std::vector<Memento> listed = {M("20150101000000", 200),
                                 M("20190501000000", 200),
                                 M("20210101000000", 200)};
  std::vector<Memento> ranked = RankMementos(listed, At("20200101000000"));
  ASSERT_EQ(ranked.size(), 3u);
  EXPECT_EQ(ranked[0].uri, listed[1].uri);  // newest before
  EXPECT_EQ(ranked[1].uri, listed[0].uri);  // older before
  EXPECT_EQ(ranked[2].uri, listed[2].uri);  // after, last
}

TEST(RankMementosTest, OldestCaptureAfterThePostWhenNoneBefore) {
  std::vector<Memento> listed = {M("20230101000000", 200),
                                 M("20210101000000", 200)};
  std::vector<Memento> ranked = RankMementos(listed, At("20200101000000"));
  EXPECT_EQ(Uris(ranked),
            (std::vector<std::string>{listed[1].uri, listed[0].uri}));
}

TEST(RankMementosTest, ACaptureAtExactlyThePostDateCountsAsBefore) {
  std::vector<Memento> listed = {M("20200101000001", 200),
                                 M("20200101000000", 200)};
  std::vector<Memento> ranked = RankMementos(listed, At("20200101000000"));
  EXPECT_EQ(ranked.front().uri, listed[1].uri);
}

TEST(RankMementosTest, ErrorAndRedirectCapturesAreNeverChosen) {
  std::vector<Memento> listed = {
      M("20191231000000", 404), M("20191230000000", 302),
      M("20191229000000", 301), M("20191228000000", 500),
      M("20191227000000", -1),  // CDX "-" (a revisit or warc/revisit row)
      M("20100101000000", 200)};
  std::vector<Memento> ranked = RankMementos(listed, At("20200101000000"));
  EXPECT_EQ(Uris(ranked), (std::vector<std::string>{listed[5].uri}));
}

TEST(RankMementosTest, OnlyBadCapturesGiveNothing) {
  EXPECT_TRUE(
      RankMementos({M("20191231000000", 404)}, At("20200101000000")).empty());
  EXPECT_TRUE(RankMementos({}, At("20200101000000")).empty());
}

TEST(RankMementosTest, UnlistedStatusIsKeptForTheFetchToCheck) {
  std::vector<Memento> listed = {M("20190101000000", 0)};
  EXPECT_EQ(RankMementos(listed, At("20200101000000")).size(), 1u);
}

TEST(RankMementosTest, TiesPreferAListed200ThenTheArchivesOrder) {
  Memento unlisted = M("20190101000000", 0, "a");
  Memento listed_a = M("20190101000000", 200, "b");
  Memento listed_b = M("20190101000000", 200, "c");
  std::vector<Memento> ranked =
      RankMementos({unlisted, listed_a, listed_b}, At("20200101000000"));
  EXPECT_EQ(Uris(ranked), (std::vector<std::string>{listed_a.uri, listed_b.uri,
                                                    unlisted.uri}));
}

TEST(RankMementosTest, TheSameMementoListedTwiceCountsOnce) {
  Memento m = M("20190101000000", 200);
  EXPECT_EQ(RankMementos({m, m}, At("20200101000000")).size(), 1u);
}

TEST(RawMementoUriTest, WaybackMementosGetTheIdModifier) {
  EXPECT_EQ(
      RawMementoUri(
          "https://web.archive.org/web/20190501000000/http://a.example/x"),
      "https://web.archive.org/web/20190501000000id_/http://a.example/x");
  EXPECT_EQ(
      RawMementoUri("https://web.archive.org/web/20190501000000im_/http://a/x"),
      "https://web.archive.org/web/20190501000000id_/http://a/x");
  EXPECT_EQ(
      RawMementoUri("https://web.archive.org/web/20190501000000id_/http://a/x"),
      "https://web.archive.org/web/20190501000000id_/http://a/x");
}

TEST(RawMementoUriTest, OtherArchivesAndOddPathsAreLeftAlone) {
  EXPECT_EQ(RawMementoUri("https://archive.today/2019/http://a/x"),
            "https://archive.today/2019/http://a/x");
  EXPECT_EQ(RawMementoUri("https://web.archive.org/web/abc/http://a/x"),
            "https://web.archive.org/web/abc/http://a/x");
  EXPECT_EQ(RawMementoUri("https://web.archive.org/web/"),
            "https://web.archive.org/web/");
  EXPECT_EQ(RawMementoUri("https://web.archive.org/web/201/http://a/x"),
            "https://web.archive.org/web/201/http://a/x");
}

}  // namespace
}  // namespace rotguard
