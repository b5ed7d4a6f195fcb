#include "restore/sorted_lines.h"

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <queue>
#include <system_error>
#include <utility>

namespace rotguard::restore {
namespace {

// What a buffered line costs beyond its bytes (the string and its slot).
constexpr size_t kLineOverhead = 64;

// One sorted run being merged: its file and its current line.
struct RunReader {
  std::ifstream in;
  std::string line;
  bool Advance() { return static_cast<bool>(std::getline(in, line)); }
};

}  // namespace

ExternalLineSorter::ExternalLineSorter(std::filesystem::path temp_dir,
                                       size_t memory_budget)
    : temp_dir_(std::move(temp_dir)), budget_(memory_budget) {}

ExternalLineSorter::~ExternalLineSorter() {
  for (const std::filesystem::path& run : runs_) {
    std::error_code ignored;
    std::filesystem::remove(run, ignored);
  }
}

Status ExternalLineSorter::Add(std::string line) {
  buffered_ += line.size() + kLineOverhead;
  buffer_.push_back(std::move(line));
  return buffered_ >= budget_ ? Spill() : Status::Ok();
}

Status ExternalLineSorter::Spill() {
  std::sort(buffer_.begin(), buffer_.end());
  std::error_code ec;
  std::filesystem::create_directories(temp_dir_, ec);
  std::filesystem::path path =
      temp_dir_ / ("sort-" + std::to_string(::getpid()) + "-" +
                   std::to_string(runs_.size()) + ".run");
  runs_.push_back(path);  // removed by the destructor whatever happens
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  for (const std::string& line : buffer_) {
    out.write(line.data(), static_cast<std::streamsize>(line.size()));
    out.put('\n');
  }
  out.close();
  if (!out) return Status::IOError(path.string() + ": cannot write sort run");
  buffer_.clear();
  buffer_.shrink_to_fit();
  buffered_ = 0;
  return Status::Ok();
}

Status ExternalLineSorter::Finish(
    const std::function<Status(std::string_view)>& out) {
  if (runs_.empty()) {  // it all fit: no file at all
    std::sort(buffer_.begin(), buffer_.end());
    for (const std::string& line : buffer_) ROTGUARD_RETURN_IF_ERROR(out(line));
    return Status::Ok();
  }
  if (!buffer_.empty()) ROTGUARD_RETURN_IF_ERROR(Spill());
  std::vector<std::unique_ptr<RunReader>> readers;
  auto later = [&readers](size_t a, size_t b) {
    return readers[b]->line < readers[a]->line;
  };
  std::priority_queue<size_t, std::vector<size_t>, decltype(later)> heap(later);
  for (const std::filesystem::path& run : runs_) {
    auto reader = std::make_unique<RunReader>();
    reader->in.open(run, std::ios::binary);
    if (!reader->in) return Status::IOError(run.string() + ": cannot read");
    readers.push_back(std::move(reader));
    if (readers.back()->Advance()) heap.push(readers.size() - 1);
  }
  while (!heap.empty()) {
    size_t next = heap.top();
    heap.pop();
    ROTGUARD_RETURN_IF_ERROR(out(readers[next]->line));
    if (readers[next]->Advance()) heap.push(next);
  }
  for (size_t i = 0; i < readers.size(); ++i) {
    if (readers[i]->in.bad()) {
      return Status::IOError(runs_[i].string() + ": read error");
    }
  }
  return Status::Ok();
}

}  // namespace rotguard::restore
