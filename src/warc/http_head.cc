#include "rotguard/http_head.h"

#include <charconv>

#include "util/ascii.h"

namespace rotguard::warc {
namespace {

// Calls fn(name, value, line) for each header line after the start line.
template <typename Fn>
void ForEachHeaderLine(std::string_view head, Fn fn) {
  size_t pos = head.find('\n');
  while (pos != std::string_view::npos && pos + 1 < head.size()) {
    size_t start = pos + 1;
    size_t end = head.find('\n', start);
    std::string_view line = head.substr(start, end == std::string_view::npos
                                                   ? std::string_view::npos
                                                   : end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) return;  // the blank line ends the head
    size_t colon = line.find(':');
    std::string_view name =
        colon == std::string_view::npos ? line : line.substr(0, colon);
    std::string_view value = colon == std::string_view::npos
                                 ? std::string_view()
                                 : TrimHeaderSpace(line.substr(colon + 1));
    fn(TrimHeaderSpace(name), value, line);
    pos = end;
  }
}

}  // namespace

size_t FindHeadEnd(std::string_view data) {
  for (size_t i = data.find('\n'); i != std::string_view::npos;
       i = data.find('\n', i + 1)) {
    if (i + 1 < data.size() && data[i + 1] == '\n') return i + 2;
    if (i + 2 < data.size() && data[i + 1] == '\r' && data[i + 2] == '\n') {
      return i + 3;
    }
  }
  return 0;
}

std::string_view StartLine(std::string_view head) {
  std::string_view line = head.substr(0, head.find('\n'));
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

bool FindHeader(std::string_view head, std::string_view name,
                std::string* value) {
  bool found = false;
  ForEachHeaderLine(
      head, [&](std::string_view n, std::string_view v, std::string_view) {
        if (!found && EqualsIgnoreCase(n, name)) {
          value->assign(v);
          found = true;
        }
      });
  return found;
}

bool HeadSaysChunked(std::string_view head) {
  bool chunked = false;
  ForEachHeaderLine(
      head, [&](std::string_view n, std::string_view v, std::string_view) {
        if (!EqualsIgnoreCase(n, "Transfer-Encoding")) return;
        // The last coding must be chunked (RFC 9112 §6.1); check each token.
        size_t start = 0;
        while (start <= v.size()) {
          size_t comma = v.find(',', start);
          std::string_view token = TrimHeaderSpace(v.substr(
              start, comma == std::string_view::npos ? v.npos : comma - start));
          if (EqualsIgnoreCase(token, "chunked")) chunked = true;
          if (comma == std::string_view::npos) break;
          start = comma + 1;
        }
      });
  return chunked;
}

int ParseStatusCode(std::string_view start_line) {
  if (start_line.substr(0, 5) != "HTTP/") return 0;
  size_t space = start_line.find(' ');
  if (space == std::string_view::npos) return 0;
  std::string_view code = start_line.substr(space + 1, 3);
  int value = 0;
  auto [ptr, ec] =
      std::from_chars(code.data(), code.data() + code.size(), value);
  if (ec != std::errc() || ptr != code.data() + code.size() || value < 100) {
    return 0;
  }
  return value;
}

std::string HeadWithoutTransferCoding(std::string_view head,
                                      uint64_t decoded_length) {
  std::string out(StartLine(head));
  out += "\r\n";
  ForEachHeaderLine(
      head, [&](std::string_view n, std::string_view, std::string_view line) {
        if (EqualsIgnoreCase(n, "Content-Length")) return;
        if (EqualsIgnoreCase(n, "Transfer-Encoding")) {
          out += "X-Orig-";
        }
        out.append(line);
        out += "\r\n";
      });
  out += "Content-Length: " + std::to_string(decoded_length) + "\r\n\r\n";
  return out;
}

}  // namespace rotguard::warc
