#!/usr/bin/env bash
# Verify benchmark (never in CI; issue #6, SPEC §11). Builds a store of
# FILES WARC files (default 4 × 8,000 response records, half incompressible
# 48 KiB bodies stored at gzip level 0, half text at level 1: ~1.1 GB of
# .warc.gz) by `rotguard import`, then times on the same files, median of
# RUNS (wall; CPU = user + sys of that run, children included):
#   - rotguard verify (default level: every member inflated, every digest
#     checked, records matched with the manifest both ways) with
#     --rehash-budget 0 (no whole-file sha256, the same work as the peers),
#     --jobs 1 (also pinned to one core) and --jobs 2;
#   - plain `rotguard verify` (default 1 GiB rolling sha256 re-hash too);
#   - rotguard verify --quick, with and without the re-hash budget;
#   - gzip -dc FILES | sha1sum   (the machine-limit peer of SPEC §11; two
#     processes, so also pinned to one core for a CPU-for-CPU figure);
#   - npm warcio 2.4.11: bench/verify/warcio_verify.mjs (one pass, both
#     digests recomputed) and tools/interop/check_warc.mjs --no-cdx (the
#     interop checker: two passes, blocks kept in memory), one run each.
# Then the one-file rows (issue #17 item 3: one big WARC on both cores):
# the 5,000-record WARC of bench/restore (bench/verify/gen_mix.py), imported
# into its own store, timed with default `verify` (--jobs = the cores),
# --jobs 1, and plain verify (1 GiB re-hash) against gzip -dc | sha1sum
# and the one-pass warcio verifier; peak RSS of each verify from one more
# untimed run under /usr/bin/time -f %M.
# Then the many-files rows: the same 5,000 records in 100 files of 50,
# default verify and --jobs 1 against gzip -dc | sha1sum.
# Every command must exit 0 (verify: the store is intact), or the script
# stops: a failing tool is not a fast tool. One `summary` line (bench/lib.sh)
# per measured row.
# Usage: bench/verify/run.sh [BUILD_DIR]   (default build-verify)
#   env: FILES (4), RECORDS (8000 per file), RUNS (3), PEER_RUNS (1),
#        PARTS ("files one many": the 4-file store, the one-file rows,
#        the many-files rows; any of them)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "${1:-$ROOT/build-verify}" && pwd)
ROTGUARD=$BUILD/rotguard
WORK=$(mktemp -d /tmp/rotguard-bench-verify.XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$WORK"' EXIT
FILES=${FILES:-4}
RECORDS=${RECORDS:-8000}
RUNS=${RUNS:-3}
PEER_RUNS=${PEER_RUNS:-1}
PARTS=${PARTS:-files one many}
HAVE_WARCIO=
if [ -e "$ROOT/tools/interop/node_modules/warcio" ] && command -v node >/dev/null; then
  HAVE_WARCIO=1
fi

# measure LABEL N CMD... (bench/lib.sh); summary ROW ... for bench/run.sh.
. "$ROOT/bench/lib.sh"

# Peak RSS in MiB of one more (untimed) run of CMD.
rss_mib() {
  /usr/bin/time -f '%M' -o "$WORK/rss" "$@" >"$WORK/stdout" 2>"$WORK/stderr"
  echo $(($(tail -n 1 "$WORK/rss") / 1024))
}
# row_of LABEL_PREFIX COLUMN: that column of the first row so labelled.
row_of() { awk -F'\t' -v l="$1" -v c="$2" 'index($1, l) == 1 { print $c; exit }' "$WORK/rows"; }

machine() {
  echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/^Mem:/ {print $2}') GiB RAM, node $(node --version 2>/dev/null || echo none)"
  echo "date: $(date -u +%Y-%m-%dT%H:%MZ); commit $(git -C "$ROOT" rev-parse --short HEAD); binary $ROTGUARD ($(date -u -r "$ROTGUARD" +%H:%MZ)); load $(cut -d' ' -f1-3 /proc/loadavg)"
}

bench_files() {

# Generate the input; the files are independent, so two at a time.
for i in $(seq "$FILES"); do
  python3 - "$WORK/in/bench-$i.warc.gz" "$RECORDS" "$i" <<'PY' &
import base64, gzip, hashlib, os, random, sys, uuid
out, n, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
os.makedirs(os.path.dirname(out), exist_ok=True)
rng = random.Random(seed)
words = [("w%x" % rng.getrandbits(20)).encode() for _ in range(4096)]
def sha1(d):
    return "sha1:" + base64.b32encode(hashlib.sha1(d).digest()).decode()
with open(out, "wb") as f:
    for i in range(n):
        if i % 2:
            body, ctype = rng.randbytes(48 * 1024), "image/jpeg"
        else:
            body = b" ".join(rng.choices(words, k=6500))[: 48 * 1024]
            ctype = "text/html"
        block = ("HTTP/1.1 200 OK\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n"
                 % (ctype, len(body))).encode() + body
        head = ("WARC/1.1\r\nWARC-Type: response\r\nWARC-Target-URI: https://h%d.example.com/%d/%d\r\n"
                "WARC-Date: 2026-01-02T03:04:05Z\r\nWARC-Record-ID: <urn:uuid:%s>\r\n"
                "WARC-Block-Digest: %s\r\nWARC-Payload-Digest: %s\r\n"
                "Content-Type: application/http; msgtype=response\r\nContent-Length: %d\r\n\r\n"
                % (i % 7, seed, i, uuid.UUID(int=rng.getrandbits(128), version=4),
                   sha1(block), sha1(body), len(block))).encode()
        f.write(gzip.compress(head + block + b"\r\n\r\n", compresslevel=1 if i % 2 == 0 else 0))
PY
  if (( i % 2 == 0 )); then wait; fi
done
wait
"$ROTGUARD" -q --store "$WORK/store" import "$WORK"/in/*.warc.gz >/dev/null
rm -rf "$WORK/in"
WARCS=("$WORK"/store/warc/imported/*.warc.gz)
BYTES=$(cat "${WARCS[@]}" | wc -c)
RAW=$(gzip -dc "${WARCS[@]}" | wc -c)

# Warm the page cache so every tool reads from memory; one verify first so
# no run pays for the manifest's first read.
cat "${WARCS[@]}" >/dev/null
# ... and the proof that verify parses every record of the store:
SUMMARY=$("$ROTGUARD" --json --store "$WORK/store" verify --rehash-budget 0 | tail -n 1)
: >"$WORK/rows"
measure "rotguard verify --rehash-budget 0 --jobs 1" "$RUNS" \
  "$ROTGUARD" -q --store "$WORK/store" verify --rehash-budget 0 --jobs 1
measure "same, taskset -c 0 (one core)" "$RUNS" \
  taskset -c 0 "$ROTGUARD" -q --store "$WORK/store" verify --rehash-budget 0 --jobs 1
measure "rotguard verify --rehash-budget 0 --jobs 2" "$RUNS" \
  "$ROTGUARD" -q --store "$WORK/store" verify --rehash-budget 0 --jobs 2
measure "rotguard verify (default: 1 GiB sha256 re-hash, --jobs 1)" "$RUNS" \
  "$ROTGUARD" -q --store "$WORK/store" verify
measure "rotguard verify --quick (1 GiB re-hash)" "$RUNS" \
  "$ROTGUARD" -q --store "$WORK/store" verify --quick
measure "rotguard verify --quick --rehash-budget 0" "$RUNS" \
  "$ROTGUARD" -q --store "$WORK/store" verify --quick --rehash-budget 0
measure "gzip -dc \| sha1sum" "$RUNS" \
  bash -c 'set -o pipefail; gzip -dc "$@" | sha1sum' _ "${WARCS[@]}"
measure "gzip -dc \| sha1sum, taskset -c 0 (one core)" "$RUNS" \
  taskset -c 0 bash -c 'set -o pipefail; gzip -dc "$@" | sha1sum' _ "${WARCS[@]}"
if [ -n "$HAVE_WARCIO" ]; then
  measure "warcio.js 2.4.11 one pass (bench/verify/warcio_verify.mjs)" "$PEER_RUNS" \
    node "$ROOT/bench/verify/warcio_verify.mjs" "${WARCS[@]}"
  measure "warcio.js check_warc.mjs --no-cdx (two passes)" "$PEER_RUNS" \
    node "$ROOT/tools/interop/check_warc.mjs" --no-cdx "${WARCS[@]}"
fi

# What plain `verify` re-hashed in its last run (the budget rolls over the
# files, oldest verified first).
REHASH=$("$ROTGUARD" --json --store "$WORK/store" verify | tail -n 1 |
  python3 -c 'import json, sys; s = json.load(sys.stdin)["summary"]; print("%d files, %d MB" % (s["files_rehashed"], s["bytes_rehashed"] / 1e6))')

machine
echo "verify summary: $SUMMARY"
echo "plain verify re-hashes per run: $REHASH"
echo "store: ${#WARCS[@]} files, $((FILES * RECORDS)) records, $((BYTES / 1000000)) MB .warc.gz, $((RAW / 1000000)) MB inflated; median of $RUNS (peers: $PEER_RUNS)"
echo
gz=$(sed -n 7p "$WORK/rows" | cut -f2)
wj=$(grep '^warcio.js 2.4.11 one pass' "$WORK/rows" | cut -f2 || true)
gzcpu=$(sed -n 7p "$WORK/rows" | cut -f3)
echo "| command | wall | CPU (user+sys) | MB/s (.warc.gz) | vs gzip\\|sha1sum (wall) | vs gzip\\|sha1sum (CPU) | vs warcio one pass (wall) | load (1 min) |"
echo "|---|---|---|---|---|---|---|---|"
while IFS=$'\t' read -r label wall cpu load; do
  vw=-
  [ -n "$wj" ] && vw=$(printf '%.2f×' "$(echo "$wall / $wj" | bc -l)")
  printf '| %s | %.2f s | %.2f s | %.0f | %.2f× | %.2f× | %s | %s |\n' "$label" "$wall" "$cpu" \
    "$(echo "$BYTES / 1000000 / $wall" | bc -l)" "$(echo "$wall / $gz" | bc -l)" \
    "$(echo "$cpu / $gzcpu" | bc -l)" "$vw" "$load"
done <"$WORK/rows"
echo
v1=$(sed -n 1p "$WORK/rows" | cut -f2)
v2=$(sed -n 3p "$WORK/rows" | cut -f2)
python3 -c "
v1, v2, gz = $v1, $v2, $gz
print('verify --jobs 1 / gzip|sha1sum = %.2f (target <= 1.3: %s)' % (v1 / gz, 'met' if v1 / gz <= 1.3 else 'MISSED'))
print('verify --jobs 2 / gzip|sha1sum = %.2f (target < 1.0: %s)' % (v2 / gz, 'met' if v2 < gz else 'MISSED'))"
rss=$(rss_mib "$ROTGUARD" -q --store "$WORK/store" verify --rehash-budget 0 --jobs 2)
summary verify-4-files-jobs1 "$v1" "gzip|sha1sum" "$gz" "$rss" "ratio>=0.77 (issue #6)" \
  "$(python3 -c "print('yes' if $v1 / $gz <= 1.3 else 'no')")"
summary verify-4-files-jobs2 "$v2" "gzip|sha1sum" "$gz" "$rss" "ratio>1 (issue #6)" \
  "$(python3 -c "print('yes' if $v2 < $gz else 'no')")"
rm -rf "$WORK/store"
}

bench_one() {
  python3 "$ROOT/bench/verify/gen_mix.py" "$WORK/one.warc.gz" 5000
  "$ROTGUARD" -q --store "$WORK/one" import "$WORK/one.warc.gz" >/dev/null
  rm -f "$WORK/one.warc.gz"
  local warc bytes raw
  warc=$(find "$WORK/one/warc" -name '*.warc.gz')
  bytes=$(wc -c <"$warc")
  raw=$(gzip -dc "$warc" | wc -c)
  cat "$warc" >/dev/null
  "$ROTGUARD" -q --store "$WORK/one" verify --rehash-budget 0 >"$WORK/stdout"
  : >"$WORK/rows"
  measure "rotguard verify --rehash-budget 0 (--jobs $(nproc), the default)" "$RUNS" \
    "$ROTGUARD" -q --store "$WORK/one" verify --rehash-budget 0
  measure "rotguard verify --rehash-budget 0 --jobs 1" "$RUNS" \
    "$ROTGUARD" -q --store "$WORK/one" verify --rehash-budget 0 --jobs 1
  measure "rotguard verify (plain: 1 GiB sha256 re-hash too)" "$RUNS" \
    "$ROTGUARD" -q --store "$WORK/one" verify
  # shellcheck disable=SC2016  # the inner shell expands its own arguments
  measure "gzip -dc \| sha1sum" "$RUNS" \
    bash -c 'set -o pipefail; gzip -dc "$1" | sha1sum' _ "$warc"
  if [ -n "$HAVE_WARCIO" ]; then
    measure "warcio.js 2.4.11 one pass (warcio_verify.mjs)" "$PEER_RUNS" \
      node "$ROOT/bench/verify/warcio_verify.mjs" "$warc"
  fi
  local rss_default rss_one
  rss_default=$(rss_mib "$ROTGUARD" -q --store "$WORK/one" verify --rehash-budget 0)
  rss_one=$(rss_mib "$ROTGUARD" -q --store "$WORK/one" verify --rehash-budget 0 --jobs 1)
  echo
  machine
  echo "one file: 5000 records, $((bytes / 1000000)) MB .warc.gz, $((raw / 1000000)) MB inflated; median of $RUNS (peers: $PEER_RUNS); peak RSS: default $rss_default MiB, --jobs 1 $rss_one MiB"
  echo
  local gz wj
  gz=$(row_of "gzip -dc \| sha1sum" 2)
  wj=$(row_of "warcio.js 2.4.11 one pass" 2)
  echo "| command (one WARC) | wall | CPU (user+sys) | vs gzip\\|sha1sum (wall) | vs warcio one pass (wall) | load (1 min) |"
  echo "|---|---|---|---|---|---|"
  while IFS=$'\t' read -r label wall cpu load; do
    vw=-
    [ -n "$wj" ] && vw=$(printf '%.2f×' "$(echo "$wall / $wj" | bc -l)")
    printf '| %s | %.3f s | %.3f s | %.2f× | %s | %s |\n' "$label" "$wall" "$cpu" \
      "$(echo "$wall / $gz" | bc -l)" "$vw" "$load"
  done <"$WORK/rows"
  echo
  local v
  v=$(sed -n 1p "$WORK/rows" | cut -f2)
  python3 -c "
v, gz, wj = $v, $gz, ${wj:-0}
print('one-file verify: %.3f s (target <= 0.35 s: %s); gzip|sha1sum / verify = %.2f (target >= 3: %s)'
      % (v, 'met' if v <= 0.35 else 'MISSED', gz / v, 'met' if gz / v >= 3 else 'MISSED'))
if wj:
    print('warcio one pass / verify = %.2f (target >= 7: %s)' % (wj / v, 'met' if wj / v >= 7 else 'MISSED'))"
  local ok
  ok=$(python3 -c "print('yes' if $v <= 0.35 and $gz / $v >= 3 else 'no')")
  summary verify-one-file "$v" "gzip|sha1sum" "$gz" "$rss_default" "<=0.35 s, ratio>=3" "$ok"
  if [ -n "$wj" ]; then
    ok=$(python3 -c "print('yes' if $v <= 0.35 and $wj / $v >= 7 else 'no')")
    summary verify-one-file "$v" "warcio.js" "$wj" "$rss_default" "<=0.35 s, ratio>=7" "$ok"
  fi
}

# The same 5,000 records in 100 files of 50 (~1.7 MB each, under one
# range): the files' ranges must be read ahead across files for --jobs to
# pay. Default verify, --jobs 1, against gzip -dc | sha1sum of the files.
bench_many() {
  python3 "$ROOT/bench/verify/gen_mix.py" "$WORK/many-in" 5000 50
  "$ROTGUARD" -q --store "$WORK/many" import "$WORK"/many-in/*.warc.gz >/dev/null
  rm -rf "$WORK/many-in"
  local warcs
  mapfile -t warcs < <(find "$WORK/many/warc" -name '*.warc.gz' | sort)
  cat "${warcs[@]}" >/dev/null
  "$ROTGUARD" -q --store "$WORK/many" verify --rehash-budget 0 >"$WORK/stdout"
  : >"$WORK/rows"
  measure "rotguard verify --rehash-budget 0 (--jobs $(nproc), the default)" "$RUNS" \
    "$ROTGUARD" -q --store "$WORK/many" verify --rehash-budget 0
  measure "rotguard verify --rehash-budget 0 --jobs 1" "$RUNS" \
    "$ROTGUARD" -q --store "$WORK/many" verify --rehash-budget 0 --jobs 1
  # shellcheck disable=SC2016  # the inner shell expands its own arguments
  measure "gzip -dc \| sha1sum" "$RUNS" \
    bash -c 'set -o pipefail; gzip -dc "$@" | sha1sum' _ "${warcs[@]}"
  local rss
  rss=$(rss_mib "$ROTGUARD" -q --store "$WORK/many" verify --rehash-budget 0)
  echo
  machine
  echo "many files: ${#warcs[@]} files of 50 records; median of $RUNS; peak RSS (default) $rss MiB"
  echo
  echo "| command (${#warcs[@]} small WARCs) | wall | CPU (user+sys) | vs gzip\\|sha1sum (wall) | load (1 min) |"
  echo "|---|---|---|---|---|"
  local gz v v1
  gz=$(row_of "gzip -dc \| sha1sum" 2)
  while IFS=$'\t' read -r label wall cpu load; do
    printf '| %s | %.3f s | %.3f s | %.2f× | %s |\n' "$label" "$wall" "$cpu" \
      "$(echo "$wall / $gz" | bc -l)" "$load"
  done <"$WORK/rows"
  v=$(sed -n 1p "$WORK/rows" | cut -f2)
  v1=$(sed -n 2p "$WORK/rows" | cut -f2)
  echo
  python3 -c "print('many files: default %.3f s, --jobs 1 %.3f s (%.2fx); gzip|sha1sum / verify = %.2f' % ($v, $v1, $v1 / $v, $gz / $v))"
  summary verify-many-files "$v" "gzip|sha1sum" "$gz" "$rss" "ratio>=3 (as one file)" \
    "$(python3 -c "print('yes' if $gz / $v >= 3 else 'no')")"
}

for part in $PARTS; do
  case $part in
    files) bench_files ;;
    one) bench_one ;;
    many) bench_many ;;
    *) echo "bench: unknown part '$part' (files, one, many)" >&2; exit 2 ;;
  esac
done
