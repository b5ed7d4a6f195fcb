// Builds the link-health report from the manifest (see report.h).
#include "rotguard/report.h"

#include <algorithm>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "rotguard/health.h"
#include "rotguard/rules.h"
#include "util/time_format.h"

namespace rotguard {
namespace {

bool IsGoodStatus(int status) { return status >= 200 && status < 300; }

std::string CaptureKey(const CaptureRow& capture) {
  return capture.normalized.empty() ? capture.url : capture.normalized;
}

// Every capture, looked up by URL and by redirect chain.
class CaptureIndex {
 public:
  explicit CaptureIndex(std::vector<CaptureRow> captures)
      : captures_(std::move(captures)) {
    for (size_t i = 0; i < captures_.size(); ++i) {
      by_key_[CaptureKey(captures_[i])].push_back(i);
      if (!captures_[i].chain_id.empty()) {
        by_chain_[captures_[i].chain_id].push_back(i);
      }
    }
    // Newest first, so the first usable capture is the latest one.
    for (auto& [key, indices] : by_key_) {
      std::stable_sort(indices.begin(), indices.end(), [&](size_t a, size_t b) {
        return captures_[a].captured_at_us > captures_[b].captured_at_us;
      });
    }
  }

  bool Has(const std::string& key) const { return by_key_.count(key) > 0; }

  // The newest non-lost 2xx capture of `key`, or of the end of a redirect
  // chain that started at `key`.
  std::optional<ReportCopy> NewestGoodCopy(const std::string& key) const {
    auto found = by_key_.find(key);
    if (found == by_key_.end()) return std::nullopt;
    for (size_t index : found->second) {
      const CaptureRow* good = GoodEndOf(captures_[index]);
      if (good != nullptr) return CopyOf(*good);
    }
    return std::nullopt;
  }

  // The end of the newest redirect chain that started at `key` ("" when
  // none of its captures redirected).
  std::string NewestFinalUrl(const std::string& key) const {
    auto found = by_key_.find(key);
    if (found == by_key_.end()) return "";
    for (size_t index : found->second) {
      const CaptureRow& capture = captures_[index];
      if (capture.hop_index != 0) continue;  // a hop of someone else's chain
      if (!capture.final_url.empty() && capture.final_url != capture.url) {
        return capture.final_url;
      }
      const CaptureRow* end = ChainEnd(capture);
      if (end != nullptr && end != &capture) return end->url;
    }
    return "";
  }

 private:
  static ReportCopy CopyOf(const CaptureRow& capture) {
    return ReportCopy{capture.url,           capture.warc_file,
                      capture.record_offset, capture.captured_at_us,
                      capture.http_status,   capture.truncated};
  }

  // The last hop of the chain `capture` belongs to (itself when alone).
  const CaptureRow* ChainEnd(const CaptureRow& capture) const {
    if (capture.chain_id.empty()) return &capture;
    auto chain = by_chain_.find(capture.chain_id);
    if (chain == by_chain_.end()) return &capture;
    const CaptureRow* end = &capture;
    for (size_t index : chain->second) {
      if (captures_[index].hop_index > end->hop_index) end = &captures_[index];
    }
    return end;
  }

  // The end of the chain when it is a good capture (an interstitial page
  // answers 200 too, but the article is what the link meant), else the
  // capture itself when it is good.
  const CaptureRow* GoodEndOf(const CaptureRow& capture) const {
    const CaptureRow* end = ChainEnd(capture);
    if (!end->lost && IsGoodStatus(end->http_status)) return end;
    if (!capture.lost && IsGoodStatus(capture.http_status)) return &capture;
    return nullptr;
  }

