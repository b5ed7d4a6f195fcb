#!/usr/bin/env bash
# Memory of `rotguard report --json` in the record count (issue #14 item 4,
# SPEC §11: peak RSS < 64 MiB for 1,000,000 records; bench/million/run.sh
# measures that size). CI-sized: stores of 10,000 and 50,000 imported tiny
# records (tools/gen_tiny_warc.py, one URL each); the report of each must
# stay under 64 MiB, and the 50,000-record report may use at most 4 MiB
# more than the 10,000-record one (links are rendered one at a time from
# manifest cursors, never collected). The output must still be the whole
# document: valid JSON listing every URL once, in order, with its copy.
source "$(dirname "$0")/common.sh"
command -v python3 >/dev/null || { echo "python3 not installed: skipped"; exit 125; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time not installed: skipped"; exit 125; }

# report_peak N: prints the peak RSS (KiB) of report --json of an N-record
# store, after checking what it wrote.
report_peak() {
  local n=$1 store=$WORK/s$1/.rotguard
  tiny_store "$n"
  /usr/bin/time -f '%M' -o "$WORK/time$n" "$ROTGUARD" --store "$store" report --json >"$WORK/r$n.json" ||
    fail "report --json of $n records failed"
  python3 - "$WORK/r$n.json" "$n" <<'PY' || fail "report --json of $n records is not the whole report"
import json, sys
doc = json.load(open(sys.argv[1]))
n = int(sys.argv[2])
urls = [link["url"] for link in doc["unlinked"]]
assert doc["documents"] == [], "documents"
assert len(urls) == n, f"{len(urls)} unlinked URLs, want {n}"
assert urls == sorted(urls) and len(set(urls)) == n, "order"
assert all(link["archived"] for link in doc["unlinked"]), "a URL without its copy"
assert sum(doc["summary"]["verdicts"].values()) == n, "summary counts"
PY
  cat "$WORK/time$n"
}

small=$(report_peak "$MEMORY_SMALL")
large=$(report_peak "$MEMORY_LARGE")
check_rss_bound "report --json" "$small" "$large"
echo "report_memory: ok"
