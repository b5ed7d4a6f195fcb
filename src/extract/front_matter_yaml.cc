// YAML front matter through libyaml (Debian 12: libyaml-dev 0.2.5).
//
// Why libyaml rather than yaml-cpp: a link needs the exact bytes of its
// scalar. libyaml's events carry a start and an end mark, and the end mark
// of a plain scalar is exactly where that scalar stops, over as many lines
// as it runs. yaml-cpp's Mark is a start position only (and, for a node
// with an anchor or tag, the position of those), so finding the end of a
// multi-line plain scalar would mean re-implementing YAML's plain-scalar
// rules next to the library. Two libyaml facts this file corrects for,
// both checked against 0.2.5: mark.index counts characters, not bytes
// (ByteOffsets), and a node's start mark is its first property (`&a`,
// `!!str`) and includes quotes or the block header (LocateScalar).
//
// The span of a URL scalar is its source bytes with quotes, properties and
// the block header line excluded, and for `|`/`>` scalars without the
// surrounding blank space. Where the value differs from those bytes (an
// escape, a folded line break, block indentation) `written` is still the
// source bytes and `url` the value, as for escaped TOML and JSON strings:
// restore replaces the whole span with a one-line relative path, which
// reads back as that path in every scalar style.
//
// libyaml implements YAML 1.1, but the scalar syntax front matter uses is
// the same in 1.2; booleans are not taken from the library anyway
// (ParseBool reads only true/false, as Hugo's YAML 1.2 reader does).
// Merge keys (`<<: *base`) are not expanded.
#include <yaml.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "extract/front_matter_internal.h"

namespace rotguard::extract {
namespace {

// Owns a libyaml parser reading `text`, which must outlive it. The parser
// is a C struct that holds heap buffers, so it stays in place (no moves).
class YamlParser {
 public:
  explicit YamlParser(std::string_view text) {
    ok_ = yaml_parser_initialize(&parser_) != 0;
    if (!ok_) return;  // initialize frees what it allocated on failure
    yaml_parser_set_input_string(
        &parser_, reinterpret_cast<const unsigned char*>(text.data()),
        text.size());
    yaml_parser_set_encoding(&parser_, YAML_UTF8_ENCODING);
  }
  ~YamlParser() {
    if (ok_) yaml_parser_delete(&parser_);
  }
  YamlParser(const YamlParser&) = delete;
  YamlParser& operator=(const YamlParser&) = delete;

  bool ok() const { return ok_; }
  yaml_parser_t* get() { return &parser_; }

 private:
  yaml_parser_t parser_{};
  bool ok_ = false;
};

// Owns the current event of a parse; Next() frees it and reads the next.
class YamlEvent {
 public:
  YamlEvent() = default;
  ~YamlEvent() { Reset(); }
  YamlEvent(const YamlEvent&) = delete;
  YamlEvent& operator=(const YamlEvent&) = delete;

  // False on a parse error; the parser's problem fields say which.
  bool Next(yaml_parser_t* parser) {
    Reset();
    live_ = yaml_parser_parse(parser, &event_) != 0;
    return live_;
  }
  const yaml_event_t& get() const { return event_; }

