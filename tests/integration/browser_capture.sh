#!/usr/bin/env bash
# The browser module (issue #16 item 2) on the real Debian chromium and the
# fixture web's /js/ pages (tools/fixture_js.py), through
# rotguard_browser_capture (one Chromium for all pages). Fixture names are
# mapped with --host-resolver-rules, so nothing reaches DNS:
# - the JS-built article is in the rendered DOM, the screenshot is a valid
#   PNG, the lazy images are requested once the page is scrolled;
# - the never-ending page hits the page time limit, and the next page in
#   the same browser still works;
# - the popup/download page leaves no file and no page open;
# - the browser is reaped with its profile removed at a normal exit, and
#   after a kill -9 of its parent no Chromium of that profile survives.
# Skipped (125) when chromium is not installed.
source "$(dirname "$0")/common.sh"

PROBE=${ROTGUARD_BUILD_DIR:-}/tools/rotguard_browser_capture
[ -x "$PROBE" ] || { echo "rotguard_browser_capture not built: skipped"; exit 125; }
command -v python3 >/dev/null || { echo "python3 not installed: skipped"; exit 125; }
command -v pgrep >/dev/null || { echo "pgrep not installed: skipped"; exit 125; }

eval "$("$ROTGUARD_SOURCE_DIR/tools/fixture-web" start --dir "$WORK/web" --max-seconds 300)"
trap 'rc=$?; set +e; "$ROTGUARD_SOURCE_DIR/tools/fixture-web" stop --dir "$WORK/web"; (exit $rc); cleanup' EXIT
RULES="MAP news.example.com $FIXTURE_ADDR:$FIXTURE_HTTP_PORT, MAP * ~NOTFOUND"
J=http://news.example.com/js
# A download would land in $HOME/Downloads: keep HOME inside $WORK.
export HOME=$WORK/home
mkdir -p "$HOME" main quick

# live_with_profile PROFILE: the pids of processes started with it.
live_with_profile() { pgrep -f -- "--user-data-dir=$1" || true; }

# A short run ends normally: its Chromium is reaped and its profile gone.
rc=0
"$PROBE" --out quick --resolver-rules "$RULES" --page-timeout-ms 90000 "$J/article" >quick.out 2>quick.err || rc=$?
[ "$rc" -ne 3 ] || { cat quick.err; echo "no chromium: skipped"; exit 125; }
[ "$rc" -eq 0 ] || { cat quick.out quick.err; fail "rotguard_browser_capture exited $rc"; }
profile=$(python3 -c 'import json; print(json.load(open("quick/browser.json"))["profile"])')
[ ! -e "$profile" ] || fail "the profile $profile is left after a normal exit"
[ -z "$(live_with_profile "$profile")" ] || fail "Chromium still runs after a normal exit"

# Under a memory cap below what an idle Chromium needs, the page fails
# with the cap named, and the run still ends cleanly.
mkdir capped
expect_exit 0 "$PROBE" --out capped --resolver-rules "$RULES" --memory-cap-mib 64 "$J/article"
expect_contains capped/results.jsonl "browser memory cap reached"

# The main run, in the background: the last page never ends and the
# parent is killed with SIGKILL while Chromium is loading it.
# Generous limits for the pages that end (a loaded 2-core CI host starves
# Chromium), a short one for the endless page: its idle waits (30 s) would
# outlast it, so only the page limit can end it.
slow=(--page-timeout-ms 90000 --idle-timeout-ms 30000)
pages=("${slow[@]}" "$J/app" "$J/lazy" --page-timeout-ms 6000 "$J/endless"
  "${slow[@]}" "$J/article" "$J/popup" "$J/endless")
"$PROBE" --out main --resolver-rules "$RULES" --window 1280x400 "${pages[@]}" >run.out 2>run.err &
probe=$!
for _ in $(seq 4000); do
  lines=0
  [ -f main/results.jsonl ] && lines=$(wc -l <main/results.jsonl)
  [ "$lines" -ge 5 ] && break
  kill -0 "$probe" 2>/dev/null || break
  sleep 0.1
