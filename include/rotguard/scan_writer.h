// Manifest::RecordScans() fed in batches, still in ONE transaction: what
// `scan --update` of a whole site uses, in flat memory.
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

// Opens the transaction on `manifest`: nothing is visible until Commit(),
// and a writer destroyed uncommitted (a scan that failed or was killed)
// leaves the manifest as it was. No other write may run on `manifest`
// until the writer is gone. Any Manifest other than the SQLite and
// PostgreSQL backends (a test fake) gets a writer that keeps the scans
// for one RecordScans() at Commit().
Result<std::unique_ptr<ScanWriter>> BeginScans(Manifest& manifest);

}  // namespace rotguard

#endif  // ROTGUARD_SCAN_WRITER_H_
