// What the individual parsers (Markdown, HTML, CSS, front matter,
// shortcodes) hand to the extractor: candidate URLs with their byte spans,
// ignore markers, regions whose text is not link text, warnings and skip
// counts. The extractor (extractor.cc) turns candidates into Links.
#ifndef ROTGUARD_EXTRACT_COLLECTOR_H_
#define ROTGUARD_EXTRACT_COLLECTOR_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "rotguard/extract.h"

namespace rotguard::extract {

// Where a candidate came from; decides which one survives when two
// parsers report the same span (lower wins).
enum class Origin {
  kShortcode = 0,
  kFrontMatter = 1,
  kMarkdown = 2,
  kHtml = 3
};

struct Candidate {
  LinkKind kind = LinkKind::kLink;
  Origin origin = Origin::kMarkdown;
  size_t start = 0;  // [start, end) in the file
  size_t end = 0;
  // The URL the span stands for, with escapes and character references
  // decoded but not yet resolved. Shortcodes put their canonical URL here.
  std::string target;
};

enum class MarkerKind { kIgnoreNext, kIgnoreStart, kIgnoreEnd };

struct IgnoreMarker {
  size_t offset = 0;
  MarkerKind kind = MarkerKind::kIgnoreNext;
};

struct Region {
  size_t start = 0;
  size_t end = 0;  // exclusive
};

struct OffsetWarning {
  size_t offset = 0;
  std::string message;
};

class Collector {
 public:
  explicit Collector(std::string_view content) : content_(content) {}

  std::string_view content() const { return content_; }

  void AddCandidate(LinkKind kind, Origin origin, size_t start, size_t end,
                    std::string target) {
    candidates_.push_back({kind, origin, start, end, std::move(target)});
  }
  void AddMarker(size_t offset, MarkerKind kind) {
    markers_.push_back({offset, kind});
  }
  // Text in these regions (shortcodes, Liquid tags) never yields
  // Markdown/HTML links; the shortcode parser reports its own.
  void AddOpaqueRegion(size_t start, size_t end) {
    opaque_regions_.push_back({start, end});
  }
  void Warn(size_t offset, std::string message) {
    warnings_.push_back({offset, std::move(message)});
  }

  std::vector<Candidate>& candidates() { return candidates_; }
  std::vector<IgnoreMarker>& markers() { return markers_; }
  std::vector<Region>& opaque_regions() { return opaque_regions_; }
  std::vector<OffsetWarning>& warnings() { return warnings_; }

 private:
  std::string_view content_;
  std::vector<Candidate> candidates_;
  std::vector<IgnoreMarker> markers_;
  std::vector<Region> opaque_regions_;
  std::vector<OffsetWarning> warnings_;
};

// Offset of the first byte that is not well-formed UTF-8, or npos
// (ExtractLinks warns there).
size_t InvalidUtf8Offset(std::string_view text);

// What ExtractLinks does with the candidates once its parsers ran
// (extractor.cc, steps 1-5): one per span, ignore markers applied, URLs
// classified against `base`, line, column and manifest key added, warnings
// located. For the raw scanner of requisites.cc, so that its links are
// ExtractLinks' to the byte.
void FinalizeCandidates(Collector* collector, const std::string& base,
                        bool keep_other_schemes, ExtractedDocument* doc);

// True for the bytes HTML and CSS treat as whitespace.
inline bool IsHtmlSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

}  // namespace rotguard::extract

#endif  // ROTGUARD_EXTRACT_COLLECTOR_H_
