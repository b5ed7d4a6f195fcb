// md4c 0.4.8 reports links without source offsets, so spans are recovered
// from what it does give (see deps-debian12.md, Gotchas):
//  1. a destination without escapes or entities is a pointer into the
//     input, so its offset is exact (for reference links it points into the
//     `[ref]: URL` definition, which is the span we want: a definition used
//     by several links yields one link, deduplicated by span later);
//  2. `<…>` autolinks with a synthesized destination (`<a@b.example>` →
//     mailto:) have their link text, which is in the input, as the span;
//  3. otherwise the destination was unescaped into a heap copy: the source
//     is searched forward from the link text for bytes that decode to it.
// Text pointers of all other callbacks point into the input, which gives
// the code regions, the raw-HTML regions (read by the raw tag scanner, or
// by gumbo where it declines: html.h ScanHtmlFragment), and the plain
// text runs scanned for bare URLs (GFM extended autolinks; bare e-mail
// addresses are not taken).
#include "extract/markdown.h"

#include <md4c.h>

#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "extract/html.h"

namespace rotguard::extract {
namespace {

constexpr size_t kNpos = std::string_view::npos;
// How far past the link text a rewritten destination is searched for
// before the whole document is tried (reference definitions).
constexpr size_t kForwardSearchWindow = 64 * 1024;
// Bytes a document may spend searching for rewritten destinations.
constexpr size_t kSearchBudget = 64 * 1024 * 1024;
// Longest character reference considered while matching
// (`&CounterClockwiseContourIntegral;`).
constexpr size_t kMaxEntityLength = 40;

bool IsAsciiPunct(char c) {
  return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') ||
         (c >= '[' && c <= '`') || (c >= '{' && c <= '~');
}

// Where `target` ends if the source at `pos` spells it with backslash
// escapes and character references; kNpos if it does not.
size_t MatchEscapedForm(std::string_view source, size_t pos, size_t limit,
                        std::string_view target) {
  size_t i = pos;
  size_t j = 0;
  while (j < target.size()) {
    if (i >= limit) return kNpos;
    char c = source[i];
    if (c == '\\' && i + 1 < limit && IsAsciiPunct(source[i + 1]) &&
        source[i + 1] == target[j]) {
      i += 2;
      ++j;
      continue;
    }
    if (c == '&') {
      size_t semi = source.find(';', i + 1);
      if (semi != kNpos && semi < limit && semi - i <= kMaxEntityLength) {
        std::string_view raw = source.substr(i, semi + 1 - i);
        std::string decoded = DecodeCharacterReferences(raw);
        if (decoded != raw && target.compare(j, decoded.size(), decoded) == 0) {
          i = semi + 1;
          j += decoded.size();
          continue;
        }
      }
    }
    if (c != target[j]) return kNpos;
    ++i;
    ++j;
  }
  return i;
}

struct OpenSpan {
  MD_SPANTYPE type;
  std::string target;
  size_t href_start = kNpos;  // set when md4c's pointer is into the input
  size_t href_end = kNpos;
  size_t text_start = kNpos;
  size_t text_end = kNpos;
  bool text_contiguous = true;
  size_t search_from = 0;
};

class MarkdownWalker {
 public:
  MarkdownWalker(size_t begin, bool gumbo_only, Collector* out)
      : out_(out),
        source_(out->content()),
        begin_(begin),
        gumbo_only_(gumbo_only),
        furthest_(begin) {}

  std::vector<Region> Run() {
    MD_PARSER parser{};
    // GFM tables, strikethrough and task lists; bare URLs are found by
    // ScanBareUrls, as md4c 0.4.8's permissive autolinks take quadratic
    // time on a long paragraph full of URLs (7.6 s for 4 MB).
    parser.flags = MD_FLAG_TABLES | MD_FLAG_STRIKETHROUGH | MD_FLAG_TASKLISTS;
    parser.enter_block = &EnterBlock;
    parser.leave_block = &LeaveBlock;
    parser.enter_span = &EnterSpan;
    parser.leave_span = &LeaveSpan;
    parser.text = &Text;
    std::string_view body = source_.substr(begin_);
    md_parse(body.data(), static_cast<MD_SIZE>(body.size()), &parser, this);
    FlushHtml();
    FlushTextRun();
    return std::move(code_regions_);
  }

