// Hugo's shortcode lexer (parser/pageparser) in miniature: a name, then
// positional or key=value arguments, each bare, "quoted" (\" escapes) or
// `raw`. `{{</* … */>}}` is an escaped shortcode, shown literally by Hugo,
// so it carries no link. The embed shortcodes map to the URLs their
// templates render (SPEC §13 "Shortcode URLs").
#include "extract/shortcodes.h"

#include <algorithm>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rotguard::extract {
namespace {

constexpr size_t kNpos = std::string_view::npos;
// A shortcode longer than this is taken as an unterminated one; it keeps
// a stray `{{<` from making the scan quadratic.
constexpr size_t kMaxShortcodeLength = 16 * 1024;
// Longest Liquid tag taken as one; longer ones are literal text.
constexpr size_t kMaxLiquidLength = 1024;

struct Argument {
  std::string_view name;  // empty for a positional argument
  size_t start = 0;       // span of the value, quotes excluded
  size_t end = 0;
  std::string value;
};

struct Shortcode {
  std::string_view name;
  std::vector<Argument> args;
  size_t start = 0;
  size_t end = 0;

  const Argument* Named(std::string_view key) const {
    for (const Argument& arg : args) {
      if (arg.name == key) return &arg;
    }
    return nullptr;
  }
  const Argument* Positional(size_t index) const {
    for (const Argument& arg : args) {
      if (!arg.name.empty()) continue;
      if (index-- == 0) return &arg;
    }
    return nullptr;
  }
  size_t PositionalCount() const {
    size_t count = 0;
    for (const Argument& arg : args) count += arg.name.empty() ? 1 : 0;
    return count;
  }
};

bool IsIdentifierChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '_' || c == '-';
}

// Video, post and gist ids and user names go into a URL path unescaped,
// so only the characters those services use are accepted.
bool IsSafeId(std::string_view id) {
  if (id.empty()) return false;
  for (char c : id) {
    if (!IsIdentifierChar(c) && c != '.') return false;
  }
  return true;
}

class ShortcodeScanner {
 public:
  ShortcodeScanner(size_t begin, const std::vector<Region>& code_regions,
                   Collector* out)
      : text_(out->content()), pos_(begin), code_(code_regions), out_(out) {}

  void Run() {
    while (pos_ < text_.size()) {
      const void* hit =
          std::memchr(text_.data() + pos_, '{', text_.size() - pos_);
      if (hit == nullptr) return;
      size_t brace =
          static_cast<size_t>(static_cast<const char*>(hit) - text_.data());
      pos_ = brace + 1;
      if (brace + 1 >= text_.size()) return;
      char next = text_[brace + 1];
      if (next != '{' && next != '%') continue;
      if (size_t code_end = CodeRegionEnd(brace); code_end != kNpos) {
        pos_ = code_end;
        continue;
      }
      char third = brace + 2 < text_.size() ? text_[brace + 2] : '\0';
      if (next == '{' && (third == '<' || third == '%')) {
        ReadShortcode(brace);
      } else if (next == '{') {
        ReadLiquid(brace, "}}");
      } else {
        ReadLiquid(brace, "%}");
      }
    }
  }

 private:
  // The end of the code region holding `offset`, or kNpos.
  size_t CodeRegionEnd(size_t offset) {
    while (code_index_ < code_.size() && code_[code_index_].end <= offset) {
      ++code_index_;
    }
    if (code_index_ < code_.size() && code_[code_index_].start <= offset) {
      return code_[code_index_].end;
    }
    return kNpos;
  }

  void ReadLiquid(size_t start, std::string_view close) {
    // A stray `{{` in prose must not hide the links of the next pages
    // (nor make the scan quadratic): the tag must close soon.
    std::string_view window = text_.substr(start + 2, kMaxLiquidLength);
    size_t close_at = window.find(close);
    if (close_at == kNpos) return;
    size_t end = start + 2 + close_at;
    end += close.size();
    if (close == "%}" && TagName(start + 2, end) == "raw") {
      // {% raw %}…{% endraw %}: everything inside is literal text.
      size_t endraw = FindEndRaw(end);
      if (endraw != kNpos) end = endraw;
    }
    out_->AddOpaqueRegion(start, end);
    pos_ = end;
  }

