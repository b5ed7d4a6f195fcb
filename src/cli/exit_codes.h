// The exit codes of SPEC §3, one sentence each (printed by --help).
#ifndef ROTGUARD_CLI_EXIT_CODES_H_
#define ROTGUARD_CLI_EXIT_CODES_H_

#include <stdexcept>
#include <string>

#include "rotguard/archive.h"
#include "rotguard/status.h"

namespace rotguard::cli {

enum ExitCode : int {
  kExitOk = 0,           // success
  kExitUsage = 1,        // usage or config error; missing store
  kExitFetchFailed = 2,  // some fetches failed / dead links with --fail-on-dead
  kExitIntegrity = 3,    // verify found damage; damaged or non-WARC input
  kExitLocked = 4,       // the store is locked by another run
  kExitIoError = 5,      // I/O or internal error
};

inline constexpr const char* kExitCodeHelp =
    "Exit codes:\n"
    "  0  success\n"
    "  1  usage or config error (also: store missing)\n"
    "  2  some fetches failed, or dead links with --fail-on-dead\n"
    "  3  integrity failure (verify), damaged or non-WARC input\n"
    "  4  the store is locked by another run\n"
    "  5  I/O or internal error\n";

// Thrown by command code to leave with a message and a code; caught once in
// RotguardMain, which prints "rotguard: error: <message>".
class CliError : public std::runtime_error {
 public:
  CliError(int exit_code, const std::string& message)
      : std::runtime_error(message), exit_code_(exit_code) {}
  int exit_code() const { return exit_code_; }

 private:
  int exit_code_;
};

// The default mapping from a Status to an exit code; commands that need a
// finer rule (SPEC §13) throw CliError with their own code.
inline int ExitCodeFor(const Status& status) {
  switch (status.code()) {
    case ErrorCode::kOk:
      return kExitOk;
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kNotFound:
      return kExitUsage;
    case ErrorCode::kCorruption:
      return kExitIntegrity;
    case ErrorCode::kLocked:
      return kExitLocked;
    default:
      return kExitIoError;
  }
}

// archive's code for a finished run (SPEC §13): 2 when a due link got no
// capture or ended in a 4xx/5xx not already known gone, else 0; a run that
// ended in an error (`summary` null) is an I/O error.
inline int ArchiveExitCode(const ArchiveSummary* summary) {
  if (summary == nullptr) return kExitIoError;
  return summary->failed_links > 0 ? kExitFetchFailed : kExitOk;
}

// Throws CliError for a non-ok status.
inline void ThrowIfError(const Status& status) {
  if (!status.ok()) throw CliError(ExitCodeFor(status), status.message());
}

}  // namespace rotguard::cli

#endif  // ROTGUARD_CLI_EXIT_CODES_H_