 private:
  static int EnterBlock(MD_BLOCKTYPE type, void*, void* self) {
    auto* walker = static_cast<MarkdownWalker*>(self);
    walker->FlushHtml();
    walker->FlushTextRun();
    if (type == MD_BLOCK_CODE) walker->EnterCode();
    return 0;
  }
  static int LeaveBlock(MD_BLOCKTYPE type, void*, void* self) {
    auto* walker = static_cast<MarkdownWalker*>(self);
    walker->FlushHtml();
    walker->FlushTextRun();
    if (type == MD_BLOCK_CODE) walker->LeaveCode();
    return 0;
  }
  // Emphasis and strikethrough delimiters may sit inside a bare URL
  // (`http://h/~r/x/~3/`); every other span ends the text run.
  static bool IsEmphasis(MD_SPANTYPE type) {
    return type == MD_SPAN_EM || type == MD_SPAN_STRONG ||
           type == MD_SPAN_DEL || type == MD_SPAN_U;
  }
  static int EnterSpan(MD_SPANTYPE type, void* detail, void* self) {
    auto* walker = static_cast<MarkdownWalker*>(self);
    if (!IsEmphasis(type)) walker->FlushTextRun();
    if (type == MD_SPAN_A) {
      walker->OpenLink(type, static_cast<MD_SPAN_A_DETAIL*>(detail)->href);
    } else if (type == MD_SPAN_IMG) {
      walker->OpenLink(type, static_cast<MD_SPAN_IMG_DETAIL*>(detail)->src);
    } else if (type == MD_SPAN_CODE) {
      walker->EnterCode();
    }
    return 0;
  }
  static int LeaveSpan(MD_SPANTYPE type, void*, void* self) {
    auto* walker = static_cast<MarkdownWalker*>(self);
    if (!IsEmphasis(type)) walker->FlushTextRun();
    if (type == MD_SPAN_A || type == MD_SPAN_IMG) {
      walker->CloseLink();
    } else if (type == MD_SPAN_CODE) {
      walker->LeaveCode();
    }
    return 0;
  }
  static int Text(MD_TEXTTYPE type, const MD_CHAR* text, MD_SIZE size,
                  void* self) {
    static_cast<MarkdownWalker*>(self)->OnText(type, text, size);
    return 0;
  }

  bool InSource(const char* p, size_t size) const {
    return p >= source_.data() && p + size <= source_.data() + source_.size();
  }

  void OnText(MD_TEXTTYPE type, const char* text, size_t size) {
    if (!InSource(text, size) || size == 0) return;  // md4c's own '\n' etc.
    size_t start = static_cast<size_t>(text - source_.data());
    size_t end = start + size;
    if (type == MD_TEXT_HTML) {
      AppendHtml(start, end);
    } else {
      FlushHtml();
    }
    bool plain = (type == MD_TEXT_NORMAL || type == MD_TEXT_ENTITY) &&
                 code_depth_ == 0 && open_.empty();
    if (plain) {
      AppendTextRun(start, end);
    } else {
      FlushTextRun();
    }
    if (code_depth_ > 0) {
      Region& code = code_regions_.back();
      if (code.start == kNpos) code.start = start;
      code.end = std::max(code.end, end);
    }
    if (!open_.empty()) {
      OpenSpan& span = open_.back();
      if (span.text_start == kNpos) {
        span.text_start = start;
      } else if (start != span.text_end) {
        span.text_contiguous = false;
      }
      span.text_end = end;
    }
    furthest_ = std::max(furthest_, end);
  }

  void EnterCode() {
    if (code_depth_++ == 0) code_regions_.push_back({kNpos, 0});
  }
  void LeaveCode() {
    if (code_depth_ == 0) return;
    if (--code_depth_ == 0 && code_regions_.back().start == kNpos) {
      code_regions_.pop_back();
    }
  }

  // Consecutive raw-HTML pieces separated only by whitespace (an HTML block
  // comes line by line) are parsed as one region.
  void AppendHtml(size_t start, size_t end) {
    if (html_end_ != kNpos && start >= html_end_) {
      bool only_space = true;
      for (size_t i = html_end_; i < start && only_space; ++i) {
        only_space = IsHtmlSpace(source_[i]);
      }
      if (only_space) {
        html_end_ = end;
        return;
      }
    }
    FlushHtml();
    html_start_ = start;
    html_end_ = end;
  }
  void FlushHtml() {
    if (html_end_ == kNpos) return;
    if (gumbo_only_ ||
        !ScanHtmlFragment(html_start_, html_end_, out_, nullptr)) {
      ExtractHtml(html_start_, html_end_, out_, nullptr);
    }
    html_end_ = kNpos;
  }

