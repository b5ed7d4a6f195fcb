// Values come from the format's library where we have one (toml++,
// nlohmann-json); spans always come from the source bytes, by a small
// scanner that walks the string tokens in document order. YAML has no
// library in our set, so a line-oriented scanner handles the subset front
// matter uses: `key: value`, quoted and plain scalars, `- item` block lists,
// nested maps by indentation, `[a, b]` / `{k: v}` flow collections and
// `|`/`>` block scalars (skipped). What it cannot read is a warning.
#include "extract/front_matter.h"

#include <toml++/toml.h>

#include <cstdint>
#include <cstring>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/ascii.h"

namespace rotguard::extract {
namespace {

constexpr size_t kNpos = std::string_view::npos;

bool IsHttpUrl(std::string_view value) {
  return StartsWithIgnoreCase(value, "http://") ||
         StartsWithIgnoreCase(value, "https://");
}

std::optional<bool> ParseBool(std::string_view value) {
  std::string lower;
  for (char c : value) lower += AsciiLower(c);
  if (lower == "true") return true;
  if (lower == "false") return false;
  return std::nullopt;
}

void AppendUtf8(uint32_t code_point, std::string* out) {
  if (code_point < 0x80) {
    *out += static_cast<char>(code_point);
  } else if (code_point < 0x800) {
    *out += static_cast<char>(0xC0 | (code_point >> 6));
    *out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else if (code_point < 0x10000) {
    *out += static_cast<char>(0xE0 | (code_point >> 12));
    *out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else {
    *out += static_cast<char>(0xF0 | (code_point >> 18));
    *out += static_cast<char>(0x80 | ((code_point >> 12) & 0x3F));
    *out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (code_point & 0x3F));
  }
}

// Backslash escapes of YAML double-quoted and TOML basic strings (the
// common subset: \" \\ \/ \b \f \n \r \t \uXXXX \UXXXXXXXX \xXX).
std::string UnescapeBackslashes(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '\\' || i + 1 == raw.size()) {
      out += raw[i];
      continue;
    }
    char e = raw[++i];
    size_t hex_digits = e == 'u' ? 4 : e == 'U' ? 8 : e == 'x' ? 2 : 0;
    if (hex_digits > 0 && i + hex_digits < raw.size()) {
      std::string hex(raw.substr(i + 1, hex_digits));
      char* end = nullptr;
      unsigned long value = std::strtoul(hex.c_str(), &end, 16);
      if (hex.size() == hex_digits && end == hex.c_str() + hex.size()) {
        AppendUtf8(static_cast<uint32_t>(value), &out);
        i += hex_digits;
        continue;
      }
    }
    switch (e) {
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      default:
        out += e;
        break;
    }
  }
  return out;
}

// Line [start, end) of `text` with the line terminator excluded; `next`
// is where the following line starts.
struct Line {
  size_t start;
  size_t end;
  size_t next;
};

Line LineAt(std::string_view text, size_t pos) {
  size_t newline = text.find('\n', pos);
  size_t next = newline == kNpos ? text.size() : newline + 1;
  size_t end = newline == kNpos ? text.size() : newline;
  if (end > pos && text[end - 1] == '\r') --end;
  return {pos, end, next};
}

// A line that holds only `delimiter` (trailing blanks allowed).
bool IsDelimiterLine(std::string_view text, const Line& line,
                     std::string_view delimiter) {
  if (text.compare(line.start, delimiter.size(), delimiter) != 0) return false;
  for (size_t i = line.start + delimiter.size(); i < line.end; ++i) {
    if (text[i] != ' ' && text[i] != '\t') return false;
  }
  return true;
}

// ----------------------------------------------------------------- YAML

class YamlScanner {
 public:
  YamlScanner(size_t begin, size_t end, Collector* out, FrontMatter* fm)
      : text_(out->content()), begin_(begin), end_(end), out_(out), fm_(fm) {}

  void Run() {
    size_t pos = begin_;
    while (pos < end_) {
      Line line = LineAt(text_, pos);
      if (line.end > end_) line.end = end_;
      pos = ScanLine(line);
    }
  }

 private:
  struct Context {
    std::string_view key;
    bool top_level = false;  // a key at indent 0
    bool list_item = false;  // inside `- …` or a flow collection
  };

