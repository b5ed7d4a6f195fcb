// Values come from the format's library: libyaml (front_matter_yaml.cc),
// toml++ and nlohmann-json. For TOML and JSON the spans come from the
// source bytes, by a small scanner that walks the string tokens in
// document order. A block its library rejects gets one warning, and what
// a line scanner can still read of it (links, title, date, draft) is kept:
// old Hugo versions accepted front matter that today's parsers refuse.
#include "extract/front_matter.h"

#include <toml++/toml.h>

#include <cctype>
#include <cstdint>
#include <cstring>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "extract/front_matter_internal.h"
#include "util/ascii.h"
#include "util/utf8.h"

namespace rotguard::extract {
namespace {

constexpr size_t kNpos = std::string_view::npos;

}  // namespace

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
        AppendUtf8(static_cast<char32_t>(value), &out);
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

namespace {

// Jekyll's `categories: a b`: one string of space-separated names.
void AddCategoryWords(std::string_view words, FrontMatter* fm) {
  size_t pos = 0;
  while (pos < words.size()) {
    size_t end = words.find(' ', pos);
    if (end == std::string_view::npos) end = words.size();
    if (end > pos) fm->categories.emplace_back(words.substr(pos, end - pos));
    pos = end + 1;
  }
}

}  // namespace

void SetFrontMatterField(std::string_view key, std::string value,
                         FrontMatter* fm) {
  if (key == "title") {
    fm->title = std::move(value);
  } else if (key == "date") {
    fm->date = std::move(value);
  } else if (key == "draft") {
    fm->draft = ParseBool(value);
  } else if (key == "slug") {
    fm->slug = std::move(value);
  } else if (key == "url") {
    fm->url = std::move(value);
  } else if (key == "permalink") {
    fm->permalink = std::move(value);
  } else if (key == "category") {
    fm->categories.push_back(std::move(value));
  } else if (key == "categories") {
    AddCategoryWords(value, fm);
  }
}

namespace {

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

// ------------------------------------------------------ TOML and JSON

// The one-line string token opening at `open` (a quote): reports it when
// it is a value (not a key) holding an http(s) URL. Returns the offset
// after its closing quote, or kNpos when it never closes. A raw newline
// inside only gets here after the library rejected the block: old Hugo
// read such a TOML basic string up to its closing quote, and so does this.
template <typename Decode>
size_t ReportStringToken(size_t open, size_t end, bool toml, Collector* out,
                         const Decode& decode) {
  std::string_view text = out->content();
  char quote = text[open];
  size_t close = open + 1;
  while (close < end && text[close] != quote) {
    close += (quote == '"' && text[close] == '\\') ? 2 : 1;
  }
  if (close >= end) return kNpos;
  size_t after = close + 1;
  while (after < end && (text[after] == ' ' || text[after] == '\t')) ++after;
  bool is_key =
      after < end &&
      (toml ? (text[after] == '=' || text[after] == '.') : text[after] == ':');
  if (!is_key) {
    std::string_view raw = text.substr(open, close + 1 - open);
    std::string value = raw.find('\\') == kNpos || quote == '\''
                            ? std::string(raw.substr(1, raw.size() - 2))
                            : decode(raw);
    if (IsHttpUrl(value)) {
      out->AddCandidate(LinkKind::kFrontmatter, Origin::kFrontMatter, open + 1,
                        close, value);
    }
  }
  return close + 1;
}

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
    if (IsHtmlSpace(c)) {
      line_start = line_start || c == '\n';
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
    if (c != '"' && (c != '\'' || !toml)) {
      ++i;
      continue;
    }
    if (toml && text.compare(i, 3, std::string(3, c)) == 0) {
      size_t close = text.find(std::string(3, c), i + 3);  // multi-line
      i = (close == kNpos || close > end) ? end : close + 3;
      continue;
    }
    i = ReportStringToken(i, end, toml, out, decode);
    if (i == kNpos) return;  // unterminated: the library reported the error
  }
}

// The offset where line `line_number` (1-based) of the block at `begin`
// starts.
size_t LineOffset(std::string_view text, size_t begin, size_t end,
                  int line_number) {
  size_t pos = begin;
  for (int line = 1; line < line_number && pos < end; ++line) {
    pos = LineAt(text, pos).next;
  }
  return std::min(pos, end);
}

// The text after `=` on a TOML line, for values kept as written (dates).
std::string TomlRawValue(std::string_view text, size_t begin, size_t end,
                         int line_number) {
  Line line = LineAt(text, LineOffset(text, begin, end, line_number));
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

void ReportTomlUrls(size_t begin, size_t end, Collector* out) {
  ReportUrlStrings(begin, end, /*toml=*/true, out, [](std::string_view raw) {
    return UnescapeBackslashes(raw.substr(1, raw.size() - 2));
  });
}

void ReadTomlFields(const toml::table& table, size_t begin, size_t end,
                    std::string_view text, FrontMatter* fm) {
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
  for (const char* key : {"slug", "url", "permalink", "category"}) {
    if (auto value = table[key].value<std::string>()) {
      SetFrontMatterField(key, *value, fm);
    }
  }
  if (auto words = table["categories"].value<std::string>()) {
    AddCategoryWords(*words, fm);
  } else if (const toml::array* categories = table["categories"].as_array()) {
    for (const toml::node& category : *categories) {
      if (auto value = category.value<std::string>()) {
        fm->categories.push_back(*value);
      }
    }
  }
}

// A block toml++ rejects gets one warning at the error's line (so scan
// prints FILE:LINE of the error) and keeps what a line scanner can read.
void ParseToml(size_t begin, size_t end, Collector* out, FrontMatter* fm) {
  std::string_view text = out->content();
  std::string_view doc = text.substr(begin, end - begin);
  toml::table table;
  try {
    table = toml::parse(doc, std::string_view("front matter"));
  } catch (const toml::parse_error& error) {
    int line = static_cast<int>(error.source().begin.line);
    out->Warn(LineOffset(text, begin, end, line),
              "front matter: TOML error at line " +
                  std::to_string(LineNumberAt(text, begin) + line - 1) + ": " +
                  std::string(error.description()));
    SalvageFrontMatterFields(begin, end, '=', text, fm);
    ReportTomlUrls(begin, end, out);
    return;
  }
  ReadTomlFields(table, begin, end, text, fm);
  ReportTomlUrls(begin, end, out);
}

void ReadJsonPermalinkFields(const nlohmann::json& json, FrontMatter* fm) {
  for (const char* key : {"slug", "url", "permalink", "category"}) {
    if (auto it = json.find(key); it != json.end() && it->is_string()) {
      SetFrontMatterField(key, it->get<std::string>(), fm);
    }
  }
  auto it = json.find("categories");
  if (it == json.end()) return;
  if (it->is_string()) AddCategoryWords(it->get<std::string>(), fm);
  if (!it->is_array()) return;
  for (const auto& category : *it) {
    if (category.is_string()) {
      fm->categories.push_back(category.get<std::string>());
    }
  }
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
  ReadJsonPermalinkFields(json, fm);
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

// ------------------------------------------------------------- salvage

// The closing quote of the string opening at `open`, possibly on a later
// line (old Hugo's TOML basic strings), or kNpos. `''` inside single
// quotes is YAML's escaped quote.
size_t ClosingQuote(std::string_view text, size_t open, size_t end) {
  char quote = text[open];
  for (size_t i = open + 1; i < end; ++i) {
    if (quote == '"' && text[i] == '\\') {
      ++i;
    } else if (text[i] == quote) {
      if (quote == '\'' && i + 1 < end && text[i + 1] == '\'') {
        ++i;
        continue;
      }
      return i;
    }
  }
  return kNpos;
}

// The value after the separator: a quoted string (decoded) or the rest of
// the line without a ` #` comment. nullopt when the quote never closes or
// an unquoted value does not start like a word, date or number (`= 3`,
// `[a`, `>`: not something a line scanner can read).
std::optional<std::string> SalvageValue(std::string_view text, size_t v,
                                        const Line& line, size_t end) {
  while (v < line.end && (text[v] == ' ' || text[v] == '\t')) ++v;
  if (v < line.end && (text[v] == '"' || text[v] == '\'')) {
    size_t close = ClosingQuote(text, v, end);
    if (close == kNpos) return std::nullopt;
    std::string_view raw = text.substr(v + 1, close - v - 1);
    if (text[v] == '"') return UnescapeBackslashes(raw);
    std::string value;
    for (size_t k = 0; k < raw.size(); ++k) {
      value += raw[k];
      if (raw[k] == '\'' && k + 1 < raw.size() && raw[k + 1] == '\'') ++k;
    }
    return value;
  }
  if (v >= line.end || !(std::isalnum(static_cast<unsigned char>(text[v])) ||
                         static_cast<unsigned char>(text[v]) >= 0x80)) {
    return std::nullopt;
  }
  std::string_view value = text.substr(v, line.end - v);
  value = value.substr(0, value.find(" #"));
  while (!value.empty() && IsHtmlSpace(value.back())) value.remove_suffix(1);
  return std::string(value);
}

bool FieldIsSet(std::string_view key, const FrontMatter& fm) {
  return key == "title"  ? !fm.title.empty()
         : key == "date" ? !fm.date.empty()
                         : fm.draft.has_value();
}

}  // namespace

void SalvageFrontMatterFields(size_t from, size_t end, char separator,
                              std::string_view text, FrontMatter* fm) {
  bool toml = separator == '=';
  size_t pos = text.rfind('\n', from == 0 ? 0 : from - 1);
  pos = (pos == kNpos || from == 0) ? 0 : pos + 1;
  for (; pos < end; pos = LineAt(text, pos).next) {
    Line line = LineAt(text, pos);
    size_t c = line.start;
    while (toml && c < line.end && (text[c] == ' ' || text[c] == '\t')) ++c;
    if (toml && c < line.end && text[c] == '[') return;  // a [table] header
    size_t sep = text.find(separator, c);
    if (sep == kNpos || sep >= line.end) continue;
    std::string_view key = text.substr(c, sep - c);
    while (!key.empty() && (key.back() == ' ' || key.back() == '\t')) {
      key.remove_suffix(1);
    }
    if (key != "title" && key != "date" && key != "draft") continue;
    if (FieldIsSet(key, *fm)) continue;
    if (std::optional<std::string> value =
            SalvageValue(text, sep + 1, line, end)) {
      SetFrontMatterField(key, std::move(*value), fm);
    }
  }
}

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
        ParseYamlFrontMatter(first.next, line.start, out, front_matter);
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
