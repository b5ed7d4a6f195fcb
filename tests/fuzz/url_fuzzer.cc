// Fuzz target for the URL helpers: any bytes as a URL (and, split at the
// first newline, as a base and a reference) must never crash, and the
// normalized form must be a fixed point: the manifest key of a key is
// itself.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "rotguard/url.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::optional<std::string> normalized = rotguard::NormalizeUrl(input);
  if (normalized && rotguard::NormalizeUrl(*normalized) != normalized) {
    std::abort();  // NormalizeUrl is not idempotent on this input
  }
  rotguard::UrlScheme(input);
  rotguard::Surt(input);
  size_t newline = input.find('\n');
  if (newline != std::string_view::npos) {
    std::optional<std::string> resolved = rotguard::ResolveUrl(
        input.substr(0, newline), input.substr(newline + 1));
    if (resolved) rotguard::NormalizeUrl(*resolved);
  }
  return 0;
}
