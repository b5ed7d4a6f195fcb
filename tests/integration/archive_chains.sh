#!/usr/bin/env bash
# Redirect chains through `rotguard archive` against the fixture web
# (SPEC §6, §9): a redirect loop and a 12-hop chain, fetched together, stop
# with their own failure class and exit 2, the long one after max_redirects
# hops recorded in order. The single chains (3xx, Refresh header, meta
# refresh, t.co-style interstitial, shorteners, a loop alone) are the
# declarative cases tests/data/http/001-005.case and 014.case.
source "$(dirname "$0")/common.sh"
source "$ROTGUARD_SOURCE_DIR/tests/integration/fixture_lib.sh"
fixture_start

# A loop and a chain longer than max_redirects (10): classified, exit 2.
LOOP=http://scenarios.example.org/loop
LONG="http://scenarios.example.org/redirect/12?to=/page/long"
archive 2 "$LOOP" "$LONG"
[ "$(summary 's["failed_by_class"].get("redirect-loop")')" = 1 ] || fail "loop not classified"
[ "$(summary 's["failed_by_class"].get("too-many-redirects")')" = 1 ] || fail "12 hops not classified"
expect_sql "SELECT failure_class FROM urls WHERE normalized LIKE '%/loop'" "redirect-loop"
expect_sql "SELECT failure_class FROM urls WHERE normalized LIKE '%/redirect/12%'" "too-many-redirects"
# The loop is noticed on its second hop: /loop is requested once or twice,
# never more; the long chain stops after at most 11 requests.
loops=$(grep -c '^scenarios.example.org GET /loop 302$' "$FIXTURE_LOG")
[ "$loops" -ge 1 ] && [ "$loops" -le 2 ] || fail "/loop requested $loops times"
long_hops=$(grep -c '^scenarios.example.org GET /redirect/' "$FIXTURE_LOG")
[ "$long_hops" -ge 10 ] && [ "$long_hops" -le 11 ] || fail "12-hop chain made $long_hops requests"
grep -q ' GET /page/long ' "$FIXTURE_LOG" && fail "the 12-hop chain reached its end"
# Its hops that were fetched are recorded in order.
rows=$(sql "SELECT group_concat(hop_index) FROM (SELECT hop_index FROM captures
            WHERE url LIKE 'http://scenarios.example.org/redirect/%' ORDER BY hop_index)")
case $rows in 0,1,2,3,4,5,6,7,8,9*) ;; *) fail "12-hop chain captures: $rows" ;; esac
load_records
python3 -c '
import sys
from fixture_check import *
expect_no_problems(load(sys.argv[1]))' "$WORK/records.jsonl"
echo "archive_chains: ok"
