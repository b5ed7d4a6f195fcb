// `rotguard report [--format table|json|csv|html] [--fail-on-dead]
// [--fail-on-thin] [-o FILE]`:
// link health per post, from the manifest alone (SPEC §3, §13 "Verdicts").
// Takes the store's shared lock.
#include <CLI/CLI.hpp>
#include <chrono>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/output.h"
#include "cli/store_access.h"
#include "rotguard/report.h"
#include "util/file.h"

namespace rotguard::cli {
namespace {

constexpr const char* kReportDescription =
    "Link health per post: each link's verdict, failure streak, last good "
    "answer and where its archived copy is (WARC file and offset). Reads "
    "the manifest only; no network.";

constexpr const char* kReportFooter =
    "Verdicts: ok, moved (301/308), redirected, rate-limited (429), blocked\n"
    "(403), server-error (5xx), failing (404/410/NXDOMAIN, streak below the\n"
    "gone threshold, or another 4xx), gone (3 such results >= 20 h apart),\n"
    "unreachable (no answer), soft-404, drifted, unchecked (never fetched),\n"
    "forgotten (taken down by 'rotguard forget': no copy, never fetched).\n"
    "Quality (of the newest own capture of an HTML page): full, thin (a\n"
    "JavaScript-only shell, or most requisites not captured), challenge (a\n"
    "bot challenge or consent wall), error-page; empty for other captures\n"
    "and for captures made before rotguard judged quality.\n"
    "Formats:\n"
    "  table  aligned text per post (default; what cron mails)\n"
    "  json   one JSON document (--json is the same); keys in README\n"
    "  csv    RFC 4180, one row per link, with a header row\n"
    "  html   one self-contained page with counts and verdict filters\n"
    "  md     Markdown summary and a table per post (for a PR or an issue)\n"
    "  junit  JUnit XML for CI: a testsuite per post, a testcase per link,\n"
    "         failing/gone/soft-404 fail, out-of-scope and unchecked skip\n"
    "--since LAST_RUN|DATE lists only links that became gone, moved,\n"
    "failing or recovered, got a public-archive copy, or are new since then\n"
    "(verdict history is kept from schema v10 on).\n"
    "Exit: 0 written; 1 usage error or no store; 2 with --fail-on-dead when\n"
    "a link is gone, with --fail-on-thin when a link's quality is thin or\n"
    "challenge; 4 store locked; 5 I/O error or a damaged manifest (run\n"
    "'rotguard repair --rebuild-manifest').\n";

struct ReportFlags {
  std::string format = "table";
  bool fail_on_dead = false;
  bool fail_on_thin = false;
  std::string output;
  std::string since;  // "", LAST_RUN or a date
};

int64_t NowUnix() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Writes the report as it is rendered: to stdout, or through OutputFile:
// a regular file to a temporary next to `path` renamed over it once
// complete (a failed report leaves the old file as it was), a device or
// FIFO (/dev/null) in place, a symbolic link's target. A manifest error names
// the manifest; an output error stands alone, as it did when the report was
// written in one piece.
Result<bool> WriteReportTo(Store& store, ReportFormat format,
                           const ReportOptions& options,
                           const std::string& path, bool* has_thin) {
  std::optional<OutputFile> file;
  if (!path.empty() && path != "-") {
    Result<OutputFile> created = OutputFile::Open(path, SymlinkPolicy::kFollow);
    if (!created.ok()) return created.status();
    file.emplace(std::move(*created));
  }
  bool output_failed = false;
  const ReportWriteFn write = [&](std::string_view bytes) {
    Status status = Status::Ok();
    if (file) {
      status = file->Write(bytes);
    } else {
      std::cout.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
      if (!std::cout) status = Status::IOError("writing stdout failed");
    }
    output_failed = !status.ok();
    return status;
  };
  Result<bool> dead = WriteReport(store.manifest(), store.config(), NowUnix(),
                                  format, options, write, has_thin);
  if (!dead.ok()) {
    if (output_failed) return dead;
    return Status::IOError(store.manifest_location() + ": " +
                           dead.status().message());
  }
  if (file) {
    ROTGUARD_RETURN_IF_ERROR(file->Commit());
  } else {
    std::cout.flush();
    if (!std::cout) return Status::IOError("writing stdout failed");
  }
  return dead;
}

// --since LAST_RUN: the start of the newest archive run (so the cron mail
// after `rotguard archive` tells what that run changed); with no run yet,
// every link is new. Otherwise a date or time (ParseReportSince).
ReportOptions OptionsOf(const ReportFlags& flags, Store& store) {
  ReportOptions options;
  if (flags.since.empty()) return options;
  if (flags.since == "LAST_RUN") {
    Result<std::optional<int64_t>> start =
        LastArchiveRunStart(store.manifest());
    if (!start.ok()) {
      throw CliError(kExitIoError, store.manifest_path().string() + ": " +
                                       start.status().message());
    }
    options.since_unix = start->value_or(0);
    return options;
  }
  options.since_unix = ParseReportSince(flags.since);
  return options;
}

int RunReport(const ReportFlags& flags, const GlobalOptions& global) {
  const std::string format_name = global.json ? "json" : flags.format;
  std::optional<ReportFormat> format = ParseReportFormat(format_name);
  if (!format) {
    throw CliError(kExitUsage, "--format: unknown format '" + format_name +
                                   "' (table, json, csv, html, md or junit)");
  }
  if (!flags.since.empty() && flags.since != "LAST_RUN" &&
      !ParseReportSince(flags.since)) {
    throw CliError(kExitUsage, "--since: '" + flags.since +
                                   "' is neither LAST_RUN nor a date "
                                   "(2026-01-31 or 2026-01-31T08:00:00Z)");
  }
  std::unique_ptr<Store> store = OpenStoreOrThrow(global, LockMode::kShared);
  ThrowIfManifestDamaged(*store);  // an all-ok report from bad pages lies
  ReportOptions options = OptionsOf(flags, *store);
  // Colour only in the table, and (auto) only on a terminal.
  const bool to_stdout = flags.output.empty() || flags.output == "-";
  options.color = *format == ReportFormat::kTable &&
                  (to_stdout ? StdoutColor() : FileColor());
  // Only the HTML report shows browser captures' thumbnails.
  if (*format == ReportFormat::kHtml) options.warc_dir = store->warc_dir();
  bool thin = false;
  Result<bool> dead =
      WriteReportTo(*store, *format, options, flags.output, &thin);
  if (!dead.ok()) {
    throw CliError(kExitIoError, dead.status().message());
  }
  if (flags.fail_on_dead && *dead) return kExitFetchFailed;
  if (flags.fail_on_thin && thin) return kExitFetchFailed;
  return kExitOk;
}

}  // namespace

void AddReportCommand(CLI::App& app, const GlobalOptions& global,
                      CommandResult& result) {
  auto flags = std::make_shared<ReportFlags>();
  CLI::App* command = app.add_subcommand("report", kReportDescription);
  command->footer(kReportFooter);
  command
      ->add_option("--format", flags->format,
                   "table (default), json, csv, html, md or junit")
      ->check(CLI::IsMember({"table", "json", "csv", "html", "md", "junit"}));
  command->add_flag("--fail-on-dead", flags->fail_on_dead,
                    "exit 2 when any link is gone");
  command->add_flag("--fail-on-thin", flags->fail_on_thin,
                    "exit 2 when the newest own capture of any link is thin "
                    "or a challenge page");
  command->add_option("--since", flags->since,
                      "list only what changed since LAST_RUN (the start of "
                      "the newest archive run) or a date/time (2026-01-31, "
                      "2026-01-31T08:00:00Z)");
  command->add_option("-o,--output", flags->output,
                      "write the report to FILE (atomically) instead of "
                      "stdout");
  command->callback([flags, &global, &result] {
    result.exit_code = RunReport(*flags, global);
  });
}

}  // namespace rotguard::cli
