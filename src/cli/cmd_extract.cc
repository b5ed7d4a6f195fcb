// `rotguard extract URL [--at TIME] [-o FILE]`: the archived payload of one
// URL (SPEC §3, §13 "restore layout"), redirect chain followed, revisits
// resolved, content coding decoded. Takes the store's shared lock.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/store_access.h"
#include "rotguard/config.h"
#include "rotguard/copy_choice.h"
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
    "The payload is decoded as it is written, never held whole in memory;\n"
    "past --max-decoded-size it stops with \"URL: decoded body larger than\n"
    "N bytes\" (stdout may have received a prefix; -o FILE is left as it\n"
    "was). A truncated capture (WARC-Truncated) is written as far as it\n"
    "goes, with a warning on stderr.\n"
    "Exit: 0 written; 1 usage error, no store, no capture of URL\n"
    "(\"URL: no capture in the store\"), or -o FILE is a symbolic link\n"
    "without --follow-symlink; 3 the stored bytes cannot be\n"
    "decoded or decode past --max-decoded-size; 4 store locked; 5 I/O\n"
    "error.\n";

struct ExtractFlags {
  std::string url;
  std::string at;
  std::string output;
  bool raw = false;
  bool follow_symlink = false;
  std::string max_decoded;
};

// Where the payload goes: stdout, or -o FILE opened before any byte is
// decoded (OutputFile: a regular file published only once the whole
// payload decoded, a device or FIFO written in place, a symbolic link
// only with --follow-symlink).
class ExtractOutput {
 public:
  explicit ExtractOutput(const ExtractFlags& flags) {
    if (flags.output.empty() || flags.output == "-") return;
    Result<OutputFile> opened = OutputFile::Open(
        flags.output,
        flags.follow_symlink ? SymlinkPolicy::kFollow : SymlinkPolicy::kRefuse);
    if (opened.status().code() == ErrorCode::kInvalidArgument) {
      throw CliError(kExitUsage,
                     opened.status().message() +
                         (flags.follow_symlink
                              ? ""
                              : "; not writing through it (--follow-symlink "
                                "writes to its target)"));
    }
    if (!opened.ok()) throw CliError(kExitIoError, opened.status().message());
    file_.emplace(std::move(opened).value());
  }

  Status Write(std::string_view bytes) {
    if (file_) return file_->Write(bytes);
    std::cout.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return std::cout ? Status::Ok() : Status::IOError("writing stdout failed");
  }

  Status Finish() {
    if (file_) return file_->Commit();
    std::cout.flush();
    return std::cout ? Status::Ok() : Status::IOError("writing stdout failed");
  }

 private:
  std::optional<OutputFile> file_;
};

// The exit code of a payload that could not be written (SPEC §3): the
// stored bytes cannot be decoded, or decode past --max-decoded-size, is an
// integrity-class failure (3); writing the output is an I/O error (5).
int PayloadExitCode(const Status& s) {
  switch (s.code()) {
    case ErrorCode::kCorruption:
    case ErrorCode::kNotSupported:
    case ErrorCode::kResourceExhausted:
      return kExitIntegrity;
    default:
      return ExitCodeFor(s);
  }
}

uint64_t MaxDecodedFlag(const std::string& text) {
  if (text.empty()) return 0;
  Result<int64_t> size = ParseByteSize(text);
  if (!size.ok()) {
    throw CliError(kExitUsage,
                   "--max-decoded-size: " + size.status().message());
  }
  return static_cast<uint64_t>(*size);
}

int RunExtract(const ExtractFlags& flags, const GlobalOptions& global) {
  std::optional<int64_t> at_us;
  if (!flags.at.empty()) {
    Result<int64_t> parsed = ParseCaptureTime(flags.at);
    if (!parsed.ok()) throw CliError(kExitUsage, parsed.status().message());
    at_us = *parsed;
  }
  PayloadReadOptions options;
  options.decode_content = !flags.raw;
  options.max_decoded = MaxDecodedFlag(flags.max_decoded);
  std::unique_ptr<Store> store = OpenStoreOrThrow(global, LockMode::kShared);
  Result<ResolvedCapture> resolved =
      ResolveCapture(store->manifest(), store->warc_dir(), flags.url, at_us);
  if (!resolved.ok()) ThrowIfError(resolved.status());
  ExtractOutput output(flags);
  Result<CapturePayload> payload = StreamCapturePayload(
      store->manifest(), store->warc_dir(), resolved->final_capture(), options,
      [&output](std::string_view bytes) { return output.Write(bytes); });
  if (!payload.ok()) {
    throw CliError(PayloadExitCode(payload.status()),
                   payload.status().message());
  }
  Status finished = output.Finish();
  if (!finished.ok()) throw CliError(kExitIoError, finished.message());
  if (!payload->truncated.empty() || resolved->final_capture().truncated) {
    std::cerr << "rotguard: warning: "
              << TerminalSafe(resolved->final_capture().url)
              << ": the capture is truncated (WARC-Truncated: "
              << (payload->truncated.empty() ? "yes"
                                             : TerminalSafe(payload->truncated))
              << "); the payload is incomplete\n";
  }
  const CaptureRow& first = resolved->hops.front();
  if (IsPublicArchiveCopy(first) && global.verbosity >= 0) {
    // Always say so: these bytes are not what rotguard fetched from the
    // link itself.
    std::cerr << "rotguard: note: copy from public archive "
              << TerminalSafe(CopyOrigin(first)) << ": "
              << TerminalSafe(first.url) << '\n';
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
  command->add_option("--max-decoded-size", flags->max_decoded,
                      "stop with an error when the payload decodes to more "
                      "than SIZE (binary suffixes: 512M, 2G); default: 1 GiB "
                      "or 200 times the stored size, whichever is larger");
  command->callback([flags, &global, &result] {
    result.exit_code = RunExtract(*flags, global);
  });
}

}  // namespace rotguard::cli
