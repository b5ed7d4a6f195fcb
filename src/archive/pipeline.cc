// The archive pipeline: scan → posts as resources → plan what is due
// (planner.h) → fetch (Fetcher on this thread) → write (writer_pool.h) →
// commit in durable batches (committer.h).
//
// Threads: the calling thread runs Fetcher::Run() and the sink callbacks;
// they only scan pages for requisites and hand exchanges over to the
// writer pool through its bounded work queue. Writers note their records
// and the chains' capture rows under `book_mu_`; a job's end (judged by
// JudgeChain, rotguard/chain_outcome.h) comes after every exchange of the
// job was noted. The committer's thread commits the noted rows every 2 s
// or 500 records, so no writer ever waits for the disk. While the fetch
// runs the Manifest is used under `manifest_mu_` (by the committer), and
// writers look up dedupe originals through a second connection
// (`dedupe_manifest_`, reads only) that SQLite's WAL lets read while the
// committer writes; before and after the fetch only the calling thread
// uses the Manifest.
//
// A worker's run (ArchiveOptions::next_work) adds a feed thread: it asks
// the work source for the next batch whenever the fetcher runs low, plans
// it (fresh urls rows on a connection of its own) and hands its jobs to
// the running fetcher (Fetcher::AddFromAnyThread), so one run archives
// the whole stream.
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "archive/body_text.h"
#include "archive/browser_lane.h"
#include "archive/committer.h"
#include "archive/originals.h"
#include "archive/planner.h"
#include "archive/work_queue.h"
#include "archive/writer_pool.h"
#include "rotguard/archive.h"
#include "rotguard/browser.h"
#include "rotguard/capture_quality.h"
#include "rotguard/chain_outcome.h"
#include "rotguard/extract.h"
#include "rotguard/health.h"
#include "rotguard/inputs.h"
#include "rotguard/permalink.h"
#include "rotguard/requisites.h"
#include "rotguard/rules.h"
#include "rotguard/scan.h"
#include "rotguard/url.h"
#include "rotguard/warc_writer.h"
#include "util/cpu_stages.h"
#include "util/file.h"

namespace rotguard {
namespace {

using archiver::CommitBatch;
using archiver::Committer;
using archiver::DecodedPayload;
using archiver::FileEvents;
using archiver::HeaderValue;
using archiver::IsHtmlMediaType;
using archiver::JobInfo;
using archiver::JobRole;
using archiver::MediaType;
using archiver::Originals;
using archiver::StaticPage;
using archiver::WorkItem;
using archiver::WriterPool;
using archiver::WrittenExchange;

constexpr size_t kMaxParsedBytes = 8u << 20;  // of a page or stylesheet
constexpr size_t kScanBatch = 500;

// The warnings of a feed, sitemap, WXR or bookmark file go to the log
// (a post's never did).
void LogInputWarnings(const ScannedDocument& doc) {
  if (doc.type == InputType::kPost) return;
  for (const ExtractWarning& w : doc.extracted.warnings) {
    spdlog::warn("{}:{}:{}: {}", doc.input.display_path, w.line, w.column,
                 w.message);
  }
}

// The manifest row of a scanned document; its links move to `links`.
DocumentScan ScanRowOf(ScannedDocument& doc,
                       const std::filesystem::path& site_root, int64_t now_unix,
                       std::vector<Link>* links) {
  const FrontMatter& fm = doc.extracted.front_matter;
  DocumentScan row;
  row.document = {ScannedDocumentKey(doc, site_root),
                  doc.sha256,
                  fm.title,
                  fm.date,
                  fm.draft,
                  now_unix,
                  doc.public_url};
  for (Link& link : doc.extracted.links) {
    row.links.push_back({std::string(LinkKindName(link.kind)), link.written,
                         link.url, link.normalized, link.line, link.column,
                         static_cast<int64_t>(link.start),
                         static_cast<int64_t>(link.end)});
    links->push_back(std::move(link));
  }
  return row;
}

// The resource record type of a feed, sitemap, WXR or bookmark file.
std::string ResourceType(InputType type) {
  switch (type) {
    case InputType::kRss:
    case InputType::kWxr:
      return "application/rss+xml";
    case InputType::kAtom:
      return "application/atom+xml";
    case InputType::kBookmarks:
      return "text/html; charset=utf-8";
    default:
      return "application/xml";
  }
}

int64_t SystemNowUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::chrono::system_clock::time_point TimeOfUs(int64_t us) {
  return std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::microseconds(us)));
}

int64_t UsOf(std::chrono::system_clock::time_point when) {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             when.time_since_epoch())
      .count();
}

std::string StripLabel(const std::string& digest) {
  size_t colon = digest.find(':');
  return colon == std::string::npos ? digest : digest.substr(colon + 1);
}

CaptureRow CaptureOf(const WarcRecordLocation& loc, int64_t captured_at_us) {
  CaptureRow c;
  c.url = loc.target_uri;
  c.captured_at_us = captured_at_us;
  c.warc_file = loc.file_name;
  c.record_offset = static_cast<int64_t>(loc.offset);
  c.compressed_length = static_cast<int64_t>(loc.compressed_length);
  c.record_id = loc.record_id;
  c.block_sha1 = StripLabel(loc.block_digest);
  c.payload_sha1 = StripLabel(loc.payload_digest);
  c.payload_sha256 = loc.payload_sha256;
  c.payload_length = static_cast<int64_t>(loc.payload_length);
  c.truncated = !loc.truncated.empty();
  return c;
}

// Whether a failed due link makes `archive` exit 2 (SPEC §13): not a
// max-size cut (still a capture), nor an HTTP error of a link already
// known gone.
bool CountsAsFailedLink(const JobInfo& info, FailureClass failure) {
  bool was_gone = info.before && info.before->verdict == kVerdictGone;
  bool http_failure =
      failure == FailureClass::kHttp4xx || failure == FailureClass::kHttp5xx;
  return failure != FailureClass::kNone && failure != FailureClass::kTooLarge &&
         !(http_failure && was_gone);
}

// Calls `expired` once `deadline` passes, then `overdue` after `grace`
// more, on its own thread, unless destroyed first (the run budget's
// --max-time; a condition variable, so destruction never waits long).
class DeadlineTimer {
 public:
  using Clock = std::chrono::steady_clock;
  DeadlineTimer(Clock::time_point deadline, std::chrono::milliseconds grace,
                std::function<void()> expired, std::function<void()> overdue)
      : thread_([this, deadline, grace, expired = std::move(expired),
                 overdue = std::move(overdue)] {
          if (!WaitUntil(deadline)) return;
          expired();
          if (!WaitUntil(deadline + grace)) return;
          overdue();
        }) {}
  DeadlineTimer(const DeadlineTimer&) = delete;
  DeadlineTimer& operator=(const DeadlineTimer&) = delete;
  ~DeadlineTimer() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopped_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

 private:
  // False when stopped before `when`.
  bool WaitUntil(Clock::time_point when) {
    std::unique_lock<std::mutex> lock(mu_);
    return !cv_.wait_until(lock, when, [this] { return stopped_; });
  }

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopped_ = false;
  std::thread thread_;  // last: starts once the members above exist
};

class Archiver {
 public:
  Archiver(Store& store, Fetcher* fetcher, const ArchiveOptions& options)
      : store_(store),
        manifest_(store.manifest()),
        fetcher_(fetcher),
        options_(options),
        config_(options.config),
        originals_([this](const std::string& sha1) { return Lookup(sha1); }),
        committer_(manifest_, manifest_mu_, *file_events_, originals_,
                   CommitterOptionsOf(options)) {}

  Result<ArchiveSummary> Run();
  int ExitCodeOf(const ArchiveSummary* summary) const;
  // Ends the runs row with the summary's counts.
  void EndRun(int exit_code);

 private:
  class Sink;
  class BrowserSink;

