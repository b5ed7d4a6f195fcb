#ifndef ROTGUARD_CLI_ROTGUARD_MAIN_H_
#define ROTGUARD_CLI_ROTGUARD_MAIN_H_

namespace rotguard::cli {

// Parses arguments, runs one command and returns the process exit code.
// The one top-level error handler lives here.
int RotguardMain(int argc, char** argv);

}  // namespace rotguard::cli

#endif  // ROTGUARD_CLI_ROTGUARD_MAIN_H_
