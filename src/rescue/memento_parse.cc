// Parsers of public-archive replies (rotguard/rescue.h): CDX JSON,
// TimeTravel JSON, RFC 7089 link-format TimeMaps, and the date forms they
// use. Archive replies are untrusted input: a malformed document is an
// error, a malformed row is skipped, nothing is assumed about sizes.
#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <ctime>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rotguard/rescue.h"
#include "rotguard/url.h"
#include "util/digits.h"
#include "util/time_format.h"

namespace rotguard {
namespace {

using Json = nlohmann::json;

// A reply larger than this is refused before parsing (a CDX reply for one
// URL with 150,000 rows is about 20 MB).
constexpr size_t kMaxReplyBytes = 64u << 20;

Status Refuse(const char* what, const std::string& why) {
  return Status::Corruption(std::string(what) + ": " + why);
}

// The JSON document, or Corruption naming `what`.
Result<Json> ParseJson(std::string_view body, const char* what) {
  if (body.size() > kMaxReplyBytes) return Refuse(what, "reply too large");
  Json doc = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Refuse(what, "not valid JSON");
  return doc;
}

std::string StringAt(const Json& row, std::optional<size_t> index) {
  if (!index || *index >= row.size() || !row[*index].is_string()) return "";
  return row[*index].get<std::string>();
}

// The column of `name` in the CDX header row.
std::optional<size_t> Column(const Json& header, std::string_view name) {
  for (size_t i = 0; i < header.size(); ++i) {
    if (header[i].is_string() && header[i].get<std::string>() == name) return i;
  }
  return std::nullopt;
}

bool IsHttpUrl(std::string_view url) {
  std::string scheme = UrlScheme(url);
  return (scheme == "http" || scheme == "https") &&
         url.find_first_of(" \r\n\t") == std::string_view::npos;
}

// One "<uri>; a=b; c="d"" entry of a link-format list, from `text` at
// `*pos`; advances past it and its comma. nullopt when none is left.
struct LinkEntry {
  std::string uri;
  std::string rel;
  std::string datetime;
};

std::optional<LinkEntry> NextLinkEntry(std::string_view text, size_t* pos) {
  size_t open = text.find('<', *pos);
  if (open == std::string_view::npos) return std::nullopt;
  size_t close = text.find('>', open);
  if (close == std::string_view::npos) return std::nullopt;
  LinkEntry entry;
  entry.uri = std::string(text.substr(open + 1, close - open - 1));
  size_t i = close + 1;
  // Parameters up to the comma that is not inside quotes.
  while (i < text.size() && text[i] != ',') {
    if (text[i] != ';') {
      ++i;
      continue;
    }
    size_t name_start = i + 1;
    while (name_start < text.size() && text[name_start] == ' ') ++name_start;
    size_t eq = text.find('=', name_start);
    if (eq == std::string_view::npos) break;
    std::string name(text.substr(name_start, eq - name_start));
    size_t value_start = eq + 1;
    std::string value;
    if (value_start < text.size() && text[value_start] == '"') {
      size_t end = text.find('"', value_start + 1);
      if (end == std::string_view::npos) end = text.size();
      value = std::string(text.substr(value_start + 1, end - value_start - 1));
      i = end == text.size() ? end : end + 1;
    } else {
      size_t end = text.find_first_of(";,", value_start);
      if (end == std::string_view::npos) end = text.size();
      value = std::string(text.substr(value_start, end - value_start));
      i = end;
    }
    while (!name.empty() && name.back() == ' ') name.pop_back();
    if (name == "rel") entry.rel = value;
    if (name == "datetime") entry.datetime = value;
  }
  *pos = i < text.size() ? i + 1 : text.size();
  return entry;
}

bool RelHasMemento(std::string_view rel) {
  size_t start = 0;
  while (start < rel.size()) {
    size_t end = rel.find(' ', start);
    if (end == std::string_view::npos) end = rel.size();
    if (rel.substr(start, end - start) == "memento") return true;
    start = end + 1;
  }
  return false;
}

// "2013-01-15T09:46:43Z" (TimeTravel's form) → µs.
std::optional<int64_t> ParseIsoZ(std::string_view text) {
  if (text.size() != 20 || text[4] != '-' || text[7] != '-' ||
      text[10] != 'T' || text[13] != ':' || text[16] != ':' ||
      text[19] != 'Z') {
    return std::nullopt;
  }
  // YYYY MM DD hh mm ss at their offsets in "YYYY-MM-DDThh:mm:ssZ".
  static constexpr std::pair<size_t, size_t> kParts[] = {
      {0, 4}, {5, 2}, {8, 2}, {11, 2}, {14, 2}, {17, 2}};
  std::string digits;
  for (const auto& [at, n] : kParts) digits.append(text.substr(at, n));
  return ParseWaybackTimestamp(digits);
}

}  // namespace

std::optional<int64_t> ParseWaybackTimestamp(std::string_view digits) {
  if (digits.size() < 4 || digits.size() > 14 || !AllAsciiDigits(digits)) {
    return std::nullopt;
  }
  std::string full(digits);
  // Missing month/day count as 01, missing time as 00.
  static constexpr std::string_view kFill = "00000101000000";
  full += kFill.substr(full.size());
  std::string_view f = full;
  return UtcCalendarMicros(
      DigitsToInt(f.substr(0, 4)), DigitsToInt(f.substr(4, 2)),
      DigitsToInt(f.substr(6, 2)), DigitsToInt(f.substr(8, 2)),
      DigitsToInt(f.substr(10, 2)), DigitsToInt(f.substr(12, 2)));
}

std::optional<int64_t> ParseHttpDate(std::string_view text) {
  // "Sun, 06 Nov 1994 08:49:37 GMT": 29 bytes, fixed positions.
  static constexpr std::array<std::string_view, 12> kMonths = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun",
      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  if (text.size() != 29 || text.substr(3, 2) != ", " || text[7] != ' ' ||
      text[11] != ' ' || text[16] != ' ' || text[19] != ':' ||
      text[22] != ':' || text.substr(25) != " GMT") {
    return std::nullopt;
  }
  auto month = std::find(kMonths.begin(), kMonths.end(), text.substr(8, 3));
  if (month == kMonths.end()) return std::nullopt;
  std::string_view day = text.substr(5, 2), year = text.substr(12, 4),
                   hour = text.substr(17, 2), minute = text.substr(20, 2),
                   second = text.substr(23, 2);
  for (std::string_view part : {day, year, hour, minute, second}) {
    if (!AllAsciiDigits(part)) return std::nullopt;
  }
  return UtcCalendarMicros(DigitsToInt(year),
                           static_cast<int>(month - kMonths.begin()) + 1,
                           DigitsToInt(day), DigitsToInt(hour),
                           DigitsToInt(minute), DigitsToInt(second));
}

std::string FormatHttpDate(int64_t us) {
  int64_t seconds = us / 1'000'000;
  if (us < 0 && us % 1'000'000 != 0) --seconds;
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[64];
  size_t n =
      std::strftime(buffer, sizeof buffer, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return std::string(buffer, n);
}

std::optional<int64_t> ParsePostDate(std::string_view text) {
  // The date part decides; a time, when present as "THH:MM:SS" or
  // " HH:MM:SS", refines it (zone offsets are ignored: a post date is
  // a day, an hour either way changes nothing that matters here).
  if (text.size() < 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  std::string digits(text.substr(0, 4));
  digits.append(text.substr(5, 2)).append(text.substr(8, 2));
  if (text.size() >= 19 && (text[10] == 'T' || text[10] == ' ') &&
      text[13] == ':' && text[16] == ':') {
    digits.append(text.substr(11, 2))
        .append(text.substr(14, 2))
        .append(text.substr(17, 2));
  }
  return ParseWaybackTimestamp(digits);
}

Result<std::vector<Memento>> ParseCdxJson(std::string_view body,
                                          const std::string& replay_prefix) {
  std::vector<Memento> out;
  if (std::all_of(body.begin(), body.end(), [](char c) {
        return std::isspace(static_cast<unsigned char>(c));
      })) {
    return out;  // the CDX server answers nothing at all for no captures
  }
  Result<Json> doc = ParseJson(body, "CDX reply");
  if (!doc.ok()) return doc.status();
  if (!doc->is_array()) return Refuse("CDX reply", "not a JSON array");
  if (doc->empty()) return out;
  const Json& header = (*doc)[0];
  if (!header.is_array()) return Refuse("CDX reply", "no header row");
  std::optional<size_t> ts = Column(header, "timestamp");
  std::optional<size_t> original = Column(header, "original");
  if (!ts || !original) {
    return Refuse("CDX reply", "header lacks timestamp or original");
  }
  std::optional<size_t> status = Column(header, "statuscode");
  std::optional<size_t> mime = Column(header, "mimetype");
  for (size_t i = 1; i < doc->size(); ++i) {
    const Json& row = (*doc)[i];
    if (!row.is_array()) continue;
    std::string stamp = StringAt(row, ts);
    std::string url = StringAt(row, original);
    std::optional<int64_t> at = ParseWaybackTimestamp(stamp);
    if (!at || stamp.size() != 14 || !IsHttpUrl(url)) continue;
    Memento m;
    m.uri = replay_prefix + stamp + "/" + url;
    m.datetime_us = *at;
    std::string code = StringAt(row, status);
    m.status =
        code.size() == 3 && AllAsciiDigits(code) ? DigitsToInt(code) : -1;
    if (!status) m.status = 0;
    m.mime = StringAt(row, mime);
    out.push_back(std::move(m));
  }
  return out;
}

Result<std::vector<Memento>> ParseTimeTravelJson(std::string_view body) {
  Result<Json> doc = ParseJson(body, "TimeTravel reply");
  if (!doc.ok()) return doc.status();
  std::vector<Memento> out;
  if (!doc->is_object()) return Refuse("TimeTravel reply", "not an object");
  auto mementos = doc->find("mementos");
  if (mementos == doc->end()) return out;  // no captures
  if (!mementos->is_object()) {
    return Refuse("TimeTravel reply", "\"mementos\" is not an object");
  }
  for (const char* key : {"first", "prev", "closest", "next", "last"}) {
    auto entry = mementos->find(key);
    if (entry == mementos->end() || !entry->is_object()) continue;
    auto datetime = entry->find("datetime");
    auto uris = entry->find("uri");
    if (datetime == entry->end() || !datetime->is_string() ||
        uris == entry->end()) {
      continue;
    }
    std::optional<int64_t> at = ParseIsoZ(datetime->get<std::string>());
    if (!at) continue;
    std::vector<std::string> list;
    if (uris->is_string()) list.push_back(uris->get<std::string>());
    if (uris->is_array()) {
      for (const Json& u : *uris) {
        if (u.is_string()) list.push_back(u.get<std::string>());
      }
    }
    for (std::string& uri : list) {
      if (!IsHttpUrl(uri)) continue;
      out.push_back(Memento{std::move(uri), *at, 0, ""});
    }
  }
  return out;
}

Result<std::vector<Memento>> ParseLinkTimeMap(std::string_view body) {
  if (body.size() > kMaxReplyBytes) {
    return Refuse("TimeMap reply", "reply too large");
  }
  std::vector<Memento> out;
  size_t pos = 0;
  bool any = false;
  while (std::optional<LinkEntry> entry = NextLinkEntry(body, &pos)) {
    any = true;
    if (!RelHasMemento(entry->rel)) continue;
    std::optional<int64_t> at = ParseHttpDate(entry->datetime);
    if (!at || !IsHttpUrl(entry->uri)) continue;
    out.push_back(Memento{entry->uri, *at, 0, ""});
  }
  if (!any && body.find_first_not_of(" \r\n\t") != std::string_view::npos) {
    return Refuse("TimeMap reply", "not in link format");
  }
  return out;
}

}  // namespace rotguard
