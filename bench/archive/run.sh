#!/usr/bin/env bash
# Archive benchmark (issue #5 "Benchmark", SPEC §11 performance rows): nginx
# on loopback serving 5,000 small files (~166 MB, HTML/JPEG mix), 4 x 64 MiB
# and 500 shortener-like chains (1-3 x 301), over HTTP and HTTPS (HTTP/2 by
# ALPN), all in one run. Compares
#   rotguard archive -i URLS            (fresh store per run, WARC + manifest)
#   wget -i URLS --warc-file            (sequential, gzip WARC)
#   curl --parallel --parallel-max 16   (to /dev/null: the network-side bound)
# Wall time (median of REPS), CPU (user+sys) and peak RSS from /usr/bin/time
# -v of the median run; every run is checked (exit status, URL count) so a
# fast failure never passes for a fast success. rotguard runs with --stats:
# its rows also give the CPU seconds of each stage (receive, compress,
# digests, write, commit, other) from its --json summary. The big row's
# floor (issue #17) is the larger of curl --parallel's time and the four
# digests rotguard must take of its bytes (payload sha1 + sha256, block
# sha1, the WARC file's sha256) at `openssl speed` rates over 2 cores.
# Each row also goes to `summary` (bench/lib.sh) for bench/run.sh's table.
# Never part of CI or tests.
#
#   bench/archive/run.sh                     # everything, Markdown on stdout
#   SCHEMES=http ROWS="small" REPS=1 bench/archive/run.sh
#   RUNS=3 PEER_RUNS=1 ROWS="small big" bench/archive/run.sh
#   BUILD_DIR=... WORK=... KEEP=1 bench/archive/run.sh   # or run.sh BUILD_DIR
#   # what-if passes (bench/RESULTS.md "Where the time goes"):
#   RG_FLAGS="--jobs 16 --per-host 16 --delay 0 --config noreq.toml" \
#     ROWS="small chains" TOOLS=rotguard bench/archive/run.sh
#   BIG_TYPE=video/mp4 ROWS=big TOOLS=rotguard bench/archive/run.sh
#
# Uses the rotguard binary in BUILD_DIR (a Release build); builds it there
# only when it is missing. Installs nginx-light and time (apt) when missing.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../lib.sh
. "$ROOT/bench/lib.sh"  # summary(); its measure() is redefined below
# The build directory: the first argument, else $BUILD_DIR.
BUILD_DIR=${1:-${BUILD_DIR:-$ROOT/build-bench}}
RG=$BUILD_DIR/rotguard
WORK=${WORK:-/tmp/rotguard-bench-archive}
SCHEMES=${SCHEMES:-"http https"}
ROWS=${ROWS:-"small big chains"}
TOOLS=${TOOLS:-"curl rotguard wget"}
# RUNS (or REPS) runs of rotguard, PEER_RUNS of wget and curl (default:
# as many), as bench/run.sh names them; wget takes 8-9 s a run.
REPS=${RUNS:-${REPS:-3}}
PEER_REPS=${PEER_RUNS:-$REPS}
PARALLEL=${PARALLEL:-16}
# rotguard's defaults are polite (per host: 2 transfers, 250 ms apart); a
# benchmark against one loopback host lifts them to curl's concurrency.
RG_FLAGS=${RG_FLAGS:-"--jobs $PARALLEL --per-host $PARALLEL --delay 0"}
# Content-Type of the 64 MiB bodies (random bytes). rotguard stores known
# compressed types (video/, image/jpeg, ...) at deflate level 0 and deflates
# everything else; BIG_TYPE=video/mp4 shows what that choice costs.
BIG_TYPE=${BIG_TYPE:-application/octet-stream}

log() { echo "bench: $*" >&2; }

