// ExtractLinks: checks the bytes (binary, UTF-8), runs the parsers for the
// document's format, then turns their candidates into Links:
//   1. sort by span; one link per span (shortcode > front matter >
//      Markdown > HTML when two parsers report the same bytes);
//   2. drop Markdown/HTML candidates inside shortcodes and Liquid tags;
//   3. apply <!-- rotguard-ignore --> markers in document order;
//   4. classify the URL: Liquid, non-http(s) schemes, fragments and
//      (without a base URL) relative references are skipped and counted;
//   5. add line, column and the normalized manifest key.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "extract/collector.h"
#include "extract/front_matter.h"
#include "extract/html.h"
#include "extract/markdown.h"
#include "extract/shortcodes.h"
#include "rotguard/extract.h"
#include "rotguard/url.h"

namespace rotguard {
namespace {

using extract::Candidate;
using extract::Collector;
using extract::IgnoreMarker;
using extract::MarkerKind;
using extract::Origin;
using extract::Region;

constexpr size_t kNpos = std::string_view::npos;
constexpr size_t kBinarySniffLength = 8192;
constexpr std::string_view kBom = "\xEF\xBB\xBF";

bool LooksBinary(std::string_view content) {
  size_t sniff = std::min(content.size(), kBinarySniffLength);
  return std::memchr(content.data(), '\0', sniff) != nullptr;
}

// Offset of the first byte that is not part of well-formed UTF-8, or kNpos.
size_t FirstInvalidUtf8(std::string_view text) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    if (i + 8 <= n) {
      uint64_t word;
      std::memcpy(&word, bytes + i, sizeof(word));
      if ((word & 0x8080808080808080ULL) == 0) {
        i += 8;
        continue;
      }
    }
    unsigned char c = bytes[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t length = 0;
    unsigned char low = 0x80;
    unsigned char high = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      length = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      length = 3;
      if (c == 0xE0) low = 0xA0;
      if (c == 0xED) high = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      length = 4;
      if (c == 0xF0) low = 0x90;
      if (c == 0xF4) high = 0x8F;
    } else {
      return i;
    }
    if (i + length > n) return i;
    if (bytes[i + 1] < low || bytes[i + 1] > high) return i;
    for (size_t k = 2; k < length; ++k) {
      if (bytes[i + k] < 0x80 || bytes[i + k] > 0xBF) return i;
    }
    i += length;
  }
  return kNpos;
}

// Byte offset → 1-based line and byte column; lines end at '\n'.
class LineIndex {
 public:
  explicit LineIndex(std::string_view text) {
    // Posts average well over 32 bytes a line: one allocation, no regrowth.
    line_starts_.reserve(text.size() / 32 + 1);
    line_starts_.push_back(0);
    const char* p = text.data();
    const char* end = p + text.size();
    while (p < end) {
      const void* hit = std::memchr(p, '\n', static_cast<size_t>(end - p));
      if (hit == nullptr) break;
      p = static_cast<const char*>(hit) + 1;
      line_starts_.push_back(static_cast<size_t>(p - text.data()));
    }
  }

  void Locate(size_t offset, int* line, int* column) const {
    auto it =
        std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
    size_t index = static_cast<size_t>(it - line_starts_.begin()) - 1;
    *line = static_cast<int>(index + 1);
    *column = static_cast<int>(offset - line_starts_[index] + 1);
  }

 private:
  std::vector<size_t> line_starts_;
};

bool ContainsLiquid(std::string_view target) {
  return target.find("{{") != kNpos || target.find("{%") != kNpos;
}

struct Classified {
  std::string url;  // set when the link is kept
  std::string normalized;
  std::string skip_reason;    // set when it is not
  bool other_scheme = false;  // skipped for a scheme other than http(s)
};

