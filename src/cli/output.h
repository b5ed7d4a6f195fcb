// Where command output goes: stdout for results, stderr for diagnostics.
#ifndef ROTGUARD_CLI_OUTPUT_H_
#define ROTGUARD_CLI_OUTPUT_H_

#include <string>
#include <string_view>

#include "util/color.h"

namespace rotguard::cli {

bool StdoutIsTty();
bool StderrIsTty();
// --color: whether text written to stdout / stderr gets ANSI colour
// (util/color.h: auto means a terminal and no NO_COLOR). Auto until set.
void SetColorMode(ColorMode mode);
bool StdoutColor();
bool StderrColor();
// Colour for a file written with -o or the store log: only --color always.
bool FileColor();
// A progress line's " ETA 1m05s" after `elapsed_seconds` for `done` of
// `total` units; "" until there is something to go by.
std::string EtaText(double elapsed_seconds, double done, double total);
// Seconds since the first call (the progress lines' clock).
double ProgressSeconds();
// "rotguard: warning: <msg>" on stderr unless quiet.
void PrintWarning(std::string_view message);
void SetQuiet(bool quiet);

}  // namespace rotguard::cli

#endif  // ROTGUARD_CLI_OUTPUT_H_
