#!/usr/bin/env bash
# `rotguard migrate --to postgresql://...` copies a SQLite manifest into
# PostgreSQL without losing a row: every table has the same row count on
# both sides, verify is clean against the PostgreSQL manifest, the CDXJ
# export is byte-identical from either manifest, a second migrate into the
# same database is refused, and archiving goes on from there (ids and the
# WARC serial continue; no file name is reused).
source "$(dirname "$0")/common.sh"
source "$ROTGUARD_SOURCE_DIR/tests/integration/pg_common.sh"

command -v python3 >/dev/null 2>&1 || { echo "python3 not installed: skipped"; exit 125; }
pg_start rotguard_migrated

mkdir -p root site/content/posts
printf '<html><body><img src="/pic.png">page</body></html>' >root/page.html
head -c 2000 /dev/zero | tr '\0' 'p' >root/pic.png
head -c 2000 /dev/zero | tr '\0' 'p' >root/same.png
python3 "$ROTGUARD_SOURCE_DIR/tools/fixture_server.py" --port 0 --root root \
  --port-file "$WORK/port" --idle-timeout 120 >"$WORK/server.out" 2>"$WORK/server.log" &
ON_EXIT+=("kill $! 2>/dev/null")
for _ in $(seq 100); do [ -s "$WORK/port" ] && break; sleep 0.1; done
[ -s "$WORK/port" ] || fail "fixture server did not start"
BASE="http://127.0.0.1:$(cat "$WORK/port")"
cat >site/content/posts/a.md <<MD
---
title: A "quoted" title with é
draft: false
---
[page]($BASE/page.html) [chain]($BASE/redirect/2?to=/same.png)
[dead]($BASE/status/404) <mailto:me@example.com>
MD
cd site
FLAGS=(--allow-private --delay 0 --per-host 4)

# A SQLite store with posts, links, captures, revisits, runs, an import.
expect_exit 2 "$ROTGUARD" --store .rotguard archive content "${FLAGS[@]}"
expect_exit 2 "$ROTGUARD" --store .rotguard archive content --all "${FLAGS[@]}"
python3 "$ROTGUARD_SOURCE_DIR/tools/gen_tiny_warc.py" "$WORK/tiny.warc.gz" 3000
expect_exit 0 "$ROTGUARD" --store .rotguard import "$WORK/tiny.warc.gz"
expect_exit 0 "$ROTGUARD" --store .rotguard export --cdxj "$WORK/sqlite.cdxj"
TABLES="meta documents urls links warc_files records runs captures public_submissions public_lookups tombstones purged_files verdict_changes work_queue work_hosts"
python3 - .rotguard/manifest.sqlite3 $TABLES >"$WORK/sqlite.counts" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for t in sys.argv[2:]:
    print(t, db.execute(f"SELECT count(*) FROM {t}").fetchone()[0])
PY

expect_exit 0 "$ROTGUARD" --store .rotguard migrate --to "$PG_URL"
expect_contains "$WORK/out" "counts and checksums match"
expect_contains "$WORK/out" "migrate: captures: "
for t in $TABLES; do
  want=$(awk -v t="$t" '$1 == t {print $2}' "$WORK/sqlite.counts")
  where=""
  [ "$t" != meta ] || where=" WHERE key <> 'schema_version'"
  got=$(psql "$PG_URL" -qAtc "SELECT count(*) FROM $t$where")
  [ "$got" = "$want" ] || fail "$t: $got rows in PostgreSQL, $want in SQLite"
done
[ "$(awk '$1 == "records" {print $2}' "$WORK/sqlite.counts")" -gt 3000 ] ||
  fail "the store to migrate is too small to mean anything"

PG=(--store .rotguard --manifest "$PG_URL")
expect_exit 0 "$ROTGUARD" "${PG[@]}" verify --deep
expect_exit 0 "$ROTGUARD" "${PG[@]}" export --cdxj "$WORK/pg.cdxj"
cmp "$WORK/sqlite.cdxj" "$WORK/pg.cdxj" || fail "CDXJ differs between the manifests"
expect_exit 0 "$ROTGUARD" "${PG[@]}" extract "$BASE/page.html" -o "$WORK/page"
expect_contains "$WORK/page" "page"

# Into a database that already holds a manifest: refused, nothing merged.
expect_exit 1 "$ROTGUARD" --store .rotguard migrate --to "$PG_URL"
expect_contains "$WORK/err" "already holds a manifest"
[ "$(pg_count captures)" = "$(awk '$1 == "captures" {print $2}' "$WORK/sqlite.counts")" ] ||
  fail "the refused migrate changed the captures"

# Archiving continues on PostgreSQL: new ids, the next WARC serial.
files_before=$(ls .rotguard/warc/*.warc.gz | wc -l)
expect_exit 2 "$ROTGUARD" "${PG[@]}" archive content --all "${FLAGS[@]}"
files_after=$(ls .rotguard/warc/*.warc.gz | wc -l)
[ "$files_after" -gt "$files_before" ] || fail "no new WARC file (a serial was reused?)"
expect_exit 0 "$ROTGUARD" "${PG[@]}" verify
echo "ok"
