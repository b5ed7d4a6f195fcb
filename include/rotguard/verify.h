// Store integrity: import foreign WARC files, verify the store against its
// manifest, repair what can be repaired without losing data (SPEC §7, §13
// "verify output"). The CLI (cmd_import.cc, cmd_verify.cc, cmd_repair.cc)
// only parses flags and prints.
#ifndef ROTGUARD_VERIFY_H_
#define ROTGUARD_VERIFY_H_

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "rotguard/env.h"
#include "rotguard/status.h"
#include "rotguard/store.h"

namespace rotguard {

// --- import ---

struct ImportResult {
  std::string source;    // as given
  std::string name;      // under <store>/warc/, e.g. "imported/crawl.warc.gz"
  bool skipped = false;  // the same bytes (sha256) were imported before
  int64_t records = 0;
  int64_t captures = 0;
  std::vector<std::string> notes;  // e.g. wget's chunked payload digests
};

// Copies `source` byte-identically into <store>/warc/imported/ (a unique
// name), reads it, and adds its warc_files row, a records row per record
// and a capture (source "import") per response/revisit/resource record.
// Needs the exclusive lock. A damaged or non-WARC file is Corruption
// "FILE: CODE at offset N: message" and leaves nothing behind.
struct ImportOptions {
  // The copy, its rename and syncs go through it (tests inject faults).
  Env* env = Env::Default();
};
Result<ImportResult> ImportWarc(Store& store,
                                const std::filesystem::path& source,
                                const ImportOptions& options = {});

// --- verify ---

enum class VerifyLevel { kQuick, kDefault, kDeep };

// One problem verify found. `offset` is -1 when the finding is about a
// whole file; `url` is "" when no record is involved.
struct VerifyFinding {
  std::string code;  // missing-file, extra-file, stale-open, ... (SPEC §13)
  std::string file;  // relative to <store>/warc/, or the manifest file
  int64_t offset = -1;
  std::string url;
  std::string expected;
  std::string actual;
  bool note = false;  // informational (chunked-payload-digest): not damage
};

struct VerifyOptions {
  VerifyLevel level = VerifyLevel::kDefault;
  uint64_t rehash_budget = uint64_t{1} << 30;  // bytes of whole-file sha256
  // Threads reading WARC bytes: whole-file re-hashes, and with more than
  // one, ranges of a .warc.gz cut at its records (findings are the same
  // for any value).
  int jobs = 1;
  // With more than one job, a .warc.gz is cut into ranges of about this
  // many bytes (tests make it 1: a range per record).
  uint64_t range_bytes = uint64_t{4} << 20;
  // Called for each finding, from the calling thread, in file order.
  std::function<void(const VerifyFinding&)> on_finding;
  // Called now and then with bytes done / total (for a progress bar).
  std::function<void(uint64_t done, uint64_t total)> on_progress;
  int64_t now_unix = 0;  // 0: the clock (last_verified stamps)
  // Why the manifest could not be opened, for a store opened without it
  // (StoreOptions::open_manifest = false): one sqlite-integrity finding,
  // then the WARC files are checked alone.
  std::string manifest_error;
};

struct VerifySummary {
  int64_t files = 0;          // WARC files checked (closed and open)
  int64_t records = 0;        // records read (default/deep) or known (quick)
  int64_t captures = 0;       // captures checked
  int64_t lost_captures = 0;  // marked lost by repair: counted, not findings
  int64_t lost_records = 0;
  int64_t findings = 0;  // errors (the exit code is 3 when > 0)
  int64_t notes = 0;
  int64_t files_rehashed = 0;
  uint64_t bytes_rehashed = 0;
};

// Checks the store at `options.level`. Needs at least the shared lock;
// writes only last_verified (and mtime/inode a re-hash confirmed), and
// nothing on a read-only store (Store::read_only()). A manifest failing
// SQLite's quick_check (integrity_check at --deep) is ONE sqlite-integrity
// finding and is not matched with the WARC files, whose own damage
// (framing, gzip CRC, digests) is still reported.
// Findings are not errors: the Status fails only for I/O or internal
// errors that stop verify.
Result<VerifySummary> VerifyStore(Store& store, const VerifyOptions& options);

// --- repair ---

struct RepairAction {
  // truncate-tail, close-open, index-orphan, mark-lost, update-row,
  // remove-purged (a file an interrupted `forget --purge` left),
  // or cannot-repair (damage repair leaves alone: it never deletes a
  // readable record)
  std::string kind;
  std::string file;
  int64_t offset = -1;
  std::string detail;
};

struct RepairOptions {
  bool dry_run = false;
  std::function<void(const RepairAction&)> on_action;
  // Cutting, copying to damaged/, renaming and syncing go through it
  // (tests inject faults).
  Env* env = Env::Default();
  // Only the files left as .open (closed as a full repair would close
  // them); every other file is left alone. archive does this first.
  bool only_open_files = false;
  // Only files under warc/DIR/ ("" : all). `archive --worker` closes its
  // own directory's stale .open files at start: its workers/ID.lock stands
  // in for the exclusive lock there, as no other process writes to it.
  std::string only_dir;
};

struct RepairSummary {
  int64_t actions = 0;
  int64_t cannot_repair = 0;
};

// Needs the exclusive lock. Cut bytes go to <store>/damaged/.
Result<RepairSummary> RepairStore(Store& store, const RepairOptions& options);

// --- rebuild the manifest from the WARC files ---

struct RebuildOptions {
  bool dry_run = false;  // read every file and count; write nothing
  // Called once per WARC file read (name as under warc/, ".open" kept).
  std::function<void(const std::string& file, int64_t records,
                     int64_t captures)>
      on_file;
  // The sync of the new manifest, the renames and the directory sync go
  // through it (tests inject faults).
  Env* env = Env::Default();
  int64_t now_unix = 0;  // 0: the clock (the damaged copy's time stamp)
};

struct RebuildSummary {
  int64_t files = 0;
  int64_t open_files = 0;       // stale .open files, left for `repair`
  int64_t damaged_files = 0;    // damage inside a file: verify reports it
  int64_t records = 0;          // records rows (whole records)
  int64_t skipped_records = 0;  // torn records, not indexed
  int64_t captures = 0;
  int64_t revisits = 0;
  int64_t chains = 0;  // redirect chains of two or more hops
  int64_t urls = 0;    // distinct captured URLs (urls rows)
  // File name (in the store root) the old manifest was renamed to; ""
  // when there was none (missing) or on a dry run.
  std::string kept_as;
};

// Writes a new manifest from the WARC files under <store>/warc/ (warc
// files, records, captures with revisits and redirect chains, urls, the
// WARC serial) as manifest.sqlite3.rebuild, moves the old manifest and
// its -wal/-shm/-journal aside as manifest.sqlite3.damaged-TIMESTAMP, and
// renames the new one into place. Documents, links and runs come from
// scanning posts and cannot be rebuilt. `store` must be opened with the
// exclusive lock and StoreOptions::open_manifest = false.
Result<RebuildSummary> RebuildManifest(Store& store,
                                       const RebuildOptions& options);

// True when <store>/warc (or its subdirectory `dir`) holds a .open file.
// Under the exclusive lock (or the worker lock of warc/DIR/) every such
// file is stale: left by a run that was killed.
Result<bool> HasOpenWarcFiles(const Store& store, const std::string& dir = "");

}  // namespace rotguard

#endif  // ROTGUARD_VERIFY_H_
