// ScanInputs(): read and extract many files on a few threads, keeping the
// results in input order so output stays deterministic.
#include "rotguard/scan.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <exception>
#include <filesystem>
#include <map>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "util/digest.h"
#include "util/handles.h"

namespace rotguard {
namespace {

Status ReadError(const std::string& path, int err) {
  return Status::IOError(path + ": " + std::strerror(err));
}

// Sizes the buffer from fstat and fills it with (normally) one read().
// A file that grows meanwhile is read up to its size at open time.
Result<std::string> ReadWholeFile(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return ReadError(path, errno);
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return ReadError(path, errno);
  std::string bytes(static_cast<size_t>(st.st_size), '\0');
  size_t filled = 0;
  while (filled < bytes.size()) {
    ssize_t n = ::read(fd.get(), bytes.data() + filled, bytes.size() - filled);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ReadError(path, errno);
    }
    if (n == 0) break;  // shrank since fstat
    filled += static_cast<size_t>(n);
  }
  bytes.resize(filled);
  return bytes;
}

// One UrlFilter per site root: the --exclude expressions plus that root's
// ignore file (the current directory's for named files).
Result<std::map<std::string, UrlFilter>> BuildFilters(
    const std::vector<ScanInput>& inputs, const ScanOptions& options) {
  Result<UrlFilter> base = UrlFilter::Create(options.exclude_regexes);
  if (!base.ok()) return base.status();
  std::map<std::string, UrlFilter> filters;
  for (const ScanInput& input : inputs) {
    if (filters.count(input.root) != 0) continue;
    UrlFilter filter = *base;
    std::filesystem::path dir = input.root.empty() ? "." : input.root;
    ROTGUARD_RETURN_IF_ERROR(filter.AddIgnoreFile(dir / kIgnoreFileName));
    filters.emplace(input.root, std::move(filter));
  }
  return filters;
}

Status ScanOne(const ScanInput& input, const UrlFilter& filter,
               const ScanOptions& options, ScannedDocument* out) {
  Result<std::string> bytes = ReadWholeFile(input.display_path);
  if (!bytes.ok()) return bytes.status();
  out->input = input;
  out->size = static_cast<int64_t>(bytes->size());
  if (options.compute_sha256) out->sha256 = Sha256Hex(*bytes);
  out->extracted =
      ExtractLinks(input.display_path, *bytes, input.format, options.extract);
  std::vector<Link>& links = out->extracted.links;
  size_t before = links.size();
  links.erase(std::remove_if(links.begin(), links.end(),
                             [&filter](const Link& link) {
                               return filter.Excludes(link);
                             }),
              links.end());
  out->excluded = static_cast<int64_t>(before - links.size());
  return Status::Ok();
}

}  // namespace

Result<std::vector<ScannedDocument>> ScanInputs(
    const std::vector<ScanInput>& inputs, const ScanOptions& options) {
  Result<std::map<std::string, UrlFilter>> filters =
      BuildFilters(inputs, options);
  if (!filters.ok()) return filters.status();

  std::vector<ScannedDocument> documents(inputs.size());
  std::vector<Status> statuses(inputs.size());
  std::vector<std::exception_ptr> failures(inputs.size());
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < inputs.size(); i = next++) {
      try {
        statuses[i] = ScanOne(inputs[i], filters->at(inputs[i].root), options,
                              &documents[i]);
      } catch (...) {  // bad_alloc and the like; rethrown after the join
        failures[i] = std::current_exception();
      }
    }
  };
  size_t thread_count =
      std::min(static_cast<size_t>(std::max(options.threads, 1)),
               std::max<size_t>(inputs.size(), 1));
  std::vector<std::thread> helpers;
  for (size_t t = 1; t < thread_count; ++t) helpers.emplace_back(work);
  work();
  for (std::thread& helper : helpers) helper.join();

  // The first problem in input order, so the message does not depend on
  // thread timing.
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (failures[i]) std::rethrow_exception(failures[i]);
    if (!statuses[i].ok()) return statuses[i];
  }
  return documents;
}

}  // namespace rotguard
