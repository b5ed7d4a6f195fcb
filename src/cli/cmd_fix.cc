// `rotguard fix PATH... [--dry-run] [--to auto|archive|local|final]
// [--force]`: rewrites moved and gone links in the post sources (SPEC §8,
// issue #15 item 3). Takes the store's shared lock; writes only posts.
#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/output.h"
#include "cli/store_access.h"
#include "rotguard/fix.h"
#include "util/terminal_text.h"

namespace rotguard::cli {
namespace {

constexpr const char* kFixDescription =
    "Rewrite links in the post sources: moved links (301/308 to a healthy "
    "page) to their final URL, gone and soft-404 links to an archived "
    "copy. Only those links' bytes change.";

constexpr const char* kFixFooter =
    "--to (what a gone or soft-404 link becomes; moved links always get\n"
    "their final URL):\n"
    "  auto     an HTML <a> keeps its href and gets Robust Links attributes\n"
    "           (data-originalurl, data-versiondate = the post's date,\n"
    "           data-versionurl = the copy); any other link (Markdown\n"
    "           syntax, images, front matter) gets the public-archive copy,\n"
    "           else the restored copy (--local-root), else is left as is\n"
    "  archive  the public-archive copy (an <a> also gets the attributes)\n"
    "  local    the restored copy under --local-root (likewise)\n"
    "  final    only moved links are rewritten\n"
    "Restored copies: --local-root DIR is the directory 'rotguard restore\n"
    "--out DIR' wrote; a link points at DIR/assets/... relative to the post,\n"
    "or at --local-url PREFIX + assets/... when DIR is published there.\n"
    "--dry-run prints a unified diff (git apply accepts it) and writes\n"
    "nothing. A post with uncommitted changes in a git work tree is refused\n"
    "unless --force. Links after <!-- rotguard-ignore --> are never touched;\n"
    "a link fixed before is left alone, so a second run changes nothing.\n"
    "Exit: 0 done; 1 usage error, no store, or uncommitted changes; 4 store\n"
    "locked; 5 I/O error.\n";

struct FixFlags {
  std::vector<std::string> paths;
  bool dry_run = false;
  bool force = false;
  std::string to = "auto";
  std::string local_root;
  std::string local_url;
};

std::string Describe(const FixedFile& file, const PlannedFix& fix) {
  std::string line = file.display_path + ":" + std::to_string(fix.link.line) +
                     ":" + std::to_string(fix.link.column) + " " + fix.verdict +
                     " " + fix.link.url;
  switch (fix.action) {
    case FixAction::kReplaced:
      return line + " -> " + fix.new_url;
    case FixAction::kRobustLink:
      return line + " -> " + fix.new_url + " (Robust Links attributes)";
    case FixAction::kLeft:
      break;
  }
  return line + ": left as is: " + fix.why;
}

void PrintSummary(const FixSummary& summary, bool dry_run, std::ostream& out) {
  int files = 0;
  for (const FixedFile& file : summary.files) files += file.changed ? 1 : 0;
  out << "fix: " << (dry_run ? "would rewrite " : "rewrote ")
      << summary.replaced << " links, " << (dry_run ? "would add " : "added ")
      << "Robust Links attributes to " << summary.robust << ", left "
      << summary.left << "; " << files << " of " << summary.files_scanned
      << " files " << (dry_run ? "would change" : "changed") << '\n';
}

int RunFix(const FixFlags& flags, const GlobalOptions& global) {
  FixOptions options;
  for (const std::string& p : flags.paths) options.paths.emplace_back(p);
  options.target = ParseFixTarget(flags.to).value_or(FixTarget::kAuto);
  options.dry_run = flags.dry_run;
  options.force = flags.force;
  options.local_root = flags.local_root;
  options.local_url = flags.local_url;
  if (options.target == FixTarget::kLocal && flags.local_root.empty()) {
    throw CliError(kExitUsage, "--to local needs --local-root DIR");
  }
  if (!flags.local_root.empty() &&
      !std::filesystem::is_directory(flags.local_root)) {
    throw CliError(kExitUsage,
                   "--local-root " + flags.local_root + ": not a directory");
  }
  std::unique_ptr<Store> store = OpenStoreOrThrow(global, LockMode::kShared);
  Result<FixSummary> summary =
      FixPosts(store->manifest(), store->warc_dir(), store->config(), options);
  ThrowIfError(summary.status());
  // With --dry-run stdout is the diff alone (for `| git apply`).
  std::ostream& report = flags.dry_run ? std::cerr : std::cout;
  for (const std::string& refused : summary->refused) {
    PrintWarning(refused);
  }
  for (const FixedFile& file : summary->files) {
    if (flags.dry_run) std::cout << file.diff;
    if (global.verbosity < 0) continue;
    for (const PlannedFix& fix : file.fixes) {
      report << TerminalSafe(Describe(file, fix)) << '\n';
    }
  }
  if (global.verbosity >= 0) PrintSummary(*summary, flags.dry_run, report);
  return kExitOk;
}

}  // namespace

void AddFixCommand(CLI::App& app, const GlobalOptions& global,
                   CommandResult& result) {
  auto flags = std::make_shared<FixFlags>();
  CLI::App* command = app.add_subcommand("fix", kFixDescription);
  command->footer(kFixFooter);
  command->add_option("PATH", flags->paths, "posts or directories of posts")
      ->required();
  command->add_flag("--dry-run", flags->dry_run,
                    "print a unified diff, change nothing");
  command->add_flag("--force", flags->force,
                    "also rewrite posts with uncommitted changes");
  command
      ->add_option("--to", flags->to, "auto (default), archive, local, final")
      ->check(CLI::IsMember({"auto", "archive", "local", "final"}));
  command->add_option("--local-root", flags->local_root,
                      "the directory 'rotguard restore --out' wrote");
  command->add_option("--local-url", flags->local_url,
                      "the URL where --local-root is published (default: a "
                      "path relative to each post)");
  command->callback(
      [flags, &global, &result] { result.exit_code = RunFix(*flags, global); });
}

}  // namespace rotguard::cli
