// ScanInputs() and ScanInputsInOrder(): read and extract many files on a
// few threads, keeping the results in input order so output stays
// deterministic.
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
#include <functional>
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

// Sizes `*bytes` from fstat and fills it with (normally) one read(). A
// file that grows meanwhile is read up to its size at open time.
Status ReadWholeFile(const std::string& path, std::string* bytes) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return ReadError(path, errno);
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return ReadError(path, errno);
  bytes->resize(static_cast<size_t>(st.st_size));
  size_t filled = 0;
  while (filled < bytes->size()) {
    ssize_t n =
        ::read(fd.get(), bytes->data() + filled, bytes->size() - filled);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ReadError(path, errno);
    }
    if (n == 0) break;  // shrank since fstat
    filled += static_cast<size_t>(n);
  }
  bytes->resize(filled);
  return Status::Ok();
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
  // One buffer per thread, reused: a fresh multi-kilobyte allocation per
  // file showed up in profiles as malloc consolidation.
  constexpr size_t kKeepCapacity = 16 << 20;
  thread_local std::string bytes;
  if (bytes.capacity() > kKeepCapacity) bytes = std::string();
  ROTGUARD_RETURN_IF_ERROR(ReadWholeFile(input.display_path, &bytes));
  out->input = input;
  out->size = static_cast<int64_t>(bytes.size());
  if (options.compute_sha256) out->sha256 = Sha256Hex(bytes);
  out->extracted =
      ExtractLinks(input.display_path, bytes, input.format, options.extract);
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

// Helper threads and the calling thread read and extract files; the
// calling thread also hands the results to the consumer in input order.
// Helpers stay at most kWindow files ahead of the consumer, so memory does
// not grow with the site.
// Coordination is by atomics: a thread only sleeps (and only then costs a
// futex call) when it really has to wait.
class OrderedScan {
 public:
  static constexpr size_t kWindow = 256;

  OrderedScan(const std::vector<ScanInput>& inputs, const ScanOptions& options,
              const std::map<std::string, UrlFilter>& filters)
      : inputs_(inputs),
        options_(options),
        filters_(filters),
        slots_(inputs.size()) {}

  // Stops the workers however Run() is left (a consumer may throw).
  ~OrderedScan() { StopAndJoin(); }

  Status Run(const std::function<Status(ScannedDocument&)>& consume) {
    size_t helper_count =
        std::min(static_cast<size_t>(std::max(options_.threads, 1)),
                 std::max<size_t>(inputs_.size(), 1)) -
        1;
    for (size_t t = 0; t < helper_count; ++t) {
      helpers_.emplace_back([this] { HelperLoop(); });
    }
    for (size_t i = 0; i < inputs_.size(); ++i) {
      Slot& slot = slots_[i];
      // The calling thread extracts too: it only sleeps when every file
      // up to here is taken and the one it needs is still in the works.
      while (!slot.ready.load(std::memory_order_acquire)) {
        if (!ScanNext()) slot.ready.wait(false, std::memory_order_acquire);
      }
      if (slot.failure) std::rethrow_exception(slot.failure);
      ROTGUARD_RETURN_IF_ERROR(slot.status);
      Status status = consume(slot.document);
      slot.document = ScannedDocument();  // free it now, not at the end
      consumed_.store(i + 1, std::memory_order_release);
      consumed_.notify_all();
      ROTGUARD_RETURN_IF_ERROR(status);
    }
    return Status::Ok();
  }

 private:
  struct Slot {
    std::atomic<bool> ready{false};
    Status status;
    std::exception_ptr failure;  // bad_alloc and the like
    ScannedDocument document;
  };

  // Takes the next input and scans it into its slot; false when all
  // inputs are taken.
  bool ScanNext() {
    size_t i = next_.fetch_add(1, std::memory_order_relaxed);
    if (i >= inputs_.size()) return false;
    ScanInto(i);
    return true;
  }

  void ScanInto(size_t i) {
    Slot& slot = slots_[i];
    try {
      slot.status = ScanOne(inputs_[i], filters_.at(inputs_[i].root), options_,
                            &slot.document);
    } catch (...) {
      slot.failure = std::current_exception();
    }
    slot.ready.store(true, std::memory_order_release);
    slot.ready.notify_one();
  }

  // Helper threads stay inside the window so memory stays bounded.
  void HelperLoop() {
    for (;;) {
      size_t i = next_.fetch_add(1, std::memory_order_relaxed);
      if (i >= inputs_.size() || !WaitForRoom(i)) return;
      ScanInto(i);
    }
  }

  // Sleeps until input `i` is inside the window; false when stopping.
  bool WaitForRoom(size_t i) {
    size_t consumed = consumed_.load(std::memory_order_acquire);
    while (i >= consumed + kWindow) {
      if (stop_.load(std::memory_order_acquire)) return false;
      consumed_.wait(consumed, std::memory_order_acquire);
      consumed = consumed_.load(std::memory_order_acquire);
    }
    return !stop_.load(std::memory_order_acquire);
  }

  void StopAndJoin() {
    stop_.store(true, std::memory_order_release);
    consumed_.store(inputs_.size(), std::memory_order_release);  // wake all
    consumed_.notify_all();
    for (std::thread& helper : helpers_) helper.join();
    helpers_.clear();
  }

  const std::vector<ScanInput>& inputs_;
  const ScanOptions& options_;
  const std::map<std::string, UrlFilter>& filters_;
  std::vector<Slot> slots_;
  std::atomic<size_t> next_{0};      // next input a worker takes
  std::atomic<size_t> consumed_{0};  // inputs handed to the consumer
  std::atomic<bool> stop_{false};
  std::vector<std::thread> helpers_;
};

}  // namespace

Status ScanInputsInOrder(
    const std::vector<ScanInput>& inputs, const ScanOptions& options,
    const std::function<Status(ScannedDocument&)>& consume) {
  Result<std::map<std::string, UrlFilter>> filters =
      BuildFilters(inputs, options);
  if (!filters.ok()) return filters.status();
  OrderedScan scan(inputs, options, *filters);
  return scan.Run(consume);
}

Result<std::vector<ScannedDocument>> ScanInputs(
    const std::vector<ScanInput>& inputs, const ScanOptions& options) {
  std::vector<ScannedDocument> documents;
  documents.reserve(inputs.size());
  ROTGUARD_RETURN_IF_ERROR(
      ScanInputsInOrder(inputs, options, [&documents](ScannedDocument& doc) {
        documents.push_back(std::move(doc));
        return Status::Ok();
      }));
  return documents;
}

std::string DocumentKey(const std::string& display_path,
                        const std::filesystem::path& site_root) {
  std::filesystem::path absolute =
      std::filesystem::absolute(display_path).lexically_normal();
  std::filesystem::path relative = absolute.lexically_relative(site_root);
  if (relative.empty() || *relative.begin() == "..") return absolute.string();
  return relative.string();
}

}  // namespace rotguard
