#!/usr/bin/env bash
# Workers benchmark (issue #18 item 6): 5,000 small URLs (bench/archive's
# small set, gen_site.py) spread over HOSTS loopback host names (nginx on
# 127.0.0.1, names mapped with --resolve: hosts are leased to one worker at
# a time, so one name would serialize the workers), in ONE run:
#   sqlite     rotguard archive -i URLS            (the baseline)
#   pg         the same against PostgreSQL (--manifest postgresql://...)
#   workers-K  rotguard enqueue -i URLS, then K = 1, 2, 3 concurrent
#              `archive --worker` processes until the queue is empty
#   sqlite     the baseline again at the end (the host is shared)
# on a throwaway PostgreSQL 15 server (tools/pg-test-server.sh: loopback,
# fsync off), a fresh database per row. Per row: wall (start of the first
# process to the end of the last), captures/s, CPU s (user+sys) of the
# rotguard processes (/usr/bin/time) and of the PostgreSQL server (the
# postmaster's own and reaped children's utime+stime plus its live
# children's, from /proc, before and after), and the database's cost per
# capture: the server's CPU ms, the ms it spent executing statements and
# their number (pg_stat_statements, loaded by a restart of the test
# server), its pg_stat_database idle_in_transaction_time (ms a transaction
# waited on the client: round trips; flushed per session, so a lower
# bound) and its commits, each divided by the captures
# ($WORK/ROW-REP.statements lists the most frequent statements). enqueue
# is timed apart (it is not fetching). Each row goes to `summary`
# (bench/lib.sh), the sqlite row as the peer of the others.
# Never part of CI or tests.
#
#   bench/workers/run.sh
#   REPS=1 HOSTS=30 CLAIM=50 BUILD_DIR=... WORK=... bench/workers/run.sh
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../lib.sh
. "$ROOT/bench/lib.sh"  # summary()
BUILD_DIR=${BUILD_DIR:-$ROOT/build-bench}
RG=$BUILD_DIR/rotguard
WORK=${WORK:-/tmp/rotguard-bench-workers}
REPS=${REPS:-1}
HOSTS=${HOSTS:-30}
CLAIM=${CLAIM:-50}
WORKERS=${WORKERS:-"1 2 3"}
# As bench/archive: rotguard's polite defaults lifted for one loopback
# server; --per-host 16 lets a worker's batch (one host) use 16 transfers.
RG_FLAGS=${RG_FLAGS:-"--jobs 16 --per-host 16 --delay 0 --allow-private"}

log() { echo "bench: $*" >&2; }

ensure_tools() {
  local missing=()
  [ -x /usr/sbin/nginx ] || command -v nginx >/dev/null || missing+=(nginx-light)
  [ -x /usr/bin/time ] || missing+=(time)
  command -v psql >/dev/null || missing+=(postgresql)
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
  fi
  NGINX=$(command -v nginx || echo /usr/sbin/nginx)
  if [ ! -x "$RG" ]; then
    log "building rotguard in $BUILD_DIR"
    cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DROTGUARD_BUILD_TESTS=OFF >&2
    ninja -C "$BUILD_DIR" -j2 rotguard >&2
  fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

start_servers() {
  PORT=$(free_port)
  mkdir -p "$WORK/nginx/tmp"
  {
    nginx_conf_head "$WORK/nginx"
    cat <<CONF
  types { text/html html; text/css css; image/jpeg jpg; }
  server {
    listen 127.0.0.1:$PORT;
    root $WORK/www;
  }
}
CONF
  } >"$WORK/nginx/nginx.conf"
  rm -f "$WORK/nginx/nginx.pid"
  "$NGINX" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf"
  trap stop_servers EXIT
  rm -rf "$WORK/pg"
  PG_URL=$(bash "$ROOT/tools/pg-test-server.sh" start "$WORK/pg")
  # pg_stat_statements counts the statements each row sent (a restart
  # loads it; pg_ctl restart keeps the test server's options).
  psql "$PG_URL" -qAtc "ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'" >/dev/null
  as_pg_owner "$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)/pg_ctl" \
    -D "$WORK/pg/data" -w -t 30 -m fast restart >/dev/null
  PG_PID=$(head -n 1 "$WORK/pg/data/postmaster.pid")
}

