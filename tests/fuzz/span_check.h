// The span property every extraction must keep, shared by the fuzz
// targets that extract links: each link's [start, end) lies inside the
// content, holds exactly its `written` bytes, and links are sorted and
// do not overlap. Aborts (a fuzzer finding) when it does not hold.
#ifndef ROTGUARD_TESTS_FUZZ_SPAN_CHECK_H_
#define ROTGUARD_TESTS_FUZZ_SPAN_CHECK_H_

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "rotguard/extract.h"

namespace rotguard_fuzz {

inline void CheckSpans(std::string_view content,
                       const rotguard::ExtractedDocument& doc) {
  size_t previous_end = 0;
  for (const rotguard::Link& link : doc.links) {
    bool ok =
        link.start <= link.end && link.end <= content.size() &&
        link.start >= previous_end &&
        content.substr(link.start, link.end - link.start) == link.written &&
        link.line >= 1 && link.column >= 1 && !link.url.empty();
    if (!ok) {
      std::fprintf(stderr, "span property violated at [%zu, %zu)\n", link.start,
                   link.end);
      std::abort();
    }
    previous_end = link.end;
  }
}

}  // namespace rotguard_fuzz

#endif  // ROTGUARD_TESTS_FUZZ_SPAN_CHECK_H_
