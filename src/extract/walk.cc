// WalkInputs(): the files a scan reads, found below the paths a user names.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rotguard/inputs.h"
#include "rotguard/scan.h"
#include "rotguard/url.h"
#include "util/file.h"
#include "util/handles.h"

namespace rotguard {
namespace {

// npm's packages: third-party files wherever they are, never posts.
constexpr std::string_view kPackageDirectory = "node_modules";

// A build directory that exists, by identity: the walk compares the
// device and inode of a directory with this name, so a content section
// of the same name elsewhere is still walked.
struct BuildDir {
  std::string name;
  dev_t dev;
  ino_t ino;
};

std::vector<BuildDir> ExistingBuildDirs(const std::vector<std::string>& paths) {
  std::vector<BuildDir> out;
  for (const std::string& path : paths) {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) continue;
    std::string_view name = path;
    while (name.size() > 1 && name.back() == '/') name.remove_suffix(1);
    size_t slash = name.rfind('/');
    if (slash != std::string_view::npos) name.remove_prefix(slash + 1);
    out.push_back({std::string(name), st.st_dev, st.st_ino});
  }
  return out;
}

Status ErrorFor(const std::string& path, int err) {
  return Status::IOError(path + ": " + std::strerror(err));
}

// The d_type for a stat() mode; DT_UNKNOWN for what the walk skips.
unsigned char DirentType(mode_t mode) {
  if (S_ISDIR(mode)) return DT_DIR;
  if (S_ISREG(mode)) return DT_REG;
  return DT_UNKNOWN;
}

struct CloseDir {
  void operator()(DIR* dir) const { ::closedir(dir); }
};
using DirPtr = std::unique_ptr<DIR, CloseDir>;

// "site" + "a.md" → "site/a.md"; "site/" + "a.md" → "site/a.md".
std::string JoinPath(const std::string& dir, const char* name) {
  std::string path = dir;
  if (!path.empty() && path.back() != '/') path.push_back('/');
  path.append(name);
  return path;
}

// Walks with readdir() and its d_type, so a file costs no stat() (the
// std::filesystem iterator stats every entry); only symlinks and file
// systems without d_type are stat'ed.
class DirectoryWalker {
 public:
  DirectoryWalker(std::string root, const WalkOptions& options,
                  const std::vector<BuildDir>& build_dirs, WalkResult* result)
      : root_(std::move(root)),
        options_(options),
        build_dirs_(build_dirs),
        result_(result) {}

  // Depth-first over an explicit stack: deep trees cannot overflow it.
  Status Walk() {
    std::vector<std::string> pending = {root_};
    while (!pending.empty()) {
      std::string dir = std::move(pending.back());
      pending.pop_back();
      ROTGUARD_RETURN_IF_ERROR(ReadDirectory(dir, &pending));
    }
    return Status::Ok();
  }

 private:
  Status ReadDirectory(const std::string& dir,
                       std::vector<std::string>* pending) {
    DirPtr handle(::opendir(dir.c_str()));
    if (!handle) return ErrorFor(dir, errno);
    for (;;) {
      errno = 0;
      const dirent* entry = ::readdir(handle.get());
      if (entry == nullptr) {
        if (errno != 0) return ErrorFor(dir, errno);
        return Status::Ok();
      }
      if (entry->d_name[0] == '.') {
        bool dot_or_dot_dot =
            entry->d_name[1] == '\0' ||
            (entry->d_name[1] == '.' && entry->d_name[2] == '\0');
        if (!dot_or_dot_dot) Skip("hidden");
        continue;
      }
      ROTGUARD_RETURN_IF_ERROR(
          Visit(::dirfd(handle.get()), dir, *entry, pending));
    }
  }