as_pg_owner() {  # as tools/pg-test-server.sh: the cluster's owner
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

stop_servers() {
  # Only what this script started (its own pid file and data directory).
  if [ -s "$WORK/nginx/nginx.pid" ]; then
    kill "$(cat "$WORK/nginx/nginx.pid")" 2>/dev/null || true
  fi
  bash "$ROOT/tools/pg-test-server.sh" stop "$WORK/pg" || true
  if [ -z "${KEEP:-}" ]; then rm -rf "$WORK/runs"; fi
}

# pg_cpu_ticks: clock ticks of CPU the PostgreSQL server has used so far:
# the postmaster's utime+stime+cutime+cstime (the last two hold every
# backend it has reaped) plus utime+stime of its live children.
pg_cpu_ticks() {
  python3 - "$PG_PID" <<'PY'
import os, sys
def fields(pid):
    with open("/proc/%s/stat" % pid) as f:
        return f.read().rsplit(")", 1)[1].split()
root = sys.argv[1]
f = fields(root)
total = sum(int(x) for x in f[11:15])
for pid in os.listdir("/proc"):
    if not pid.isdigit() or pid == root:
        continue
    try:
        f = fields(pid)
    except OSError:
        continue
    if f[1] == root:
        total += int(f[11]) + int(f[12])
print(total)
PY
}

# pg_stats DB: "exec_ms idle_in_txn_ms commits statements" of database
# DB: pg_stat_statements' total execution time and calls (every statement
# counted; pg_stat_database's active_time lags: it is flushed per session).
pg_stats() {
  psql "${PG_URL%/*}/$1" -qAt -F ' ' -c "SELECT (SELECT
    round(coalesce(sum(total_exec_time), 0)) FROM pg_stat_statements s WHERE
    s.dbid = d.datid), round(idle_in_transaction_time), xact_commit,
    (SELECT coalesce(sum(calls), 0) FROM pg_stat_statements s
    WHERE s.dbid = d.datid) FROM pg_stat_database d
    WHERE datname = current_database()"
}

# top_statements DB FILE: the statements DB ran most, with their calls.
top_statements() {
  psql "${PG_URL%/*}/$1" -qAt -F $'\t' -c "SELECT calls, round(total_exec_time),
    left(regexp_replace(query, '\s+', ' ', 'g'), 150) FROM pg_stat_statements s
    JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = current_database()
    ORDER BY calls DESC LIMIT 12" >"$2"
}

# timed NAME CMD...: runs CMD in the background under /usr/bin/time; wait
# for it with finish NAME.
declare -A PIDS
timed() {
  local name=$1
  shift
  /usr/bin/time -f '%U %S %M' -o "$WORK/runs/$name.time" "$@" \
    >"$WORK/runs/$name.out" 2>"$WORK/runs/$name.err" &
  PIDS[$name]=$!
}
finish() {
  local rc=0
  wait "${PIDS[$1]}" || rc=$?
  if [ "$rc" != 0 ]; then
    log "$1 exited $rc:"
    tail -n 20 "$WORK/runs/$1.err" >&2
    exit 1
  fi
}

json_sum() {  # json_sum KEY FILE...: the sum of KEY over --json summaries
  python3 -c 'import json, sys
print(sum(json.load(open(p))[sys.argv[1]] for p in sys.argv[2:]))' "$@"
}