  int64_t NowUs() const {
    return options_.now_us ? options_.now_us() : SystemNowUs();
  }
  void Trace(std::string_view event) {
    if (!options_.trace) return;
    std::lock_guard<std::mutex> lock(trace_mu_);  // writers trace too
    options_.trace(event);
  }
  archiver::CommitterOptions CommitterOptionsOf(const ArchiveOptions& o) {
    archiver::CommitterOptions c;
    c.interval_ms = o.commit_interval_ms;
    c.records = o.commit_records;
    c.sync = [this] { return writer_->Sync(); };
    if (o.trace) c.trace = [this](std::string_view e) { Trace(e); };
    c.complete_work = !o.worker_id.empty();
    return c;
  }

  DocumentScan RowOfScanned(ScannedDocument& doc, int64_t now_unix,
                            std::vector<Link>* links, std::string* file_key);
  Status ScanPosts(std::vector<std::pair<std::string, std::string>>* changed,
                   std::vector<Link>* links);
  Status OpenWriter();
  Status NameWorkerFiles(WarcWriterOptions* w) const;
  Status WritePosts(
      const std::vector<std::pair<std::string, std::string>>& changed);
  Status Plan(const std::vector<Link>& links);
  void AddJob(const std::string& url, JobInfo info,
              std::vector<std::string> headers = {});
  JobInfo JobOf(uint64_t tag);
  // The work feed (options_.next_work), on its own thread while the
  // fetch runs.
  void Feed();
  void FeedLoop();
  bool WaitForFeedTurn(bool after_empty, bool asked_drained);
  Status FeedBatch(const std::vector<std::string>& urls);
  Result<std::unordered_map<std::string, UrlRow>> KnownRowsOf(
      const std::vector<std::string>& urls);
  Result<std::optional<UrlRow>> FindUrlForFeed(const std::string& normalized);
  void AddFedJob(archiver::PlannedJob job,
                 std::unordered_set<std::string>* batch_keys);
  void StopFeed();
  void NoteJobFinished();
  int64_t Outstanding() const { return added_ - finished_; }
  Status FetchAll();
  Status FetchWithWriters();
  void OpenDedupeConnection();
  Result<std::optional<CaptureRow>> Lookup(const std::string& sha1);
  void NoteExchange(const WorkItem& item, const WrittenExchange& written);
  void FinishJob(const WorkItem& done);
  void JudgeJob(const WorkItem& done);
  std::vector<CaptureRow> TakeChain(uint64_t tag, const std::string& final_url);
  void CountChain(const FetchOutcome& outcome, const ChainOutcome& judged);
  void StartBudgetTimer(std::optional<DeadlineTimer>* timer);
  void LogBudget();
  UrlRow TargetRow(const JobInfo& info, const WorkItem& done,
                   const ChainOutcome& judged);
  void FailWriter(const Status& status);
  // The browser lane, after the static pass.
  Status BrowserPass();
  Status RunLane(const std::filesystem::path& chromium,
                 const std::vector<std::string>& pages);
  archiver::LaneOptions LaneOptionsOf(const std::filesystem::path& chromium,
                                      const std::vector<std::string>& pages);
  uint64_t AddBrowserJob(const std::string& url);
  void NoteStaticPage(const JobInfo& info, const std::vector<CaptureRow>& rows);
  void HoldBrowserRows(std::vector<CaptureRow> rows);
  void OnBrowserPage(const std::string& url, Result<PageCapture>& capture);
  std::optional<CaptureRow> TakePageRow(const std::string& final_url);
  void CommitPage(const std::string& url, CaptureRow row,
                  const PageCapture& page);
  void PageDone(const std::string& url);
  void FlushBrowserRows(bool all);
  void OnBlocked(const BlockedRequest& request,
                 const std::vector<std::string>& pages);

  Store& store_;
  Manifest& manifest_;
  Fetcher* fetcher_;
  const ArchiveOptions& options_;
  const Config& config_;
  ArchiveSummary summary_;
  bool proxy_failure_logged_ = false;  // under book_mu_: once per run
  // Content types of the resource records of feed, sitemap, WXR and
  // bookmark files, by resource key (posts are typed by their name).
  std::map<std::string, std::string> resource_types_;
  std::optional<ScopeFilter> scope_;
  std::unordered_map<std::string, UrlRow> urls_;  // by normalized
  // Scanned posts: document key → resource record URI (PostResourceUri).
  std::map<std::string, std::string> post_uri_;

  // Jobs, by tag (the index). Guarded: the sink adds while the writers
  // read.
  std::mutex jobs_mu_;
  std::deque<JobInfo> jobs_;
  std::unordered_set<std::string> queued_;  // normalized URLs of this run
  std::vector<FetchJob> planned_;
  bool fetching_ = false;  // AddJob() goes straight to the fetcher
  // Jobs added to jobs_ and jobs judged (FinishJob): the feed asks for
  // more while the difference is below work_low_water.
  std::atomic<int64_t> added_{0};
  std::atomic<int64_t> finished_{0};
  // The feed thread's wake-ups (a job finished, the fetch ended) under
  // feed_mu_; its error, read once it has been joined; its own
  // connection for urls rows (null: manifest_ under manifest_mu_).
  std::mutex feed_mu_;
  std::condition_variable feed_cv_;
  bool feed_stop_ = false;
  Status feed_status_;
  std::unique_ptr<Manifest> feed_manifest_;

  std::unique_ptr<WarcWriter> writer_;
  std::shared_ptr<FileEvents> file_events_ = std::make_shared<FileEvents>();
  std::mutex trace_mu_;
  std::mutex fail_mu_;
  Status writer_status_;  // the first failure, under fail_mu_
  std::atomic<bool> writer_failed_{false};

  // While the fetch runs: chains and the chain counts of summary_ under
  // book_mu_; the Manifest under manifest_mu_, the dedupe connection
  // under dedupe_mu_.
  std::mutex book_mu_;
  std::map<uint64_t, std::vector<CaptureRow>> chains_;  // until the end
  std::mutex manifest_mu_;
  std::unique_ptr<Manifest> dedupe_manifest_;  // null: use manifest_
  std::mutex dedupe_mu_;
  Originals originals_;
  Committer committer_;
  std::atomic<int64_t> bytes_{0};
  std::atomic<int64_t> done_{0};
  std::atomic<int64_t> requisites_dropped_{0};
  std::chrono::steady_clock::time_point started_;
  // --max-urls cut the plan; --max-time stopped the fetch.
  bool urls_budget_reached_ = false;
  std::atomic<bool> time_budget_reached_{false};

  // The browser lane, under book_mu_: the ends of this run's static target
  // chains; the capture rows of browser requests not committed yet (a
  // page's own row waits for its DOM's quality), and the pages (by
  // normalized URL) still being captured, whose rows stay held.
  std::vector<StaticPage> static_pages_;
  std::vector<CaptureRow> browser_rows_;
  std::multiset<std::string> pages_in_flight_;
  std::condition_variable browser_rows_cv_;
};

// The Fetcher's sink: runs on the fetch thread.
class Archiver::Sink : public FetchSink {
 public:
  Sink(Archiver& archiver, WriterPool& writers)
      : a_(archiver), writers_(writers) {}

  void OnExchange(const FetchJob& job, FetchedExchange& exchange) override {
    if (!exchange.retrying) {
      hops_[job.tag].push_back({exchange.url, exchange.http_status});
    }
    WorkItem item;
    if (exchange.response) {
      a_.bytes_ += static_cast<int64_t>(exchange.response->payload_length());
      if (!exchange.retrying && exchange.next_url.empty()) {
        item.quality = ReadFinalResponse(job, exchange);
      }
    }
    item.type = WorkItem::Type::kExchange;
    item.tag = job.tag;
    item.exchange = std::move(exchange);
    exchange.response = nullptr;
    writers_.Push(std::move(item));
    Progress();
  }

  void OnDone(const FetchOutcome& outcome) override {
    WorkItem item;
    item.type = WorkItem::Type::kDone;
    item.tag = outcome.job.tag;
    item.outcome = outcome;
    auto hops = hops_.find(outcome.job.tag);
    if (hops != hops_.end()) {
      item.hops = std::move(hops->second);
      hops_.erase(hops);
    }
    ++a_.done_;
    writers_.Push(std::move(item));
    Progress();
  }

