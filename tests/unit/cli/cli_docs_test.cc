// The man page and completions come from the CLI11 tree (cli/cli_docs.h).
#include "cli/cli_docs.h"

#include <gtest/gtest.h>

#include <CLI/CLI.hpp>
#include <string>

namespace rotguard::cli {
namespace {

TEST(RoffEscapeTest, BackslashesHyphensAndLeadingDotsCannotBecomeRoff) {
  EXPECT_EQ(RoffEscape("--store"), "\\-\\-store");
  EXPECT_EQ(RoffEscape("a\\b"), "a\\eb");
  EXPECT_EQ(RoffEscape(".TH x\n'y\nz.w"), "\\&.TH x\n\\&'y\nz.w");
}

// A small tree: one hidden option and one hidden command stay out of the
// page; a value option shows its type, a repeatable one its '*' in zsh.
class SmallApp : public testing::Test {
 protected:
  void SetUp() override {
    app_.description("rotguard: does things");
    app_.add_flag("--json", flag_, "JSON out");
    app_.add_option("--secret", text_, "hidden")->group("");
    CLI::App* scan = app_.add_subcommand("scan", "Scan posts");
    scan->add_option("--exclude", list_, "drop [matches]: regex");
    scan->add_option("PATH", list_, "what to scan")->required();
    app_.add_subcommand("plumbing", "not for users")->group("");
  }
  CLI::App app_;
  bool flag_ = false;
  std::string text_;
  std::vector<std::string> list_;
};

TEST_F(SmallApp, ManPageHasEveryVisibleCommandAndOptionAndNoHiddenOne) {
  std::string page = ManPage(app_, "1.2", "Long text.\n\nMore.");
  EXPECT_NE(page.find(".TH ROTGUARD 1 \"\" \"rotguard 1.2\""),
            std::string::npos);
  EXPECT_NE(page.find("rotguard \\- does things"), std::string::npos);
  EXPECT_NE(page.find("Long text.\n.PP\nMore."), std::string::npos);
  EXPECT_NE(page.find(".SS \"scan\""), std::string::npos);
  EXPECT_NE(page.find("\\fB\\-\\-exclude\\fR \\fITEXT\\fR"), std::string::npos);
  EXPECT_NE(page.find("\\fB\\-\\-json\\fR\n"), std::string::npos);
  EXPECT_NE(page.find(" \\fIPATH\\fR..."), std::string::npos);
  EXPECT_EQ(page.find("secret"), std::string::npos);
  EXPECT_EQ(page.find("plumbing"), std::string::npos);
}

TEST_F(SmallApp, CompletionsOfferCommandsAndQuoteDescriptions) {
  std::string bash = BashCompletion(app_);
  EXPECT_NE(bash.find("local commands='scan'"), std::string::npos);
  EXPECT_NE(bash.find("valued='--exclude'"), std::string::npos);
  std::string zsh = ZshCompletion(app_);
  EXPECT_NE(zsh.find("'*--exclude=[drop \\[matches\\]\\: regex]:value:_files'"),
            std::string::npos);
  std::string fish = FishCompletion(app_);
  EXPECT_NE(fish.find("-a scan -d 'Scan posts'"), std::string::npos);
  EXPECT_NE(fish.find("-l exclude -r -F -d 'drop [matches]: regex'"),
            std::string::npos);
  EXPECT_EQ(bash.find("secret"), std::string::npos);
  EXPECT_EQ(fish.find("plumbing"), std::string::npos);
}

}  // namespace
}  // namespace rotguard::cli