// Moves candidate->target into the URL when it is one as written (the
// usual case), so a kept link costs no copy of it.
Classified Classify(Candidate* candidate, const std::string& base) {
  Classified result;
  std::string_view target = candidate->target;
  if (candidate->origin != Origin::kShortcode && ContainsLiquid(target)) {
    result.skip_reason = "liquid";
    return result;
  }
  if (target.empty()) {
    result.skip_reason = "empty";
    return result;
  }
  std::string url;
  if (target.substr(0, 2) == "//") {
    url = "https:" + std::string(target);
  } else {
    std::string scheme = UrlScheme(target);
    if (scheme == "http" || scheme == "https") {
      url = std::move(candidate->target);
    } else if (!scheme.empty()) {
      result.skip_reason = scheme;
      result.other_scheme = true;
      return result;
    } else if (target.front() == '#') {
      result.skip_reason = "fragment";
      return result;
    } else if (std::optional<std::string> resolved =
                   base.empty() ? std::nullopt : ResolveUrl(base, target);
               resolved && (UrlScheme(*resolved) == "http" ||
                            UrlScheme(*resolved) == "https")) {
      url = std::move(*resolved);
    } else {
      result.skip_reason = "relative";
      return result;
    }
  }
  std::optional<std::string> normalized = NormalizeUrl(url);
  if (!normalized) {
    result.skip_reason = "invalid";
    return result;
  }
  result.url = std::move(url);
  result.normalized = std::move(*normalized);
  return result;
}

// One candidate per span: after sorting by (start, end, origin) the first
// of equal spans is the preferred parser's.
void DeduplicateSpans(std::vector<Candidate>* candidates) {
  std::stable_sort(candidates->begin(), candidates->end(),
                   [](const Candidate& a, const Candidate& b) {
                     if (a.start != b.start) return a.start < b.start;
                     if (a.end != b.end) return a.end < b.end;
                     return a.origin < b.origin;
                   });
  auto same_span = [](const Candidate& a, const Candidate& b) {
    return a.start == b.start && a.end == b.end;
  };
  candidates->erase(
      std::unique(candidates->begin(), candidates->end(), same_span),
      candidates->end());
}

// Markdown/HTML candidates inside a shortcode or Liquid tag are not links
// (a figure's link= seen again as a bare URL, `{% twitter https://… %}`),
// except Liquid-built destinations, which are counted as "liquid" later.
void DropOpaqueRegionLinks(std::vector<Region> regions,
                           std::vector<Candidate>* candidates) {
  if (regions.empty()) return;
  std::sort(regions.begin(), regions.end(),
            [](const Region& a, const Region& b) { return a.start < b.start; });
  size_t region = 0;
  std::vector<Candidate> kept;
  kept.reserve(candidates->size());
  for (Candidate& candidate : *candidates) {
    while (region < regions.size() && regions[region].end <= candidate.start) {
      ++region;
    }
    bool inside =
        region < regions.size() && regions[region].start <= candidate.start;
    if (inside && candidate.origin != Origin::kShortcode &&
        !ContainsLiquid(candidate.target)) {
      continue;
    }
    kept.push_back(std::move(candidate));
  }
  *candidates = std::move(kept);
}

// <!-- rotguard-ignore --> drops the next candidate; -start/-end drop
// every candidate between them.
void ApplyIgnoreMarkers(std::vector<IgnoreMarker> markers,
                        std::vector<Candidate>* candidates,
                        std::map<std::string, int64_t>* skipped) {
  if (markers.empty()) return;
  std::stable_sort(markers.begin(), markers.end(),
                   [](const IgnoreMarker& a, const IgnoreMarker& b) {
                     return a.offset < b.offset;
                   });
  size_t next_marker = 0;
  bool ignore_next = false;
  bool in_block = false;
  std::vector<Candidate> kept;
  kept.reserve(candidates->size());
  for (Candidate& candidate : *candidates) {
    for (; next_marker < markers.size() &&
           markers[next_marker].offset < candidate.start;
         ++next_marker) {
      switch (markers[next_marker].kind) {
        case MarkerKind::kIgnoreNext:
          ignore_next = true;
          break;
        case MarkerKind::kIgnoreStart:
          in_block = true;
          break;
        case MarkerKind::kIgnoreEnd:
          in_block = false;
          break;
      }
    }
    if (ignore_next || in_block) {
      ignore_next = false;
      ++(*skipped)["ignored"];
      continue;
    }
    kept.push_back(std::move(candidate));
  }
  *candidates = std::move(kept);
}

// The base relative links resolve against: an HTML document's <base href>
// (itself resolved against the configured base), else the configured base.
std::string EffectiveBase(const std::string& configured,
                          const std::string& base_href) {
  if (base_href.empty()) return configured;
  std::string scheme = UrlScheme(base_href);
  if (scheme == "http" || scheme == "https") return base_href;
  if (configured.empty()) return configured;
  return ResolveUrl(configured, base_href).value_or(configured);
}

