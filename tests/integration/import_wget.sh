#!/usr/bin/env bash
# A WARC made by GNU wget imports cleanly (SPEC §11 interop): `rotguard
# import` creates the store, copies the file byte-identically into
# warc/imported/, indexes every record and a capture per response, and
# `verify --deep` then exits 0 with wget's chunked payload digest as a note.
# Importing the same bytes again is skipped; a damaged WARC exits 3 and
# leaves nothing behind.
source "$(dirname "$0")/common.sh"

command -v wget >/dev/null 2>&1 || { echo "wget not installed: skipped"; exit 125; }
command -v python3 >/dev/null 2>&1 || { echo "python3 not installed: skipped"; exit 125; }

mkdir -p root/dl
printf '<!doctype html><title>one</title><a href="/two.html">two</a>\n' >root/index.html
printf '<!doctype html><title>two</title><p>%s</p>\n' "$(printf 'two %.0s' {1..50})" >root/two.html

python3 "$ROTGUARD_SOURCE_DIR/tools/fixture_server.py" --port 0 --root root \
  --port-file "$WORK/port" --idle-timeout 60 --quiet >"$WORK/server.out" &
SERVER_PID=$!
trap 'rc=$?; set +e; kill "$SERVER_PID" 2>/dev/null; (exit $rc); cleanup' EXIT
for _ in $(seq 100); do [ -s "$WORK/port" ] && break; sleep 0.1; done
[ -s "$WORK/port" ] || fail "fixture server did not start"
BASE="http://127.0.0.1:$(cat "$WORK/port")"

rc=0
wget -q --tries=1 --timeout=10 --warc-file="$WORK/wget" -P root/dl \
  "$BASE/" "$BASE/chunked/5000" "$BASE/redirect/1?to=/two.html&code=301" \
  "$BASE/gzip/two.html" "$BASE/status/404" || rc=$?
[ "$rc" -eq 0 ] || [ "$rc" -eq 8 ] || fail "wget exited $rc"
WARC="$WORK/wget.warc.gz"
STORE="$WORK/store"

expect_exit 0 "$ROTGUARD" --store "$STORE" import --json "$WARC"
expect_contains "$WORK/out" '"name":"imported/wget.warc.gz"'
cmp "$WARC" "$STORE/warc/imported/wget.warc.gz" || fail "imported copy differs"
responses=$(gzip -dc "$WARC" | grep -ac '^WARC-Type: \(response\|resource\|revisit\)')
python3 - "$WORK/out" "$responses" <<'PY'
import json, sys
line = json.loads(open(sys.argv[1]).readline())
if line["captures"] != int(sys.argv[2]) or line["records"] < line["captures"]:
    print("FAIL: import reported %s, want %s captures" % (line, sys.argv[2]), file=sys.stderr)
    sys.exit(1)
PY

expect_exit 0 "$ROTGUARD" --store "$STORE" verify --deep --json
python3 - "$WORK/out" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
summary = lines[-1]["summary"]
findings = lines[:-1]
if summary["findings"] != 0 or summary["exit"] != 0:
    print("FAIL: summary %s" % summary, file=sys.stderr); sys.exit(1)
if [f["code"] for f in findings] != ["chunked-payload-digest"] or findings[0]["severity"] != "note":
    print("FAIL: findings %s" % findings, file=sys.stderr); sys.exit(1)
for key in ("code", "file", "offset", "url", "expected", "actual"):
    if key not in findings[0]:
        print("FAIL: finding lacks %s" % key, file=sys.stderr); sys.exit(1)
PY

# The same bytes again: skipped, nothing new.
expect_exit 0 "$ROTGUARD" --store "$STORE" import "$WARC"
expect_contains "$WORK/out" "already imported as imported/wget.warc.gz"

# A torn copy: exit 3 naming the file and offset; nothing left behind.
size=$(stat -c %s "$WARC")
head -c $((size - 40)) "$WARC" >"$WORK/torn.warc.gz"
expect_exit 3 "$ROTGUARD" --store "$STORE" import "$WORK/torn.warc.gz"
expect_contains "$WORK/err" "$WORK/torn.warc.gz: torn-member at offset "
[ "$(ls -A "$STORE/warc/imported")" = "wget.warc.gz" ] || fail "torn import left files: $(ls -A "$STORE/warc/imported")"
expect_exit 0 "$ROTGUARD" --store "$STORE" verify
echo ok
