#!/usr/bin/env bash
# `rotguard verify --live` against the loopback fixture web over simulated
# runs (test hook ROTGUARD_TEST_NOW): a 404 is gone only on the third run
# at least 20 h after the previous counted one; a run 2 h later neither
# counts nor resets; a 403 is never gone; a parked page (every path
# redirects to the same lander) is soft-404; verify --live never exits 2
# (SPEC §6, §13; issue #6 item 4).
source "$ROTGUARD_SOURCE_DIR/tests/integration/common.sh"
command -v sqlite3 >/dev/null || { echo "sqlite3 CLI missing"; exit 125; }
command -v python3 >/dev/null || { echo "python3 missing"; exit 125; }

fixture_dir="$WORK/fixture"
stop_fixture() {
  local rc=$?
  "$ROTGUARD_SOURCE_DIR/tools/fixture-web" stop --dir "$fixture_dir" >/dev/null 2>&1 || true
  return $rc
}
trap 'stop_fixture; cleanup' EXIT

# The parked lander: the root page of scenarios.example.org.
mkdir -p site/scenarios.example.org
printf '<!doctype html><html><head><title>This domain is for sale</title></head><body><p>Buy it now.</p></body></html>\n' \
  >site/scenarios.example.org/index.html
eval "$("$ROTGUARD_SOURCE_DIR/tools/fixture-web" start --dir "$fixture_dir" --root "$WORK/site" --max-seconds 300)"
read -r -a fixture_args <<<"$FIXTURE_ARGS"

gone=https://news.example.com/gone.html
forbidden=https://news.example.com/forbidden.html
parked='https://scenarios.example.org/redirect/1?to=/'
story=https://news.example.com/2020/02/story.html
mkdir content
cat >content/post.md <<EOF
[gone]($gone) [forbidden]($forbidden)
[parked]($parked) [story]($story)
EOF
expect_exit 0 "$ROTGUARD" init
expect_exit 0 "$ROTGUARD" scan --update content

db=.rotguard/manifest.sqlite3
health() {  # URL → "verdict streak failure_class"
  sqlite3 "$db" "select verdict || ' ' || consecutive_failures || ' ' || failure_class from urls where normalized = '$1'"
}
t0=1767225600  # 2026-01-01T00:00:00Z
live() {  # UNIX-TIME: one simulated run; always exits 0
  export ROTGUARD_TEST_NOW=$1
  expect_exit 0 "$ROTGUARD" verify --live --json "${fixture_args[@]}" \
    --delay 0 --per-host 4
  unset ROTGUARD_TEST_NOW
  cp out "live-$1.jsonl"
}

live $t0
[ "$(health $gone)" = "failing 1 http-404" ] || fail "run 1, gone.html: $(health $gone)"
[ "$(health $forbidden)" = "blocked 0 http-403" ] || fail "run 1, forbidden.html: $(health $forbidden)"
[ "$(health "$parked")" = "soft-404 0 " ] || fail "run 1, parked: $(health "$parked")"
[ "$(health $story)" = "ok 0 " ] || fail "run 1, story: $(health $story)"
expect_contains "live-$t0.jsonl" '"summary":true'
# The requests of a first run (HEAD, then GET when HEAD failed; the parked
# page's random sibling path) are checked by tests/data/http/016.case.

live $((t0 + 2 * 3600))  # the same night: does not count, does not reset
[ "$(health $gone)" = "failing 1 http-404" ] || fail "run 2 (+2 h), gone.html: $(health $gone)"

live $((t0 + 22 * 3600))
[ "$(health $gone)" = "failing 2 http-404" ] || fail "run 3 (+22 h), gone.html: $(health $gone)"
expect_exit 0 "$ROTGUARD" report --fail-on-dead

live $((t0 + 44 * 3600))
[ "$(health $gone)" = "gone 3 http-404" ] || fail "run 4 (+44 h), gone.html: $(health $gone)"
[ "$(health $forbidden)" = "blocked 0 http-403" ] || fail "403 must never be gone: $(health $forbidden)"
expect_contains "live-$((t0 + 44 * 3600)).jsonl" '"verdict":"gone","previous_verdict":"failing"'

# The report now fails on the dead link; verify --live itself still did not.
expect_exit 2 "$ROTGUARD" report --fail-on-dead
grep -Eq "gone +- +3 +http-404 .*gone.html" out || { cat out >&2; fail "report lacks the gone link"; }
echo "ok"
