// `rotguard report [--format table|json|csv|html] [--fail-on-dead] [-o FILE]`:
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
    "unreachable (no answer), soft-404, drifted, unchecked (never fetched).\n"
    "Formats:\n"
    "  table  aligned text per post (default; what cron mails)\n"
    "  json   one JSON document (--json is the same); keys in README\n"
    "  csv    RFC 4180, one row per link, with a header row\n"
    "  html   one self-contained page with counts and verdict filters\n"
    "Exit: 0 written; 1 usage error or no store; 2 with --fail-on-dead when\n"
    "a link is gone; 4 store locked; 5 I/O error or a damaged manifest (run\n"
    "'rotguard repair --rebuild-manifest').\n";

struct ReportFlags {
  std::string format = "table";
  bool fail_on_dead = false;
  std::string output;
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
                           const std::string& path) {
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
  Result<bool> dead =
      WriteReport(store.manifest(), store.config(), NowUnix(), format, write);
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

int RunReport(const ReportFlags& flags, const GlobalOptions& global) {
  const std::string format_name = global.json ? "json" : flags.format;
  std::optional<ReportFormat> format = ParseReportFormat(format_name);
  if (!format) {
    throw CliError(kExitUsage, "--format: unknown format '" + format_name +
                                   "' (table, json, csv or html)");
  }
  std::unique_ptr<Store> store = OpenStoreOrThrow(global, LockMode::kShared);
  ThrowIfManifestDamaged(*store);  // an all-ok report from bad pages lies
  Result<bool> dead = WriteReportTo(*store, *format, flags.output);
  if (!dead.ok()) {
    throw CliError(kExitIoError, dead.status().message());
  }
  if (flags.fail_on_dead && *dead) return kExitFetchFailed;
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
                   "table (default), json, csv or html")
      ->check(CLI::IsMember({"table", "json", "csv", "html"}));
  command->add_flag("--fail-on-dead", flags->fail_on_dead,
                    "exit 2 when any link is gone");
  command->add_option("-o,--output", flags->output,
                      "write the report to FILE (atomically) instead of "
                      "stdout");
  command->callback([flags, &global, &result] {
    result.exit_code = RunReport(*flags, global);
  });
}

}  // namespace rotguard::cli
