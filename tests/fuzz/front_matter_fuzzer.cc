// Fuzz target: front matter of every kind (YAML ---, TOML +++, JSON {})
// on arbitrary bytes: the first input byte picks the opening delimiter,
// the rest is the block and body. Aborts when a link's span breaks the
// span property or a warning points at a line the post does not have.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "rotguard/extract.h"
#include "span_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static constexpr std::string_view kOpenings[] = {"---\n", "+++\n", "{",
                                                   "---\r\n"};
  std::string content(kOpenings[data[0] % 4]);
  content.append(reinterpret_cast<const char*>(data + 1), size - 1);
  for (std::string_view path :
       {"content/posts/f.md", "_posts/2021-03-04-f.md"}) {
    rotguard::ExtractedDocument doc = rotguard::ExtractLinks(
        path, content, rotguard::DocumentFormat::kMarkdown);
    rotguard_fuzz::CheckSpans(content, doc);
    long lines = 1 + std::count(content.begin(), content.end(), '\n');
    for (const rotguard::ExtractWarning& warning : doc.warnings) {
      if (warning.line < 0 || warning.line > lines + 1) {
        std::fprintf(stderr, "warning at line %d of a %ld-line post\n",
                     warning.line, lines);
        std::abort();
      }
    }
  }
  return 0;
}
