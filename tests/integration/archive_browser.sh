#!/usr/bin/env bash
# The browser lane of `rotguard archive` (issue #16 items 2-4) against the
# fixture web's /js/ pages (tools/fixture_js.py), with --resolve and the
# test CA, in one run with --browser always:
# - the JS-only app is classed thin by the static pass, captured again by
#   the browser lane (source browser, quality full from the rendered DOM),
#   its article text in the urn:rotguard:dom: resource record, which with
#   the screenshot and the thumbnail is WARC-Concurrent-To the page's
#   response and has no captures row; the app's JSON fetch and the lazy
#   images are response records with source browser;
# - the SSRF probes to 127.0.0.1, 169.254.169.254 and [::1] are refused,
#   counted and logged with the page, and never recorded;
# - the endless page hits the page time limit, keeps its static capture,
#   and the run goes on; the popup/download page yields no extra capture;
# - verify is clean, npm warcio agrees on every record with matching
#   digests, no Chromium is left after the run;
# - restore builds the app from its DOM snapshot (text, local requisites,
#   no script), the WACZ's pages.jsonl marks it, ReplayWeb.page replays it;
# - a `rotguard archive` killed with SIGKILL during the browser lane leaves
#   no Chromium running, and the next lane removes its stale profile.
# Skipped (125) when chromium is not installed.
source "$(dirname "$0")/common.sh"
source "$ROTGUARD_SOURCE_DIR/tests/integration/fixture_lib.sh"
CHROMIUM=${ROTGUARD_CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] || { echo "chromium not installed: skipped"; exit 125; }
command -v pgrep >/dev/null || { echo "pgrep not installed: skipped"; exit 125; }
command -v node >/dev/null 2>&1 || { echo "node not installed: skipped"; exit 125; }
INTEROP=$ROTGUARD_SOURCE_DIR/tools/interop
[ -d "$INTEROP/node_modules/warcio" ] ||
  { echo "npm warcio not installed (cd tools/interop && npm ci): skipped"; exit 125; }
fixture_start
fetch_config
# A download would land in $HOME/Downloads: keep HOME inside $WORK.
export HOME=$WORK/home
mkdir -p "$HOME"
# The endless page must outlast the page limit: its network-idle waits
# (10 s each) do. The other pages go idle in a few seconds.
printf '[browser]\npage_timeout = "15s"\n' >>"$CONFIG"

J=https://news.example.com/js
# chromium_of PID: the pids of Chromium processes whose profile rotguard
# PID made (rotguard-chromium.PID.XXXXXX).
chromium_of() { pgrep -f -- "--user-data-dir=[^ ]*rotguard-chromium\.$1\." || true; }

# 1. kill -9 of `rotguard archive` while its Chromium loads the endless page.
KSTORE=$WORK/killed
"$ROTGUARD" --store "$KSTORE" --config "$CONFIG" archive --browser always "$J/endless" \
  "${FIXTURE_FLAGS[@]}" >kill.out 2>kill.err &
victim=$!
for _ in $(seq 600); do
  [ -n "$(chromium_of "$victim")" ] && break
  kill -0 "$victim" 2>/dev/null || break
  sleep 0.1
done
[ -n "$(chromium_of "$victim")" ] || { cat kill.out kill.err >&2; fail "no Chromium started within 60 s"; }
kill -KILL "$victim"
wait "$victim" 2>/dev/null || true
for _ in $(seq 300); do
  [ -z "$(chromium_of "$victim")" ] && break
  sleep 0.1
done
left=$(chromium_of "$victim")
[ -z "$left" ] || fail "Chromium survived the kill -9 of rotguard archive: $left"
stale=$(ls -d "${TMPDIR:-/tmp}"/rotguard-chromium."$victim".* 2>/dev/null || true)

# 2. The main run.
mkdir -p site/content
cat >site/content/js.md <<POST
---
title: Pages that need JavaScript
---
[app]($J/app), [lazy]($J/lazy), [probe]($J/ssrf), [ticker]($J/endless),
[popup]($J/popup).
POST
started=$SECONDS
archive 0 --browser always site/content
echo "archive with the browser lane: $((SECONDS - started)) s"
[ "$(summary 's["browser"]["pages"]')" = 5 ] || fail "browser pages: $(cat summary.json)"
[ "$(summary 's["browser"]["captured"]')" = 4 ] || fail "browser captured: $(cat summary.json)"
[ "$(summary 's["browser"]["failed"]')" = 1 ] || fail "browser failed: $(cat summary.json)"
[ "$(summary 's["browser"]["blocked"] >= 3')" = True ] || fail "blocked: $(cat summary.json)"
LOG=$STORE/logs/rotguard.log
[ -f "$LOG" ] || fail "no store log"

