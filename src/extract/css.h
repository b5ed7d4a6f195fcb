// CSS url(…) and @import scanning for <style> elements and style
// attributes. Not a CSS parser: it finds the URL tokens and their spans.
#ifndef ROTGUARD_EXTRACT_CSS_H_
#define ROTGUARD_EXTRACT_CSS_H_

#include <cstddef>

#include "extract/collector.h"

namespace rotguard::extract {

// Reports url(…) (kind image) and @import (kind requisite) in
// content[begin, end). With `in_attribute`, URL text is entity-decoded as
// an HTML attribute value is.
void ExtractCssUrls(size_t begin, size_t end, bool in_attribute,
                    Collector* out);

}  // namespace rotguard::extract

#endif  // ROTGUARD_EXTRACT_CSS_H_
