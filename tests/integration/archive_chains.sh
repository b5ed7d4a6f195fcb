#!/usr/bin/env bash
# Redirect chains through `rotguard archive` against the fixture web
# (SPEC §6, §9): every hop (3xx, Refresh header, meta refresh, t.co-style
# interstitial) is its own request/response pair, written in hop order, and
# a captures row with one chain_id and hop_index 0..n; the shortener chains
# store their final non-shortener URL; a redirect loop and a 12-hop chain
# stop with their own failure class and exit 2.
source "$(dirname "$0")/common.sh"
source "$ROTGUARD_SOURCE_DIR/tests/integration/fixture_lib.sh"
fixture_start

IFT=https://ift.tt/31zykrh
FEED=https://feeds.feedburner.com/~r/31zykrh
ARTICLE=https://www.ehackingnews.com/2020/02/31zykrh.html
META="http://scenarios.example.org/meta-refresh?to=/page/m1"
REFRESH="https://scenarios.example.org/refresh-header?to=https://example.com/page/r1"
TCO=https://t.co/tc1
BITLY=http://bit.ly/bl1

archive 0 "$IFT" "$META" "$REFRESH" "$TCO" "$BITLY"
[ "$(summary 's["due"]')" = 5 ] || fail "5 URLs due, got $(summary 's["due"]')"
[ "$(summary 's["failed_links"]')" = 0 ] || fail "failed links: $(cat "$WORK/summary.json")"

# hops QUERY-URL: "hop_index|http_status|url" of the chain that starts at URL.
hops() {
  sql "SELECT hop_index, http_status, url FROM captures WHERE chain_id =
         (SELECT chain_id FROM captures WHERE url = '$1' AND hop_index = 0 ORDER BY id LIMIT 1)
       ORDER BY hop_index"
}
[ "$(hops "$IFT")" = "0|301|$IFT
1|302|$FEED
2|200|$ARTICLE" ] || fail "ift.tt chain rows: $(hops "$IFT")"
[ "$(hops "$META")" = "0|200|$META
1|200|http://scenarios.example.org/page/m1" ] || fail "meta refresh chain rows: $(hops "$META")"
[ "$(hops "$REFRESH")" = "0|200|$REFRESH
1|200|https://example.com/page/r1" ] || fail "Refresh header chain rows: $(hops "$REFRESH")"
[ "$(hops "$TCO")" = "0|200|$TCO
1|200|https://news.example.com/tc1" ] || fail "t.co interstitial chain rows: $(hops "$TCO")"
[ "$(hops "$BITLY")" = "0|301|$BITLY
1|200|https://news.example.com/bl1" ] || fail "bit.ly chain rows: $(hops "$BITLY")"

# The link's target is the last non-shortener URL of its chain.
expect_sql "SELECT final_url FROM captures WHERE url = '$IFT' AND hop_index = 0" "$ARTICLE"
expect_sql "SELECT final_url FROM captures WHERE url = '$TCO' AND hop_index = 0" \
  "https://news.example.com/tc1"
expect_sql "SELECT verdict, failure_class FROM urls WHERE final_url = 'https://news.example.com/bl1'" "ok|"

# The fixture saw exactly one request per hop (nothing fetched twice).
for line in "ift.tt GET /31zykrh 301" "feeds.feedburner.com GET /~r/31zykrh 302" \
  "www.ehackingnews.com GET /2020/02/31zykrh.html 200" "t.co GET /tc1 200" \
  "news.example.com GET /tc1 200"; do
  [ "$(grep -cx "$line" "$FIXTURE_LOG")" = 1 ] || fail "fixture log has not exactly one '$line'"
done

# WARC: request/response pairs in hop order, digests verified by inspect.
load_records
python3 - "$WORK/records.jsonl" "$IFT" "$FEED" "$ARTICLE" "$META" "$REFRESH" "$TCO" "$BITLY" <<'PY'
import sys
from fixture_check import *
records = load(sys.argv[1])
ift, feed, article, meta, refresh, tco, bitly = sys.argv[2:]
expect_no_problems(records)
expect_chain(records, [(ift, 301), (feed, 302), (article, 200)])
expect_chain(records, [(meta, 200), ("http://scenarios.example.org/page/m1", 200)])
expect_chain(records, [(refresh, 200), ("https://example.com/page/r1", 200)])
expect_chain(records, [(tco, 200), ("https://news.example.com/tc1", 200)])
expect_chain(records, [(bitly, 301), ("https://news.example.com/bl1", 200)])
first = responses(records, ift)[0]
warc, head, _ = read_record(first["path"], first["offset"])
if http_header(head, "Location") != feed:
    fail("ift.tt response keeps Location %r" % http_header(head, "Location"))
for response in responses(records, ift) + responses(records, feed):
    if "warc-concurrent-to" not in read_record(response["path"], response["offset"])[0]:
        fail("response %s has no WARC-Concurrent-To" % response["warc-target-uri"])
PY

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
