// The `fix` planner and rewriter (rotguard/fix.h): which replacement each
// moved or gone link gets, under each --to, with fake memento sources.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "rotguard/fix.h"
#include "unit/restore/fix_test_util.h"

namespace rotguard {
namespace {

using testing::FakeHealth;
using testing::FakeMementoSource;
using testing::LinksWithHealth;

constexpr const char* kGone = "https://gone.example/a";
constexpr const char* kMoved = "http://old.example/p";
constexpr const char* kMemento =
    "https://web.archive.org/web/20190501100000/https://gone.example/a";

class FixPlanTest : public ::testing::Test {
 protected:
  FixPlanTest() {
    public_.Add(kGone, {kMemento, "20190501100000", "web.archive.org"});
    health_[kGone] = {"gone", ""};
    health_[kMoved] = {"moved", "https://new.example/p"};
    health_["https://fine.example/"] = {"ok", ""};
  }

  std::vector<PlannedFix> Plan(const std::string& bytes, DocumentFormat format,
                               FixTarget target = FixTarget::kAuto,
                               bool with_local = false) {
    FixSources sources{&public_, with_local ? &local_ : nullptr};
    return PlanFixes(bytes, "2020-02-08T10:00:00+01:00",
                     LinksWithHealth(bytes, format, health_), target, sources);
  }

  std::string Fixed(const std::string& bytes, DocumentFormat format,
                    FixTarget target = FixTarget::kAuto,
                    bool with_local = false) {
    return ApplyFixes(bytes, Plan(bytes, format, target, with_local));
  }