  // Returns where the next line to scan starts.
  size_t ScanLine(const Line& line) {
    size_t indent = 0;
    while (line.start + indent < line.end &&
           text_[line.start + indent] == ' ') {
      ++indent;
    }
    size_t c = line.start + indent;
    if (c >= line.end || text_[c] == '#') return line.next;
    if (block_scalar_indent_ != kNpos) {
      if (indent > block_scalar_indent_) return line.next;
      block_scalar_indent_ = kNpos;
    }
    line_indent_ = indent;
    line_start_ = line.start;
    if (text_[c] == '-' && (c + 1 == line.end || text_[c + 1] == ' ')) {
      size_t item = c + 1;
      while (item < line.end && text_[item] == ' ') ++item;
      if (item >= line.end) return line.next;
      return ScanEntry(item, line, /*list_item=*/true);
    }
    return ScanEntry(c, line, /*list_item=*/false);
  }

  // `key: value`, or a bare value inside a list item.
  size_t ScanEntry(size_t c, const Line& line, bool list_item) {
    size_t colon = FindKeyColon(c, line.end);
    if (colon == kNpos) {
      if (list_item) {
        Context context{top_key_, false, true};
        return ScanValue(c, line, context);
      }
      out_->Warn(line.start, "front matter: cannot parse YAML line");
      return line.next;
    }
    std::string_view key = text_.substr(c, colon - c);
    if (key.size() >= 2 && (key.front() == '"' || key.front() == '\'')) {
      key = key.substr(1, key.size() - 2);
    }
    while (!key.empty() && key.back() == ' ') key.remove_suffix(1);
    bool top_level = line_indent_ == 0 && !list_item;
    if (top_level) top_key_ = key;
    size_t value = colon + 1;
    while (value < line.end && (text_[value] == ' ' || text_[value] == '\t')) {
      ++value;
    }
    if (value >= line.end || text_[value] == '#') return line.next;
    Context context{key, top_level, false};
    return ScanValue(value, line, context);
  }

  // The ':' that ends a mapping key: followed by a blank or the line end,
  // outside quotes.
  size_t FindKeyColon(size_t c, size_t end) const {
    size_t i = c;
    if (text_[i] == '"' || text_[i] == '\'') {
      size_t close = text_.find(text_[i], i + 1);
      if (close == kNpos || close >= end) return kNpos;
      i = close + 1;
      return (i < end && text_[i] == ':') ? i : kNpos;
    }
    if (text_[i] == '[' || text_[i] == '{') return kNpos;
    for (; i < end; ++i) {
      if (text_[i] == ':' &&
          (i + 1 == end || text_[i + 1] == ' ' || text_[i + 1] == '\t')) {
        return i;
      }
      if (text_[i] == '#' && i > c && text_[i - 1] == ' ') return kNpos;
    }
    return kNpos;
  }

  size_t ScanValue(size_t v, const Line& line, const Context& context) {
    // Anchors and tags come before the value: `&anchor`, `!!str`.
    while (v < line.end && (text_[v] == '&' || text_[v] == '!')) {
      while (v < line.end && text_[v] != ' ') ++v;
      while (v < line.end && text_[v] == ' ') ++v;
    }
    if (v >= line.end || text_[v] == '*') return line.next;
    char c = text_[v];
    if (c == '"' || c == '\'') {
      ScanQuoted(v, line.end, context);
      return line.next;
    }
    if (c == '[' || c == '{') return ScanFlow(v, context);
    if (c == '|' || c == '>') {
      block_scalar_indent_ = line_indent_;
      return line.next;
    }
    size_t end = v;
    while (end < line.end && !(text_[end] == '#' && text_[end - 1] == ' ')) {
      ++end;
    }
    while (end > v && (text_[end - 1] == ' ' || text_[end - 1] == '\t')) --end;
    OnScalar(v, end, std::string(text_.substr(v, end - v)), context);
    return line.next;
  }

