// Archiving (SPEC §3 `archive`, §6, §9, §13): scan posts, write new or
// changed posts as resource records, decide which linked URLs are due, fetch
// them with a Fetcher (redirect chains, page requisites, Blogger originals),
// write every exchange to WARC on a writer thread, dedupe identical payloads
// against durable originals, and commit records + captures to the manifest
// in batches only after the WARC bytes are synced.
//
// The rules (due, scope, Blogger, shorteners) live in the policy module
// (rotguard/rules.h); the pipeline takes an abstract Fetcher so it is
// tested with a fake one. Exit codes are the CLI's business.
#ifndef ROTGUARD_ARCHIVE_H_
#define ROTGUARD_ARCHIVE_H_

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rotguard/config.h"
#include "rotguard/env.h"
#include "rotguard/fetch.h"
#include "rotguard/manifest.h"
#include "rotguard/rules.h"
#include "rotguard/status.h"
#include "rotguard/store.h"
#include "rotguard/warc_record.h"

namespace rotguard {

// --- the pipeline ---

struct ArchiveSummary;

// One answer of a work source (ArchiveOptions::next_work).
struct WorkBatch {
  std::vector<std::string> urls;  // normalized http(s) URLs to archive
  bool end = false;               // no more will come
};

struct ArchiveOptions {
  Config config;                   // after --config and flags
  std::vector<std::string> paths;  // posts: files and directories
  std::vector<std::string> urls;   // URLs named directly (args, -i)
  bool all = false;                // --all
  bool dry_run = false;            // --dry-run: plan only
  // Where document keys are relative to (the directory holding the store).
  std::filesystem::path site_root;
  // Commit at least this often (SPEC §4: 2 s or 500 records).
  int commit_interval_ms = 2000;
  size_t commit_records = 500;
  uint64_t max_warc_file_size = 1'000'000'000;
  // Clock (microseconds since the epoch); empty: the system clock.
  std::function<int64_t()> now_us;
  // Test seam: called with "sync", "commit", "write <uri>" as they happen.
  std::function<void(std::string_view)> trace;
  // Called about every 200 ms from the fetch thread with progress counts
  // (for a TTY progress line); may be empty.
  std::function<void(int64_t done, int64_t queued, int64_t bytes)> progress;
  // The exit code the caller will give this run, recorded in the manifest's
  // runs row: called with the summary, or with nullptr when the run ends in
  // an error. Only the CLI decides exit codes; empty records 0.
  std::function<int(const ArchiveSummary*)> exit_code_of;
  // The WARC writer's file operations go through it (tests inject faults).
  Env* env = Env::Default();
  // The run budget (`--max-urls`, `--max-time`; 0: none). Only due
  // targets count toward max_urls, in plan order; each brings its redirect
  // chain, page requisites and Blogger original. When max_time_ms (from the
  // start of the run) passes, no new transfer starts; those in flight get
  // drain_ms to end, then are cancelled. Either way the run commits what
  // was fetched and ends normally; what was not fetched stays due.
  int64_t max_urls = 0;
  int64_t max_time_ms = 0;
  int drain_ms = 30'000;
  // `archive --worker --worker-id ID` (SPEC §10); "" for a plain run. The
  // WARC files go to <store>/warc/ID/ named rotguard-…-HOST-ID.warc.gz,
  // and each commit also completes the work-queue rows of the URLs it
  // judges (Manifest::CommitWorkBatch), in the same transaction.
  std::string worker_id;
  // The browser lane (issue #16; config.browser says which pages): a
  // Fetcher made with FetchOptions::keep_running, its settings those of
  // the run's, for the requests of the browser. Null: no browser lane
  // (dry runs, workers, tests).
  Fetcher* browser_fetcher = nullptr;
  // The run's explicit mappings (--resolve, --connect-to): the browser's
  // proxy fetches those (host, port)s, and the hosts the run fetched.
  std::vector<std::string> resolve;
  std::vector<std::string> connect_to;
  // A stream of work (`archive --worker`, issue #18). After the URLs
  // above (none, for a worker), the run keeps asking `next_work` for
  // batches and archives each as it would archive `urls` with `all`
  // (claimed means fetch), all in this ONE run: one runs row, one WARC
  // file set, one committer, each requisite fetched once, per-host
  // politeness unbroken. It asks on a thread of its own (never the fetch
  // thread: the source may wait on a database) whenever fewer than
  // `work_low_water` jobs are queued or in flight, so the fetcher never
  // drains between batches. `drained`: every job has ended and its rows
  // are committed (the run holds nothing undecided). An empty batch
  // without `end` means nothing now: the run asks again after
  // `work_poll_ms`, or at once when it drains. After `end` or an error
  // the run ends once its jobs have; an error is the run's. URLs a batch
  // plans no job for (out of scope, forgotten) are completed with
  // Manifest::CompleteWork by the committer. The fetcher must be made
  // with FetchOptions::keep_running (the run calls EndKeepRunning());
  // max_urls does not count streamed URLs.
  std::function<Result<WorkBatch>(bool drained)> next_work;
  size_t work_low_water = 50;
  int work_poll_ms = 1000;
};

// One URL the plan fetches.
struct DueUrl {
  std::string url;         // as fetched
  std::string normalized;  // manifest key
  std::string kind;        // link, image, embed, frontmatter, url, original
  DueReason reason = DueReason::kNew;
};

struct ArchiveSummary {
  int64_t documents = 0;          // posts scanned
  int64_t documents_changed = 0;  // new or changed (written as resources)
  int64_t due = 0;                // URLs due (targets, not requisites)
  std::vector<DueUrl> due_urls;   // filled for --dry-run
  int64_t jobs = 0;               // chains fetched, requisites included
  int64_t requisites = 0;         // requisite chains
  // Requisites a page or stylesheet named past [fetch] max_requisites.
  int64_t requisites_dropped = 0;
  int64_t originals = 0;  // Blogger s0 chains
  int64_t fetched = 0;    // chains that ended in a response
  int64_t captures = 0;   // capture rows committed
  int64_t revisits = 0;   // of which revisit records
  int64_t records = 0;    // WARC records committed
  int64_t failed = 0;     // chains that failed (any kind)
  std::map<std::string, int64_t> failed_by_class;
  // Due links that got no capture, or ended in 4xx/5xx while not already
  // known gone: these make `archive` exit 2 (SPEC §13).
  int64_t failed_links = 0;
  int64_t bytes = 0;  // payload bytes received
  double seconds = 0;
  bool cancelled = false;
  // The run budget stopped the run; these due targets were left for the
  // next run (not counted as failed).
  bool budget_reached = false;
  int64_t due_left = 0;
  // The browser lane: pages it was given, captured, failed (the static
  // capture stays), requests it made and requests refused for their
  // address (SSRF probes; logged with the page). browser_off: pages it
  // would have taken while no Chromium was found.
  int64_t browser_pages = 0;
  int64_t browser_captured = 0;
  int64_t browser_failed = 0;
  int64_t browser_requests = 0;
  int64_t browser_blocked = 0;
  int64_t browser_off = 0;
  int64_t run_id = 0;
};

// The manifest row of a record the WARC writer has placed (file, offset,
// length, type, id, target, date, digests).
RecordRow RecordRowOf(const WarcRecordLocation& location);

// Runs the whole archive job against an open store (exclusive lock held).
// `fetcher` may be null for a dry run. Errors: InvalidArgument for a bad
// scope pattern, IOError for unreadable posts or WARC/manifest failures.
Result<ArchiveSummary> RunArchive(Store& store, Fetcher* fetcher,
                                  const ArchiveOptions& options);

}  // namespace rotguard

#endif  // ROTGUARD_ARCHIVE_H_