 private:
  // The end of a chain, read once: an HTML page gets its capture quality
  // (rotguard/capture_quality.h; "" for anything else); a fetched target
  // page (link kind `link`, 2xx HTML) queues its requisites, a fetched
  // stylesheet requisite its url()s.
  std::string ReadFinalResponse(const FetchJob& job,
                                const FetchedExchange& ex) {
    JobInfo info;
    {
      std::lock_guard<std::mutex> lock(a_.jobs_mu_);
      info = a_.jobs_[job.tag];
    }
    std::string type =
        MediaType(HeaderValue(ex.response->head(), "Content-Type"));
    const bool html = IsHtmlMediaType(type);
    const bool follow = a_.config_.fetch.requisites_depth >= 1 &&
                        ex.http_status >= 200 && ex.http_status <= 299;
    const bool page = follow && html && info.role == JobRole::kTarget &&
                      (info.kind == "link" || info.kind == "url");
    const bool stylesheet =
        follow && info.role == JobRole::kRequisite && type == "text/css";
    if (!html && !stylesheet) return "";
    Result<std::string> text = DecodedPayload(*ex.response, kMaxParsedBytes);
    if (!text.ok()) {
      spdlog::warn("{}: page not parsed: {}", ex.url, text.status().message());
      return "";
    }
    if (stylesheet) {
      FollowStylesheet(ex.url, *text);
      return "";
    }
    // The raw tag scanner, not ExtractLinks(): gumbo's tree building cost
    // more than the fetching and ran on this (the fetch) thread. One pass
    // gives the requisites and the quality signals.
    extract::ScannedPage scanned = extract::ScanPage(*text, ex.url);
    extract::QualityInput quality;
    quality.html = true;
    quality.http_status = ex.http_status;
    quality.soft_404 = info.before && info.before->verdict == kVerdictSoft404;
    if (page) {
      Queued queued = QueueCapped(ex.url, scanned.requisites,
                                  JobRole::kRequisite, {"Referer: " + ex.url});
      quality.requisites_followed = true;
      quality.requisites_referenced = queued.referenced;
      quality.requisites_captured = queued.queued;
    }
    quality.signals = std::move(scanned.signals);
    return std::string(QualityName(ClassifyCapture(quality)));
  }

  void FollowStylesheet(const std::string& url, const std::string& css) {
    std::vector<std::string> urls;
    for (const extract::StylesheetReference& candidate :
         extract::ExtractStylesheetUrls(css)) {
      std::optional<std::string> resolved = ResolveUrl(url, candidate.target);
      if (resolved) urls.push_back(std::move(*resolved));
    }
    QueueCapped(url, urls, JobRole::kCssAsset, {"Referer: " + url});
  }

  // Distinct http(s) URLs a page named, and how many of them were queued
  // (or already were, this run).
  struct Queued {
    int64_t referenced = 0;
    int64_t queued = 0;
  };

  // Queues the first [fetch] max_requisites distinct http(s), in-scope
  // URLs `page` names, in its order; the rest are counted and logged once
  // for the page, so one hostile page cannot make thousands of requests.
  Queued QueueCapped(const std::string& page,
                     const std::vector<std::string>& urls, JobRole role,
                     const std::vector<std::string>& headers) {
    const size_t cap =
        static_cast<size_t>(std::max(0, a_.config_.fetch.max_requisites));
    std::unordered_set<std::string> seen;
    std::unordered_set<std::string> out_of_scope;
    int64_t dropped = 0;
    for (const std::string& url : urls) {
      std::string scheme = UrlScheme(url);
      if (scheme != "http" && scheme != "https") continue;
      std::optional<std::string> normalized = NormalizeUrl(url);
      if (!normalized) continue;
      if (!a_.scope_->InScope(*normalized)) {
        out_of_scope.insert(std::move(*normalized));
        continue;
      }
      if (!seen.insert(*normalized).second) continue;
      if (seen.size() > cap) {
        ++dropped;
        continue;
      }
      JobInfo info;
      info.role = role;
      info.normalized = std::move(*normalized);
      info.kind = "requisite";
      a_.AddJob(url, std::move(info), headers);
    }
    Queued queued;
    queued.referenced = static_cast<int64_t>(seen.size() + out_of_scope.size());
    queued.queued = static_cast<int64_t>(seen.size()) - dropped;
    if (dropped == 0) return queued;
    a_.requisites_dropped_ += dropped;
    spdlog::warn(
        "{}: {} requisites not fetched (over [fetch] max_requisites = "
        "{})",
        page, dropped, cap);
    return queued;
  }

  void Progress() {
    if (!a_.options_.progress) return;
    auto now = std::chrono::steady_clock::now();
    if (now - last_progress_ < std::chrono::milliseconds(200)) return;
    last_progress_ = now;
    int64_t queued = 0;
    {
      std::lock_guard<std::mutex> lock(a_.jobs_mu_);
      queued = static_cast<int64_t>(a_.jobs_.size());
    }
    a_.options_.progress(a_.done_, queued, a_.bytes_);
  }

  Archiver& a_;
  WriterPool& writers_;
  std::map<uint64_t, std::vector<ChainHop>> hops_;  // by job tag
  std::chrono::steady_clock::time_point last_progress_;
};

// The manifest row of one scanned document; also remembers the resource
// record its file is written under. A post's is named by the site's
// permalink rules; a feed, sitemap, WXR or bookmark file's by its path, and
// each of its entries keeps the URL the file gives it.
DocumentScan Archiver::RowOfScanned(ScannedDocument& doc, int64_t now_unix,
                                    std::vector<Link>* links,
                                    std::string* file_key) {
  *file_key = DocumentKey(doc.input.display_path, options_.site_root);
  const bool post = doc.type == InputType::kPost;
  std::string uri =
      post ? PostResourceUri(config_, *file_key,
                             PostFactsOf(doc.extracted.front_matter))
           : PostResourceUri(config_, *file_key);
  if (!post) resource_types_[*file_key] = ResourceType(doc.type);
  DocumentScan row = ScanRowOf(doc, options_.site_root, now_unix, links);
  if (row.document.public_url.empty() && post &&
      !config_.site.base_url.empty()) {
    row.document.public_url = uri;
  }
  post_uri_[*file_key] = std::move(uri);
  return row;
}

Status Archiver::ScanPosts(
    std::vector<std::pair<std::string, std::string>>* changed,
    std::vector<Link>* links) {
  if (options_.paths.empty()) return Status::Ok();
  Result<WalkResult> walk =
      WalkInputs(options_.paths,
                 SiteWalkOptions(options_.site_root, config_.site.build_dirs,
                                 !config_.site.generator.empty()));
  if (!walk.ok()) return walk.status();
  for (const std::string& warning : walk->warnings) spdlog::warn("{}", warning);
  ScanOptions scan;
  scan.extract.base_url = config_.site.base_url;
  scan.compute_sha256 = true;
  int64_t now_unix = NowUs() / 1'000'000;
  std::vector<DocumentScan> batch;
  // key → (resource key, path to read): the entries of one file share
  // the file's resource record, written once.
  std::map<std::string, std::pair<std::string, std::string>> display_of;
  std::set<std::string> resources;
  auto flush = [&]() -> Status {
    if (batch.empty() || options_.dry_run) {
      batch.clear();
      return Status::Ok();
    }
    Result<std::vector<std::string>> paths = manifest_.RecordScans(batch);
    if (!paths.ok()) return paths.status();
    summary_.documents_changed += static_cast<int64_t>(paths->size());
    for (const std::string& key : *paths) {
      const auto& [resource, display_path] = display_of[key];
      if (resources.insert(resource).second) {
        changed->emplace_back(resource, display_path);
      }
    }
    batch.clear();
    return Status::Ok();
  };
  Status status =
      ScanInputsInOrder(walk->files, scan, [&](ScannedDocument& doc) -> Status {
        LogInputWarnings(doc);
        if (doc.warnings_only) return Status::Ok();
        ++summary_.documents;
        std::string file_key;
        DocumentScan row = RowOfScanned(doc, now_unix, links, &file_key);
        display_of[row.document.path] = {file_key, doc.input.display_path};
        batch.push_back(std::move(row));
        if (batch.size() >= kScanBatch) return flush();
        return Status::Ok();
      });
  ROTGUARD_RETURN_IF_ERROR(status);
  return flush();
}

