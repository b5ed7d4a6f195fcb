#!/usr/bin/env bash
# Failure scenarios of `rotguard archive` against the fixture web (SPEC §6,
# §13): a bad certificate is a tls failure with no request made; a private
# address is refused without --resolve/--allow-private; connect timeout
# (full-backlog listener), slow drip (low-speed timeout) and reset mid-body
# each get their class. The HTTP statuses (404/410/403, 503 then 200, 429
# with Retry-After) and the short body are the declarative cases
# tests/data/http/006-009.case.
source "$(dirname "$0")/common.sh"
source "$ROTGUARD_SOURCE_DIR/tests/integration/fixture_lib.sh"
fixture_start

# verdict URL-SUFFIX: "verdict|failure_class" of the URL ending in it.
verdict() { sql "SELECT verdict, failure_class FROM urls WHERE normalized LIKE '%$1'"; }
status_captures() { sql "SELECT group_concat(http_status) FROM captures WHERE url = '$1'"; }

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
start=$(date +%s)
archive 2 "$HOLE" "$DRIP" "$RESET" --resolve "scenarios.example.org:$BLACKHOLE_PORT:${FIXTURE_BLACKHOLE%:*}"
elapsed=$(($(date +%s) - start))
[ "$elapsed" -lt 100 ] || fail "transport failures took $elapsed s"
[ "$(verdict ":$BLACKHOLE_PORT/never" | cut -d'|' -f2)" = connect ] || fail "blackhole: $(verdict ":$BLACKHOLE_PORT/never")"
[ "$(verdict "/drip/200?interval_ms=2000" | cut -d'|' -f2)" = timeout ] || fail "drip: $(verdict "/drip/200?interval_ms=2000")"
[ "$(verdict /reset/20000 | cut -d'|' -f2)" = reset ] || fail "reset: $(verdict /reset/20000)"
[ "$(grep -c ' GET /drip/' "$FIXTURE_LOG")" = 1 ] || fail "retries=0 still retried the drip"

load_records
python3 - "$WORK/records.jsonl" <<'PY'
import sys
from fixture_check import *
records = load(sys.argv[1])
expect_no_problems(records)
for r in records:
    if "badcert.example.org" in (r["warc-target-uri"] or ""):
        fail("a record for the bad-certificate host: %s" % r["warc-type"])
PY
echo "archive_failures: ok"
