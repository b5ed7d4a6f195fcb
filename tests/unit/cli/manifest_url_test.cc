// A PostgreSQL URL's password never reaches output or rotguard.toml.
#include <gtest/gtest.h>

#include "cli/store_access.h"

namespace rotguard::cli {
namespace {

TEST(WithoutPasswordTest, MasksOrDropsOnlyThePassword) {
  EXPECT_EQ(WithoutPassword("postgresql://u:secret@db.example/r", "***"),
            "postgresql://u:***@db.example/r");
  EXPECT_EQ(WithoutPassword("postgresql://u:secret@db.example/r", ""),
            "postgresql://u@db.example/r");
  // A percent-encoded '@' stays inside the password.
  EXPECT_EQ(WithoutPassword("postgres://u:p%40ss@db:5432/r", "***"),
            "postgres://u:***@db:5432/r");
}

TEST(WithoutPasswordTest, LeavesUrlsWithoutAPasswordAlone) {
  for (const char* url :
       {"postgresql://u@db.example/r", "postgresql://db.example:5432/r",
        "postgresql:///r?host=/tmp/sock", "postgresql://db/r?options=a:b@c",
        "not a url"}) {
    EXPECT_EQ(WithoutPassword(url, ""), url);
  }
}

}  // namespace
}  // namespace rotguard::cli
