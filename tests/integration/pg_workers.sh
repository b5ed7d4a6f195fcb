#!/usr/bin/env bash
# Archive workers sharing a PostgreSQL manifest (SPEC §10, issue #18):
# `enqueue` fills the work queue once (idempotent); three `archive
# --worker` processes fetch 600 URLs on 30 hosts of the loopback fixture
# web with every URL requested exactly once (the fixture's own count) and
# each host served by one worker at a time (so --per-host and --delay hold
# across them), each into its own warc/ID/ directory, each session ONE
# runs row, and verify is clean. Page requisites are fetched once per
# worker session however many batches name them; a --follow worker runs
# one session per stretch of work until SIGTERM. A worker killed with
# kill -9 mid-batch loses its URLs only until its lease (3 s) expires:
# the others finish them; restarted under its id, it closes the WARC it
# left open (as repair would), and repair and verify are clean.
# A worker whose database connections are terminated exits non-zero
# without losing what it committed, and another one finishes its work.
# PG_WORKERS_URLS=10000 runs the first scenario at the issue's size (not
# in CI: minutes on a shared 2-core host).
source "$(dirname "$0")/common.sh"
source "$ROTGUARD_SOURCE_DIR/tests/integration/pg_common.sh"

command -v python3 >/dev/null 2>&1 || { echo "python3 not installed: skipped"; exit 125; }
if sanitizer_build; then
  echo "sanitizer build: the PostgreSQL worker scenarios are not run"
  exit 125
fi
pg_start rotguard_workers

mkdir -p root
python3 "$ROTGUARD_SOURCE_DIR/tools/fixture_server.py" --port 0 --root root \
  --port-file "$WORK/port" --idle-timeout 300 --quiet >"$WORK/server.out" 2>"$WORK/server.log" &
ON_EXIT+=("kill $! 2>/dev/null")
for _ in $(seq 100); do [ -s "$WORK/port" ] && break; sleep 0.1; done
[ -s "$WORK/port" ] || fail "fixture server did not start"
BASE="http://127.0.0.1:$(cat "$WORK/port")"

STORE=(--store "$WORK/store" --manifest "$PG_URL")
WORKER=(archive --worker --lease 3 --allow-private --delay 0 --per-host 4)
expect_exit 0 "$ROTGUARD" "${STORE[@]}" init

# requests_of PREFIX: "PATH COUNT" per fixture path starting with PREFIX.
requests_of() {
  curl -s "$BASE/_stats" >"$WORK/stats.json"
  python3 - "$WORK/stats.json" "$1" <<'PY'
import json, sys
stats = json.load(open(sys.argv[1]))
for path, count in sorted(stats["by_path"].items()):
    if path.startswith(sys.argv[2]):
        print(path, count)
PY
}

# queue_done PATH [any]: how many queue rows of URLs with PATH are done
# (any: on any host; default the fixture's own address).
queue_done() {
  local like="$BASE$1%"
  [ -z "${2:-}" ] || like="%$1%"
  psql "$PG_URL" -qAtc "SELECT count(*) FROM work_queue q JOIN urls u ON u.id = q.url_id
    WHERE q.state = 'done' AND u.normalized LIKE '$like'"
}

# captured PATH [any]: URLs with PATH that have at least one live capture.
captured() {
  local like="$BASE$1%"
  [ -z "${2:-}" ] || like="%$1%"
  psql "$PG_URL" -qAtc "SELECT count(DISTINCT c.url_id) FROM captures c
    JOIN urls u ON u.id = c.url_id WHERE c.lost = 0 AND u.normalized LIKE '$like'"
}

# --- 1. three workers, N URLs on 30 hosts, each fetched exactly once ---
N=${PG_WORKERS_URLS:-600}
PORT=$(cat "$WORK/port")
RESOLVE=()
for h in $(seq 30); do RESOLVE+=(--resolve "h$h.workers.test:$PORT:127.0.0.1"); done
for i in $(seq "$N"); do echo "http://h$((i % 30 + 1)).workers.test:$PORT/slow/10/a$i"; done >"$WORK/a.txt"
expect_exit 0 "$ROTGUARD" "${STORE[@]}" --json enqueue -i "$WORK/a.txt"
python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); n=int(sys.argv[2]); assert s["due"]==n and s["queued"]==n and s["free"]==n, s' \
  "$WORK/out" "$N" || fail "enqueue: $(cat "$WORK/out")"
