#!/usr/bin/env bash
# `--proxy` / `[fetch] proxy` (issue #20 item 5; SPEC §6 "Safety"):
#   A. archive through an http proxy (absolute-form GET), a socks5 proxy
#      (rotguard resolves: the proxy gets the --resolve address) and a
#      socks5h proxy (the proxy gets the name): the WARC records are those
#      of a direct run (target URI, status, payload digest, request line),
#      and the proxy log shows each request went through it.
#   B. an https target through a CONNECT tunnel, verified with the test CA.
#   C. the address guard judges the target, not the proxy: a loopback
#      target (IP literal) and a redirect hop to one are refused before any
#      request reaches the proxy; --allow-private lifts it.
#   D. a proxy that is down: failure class "proxy", a message naming the
#      proxy without its password, no health verdict about the link.
#   E. Proxy-Authorization (user:password in the proxy URL) reaches the
#      proxy, and the WARC request record holds "[redacted]".
#   F. rescue and verify --live take --proxy too.
#   G. an https:// proxy (TLS to the proxy, its certificate checked with
#      --cacert or [fetch] proxy_cacert): an http target (absolute-form GET
#      inside TLS) and an https one (a CONNECT tunnel inside TLS) give the
#      records of a direct run; a proxy certificate no CA vouches for is
#      the proxy's failure (class "proxy"), never the link's.
# No name is ever looked up: targets are --resolve-mapped names or IP
# literals, and the test proxy (tools/fixture_proxy.py) maps names itself.
source "$(dirname "$0")/common.sh"
source "$ROTGUARD_SOURCE_DIR/tests/integration/fixture_lib.sh"
fixture_start

A=$FIXTURE_ADDR
P=$FIXTURE_HTTP_PORT
S=$FIXTURE_HTTPS_PORT
NET=(--resolve "news.example.com:$P:$A" --resolve "www.example.com:$S:$A"
  --cacert "$FIXTURE_CACERT")
