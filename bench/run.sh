#!/usr/bin/env bash
# One bench command (issue #17 item 6): builds rotguard in Release once,
# runs every row's script with its same-run peers, and prints one table
# (rotguard, peer, ratio, peak RSS, target, met) with the machine, date and
# commit, followed by each row script's own Markdown output. Never part of
# CI or the test suite: on a 2-core host the whole pass takes ~20 minutes.
#
#   bench/run.sh                    # scan archive verify restore
#   bench/run.sh archive verify     # only those rows
#   bench/run.sh million            # the 1M-record memory row (slow)
#   BUILD_DIR=... OUT=... bench/run.sh
#   REPS=1 ROWS=small SCHEMES=http PARTS=one RUNS=3 PEER_RUNS=1 bench/run.sh
#     (each row script's own knobs pass through the environment)
#
# Each row script appends its measured rows to $BENCH_SUMMARY through
# summary() in bench/lib.sh; a row script that fails stops the pass (a
# failing tool is not a fast tool). OUT keeps every row's output and the
# table (default: a new /tmp/rotguard-bench-run.XXXXXX).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$ROOT/build-bench}
OUT=${OUT:-$(mktemp -d /tmp/rotguard-bench-run.XXXXXX)}
mkdir -p "$OUT"
ALL_ROWS="scan archive verify restore million"
BENCH_ROWS=("$@")
[ ${#BENCH_ROWS[@]} -gt 0 ] || BENCH_ROWS=(scan archive verify restore)
for row in "${BENCH_ROWS[@]}"; do
  case " $ALL_ROWS " in
  *" $row "*) ;;
  *) echo "bench/run.sh: unknown row '$row' (rows: $ALL_ROWS)" >&2 && exit 2 ;;
  esac
done

build_release() {
  if [ ! -f "$BUILD_DIR/build.ninja" ]; then
    cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DROTGUARD_BUILD_TESTS=OFF >&2
  fi
  cmake --build "$BUILD_DIR" -j2 --target rotguard >&2
}

# run_row ROW: each script takes the build directory its own way.
run_row() {
  local row=$1
  case $row in
  scan | archive) BUILD_DIR=$BUILD_DIR bash "$ROOT/bench/$row/run.sh" ;;
  verify | restore | million) bash "$ROOT/bench/$row/run.sh" "$BUILD_DIR" ;;
  esac
}

machine_line() {
  local cpu
  cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
  printf '%s cores, %s, %s GiB RAM, Linux %s' "$(nproc)" "${cpu:-unknown CPU}" \
    "$(awk '/MemTotal/ {printf "%d", $2 / 1048576}' /proc/meminfo)" \
    "$(uname -r)"
}

print_table() {
  local commit
  commit=$(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo unknown)
  echo "### $(date -u '+%Y-%m-%d %H:%M') UTC, commit $commit"
  echo
  echo "Machine: $(machine_line). Load average: $LOAD_BEFORE before, $(cut -d' ' -f1-3 /proc/loadavg) after."
  echo
  echo "| row | rotguard s | peer | peer s | peer/rotguard | peak RSS MiB | target | met |"
  echo "|---|---|---|---|---|---|---|---|"
  # A "|" inside a cell (gzip -dc | sha1sum) would split it: escaped.
  sed 's/|/\\|/g' "$BENCH_SUMMARY" |
    awk -F'\t' '{printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7, $8}'
}

export BENCH_SUMMARY=$OUT/summary.tsv
: >"$BENCH_SUMMARY"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
build_release
for row in "${BENCH_ROWS[@]}"; do
  echo "bench/run.sh: row $row ($(date -u +%H:%M:%S))" >&2
  if ! run_row "$row" >"$OUT/$row.md" 2>"$OUT/$row.log"; then
    echo "bench/run.sh: row $row failed; see $OUT/$row.log" >&2
    tail -n 20 "$OUT/$row.log" >&2
    exit 1
  fi
done
print_table | tee "$OUT/table.md"
for row in "${BENCH_ROWS[@]}"; do
  printf '\n## %s\n\n' "$row"
  cat "$OUT/$row.md"
done
echo "bench/run.sh: everything kept in $OUT" >&2