Status Archiver::OpenWriter() {
  WarcWriterOptions w;
  w.directory = store_.warc_dir();
  w.max_file_size = options_.max_warc_file_size;
  w.user_agent = config_.fetch.user_agent;
  w.robots = config_.fetch.robots;
  w.env = options_.env;
  w.body.temp_dir = store_.root() / "tmp";
  std::error_code ignored;
  std::filesystem::create_directories(w.body.temp_dir, ignored);
  ROTGUARD_RETURN_IF_ERROR(NameWorkerFiles(&w));
  // A writer thread rolls to a new file while the committer may be using
  // the same connection: the serial is taken under manifest_mu_.
  w.next_serial = [this]() -> uint64_t {
    Result<int64_t> serial = [this] {
      std::lock_guard<std::mutex> lock(manifest_mu_);
      // A worker holds the store shared, not exclusive: its serial comes
      // straight from the counter (atomic on PostgreSQL; its file names
      // carry the worker id, so a repeat could not collide anyway).
      return options_.worker_id.empty() ? store_.NextWarcSerial()
                                        : manifest_.NextCounter("warc_serial");
    }();
    if (serial.ok()) return static_cast<uint64_t>(*serial);
    // The file name still has its timestamp; log and go on.
    spdlog::error("WARC serial: {}", serial.status().message());
    return static_cast<uint64_t>(::getpid());
  };
  std::shared_ptr<FileEvents> events = file_events_;
  w.on_warcinfo = [events](const WarcRecordLocation& loc) {
    std::lock_guard<std::mutex> lock(events->mu);
    WarcFileRow file;
    file.name = loc.file_name;
    file.state = WarcFileState::kOpen;
    file.created_unix = SystemNowUs() / 1'000'000;
    events->opened.push_back(file);
    events->warcinfo.push_back(RecordRowOf(loc));
  };
  w.on_file_closed = [events](const WarcFileSummary& summary) {
    std::lock_guard<std::mutex> lock(events->mu);
    events->closed.push_back(summary);
  };
  Result<std::unique_ptr<WarcWriter>> writer = WarcWriter::Open(std::move(w));
  if (!writer.ok()) return writer.status();
  writer_ = std::move(*writer);
  return Status::Ok();
}

// A worker's files: warc/ID/rotguard-…-HOST-ID.warc.gz, so workers that
// share the store's directory never write to one file or take one name.
Status Archiver::NameWorkerFiles(WarcWriterOptions* w) const {
  const std::string& id = options_.worker_id;
  if (id.empty()) return Status::Ok();
  std::error_code ec;
  std::filesystem::create_directories(store_.warc_dir() / id, ec);
  if (ec) {
    return Status::IOError((store_.warc_dir() / id).string() + ": " +
                           ec.message());
  }
  w->prefix = id + "/rotguard";
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) std::strcpy(host, "localhost");
  w->hostname = std::string(host) + "-" + id;
  return Status::Ok();
}

Status Archiver::WritePosts(
    const std::vector<std::pair<std::string, std::string>>& changed) {
  for (const auto& [key, display_path] : changed) {
    Result<std::string> bytes = ReadFileToString(display_path);
    if (!bytes.ok()) return bytes.status();
    std::optional<DocumentFormat> format = FormatForPath(display_path);
    std::string type = format == DocumentFormat::kHtml
                           ? "text/html; charset=utf-8"
                           : "text/markdown; charset=utf-8";
    if (auto it = resource_types_.find(key); it != resource_types_.end()) {
      type = it->second;
    }
    WarcCapture capture;
    capture.target_uri = post_uri_[key];
    int64_t now_us = NowUs();
    capture.date = TimeOfUs(now_us);
    Result<WarcRecordLocation> loc =
        writer_->WriteResource(capture, type, *bytes);
    if (!loc.ok()) return loc.status();
    Trace("write " + capture.target_uri);
    CommitBatch rows;
    rows.records.push_back(RecordRowOf(*loc));
    CaptureRow c = CaptureOf(*loc, now_us);
    c.url = capture.target_uri;
    c.normalized = "";
    c.source = "post";
    c.content_type = type;
    c.final_url = c.url;
    c.run_id = summary_.run_id;
    rows.captures.push_back(std::move(c));
    committer_.Add(std::move(rows));
  }
  return Status::Ok();
}

void Archiver::AddJob(const std::string& url, JobInfo info,
                      std::vector<std::string> headers) {
  FetchJob job;
  {
    std::lock_guard<std::mutex> lock(jobs_mu_);
    if (!queued_.insert(info.normalized).second) return;
    job.tag = jobs_.size();
    if (info.role == JobRole::kRequisite || info.role == JobRole::kCssAsset) {
      ++summary_.requisites;
    }
    if (info.role == JobRole::kOriginal) ++summary_.originals;
    jobs_.push_back(std::move(info));
    ++added_;
  }
  job.url = url;
  job.headers = std::move(headers);
  if (fetching_) {
    fetcher_->Add(std::move(job));  // from a sink callback: fetch now
  } else {
    planned_.push_back(std::move(job));
  }
}

JobInfo Archiver::JobOf(uint64_t tag) {
  std::lock_guard<std::mutex> lock(jobs_mu_);
  return jobs_[tag];
}

Status Archiver::Plan(const std::vector<Link>& links) {
  // A worker's run starts with nothing to plan: each fed batch reads the
  // urls rows it needs (KnownRowsOf), never the whole table.
  if (options_.next_work && links.empty() && options_.urls.empty()) {
    return Status::Ok();
  }
  Result<std::vector<UrlRow>> rows = manifest_.ListUrls();
  if (!rows.ok()) return rows.status();
  for (UrlRow& row : *rows) urls_.emplace(row.normalized, std::move(row));
  archiver::PlanInput input;
  input.links = &links;
  input.urls = &options_.urls;
  input.known = &urls_;
  input.scope = &*scope_;
  input.now_us = NowUs();
  input.all = options_.all;
  input.dry_run = options_.dry_run;
  Result<archiver::Plan> plan = archiver::PlanDue(config_, input);
  if (!plan.ok()) return plan.status();
  summary_.due += plan->due;
  summary_.due_urls = std::move(plan->due_urls);
  const int64_t max_urls = options_.dry_run ? 0 : options_.max_urls;
  int64_t targets = 0;
  for (archiver::PlannedJob& job : plan->jobs) {
    if (job.info.role == JobRole::kTarget && max_urls > 0 &&
        ++targets > max_urls) {
      urls_budget_reached_ = true;
      ++summary_.due_left;  // stays due: no urls row is written for it
      continue;
    }
    // An original goes with its target (or alone while within budget).
    if (job.info.role == JobRole::kOriginal && max_urls > 0 &&
        targets > max_urls) {
      continue;
    }
    AddJob(job.url, std::move(job.info));
  }
  return Status::Ok();
}

// Any writer thread: a committed capture with this payload, looked up on
// the dedupe connection (or on the manifest, under its lock).
Result<std::optional<CaptureRow>> Archiver::Lookup(const std::string& sha1) {
  if (dedupe_manifest_) {
    std::lock_guard<std::mutex> lock(dedupe_mu_);
    return dedupe_manifest_->FindCaptureByPayloadSha1(sha1);
  }
  std::lock_guard<std::mutex> lock(manifest_mu_);
  return manifest_.FindCaptureByPayloadSha1(sha1);
}

