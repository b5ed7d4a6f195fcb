// The archive pipeline: scan → posts as resources → plan what is due →
// fetch (Fetcher on this thread) → write (writer threads) → commit in
// durable batches.
//
// Threads: the calling thread runs Fetcher::Run() and the sink callbacks;
// they only scan pages for requisites and hand exchanges over through a
// bounded queue. Writer threads (one per core, at least two) hash,
// compress and append exchanges in parallel (WarcWriter serializes only
// the append), then note their records under `book_mu_`. A job's end
// (kDone) is finished after every exchange of the job is noted: by the
// writer that notes the last one if it was still being written. The
// committer thread turns the pending rows into a batch every 2 s or 500
// records and commits it (fdatasync first, then one transaction), so no
// writer ever waits for the disk. While the fetch runs the Manifest is
// used under `manifest_mu_` (by the committer), and writers look up dedupe
// originals through a second connection (`dedupe_manifest_`, reads only)
// that SQLite's WAL lets read while the committer writes; before and after
// the fetch only the calling thread uses the Manifest.
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
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
#include "rotguard/archive.h"
#include "rotguard/extract.h"
#include "rotguard/health.h"
#include "rotguard/requisites.h"
#include "rotguard/scan.h"
#include "rotguard/url.h"
#include "rotguard/warc_writer.h"
#include "util/file.h"

