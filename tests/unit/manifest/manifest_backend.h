// A fresh, empty manifest of either backend for the backend-independent
// tests: "sqlite" is a file in a temp directory; "postgresql" is a schema
// of its own on the server named by ROTGUARD_TEST_PG_URL (tools/test.sh
// starts one), dropped again at the end. Without that variable the
// PostgreSQL instance is unavailable and its tests are skipped.
#ifndef ROTGUARD_TESTS_UNIT_MANIFEST_MANIFEST_BACKEND_H_
#define ROTGUARD_TESTS_UNIT_MANIFEST_MANIFEST_BACKEND_H_

#include <memory>
#include <string>

#include "rotguard/manifest.h"
#include "unit/temp_dir.h"

namespace rotguard::testing {

inline constexpr const char* kPgUrlVariable = "ROTGUARD_TEST_PG_URL";

class ManifestBackend {
 public:
  // `kind` is "sqlite" or "postgresql".
  explicit ManifestBackend(std::string kind);
  ~ManifestBackend();
  ManifestBackend(const ManifestBackend&) = delete;
  ManifestBackend& operator=(const ManifestBackend&) = delete;

  // Why this backend cannot run here ("" when it can): the reason given
  // to GTEST_SKIP.
  const std::string& unavailable() const { return unavailable_; }
  // What OpenManifest() takes: a file path or a postgresql:// URL.
  const std::string& location() const { return location_; }
  // OpenManifest(location()), EXPECTing success.
  std::unique_ptr<Manifest> Open() const;
  // Runs `sql` on the PostgreSQL schema (test setup); false for SQLite.
  bool PgExec(const std::string& sql) const;

 private:
  std::string kind_;
  TempDir dir_;
  std::string unavailable_;
  std::string location_;
  std::string schema_;  // PostgreSQL: the schema to drop
};

// The server URL with `schema` as the search_path of every connection.
std::string PgUrlWithSchema(const std::string& server_url,
                            const std::string& schema);

}  // namespace rotguard::testing

#endif  // ROTGUARD_TESTS_UNIT_MANIFEST_MANIFEST_BACKEND_H_
