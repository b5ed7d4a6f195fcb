#!/usr/bin/env bash
# The manifest on PostgreSQL (--manifest postgresql://...): the demo's flow
# (init, scan --update, archive against the loopback fixture web, verify,
# report, restore, extract, export, import, forget --purge) works against a real
# PostgreSQL 15 server started for the test, with the WARC files in the
# store directory and no manifest.sqlite3 at all; [manifest] url in
# rotguard.toml and ROTGUARD_MANIFEST select it the same way.
source "$(dirname "$0")/common.sh"
source "$ROTGUARD_SOURCE_DIR/tests/integration/pg_common.sh"

command -v python3 >/dev/null 2>&1 || { echo "python3 not installed: skipped"; exit 125; }
pg_start rotguard_flow

mkdir -p root site/content/posts
cat >root/page.html <<'HTML'
<html><head><link rel="stylesheet" href="/style.css"></head>
<body><img src="/pic.png"><p>archived page</p></body></html>
HTML
printf 'body { color: red }\n' >root/style.css
head -c 3000 /dev/zero | tr '\0' 'p' >root/pic.png
head -c 3000 /dev/zero | tr '\0' 'p' >root/same.png

python3 "$ROTGUARD_SOURCE_DIR/tools/fixture_server.py" --port 0 --root root \
  --port-file "$WORK/port" --idle-timeout 120 >"$WORK/server.out" 2>"$WORK/server.log" &
ON_EXIT+=("kill $! 2>/dev/null")
for _ in $(seq 100); do [ -s "$WORK/port" ] && break; sleep 0.1; done
[ -s "$WORK/port" ] || fail "fixture server did not start"
BASE="http://127.0.0.1:$(cat "$WORK/port")"

cat >site/content/posts/hello.md <<MD
---
title: Hello
---
A [page]($BASE/page.html), a [chain]($BASE/redirect/2?to=/same.png),
an ![image]($BASE/pic.png) and a [dead one]($BASE/status/404).
MD

cd site
PG=(--store .rotguard --manifest "$PG_URL")
FLAGS=(--allow-private --delay 0 --per-host 4)

# A server that refuses init (here: no such database) leaves no half-made
# store behind, so the retry is a first init.
expect_exit 5 "$ROTGUARD" --store .rotguard --manifest "${PG_URL%/*}/no_such_db" init
[ ! -e .rotguard ] || fail "a failed init left .rotguard behind"
expect_exit 0 "$ROTGUARD" "${PG[@]}" init
expect_contains "$WORK/out" "initialized store at .rotguard"
[ ! -e .rotguard/manifest.sqlite3 ] || fail "init made a manifest.sqlite3"
[ "$(psql "$PG_URL" -qAtc "SELECT value FROM meta WHERE key = 'schema_version'")" -ge 5 ] ||
  fail "no schema in PostgreSQL"

expect_exit 0 "$ROTGUARD" "${PG[@]}" scan --update content
[ "$(pg_count links)" = 4 ] || fail "scan --update: $(pg_count links) links in PostgreSQL, want 4"

expect_exit 2 "$ROTGUARD" "${PG[@]}" --json archive content "${FLAGS[@]}"
python3 - "$WORK/out" <<'PY' || fail "archive summary"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["documents"] == 1 and s["due"] == 4, s
assert s["failed_links"] == 1, s  # the 404
assert s["captures"] >= 7, s
PY
[ ! -e .rotguard/manifest.sqlite3 ] || fail "archive made a manifest.sqlite3"
ls .rotguard/warc/*.warc.gz >/dev/null || fail "no WARC file in the store directory"
captures=$(pg_count captures)
[ "$captures" -ge 7 ] || fail "$captures captures in PostgreSQL"

# --all again: identical payloads become revisits of originals in PG.
expect_exit 2 "$ROTGUARD" "${PG[@]}" --json archive content --all "${FLAGS[@]}"
python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); assert s["revisits"]>=1, s' \
  "$WORK/out" || fail "--all made no revisit"

expect_exit 0 "$ROTGUARD" "${PG[@]}" verify
expect_exit 0 "$ROTGUARD" "${PG[@]}" verify --deep

expect_exit 0 "$ROTGUARD" "${PG[@]}" --json report
expect_contains "$WORK/out" "$BASE/page.html"
expect_contains "$WORK/out" "posts/hello.md"

expect_exit 0 "$ROTGUARD" "${PG[@]}" extract "$BASE/page.html" -o "$WORK/page.html"
expect_contains "$WORK/page.html" "archived page"

expect_exit 0 "$ROTGUARD" "${PG[@]}" restore content --out "$WORK/restored"
[ -s "$WORK/restored/index.html" ] || fail "restore wrote no index.html"
ls "$WORK"/restored/assets/127.0.0.1*/ >/dev/null 2>&1 || fail "restore wrote no assets"

