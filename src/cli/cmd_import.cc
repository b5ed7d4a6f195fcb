// `rotguard import WARC...`: copy foreign WARC and ARC files (e.g. wget's,
// the Internet Archive's) into the store and index them (SPEC §3, §13).
// Creates a missing store; takes the exclusive lock.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/store_access.h"
#include "rotguard/verify.h"
#include "util/terminal_text.h"

namespace rotguard::cli {
namespace {

constexpr const char* kImportDescription =
    "Copy foreign WARC files (.warc or .warc.gz, WARC/1.0 or 1.1, e.g. "
    "wget's) and ARC files (.arc or .arc.gz, ARC 1.0 and 1.1) "
    "byte-identically into <store>/warc/imported/ and index every record "
    "and capture (for ARC, whose records carry no digests, the HTTP status "
    "and payload digests are computed). A file whose bytes were imported "
    "before is skipped. Creates a missing store.";

constexpr const char* kImportFooter =
    "Output, one line per file:\n"
    "  text    'import: FILE -> NAME: R records, C captures' or\n"
    "          'import: FILE: already imported as NAME'; notes (e.g. a\n"
    "          wget-style payload digest over chunked bytes) on stderr.\n"
    "  --json  JSON Lines {source, name, skipped, records, captures, notes}.\n"
    "Exit: 0 all imported; 3 a file is damaged or not a WARC file (it is\n"
    "not imported, the others are); 4 the store is locked; 5 a file is\n"
    "unreadable.\n";

struct ImportOptions {
  std::vector<std::string> files;
};

void PrintResult(const ImportResult& r, const GlobalOptions& global) {
  if (global.json) {
    nlohmann::ordered_json line{
        {"source", r.source},     {"name", r.name},
        {"skipped", r.skipped},   {"records", r.records},
        {"captures", r.captures}, {"notes", r.notes}};
    std::cout << line.dump(-1, ' ', false,
                           nlohmann::ordered_json::error_handler_t::replace)
              << '\n';
    return;
  }
  if (r.skipped) {
    std::cout << "import: " << TerminalSafe(r.source)
              << ": already imported as " << TerminalSafe(r.name) << '\n';
    return;
  }
  std::cout << "import: " << TerminalSafe(r.source) << " -> "
            << TerminalSafe(r.name) << ": " << r.records << " records, "
            << r.captures << " captures\n";
  if (global.verbosity >= 0) {
    std::cout.flush();
    for (const std::string& note : r.notes) {
      std::cerr << "rotguard: note: " << TerminalSafe(r.source) << ": "
                << TerminalSafe(note) << '\n';
    }
  }
}

int RunImport(const ImportOptions& options, const GlobalOptions& global) {
  std::unique_ptr<Store> store =
      OpenStoreOrThrow(global, LockMode::kExclusive, StoreCreation::kCreate);
  int worst = kExitOk;
  for (const std::string& file : options.files) {
    Result<ImportResult> imported = ImportWarc(*store, file);
    if (imported.ok()) {
      PrintResult(*imported, global);
      continue;
    }
    const Status& status = imported.status();
    int code =
        status.code() == ErrorCode::kCorruption ? kExitIntegrity : kExitIoError;
    std::cout.flush();
    std::cerr << "rotguard: error: " << TerminalSafe(status.message()) << '\n';
    worst = std::max(worst, code);
  }
  return worst;
}

}  // namespace

void AddImportCommand(CLI::App& app, const GlobalOptions& global,
                      CommandResult& result) {
  auto options = std::make_shared<ImportOptions>();
  CLI::App* command = app.add_subcommand("import", kImportDescription);
  command->footer(kImportFooter);
  command
      ->add_option("WARC", options->files,
                   "WARC or ARC files (.warc, .warc.gz, .arc, .arc.gz)")
      ->required();
  command->callback([options, &global, &result] {
    result.exit_code = RunImport(*options, global);
  });
}

}  // namespace rotguard::cli
