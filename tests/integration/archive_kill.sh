#!/usr/bin/env bash
# kill -9 in the middle of `rotguard archive` (SPEC §4 durability): every
# captures row already committed points at a record that reads back from
# its WARC file with the same digests (inspect --json), and a later run on
# the same store works and leaves it consistent.
source "$(dirname "$0")/common.sh"
source "$ROTGUARD_SOURCE_DIR/tests/integration/fixture_lib.sh"
fixture_start

# Many pages with requisites plus slow answers keep the run busy for a while.
: >urls.txt
for i in $(seq 40); do echo "https://scenarios.example.org/page/k$i" >>urls.txt; done
for i in $(seq 10); do echo "http://scenarios.example.org/slow/4000?n=$i" >>urls.txt; done
fetch_config per_host=2 jobs=4

archive_and_kill9 5
echo "killed after $committed committed captures"

# check_committed: every captures row reads back with matching digests.
check_committed() {
  sql "SELECT warc_file, record_offset, payload_sha1, block_sha1, url FROM captures" >"$WORK/captures.txt"
  [ -s "$WORK/captures.txt" ] || fail "no captures rows"
  : >"$WORK/records.jsonl"
  local name file
  for name in $(cut -d'|' -f1 "$WORK/captures.txt" | sort -u); do
    file=$(ls "$STORE/warc/$name"* 2>/dev/null | head -1)
    [ -n "$file" ] || fail "captures point at $name, which is not in $STORE/warc"
    # A torn tail after the last commit may be reported; the committed
    # records must not be.
    "$ROTGUARD" inspect --json "$file" >"$WORK/inspect.jsonl" 2>/dev/null || true
    python3 -c '
import json, sys
for line in open(sys.argv[1]):
    if line.strip():
        record = json.loads(line)
        record["name"] = sys.argv[2]
        print(json.dumps(record))' "$WORK/inspect.jsonl" "$name" >>"$WORK/records.jsonl"
  done
  python3 - "$WORK/captures.txt" "$WORK/records.jsonl" <<'PY'
import json, sys
from fixture_check import fail
records = {}
for line in open(sys.argv[2]):
    r = json.loads(line)
    if r.get("offset") is not None and r["warc-type"] is not None:
        records[(r["name"], r["offset"])] = r
rows = [line.rstrip("\n").split("|") for line in open(sys.argv[1]) if line.strip()]
for name, offset, payload_sha1, block_sha1, url in rows:
    r = records.get((name, int(offset)))
    if r is None:
        fail("captures row for %s: no record at %s:%s" % (url, name, offset))
    if r["warc-target-uri"] != url:
        fail("record at %s:%s is %s, not %s" % (name, offset, r["warc-target-uri"], url))
    if [p for p in r["problems"] if p["severity"] != "note"]:
        fail("record at %s:%s has problems: %s" % (name, offset, r["problems"]))
    if payload_sha1 and r["warc-payload-digest"] != "sha1:" + payload_sha1:
        fail("payload digest of %s: WARC %s, manifest %s" % (url, r["warc-payload-digest"], payload_sha1))
    if block_sha1 and r["warc-block-digest"] != "sha1:" + block_sha1:
        fail("block digest of %s: WARC %s, manifest %s" % (url, r["warc-block-digest"], block_sha1))
print("%d committed captures read back" % len(rows))
PY
}
check_committed

# The next run takes the store over (stale lock, open WARC file) and finishes.
ls "$STORE"/warc/*.open >/dev/null 2>&1 || fail "no .open WARC file left by the kill"
archive 0 -i urls.txt
check_committed
# Issue #14: it closed the killed run's .open file as repair would, and said
# so on stderr and in the log; the store verifies clean.
expect_contains "$WORK/err" "stale WARC from an interrupted run: close-open "
expect_contains "$STORE/logs/rotguard.log" "stale WARC from an interrupted run"
ls "$STORE"/warc/*.open >/dev/null 2>&1 && fail "a stale .open WARC file is left"
expect_exit 0 "$ROTGUARD" --store "$STORE" verify
unjudged=$(sql "SELECT count(*) FROM urls WHERE normalized LIKE '%/page/k%' AND verdict != 'ok'")
if [ "$unjudged" != 0 ]; then
  # A rare failure seen once: keep what explains it (the URL rows, their
  # captures with the run that wrote them, and what each run logged).
  sql "SELECT u.normalized, u.verdict, u.consecutive_failures, c.run_id, c.http_status, c.source, c.lost, c.warc_file
       FROM urls u LEFT JOIN captures c ON c.url_id = u.id
       WHERE u.normalized LIKE '%/page/k%' AND u.verdict != 'ok'" >&2
  sql "SELECT id, command, exit_code FROM runs" >&2 || true
  cat "$WORK/run1.err" "$WORK/err" >&2
  fail "$unjudged /page/ URLs are not judged ok after the takeover run"
fi
echo "archive_kill: ok"