# run_row ROW REP K [LABEL]: K=0 a single `archive`, K>0 enqueue + K
# workers; ROW sqlite or pg. Appends a line to $WORK/results.tsv.
run_row() {
  local row=$1 rep=$2 k=$3 label store db="" manifest=() names=()
  label=${4:-$row}
  [ "$k" = 0 ] || label="workers-$k"
  store="$WORK/runs/$label-$rep"
  rm -rf "$store"
  if [ "$row" = pg ]; then
    db="r_${label//-/_}_$rep"
    psql "$PG_URL" -qAtc "CREATE DATABASE $db" >/dev/null
    psql "${PG_URL%/*}/$db" -qAtc "CREATE EXTENSION pg_stat_statements" >/dev/null
    manifest=(--manifest "${PG_URL%/*}/$db")
  fi
  "$RG" --store "$store" "${manifest[@]}" init >/dev/null
  local enqueue_s=-
  if [ "$k" != 0 ]; then
    local e0 e1
    e0=$(date +%s%N)
    "$RG" --store "$store" "${manifest[@]}" --json enqueue -i "$WORK/urls.txt" \
      >"$WORK/runs/$label-$rep.enqueue" 2>&1
    e1=$(date +%s%N)
    enqueue_s=$(awk -v ns=$((e1 - e0)) 'BEGIN { printf "%.3f", ns / 1e9 }')
  fi
  local before_ticks=0 before_stats="0 0 0 0" start end
  if [ -n "$db" ]; then
    before_ticks=$(pg_cpu_ticks)
    before_stats=$(pg_stats "$db")
  fi
  start=$(date +%s%N)
  if [ "$k" = 0 ]; then
    # shellcheck disable=SC2086  # RG_FLAGS is a list of flags
    timed "$label-$rep" "$RG" --store "$store" "${manifest[@]}" --json archive \
      -i "$WORK/urls.txt" "${RESOLVE[@]}" $RG_FLAGS
    names=("$label-$rep")
  else
    for w in $(seq "$k"); do
      # shellcheck disable=SC2086
      timed "$label-$rep-w$w" "$RG" --store "$store" "${manifest[@]}" --json \
        archive --worker --worker-id "w$w" --claim "$CLAIM" "${RESOLVE[@]}" \
        $RG_FLAGS
      names+=("$label-$rep-w$w")
    done
  fi
  for n in "${names[@]}"; do finish "$n"; done
  end=$(date +%s%N)
  local wall cpu captures failed pg_cpu=- active=- idle=- commits=- stmts=-
  wall=$(awk -v ns=$((end - start)) 'BEGIN { printf "%.3f", ns / 1e9 }')
  cpu=$(cd "$WORK/runs" && cat "${names[@]/%/.time}" |
    awk '{ s += $1 + $2 } END { printf "%.2f", s }')
  captures=$(cd "$WORK/runs" && json_sum captures "${names[@]/%/.out}")
  failed=$(cd "$WORK/runs" && json_sum failed "${names[@]/%/.out}")
  if [ -n "$db" ]; then
    sleep 0.5  # let the postmaster reap the backends and their stats land
    local after_ticks hz
    after_ticks=$(pg_cpu_ticks)
    hz=$(getconf CLK_TCK)
    pg_cpu=$(awk -v t=$((after_ticks - before_ticks)) -v hz="$hz" \
      'BEGIN { printf "%.2f", t / hz }')
    read -r active idle commits stmts < <(paste -d' ' <(echo "$before_stats") \
      <(pg_stats "$db") | awk '{ print $5 - $1, $6 - $2, $7 - $3, $8 - $4 }')
    top_statements "$db" "$WORK/$label-$rep.statements"
  fi
  local load1
  load1=$(cut -d' ' -f1 /proc/loadavg)
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$label" "$rep" \
    "$wall" "$cpu" "$captures" "$failed" "$pg_cpu" "$active" "$idle" \
    "$commits" "$enqueue_s" "$load1" "$stmts" >>"$WORK/results.tsv"
  log "$label rep $rep: ${wall}s cpu ${cpu}s captures $captures failed $failed pg cpu ${pg_cpu}s exec ${active}ms idle-in-txn ${idle}ms commits $commits statements $stmts enqueue ${enqueue_s}s load $load1"
  [ "$failed" = 0 ] || { log "$label: $failed URLs failed"; exit 1; }
  if [ -z "${KEEP:-}" ]; then rm -rf "$store"; fi
}

