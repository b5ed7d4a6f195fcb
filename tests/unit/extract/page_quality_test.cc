// Capture quality: one page per signal and per class, the rules that keep
// full pages full, and hostile pages (huge, deeply nested) that must stay
// linear.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "rotguard/capture_quality.h"
#include "rotguard/requisites.h"

namespace rotguard::extract {
namespace {

constexpr std::string_view kPage = "https://news.example/a/article.html";

PageSignals SignalsOf(std::string_view html) {
  return ScanPage(html, kPage).signals;
}

// The class of a 200 text/html capture of `html` whose requisites were all
// captured.
CaptureQuality ClassOf(std::string_view html, int status = 200) {
  QualityInput input;
  input.html = true;
  input.http_status = status;
  input.signals = SignalsOf(html);
  return ClassifyCapture(input);
}

std::string Words(size_t count) {
  std::string text;
  for (size_t i = 0; i < count; ++i) text += "word ";
  return text;
}

std::string Article(size_t words) {
  return "<!DOCTYPE html><html><head><title>An article</title></head><body>"
         "<article><h1>Title</h1><p>" +
         Words(words) + "</p></article></body></html>";
}

TEST(PageQualityTest, ArticleWithTextIsFull) {
  EXPECT_EQ(ClassOf(Article(400)), CaptureQuality::kFull);
}

TEST(PageQualityTest, VisibleTextCollapsesWhitespace) {
  EXPECT_EQ(SignalsOf("<p>  a \n\t b  </p><p>c</p>").visible_text, 5);
}

TEST(PageQualityTest, CharacterReferenceCountsAsOneCharacter) {
  EXPECT_EQ(SignalsOf("<p>a&amp;b&#8212;c & d</p>").visible_text, 9);
}

TEST(PageQualityTest, VisibleTextLeavesOutScriptStyleChromeAndNoscript) {
  const std::string html =
      "<head><title>t</title><style>p{color:red}</style></head><body>"
      "<header>head</header><nav>menu</nav><aside>side</aside>"
      "<template>tpl</template><noscript>no js</noscript>"
      "<script>var x = 1;</script><p>kept</p><footer>foot</footer></body>";
  EXPECT_EQ(SignalsOf(html).visible_text, 4);
}

TEST(PageQualityTest, NestedChromeStaysHiddenUntilItsLastEndTag) {
  EXPECT_EQ(SignalsOf("<nav><nav>a</nav>b</nav>cd").visible_text, 2);
}

TEST(PageQualityTest, UnbalancedEndTagsDoNotHideOrRevealText) {
  EXPECT_EQ(SignalsOf("</nav></noscript></footer><p>abc</p>").visible_text, 3);
}

TEST(PageQualityTest, ScriptsAreCountedInlineAndExternal) {
  PageSignals s = SignalsOf(
      "<script src=/a.js></script><script src='  '></script>"
      "<script>12345</script>");
  EXPECT_EQ(s.external_scripts, 1);
  EXPECT_EQ(s.inline_script_bytes, 5);
}

TEST(PageQualityTest, EmptyAppRootWithScriptsIsThin) {
  const std::string html =
      "<html><head><title>App</title><script src=/static/main.js></script>"
      "</head><body><div id=\"root\"></div></body></html>";
  EXPECT_TRUE(SignalsOf(html).empty_app_root);
  EXPECT_EQ(ClassOf(html), CaptureQuality::kThin);
}

TEST(PageQualityTest, EveryKnownAppRootIdIsRecognized) {
  for (std::string_view id : {"root", "app", "__next", "__nuxt", "___gatsby"}) {
    std::string html = "<div id=\"" + std::string(id) +
                       "\">\n </div><script src=/app.js></script>";
    EXPECT_TRUE(SignalsOf(html).empty_app_root) << id;
  }
}

TEST(PageQualityTest, ServerRenderedAppRootIsFull) {
  const std::string html = "<div id=\"__next\"><main><p>" + Words(300) +
                           "</p></main></div><script src=/_next/app.js>"
                           "</script>";
  EXPECT_FALSE(SignalsOf(html).empty_app_root);
  EXPECT_EQ(ClassOf(html), CaptureQuality::kFull);
}

TEST(PageQualityTest, AppRootHoldingOnlyScriptsIsEmpty) {
  EXPECT_TRUE(
      SignalsOf("<div id=app><script>boot()</script></div>").empty_app_root);
}

TEST(PageQualityTest, AppRootOpenAtEndOfFileIsEmpty) {
  EXPECT_TRUE(SignalsOf("<div id=root>").empty_app_root);
}

TEST(PageQualityTest, EmptyAppRootWithoutScriptsIsNotThin) {
  // Nothing can fill it: a plain (short) page with an empty div.
  EXPECT_EQ(ClassOf("<div id=root></div><p>" + Words(60) + "</p>"),
            CaptureQuality::kFull);
}

TEST(PageQualityTest, NoscriptAskingForJavaScriptIsThin) {
  const std::string html =
      "<noscript>You need to enable JavaScript to run this app.</noscript>"
      "<p>Loading</p>";
  EXPECT_TRUE(SignalsOf(html).noscript_asks_for_js);
  EXPECT_EQ(ClassOf(html), CaptureQuality::kThin);
}

TEST(PageQualityTest, NoscriptAskingForJavaScriptOnFullArticleIsFull) {
  const std::string html =
      "<noscript>Please enable JavaScript to view the comments.</noscript>" +
      Article(400);
  EXPECT_TRUE(SignalsOf(html).noscript_asks_for_js);
  EXPECT_EQ(ClassOf(html), CaptureQuality::kFull);
}

TEST(PageQualityTest, NoscriptWithOtherTextAsksNothing) {
  EXPECT_FALSE(SignalsOf("<noscript><img src=/pixel.gif></noscript>")
                   .noscript_asks_for_js);
}

TEST(PageQualityTest, TinyTextNextToLargeInlineScriptIsThin) {
  const std::string html =
      "<p>Loading…</p><script>" + std::string(4096, 'x') + "</script>";
  EXPECT_EQ(ClassOf(html), CaptureQuality::kThin);
}

TEST(PageQualityTest, TinyTextWithExternalScriptIsThin) {
  EXPECT_EQ(ClassOf("<p>Hi</p><script src=/bundle.js></script>"),
            CaptureQuality::kThin);
}

TEST(PageQualityTest, TinyPageWithoutScriptsIsFull) {
  // An image page or a short note: nothing suggests missing content.
  EXPECT_EQ(ClassOf("<p>A photo.</p><img src=/photo.jpg>"),
            CaptureQuality::kFull);
}

TEST(PageQualityTest, CloudflareChallengeIsChallenge) {
  const std::string html =
      "<!DOCTYPE html><html><head><title>Just a moment...</title></head>"
      "<body><noscript>Enable JavaScript and cookies to continue</noscript>"
      "<script>window._cf_chl_opt={cType:'managed'};</script></body></html>";
  EXPECT_EQ(SignalsOf(html).challenge, "cloudflare");
  EXPECT_EQ(ClassOf(html), CaptureQuality::kChallenge);
  // Cloudflare answers its challenge with 403 or 503.
  EXPECT_EQ(ClassOf(html, 503), CaptureQuality::kChallenge);
  EXPECT_EQ(ClassOf(html, 403), CaptureQuality::kChallenge);
}

TEST(PageQualityTest, EachChallengeSignatureAloneIsFound) {
  const std::pair<std::string_view, std::string_view> kCases[] = {
      {"<TITLE>Just a moment...</TITLE>", "cloudflare"},
      {"<script src=\"/cdn-cgi/challenge-platform/h/g/orchestrate\"></script>",
       "cloudflare"},
      {"<p>Checking your browser before accessing news.example.</p>",
       "cloudflare"},
      {"<script src=https://check.ddos-guard.net/check.js></script>",
       "ddos-guard"},
      {"<iframe src=/_Incapsula_Resource?x=1></iframe>", "incapsula"},
      {"<script src=https://ct.captcha-delivery.com/c.js></script>",
       "datadome"},
      {"<div id=px-captcha></div>", "perimeterx"},
      {"<script>AwsWafIntegration.getToken()</script>", "aws-waf"},
      {"<title>Sucuri WebSite Firewall - Access Denied</title>", "sucuri"},
      {"<form action=https://consent.google.com/save></form>", "consent"},
      {"<a href=https://guce.yahoo.com/consent>Agree</a>", "consent"},
      {"<div id=onetrust-consent-sdk></div>", "consent"},
      {"<div id=sp_message_container_123></div>", "consent"},
      {"<div id=CybotCookiebotDialog></div>", "consent"},
      {"<div class=qc-cmp2-container></div>", "consent"},
      {"<div id=didomi-popup></div>", "consent"},
  };
  for (const auto& [html, name] : kCases) {
    EXPECT_EQ(SignalsOf(html).challenge, name) << html;
    EXPECT_EQ(ClassOf(html), CaptureQuality::kChallenge) << html;
  }
}

TEST(PageQualityTest, ChallengeWordsInsideLongArticleAreNoChallenge) {
  const std::string html =
      "<title>Just a moment...</title><p>What 'Checking your browser before "
      "accessing' means: " +
      Words(800) + "</p>";
  EXPECT_EQ(SignalsOf(html).challenge, "");
  EXPECT_EQ(ClassOf(html), CaptureQuality::kFull);
}

TEST(PageQualityTest, ConsentBannerOverFullArticleIsFull) {
  EXPECT_EQ(ClassOf("<div id=onetrust-consent-sdk></div>" + Article(800)),
            CaptureQuality::kFull);
}

TEST(PageQualityTest, HttpErrorStatusIsErrorPage) {
  EXPECT_EQ(ClassOf(Article(400), 404), CaptureQuality::kErrorPage);
  EXPECT_EQ(ClassOf(Article(400), 410), CaptureQuality::kErrorPage);
  EXPECT_EQ(ClassOf(Article(400), 500), CaptureQuality::kErrorPage);
}

TEST(PageQualityTest, Soft404SignalIsErrorPage) {
  QualityInput input;
  input.html = true;
  input.http_status = 200;
  input.soft_404 = true;
  input.signals = SignalsOf(Article(400));
  EXPECT_EQ(ClassifyCapture(input), CaptureQuality::kErrorPage);
}

TEST(PageQualityTest, ErrorTitleOnShort200PageIsErrorPage) {
  const std::string html =
      "<title>Page Not Found | News</title><h1>Sorry</h1>"
      "<p>We could not find that page.</p>";
  EXPECT_TRUE(SignalsOf(html).error_title);
  EXPECT_EQ(ClassOf(html), CaptureQuality::kErrorPage);
}

TEST(PageQualityTest, ErrorWordsInTitleOfLongArticleAreNoErrorPage) {
  const std::string html =
      "<title>Why 404 pages matter</title><p>" + Words(800) + "</p>";
  EXPECT_FALSE(SignalsOf(html).error_title);
  EXPECT_EQ(ClassOf(html), CaptureQuality::kFull);
}

TEST(PageQualityTest, NonHtmlCaptureHasNoQuality) {
  QualityInput input;
  input.html = false;
  input.http_status = 404;
  EXPECT_EQ(ClassifyCapture(input), CaptureQuality::kNone);
  EXPECT_EQ(QualityName(CaptureQuality::kNone), "");
}

TEST(PageQualityTest, MostRequisitesNotCapturedIsThin) {
  QualityInput input;
  input.html = true;
  input.http_status = 200;
  input.signals = SignalsOf(Article(400));
  input.requisites_followed = true;
  input.requisites_referenced = 10;
  input.requisites_captured = 4;
  EXPECT_EQ(ClassifyCapture(input), CaptureQuality::kThin);
  input.requisites_captured = 5;
  EXPECT_EQ(ClassifyCapture(input), CaptureQuality::kFull);
}

TEST(PageQualityTest, RequisitesNotFollowedAreNotJudged) {
  QualityInput input;
  input.html = true;
  input.http_status = 200;
  input.signals = SignalsOf(Article(400));
  input.requisites_followed = false;
  input.requisites_referenced = 10;
  EXPECT_EQ(ClassifyCapture(input), CaptureQuality::kFull);
}

TEST(PageQualityTest, FewRequisitesAreNotJudged) {
  QualityInput input;
  input.html = true;
  input.http_status = 200;
  input.signals = SignalsOf(Article(400));
  input.requisites_followed = true;
  input.requisites_referenced = 3;
  EXPECT_EQ(ClassifyCapture(input), CaptureQuality::kFull);
}

TEST(PageQualityTest, ClassNamesAreTheManifestValues) {
  EXPECT_EQ(QualityName(CaptureQuality::kFull), "full");
  EXPECT_EQ(QualityName(CaptureQuality::kThin), "thin");
  EXPECT_EQ(QualityName(CaptureQuality::kChallenge), "challenge");
  EXPECT_EQ(QualityName(CaptureQuality::kErrorPage), "error-page");
}

TEST(PageQualityTest, ScanPageGivesExactlyTheRequisites) {
  const std::string html =
      "<link rel=stylesheet href=/s.css><div id=root></div>"
      "<img data-src=lazy.jpg src=ph.gif><script src=/app.js></script>"
      "<a href=/other>x</a>";
  EXPECT_EQ(ScanPage(html, kPage).requisites,
            ExtractPageRequisites(html, kPage));
}

// Hostile pages: the counters hold no stack, so depth costs nothing; the
// scanner is linear (and archive reads at most 8 MiB of a page).
TEST(PageQualityTest, DeepNestingIsCountedWithoutAStack) {
  constexpr int kDepth = 200000;
  std::string html;
  for (int i = 0; i < kDepth; ++i) html += "<div><nav>";
  html += "x";
  for (int i = 0; i < kDepth; ++i) html += "</nav></div>";
  html += "<p>after</p>";
  EXPECT_EQ(SignalsOf(html).visible_text, 5);
}

TEST(PageQualityTest, HugeTextPageIsCountedWhole) {
  const std::string html = "<p>" + std::string(8u << 20, 'a') + "</p>";
  PageSignals s = SignalsOf(html);
  EXPECT_EQ(s.visible_text, int64_t{8} << 20);
  EXPECT_EQ(s.challenge, "");  // not looked for on a page this full
}

TEST(PageQualityTest, ManyUnclosedNoscriptsKeepBoundedText) {
  std::string html;
  for (int i = 0; i < 100000; ++i) html += "<noscript>enable javascript ";
  PageSignals s = SignalsOf(html);
  EXPECT_EQ(s.visible_text, 0);
  EXPECT_TRUE(s.noscript_asks_for_js);
}

TEST(PageQualityTest, BinaryBytesGiveNoSignals) {
  std::string bytes = "\x89PNG\r\n";
  bytes += std::string(16, '\0');
  PageSignals s = SignalsOf(bytes);
  EXPECT_EQ(s.visible_text, 0);
  EXPECT_FALSE(s.empty_app_root);
}

}  // namespace
}  // namespace rotguard::extract