  std::string_view TagName(size_t from, size_t to) const {
    size_t i = from;
    while (i < to && (text_[i] == ' ' || text_[i] == '-' || text_[i] == '\t'))
      ++i;
    size_t name_start = i;
    while (i < to && IsIdentifierChar(text_[i])) ++i;
    return text_.substr(name_start, i - name_start);
  }

  size_t FindEndRaw(size_t from) const {
    size_t i = from;
    while ((i = text_.find("{%", i)) != kNpos) {
      size_t close = text_.find("%}", i + 2);
      if (close == kNpos) return kNpos;
      if (TagName(i + 2, close) == "endraw") return close + 2;
      i = close + 2;
    }
    return kNpos;
  }

  void SkipSpaces(size_t* i, size_t limit) const {
    while (*i < limit && IsHtmlSpace(text_[*i])) ++*i;
  }

  void ReadShortcode(size_t start) {
    std::string_view close = text_[start + 2] == '<' ? ">}}" : "%}}";
    size_t limit = std::min(text_.size(), start + kMaxShortcodeLength);
    size_t i = start + 3;
    SkipSpaces(&i, limit);
    if (text_.compare(i, 2, "/*") == 0) {
      // {{</* name */>}} is Hugo's escape for showing a shortcode.
      std::string_view window = text_.substr(0, limit);
      size_t comment_end = window.find("*/", i + 2);
      size_t end =
          comment_end == kNpos ? kNpos : window.find(close, comment_end);
      if (end == kNpos || end >= limit) return;
      out_->AddOpaqueRegion(start, end + close.size());
      pos_ = end + close.size();
      return;
    }
    Shortcode shortcode;
    shortcode.start = start;
    size_t name_start = i;
    while (i < limit && !IsHtmlSpace(text_[i]) &&
           text_.compare(i, close.size(), close) != 0) {
      ++i;
    }
    shortcode.name = text_.substr(name_start, i - name_start);
    while (true) {
      SkipSpaces(&i, limit);
      if (i >= limit) {
        out_->Warn(start, "unterminated Hugo shortcode");
        return;
      }
      if (text_.compare(i, close.size(), close) == 0) break;
      if (text_[i] == '/' && text_.compare(i + 1, close.size(), close) == 0) {
        ++i;  // self-closing {{< name />}}
        continue;
      }
      if (!ReadArgument(&i, limit, &shortcode)) {
        out_->Warn(start, "unterminated Hugo shortcode");
        return;
      }
    }
    shortcode.end = i + close.size();
    out_->AddOpaqueRegion(shortcode.start, shortcode.end);
    pos_ = shortcode.end;
    Report(shortcode);
  }

  bool ReadArgument(size_t* i, size_t limit, Shortcode* shortcode) {
    Argument arg;
    size_t name_end = *i;
    while (name_end < limit && IsIdentifierChar(text_[name_end])) ++name_end;
    if (name_end > *i && name_end < limit && text_[name_end] == '=') {
      arg.name = text_.substr(*i, name_end - *i);
      *i = name_end + 1;
    }
    if (*i >= limit) return false;
    char c = text_[*i];
    if (c == '"' || c == '`') {
      size_t j = *i + 1;
      while (j < limit && text_[j] != c) {
        if (c == '"' && text_[j] == '\\' && j + 1 < limit) {
          arg.value += text_[j + 1];
          j += 2;
          continue;
        }
        arg.value += text_[j++];
      }
      if (j >= limit) return false;
      arg.start = *i + 1;
      arg.end = j;
      *i = j + 1;
    } else {
      size_t j = *i;
      while (j < limit && !IsHtmlSpace(text_[j]) &&
             text_.compare(j, 3, ">}}") != 0 &&
             text_.compare(j, 3, "%}}") != 0) {
        ++j;
      }
      if (j == *i) ++j;  // a lone `>` or `%`: never stall on it
      arg.start = *i;
      arg.end = j;
      arg.value = std::string(text_.substr(*i, j - *i));
      *i = j;
    }
    shortcode->args.push_back(std::move(arg));
    return true;
  }

