// HTML link extraction with gumbo: whole documents and the raw-HTML
// pieces of Markdown files.
#ifndef ROTGUARD_EXTRACT_HTML_H_
#define ROTGUARD_EXTRACT_HTML_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "extract/collector.h"

namespace rotguard::extract {

// Parses content[begin, end) as HTML and reports every URL-bearing
// attribute, <style> text and rotguard-ignore comment to `out`, with spans
// relative to the whole content. When `base_href` is non-null it receives
// the first <base href> value (decoded), if any.
void ExtractHtml(size_t begin, size_t end, Collector* out,
                 std::string* base_href);

// ExtractHtml's candidates (and <base href>) from the raw tag scanner of
// requisites.cc instead of a gumbo parse, which costs a tree and dozens of
// allocations even for a one-tag piece of a Markdown file. Returns false,
// reporting nothing, when content[begin, end) holds what the scanner does
// not model exactly (requisites.h ScanPageLinks lists it); the caller then
// runs ExtractHtml.
bool ScanHtmlFragment(size_t begin, size_t end, Collector* out,
                      std::string* base_href);

// Reports each image URL of the srcset value content[start, end) as the
// HTML "parse a srcset attribute" algorithm splits it: URLs run up to
// whitespace, trailing commas separate candidates, descriptors run to the
// next comma outside parentheses.
void ExtractSrcsetUrls(size_t start, size_t end, Collector* out);

// What gumbo makes of raw attribute text: character references decoded,
// CR and CRLF turned into LF, and NUL, invalid UTF-8, control characters
// other than TAB, LF, FF (U+0001-U+001F, U+007F, C1) and noncharacters
// replaced by U+FFFD. (The HTML standard keeps controls and noncharacters,
// only noting a parse error; ExtractLinks' values come from gumbo, so
// everything that must agree with it decodes here.)
std::string DecodeAttributeText(std::string_view raw);

// Reports the URL of a <meta http-equiv=refresh> content value
// content[start, end) ("5; url='https://…'"), if it names one, as a link.
void ExtractRefreshUrl(size_t start, size_t end, Collector* out);

// True when ExtractHtml would cut `html` into independently parsed pieces
// (nesting deep enough to make gumbo quadratic; no real document does).
bool NestsTooDeepForOneParse(std::string_view html);

// Decodes HTML character references (`&amp;`, `&#x2F;`, every named
// reference of the HTML standard) the way an attribute value is decoded.
// Text gumbo would copy unchanged (a '&' that starts no reference, as in
// `?a=1&b=2`) is copied without a parse.
std::string DecodeCharacterReferences(std::string_view raw);

// DecodeCharacterReferences, always through gumbo when `raw` holds a '&':
// the reference the copy-unchanged shortcut is tested against.
std::string DecodeCharacterReferencesWithGumbo(std::string_view raw);

}  // namespace rotguard::extract

#endif  // ROTGUARD_EXTRACT_HTML_H_
