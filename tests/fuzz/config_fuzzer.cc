// Fuzz target: the store/policy configuration (TOML) and the byte-size
// parser on arbitrary text. Every input is either applied or refused with
// a message; nothing may crash, hang or throw past the parser.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "rotguard/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  rotguard::Config config;
  rotguard::Status status =
      rotguard::ApplyConfigText(text, "fuzz.toml", &config);
  if (!status.ok() && status.message().empty()) {
    std::fprintf(stderr, "config refused without a message\n");
    std::abort();
  }
  rotguard::Result<int64_t> bytes = rotguard::ParseByteSize(text);
  if (bytes.ok() && *bytes < 0) {
    std::fprintf(stderr, "negative byte size accepted\n");
    std::abort();
  }
  return 0;
}
