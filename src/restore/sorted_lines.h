// Sorting more lines than fit in memory (the CDXJ/CDX export of a store
// with millions of records): lines are buffered up to a byte budget; each
// full buffer is sorted and spilled to a run file; Finish() merges the
// runs and what is still buffered, one line at a time.
#ifndef ROTGUARD_RESTORE_SORTED_LINES_H_
#define ROTGUARD_RESTORE_SORTED_LINES_H_

#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "rotguard/status.h"

namespace rotguard::restore {

// Byte order (LC_ALL=C sort, std::string's operator<). Lines must not
// contain '\n'. Run files ("sort-<pid>-<n>.run" in `temp_dir`) are removed
// by the destructor.
class ExternalLineSorter {
 public:
  ExternalLineSorter(std::filesystem::path temp_dir, size_t memory_budget);
  ExternalLineSorter(const ExternalLineSorter&) = delete;
  ExternalLineSorter& operator=(const ExternalLineSorter&) = delete;
  ~ExternalLineSorter();

  Status Add(std::string line);
  // Calls `out` with every line in order (without its '\n'); call once.
  Status Finish(const std::function<Status(std::string_view)>& out);

  size_t runs() const { return runs_.size(); }

 private:
  Status Spill();

  std::filesystem::path temp_dir_;
  size_t budget_;
  size_t buffered_ = 0;  // bytes of buffer_, with a per-line overhead
  std::vector<std::string> buffer_;
  std::vector<std::filesystem::path> runs_;
};

}  // namespace rotguard::restore

#endif  // ROTGUARD_RESTORE_SORTED_LINES_H_
