#include "cli/output.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>

#include "util/terminal_text.h"

namespace rotguard::cli {
namespace {
bool g_quiet = false;
ColorMode g_color = ColorMode::kAuto;

bool ColorFor(bool is_tty) {
  return ColorEnabled(g_color, is_tty, std::getenv("NO_COLOR"),
                      std::getenv("TERM"));
}
}  // namespace

bool StdoutIsTty() { return ::isatty(STDOUT_FILENO) == 1; }
bool StderrIsTty() { return ::isatty(STDERR_FILENO) == 1; }
void SetQuiet(bool quiet) { g_quiet = quiet; }
void SetColorMode(ColorMode mode) { g_color = mode; }
bool StdoutColor() { return ColorFor(StdoutIsTty()); }
bool StderrColor() { return ColorFor(StderrIsTty()); }
bool FileColor() { return ColorFor(false); }

void PrintWarning(std::string_view message) {
  if (!g_quiet) {
    std::cerr << Paint("rotguard: warning:", Color::kYellow, StderrColor())
              << ' ' << TerminalSafe(message) << '\n';
  }
}

double ProgressSeconds() {
  static const auto start = std::chrono::steady_clock::now();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
      .count();
}

std::string EtaText(double elapsed_seconds, double done, double total) {
  // Too early (or nothing left): a guess from one item would jump about.
  if (done <= 0 || total <= done || elapsed_seconds < 1) return "";
  const auto left =
      static_cast<int64_t>(elapsed_seconds / done * (total - done) + 0.5);
  char text[64];
  if (left >= 3600) {
    std::snprintf(text, sizeof text, " ETA %lldh%02lldm",
                  static_cast<long long>(left / 3600),
                  static_cast<long long>(left % 3600 / 60));
  } else if (left >= 60) {
    std::snprintf(text, sizeof text, " ETA %lldm%02llds",
                  static_cast<long long>(left / 60),
                  static_cast<long long>(left % 60));
  } else {
    std::snprintf(text, sizeof text, " ETA %llds",
                  static_cast<long long>(left));
  }
  return text;
}

}  // namespace rotguard::cli
