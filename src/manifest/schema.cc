#include "manifest/schema.h"

#include <iterator>
#include <string>

namespace rotguard {
namespace {

// Migration N brings a database from version N-1 to N. Never edit a step
// that has shipped: add a new one and raise kSchemaVersion.
constexpr const char* kMigrations[] = {
    // 1: posts, links and the URLs they point to.
    R"sql(
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE documents (
  id           INTEGER PRIMARY KEY,
  path         TEXT NOT NULL UNIQUE,
  sha256       TEXT NOT NULL,
  title        TEXT NOT NULL DEFAULT '',
  date         TEXT NOT NULL DEFAULT '',
  draft        INTEGER CHECK (draft IN (0, 1)),
  last_scanned INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE urls (
  id                   INTEGER PRIMARY KEY,
  normalized           TEXT NOT NULL UNIQUE,
  surt                 TEXT NOT NULL DEFAULT '',
  first_seen           INTEGER NOT NULL DEFAULT 0,
  verdict              TEXT NOT NULL DEFAULT '',
  consecutive_failures INTEGER NOT NULL DEFAULT 0,
  last_ok              INTEGER NOT NULL DEFAULT 0,
  last_failure         INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX urls_surt ON urls (surt);
CREATE TABLE links (
  id           INTEGER PRIMARY KEY,
  document_id  INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
  url_id       INTEGER REFERENCES urls (id),
  kind         TEXT NOT NULL CHECK (kind IN ('link', 'image', 'embed',
                                             'frontmatter', 'requisite')),
  written      TEXT NOT NULL,
  url          TEXT NOT NULL,
  normalized   TEXT NOT NULL,
  line         INTEGER NOT NULL,
  col          INTEGER NOT NULL,
  start_offset INTEGER NOT NULL,
  end_offset   INTEGER NOT NULL CHECK (end_offset >= start_offset)
);
CREATE INDEX links_document ON links (document_id, start_offset);
CREATE INDEX links_normalized ON links (normalized);
)sql",
    // 2: the archive itself (WARC files, their records, captures) and the
    // run history; the failure class joins the link health columns.
    R"sql(
ALTER TABLE urls ADD COLUMN failure_class TEXT NOT NULL DEFAULT '';
CREATE TABLE warc_files (
  name          TEXT PRIMARY KEY,
  state         TEXT NOT NULL CHECK (state IN ('open', 'closed')),
  size          INTEGER NOT NULL DEFAULT 0,
  sha256        TEXT NOT NULL DEFAULT '',
  record_count  INTEGER NOT NULL DEFAULT 0,
  created       INTEGER NOT NULL DEFAULT 0,
  closed        INTEGER NOT NULL DEFAULT 0,
  mtime_ns      INTEGER NOT NULL DEFAULT 0,
  inode         INTEGER NOT NULL DEFAULT 0,
  last_verified INTEGER NOT NULL DEFAULT 0,
  imported      INTEGER NOT NULL DEFAULT 0 CHECK (imported IN (0, 1))
);
CREATE TABLE records (
  id                INTEGER PRIMARY KEY,
  warc_file         TEXT NOT NULL REFERENCES warc_files (name),
  file_offset       INTEGER NOT NULL CHECK (file_offset >= 0),
  compressed_length INTEGER NOT NULL CHECK (compressed_length >= 0),
  type              TEXT NOT NULL,
  record_id         TEXT NOT NULL,
  target_uri        TEXT NOT NULL DEFAULT '',
  date              TEXT NOT NULL DEFAULT '',
  block_digest      TEXT NOT NULL DEFAULT '',
  payload_digest    TEXT NOT NULL DEFAULT '',
  lost              INTEGER NOT NULL DEFAULT 0 CHECK (lost IN (0, 1)),
  UNIQUE (warc_file, file_offset)
);
CREATE INDEX records_record_id ON records (record_id);
CREATE TABLE runs (
  id        INTEGER PRIMARY KEY,
  command   TEXT NOT NULL,
  started   INTEGER NOT NULL,
  ended     INTEGER NOT NULL DEFAULT 0,
  counts    TEXT NOT NULL DEFAULT '{}',
  exit_code INTEGER NOT NULL DEFAULT -1
);
CREATE TABLE captures (
  id                INTEGER PRIMARY KEY,
  url_id            INTEGER NOT NULL REFERENCES urls (id),
  url               TEXT NOT NULL,
  captured_at_us    INTEGER NOT NULL,
  http_status       INTEGER NOT NULL DEFAULT 0,
  final_url         TEXT NOT NULL DEFAULT '',
  chain_id          TEXT NOT NULL DEFAULT '',
  hop_index         INTEGER NOT NULL DEFAULT 0,
  warc_file         TEXT NOT NULL REFERENCES warc_files (name),
  record_offset     INTEGER NOT NULL CHECK (record_offset >= 0),
  compressed_length INTEGER NOT NULL CHECK (compressed_length >= 0),
  record_id         TEXT NOT NULL,
  block_sha1        TEXT NOT NULL DEFAULT '',
  payload_sha1      TEXT NOT NULL DEFAULT '',
  payload_sha256    TEXT NOT NULL DEFAULT '',
  content_type      TEXT NOT NULL DEFAULT '',
  payload_length    INTEGER NOT NULL DEFAULT 0,
  revisit_of        TEXT NOT NULL DEFAULT '',
  source            TEXT NOT NULL DEFAULT 'live',
  run_id            INTEGER REFERENCES runs (id),
  truncated         INTEGER NOT NULL DEFAULT 0 CHECK (truncated IN (0, 1)),
  lost              INTEGER NOT NULL DEFAULT 0 CHECK (lost IN (0, 1))
);
CREATE INDEX captures_payload_sha1 ON captures (payload_sha1);
CREATE INDEX captures_location ON captures (warc_file, record_offset);
CREATE INDEX captures_url_time ON captures (url_id, captured_at_us);
)sql",
    // 3: what archive learns about a URL beyond its health: the target of a
    // shortener chain and the asset key grouping Blogger size variants.
    R"sql(
ALTER TABLE urls ADD COLUMN final_url TEXT NOT NULL DEFAULT '';
ALTER TABLE urls ADD COLUMN asset_key TEXT NOT NULL DEFAULT '';
CREATE INDEX urls_asset_key ON urls (asset_key) WHERE asset_key != '';
)sql",
    // 4: the hops of a redirect chain by chain id, so `report` finds a
    // chain's end with one lookup per link instead of holding every capture.
    R"sql(
CREATE INDEX captures_chain ON captures (chain_id, hop_index)
  WHERE chain_id != '';
)sql",
    // 5: copies fetched from public web archives (source =
    // 'public-archive'): which archive, and the Memento-Datetime of the
    // copy (captured_at_us stays the time rotguard fetched it).
    R"sql(
ALTER TABLE captures ADD COLUMN archive TEXT NOT NULL DEFAULT '';
ALTER TABLE captures ADD COLUMN memento_at_us INTEGER NOT NULL DEFAULT 0;
)sql",
    // 6: capture quality (issue #16) of an HTML page: full, thin,
    // challenge or error-page; '' for other captures and for every capture
    // made before this step (not judged: their bytes are not re-read).
    R"sql(
