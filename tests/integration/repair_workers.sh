#!/usr/bin/env bash
# Issue #18 item 3: `repair` while archive workers run touches only the
# directories of workers that are not running. A worker killed with -9
# leaves a .open WARC file in warc/ID/; with another worker still running
# (--follow), repair closes that file, leaves the live worker's directory
# alone, and says so; a held store (a plain `archive`) still exits 4.
# Workers on the embedded SQLite manifest (one machine), as the README says.
source "$(dirname "$0")/common.sh"

command -v python3 >/dev/null 2>&1 || { echo "python3 not installed: skipped"; exit 125; }
mkdir -p root
python3 "$ROTGUARD_SOURCE_DIR/tools/fixture_server.py" --port 0 --root root \
  --port-file "$WORK/port" --idle-timeout 120 --quiet >"$WORK/server.out" 2>"$WORK/server.log" &
ON_EXIT+=("kill $! 2>/dev/null")
for _ in $(seq 100); do [ -s "$WORK/port" ] && break; sleep 0.1; done
[ -s "$WORK/port" ] || fail "fixture server did not start"
BASE="http://127.0.0.1:$(cat "$WORK/port")"

STORE=(--store "$WORK/store")
WORKER=(archive --worker --lease 2 --claim 2 --allow-private --delay 0 --per-host 2)
expect_exit 0 "$ROTGUARD" "${STORE[@]}" init
# Slow pages keep the doomed worker busy long enough to be killed mid-file.
for i in $(seq 12); do echo "$BASE/slow/1500?n=$i"; done >urls.txt
expect_exit 0 "$ROTGUARD" "${STORE[@]}" enqueue -i urls.txt

"$ROTGUARD" "${STORE[@]}" "${WORKER[@]}" --worker-id doomed >"$WORK/doomed.out" 2>&1 &
doomed=$!
# Wait (bounded) until the doomed worker has an .open file with a record in it.
for _ in $(seq 200); do
  compgen -G "$WORK/store/warc/doomed/*.open" >/dev/null && break
  sleep 0.1
done
compgen -G "$WORK/store/warc/doomed/*.open" >/dev/null || fail "the doomed worker wrote no .open file"
sleep 1
kill -9 "$doomed"
wait "$doomed" 2>/dev/null || true

# A live worker polls for work (--follow) and holds the store shared.
"$ROTGUARD" "${STORE[@]}" "${WORKER[@]}" --worker-id alive --follow >"$WORK/alive.out" 2>&1 &
alive=$!
ON_EXIT+=("kill -9 $alive 2>/dev/null")
for _ in $(seq 100); do [ -e "$WORK/store/workers/alive.lock" ] && break; sleep 0.1; done
sleep 0.5
kill -0 "$alive" 2>/dev/null || { cat "$WORK/alive.out" >&2; fail "the live worker did not start"; }

expect_exit 0 "$ROTGUARD" "${STORE[@]}" repair
expect_contains "$WORK/err" "workers are running (alive): only the directories of stopped workers are repaired"
expect_contains "$WORK/out" "close-open doomed/"
grep -E 'repair: [a-z-]+ alive/' "$WORK/out" >/dev/null && fail "repair touched the live worker's directory"
compgen -G "$WORK/store/warc/doomed/*.open" >/dev/null && fail "the killed worker's .open file is left"
kill -0 "$alive" 2>/dev/null || fail "the live worker died during the repair"

# The live worker finishes the queue (the doomed worker's leases expire);
# then it is stopped as a service would be, and the store verifies clean.
for _ in $(seq 600); do
  done_count=$(sqlite3 "$WORK/store/manifest.sqlite3" "SELECT count(*) FROM work_queue WHERE state = 'done'")
  [ "$done_count" = 12 ] && break
  sleep 0.1
done
[ "$done_count" = 12 ] || fail "the live worker did not finish the queue ($done_count of 12 done)"
kill -TERM "$alive"
wait "$alive" 2>/dev/null || true
expect_exit 0 "$ROTGUARD" "${STORE[@]}" verify

# With no worker running, repair takes the exclusive lock as before.
expect_exit 0 "$ROTGUARD" "${STORE[@]}" repair
grep -F "workers are running" "$WORK/err" >/dev/null && fail "repair said workers run when none does"
echo "repair_workers: ok"
