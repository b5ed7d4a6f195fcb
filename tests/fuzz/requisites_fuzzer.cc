// Fuzz target: ExtractPageRequisites on arbitrary bytes must give exactly
// the non-link URLs ExtractLinks gives (what pipeline.cc used before the
// scanner), except for the inputs requisites.cc documents as tree-building
// differences. Aborts on a mismatch or a URL that is not http(s). The
// capture-quality pass over the same scanner (ScanPage) must give the same
// requisites and sane counts.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "rotguard/capture_quality.h"
#include "rotguard/extract.h"
#include "rotguard/requisites.h"
#include "rotguard/url.h"

namespace {

constexpr std::string_view kPage = "https://blog.example/posts/one/";
// Beyond this many '<' html.cc may cut the page into gumbo chunks.
constexpr size_t kMaxComparedTags = 512;

bool ContainsIgnoringCase(std::string_view text, std::string_view lower) {
  auto hit = std::search(
      text.begin(), text.end(), lower.begin(), lower.end(), [](char a, char b) {
        return (a >= 'A' && a <= 'Z' ? a - 'A' + 'a' : a) == b;
      });
  return hit != text.end();
}

// Ignore markers, foreign content and deep nesting are documented
// differences (requisites.cc).
bool Comparable(std::string_view html) {
  return html.find("rotguard-ignore") == std::string_view::npos &&
         !ContainsIgnoringCase(html, "<svg") &&
         !ContainsIgnoringCase(html, "<math") &&
         static_cast<size_t>(std::count(html.begin(), html.end(), '<')) <=
             kMaxComparedTags;
}

std::vector<std::string> FromExtractLinks(std::string_view html) {
  rotguard::ExtractOptions options;
  options.base_url = std::string(kPage);
  options.gumbo_only = true;  // the reference, not the scanner itself
  rotguard::ExtractedDocument doc = rotguard::ExtractLinks(
      "page.html", html, rotguard::DocumentFormat::kHtml, options);
  std::vector<std::string> urls;
  for (const rotguard::Link& link : doc.links) {
    if (link.kind != rotguard::LinkKind::kLink &&
        link.kind != rotguard::LinkKind::kFrontmatter) {
      urls.push_back(link.url);
    }
  }
  return urls;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view html(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> urls =
      rotguard::extract::ExtractPageRequisites(html, kPage);
  for (const std::string& url : urls) {
    std::string scheme = rotguard::UrlScheme(url);
    if (scheme != "http" && scheme != "https") {
      std::fprintf(stderr, "requisite is not http(s): %s\n", url.c_str());
      std::abort();
    }
  }
  rotguard::extract::ScannedPage scanned =
      rotguard::extract::ScanPage(html, kPage);
  if (scanned.requisites != urls ||
      scanned.signals.visible_text > static_cast<int64_t>(size) ||
      scanned.signals.inline_script_bytes > static_cast<int64_t>(size)) {
    std::fprintf(stderr, "ScanPage differs from ExtractPageRequisites\n");
    std::abort();
  }
  if (Comparable(html) && urls != FromExtractLinks(html)) {
    std::fprintf(stderr, "requisites differ from ExtractLinks\n");
    std::abort();
  }
  return 0;
}
