#!/usr/bin/env bash
# tools/fixture_server.py, the loopback web the fetch tests and the demo use:
# every built-in route answers as documented, paths cannot leave --root, and
# the server exits on --idle-timeout so it never outlives a test.
source "$(dirname "$0")/common.sh"

command -v python3 >/dev/null 2>&1 || { echo "python3 not installed: skipped"; exit 125; }
command -v curl >/dev/null 2>&1 || { echo "curl not installed: skipped"; exit 125; }

mkdir -p root/example.com
echo '<p>default host</p>' >root/index.html
echo '<p>example.com host</p>' >root/example.com/index.html
echo 'secret' >"$WORK/outside.txt"

python3 "$ROTGUARD_SOURCE_DIR/tools/fixture_server.py" --port 0 --root root \
  --port-file "$WORK/port" --idle-timeout 3 --quiet >"$WORK/server.out" &
SERVER_PID=$!
trap 'rc=$?; set +e; kill "$SERVER_PID" 2>/dev/null; (exit $rc); cleanup' EXIT
for _ in $(seq 100); do [ -s "$WORK/port" ] && break; sleep 0.1; done
[ -s "$WORK/port" ] || fail "fixture server did not start"
PORT=$(cat "$WORK/port")
BASE="http://127.0.0.1:$PORT"
get() { curl -sS --max-time 10 "$@"; }

[ "$(get "$BASE/")" = "<p>default host</p>" ] || fail "static file"
[ "$(get --resolve "example.com:$PORT:127.0.0.1" "http://example.com:$PORT/")" = "<p>example.com host</p>" ] ||
  fail "virtual host by Host header"
[ "$(get -o /dev/null -w '%{http_code}' --path-as-is "$BASE/../outside.txt")" = 404 ] || fail "path left --root"

# /redirect/<n>: n hops with the asked code, then the target.
[ "$(get -o /dev/null -w '%{http_code} %{redirect_url}' "$BASE/redirect/1?to=/x&code=308")" = "308 $BASE/x" ] ||
  fail "single 308 hop"
[ "$(get -L -o /dev/null -w '%{num_redirects} %{url_effective}' "$BASE/redirect/3?to=/")" = "3 $BASE/" ] ||
  fail "3-hop chain"
[ "$(get -L --max-redirs 5 -o /dev/null -w '%{http_code}' "$BASE/loop" 2>/dev/null)" = 302 ] || fail "/loop is not endless"

# /chunked, /gzip, /big: framing and sizes.
get -D "$WORK/h" -o "$WORK/body" "$BASE/chunked/2500"
grep -qi '^Transfer-Encoding: chunked' "$WORK/h" || fail "/chunked not chunked"
[ "$(wc -c <"$WORK/body")" -eq 2500 ] || fail "/chunked/2500 size"
get --raw -o "$WORK/raw" "$BASE/chunked/2500"
grep -q $'^3e8\r$' "$WORK/raw" || fail "/chunked/2500 not sent in 1000-byte chunks"
get -D "$WORK/h" -o "$WORK/gz" "$BASE/gzip/index.html"
grep -qi '^Content-Encoding: gzip' "$WORK/h" || fail "/gzip has no Content-Encoding"
[ "$(gzip -dc "$WORK/gz")" = "<p>default host</p>" ] || fail "/gzip body"
[ "$(get -o /dev/null -w '%{size_download}' "$BASE/big/3000000")" = 3000000 ] || fail "/big size"

# /status, /slow, refresh pages, /headers.
[ "$(get -o /dev/null -w '%{http_code}' "$BASE/status/410")" = 410 ] || fail "/status/410"
get -D "$WORK/h" -o /dev/null "$BASE/status/429"
grep -qi '^Retry-After: 1' "$WORK/h" || fail "/status/429 without Retry-After"
slow=$(get -o /dev/null -w '%{time_total}' "$BASE/slow/400")
python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) >= 0.4 else 1)" "$slow" || fail "/slow/400 took $slow s"
get "$BASE/meta-refresh?to=/next" | grep -q '<meta http-equiv="refresh" content="0; url=/next">' ||
  fail "/meta-refresh"
get -D "$WORK/h" -o /dev/null "$BASE/refresh-header?to=/next"
grep -qi '^Refresh: 0; url=/next' "$WORK/h" || fail "/refresh-header"
get -A "probe/1" "$BASE/headers" | grep -q '"User-Agent": "probe/1"' || fail "/headers"

# --idle-timeout 3: gone a few seconds after the last request.
for _ in $(seq 100); do
  [ -r "/proc/$SERVER_PID/stat" ] && ! grep -q ') Z ' "/proc/$SERVER_PID/stat" || break
  sleep 0.1
done
[ -r "/proc/$SERVER_PID/stat" ] && ! grep -q ') Z ' "/proc/$SERVER_PID/stat" &&
  fail "fixture server outlived --idle-timeout"
grep -qx "PORT=$PORT" "$WORK/server.out" || fail "first stdout line is not PORT=$PORT"
echo ok