ALTER TABLE captures ADD COLUMN quality TEXT NOT NULL DEFAULT '';
)sql",
    // 7: the second, public copy (Save Page Now submissions per URL, their
    // job and resulting memento) and the public-archive lookups that found
    // no copy anywhere (not asked again until [rescue] retry_after).
    R"sql(
CREATE TABLE public_submissions (
  url_id          INTEGER PRIMARY KEY REFERENCES urls (id),
  state           TEXT NOT NULL CHECK (state IN ('pending', 'success',
                                                 'error')),
  job_id          TEXT NOT NULL DEFAULT '',
  memento_url     TEXT NOT NULL DEFAULT '',
  memento_at_us   INTEGER NOT NULL DEFAULT 0,
  attempts        INTEGER NOT NULL DEFAULT 0,
  last_attempt_us INTEGER NOT NULL DEFAULT 0,
  message         TEXT NOT NULL DEFAULT ''
);
CREATE TABLE public_lookups (
  url_id     INTEGER PRIMARY KEY REFERENCES urls (id),
  none_at_us INTEGER NOT NULL DEFAULT 0
);
)sql",
    // 8: takedowns (`rotguard forget`): a tombstone per forgotten URL, so
    // it is never fetched or served again; records whose bytes are still
    // in a WARC file until `forget --purge` rewrites it; and the old files
    // a purge replaced, kept listed until they are unlinked.
    R"sql(
CREATE TABLE tombstones (
  id         INTEGER PRIMARY KEY,
  url        TEXT NOT NULL,
  normalized TEXT NOT NULL UNIQUE,
  reason     TEXT NOT NULL DEFAULT '',
  created    INTEGER NOT NULL DEFAULT 0
);
ALTER TABLE records ADD COLUMN forgotten INTEGER NOT NULL DEFAULT 0
  CHECK (forgotten IN (0, 1));
CREATE INDEX records_forgotten ON records (warc_file) WHERE forgotten = 1;
CREATE TABLE purged_files (
  name   TEXT PRIMARY KEY,
  purged INTEGER NOT NULL DEFAULT 0
);
)sql",
    // 9: a post's public URL from the site's permalink rules, so restore
    // finds its resource record and report shows it without the site's
    // configuration at hand.
    R"sql(
