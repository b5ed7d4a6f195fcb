// Capture quality (issue #16): whether an archived HTML page actually holds
// its content, or is a JavaScript-only shell, a bot challenge or consent
// wall, or an error page. `archive` judges every final HTML response of a
// fetch from the bytes it already scans for requisites (one pass of the
// raw tag scanner gives both), and the manifest keeps the class per
// capture; `report` shows it and `--fail-on-thin` acts on it.
#ifndef ROTGUARD_CAPTURE_QUALITY_H_
#define ROTGUARD_CAPTURE_QUALITY_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace rotguard::extract {

// What one pass over a page tells about its content.
struct PageSignals {
  // Characters of text a reader sees: text outside script, style,
  // noscript, template, nav, header, footer and aside, whitespace runs
  // collapsed to one, a character reference counted as one.
  int64_t visible_text = 0;
  int64_t inline_script_bytes = 0;  // content of <script> elements
  int64_t external_scripts = 0;     // <script src>
  // An app root (<div id="root|app|__next|__nuxt|___gatsby">) that holds
  // no element and no text: the page is built by its scripts.
  bool empty_app_root = false;
  // A <noscript> whose text asks the reader to enable JavaScript.
  bool noscript_asks_for_js = false;
  // The name of the first known challenge or consent-wall signature found
  // in the page (see kChallengeSignatures in page_quality.cc); "" if none.
  // Only looked for on pages with little visible text: an article that
  // quotes "Just a moment..." is no challenge page.
  std::string challenge;
  // The <title> says the page is an error (404, not found, ...), on a
  // page with little visible text (a soft error page answering 200).
  bool error_title = false;
};

// The page requisites (exactly ExtractPageRequisites' answer) and the
// signals of one HTML page, from one pass of the requisite scanner. Linear
// in the page's size whatever its nesting; callers cap the size (archive
// reads at most 8 MiB of a page).
struct ScannedPage {
  std::vector<std::string> requisites;
  PageSignals signals;
};
ScannedPage ScanPage(std::string_view html, std::string_view page_url);

// The class of one capture, as stored in the manifest (captures.quality).
enum class CaptureQuality {
  kNone,       // not an HTML page (or captured before quality existed): ""
  kFull,       // "full": the archived bytes hold the content
  kThin,       // "thin": a JS-only shell, or most requisites not captured
  kChallenge,  // "challenge": a bot challenge or consent wall
  kErrorPage,  // "error-page": HTTP 4xx/5xx, a soft-404, an error title
};
// "", "full", "thin", "challenge", "error-page".
std::string_view QualityName(CaptureQuality quality);

// Everything the classifier looks at for one capture.
struct QualityInput {
  bool html = false;  // Content-Type text/html or application/xhtml+xml
  int http_status = 0;
  // The link's URL was judged a soft-404 (verify --live: a random sibling
  // path gives the same page).
  bool soft_404 = false;
  PageSignals signals;
  // Distinct http(s) requisites the page references, and how many of them
  // this run queued for capture (in scope, under [fetch] max_requisites).
  // requisites_followed is false when requisites are not fetched at all
  // ([fetch] requisites_depth = 0): then the counts say nothing.
  bool requisites_followed = false;
  int64_t requisites_referenced = 0;
  int64_t requisites_captured = 0;
};

// Pure: the class of a capture. In order: not HTML → none; a challenge
// signature → challenge (such pages often answer 403 or 503); HTTP 4xx/5xx,
// soft-404 or an error title → error-page; JS-shell signals or most
// requisites missing → thin; else full. The thresholds are in
// page_quality.cc with their reasons.
CaptureQuality ClassifyCapture(const QualityInput& input);

}  // namespace rotguard::extract

#endif  // ROTGUARD_CAPTURE_QUALITY_H_
