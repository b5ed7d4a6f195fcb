// Capture quality: the page signals counted over the requisite scanner's
// tokens, and the classifier (rotguard/capture_quality.h).
#include <algorithm>
#include <array>
#include <cstddef>
#include <string>
#include <string_view>

#include "extract/page_signals.h"
#include "rotguard/capture_quality.h"
#include "util/ascii.h"

namespace rotguard::extract {
namespace {

// Elements whose text a reader does not take for the page's content
// (besides script, style and template, which the scanner never reports as
// text, and noscript, counted apart).
constexpr std::array<std::string_view, 5> kHiddenElements = {
    "nav", "header", "footer", "aside", "template"};

// The ids single-page-app frameworks mount into: create-react-app and Vite
// templates (root, app), Next.js (__next), Nuxt (__nuxt), Gatsby
// (___gatsby).
constexpr std::array<std::string_view, 5> kAppRootIds = {
    "root", "app", "__next", "__nuxt", "___gatsby"};

// Known bot-challenge and consent-wall pages, as lowercase bytes of their
// HTML. Where each comes from:
struct Signature {
  std::string_view name;
  std::string_view needle;
};
constexpr Signature kChallengeSignatures[] = {
    // Cloudflare's JS/managed challenge ("Just a moment..." interstitial):
    // its title, the challenge script's options object and path, and the
    // text of its <noscript> and of the older "I'm Under Attack" page.
    {"cloudflare", "<title>just a moment...</title>"},
    {"cloudflare", "_cf_chl_opt"},
    {"cloudflare", "/cdn-cgi/challenge-platform/"},
    {"cloudflare", "enable javascript and cookies to continue"},
    {"cloudflare", "checking your browser before accessing"},
    // Cloudflare's WAF block page title.
    {"cloudflare", "attention required! | cloudflare"},
    // DDoS-Guard's check page loads its script from this host.
    {"ddos-guard", "check.ddos-guard.net"},
    // Imperva Incapsula's challenge iframe path.
    {"incapsula", "_incapsula_resource"},
    // DataDome's captcha page is served from this host.
    {"datadome", "captcha-delivery.com"},
    // PerimeterX (HUMAN) "Press & Hold" captcha container.
    {"perimeterx", "px-captcha"},
    // AWS WAF's challenge page script object.
    {"aws-waf", "awswafintegration"},
    // Sucuri firewall block page title.
    {"sucuri", "sucuri website firewall"},
    // Consent walls in front of the content: Google's and Yahoo's consent
    // interstitials, and the dialogs of the common consent platforms
    // (OneTrust, Sourcepoint, Cookiebot, Quantcast Choice, Didomi).
    {"consent", "consent.google.com"},
    {"consent", "consent.yahoo.com"},
    {"consent", "guce.yahoo.com"},
    {"consent", "onetrust-consent-sdk"},
    {"consent", "sp_message_container"},
    {"consent", "cybotcookiebotdialog"},
    {"consent", "qc-cmp2-container"},
    {"consent", "didomi-popup"},
};

// Words of a <title> that name an error page.
constexpr std::string_view kErrorTitleWords[] = {
    "404",
    "not found",
    "does not exist",
    "doesn't exist",
    "no longer available",
    "410 gone",
    "internal server error",
};

// Below this much visible text a page may be a challenge or error page
// that happens to match a signature; above it, the content is there
// whatever the page also says (a consent banner over a full article, an
// article about Cloudflare). Challenge and error pages measure 50 to 1,500
// characters; a short news article about 2,500.
constexpr int64_t kSmallPageText = 3000;
// How much of the page the signatures are looked for in: challenge pages
// are small, and a large page is above kSmallPageText anyway.
constexpr size_t kSignatureWindow = 256 * 1024;
// An empty app root leaves only the page's chrome outside it.
constexpr int64_t kShellMaxText = 1000;
// A <noscript> asking for JavaScript is on many full pages too (comment
// widgets); only with little text does it mean the article needs scripts.
constexpr int64_t kNoscriptMaxText = 500;
// Text a reader cannot call an article, on a page with scripts (a "Loading…"
// placeholder, a bare heading); the fixture web's shortest real pages have
// about 200 characters.
constexpr int64_t kTinyText = 100;
// Inline script this large (or any external script) next to tiny text:
// the content is in the scripts.
constexpr int64_t kLargeInlineScript = 1024;
// A page whose requisites are mostly not captured renders without them.
constexpr int64_t kMinRequisitesJudged = 4;
constexpr size_t kMaxKeptText = 4096;  // of noscript and title text

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

// IsSpace without branches (see CountVisible).
constexpr bool IsSpaceByte(unsigned char c) {
  return (c == ' ') | (c == '\t') | (c == '\n') | (c == '\r') | (c == '\f');
}

// Per byte: kSpaceKind for whitespace, kStartKind for a visible byte that
// starts a character (not a UTF-8 continuation byte).
constexpr unsigned kSpaceKind = 1;
constexpr unsigned kStartKind = 2;
struct ByteKinds {
  unsigned char kind[256];
};
constexpr ByteKinds MakeByteKinds() {
  ByteKinds kinds{};
  for (unsigned c = 0; c < 256; ++c) {
    const auto byte = static_cast<unsigned char>(c);
    kinds.kind[c] = static_cast<unsigned char>(
        IsSpaceByte(byte) ? kSpaceKind
                          : ((byte & 0xC0) == 0x80 ? 0 : kStartKind));
  }
  return kinds;
}
constexpr ByteKinds kByteKinds = MakeByteKinds();

bool IsReferenceChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '#';
}

// Length of the character reference at text[i] ('&'), or 0.
size_t ReferenceLength(std::string_view text, size_t i) {
  constexpr size_t kLongest = 32;
  size_t j = i + 1;
  while (j < text.size() && j - i <= kLongest && IsReferenceChar(text[j])) ++j;
  if (j < text.size() && j > i + 1 && text[j] == ';') return j - i + 1;
  return 0;
}

void KeepLowercase(std::string_view text, std::string* kept) {
  size_t room = kMaxKeptText - std::min(kMaxKeptText, kept->size());
  for (char c : text.substr(0, room)) kept->push_back(AsciiLower(c));
}

bool Contains(std::string_view text, std::string_view needle) {
  return text.find(needle) != std::string_view::npos;
}

bool AsksForJavaScript(std::string_view lower_text) {
  if (!Contains(lower_text, "javascript")) return false;
  for (std::string_view verb :
       {"enable", "turn on", "activate", "allow", "need", "require"}) {
    if (Contains(lower_text, verb)) return true;
  }
  return false;
}

std::string FindChallenge(std::string_view html) {
  std::string lower = AsciiLowercase(html.substr(0, kSignatureWindow));
  for (const Signature& signature : kChallengeSignatures) {
    if (Contains(lower, signature.needle)) return std::string(signature.name);
  }
  return "";
}

bool IsErrorTitle(std::string_view lower_title) {
  for (std::string_view word : kErrorTitleWords) {
    if (Contains(lower_title, word)) return true;
  }
  return false;
}

bool LooksLikeJsShell(const PageSignals& s) {
  const bool scripts = s.external_scripts > 0 || s.inline_script_bytes > 0;
  if (s.empty_app_root && scripts && s.visible_text < kShellMaxText) {
    return true;
  }
  if (s.noscript_asks_for_js && s.visible_text < kNoscriptMaxText) return true;
  return s.visible_text < kTinyText &&
         (s.external_scripts > 0 ||
          s.inline_script_bytes >=
              std::max(kLargeInlineScript, 4 * s.visible_text));
}

bool MostRequisitesMissing(const QualityInput& input) {
  return input.requisites_followed &&
         input.requisites_referenced >= kMinRequisitesJudged &&
         input.requisites_captured * 2 < input.requisites_referenced;
}

}  // namespace

