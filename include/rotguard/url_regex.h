// Regular expressions over URLs (`scan --exclude`, `[scope] include_urls`
// / `exclude_urls`), matched with RE2: linear time and bounded memory on
// any input, because the URLs come from hostile pages (a 200 KB requisite
// URL made std::regex recurse per character and crash the run). RE2's
// syntax is ECMAScript's without backreferences and lookaround; a pattern
// that uses them is refused when the settings are read, not at match time.
#ifndef ROTGUARD_URL_REGEX_H_
#define ROTGUARD_URL_REGEX_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "rotguard/status.h"

namespace rotguard {

class UrlRegexSet {
 public:
  UrlRegexSet() = default;

  // InvalidArgument "`what` 'pattern': reason" for the first pattern that
  // does not compile (`what` names the setting: "--exclude", "[scope]
  // exclude_urls").
  static Result<UrlRegexSet> Create(const std::vector<std::string>& patterns,
                                    std::string_view what);

  bool empty() const { return regexes_.empty(); }
  // True when any pattern matches somewhere in `url` (unanchored).
  bool AnyMatches(std::string_view url) const;

 private:
  struct Compiled;
  std::vector<std::shared_ptr<const Compiled>> regexes_;
};

}  // namespace rotguard

#endif  // ROTGUARD_URL_REGEX_H_
