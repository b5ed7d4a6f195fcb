#include "extract/ignore_file.h"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rotguard/scan.h"
#include "util/file.h"

namespace rotguard {
namespace {

std::string_view TrimWhitespace(std::string_view s) {
  auto is_space = [](char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' ||
           c == '\v';
  };
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace

std::vector<std::string> ParseIgnoreFile(std::string_view text) {
  constexpr std::string_view kBom = "\xEF\xBB\xBF";
  if (text.substr(0, kBom.size()) == kBom) text.remove_prefix(kBom.size());
  std::vector<std::string> patterns;
  while (!text.empty()) {
    size_t newline = text.find('\n');
    std::string_view line = TrimWhitespace(text.substr(0, newline));
    text.remove_prefix(newline == std::string_view::npos ? text.size()
                                                         : newline + 1);
    if (line.empty() || line.front() == '#') continue;
    patterns.emplace_back(line);
  }
  return patterns;
}

// Wildcard matching with one backtrack point: on a mismatch, let the last
// '*' swallow one more byte. Linear in practice, O(n·m) at worst.
bool GlobMatches(std::string_view glob, std::string_view text) {
  size_t g = 0, t = 0;
  size_t star = std::string_view::npos, star_text = 0;
  while (t < text.size()) {
    if (g < glob.size() && glob[g] == '*') {
      star = g++;
      star_text = t;
    } else if (g < glob.size() && glob[g] == text[t]) {
      ++g;
      ++t;
    } else if (star != std::string_view::npos) {
      g = star + 1;
      t = ++star_text;
    } else {
      return false;
    }
  }
  while (g < glob.size() && glob[g] == '*') ++g;
  return g == glob.size();
}

Result<UrlFilter> UrlFilter::Create(const std::vector<std::string>& regexes) {
  Result<UrlRegexSet> compiled = UrlRegexSet::Create(regexes, "--exclude");
  if (!compiled.ok()) return compiled.status();
  UrlFilter filter;
  filter.regexes_ = std::move(*compiled);
  return filter;
}

Status UrlFilter::AddIgnoreFile(const std::filesystem::path& path) {
  Result<std::string> text = ReadFileToString(path);
  if (!text.ok()) {
    if (text.status().code() == ErrorCode::kNotFound) return Status::Ok();
    return Status::IOError(text.status().message());
  }
  for (std::string& glob : ParseIgnoreFile(*text)) {
    globs_.push_back(std::move(glob));
  }
  return Status::Ok();
}

void UrlFilter::AddGlob(std::string_view glob) { globs_.emplace_back(glob); }

bool UrlFilter::Excludes(const Link& link) const {
  for (const std::string& glob : globs_) {
    if (GlobMatches(glob, link.url) ||
        (!link.normalized.empty() && GlobMatches(glob, link.normalized))) {
      return true;
    }
  }
  return regexes_.AnyMatches(link.url);
}

}  // namespace rotguard