// Any writer thread: the written records, and the chain's capture row.
void Archiver::NoteExchange(const WorkItem& item,
                            const WrittenExchange& written) {
  std::lock_guard<std::mutex> lock(book_mu_);
  if (writer_failed_ || !written.locations) return;
  const FetchedExchange& ex = item.exchange;
  Trace("write " + ex.url);
  CommitBatch rows;
  rows.records.push_back(RecordRowOf(written.locations->request));
  rows.records.push_back(RecordRowOf(written.locations->response));
  committer_.Add(std::move(rows));
  if (ex.retrying) return;  // not part of the chain
  CaptureRow c = CaptureOf(written.locations->response, UsOf(ex.started));
  std::optional<std::string> normalized = NormalizeUrl(ex.url);
  c.normalized = normalized ? *normalized : "";
  c.http_status = ex.http_status;
  c.hop_index = ex.hop_index;
  c.chain_id = std::to_string(summary_.run_id) + "-" + std::to_string(item.tag);
  c.content_type = HeaderValue(ex.response->head(), "Content-Type");
  c.source =
      JobOf(item.tag).role == JobRole::kBrowser ? kSourceBrowser : "live";
  c.quality = item.quality;
  c.run_id = summary_.run_id;
  if (written.original) c.revisit_of = written.original->record_id;
  chains_[item.tag].push_back(std::move(c));
}

// Under book_mu_: the chain's capture rows in hop order (writers note hops
// in the order they finish), each naming where the chain ended.
std::vector<CaptureRow> Archiver::TakeChain(uint64_t tag,
                                            const std::string& final_url) {
  std::vector<CaptureRow> chain;
  if (auto it = chains_.find(tag); it != chains_.end()) {
    chain = std::move(it->second);
    chains_.erase(it);
  }
  std::stable_sort(chain.begin(), chain.end(),
                   [](const CaptureRow& a, const CaptureRow& b) {
                     return a.hop_index < b.hop_index;
                   });
  for (CaptureRow& c : chain) c.final_url = final_url;
  return chain;
}

// Under book_mu_: the chain counts of the summary.
void Archiver::CountChain(const FetchOutcome& outcome,
                          const ChainOutcome& judged) {
  if (outcome.final_status != 0) ++summary_.fetched;
  if (judged.failure != FailureClass::kNone) {
    ++summary_.failed;
    ++summary_.failed_by_class[FailureClassName(judged.failure)];
  }
  // A proxy that is down fails every link the same way: say why once.
  if (judged.failure == FailureClass::kProxy && !proxy_failure_logged_) {
    proxy_failure_logged_ = true;
    spdlog::error("archive: {}", outcome.error);
  }
  if (judged.failure == FailureClass::kCancelled) summary_.cancelled = true;
  // A kept link that now leads to a URL the user took down: say which.
  if (judged.failure == FailureClass::kForgotten) {
    spdlog::warn("archive: {}", outcome.error);
  }
}

// The urls row of a target after its chain: health and final target.
UrlRow Archiver::TargetRow(const JobInfo& info, const WorkItem& done,
                           const ChainOutcome& judged) {
  HealthObservation observation = judged.observation;
  observation.at_unix = NowUs() / 1'000'000;
  UrlRow row = info.before.value_or(UrlRow{});
  row.normalized = info.normalized;
  ApplyHealthObservation(config_.health, observation, &row);
  if (!done.hops.empty() &&
      IsShortenerUrl(config_.shortener, done.hops.front().url)) {
    std::vector<std::string> urls;
    for (const ChainHop& hop : done.hops) urls.push_back(hop.url);
    row.final_url = FinalNonShortenerUrl(config_.shortener, urls);
  } else if (done.hops.size() > 1) {
    row.final_url = judged.final_url;
  }
  if (!info.asset_key.empty()) row.asset_key = info.asset_key;
  return row;
}

// Any writer thread, once every exchange of the job was noted: its rows
// go to the committer, then the feed may count it as done.
void Archiver::FinishJob(const WorkItem& done) {
  JudgeJob(done);
  NoteJobFinished();
}

void Archiver::NoteJobFinished() {
  ++finished_;
  if (!options_.next_work) return;
  // Under feed_mu_, so a feed thread between its check and its wait does
  // not miss the wake-up.
  std::lock_guard<std::mutex> lock(feed_mu_);
  feed_cv_.notify_one();
}

void Archiver::JudgeJob(const WorkItem& done) {
  JobInfo info = JobOf(done.tag);
  const FetchOutcome& outcome = done.outcome;
  ChainFacts facts;
  facts.link_url = outcome.job.url;
  facts.hops = done.hops;
  facts.failure = outcome.failure;
  facts.final_status = outcome.final_status;
  facts.last_attempted = outcome.final_url;
  ChainOutcome judged = JudgeChain(config_, facts);

  // A job the time budget kept from starting (or from ending) is left for
  // the next run: not a failure, and no verdict.
  const bool left = outcome.failure == FailureClass::kCancelled &&
                    time_budget_reached_.load();

  std::lock_guard<std::mutex> lock(book_mu_);
  if (writer_failed_) return;
  if (info.role == JobRole::kBrowser) {
    HoldBrowserRows(TakeChain(done.tag, judged.final_url));
    return;
  }
  CommitBatch rows;
  rows.captures = TakeChain(done.tag, judged.final_url);
  if (!left) NoteStaticPage(info, rows.captures);
  if (left && info.role == JobRole::kTarget) ++summary_.due_left;
  if (!left) CountChain(outcome, judged);
  if (info.role == JobRole::kOriginal) {
    UrlRow row = info.before.value_or(UrlRow{});
    row.normalized = info.normalized;
    row.asset_key = info.asset_key;
    rows.urls.push_back(std::move(row));
  } else if (info.role == JobRole::kTarget) {
    if (!left && CountsAsFailedLink(info, judged.failure)) {
      ++summary_.failed_links;
    }
    if (outcome.failure != FailureClass::kCancelled) {  // else no verdict
      rows.urls.push_back(TargetRow(info, done, judged));
    }
  }
  committer_.Add(std::move(rows));
}

// The first failure stops the run.
void Archiver::FailWriter(const Status& status) {
  if (status.ok()) return;
  std::lock_guard<std::mutex> lock(fail_mu_);
  if (writer_failed_) return;
  writer_status_ = status;
  writer_failed_ = true;
  spdlog::error("archive: {}", status.message());
  if (fetcher_ != nullptr) fetcher_->RequestCancel();
}

// Dedupe lookups get their own connection, so they never wait for a
// commit; without one they share manifest_ under manifest_mu_.
void Archiver::OpenDedupeConnection() {
  Result<std::unique_ptr<Manifest>> dedupe =
      OpenManifest(store_.manifest_location());
  if (dedupe.ok()) {
    dedupe_manifest_ = std::move(*dedupe);
  } else {
    spdlog::debug("archive: dedupe lookups share the manifest: {}",
                  dedupe.status().message());
  }
}

// Runs the fetch with the writer pool behind it; returns the fetcher's
// status (the writers' failures go to FailWriter()).
Status Archiver::FetchWithWriters() {
  WriterPool::Hooks hooks;
  hooks.written = [this](const WorkItem& item, const WrittenExchange& w) {
    NoteExchange(item, w);
  };
  hooks.done = [this](WorkItem& done) { FinishJob(done); };
  hooks.failed = [this](const Status& status) { FailWriter(status); };
  WriterPool writers(*writer_, originals_, writer_failed_, std::move(hooks));
  Sink sink(*this, writers);
  Status fetch_status = [&] {
    std::optional<DeadlineTimer> budget;
    StartBudgetTimer(&budget);
    // Receive is this thread's CPU less the stages its callbacks enter.
    CpuStageScope stage(CpuStage::kReceive);
    return fetcher_->Run(sink);
  }();
  FailWriter(writers.Close());
  return fetch_status;
}

// With --max-time: at the deadline no new transfer starts; those in flight
// get drain_ms more, then are cancelled.
void Archiver::StartBudgetTimer(std::optional<DeadlineTimer>* timer) {
  if (options_.max_time_ms <= 0) return;
  timer->emplace(
      started_ + std::chrono::milliseconds(options_.max_time_ms),
      std::chrono::milliseconds(options_.drain_ms),
      [this] {
        time_budget_reached_ = true;
        fetcher_->StopAdmitting();
      },
      [this] { fetcher_->RequestCancel(); });
}

// The one line that says the run stopped early and what is left.
void Archiver::LogBudget() {
  summary_.budget_reached = urls_budget_reached_ || time_budget_reached_;
  if (!summary_.budget_reached) return;
  const int64_t ms = options_.max_time_ms;
  std::string which =
      !time_budget_reached_ ? "max-urls " + std::to_string(options_.max_urls)
      : ms % 1000 == 0      ? "max-time " + std::to_string(ms / 1000) + "s"
                            : "max-time " + std::to_string(ms) + "ms";
  spdlog::info(
      "archive: run budget reached ({}): {} due URLs left for the next run",
      which, summary_.due_left);
}