  // A quoted scalar starting at `q`; returns the offset after it, or kNpos.
  size_t ScanQuoted(size_t q, size_t limit, const Context& context) {
    char quote = text_[q];
    size_t i = q + 1;
    while (i < limit) {
      if (quote == '"' && text_[i] == '\\') {
        i += 2;
        continue;
      }
      if (text_[i] == quote) {
        if (quote == '\'' && i + 1 < limit && text_[i + 1] == '\'') {
          i += 2;
          continue;
        }
        break;
      }
      ++i;
    }
    if (i >= limit) {
      out_->Warn(q, "front matter: unterminated quoted YAML string");
      return kNpos;
    }
    std::string_view raw = text_.substr(q + 1, i - q - 1);
    std::string value;
    if (quote == '"') {
      value = UnescapeBackslashes(raw);
    } else {
      for (size_t k = 0; k < raw.size(); ++k) {
        value += raw[k];
        if (raw[k] == '\'' && k + 1 < raw.size() && raw[k + 1] == '\'') ++k;
      }
    }
    OnScalar(q + 1, i, std::move(value), context);
    return i + 1;
  }

  // `[a, "b", {k: v}]` and `{k: v, …}`, possibly over several lines.
  size_t ScanFlow(size_t open, const Context& outer) {
    Context context{outer.key, outer.top_level, true};
    int depth = 0;
    size_t i = open;
    while (i < end_) {
      char c = text_[i];
      if (c == '[' || c == '{') {
        ++depth;
        ++i;
      } else if (c == ']' || c == '}') {
        ++i;
        if (--depth == 0) return LineAt(text_, i).next;
      } else if (c == '"' || c == '\'') {
        size_t after = ScanQuoted(i, end_, context);
        if (after == kNpos) return end_;
        i = after;
      } else if (c == ',' || IsHtmlSpace(c)) {
        ++i;
      } else {
        i = ScanFlowPlain(i, context);
      }
    }
    out_->Warn(open, "front matter: unterminated YAML flow collection");
    return end_;
  }

  // A plain scalar inside a flow collection; `key: value` pairs report the
  // value only.
  size_t ScanFlowPlain(size_t start, const Context& context) {
    size_t i = start;
    while (i < end_ && text_[i] != ',' && text_[i] != ']' && text_[i] != '}' &&
           text_[i] != '\n') {
      if (text_[i] == ':' && i + 1 < end_ && text_[i + 1] == ' ') {
        start = i + 1;
        while (start < end_ && text_[start] == ' ') ++start;
        if (start < end_ && (text_[start] == '"' || text_[start] == '\'')) {
          return start;  // the quoted value is scanned by ScanFlow
        }
        i = start;
        continue;
      }
      ++i;
    }
    size_t end = i;
    while (end > start && IsHtmlSpace(text_[end - 1])) --end;
    if (end > start) {
      OnScalar(start, end, std::string(text_.substr(start, end - start)),
               context);
    }
    return i;
  }

  void OnScalar(size_t start, size_t end, std::string value,
                const Context& context) {
    if (IsHttpUrl(value)) {
      out_->AddCandidate(LinkKind::kFrontmatter, Origin::kFrontMatter, start,
                         end, value);
    }
    if (context.list_item) {
      if (top_key_ == "aliases") fm_->aliases.push_back(std::move(value));
      return;
    }
    if (!context.top_level) return;
    if (context.key == "title") {
      fm_->title = std::move(value);
    } else if (context.key == "date") {
      fm_->date = std::move(value);
    } else if (context.key == "draft") {
      fm_->draft = ParseBool(value);
    } else if (context.key == "aliases") {
      fm_->aliases.push_back(std::move(value));
    }
  }

