#include "unit/manifest/manifest_backend.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>

#include "manifest/pg_db.h"

namespace rotguard::testing {
namespace {

std::string ServerUrl() {
  const char* url = std::getenv(kPgUrlVariable);
  return url != nullptr ? url : "";
}

Status RunOnServer(const std::string& url, const std::string& sql) {
  Result<PgDb> db = PgDb::Connect(url);
  if (!db.ok()) return db.status();
  return db->Exec(sql);
}

}  // namespace

std::string PgUrlWithSchema(const std::string& server_url,
                            const std::string& schema) {
  char separator = server_url.find('?') == std::string::npos ? '?' : '&';
  return server_url + separator + "options=-csearch_path%3D" + schema;
}

ManifestBackend::ManifestBackend(std::string kind) : kind_(std::move(kind)) {
  if (kind_ == "sqlite") {
    location_ = dir_ / "manifest.sqlite3";
    return;
  }
  std::string server = ServerUrl();
  if (server.empty()) {
    unavailable_ = std::string("no PostgreSQL server: set ") + kPgUrlVariable +
                   " (tools/test.sh starts one)";
    return;
  }
  static std::atomic<int> serial{0};
  schema_ =
      "rg_test_" + std::to_string(::getpid()) + "_" + std::to_string(++serial);
  Status created = RunOnServer(server, "CREATE SCHEMA " + schema_);
  if (!created.ok()) {
    unavailable_ = created.message();
    schema_.clear();
    return;
  }
  location_ = PgUrlWithSchema(server, schema_);
}

ManifestBackend::~ManifestBackend() {
  if (schema_.empty()) return;
  (void)RunOnServer(ServerUrl(), "DROP SCHEMA " + schema_ + " CASCADE");
}

std::unique_ptr<Manifest> ManifestBackend::Open() const {
  Result<std::unique_ptr<Manifest>> manifest = OpenManifest(location_);
  EXPECT_TRUE(manifest.ok()) << manifest.status().message();
  return manifest.ok() ? std::move(*manifest) : nullptr;
}

bool ManifestBackend::PgExec(const std::string& sql) const {
  if (schema_.empty()) return false;
  Status status = RunOnServer(location_, sql);
  EXPECT_TRUE(status.ok()) << status.message();
  return status.ok();
}

}  // namespace rotguard::testing