expect_exit 0 "$ROTGUARD" "${STORE[@]}" --json enqueue -i "$WORK/a.txt"
python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); assert s["queued"]==0 and s["free"]==int(sys.argv[2]), s' \
  "$WORK/out" "$N" || fail "a second enqueue queued again: $(cat "$WORK/out")"

archive_runs() {
  psql "$PG_URL" -qAtc "SELECT count(*) FROM runs WHERE command = 'archive'"
}
runs_before=$(archive_runs)
pids=()
for w in w1 w2 w3; do
  "$ROTGUARD" "${STORE[@]}" archive --worker --lease 3 --per-host 2 --delay 20 \
    "${RESOLVE[@]}" --worker-id "$w" --claim 25 >"$WORK/$w.out" 2>"$WORK/$w.err" &
  pids+=($!)
done
for n in 0 1 2; do
  code=0
  wait "${pids[$n]}" || code=$?
  [ "$code" = 0 ] || { cat "$WORK/w$((n + 1)).err" >&2; fail "worker w$((n + 1)) exited $code"; }
done
# Each worker's whole session is one run, however many batches it took.
[ "$(archive_runs)" = "$((runs_before + 3))" ] ||
  fail "3 worker sessions wrote $(($(archive_runs) - runs_before)) runs rows"
requests_of /slow/10/a >"$WORK/a.requests"
[ "$(wc -l <"$WORK/a.requests")" = "$N" ] || fail "$(wc -l <"$WORK/a.requests") of $N URLs were requested"
awk '$2 != 1 { print; bad = 1 } END { exit bad }' "$WORK/a.requests" ||
  fail "URLs requested more than once (above)"
# Politeness across workers: each host was served by one worker at a time
# (here, as no lease expired, by exactly one), so --per-host and --delay
# held for all of them together.
shared=$(psql "$PG_URL" -qAtc "SELECT count(*) FROM (SELECT substring(u.normalized
    FROM '//([^:/]+)') AS host FROM captures c JOIN urls u ON u.id = c.url_id
    WHERE u.normalized LIKE '%/slow/10/a%' GROUP BY 1
    HAVING count(DISTINCT split_part(c.warc_file, '/', 1)) > 1) AS t")
[ "$shared" = 0 ] || fail "$shared hosts were fetched from by more than one worker"
[ "$(captured /slow/10/a h)" = "$N" ] || fail "$(captured /slow/10/a h) of $N URLs captured"
[ "$(queue_done /slow/10/a h)" = "$N" ] || fail "$(queue_done /slow/10/a h) of $N queue rows done"
for w in w1 w2 w3; do
  compgen -G "$WORK/store/warc/$w/rotguard-*-$w.warc.gz" >/dev/null ||
    fail "worker $w wrote no warc/$w/rotguard-…-$w.warc.gz (it did: $(ls "$WORK/store/warc/$w"))"
done
[ -z "$(find "$WORK/store/warc" -maxdepth 1 -name '*.warc.gz')" ] || fail "a worker wrote to warc/ itself"
# Export and extract read every worker's files.
expect_exit 0 "$ROTGUARD" "${STORE[@]}" export --cdxj "$WORK/index.cdxj"
[ "$(grep -c '/slow/10/a' "$WORK/index.cdxj")" -ge "$N" ] || fail "the CDXJ export lacks captures"
for w in w1 w2 w3; do
  grep -E "\"filename\":\"rotguard-[^\"]*-$w\.warc\.gz\"" "$WORK/index.cdxj" >/dev/null ||
    fail "the CDXJ export names no file of worker $w"
done
expect_exit 0 "$ROTGUARD" "${STORE[@]}" extract "http://h7.workers.test:$PORT/slow/10/a6" -o "$WORK/a6.html"
expect_contains "$WORK/a6.html" "after 10 ms"
expect_exit 0 "$ROTGUARD" "${STORE[@]}" verify

# --- 1b. requisites once per worker session, across its batches ---
# Every /page/shared page of a host names the same requisites (stylesheet,
# script, image, favicon; the stylesheet a background and a font): with
# --claim 2 a host's 6 pages span 3 batches, and each requisite URL is
# still fetched and captured once. (The pages' cdn.example.net photo is
# out of scope: no traffic leaves the loopback.)
printf '[scope]\nexclude_hosts = ["cdn.example.net"]\n' >"$WORK/scope.toml"
for h in 1 2 3; do
  for i in $(seq 6); do echo "http://h$h.workers.test:$PORT/page/shared?n=$i"; done