  Status Visit(int dir_fd, const std::string& dir, const dirent& entry,
               std::vector<std::string>* pending) {
    unsigned char type = entry.d_type;
    bool is_symlink = type == DT_LNK;
    struct stat st;
    if (type == DT_UNKNOWN) {  // a file system without d_type
      if (::fstatat(dir_fd, entry.d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
        return ErrorFor(JoinPath(dir, entry.d_name), errno);
      }
      is_symlink = S_ISLNK(st.st_mode);
      type = DirentType(st.st_mode);
    }
    if (is_symlink) {
      if (::fstatat(dir_fd, entry.d_name, &st, 0) != 0) {
        Skip("broken-symlink");  // a dangling link is not a post
        return Status::Ok();
      }
      type = DirentType(st.st_mode);
    }
    if (type == DT_DIR) {
      if (is_symlink) {
        Skip("symlink-dir");
      } else if (IsBuildDirectory(dir_fd, dir, entry.d_name)) {
        Skip("build-dir");
      } else {
        pending->push_back(JoinPath(dir, entry.d_name));
      }
      return Status::Ok();
    }
    if (type != DT_REG) {
      Skip("other");
      return Status::Ok();
    }
    if (std::optional<DocumentFormat> format = FormatForPath(entry.d_name)) {
      result_->files.push_back({JoinPath(dir, entry.d_name), root_, *format});
    }
    return Status::Ok();
  }

  void Skip(const char* reason) { ++result_->skipped[reason]; }

  bool IsBuildDirectory(int dir_fd, const std::string& dir,
                        std::string_view name) const {
    if (name == kPackageDirectory) return true;
    if (dir == root_) {
      for (const std::string& named : options_.build_names_in_named) {
        if (name == named) return true;
      }
    }
    for (const BuildDir& build : build_dirs_) {
      if (build.name != name) continue;
      struct stat st;
      std::string path(name);
      if (::fstatat(dir_fd, path.c_str(), &st, 0) == 0 &&
          st.st_dev == build.dev && st.st_ino == build.ino) {
        return true;
      }
    }
    return false;
  }

  std::string root_;
  const WalkOptions& options_;
  const std::vector<BuildDir>& build_dirs_;
  WalkResult* result_;
};

// The type of a named file, told by its first 64 KiB.
Result<InputType> SniffFile(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return ErrorFor(path, errno);
  std::string head(64 << 10, '\0');
  size_t filled = 0;
  while (filled < head.size()) {
    ssize_t n = ::read(fd.get(), head.data() + filled, head.size() - filled);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrorFor(path, errno);
    if (n == 0) break;
    filled += static_cast<size_t>(n);
  }
  head.resize(filled);
  return DetectInputType(head);
}

// The local file a sitemap index's <loc> stands for: a relative loc as
// is, a URL by its last path segment, in the index's directory; "" when
// that would leave the directory.
std::filesystem::path LocalChild(const std::filesystem::path& dir,
                                 const std::string& loc) {
  UrlComponents parts = SplitUrl(loc);
  std::string rel(parts.path);
  if (parts.scheme || parts.authority) rel = rel.substr(rel.rfind('/') + 1);
  if (rel.empty() || rel[0] == '/') return {};
  std::filesystem::path relative =
      std::filesystem::path(rel).lexically_normal();
  if (relative.empty() || *relative.begin() == "..") return {};
  return dir / relative;
}

// A named sitemap index: its children that are local sitemaps.
Status AddSitemapChildren(const std::string& index, WalkResult* result) {
  Result<std::string> bytes = ReadFileToString(index);
  if (!bytes.ok()) return bytes.status();
  std::vector<ExtractWarning> warnings;
  std::vector<std::string> locs = SitemapIndexChildren(*bytes, &warnings);
  for (const ExtractWarning& w : warnings) {
    result->warnings.push_back(index + ":" + std::to_string(w.line) + ":" +
                               std::to_string(w.column) + ": " + w.message);
  }
  std::filesystem::path dir = std::filesystem::path(index).parent_path();
  for (const std::string& loc : locs) {
    std::filesystem::path child = LocalChild(dir, loc);
    struct stat st;
    bool local = !child.empty() && ::stat(child.c_str(), &st) == 0 &&
                 S_ISREG(st.st_mode);
    Result<InputType> type =
        local ? SniffFile(child.string()) : Result<InputType>(InputType::kPost);
    if (!type.ok()) return type.status();
    if (*type != InputType::kSitemap) {
      ++result->skipped["remote-sitemap"];
      result->warnings.push_back(
          index + ": child sitemap " + loc +
          " is not a local sitemap beside the index; remote sitemaps are "
          "never fetched");
      continue;
    }
    result->files.push_back({child.string(), "", DocumentFormat::kHtml});
  }
  return Status::Ok();
}

// A file named on the command line: by content first, then by name.
Status AddNamedFile(const std::string& path, WalkResult* result) {
  std::optional<DocumentFormat> format = FormatForPath(path);
  if (format == DocumentFormat::kMarkdown) {
    result->files.push_back({path, "", *format});
    return Status::Ok();
  }
  Result<InputType> type = SniffFile(path);
  if (!type.ok()) return type.status();
  if (*type == InputType::kSitemapIndex)
    return AddSitemapChildren(path, result);
  if (*type != InputType::kPost) format = DocumentFormat::kHtml;
  if (format) {
    result->files.push_back({path, "", *format});
  } else {
    ++result->skipped["unknown-extension"];
    result->warnings.push_back(path + ": not Markdown or HTML, skipped");
  }
  return Status::Ok();
}

}  // namespace

WalkOptions SiteWalkOptions(const std::filesystem::path& site_root,
                            const std::vector<std::string>& build_dirs,
                            bool site_known) {
  WalkOptions options;
  for (const std::string& dir : build_dirs) {
    options.build_dirs.push_back((site_root / dir).string());
  }
  if (site_known) {
    options.build_names_in_named.clear();
  } else {
    options.build_names_in_named = build_dirs;
  }
  return options;
}

Result<WalkResult> WalkInputs(const std::vector<std::string>& paths,
                              const WalkOptions& options) {
  WalkResult result;
  const std::vector<BuildDir> build_dirs =
      ExistingBuildDirs(options.build_dirs);
  for (const std::string& path : paths) {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return ErrorFor(path, errno);
    if (S_ISDIR(st.st_mode)) {
      ROTGUARD_RETURN_IF_ERROR(
          DirectoryWalker(path, options, build_dirs, &result).Walk());
    } else if (!S_ISREG(st.st_mode)) {
      ++result.skipped["other"];
      result.warnings.push_back(path + ": not a regular file, skipped");
    } else {
      ROTGUARD_RETURN_IF_ERROR(AddNamedFile(path, &result));
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