done
[ "$lines" -ge 5 ] || { cat run.out run.err; fail "the first five pages did not finish in 400 s"; }
profile=$(python3 -c 'import json; print(json.load(open("main/browser.json"))["profile"])')
[ -n "$(live_with_profile "$profile")" ] || fail "no Chromium running before the kill"
kill -KILL "$probe"
wait "$probe" 2>/dev/null || true
for _ in $(seq 300); do
  [ -z "$(live_with_profile "$profile")" ] && break
  sleep 0.1
done
left=$(live_with_profile "$profile")
[ -z "$left" ] || { ps -o pid,pgid,args -p "${left//$'\n'/,}" >&2 || true
  fail "Chromium processes survived the kill -9 of their parent: $left"; }
rm -rf "$profile"  # a killed parent cannot remove it

python3 - "$WORK" <<'PY'
import json, os, struct, sys, zlib
work = sys.argv[1]
rows = [json.loads(l) for l in open(os.path.join(work, "main/results.jsonl"))]
for i, row in enumerate(rows):
    print("page %d %s: %s" % (i, row["url"], row.get("error") or
          "%d ms, peak %d MiB, %d requests, idle=%s, %d scroll steps, %d popups closed"
          % (row["elapsed_ms"], row["peak_memory_bytes"] >> 20, len(row["requests"]),
             row["network_idle"], row["scroll_steps"], row["popups_closed"])))

def fail(message):
    print("FAIL: " + message, file=sys.stderr)
    sys.exit(1)

def png_ok(path):
    data = open(path, "rb").read()
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        return False
    pos, seen = 8, []
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        crc, = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        if zlib.crc32(kind + body) != crc:
            return False
        seen.append(kind)
        pos += 12 + length
    width, height = struct.unpack(">II", data[16:24])
    return seen[0] == b"IHDR" and seen[-1] == b"IEND" and width > 0 and height > 0

def requested(row, path):
    return [r for r in row["requests"] if r["url"].split("?")[0].endswith(path)]

app, lazy, endless, article, popup = rows
for row in (app, lazy, article, popup):
    if "error" in row:
        fail("%s: %s" % (row["url"], row["error"]))
    if not png_ok(os.path.join(work, "main/%d.png" % rows.index(row))):
        fail("%s: the screenshot is not a valid PNG" % row["url"])
dom = open(os.path.join(work, "main/0.html"), encoding="utf-8").read()
if "Why links rot (rendered)" not in dom or dom.count("<p>") < 8:
    fail("the app's rendered article is not in its DOM snapshot")
if not requested(app, "/js/app/article.json"):
    fail("the app's JSON request is not in its request list")
# In a 400 px high window the last picture is below the fold (the
# placeholders are broken images, only a line high): only scrolling makes
# its IntersectionObserver load it.
for n in range(1, 5):
    if not requested(lazy, "/js/lazy/%d.png" % n):
        fail("lazy image %d was never requested" % n)
index = lazy["requests"].index(requested(lazy, "/js/lazy/4.png")[0])
if index < lazy["requests_before_scroll"]:
    fail("lazy image 4 was requested before any scrolling")
if lazy["scroll_steps"] < 2:
    fail("the lazy page was not scrolled to its end")
if "time limit" not in endless.get("error", ""):
    fail("the endless page did not hit the page time limit: %s" % endless)
if article["final_url"] != article["url"] or "Why links rot" not in \
        open(os.path.join(work, "main/3.html"), encoding="utf-8").read():
    fail("the page after the time limit was not captured")
for root, _, files in os.walk(work):
    if "file.bin" in files or any(f.endswith(".crdownload") for f in files):
        fail("the download was not denied: %s" % root)
if requested(popup, "/js/popup/window") and popup["popups_closed"] < 1:
    fail("the popup opened and was not closed")
PY