expect_exit 0 "$ROTGUARD" "${PG[@]}" export --cdxj "$WORK/index.cdxj"
grep -F "page.html" "$WORK/index.cdxj" >/dev/null || fail "export lacks the page"

# A foreign WARC imported into the PostgreSQL manifest, then verified.
expect_exit 0 "$ROTGUARD" "${PG[@]}" repair --dry-run
python3 "$ROTGUARD_SOURCE_DIR/tools/gen_tiny_warc.py" "$WORK/tiny.warc.gz" 20
expect_exit 0 "$ROTGUARD" "${PG[@]}" import "$WORK/tiny.warc.gz"
[ "$(pg_count captures)" -gt "$captures" ] || fail "import added no captures"
expect_exit 0 "$ROTGUARD" "${PG[@]}" verify

# A takedown with --purge against the PostgreSQL manifest: the page's
# records leave the WARC files, its tombstone is in PostgreSQL, verify is
# clean, extract finds nothing, and --undo removes the tombstone only.
expect_exit 0 "$ROTGUARD" "${PG[@]}" forget --reason "takedown" --purge "$BASE/page.html"
expect_contains "$WORK/out" "purge: "
[ "$(pg_count tombstones)" = 1 ] || fail "$(pg_count tombstones) tombstones in PostgreSQL"
[ "$(psql "$PG_URL" -qAtc "SELECT count(*) FROM records WHERE forgotten = 1")" = 0 ] ||
  fail "forgotten records left after --purge"
expect_exit 0 "$ROTGUARD" "${PG[@]}" verify --deep
expect_exit 1 "$ROTGUARD" "${PG[@]}" extract "$BASE/page.html"
expect_exit 0 "$ROTGUARD" "${PG[@]}" forget --list
expect_contains "$WORK/out" "$BASE/page.html"
# Every judged URL has a verdict history, written by the PL/pgSQL trigger.
[ "$(psql "$PG_URL" -qAtc "SELECT count(DISTINCT url_id) FROM verdict_changes")" -ge 4 ] ||
  fail "no verdict history in PostgreSQL"
expect_exit 0 "$ROTGUARD" "${PG[@]}" forget --undo "$BASE/page.html"
expect_contains "$WORK/out" "tombstone removed"
[ "$(pg_count tombstones)" = 0 ] || fail "--undo left the tombstone"

# repair --rebuild-manifest is for manifest.sqlite3 only: refused, exit 1.
expect_exit 1 "$ROTGUARD" "${PG[@]}" repair --rebuild-manifest
expect_contains "$WORK/err" "PostgreSQL"

# The same store through ROTGUARD_MANIFEST and through [manifest] url.
ROTGUARD_MANIFEST="$PG_URL" expect_exit 0 "$ROTGUARD" --store .rotguard verify
printf '\n[manifest]\nurl = "%s"\n' "$PG_URL" >"$WORK/pg.toml"
expect_exit 0 "$ROTGUARD" --store .rotguard --config "$WORK/pg.toml" --json report
expect_contains "$WORK/out" "$BASE/page.html"
[ ! -e .rotguard/manifest.sqlite3 ] || fail "a manifest.sqlite3 appeared"
# init --manifest wrote [manifest] url into the store's own rotguard.toml,
# so the store needs no flag at all.
grep -Fx "url = \"$PG_URL\"" .rotguard/rotguard.toml >/dev/null ||
  fail "init did not write [manifest] url = \"$PG_URL\""
expect_exit 0 "$ROTGUARD" --store .rotguard --json report
expect_contains "$WORK/out" "$BASE/page.html"
[ ! -e .rotguard/manifest.sqlite3 ] || fail "a manifest.sqlite3 appeared"

# A server that is not there: exit 5 naming it, nothing created.
expect_exit 5 "$ROTGUARD" --store .rotguard \
  --manifest "postgresql://postgres@127.0.0.1:1/nowhere?connect_timeout=2" verify
expect_contains "$WORK/err" "127.0.0.1:1"
echo "ok"