namespace rotguard {
namespace {

using archiver::DecodedPayload;
using archiver::HeaderValue;
using archiver::MediaType;

constexpr uint64_t kDedupeMinBytes = 1024;
constexpr size_t kMaxParsedBytes = 8u << 20;  // of a page or stylesheet
constexpr size_t kQueueLimit = 16;            // exchanges waiting to be written
constexpr size_t kScanBatch = 500;
// Writer threads hash and compress; more than the cores only adds waits.
constexpr unsigned kMaxWriterThreads = 4;

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

// What a revisit record says of the durable capture it refers to.
WarcRevisitOf RevisitTargetOf(const CaptureRow& c) {
  WarcRevisitOf original;
  original.record_id = c.record_id;
  original.target_uri = c.url;
  original.date = FormatWarcDate(TimeOfUs(c.captured_at_us));
  original.payload_digest = "sha1:" + c.payload_sha1;
  original.payload_sha256 = c.payload_sha256;
  original.payload_length = static_cast<uint64_t>(c.payload_length);
  return original;
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

// What a job is for.
enum class JobRole {
  kTarget,     // a URL a post links to (or named on the command line)
  kOriginal,   // the s0 original of a Blogger image
  kRequisite,  // a page requisite of a fetched target page
  kCssAsset,   // a url()/@import of a fetched stylesheet
};

struct JobInfo {
  JobRole role = JobRole::kTarget;
  std::string normalized;
  std::string kind;  // link kind of a target
  std::string asset_key;
  std::optional<UrlRow> before;  // the urls row when planned
};

// WARC files opened/closed inside writer calls, applied at commit time
// (the writer's callbacks run under its lock and must not block long).
struct FileEvents {
  std::mutex mu;
  std::vector<WarcFileRow> opened;
  std::vector<RecordRow> warcinfo;
  std::vector<WarcFileSummary> closed;
};

// One unit for the writer thread.
struct WorkItem {
  enum class Type { kExchange, kDone } type = Type::kExchange;
  uint64_t tag = 0;
  FetchedExchange exchange;  // kExchange
  FetchOutcome outcome;      // kDone
  std::vector<std::string> hop_urls;
  std::vector<int> hop_statuses;
};

// A bounded FIFO: the fetch thread waits when the writers fall behind,
// so spooled bodies do not pile up. It also counts, per job, exchanges
// taken but not yet noted, so the job's kDone (queued after them) can wait
// for them.
class WorkQueue {
 public:
  void Push(WorkItem item) {
    std::unique_lock<std::mutex> lock(mu_);
    not_full_.wait(lock,
                   [&] { return items_.size() < kQueueLimit || closed_; });
    items_.push_back(std::move(item));
    not_empty_.notify_one();
  }
  // Waits for an item; nullopt once closed and empty.
  std::optional<WorkItem> Pop() {
    std::unique_lock<std::mutex> lock(mu_);
    not_empty_.wait(lock, [&] { return !items_.empty() || closed_; });
    if (items_.empty()) return std::nullopt;
    WorkItem item = std::move(items_.front());
    items_.pop_front();
    if (item.type == WorkItem::Type::kExchange) ++unnoted_[item.tag];
    not_full_.notify_one();
    return item;
  }
  // A job's end whose exchanges are still being written is kept (true),
  // and handed back by the Noted() of the last of them.
  bool DeferDone(WorkItem& done) {
    std::lock_guard<std::mutex> lock(mu_);
    if (unnoted_.count(done.tag) == 0) return false;
    deferred_.emplace(done.tag, std::move(done));
    return true;
  }
  // An exchange of job `tag` taken by Pop() has been noted; returns the
  // job's deferred end once nothing of the job is left unnoted.
  std::optional<WorkItem> Noted(uint64_t tag) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = unnoted_.find(tag);
    if (it == unnoted_.end() || --it->second > 0) return std::nullopt;
    unnoted_.erase(it);
    auto done = deferred_.find(tag);
    if (done == deferred_.end()) return std::nullopt;
    WorkItem item = std::move(done->second);
    deferred_.erase(done);
    return item;
  }
  void Close() {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    not_empty_.notify_all();
    not_full_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable not_empty_, not_full_;
  std::deque<WorkItem> items_;
  std::unordered_map<uint64_t, int> unnoted_;  // by job tag
  std::unordered_map<uint64_t, WorkItem> deferred_;
  bool closed_ = false;
};

// Rows written since the last commit, committed together.
struct CommitBatch {
  std::vector<RecordRow> records;
  std::vector<CaptureRow> captures;
  std::vector<UrlRow> urls;
};

// What WriteExchange() (any writer, in parallel) hands to NoteExchange().
struct WrittenExchange {
  std::optional<WarcExchangeLocations> locations;
  std::optional<WarcRevisitOf> original;
};

class Archiver {
 public:
  Archiver(Store& store, Fetcher* fetcher, const ArchiveOptions& options)
      : store_(store),
        manifest_(store.manifest()),
        fetcher_(fetcher),
        options_(options),
        config_(options.config) {}

  Result<ArchiveSummary> Run();
  // Ends the runs row with the summary's counts.
  int ExitCodeOf(const ArchiveSummary* summary) const;
  void EndRun(int exit_code);

 private:
  class Sink;

  int64_t NowUs() const {
    return options_.now_us ? options_.now_us() : SystemNowUs();
  }
  void Trace(std::string_view event) {
    if (!options_.trace) return;
    std::lock_guard<std::mutex> lock(trace_mu_);  // writers trace too
    options_.trace(event);
  }

  Status ScanPosts(std::vector<std::pair<std::string, std::string>>* changed,
                   std::vector<Link>* links);
  Status OpenWriter();
  Status WritePosts(
      const std::vector<std::pair<std::string, std::string>>& changed);
  Status Plan(const std::vector<Link>& links);
  void AddJob(const std::string& url, JobInfo info,
              std::vector<std::string> headers = {});
  Status FetchAll();
  void WriterLoop();
  void FinishJob(const WorkItem& done);
  void CommitterLoop();
  size_t PendingRows() const {
    return pending_records_.size() + pending_captures_.size();
  }
  Status WriteExchange(WorkItem& item, WrittenExchange* written);
  void NoteExchange(const WorkItem& item, const WrittenExchange& written);
  void FinishChain(const WorkItem& item);
  std::optional<CommitBatch> TakeBatch(bool only_if_due);
  Status Commit(CommitBatch batch);
  void OfferAsOriginals(const std::vector<CaptureRow>& captures);
  Status CommitPending();
  void FailWriter(const Status& status);
  std::optional<WarcRevisitOf> FindOriginal(const std::string& sha1);

  Store& store_;
  Manifest& manifest_;
  Fetcher* fetcher_;
  const ArchiveOptions& options_;
  const Config& config_;
  ArchiveSummary summary_;
  std::optional<ScopeFilter> scope_;
  std::unordered_map<std::string, UrlRow> urls_;  // by normalized

  // Jobs, by tag (the index). Guarded: the sink adds while the writer
  // reads.
  std::mutex jobs_mu_;
  std::deque<JobInfo> jobs_;
  std::unordered_set<std::string> queued_;  // normalized URLs of this run
  std::vector<FetchJob> planned_;
  bool fetching_ = false;  // AddJob() goes straight to the fetcher

  std::unique_ptr<WarcWriter> writer_;
  std::shared_ptr<FileEvents> file_events_ = std::make_shared<FileEvents>();
  WorkQueue queue_;
  std::mutex trace_mu_;
  std::mutex fail_mu_;
  Status writer_status_;  // the first failure, under fail_mu_
  std::atomic<bool> writer_failed_{false};

  // Writer-thread state. While the fetch runs: pending rows, chains and the
  // commit clock under book_mu_ (commit_due_ wakes the committer); the
  // Manifest under manifest_mu_, the dedupe connection under dedupe_mu_,
  // durable_ under durable_mu_ (taken last).
  std::mutex book_mu_;
  std::condition_variable commit_due_;
  bool writers_done_ = false;
  std::mutex manifest_mu_;
  std::unique_ptr<Manifest> dedupe_manifest_;  // null: use manifest_
  std::mutex dedupe_mu_;
  std::mutex durable_mu_;
  std::vector<RecordRow> pending_records_;
  std::vector<CaptureRow> pending_captures_;
  std::vector<UrlRow> pending_urls_;
  std::map<uint64_t, std::vector<CaptureRow>> chains_;      // until OnDone
  std::unordered_map<std::string, WarcRevisitOf> durable_;  // sha1 → orig.
  std::chrono::steady_clock::time_point last_commit_ =
      std::chrono::steady_clock::now();
  std::atomic<int64_t> bytes_{0};
  std::atomic<int64_t> done_{0};
};

// The Fetcher's sink: runs on the fetch thread.
class Archiver::Sink : public FetchSink {
 public:
  explicit Sink(Archiver& archiver) : a_(archiver) {}

  void OnExchange(const FetchJob& job, FetchedExchange& exchange) override {
    if (!exchange.retrying) {
      hops_[job.tag].first.push_back(exchange.url);
      hops_[job.tag].second.push_back(exchange.http_status);
    }
    if (exchange.response) {
      a_.bytes_ += static_cast<int64_t>(exchange.response->payload_length());
      if (!exchange.retrying && exchange.next_url.empty()) {
        FollowRequisites(job, exchange);
      }
    }
    WorkItem item;
    item.type = WorkItem::Type::kExchange;
    item.tag = job.tag;
    item.exchange = std::move(exchange);
    exchange.response = nullptr;
    a_.queue_.Push(std::move(item));
    Progress();
  }

  void OnDone(const FetchOutcome& outcome) override {
    WorkItem item;
    item.type = WorkItem::Type::kDone;
    item.tag = outcome.job.tag;
    item.outcome = outcome;
    auto hops = hops_.find(outcome.job.tag);
    if (hops != hops_.end()) {
      item.hop_urls = std::move(hops->second.first);
      item.hop_statuses = std::move(hops->second.second);
      hops_.erase(hops);
    }
    ++a_.done_;
    a_.queue_.Push(std::move(item));
    Progress();
  }

 private:
  // A fetched target page (link kind `link`, 2xx HTML) queues its
  // requisites; a fetched stylesheet requisite queues its url()s.
  void FollowRequisites(const FetchJob& job, const FetchedExchange& ex) {
    if (a_.config_.fetch.requisites_depth < 1) return;
    if (ex.http_status < 200 || ex.http_status > 299) return;
    JobInfo info;
    {
      std::lock_guard<std::mutex> lock(a_.jobs_mu_);
      info = a_.jobs_[job.tag];
    }
    std::string type =
        MediaType(HeaderValue(ex.response->head(), "Content-Type"));
    bool page = info.role == JobRole::kTarget &&
                (info.kind == "link" || info.kind == "url") &&
                (type == "text/html" || type == "application/xhtml+xml");
    bool stylesheet = info.role == JobRole::kRequisite && type == "text/css";
    if (!page && !stylesheet) return;
    Result<std::string> text = DecodedPayload(*ex.response, kMaxParsedBytes);
    if (!text.ok()) {
      spdlog::warn("{}: requisites not parsed: {}", ex.url,
                   text.status().message());
      return;
    }
    std::vector<std::string> referer = {"Referer: " + ex.url};
    if (page) {
      // The raw tag scanner, not ExtractLinks(): gumbo's tree building
      // cost more than the fetching and ran on this (the fetch) thread.
      for (const std::string& url :
           extract::ExtractPageRequisites(*text, ex.url)) {
        AddRequisite(url, JobRole::kRequisite, referer);
      }
      return;
    }
    for (const extract::StylesheetReference& candidate :
         extract::ExtractStylesheetUrls(*text)) {
      std::optional<std::string> url = ResolveUrl(ex.url, candidate.target);
      if (url) AddRequisite(*url, JobRole::kCssAsset, referer);
    }
  }

  void AddRequisite(const std::string& url, JobRole role,
                    const std::vector<std::string>& headers) {
    std::string scheme = UrlScheme(url);
    if (scheme != "http" && scheme != "https") return;
    std::optional<std::string> normalized = NormalizeUrl(url);
    if (!normalized || !a_.scope_->InScope(*normalized)) return;
    JobInfo info;
    info.role = role;
    info.normalized = *normalized;
    info.kind = "requisite";
    a_.AddJob(url, std::move(info), headers);
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
  std::map<uint64_t, std::pair<std::vector<std::string>, std::vector<int>>>
      hops_;
  std::chrono::steady_clock::time_point last_progress_;
};

Status Archiver::ScanPosts(
    std::vector<std::pair<std::string, std::string>>* changed,
    std::vector<Link>* links) {
  if (options_.paths.empty()) return Status::Ok();
  Result<WalkResult> walk = WalkInputs(options_.paths);
  if (!walk.ok()) return walk.status();
  for (const std::string& warning : walk->warnings) spdlog::warn("{}", warning);
  ScanOptions scan;
  scan.extract.base_url = config_.site.base_url;
  scan.compute_sha256 = true;
  int64_t now_unix = NowUs() / 1'000'000;
  std::vector<DocumentScan> batch;
  std::map<std::string, std::string> display_of;  // key → path to read
  auto flush = [&]() -> Status {
    if (batch.empty() || options_.dry_run) {
      batch.clear();
      return Status::Ok();
    }
    Result<std::vector<std::string>> paths = manifest_.RecordScans(batch);
    if (!paths.ok()) return paths.status();
    for (const std::string& key : *paths) {
      changed->emplace_back(key, display_of[key]);
    }
    batch.clear();
    return Status::Ok();
  };
  Status status =
      ScanInputsInOrder(walk->files, scan, [&](ScannedDocument& doc) -> Status {
        ++summary_.documents;
        const FrontMatter& fm = doc.extracted.front_matter;
        DocumentScan row;
        row.document = {DocumentKey(doc.input.display_path, options_.site_root),
                        doc.sha256,
                        fm.title,
                        fm.date,
                        fm.draft,
                        now_unix};
        display_of[row.document.path] = doc.input.display_path;
        for (Link& link : doc.extracted.links) {
          row.links.push_back({std::string(LinkKindName(link.kind)),
                               link.written, link.url, link.normalized,
                               link.line, link.column,
                               static_cast<int64_t>(link.start),
                               static_cast<int64_t>(link.end)});
          links->push_back(std::move(link));
        }
        batch.push_back(std::move(row));
        if (batch.size() >= kScanBatch) return flush();
        return Status::Ok();
      });
  ROTGUARD_RETURN_IF_ERROR(status);
  ROTGUARD_RETURN_IF_ERROR(flush());
  summary_.documents_changed = static_cast<int64_t>(changed->size());
  return Status::Ok();
}

Status Archiver::OpenWriter() {
  WarcWriterOptions w;
  w.directory = store_.warc_dir();
  w.max_file_size = options_.max_warc_file_size;
  w.user_agent = config_.fetch.user_agent;
  w.robots = config_.fetch.robots;
  w.body.temp_dir = store_.root() / "tmp";
  std::error_code ignored;
  std::filesystem::create_directories(w.body.temp_dir, ignored);
  Store* store = &store_;
  w.next_serial = [store]() -> uint64_t {
    Result<int64_t> serial = store->NextWarcSerial();
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

Status Archiver::WritePosts(
    const std::vector<std::pair<std::string, std::string>>& changed) {
  for (const auto& [key, display_path] : changed) {
    Result<std::string> bytes = ReadFileToString(display_path);
    if (!bytes.ok()) return bytes.status();
    std::optional<DocumentFormat> format = FormatForPath(display_path);
    std::string type = format == DocumentFormat::kHtml
                           ? "text/html; charset=utf-8"
                           : "text/markdown; charset=utf-8";
    WarcCapture capture;
    capture.target_uri = PostResourceUri(config_, key);
    int64_t now_us = NowUs();
    capture.date = TimeOfUs(now_us);
    Result<WarcRecordLocation> loc =
        writer_->WriteResource(capture, type, *bytes);
    if (!loc.ok()) return loc.status();
    Trace("write " + capture.target_uri);
    pending_records_.push_back(RecordRowOf(*loc));
    CaptureRow c = CaptureOf(*loc, now_us);
    c.url = capture.target_uri;
    c.normalized = "";
    c.source = "post";
    c.content_type = type;
    c.final_url = c.url;
    c.run_id = summary_.run_id;
    pending_captures_.push_back(std::move(c));
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
  }
  job.url = url;
  job.headers = std::move(headers);
  if (fetching_) {
    fetcher_->Add(std::move(job));  // from a sink callback: fetch now
  } else {
    planned_.push_back(std::move(job));
  }
}

Status Archiver::Plan(const std::vector<Link>& links) {
  Result<std::vector<UrlRow>> rows = manifest_.ListUrls();
  if (!rows.ok()) return rows.status();
  for (UrlRow& row : *rows) urls_.emplace(row.normalized, std::move(row));

  // One target per normalized URL; a `link` occurrence wins (it is the one
  // whose page requisites are fetched).
  std::vector<std::pair<std::string, std::string>> order;  // url, normalized
  std::unordered_map<std::string, std::string> kind_of;
  auto consider = [&](const std::string& url, const std::string& normalized,
                      const std::string& kind) {
    auto [it, inserted] = kind_of.emplace(normalized, kind);
    if (inserted) {
      order.emplace_back(url, normalized);
    } else if (kind == "link" || kind == "url") {
      it->second = kind;
    }
  };
  for (const Link& link : links) {
    if (link.normalized.empty()) continue;
    consider(link.url, link.normalized, std::string(LinkKindName(link.kind)));
  }
  for (const std::string& url : options_.urls) {
    std::optional<std::string> normalized = NormalizeUrl(url);
    if (!normalized) {
      return Status::InvalidArgument("'" + url +
                                     "': not an absolute http(s) URL");
    }
    consider(url, *normalized, "url");
  }

  int64_t now_us = NowUs();
  for (const auto& [url, normalized] : order) {
    if (!scope_->InScope(normalized)) continue;
    auto row = urls_.find(normalized);
    const UrlRow* before = row == urls_.end() ? nullptr : &row->second;
    DueReason reason = DecideDue(before, now_us, config_.health, options_.all);
    std::string asset_key = BloggerAssetKey(config_.blogger, url);
    if (reason != DueReason::kNotDue) {
      ++summary_.due;
      const std::string& kind = kind_of[normalized];
      if (options_.dry_run) {
        summary_.due_urls.push_back({url, normalized, kind, reason});
      }
      JobInfo info;
      info.role = JobRole::kTarget;
      info.normalized = normalized;
      info.kind = kind;
      info.asset_key = asset_key;
      if (before) info.before = *before;
      AddJob(url, std::move(info));
    }
    std::optional<std::string> original =
        BloggerOriginalUrl(config_.blogger, url);
    if (!original) continue;
    std::optional<std::string> original_key = NormalizeUrl(*original);
    if (!original_key || !scope_->InScope(*original_key)) continue;
    auto orow = urls_.find(*original_key);
    DueReason original_due =
        DecideDue(orow == urls_.end() ? nullptr : &orow->second, now_us,
                  config_.health, options_.all);
    if (original_due == DueReason::kNotDue) continue;
    if (options_.dry_run) {
      summary_.due_urls.push_back(
          {*original, *original_key, "original", original_due});
    }
    JobInfo info;
    info.role = JobRole::kOriginal;
    info.normalized = *original_key;
    info.kind = "original";
    info.asset_key = asset_key;
    if (orow != urls_.end()) info.before = orow->second;
    AddJob(*original, std::move(info));
  }
  return Status::Ok();
}

// Any writer thread: the durable capture with this payload, if any. Only
// committed rows are found, so a revisit never points at a record that a
// crash could still lose.
std::optional<WarcRevisitOf> Archiver::FindOriginal(const std::string& sha1) {
  {
    std::lock_guard<std::mutex> lock(durable_mu_);
    auto it = durable_.find(sha1);
    if (it != durable_.end()) return it->second;
  }
  Result<std::optional<CaptureRow>> found = std::optional<CaptureRow>();
  if (dedupe_manifest_) {
    std::lock_guard<std::mutex> lock(dedupe_mu_);
    found = dedupe_manifest_->FindCaptureByPayloadSha1(sha1);
  } else {
    std::lock_guard<std::mutex> lock(manifest_mu_);
    found = manifest_.FindCaptureByPayloadSha1(sha1);
  }
  if (!found.ok() || !found->has_value()) return std::nullopt;
  const CaptureRow& c = **found;
  if (c.truncated || c.payload_length < static_cast<int64_t>(kDedupeMinBytes)) {
    return std::nullopt;
  }
  WarcRevisitOf original = RevisitTargetOf(c);
  std::lock_guard<std::mutex> lock(durable_mu_);
  durable_.emplace(sha1, original);
  return original;
}

// Any writer thread, in parallel: hashes, compresses and appends.
Status Archiver::WriteExchange(WorkItem& item, WrittenExchange* written) {
  FetchedExchange& ex = item.exchange;
  if (!ex.response) return Status::Ok();
  auto* warc_response = dynamic_cast<WarcHttpResponse*>(ex.response.get());
  if (warc_response == nullptr) {
    return Status::Internal(ex.url +
                            ": the fetcher's bodies are not WARC responses "
                            "(FetchOptions::new_body)");
  }
  WarcHttpResponse& response = *warc_response;
  ROTGUARD_RETURN_IF_ERROR(response.FinishBody());
  WarcCapture capture;
  capture.target_uri = ex.url;
  capture.ip_address = ex.ip_address;
  capture.protocol = ex.protocol;
  capture.date = ex.started;
  if (response.payload_length() >= kDedupeMinBytes &&
      response.truncated().empty()) {
    written->original = FindOriginal(StripLabel(response.payload_digest()));
  }
  Result<WarcExchangeLocations> locs =
      written->original
          ? writer_->WriteRevisit(capture, ex.request_head, response,
                                  *written->original)
          : writer_->WriteExchange(capture, ex.request_head, response);
  if (!locs.ok()) return locs.status();
  written->locations = std::move(*locs);
  return Status::Ok();
}

// Under book_mu_: the written records and the chain's capture row.
void Archiver::NoteExchange(const WorkItem& item,
                            const WrittenExchange& written) {
  if (!written.locations) return;
  const FetchedExchange& ex = item.exchange;
  Trace("write " + ex.url);
  pending_records_.push_back(RecordRowOf(written.locations->request));
  pending_records_.push_back(RecordRowOf(written.locations->response));
  if (ex.retrying) return;  // not part of the chain
  CaptureRow c = CaptureOf(written.locations->response, UsOf(ex.started));
  std::optional<std::string> normalized = NormalizeUrl(ex.url);
  c.normalized = normalized ? *normalized : "";
  c.http_status = ex.http_status;
  c.hop_index = ex.hop_index;
  c.chain_id = std::to_string(summary_.run_id) + "-" + std::to_string(item.tag);
  c.content_type = HeaderValue(ex.response->head(), "Content-Type");
  c.source = "live";
  c.run_id = summary_.run_id;
  if (written.original) c.revisit_of = written.original->record_id;
  chains_[item.tag].push_back(std::move(c));
}

void Archiver::FinishJob(const WorkItem& done) {
  std::lock_guard<std::mutex> lock(book_mu_);
  if (writer_failed_) return;
  FinishChain(done);
  if (PendingRows() >= options_.commit_records) commit_due_.notify_one();
}

bool AcceptedStatus(const Config& config, const std::string& url, int status) {
  auto host = config.hosts.find(UrlHostOf(url));
  if (host == config.hosts.end()) return false;
  const std::vector<int>& accepted = host->second.accept_statuses;
  return std::find(accepted.begin(), accepted.end(), status) != accepted.end();
}

void Archiver::FinishChain(const WorkItem& item) {
  JobInfo info;
  {
    std::lock_guard<std::mutex> lock(jobs_mu_);
    info = jobs_[item.tag];
  }
  const FetchOutcome& outcome = item.outcome;
  std::vector<CaptureRow> chain;
  if (auto it = chains_.find(item.tag); it != chains_.end()) {
    chain = std::move(it->second);
    chains_.erase(it);
  }
  // Writers note hops in the order they finish, not the order of the hops.
  std::stable_sort(chain.begin(), chain.end(),
                   [](const CaptureRow& a, const CaptureRow& b) {
                     return a.hop_index < b.hop_index;
                   });
  std::string final_url =
      item.hop_urls.empty() ? outcome.final_url : item.hop_urls.back();
  for (CaptureRow& c : chain) {
    c.final_url = final_url;
    pending_captures_.push_back(std::move(c));
  }

  bool accepted = AcceptedStatus(config_, final_url, outcome.final_status);
  FailureClass failure = outcome.failure;
  if (failure == FailureClass::kNone && !accepted) {
    failure = FailureClassOfStatus(outcome.final_status);
  }
  if (outcome.final_status != 0) ++summary_.fetched;
  if (failure != FailureClass::kNone) {
    ++summary_.failed;
    ++summary_.failed_by_class[FailureClassName(failure)];
  }
  if (failure == FailureClass::kCancelled) summary_.cancelled = true;

  if (info.role == JobRole::kOriginal) {
    UrlRow row = info.before.value_or(UrlRow{});
    row.normalized = info.normalized;
    row.asset_key = info.asset_key;
    pending_urls_.push_back(std::move(row));
    return;
  }
  if (info.role != JobRole::kTarget) return;

  bool was_gone = info.before && info.before->verdict == kVerdictGone;
  bool http_failure =
      failure == FailureClass::kHttp4xx || failure == FailureClass::kHttp5xx;
  if (failure != FailureClass::kNone && failure != FailureClass::kTooLarge &&
      !(http_failure && was_gone)) {
    ++summary_.failed_links;
  }
  if (outcome.failure == FailureClass::kCancelled) return;  // no verdict

  HealthObservation observation;
  observation.at_unix = NowUs() / 1'000'000;
  observation.failure = outcome.failure;
  observation.final_status = outcome.final_status;
  observation.hops = std::max(1, outcome.hops);
  observation.accepted_status = accepted;
  for (size_t i = 0; i < item.hop_urls.size(); ++i) {
    if (!IsShortenerUrl(config_.shortener, item.hop_urls[i])) {
      observation.first_non_shortener_status = item.hop_statuses[i];
      break;
    }
  }
  UrlRow row = info.before.value_or(UrlRow{});
  row.normalized = info.normalized;
  ApplyHealthObservation(config_.health, observation, &row);
  if (!item.hop_urls.empty() &&
      IsShortenerUrl(config_.shortener, item.hop_urls.front())) {
    row.final_url = FinalNonShortenerUrl(config_.shortener, item.hop_urls);
  } else if (item.hop_urls.size() > 1) {
    row.final_url = final_url;
  }
  if (!info.asset_key.empty()) row.asset_key = info.asset_key;
  pending_urls_.push_back(std::move(row));
}

// Under book_mu_ (or alone): the pending rows as the next batch, if any
// (and, with only_if_due, if the interval or the record count says so).
std::optional<CommitBatch> Archiver::TakeBatch(bool only_if_due) {
  auto interval = std::chrono::milliseconds(options_.commit_interval_ms);
  auto now = std::chrono::steady_clock::now();
  bool due = PendingRows() >= options_.commit_records ||
             now - last_commit_ >= interval;
  if (only_if_due && !due) return std::nullopt;
  last_commit_ = now;
  CommitBatch batch;
  batch.records.swap(pending_records_);
  batch.captures.swap(pending_captures_);
  batch.urls.swap(pending_urls_);
  return batch;
}

Status Archiver::CommitPending() {
  std::optional<CommitBatch> batch = TakeBatch(/*only_if_due=*/false);
  return Commit(std::move(*batch));
}

// fdatasync, then the records and captures in ONE transaction; only then
// are the batch's payloads offered as dedupe originals. Every record of
// the batch was appended before the batch was taken, so before the sync.
// Counts the committed captures and offers their payloads as dedupe
// originals.
void Archiver::OfferAsOriginals(const std::vector<CaptureRow>& captures) {
  std::lock_guard<std::mutex> lock(durable_mu_);
  for (const CaptureRow& c : captures) {
    ++summary_.captures;
    if (!c.revisit_of.empty()) {
      ++summary_.revisits;
      continue;
    }
    if (c.truncated ||
        c.payload_length < static_cast<int64_t>(kDedupeMinBytes) ||
        c.payload_sha1.empty() || durable_.count(c.payload_sha1) > 0) {
      continue;
    }
    durable_.emplace(c.payload_sha1, RevisitTargetOf(c));
  }
}

// One thread commits at a time (the committer, or the calling thread
// when no writer runs), so batches commit in the order they were taken.
Status Archiver::Commit(CommitBatch batch) {
  std::vector<WarcFileRow> opened;
  std::vector<RecordRow> warcinfo;
  std::vector<WarcFileSummary> closed;
  {
    std::lock_guard<std::mutex> lock(file_events_->mu);
    opened.swap(file_events_->opened);
    warcinfo.swap(file_events_->warcinfo);
    closed.swap(file_events_->closed);
  }
  if (opened.empty() && closed.empty() && batch.records.empty() &&
      batch.captures.empty() && batch.urls.empty()) {
    return Status::Ok();
  }
  if (writer_) {
    Trace("sync");
    ROTGUARD_RETURN_IF_ERROR(writer_->Sync());
  }
  std::lock_guard<std::mutex> lock(manifest_mu_);
  for (const WarcFileRow& file : opened) {
    ROTGUARD_RETURN_IF_ERROR(manifest_.AddWarcFile(file));
  }
  warcinfo.insert(warcinfo.end(), batch.records.begin(), batch.records.end());
  ROTGUARD_RETURN_IF_ERROR(manifest_.CommitBatch(warcinfo, batch.captures));
  summary_.records += static_cast<int64_t>(warcinfo.size());
  OfferAsOriginals(batch.captures);
  if (options_.trace) {  // once committed and offered as originals
    std::string committed = "commit";
    for (const CaptureRow& c : batch.captures) committed += " " + c.url;
    Trace(committed);
  }
  ROTGUARD_RETURN_IF_ERROR(manifest_.UpdateUrlsBatch(batch.urls));
  for (const WarcFileSummary& file : closed) {
    ROTGUARD_RETURN_IF_ERROR(manifest_.CloseWarcFile(
        file.file_name, static_cast<int64_t>(file.size), file.sha256,
        static_cast<int64_t>(file.record_count)));
  }
  return Status::Ok();
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

// One writer thread: exchanges are written in parallel with the other
// writers, then noted; a job's end is finished once its exchanges are.
void Archiver::WriterLoop() {
  while (std::optional<WorkItem> item = queue_.Pop()) {
    if (item->type == WorkItem::Type::kDone) {
      if (!queue_.DeferDone(*item)) FinishJob(*item);
      continue;
    }
    WrittenExchange written;
    Status status;
    if (!writer_failed_) status = WriteExchange(*item, &written);
    if (status.ok()) {
      std::lock_guard<std::mutex> lock(book_mu_);
      if (!writer_failed_) NoteExchange(*item, written);
      if (PendingRows() >= options_.commit_records) commit_due_.notify_one();
    }
    FailWriter(status);
    if (std::optional<WorkItem> done = queue_.Noted(item->tag)) {
      FinishJob(*done);
    }
  }
}

// Commits a batch when enough rows wait or the interval has passed, until
// the writers are done (the calling thread commits the rest).
void Archiver::CommitterLoop() {
  auto interval = std::chrono::milliseconds(options_.commit_interval_ms);
  std::unique_lock<std::mutex> lock(book_mu_);
  for (;;) {
    commit_due_.wait_until(lock, last_commit_ + interval, [&] {
      return writers_done_ || PendingRows() >= options_.commit_records;
    });
    if (writers_done_) return;
    std::optional<CommitBatch> batch = TakeBatch(/*only_if_due=*/true);
    if (!batch || writer_failed_) continue;
    lock.unlock();
    FailWriter(Commit(std::move(*batch)));
    lock.lock();
  }
}

Status Archiver::FetchAll() {
  if (planned_.empty()) return Status::Ok();
  if (fetcher_ == nullptr) return Status::Internal("archive: no fetcher");
  for (FetchJob& job : planned_) fetcher_->Add(job);
  fetching_ = true;
  unsigned cores = std::max(2u, std::thread::hardware_concurrency());
  std::vector<std::thread> writers;
  for (unsigned i = 0; i < std::min(cores, kMaxWriterThreads); ++i) {
    writers.emplace_back([this] { WriterLoop(); });
  }
  // Dedupe lookups get their own connection, so they never wait for a
  // commit; without one they share manifest_ under manifest_mu_.
  Result<std::unique_ptr<Manifest>> dedupe =
      OpenManifest(store_.manifest_path().string());
  if (dedupe.ok()) {
    dedupe_manifest_ = std::move(*dedupe);
  } else {
    spdlog::debug("archive: dedupe lookups share the manifest: {}",
                  dedupe.status().message());
  }
  std::thread committer([this] { CommitterLoop(); });
  Sink sink(*this);
  Status fetch_status = fetcher_->Run(sink);
  queue_.Close();
  for (std::thread& writer : writers) writer.join();
  {
    std::lock_guard<std::mutex> lock(book_mu_);
    writers_done_ = true;
  }
  commit_due_.notify_all();
  committer.join();
  dedupe_manifest_.reset();
  summary_.jobs = static_cast<int64_t>(jobs_.size());
  ROTGUARD_RETURN_IF_ERROR(fetch_status);
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
      {"originals", summary_.originals},
      {"fetched", summary_.fetched},
      {"captures", summary_.captures},
      {"revisits", summary_.revisits},
      {"records", summary_.records},
      {"failed", summary_.failed},
      {"failed_links", summary_.failed_links},
      {"bytes", summary_.bytes}};
  Status status =
      manifest_.EndRun(summary_.run_id, NowUs() / 1'000'000, counts, exit_code);
  if (!status.ok()) spdlog::error("archive: {}", status.message());
}

Result<ArchiveSummary> Archiver::Run() {
  auto started = std::chrono::steady_clock::now();
  Result<ScopeFilter> scope = ScopeFilter::Create(config_.scope);
  if (!scope.ok()) return scope.status();
  scope_ = std::move(*scope);
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
  // Whatever was written is committed, even after a failure or a cancel.
  Status commit = writer_failed_ ? Status::Ok() : CommitPending();
  Status close = writer_->Close();
  Status final_commit = CommitPending();  // the close of the last file
  summary_.bytes = bytes_;
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
