// Helpers shared by the extractor tests: golden JSON and span checks.
#ifndef ROTGUARD_TESTS_UNIT_EXTRACT_EXTRACT_TEST_UTIL_H_
#define ROTGUARD_TESTS_UNIT_EXTRACT_EXTRACT_TEST_UTIL_H_

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "rotguard/extract.h"

namespace rotguard::testing {

// The golden-file form of an extraction: {front_matter, links, skipped,
// warnings}, keys in a fixed order so diffs stay readable.
inline nlohmann::ordered_json DocumentToJson(const ExtractedDocument& doc) {
  nlohmann::ordered_json json;
  nlohmann::ordered_json fm;
  fm["title"] = doc.front_matter.title;
  fm["date"] = doc.front_matter.date;
  fm["draft"] = doc.front_matter.draft
                    ? nlohmann::ordered_json(*doc.front_matter.draft)
                    : nlohmann::ordered_json(nullptr);
  fm["aliases"] = doc.front_matter.aliases;
  json["front_matter"] = fm;
  json["links"] = nlohmann::ordered_json::array();
  for (const Link& link : doc.links) {
    nlohmann::ordered_json item;
    item["line"] = link.line;
    item["col"] = link.column;
    item["start"] = link.start;
    item["end"] = link.end;
    item["kind"] = std::string(LinkKindName(link.kind));
    item["written"] = link.written;
    item["url"] = link.url;
    item["normalized"] = link.normalized;
    json["links"].push_back(item);
  }
  json["skipped"] = nlohmann::ordered_json::object();
  for (const auto& [reason, count] : doc.skipped)
    json["skipped"][reason] = count;
  json["warnings"] = nlohmann::ordered_json::array();
  for (const ExtractWarning& warning : doc.warnings) {
    json["warnings"].push_back(std::to_string(warning.line) + ":" +
                               std::to_string(warning.column) + ": " +
                               warning.message);
  }
  return json;
}

// "" when every link's span holds exactly its `written` bytes and spans
// are sorted and disjoint; else a description of the first violation.
inline std::string SpanViolation(std::string_view content,
                                 const ExtractedDocument& doc) {
  size_t previous_end = 0;
  for (const Link& link : doc.links) {
    if (link.start > link.end || link.end > content.size()) {
      return "span out of range at " + std::to_string(link.start);
    }
    if (content.substr(link.start, link.end - link.start) != link.written) {
      return "bytes at " + std::to_string(link.start) + " differ from " +
             link.written;
    }
    if (link.start < previous_end) {
      return "overlapping or unsorted span at " + std::to_string(link.start);
    }
    previous_end = link.end;
  }
  return "";
}

}  // namespace rotguard::testing

#endif  // ROTGUARD_TESTS_UNIT_EXTRACT_EXTRACT_TEST_UTIL_H_
