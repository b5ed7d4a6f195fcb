// Manifest::RecordScans() fed in batches, still in ONE transaction: what
// `scan --update` of a whole site uses, in flat memory
// (Manifest::BeginScans() opens one).
#ifndef ROTGUARD_SCAN_WRITER_H_
#define ROTGUARD_SCAN_WRITER_H_

#include <memory>
#include <string>
#include <vector>

#include "rotguard/manifest.h"
#include "rotguard/status.h"

namespace rotguard {

class ScanWriter {
 public:
  virtual ~ScanWriter() = default;
  // As RecordScans() for these documents, inside the writer's transaction.
  virtual Status Add(const std::vector<DocumentScan>& scans) = 0;
  // Commits; returns the paths whose links were replaced (new or changed
  // documents), in the order they were added.
  virtual Result<std::vector<std::string>> Commit() = 0;
};

// Made by Manifest::BeginScans().

}  // namespace rotguard

#endif  // ROTGUARD_SCAN_WRITER_H_
