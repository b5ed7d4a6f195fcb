#!/usr/bin/env bash
# tools/fixture_server.py, the loopback web the fetch tests and the demo use:
# every built-in route answers as documented, paths cannot leave --root, and
# the server exits on --idle-timeout so it never outlives a test. Then
# tools/fixture-web (the impersonated hosts over HTTP and TLS): every
# scenario route of the contract, the request log and /_stats, the bad
# certificate, the connect-timeout blackhole, --high-ports, stop and
# --max-seconds.
source "$(dirname "$0")/common.sh"

command -v python3 >/dev/null 2>&1 || { echo "python3 not installed: skipped"; exit 125; }
command -v curl >/dev/null 2>&1 || { echo "curl not installed: skipped"; exit 125; }

mkdir -p root/example.com
echo '<p>default host</p>' >root/index.html
echo '<p>example.com host</p>' >root/example.com/index.html
echo 'secret' >"$WORK/outside.txt"

python3 "$ROTGUARD_SOURCE_DIR/tools/fixture_server.py" --port 0 --root root \
  --port-file "$WORK/port" --idle-timeout 8 --quiet >"$WORK/server.out" &
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
get "$BASE/meta-refresh?to=/next" | grep '<meta http-equiv="refresh" content="0; url=/next">' >/dev/null ||
  fail "/meta-refresh"
get -D "$WORK/h" -o /dev/null "$BASE/refresh-header?to=/next"
grep -qi '^Refresh: 0; url=/next' "$WORK/h" || fail "/refresh-header"
get -A "probe/1" "$BASE/headers" | grep '"User-Agent": "probe/1"' >/dev/null || fail "/headers"

# --idle-timeout 8 (long enough for a loaded CI host between two requests):
# gone a few seconds after the last request.
for _ in $(seq 250); do
  [ -r "/proc/$SERVER_PID/stat" ] && ! grep -q ') Z ' "/proc/$SERVER_PID/stat" || break
  sleep 0.1
done
[ -r "/proc/$SERVER_PID/stat" ] && ! grep -q ') Z ' "/proc/$SERVER_PID/stat" &&
  fail "fixture server outlived --idle-timeout"
grep -qx "PORT=$PORT" "$WORK/server.out" || fail "first stdout line is not PORT=$PORT"
echo "single server: ok"

command -v openssl >/dev/null 2>&1 || { echo "openssl missing: fixture-web part skipped"; exit 0; }
FW="$ROTGUARD_SOURCE_DIR/tools/fixture-web"
eval "$("$FW" start --dir "$WORK/web" --max-seconds 300)"
trap 'rc=$?; set +e; "$FW" stop --dir "$WORK/web"; "$FW" stop --dir "$WORK/web2"; (exit $rc); cleanup' EXIT
[[ $FIXTURE_ADDR =~ ^127\.[0-9]+\.[0-9]+\.[0-9]+$ ]] || fail "FIXTURE_ADDR=$FIXTURE_ADDR"
[ "$FIXTURE_CACERT" = "$WORK/web/ca.pem" ] && [ -s "$FIXTURE_CACERT" ] || fail "FIXTURE_CACERT=$FIXTURE_CACERT"
[ "$FIXTURE_LOG" = "$WORK/web/requests.log" ] || fail "FIXTURE_LOG=$FIXTURE_LOG"
if [ "$FIXTURE_HTTP_PORT" = 80 ]; then
  expect_contains <(echo "$FIXTURE_ARGS") "--resolve ift.tt:443:$FIXTURE_ADDR"
else
  expect_contains <(echo "$FIXTURE_ARGS") "--connect-to ift.tt:443:$FIXTURE_ADDR:$FIXTURE_HTTPS_PORT"
fi
read -ra FA <<<"$FIXTURE_ARGS"  # the rotguard flags are curl flags too
web() { curl -sS --max-time 20 "${FA[@]}" "$@"; }
status_of() { web -o /dev/null -w '%{http_code}' "$@"; }

# Shorteners: ift.tt 301 -> feedburner 302 -> article 200; bit.ly 301; t.co
# answers 200 with an interstitial (meta refresh + location.replace).
[ "$(web -o /dev/null -w '%{http_code} %{redirect_url}' https://ift.tt/31zykrh)" = \
  "301 https://feeds.feedburner.com/~r/31zykrh" ] || fail "ift.tt hop"
[ "$(web -o /dev/null -w '%{http_code} %{redirect_url}' http://feeds.feedburner.com/~r/31zykrh)" = \
  "302 https://www.ehackingnews.com/2020/02/31zykrh.html" ] || fail "feedburner hop"
[ "$(web -L -o /dev/null -w '%{http_code} %{num_redirects} %{url_effective}' https://ift.tt/31zykrh)" = \
  "200 2 https://www.ehackingnews.com/2020/02/31zykrh.html" ] || fail "ift.tt chain end"
