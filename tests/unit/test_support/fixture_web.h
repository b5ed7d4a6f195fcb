// tools/fixture-web on high ports for GoogleTest suites that need real
// HTTP(S) servers: started by the constructor (once per suite), its
// exported settings in `env`, its --connect-to mappings in `connect_to`,
// stopped by the destructor.
#ifndef ROTGUARD_TESTS_UNIT_TEST_SUPPORT_FIXTURE_WEB_H_
#define ROTGUARD_TESTS_UNIT_TEST_SUPPORT_FIXTURE_WEB_H_

#include <cstdio>
#include <cstdlib>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "unit/temp_dir.h"

namespace rotguard::testing {

struct FixtureWeb {
  testing::TempDir dir;
  std::map<std::string, std::string> env;
  std::vector<std::string> connect_to;
  bool ok = false;

  static std::string Root() {
    return std::string(ROTGUARD_TEST_DATA_DIR) + "/../..";
  }
  FixtureWeb() {
    std::string cmd = Root() + "/tools/fixture-web start --dir " + dir / "web" +
                      " --high-ports --max-seconds 300 --idle-timeout 60";
    FILE* out = ::popen(cmd.c_str(), "r");
    if (!out) return;
    char line[16384];
    while (std::fgets(line, sizeof line, out)) {
      std::string text(line);
      while (!text.empty() && (text.back() == '\n')) text.pop_back();
      if (text.rfind("export ", 0) != 0) continue;
      size_t eq = text.find('=');
      std::string value = text.substr(eq + 1);
      if (value.size() >= 2 && value.front() == '\'') {
        value = value.substr(1, value.size() - 2);
      }
      env[text.substr(7, eq - 7)] = value;
    }
    ok = ::pclose(out) == 0 && env.count("FIXTURE_ADDR") > 0;
    std::istringstream args(env["FIXTURE_ARGS"]);
    std::string word;
    while (args >> word) {
      if (word == "--connect-to" && args >> word) connect_to.push_back(word);
    }
  }
  ~FixtureWeb() {
    std::string cmd = Root() + "/tools/fixture-web stop --dir " + dir / "web";
    if (std::system(cmd.c_str()) != 0)
      std::fputs("fixture stop failed\n", stderr);
  }
};

}  // namespace rotguard::testing

#endif  // ROTGUARD_TESTS_UNIT_TEST_SUPPORT_FIXTURE_WEB_H_
