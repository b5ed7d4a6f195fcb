// rotguard-docs OUTDIR: writes rotguard.1, rotguard.bash, _rotguard (zsh)
// and rotguard.fish into OUTDIR from the CLI's own command tree. Run by the
// build; the files are installed with the binary.
#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include "cli/app.h"
#include "cli/cli_docs.h"

namespace {

constexpr const char* kDescription =
    "rotguard reads blog posts (Hugo or Jekyll Markdown, plain HTML), finds "
    "every link and image, fetches each with its whole redirect chain and "
    "page requisites, and stores the exchanges in standard WARC files, "
    "recording every capture with its digests in a SQLite manifest.\n"
    "\n"
    "Run from cron, it archives what is due and re-checks link health; "
    "verify proves the store is intact, report shows what rotted, and "
    "restore writes offline copies of the posts that work with no network.\n"
    "\n"
    "Global options go before or after the command. Every command takes "
    "the store's lock without waiting.";

bool WriteFile(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (out) return true;
  std::cerr << "rotguard-docs: cannot write " << path.string() << '\n';
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: rotguard-docs OUTDIR\n";
    return 1;
  }
  namespace cli = rotguard::cli;
  CLI::App app;
  cli::GlobalOptions global;
  cli::CommandResult result;
  cli::BuildApp(app, global, result);
  std::filesystem::path dir = argv[1];
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  bool ok = WriteFile(dir / "rotguard.1",
                      cli::ManPage(app, ROTGUARD_VERSION, kDescription)) &&
            WriteFile(dir / "rotguard.bash", cli::BashCompletion(app)) &&
            WriteFile(dir / "_rotguard", cli::ZshCompletion(app)) &&
            WriteFile(dir / "rotguard.fish", cli::FishCompletion(app));
  return ok ? 0 : 1;
}