# Static vs browser captures of the app.
expect_sql "SELECT source, quality FROM captures WHERE url = '$J/app' ORDER BY id" \
  "live|thin
browser|full"
expect_sql "SELECT count(*) FROM captures WHERE url = '$J/app/article.json' AND source = 'browser' AND http_status = 200" 1
[ "$(sql "SELECT count(*) FROM captures WHERE url LIKE '$J/lazy/%.png' AND source = 'browser'")" -ge 1 ] ||
  fail "no lazy image captured by the browser"
# The endless page keeps its static capture; the failure is logged.
expect_sql "SELECT source FROM captures WHERE url = '$J/endless' AND source = 'live'" live
grep -F "browser: $J/endless: failed, its static capture stays" "$LOG" >/dev/null ||
  { cat "$LOG" >&2; fail "the endless page's failure is not logged"; }
# The SSRF probes: refused, logged with the page, never recorded.
for probe in http://127.0.0.1/ http://169.254.169.254/latest/meta-data/; do
  grep -F "browser: blocked $probe (page $J/ssrf)" "$LOG" >/dev/null ||
    { cat "$LOG" >&2; fail "probe $probe not logged as blocked"; }
done
expect_sql "SELECT count(*) FROM records WHERE target_uri LIKE '%127.0.0.1%' OR target_uri LIKE '%169.254%' OR target_uri LIKE '%[::1]%'" 0
# The popup and the download: no page capture of their own (their
# requests, if Chromium made them before closing the popup and denying
# the download, are recorded like any exchange), and no file.
expect_sql "SELECT count(*) FROM records WHERE target_uri LIKE 'urn:rotguard:%:$J/popup/%'" 0
expect_sql "SELECT count(*) FROM records WHERE target_uri LIKE 'urn:rotguard:%:$J/popup'" 3
echo "popup page's browser exchanges: $(sql "SELECT group_concat(url, ' ') FROM captures WHERE url LIKE '$J/popup%' AND source = 'browser'")"
[ -z "$(ls -A "$HOME/Downloads" 2>/dev/null)" ] || fail "a download landed in $HOME/Downloads"
# The three resource records of each captured page: no captures row.
expect_sql "SELECT count(*) FROM records WHERE type = 'resource' AND target_uri LIKE 'urn:rotguard:%'" 12
expect_sql "SELECT count(*) FROM captures WHERE url LIKE 'urn:rotguard:%'" 0

load_records
python3 - "$WORK/records.jsonl" "$J" "$(sql "SELECT record_id FROM captures WHERE url = '$J/app' AND source = 'browser'")" <<'PY'
import sys
from fixture_check import fail, load, read_record
records, base, response_id = load(sys.argv[1]), sys.argv[2], sys.argv[3]
app = base + "/app"
by_uri = {r["warc-target-uri"]: r for r in records}
want = {"dom": "text/html; charset=utf-8", "screenshot": "image/png", "thumbnail": "image/png"}
response = [r for r in records if r["warc-record-id"] == response_id]
if len(response) != 1:
    fail("the app's browser response record %s is not in the WARC" % response_id)
for what, content_type in want.items():
    uri = "urn:rotguard:%s:%s" % (what, app)
    if uri not in by_uri:
        fail("no %s record" % uri)
    r = by_uri[uri]
    warc, _, payload = read_record(r["path"], r["offset"], limit=64 << 20)
    if warc["warc-type"] != "resource" or warc["content-type"] != content_type:
        fail("%s: %s %s" % (uri, warc["warc-type"], warc["content-type"]))
    if warc.get("warc-concurrent-to") != response_id:
        fail("%s: WARC-Concurrent-To %r, want %r" % (uri, warc.get("warc-concurrent-to"), response_id))
    if warc["warc-date"] != response[0]["warc-date"]:
        fail("%s: WARC-Date %s, the page's %s" % (uri, warc["warc-date"], response[0]["warc-date"]))
    if what == "dom":
        text = payload.decode("utf-8")
        if "Link rot is the slow decay" not in text or "Why links rot" not in text:
            fail("the rendered DOM lacks the article: %r" % text[:400])
    elif not payload.startswith(b"\x89PNG\r\n\x1a\n"):
        fail("%s is not a PNG" % uri)
    if what == "thumbnail":
        width = int.from_bytes(payload[16:20], "big")
        if not 300 <= width <= 340:
            fail("thumbnail is %d px wide" % width)
