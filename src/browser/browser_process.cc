#include "browser/browser_process.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <system_error>

extern char** environ;

namespace rotguard {
namespace {

// Chromium's own traffic (component updates, safe browsing, sync, field
// trials, metrics) is switched off: with a recording proxy it would only
// be refused there, and without one it must not leave the machine at all.
// HttpsUpgrades is off so an http:// link is captured as it was cited.
const char* const kQuietFlags[] = {
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-default-apps",
    "--disable-domain-reliability",
    "--disable-client-side-phishing-detection",
    "--disable-breakpad",
    "--disable-extensions",
    "--metrics-recording-only",
    "--password-store=basic",
    "--mute-audio",
    "--hide-scrollbars",
    "--disable-features=HttpsUpgrades,Translate,MediaRouter,"
    "OptimizationHints,AutofillServerCommunication",
};

// Ends the child without running any of rotguard's atexit handlers (only
// async-signal-safe calls are allowed between fork and exec).
[[noreturn]] void ChildFail() {
  for (;;) ::syscall(SYS_exit_group, 127);
}

// The child's side, between fork and exec: nothing here may allocate.
[[noreturn]] void ExecChild(pid_t parent, int child_read, int child_write,
                            int null_in, int log_fd, char* const* argv) {
  ::setpgid(0, 0);
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != parent) ChildFail();  // the parent died before prctl
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  ::sigaction(SIGPIPE, &dfl, nullptr);
  // dup() first, to fds above 4: dup2(3, 3) would keep FD_CLOEXEC and
  // Chromium would find fd 3 closed after exec.
  int in = ::fcntl(child_read, F_DUPFD, 10);
  int out = ::fcntl(child_write, F_DUPFD, 10);
  if (in < 0 || out < 0) ChildFail();
  if (::dup2(null_in, 0) < 0 || ::dup2(log_fd, 1) < 0 ||
      ::dup2(log_fd, 2) < 0 || ::dup2(in, 3) < 0 || ::dup2(out, 4) < 0) {
    ChildFail();
  }
  ::syscall(SYS_close_range, 5U, ~0U, 0U);
  ::execve(argv[0], argv, environ);
  ChildFail();
}

Result<std::filesystem::path> MakeProfileDir() {
  std::error_code ec;
  std::filesystem::path base = std::filesystem::temp_directory_path(ec);
  if (ec) base = "/tmp";
  // The owner's pid in the name lets a later run tell a profile left by a
  // killed rotguard (RemoveStaleProfiles) from one in use.
  std::string pattern =
      (base / ("rotguard-chromium." + std::to_string(::getpid()) + ".XXXXXX"))
          .string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    return Status::FromErrno("mkdtemp " + pattern, errno);
  }
  return std::filesystem::path(pattern);
}

Result<Fd> OpenLog(const BrowserOptions& options,
                   const std::filesystem::path& profile) {
  std::filesystem::path path =
      options.log_path.empty() ? profile / "chromium.log" : options.log_path;
  int fd =
      ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return Status::FromErrno("open " + path.string(), errno);
  return Fd(fd);
}

// The pgrp field of /proc/<pid>/stat (after the parenthesised name, which
// may itself hold spaces and parentheses).
bool InGroup(const std::string& pid, pid_t group) {
  std::ifstream in("/proc/" + pid + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), {});
  std::size_t close = stat.rfind(')');
  if (close == std::string::npos) return false;
  std::istringstream fields(stat.substr(close + 1));
  std::string state;
  long ppid = 0, pgrp = 0;
  fields >> state >> ppid >> pgrp;
  return fields && pgrp == group && state != "Z";
}

std::uint64_t ProcessMemoryBytes(const std::string& pid) {
  std::ifstream rollup("/proc/" + pid + "/smaps_rollup");
  std::string key;
  std::uint64_t kib = 0;
  while (rollup >> key) {
    if (key == "Pss:" && rollup >> kib) return kib * 1024;
    rollup.ignore(4096, '\n');
  }
  std::ifstream statm("/proc/" + pid + "/statm");
  std::uint64_t size = 0, resident = 0;
  if (statm >> size >> resident) {
    return resident * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
  }
  return 0;
}

}  // namespace

