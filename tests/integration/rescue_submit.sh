#!/usr/bin/env bash
# The second, public copy (issue #15 item 2) against the fixture's Save
# Page Now 2 (tools/fixture_archive.py): `archive --submit` submits every
# alive link, polls each job from pending to success and stores the memento
# URL, which `report` shows (text, JSON, CSV, HTML); submissions keep to the
# token bucket (counted at the fixture per time window); a 429 and a job
# that ends in error fail those links, never the run's exit code, and the
# next run (here from [rescue] submit = true) retries them while the saved
# links are left alone and a job still pending is polled, not resubmitted;
# refused access keys stop the submissions for the run with one warning.
source "$(dirname "$0")/common.sh"
source "$ROTGUARD_SOURCE_DIR/tests/integration/fixture_lib.sh"
fixture_start
RESCUE=(rescue.delay_ms=0 rescue.submit_per_minute=120
  rescue.submit_poll_interval_ms=200 rescue.submit_max_polls=3
  'rescue.if_not_archived_within="1d"')
fetch_config "${RESCUE[@]}"

mkdir -p "$WORK/site/content"
cd "$WORK/site"
cat >content/post.md <<'MD'
---
title: A post
date: 2026-11-01
---
[one](https://news.example.com/alive.html),
[two](https://news.example.com/second.html),
[three](https://news.example.com/third.html),
[busy](https://news.example.com/rate-limit.html),
[broken](https://news.example.com/spn-error.html) and
[slow](https://news.example.com/spn-slow.html).
MD

spn_stats() { curl -s "${FIXTURE_FLAGS[@]}" https://web.archive.org/_spn_stats >"$WORK/spn.json"; }
# saves_of URL: how many POST /save the fixture saw for URL.
saves_of() {
  python3 -c 'import json, sys; print(sum(1 for _t, _s, u in json.load(open(sys.argv[1]))["saves"] if u == sys.argv[2]))' \
    "$WORK/spn.json" "$1"
}
state_of() {
  sql "SELECT s.state || '|' || s.attempts FROM public_submissions s JOIN urls u ON u.id = s.url_id
    WHERE u.normalized = '$1'"
}

# Run 1: --submit. Every link is alive, so the run exits 0 although two
# submissions fail.
archive 0 content --submit
[ "$(summary 's["submit"]["success"]')" = 3 ] || fail "saved: $(cat "$WORK/summary.json")"
[ "$(summary 's["submit"]["failed"]')" = 2 ] || fail "failed: $(cat "$WORK/summary.json")"
[ "$(summary 's["submit"]["pending"]')" = 1 ] || fail "pending: $(cat "$WORK/summary.json")"
[ "$(summary 's["exit_code"]')" = 0 ] || fail "exit code: $(cat "$WORK/summary.json")"
ALIVE=https://news.example.com/alive.html
MEMENTO=https://web.archive.org/web/20261206120000/$ALIVE
expect_sql "SELECT s.state, s.job_id, s.memento_url, s.memento_at_us, s.attempts FROM public_submissions s
  JOIN urls u ON u.id = s.url_id WHERE u.normalized = '$ALIVE'" \
  "success|spn2-news-example-com-alive-html|$MEMENTO|1796558400000000|1"
[ "$(state_of https://news.example.com/rate-limit.html)" = "error|1" ] || fail "429: $(state_of https://news.example.com/rate-limit.html)"
[ "$(state_of https://news.example.com/spn-error.html)" = "error|1" ] || fail "error job"
[ "$(state_of https://news.example.com/spn-slow.html)" = "pending|1" ] || fail "pending job"
expect_sql "SELECT message FROM public_submissions s JOIN urls u ON u.id = s.url_id
  WHERE u.normalized = 'https://news.example.com/spn-error.html'" "error:job-failed: the capture failed"
# The form body and the JSON accept header reached the fixture.
grep -F "web.archive.org POST /save 200" "$FIXTURE_LOG" >/dev/null || fail "no POST /save"
grep -F "web.archive.org GET /save/status/spn2-news-example-com-alive-html 200" "$FIXTURE_LOG" >/dev/null ||
  fail "no job status poll"

# Rate: 120 a minute is one submission every 0.5 s; the fixture sees them
# no closer than that, less the jitter of a loaded host (connection set-up
# of one request delays its arrival, not the next one's).
spn_stats
python3 - "$WORK/spn.json" <<'PY'
import json, sys
stats = json.load(open(sys.argv[1]))
times = sorted(t for t, _s, _u in stats["saves"])
assert len(times) == 6, stats
gaps = [b - a for a, b in zip(times, times[1:])]
# Without the bucket they would be milliseconds apart.
assert min(gaps) >= 0.25, "submissions %.3f s apart" % min(gaps)
assert stats["max_saves_per_second"] <= 3, stats["max_saves_per_second"]
print("spn: %d submissions, at most %d in one second, min gap %.3f s"
      % (len(times), stats["max_saves_per_second"], min(gaps)))
PY

# report shows the public copy (or its state) per link.
expect_exit 0 "$ROTGUARD" --store "$STORE" report
expect_contains "$WORK/out" "public copy: $MEMENTO (memento 2026-12-06T12:00:00Z)"
expect_contains "$WORK/out" "public copy: pending"
expect_exit 0 "$ROTGUARD" --store "$STORE" report --json
python3 - "$WORK/out" "$MEMENTO" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
links = {l["url"]: l for d in doc["documents"] for l in d["links"]}
copy = links["https://news.example.com/alive.html"]["public_copy"]
assert copy["state"] == "success" and copy["url"] == sys.argv[2], copy
assert copy["memento_datetime"] == "2026-12-06T12:00:00Z", copy
assert links["https://news.example.com/spn-error.html"]["public_copy"]["state"] == "error"
PY
expect_exit 0 "$ROTGUARD" --store "$STORE" report --format csv
[ "$(head -1 "$WORK/out" | tr -d '\r' | awk -F, '{print $(NF-1)}')" = public_copy ] || fail "CSV header"
expect_contains "$WORK/out" ",$MEMENTO"
expect_exit 0 "$ROTGUARD" --store "$STORE" report --format html
expect_contains "$WORK/out" "<th>Public copy</th>"
expect_contains "$WORK/out" "$MEMENTO"

# Run 2, from the config: the failed links are submitted again, the slow
# job is polled by its id, the saved links are left alone.
fetch_config "${RESCUE[@]}" rescue.submit=true
archive 0 content
spn_stats
[ "$(saves_of "$ALIVE")" = 1 ] || fail "a saved link was submitted again"
[ "$(saves_of https://news.example.com/rate-limit.html)" = 2 ] || fail "429 not retried"
[ "$(saves_of https://news.example.com/spn-error.html)" = 2 ] || fail "error job not retried"
[ "$(saves_of https://news.example.com/spn-slow.html)" = 1 ] || fail "a pending job was submitted again"
[ "$(state_of https://news.example.com/rate-limit.html)" = "error|2" ] || fail "429 run 2"
[ "$(state_of https://news.example.com/spn-slow.html)" = "pending|1" ] || fail "pending run 2"
[ "$(grep -c "GET /save/status/spn2-news-example-com-spn-slow-html" "$FIXTURE_LOG")" = 6 ] ||
  fail "the pending job was not polled again"

# Run 3: refused keys stop submitting with one warning; the exit code stays.
export ROTGUARD_SPN_KEY=wrong:key
archive 0 content
unset ROTGUARD_SPN_KEY
spn_stats
[ "$(saves_of https://news.example.com/rate-limit.html)" = 3 ] || fail "run 3 did not submit"
[ "$(saves_of https://news.example.com/spn-error.html)" = 2 ] || fail "submitted after an auth failure"
[ "$(grep -c "refused the access keys" "$WORK/err")" = 1 ] || { cat "$WORK/err" >&2; fail "no single warning"; }
[ "$(summary 's["submit"]["auth_failed"]')" = True ] || fail "auth_failed: $(cat "$WORK/summary.json")"
echo "rescue_submit: ok"
