// Where command output goes: stdout for results, stderr for diagnostics.
#ifndef ROTGUARD_CLI_OUTPUT_H_
#define ROTGUARD_CLI_OUTPUT_H_

#include <string_view>

namespace rotguard::cli {

bool StdoutIsTty();
bool StderrIsTty();
// "rotguard: warning: <msg>" on stderr unless quiet.
void PrintWarning(std::string_view message);
void SetQuiet(bool quiet);

}  // namespace rotguard::cli

#endif  // ROTGUARD_CLI_OUTPUT_H_