ensure_tools() {
  local missing=()
  command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
  [ -x /usr/bin/time ] || missing+=(time)
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
  fi
  NGINX=$(command -v nginx || echo /usr/sbin/nginx)
  if [ ! -x "$RG" ]; then
    # Only when there is no binary: other work may share BUILD_DIR.
    log "building rotguard in $BUILD_DIR"
    cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release >&2
    ninja -C "$BUILD_DIR" -j2 rotguard >&2
  fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

start_nginx() {
  HTTP_PORT=$(free_port)
  HTTPS_PORT=$(free_port)
  mkdir -p "$WORK/nginx/tmp"
  # The test CA's server certificate names 127.0.0.1 (IP SAN), so every tool
  # reaches the same address and only needs the CA (--cacert).
  "$ROOT/tools/make_test_ca.sh" "$WORK/ca" >/dev/null
  # The redirect chains /c/NAME/3 -> /2 -> /1 -> /small/NAME answer 301 with
  # a relative Location, as shorteners' targets are reached.
  {
    nginx_conf_head "$WORK/nginx"
    cat <<CONF
  types { text/html html; text/css css; image/jpeg jpg; $BIG_TYPE bin; }
  server {
    listen 127.0.0.1:$HTTP_PORT;
    listen 127.0.0.1:$HTTPS_PORT ssl http2;
    ssl_certificate $WORK/ca/server.pem;
    ssl_certificate_key $WORK/ca/server.key;
    root $WORK/www;
    location ~ ^/c/([0-9]+\.[a-z]+)/3\$ { return 301 /c/\$1/2; }
    location ~ ^/c/([0-9]+\.[a-z]+)/2\$ { return 301 /c/\$1/1; }
    location ~ ^/c/([0-9]+\.[a-z]+)/1\$ { return 301 /small/\$1; }
  }
}
CONF
  } >"$WORK/nginx/nginx.conf"
  rm -f "$WORK/nginx/nginx.pid"
  "$NGINX" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf"
  trap stop_nginx EXIT
}

stop_nginx() {
  # Only the nginx this script started (its own pid file).
  if [ -s "$WORK/nginx/nginx.pid" ]; then
    kill "$(cat "$WORK/nginx/nginx.pid")" 2>/dev/null || true
  fi
  if [ -z "${KEEP:-}" ]; then rm -rf "$WORK/runs"; fi
}

write_lists() {
  local scheme=$1 port=$2 base
  base="$scheme://127.0.0.1:$port"
  sed "s|^|$base/small/|" "$WORK/small-names.txt" >"$WORK/$scheme-small.txt"
  for i in 0 1 2 3; do echo "$base/big/$i.bin"; done >"$WORK/$scheme-big.txt"
  head -500 "$WORK/small-names.txt" |
    awk -v b="$base" '{ printf "%s/c/%s/%d\n", b, $1, (NR % 3) + 1 }' \
      >"$WORK/$scheme-chains.txt"
  awk '{ printf "url = \"%s\"\noutput = \"/dev/null\"\n", $1 }' \
    "$WORK/$scheme-small.txt" >"$WORK/$scheme-warm.cfg"
}

# measure NAME DIR CMD...: runs CMD in DIR under /usr/bin/time -v; sets
# M_WALL (s), M_CPU (user+sys s), M_RSS (KiB), M_RC.
measure() {
  local name=$1 dir=$2 start end
  shift 2
  start=$(date +%s%N)
  M_RC=0
  (cd "$dir" && /usr/bin/time -v -o "$WORK/runs/$name.time" "$@" \
    >"$WORK/runs/$name.out" 2>"$WORK/runs/$name.err") || M_RC=$?
  end=$(date +%s%N)
  M_WALL=$(awk -v ns=$((end - start)) 'BEGIN { printf "%.3f", ns / 1e9 }')
  M_CPU=$(awk -F': ' '/User time|System time/ { s += $2 } END { printf "%.2f", s }' \
    "$WORK/runs/$name.time")
  M_RSS=$(awk -F': ' '/Maximum resident/ { print $2 }' "$WORK/runs/$name.time")
}

