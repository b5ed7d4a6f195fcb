// What the front-matter readers share: front_matter.cc (delimiters, TOML,
// JSON, the salvage pass) and front_matter_yaml.cc (YAML through libyaml).
// Not a public interface of the extract module.
#ifndef ROTGUARD_EXTRACT_FRONT_MATTER_INTERNAL_H_
#define ROTGUARD_EXTRACT_FRONT_MATTER_INTERNAL_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "extract/collector.h"
#include "rotguard/extract.h"

namespace rotguard::extract {

bool IsHttpUrl(std::string_view value);

// "true"/"false" in any case; anything else is no answer.
std::optional<bool> ParseBool(std::string_view value);

// Backslash escapes of YAML double-quoted and TOML basic strings (the
// common subset: \" \\ \/ \b \f \n \r \t \uXXXX \UXXXXXXXX \xXX).
std::string UnescapeBackslashes(std::string_view raw);

// Stores a top-level `title`, `date`, `draft`, `slug`, `url`, `permalink`,
// `category` or `categories` (space-separated) value; other keys are
// ignored.
void SetFrontMatterField(std::string_view key, std::string value,
                         FrontMatter* fm);

// The YAML block [begin, end) of out->content(), the delimiter lines
// excluded.
void ParseYamlFrontMatter(size_t begin, size_t end, Collector* out,
                          FrontMatter* fm);

// What a line scanner can still read of a block whose parser gave up
// (the caller has warned once): a top-level `title`, `date` or `draft`
// line at or after the line holding `from` fills its field when the parser
// did not. `separator` is ':' for YAML and '=' for TOML.
void SalvageFrontMatterFields(size_t from, size_t end, char separator,
                              std::string_view text, FrontMatter* fm);

}  // namespace rotguard::extract

#endif  // ROTGUARD_EXTRACT_FRONT_MATTER_INTERNAL_H_
