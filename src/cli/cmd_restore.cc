// `rotguard restore PATH... --out DIR [--format dir|tar|zip] [--at TIME]`:
// offline copies of posts and the pages they cite (SPEC §8, §13 "restore
// layout"). Takes the store's shared lock.
#include <CLI/CLI.hpp>
#include <algorithm>
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
#include "rotguard/config.h"
#include "rotguard/restore.h"
#include "util/terminal_text.h"

namespace rotguard::cli {
namespace {

constexpr const char* kRestoreDescription =
    "Write offline copies of posts: the source with archived link and image "
    "URLs pointing at local files, an HTML rendering that opens offline, "
    "and every archived linked page with its requisites.";

constexpr const char* kRestoreFooter =
    "Layout (SPEC 13): index.html (posts, links, capture dates, links never\n"
    "captured); posts/<source path> (only the archived URLs' bytes changed)\n"
    "and posts/<source path>.html; assets/<host>/<path>[__<query-hash>].<ext>\n"
    "(pages as .../index.html, redirect chains collapsed to the final page);\n"
    "site/<path> for images the post names relative to the site. Restored\n"
    "HTML carries a CSP meta tag and loses subresources never captured.\n"
    "With --format tar|zip, --out is the archive file.\n"
    "TIME: 4-14 digits or RFC 3339; default: the latest 2xx capture.\n"
    "Bodies are decoded as they are written, never held whole in memory; a\n"
    "capture decoding past --max-decoded-size is skipped with a note.\n"
    "Pages and stylesheets over 8 MiB (decoded) are copied as archived,\n"
    "links not rewritten (a page gets the CSP meta tag in front).\n"
    "Exit: 0 written; 1 usage error or no store; 4 store locked; 5 I/O\n"
    "error.\n";

struct RestoreFlags {
  std::vector<std::string> paths;
  std::string out;
  std::string format = "dir";
  std::string at;
  std::string max_decoded;
};

int RunRestore(const RestoreFlags& flags, const GlobalOptions& global) {
  RestoreOptions options;
  for (const std::string& p : flags.paths) options.paths.emplace_back(p);
  options.out = flags.out;
  options.format = flags.format == "tar"   ? RestoreFormat::kTar
                   : flags.format == "zip" ? RestoreFormat::kZip
                                           : RestoreFormat::kDir;
  if (!flags.at.empty()) {
    Result<int64_t> at = ParseCaptureTime(flags.at);
    if (!at.ok()) throw CliError(kExitUsage, at.status().message());
    options.at_us = *at;
  }
  if (!flags.max_decoded.empty()) {
    Result<int64_t> size = ParseByteSize(flags.max_decoded);
    if (!size.ok()) {
      throw CliError(kExitUsage,
                     "--max-decoded-size: " + size.status().message());
    }
    options.max_decoded = static_cast<uint64_t>(*size);
  }
  std::unique_ptr<Store> store = OpenStoreOrThrow(global, LockMode::kShared);
  options.site_root = SiteRootOfStore(store->root());
  if (options.paths.empty()) {
    for (const std::string& p :
         DefaultContentPaths(store->config().site, options.site_root)) {
      options.paths.emplace_back(p);
    }
  }
  if (StderrIsTty() && global.verbosity >= 0) {
    ProgressSeconds();  // the ETA counts from here
    options.on_progress = [](int done, int total) {
      std::string eta = EtaText(ProgressSeconds(), done, total);
      eta.resize(std::max<size_t>(eta.size(), 14), ' ');
      std::cerr << "\rrestore: " << done << " / " << total << " posts" << eta
                << (done == total ? "\n" : "") << std::flush;
    };
  }
  Result<RestoreSummary> summary =
      Restore(store->manifest(), store->warc_dir(), store->config(), options);
  if (!summary.ok()) {
    const Status& s = summary.status();
    throw CliError(
        s.code() == ErrorCode::kInvalidArgument ? kExitUsage : kExitIoError,
        s.message());
  }
  if (global.verbosity >= 0) {
    for (const std::string& note : summary->notes) {
      std::cerr << "rotguard: note: " << TerminalSafe(note) << '\n';
    }
    std::cout << "restored " << summary->posts << " posts, " << summary->pages
              << " pages, " << summary->assets << " files; "
              << summary->not_captured << " links never captured -> "
              << TerminalSafe(flags.out) << '\n';
    if (summary->rendered_pages > 0) {
      std::cout << "restored " << summary->rendered_pages
                << " of the pages from the browser's rendered DOM\n";
    }
  }
  return kExitOk;
}

}  // namespace

void AddRestoreCommand(CLI::App& app, const GlobalOptions& global,
                       CommandResult& result) {
  auto flags = std::make_shared<RestoreFlags>();
  CLI::App* command = app.add_subcommand("restore", kRestoreDescription);
  command->footer(kRestoreFooter);
  command->add_option("PATH", flags->paths,
                      "posts or directories of posts (default: the store's "
                      "[site] content_dirs)");
  command->add_option("--out", flags->out, "output directory or archive file")
      ->required();
  command->add_option("--format", flags->format, "dir (default), tar or zip")
      ->check(CLI::IsMember({"dir", "tar", "zip"}));
  command->add_option("--at", flags->at,
                      "use the captures nearest TIME instead of the latest");
  command->add_option("--max-decoded-size", flags->max_decoded,
                      "skip (with a note) a capture whose payload decodes to "
                      "more than SIZE (binary suffixes: 512M, 2G); default: "
                      "1 GiB or 200 times its stored size, whichever is "
                      "larger");
  command->callback([flags, &global, &result] {
    result.exit_code = RunRestore(*flags, global);
  });
}

}  // namespace rotguard::cli
