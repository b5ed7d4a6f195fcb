// `report --format md` and `--format junit`: Markdown that shows hostile
// URLs and titles as written without breaking its tables, and JUnit XML
// with one testsuite per post and one testcase per link.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "rotguard/config.h"
#include "rotguard/manifest.h"
#include "rotguard/report.h"
#include "unit/temp_dir.h"
#include "verify/report_format.h"

namespace rotguard {
namespace {

using testing::TempDir;

constexpr int64_t kNow = 1'767'225'600;  // 2026-01-01T00:00:00Z

TEST(MarkdownEscapeTest, InlineMarkupAndCellBreaksAreEscaped) {
  EXPECT_EQ(MarkdownEscape("a|b"), "a\\|b");
  EXPECT_EQ(MarkdownEscape("*x* _y_ `z` [l](u) <b> ~s~ $m$ &amp; \\"),
            "\\*x\\* \\_y\\_ \\`z\\` \\[l\\](u) \\<b\\> \\~s\\~ \\$m\\$ "
            "\\&amp; \\\\");
}

TEST(MarkdownEscapeTest, ALineBreakCannotEndTheRow) {
  EXPECT_EQ(MarkdownEscape("a\nb\r|"), "a%0Ab%0D\\|");
}

TEST(MarkdownEscapeTest, PlainUrlsReadAsWritten) {
  EXPECT_EQ(MarkdownEscape("https://example.com/a-b.c?d=1#e"),
            "https://example.com/a-b.c?d=1#e");
}

LinkRow Link(const std::string& url, int line, int64_t start) {
  LinkRow link;
  link.kind = "link";
  link.written = url;
  link.url = url;
  link.normalized = url;
  link.line = line;
  link.column = 1;
  link.start = start;
  link.end = start + static_cast<int64_t>(url.size());
  return link;
}

// One post holding a gone link whose URL has a pipe and markup in it, a
// failing one, an ok one, one outside [scope] and one never checked; a
// second post titled with markup and no links.
class ReportMdJunitTest : public ::testing::Test {
 protected:
  static constexpr const char* kGone = "https://a.example/x|y*z_<b>";
  static constexpr const char* kFailing = "https://a.example/failing";
  static constexpr const char* kOk = "https://a.example/ok";
  static constexpr const char* kExcluded = "https://private.example/p";
  static constexpr const char* kNever = "https://a.example/never";

  void SetUp() override {
    auto opened = OpenManifest((dir_.path() / "m.sqlite3").string());
    ASSERT_TRUE(opened.ok()) << opened.status().message();
    manifest_ = std::move(*opened);
    DocumentRow post;
    post.path = "content/a.md";
    post.sha256 = "00";
    post.title = "Pipes | and *stars*";
    post.date = "2020-02-08";
    ASSERT_TRUE(
        manifest_
            ->RecordScan(post, {Link(kGone, 1, 0), Link(kFailing, 2, 50),
                                Link(kOk, 3, 100), Link(kExcluded, 4, 150),
                                Link(kNever, 5, 200)})
            .ok());
    DocumentRow empty;
    empty.path = "content/<empty>.md";
    empty.sha256 = "01";
    ASSERT_TRUE(manifest_->RecordScan(empty, {}).ok());
    SetVerdict(kGone, "gone", 3, "http-404");
    SetVerdict(kFailing, "failing", 1, "http-404");
    SetVerdict(kOk, "ok", 0, "");
    SetVerdict(kExcluded, "ok", 0, "");
    config_.scope.exclude_hosts = {"private.example"};
  }

  void SetVerdict(const std::string& url, const std::string& verdict,
                  int failures, const std::string& failure_class) {
    auto row = manifest_->FindUrl(url);
    ASSERT_TRUE(row.ok() && row->has_value()) << url;
    UrlRow health = **row;
    health.verdict = verdict;
    health.consecutive_failures = failures;
    health.failure_class = failure_class;
    ASSERT_TRUE(manifest_->UpdateUrlHealth(health).ok());
  }

  Report Build() {
    auto report = BuildReport(*manifest_, config_, kNow);
    EXPECT_TRUE(report.ok()) << report.status().message();
    return report.ok() ? std::move(*report) : Report{};
  }

