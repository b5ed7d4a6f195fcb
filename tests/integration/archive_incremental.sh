#!/usr/bin/env bash
# Requisites, incremental runs and dedupe of `rotguard archive` against the
# fixture web (SPEC §6, §7): a linked page brings its requisites (CSS, JS,
# images incl. another host's, favicon, the CSS background and font) at
# depth 1; a second run with nothing due sends no request at all (counted
# in the fixture's request log); --all fetches again and every identical
# payload of at least 1 KiB becomes a revisit record pointing at its
# original (identical-payload-digest profile), smaller ones stay responses.
source "$(dirname "$0")/common.sh"
source "$ROTGUARD_SOURCE_DIR/tests/integration/fixture_lib.sh"
fixture_start

PAGE=https://scenarios.example.org/page/home
SMALL=http://scenarios.example.org/status/200
mkdir -p site/content/posts
cat >site/content/posts/reading.md <<POST
---
title: Reading list
---
A [page]($PAGE), two articles ([one](https://news.example.com/2021/a.html),
[two](https://www.ehackingnews.com/2021/b.html)) and a [tiny one]($SMALL).
POST
cd site
STORE=$WORK/site/.rotguard

archive 0 content
[ "$(summary 's["due"], s["failed"]')" = "(4, 0)" ] || fail "first run: $(cat "$WORK/summary.json")"
for path in assets/home.css assets/home.js assets/home.png favicon.ico assets/home-bg.png assets/home.woff2; do
  expect_sql "SELECT http_status FROM captures WHERE url = 'https://scenarios.example.org/$path'" 200
done
expect_sql "SELECT http_status FROM captures WHERE url = 'https://cdn.example.net/assets/home-photo.jpg'" 200
# Depth 1: the requisites' own links and the pages' <a href> are not fetched.
grep -q ' GET /elsewhere ' "$FIXTURE_LOG" && fail "an <a href> of a linked page was fetched"
first_requests=$(requests_logged)

# Nothing due: no request reaches the fixture.
archive 0 content
[ "$(summary 's["due"], s["jobs"], s["captures"]')" = "(0, 0, 0)" ] ||
  fail "second run was not empty: $(cat "$WORK/summary.json")"
[ "$(requests_logged)" = "$first_requests" ] ||
  fail "second run sent $(($(requests_logged) - first_requests)) requests: $(tail -n +$((first_requests + 1)) "$FIXTURE_LOG")"

# --all: everything again; identical payloads >= 1 KiB become revisits.
archive 0 content --all
[ "$(requests_logged)" -gt "$first_requests" ] || fail "--all fetched nothing"
revisits=$(summary 's["revisits"]')
[ "$revisits" -ge 5 ] || fail "--all made only $revisits revisits: $(cat "$WORK/summary.json")"
expect_sql "SELECT count(*) FROM captures WHERE url = '$SMALL' AND revisit_of != ''" 0
[ "$(sql "SELECT count(*) FROM captures WHERE url = 'https://scenarios.example.org/assets/home.js' AND revisit_of != ''")" = 1 ] ||
  fail "home.js was not deduplicated on the second fetch"

load_records
python3 - "$WORK/records.jsonl" "$SMALL" <<'PY'
import sys
from fixture_check import *
records = load(sys.argv[1])
small = sys.argv[2]
expect_no_problems(records)
by_id = {r["warc-record-id"]: r for r in records}
revisits = [r for r in records if r["warc-type"] == "revisit"]
if not revisits:
    fail("no revisit record")
for revisit in revisits:
    warc, head, payload = read_record(revisit["path"], revisit["offset"])
    if warc.get("warc-profile") != "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest":
        fail("revisit profile %r" % warc.get("warc-profile"))
    original = by_id.get(warc.get("warc-refers-to"))
    if original is None or original["warc-type"] != "response":
        fail("revisit of %s refers to %r, not a response here" % (revisit["warc-target-uri"], warc.get("warc-refers-to")))
    if warc.get("warc-refers-to-target-uri") != original["warc-target-uri"]:
        fail("WARC-Refers-To-Target-URI %r != %r" % (warc.get("warc-refers-to-target-uri"), original["warc-target-uri"]))
    if revisit["warc-payload-digest"] != original["warc-payload-digest"]:
        fail("revisit digest differs from its original")
    if records.index(original) > records.index(revisit) and original["path"] == revisit["path"]:
        fail("revisit written before its original")
    if payload:
        fail("revisit of %s stores a payload" % revisit["warc-target-uri"])
    _, _, original_payload = read_record(original["path"], original["offset"])
    if len(original_payload) < 1024:
        fail("revisit for a payload of %d bytes (< 1 KiB)" % len(original_payload))
small_records = [r["warc-type"] for r in records if r["warc-target-uri"] == small and r["warc-type"] != "request"]
if small_records != ["response", "response"]:
    fail("the small page was recorded as %s" % small_records)
PY
echo "archive_incremental: ok"
