// Front matter: YAML (---), TOML (+++) and JSON ({…}) blocks at the start of
// a post, as Hugo and Jekyll read them.
#ifndef ROTGUARD_EXTRACT_FRONT_MATTER_H_
#define ROTGUARD_EXTRACT_FRONT_MATTER_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "extract/collector.h"
#include "rotguard/extract.h"

namespace rotguard::extract {

// Reads the front matter starting at content[begin] (just after a BOM),
// fills title/date/draft/aliases and reports every http(s) string value,
// at any nesting, as a frontmatter candidate spanning the value's source
// bytes (quotes, YAML properties and block headers excluded; for a value
// written with escapes or over several lines the span holds those source
// bytes and the candidate's target the decoded value). A block its parser
// rejects gets one warning at the error and keeps what a line scanner can
// read of it. Returns the offset where the body starts: `begin` when there
// is no front matter or it is unterminated (then with a warning at the
// opening delimiter).
size_t ExtractFrontMatter(size_t begin, Collector* out,
                          FrontMatter* front_matter);

// "YYYY-MM-DD" when `path` is a Jekyll post (…/_posts/YYYY-MM-DD-slug.ext),
// else "".
std::string JekyllDateFromPath(std::string_view path);

}  // namespace rotguard::extract

#endif  // ROTGUARD_EXTRACT_FRONT_MATTER_H_
