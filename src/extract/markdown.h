// Markdown (CommonMark + GFM) link extraction with md4c.
#ifndef ROTGUARD_EXTRACT_MARKDOWN_H_
#define ROTGUARD_EXTRACT_MARKDOWN_H_

#include <cstddef>
#include <vector>

#include "extract/collector.h"

namespace rotguard::extract {

// Parses content[begin, end) as GitHub-flavoured Markdown. Reports inline,
// reference, autolink, bare-URL and image links, and the links of raw HTML
// (through ScanHtmlFragment, or ExtractHtml where it declines or with
// `gumbo_only`). Returns the regions of code spans and code blocks, in
// document order, so later passes (shortcodes) can skip them.
std::vector<Region> ExtractMarkdown(size_t begin, bool gumbo_only,
                                    Collector* out);

}  // namespace rotguard::extract

#endif  // ROTGUARD_EXTRACT_MARKDOWN_H_
