// Browser: launch, restart and the public entry points. The page sequence
// itself is in page_run.cc.
#include "rotguard/browser.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include "browser/browser_impl.h"

namespace rotguard {
namespace {

using Clock = CdpConnection::Clock;

}  // namespace

Result<std::filesystem::path> FindChromium() {
  const char* chosen = std::getenv("ROTGUARD_CHROMIUM");
  std::filesystem::path path =
      chosen != nullptr && *chosen != '\0' ? chosen : "/usr/bin/chromium";
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec) ||
      ::access(path.c_str(), X_OK) != 0) {
    return Status::NotFound("no Chromium at " + path.string() +
                            (chosen != nullptr
                                 ? " (ROTGUARD_CHROMIUM)"
                                 : " (install the chromium package or set "
                                   "ROTGUARD_CHROMIUM)"));
  }
  return path;
}

namespace {

// The pid in "rotguard-chromium.<pid>.XXXXXX"; 0 for any other name.
pid_t OwnerOfProfile(const std::string& name) {
  constexpr std::string_view kPrefix = "rotguard-chromium.";
  if (name.rfind(kPrefix, 0) != 0) return 0;
  size_t dot = name.find('.', kPrefix.size());
  if (dot == std::string::npos || dot == kPrefix.size()) return 0;
  pid_t pid = 0;
  for (size_t i = kPrefix.size(); i < dot; ++i) {
    if (name[i] < '0' || name[i] > '9' || pid > 10'000'000) return 0;
    pid = pid * 10 + (name[i] - '0');
  }
  return pid;
}

}  // namespace

int RemoveStaleProfiles(const std::filesystem::path& temp_dir) {
  std::error_code ec;
  int removed = 0;
  for (const auto& entry : std::filesystem::directory_iterator(temp_dir, ec)) {
    pid_t owner = OwnerOfProfile(entry.path().filename().string());
    if (owner <= 0 || !entry.is_directory(ec) || entry.is_symlink(ec)) continue;
    // EPERM means a process of another user owns the pid: alive.
    if (::kill(owner, 0) == 0 || errno != ESRCH) continue;
    std::error_code ignored;
    if (std::filesystem::remove_all(entry.path(), ignored) > 0) ++removed;
  }
  return removed;
}

Status Browser::Impl::Start() {
  cdp_.reset();
  process_.reset();  // kills and reaps a previous one
  restart_needed_ = false;
  Result<std::unique_ptr<BrowserProcess>> started =
      BrowserProcess::Start(options_);
  if (!started.ok()) return started.status();
  process_ = std::move(*started);
  cdp_ = std::make_unique<CdpConnection>(process_->TakeToBrowser(),
                                         process_->TakeFromBrowser());
  Clock::time_point deadline = Clock::now() + options_.start_timeout;
  Result<nlohmann::json> version =
      cdp_->Call("Browser.getVersion", nlohmann::json::object(), "", deadline);
  if (!version.ok()) {
    std::string where = options_.log_path.empty()
                            ? std::string()
                            : " (its log: " + options_.log_path.string() + ")";
    Status failed =
        Status::IOError(options_.chromium.string() + " did not start: " +
                        version.status().message() + where);
    cdp_.reset();
    process_.reset();
    return failed;
  }
  // targetCreated events tell popups apart (their openerId is our page).
  Result<nlohmann::json> discover = cdp_->Call(
      "Target.setDiscoverTargets", {{"discover", true}}, "", deadline);
  return discover.ok() ? Status::Ok() : discover.status();
}

Status Browser::Impl::EnsureRunning() {
  bool restart = restart_needed_ || !process_ || !cdp_ || process_->Exited() ||
                 !cdp_->healthy();
  if (!restart && process_->GroupMemoryBytes() > options_.memory_cap_bytes) {
    restart = true;
  }
  return restart ? Start() : Status::Ok();
}

Result<PageCapture> Browser::Impl::Capture(const std::string& url,
                                           const CaptureOptions& options) {
  cdp_->DropQueuedEvents();  // left from earlier pages
  PageRun run(*cdp_, *process_, options_, options, url);
  Status status = run.Run();
  if (!run.Close()) restart_needed_ = true;
  if (!cdp_->healthy() || process_->Exited()) restart_needed_ = true;
  if (!status.ok()) return status;
  return std::move(run.capture());
}

Result<std::unique_ptr<Browser>> Browser::Launch(
    const BrowserOptions& options) {
  auto impl = std::make_unique<Impl>(options);
  ROTGUARD_RETURN_IF_ERROR(impl->Start());
  return std::unique_ptr<Browser>(new Browser(std::move(impl)));
}

Browser::Browser(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Browser::~Browser() = default;

Result<PageCapture> Browser::CapturePage(const std::string& url,
                                         const CaptureOptions& options) {
  ROTGUARD_RETURN_IF_ERROR(impl_->EnsureRunning());
  return impl_->Capture(url, options);
}

int Browser::process_group() const {
  return impl_->process() ? impl_->process()->pid() : -1;
}

const std::filesystem::path& Browser::profile_dir() const {
  static const std::filesystem::path kNone;
  return impl_->process() ? impl_->process()->profile_dir() : kNone;
}

}  // namespace rotguard
