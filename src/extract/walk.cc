// WalkInputs(): the files a scan reads, found below the paths a user names.
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "rotguard/scan.h"

namespace rotguard {
namespace {

namespace fs = std::filesystem;

// Generator output directories of Hugo (public/, resources/), Jekyll
// (_site/) and npm (node_modules/): they hold copies of the posts or
// third-party files, not sources.
constexpr std::array<std::string_view, 4> kBuildDirectories = {
    "public", "_site", "resources", "node_modules"};

bool IsBuildDirectory(std::string_view name) {
  return std::find(kBuildDirectories.begin(), kBuildDirectories.end(), name) !=
         kBuildDirectories.end();
}

Status ErrorFor(const std::string& path, int err) {
  return Status::IOError(path + ": " + std::strerror(err));
}

Status ErrorFor(const fs::path& path, const std::error_code& ec) {
  return Status::IOError(path.string() + ": " + ec.message());
}

class DirectoryWalker {
 public:
  DirectoryWalker(std::string root, WalkResult* result)
      : root_(std::move(root)), result_(result) {}

  // Depth-first over an explicit stack: deep trees cannot overflow it.
  Status Walk() {
    std::vector<fs::path> pending = {fs::path(root_)};
    while (!pending.empty()) {
      fs::path dir = std::move(pending.back());
      pending.pop_back();
      std::error_code ec;
      fs::directory_iterator it(dir, ec);
      for (; !ec && it != fs::directory_iterator(); it.increment(ec)) {
        ROTGUARD_RETURN_IF_ERROR(Visit(*it, &pending));
      }
      if (ec) return ErrorFor(dir, ec);
    }
    return Status::Ok();
  }

 private:
  Status Visit(const fs::directory_entry& entry,
               std::vector<fs::path>* pending) {
    std::string name = entry.path().filename().string();
    if (!name.empty() && name.front() == '.') {
      Skip("hidden");
      return Status::Ok();
    }
    std::error_code ec;
    fs::file_status own = entry.symlink_status(ec);
    if (ec) return ErrorFor(entry.path(), ec);
    fs::file_status target = own;
    if (fs::is_symlink(own)) {
      target = entry.status(ec);
      if (ec) {  // a dangling link is not a post
        Skip("broken-symlink");
        return Status::Ok();
      }
      if (fs::is_directory(target)) {
        Skip("symlink-dir");
        return Status::Ok();
      }
    }
    if (fs::is_directory(target)) {
      if (IsBuildDirectory(name)) {
        Skip("build-dir");
      } else {
        pending->push_back(entry.path());
      }
      return Status::Ok();
    }
    if (!fs::is_regular_file(target)) {
      Skip("other");
      return Status::Ok();
    }
    std::string path = entry.path().string();
    if (std::optional<DocumentFormat> format = FormatForPath(path)) {
      result_->files.push_back({std::move(path), root_, *format});
    }
    return Status::Ok();
  }

  void Skip(const char* reason) { ++result_->skipped[reason]; }

  std::string root_;
  WalkResult* result_;
};

}  // namespace

Result<WalkResult> WalkInputs(const std::vector<std::string>& paths) {
  WalkResult result;
  for (const std::string& path : paths) {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return ErrorFor(path, errno);
    if (S_ISDIR(st.st_mode)) {
      ROTGUARD_RETURN_IF_ERROR(DirectoryWalker(path, &result).Walk());
    } else if (!S_ISREG(st.st_mode)) {
      ++result.skipped["other"];
      result.warnings.push_back(path + ": not a regular file, skipped");
    } else if (std::optional<DocumentFormat> format = FormatForPath(path)) {
      result.files.push_back({path, "", *format});
    } else {
      ++result.skipped["unknown-extension"];
      result.warnings.push_back(path + ": not Markdown or HTML, skipped");
    }
  }
  std::sort(result.files.begin(), result.files.end(),
            [](const ScanInput& a, const ScanInput& b) {
              return a.display_path < b.display_path;
            });
  auto duplicates = std::unique(result.files.begin(), result.files.end(),
                                [](const ScanInput& a, const ScanInput& b) {
                                  return a.display_path == b.display_path;
                                });
  result.files.erase(duplicates, result.files.end());
  return result;
}

}  // namespace rotguard
