// The HTML report: ONE self-contained page (inline CSS and JS, a CSP that
// forbids every external load) with summary counts per verdict, a table per
// post, and filter buttons by verdict (also reachable as file.html#gone)
// and by capture quality (file.html#quality-thin).
#include <map>
#include <string>
#include <vector>

#include "rotguard/report.h"
#include "util/ascii.h"
#include "util/digest.h"
#include "verify/report_format.h"

namespace rotguard {
namespace {
bool IsHttpUrl(const std::string& url) {
  return url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0;
}

constexpr const char* kHead = R"(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>rotguard link report</title>
<style>
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:1400px;padding:1em 1.5em;color:#1d232a;background:#fafbfc}
h1{font-size:1.5em;margin:.2em 0}
h2{font-size:1.05em;margin:1.6em 0 .4em;word-break:break-all}
h2 .title{font-weight:normal;color:#444}
h2 .date,.meta,.doc-count{color:#667;font-weight:normal;font-size:.9em}
#summary{display:flex;flex-wrap:wrap;gap:.5em;margin:1em 0}
#summary button{font:inherit;border:1px solid #ccd;border-radius:6px;background:#fff;padding:.45em .8em;cursor:pointer;min-width:6.5em;text-align:left}
#summary button[aria-pressed=true]{outline:3px solid #1d232a;outline-offset:1px}
#summary .count{display:block;font-size:1.6em;font-weight:700}
table{border-collapse:collapse;width:100%;background:#fff;border:1px solid #e1e4e8}
th,td{padding:.3em .5em;border-bottom:1px solid #eef0f2;text-align:left;vertical-align:top}
th{background:#f3f5f7;font-weight:600;white-space:nowrap}
td.url{word-break:break-all}
td.url .final{color:#556;font-size:.9em}
td.copy{font-size:.85em;color:#445;word-break:break-all;max-width:28em}
td.copy code{background:#f3f5f7;padding:0 .2em}
tr.variant td.url{padding-left:2em}
tr.variant td.url::before{content:"\21B3  ";color:#889}
.verdict{display:inline-block;padding:0 .5em;border-radius:4px;font-weight:600;white-space:nowrap}
.v-gone{background:#fde2e1;color:#9b1c1c}.v-failing{background:#feecdc;color:#9a3b12}
.v-soft-404{background:#efe3fd;color:#5b21b6}.v-unreachable,.v-server-error,.v-blocked,.v-rate-limited{background:#fdf6b2;color:#723b13}
.v-moved,.v-redirected{background:#e1effe;color:#1e429f}.v-drifted{background:#d5f5f6;color:#036672}
.v-ok{background:#def7ec;color:#03543f}.v-unchecked{background:#eceff1;color:#4b5563}
#summary button.v-all{background:#fff;color:#1d232a}
.quality{display:inline-block;padding:0 .5em;border-radius:4px;white-space:nowrap}
.q-full{background:#def7ec;color:#03543f}.q-thin{background:#feecdc;color:#9a3b12}
.q-challenge{background:#fde2e1;color:#9b1c1c}.q-error-page{background:#eceff1;color:#4b5563}
img.thumb{display:block;max-width:160px;height:auto;margin-top:.3em;border:1px solid #ccd}
[hidden]{display:none!important}
svg.timeline{display:block;margin:.2em 0 .5em}
table.sites{width:auto;min-width:40%}
table.sites td:not(.url){text-align:right}
</style>
</head>
<body>
)";

constexpr const char* kScript = R"(<script>
(function () {
  var rows = Array.prototype.slice.call(document.querySelectorAll('tr.link'));
  // Recount from the rows so the summary always matches the tables.
  var counts = {all: rows.length};
  rows.forEach(function (row) {
    var v = row.getAttribute('data-verdict');
    counts[v] = (counts[v] || 0) + 1;
    var q = 'quality-' + row.getAttribute('data-quality');
    counts[q] = (counts[q] || 0) + 1;
  });
  var buttons = Array.prototype.slice.call(document.querySelectorAll('#summary button'));
  buttons.forEach(function (button) {
    var v = button.getAttribute('data-filter');
    button.querySelector('.count').textContent = String(counts[v] || 0);
    button.addEventListener('click', function () {
      if (location.hash === '#' + v) { apply(v); } else { location.hash = v; }
    });
  });
  function apply(filter) {
    if (!buttons.some(function (b) { return b.getAttribute('data-filter') === filter; })) {
      filter = 'all';
    }
    var visible = 0;
    rows.forEach(function (row) {
      var show = filter === 'all' || row.getAttribute('data-verdict') === filter ||
        'quality-' + row.getAttribute('data-quality') === filter;
      row.hidden = !show;
      if (show) visible++;
    });
    Array.prototype.forEach.call(document.querySelectorAll('section.doc'), function (doc) {
      doc.hidden = doc.querySelector('tr.link:not([hidden])') === null && filter !== 'all';
    });
    buttons.forEach(function (b) {
      b.setAttribute('aria-pressed', String(b.getAttribute('data-filter') === filter));
    });
    document.getElementById('visible-count').textContent = String(visible);
    document.body.setAttribute('data-filter', filter);
  }
  window.addEventListener('hashchange', function () { apply(location.hash.slice(1)); });
  apply(location.hash.slice(1) || 'all');
  document.body.setAttribute('data-ready', '1');
})();
</script>
)";

// One filter button per capture quality found (#quality-thin, …), after
// the verdicts.
void AppendQualityButtons(const Report& report, std::string* out) {
  std::map<std::string, int64_t> counts;
  for (const ReportDocument& document : report.documents) {
    for (const ReportLink& link : document.links) ++counts[link.quality];
  }
  for (const ReportLink& link : report.unlinked) ++counts[link.quality];
  for (const char* quality : {"thin", "challenge", "error-page", "full"}) {
    auto found = counts.find(quality);
    if (found == counts.end()) continue;
    const std::string q = quality;
    *out += "<button class=\"q-" + q + "\" data-filter=\"quality-" + q +
            "\" aria-pressed=\"false\"><b class=\"count\" id=\"count-quality-" +
            q + "\">" + std::to_string(found->second) + "</b>quality " + q +
            "</button>\n";
  }
}

void AppendSummary(const Report& report, std::string* out) {
  const int64_t total =
      report.link_count + static_cast<int64_t>(report.unlinked.size());
  *out += "<nav id=\"summary\" aria-label=\"Filter by verdict or quality\">\n";
  *out +=
      "<button class=\"v-all\" data-filter=\"all\" aria-pressed=\"true\">"
      "<b class=\"count\" id=\"count-all\">" +
      std::to_string(total) + "</b>all links</button>\n";
  for (const std::string& verdict : VerdictsInOrder(report)) {
    const int64_t count = VerdictCount(report, verdict);
    if (count == 0) continue;
    const std::string v = HtmlEscape(verdict);
    *out += "<button class=\"v-" + v + "\" data-filter=\"" + v +
            "\" aria-pressed=\"false\"><b class=\"count\" id=\"count-" + v +
            "\">" + std::to_string(count) + "</b>" + v + "</button>\n";
  }
  AppendQualityButtons(report, out);
  *out += "</nav>\n<p class=\"meta\">Showing <b id=\"visible-count\">" +
          std::to_string(total) + "</b> of " + std::to_string(total) +
          " links.</p>\n";
}

std::string LinkCell(const ReportLink& link) {
  std::string cell = IsHttpUrl(link.url)
                         ? "<a href=\"" + HtmlEscape(link.url) +
                               "\" rel=\"noreferrer noopener\">" +
                               HtmlEscape(link.written) + "</a>"
                         : HtmlEscape(link.written);
  if (!link.final_url.empty()) {
    cell +=
        "<div class=\"final\">&rarr; " + HtmlEscape(link.final_url) + "</div>";
  }
  return cell;
}

std::string CopyCell(const ReportLink& link) {
  if (!link.copy) return "none";
  return HtmlEscape(link.copy->warc_file) + " @ " +
         std::to_string(link.copy->offset) + "<br>" +
         HtmlEscape(FormatUsUtc(link.copy->captured_at_us)) +
         (link.copy->truncated ? " (truncated)" : "") +
         (link.copy->source == kSourcePublicArchive
              ? "<br>" +
                    HtmlEscape(
                        PublicOrigin(*link.copy)
                            .substr(0, PublicOrigin(*link.copy).size() - 2))
              : std::string()) +
         "<br><code>" + HtmlEscape(ExtractHint(*link.copy)) + "</code>";
}

// A browser capture's thumbnail, inline (the report loads nothing from
// elsewhere; its CSP allows only data: images), lazily decoded.
std::string ThumbnailImg(const ReportLink& link) {
  if (link.thumbnail_png.empty()) return "";
  return "<img class=\"thumb\" loading=\"lazy\" width=\"160\" "
         "alt=\"screenshot of the page as the browser rendered it\" "
         "src=\"data:image/png;base64," +
         Base64Encode(link.thumbnail_png, /*url=*/false, /*pad=*/true) + "\">";
}

std::string PublicCopyCell(const ReportLink& link) {
  if (!link.public_copy) return "";
  const ReportPublicCopy& pc = *link.public_copy;
  if (pc.state == kSubmissionSuccess && !pc.memento_url.empty()) {
    // Text, not a link: the page's CSP and offline use want no external
    // loads, and the reader copies the address.
    return "<code>" + HtmlEscape(pc.memento_url) + "</code>";
  }
  return HtmlEscape(pc.state) +
         (pc.message.empty() ? "" : "<br>" + HtmlEscape(pc.message));
}

std::string Cell(const std::string& html, const char* css_class = nullptr) {
  if (css_class == nullptr) return "<td>" + html + "</td>";
  return std::string("<td class=\"") + css_class + "\">" + html + "</td>";
}

void AppendLinkRow(const ReportLink& link, bool variant, std::string* out) {
  const std::string v = HtmlEscape(link.verdict);
  *out += std::string("<tr class=\"link") + (variant ? " variant" : "") +
          "\" data-verdict=\"" + v + "\" data-quality=\"" +
          HtmlEscape(link.quality) + "\" data-captured-by=\"" +
          HtmlEscape(link.captured_by) + "\">";
  *out += Cell(link.line ? std::to_string(link.line) + ":" +
                               std::to_string(link.column)
                         : "");
  *out += Cell(HtmlEscape(link.kind));
  *out += Cell("<span class=\"verdict v-" + v + "\">" + v + "</span>");
  const std::string q = HtmlEscape(link.quality);
  *out +=
      Cell(q.empty() ? std::string()
                     : "<span class=\"quality q-" + q + "\">" + q + "</span>");
  *out += Cell(std::to_string(link.consecutive_failures));
  *out += Cell(HtmlEscape(link.failure_class));
  *out += Cell(HtmlEscape(FormatUnixUtc(link.last_ok_unix)));
  *out += Cell(LinkCell(link), "url");
  *out += Cell(CopyCell(link) + ThumbnailImg(link), "copy");
  *out += Cell(PublicCopyCell(link), "copy");
  *out += "</tr>\n";
}

void AppendTable(const std::vector<ReportLink>& links, std::string* out) {
  if (links.empty()) {
    *out += "<p class=\"meta\">No links.</p>\n";
    return;
  }
  *out +=
      "<table><thead><tr><th>Line:col</th><th>Kind</th><th>Verdict</th>"
      "<th>Quality</th><th>Fails</th><th>Class</th><th>Last OK</th>"
      "<th>Link</th><th>Archived copy</th><th>Public copy</th></tr></thead>"
      "\n<tbody>\n";
  for (size_t i = 0; i < links.size(); ++i) {
    AppendLinkRow(links[i], IsSizeVariantOfPrevious(links, i), out);
  }
  *out += "</tbody></table>\n";
}

void AppendDocument(const ReportDocument& document, const Report& report,
                    std::string* out) {
  *out += "<section class=\"doc\" data-path=\"" + HtmlEscape(document.path) +
          "\">\n<h2>" + HtmlEscape(document.path);
  if (!document.title.empty()) {
    *out += " <span class=\"title\">" + HtmlEscape(document.title) + "</span>";
  }
  if (!document.date.empty()) {
    *out += " <span class=\"date\">" + HtmlEscape(document.date) + "</span>";
  }
  if (!document.url.empty()) {
    *out += " <a class=\"post-url\" href=\"" + HtmlEscape(document.url) +
            "\">" + HtmlEscape(document.url) + "</a>";
  }
  *out += " <span class=\"doc-count\">(" +
          std::to_string(document.links.size()) + " links)</span></h2>\n";
  *out += TimelineSvg(document, report.run_times, report.generated_unix);
  AppendTable(document.links, out);
  *out += "</section>\n";
}

}  // namespace

std::string RenderReportHtml(const Report& report) {
  std::string out = kHead;
  out += "<h1>Link health</h1>\n<p class=\"meta\" id=\"generated\">" +
         HtmlEscape(SummaryLine(report)) + "</p>\n";
  AppendSummary(report, &out);
  out += SiteSummaryHtml(report);
  for (const ReportDocument& document : report.documents) {
    AppendDocument(document, report, &out);
  }
  if (!report.unlinked.empty()) {
    out +=
        "<section class=\"doc\" data-path=\"\">\n<h2>URLs archived "
        "without a post</h2>\n";
    AppendTable(report.unlinked, &out);
    out += "</section>\n";
  }
  if (report.documents.empty() && report.unlinked.empty()) {
    out += "<p>No posts and no captures in the store yet.</p>\n";
  }
  out += kScript;
  out += "</body>\n</html>\n";
  return out;
}

}  // namespace rotguard