# run_one SCHEME ROW REP TOOL: one measured run, checked, appended to
# $WORK/results.tsv (scheme row rep tool wall cpu rss rc ok warc_bytes load1
# stages, the last rotguard's --stats seconds as name=s,...).
run_one() {
  local scheme=$1 row=$2 rep=$3 tool=$4 list n name dir ok=0 warc=0 detail=""
  local stages=-
  list="$WORK/$scheme-$row.txt"
  n=$(wc -l <"$list")
  name="$scheme-$row-$tool-$rep"
  dir="$WORK/runs/$name.d"
  rm -rf "$dir" && mkdir -p "$dir"
  local ca=()
  case "$tool" in
    curl)
      [ "$scheme" = https ] && ca=(--cacert "$WORK/ca/ca.pem")
      awk '{ printf "url = \"%s\"\noutput = \"/dev/null\"\n", $1 }' "$list" \
        >"$dir/urls.cfg"
      measure "$name" "$dir" curl -s -L --parallel --parallel-max "$PARALLEL" \
        "${ca[@]}" -w '%{http_code}\n' -K urls.cfg
      # One "200" per URL (the final answer after -L).
      local got
      got=$(grep -c '^200$' "$WORK/runs/$name.out" || true)
      [ "$M_RC" = 0 ] && [ "$got" = "$n" ] && ok=1
      detail="200s=$got"
      ;;
    rotguard)
      [ "$scheme" = https ] && ca=(--cacert "$WORK/ca/ca.pem")
      "$RG" --store "$dir/store" init >/dev/null
      # shellcheck disable=SC2086  # RG_FLAGS is a list of flags
      measure "$name" "$dir" "$RG" --store store --json archive -i "$list" \
        $RG_STATS --allow-private $RG_FLAGS "${ca[@]}"
      local failed due
      failed=$(grep -o '"failed":[0-9]*' "$WORK/runs/$name.out" | cut -d: -f2)
      due=$(grep -o '"due":[0-9]*' "$WORK/runs/$name.out" | cut -d: -f2)
      [ "$M_RC" = 0 ] && [ "${failed:-x}" = 0 ] && [ "${due:-x}" = "$n" ] && ok=1
      warc=$(cat "$dir"/store/warc/*.warc.gz | wc -c)
      stages=$(python3 -c 'import json, sys
c = json.load(open(sys.argv[1])).get("cpu_seconds", {})
print(",".join("%s=%.3f" % kv for kv in c.items()))' "$WORK/runs/$name.out" 2>/dev/null || true)
      detail="due=$due failed=$failed cpu: $stages"
      ;;
    wget)
      [ "$scheme" = https ] && ca=(--ca-certificate="$WORK/ca/ca.pem")
      measure "$name" "$dir" wget -q -i "$list" "${ca[@]}" --delete-after \
        --warc-file=out --no-warc-keep-log
      # One 200 response record per URL in the WARC (redirect hops aside).
      local got
      got=$(zcat "$dir"/out.warc.gz | grep -ac '^HTTP/1.1 200' || true)
      [ "$M_RC" = 0 ] && [ "$got" = "$n" ] && ok=1
      warc=$(wc -c <"$dir"/out.warc.gz)
      detail="200s=$got"
      ;;
  esac
  local load1
  load1=$(cut -d' ' -f1 /proc/loadavg)
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$scheme" \
    "$row" "$rep" "$tool" "$M_WALL" "$M_CPU" "$M_RSS" "$M_RC" "$ok" "$warc" \
    "$load1" "${stages:--}" >>"$WORK/results.tsv"
  log "$name: ${M_WALL}s cpu ${M_CPU}s rss ${M_RSS}KiB rc $M_RC ok $ok $detail load $load1"
  if [ "$ok" != 1 ]; then log "$name FAILED: see $WORK/runs/$name.err"; fi
  # Keep disk use bounded (a big-row WARC is 256 MiB); KEEP=1 keeps them.
  if [ -z "${KEEP:-}" ]; then rm -rf "$dir"; fi
}

# openssl_rate ALG: bytes per second of one core (OpenSSL's EVP, 16 KiB
# blocks, CPU time as divisor, so load on the other core does not skew it).
openssl_rate() {
  openssl speed -mr -evp "$1" -bytes 16384 -seconds 1 2>/dev/null |
    awk -F: '/^\+F:/ { print $4 }'
}

# The big row's floor (issue #17 target 2), in seconds: the four digests
# of its bytes (2 x sha1, 2 x sha256) spread over 2 cores. Sets
# DIGEST_FLOOR and prints how it was found.
digest_floor() {
  local sha1 sha256 bytes
  sha1=$(openssl_rate sha1)
  sha256=$(openssl_rate sha256)
  bytes=$(cat "$WORK"/www/big/* | wc -c)
  DIGEST_FLOOR=$(awk -v b="$bytes" -v s1="$sha1" -v s2="$sha256" \
    'BEGIN { printf "%.3f", b * (2 / s1 + 2 / s2) / 2 }')
  awk -v b="$bytes" -v s1="$sha1" -v s2="$sha256" -v f="$DIGEST_FLOOR" \
    'BEGIN { printf "- digest floor, big row: openssl speed sha1 %.2f GB/s, " \
      "sha256 %.2f GB/s; 2 x sha1 + 2 x sha256 of %.0f MB over 2 cores: " \
      "%.3f s\n", s1 / 1e9, s2 / 1e9, b / 1e6, f }'
}

# Prints the Markdown table and the per-stage CPU of rotguard's rows, and
# writes $WORK/summary.tsv (one line per row and scheme for summary()).
summarize() {
  python3 - "$WORK/results.tsv" "$DIGEST_FLOOR" "$WORK/summary.tsv" <<'PY'
import statistics, sys
from collections import defaultdict
runs = defaultdict(list)
for line in open(sys.argv[1]):
    s, row, rep, tool, wall, cpu, rss, rc, ok, warc, load, stages = \
        line.rstrip("\n").split("\t")
    st = dict(kv.split("=") for kv in stages.split(",") if "=" in kv)
    runs[(row, s, tool)].append(dict(wall=float(wall), cpu=float(cpu),
        rss=int(rss), ok=ok == "1", warc=int(warc), load=float(load),
        stages={k: float(v) for k, v in st.items()}))
digest_floor = float(sys.argv[2])
def median_run(rs):
    rs = sorted(rs, key=lambda r: r["wall"])
    return rs[(len(rs) - 1) // 2]
# "vs wget": wget's wall time / this tool's (higher is faster); "vs curl":
# this tool's wall time / curl --parallel's (1.00 is the network bound).
print("| row | scheme | tool | runs ok | median wall s | CPU s | peak RSS MiB"
      " | WARC MB | vs wget | vs curl | load (1 min) |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
stage_rows, summary_rows = [], []
for row in ("small", "big", "chains"):
    for s in ("http", "https"):
        med = {t: median_run(runs[(row, s, t)]) for t in ("rotguard", "wget", "curl")
               if runs[(row, s, t)]}
        for t in ("rotguard", "wget", "curl"):
            if t not in med:
                continue
            m, rs = med[t], runs[(row, s, t)]
            vs_wget = ("%.2fx" % (med["wget"]["wall"] / m["wall"])
                       if "wget" in med and t != "wget" else "-")
            vs_curl = ("%.2fx" % (m["wall"] / med["curl"]["wall"])
                       if "curl" in med and t != "curl" else "-")
            warc = "%.1f" % (m["warc"] / 1e6) if m["warc"] else "-"
            loads = [r["load"] for r in rs]
            print("| %s | %s | %s | %d/%d | %.3f | %.2f | %.1f | %s | %s | %s | %.1f-%.1f |"
                  % (row, s, t, sum(r["ok"] for r in rs), len(rs), m["wall"],
                     m["cpu"], m["rss"] / 1024, warc, vs_wget, vs_curl,
                     min(loads), max(loads)))
        if "rotguard" not in med:
            continue
        rg = med["rotguard"]
        if rg["stages"]:
            stage_rows.append((row, s, rg))
        rss = rg["rss"] / 1024
        ok = all(r["ok"] for r in runs[(row, s, "rotguard")])
        if row == "big":
            floor = max(digest_floor, med["curl"]["wall"] if "curl" in med else 0)
            met = ok and rg["wall"] <= 1.3 * floor and rss <= 32
            summary_rows.append(("archive-big-" + s, rg["wall"], "floor", floor,
                                 rss, "wall<=1.3*floor, rss<=32", met))
            print("| big | %s | floor | - | %.3f | - | - | - | - | - | "
                  "max(curl, digests %.3f s) |" % (s, floor, digest_floor))
        elif "wget" in med:
            w = med["wget"]
            ratio = w["wall"] / rg["wall"]
            if row == "small":
                size_ok = rg["warc"] <= 1.05 * w["warc"]
                met = ok and ratio >= 10 and size_ok and rss <= 48
                target = "ratio>=10, warc<=1.05x wget, rss<=48"
            else:
                met = ok and ratio >= 5
                target = "ratio>=5"
            summary_rows.append(("archive-%s-%s" % (row, s), rg["wall"], "wget",
                                 w["wall"], rss, target, met))
if stage_rows:
    names = ("receive", "compress", "digests", "write", "commit", "other", "total")
    print()
    print("rotguard CPU seconds per stage (archive --stats, the median run):")
    print()
    print("| row | scheme | " + " | ".join(names) + " |")
    print("|---|---|" + "---|" * len(names))
    for row, s, rg in stage_rows:
        print("| %s | %s | " % (row, s) + " | ".join(
            "%.3f" % rg["stages"].get(n, 0) for n in names) + " |")
with open(sys.argv[3], "w") as out:
    for r in summary_rows:
        out.write("%s\t%.3f\t%s\t%.3f\t%.1f\t%s\t%s\n"
                  % (r[0], r[1], r[2], r[3], r[4], r[5], "yes" if r[6] else "no"))
PY
  local row ours peer theirs rss target met
  while IFS=$'\t' read -r row ours peer theirs rss target met; do
    summary "$row" "$ours" "$peer" "$theirs" "$rss" "$target" "$met"
  done <"$WORK/summary.tsv"
}

# The hashing floor of SPEC §11's "machine limit" column: one core reading
# a row's files from the page cache and taking sha1 + sha256 of them
# (OpenSSL through hashlib), as rotguard must for every payload.
hash_floor() {
  python3 - "$WORK/www" <<'PY'
import hashlib, os, sys, time
for row in ("small", "big"):
    d = os.path.join(sys.argv[1], row)
    names = sorted(os.listdir(d))
    start, total = time.perf_counter(), 0
    for name in names:
        with open(os.path.join(d, name), "rb") as f:
            data = f.read()
        hashlib.sha1(data).digest()
        hashlib.sha256(data).digest()
        total += len(data)
    print("- hashing floor, %s row: sha1 + sha256 of %d files (%.0f MB) "
          "take %.3f s on one core" % (row, len(names), total / 1e6,
                                       time.perf_counter() - start))
PY
}

mkdir -p "$WORK"
ensure_tools
if [ ! -s "$WORK/small-names.txt" ] || [ ! -s "$WORK/www/assets/site.css" ]; then
  python3 "$ROOT/bench/archive/gen_site.py" "$WORK"
fi
rm -rf "$WORK/runs" && mkdir -p "$WORK/runs"
: >"$WORK/results.tsv"
start_nginx
write_lists http "$HTTP_PORT"
write_lists https "$HTTPS_PORT"
log "rotguard $("$RG" --version) at $RG (built $(date -u -r "$RG" +%FT%TZ)); repo HEAD $(git -C "$ROOT" rev-parse --short HEAD)"
# Older binaries (before issue #17) have no --stats; NO_STATS=1 leaves it
# off (to see what the accounting costs).
RG_STATS=""
if [ -z "${NO_STATS:-}" ] && "$RG" archive --help 2>/dev/null | grep -- '--stats' >/dev/null; then
  RG_STATS=--stats
fi
log "big bodies served as $BIG_TYPE; rotguard flags: $RG_FLAGS $RG_STATS"
log "nproc $(nproc); $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-); load $(cut -d' ' -f1-3 /proc/loadavg)"
# Warm the page cache and nginx (open-file and TLS paths) before measuring.
cat "$WORK"/www/small/* "$WORK"/www/big/* >/dev/null
for scheme in $SCHEMES; do
  ca=()
  [ "$scheme" = https ] && ca=(--cacert "$WORK/ca/ca.pem")
  curl -s --parallel --parallel-max "$PARALLEL" "${ca[@]}" \
    -K "$WORK/$scheme-warm.cfg" >/dev/null 2>&1
done
# Repetitions outermost and tools interleaved, so load from other work on
# the machine spreads over all tools instead of hitting one.
for rep in $(seq 1 "$REPS"); do
  for scheme in $SCHEMES; do
    for row in $ROWS; do
      for tool in $TOOLS; do
        [ "$tool" = rotguard ] || [ "$rep" -le "$PEER_REPS" ] || continue
        run_one "$scheme" "$row" "$rep" "$tool"
      done
    done
  done
done
digest_floor >"$WORK/floor.txt"
summarize
echo
cat "$WORK/floor.txt"
hash_floor
