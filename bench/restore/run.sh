#!/usr/bin/env bash
# Restore/export benchmark (never in CI; issue #7, SPEC §11 row "CDXJ of
# that WARC"). Input: one N-record WARC (default 5,000 response records,
# one gzip member each) with the mix of the archive benchmark's site
# (bench/archive/gen_site.py): 60 % HTML pages of 8-30 KB, each linking
# other pages of the set, gzip level 1; 40 % JPEG images of 36-72 KB of
# incompressible bytes, level 0 (as rotguard writes them). It is imported
# into a store, and 100 posts link every capture (pages as links, images
# as images) and are recorded with `scan --update`. Measured, median of
# RUNS (peer: PEER_RUNS), wall and CPU (user + sys):
#   - rotguard export --cdxj (built from the manifest) vs npm warcio 2.4.11
#     `cdx-index --format cdxj` on the same WARC (its output then goes
#     through LC_ALL=C sort, untimed, and must equal ours apart from the
#     difference README documents, which cannot occur for a .warc.gz);
#   - rotguard restore of the 100 posts into a new directory: captures/s,
#     payload MB/s (restored assets) and MB/s written (everything);
#   - SPEC §11's verify row on the same WARC: rotguard verify vs
#     gzip -dc | sha1sum and bench/verify/warcio_verify.mjs.
# Every command must exit 0 and every capture must come out as a file.
# Issue #17's restore target: >= 3x round 1's ~1,000 captures/s, i.e. at
# most N / 3000 s, with peak RSS bounded (measured in one extra run).
# BASELINE=path/to/another/rotguard also times that binary's restore of
# the same store in the same run, its runs interleaved with ours (one of
# ours, one of its, ...) so that both see the same load, and its output
# must be byte-identical to ours (diff -r); it must read the store's
# manifest schema (the store is made by BUILD_DIR's rotguard, so round 1's
# binary cannot: schema 3 < 4). With BASELINE, DEMO=path/to/demo-out/site
# (a site with its .rotguard store, as tools/demo.sh leaves it; copied
# first) is restored by both binaries too, and the outputs must be equal.
# Usage: bench/restore/run.sh [BUILD_DIR]   (default build-restore)
#   env: N (5000), RUNS (5), PEER_RUNS (3), KEEP (keep the work dir),
#        BASELINE, DEMO, DEMO_PATHS ("content _posts"),
#        BENCH_SUMMARY (bench/lib.sh summary)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "${1:-$ROOT/build-restore}" && pwd)
ROTGUARD=$BUILD/rotguard
WARCIO=$ROOT/tools/interop/node_modules/warcio/dist/cli.js
WORK=$(mktemp -d /tmp/rotguard-bench-restore.XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$WORK"' EXIT
N=${N:-5000}
RUNS=${RUNS:-5}
PEER_RUNS=${PEER_RUNS:-3}

# The 5,000-record mix of bench/verify (one generator for both benches)
# and 100 posts citing every URL.
python3 "$ROOT/bench/verify/gen_mix.py" "$WORK/bench.warc.gz" "$N" --posts "$WORK/site/content/posts"
STORE=$WORK/site/.rotguard
"$ROTGUARD" -q --store "$STORE" import "$WORK/bench.warc.gz" >/dev/null
(cd "$WORK/site" && "$ROTGUARD" -q scan --update content >/dev/null)
NAME=$(cd "$STORE/warc" && find . -name '*.warc.gz' | sed 's|^\./||')
WARC_BYTES=$(wc -c <"$STORE/warc/$NAME")
RAW_BYTES=$(gzip -dc "$STORE/warc/$NAME" | wc -c)

# measure LABEL N CMD... (bench/lib.sh)
. "$ROOT/bench/lib.sh"

field() { sed -n "${1}p" "$WORK/rows" | cut -f"$2"; }  # ROW COLUMN
: >"$WORK/rows"

# Warm the page cache and the manifest.
cat "$STORE/warc/$NAME" "$STORE"/* >/dev/null 2>&1 || true
"$ROTGUARD" -q --store "$STORE" export --cdxj "$WORK/warm.cdxj"

measure "rotguard export --cdxj" "$RUNS" \
  "$ROTGUARD" -q --store "$STORE" export --cdxj "$WORK/ours.cdxj"
# warcio writes the index to stdout; bash -c so that time sees only node.
# shellcheck disable=SC2016  # the inner shell expands its own arguments
measure "warcio.js 2.4.11 cdx-index --format cdxj" "$PEER_RUNS" \
  bash -c 'cd "$1" && exec node "$2" cdx-index --format cdxj "$3" >"$4"' _ \
  "$STORE/warc" "$WARCIO" "$NAME" "$WORK/warcio.unsorted"
LC_ALL=C sort "$WORK/warcio.unsorted" >"$WORK/warcio.cdxj"
if cmp -s "$WORK/ours.cdxj" "$WORK/warcio.cdxj"; then
  same="identical ($(wc -l <"$WORK/ours.cdxj") lines each)"
else
  same="DIFFERENT: $(diff "$WORK/ours.cdxj" "$WORK/warcio.cdxj" | grep -c '^[<>]') lines differ"
  diff "$WORK/ours.cdxj" "$WORK/warcio.cdxj" | head -n 6 >&2 || true
fi

# Each run writes into a new directory: the previous output is renamed
# away, not deleted, because deleting 5,000 files just before makes ext4
# scan its recently deleted inodes when the next run creates files (a
# quarter of the run's time in `perf`), which no real restore pays.
mkdir -p "$WORK/old"
# restore_once BINARY OUT RUNS_FILE: one timed restore of the posts by
# BINARY into OUT (a previous OUT renamed away first), its
# "wall cpu load" appended to RUNS_FILE (as bench/lib.sh measure times).
restore_once() {
  local bin=$1 out=$2 runs=$3 t0 t1 user sys
  [ ! -e "$out" ] || mv "$out" "$WORK/old/$RANDOM$RANDOM"
  t0=$(date +%s.%N)
  if ! /usr/bin/time -f '%U %S' -o "$WORK/time" "$bin" -q --store "$STORE" \
    restore "$WORK/site/content" --out "$out" >"$WORK/stdout" 2>"$WORK/stderr"; then
    echo "bench: restore by $bin failed:" >&2
    tail -n 20 "$WORK/stdout" "$WORK/stderr" >&2
    exit 1
  fi
  t1=$(date +%s.%N)
  read -r user sys <"$WORK/time"
  echo "$(echo "$t1 - $t0" | bc -l) $(echo "$user + $sys" | bc -l) $(cut -d' ' -f1 /proc/loadavg)" >>"$runs"
}
# median_row LABEL RUNS_FILE: the run with the median wall, as a row.
median_row() {
  sort -n "$2" | sed -n "$((($(wc -l <"$2") + 1) / 2))p" |
    { read -r wall cpu load; printf '%s\t%s\t%s\t%s\n' "$1" "$wall" "$cpu" "$load" >>"$WORK/rows"; }
}
: >"$WORK/ours.runs"
: >"$WORK/base.runs"
for _ in $(seq "$RUNS"); do
  restore_once "$ROTGUARD" "$WORK/out" "$WORK/ours.runs"
  [ -z "${BASELINE:-}" ] || restore_once "$BASELINE" "$WORK/base" "$WORK/base.runs"
done
median_row "rotguard restore (100 posts, $N captures)" "$WORK/ours.runs"
baseline_row=
if [ -n "${BASELINE:-}" ]; then
  median_row "baseline restore ($BASELINE)" "$WORK/base.runs"
  baseline_row=$(wc -l <"$WORK/rows")
  diff -r "$WORK/out" "$WORK/base" >/dev/null ||
    { echo "bench: restore output differs from the baseline's" >&2; exit 1; }
  /usr/bin/time -f '%M' -o "$WORK/rss.base" \
    "$BASELINE" -q --store "$STORE" restore "$WORK/site/content" --out "$WORK/base.rss"
fi
/usr/bin/time -f '%M' -o "$WORK/rss" \
  "$ROTGUARD" -q --store "$STORE" restore "$WORK/site/content" --out "$WORK/out.rss"
RESTORE_RSS_KIB=$(cat "$WORK/rss")
demo_same=
if [ -n "${BASELINE:-}" ] && [ -n "${DEMO:-}" ]; then
  cp -a "$DEMO" "$WORK/demo"
  for who in base ours; do
    bin=$ROTGUARD
    [ "$who" = ours ] || bin=$BASELINE
    # shellcheck disable=SC2086  # DEMO_PATHS is a list of paths
    (cd "$WORK/demo" && "$bin" -q restore ${DEMO_PATHS:-content _posts} \
      --out "$WORK/demo-$who" >/dev/null 2>&1) || true
  done
  diff -r "$WORK/demo-base" "$WORK/demo-ours" >/dev/null ||
    { echo "bench: the demo store's restore differs from the baseline's" >&2; exit 1; }
  demo_same="demo store ($DEMO): restored by both binaries, diff -r equal ($(find "$WORK/demo-ours" -type f | wc -l) files)"
fi
# Every capture must have come out: pages as .html, images as .jpg.
assets=$(find "$WORK/out/assets" -type f | wc -l)
if [ "$assets" -ne "$N" ]; then
  echo "bench: restore wrote $assets asset files, expected $N" >&2
  exit 1
fi
OUT_BYTES=$(du -sb "$WORK/out" | cut -f1)
ASSET_BYTES=$(du -sb "$WORK/out/assets" | cut -f1)
rm -rf "$WORK/old" "$WORK/out.rss" "$WORK/base" "$WORK/base.rss" "$WORK/demo"*

# SPEC §11 row "verify the 5,000-URL WARC (digests)" on the same WARC:
# rotguard's default verify (no whole-file re-hash, the peers' work) vs
# gzip -dc | sha1sum and the one-pass warcio verifier of bench/verify.
measure "rotguard verify --rehash-budget 0" "$RUNS" \
  "$ROTGUARD" -q --store "$STORE" verify --rehash-budget 0
# shellcheck disable=SC2016  # the inner shell expands its own arguments
measure "gzip -dc \\| sha1sum" "$RUNS" \
  bash -c 'set -o pipefail; gzip -dc "$1" | sha1sum' _ "$STORE/warc/$NAME"
measure "warcio.js 2.4.11 one pass (bench/verify/warcio_verify.mjs)" "$PEER_RUNS" \
  node "$ROOT/bench/verify/warcio_verify.mjs" "$STORE/warc/$NAME"

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/^Mem:/ {print $2}') GiB RAM, node $(node --version)"
echo "date: $(date -u +%Y-%m-%dT%H:%MZ); commit $(git -C "$ROOT" rev-parse --short HEAD); binary $ROTGUARD ($(date -u -r "$ROTGUARD" +%H:%MZ))"
echo "WARC: $N records, $((WARC_BYTES / 1000000)) MB .warc.gz, $((RAW_BYTES / 1000000)) MB inflated; median of $RUNS (warcio: $PEER_RUNS)"
echo
echo "| command | wall | CPU (user+sys) | vs warcio (wall) | load (1 min) |"
echo "|---|---|---|---|---|"
pw=$(field 2 2)
for row in 1 2; do
  printf '| %s | %.3f s | %.3f s | %.1f× | %s |\n' "$(field $row 1)" "$(field $row 2)" \
    "$(field $row 3)" "$(echo "$pw / $(field $row 2)" | bc -l)" "$(field $row 4)"
done
echo
echo "CDXJ: rotguard vs warcio | LC_ALL=C sort: $same"
echo
rw=$(field 3 2)
echo "| command | wall | CPU (user+sys) | captures/s | payload MB/s (assets, $((ASSET_BYTES / 1000000)) MB) | written MB/s ($((OUT_BYTES / 1000000)) MB) | load (1 min) |"
echo "|---|---|---|---|---|---|---|"
for row in 3 $baseline_row; do
  w=$(field "$row" 2)
  printf '| %s | %.3f s | %.3f s | %.0f | %.1f | %.1f | %s |\n' "$(field "$row" 1)" "$w" "$(field "$row" 3)" \
    "$(echo "$N / $w" | bc -l)" "$(echo "$ASSET_BYTES / 1000000 / $w" | bc -l)" \
    "$(echo "$OUT_BYTES / 1000000 / $w" | bc -l)" "$(field "$row" 4)"
done
echo "restore peak RSS: $((RESTORE_RSS_KIB / 1024)) MiB$([ ! -s "$WORK/rss.base" ] || echo "; baseline $(($(cat "$WORK/rss.base") / 1024)) MiB")"
[ -z "$baseline_row" ] || echo "restore vs baseline (same run, interleaved): wall $(echo "scale=2; $(field "$baseline_row" 2) / $(field 3 2)" | bc -l)x, CPU $(echo "scale=2; $(field "$baseline_row" 3) / $(field 3 3)" | bc -l)x; output diff -r equal"
[ -z "$demo_same" ] || echo "$demo_same"
echo
echo "| command (same WARC) | wall | CPU (user+sys) | vs gzip\\|sha1sum (wall) | vs warcio one pass (wall) | load (1 min) |"
echo "|---|---|---|---|---|---|"
v=4  # the verify rows follow the restore rows
[ -z "$baseline_row" ] || v=5
for row in $v $((v + 1)) $((v + 2)); do
  printf '| %s | %.3f s | %.3f s | %.2f× | %.2f× | %s |\n' "$(field "$row" 1)" "$(field "$row" 2)" \
    "$(field "$row" 3)" "$(echo "$(field "$row" 2) / $(field $((v + 1)) 2)" | bc -l)" \
    "$(echo "$(field "$row" 2) / $(field $((v + 2)) 2)" | bc -l)" "$(field "$row" 4)"
done
echo
python3 -c "
r = $pw / $(field 1 2)
print('export --cdxj vs warcio.js cdx-index = %.1fx (target >= 10x: %s); rotguard %.3f s (SPEC §11 target <= 0.3 s: %s)'
      % (r, 'met' if r >= 10 else 'MISSED', $(field 1 2), 'met' if $(field 1 2) <= 0.3 else 'MISSED'))
v = $(field $v 2)
print('verify of the WARC: %.3f s (SPEC §11 target <= 0.5 s: %s)' % (v, 'met' if v <= 0.5 else 'MISSED'))
r = $N / $rw
print('restore: %.0f captures/s = %.1fx round 1 (~1,000/s; issue #17 target >= 3x: %s), peak RSS %d MiB'
      % (r, r / 1000, 'met' if r >= 3000 else 'MISSED', $RESTORE_RSS_KIB // 1024))"

# One line per measured row for bench/run.sh (bench/lib.sh summary).
met() { [ "$(echo "$1" | bc -l)" = 1 ] && echo yes || echo no; }
summary export-cdxj "$(field 1 2)" "warcio.js cdx-index" "$pw" "" \
  "ratio>=10, <=0.3 s" "$(met "$pw / $(field 1 2) >= 10 && $(field 1 2) <= 0.3")"
if [ -n "$baseline_row" ]; then
  restore_peer="baseline $BASELINE" restore_peer_s=$(field "$baseline_row" 2)
else
  restore_peer="round 1 rate (1,000 captures/s)" restore_peer_s=$(echo "$N / 1000" | bc -l)
fi
summary restore "$rw" "$restore_peer" "$restore_peer_s" "$((RESTORE_RSS_KIB / 1024))" \
  ">=3000 captures/s, RSS bounded" "$(met "$N / $rw >= 3000")"
summary verify-5000 "$(field $v 2)" "gzip -dc | sha1sum" "$(field $((v + 1)) 2)" "" \
  "<=0.5 s (SPEC 11)" "$(met "$(field $v 2) <= 0.5")"
