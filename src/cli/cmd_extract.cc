// `rotguard extract URL [--at TIME] [-o FILE]`: the archived payload of one
// URL (SPEC §3, §13 "restore layout"), redirect chain followed, revisits
// resolved, content coding decoded. Takes the store's shared lock.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/store_access.h"
#include "rotguard/restore.h"
#include "util/file.h"
#include "util/terminal_text.h"

namespace rotguard::cli {
namespace {

constexpr const char* kExtractDescription =
    "Write the archived payload of URL: the latest 2xx capture (or the one "
    "nearest --at), its recorded redirect chain followed to the final page, "
    "a revisit replaced by its original, Content-Encoding (gzip, deflate, "
    "br) decoded.";

constexpr const char* kExtractFooter =
    "TIME: 4-14 digits (2020, 20200208, 20200208100000) or RFC 3339\n"
    "(2020-02-08T10:00:00Z).\n"
    "Exit: 0 written; 1 usage error, no store, no capture of URL\n"
    "(\"URL: no capture in the store\"), or -o FILE is a symbolic link\n"
    "without --follow-symlink; 3 the stored bytes cannot be\n"
    "decoded; 4 store locked; 5 I/O error.\n";

struct ExtractFlags {
  std::string url;
  std::string at;
  std::string output;
  bool raw = false;
  bool follow_symlink = false;
};

// -o FILE: see WriteOutputFile (a device or FIFO is written in place, a
// symbolic link only with --follow-symlink).
void WriteOutput(const ExtractFlags& flags, std::string_view bytes) {
  Status status = WriteOutputFile(
      flags.output, bytes,
      flags.follow_symlink ? SymlinkPolicy::kFollow : SymlinkPolicy::kRefuse);
  if (status.code() == ErrorCode::kInvalidArgument) {
    throw CliError(
        kExitUsage,
        status.message() + (flags.follow_symlink
                                ? ""
                                : "; not writing through it (--follow-symlink "
                                  "writes to its target)"));
  }
  if (!status.ok()) throw CliError(kExitIoError, status.message());
}

int RunExtract(const ExtractFlags& flags, const GlobalOptions& global) {
  std::optional<int64_t> at_us;
  if (!flags.at.empty()) {
    Result<int64_t> parsed = ParseCaptureTime(flags.at);
    if (!parsed.ok()) throw CliError(kExitUsage, parsed.status().message());
    at_us = *parsed;
  }
  std::unique_ptr<Store> store = OpenStoreOrThrow(global, LockMode::kShared);
  Result<ResolvedCapture> resolved =
      ResolveCapture(store->manifest(), store->warc_dir(), flags.url, at_us);
  if (!resolved.ok()) ThrowIfError(resolved.status());
  Result<CapturePayload> payload =
      ReadCapturePayload(store->manifest(), store->warc_dir(),
                         resolved->final_capture(), !flags.raw);
  if (!payload.ok()) {
    const Status& s = payload.status();
    throw CliError(s.code() == ErrorCode::kCorruption ||
                           s.code() == ErrorCode::kNotSupported
                       ? kExitIntegrity
                       : ExitCodeFor(s),
                   s.message());
  }
  if (flags.output.empty() || flags.output == "-") {
    std::cout.write(payload->bytes.data(),
                    static_cast<std::streamsize>(payload->bytes.size()));
    std::cout.flush();
    if (!std::cout) throw CliError(kExitIoError, "writing stdout failed");
  } else {
    WriteOutput(flags, payload->bytes);
  }
  if (global.verbosity > 0) {
    for (const CaptureRow& hop : resolved->hops) {
      std::cerr << "rotguard: " << hop.http_status << ' '
                << TerminalSafe(hop.url) << " (" << TerminalSafe(hop.warc_file)
                << ':' << hop.record_offset << ")\n";
    }
  }
  return kExitOk;
}

}  // namespace

void AddExtractCommand(CLI::App& app, const GlobalOptions& global,
                       CommandResult& result) {
  auto flags = std::make_shared<ExtractFlags>();
  CLI::App* command = app.add_subcommand("extract", kExtractDescription);
  command->footer(kExtractFooter);
  command->add_option("URL", flags->url, "the archived URL")->required();
  command->add_option("--at", flags->at,
                      "the capture nearest TIME instead of the latest 2xx");
  command->add_option("-o,--output", flags->output,
                      "write to FILE instead of stdout: a regular file is "
                      "replaced atomically, a device or FIFO written in "
                      "place; a symbolic link is refused");
  command->add_flag("--follow-symlink", flags->follow_symlink,
                    "with -o: write to the target of a symbolic link FILE");
  command->add_flag("--raw", flags->raw,
                    "keep the Content-Encoding as stored (no decoding)");
  command->callback([flags, &global, &result] {
    result.exit_code = RunExtract(*flags, global);
  });
}

}  // namespace rotguard::cli