void Finalize(Collector* collector, const std::string& base,
              bool keep_other_schemes, ExtractedDocument* doc) {
  std::vector<Candidate>& candidates = collector->candidates();
  DeduplicateSpans(&candidates);
  DropOpaqueRegionLinks(collector->opaque_regions(), &candidates);
  ApplyIgnoreMarkers(collector->markers(), &candidates, &doc->skipped);
  std::string_view content = collector->content();
  LineIndex lines(content);
  doc->links.reserve(candidates.size());
  for (Candidate& candidate : candidates) {
    Classified classified = Classify(&candidate, base);
    const bool other = classified.other_scheme && keep_other_schemes;
    if (classified.url.empty()) {
      ++doc->skipped[classified.skip_reason];
      if (!other) continue;
      classified.url = std::string(candidate.target);
    }
    Link link;
    link.kind = candidate.kind;
    link.start = candidate.start;
    link.end = candidate.end;
    lines.Locate(candidate.start, &link.line, &link.column);
    link.written = std::string(
        content.substr(candidate.start, candidate.end - candidate.start));
    link.url = std::move(classified.url);
    link.normalized = std::move(classified.normalized);
    (other ? doc->other_schemes : doc->links).push_back(std::move(link));
  }
  std::vector<extract::OffsetWarning>& warnings = collector->warnings();
  std::stable_sort(
      warnings.begin(), warnings.end(),
      [](const extract::OffsetWarning& a, const extract::OffsetWarning& b) {
        return a.offset < b.offset;
      });
  for (extract::OffsetWarning& warning : warnings) {
    ExtractWarning out;
    lines.Locate(std::min(warning.offset, content.size()), &out.line,
                 &out.column);
    out.message = std::move(warning.message);
    doc->warnings.push_back(std::move(out));
  }
}

}  // namespace

namespace extract {

size_t InvalidUtf8Offset(std::string_view text) {
  return FirstInvalidUtf8(text);
}

void FinalizeCandidates(Collector* collector, const std::string& base,
                        bool keep_other_schemes, ExtractedDocument* doc) {
  Finalize(collector, base, keep_other_schemes, doc);
}

}  // namespace extract

std::string_view LinkKindName(LinkKind kind) {
  switch (kind) {
    case LinkKind::kLink:
      return "link";
    case LinkKind::kImage:
      return "image";
    case LinkKind::kEmbed:
      return "embed";
    case LinkKind::kFrontmatter:
      return "frontmatter";
    case LinkKind::kRequisite:
      return "requisite";
  }
  return "link";
}

std::optional<DocumentFormat> FormatForPath(std::string_view path) {
  size_t slash = path.find_last_of('/');
  std::string_view name = slash == kNpos ? path : path.substr(slash + 1);
  size_t dot = name.find_last_of('.');
  if (dot == kNpos || dot == 0) return std::nullopt;
  std::string extension;
  for (char c : name.substr(dot + 1)) {
    extension += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  if (extension == "md" || extension == "markdown" || extension == "mdx") {
    return DocumentFormat::kMarkdown;
  }
  if (extension == "html" || extension == "htm") return DocumentFormat::kHtml;
  return std::nullopt;
}

ExtractedDocument ExtractLinks(std::string_view path, std::string_view content,
                               DocumentFormat format,
                               const ExtractOptions& options) {
  ExtractedDocument doc;
  if (LooksBinary(content)) {
    doc.warnings.push_back({1, 1, "binary file"});
    return doc;
  }
  Collector collector(content);
  if (size_t bad = FirstInvalidUtf8(content); bad != kNpos) {
    collector.Warn(bad, "invalid UTF-8");
  }
  size_t begin = content.substr(0, kBom.size()) == kBom ? kBom.size() : 0;
  begin = extract::ExtractFrontMatter(begin, &collector, &doc.front_matter);
  std::string base_href;
  if (format == DocumentFormat::kMarkdown) {
    std::vector<Region> code =
        extract::ExtractMarkdown(begin, options.gumbo_only, &collector);
    extract::ExtractShortcodes(begin, code, &collector);
  } else {
    if (options.gumbo_only ||
        !extract::ScanHtmlFragment(begin, content.size(), &collector,
                                   &base_href)) {
      extract::ExtractHtml(begin, content.size(), &collector, &base_href);
    }
  }
  if (doc.front_matter.date.empty()) {
    doc.front_matter.date = extract::JekyllDateFromPath(path);
  }
  Finalize(&collector, EffectiveBase(options.base_url, base_href),
           options.keep_other_schemes, &doc);
  return doc;
}

}  // namespace rotguard