  // Plain text pieces that follow each other in the source form one run,
  // scanned for bare URLs when it ends.
  void AppendTextRun(size_t start, size_t end) {
    if (run_end_ != kNpos && start >= run_end_) {
      bool only_delimiters = true;
      for (size_t i = run_end_; i < start && only_delimiters; ++i) {
        char c = source_[i];
        only_delimiters = c == '*' || c == '_' || c == '~';
      }
      if (only_delimiters) {
        run_end_ = end;
        return;
      }
    }
    FlushTextRun();
    run_start_ = start;
    run_end_ = end;
  }
  void FlushTextRun() {
    if (run_end_ == kNpos) return;
    ScanBareUrls(run_start_, run_end_);
    run_end_ = kNpos;
  }

  // GFM extended autolinks: http://, https:// or www. at the start of a
  // line, after whitespace or after one of `*_~(`, then a domain with at
  // least one period, then anything up to whitespace or `<`; trailing
  // punctuation and unbalanced `)` are not part of the link.
  void ScanBareUrls(size_t start, size_t end) {
    for (size_t p = start; p + 1 < end; ++p) {
      char c = source_[p];
      if (c != 'h' && c != 'H' && c != 'w' && c != 'W') continue;
      // Every prefix starts "ht" or "ww": most words with an h or w end
      // here, before the checks below.
      char next = static_cast<char>(source_[p + 1] | 0x20);
      if (next != ((c | 0x20) == 'h' ? 't' : 'w')) continue;
      if (p > begin_) {
        char before = source_[p - 1];
        if (!IsHtmlSpace(before) && before != '*' && before != '_' &&
            before != '~' && before != '(') {
          continue;
        }
      }
      size_t domain = BareUrlDomainStart(p, end);
      if (domain == kNpos) continue;
      size_t url_end = BareUrlEnd(domain, end);
      if (url_end == kNpos) continue;
      std::string_view raw = source_.substr(p, url_end - p);
      std::string target = DecodeCharacterReferences(raw);
      if (c == 'w' || c == 'W') target.insert(0, "http://");
      out_->AddCandidate(LinkKind::kLink, Origin::kMarkdown, p, url_end,
                         std::move(target));
      p = url_end - 1;
    }
  }

  size_t BareUrlDomainStart(size_t p, size_t end) const {
    for (std::string_view prefix : {"https://", "http://", "www."}) {
      if (end - p < prefix.size()) continue;
      bool match = true;
      for (size_t i = 0; i < prefix.size() && match; ++i) {
        char lower = source_[p + i];
        if (lower >= 'A' && lower <= 'Z') lower = static_cast<char>(lower + 32);
        match = lower == prefix[i];
      }
      if (match) return prefix == "www." ? p : p + prefix.size();
    }
    return kNpos;
  }