Status Archiver::FetchAll() {
  const bool streaming = static_cast<bool>(options_.next_work);
  if (planned_.empty() && !streaming) return Status::Ok();
  if (fetcher_ == nullptr) return Status::Internal("archive: no fetcher");
  for (FetchJob& job : planned_) fetcher_->Add(job);
  fetching_ = true;
  OpenDedupeConnection();
  committer_.Start(&writer_failed_,
                   [this](const Status& status) { FailWriter(status); });
  std::jthread feed;
  if (streaming) feed = std::jthread([this] { Feed(); });
  Status fetch_status = FetchWithWriters();
  StopFeed();
  if (feed.joinable()) feed.join();
  committer_.Stop();
  dedupe_manifest_.reset();
  summary_.jobs = static_cast<int64_t>(jobs_.size());
  ROTGUARD_RETURN_IF_ERROR(fetch_status);
  ROTGUARD_RETURN_IF_ERROR(writer_status_);
  return feed_status_;
}

// The feed thread: batches until the source ends the stream or fails, or
// the fetch ends; then lets the fetcher's Run() return once its jobs have.
void Archiver::Feed() {
  Result<std::unique_ptr<Manifest>> reads =
      OpenManifest(store_.manifest_location());
  if (reads.ok()) {
    feed_manifest_ = std::move(*reads);
  } else {
    spdlog::debug("archive: the work feed reads through the manifest: {}",
                  reads.status().message());
  }
  FeedLoop();
  feed_manifest_.reset();
  fetcher_->EndKeepRunning();
}

void Archiver::FeedLoop() {
  bool after_empty = false;    // the last answer was "nothing now"
  bool asked_drained = false;  // ...given while the run held nothing
  // What the feed cost: batches, time asking and planning, and how often
  // the fetcher ran dry while the source still had work.
  int64_t batches = 0;
  int64_t dry = 0;
  std::chrono::steady_clock::duration busy{};
  while (WaitForFeedTurn(after_empty, asked_drained)) {
    // Nothing in flight: the committer commits what it holds first, so
    // the source can tell its own leases are all decided.
    const bool drained = Outstanding() == 0;
    if (drained) committer_.Flush();
    const auto asked = std::chrono::steady_clock::now();
    Result<WorkBatch> batch = options_.next_work(drained);
    if (!batch.ok()) {
      feed_status_ = batch.status();
      return;
    }
    if (batch->end) break;
    after_empty = batch->urls.empty();
    asked_drained = drained;
    if (after_empty) continue;
    if (drained && batches > 0) ++dry;
    ++batches;
    feed_status_ = FeedBatch(batch->urls);
    busy += std::chrono::steady_clock::now() - asked;
    if (!feed_status_.ok()) return;
  }
  spdlog::info(
      "archive: work feed: {} batches, {} ms claiming and planning, "
      "fetcher ran dry {} times",
      batches,
      std::chrono::duration_cast<std::chrono::milliseconds>(busy).count(), dry);
}

// Until the feed should ask again: the fetcher runs low (fewer than
// work_low_water jobs left); after a "nothing now", once work_poll_ms
// passed or the run drained since. False once the feed must stop (the
// fetch ended, a writer failed, the time budget was reached).
bool Archiver::WaitForFeedTurn(bool after_empty, bool asked_drained) {
  const int64_t low_water =
      static_cast<int64_t>(std::max<size_t>(1, options_.work_low_water));
  std::unique_lock<std::mutex> lock(feed_mu_);
  if (after_empty) {
    feed_cv_.wait_for(
        lock, std::chrono::milliseconds(options_.work_poll_ms),
        [&] { return feed_stop_ || (!asked_drained && Outstanding() == 0); });
  } else {
    feed_cv_.wait(lock,
                  [&] { return feed_stop_ || Outstanding() < low_water; });
  }
  return !feed_stop_ && !writer_failed_ && !time_budget_reached_;
}

void Archiver::StopFeed() {
  std::lock_guard<std::mutex> lock(feed_mu_);
  feed_stop_ = true;
  feed_cv_.notify_all();
}

// The feed thread: one batch planned as a plain run plans `urls` with
// `all`, its jobs straight into the running fetcher. The URLs it plans no
// job for (out of scope, forgotten, not http(s)) leave the work queue
// with the next commit.
Status Archiver::FeedBatch(const std::vector<std::string>& urls) {
  std::vector<std::string> fetchable;
  std::vector<std::string> skipped;
  for (const std::string& url : urls) {
    (NormalizeUrl(url) ? fetchable : skipped).push_back(url);
  }
  Result<std::unordered_map<std::string, UrlRow>> known =
      KnownRowsOf(fetchable);
  if (!known.ok()) return known.status();
  const std::vector<Link> no_links;
  archiver::PlanInput input;
  input.links = &no_links;
  input.urls = &fetchable;
  input.known = &*known;
  input.scope = &*scope_;
  input.now_us = NowUs();
  input.all = true;
  Result<archiver::Plan> plan = archiver::PlanDue(config_, input);
  if (!plan.ok()) return plan.status();
  std::unordered_set<std::string> targets;
  std::unordered_set<std::string> batch_keys;
  for (archiver::PlannedJob& job : plan->jobs) {
    if (job.info.role == JobRole::kTarget) targets.insert(job.info.normalized);
    AddFedJob(std::move(job), &batch_keys);
  }
  for (const std::string& url : fetchable) {
    if (targets.count(*NormalizeUrl(url)) == 0) skipped.push_back(url);
  }
  {
    std::lock_guard<std::mutex> lock(jobs_mu_);
    summary_.due += plan->due;
  }
  if (!skipped.empty()) {
    CommitBatch rows;
    rows.work_done = std::move(skipped);
    committer_.Add(std::move(rows));
  }
  return Status::Ok();
}

// The feed thread: the urls rows the plan of `urls` reads (theirs and
// their Blogger originals'), read now: an earlier batch, or another
// worker, may have judged them since the run began.
Result<std::unordered_map<std::string, UrlRow>> Archiver::KnownRowsOf(
    const std::vector<std::string>& urls) {
  std::unordered_map<std::string, UrlRow> known;
  auto read = [&](const std::optional<std::string>& key) -> Status {
    if (!key || known.count(*key) > 0) return Status::Ok();
    Result<std::optional<UrlRow>> row = FindUrlForFeed(*key);
    if (!row.ok()) return row.status();
    if (row->has_value()) known.emplace(*key, std::move(**row));
    return Status::Ok();
  };
  for (const std::string& url : urls) {
    ROTGUARD_RETURN_IF_ERROR(read(NormalizeUrl(url)));
    std::optional<std::string> original =
        BloggerOriginalUrl(config_.blogger, url);
    if (original) ROTGUARD_RETURN_IF_ERROR(read(NormalizeUrl(*original)));
  }
  return known;
}

Result<std::optional<UrlRow>> Archiver::FindUrlForFeed(
    const std::string& normalized) {
  if (feed_manifest_) return feed_manifest_->FindUrl(normalized);
  std::lock_guard<std::mutex> lock(manifest_mu_);
  return manifest_.FindUrl(normalized);
}

// The feed thread: a job of a fed batch, into the running fetcher. A
// target is fetched even when this run fetched its URL already (as an
// earlier batch's requisite, or an earlier claim of a --follow run):
// claimed means fetch, and it needs its verdict. Its URL still joins the
// run's set, so no later requisite fetches it again; an original is
// fetched once per run, as in a plain run.
void Archiver::AddFedJob(archiver::PlannedJob job,
                         std::unordered_set<std::string>* batch_keys) {
  if (!batch_keys->insert(job.info.normalized).second) return;
  FetchJob fetch;
  {
    std::lock_guard<std::mutex> lock(jobs_mu_);
    const bool first = queued_.insert(job.info.normalized).second;
    if (job.info.role == JobRole::kOriginal) {
      if (!first) return;
      ++summary_.originals;
    }
    fetch.tag = jobs_.size();
    jobs_.push_back(std::move(job.info));
    ++added_;
  }
  fetch.url = std::move(job.url);
  fetcher_->AddFromAnyThread(std::move(fetch));
}

