#!/usr/bin/env bash
# `rotguard archive` end to end against tools/fixture_server.py on loopback:
# posts become resource records, links and their redirect chains and page
# requisites are captured, the summary and exit codes follow SPEC §13, a
# second run with nothing due sends no request, and a second writer is
# refused with exit 4.
source "$(dirname "$0")/common.sh"

command -v python3 >/dev/null 2>&1 || { echo "python3 not installed: skipped"; exit 125; }

mkdir -p root site/content/posts
cat >root/page.html <<'EOF'
<html><head><link rel="stylesheet" href="/style.css"></head>
<body><img src="/pic.png"><a href="/not-a-requisite">x</a></body></html>
EOF
printf 'body { background: url(bg.png) }\n' >root/style.css
head -c 3000 /dev/zero | tr '\0' 'p' >root/pic.png
head -c 3000 /dev/zero | tr '\0' 'p' >root/same.png  # same payload as pic.png
printf 'bg' >root/bg.png

python3 "$ROTGUARD_SOURCE_DIR/tools/fixture_server.py" --port 0 --root root \
  --port-file "$WORK/port" --idle-timeout 60 >"$WORK/server.out" 2>"$WORK/server.log" &
SERVER_PID=$!
trap 'rc=$?; set +e; kill "$SERVER_PID" 2>/dev/null; (exit $rc); cleanup' EXIT
for _ in $(seq 100); do [ -s "$WORK/port" ] && break; sleep 0.1; done
[ -s "$WORK/port" ] || fail "fixture server did not start"
BASE="http://127.0.0.1:$(cat "$WORK/port")"

cat >site/content/posts/hello.md <<EOF
---
title: Hello
---
A [page]($BASE/page.html), a [chain]($BASE/redirect/2?to=/same.png).
EOF

cd site
STORE=(--store .rotguard)
FLAGS=(--allow-private --delay 0 --per-host 4)

# First run: creates the store, everything is new, all succeeds.
expect_exit 0 "$ROTGUARD" "${STORE[@]}" --json archive content "${FLAGS[@]}"
python3 - "$WORK/out" <<'EOF' || fail "first run summary"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["documents"] == 1 and s["documents_changed"] == 1, s
assert s["due"] == 2, s
assert s["requisites"] == 3, s           # style.css, pic.png, bg.png
assert s["failed"] == 0 and s["failed_links"] == 0, s
assert s["captures"] == 1 + 1 + 3 + 3, s  # post, page, chain of 3, requisites

assert s["exit_code"] == 0, s
EOF
ls .rotguard/warc/*.warc.gz >/dev/null || fail "no closed WARC file"
ls .rotguard/warc/*.open 2>/dev/null && fail "an .open file was left"

# The WARC holds the post resource and request/response pairs.
expect_exit 0 "$ROTGUARD" inspect .rotguard/warc/*.warc.gz
expect_contains "$WORK/out" "resource"
expect_contains "$WORK/out" "$BASE/redirect/2?to=/same.png"
expect_contains "$WORK/out" "$BASE/bg.png"

# Second run: nothing due, no request reaches the server.
requests_before=$(grep -c '"GET ' "$WORK/server.log" || true)
expect_exit 0 "$ROTGUARD" "${STORE[@]}" --json archive content "${FLAGS[@]}"
python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); assert s["due"]==0 and s["jobs"]==0, s' \
  "$WORK/out" || fail "second run was not empty"
requests_after=$(grep -c '"GET ' "$WORK/server.log" || true)
[ "$requests_before" = "$requests_after" ] || fail "second run sent requests"

# --all: everything again; identical payloads now become revisits.
expect_exit 0 "$ROTGUARD" "${STORE[@]}" --json archive content --all "${FLAGS[@]}"
python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); assert s["revisits"]>=1, s' \
  "$WORK/out" || fail "--all made no revisit"

# A dead link: exit 2, and the class is in the summary.
expect_exit 2 "$ROTGUARD" "${STORE[@]}" --json archive "$BASE/status/404" "${FLAGS[@]}"
expect_contains "$WORK/out" '"http-4xx":1'

# --dry-run lists what is due and fetches nothing.
expect_exit 0 "$ROTGUARD" "${STORE[@]}" archive --dry-run "$BASE/new-url" "${FLAGS[@]}"
expect_contains "$WORK/out" "due new url $BASE/new-url"

# Private addresses are refused without --allow-private.
expect_exit 2 "$ROTGUARD" "${STORE[@]}" --json archive "$BASE/other" --delay 0
expect_contains "$WORK/out" '"blocked-address":1'

# A held lock exits 4 at once.
python3 - <<'EOF' &
import fcntl, time
f = open(".rotguard/lock", "a")
fcntl.flock(f, fcntl.LOCK_EX)
open("locked", "w").close()
time.sleep(5)
EOF
LOCKER=$!
for _ in $(seq 50); do [ -e locked ] && break; sleep 0.1; done
expect_exit 4 "$ROTGUARD" "${STORE[@]}" archive content "${FLAGS[@]}"
kill "$LOCKER" 2>/dev/null || true
wait "$LOCKER" 2>/dev/null || true
echo "archive_smoke: ok"
