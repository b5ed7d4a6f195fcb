// Hugo shortcodes and Jekyll Liquid tags in a Markdown body.
#ifndef ROTGUARD_EXTRACT_SHORTCODES_H_
#define ROTGUARD_EXTRACT_SHORTCODES_H_

#include <cstddef>
#include <vector>

#include "extract/collector.h"

namespace rotguard::extract {

// Scans content[begin, …) outside `code_regions` (sorted) for Hugo
// shortcodes ({{< … >}}, {{% … %}}) and Liquid tags ({{ … }}, {% … %},
// {% raw %}…{% endraw %}). URL-carrying shortcodes become candidates:
// figure src/link/attrlink at the argument's span, and youtube, vimeo,
// instagram, x, tweet, twitter, twitter_simple and gist as embeds whose
// span is the whole shortcode. Every shortcode and Liquid tag is reported
// as an opaque region: no other parser's link inside it counts.
void ExtractShortcodes(size_t begin, const std::vector<Region>& code_regions,
                       Collector* out);

}  // namespace rotguard::extract

#endif  // ROTGUARD_EXTRACT_SHORTCODES_H_
