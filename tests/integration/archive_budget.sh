#!/usr/bin/env bash
# The run budget of `rotguard archive` (issue #14 item 4) against the
# fixture web: --max-urls 5 over a post with 20 linked pages fetches and
# commits 5 of them (with their page requisites, which do not count), says
# in one log line that the budget was reached and 15 due links are left,
# exits 0, and the next run fetches exactly those 15. --max-time over slow
# links stops starting transfers at the deadline, lets those in flight end,
# commits them and exits 0, leaving the rest due. --max-requisites 2 on a
# page naming five requisites fetches the first two (and the stylesheet's
# own url()s) and logs the three it dropped once.
source "$(dirname "$0")/common.sh"
source "$ROTGUARD_SOURCE_DIR/tests/integration/fixture_lib.sh"
fixture_start

mkdir -p site/content/posts
{
  echo "# Twenty pages"
  for i in $(seq 20); do echo "- [page $i](https://scenarios.example.org/page/b$i)"; done
} >site/content/posts/pages.md
cd site
# store_log TEXT: the store's log (where rotguard's log lines go) has TEXT.
store_log() { cat "$STORE"/logs/* >"$WORK/log"; expect_contains "$WORK/log" "$1"; }

archive 0 content --max-urls 5
[ "$(summary 's["due"], s["due_left"], s["budget_reached"], s["failed_links"]')" = "(20, 15, True, 0)" ] ||
  fail "--max-urls 5: $(cat "$WORK/summary.json")"
store_log "run budget reached (max-urls 5): 15 due URLs left for the next run"
[ "$(grep -c 'run budget reached' "$WORK/log")" = 1 ] || fail "budget logged more than once: $(cat "$WORK/log")"
expect_sql "SELECT count(DISTINCT url) FROM captures WHERE url LIKE 'https://scenarios.example.org/page/b%'" 5
for i in 1 2 3 4 5; do
  expect_sql "SELECT count(*) FROM captures WHERE url = 'https://scenarios.example.org/page/b$i'" 1
done
# The pages' requisites came with them.
[ "$(sql "SELECT count(*) FROM captures WHERE url LIKE 'https://scenarios.example.org/assets/%'")" -ge 1 ] ||
  fail "no page requisite was fetched with the budgeted pages"
expect_sql "SELECT json_extract(counts, '$.due_left') FROM runs ORDER BY id DESC LIMIT 1" 15

archive 0 content
[ "$(summary 's["due"], s["due_left"], s["budget_reached"]')" = "(15, 0, False)" ] ||
  fail "second run: $(cat "$WORK/summary.json")"
expect_sql "SELECT count(DISTINCT url) FROM captures WHERE url LIKE 'https://scenarios.example.org/page/b%'" 20
expect_sql "SELECT count(*) FROM captures WHERE url = 'https://scenarios.example.org/page/b1'" 1

# --max-time: ten links answering after 3 s, four at a time; the deadline
# (1 s) passes while the first ones are in flight.
STORE=$WORK/slow-store
: >slow.txt
for i in $(seq 10); do echo "http://scenarios.example.org/slow/3000?t=$i" >>slow.txt; done
started=$(date +%s)
archive 0 -i slow.txt --max-time 1s --jobs 4
elapsed=$(($(date +%s) - started))
captured=$(sql "SELECT count(DISTINCT url) FROM captures WHERE url LIKE '%/slow/3000%'")
[ "$captured" -ge 1 ] && [ "$captured" -le 4 ] || fail "--max-time committed $captured slow pages: $(cat "$WORK/summary.json")"
[ "$(summary 's["due_left"], s["budget_reached"], s["failed_links"], s["cancelled"]')" = "($((10 - captured)), True, 0, False)" ] ||
  fail "--max-time: $(cat "$WORK/summary.json")"
store_log "run budget reached (max-time 1s): $((10 - captured)) due URLs left for the next run"
[ "$elapsed" -lt 30 ] || fail "--max-time 1s run took $elapsed s"
expect_exit 0 "$ROTGUARD" --store "$STORE" verify
archive 0 -i slow.txt --dry-run
[ "$(summary 's["due"]')" = "$((10 - captured))" ] || fail "left links are not due: $(cat "$WORK/summary.json")"
# --max-requisites: the page names a stylesheet, a script, an icon and two
# images, in that order.
STORE=$WORK/capped-store
archive 0 https://scenarios.example.org/page/capped --max-requisites 2
[ "$(summary 's["requisites_dropped"], s["failed_links"]')" = "(3, 0)" ] ||
  fail "--max-requisites 2: $(cat "$WORK/summary.json")"
store_log "https://scenarios.example.org/page/capped: 3 requisites not fetched (over [fetch] max_requisites = 2)"
for path in assets/capped.css assets/capped.js assets/capped-bg.png assets/capped.woff2; do
  expect_sql "SELECT count(*) FROM captures WHERE url = 'https://scenarios.example.org/$path'" 1
done
expect_sql "SELECT count(*) FROM captures WHERE url IN ('https://scenarios.example.org/favicon.ico', 'https://scenarios.example.org/assets/capped.png', 'https://cdn.example.net/assets/capped-photo.jpg')" 0
expect_sql "SELECT json_extract(counts, '$.requisites_dropped') FROM runs ORDER BY id DESC LIMIT 1" 3
echo "archive_budget: ok"
