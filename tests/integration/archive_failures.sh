#!/usr/bin/env bash
# Failure scenarios of `rotguard archive` against the fixture web (SPEC §6,
# §13): 404/410/403 are captured with their status and exit 2; 429 honours
# Retry-After; 503 then 200 is retried into a success; a bad certificate is
# a tls failure with no request made; a private address is refused without
# --resolve/--allow-private; connect timeout (full-backlog listener), slow
# drip (low-speed timeout), reset mid-body and a short body each get their
# class, the short body kept as a capture with WARC-Truncated: disconnect.
source "$(dirname "$0")/common.sh"
source "$ROTGUARD_SOURCE_DIR/tests/integration/fixture_lib.sh"
fixture_start

# verdict URL-SUFFIX: "verdict|failure_class" of the URL ending in it.
verdict() { sql "SELECT verdict, failure_class FROM urls WHERE normalized LIKE '%$1'"; }
status_captures() { sql "SELECT group_concat(http_status) FROM captures WHERE url = '$1'"; }

# --- HTTP statuses (one quick retry allowed) ---
GONE=https://news.example.com/gone.html
REMOVED=https://news.example.com/removed.html
FORBIDDEN=https://news.example.com/forbidden.html
FLAKY="http://scenarios.example.org/flaky/503/1?key=f503&retry-after=1"
archive 2 "$GONE" "$REMOVED" "$FORBIDDEN" "$FLAKY"
[ "$(summary 's["failed_links"]')" = 3 ] || fail "404, 410, 403 are 3 failed links: $(cat "$WORK/summary.json")"
[ "$(summary 's["failed_by_class"]')" = "{'http-4xx': 3}" ] || fail "classes: $(cat "$WORK/summary.json")"
[[ $(status_captures "$GONE") == *404 ]] || fail "404 not captured: $(status_captures "$GONE")"
[[ $(status_captures "$REMOVED") == *410 ]] || fail "410 not captured"
[[ $(status_captures "$FORBIDDEN") == *403 ]] || fail "403 not captured"
[ "$(verdict /gone.html)" = "failing|http-404" ] || fail "404 verdict: $(verdict /gone.html)"
[ "$(verdict /removed.html)" = "failing|http-410" ] || fail "410 verdict: $(verdict /removed.html)"
[ "$(verdict /forbidden.html)" = "blocked|http-403" ] || fail "403 verdict: $(verdict /forbidden.html)"
# 503 then 200: retried, the link ends ok with a 200 capture.
[ "$(grep -c '^scenarios.example.org GET /flaky/503/1?key=f503&retry-after=1 ' "$FIXTURE_LOG")" = 2 ] ||
  fail "503 was not retried exactly once"
[[ $(status_captures "$FLAKY") == *200 ]] || fail "503-then-200 has no 200 capture: $(status_captures "$FLAKY")"
[ "$(verdict "key=f503&retry-after=1")" = "ok|" ] || fail "503-then-200 verdict: $(verdict "key=f503&retry-after=1")"
# 4xx answers are not retried.
[ "$(grep -c ' GET /gone.html ' "$FIXTURE_LOG")" = 1 ] || fail "404 was retried"

# 429 with Retry-After: 2 s: the retry waits for it (cap 5 s in the config).
RATE="https://scenarios.example.org/status/429?retry-after=2"
archive 2 "$RATE"
[ "$(grep -c '^scenarios.example.org GET /status/429?retry-after=2 429$' "$FIXTURE_LOG")" = 2 ] ||
  fail "429 not retried exactly once"
python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); sys.exit(0 if s["seconds"] >= 2 else 1)' \
  "$WORK/summary.json" || fail "the 429 retry did not wait Retry-After: $(cat "$WORK/summary.json")"
[ "$(verdict "/status/429?retry-after=2")" = "rate-limited|http-429" ] || fail "429 verdict: $(verdict "/status/429?retry-after=2")"

# --- bad certificate and private addresses: nothing reaches the server ---
before=$(requests_logged)
PRIVATE="http://$FIXTURE_ADDR:$FIXTURE_HTTP_PORT/page/private"
archive 2 https://badcert.example.org/page/bad "$PRIVATE"
[ "$(summary 's["failed_by_class"]')" = "{'blocked-address': 1, 'tls': 1}" ] ||
  fail "classes: $(cat "$WORK/summary.json")"
[ "$(requests_logged)" = "$before" ] || fail "a request was made despite a bad certificate or a private address"
expect_sql "SELECT count(*) FROM captures WHERE url LIKE 'https://badcert.example.org/%' OR url = '$PRIVATE'" 0
# --allow-private lets the literal loopback address through.
archive 0 --allow-private "$PRIVATE"
[[ $(status_captures "$PRIVATE") == 200 ]] || fail "--allow-private: $(status_captures "$PRIVATE")"

# --- transport failures, no retries (the drip alone takes the 30 s
# low-speed window) ---
fetch_config retries=0 connect_timeout_s=2
BLACKHOLE_PORT=${FIXTURE_BLACKHOLE##*:}
HOLE="http://scenarios.example.org:$BLACKHOLE_PORT/never"
DRIP="http://scenarios.example.org/drip/200?interval_ms=2000"
RESET=https://scenarios.example.org/reset/20000
SHORT="http://scenarios.example.org/truncated/3000?claim=9000"
start=$(date +%s)
archive 2 "$HOLE" "$DRIP" "$RESET" "$SHORT" --resolve "scenarios.example.org:$BLACKHOLE_PORT:${FIXTURE_BLACKHOLE%:*}"
elapsed=$(($(date +%s) - start))
[ "$elapsed" -lt 100 ] || fail "transport failures took $elapsed s"
[ "$(verdict ":$BLACKHOLE_PORT/never" | cut -d'|' -f2)" = connect ] || fail "blackhole: $(verdict ":$BLACKHOLE_PORT/never")"
[ "$(verdict "/drip/200?interval_ms=2000" | cut -d'|' -f2)" = timeout ] || fail "drip: $(verdict "/drip/200?interval_ms=2000")"
[ "$(verdict /reset/20000 | cut -d'|' -f2)" = reset ] || fail "reset: $(verdict /reset/20000)"
[ "$(verdict "/truncated/3000?claim=9000" | cut -d'|' -f2)" = truncated ] ||
  fail "short body: $(verdict "/truncated/3000?claim=9000")"
expect_sql "SELECT http_status, truncated FROM captures WHERE url = '$SHORT'" "200|1"
[ "$(grep -c ' GET /drip/' "$FIXTURE_LOG")" = 1 ] || fail "retries=0 still retried the drip"

load_records
python3 - "$WORK/records.jsonl" "$SHORT" "$GONE" <<'PY'
import sys
from fixture_check import *
records = load(sys.argv[1])
short, gone = sys.argv[2:]
expect_no_problems(records)
(response,) = expect_chain(records, [(short, 200)])
warc, head, payload = read_record(response["path"], response["offset"])
if warc.get("warc-truncated") != "disconnect":
    fail("short body: WARC-Truncated %r" % warc.get("warc-truncated"))
if len(payload) != 3000:
    fail("short body: %d payload bytes stored, 3000 received" % len(payload))
expect_chain(records, [(gone, 404)])
for r in records:
    if "badcert.example.org" in (r["warc-target-uri"] or ""):
        fail("a record for the bad-certificate host: %s" % r["warc-type"])
PY
echo "archive_failures: ok"
