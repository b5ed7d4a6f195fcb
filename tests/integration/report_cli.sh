#!/usr/bin/env bash
# `rotguard report` from the command line: missing store → 1, every format
# on a scanned store, -o FILE, --fail-on-dead, usage errors, and a store
# held by a writer → 4 (SPEC §3, §13 "Locks", "Exit codes, finer").
source "$ROTGUARD_SOURCE_DIR/tests/integration/common.sh"
command -v sqlite3 >/dev/null || { echo "sqlite3 CLI missing"; exit 125; }

expect_exit 1 "$ROTGUARD" report
expect_contains err ".rotguard"
[ ! -e .rotguard ] || fail "report created a store"

mkdir content
printf '[a](https://news.example.com/a.html), "quoted"\n![b](https://1.bp.blogspot.com/-x/AAA/s320/b.jpg)\n' >content/post.md
expect_exit 0 "$ROTGUARD" init
expect_exit 0 "$ROTGUARD" scan --update content

expect_exit 0 "$ROTGUARD" report
expect_contains out "1 documents, 2 links to 2 URLs: 2 unchecked"
expect_contains out "content/post.md"
grep -Eq '^  1:5 +link +unchecked +- +0 +- +- +https://news.example.com/a.html$' out ||
  { cat out >&2; fail "table row for the link"; }

expect_exit 0 "$ROTGUARD" report --format csv
[ "$(head -1 out)" = $'document,title,line,col,kind,written,url,verdict,failure_class,consecutive_failures,last_ok,final_url,group,warc_file,warc_offset,captured_at,captured_url,quality,public_copy,captured_by\r' ] ||
  fail "CSV header: $(head -1 out)"
[ "$(wc -l <out)" -eq 3 ] || fail "CSV: want a header and 2 rows"

expect_exit 0 "$ROTGUARD" report --json
python3 - out <<'EOF' || fail "JSON report"
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc["summary"]["links"] == 2, doc["summary"]
assert doc["summary"]["verdicts"]["unchecked"] == 2
links = doc["documents"][0]["links"]
assert links[1]["group"] == "https://1.bp.blogspot.com/-x/AAA/s0/b.jpg", links[1]
assert links[0]["archived"] is None
EOF

expect_exit 0 "$ROTGUARD" report --format html -o report.html
[ ! -s out ] || fail "-o still wrote to stdout"
expect_contains report.html "<!DOCTYPE html>"

expect_exit 0 "$ROTGUARD" report --fail-on-dead
sqlite3 .rotguard/manifest.sqlite3 \
  "update urls set verdict = 'gone', consecutive_failures = 3 where normalized = 'https://news.example.com/a.html'"
expect_exit 2 "$ROTGUARD" report --fail-on-dead --format csv
expect_contains out ",gone,"

expect_exit 1 "$ROTGUARD" report --format xml

# A writer holds the store: report exits 4 at once.
if command -v flock >/dev/null; then
  # -F: flock becomes the sleep, so the kill below ends the holder; a
  # forked sleep would outlive it holding ctest's output pipe for 30 s.
  flock -F -x .rotguard/lock sleep 30 &
  holder=$!
  for _ in $(seq 50); do
    flock -n -s .rotguard/lock true 2>/dev/null || break
    sleep 0.1
  done
  expect_exit 4 "$ROTGUARD" report
  kill "$holder" 2>/dev/null || true
  wait "$holder" 2>/dev/null || true
fi
echo "ok"
