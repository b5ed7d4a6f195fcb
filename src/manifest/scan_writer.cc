// BeginScans(): the backend's own writer, or a buffering one.
#include "rotguard/scan_writer.h"

#include <memory>
#include <string>
#include <vector>

#include "manifest/pg_manifest.h"
#include "manifest/sqlite_manifest.h"

namespace rotguard {
namespace {

// For a Manifest without a writer of its own: scans kept until Commit().
class BufferedScanWriter final : public ScanWriter {
 public:
  explicit BufferedScanWriter(Manifest* manifest) : manifest_(manifest) {}
  Status Add(const std::vector<DocumentScan>& scans) override {
    scans_.insert(scans_.end(), scans.begin(), scans.end());
    return Status::Ok();
  }
  Result<std::vector<std::string>> Commit() override {
    return manifest_->RecordScans(scans_);
  }

 private:
  Manifest* manifest_;
  std::vector<DocumentScan> scans_;
};

}  // namespace

// Dispatched here rather than through a Manifest virtual: the bulk path
// is an optimization of two backends, not something every implementation
// of the interface (fakes included) must provide.
Result<std::unique_ptr<ScanWriter>> BeginScans(Manifest& manifest) {
  if (auto* sqlite = dynamic_cast<SqliteManifest*>(&manifest)) {
    return sqlite->BeginScans();
  }
  if (auto* pg = dynamic_cast<PgManifest*>(&manifest)) {
    return pg->BeginScans();
  }
  return std::unique_ptr<ScanWriter>(
      std::make_unique<BufferedScanWriter>(&manifest));
}

}  // namespace rotguard
