// Builds the link-health report from the manifest (see report.h).
#include "rotguard/report.h"

#include <algorithm>
#include <filesystem>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "rotguard/copy_choice.h"
#include "rotguard/health.h"
#include "rotguard/rules.h"
#include "rotguard/warc_reader.h"
#include "util/time_format.h"
#include "verify/report_format.h"
#include "verify/report_since.h"

namespace rotguard {
namespace {

bool IsGoodStatus(int status) { return status >= 200 && status < 300; }

// Newest first; among captures of the same instant, in file, offset and id
// order (the order every capture was once loaded in, kept for identical
// output).
void SortNewestFirst(std::vector<CaptureRow>* captures) {
  std::sort(captures->begin(), captures->end(),
            [](const CaptureRow& a, const CaptureRow& b) {
              if (a.captured_at_us != b.captured_at_us) {
                return a.captured_at_us > b.captured_at_us;
              }
              if (a.warc_file != b.warc_file) return a.warc_file < b.warc_file;
              if (a.record_offset != b.record_offset) {
                return a.record_offset < b.record_offset;
              }
              return a.id < b.id;
            });
}

ReportCopy CopyOf(const CaptureRow& capture) {
  ReportCopy copy;
  copy.url = capture.url;
  copy.warc_file = capture.warc_file;
  copy.offset = capture.record_offset;
  copy.captured_at_us = capture.captured_at_us;
  copy.http_status = capture.http_status;
  copy.truncated = capture.truncated;
  if (!capture.source.empty()) copy.source = capture.source;
  if (IsPublicArchiveCopy(capture)) {
    copy.archive = capture.archive;
    copy.memento_at_us = capture.memento_at_us;
    copy.extract_url = capture.normalized;
  }
  return copy;
}

// The payload of the newest thumbnail record of `page_url` (a browser
// capture's final URL), or "" when there is none, it cannot be read (the
// report still shows the link) or it is over kMaxThumbnailBytes.
Result<std::string> ReadThumbnail(Manifest& manifest,
                                  const std::filesystem::path& warc_dir,
                                  const std::string& page_url) {
  Result<std::optional<RecordRow>> record =
      manifest.FindNewestRecord(kThumbnailPrefix + page_url);
  if (!record.ok()) return record.status();
  if (!*record || (*record)->type != "resource") return std::string();
  WarcReaderOptions options;
  options.verify_digests = false;
  Result<std::unique_ptr<WarcReader>> reader =
      WarcReader::Open(warc_dir / (*record)->warc_file, options);
  if (!reader.ok()) return std::string();
  if (!(*reader)->Seek(static_cast<uint64_t>((*record)->offset)).ok()) {
    return std::string();
  }
  Result<bool> found = (*reader)->Next();
  if (!found.ok() || !*found ||
      (*reader)->record().content_type.rfind("image/png", 0) != 0) {
    return std::string();
  }
  std::string png;
  char buf[65536];
  for (;;) {
    Result<size_t> n = (*reader)->ReadPayload(buf, sizeof buf);
    if (!n.ok() || png.size() + *n > kMaxThumbnailBytes) return std::string();
    if (*n == 0) return png;
    png.append(buf, *n);
  }
}

// The captures of one URL at a time, asked from the manifest per link (by
// the captures_url_time and captures_chain indexes), so memory does not
// grow with the number of captures in the store.
class CaptureLookup {
 public:
  CaptureLookup(Manifest& manifest, std::filesystem::path warc_dir)
      : manifest_(manifest), warc_dir_(std::move(warc_dir)) {}

