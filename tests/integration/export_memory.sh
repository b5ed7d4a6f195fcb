#!/usr/bin/env bash
# Memory of `rotguard export --cdxj` in the record count (issue #14 item 4,
# SPEC §11: peak RSS < 64 MiB for 1,000,000 records; bench/million/run.sh
# measures that size). CI-sized: stores of 10,000 and 50,000 imported tiny
# records (tools/gen_tiny_warc.py); the export of each must stay under
# 64 MiB, and the 50,000-record export may use at most 4 MiB more than the
# 10,000-record one (the index is sorted in spilled runs, never whole in
# memory). The output must still be the sorted CDXJ: same lines as
# `sort` of them, one per record.
source "$(dirname "$0")/common.sh"
command -v python3 >/dev/null || { echo "python3 not installed: skipped"; exit 125; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time not installed: skipped"; exit 125; }

# export_peak N: prints the peak RSS (KiB) of the export of an N-record store.
export_peak() {
  local n=$1 store=$WORK/s$1/.rotguard
  tiny_store "$n"
  /usr/bin/time -f '%M' -o "$WORK/time$n" "$ROTGUARD" --store "$store" export --cdxj "$WORK/o$n.cdxj" ||
    fail "export of $n records failed"
  [ "$(wc -l <"$WORK/o$n.cdxj")" -eq "$n" ] || fail "export of $n records wrote $(wc -l <"$WORK/o$n.cdxj") lines"
  LC_ALL=C sort -c "$WORK/o$n.cdxj" || fail "export of $n records is not sorted"
  cat "$WORK/time$n"
}

small=$(export_peak "$MEMORY_SMALL")
large=$(export_peak "$MEMORY_LARGE")
check_rss_bound "export --cdxj" "$small" "$large"
echo "export_memory: ok"