 private:
  void Reset() {
    if (live_) yaml_event_delete(&event_);
    live_ = false;
  }
  yaml_event_t event_{};
  bool live_ = false;
};

bool IsUtf8Continuation(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

// libyaml's mark.index counts characters (a CRLF counts two, like its
// bytes); this turns one into a byte offset of `text`. Marks arrive in
// document order, so it walks on from the previous answer.
class ByteOffsets {
 public:
  explicit ByteOffsets(std::string_view text)
      : text_(text), ascii_(std::none_of(text.begin(), text.end(), [](char c) {
          return static_cast<unsigned char>(c) >= 0x80;
        })) {}

  size_t At(size_t char_index) {
    if (ascii_) return std::min(char_index, text_.size());
    if (char_index < chars_) chars_ = bytes_ = 0;
    while (chars_ < char_index && bytes_ < text_.size()) {
      ++bytes_;
      while (bytes_ < text_.size() && IsUtf8Continuation(text_[bytes_])) {
        ++bytes_;
      }
      ++chars_;
    }
    return bytes_;
  }

 private:
  std::string_view text_;
  bool ascii_;
  size_t chars_ = 0;
  size_t bytes_ = 0;
};

bool IsNullScalar(const yaml_event_t& event, std::string_view value) {
  return event.data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
         (value.empty() || value == "~" || value == "null" || value == "Null" ||
          value == "NULL");
}

bool IsBlockStyle(yaml_scalar_style_t style) {
  return style == YAML_LITERAL_SCALAR_STYLE ||
         style == YAML_FOLDED_SCALAR_STYLE;
}

std::string_view TrimSpace(std::string_view s) {
  while (!s.empty() && IsHtmlSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsHtmlSpace(s.back())) s.remove_suffix(1);
  return s;
}

struct Span {
  size_t start;
  size_t end;
};

// After a parse error: each http(s) URL in [from, end) that starts a
// token is a link, up to its closing quote when it follows one, else up to
// a blank or a flow indicator. Values are the bytes as written.
void SalvageYamlUrls(size_t from, size_t end, Collector* out) {
  std::string_view text = out->content();
  size_t i = from;
  while (i < end) {
    std::string_view rest = text.substr(i, end - i);
    bool starts_token =
        i == 0 || !std::isalnum(static_cast<unsigned char>(text[i - 1]));
    if (!starts_token || !IsHttpUrl(rest)) {
      ++i;
      continue;
    }
    char quote = i > 0 && (text[i - 1] == '"' || text[i - 1] == '\'')
                     ? text[i - 1]
                     : '\0';
    auto ends_url = [quote](char c) {
      if (c == '\n' || c == '\r') return true;
      if (quote != '\0') return c == quote;
      return IsHtmlSpace(c) ||
             std::string_view(",]}\"'").find(c) != std::string_view::npos;
    };
    size_t stop = i;
    while (stop < end && !ends_url(text[stop])) ++stop;
    out->AddCandidate(LinkKind::kFrontmatter, Origin::kFrontMatter, i, stop,
                      std::string(text.substr(i, stop - i)));
    i = stop;
  }
}

// libyaml checks every open flow level on every token, so `[[[[…` costs
// time quadratic in its depth (200,000 levels: over two minutes); no front
// matter nests this deep, and past it the salvage pass reads the rest.
constexpr size_t kMaxDepth = 1000;

class YamlWalker {
 public:
  YamlWalker(size_t begin, size_t end, Collector* out, FrontMatter* fm)
      : text_(out->content()),
        begin_(begin),
        end_(end),
        out_(out),
        fm_(fm),
        offsets_(text_.substr(begin, end - begin)),
        parsed_until_(begin) {}

  void Run() {
    YamlParser parser(text_.substr(begin_, end_ - begin_));
    if (!parser.ok()) {
      out_->Warn(begin_, "front matter: cannot start the YAML parser");
      return;
    }
    YamlEvent event;
    bool too_deep = false;
    while (event.Next(parser.get())) {
      if (event.get().type == YAML_STREAM_END_EVENT) return;
      too_deep = stack_.size() >= kMaxDepth;
      if (too_deep) break;
      OnEvent(event.get());
    }
    if (too_deep) {
      out_->Warn(FileOffset(event.get().start_mark),
                 "front matter: YAML nested deeper than " +
                     std::to_string(kMaxDepth) + " levels");
    } else {
      WarnParseError(*parser.get());
    }
    SalvageFrontMatterFields(parsed_until_, end_, ':', text_, fm_);
    SalvageYamlUrls(parsed_until_, end_, out_);
  }

 private:
  struct Frame {
    bool mapping = false;    // else a sequence
    bool expect_key = true;  // mappings alternate key and value nodes
    bool is_key = false;     // a collection used as a mapping key
    std::string key;         // the key of the value being read
  };

  size_t FileOffset(const yaml_mark_t& mark) {
    return begin_ + offsets_.At(mark.index);
  }

  void OnEvent(const yaml_event_t& event) {
    switch (event.type) {
      case YAML_SCALAR_EVENT:
        OnScalar(event);
        break;
      case YAML_ALIAS_EVENT:
        OnAlias(event);
        break;
      case YAML_SEQUENCE_START_EVENT:
      case YAML_MAPPING_START_EVENT:
        Push(event.type == YAML_MAPPING_START_EVENT);
        break;
      case YAML_SEQUENCE_END_EVENT:
      case YAML_MAPPING_END_EVENT:
        Pop();
        break;
      default:
        break;
    }
    parsed_until_ = std::max(parsed_until_, FileOffset(event.end_mark));
  }

  bool ExpectsKey() const {
    return !stack_.empty() && stack_.back().mapping && stack_.back().expect_key;
  }

  void SetKey(std::string key) {
    if (stack_.size() == 1) top_key_ = key;
    stack_.back().key = std::move(key);
  }

  // A node finished: in a mapping, a key is followed by a value and a
  // value by the next key.
  void AfterNode() {
    if (!stack_.empty() && stack_.back().mapping) {
      stack_.back().expect_key = !stack_.back().expect_key;
    }
  }

  void Push(bool mapping) {
    Frame frame;
    frame.mapping = mapping;
    frame.is_key = ExpectsKey();
    if (frame.is_key) {
      SetKey("");  // `? [complex, key]`: no field has such a name
      ++key_depth_;
    }
    stack_.push_back(std::move(frame));
  }

  void Pop() {
    if (stack_.empty()) return;
    if (stack_.back().is_key) --key_depth_;
    stack_.pop_back();
    AfterNode();
  }

  void OnScalar(const yaml_event_t& event) {
    const auto& scalar = event.data.scalar;
    std::string value(reinterpret_cast<const char*>(scalar.value),
                      scalar.length);
    if (scalar.anchor != nullptr) {
      anchors_[reinterpret_cast<const char*>(scalar.anchor)] = value;
    }
    if (ExpectsKey()) {
      SetKey(std::move(value));
    } else if (key_depth_ == 0) {
      if (IsBlockStyle(scalar.style)) value = std::string(TrimSpace(value));
      if (IsHttpUrl(value)) ReportUrl(event, value);
      if (!IsNullScalar(event, value)) OnValue(std::move(value));
    }
    AfterNode();
  }

  // `*name`: the anchored scalar's value, for fields only; its link was
  // reported where the anchor's bytes are.
  void OnAlias(const yaml_event_t& event) {
    auto it =
        anchors_.find(reinterpret_cast<const char*>(event.data.alias.anchor));
    std::string value = it == anchors_.end() ? "" : it->second;
    if (ExpectsKey()) {
      SetKey(std::move(value));
    } else if (key_depth_ == 0 && it != anchors_.end()) {
      OnValue(std::move(value));
    }
    AfterNode();
  }

  void OnValue(std::string value) {
    bool top_level = stack_.size() == 1 && stack_[0].mapping;
    bool in_list = !stack_.empty() && !stack_.back().mapping;
    if (top_key_ == "aliases" && (top_level || in_list)) {
      fm_->aliases.push_back(std::move(value));
    } else if (top_key_ == "categories" && in_list && stack_.size() == 2) {
      fm_->categories.push_back(std::move(value));
    } else if (top_level) {
      SetFrontMatterField(top_key_, std::move(value), fm_);
    }
  }

  void ReportUrl(const yaml_event_t& event, const std::string& value) {
    std::optional<Span> span = LocateScalar(event);
    if (!span) {
      out_->Warn(FileOffset(event.start_mark),
                 "front matter: cannot find the bytes of a YAML value");
      return;
    }
    out_->AddCandidate(LinkKind::kFrontmatter, Origin::kFrontMatter,
                       span->start, span->end, value);
  }

  std::optional<Span> LocateScalar(const yaml_event_t& event) {
    size_t start = FileOffset(event.start_mark);
    size_t end = FileOffset(event.end_mark);
    if (event.data.scalar.anchor != nullptr ||
        event.data.scalar.tag != nullptr) {
      start = SkipProperties(start, end);
    }
    if (start >= end) return std::nullopt;
    switch (event.data.scalar.style) {
      case YAML_SINGLE_QUOTED_SCALAR_STYLE:
      case YAML_DOUBLE_QUOTED_SCALAR_STYLE: {
        char quote = event.data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE
                         ? '\''
                         : '"';
        if (end - start < 2 || text_[start] != quote ||
            text_[end - 1] != quote) {
          return std::nullopt;
        }
        return Span{start + 1, end - 1};
      }
      case YAML_LITERAL_SCALAR_STYLE:
      case YAML_FOLDED_SCALAR_STYLE:
        return BlockContent(start, end);
      default:
        return Span{start, end};
    }
  }

  // Past `&anchor` and `!tag` properties and the blanks, line breaks and
  // comments between them and the scalar.
  size_t SkipProperties(size_t i, size_t end) const {
    while (i < end && (text_[i] == '&' || text_[i] == '!')) {
      while (i < end && !IsHtmlSpace(text_[i])) ++i;
      while (i < end && (IsHtmlSpace(text_[i]) || text_[i] == '#')) {
        if (text_[i] == '#') {
          while (i < end && text_[i] != '\n') ++i;
        } else {
          ++i;
        }
      }
    }
    return i;
  }

  // A `|` or `>` scalar's content lines, from the first non-blank byte
  // after the header line to the last non-blank byte.
  std::optional<Span> BlockContent(size_t header, size_t end) const {
    if (text_[header] != '|' && text_[header] != '>') return std::nullopt;
    size_t newline = text_.find('\n', header);
    if (newline == std::string_view::npos || newline >= end) {
      return std::nullopt;
    }
    size_t start = newline + 1;
    while (start < end && IsHtmlSpace(text_[start])) ++start;
    while (end > start && IsHtmlSpace(text_[end - 1])) --end;
    if (start >= end) return std::nullopt;
    return Span{start, end};
  }

  // One warning per block. A problem found at the very end of the block
  // (an unfinished construct, such as a line without `:`) is reported
  // where that construct began.
  void WarnParseError(const yaml_parser_t& parser) {
    size_t at = parser.error == YAML_READER_ERROR
                    ? begin_ + parser.problem_offset
                    : FileOffset(parser.problem_mark);
    if (at >= end_ && parser.context != nullptr) {
      at = FileOffset(parser.context_mark);
    }
    std::string message = "front matter: invalid YAML: ";
    message += parser.problem != nullptr ? parser.problem : "parser error";
    if (parser.context != nullptr) {
      message += std::string(" (") + parser.context + ")";
    }
    out_->Warn(std::min(at, end_), std::move(message));
  }

  std::string_view text_;
  size_t begin_;
  size_t end_;
  Collector* out_;
  FrontMatter* fm_;
  ByteOffsets offsets_;
  size_t parsed_until_;  // file offset after the last event read
  std::vector<Frame> stack_;
  std::string top_key_;  // the top-level key whose value is being read
  int key_depth_ = 0;    // > 0 inside a collection used as a key
  std::unordered_map<std::string, std::string> anchors_;  // scalar anchors
};

}  // namespace

void ParseYamlFrontMatter(size_t begin, size_t end, Collector* out,
                          FrontMatter* fm) {
  YamlWalker(begin, end, out, fm).Run();
}

}  // namespace rotguard::extract