  // Sets out->copy and, when the URL row named none, out->final_url.
  Status Fill(const std::string& key, ReportLink* out) {
    Result<std::vector<CaptureRow>> captures = manifest_.CapturesOf(key);
    if (!captures.ok()) return captures.status();
    // A public-archive copy only where the link has no good own one.
    *captures = PreferOwnCopies(std::move(*captures));
    SortNewestFirst(&*captures);
    ends_.clear();
    for (const CaptureRow& capture : *captures) {
      Result<std::optional<CaptureRow>> end = ChainEnd(capture);
      if (!end.ok()) return end.status();
      ends_.push_back(std::move(*end));
    }
    if (out->final_url.empty()) out->final_url = NewestFinalUrl(*captures);
    out->copy = NewestGoodCopy(*captures);
    ROTGUARD_RETURN_IF_ERROR(FillOwn(NewestOwn(*captures), out));
    return FillPublicCopy(key, out);
  }

 private:
  Status FillPublicCopy(const std::string& key, ReportLink* out) {
    Result<std::optional<SubmissionRow>> row = manifest_.FindSubmission(key);
    if (!row.ok()) return row.status();
    if (!*row || (*row)->state.empty()) return Status::Ok();
    out->public_copy = ReportPublicCopy{(*row)->state, (*row)->memento_url,
                                        (*row)->memento_at_us, (*row)->message};
    return Status::Ok();
  }

  // The last hop of the chain `capture` belongs to; nullopt when that is
  // the capture itself.
  Result<std::optional<CaptureRow>> ChainEnd(const CaptureRow& capture) {
    if (capture.chain_id.empty()) return std::optional<CaptureRow>();
    Result<std::optional<CaptureRow>> end =
        manifest_.FindChainEnd(capture.chain_id);
    if (!end.ok()) return end.status();
    if (*end && (*end)->hop_index > capture.hop_index) return end;
    return std::optional<CaptureRow>();
  }

  // The end of the newest redirect chain that started at the URL ("" when
  // none of its captures redirected).
  std::string NewestFinalUrl(const std::vector<CaptureRow>& captures) const {
    for (size_t i = 0; i < captures.size(); ++i) {
      const CaptureRow& capture = captures[i];
      if (capture.hop_index != 0) continue;  // a hop of someone else's chain
      if (!capture.final_url.empty() && capture.final_url != capture.url) {
        return capture.final_url;
      }
      if (ends_[i]) return ends_[i]->url;
    }
    return "";
  }

  // The newest non-lost 2xx capture: the end of the chain when it is a
  // good capture (an interstitial page answers 200 too, but the article is
  // what the link meant), else the capture itself when it is good.
  std::optional<ReportCopy> NewestGoodCopy(
      const std::vector<CaptureRow>& captures) const {
    for (size_t i = 0; i < captures.size(); ++i) {
      const CaptureRow& end = ends_[i] ? *ends_[i] : captures[i];
      if (!end.lost && IsGoodStatus(end.http_status)) return CopyOf(end);
      const CaptureRow& capture = captures[i];
      if (!capture.lost && IsGoodStatus(capture.http_status)) {
        return CopyOf(capture);
      }
    }
    return std::nullopt;
  }

  // The newest own (not public-archive), non-lost capture, taken from the
  // end of its chain: a redirect's page is what it meant. nullptr: none.
  const CaptureRow* NewestOwn(const std::vector<CaptureRow>& captures) const {
    for (size_t i = 0; i < captures.size(); ++i) {
      if (captures[i].lost || IsPublicArchiveCopy(captures[i])) continue;
      return ends_[i] ? &*ends_[i] : &captures[i];
    }
    return nullptr;
  }

  // Quality, lane and (for the HTML report) thumbnail of `own`.
  Status FillOwn(const CaptureRow* own, ReportLink* out) {
    if (own == nullptr) return Status::Ok();
    out->quality = own->quality;
    const bool browser = own->source == kSourceBrowser;
    out->captured_by = browser ? "browser" : "static";
    if (!browser || warc_dir_.empty()) return Status::Ok();
    Result<std::string> png =
        ReadThumbnail(manifest_, warc_dir_,
                      own->final_url.empty() ? own->url : own->final_url);
    if (!png.ok()) return png.status();
    out->thumbnail_png = std::move(*png);
    return Status::Ok();
  }