  void AddArgumentLink(const Shortcode& shortcode, std::string_view key,
                       LinkKind kind) {
    const Argument* arg = shortcode.Named(key);
    if (arg == nullptr || arg->start == arg->end) return;
    out_->AddCandidate(kind, Origin::kShortcode, arg->start, arg->end,
                       arg->value);
  }

  // youtube/vimeo/instagram: `id=` or the first positional argument.
  static std::optional<std::string> IdArgument(const Shortcode& shortcode) {
    const Argument* id = shortcode.Named("id");
    if (id == nullptr) id = shortcode.Positional(0);
    if (id == nullptr) return std::nullopt;
    return id->value;
  }

  void AddEmbed(const Shortcode& shortcode, std::string url) {
    out_->AddCandidate(LinkKind::kEmbed, Origin::kShortcode, shortcode.start,
                       shortcode.end, std::move(url));
  }

  void WarnUnusable(const Shortcode& shortcode) {
    out_->Warn(shortcode.start, "shortcode " + std::string(shortcode.name) +
                                    ": missing or unusable id/user");
  }

  void ReportIdEmbed(const Shortcode& shortcode, std::string_view prefix) {
    std::optional<std::string> id = IdArgument(shortcode);
    if (!id || !IsSafeId(*id)) {
      WarnUnusable(shortcode);
      return;
    }
    AddEmbed(shortcode, std::string(prefix) + *id);
  }

  // x/tweet/twitter: user= and id=, or legacy positional `ID` / `USER ID`.
  void ReportPost(const Shortcode& shortcode) {
    const Argument* user = shortcode.Named("user");
    const Argument* id = shortcode.Named("id");
    if (user == nullptr && id == nullptr) {
      if (shortcode.PositionalCount() == 1) {
        id = shortcode.Positional(0);
      } else {
        user = shortcode.Positional(0);
        id = shortcode.Positional(1);
      }
    }
    if (id == nullptr || !IsSafeId(id->value) ||
        (user != nullptr && !IsSafeId(user->value))) {
      WarnUnusable(shortcode);
      return;
    }
    std::string author = user != nullptr ? user->value : "i";
    AddEmbed(shortcode, "https://x.com/" + author + "/status/" + id->value);
  }

  // gist: `USER ID [FILE]` or user= id=.
  void ReportGist(const Shortcode& shortcode) {
    const Argument* user = shortcode.Named("user");
    const Argument* id = shortcode.Named("id");
    if (user == nullptr) user = shortcode.Positional(0);
    if (id == nullptr) id = shortcode.Positional(1);
    if (user == nullptr || id == nullptr || !IsSafeId(user->value) ||
        !IsSafeId(id->value)) {
      WarnUnusable(shortcode);
      return;
    }
    AddEmbed(shortcode,
             "https://gist.github.com/" + user->value + "/" + id->value);
  }

  void Report(const Shortcode& shortcode) {
    std::string_view name = shortcode.name;
    if (name == "figure") {
      AddArgumentLink(shortcode, "src", LinkKind::kImage);
      AddArgumentLink(shortcode, "link", LinkKind::kLink);
      AddArgumentLink(shortcode, "attrlink", LinkKind::kLink);
    } else if (name == "youtube") {
      ReportIdEmbed(shortcode, "https://www.youtube.com/embed/");
    } else if (name == "vimeo") {
      ReportIdEmbed(shortcode, "https://player.vimeo.com/video/");
    } else if (name == "instagram") {
      ReportIdEmbed(shortcode, "https://www.instagram.com/p/");
    } else if (name == "x" || name == "tweet" || name == "twitter" ||
               name == "twitter_simple") {
      ReportPost(shortcode);
    } else if (name == "gist") {
      ReportGist(shortcode);
    }
  }

  std::string_view text_;
  size_t pos_;
  const std::vector<Region>& code_;
  size_t code_index_ = 0;
  Collector* out_;
};

}  // namespace

void ExtractShortcodes(size_t begin, const std::vector<Region>& code_regions,
                       Collector* out) {
  ShortcodeScanner(begin, code_regions, out).Run();
}

}  // namespace rotguard::extract
