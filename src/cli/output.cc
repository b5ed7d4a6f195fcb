#include "cli/output.h"

#include <unistd.h>

#include <iostream>

#include "util/terminal_text.h"

namespace rotguard::cli {
namespace {
bool g_quiet = false;
}

bool StdoutIsTty() { return ::isatty(STDOUT_FILENO) == 1; }
bool StderrIsTty() { return ::isatty(STDERR_FILENO) == 1; }
void SetQuiet(bool quiet) { g_quiet = quiet; }

void PrintWarning(std::string_view message) {
  if (!g_quiet) {
    std::cerr << "rotguard: warning: " << TerminalSafe(message) << '\n';
  }
}

}  // namespace rotguard::cli