done >"$WORK/p.txt"
expect_exit 0 "$ROTGUARD" "${STORE[@]}" enqueue -i "$WORK/p.txt"
runs_before=$(archive_runs)
pids=()
for w in p1 p2; do
  "$ROTGUARD" "${STORE[@]}" --config "$WORK/scope.toml" archive --worker \
    --lease 3 --per-host 2 --delay 0 "${RESOLVE[@]}" --worker-id "$w" \
    --claim 2 >"$WORK/$w.out" 2>"$WORK/$w.err" &
  pids+=($!)
done
for n in 0 1; do
  code=0
  wait "${pids[$n]}" || code=$?
  [ "$code" = 0 ] || { cat "$WORK/p$((n + 1)).err" >&2; fail "worker p$((n + 1)) exited $code"; }
done
[ "$(archive_runs)" = "$((runs_before + 2))" ] ||
  fail "2 worker sessions wrote $(($(archive_runs) - runs_before)) runs rows"
[ "$(captured /page/shared h)" = 18 ] || fail "$(captured /page/shared h) of 18 pages captured"
[ "$(queue_done /page/shared h)" = 18 ] || fail "$(queue_done /page/shared h) of 18 queue rows done"
requisite_captures() {
  psql "$PG_URL" -qAtc "SELECT u.normalized, count(*) FROM captures c
    JOIN urls u ON u.id = c.url_id WHERE u.normalized LIKE '%.workers.test:$PORT/assets/shared%'
    OR u.normalized LIKE '%.workers.test:$PORT/favicon.ico' GROUP BY 1 ORDER BY 1"
}
requisite_captures >"$WORK/p.captures"
[ "$(wc -l <"$WORK/p.captures")" = 18 ] ||
  fail "$(wc -l <"$WORK/p.captures") of 18 requisite URLs captured: $(cat "$WORK/p.captures")"
awk -F'|' '$2 != 1 { print; bad = 1 } END { exit bad }' "$WORK/p.captures" ||
  fail "requisites captured more than once in a worker session (above)"
requests_of /assets/shared >"$WORK/p.requests"
awk '$2 != 3 { print; bad = 1 } END { exit bad }' "$WORK/p.requests" ||
  fail "a requisite was requested more than once per host (above)"

# --- 1c. --follow: one run per stretch of work, until SIGTERM ---
# A following worker ends its session when the queue has nothing for it
# and starts the next one with the next work, so a worker that runs for
# months does not keep one run's bookkeeping that long.
runs_before=$(archive_runs)
"$ROTGUARD" "${STORE[@]}" "${WORKER[@]}" --worker-id f1 --claim 5 --follow \
  >"$WORK/f1.out" 2>"$WORK/f1.err" &
follower=$!
for round in 1 2; do
  for i in $(seq 5); do echo "$BASE/slow/10/f$round-$i"; done >"$WORK/f$round.txt"
  expect_exit 0 "$ROTGUARD" "${STORE[@]}" enqueue -i "$WORK/f$round.txt"
  for _ in $(seq 200); do
    [ "$(queue_done "/slow/10/f$round-")" = 5 ] && break
    sleep 0.05
  done
  [ "$(queue_done "/slow/10/f$round-")" = 5 ] ||
    { cat "$WORK/f1.err" >&2; fail "--follow: round $round was not done"; }
  sleep 0.5  # the idle session ends
done
kill -TERM "$follower"
code=0
wait "$follower" || code=$?
[ "$code" = 0 ] || { cat "$WORK/f1.err" >&2; fail "the --follow worker exited $code on SIGTERM"; }
[ "$(archive_runs)" = "$((runs_before + 2))" ] ||
  fail "--follow: $(($(archive_runs) - runs_before)) runs rows for 2 stretches of work"

# --- 2. kill -9 a worker mid-batch: the others take over after its lease ---
for i in $(seq 40); do echo "$BASE/slow/400/k$i"; done >"$WORK/k.txt"
expect_exit 0 "$ROTGUARD" "${STORE[@]}" enqueue -i "$WORK/k.txt"
"$ROTGUARD" "${STORE[@]}" "${WORKER[@]}" --worker-id doomed --claim 40 \
  >"$WORK/doomed.out" 2>"$WORK/doomed.err" &