[ "$(web -L -o /dev/null -w '%{num_redirects} %{url_effective}' https://bit.ly/b1)" = \
  "1 https://news.example.com/b1" ] || fail "bit.ly"
web https://t.co/t1 >"$WORK/t.html"
expect_contains "$WORK/t.html" '<META http-equiv="refresh" content="0;URL=https://news.example.com/t1">'
expect_contains "$WORK/t.html" 'location.replace("https:\/\/news.example.com\/t1")'
web "https://scenarios.example.org/interstitial?to=https://example.com/x" >"$WORK/i.html"
expect_contains "$WORK/i.html" 'content="0;URL=https://example.com/x"'

# Articles and /page/: requisites (CSS with background and font, JS, two
# images, one on cdn.example.net, favicon) that all answer 200.
web https://www.ehackingnews.com/2020/02/31zykrh.html >"$WORK/article.html"
for ref in 'href="/assets/article.css"' 'src="/assets/article.js"' 'href="/favicon.ico"' \
  'src="/assets/article.png"' 'src="https://cdn.example.net/assets/article-photo.jpg"'; do
  expect_contains "$WORK/article.html" "$ref"
done
web http://scenarios.example.org/page/p1 | grep 'href="/assets/p1.css"' >/dev/null || fail "/page/p1"
web https://scenarios.example.org/assets/p1.css >"$WORK/p1.css"
expect_contains "$WORK/p1.css" "url(/assets/p1-bg.png)"
expect_contains "$WORK/p1.css" "url(/assets/p1.woff2)"
for u in https://news.example.com/assets/article.css https://news.example.com/assets/article.js \
  https://news.example.com/assets/article.png https://news.example.com/assets/article-bg.png \
  https://news.example.com/assets/article.woff2 https://news.example.com/favicon.ico \
  https://cdn.example.net/assets/article-photo.jpg https://news.example.com/t1; do
  [ "$(status_of "$u")" = 200 ] || fail "$u is not 200"