print("browser records of the app: ok")
PY

# Interop: npm warcio parses every record, digests match.
for file in "$STORE"/warc/*.warc.gz; do
  node "$INTEROP/check_warc.mjs" "$file" >warcio.jsonl 2>warcio.err ||
    { cat warcio.jsonl warcio.err >&2; fail "warcio rejected $file"; }
  python3 - warcio.jsonl <<'PY'
import json, sys
from fixture_check import fail
seen = 0
for line in open(sys.argv[1]):
    if not line.strip():
        continue
    r = json.loads(line)
    if r["block_digest"] != "ok" or r["payload_digest"] not in ("ok", "absent", "not-checked"):
        fail("warcio: %s %s: block %s payload %s" % (r["warc-type"], r["warc-target-uri"], r["block_digest"], r["payload_digest"]))
    seen += (r.get("warc-target-uri") or "").startswith("urn:rotguard:")
print("warcio: %d browser resource records ok" % seen)
PY
done

expect_exit 0 "$ROTGUARD" --store "$STORE" verify

# 3. The copies people read: restore takes the app from its DOM snapshot
# (article text, local requisites, no script), a WACZ marks the browser
# pages in pages.jsonl, and ReplayWeb.page replays the app from the WACZ
# (its script fetches the article JSON the lane recorded).
expect_exit 0 "$ROTGUARD" --store "$STORE" restore site/content --out "$WORK/restored"
# The summary counts the pages built from a DOM snapshot (the app at least;
# how many others the lane rendered depends on their time limits).
grep -E "^restored [1-9][0-9]* of the pages from the browser's rendered DOM$" "$WORK/out" >/dev/null ||
  fail "restore does not count the pages it built from DOM snapshots: $(cat "$WORK/out")"
app_copy=$(grep -rl 'Why links rot (rendered)' "$WORK/restored/assets" || true)
[ -n "$app_copy" ] || fail "no restored page holds the app's rendered article"
expect_contains "$app_copy" "Link rot is the slow decay"
grep -i '<script' "$app_copy" >/dev/null && fail "the restored app page keeps a script: $app_copy"
grep -E 'src="https?://' "$app_copy" >/dev/null &&
  fail "the restored app page loads from the live web: $(grep -oE 'src="https?://[^"]*' "$app_copy" | head -3)"
expect_exit 0 "$ROTGUARD" --store "$STORE" export --wacz "$WORK/js.wacz"
python3 - "$WORK/js.wacz" "$J/app" <<'PY'
import json, sys, zipfile
from fixture_check import fail
pages = [json.loads(l) for l in zipfile.ZipFile(sys.argv[1]).read("pages/pages.jsonl").decode().splitlines()]
marked = {p["url"] for p in pages if p.get("capturedBy") == "browser"}
if sys.argv[2] not in marked:
    fail("pages.jsonl does not mark %s as a browser page: %s" % (sys.argv[2], sorted(marked)))
print("pages.jsonl: %d browser pages" % len(marked))
PY
BROWSER_TOOLS=$ROTGUARD_SOURCE_DIR/tools/browser
if [ -d "$BROWSER_TOOLS/node_modules/replaywebpage" ] && [ -x /usr/lib/chromium/chromium ]; then
  timeout -k 5 120 node "$BROWSER_TOOLS/replay_check.mjs" "$WORK/js.wacz" "$J/app" \
    "Link rot is the slow decay" >replay.out 2>&1 ||
    { cat replay.out >&2; fail "ReplayWeb.page did not replay the app's article"; }
  cat replay.out
fi

# Nothing of Chromium is left: no process of a profile of ours, and the
# killed run's profile was removed by this run's lane.
[ -z "$(pgrep -f -- "--user-data-dir=[^ ]*rotguard-chromium\." | while read -r p; do
  grep -F "$WORK" /proc/"$p"/environ >/dev/null 2>&1 && echo "$p"; done)" ] ||
  fail "Chromium left running after the run"
for dir in $stale; do
  [ ! -e "$dir" ] || fail "the killed run's profile $dir was not removed"
done
echo "archive_browser: ok"
