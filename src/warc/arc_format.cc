#include "warc/arc_format.h"

#include <algorithm>
#include <charconv>
#include <vector>

#include "util/digits.h"

namespace rotguard::warc {
namespace {

std::vector<std::string_view> SplitSpaces(std::string_view line) {
  std::vector<std::string_view> parts;
  size_t pos = 0;
  while (pos < line.size()) {
    size_t end = line.find(' ', pos);
    if (end == std::string_view::npos) end = line.size();
    if (end > pos) parts.push_back(line.substr(pos, end - pos));
    pos = end + 1;
  }
  return parts;
}

// A URL starts with a scheme: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":".
bool HasScheme(std::string_view url) {
  size_t colon = url.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  auto alpha = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  };
  if (!alpha(url[0])) return false;
  return std::all_of(url.begin(), url.begin() + colon, [&](char c) {
    return alpha(c) || (c >= '0' && c <= '9') || c == '+' || c == '-' ||
           c == '.';
  });
}

// Dates shorter than 14 digits (some writers used 12) are completed the
// way warcio pads them: to the earliest instant they name.
std::string PadDate(std::string_view date) {
  constexpr std::string_view kPad = "10000101000000";
  std::string out(date.substr(0, std::min<size_t>(date.size(), 14)));
  if (out.size() < kPad.size()) out += kPad.substr(out.size());
  return out;
}

}  // namespace

std::string ParseArcHeaderLine(std::string_view line, size_t field_count,
                               ArcHeader* out) {
  *out = ArcHeader();
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  std::vector<std::string_view> parts = SplitSpaces(line);
  if (parts.size() < field_count) {
    return std::to_string(parts.size()) + " fields, want " +
           std::to_string(field_count);
  }
  // Fields after the URL, counted from the end.
  size_t rest = parts.size() - (field_count - 1);
  const char* url_end = parts[rest - 1].data() + parts[rest - 1].size();
  out->url.assign(parts[0].data(), url_end);
  auto field = [&](size_t i) { return std::string(parts[rest + i]); };
  out->ip = field(0);
  std::string_view date = parts[rest + 1];
  out->content_type = field(2);
  std::string_view length = parts.back();
  if (field_count == 10) {
    out->result_code = field(3);
    out->checksum = field(4);
    out->location = field(5);
    out->offset = field(6);
    out->filename = field(7);
  }
  if (!HasScheme(out->url)) return "no URL in \"" + out->url + "\"";
  if (!AllAsciiDigits(date) || date.size() < 8 || date.size() > 17) {
    return "invalid date \"" + std::string(date) + "\"";
  }
  out->date = PadDate(date);
  auto [ptr, ec] = std::from_chars(length.data(), length.data() + length.size(),
                                   out->length);
  if (!AllAsciiDigits(length) || ec != std::errc()) {
    return "invalid length \"" + std::string(length) + "\"";
  }
  return "";
}

ArcFileInfo ParseArcFileInfo(std::string_view start) {
  ArcFileInfo info;
  size_t end = start.find('\n');
  info.filedesc_line = std::string(start.substr(0, end));
  if (end == std::string_view::npos) return info;
  std::string_view rest = start.substr(end + 1);
  size_t version_end = rest.find('\n');
  std::vector<std::string_view> version =
      SplitSpaces(rest.substr(0, version_end));
  if (version.size() >= 2 && AllAsciiDigits(version[0]) &&
      AllAsciiDigits(version[1])) {
    info.version =
        "ARC/" + std::string(version[0]) + "." + std::string(version[1]);
  }
  if (version_end == std::string_view::npos) return info;
  rest = rest.substr(version_end + 1);
  // The field-name line: "URL IP-address Archive-date Content-type
  // Archive-length" (version 1) or its ten-name version 2 form.
  size_t names = SplitSpaces(rest.substr(0, rest.find('\n'))).size();
  if (names == 10 || (names != 5 && info.version.starts_with("ARC/2"))) {
    info.field_count = 10;
  }
  return info;
}

std::string ArcDateToWarc(std::string_view date14) {
  std::string d(date14);
  if (d.size() < 14) d = PadDate(d);
  return d.substr(0, 4) + "-" + d.substr(4, 2) + "-" + d.substr(6, 2) + "T" +
         d.substr(8, 2) + ":" + d.substr(10, 2) + ":" + d.substr(12, 2) + "Z";
}

}  // namespace rotguard::warc