done
# Assets depend on the path only, so two hosts give identical payloads
# (revisits), and they are big enough (>= 1 KiB) to be deduplicated.
cmp -s <(web https://news.example.com/assets/article.js) <(web https://www.ehackingnews.com/assets/article.js) ||
  fail "same asset path differs between hosts"
[ "$(web -o /dev/null -w '%{size_download}' https://news.example.com/assets/article.png)" -ge 1024 ] ||
  fail "asset smaller than 1 KiB"
for page in gone:404 removed:410 forbidden:403; do
  [ "$(status_of "https://news.example.com/${page%:*}.html")" = "${page#*:}" ] || fail "$page"
done

# Blogger: s640, s1600 and s0 of one image are three different JPEGs of at
# least 2 KiB; every bp host serves the same bytes for the same path.
blog=/-Fx0WzE3Xn5c/XjzKMTT1aQI/AAAAAAAA/b4Tm0Pb
for size in s640 s1600 s0; do
  web -o "$WORK/$size.jpg" "https://1.bp.blogspot.com$blog/$size/coronavirus-4818064_960_720.jpg"
  [ "$(head -c 3 "$WORK/$size.jpg" | od -An -tx1 | tr -d ' ')" = ffd8ff ] || fail "$size is not a JPEG"
  [ "$(wc -c <"$WORK/$size.jpg")" -ge 2048 ] || fail "$size is smaller than 2 KiB"
done
! cmp -s "$WORK/s640.jpg" "$WORK/s1600.jpg" && ! cmp -s "$WORK/s1600.jpg" "$WORK/s0.jpg" &&
  ! cmp -s "$WORK/s640.jpg" "$WORK/s0.jpg" || fail "Blogger sizes share bytes"
cmp -s "$WORK/s640.jpg" <(web "http://2.bp.blogspot.com$blog/s640/coronavirus-4818064_960_720.jpg") ||
  fail "2.bp differs from 1.bp"
web -o "$WORK/eq.jpg" https://lh3.googleusercontent.com/abcdef=s1600
web -o "$WORK/wh.jpg" https://blogger.googleusercontent.com/img/b/R29v/w640-h480/x.jpg
web -o "$WORK/img0.jpg" https://blogger.googleusercontent.com/img/b/R29v/s0/x.jpg
! cmp -s "$WORK/wh.jpg" "$WORK/img0.jpg" || fail "w640-h480 equals s0"
[ "$(head -c 2 "$WORK/eq.jpg" | od -An -tx1 | tr -d ' ')" = ffd8 ] || fail "=s1600 form"

# Failure scenarios.
web -D "$WORK/h" -o /dev/null "https://scenarios.example.org/status/429?retry-after=7"
grep -qi '^Retry-After: 7' "$WORK/h" || fail "/status/429?retry-after=7"
flaky="http://scenarios.example.org/flaky/503/2?key=f1&retry-after=1"
[ "$(status_of "$flaky") $(status_of "$flaky") $(status_of "$flaky")" = "503 503 200" ] ||
  fail "/flaky/503/2 is not 503, 503, 200"
rc=0; web -o "$WORK/reset" https://scenarios.example.org/reset/5000 2>"$WORK/err" || rc=$?
[ "$rc" = 56 ] || fail "/reset: curl exited $rc, want 56 (recv failure)"
expect_contains "$WORK/err" "reset"
for scheme in http https; do
  rc=0; web -o "$WORK/trunc" "$scheme://scenarios.example.org/truncated/3000?claim=9000" 2>/dev/null || rc=$?
  [ "$rc" = 18 ] || fail "/truncated over $scheme: curl exited $rc, want 18 (partial file)"
  [ "$(wc -c <"$WORK/trunc")" = 3000 ] || fail "/truncated sent $(wc -c <"$WORK/trunc") bytes"
done
drip=$(web -o /dev/null -w '%{size_download} %{time_total}' "http://scenarios.example.org/drip/4?interval_ms=150")
python3 -c "import sys; n, t = sys.argv[1].split(); sys.exit(0 if n == '4' and float(t) >= 0.45 else 1)" \
  "$drip" || fail "/drip/4?interval_ms=150: $drip"
rc=0; got=$(web --max-time 2 -o /dev/null -w '%{size_download}' http://scenarios.example.org/endless 2>/dev/null) || rc=$?
[ "$rc" = 28 ] && [ "$got" -gt 1000000 ] || fail "/endless ended: rc=$rc after $got bytes"

# badcert.example.org: certificate from another CA, so verification fails
# and no request reaches the server; that CA's own cert is fine.
rc=0; web -o /dev/null https://badcert.example.org/page/b 2>/dev/null || rc=$?
[ "$rc" = 60 ] || fail "badcert.example.org: curl exited $rc, want 60 (certificate)"
[ "$(status_of --cacert "$WORK/web/badca/ca.pem" https://badcert.example.org/page/b)" = 200 ] ||
  fail "badcert.example.org does not serve its own CA's certificate"

# Connect timeout: nothing answers SYNs on FIXTURE_BLACKHOLE.
rc=0; curl -sS --connect-timeout 1 -o /dev/null "http://$FIXTURE_BLACKHOLE/" 2>"$WORK/err" || rc=$?
[ "$rc" = 28 ] || { cat "$WORK/err" >&2; fail "blackhole: curl exited $rc, want 28 (timeout)"; }

# The request log: "HOST METHOD PATH STATUS"; /_stats agrees and counts
# neither itself nor the failed TLS handshake.
grep -qx 'ift.tt GET /31zykrh 301' "$FIXTURE_LOG" || fail "log line for ift.tt"
grep -qx 'badcert.example.org GET /page/b 200' "$FIXTURE_LOG" || fail "log line for badcert"
[ "$(grep -c '^badcert.example.org ' "$FIXTURE_LOG")" = 1 ] || fail "a request passed the bad certificate"
web http://example.com/_stats >"$WORK/stats.json"
web http://example.com/_stats >"$WORK/stats.json"
python3 - "$WORK/stats.json" "$(wc -l <"$FIXTURE_LOG")" <<'PY' || fail "/_stats"
import json, sys
stats = json.load(open(sys.argv[1]))
assert stats["total"] == int(sys.argv[2]), (stats["total"], sys.argv[2])
assert stats["by_path"]["/31zykrh"] == 2, stats["by_path"]
assert "/_stats" not in stats["by_path"], stats
PY

# stop ends the server; --high-ports maps hosts with --connect-to, and
# --max-seconds ends a server nobody stops.
"$FW" stop --dir "$WORK/web"
server_running() { [ -r "/proc/$1/stat" ] && ! grep -q ') Z ' "/proc/$1/stat"; }
server_running "$FIXTURE_PID" && fail "fixture-web stop left $FIXTURE_PID running"
eval "$("$FW" start --dir "$WORK/web2" --high-ports --max-seconds 4)"
[ "$FIXTURE_HTTP_PORT" != 80 ] || fail "--high-ports bound port 80"
read -ra FA <<<"$FIXTURE_ARGS"
expect_contains <(echo "$FIXTURE_ARGS") "--connect-to t.co:80:$FIXTURE_ADDR:$FIXTURE_HTTP_PORT"
[ "$(web -L -o /dev/null -w '%{http_code} %{url_effective}' http://bit.ly/hp)" = \
  "200 https://news.example.com/hp" ] || fail "--high-ports: bit.ly over --connect-to"
for _ in $(seq 150); do server_running "$FIXTURE_PID" || break; sleep 0.1; done
server_running "$FIXTURE_PID" && fail "fixture web outlived --max-seconds 4"
echo ok