doomed=$!
# Killed once answers were written (so a .open WARC of its own is left).
for _ in $(seq 200); do
  [ "$(requests_of /slow/400/k | wc -l)" -ge 8 ] &&
    compgen -G "$WORK/store/warc/doomed/*.open" >/dev/null && break
  sleep 0.05
done
kill -9 "$doomed"
wait "$doomed" || true
pids=()
for w in w4 w5; do
  "$ROTGUARD" "${STORE[@]}" "${WORKER[@]}" --worker-id "$w" --claim 5 \
    >"$WORK/$w.out" 2>"$WORK/$w.err" &
  pids+=($!)
done
for n in 0 1; do
  code=0
  wait "${pids[$n]}" || code=$?
  [ "$code" = 0 ] || { cat "$WORK/w$((n + 4)).err" >&2; fail "worker w$((n + 4)) exited $code"; }
done
[ "$(captured /slow/400/k)" = 40 ] || fail "$(captured /slow/400/k) of 40 URLs captured after the kill"
[ "$(queue_done /slow/400/k)" = 40 ] || fail "$(queue_done /slow/400/k) of 40 queue rows done after the kill"
# Nothing was fetched while the killed worker's lease lived: its requests
# and the survivors' are apart by most of the lease (3 s, renewed each 1 s).
curl -s "$BASE/_requests" >"$WORK/requests.json"
python3 - "$WORK/requests.json" <<'PY' || fail "a URL was fetched while its lease was live"
import json, sys
times = sorted(t for t, host, path in json.load(open(sys.argv[1]))
               if path.startswith("/slow/400/k"))
gap = max(b - a for a, b in zip(times, times[1:]))
assert gap >= 1.5, "largest gap between requests %.2f s" % gap
PY
compgen -G "$WORK/store/warc/doomed/*.open" >/dev/null ||
  fail "the killed worker left no .open WARC: $(ls "$WORK/store/warc/doomed" 2>&1)"
# Restarted under the same id (it holds workers/doomed.lock), the worker
# finishes what its previous life left open, as repair would; then it
# finds nothing due and exits.
expect_exit 0 "$ROTGUARD" "${STORE[@]}" "${WORKER[@]}" --worker-id doomed
expect_contains "$WORK/err" "stale WARC from an interrupted run"
if compgen -G "$WORK/store/warc/doomed/*.open" >/dev/null; then
  fail "the restarted worker left its .open files: $(ls "$WORK/store/warc/doomed")"
fi
expect_exit 0 "$ROTGUARD" "${STORE[@]}" repair
expect_exit 0 "$ROTGUARD" "${STORE[@]}" verify

# --- 3. a dropped database connection: non-zero exit, nothing lost ---
for i in $(seq 40); do echo "$BASE/slow/300/d$i"; done >"$WORK/d.txt"
expect_exit 0 "$ROTGUARD" "${STORE[@]}" enqueue -i "$WORK/d.txt"
"$ROTGUARD" "${STORE[@]}" "${WORKER[@]}" --worker-id dropped --claim 4 \
  >"$WORK/dropped.out" 2>"$WORK/dropped.err" &
dropped=$!
for _ in $(seq 300); do
  [ "$(captured /slow/300/d)" -ge 4 ] && break
  sleep 0.05
done
before=$(captured /slow/300/d)
[ "$before" -ge 4 ] || fail "the worker committed nothing before the drop"
psql "$PG_URL" -qAtc "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
  WHERE datname = 'rotguard_workers' AND pid <> pg_backend_pid()" >/dev/null
code=0
wait "$dropped" || code=$?
[ "$code" != 0 ] || fail "the worker whose connection dropped exited 0"
[ "$(captured /slow/300/d)" -ge "$before" ] || fail "committed captures were lost"
expect_exit 0 "$ROTGUARD" "${STORE[@]}" "${WORKER[@]}" --worker-id w6 --claim 10
[ "$(captured /slow/300/d)" = 40 ] || fail "$(captured /slow/300/d) of 40 URLs captured after the drop"
expect_exit 0 "$ROTGUARD" "${STORE[@]}" repair
expect_exit 0 "$ROTGUARD" "${STORE[@]}" verify
echo "ok: 3 workers, 600 URLs once each, one run per session, requisites once; kill -9 and a dropped connection recovered"