ALTER TABLE documents ADD COLUMN public_url TEXT NOT NULL DEFAULT '';
)sql",
    // 10: the history of each URL's verdict, for `report --since` (what
    // changed since the last run) and the HTML report's health timeline.
    // A trigger writes it, so every path that judges a URL (archive,
    // verify --live, repair) records its changes without knowing of it.
    R"sql(
CREATE TABLE verdict_changes (
  id       INTEGER PRIMARY KEY,
  url_id   INTEGER NOT NULL REFERENCES urls (id),
  changed  INTEGER NOT NULL,
  verdict  TEXT NOT NULL,
  previous TEXT NOT NULL DEFAULT ''
);
CREATE INDEX verdict_changes_url ON verdict_changes (url_id, changed);
CREATE TRIGGER urls_verdict_change AFTER UPDATE OF verdict ON urls
  WHEN NEW.verdict != OLD.verdict
BEGIN
  INSERT INTO verdict_changes (url_id, changed, verdict, previous)
  VALUES (NEW.id, CAST(strftime('%s', 'now') AS INTEGER), NEW.verdict,
          OLD.verdict);
END;
)sql",
    // 11: the work queue of `enqueue` and `archive --worker` (SPEC §10):
    // one row per URL put on it, leased to one worker at a time, and one
    // row per host, leased the same way, so that one worker at a time
    // fetches from a host and its --per-host, --delay and Retry-After hold
    // across workers. Times in milliseconds since the epoch; a lease that
    // has expired (or 0) is free for any worker to take.
    R"sql(
CREATE TABLE work_queue (
  url_id           INTEGER PRIMARY KEY REFERENCES urls (id),
  host             TEXT NOT NULL DEFAULT '',
  state            TEXT NOT NULL DEFAULT 'due' CHECK (state IN ('due',
                                                               'done')),
  lease_owner      TEXT NOT NULL DEFAULT '',
  lease_expires_ms INTEGER NOT NULL DEFAULT 0,
  attempts         INTEGER NOT NULL DEFAULT 0,
  enqueued_ms      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX work_queue_host ON work_queue (host, state, lease_expires_ms);
CREATE INDEX work_queue_owner ON work_queue (lease_owner);
CREATE TABLE work_hosts (
  host             TEXT PRIMARY KEY,
  lease_owner      TEXT NOT NULL DEFAULT '',
  lease_expires_ms INTEGER NOT NULL DEFAULT 0
);
)sql",
    // v12: readers find the browser lane's resource records (DOM snapshot,
    // screenshot, thumbnail) by their urn:rotguard: target URI.
    "CREATE INDEX records_target_uri ON records (target_uri);",
    // 13: a limit on work-queue attempts: a URL claimed kMaxWorkAttempts
    // times without ever being committed (each worker that took it died,
    // a poison URL) is taken off the queue as done with a `failure`
    // saying why, instead of being claimed forever. The partial index
    // finds those rows without reading the whole queue at each claim.
    R"sql(
ALTER TABLE work_queue ADD COLUMN failure TEXT NOT NULL DEFAULT '';
CREATE INDEX work_queue_attempts ON work_queue (attempts) WHERE state = 'due';
)sql",
};

static_assert(std::size(kMigrations) == kSchemaVersion,
              "one migration per schema version");

Status CheckNotNewer(const SqliteDb& db, int64_t version) {
  if (version <= kSchemaVersion) return Status::Ok();
  return Status::NotSupported(
      db.path() + ": manifest schema version " + std::to_string(version) +
      " is newer than this rotguard understands (" +
      std::to_string(kSchemaVersion) + "); upgrade rotguard");
}

}  // namespace

Status MigrateSchema(SqliteDb& db, int target) {
  if (target < 1 || target > kSchemaVersion) {
    return Status::Internal("no schema version " + std::to_string(target));
  }
  Result<int64_t> before = db.QueryInt("PRAGMA user_version");
  if (!before.ok()) return before.status();
  ROTGUARD_RETURN_IF_ERROR(CheckNotNewer(db, *before));
  if (*before >= target) return Status::Ok();
  // Read again inside the write transaction, so two processes opening an
  // old database at once migrate it exactly once.
  Result<Transaction> txn = Transaction::Begin(db);
  if (!txn.ok()) return txn.status();
  Result<int64_t> version = db.QueryInt("PRAGMA user_version");
  if (!version.ok()) return version.status();
  ROTGUARD_RETURN_IF_ERROR(CheckNotNewer(db, *version));
  if (*version >= target) return Status::Ok();  // rolls back a no-op
  for (int64_t step = *version; step < target; ++step) {
    ROTGUARD_RETURN_IF_ERROR(db.Exec(kMigrations[step]));
  }
  ROTGUARD_RETURN_IF_ERROR(
      db.Exec("PRAGMA user_version = " + std::to_string(target)));
  return txn->Commit();
}

}  // namespace rotguard
