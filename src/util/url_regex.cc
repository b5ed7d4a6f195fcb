// UrlRegexSet over RE2 (rotguard/url_regex.h).
#include "rotguard/url_regex.h"

#include <re2/re2.h>

namespace rotguard {

struct UrlRegexSet::Compiled {
  explicit Compiled(const std::string& pattern, const RE2::Options& options)
      : re(pattern, options) {}
  RE2 re;
};

Result<UrlRegexSet> UrlRegexSet::Create(
    const std::vector<std::string>& patterns, std::string_view what) {
  RE2::Options options;
  options.set_log_errors(false);  // the error goes into the Status
  // Bytes as they are: URLs may carry bytes that are not UTF-8.
  options.set_encoding(RE2::Options::EncodingLatin1);
  UrlRegexSet set;
  for (const std::string& pattern : patterns) {
    auto compiled = std::make_shared<const Compiled>(pattern, options);
    if (!compiled->re.ok()) {
      return Status::InvalidArgument(std::string(what) + " '" + pattern +
                                     "': " + compiled->re.error());
    }
    set.regexes_.push_back(std::move(compiled));
  }
  return set;
}

bool UrlRegexSet::AnyMatches(std::string_view url) const {
  for (const auto& compiled : regexes_) {
    if (RE2::PartialMatch(url, compiled->re)) return true;
  }
  return false;
}

}  // namespace rotguard
