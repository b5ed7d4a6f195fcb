// BrowserProcess: one headless Chromium child and everything it owns (its
// process group, its temporary profile, the two pipe ends rotguard talks
// through). The RAII owner kills the whole group with SIGKILL, reaps the
// child and removes the profile on every path; the child itself gets
// PR_SET_PDEATHSIG(SIGKILL), so a rotguard killed with -9 takes the browser
// process with it (its renderers then see their pipe close and exit).
#ifndef ROTGUARD_BROWSER_BROWSER_PROCESS_H_
#define ROTGUARD_BROWSER_BROWSER_PROCESS_H_

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "rotguard/browser.h"
#include "rotguard/status.h"
#include "util/handles.h"

namespace rotguard {

// Chromium's command line (argv[0] first) for a profile directory; pure,
// so its flags can be tested without starting anything.
std::vector<std::string> ChromiumArguments(const BrowserOptions& options,
                                           const std::filesystem::path& profile,
                                           bool as_root);

class BrowserProcess {
 public:
  static Result<std::unique_ptr<BrowserProcess>> Start(
      const BrowserOptions& options);
  ~BrowserProcess() { Kill(); }
  BrowserProcess(const BrowserProcess&) = delete;
  BrowserProcess& operator=(const BrowserProcess&) = delete;

  // The pipe ends for CdpConnection (taken once).
  Fd TakeToBrowser() { return std::move(to_browser_); }
  Fd TakeFromBrowser() { return std::move(from_browser_); }

  // SIGKILL to the whole group, reap, remove the profile. Idempotent.
  void Kill();
  // True once the browser process has exited (reaps it then).
  bool Exited();

  pid_t pid() const { return pid_; }
  const std::filesystem::path& profile_dir() const { return profile_; }
  // Proportional set size summed over every live process of the group
  // (/proc/<pid>/smaps_rollup; RSS when that is unreadable).
  std::uint64_t GroupMemoryBytes() const;

 private:
  BrowserProcess() = default;

  pid_t pid_ = -1;
  std::filesystem::path profile_;
  Fd to_browser_;
  Fd from_browser_;
};

}  // namespace rotguard

#endif  // ROTGUARD_BROWSER_BROWSER_PROCESS_H_
