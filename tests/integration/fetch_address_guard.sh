#!/usr/bin/env bash
# The private-address guard is lifted per mapping, not per host name
# (SPEC §6 "Safety"; issue #14 item 3), in `archive` and `verify --live`
# alike: an explicit --resolve / --connect-to permits exactly the
# (host, port) it names; every other connection is checked on the address
# actually connected to.
#   A. --resolve guard.example:P:ADDR, then a redirect to guard.example on
#      another port B: that hop is not mapped, so it must end as
#      blocked-address and never reach the server.
#   B. An empty-host --connect-to :B:ADDR:P names no host: it must not lift
#      the guard for every host.
# No name here is ever looked up: port B of any host is routed by the
# empty-host --connect-to to the loopback IP literal ADDR (curl resolves
# no name for it), and the guard refuses that address before a request.
source "$(dirname "$0")/common.sh"
source "$ROTGUARD_SOURCE_DIR/tests/integration/fixture_lib.sh"
fixture_start

P=$FIXTURE_HTTP_PORT
B=8081
[ "$P" != "$B" ] && [ "$FIXTURE_HTTPS_PORT" != "$B" ] || B=8082
ROUTE_B=(--connect-to ":$B:$FIXTURE_ADDR:$P")
# Before the fix both reached the fixture (the log got these paths).
A_TARGET="http://guard.example:$B/status/204"
A_URL="http://guard.example:$P/redirect/1?to=$(python3 -c \
  'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$A_TARGET")"
B_URL="http://elsewhere.example:$B/status/200"

failure_class() { sql "SELECT failure_class FROM urls WHERE normalized LIKE '%$1'"; }
# reached REGEX: how many fixture log lines ("HOST METHOD PATH?QUERY STATUS")
# start with it.
reached() { grep -cE "^$1" "$FIXTURE_LOG" || true; }

# --- archive ---
archive 2 --resolve "guard.example:$P:$FIXTURE_ADDR" "${ROUTE_B[@]}" "$A_URL"
[ "$(summary 's["failed_by_class"]')" = "{'blocked-address': 1}" ] ||
  fail "A: a redirect to an unmapped port of a mapped host: $(cat "$WORK/summary.json")"
[ "$(reached 'guard.example GET /redirect/1[? ]')" = 1 ] || fail "A: the mapped first hop did not reach the fixture"
[ "$(reached 'guard.example GET /status/204[? ]')" = 0 ] || fail "A: the unmapped port reached a loopback server"
[ "$(failure_class "guard.example%/redirect/1?%")" = blocked-address ] ||
  fail "A: failure class $(failure_class "guard.example%/redirect/1?%")"

archive 2 "${ROUTE_B[@]}" "$B_URL"
[ "$(summary 's["failed_by_class"]')" = "{'blocked-address': 1}" ] ||
  fail "B: an empty-host --connect-to lifted the guard: $(cat "$WORK/summary.json")"
[ "$(reached 'elsewhere.example GET /status/200[? ]')" = 0 ] || fail "B: an empty-host --connect-to reached a loopback server"
[ "$(failure_class "elsewhere.example:$B/status/200")" = blocked-address ] ||
  fail "B: failure class $(failure_class "elsewhere.example:$B/status/200")"

# --- verify --live: the same fetcher, the same rule (it checks the links
# of scanned documents) ---
mkdir -p content
printf '[a](%s) [b](%s)\n' "$A_URL" "$B_URL" >content/post.md
expect_exit 0 "$ROTGUARD" --store "$STORE" --config "$CONFIG" scan --update content
before_a=$(reached 'guard.example (HEAD|GET) /redirect/1[? ]')
expect_exit 0 "$ROTGUARD" --store "$STORE" --config "$CONFIG" --json verify --live --no-soft-404 \
  --resolve "guard.example:$P:$FIXTURE_ADDR" "${ROUTE_B[@]}" "${FIXTURE_FLAGS[@]}"
cp "$WORK/out" "$WORK/live.jsonl"
[ "$(reached 'guard.example (HEAD|GET) /redirect/1[? ]')" -gt "$before_a" ] ||
  fail "live A: the mapped first hop was not checked"
[ "$(reached 'guard.example (HEAD|GET) /status/204[? ]')" = 0 ] || fail "live A: the unmapped port reached a loopback server"
[ "$(reached 'elsewhere.example (HEAD|GET) /status/200[? ]')" = 0 ] ||
  fail "live B: an empty-host --connect-to reached a loopback server"
[ "$(grep -c '"failure_class":"blocked-address"' "$WORK/live.jsonl")" = 2 ] ||
  fail "live: both links must be blocked-address: $(cat "$WORK/live.jsonl")"
echo ok