  Manifest& manifest_;
  std::filesystem::path warc_dir_;               // empty: no thumbnails
  std::vector<std::optional<CaptureRow>> ends_;  // per capture of the URL
};

struct Walk {
  Manifest& manifest;
  const Config& config;
  ReportDetail detail;
  CaptureLookup captures;
  std::optional<int64_t> since;      // --since: only links that changed
  std::optional<ScopeFilter> scope;  // none when [scope] does not compile
  bool history = false;              // fill ReportLink::history
};

std::string UrlKey(const LinkRow& link) {
  return link.normalized.empty() ? link.url : link.normalized;
}

Status FillHealth(Walk& walk, const std::optional<UrlRow>& row,
                  const std::string& key, ReportLink* out) {
  out->verdict = kVerdictUnchecked;
  if (row) {
    const UrlRow& url = *row;
    if (!url.verdict.empty()) out->verdict = url.verdict;
    out->failure_class = url.failure_class;
    out->consecutive_failures = url.consecutive_failures;
    out->last_ok_unix = url.last_ok_unix;
    out->final_url = url.final_url;
    out->group = url.asset_key;
  }
  if (walk.detail == ReportDetail::kFull) {
    ROTGUARD_RETURN_IF_ERROR(walk.captures.Fill(key, out));
  }
  if (out->final_url == out->url || out->final_url == key)
    out->final_url.clear();
  if (out->group.empty()) {
    out->group = BloggerAssetKey(walk.config.blogger, out->url);
  }
  out->excluded = walk.scope && !walk.scope->InScope(key);
  return Status::Ok();
}

// A public-archive copy of the URL fetched after `since`.
Result<bool> RescuedSince(Manifest& manifest, const std::string& key,
                          int64_t since) {
  Result<std::vector<CaptureRow>> captures = manifest.CapturesOf(key);
  if (!captures.ok()) return captures.status();
  for (const CaptureRow& capture : *captures) {
    if (capture.source == kSourcePublicArchive && !capture.lost &&
        capture.captured_at_us / 1'000'000 > since) {
      return true;
    }
  }
  return false;
}

// With --since, sets out->change (and what it changed from); true when
// the link is listed.
Result<bool> SelectChange(Walk& walk, const std::optional<UrlRow>& row,
                          const std::string& key, ReportLink* out) {
  if (!walk.since) return true;
  LinkHistory history;
  history.verdict_now = out->verdict;
  if (row) {
    history.first_seen_unix = row->first_seen_unix;
    Result<std::vector<VerdictChangeRow>> changes =
        walk.manifest.VerdictChangesOf(key);
    if (!changes.ok()) return changes.status();
    history.changes = std::move(*changes);
    Result<bool> rescued = RescuedSince(walk.manifest, key, *walk.since);
    if (!rescued.ok()) return rescued.status();
    history.rescued_since = *rescued;
  }
  LinkChange change = ClassifyChange(history, *walk.since);
  out->change = std::move(change.change);
  out->previous_verdict = std::move(change.previous_verdict);
  out->changed_unix = change.changed_unix;
  return !out->change.empty();
}

// The link as the report shows it; nullopt when --since leaves it out.
Result<std::optional<ReportLink>> MakeLink(Walk& walk, const LinkRow& link) {
  ReportLink out;
  out.kind = link.kind;
  out.written = link.written;
  out.url = link.url;
  out.normalized = link.normalized;
  out.line = link.line;
  out.column = link.column;
  const std::string key = UrlKey(link);
  Result<std::optional<UrlRow>> row = walk.manifest.FindUrl(key);
  if (!row.ok()) return row.status();
  ROTGUARD_RETURN_IF_ERROR(FillHealth(walk, *row, key, &out));
  if (walk.history && *row) {
    Result<std::vector<VerdictChangeRow>> changes =
        walk.manifest.VerdictChangesOf(key);
    if (!changes.ok()) return changes.status();
    out.history = std::move(*changes);
  }
  Result<bool> listed = SelectChange(walk, *row, key, &out);
  if (!listed.ok()) return listed.status();
  if (!*listed) return std::optional<ReportLink>();
  return std::optional<ReportLink>(std::move(out));
}

// Span order, with later size variants of a Blogger image moved up to
// follow the first variant of their group.
std::vector<ReportLink> GroupVariants(std::vector<ReportLink> links) {
  std::vector<ReportLink> ordered;
  ordered.reserve(links.size());
  std::vector<bool> taken(links.size(), false);
  for (size_t i = 0; i < links.size(); ++i) {
    if (taken[i]) continue;
    ordered.push_back(std::move(links[i]));
    const std::string& group = ordered.back().group;
    if (group.empty()) continue;
    for (size_t j = i + 1; j < links.size(); ++j) {
      if (!taken[j] && links[j].group == group) {
        ordered.push_back(std::move(links[j]));
        taken[j] = true;
      }
    }
  }
  return ordered;
}

// One post at a time: only its own links are held.
Status WalkDocuments(Walk& walk, const std::vector<DocumentRow>& documents,
                     ReportVisitor& visitor) {
  for (const DocumentRow& document : documents) {
    auto links = walk.manifest.LinksOf(document.path);
    if (!links.ok()) return links.status();
    ReportDocument out{
        document.path, document.title, document.date, document.public_url, {}};
    std::vector<ReportLink> made;
    made.reserve(links->size());
    for (const LinkRow& link : *links) {
      Result<std::optional<ReportLink>> one = MakeLink(walk, link);
      if (!one.ok()) return one.status();
      if (*one) made.push_back(std::move(**one));
    }
    // --since lists only the posts with a change.
    if (walk.since && made.empty()) continue;
    out.links = GroupVariants(std::move(made));
    ROTGUARD_RETURN_IF_ERROR(visitor.Document(out));
  }
  return Status::Ok();
}

// A store made by `import` has captures but no posts: its URLs, from a
// cursor, one at a time.
Status WalkUnlinkedUrls(Walk& walk, ReportVisitor& visitor) {
  auto cursor = walk.manifest.OpenCapturedUrls();
  if (!cursor.ok()) return cursor.status();
  std::optional<UrlRow> row(std::in_place);
  for (;;) {
    Result<bool> more = (*cursor)->Next(&*row);
    if (!more.ok()) return more.status();
    if (!*more) return Status::Ok();
    const std::string key = row->normalized;
    ReportLink link;
    link.kind = "url";
    link.written = key;
    link.url = key;
    link.normalized = key;
    ROTGUARD_RETURN_IF_ERROR(FillHealth(walk, row, key, &link));
    Result<bool> listed = SelectChange(walk, row, key, &link);
    if (!listed.ok()) return listed.status();
    if (!*listed) continue;
    ROTGUARD_RETURN_IF_ERROR(visitor.Unlinked(link));
  }
}

// Collects the whole report (BuildReport).
class ReportCollector final : public ReportVisitor {
 public:
  explicit ReportCollector(Report* report) : report_(report) {}
  Status Document(const ReportDocument& document) override {
    for (const ReportLink& link : document.links) {
      ++report_->verdict_counts[link.verdict];
      if (!link.change.empty()) ++report_->change_counts[link.change];
      distinct_urls_.insert(link.normalized.empty() ? link.url
                                                    : link.normalized);
    }
    report_->link_count += static_cast<int64_t>(document.links.size());
    report_->url_count = static_cast<int64_t>(distinct_urls_.size());
    report_->documents.push_back(document);
    return Status::Ok();
  }
  Status Unlinked(const ReportLink& link) override {
    ++report_->verdict_counts[link.verdict];
    if (!link.change.empty()) ++report_->change_counts[link.change];
    report_->unlinked.push_back(link);
    return Status::Ok();
  }

