// GitFileIsDirty (rotguard/fix.h): `fix` refuses to overwrite a post with
// uncommitted changes, since the user could not tell our edits from
// theirs. libgit2 is not a dependency, so the git binary is asked, through
// posix_spawnp with an argument vector: no shell ever sees the path.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <utility>
#include <vector>

#include "rotguard/fix.h"
#include "util/handles.h"

extern char** environ;

namespace rotguard {
namespace {

// Runs argv, returning its stdout and exit status (-1 when it could not
// start, e.g. no git binary).
struct Ran {
  int exit_status = -1;
  std::string out;
};

Result<Ran> RunCapturing(std::vector<std::string> args) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return Status::FromErrno("pipe", errno);
  Fd read_end(fds[0]), write_end(fds[1]);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, write_end.get(), STDOUT_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null",
                                   O_WRONLY, 0);
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  write_end.reset();
  Ran ran;
  if (rc != 0) return ran;  // not installed: exit_status stays -1
  char buffer[4096];
  for (;;) {
    ssize_t n = ::read(read_end.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    ran.out.append(buffer, static_cast<size_t>(n));
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return Status::FromErrno("waitpid git", errno);
  }
  ran.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
  return ran;
}

// True when `dir` or a parent holds a ".git" entry: a directory, or the
// file of a linked work tree or submodule.
bool LooksLikeWorkTree(std::filesystem::path dir) {
  for (;;) {
    std::error_code ec;
    if (std::filesystem::exists(dir / ".git", ec)) return true;
    std::filesystem::path parent = dir.parent_path();
    if (parent.empty() || parent == dir) return false;
    dir = std::move(parent);
  }
}

}  // namespace

Result<bool> GitFileIsDirty(const std::filesystem::path& file,
                            const std::string& git) {
  std::filesystem::path absolute = std::filesystem::absolute(file);
  Result<Ran> ran =
      RunCapturing({git, "-C", absolute.parent_path().string(), "status",
                    "--porcelain", "--", absolute.filename().string()});
  if (!ran.ok()) return ran.status();
  if (ran->exit_status == 0) return !ran->out.empty();
  // Outside any work tree (git says 128) there is nothing to protect. But
  // inside one, a git that fails (not installed, "dubious ownership", a
  // broken .git) says nothing about the file: never take it for clean.
  if (!LooksLikeWorkTree(absolute.parent_path())) return false;
  std::string why =
      ran->exit_status < 0
          ? "git could not be run"
          : "git status failed (exit " + std::to_string(ran->exit_status) + ")";
  return Status::InvalidArgument(
      file.string() + ": cannot tell whether it has uncommitted changes: " +
      why + " in what looks like a git work tree; fix git, or use --force");
}

}  // namespace rotguard