std::vector<std::string> ChromiumArguments(const BrowserOptions& options,
                                           const std::filesystem::path& profile,
                                           bool as_root) {
  std::vector<std::string> args = {options.chromium.string(), "--headless",
                                   "--remote-debugging-pipe",
                                   "--user-data-dir=" + profile.string()};
  // Chromium refuses to start its sandbox as root.
  if (as_root) args.push_back("--no-sandbox");
  for (const char* flag : kQuietFlags) args.emplace_back(flag);
  args.push_back("--window-size=" + std::to_string(options.window_width) + "," +
                 std::to_string(options.window_height));
  if (options.proxy) {
    args.push_back("--proxy-server=http://" + options.proxy->address);
    // Without "<-loopback>" Chromium would reach 127.0.0.1 directly,
    // around the proxy and its address guard.
    args.push_back("--proxy-bypass-list=<-loopback>");
    if (!options.proxy->spki_sha256_base64.empty()) {
      args.push_back("--ignore-certificate-errors-spki-list=" +
                     options.proxy->spki_sha256_base64);
    }
  }
  if (!options.host_resolver_rules.empty()) {
    args.push_back("--host-resolver-rules=" + options.host_resolver_rules);
  }
  args.push_back("about:blank");
  return args;
}

Result<std::unique_ptr<BrowserProcess>> BrowserProcess::Start(
    const BrowserOptions& options) {
  std::unique_ptr<BrowserProcess> process(new BrowserProcess());
  Result<std::filesystem::path> profile = MakeProfileDir();
  if (!profile.ok()) return profile.status();
  process->profile_ = *profile;  // removed by Kill() from here on
  Result<Fd> log = OpenLog(options, process->profile_);
  if (!log.ok()) return log.status();
  Fd null_in(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  if (!null_in.valid()) return Status::FromErrno("open /dev/null", errno);
  int to[2], from[2];
  if (::pipe2(to, O_CLOEXEC) != 0) return Status::FromErrno("pipe", errno);
  Fd to_read(to[0]);
  process->to_browser_.reset(to[1]);
  if (::pipe2(from, O_CLOEXEC) != 0) return Status::FromErrno("pipe", errno);
  process->from_browser_.reset(from[0]);
  Fd from_write(from[1]);

  std::vector<std::string> args =
      ChromiumArguments(options, process->profile_, ::geteuid() == 0);
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) return Status::FromErrno("fork chromium", errno);
  if (pid == 0) {
    ExecChild(parent, to_read.get(), from_write.get(), null_in.get(),
              log->get(), argv.data());
  }
  process->pid_ = pid;
  // Also from the parent, so a Kill() right after fork finds the group.
  ::setpgid(pid, pid);
  return process;
}

void BrowserProcess::Kill() {
  if (pid_ > 0) {
    ::kill(-pid_, SIGKILL);
    ::kill(pid_, SIGKILL);
    while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
  }
  to_browser_.reset();
  from_browser_.reset();
  if (!profile_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(profile_, ignored);
    profile_.clear();
  }
}

bool BrowserProcess::Exited() {
  if (pid_ <= 0) return true;
  int status = 0;
  pid_t rc = ::waitpid(pid_, &status, WNOHANG);
  if (rc == pid_ || (rc < 0 && errno == ECHILD)) {
    ::kill(-pid_, SIGKILL);  // its renderers, if any are left
    pid_ = -1;
    return true;
  }
  return false;
}

std::uint64_t BrowserProcess::GroupMemoryBytes() const {
  if (pid_ <= 0) return 0;
  std::uint64_t total = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    std::string name = entry.path().filename().string();
    if (name.empty() || name[0] < '1' || name[0] > '9') continue;
    if (InGroup(name, pid_)) total += ProcessMemoryBytes(name);
  }
  return total;
}

}  // namespace rotguard