  std::string_view text_;
  size_t begin_;
  size_t end_;
  Collector* out_;
  FrontMatter* fm_;
  std::string_view top_key_;
  size_t line_indent_ = 0;
  size_t line_start_ = 0;
  size_t block_scalar_indent_ = kNpos;
};

// ------------------------------------------------------ TOML and JSON

// Walks the string tokens of a TOML or JSON document in order and reports
// each value string (not keys) that is an http(s) URL. `decode` turns the
// raw token (quotes included) into its value.
template <typename Decode>
void ReportUrlStrings(size_t begin, size_t end, bool toml, Collector* out,
                      Decode decode) {
  std::string_view text = out->content();
  size_t i = begin;
  bool line_start = true;
  int value_depth = 0;  // TOML: inside an array/inline table value
  while (i < end) {
    char c = text[i];
    if (toml && c == '#') {
      while (i < end && text[i] != '\n') ++i;
      continue;
    }
    if (c == '\n') {
      line_start = true;
      ++i;
      continue;
    }
    if (IsHtmlSpace(c)) {
      ++i;
      continue;
    }
    if (toml && line_start && value_depth == 0 && c == '[') {
      while (i < end && text[i] != '\n') ++i;  // a [table] header
      continue;
    }
    line_start = false;
    if (toml && (c == '[' || c == '{') && i > begin) ++value_depth;
    if (toml && (c == ']' || c == '}') && value_depth > 0) --value_depth;
    if (c != '"' && c != '\'') {
      ++i;
      continue;
    }
    if (c == '\'' && !toml) {
      ++i;
      continue;
    }
    bool multiline = toml && text.compare(i, 3, std::string(3, c)) == 0;
    if (multiline) {
      size_t close = text.find(std::string(3, c), i + 3);
      i = (close == kNpos || close > end) ? end : close + 3;
      continue;
    }
    size_t j = i + 1;
    while (j < end && text[j] != c && text[j] != '\n') {
      j += (c == '"' && text[j] == '\\') ? 2 : 1;
    }
    if (j >= end || text[j] != c) return;  // the library reports the error
    size_t after = j + 1;
    while (after < end && (text[after] == ' ' || text[after] == '\t')) ++after;
    bool is_key =
        after < end && (toml ? (text[after] == '=' || text[after] == '.')
                             : text[after] == ':');
    if (!is_key) {
      std::string_view raw = text.substr(i, j + 1 - i);
      std::string value = raw.find('\\') == kNpos || c == '\''
                              ? std::string(raw.substr(1, raw.size() - 2))
                              : decode(raw);
      if (IsHttpUrl(value)) {
        out->AddCandidate(LinkKind::kFrontmatter, Origin::kFrontMatter, i + 1,
                          j, value);
      }
    }
    i = j + 1;
  }
}

// The text after `=` on a TOML line, for values kept as written (dates).
std::string TomlRawValue(std::string_view text, size_t begin, size_t end,
                         int line_number) {
  size_t pos = begin;
  for (int line = 1; line < line_number && pos < end; ++line) {
    pos = LineAt(text, pos).next;
  }
  Line line = LineAt(text, pos);
  size_t equals = text.find('=', line.start);
  if (equals == kNpos || equals >= line.end) return "";
  std::string_view value = text.substr(equals + 1, line.end - equals - 1);
  size_t comment = value.find(" #");
  if (comment != kNpos) value = value.substr(0, comment);
  while (!value.empty() && IsHtmlSpace(value.front())) value.remove_prefix(1);
  while (!value.empty() && IsHtmlSpace(value.back())) value.remove_suffix(1);
  return std::string(value);
}

int LineNumberAt(std::string_view text, size_t offset) {
  int line = 1;
  for (size_t i = 0; i < offset; ++i) line += text[i] == '\n' ? 1 : 0;
  return line;
}

void ParseToml(size_t begin, size_t end, Collector* out, FrontMatter* fm) {
  std::string_view text = out->content();
  std::string_view doc = text.substr(begin, end - begin);
  toml::table table;
  try {
    table = toml::parse(doc, std::string_view("front matter"));
  } catch (const toml::parse_error& error) {
    out->Warn(begin, "front matter: TOML error at line " +
                         std::to_string(
                             LineNumberAt(text, begin) +
                             static_cast<int>(error.source().begin.line) - 1) +
                         ": " + std::string(error.description()));
    return;
  }
  if (auto title = table["title"].value<std::string>()) fm->title = *title;
  if (const toml::node* date = table.get("date")) {
    if (auto text_date = date->value<std::string>()) {
      fm->date = *text_date;
    } else {
      fm->date = TomlRawValue(text, begin, end,
                              static_cast<int>(date->source().begin.line));
    }
  }
  if (auto draft = table["draft"].value<bool>()) fm->draft = *draft;
  if (const toml::array* aliases = table["aliases"].as_array()) {
    for (const toml::node& alias : *aliases) {
      if (auto value = alias.value<std::string>())
        fm->aliases.push_back(*value);
    }
  }
  ReportUrlStrings(begin, end, /*toml=*/true, out, [](std::string_view raw) {
    return UnescapeBackslashes(raw.substr(1, raw.size() - 2));
  });
}

void ParseJson(size_t begin, size_t end, Collector* out, FrontMatter* fm) {
  std::string_view doc = out->content().substr(begin, end - begin);
  nlohmann::json json = nlohmann::json::parse(doc, nullptr, false);
  if (json.is_discarded() || !json.is_object()) {
    out->Warn(begin, "front matter: invalid JSON");
    return;
  }
  if (auto it = json.find("title"); it != json.end() && it->is_string()) {
    fm->title = it->get<std::string>();
  }
  if (auto it = json.find("date"); it != json.end() && it->is_string()) {
    fm->date = it->get<std::string>();
  }
  if (auto it = json.find("draft"); it != json.end() && it->is_boolean()) {
    fm->draft = it->get<bool>();
  }
  if (auto it = json.find("aliases"); it != json.end() && it->is_array()) {
    for (const auto& alias : *it) {
      if (alias.is_string()) fm->aliases.push_back(alias.get<std::string>());
    }
  }
  ReportUrlStrings(begin, end, /*toml=*/false, out, [](std::string_view raw) {
    nlohmann::json value = nlohmann::json::parse(raw, nullptr, false);
    return value.is_string() ? value.get<std::string>() : std::string(raw);
  });
}

// The offset just past the `}` closing the JSON object at `open`, or kNpos.
size_t JsonObjectEnd(std::string_view text, size_t open) {
  int depth = 0;
  for (size_t i = open; i < text.size(); ++i) {
    char c = text[i];
    if (c == '"') {
      for (++i; i < text.size() && text[i] != '"'; ++i) {
        if (text[i] == '\\') ++i;
      }
    } else if (c == '{') {
      ++depth;
    } else if (c == '}' && --depth == 0) {
      return i + 1;
    }
  }
  return kNpos;
}

// Hugo's JSON front matter is an object; `{{< shortcode >}}` or `{%` at
// the top of a body is not.
bool LooksLikeJsonObject(std::string_view text, size_t open) {
  size_t i = open + 1;
  while (i < text.size() && IsHtmlSpace(text[i])) ++i;
  return i < text.size() && (text[i] == '"' || text[i] == '}');
}

}  // namespace

