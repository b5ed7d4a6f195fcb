// The SQLite manifest schema and its migrations.
//
// Schema (user_version = kSchemaVersion), one line per column; why each
// table exists is said above it. Times are Unix seconds unless named _us
// (microseconds); 0 means "never" where a time may be missing. Digests are
// stored as the text WARC uses (sha1 Base32 without label in captures,
// labelled "sha1:..." as written in records) and sha256 as lowercase hex.
//
//   meta          store-wide settings and counters (the WARC serial)
//     key TEXT PRIMARY KEY, value TEXT
//
//   documents     one row per scanned post: change detection by sha256
//     id, path UNIQUE, sha256, title, date, draft (NULL: not stated),
//     last_scanned, public_url (v9: from the permalink rules, "" unknown)
//
//   urls          one row per normalized URL: the unit of link health
//     id, normalized UNIQUE, surt (for CDXJ order), first_seen,
//     verdict, consecutive_failures, last_ok, last_failure,
//     failure_class (from migration 2)
//
//   links         one row per link occurrence in a document's current
//                 version; replaced when the document's sha256 changes
//     id, document_id -> documents ON DELETE CASCADE, url_id -> urls
//     (NULL when not normalizable), kind (link|image|embed|frontmatter|
//     requisite), written, url, normalized, line, col, start_offset,
//     end_offset (byte span [start, end) of the URL text)
//
//   warc_files    one row per WARC file of the store (from migration 2)
//     name PRIMARY KEY (relative to warc/), state (open|closed), size,
//     sha256, record_count, created, closed, mtime_ns, inode (verify
//     --quick compares them), last_verified (rolling re-hash), imported
//
//   records       every record of every WARC file: orphan detection and
//                 the index verify/repair work from
//     id, warc_file -> warc_files, file_offset, compressed_length, type,
//     record_id, target_uri, date, block_digest, payload_digest, lost;
//     UNIQUE (warc_file, file_offset)
//
//   captures      one row per fetched (or imported) URL exchange, pointing
//                 at its response/revisit/resource record
//     id, url_id -> urls, url (target URI), captured_at_us, http_status,
//     final_url, chain_id, hop_index, warc_file -> warc_files,
//     record_offset, compressed_length, record_id, block_sha1,
//     payload_sha1, payload_sha256, content_type, payload_length,
//     revisit_of (record id of the original), source (live|import|
//     public-archive), run_id -> runs, truncated, lost; since v5
//     archive (the public archive's name, e.g. "web.archive.org") and
//     memento_at_us (its Memento-Datetime) for source = public-archive,
//     whose `url` is the archive's URL and whose urls row is the link's
//
//   runs          one row per command run (cron history)
//     id, command, started, ended (0 while running), counts (JSON object),
//     exit_code (-1 while running)
//
//   v6: captures gains quality (rotguard/capture_quality.h: full, thin,
//   challenge, error-page; '' for non-HTML captures and for captures made
//   before v6).
//   public_submissions  the second, public copy of a URL (v7): one row per
//                 URL submitted to Save Page Now
//     url_id PRIMARY KEY -> urls, state (pending|success|error), job_id,
//     memento_url, memento_at_us, attempts, last_attempt_us, message
//
//   public_lookups  public-archive lookups that found no copy (v7), so a
//                 URL no archive has is not asked again every run
//     url_id PRIMARY KEY -> urls, none_at_us (0: a copy was found since)
//   verdict_changes  one row per change of a URL's verdict (from migration
//                 10, written by a trigger on urls): `report --since`
//     id, url_id -> urls, changed (Unix seconds), verdict, previous
//
//   v3: urls gains final_url (the end of a shortener chain that is not a
//   shortener: the link's real target) and asset_key (size variants of
//   one Blogger image share the key of their s0 original).
//
//   v8: takedowns. tombstones (id, url as given, normalized UNIQUE,
//   reason, created): a forgotten URL, never fetched, exported or restored
//   again. records gains forgotten (1: the record belongs to a forgotten
//   URL and its bytes wait for `forget --purge`). purged_files (name,
//   purged): files under warc/ that are not part of the store and wait to
//   be unlinked (a purge's replacements while written, then the files
//   they replaced), so a crash mid-purge is finished by the next one.
//
//   v11: work_queue (url_id PRIMARY KEY -> urls, host, state due|done,
//   lease_owner, lease_expires_ms, attempts, enqueued_ms): what `enqueue`
//   found due, leased to one `archive --worker` at a time; work_hosts
//   (host PRIMARY KEY, lease_owner, lease_expires_ms): a worker claims
//   URLs only of hosts it holds, so one worker at a time fetches from a
//   host and its politeness limits hold across workers (SPEC §10).
//
//   v12: records(target_uri) index, for Manifest::FindNewestRecord (the
//   browser lane's urn:rotguard: resource records).
//   v13: work_queue gains failure (why a URL left the queue undone: it
//   was claimed kMaxWorkAttempts times and never committed) and a partial
//   index on attempts of due rows.
//
// Indexes: links(document_id), links(normalized), urls(surt),
// captures(payload_sha1) for dedupe, captures(warc_file, record_offset),
// captures(url_id, captured_at_us), captures(chain_id, hop_index) for
// chain ends (v4), records(record_id).
#ifndef ROTGUARD_MANIFEST_SCHEMA_H_
#define ROTGUARD_MANIFEST_SCHEMA_H_

#include "manifest/sqlite_db.h"
#include "rotguard/status.h"

namespace rotguard {

inline constexpr int kSchemaVersion = 13;

// Claims of one work-queue URL before it is given up (ClaimWork, schema
// v13): enough for a few worker crashes or restarts that were not its
// fault. The URL leaves the queue as done with kWorkAttemptsFailure in
// its failure column; enqueueing it again starts afresh.
inline constexpr int kMaxWorkAttempts = 5;
static_assert(kMaxWorkAttempts == 5, "kWorkAttemptsFailure names it");
inline constexpr const char* kWorkAttemptsFailure =
    "gave up after 5 claims: every worker that claimed it exited before "
    "committing it";

// Brings `db` to schema `target` (1..kSchemaVersion), one transaction per
// call: either every missing step is applied or none. A database newer
// than kSchemaVersion is refused with NotSupported. Tests use `target` to
// build a database at an older version.
Status MigrateSchema(SqliteDb& db, int target = kSchemaVersion);

}  // namespace rotguard

#endif  // ROTGUARD_MANIFEST_SCHEMA_H_
