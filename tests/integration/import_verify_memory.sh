#!/usr/bin/env bash
# Memory of `rotguard import` and `rotguard verify` in the record count
# (issue #14 item 4, SPEC §11: peak RSS < 64 MiB for 1,000,000 records;
# bench/million/run.sh measures that size). CI-sized: 10,000 and 50,000
# tiny records (tools/gen_tiny_warc.py); each import and each verify
# (default level, --quick and --deep) must stay under 64 MiB, and from
# 10,000 to 50,000 records grow by less than 4 MiB (rows are written in
# batches, and verify walks the file with the manifest's cursors).
source "$(dirname "$0")/common.sh"
command -v python3 >/dev/null || { echo "python3 not installed: skipped"; exit 125; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time not installed: skipped"; exit 125; }

# peaks N: prints "import verify quick deep" peak RSS (KiB) for N records.
peaks() {
  local n=$1 store=$WORK/s$1/.rotguard out=""
  tiny_store "$n" --no-import
  /usr/bin/time -f '%M' -o "$WORK/time" "$ROTGUARD" --store "$store" import "$WORK/t$n.warc.gz" >"$WORK/import$n.out" ||
    fail "import of $n records failed"
  out=$(cat "$WORK/time")
  for level in "" --quick --deep; do
    /usr/bin/time -f '%M' -o "$WORK/time" "$ROTGUARD" --store "$store" verify $level >"$WORK/verify$n.out" ||
      fail "verify $level of $n records failed: $(tail -n 5 "$WORK/verify$n.out")"
    out="$out $(cat "$WORK/time")"
  done
  echo "$out"
}

read -r -a small <<<"$(peaks "$MEMORY_SMALL")"
read -r -a large <<<"$(peaks "$MEMORY_LARGE")"
labels=(import verify "verify --quick" "verify --deep")
for i in 0 1 2 3; do
  check_rss_bound "${labels[$i]}" "${small[$i]}" "${large[$i]}"
done
echo "import_verify_memory: ok"
