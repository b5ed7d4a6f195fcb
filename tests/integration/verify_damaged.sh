#!/usr/bin/env bash
# verify/repair through the CLI (SPEC §13 "verify output", "Locks"): the
# text and JSON line formats, exit 3 on a finding, a torn tail repaired
# into damaged/ and then exit 0, a damaged manifest reported as
# sqlite-integrity (exit 3), and exit 4 while another run holds the lock.
source "$(dirname "$0")/common.sh"
DATA="$ROTGUARD_SOURCE_DIR/tests/data/warc"
STORE="$WORK/store"

expect_exit 0 "$ROTGUARD" --store "$STORE" import "$DATA/good.warc.gz"
expect_exit 0 "$ROTGUARD" --store "$STORE" verify
expect_contains "$WORK/out" "0 findings"

# A torn tail, as a killed writer leaves it.
head -c 1000 "$DATA/good.warc.gz" >"$STORE/warc/imported/good.warc.gz"
expect_exit 3 "$ROTGUARD" --store "$STORE" verify
expect_contains "$WORK/out" "verify: size-mismatch imported/good.warc.gz: expected 1165 bytes, actual 1000 bytes"
expect_contains "$WORK/out" "verify: torn-member imported/good.warc.gz@903: "
# The manifest's row for the torn record: its bytes are gone.
expect_contains "$WORK/out" "verify: lost-record imported/good.warc.gz@903 file:posts/a.md: "
expect_exit 3 "$ROTGUARD" --store "$STORE" verify --json
python3 - "$WORK/out" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
codes = [(l["code"], l["file"], l["offset"]) for l in lines[:-1]]
want = [("size-mismatch", "imported/good.warc.gz", None),
        ("torn-member", "imported/good.warc.gz", 903),
        ("lost-record", "imported/good.warc.gz", 903)]
if codes != want:
    print("FAIL: %s" % codes, file=sys.stderr); sys.exit(1)
if lines[-1]["summary"]["findings"] != 3 or lines[-1]["summary"]["exit"] != 3:
    print("FAIL: summary %s" % lines[-1], file=sys.stderr); sys.exit(1)
PY

expect_exit 0 "$ROTGUARD" --store "$STORE" repair --dry-run
expect_contains "$WORK/out" "repair: would truncate-tail imported/good.warc.gz@903"
[ "$(stat -c %s "$STORE/warc/imported/good.warc.gz")" -eq 1000 ] || fail "dry run changed the file"
expect_exit 0 "$ROTGUARD" --store "$STORE" repair
expect_contains "$WORK/out" "repair: truncate-tail imported/good.warc.gz@903"
cmp <(tail -c +904 <(head -c 1000 "$DATA/good.warc.gz")) "$STORE/damaged/imported_good.warc.gz.903.damaged" ||
  fail "damaged/ does not hold the cut bytes"
expect_exit 0 "$ROTGUARD" --store "$STORE" verify --deep --json
expect_contains "$WORK/out" '"lost_captures":1'

# Another run holds the lock: 4, at once.
python3 - "$STORE/lock" <<'PY' &
import fcntl, sys, time
f = open(sys.argv[1], "a")
fcntl.flock(f, fcntl.LOCK_EX)
open(sys.argv[1] + ".held", "w").close()
time.sleep(20)
PY
LOCK_PID=$!
for _ in $(seq 100); do [ -e "$STORE/lock.held" ] && break; sleep 0.1; done
expect_exit 4 "$ROTGUARD" --store "$STORE" verify
expect_exit 4 "$ROTGUARD" --store "$STORE" repair
kill "$LOCK_PID" 2>/dev/null || true
wait "$LOCK_PID" 2>/dev/null || true
rm -f "$STORE/lock.held"

# A manifest that is not a database any more: sqlite-integrity, exit 3.
head -c 100 /dev/urandom >"$STORE/manifest.sqlite3.bad"
cp "$STORE/manifest.sqlite3.bad" "$STORE/manifest.sqlite3"
rm -f "$STORE/manifest.sqlite3-wal" "$STORE/manifest.sqlite3-shm"
expect_exit 3 "$ROTGUARD" --store "$STORE" verify --json
expect_contains "$WORK/out" '"code":"sqlite-integrity"'
echo ok