// The lane fetcher's record side: each browser request becomes a job of
// this run (a tag of its own, role kBrowser), then goes the way of every
// exchange (writer pool, dedupe, committer). Fetch thread only.
class Archiver::BrowserSink : public FetchSink {
 public:
  BrowserSink(Archiver& archiver, Sink& inner) : a_(archiver), inner_(inner) {}

  void OnExchange(const FetchJob& job, FetchedExchange& exchange) override {
    inner_.OnExchange(Retag(job), exchange);
  }
  void OnDone(const FetchOutcome& outcome) override {
    FetchOutcome done = outcome;
    done.job = Retag(outcome.job);
    tags_.erase(outcome.job.tag);
    inner_.OnDone(done);
  }

 private:
  FetchJob Retag(const FetchJob& job) {
    auto [it, fresh] = tags_.try_emplace(job.tag, 0);
    if (fresh) it->second = a_.AddBrowserJob(job.url);
    FetchJob copy = job;
    copy.tag = it->second;
    return copy;
  }

  Archiver& a_;
  Sink& inner_;
  std::unordered_map<uint64_t, uint64_t> tags_;  // proxy tag → run tag
};

uint64_t Archiver::AddBrowserJob(const std::string& url) {
  JobInfo info;
  info.role = JobRole::kBrowser;
  info.kind = "browser";
  std::optional<std::string> normalized = NormalizeUrl(url);
  info.normalized = normalized ? *normalized : url;
  std::lock_guard<std::mutex> lock(jobs_mu_);
  jobs_.push_back(std::move(info));
  ++added_;
  return jobs_.size() - 1;
}

// Under book_mu_: the end of a static target chain, for the page choice.
void Archiver::NoteStaticPage(const JobInfo& info,
                              const std::vector<CaptureRow>& rows) {
  if (info.role != JobRole::kTarget || rows.empty()) return;
  const CaptureRow& end = rows.back();
  StaticPage page{end.url, info.kind, end.http_status, end.content_type,
                  end.quality};
  if (archiver::WantsBrowser(config_.browser.mode, page)) {
    static_pages_.push_back(std::move(page));
  }
}

// Under book_mu_: a browser request's rows wait for their page.
void Archiver::HoldBrowserRows(std::vector<CaptureRow> rows) {
  ++summary_.browser_requests;
  for (CaptureRow& c : rows) browser_rows_.push_back(std::move(c));
  browser_rows_cv_.notify_all();
}

// Under book_mu_: commits the held rows, except (unless `all`) those of a
// page still being captured, whose quality is not known yet.
void Archiver::FlushBrowserRows(bool all) {
  CommitBatch rows;
  std::vector<CaptureRow> kept;
  for (CaptureRow& c : browser_rows_) {
    if (!all && pages_in_flight_.count(c.normalized) > 0) {
      kept.push_back(std::move(c));
    } else {
      rows.captures.push_back(std::move(c));
    }
  }
  browser_rows_ = std::move(kept);
  if (!rows.captures.empty()) committer_.Add(std::move(rows));
}

// Browser thread: the row of the page's final response, once its
// exchange went through the writer (the browser may have the bytes a
// moment before the record is noted). The first one for that URL: the
// document request comes before anything the page asks for.
std::optional<CaptureRow> Archiver::TakePageRow(const std::string& final_url) {
  std::optional<std::string> normalized = NormalizeUrl(final_url);
  if (!normalized) return std::nullopt;
  std::unique_lock<std::mutex> lock(book_mu_);
  auto at = browser_rows_.end();
  browser_rows_cv_.wait_for(lock, std::chrono::seconds(10), [&] {
    at = std::find_if(
        browser_rows_.begin(), browser_rows_.end(),
        [&](const CaptureRow& c) { return c.normalized == *normalized; });
    return at != browser_rows_.end() || writer_failed_;
  });
  if (at == browser_rows_.end()) return std::nullopt;
  CaptureRow row = std::move(*at);
  browser_rows_.erase(at);
  return row;
}

void Archiver::PageDone(const std::string& url) {
  std::optional<std::string> normalized = NormalizeUrl(url);
  auto it = pages_in_flight_.find(normalized ? *normalized : url);
  if (it != pages_in_flight_.end()) pages_in_flight_.erase(it);
  FlushBrowserRows(false);
}

// Browser thread: the page's DOM snapshot, screenshot and thumbnail as
// resource records tied to its final response, whose row gets the
// quality of the rendered DOM; committed together.
void Archiver::CommitPage(const std::string& url, CaptureRow row,
                          const PageCapture& page) {
  row.quality = archiver::DomQuality(page.dom_html, row.url, row.http_status);
  Result<std::vector<WarcRecordLocation>> written =
      archiver::WriteBrowserResources(*writer_, row.url, row.record_id,
                                      TimeOfUs(row.captured_at_us), page);
  if (!written.ok()) FailWriter(written.status());
  std::lock_guard<std::mutex> lock(book_mu_);
  CommitBatch rows;
  if (written.ok()) {
    for (const WarcRecordLocation& loc : *written) {
      Trace("write " + loc.target_uri);
      rows.records.push_back(RecordRowOf(loc));
    }
    ++summary_.browser_captured;
    spdlog::info(
        "browser: {}: captured {} ({}, {} requests, {} ms, peak {} MiB)", url,
        row.url, row.quality, page.requests.size(), page.elapsed.count(),
        page.peak_memory_bytes >> 20);
  }
  rows.captures.push_back(std::move(row));
  committer_.Add(std::move(rows));
  PageDone(url);
}

// Browser thread, once per page.
void Archiver::OnBrowserPage(const std::string& url,
                             Result<PageCapture>& capture) {
  std::string why;
  if (!capture.ok()) {
    why = capture.status().message();
  } else if (!capture->navigation_error.empty()) {
    why = capture->navigation_error;
  }
  std::optional<CaptureRow> row;
  if (why.empty()) {
    row = TakePageRow(capture->final_url);
    if (!row) why = "no response of " + capture->final_url + " was recorded";
  }
  if (row) return CommitPage(url, std::move(*row), *capture);
  spdlog::warn("browser: {}: failed, its static capture stays: {}", url, why);
  std::lock_guard<std::mutex> lock(book_mu_);
  ++summary_.browser_failed;
  PageDone(url);
}

void Archiver::OnBlocked(const BlockedRequest& request,
                         const std::vector<std::string>& pages) {
  std::string on;
  for (const std::string& page : pages) on += (on.empty() ? "" : ", ") + page;
  spdlog::warn("browser: blocked {} (page {}): {}", request.url,
               on.empty() ? "-" : on, request.reason);
  std::lock_guard<std::mutex> lock(book_mu_);
  ++summary_.browser_blocked;
}

archiver::LaneOptions Archiver::LaneOptionsOf(
    const std::filesystem::path& chromium,
    const std::vector<std::string>& pages) {
  archiver::LaneOptions o;
  o.chromium = chromium;
  o.jobs = config_.browser.jobs;
  o.capture.page_timeout = std::chrono::seconds(config_.browser.page_timeout_s);
  o.capture.idle_timeout =
      std::min(o.capture.idle_timeout, o.capture.page_timeout);
  o.memory_cap_bytes = static_cast<uint64_t>(config_.browser.memory_cap);
  o.resolve = options_.resolve;
  o.connect_to = options_.connect_to;
  o.max_page_bytes = static_cast<uint64_t>(config_.fetch.max_size);
  // In scope: the hosts this run fetched (targets, requisites) and the
  // pages' own; a host only the page's scripts name is refused without a
  // lookup, as is Chromium's own background traffic.
  std::set<std::pair<std::string, int>> hosts;
  {
    std::lock_guard<std::mutex> lock(jobs_mu_);
    for (const JobInfo& job : jobs_) {
      hosts.emplace(UrlHost(job.normalized), UrlPort(job.normalized));
    }
  }
  for (const std::string& page : pages) {
    hosts.emplace(UrlHost(page), UrlPort(page));
  }
  o.in_scope = [hosts = std::move(hosts)](const std::string& host, int port) {
    std::string lower = host;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    return hosts.count({lower, port}) > 0;
  };
  return o;
}