 private:
  Report* report_;
  std::set<std::string> distinct_urls_;
};

// When each archive run ended (or started, if it never ended), oldest
// first, the last kTimelineRuns.
Result<std::vector<int64_t>> ArchiveRunTimes(Manifest& manifest) {
  Result<std::vector<RunRow>> runs = manifest.ListRuns();
  if (!runs.ok()) return runs.status();
  std::vector<int64_t> times;
  for (const RunRow& run : *runs) {
    if (run.command != "archive") continue;
    times.push_back(run.ended_unix != 0 ? run.ended_unix : run.started_unix);
  }
  std::sort(times.begin(), times.end());
  if (times.size() > kTimelineRuns) {
    times.erase(times.begin(), times.end() - kTimelineRuns);
  }
  return times;
}

}  // namespace

Status WalkReport(Manifest& manifest, const Config& config, ReportDetail detail,
                  const ReportOptions& options, ReportVisitor& visitor) {
  Walk walk{manifest,
            config,
            detail,
            CaptureLookup(manifest, options.warc_dir),
            options.since_unix,
            std::nullopt,
            options.history};
  // archive refuses a [scope] that does not compile; the report still
  // shows every link, none of them excluded.
  Result<ScopeFilter> scope = ScopeFilter::Create(config.scope);
  if (scope.ok()) walk.scope.emplace(std::move(*scope));
  auto documents = manifest.ListDocuments();
  if (!documents.ok()) return documents.status();
  std::sort(documents->begin(), documents->end(),
            [](const DocumentRow& a, const DocumentRow& b) {
              return a.path < b.path;
            });
  if (documents->empty()) return WalkUnlinkedUrls(walk, visitor);
  return WalkDocuments(walk, *documents, visitor);
}

Result<Report> BuildReport(Manifest& manifest, const Config& config,
                           int64_t now_unix, const ReportOptions& options) {
  Report report;
  report.generated_unix = now_unix;
  report.since_unix = options.since_unix;
  if (options.history) {
    Result<std::vector<int64_t>> runs = ArchiveRunTimes(manifest);
    if (!runs.ok()) return runs.status();
    report.run_times = std::move(*runs);
  }
  ReportCollector collector(&report);
  Status status =
      WalkReport(manifest, config, ReportDetail::kFull, options, collector);
  if (!status.ok()) return status;
  return report;
}

Result<Report> BuildReport(Manifest& manifest, const Config& config,
                           int64_t now_unix) {
  return BuildReport(manifest, config, now_unix, ReportOptions{});
}

bool ReportHasDeadLinks(const Report& report) {
  for (const auto& [verdict, count] : report.verdict_counts) {
    if (count > 0 && IsDeadVerdict(verdict)) return true;
  }
  return false;
}

bool IsThinQuality(const std::string& quality) {
  return quality == "thin" || quality == "challenge";
}

bool ReportHasThinLinks(const Report& report) {
  for (const ReportDocument& document : report.documents) {
    for (const ReportLink& link : document.links) {
      if (IsThinQuality(link.quality)) return true;
    }
  }
  for (const ReportLink& link : report.unlinked) {
    if (IsThinQuality(link.quality)) return true;
  }
  return false;
}

std::optional<ReportFormat> ParseReportFormat(const std::string& name) {
  if (name == "table") return ReportFormat::kTable;
  if (name == "json") return ReportFormat::kJson;
  if (name == "csv") return ReportFormat::kCsv;
  if (name == "html") return ReportFormat::kHtml;
  if (name == "md") return ReportFormat::kMarkdown;
  if (name == "junit") return ReportFormat::kJunit;
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
    case ReportFormat::kMarkdown:
      return RenderReportMarkdown(report);
    case ReportFormat::kJunit:
      return RenderReportJunit(report);
  }
  return RenderReportTable(report);
}

std::string PublicCopyText(const ReportPublicCopy& copy) {
  if (copy.state == kSubmissionSuccess && !copy.memento_url.empty()) {
    return copy.memento_url;
  }
  return copy.state;
}

std::string FormatUnixUtc(int64_t unix_seconds) {
  if (unix_seconds == 0) return "";
  return FormatUtc(unix_seconds, UtcStyle::kIso);
}

}  // namespace rotguard