  std::vector<CaptureRow> captures_;
  std::unordered_map<std::string, std::vector<size_t>> by_key_;
  std::unordered_map<std::string, std::vector<size_t>> by_chain_;
};

// Everything the report needs, loaded once.
struct ReportInputs {
  const Config* config = nullptr;
  std::unordered_map<std::string, UrlRow> urls;
  std::optional<CaptureIndex> captures;
};

std::string UrlKey(const LinkRow& link) {
  return link.normalized.empty() ? link.url : link.normalized;
}

void FillHealth(const ReportInputs& inputs, const std::string& key,
                ReportLink* out) {
  out->verdict = kVerdictUnchecked;
  auto row = inputs.urls.find(key);
  if (row != inputs.urls.end()) {
    const UrlRow& url = row->second;
    if (!url.verdict.empty()) out->verdict = url.verdict;
    out->failure_class = url.failure_class;
    out->consecutive_failures = url.consecutive_failures;
    out->last_ok_unix = url.last_ok_unix;
    out->final_url = url.final_url;
    out->group = url.asset_key;
  }
  if (out->final_url.empty())
    out->final_url = inputs.captures->NewestFinalUrl(key);
  if (out->final_url == out->url || out->final_url == key)
    out->final_url.clear();
  if (out->group.empty()) {
    out->group = BloggerAssetKey(inputs.config->blogger, out->url);
  }
  out->copy = inputs.captures->NewestGoodCopy(key);
}

ReportLink MakeLink(const ReportInputs& inputs, const LinkRow& link) {
  ReportLink out;
  out.kind = link.kind;
  out.written = link.written;
  out.url = link.url;
  out.normalized = link.normalized;
  out.line = link.line;
  out.column = link.column;
  FillHealth(inputs, UrlKey(link), &out);
  return out;
}

// Span order, with later size variants of a Blogger image moved up to
// follow the first variant of their group.
std::vector<ReportLink> GroupVariants(std::vector<ReportLink> links) {
  std::vector<ReportLink> ordered;
  ordered.reserve(links.size());
  std::vector<bool> taken(links.size(), false);
  for (size_t i = 0; i < links.size(); ++i) {
    if (taken[i]) continue;
    ordered.push_back(links[i]);
    if (links[i].group.empty()) continue;
    for (size_t j = i + 1; j < links.size(); ++j) {
      if (!taken[j] && links[j].group == links[i].group) {
        ordered.push_back(links[j]);
        taken[j] = true;
      }
    }
  }
  return ordered;
}

void Count(const ReportLink& link, Report* report) {
  ++report->verdict_counts[link.verdict];
}

Status AddDocuments(Manifest& manifest, const ReportInputs& inputs,
                    Report* report) {
  auto documents = manifest.ListDocuments();
  if (!documents.ok()) return documents.status();
  std::sort(documents->begin(), documents->end(),
            [](const DocumentRow& a, const DocumentRow& b) {
              return a.path < b.path;
            });
  std::set<std::string> distinct_urls;
  for (const DocumentRow& document : *documents) {
    auto links = manifest.LinksOf(document.path);
    if (!links.ok()) return links.status();
    ReportDocument out{document.path, document.title, document.date, {}};
    std::vector<ReportLink> made;
    for (const LinkRow& link : *links) {
      made.push_back(MakeLink(inputs, link));
      distinct_urls.insert(UrlKey(link));
      Count(made.back(), report);
    }
    out.links = GroupVariants(std::move(made));
    report->link_count += static_cast<int64_t>(out.links.size());
    report->documents.push_back(std::move(out));
  }
  report->url_count = static_cast<int64_t>(distinct_urls.size());
  return Status::Ok();
}

// A store made by `import` has captures but no posts: list its URLs.
void AddUnlinkedUrls(const ReportInputs& inputs, Report* report) {
  std::vector<std::string> keys;
  for (const auto& [key, row] : inputs.urls) {
    if (inputs.captures->Has(key)) keys.push_back(key);
  }
  std::sort(keys.begin(), keys.end());
  for (const std::string& key : keys) {
    ReportLink link;
    link.kind = "url";
    link.written = key;
    link.url = key;
    link.normalized = key;
    FillHealth(inputs, key, &link);
    Count(link, report);
    report->unlinked.push_back(std::move(link));
  }
}

}  // namespace

Result<Report> BuildReport(Manifest& manifest, const Config& config,
                           int64_t now_unix) {
  ReportInputs inputs;
  inputs.config = &config;
  auto urls = manifest.ListUrls();
  if (!urls.ok()) return urls.status();
  for (UrlRow& url : *urls) {
    std::string key = url.normalized;
    inputs.urls.emplace(std::move(key), std::move(url));
  }
  auto captures = manifest.ListCaptures();
  if (!captures.ok()) return captures.status();
  inputs.captures.emplace(std::move(*captures));

  Report report;
  report.generated_unix = now_unix;
  Status status = AddDocuments(manifest, inputs, &report);
  if (!status.ok()) return status;
  if (report.documents.empty()) AddUnlinkedUrls(inputs, &report);
  return report;
}

bool ReportHasDeadLinks(const Report& report) {
  for (const auto& [verdict, count] : report.verdict_counts) {
    if (count > 0 && IsDeadVerdict(verdict)) return true;
  }
  return false;
}

std::optional<ReportFormat> ParseReportFormat(const std::string& name) {
  if (name == "table") return ReportFormat::kTable;
  if (name == "json") return ReportFormat::kJson;
  if (name == "csv") return ReportFormat::kCsv;
  if (name == "html") return ReportFormat::kHtml;
  return std::nullopt;
}

std::string RenderReport(const Report& report, ReportFormat format) {
  switch (format) {
    case ReportFormat::kTable:
      return RenderReportTable(report);
    case ReportFormat::kJson:
      return RenderReportJson(report);
    case ReportFormat::kCsv:
      return RenderReportCsv(report);
    case ReportFormat::kHtml:
      return RenderReportHtml(report);
  }
  return RenderReportTable(report);
}

std::string FormatUnixUtc(int64_t unix_seconds) {
  if (unix_seconds == 0) return "";
  return FormatUtc(unix_seconds, UtcStyle::kIso);
}

}  // namespace rotguard
