// `rotguard export --cdxj FILE | --cdx FILE | --wacz FILE`: standard index
// and package of the store's WARC files (SPEC §8, §13 "CDXJ"). Takes the
// store's shared lock; reads the manifest, and WARC headers only for
// records the manifest has no capture for.
#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/store_access.h"
#include "rotguard/export.h"
#include "rotguard/store.h"
#include "util/file.h"

namespace rotguard::cli {
namespace {

constexpr const char* kExportDescription =
    "Write a standard index (CDXJ, CDX11) or a WACZ package of every WARC "
    "file in the store.";

constexpr const char* kExportFooter =
    "Formats:\n"
    "  --cdxj FILE  SURT-sorted CDXJ, byte-identical to warcio.js 2.4.11\n"
    "               'cdx-index --format cdxj' piped through LC_ALL=C sort;\n"
    "               filename is the WARC's base name, as warcio writes it\n"
    "  --cdx FILE   CDX11 (' CDX N b a m s k r M S V g') for OutbackCDX and\n"
    "               wayback, same records and order\n"
    "  --wacz FILE  WACZ 1.1.1 (archive/, indexes/index.cdxj,\n"
    "               pages/pages.jsonl, datapackage.json,\n"
    "               datapackage-digest.json)\n"
    "FILE '-' writes the index to stdout.\n"
    "Exit: 0 written; 1 usage error or no store; 4 store locked; 5 I/O\n"
    "error.\n";

struct ExportFlags {
  std::string cdxj;
  std::string cdx;
  std::string wacz;
};

// Streams the sorted index to `path` (atomically: a temporary file renamed
// at the end) or to stdout for "-"; memory stays flat in the record count.
void WriteIndex(Store& store, CdxFormat format, const std::string& path) {
  const std::filesystem::path temp_dir = store.root() / "tmp";
  if (path == "-") {
    Status status = WriteCdxIndex(
        store.manifest(), store.warc_dir(), format, temp_dir,
        [](std::string_view bytes) {
          std::cout.write(bytes.data(),
                          static_cast<std::streamsize>(bytes.size()));
          return std::cout ? Status::Ok()
                           : Status::IOError("writing stdout failed");
        });
    std::cout.flush();
    if (!status.ok() || !std::cout) {
      throw CliError(kExitIoError,
                     status.ok() ? "writing stdout failed" : status.message());
    }
    return;
  }
  // As curl -o: an existing device or FIFO (/dev/null) is written in
  // place, never replaced by a regular file; a link's target is written.
  Result<OutputFile> file = OutputFile::Open(path, SymlinkPolicy::kFollow);
  if (!file.ok()) throw CliError(kExitIoError, file.status().message());
  Status status = WriteCdxIndex(
      store.manifest(), store.warc_dir(), format, temp_dir,
      [&file](std::string_view bytes) { return file->Write(bytes); });
  if (status.ok()) status = file->Commit();
  if (!status.ok()) throw CliError(kExitIoError, status.message());
}

int RunExport(const ExportFlags& flags, const GlobalOptions& global) {
  if (flags.cdxj.empty() && flags.cdx.empty() && flags.wacz.empty()) {
    throw CliError(kExitUsage,
                   "export: give --cdxj FILE, --cdx FILE or "
                   "--wacz FILE");
  }
  std::unique_ptr<Store> store = OpenStoreOrThrow(global, LockMode::kShared);
  if (!flags.cdxj.empty() || !flags.cdx.empty()) {
    if (!flags.cdxj.empty()) WriteIndex(*store, CdxFormat::kCdxj, flags.cdxj);
    if (!flags.cdx.empty()) WriteIndex(*store, CdxFormat::kCdx11, flags.cdx);
  }
  if (!flags.wacz.empty()) {
    Status status =
        WriteWacz(store->manifest(), store->warc_dir(), flags.wacz, {});
    // Unpurged forgotten records are a usage error (1), not I/O.
    if (!status.ok()) throw CliError(ExitCodeFor(status), status.message());
  }
  return kExitOk;
}

}  // namespace

void AddExportCommand(CLI::App& app, const GlobalOptions& global,
                      CommandResult& result) {
  auto flags = std::make_shared<ExportFlags>();
  CLI::App* command = app.add_subcommand("export", kExportDescription);
  command->footer(kExportFooter);
  command->add_option("--cdxj", flags->cdxj, "write a CDXJ index to FILE");
  command->add_option("--cdx", flags->cdx, "write a CDX11 index to FILE");
  command->add_option("--wacz", flags->wacz, "write a WACZ package to FILE");
  command->callback([flags, &global, &result] {
    result.exit_code = RunExport(*flags, global);
  });
}

}  // namespace rotguard::cli
