// `.rotguardignore`: one URL glob per line (SPEC §13 "Ignoring").
#ifndef ROTGUARD_EXTRACT_IGNORE_FILE_H_
#define ROTGUARD_EXTRACT_IGNORE_FILE_H_

#include <string>
#include <string_view>
#include <vector>

namespace rotguard {

// The patterns of an ignore file: lines trimmed of surrounding whitespace,
// blank lines and lines starting with '#' dropped, a UTF-8 BOM ignored.
std::vector<std::string> ParseIgnoreFile(std::string_view text);

// True when `glob` matches all of `text`; '*' matches any run of bytes
// (slashes included), every other byte matches itself.
bool GlobMatches(std::string_view glob, std::string_view text);

}  // namespace rotguard

#endif  // ROTGUARD_EXTRACT_IGNORE_FILE_H_