  FakeMementoSource public_;
  FakeMementoSource local_;
  std::map<std::string, FakeHealth> health_;
};

TEST_F(FixPlanTest, MovedMarkdownLinkBecomesItsFinalUrl) {
  EXPECT_EQ(Fixed("See [old](http://old.example/p) now.\n",
                  DocumentFormat::kMarkdown),
            "See [old](https://new.example/p) now.\n");
}

TEST_F(FixPlanTest, GoneMarkdownLinkBecomesThePublicMemento) {
  std::vector<PlannedFix> plan =
      Plan("[a](https://gone.example/a)\n", DocumentFormat::kMarkdown);
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_EQ(plan[0].action, FixAction::kReplaced);
  EXPECT_EQ(plan[0].new_url, kMemento);
  EXPECT_EQ(ApplyFixes("[a](https://gone.example/a)\n", plan),
            std::string("[a](") + kMemento + ")\n");
}

TEST_F(FixPlanTest, SourceIsAskedWithThePostDate) {
  Plan("[a](https://gone.example/a)\n", DocumentFormat::kMarkdown);
  EXPECT_EQ(public_.last_post_date, "2020-02-08T10:00:00+01:00");
}

TEST_F(FixPlanTest, AutoFallsBackToTheLocalCopyWhenNoPublicOneExists) {
  health_["https://other.example/x"] = {"soft-404", ""};
  local_.Add("https://other.example/x",
             {"../restored/assets/other.example/x/index.html", "", "local"});
  EXPECT_EQ(Fixed("<https://other.example/x>\n", DocumentFormat::kMarkdown,
                  FixTarget::kAuto, true),
            "<../restored/assets/other.example/x/index.html>\n");
}

TEST_F(FixPlanTest, GoneLinkWithoutAnyCopyIsLeftAndSaysWhy) {
  health_["https://lost.example/"] = {"gone", ""};
  std::string post = "[l](https://lost.example/)\n";
  std::vector<PlannedFix> plan = Plan(post, DocumentFormat::kMarkdown);
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_EQ(plan[0].action, FixAction::kLeft);
  EXPECT_FALSE(plan[0].edit.has_value());
  EXPECT_NE(plan[0].why.find("no archived copy"), std::string::npos);
  EXPECT_EQ(ApplyFixes(post, plan), post);
}

TEST_F(FixPlanTest, ToLocalNeverUsesThePublicCopy) {
  std::vector<PlannedFix> plan =
      Plan("[a](https://gone.example/a)\n", DocumentFormat::kMarkdown,
           FixTarget::kLocal, true);
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_EQ(plan[0].action, FixAction::kLeft);
  EXPECT_EQ(public_.questions, 0);
}

TEST_F(FixPlanTest, ToFinalRewritesOnlyMovedLinks) {
  EXPECT_EQ(Fixed("[a](https://gone.example/a) [b](http://old.example/p)\n",
                  DocumentFormat::kMarkdown, FixTarget::kFinal),
            "[a](https://gone.example/a) [b](https://new.example/p)\n");
}

TEST_F(FixPlanTest, HealthyAndUnknownLinksAreNotPlanned) {
  EXPECT_TRUE(Plan("[f](https://fine.example/) [u](https://unknown.example/)\n",
                   DocumentFormat::kMarkdown)
                  .empty());
}

TEST_F(FixPlanTest, HtmlAnchorKeepsHrefAndGetsRobustLinksAttributes) {
  EXPECT_EQ(
      Fixed("<p><a href=\"https://gone.example/a\" class=\"x\">a</a></p>\n",
            DocumentFormat::kHtml),
      std::string("<p><a href=\"https://gone.example/a\" "
                  "data-originalurl=\"https://gone.example/a\" "
                  "data-versiondate=\"2020-02-08\" data-versionurl=\"") +
          kMemento + "\" class=\"x\">a</a></p>\n");
}

TEST_F(FixPlanTest, ToArchiveAlsoReplacesTheAnchorsHref) {
  EXPECT_EQ(Fixed("<a href='https://gone.example/a'>a</a>",
                  DocumentFormat::kHtml, FixTarget::kArchive),
            std::string("<a href='") + kMemento +
                "' data-originalurl=\"https://gone.example/a\" "
                "data-versiondate=\"2020-02-08\" data-versionurl=\"" +
                kMemento + "\">a</a>");
}

TEST_F(FixPlanTest, UnquotedHrefGetsAttributesAfterTheValue) {
  EXPECT_EQ(
      Fixed("<a href=https://gone.example/a>a</a>", DocumentFormat::kHtml),
      std::string("<a href=https://gone.example/a "
                  "data-originalurl=\"https://gone.example/a\" "
                  "data-versiondate=\"2020-02-08\" data-versionurl=\"") +
          kMemento + "\">a</a>");
}

TEST_F(FixPlanTest, RawHtmlAnchorInsideMarkdownGetsAttributes) {
  std::string fixed = Fixed("Text <a href=\"https://gone.example/a\">a</a>.\n",
                            DocumentFormat::kMarkdown);
  EXPECT_NE(fixed.find("<a href=\"https://gone.example/a\" "
                       "data-originalurl=\"https://gone.example/a\""),
            std::string::npos)
      << fixed;
}

TEST_F(FixPlanTest, LessThanInAnEarlierAttributeDoesNotHideTheAnchor) {
  std::string fixed =
      Fixed("<a title=\"a<b\" href=\"https://gone.example/a\">a</a>",
            DocumentFormat::kHtml);
  EXPECT_NE(fixed.find("data-versionurl"), std::string::npos) << fixed;
}

TEST_F(FixPlanTest, AnchorCarryingRobustLinksAttributesIsLeftAlone) {
  std::string once =
      Fixed("<a href=\"https://gone.example/a\">a</a>", DocumentFormat::kHtml);
  EXPECT_TRUE(Plan(once, DocumentFormat::kHtml).empty());
  EXPECT_TRUE(Plan("<a data-versionurl=\"x\" href=\"https://gone.example/a\">",
                   DocumentFormat::kHtml)
                  .empty());
}

TEST_F(FixPlanTest, SecondRunOverARewrittenMarkdownPostChangesNothing) {
  std::string post =
      "[a](https://gone.example/a) [b](http://old.example/p)\n"
      "![i](https://gone.example/a)\n";
  std::string once = Fixed(post, DocumentFormat::kMarkdown);
  ASSERT_NE(once, post);
  EXPECT_EQ(Fixed(once, DocumentFormat::kMarkdown), once);
}

TEST_F(FixPlanTest, ImagesPointAtTheRawImageMemento) {
  EXPECT_EQ(Fixed("![i](https://gone.example/a)\n", DocumentFormat::kMarkdown),
            "![i](https://web.archive.org/web/20190501100000im_/"
            "https://gone.example/a)\n");
}

TEST_F(FixPlanTest, ImgTagGetsTheMementoInItsSrcWithoutAttributes) {
  EXPECT_EQ(
      Fixed("<img src=\"https://gone.example/a\">", DocumentFormat::kHtml),
      "<img src=\"https://web.archive.org/web/20190501100000im_/"
      "https://gone.example/a\">");
}

TEST_F(FixPlanTest, UrlsWrittenIntoHtmlAttributesAreEscaped) {
  health_[kMoved] = {"moved", "https://new.example/p?a=1&b=\"2\""};
  EXPECT_EQ(
      Fixed("<a href=\"http://old.example/p\">x</a>", DocumentFormat::kHtml),
      "<a href=\"https://new.example/p?a=1&amp;b=&quot;2&quot;\">x</a>");
}

TEST_F(FixPlanTest, UrlsWrittenIntoMarkdownHaveSpacesEncoded) {
  health_[kMoved] = {"moved", "https://new.example/a b"};
  EXPECT_EQ(Fixed("[x](http://old.example/p)", DocumentFormat::kMarkdown),
            "[x](https://new.example/a%20b)");
}

TEST_F(FixPlanTest, MovedLinkWithoutFinalUrlIsLeft) {
  health_[kMoved] = {"moved", ""};
  std::vector<PlannedFix> plan =
      Plan("[x](http://old.example/p)", DocumentFormat::kMarkdown);
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_EQ(plan[0].action, FixAction::kLeft);
}

TEST_F(FixPlanTest, ShortcodeSpansAreNeverRewritten) {
  health_["https://www.youtube.com/embed/abc"] = {"gone", ""};
  std::string post = "{{< youtube abc >}}\n";
  std::vector<PlannedFix> plan = Plan(post, DocumentFormat::kMarkdown);
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_EQ(plan[0].action, FixAction::kLeft);
  EXPECT_EQ(ApplyFixes(post, plan), post);
}

TEST_F(FixPlanTest, IgnoredLinksAreNeverTouched) {
  std::string post = "<!-- rotguard-ignore -->\n[a](https://gone.example/a)\n";
  EXPECT_EQ(Fixed(post, DocumentFormat::kMarkdown), post);
}

TEST_F(FixPlanTest, StaleSpanThatNoLongerMatchesTheBytesIsSkipped) {
  std::string post = "[a](https://gone.example/a)\n";
  std::vector<FixLink> links =
      LinksWithHealth(post, DocumentFormat::kMarkdown, health_);
  ASSERT_EQ(links.size(), 1u);
  links[0].link.start += 1;
  links[0].link.end += 1;
  EXPECT_TRUE(PlanFixes(post, "", links, FixTarget::kAuto, {&public_, nullptr})
                  .empty());
}

TEST_F(FixPlanTest, VersionDateFallsBackToTheMementoDateWithoutPostDate) {
  std::string post = "<a href=\"https://gone.example/a\">a</a>";
  std::vector<PlannedFix> plan =
      PlanFixes(post, "", LinksWithHealth(post, DocumentFormat::kHtml, health_),
                FixTarget::kAuto, {&public_, nullptr});
  EXPECT_NE(ApplyFixes(post, plan).find("data-versiondate=\"2019-05-01\""),
            std::string::npos);
}

TEST(WaybackModifierTest, SetsReplacesOrLeavesTheModifier) {
  EXPECT_EQ(WithWaybackModifier("https://web.archive.org/web/20190501100000/"
                                "http://a.example/x",
                                "im_"),
            "https://web.archive.org/web/20190501100000im_/http://a.example/x");
  EXPECT_EQ(WithWaybackModifier("https://web.archive.org/web/20190501100000id_/"
                                "http://a.example/x",
                                ""),
            "https://web.archive.org/web/20190501100000/http://a.example/x");
  EXPECT_EQ(WithWaybackModifier("https://archive.ph/abc", "im_"),
            "https://archive.ph/abc");
  EXPECT_EQ(WithWaybackModifier("../assets/a/index.html", "im_"),
            "../assets/a/index.html");
}

TEST(FixTargetTest, ParsesTheFourNamesOnly) {
  EXPECT_EQ(ParseFixTarget("auto"), FixTarget::kAuto);
  EXPECT_EQ(ParseFixTarget("archive"), FixTarget::kArchive);
  EXPECT_EQ(ParseFixTarget("local"), FixTarget::kLocal);
  EXPECT_EQ(ParseFixTarget("final"), FixTarget::kFinal);
  EXPECT_EQ(ParseFixTarget("public"), std::nullopt);
}

TEST(UnifiedDiffTest, EqualTextsGiveNoDiff) {
  EXPECT_EQ(UnifiedDiff("a.md", "x\n", "x\n"), "");
}

TEST(UnifiedDiffTest, OneChangedLineWithThreeLinesOfContext) {
  std::string before = "1\n2\n3\n4\n5\n6\n7\n";
  std::string after = "1\n2\n3\nfour\n5\n6\n7\n";
  EXPECT_EQ(UnifiedDiff("p/a.md", before, after),
            "--- a/p/a.md\n+++ b/p/a.md\n@@ -1,7 +1,7 @@\n 1\n 2\n 3\n-4\n"
            "+four\n 5\n 6\n 7\n");
}

TEST(UnifiedDiffTest, FarApartChangesGetTwoHunks) {
  std::string before, after;
  for (int i = 1; i <= 20; ++i) {
    before += std::to_string(i) + "\n";
    after += (i == 2 || i == 18 ? "x" : std::to_string(i)) + "\n";
  }
  std::string diff = UnifiedDiff("a", before, after);
  EXPECT_NE(diff.find("@@ -1,5 +1,5 @@"), std::string::npos) << diff;
  EXPECT_NE(diff.find("@@ -15,6 +15,6 @@"), std::string::npos) << diff;
}

TEST(UnifiedDiffTest, LastLineWithoutNewlineIsMarked) {
  EXPECT_EQ(UnifiedDiff("a", "x\ny", "x\nz"),
            "--- a/a\n+++ b/a\n@@ -1,2 +1,2 @@\n x\n-y\n\\ No newline at end "
            "of file\n+z\n\\ No newline at end of file\n");
}

}  // namespace
}  // namespace rotguard
