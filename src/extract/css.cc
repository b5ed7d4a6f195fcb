// CSS URL tokens: url(…) with or without quotes, and @import "…". Comments
// are skipped; escapes inside URLs are rare enough in posts to be kept as
// written.
#include "extract/css.h"

#include <string>
#include <string_view>

#include "extract/html.h"
#include "rotguard/requisites.h"
#include "util/ascii.h"

namespace rotguard::extract {
namespace {

bool StartsWithIgnoreCase(std::string_view text, size_t at,
                          std::string_view prefix) {
  if (text.size() - at < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (AsciiLower(text[at + i]) != prefix[i]) return false;
  }
  return true;
}

class CssScanner {
 public:
  CssScanner(size_t begin, size_t end, bool in_attribute, Collector* out)
      : text_(out->content()),
        pos_(begin),
        end_(end),
        in_attribute_(in_attribute),
        out_(out) {}

  void Run() {
    while (pos_ < end_) {
      char c = text_[pos_];
      if (c == '/' && pos_ + 1 < end_ && text_[pos_ + 1] == '*') {
        size_t close = text_.find("*/", pos_ + 2);
        pos_ = (close == text_.npos || close + 2 > end_) ? end_ : close + 2;
      } else if ((c == 'u' || c == 'U') &&
                 StartsWithIgnoreCase(text_, pos_, "url(") &&
                 pos_ + 4 <= end_) {
        pos_ += 4;
        ReadUrlFunction(LinkKind::kImage);
      } else if (c == '@' && StartsWithIgnoreCase(text_, pos_, "@import") &&
                 pos_ + 7 <= end_) {
        pos_ += 7;
        ReadImport();
      } else {
        ++pos_;
      }
    }
  }

 private:
  void SkipSpaces() {
    while (pos_ < end_ && IsHtmlSpace(text_[pos_])) ++pos_;
  }

  // In a style attribute the quotes of url("…") may be written &quot;.
  size_t EncodedQuoteLength() const {
    if (!in_attribute_) return 0;
    for (std::string_view q : {"&quot;", "&#34;", "&#39;", "&apos;"}) {
      if (text_.substr(pos_, q.size()) == q && pos_ + q.size() <= end_) {
        return q.size();
      }
    }
    return 0;
  }

  void Add(LinkKind kind, size_t start, size_t stop) {
    while (start < stop && IsHtmlSpace(text_[start])) ++start;
    while (stop > start && IsHtmlSpace(text_[stop - 1])) --stop;
    if (start == stop) return;
    std::string_view raw = text_.substr(start, stop - start);
    out_->AddCandidate(
        kind, Origin::kHtml, start, stop,
        in_attribute_ ? DecodeCharacterReferences(raw) : std::string(raw));
  }

  // After `url(`.
  void ReadUrlFunction(LinkKind kind) {
    SkipSpaces();
    if (pos_ >= end_) return;
    char c = text_[pos_];
    if (c == '"' || c == '\'') {
      ReadString(kind);
      return;
    }
    if (size_t quote = EncodedQuoteLength(); quote > 0) {
      std::string_view entity = text_.substr(pos_, quote);
      size_t start = pos_ + quote;
      size_t close = text_.find(entity, start);
      if (close == text_.npos || close > end_) close = end_;
      Add(kind, start, close);
      pos_ = close;
      return;
    }
    size_t start = pos_;
    while (pos_ < end_ && text_[pos_] != ')' && !IsHtmlSpace(text_[pos_])) {
      ++pos_;
    }
    Add(kind, start, pos_);
  }

  void ReadString(LinkKind kind) {
    char quote = text_[pos_++];
    size_t start = pos_;
    while (pos_ < end_ && text_[pos_] != quote && text_[pos_] != '\n') {
      pos_ += (text_[pos_] == '\\' && pos_ + 1 < end_) ? 2 : 1;
    }
    Add(kind, start, pos_);
    if (pos_ < end_) ++pos_;
  }

  void ReadImport() {
    SkipSpaces();
    if (pos_ >= end_) return;
    if (StartsWithIgnoreCase(text_, pos_, "url(") && pos_ + 4 <= end_) {
      pos_ += 4;
      ReadUrlFunction(LinkKind::kRequisite);
    } else if (text_[pos_] == '"' || text_[pos_] == '\'') {
      ReadString(LinkKind::kRequisite);
    }
  }

  std::string_view text_;
  size_t pos_;
  size_t end_;
  bool in_attribute_;
  Collector* out_;
};

}  // namespace

void ExtractCssUrls(size_t begin, size_t end, bool in_attribute,
                    Collector* out) {
  CssScanner(begin, end, in_attribute, out).Run();
}

std::vector<StylesheetReference> ExtractStylesheetUrls(std::string_view css) {
  Collector collector(css);
  ExtractCssUrls(0, css.size(), /*in_attribute=*/false, &collector);
  std::vector<StylesheetReference> refs;
  refs.reserve(collector.candidates().size());
  for (const Candidate& c : collector.candidates()) {
    refs.push_back({c.start, c.end, c.target, c.kind});
  }
  return refs;
}

}  // namespace rotguard::extract
