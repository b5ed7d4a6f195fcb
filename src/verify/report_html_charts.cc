// The HTML report's pictures: a per-post timeline of link health across
// archive runs (an inline SVG, so the page still loads nothing) and a
// per-site (per host) summary table.
#include <algorithm>
#include <array>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "rotguard/health.h"
#include "rotguard/report.h"
#include "rotguard/url.h"
#include "util/ascii.h"
#include "verify/report_format.h"
#include "verify/report_since.h"

namespace rotguard {
namespace {

// The timeline's four bands, bottom up.
enum Band { kBroken, kTrouble, kWorking, kUnknown, kBands };

constexpr std::array<const char*, kBands> kBandNames = {"broken", "trouble",
                                                        "working", "unchecked"};
constexpr std::array<const char*, kBands> kBandColors = {"#d9383a", "#e3a008",
                                                         "#31a36b", "#c5cbd3"};

Band BandOf(const std::string& verdict) {
  if (verdict == kVerdictGone || verdict == kVerdictFailing ||
      verdict == kVerdictSoft404) {
    return kBroken;
  }
  if (verdict == kVerdictOk || verdict == kVerdictMoved ||
      verdict == kVerdictRedirected || verdict == kVerdictDrifted) {
    return kWorking;
  }
  if (verdict.empty() || verdict == kVerdictUnchecked) return kUnknown;
  return kTrouble;
}

using BandCounts = std::array<int, kBands>;

// The links of a post per band as they stood at `at_unix` (`now`: as they
// stand).
BandCounts CountsAt(const std::vector<ReportLink>& links, int64_t at_unix,
                    bool now) {
  BandCounts counts{};
  for (const ReportLink& link : links) {
    if (now) {
      ++counts[BandOf(link.verdict)];
      continue;
    }
    LinkHistory history;
    history.verdict_now = link.verdict;
    history.changes = link.history;
    // Before its first judgement a URL had no verdict, even if it has one
    // now; with no history at all, what it has now is all there is.
    const std::string verdict =
        link.history.empty() ? link.verdict : VerdictAt(history, at_unix);
    ++counts[BandOf(verdict)];
  }
  return counts;
}

std::string BarTitle(int64_t at_unix, const BandCounts& counts) {
  std::string title = FormatUnixUtc(at_unix) + ":";
  for (int band = 0; band < kBands; ++band) {
    if (counts[band] == 0) continue;
    title += " " + std::to_string(counts[band]) + " " + kBandNames[band];
  }
  return title;
}

// One stacked bar: its bands from the bottom up.
void AppendBar(int x, int height, int64_t at_unix, const BandCounts& counts,
               std::string* out) {
  int total = 0;
  for (int count : counts) total += count;
  *out += "<g><title>" + HtmlEscape(BarTitle(at_unix, counts)) + "</title>";
  int bottom = height;
  for (int band = 0; band < kBands; ++band) {
    if (counts[band] == 0) continue;
    const int h = std::max(1, counts[band] * height / std::max(total, 1));
    *out += "<rect x=\"" + std::to_string(x) + "\" y=\"" +
            std::to_string(bottom - h) + "\" width=\"10\" height=\"" +
            std::to_string(h) + "\" fill=\"" + kBandColors[band] + "\"/>";
    bottom -= h;
  }
  *out += "</g>";
}

struct SiteRow {
  int64_t links = 0;
  BandCounts bands{};
  int64_t archived = 0;
};

}  // namespace

std::string TimelineSvg(const ReportDocument& document,
                        const std::vector<int64_t>& run_times,
                        int64_t now_unix) {
  if (document.links.empty()) return "";
  // One bar per archive run, and the state now as the last bar.
  std::vector<int64_t> times = run_times;
  if (times.empty() || times.back() < now_unix) times.push_back(now_unix);
  constexpr int kHeight = 32;
  constexpr int kStep = 14;
  const int width = static_cast<int>(times.size()) * kStep;
  std::string out =
      "<svg class=\"timeline\" role=\"img\" width=\"" + std::to_string(width) +
      "\" height=\"" + std::to_string(kHeight) + "\" viewBox=\"0 0 " +
      std::to_string(width) + " " + std::to_string(kHeight) +
      "\" aria-label=\"link health over " + std::to_string(times.size()) +
      " runs\" xmlns=\"http://www.w3.org/2000/svg\">";
  for (size_t i = 0; i < times.size(); ++i) {
    AppendBar(static_cast<int>(i) * kStep + 2, kHeight, times[i],
              CountsAt(document.links, times[i], i + 1 == times.size()), &out);
  }
  return out + "</svg>";
}

std::string SiteSummaryHtml(const Report& report) {
  std::map<std::string, SiteRow> sites;
  const auto add = [&sites](const ReportLink& link) {
    std::string host = UrlHost(link.url);
    SiteRow& row = sites[host.empty() ? "(no host)" : host];
    ++row.links;
    ++row.bands[BandOf(link.verdict)];
    if (link.copy) ++row.archived;
  };
  for (const ReportDocument& document : report.documents) {
    for (const ReportLink& link : document.links) add(link);
  }
  for (const ReportLink& link : report.unlinked) add(link);
  if (sites.empty()) return "";
  std::vector<std::pair<std::string, SiteRow>> rows(sites.begin(), sites.end());
  // The sites with the most broken links first: where to look.
  std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
    return a.second.bands[kBroken] > b.second.bands[kBroken];
  });
  std::string out =
      "<section id=\"sites\"><h2>Per site</h2><table class=\"sites\"><thead>"
      "<tr><th>Site</th><th>Links</th><th>Broken</th><th>Trouble</th>"
      "<th>Working</th><th>Unchecked</th><th>Archived</th></tr></thead>"
      "<tbody>\n";
  for (const auto& [host, row] : rows) {
    out += "<tr><td class=\"url\">" + HtmlEscape(host) + "</td><td>" +
           std::to_string(row.links) + "</td>";
    for (int band = 0; band < kBands; ++band) {
      out += "<td>" + std::to_string(row.bands[band]) + "</td>";
    }
    out += "<td>" + std::to_string(row.archived) + "</td></tr>\n";
  }
  return out + "</tbody></table></section>\n";
}

}  // namespace rotguard
