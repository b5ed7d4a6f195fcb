#!/usr/bin/env bash
# Scan benchmark (SPEC §11, issue #17 item 5): `rotguard scan` against
# npm markdown-link-extractor over the same generated tree of 10,000 posts
# (~50 MB), target >= 30x the peer (--json); and the first
# `rotguard scan --update` of that tree into a fresh store, target <= 3 s,
# with a no-op re-run after it. Never part of CI or the test suite.
#
#   bench/scan/run.sh            # build (Release), generate, measure, report
#   RUNS=5 PEER_RUNS=3 POSTS=10000 BUILD_DIR=... bench/scan/run.sh
#   ROTGUARD_BIN=/path/to/rotguard bench/scan/run.sh   # measure that binary
#
# Output goes to files under $WORK (bench/lib.sh measure), never to
# /dev/null: the --json output (~90 MB) is part of the measured work.
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

if [ -n "${ROTGUARD_BIN:-}" ]; then
  ROTGUARD=$ROTGUARD_BIN
else
  build_rotguard
  ROTGUARD=$BUILD_DIR/rotguard
fi
install_peer

WORK=$(mktemp -d "${TMPDIR:-/tmp}/rotguard-bench-scan.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
# shellcheck source=../lib.sh
source "$ROOT/bench/lib.sh"
log "generating $POSTS posts in $WORK/site"
python3 "$ROOT/bench/scan/gen_posts.py" "$WORK/site" --posts "$POSTS" >&2
SITE=$WORK/site/content
# Warm the page cache so both tools read from memory.
find "$SITE" -type f -exec cat {} + >/dev/null

BYTES=$(find "$SITE" -type f \( -name '*.md' -o -name '*.html' \) -printf '%s\n' |
  awk '{ s += $1 } END { print s }')
FILES=$(find "$SITE" -type f \( -name '*.md' -o -name '*.html' \) | wc -l)
"$ROTGUARD" -q --json scan "$SITE" >"$WORK/links.json"
LINKS=$(wc -l <"$WORK/links.json")
rm "$WORK/links.json"
PEER_LINKS=$(node "$ROOT/bench/scan/mle_driver.mjs" "$SITE" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["links"])')

# A fresh store beside the posts (document keys content/posts/...).
STORE=$WORK/site/.rotguard
fresh_store() {
  rm -rf "$STORE"
  "$ROTGUARD" -q --store "$STORE" init >"$WORK/init.out"
}

# peak_rss_mib CMD...: the peak RSS of one run, in MiB.
peak_rss_mib() {
  /usr/bin/time -f '%M' -o "$WORK/rss" "$@" >"$WORK/stdout" 2>"$WORK/stderr"
  awk '{ printf "%.1f\n", $1 / 1024 }' "$WORK/rss"
}

log "rotguard scan --json, $RUNS runs"
measure scan-json "$RUNS" "$ROTGUARD" -q --json scan "$SITE"
log "rotguard scan (text), $RUNS runs"
measure scan-text "$RUNS" "$ROTGUARD" -q scan "$SITE"
log "markdown-link-extractor, $PEER_RUNS runs"
measure peer "$PEER_RUNS" node "$ROOT/bench/scan/mle_driver.mjs" "$SITE"
log "rotguard scan --update into a fresh store, $RUNS runs"
BEFORE=fresh_store measure scan-update-first "$RUNS" \
  "$ROTGUARD" -q --store "$STORE" scan --update "$SITE"
log "rotguard scan --update again (nothing changed), $RUNS runs"
measure scan-update-noop "$RUNS" \
  "$ROTGUARD" -q --store "$STORE" scan --update "$SITE"
RSS_JSON=$(peak_rss_mib "$ROTGUARD" -q --json scan "$SITE")
fresh_store
RSS_UPDATE=$(peak_rss_mib "$ROTGUARD" -q --store "$STORE" scan --update "$SITE")

field() { awk -F'\t' -v row="$1" -v col="$2" '$1 == row { print $col }' "$WORK/rows"; }
T_JSON=$(field scan-json 2) T_TEXT=$(field scan-text 2) T_PEER=$(field peer 2)
T_FIRST=$(field scan-update-first 2) T_NOOP=$(field scan-update-noop 2)
MET_JSON=$(echo "$T_PEER / $T_JSON >= 30" | bc -l | sed 's/1/yes/;s/0/no/')
MET_TEXT=$(echo "$T_PEER / $T_TEXT >= 30" | bc -l | sed 's/1/yes/;s/0/no/')
MET_FIRST=$(echo "$T_FIRST <= 3" | bc -l | sed 's/1/yes/;s/0/no/')
summary scan-json "$T_JSON" markdown-link-extractor "$T_PEER" "$RSS_JSON" \
  "ratio>=30" "$MET_JSON"
summary scan-text "$T_TEXT" markdown-link-extractor "$T_PEER" "$RSS_JSON" \
  "ratio>=30" "$MET_TEXT"
# No peer writes a manifest: the row's "peer" is the 3 s budget itself, so
# its ratio is budget/time (>= 1 when met).
summary scan-update-first "$T_FIRST" budget-3s 3 "$RSS_UPDATE" \
  "seconds<=3" "$MET_FIRST"

python3 - "$BYTES" "$FILES" "$LINKS" "$PEER_LINKS" "$WORK/rows" \
  "$RSS_JSON" "$RSS_UPDATE" <<'PY'
import sys
size, files, links, peer_links = map(int, sys.argv[1:5])
rows = {}
for line in open(sys.argv[5]):
    label, wall, cpu, load = line.rstrip("\n").split("\t")
    rows[label] = (float(wall), float(cpu), load)
rss_json, rss_update = sys.argv[6], sys.argv[7]
mb = size / 1e6
t_peer = rows["peer"][0]
def row(name, label, n):
    wall, cpu, load = rows[label]
    return (f"| {name} | {wall:.3f} s | {cpu:.2f} s | {mb / wall:.1f} MB/s | "
            f"{n / wall:,.0f} links/s | {t_peer / wall:.1f}x | {load} |")
print(f"Tree: {files} files, {mb:.1f} MB; rotguard finds {links} links, "
      f"markdown-link-extractor {peer_links}. Peak RSS: scan --json "
      f"{rss_json} MiB, first scan --update {rss_update} MiB.\n")
print("| tool | median wall | CPU (user+sys) | throughput | links | vs peer (wall) | load (1 min) |")
print("|---|---|---|---|---|---|---|")
print(row("rotguard scan --json", "scan-json", links))
print(row("rotguard scan (text)", "scan-text", links))
print(row("markdown-link-extractor 4.0.4 (node)", "peer", peer_links))
print()
print("| rotguard scan --update | median wall | CPU (user+sys) | load (1 min) |")
print("|---|---|---|---|")
for name, label in (("first (fresh store)", "scan-update-first"),
                    ("again, nothing changed", "scan-update-noop")):
    wall, cpu, load = rows[label]
    print(f"| {name} | {wall:.3f} s | {cpu:.2f} s | {load} |")
scan_ok = t_peer / rows["scan-json"][0] >= 30
update_ok = rows["scan-update-first"][0] <= 3.0
print(f"\nTargets: scan --json >= 30x the peer: {'met' if scan_ok else 'MISSED'}; "
      f"first scan --update <= 3 s: {'met' if update_ok else 'MISSED'}")
PY