  TempDir dir_;
  std::unique_ptr<Manifest> manifest_;
  Config config_;
};

// The rows of the Markdown table, split on unescaped pipes.
std::vector<std::string> CellsOf(const std::string& row) {
  std::vector<std::string> cells;
  std::string cell;
  for (size_t i = 1; i < row.size(); ++i) {
    if (row[i] == '\\' && i + 1 < row.size()) {
      cell += row.substr(i, 2);
      ++i;
    } else if (row[i] == '|') {
      cells.push_back(cell);
      cell.clear();
    } else {
      cell += row[i];
    }
  }
  return cells;
}

TEST_F(ReportMdJunitTest, MarkdownHasASummaryAndATablePerPost) {
  const std::string md = RenderReportMarkdown(Build());
  EXPECT_EQ(md.rfind("# rotguard link report\n", 0), 0u) << md;
  EXPECT_NE(md.find("| gone | 1 |\n"), std::string::npos) << md;
  EXPECT_NE(md.find("\n## content/a.md — Pipes \\| and \\*stars\\* "
                    "(2020-02-08)\n"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("\n## content/\\<empty\\>.md\n\nNo links.\n"),
            std::string::npos)
      << md;
}

TEST_F(ReportMdJunitTest, MarkdownRowsKeepTheirColumnsWhateverTheUrl) {
  const std::string md = RenderReportMarkdown(Build());
  const size_t start = md.find("| 1:1 |");
  ASSERT_NE(start, std::string::npos) << md;
  const std::string row = md.substr(start, md.find('\n', start) - start);
  const std::vector<std::string> cells = CellsOf(row);
  ASSERT_EQ(cells.size(), 9u) << row;
  EXPECT_EQ(cells[2], " **gone** ");
  // The text escaped, the destination percent-encoded inside <...>.
  EXPECT_EQ(cells[6],
            " [https://a.example/x\\|y\\*z\\_\\<b\\>]"
            "(<https://a.example/x%7Cy*z_%3Cb%3E>) ");
}

// Markdown has the same quality and public-copy columns as the table,
// JSON, CSV and HTML formats: a dash when there is none.
TEST_F(ReportMdJunitTest, MarkdownRowsShowQualityAndPublicCopy) {
  Report report = Build();
  std::vector<ReportLink>& links = report.documents[1].links;
  links[0].quality = "thin";
  links[0].public_copy = ReportPublicCopy{"error", "", 0, "blocked"};
  links[2].quality = "full";
  links[2].public_copy = ReportPublicCopy{
      "success", "https://web.archive.org/web/2026/https://a.example/ok", 1,
      ""};
  const std::string md = RenderReportMarkdown(report);
  EXPECT_NE(md.find("| line:col | kind | verdict | quality | fails | last ok "
                    "| link | archived copy | public copy |\n"),
            std::string::npos)
      << md;
  std::vector<std::vector<std::string>> rows;
  for (const char* place : {"| 1:1 |", "| 3:1 |", "| 5:1 |"}) {
    const size_t start = md.find(place);
    ASSERT_NE(start, std::string::npos) << md;
    rows.push_back(CellsOf(md.substr(start, md.find('\n', start) - start)));
    ASSERT_EQ(rows.back().size(), 9u) << md;
  }
  EXPECT_EQ(rows[0][3], " thin ");
  EXPECT_EQ(rows[0][8], " error ");
  EXPECT_EQ(rows[1][3], " full ");
  EXPECT_EQ(rows[1][8],
            " https://web.archive.org/web/2026/https://a.example/ok ");
  EXPECT_EQ(rows[2][3], " - ");
  EXPECT_EQ(rows[2][8], " - ");
}

// JUnit carries them as testcase properties, on passing and failing
// cases alike; a case with neither keeps its short form.
TEST_F(ReportMdJunitTest, JunitCasesCarryQualityAndPublicCopyAsProperties) {
  Report report = Build();
  std::vector<ReportLink>& links = report.documents[1].links;
  links[0].quality = "challenge";
  links[2].quality = "full";
  links[2].public_copy = ReportPublicCopy{
      "success", "https://web.archive.org/web/2026/https://a.example/ok", 1,
      ""};
  const std::string xml = RenderReportJunit(report);
  EXPECT_NE(xml.find(R"(name="1:1 https://a.example/x|y*z_&lt;b&gt;" time="0">
      <properties>
        <property name="quality" value="challenge"/>
      </properties>
      <failure type="gone")"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find(R"(name="3:1 https://a.example/ok" time="0">
      <properties>
        <property name="quality" value="full"/>
        <property name="public-copy" value="https://web.archive.org/web/2026/https://a.example/ok"/>
      </properties>
    </testcase>
)"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find(R"(name="2:1 https://a.example/failing" time="0">
      <failure)"),
            std::string::npos)
      << xml;
}

// The whole document for the fixture: the layout JUnit readers expect
// (testsuites > testsuite > testcase > failure | skipped), counts on
// every suite, names and messages escaped. tests/integration/report_formats.sh
// also validates a real one against a JUnit XSD with xmllint.
TEST_F(ReportMdJunitTest, JunitHasASuitePerPostAndACasePerLink) {
  EXPECT_EQ(RenderReportJunit(Build()),
            R"(<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="rotguard links" tests="5" failures="2" errors="0" skipped="2" time="0">
  <testsuite name="content/&lt;empty&gt;.md" tests="0" failures="0" errors="0" skipped="0" time="0" timestamp="2026-01-01T00:00:00"/>
  <testsuite name="content/a.md" tests="5" failures="2" errors="0" skipped="2" time="0" timestamp="2026-01-01T00:00:00">
    <testcase classname="content/a.md" name="1:1 https://a.example/x|y*z_&lt;b&gt;" time="0">
      <failure type="gone" message="gone (http-404, 3 in a row); no archived copy">https://a.example/x|y*z_&lt;b&gt;</failure>
    </testcase>
    <testcase classname="content/a.md" name="2:1 https://a.example/failing" time="0">
      <failure type="failing" message="failing (http-404, 1 in a row); no archived copy">https://a.example/failing</failure>
    </testcase>
    <testcase classname="content/a.md" name="3:1 https://a.example/ok" time="0"/>
    <testcase classname="content/a.md" name="4:1 https://private.example/p" time="0">
      <skipped message="outside [scope]: not archived"/>
    </testcase>
    <testcase classname="content/a.md" name="5:1 https://a.example/never" time="0">
      <skipped message="not checked yet"/>
    </testcase>
  </testsuite>
</testsuites>
)");
}

TEST_F(ReportMdJunitTest, JunitEscapesMarkupAndDropsBytesXmlForbids) {
  Report report = Build();
  report.documents[1].links[2].url = "https://a.example/\x01\xff\"&'";
  report.documents[1].links[2].written = "\x1b[31m";
  const std::string xml = RenderReportJunit(report);
  EXPECT_NE(xml.find("name=\"3:1 https://a.example/%01%FF&quot;&amp;&#39;\""),
            std::string::npos)
      << xml;
  EXPECT_EQ(xml.find('\x1b'), std::string::npos);
  EXPECT_EQ(xml.find('\x01'), std::string::npos);
}

}  // namespace
}  // namespace rotguard