  // The end of a bare URL whose domain starts at `domain`, or kNpos when
  // the domain is not valid.
  size_t BareUrlEnd(size_t domain, size_t end) const {
    size_t i = domain;
    bool period = false;
    while (i < end) {
      unsigned char c = static_cast<unsigned char>(source_[i]);
      if (c == '.') {
        period = true;
      } else if (!(c >= 0x80 || (c >= 'a' && c <= 'z') ||
                   (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                   c == '-' || c == '_')) {
        break;
      }
      ++i;
    }
    if (!period || i == domain) return kNpos;
    while (i < end && !IsHtmlSpace(source_[i]) && source_[i] != '<') ++i;
    return TrimBareUrl(domain, i);
  }

  size_t TrimBareUrl(size_t domain, size_t url_end) const {
    int balance = 0;  // '(' minus ')' in [domain, url_end)
    for (size_t k = domain; k < url_end; ++k) {
      balance += source_[k] == '(' ? 1 : source_[k] == ')' ? -1 : 0;
    }
    while (url_end > domain) {
      char last = source_[url_end - 1];
      if (last == '?' || last == '!' || last == '.' || last == ',' ||
          last == ':' || last == '*' || last == '_' || last == '~' ||
          last == '\'' || last == '"') {
        --url_end;
      } else if (last == ')') {
        if (balance >= 0) break;
        ++balance;
        --url_end;
      } else if (last == ';') {
        // A trailing entity reference (`&hellip;`) is not part of the URL.
        size_t amp = url_end - 1;
        while (amp > domain &&
               std::isalnum(static_cast<unsigned char>(source_[amp - 1]))) {
          --amp;
        }
        if (amp > domain && source_[amp - 1] == '&') {
          url_end = amp - 1;
        } else {
          break;
        }
      } else {
        break;
      }
    }
    return url_end;
  }

  static std::string DecodeAttribute(const MD_ATTRIBUTE& attr) {
    std::string decoded;
    decoded.reserve(attr.size);
    for (unsigned i = 0; attr.substr_offsets[i] < attr.size; ++i) {
      std::string_view piece(
          attr.text + attr.substr_offsets[i],
          attr.substr_offsets[i + 1] - attr.substr_offsets[i]);
      switch (attr.substr_types[i]) {
        case MD_TEXT_ENTITY:
          decoded += DecodeCharacterReferences(piece);
          break;
        case MD_TEXT_NULLCHAR:
          decoded += "\xEF\xBF\xBD";
          break;
        default:
          decoded += piece;
          break;
      }
    }
    return decoded;
  }

  void OpenLink(MD_SPANTYPE type, const MD_ATTRIBUTE& href) {
    OpenSpan span;
    span.type = type;
    span.target = DecodeAttribute(href);
    if (href.size > 0 && InSource(href.text, href.size)) {
      span.href_start = static_cast<size_t>(href.text - source_.data());
      span.href_end = span.href_start + href.size;
    }
    span.search_from = furthest_;
    open_.push_back(std::move(span));
  }

  void CloseLink() {
    if (open_.empty()) return;
    OpenSpan span = std::move(open_.back());
    open_.pop_back();
    if (span.target.empty()) return;
    size_t start = span.href_start;
    size_t end = span.href_end;
    if (start == kNpos) LocateAutolinkText(span, &start, &end);
    if (start == kNpos) LocateEscapedDestination(span, &start, &end);
    if (start == kNpos) {
      out_->Warn(span.search_from,
                 "cannot locate the source of link destination " + span.target);
      return;
    }
    LinkKind kind =
        span.type == MD_SPAN_IMG ? LinkKind::kImage : LinkKind::kLink;
    out_->AddCandidate(kind, Origin::kMarkdown, start, end,
                       std::move(span.target));
  }

  void LocateAutolinkText(const OpenSpan& span, size_t* start,
                          size_t* end) const {
    if (span.text_start == kNpos || !span.text_contiguous) return;
    std::string_view text =
        source_.substr(span.text_start, span.text_end - span.text_start);
    std::string_view target = span.target;
    for (std::string_view prefix : {"", "http://", "mailto:"}) {
      if (target.size() == prefix.size() + text.size() &&
          target.substr(0, prefix.size()) == prefix &&
          target.substr(prefix.size()) == text) {
        *start = span.text_start;
        *end = span.text_end;
        return;
      }
    }
  }

  void LocateEscapedDestination(const OpenSpan& span, size_t* start,
                                size_t* end) {
    size_t from = span.text_end != kNpos ? span.text_end : span.search_from;
    size_t limit = std::min(source_.size(), from + kForwardSearchWindow);
    if (Charge(limit - from) &&
        FindEscapedForm(span.target, from, limit, start, end)) {
      furthest_ = std::max(furthest_, *end);
      return;
    }
    // Reference definitions may be anywhere; a definition used again is
    // found in the cache.
    if (auto it = far_destinations_.find(span.target);
        it != far_destinations_.end()) {
      *start = it->second.start;
      *end = it->second.end;
      return;
    }
    if (Charge(source_.size() - begin_) &&
        FindEscapedForm(span.target, begin_, source_.size(), start, end)) {
      far_destinations_[span.target] = {*start, *end};
    }
  }

  // Searches spend a per-document budget so hostile input stays linear.
  bool Charge(size_t bytes) {
    if (bytes > search_budget_) return false;
    search_budget_ -= bytes;
    return true;
  }

  bool FindEscapedForm(std::string_view target, size_t from, size_t limit,
                       size_t* start, size_t* end) const {
    char first = target[0];
    for (size_t p = from; p < limit; ++p) {
      char c = source_[p];
      if (c != first && c != '\\' && c != '&') continue;
      size_t match_end = MatchEscapedForm(source_, p, limit, target);
      if (match_end != kNpos) {
        *start = p;
        *end = match_end;
        return true;
      }
    }
    return false;
  }

  Collector* out_;
  std::string_view source_;
  size_t begin_;
  bool gumbo_only_;
  size_t furthest_;  // end of the last input text seen
  std::vector<OpenSpan> open_;
  int code_depth_ = 0;
  std::vector<Region> code_regions_;
  size_t html_start_ = 0;
  size_t html_end_ = kNpos;
  size_t search_budget_ = kSearchBudget;
  std::unordered_map<std::string, Region> far_destinations_;
  size_t run_start_ = 0;
  size_t run_end_ = kNpos;
};

}  // namespace

std::vector<Region> ExtractMarkdown(size_t begin, bool gumbo_only,
                                    Collector* out) {
  return MarkdownWalker(begin, gumbo_only, out).Run();
}

}  // namespace rotguard::extract