// After the static pass: the pages config.browser.mode picks, through the
// lane, with this run's writer and committer.
Status Archiver::BrowserPass() {
  std::vector<std::string> pages;
  {
    std::lock_guard<std::mutex> lock(book_mu_);
    pages = archiver::SelectBrowserPages(config_.browser.mode, static_pages_);
    static_pages_.clear();
  }
  // No lane fetcher: a caller without the lane (workers, tests).
  if (pages.empty() || options_.browser_fetcher == nullptr) {
    return Status::Ok();
  }
  Result<std::filesystem::path> chromium = FindChromium();
  if (!chromium.ok()) {
    // One line per run, and only when a page needed the browser.
    summary_.browser_off = static_cast<int64_t>(pages.size());
    spdlog::warn(
        "browser lane off ([browser] mode = \"{}\"): {}; {} page(s) keep "
        "their static capture only",
        config_.browser.mode, chromium.status().message(), pages.size());
    return Status::Ok();
  }
  summary_.browser_pages = static_cast<int64_t>(pages.size());
  for (const std::string& page : pages) {
    std::optional<std::string> normalized = NormalizeUrl(page);
    pages_in_flight_.insert(normalized ? *normalized : page);
  }
  return RunLane(*chromium, pages);
}

Status Archiver::RunLane(const std::filesystem::path& chromium,
                         const std::vector<std::string>& pages) {
  spdlog::info("browser: {} page(s), {} browser(s)", pages.size(),
               std::min<size_t>(pages.size(), config_.browser.jobs));
  OpenDedupeConnection();
  committer_.Start(&writer_failed_,
                   [this](const Status& status) { FailWriter(status); });
  WriterPool::Hooks hooks;
  hooks.written = [this](const WorkItem& item, const WrittenExchange& w) {
    NoteExchange(item, w);
  };
  hooks.done = [this](WorkItem& done) { FinishJob(done); };
  hooks.failed = [this](const Status& status) { FailWriter(status); };
  Result<archiver::LaneResult> ran = [&] {
    WriterPool writers(*writer_, originals_, writer_failed_, std::move(hooks));
    Sink sink(*this, writers);
    BrowserSink record(*this, sink);
    archiver::LaneHooks lane;
    lane.record = &record;
    lane.page_done = [this](const std::string& url,
                            Result<PageCapture>& capture) {
      OnBrowserPage(url, capture);
    };
    lane.blocked = [this](const BlockedRequest& request,
                          const std::vector<std::string>& on) {
      OnBlocked(request, on);
    };
    Result<archiver::LaneResult> result = archiver::RunBrowserLane(
        pages, *options_.browser_fetcher, LaneOptionsOf(chromium, pages), lane);
    FailWriter(writers.Close());
    return result;
  }();
  {
    std::lock_guard<std::mutex> lock(book_mu_);
    FlushBrowserRows(true);
    if (!ran.ok()) {
      spdlog::error("browser lane: {}", ran.status().message());
      summary_.browser_failed =
          summary_.browser_pages - summary_.browser_captured;
    }
    spdlog::info(
        "browser: {} page(s) captured, {} failed, {} requests, {} blocked",
        summary_.browser_captured, summary_.browser_failed,
        summary_.browser_requests, summary_.browser_blocked);
  }
  committer_.Stop();
  dedupe_manifest_.reset();
  return writer_status_;
}

int Archiver::ExitCodeOf(const ArchiveSummary* summary) const {
  return options_.exit_code_of ? options_.exit_code_of(summary) : 0;
}

void Archiver::EndRun(int exit_code) {
  if (summary_.run_id == 0) return;
  std::map<std::string, int64_t> counts = {
      {"documents", summary_.documents},
      {"documents_changed", summary_.documents_changed},
      {"due", summary_.due},
      {"jobs", summary_.jobs},
      {"requisites", summary_.requisites},
      {"requisites_dropped", summary_.requisites_dropped},
      {"originals", summary_.originals},
      {"fetched", summary_.fetched},
      {"captures", summary_.captures},
      {"revisits", summary_.revisits},
      {"records", summary_.records},
      {"failed", summary_.failed},
      {"failed_links", summary_.failed_links},
      {"due_left", summary_.due_left},
      {"bytes", summary_.bytes}};
  if (summary_.browser_pages > 0) {  // runs without the lane read as before
    counts["browser_pages"] = summary_.browser_pages;
    counts["browser_captured"] = summary_.browser_captured;
    counts["browser_failed"] = summary_.browser_failed;
    counts["browser_blocked"] = summary_.browser_blocked;
  }
  Status status =
      manifest_.EndRun(summary_.run_id, NowUs() / 1'000'000, counts, exit_code);
  if (!status.ok()) spdlog::error("archive: {}", status.message());
}

Result<ArchiveSummary> Archiver::Run() {
  auto started = std::chrono::steady_clock::now();
  started_ = started;
  Result<ScopeFilter> scope = ScopeFilter::Create(config_.scope);
  if (!scope.ok()) return scope.status();
  scope_ = std::move(*scope);
  Result<std::vector<TombstoneRow>> tombstones = manifest_.ListTombstones();
  if (!tombstones.ok()) return tombstones.status();
  std::unordered_set<std::string> forgotten;
  for (const TombstoneRow& t : *tombstones) forgotten.insert(t.normalized);
  scope_->ExcludeForgotten(std::move(forgotten));
  if (!options_.dry_run) {
    Result<int64_t> run = manifest_.BeginRun("archive", NowUs() / 1'000'000);
    if (!run.ok()) return run.status();
    summary_.run_id = *run;
  }
  std::vector<std::pair<std::string, std::string>> changed;
  std::vector<Link> links;
  ROTGUARD_RETURN_IF_ERROR(ScanPosts(&changed, &links));
  ROTGUARD_RETURN_IF_ERROR(Plan(links));
  if (options_.dry_run) {
    summary_.seconds = std::chrono::duration<double>(
                           std::chrono::steady_clock::now() - started)
                           .count();
    return summary_;
  }
  ROTGUARD_RETURN_IF_ERROR(OpenWriter());
  ROTGUARD_RETURN_IF_ERROR(WritePosts(changed));
  Status status = FetchAll();
  if (status.ok() && !writer_failed_ && !summary_.cancelled) {
    status = BrowserPass();
  }
  // Whatever was written is committed, even after a failure or a cancel.
  Status commit = writer_failed_ ? Status::Ok() : committer_.CommitPending();
  Status close = writer_->Close();
  Status final_commit = committer_.CommitPending();  // the last file's close
  summary_.records = committer_.records();
  summary_.captures = committer_.captures();
  summary_.revisits = committer_.revisits();
  summary_.bytes = bytes_;
  summary_.requisites_dropped = requisites_dropped_;
  LogBudget();
  summary_.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started)
          .count();
  for (const Status* s : {&status, &commit, &close, &final_commit}) {
    if (!s->ok()) {
      EndRun(ExitCodeOf(nullptr));
      return *s;
    }
  }
  EndRun(ExitCodeOf(&summary_));
  return summary_;
}

}  // namespace

RecordRow RecordRowOf(const WarcRecordLocation& location) {
  RecordRow row;
  row.warc_file = location.file_name;
  row.offset = static_cast<int64_t>(location.offset);
  row.compressed_length = static_cast<int64_t>(location.compressed_length);
  row.type = location.type;
  row.record_id = location.record_id;
  row.target_uri = location.target_uri;
  row.date = location.date;
  row.block_digest = location.block_digest;
  row.payload_digest = location.payload_digest;
  return row;
}

Result<ArchiveSummary> RunArchive(Store& store, Fetcher* fetcher,
                                  const ArchiveOptions& options) {
  Archiver archiver(store, fetcher, options);
  return archiver.Run();
}

}  // namespace rotguard