// Runs over the text of every archived page: one table lookup per byte.
void PageSignalCounter::CountVisible(std::string_view text) {
  const size_t n = text.size();
  if (n == 0) return;
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  size_t first = 0;  // the first visible byte
  while (first < n && IsSpaceByte(bytes[first])) ++first;
  if (first == n) {
    pending_space_ = true;
    return;
  }
  // UTF-8 continuation bytes belong to the character counted before. A
  // whitespace run between visible characters reads as one space: one per
  // run ending at a visible byte, and the run before `first` (here or at
  // the end of the previous text) only after a visible character.
  int64_t count = 0;
  unsigned previous_space = 0;
  for (size_t i = first; i < n; ++i) {
    const unsigned kind = kByteKinds.kind[bytes[i]];
    const unsigned space = kind & kSpaceKind;
    count += (kind >> 1) + (previous_space & (space ^ 1));
    previous_space = space;
  }
  if ((first > 0 || pending_space_) && signals_.visible_text > 0) ++count;
  // A character reference is one character.
  for (size_t amp = text.find('&', first); amp != std::string_view::npos;) {
    size_t length = ReferenceLength(text, amp);
    if (length > 0) count -= static_cast<int64_t>(length) - 1;
    amp = text.find('&', amp + std::max<size_t>(length, 1));
  }
  pending_space_ = IsSpaceByte(bytes[n - 1]);
  signals_.visible_text += count;
}

