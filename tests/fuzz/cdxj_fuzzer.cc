// Fuzz target: CDXJ and CDX11 lines for index entries whose fields come
// from arbitrary bytes (a foreign WARC's target URI, date, digest and
// Content-Type are all attacker-chosen). Aborts when a line holds a line
// break, or when for valid UTF-8 input the CDXJ JSON block does not parse
// or does not give the target URI back.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "rotguard/export.h"

namespace {

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "property violated: %s\n", what);
    std::abort();
  }
}

std::vector<std::string> Fields(std::string_view bytes, size_t count) {
  std::vector<std::string> fields;
  while (fields.size() + 1 < count) {
    size_t cut = bytes.find('\t');
    if (cut == std::string_view::npos) break;
    fields.emplace_back(bytes.substr(0, cut));
    bytes.remove_prefix(cut + 1);
  }
  fields.emplace_back(bytes);
  fields.resize(count);
  // A WARC or ARC header value cannot hold a LF (it ends the header line),
  // so no record can give one to an index line; warcio, like rotguard,
  // keeps an unparsable URL as its own SURT key.
  for (std::string& field : fields) std::erase(field, '\n');
  return fields;
}

bool IsValidUtf8(const std::string& text) {
  try {
    (void)nlohmann::json(text).dump();
    return true;
  } catch (const nlohmann::json::exception&) {
    return false;
  }
}

void CheckJsonBlock(const std::string& line, const rotguard::CdxEntry& entry) {
  // Inside the JSON block a `{"url":` can only open it (quotes in values
  // are escaped), while the SURT before it may hold anything.
  size_t json_start = line.rfind(" {\"url\":");
  Check(json_start != std::string::npos, "no JSON block");
  nlohmann::json block =
      nlohmann::json::parse(line.substr(json_start + 1), nullptr, false);
  Check(!block.is_discarded(), "JSON block does not parse");
  Check(block.value("url", std::string()) == entry.target_uri,
        "url does not round-trip");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  std::vector<std::string> fields = Fields(
      std::string_view(reinterpret_cast<const char*>(data + 2), size - 2), 5);
  rotguard::CdxEntry entry;
  entry.warc_file = "rotguard-fuzz.warc.gz";
  entry.offset = data[0];
  entry.length = data[1];
  entry.type = data[0] & 1 ? "response" : "revisit";
  entry.target_uri = fields[0];
  entry.date = fields[1];
  entry.payload_digest = fields[2];
  entry.mime = fields[3];
  entry.http_status = data[1] % 2 ? 0 : 100 + data[0] % 900;
  std::string cdxj = rotguard::CdxjLine(entry);
  std::string cdx = rotguard::Cdx11Line(entry);
  Check(cdxj.find('\n') == std::string::npos, "CDXJ line holds a LF");
  Check(cdx.find('\n') == std::string::npos, "CDX line holds a LF");
  bool valid = IsValidUtf8(entry.target_uri) && IsValidUtf8(entry.mime) &&
               IsValidUtf8(entry.payload_digest);
  if (valid && !entry.target_uri.empty()) CheckJsonBlock(cdxj, entry);
  return 0;
}