# Prints the Markdown table (median wall of REPS per row) and writes
# $WORK/summary.tsv for summary().
summarize() {
  python3 - "$WORK/results.tsv" "$WORK/summary.tsv" <<'PY'
import sys
from collections import OrderedDict
rows = OrderedDict()
for line in open(sys.argv[1]):
    f = line.rstrip("\n").split("\t")
    label = f[0]
    rows.setdefault(label, []).append(f)
def med(rs):
    rs = sorted(rs, key=lambda f: float(f[2]))
    return rs[(len(rs) - 1) // 2]
def per(x, n, scale=1.0):
    return "-" if x == "-" else "%.3f" % (float(x) * scale / n)
print("| row | runs | wall s | captures | captures/s | rotguard CPU s"
      " | PostgreSQL CPU s | DB CPU ms/capture | DB exec ms/capture"
      " | idle-in-txn ms/capture | statements/capture | commits/capture"
      " | enqueue s | load (1 min) |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
base = med(rows["sqlite"])
out = open(sys.argv[2], "w")
for label, rs in rows.items():
    m = med(rs)
    wall, cpu, caps = float(m[2]), m[3], int(m[4])
    print("| %s | %d | %.3f | %d | %.0f | %s | %s | %s | %s | %s | %s | %s | %s | %s |"
          % (label, len(rs), wall, caps, caps / wall, cpu, m[6],
             per(m[6], caps, 1000), per(m[7], caps), per(m[8], caps),
             per(m[12], caps), per(m[9], caps), m[10], m[11]))
    if label == "sqlite":
        out.write("workers-sqlite\t%.3f\t-\t-\t-\t-\t-\n" % wall)
    elif label != "sqlite-again":
        # The issue sets no throughput target for PostgreSQL rows: the
        # ratio says how they compare with the same-run SQLite baseline.
        out.write("workers-%s\t%.3f\tsqlite\t%.3f\t-\tcaptures/s reported\t-\n"
                  % (label.replace("workers-", "pg-"), wall, float(base[2])))
PY
  local row ours peer theirs rss target met
  while IFS=$'\t' read -r row ours peer theirs rss target met; do
    summary "$row" "$ours" "$peer" "$theirs" "$rss" "$target" "$met"
  done <"$WORK/summary.tsv"
}

mkdir -p "$WORK"
ensure_tools
if [ ! -s "$WORK/small-names.txt" ] || [ ! -s "$WORK/www/assets/site.css" ]; then
  BIG=0 python3 "$ROOT/bench/archive/gen_site.py" "$WORK" >&2
fi
rm -rf "$WORK/runs" && mkdir -p "$WORK/runs"
: >"$WORK/results.tsv"
start_servers
RESOLVE=()
for h in $(seq "$HOSTS"); do RESOLVE+=(--resolve "h$h.bench.test:$PORT:127.0.0.1"); done
awk -v port="$PORT" -v hosts="$HOSTS" \
  '{ printf "http://h%d.bench.test:%s/small/%s\n", NR % hosts + 1, port, $1 }' \
  "$WORK/small-names.txt" >"$WORK/urls.txt"
log "rotguard $("$RG" --version) at $RG (built $(date -u -r "$RG" +%FT%TZ)); repo HEAD $(git -C "$ROOT" rev-parse --short HEAD)"
log "$(wc -l <"$WORK/urls.txt") URLs on $HOSTS hosts; flags $RG_FLAGS; claim $CLAIM; PostgreSQL $(psql "$PG_URL" -qAtc 'SHOW server_version')"
log "nproc $(nproc); load $(cut -d' ' -f1-3 /proc/loadavg)"
cat "$WORK"/www/small/* >/dev/null  # warm the page cache
for rep in $(seq "$REPS"); do
  run_row sqlite "$rep" 0
  run_row pg "$rep" 0
  for k in $WORKERS; do run_row pg "$rep" "$k"; done
done
for rep in $(seq "$REPS"); do run_row sqlite "$rep" 0 sqlite-again; done
summarize
