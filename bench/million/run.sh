#!/usr/bin/env bash
# Memory benchmark (never in CI; issue #14 item 4, SPEC §11 "import/
# verify/report/export of 1,000,000 records: peak RSS < 64 MiB").
# tools/gen_tiny_warc.py writes one .warc.gz of RECORDS tiny response
# records (valid digests, 1-3 byte bodies, 100 hosts); then, on a fresh
# store, each command runs once under /usr/bin/time and its peak RSS
# (maxresident, i.e. VmHWM) and wall time are printed as a Markdown table:
#   rotguard import FILE            (index, digests, manifest rows)
#   rotguard verify                 (default level: every record inflated)
#   rotguard report --json          (the import store's URLs)
#   rotguard export --cdxj OUT      (SURT-sorted index)
#   rotguard --version              (the floor: the binary alone)
# Every command must exit 0, or the script stops.
# Usage: bench/million/run.sh [BUILD_DIR]   (default build)
#   env: RECORDS (1000000), KEEP=1 keeps the work directory
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "${1:-$ROOT/build}" && pwd)
ROTGUARD=$BUILD/rotguard
RECORDS=${RECORDS:-1000000}
WORK=$(mktemp -d /tmp/rotguard-bench-million.XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$WORK"' EXIT
STORE=$WORK/store/.rotguard
# summary ROW ... (bench/lib.sh)
. "$ROOT/bench/lib.sh"

t0=$(date +%s.%N)
python3 "$ROOT/tools/gen_tiny_warc.py" "$WORK/tiny.warc.gz" "$RECORDS"
gen=$(echo "$(date +%s.%N) - $t0" | bc -l)
"$ROTGUARD" --store "$STORE" init >/dev/null

# peak LABEL CMD...: one run; appends "label<TAB>KiB<TAB>wall" to rows.
peak() {
  local label=$1
  shift
  if ! /usr/bin/time -f '%M %e' -o "$WORK/time" "$@" >"$WORK/stdout" 2>"$WORK/stderr"; then
    echo "bench: '$label' failed:" >&2
    tail -n 20 "$WORK/stdout" "$WORK/stderr" >&2
    exit 1
  fi
  read -r kib wall <"$WORK/time"
  printf '%s\t%s\t%s\n' "$label" "$kib" "$wall" >>"$WORK/rows"
}

: >"$WORK/rows"
peak "rotguard --version (floor)" "$ROTGUARD" --version
peak "rotguard import" "$ROTGUARD" --store "$STORE" import "$WORK/tiny.warc.gz"
peak "rotguard verify" "$ROTGUARD" --store "$STORE" verify
peak "rotguard report --json" "$ROTGUARD" --store "$STORE" report --json
peak "rotguard export --cdxj" "$ROTGUARD" --store "$STORE" export --cdxj "$WORK/out.cdxj"
lines=$(wc -l <"$WORK/out.cdxj")
[ "$lines" -eq "$RECORDS" ] || { echo "bench: export wrote $lines lines, want $RECORDS" >&2; exit 1; }

echo "records: $RECORDS ($(du -m "$WORK/tiny.warc.gz" | cut -f1) MB .warc.gz, generated in $(printf '%.0f' "$gen") s);" \
  "manifest $(du -m "$STORE/manifest.sqlite3" | cut -f1) MB; load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| command | peak RSS | wall |"
echo "|---|---|---|"
while IFS=$'\t' read -r label kib wall; do
  mib=$(printf '%.1f' "$(echo "$kib / 1024" | bc -l)")
  printf '| %s | %s MiB | %s s |\n' "$label" "$mib" "$wall"
  case $label in *floor*) continue ;; esac
  met=no
  [ "$(echo "$mib < 64" | bc -l)" = 1 ] && met=yes
  summary "million: ${label#rotguard }" "$wall" - - "$mib" "rss<64 MiB at $RECORDS records" "$met"
done <"$WORK/rows"