void PageSignalCounter::Text(std::string_view text) {
  if (noscript_depth_ > 0) {
    KeepLowercase(text, &noscript_text_);
    return;
  }
  if (Hidden()) return;
  if (!app_root_.empty() && !app_root_has_content_) {
    app_root_has_content_ = std::any_of(text.begin(), text.end(),
                                        [](char c) { return !IsSpace(c); });
  }
  CountVisible(text);
}

void PageSignalCounter::StartTag(std::string_view name, std::string_view id,
                                 bool self_closing, bool has_src) {
  if (!app_root_.empty() && name != "script" && name != "noscript") {
    app_root_has_content_ = true;
  }
  if (name == "script" && has_src) ++signals_.external_scripts;
  if (self_closing) return;
  if (name == "noscript") {
    ++noscript_depth_;
    return;
  }
  if (std::find(kHiddenElements.begin(), kHiddenElements.end(), name) !=
      kHiddenElements.end()) {
    ++hidden_depth_;
    return;
  }
  if (!app_root_done_ && app_root_.empty() &&
      std::find(kAppRootIds.begin(), kAppRootIds.end(), id) !=
          kAppRootIds.end()) {
    app_root_ = std::string(name);
  }
}

void PageSignalCounter::EndTag(std::string_view name) {
  if (name == "noscript") {
    if (noscript_depth_ > 0) --noscript_depth_;
    return;
  }
  if (std::find(kHiddenElements.begin(), kHiddenElements.end(), name) !=
      kHiddenElements.end()) {
    if (hidden_depth_ > 0) --hidden_depth_;
    return;
  }
  if (!app_root_.empty() && name == app_root_) {
    signals_.empty_app_root = !app_root_has_content_;
    app_root_.clear();
    app_root_done_ = true;
  }
}

void PageSignalCounter::RawContent(std::string_view element,
                                   std::string_view content) {
  if (element == "script") {
    signals_.inline_script_bytes += static_cast<int64_t>(content.size());
  } else if (element == "title" && !title_seen_) {
    title_seen_ = true;
    KeepLowercase(content, &title_);
  }
}

PageSignals PageSignalCounter::Finish(std::string_view html) {
  PageSignals signals = signals_;
  // A root still open at the end of the file held nothing either, if no
  // content came after it.
  if (!app_root_.empty() && !app_root_has_content_) {
    signals.empty_app_root = true;
  }
  signals.noscript_asks_for_js = AsksForJavaScript(noscript_text_);
  if (signals.visible_text < kSmallPageText) {
    signals.challenge = FindChallenge(html);
    signals.error_title = IsErrorTitle(title_);
  }
  return signals;
}

std::string_view QualityName(CaptureQuality quality) {
  switch (quality) {
    case CaptureQuality::kNone:
      return "";
    case CaptureQuality::kFull:
      return "full";
    case CaptureQuality::kThin:
      return "thin";
    case CaptureQuality::kChallenge:
      return "challenge";
    case CaptureQuality::kErrorPage:
      return "error-page";
  }
  return "";
}

CaptureQuality ClassifyCapture(const QualityInput& input) {
  if (!input.html) return CaptureQuality::kNone;
  const PageSignals& s = input.signals;
  if (!s.challenge.empty()) return CaptureQuality::kChallenge;
  if (input.http_status >= 400 || input.soft_404 || s.error_title) {
    return CaptureQuality::kErrorPage;
  }
  if (LooksLikeJsShell(s) || MostRequisitesMissing(input)) {
    return CaptureQuality::kThin;
  }
  return CaptureQuality::kFull;
}

}  // namespace rotguard::extract
