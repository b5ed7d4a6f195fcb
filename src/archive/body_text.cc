#include "archive/body_text.h"

#include <string>
#include <string_view>

#include "rotguard/content_coding.h"
#include "util/ascii.h"

namespace rotguard::archiver {
std::string HeaderValue(std::string_view head, std::string_view name) {
  size_t pos = head.find("\r\n");
  while (pos != std::string_view::npos && pos + 2 < head.size()) {
    size_t start = pos + 2;
    size_t end = head.find("\r\n", start);
    if (end == std::string_view::npos) end = head.size();
    std::string_view line = head.substr(start, end - start);
    size_t colon = line.find(':');
    if (colon != std::string_view::npos &&
        EqualsIgnoreCase(TrimHeaderSpace(line.substr(0, colon)), name)) {
      return std::string(TrimHeaderSpace(line.substr(colon + 1)));
    }
    pos = end;
  }
  return "";
}

std::string MediaType(std::string_view content_type) {
  std::string_view type = content_type.substr(0, content_type.find(';'));
  return AsciiLowercase(TrimHeaderSpace(type));
}

bool IsHtmlMediaType(std::string_view media_type) {
  return media_type == "text/html" || media_type == "application/xhtml+xml";
}

Result<std::string> DecodedPayload(const ResponseBody& response, size_t limit) {
  return DecodeContent(
      HeaderValue(response.head(), "Content-Encoding"),
      [&](const std::function<Status(std::string_view)>& visit) {
        return response.ForEachBodyChunk(visit);
      },
      ContentDecodeLimits::Prefix(limit));
}

}  // namespace rotguard::archiver
