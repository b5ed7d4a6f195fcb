#!/usr/bin/env bash
# Browser-lane benchmark (never in CI; issue #16 "Benchmark"): N fixture
# pages (tools/fixture_js.py: the JS-only app, the lazy-image article and
# the plain article, each under N/3 distinct query strings, so every page
# is its own URL) archived by `rotguard archive` twice, each into a fresh
# store, same fixture web, same run:
#   - static:  --browser off (the static pass alone), the peer row;
#   - browser: --browser always --browser-jobs JOBS (the static pass, then
#     every page again in headless Chromium through the recording proxy).
# Reported: wall and CPU seconds (user + sys; Chromium is rotguard's
# child, reaped by it, so its CPU is in the browser row's), pages per
# second of each, the time per page inside Chromium (from the log), and
# the peak PSS of the Chromium group as the browser module sampled it
# (the log's "peak N MiB").
# Usage: bench/browser/run.sh [BUILD_DIR]   (default build-bench)
#   env: N (30), RUNS (1), JOBS (1), KEEP, BENCH_SUMMARY (bench/lib.sh)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "${1:-$ROOT/build-bench}" && pwd)
ROTGUARD=$BUILD/rotguard
WORK=$(mktemp -d /tmp/rotguard-bench-browser.XXXXXX)
trap '"$ROOT/tools/fixture-web" stop --dir "$WORK/web" >/dev/null 2>&1 || true; [ -n "${KEEP:-}" ] || rm -rf "$WORK"' EXIT
N=${N:-30}
RUNS=${RUNS:-1}
JOBS=${JOBS:-1}
source "$ROOT/bench/lib.sh"
[ -x /usr/bin/chromium ] || { echo "chromium not installed"; exit 1; }

eval "$("$ROOT/tools/fixture-web" start --dir "$WORK/web" --max-seconds 3000)"
read -ra FIXTURE_FLAGS <<<"$FIXTURE_ARGS"
export HOME=$WORK/home  # a download would land in $HOME/Downloads
mkdir -p "$HOME" "$WORK/site"
kinds=(app lazy article)
for i in $(seq 0 $((N - 1))); do
  echo "https://news.example.com/js/${kinds[i % 3]}?n=$i"
done >"$WORK/urls.txt"
printf '[fetch]\ndelay_ms = 0\nper_host = 4\n' >"$WORK/rotguard.toml"

# run.sh MODE: one archive run into a fresh store (a script, as measure
# runs it under /usr/bin/time).
cat >"$WORK/run.sh" <<SH
rm -rf "$WORK/store"
exec "$ROTGUARD" --store "$WORK/store" --config "$WORK/rotguard.toml" archive \\
  --browser "\$1" --browser-jobs "$JOBS" -i "$WORK/urls.txt" ${FIXTURE_FLAGS[*]}
SH
measure static "$RUNS" bash "$WORK/run.sh" off
measure browser "$RUNS" bash "$WORK/run.sh" always
LOG=$WORK/store/logs/rotguard.log
captured=$(grep -c "browser: .*: captured " "$LOG" || true)
[ "$captured" -eq "$N" ] || { grep "browser" "$LOG" | tail -20 >&2; echo "bench: $captured of $N pages captured by the browser" >&2; exit 1; }
read -r peak_mib mean_ms <<<"$(python3 - "$LOG" <<'PY'
import re, sys
ms, peaks = [], []
for line in open(sys.argv[1]):
    m = re.search(r"browser: .*: captured .* (\d+) ms, peak (\d+) MiB", line)
    if m:
        ms.append(int(m.group(1))); peaks.append(int(m.group(2)))
print(max(peaks), sum(ms) // len(ms))
PY
)"
static_s=$(awk -F'\t' '$1 == "static" {print $2}' "$WORK/rows")
browser_s=$(awk -F'\t' '$1 == "browser" {print $2}' "$WORK/rows")
printf 'row\twall_s\tcpu_s\tload\n'
cat "$WORK/rows"
echo "pages: $N; static $(echo "scale=1; $N / $static_s" | bc -l) pages/s;" \
  "with the browser lane $(echo "scale=2; $N / $browser_s" | bc -l) pages/s;" \
  "lane $(echo "scale=2; ($browser_s - $static_s) / $N" | bc -l) s/page wall," \
  "${mean_ms} ms/page in Chromium; Chromium group peak PSS ${peak_mib} MiB"
summary browser-lane "$browser_s" static "$static_s" "$peak_mib" \
  "report only (pages/s both lanes, peak PSS)" yes