STYLE="http://news.example.com:$P/assets/site.css"
BIG="http://news.example.com:$P/big/5000"
SECURE="https://www.example.com:$S/assets/app.js"
[ "$P" = 80 ] && { STYLE=http://news.example.com/assets/site.css; BIG=http://news.example.com/big/5000; }
[ "$S" = 443 ] && SECURE=https://www.example.com/assets/app.js

PROXY_PIDS=()
trap 'rc=$?; set +e; for p in "${PROXY_PIDS[@]}"; do kill "$p" 2>/dev/null; done
  "$ROTGUARD_SOURCE_DIR/tools/fixture-web" stop --dir "$WORK/web"; (exit $rc); cleanup' EXIT

# proxy_start NAME [ARGS...]: tools/fixture_proxy.py logging to
# $WORK/NAME.log; sets PROXY_HTTP_PORT and PROXY_SOCKS_PORT.
proxy_start() {
  local name=$1; shift
  python3 "$ROTGUARD_SOURCE_DIR/tools/fixture_proxy.py" --log "$WORK/$name.log" \
    --ready "$WORK/$name.env" --map "news.example.com=$A" --map "www.example.com=$A" \
    --max-seconds 500 "$@" 2>"$WORK/$name.err" &
  PROXY_PIDS+=($!)
  for _ in $(seq 300); do [ -s "$WORK/$name.env" ] && break; sleep 0.1; done
  [ -s "$WORK/$name.env" ] || fail "proxy $name did not start: $(cat "$WORK/$name.err")"
  # shellcheck disable=SC1090
  source "$WORK/$name.env"
}
proxy_start plain
HTTP_PROXY_URL=http://127.0.0.1:$PROXY_HTTP_PORT
SOCKS_PORT=$PROXY_SOCKS_PORT

# run STORE WANT ARGS...: `rotguard archive --json` into $WORK/STORE.
run() {
  local store=$WORK/$1 want=$2; shift 2
  expect_exit "$want" "$ROTGUARD" --store "$store" --config "$CONFIG" --json archive "$@"
  cp "$WORK/out" "$WORK/summary.json"
}
# records STORE: "type uri status payload-digest request-or-status-line"
# for every request/response record, sorted.
records() {
  python3 - "$WORK/$1" <<'EOF'
import glob, sys
import fixture_check as fc
lines = []
for path in sorted(glob.glob(sys.argv[1] + "/warc/*.warc.gz")):
    import subprocess, json, os
    out = subprocess.run([os.environ["ROTGUARD"], "inspect", "--json", path],
                         check=True, capture_output=True, text=True).stdout
    for r in (json.loads(l) for l in out.splitlines() if l.strip()):
        if r["warc-type"] not in ("request", "response"):
            continue
        _, head, _ = fc.read_record(path, int(r["offset"]))
        lines.append(" ".join([r["warc-type"], r["warc-target-uri"],
                               str(r.get("http:status", "-")),
                               r.get("warc-payload-digest", "-"),
                               head.split("\r\n")[0]]))
print("\n".join(sorted(lines)))
EOF
}
logged() { grep -cE -- "$2" "$WORK/$1.log" || true; }

# --- A/B: the same records direct and through each proxy ---
run direct 0 "${NET[@]}" "$STYLE" "$BIG" "$SECURE"
records direct >"$WORK/direct.txt"
[ "$(grep -c '^response ' "$WORK/direct.txt")" = 3 ] || fail "direct run: $(cat "$WORK/direct.txt")"
for proxy in "$HTTP_PROXY_URL" "socks5://127.0.0.1:$SOCKS_PORT" "socks5h://127.0.0.1:$SOCKS_PORT"; do
  name=via-${proxy%%:*}
  run "$name" 0 "${NET[@]}" --proxy "$proxy" "$STYLE" "$BIG" "$SECURE"
  [ "$(summary 's["captures"]')" = 3 ] || fail "$proxy: $(cat "$WORK/summary.json")"
  records "$name" >"$WORK/$name.txt"
  diff "$WORK/direct.txt" "$WORK/$name.txt" >&2 || fail "$proxy: the WARC records differ from a direct run"
done
# The http proxy saw absolute-form GETs and a CONNECT for the https one.
[ "$(logged plain '^http GET http://news\.example\.com(:[0-9]+)?/assets/site\.css$')" = 1 ] || fail "http proxy: no GET logged: $(cat "$WORK/plain.log")"
[ "$(logged plain "^connect www\\.example\\.com:$S\$")" = 1 ] || fail "http proxy: no CONNECT logged: $(cat "$WORK/plain.log")"
# socks5: rotguard resolved the name (its --resolve address went to the
# proxy); socks5h: the name went to the proxy. (A connection may carry
# more than one request.)
[ "$(logged plain "^socks5 $A:$P\$")" -ge 1 ] || fail "socks5: the address was not sent: $(cat "$WORK/plain.log")"
[ "$(logged plain "^socks5 www\\.example\\.com:$S\$")" -ge 1 ] || fail "socks5h: the name was not sent: $(cat "$WORK/plain.log")"
# No WARC-IP-Address names the proxy.
if grep -a "WARC-IP-Address: 127.0.0.1" <(zcat "$WORK"/via-http/warc/*.warc.gz) >/dev/null; then
  fail "a record names the proxy's address as the target's"
fi

# --- C: the guard applies to the target behind the proxy ---
before=$(wc -l <"$WORK/plain.log")
PRIVATE="http://$A:$P/status/200"
HOP="http://news.example.com:$P/redirect/1?to=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$PRIVATE")"
run guard 2 "${NET[@]}" --proxy "$HTTP_PROXY_URL" "$PRIVATE" "$HOP"
[ "$(summary 's["failed_by_class"]')" = "{'blocked-address': 2}" ] || fail "guard: $(cat "$WORK/summary.json")"
[ "$(tail -n +$((before + 1)) "$WORK/plain.log" | grep -c "$A:$P/status" || true)" = 0 ] ||
  fail "guard: a loopback target reached the proxy: $(cat "$WORK/plain.log")"
[ "$(tail -n +$((before + 1)) "$WORK/plain.log" | grep -c '/redirect/1' || true)" = 1 ] ||
  fail "guard: the mapped first hop did not go through the proxy"
run guard-off 0 "${NET[@]}" --proxy "socks5://127.0.0.1:$SOCKS_PORT" --allow-private "$PRIVATE"
[ "$(summary 's["captures"]')" = 1 ] || fail "--allow-private through a proxy: $(cat "$WORK/summary.json")"

# --- D: a proxy that is down ---
dead=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
run down 2 "${NET[@]}" --proxy "http://user:hunter2@127.0.0.1:$dead" "$STYLE"
[ "$(summary 's["failed_by_class"]')" = "{'proxy': 1}" ] || fail "proxy down: $(cat "$WORK/summary.json")"
# The store log says why (once), naming the proxy without its password.
expect_contains "$WORK/down/logs/rotguard.log" "proxy http://127.0.0.1:$dead failed: Failed to connect"
if grep -r hunter2 "$WORK/err" "$WORK/out" "$WORK/down" >/dev/null; then fail "the proxy password was printed or stored"; fi
[ "$(sqlite3 "$WORK/down/manifest.sqlite3" "SELECT verdict || '|' || consecutive_failures FROM urls WHERE normalized LIKE '%site.css'")" = "|0" ] ||
  fail "proxy down: the link got a verdict"
expect_exit 1 "$ROTGUARD" --store "$WORK/bad" archive --proxy "ftp://127.0.0.1:1" "$STYLE"
expect_contains "$WORK/err" "--proxy"

# --- E: proxy credentials reach the proxy, not the WARC ---
proxy_start authed --auth "user:pa55word"
run authed 0 "${NET[@]}" --proxy "http://user:pa55word@127.0.0.1:$PROXY_HTTP_PORT" "$STYLE"
[ "$(logged authed 'site\.css auth=ok$')" = 1 ] || fail "proxy auth: $(cat "$WORK/authed.log")"
zcat "$WORK"/authed/warc/*.warc.gz >"$WORK/authed.warc"
grep -a "^Proxy-Authorization: \[redacted\]" "$WORK/authed.warc" >/dev/null || fail "no redacted Proxy-Authorization in the request record"
if grep -a "dXNlcjpwYTU1d29yZA" "$WORK/authed.warc" >/dev/null; then fail "the proxy credentials are in the WARC"; fi
expect_exit 0 "$ROTGUARD" --store "$WORK/authed" verify

# --- F: verify --live and rescue take the same flag ---
mkdir -p content
printf '[a](%s)\n' "$STYLE" >content/post.md
expect_exit 0 "$ROTGUARD" --store "$WORK/direct" --config "$CONFIG" scan --update content
before=$(logged plain 'site\.css')
expect_exit 0 "$ROTGUARD" --store "$WORK/direct" --config "$CONFIG" --json verify --live --no-soft-404 \
  "${NET[@]}" --proxy "$HTTP_PROXY_URL"
expect_contains "$WORK/out" '"verdict":"ok"'
[ "$(logged plain 'site\.css')" -gt "$before" ] || fail "verify --live did not use the proxy"
"$ROTGUARD" rescue --help | grep -- "--proxy" >/dev/null || fail "rescue has no --proxy"

# --- G: an https:// proxy ---
WEB_DIR=$(dirname "$FIXTURE_CACERT")
proxy_start tls --tls-cert "$WEB_DIR/server.pem" --tls-key "$WEB_DIR/server.key"
HTTPS_PROXY_URL=https://127.0.0.1:$PROXY_HTTPS_PORT
run via-https 0 "${NET[@]}" --proxy "$HTTPS_PROXY_URL" "$STYLE" "$BIG" "$SECURE"
[ "$(summary 's["captures"]')" = 3 ] || fail "https proxy: $(cat "$WORK/summary.json")"
records via-https >"$WORK/via-https.txt"
diff "$WORK/direct.txt" "$WORK/via-https.txt" >&2 || fail "https proxy: the WARC records differ from a direct run"
[ "$(logged tls '^tls http GET http://news\.example\.com(:[0-9]+)?/assets/site\.css$')" = 1 ] ||
  fail "https proxy: no GET logged: $(cat "$WORK/tls.log")"
[ "$(logged tls "^tls connect www\\.example\\.com:$S\$")" = 1 ] ||
  fail "https proxy: no CONNECT logged: $(cat "$WORK/tls.log")"
# The proxy's certificate checked against another CA: the proxy failed.
fetch_config "proxy_cacert=\"$WEB_DIR/badca/ca.pem\""
before=$(logged tls '^tls (http|connect) ')
run tls-bad 2 "${NET[@]}" --proxy "$HTTPS_PROXY_URL" "$STYLE" "$SECURE"
[ "$(summary 's["failed_by_class"]')" = "{'proxy': 2}" ] || fail "untrusted https proxy: $(cat "$WORK/summary.json")"
[ "$(logged tls '^tls (http|connect) ')" = "$before" ] || fail "a request went to an untrusted proxy"
expect_contains "$WORK/tls-bad/logs/rotguard.log" "proxy $HTTPS_PROXY_URL failed"
[ "$(sqlite3 "$WORK/tls-bad/manifest.sqlite3" "SELECT group_concat(verdict || '|' || consecutive_failures) FROM urls")" = "|0,|0" ] ||
  fail "untrusted https proxy: a link got a verdict"
echo ok