size_t ExtractFrontMatter(size_t begin, Collector* out,
                          FrontMatter* front_matter) {
  std::string_view text = out->content();
  if (begin >= text.size()) return begin;
  if (text[begin] == '{') {
    if (!LooksLikeJsonObject(text, begin)) return begin;
    size_t end = JsonObjectEnd(text, begin);
    if (end == kNpos) {
      out->Warn(begin, "unterminated front matter");
      return begin;
    }
    ParseJson(begin, end, out, front_matter);
    return LineAt(text, end).next;
  }
  Line first = LineAt(text, begin);
  std::string_view delimiter;
  if (IsDelimiterLine(text, first, "---")) {
    delimiter = "---";
  } else if (IsDelimiterLine(text, first, "+++")) {
    delimiter = "+++";
  } else {
    return begin;
  }
  size_t pos = first.next;
  while (pos < text.size()) {
    Line line = LineAt(text, pos);
    if (IsDelimiterLine(text, line, delimiter)) {
      if (delimiter == "---") {
        YamlScanner(first.next, line.start, out, front_matter).Run();
      } else {
        ParseToml(first.next, line.start, out, front_matter);
      }
      return line.next;
    }
    pos = line.next;
  }
  out->Warn(begin, "unterminated front matter");
  return begin;
}

std::string JekyllDateFromPath(std::string_view path) {
  size_t slash = path.find_last_of('/');
  std::string_view name = slash == kNpos ? path : path.substr(slash + 1);
  std::string dir = "/";
  if (slash != kNpos) dir += std::string(path.substr(0, slash)) + "/";
  if (dir.find("/_posts/") == kNpos || name.size() < 11) return "";
  static constexpr std::string_view kPattern = "dddd-dd-dd-";
  for (size_t i = 0; i < kPattern.size(); ++i) {
    bool digit = name[i] >= '0' && name[i] <= '9';
    if (kPattern[i] == 'd' ? !digit : name[i] != '-') return "";
  }
  return std::string(name.substr(0, 10));
}

}  // namespace rotguard::extract
