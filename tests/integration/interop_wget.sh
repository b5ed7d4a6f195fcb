#!/usr/bin/env bash
# WARCs written by GNU wget (WARC/1.0, "<...>" target URIs, payload digests
# over chunked bytes) read cleanly in `rotguard inspect`: every record
# listed, brackets stripped, no error-level problem, and wget's chunked
# payload digest reported as a note (SPEC §13), so inspect exits 0.
# Also exercises tools/fixture_server.py: redirects, chunked, gzip, 404.
source "$(dirname "$0")/common.sh"

command -v wget >/dev/null 2>&1 || { echo "wget not installed: skipped"; exit 125; }
command -v python3 >/dev/null 2>&1 || { echo "python3 not installed: skipped"; exit 125; }

mkdir -p root/dl
cat >root/index.html <<'HTML'
<!doctype html><title>fixture</title><a href="/page2.html">two</a>
HTML
printf '<!doctype html><title>two</title><p>%s</p>\n' "$(printf 'page two %.0s' {1..50})" >root/page2.html

python3 "$ROTGUARD_SOURCE_DIR/tools/fixture_server.py" --port 0 --root root \
  --port-file "$WORK/port" --idle-timeout 60 --quiet >"$WORK/server.out" &
SERVER_PID=$!
trap 'rc=$?; set +e; kill "$SERVER_PID" 2>/dev/null; (exit $rc); cleanup' EXIT
for _ in $(seq 100); do [ -s "$WORK/port" ] && break; sleep 0.1; done
[ -s "$WORK/port" ] || fail "fixture server did not start"
PORT=$(cat "$WORK/port")
grep -qx "PORT=$PORT" "$WORK/server.out" || fail "fixture server did not print PORT=$PORT first"
BASE="http://127.0.0.1:$PORT"

# wget exits 8 when a server answers with an error status (the 404).
rc=0
wget -q --tries=1 --timeout=10 --warc-file="$WORK/wget" -P root/dl \
  "$BASE/" "$BASE/chunked/5000" "$BASE/redirect/2?to=/page2.html&code=301" \
  "$BASE/gzip/page2.html" "$BASE/status/404" || rc=$?
[ "$rc" -eq 0 ] || [ "$rc" -eq 8 ] || fail "wget exited $rc"
WARC="$WORK/wget.warc.gz"
[ -s "$WARC" ] || fail "wget wrote no WARC"

expect_exit 0 "$ROTGUARD" inspect --json "$WARC"
cp "$WORK/out" "$WORK/inspect.jsonl"
[ ! -s "$WORK/err" ] || { cat "$WORK/err" >&2; fail "inspect --json wrote to stderr"; }

python3 - "$WORK/inspect.jsonl" "$BASE" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
base = sys.argv[2]
def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)
records = [r for r in lines if r["warc-type"] is not None]
if len(records) != len(lines):
    fail("problems outside records: %s" % [r["problems"] for r in lines if r["warc-type"] is None])
types = {r["warc-type"] for r in records}
for t in ("warcinfo", "request", "response", "resource", "metadata"):
    if t not in types:
        fail("no %s record among %s" % (t, sorted(types)))
for r in records:
    uri = r["warc-target-uri"] or ""
    if uri.startswith("<") or uri.endswith(">"):
        fail("target URI keeps wget's brackets: %s" % uri)
    errors = [p for p in r["problems"] if p["severity"] != "note"]
    if errors:
        fail("error-level problems at %d: %s" % (r["offset"], errors))
def response(path):
    for r in records:
        if r["warc-type"] == "response" and r["warc-target-uri"] == base + path:
            return r
    fail("no response for %s" % path)
chunked = response("/chunked/5000")
codes = [p["code"] for p in chunked["problems"]]
if codes != ["chunked-payload-digest"] or chunked["problems"][0]["severity"] != "note":
    fail("chunked response problems: %s" % chunked["problems"])
for r in records:
    if r is not chunked and r["problems"]:
        fail("unexpected problems at %d: %s" % (r["offset"], r["problems"]))
