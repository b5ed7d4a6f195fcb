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
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/digest.h"
#include "util/handles.h"
#include "util/worker_pool.h"

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

// Drops the links the filter excludes; returns how many.
int64_t FilterLinks(const UrlFilter& filter, std::vector<Link>* links) {
  size_t before = links->size();
  links->erase(std::remove_if(links->begin(), links->end(),
                              [&filter](const Link& link) {
                                return filter.Excludes(link);
                              }),
               links->end());
  return static_cast<int64_t>(before - links->size());
}

// The entries of a feed, sitemap, WXR or bookmark file as documents.
void ReadEntries(std::string_view bytes, InputType type,
                 const ScannedDocument& file, const UrlFilter& filter,
                 const ScanOptions& options,
                 std::vector<ScannedDocument>* out) {
  StructuredInput read = ReadStructuredInput(bytes, type, options.extract);
  for (InputEntry& entry : read.entries) {
    ScannedDocument& doc = out->emplace_back(file);
    doc.entry = std::move(entry.id);
    doc.public_url = std::move(entry.public_url);
    doc.fidelity = entry.fidelity;
    doc.extracted = std::move(entry.extracted);
    doc.excluded = FilterLinks(filter, &doc.extracted.links);
  }
  if (out->empty()) out->emplace_back(file).warnings_only = true;
  std::vector<ExtractWarning>& warnings = out->front().extracted.warnings;
  warnings.insert(warnings.begin(), read.warnings.begin(), read.warnings.end());
}

Status ScanOne(const ScanInput& input, const UrlFilter& filter,
               const ScanOptions& options, std::vector<ScannedDocument>* out) {
  // One buffer per thread, reused: a fresh multi-kilobyte allocation per
  // file showed up in profiles as malloc consolidation.
  constexpr size_t kKeepCapacity = 16 << 20;
  thread_local std::string bytes;
  if (bytes.capacity() > kKeepCapacity) bytes = std::string();
  ROTGUARD_RETURN_IF_ERROR(ReadWholeFile(input.display_path, &bytes));
  ScannedDocument file;
  file.input = input;
  file.size = static_cast<int64_t>(bytes.size());
  if (options.compute_sha256) file.sha256 = Sha256Hex(bytes);
  file.type = DetectInputType(bytes);
  if (file.type != InputType::kPost) {
    ReadEntries(bytes, file.type, file, filter, options, out);
    return Status::Ok();
  }
  ScannedDocument& doc = out->emplace_back(std::move(file));
  doc.extracted =
      ExtractLinks(input.display_path, bytes, input.format, options.extract);
  doc.excluded = FilterLinks(filter, &doc.extracted.links);
  return Status::Ok();
}

// Helper threads (a worker pool) and the calling thread read and extract
// files; the calling thread also hands the results to the consumer in
// input order. A helper task takes the next input not taken yet, and
// tasks are submitted only kWindow inputs ahead of the consumer, so
// memory does not grow with the site.
// Slots are handed over by atomics: the calling thread only sleeps (and
// only then costs a futex call) when it really has to wait.
class OrderedScan {
 public:
  static constexpr size_t kWindow = 256;

  OrderedScan(const std::vector<ScanInput>& inputs, const ScanOptions& options,
              const std::map<std::string, UrlFilter>& filters)
      : inputs_(inputs),
        options_(options),
        filters_(filters),
        slots_(inputs.size()) {}

  // Stops the helpers however Run() is left (a consumer may throw): tasks
  // still queued return at once, the pool joins its threads.
  ~OrderedScan() {
    stop_.store(true, std::memory_order_release);
    helpers_.reset();
  }

  Status Run(const std::function<Status(ScannedDocument&)>& consume) {
    size_t helper_count =
        std::min(static_cast<size_t>(std::max(options_.threads, 1)),
                 std::max<size_t>(inputs_.size(), 1)) -
        1;
    if (helper_count > 0) {
      // Never more tasks than inputs: Submit() never waits.
      helpers_.emplace(helper_count, inputs_.size());
      while (submitted_ < std::min(inputs_.size(), kWindow)) SubmitHelp();
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
      Status status = Status::Ok();
      for (ScannedDocument& document : slot.documents) {
        status = consume(document);
        if (!status.ok()) break;
      }
      slot.documents = {};         // free them now, not at the end
      if (helpers_) SubmitHelp();  // the window moves on by one
      ROTGUARD_RETURN_IF_ERROR(status);
    }
    return Status::Ok();
  }

 private:
  struct Slot {
    std::atomic<bool> ready{false};
    Status status;
    std::exception_ptr failure;              // bad_alloc and the like
    std::vector<ScannedDocument> documents;  // one, or a file's entries
  };

  // One more helper task, while inputs are left to take.
  void SubmitHelp() {
    if (submitted_ >= inputs_.size()) return;
    ++submitted_;
    helpers_->Submit([this] {
      if (!stop_.load(std::memory_order_acquire)) ScanNext();
    });
  }

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
                            &slot.documents);
    } catch (...) {
      slot.failure = std::current_exception();
    }
    slot.ready.store(true, std::memory_order_release);
    slot.ready.notify_one();
  }

  const std::vector<ScanInput>& inputs_;
  const ScanOptions& options_;
  const std::map<std::string, UrlFilter>& filters_;
  std::vector<Slot> slots_;
  std::atomic<size_t> next_{0};  // next input a thread takes
  std::atomic<bool> stop_{false};
  size_t submitted_ = 0;               // helper tasks (calling thread only)
  std::optional<WorkerPool> helpers_;  // last: its tasks use the above
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

std::string ScannedDocumentKey(const ScannedDocument& doc,
                               const std::filesystem::path& site_root) {
  std::string key = DocumentKey(doc.input.display_path, site_root);
  if (!doc.entry.empty()) key += "#" + doc.entry;
  return key;
}

}  // namespace rotguard
