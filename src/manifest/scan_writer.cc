// Manifest::BeginScans()'s default: a writer that buffers the scans.
#include "rotguard/scan_writer.h"

#include <memory>
#include <string>
#include <vector>

#include "rotguard/manifest.h"

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

Result<std::unique_ptr<ScanWriter>> Manifest::BeginScans() {
  return std::unique_ptr<ScanWriter>(
      std::make_unique<BufferedScanWriter>(this));
}

}  // namespace rotguard
