#include "archive/committer.h"

#include <iterator>
#include <string>
#include <utility>

#include "util/cpu_stages.h"

namespace rotguard::archiver {
namespace {

template <typename T>
void Append(std::vector<T>& to, std::vector<T>& from) {
  if (to.empty()) {
    to.swap(from);
    return;
  }
  to.insert(to.end(), std::make_move_iterator(from.begin()),
            std::make_move_iterator(from.end()));
}

}  // namespace

Committer::Committer(Manifest& manifest, std::mutex& manifest_mu,
                     FileEvents& events, Originals& originals,
                     CommitterOptions options)
    : manifest_(manifest),
      manifest_mu_(manifest_mu),
      events_(events),
      originals_(originals),
      options_(std::move(options)) {}

void Committer::Add(CommitBatch rows) {
  std::lock_guard<std::mutex> lock(mu_);
  Append(pending_.records, rows.records);
  Append(pending_.captures, rows.captures);
  Append(pending_.urls, rows.urls);
  Append(pending_.work_done, rows.work_done);
  if (PendingRows() >= options_.records) due_.notify_one();
}

void Committer::Start(const std::atomic<bool>* halted,
                      std::function<void(const Status&)> on_failure) {
  halted_ = halted;
  on_failure_ = std::move(on_failure);
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = false;
    running_ = true;
  }
  thread_ = std::thread([this] { Loop(); });
}

void Committer::Stop() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  due_.notify_all();
  thread_.join();
  std::lock_guard<std::mutex> lock(mu_);
  running_ = false;
  flushed_.notify_all();
}

void Committer::Flush() {
  std::unique_lock<std::mutex> lock(mu_);
  if (!running_) return;
  const uint64_t ticket = ++flush_asked_;
  due_.notify_all();
  flushed_.wait(
      lock, [&] { return flush_done_ >= ticket || stopping_ || !running_; });
}

Status Committer::CommitPending() {
  std::optional<CommitBatch> batch;
  {
    std::lock_guard<std::mutex> lock(mu_);
    batch = TakeBatch(/*only_if_due=*/false);
  }
  return Commit(std::move(*batch));
}

// The commit thread: a batch when enough rows wait or the interval has
// passed, until stopped (the owner commits the rest).
void Committer::Loop() {
  auto interval = std::chrono::milliseconds(options_.interval_ms);
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    due_.wait_until(lock, last_commit_ + interval, [&] {
      return stopping_ || PendingRows() >= options_.records || FlushAsked();
    });
    if (stopping_) {
      flushed_.notify_all();  // a Flush() waiting now sees stopping_
      return;
    }
    const uint64_t asked = flush_asked_;  // served by this batch
    std::optional<CommitBatch> batch = TakeBatch(/*only_if_due=*/!FlushAsked());
    if (batch && !(halted_ != nullptr && *halted_)) {
      lock.unlock();
      Status status = Commit(std::move(*batch));
      if (!status.ok() && on_failure_) on_failure_(status);
      lock.lock();
    }
    if (asked > flush_done_) {
      flush_done_ = asked;
      flushed_.notify_all();
    }
  }
}

// Under mu_: the pending rows as the next batch, if any (and, with
// only_if_due, if the interval or the row count says so).
std::optional<CommitBatch> Committer::TakeBatch(bool only_if_due) {
  auto interval = std::chrono::milliseconds(options_.interval_ms);
  auto now = std::chrono::steady_clock::now();
  bool due =
      PendingRows() >= options_.records || now - last_commit_ >= interval;
  if (only_if_due && !due) return std::nullopt;
  last_commit_ = now;
  CommitBatch batch;
  batch.records.swap(pending_.records);
  batch.captures.swap(pending_.captures);
  batch.urls.swap(pending_.urls);
  batch.work_done.swap(pending_.work_done);
  return batch;
}

// One thread commits at a time (the commit thread, or the owner when it
// does not run), so batches commit in the order they were taken.
Status Committer::Commit(CommitBatch batch) {
  CpuStageScope stage(CpuStage::kCommit);  // its WARC sync counts as write
  std::vector<WarcFileRow> opened;
  std::vector<RecordRow> warcinfo;
  std::vector<WarcFileSummary> closed;
  {
    std::lock_guard<std::mutex> lock(events_.mu);
    opened.swap(events_.opened);
    warcinfo.swap(events_.warcinfo);
    closed.swap(events_.closed);
  }
  if (opened.empty() && closed.empty() && batch.records.empty() &&
      batch.captures.empty() && batch.urls.empty() && batch.work_done.empty()) {
    return Status::Ok();
  }
  if (options_.sync) {
    Trace("sync");
    ROTGUARD_RETURN_IF_ERROR(options_.sync());
  }
  std::lock_guard<std::mutex> lock(manifest_mu_);
  ROTGUARD_RETURN_IF_ERROR(WriteRows(batch, opened, warcinfo));
  for (const WarcFileSummary& file : closed) {
    ROTGUARD_RETURN_IF_ERROR(manifest_.CloseWarcFile(
        file.file_name, static_cast<int64_t>(file.size), file.sha256,
        static_cast<int64_t>(file.record_count)));
  }
  return Status::Ok();
}

// Under manifest_mu_: new files, then records, captures and the urls rows
// they judge in one transaction, then (once durable) the originals.
Status Committer::WriteRows(CommitBatch& batch,
                            std::vector<WarcFileRow>& opened,
                            std::vector<RecordRow>& warcinfo) {
  for (const WarcFileRow& file : opened) {
    ROTGUARD_RETURN_IF_ERROR(manifest_.AddWarcFile(file));
  }
  warcinfo.insert(warcinfo.end(), batch.records.begin(), batch.records.end());
  ROTGUARD_RETURN_IF_ERROR(
      options_.complete_work
          ? manifest_.CommitWorkBatch(warcinfo, batch.captures, batch.urls)
          : manifest_.CommitBatch(warcinfo, batch.captures, batch.urls));
  records_ += static_cast<int64_t>(warcinfo.size());
  for (const CaptureRow& c : batch.captures) {
    ++captures_;
    if (!c.revisit_of.empty()) ++revisits_;
  }
  if (!batch.work_done.empty()) {
    ROTGUARD_RETURN_IF_ERROR(manifest_.CompleteWork(batch.work_done));
  }
  originals_.Offer(batch.captures);
  if (options_.trace) {  // once committed and offered as originals
    std::string committed = "commit";
    for (const CaptureRow& c : batch.captures) committed += " " + c.url;
    Trace(committed);
  }
  return Status::Ok();
}

}  // namespace rotguard::archiver
