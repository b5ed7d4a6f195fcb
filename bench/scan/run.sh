#!/usr/bin/env bash
# Scan benchmark (SPEC §11): `rotguard scan` against npm
# markdown-link-extractor over the same generated tree of 10,000 posts
# (~50 MB). Target: >= 20x the peer's throughput and < 2 s for the tree.
# Never part of CI or the test suite.
#
#   bench/scan/run.sh            # build (Release), generate, measure, report
#   RUNS=5 PEER_RUNS=3 POSTS=10000 BUILD_DIR=... bench/scan/run.sh
#
# Prints a Markdown table for bench/RESULTS.md on stdout.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD_DIR=${BUILD_DIR:-$ROOT/build-bench}
RUNS=${RUNS:-5}
PEER_RUNS=${PEER_RUNS:-3}
POSTS=${POSTS:-10000}

log() { echo "bench: $*" >&2; }

build_rotguard() {
  if [ ! -f "$BUILD_DIR/build.ninja" ]; then
    cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DROTGUARD_BUILD_TESTS=OFF >&2
  fi
  ninja -C "$BUILD_DIR" -j2 rotguard >&2
}

install_peer() {
  if [ ! -d "$ROOT/bench/node_modules/markdown-link-extractor" ]; then
    (cd "$ROOT/bench" && npm ci --ignore-scripts --no-audit --no-fund >&2)
  fi
}

# median_seconds N CMD...: runs CMD N times (stdout discarded), prints the
# median wall time in seconds.
median_seconds() {
  local runs=$1; shift
  local times=()
  for _ in $(seq "$runs"); do
    local start end
    start=$(date +%s%N)
    "$@" >/dev/null
    end=$(date +%s%N)
    times+=("$(( end - start ))")
  done
  printf '%s\n' "${times[@]}" | sort -n |
    awk '{ t[NR] = $1 } END { m = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2; printf "%.3f\n", m / 1e9 }'
}

# cpu_seconds CMD...: user + sys seconds of one run (robust to other load
# on the machine, unlike wall time).
cpu_seconds() {
  /usr/bin/time -f '%U %S' -o "$WORK/cpu" "$@" >/dev/null
  awk '{ printf "%.3f\n", $1 + $2 }' "$WORK/cpu"
}

build_rotguard
install_peer
ROTGUARD=$BUILD_DIR/rotguard

WORK=$(mktemp -d "${TMPDIR:-/tmp}/rotguard-bench-scan.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
log "generating $POSTS posts in $WORK/site"
python3 "$ROOT/bench/scan/gen_posts.py" "$WORK/site" --posts "$POSTS" >&2
SITE=$WORK/site/content
# Warm the page cache so both tools read from memory.
find "$SITE" -type f -exec cat {} + >/dev/null

BYTES=$(find "$SITE" -type f \( -name '*.md' -o -name '*.html' \) -printf '%s\n' |
  awk '{ s += $1 } END { print s }')
FILES=$(find "$SITE" -type f \( -name '*.md' -o -name '*.html' \) | wc -l)
LINKS=$("$ROTGUARD" -q --json scan "$SITE" | wc -l)
PEER_LINKS=$(node "$ROOT/bench/scan/mle_driver.mjs" "$SITE" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["links"])')

if command -v hyperfine >/dev/null; then
  hyperfine --warmup 1 --runs "$RUNS" -N \
    "$ROTGUARD -q --json scan $SITE" "$ROTGUARD -q scan $SITE" >&2 || true
fi
log "rotguard scan --json, $RUNS runs"
T_JSON=$(median_seconds "$RUNS" "$ROTGUARD" -q --json scan "$SITE")
log "rotguard scan (text), $RUNS runs"
T_TEXT=$(median_seconds "$RUNS" "$ROTGUARD" -q scan "$SITE")
log "markdown-link-extractor, $PEER_RUNS runs"
T_PEER=$(median_seconds "$PEER_RUNS" node "$ROOT/bench/scan/mle_driver.mjs" "$SITE")

C_JSON=$(cpu_seconds "$ROTGUARD" -q --json scan "$SITE")
C_TEXT=$(cpu_seconds "$ROTGUARD" -q scan "$SITE")
C_PEER=$(cpu_seconds node "$ROOT/bench/scan/mle_driver.mjs" "$SITE")
LOAD=$(cut -d' ' -f1-3 /proc/loadavg)

python3 - "$BYTES" "$FILES" "$LINKS" "$PEER_LINKS" "$T_JSON" "$T_TEXT" "$T_PEER" \
  "$C_JSON" "$C_TEXT" "$C_PEER" "$LOAD" <<'PY'
import sys
size, files, links, peer_links = map(int, sys.argv[1:5])
t_json, t_text, t_peer, c_json, c_text, c_peer = map(float, sys.argv[5:11])
mb = size / 1e6
def row(name, seconds, cpu, n):
    return (f"| {name} | {seconds:.3f} s | {cpu:.2f} s | {mb / seconds:.1f} MB/s | "
            f"{n / seconds:,.0f} links/s | {t_peer / seconds:.1f}x |")
print(f"Tree: {files} files, {mb:.1f} MB; rotguard finds {links} links, "
      f"markdown-link-extractor {peer_links}. Load average at the end: "
      f"{sys.argv[11]}.\n")
print("| tool | median wall | CPU (user+sys) | throughput | links | vs peer (wall) |")
print("|---|---|---|---|---|---|")
print(row("rotguard scan --json", t_json, c_json, links))
print(row("rotguard scan (text)", t_text, c_text, links))
print(row("markdown-link-extractor 4.0.4 (node)", t_peer, c_peer, peer_links))
ok = t_peer / t_json >= 20 and t_json < 2.0
print(f"\nTarget (>= 20x the peer and < 2 s, --json): {'met' if ok else 'MISSED'}")
PY