if response("/redirect/2?to=/page2.html&code=301")["http:status"] != 301:
    fail("first redirect hop is not a 301")
if response("/page2.html")["http:status"] != 200:
    fail("redirect target not captured")
if response("/status/404")["http:status"] != 404:
    fail("404 not captured")
offsets = [r["offset"] for r in records]
if offsets != sorted(offsets) or offsets[0] != 0:
    fail("offsets not increasing from 0: %s" % offsets)
print("%d wget records read" % len(records))
PY

# Record count against the version lines in the file itself.
want=$(gzip -dc "$WARC" | grep -ac '^WARC/1.0'$'\r''$')
got=$(wc -l <"$WORK/inspect.jsonl")
[ "$got" -eq "$want" ] || fail "inspect lists $got records, the file has $want"

# Text mode: the note goes to stderr, hidden by -q; the exit code stays 0.
expect_exit 0 "$ROTGUARD" inspect "$WARC"
[ "$(wc -l <"$WORK/out")" -eq "$want" ] || fail "text mode lists $(wc -l <"$WORK/out") records"
expect_contains "$WORK/err" "rotguard: note: $WARC:"
expect_contains "$WORK/err" ": chunked-payload-digest: "
expect_exit 0 "$ROTGUARD" -q inspect "$WARC"
[ ! -s "$WORK/err" ] || { cat "$WORK/err" >&2; fail "-q still prints notes"; }

# HTTPS with the test CA (tools/make_test_ca.sh), and virtual hosts: a
# request for Host ift.tt is served from root/ift.tt/.
command -v openssl >/dev/null 2>&1 || { echo "openssl missing: TLS part skipped"; echo ok; exit 0; }
bash "$ROTGUARD_SOURCE_DIR/tools/make_test_ca.sh" "$WORK/ca"
mkdir -p root/ift.tt
echo '<!doctype html><title>ift.tt</title><a href="https://example.com/article">go</a>' >root/ift.tt/index.html
python3 "$ROTGUARD_SOURCE_DIR/tools/fixture_server.py" --port 0 --root root --tls \
  --cert "$WORK/ca/server.pem" --key "$WORK/ca/server.key" \
  --port-file "$WORK/tls-port" --idle-timeout 60 --max-requests 2 --quiet >/dev/null &
TLS_PID=$!
trap 'rc=$?; set +e; kill "$SERVER_PID" "$TLS_PID" 2>/dev/null; (exit $rc); cleanup' EXIT
for _ in $(seq 100); do [ -s "$WORK/tls-port" ] && break; sleep 0.1; done
[ -s "$WORK/tls-port" ] || fail "TLS fixture server did not start"
TLS_PORT=$(cat "$WORK/tls-port")
# Without the test CA, wget refuses the server (no HTTP request is made).
wget -q --tries=1 --timeout=10 -O /dev/null "https://localhost:$TLS_PORT/" &&
  fail "wget trusted the test server without the test CA"
wget -q --tries=1 --timeout=10 --ca-certificate="$WORK/ca/ca.pem" \
  --header="Host: ift.tt" --warc-file="$WORK/tls" -O "$WORK/tls-page.html" \
  "https://localhost:$TLS_PORT/" "https://localhost:$TLS_PORT/status/204" ||
  fail "wget over TLS with the test CA failed"
expect_contains "$WORK/tls-page.html" "<title>ift.tt</title>"
# --max-requests 2: the server is gone after its second request.
server_running() {  # PID: alive and not a zombie (Linux /proc, no procps needed)
  [ -r "/proc/$1/stat" ] && ! grep -q ') Z ' "/proc/$1/stat" 2>/dev/null
}
for _ in $(seq 50); do server_running "$TLS_PID" || break; sleep 0.1; done
server_running "$TLS_PID" && fail "fixture server outlived --max-requests"
expect_exit 0 "$ROTGUARD" inspect --json "$WORK/tls.warc.gz"
expect_contains "$WORK/out" "\"warc-target-uri\":\"https://localhost:$TLS_PORT/\""
echo ok
