// Fuzz target: the readers of feeds, sitemaps, WXR exports and bookmark
// files (inputs.h) on arbitrary bytes, each type forced whatever the
// bytes look like, plus the sitemap index and the type sniffer. Aborts
// when a link's span does not hold its `written` bytes, when links are
// unsorted or overlap within an entry, or when an entry id is empty or
// repeated (document keys must be unique).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "rotguard/inputs.h"
#include "span_check.h"

using rotguard_fuzz::CheckSpans;

namespace {

void CheckEntries(std::string_view content,
                  const rotguard::StructuredInput& in) {
  std::set<std::string> ids;
  for (const rotguard::InputEntry& entry : in.entries) {
    CheckSpans(content, entry.extracted);
    if (entry.id.empty() || !ids.insert(entry.id).second) {
      std::fprintf(stderr, "entry id empty or repeated: '%s'\n",
                   entry.id.c_str());
      std::abort();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view content(reinterpret_cast<const char*>(data), size);
  rotguard::InputLimits limits;
  limits.max_bytes = 1 << 20;
  limits.max_depth = 64;
  limits.max_elements = 1 << 16;
  rotguard::ExtractOptions options;
  options.base_url = "https://blog.example/";
  (void)rotguard::DetectInputType(content);
  for (rotguard::InputType type :
       {rotguard::InputType::kRss, rotguard::InputType::kAtom,
        rotguard::InputType::kSitemap, rotguard::InputType::kWxr,
        rotguard::InputType::kBookmarks}) {
    CheckEntries(content,
                 rotguard::ReadStructuredInput(content, type, options, limits));
  }
  std::vector<rotguard::ExtractWarning> warnings;
  (void)rotguard::SitemapIndexChildren(content, &warnings, limits);
  return 0;
}
