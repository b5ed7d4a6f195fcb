// Fuzz target: ExtractLinks on arbitrary bytes, as Markdown and as HTML,
// with and without a base URL. Aborts when a link's span does not hold
// exactly its `written` bytes or spans are unsorted/overlapping.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "rotguard/extract.h"
#include "span_check.h"

using rotguard_fuzz::CheckSpans;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view content(reinterpret_cast<const char*>(data), size);
  rotguard::ExtractOptions with_base;
  with_base.base_url = "https://blog.example/posts/one/";
  CheckSpans(content,
             rotguard::ExtractLinks("content/posts/f.md", content,
                                    rotguard::DocumentFormat::kMarkdown));
  CheckSpans(content, rotguard::ExtractLinks(
                          "_posts/2020-02-08-f.md", content,
                          rotguard::DocumentFormat::kMarkdown, with_base));
  CheckSpans(content, rotguard::ExtractLinks("f.html", content,
                                             rotguard::DocumentFormat::kHtml));
  CheckSpans(content, rotguard::ExtractLinks("f.html", content,
                                             rotguard::DocumentFormat::kHtml,
                                             with_base));
  return 0;
}
