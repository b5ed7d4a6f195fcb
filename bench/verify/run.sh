#!/usr/bin/env bash
# Verify benchmark (never in CI). Builds a store of FILES WARC files
# (default 4 × 8,000 response records, half incompressible 48 KiB bodies,
# half text: ~1 GB of .warc.gz) by `rotguard import`, then times on the
# same files, best of RUNS:
#   - rotguard verify (default level: every member inflated, every digest
#     checked, records matched with the manifest), --jobs 1 and --jobs 2
#   - gzip -dc FILES | sha1sum          (the machine-limit peer of SPEC §11)
#   - npm warcio 2.4.11 full parse: every record read, both digests
#     recomputed (tools/interop/check_warc.mjs --no-cdx)
# Usage: bench/verify/run.sh [BUILD_DIR]   (default build-verify)
#   env: FILES (4), RECORDS (8000 per file), RUNS (3)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-$ROOT/build-verify}
ROTGUARD=$BUILD/rotguard
WORK=$(mktemp -d /tmp/rotguard-bench-verify.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
FILES=${FILES:-4}
RECORDS=${RECORDS:-8000}
RUNS=${RUNS:-3}

for i in $(seq "$FILES"); do
  python3 - "$WORK/in/bench-$i.warc.gz" "$RECORDS" "$i" <<'PY'
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
            body, ctype = os.urandom(48 * 1024), "image/jpeg"
        else:
            body = b" ".join(rng.choice(words) for _ in range(6500))[: 48 * 1024]
            ctype = "text/html"
        block = ("HTTP/1.1 200 OK\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n"
                 % (ctype, len(body))).encode() + body
        head = ("WARC/1.1\r\nWARC-Type: response\r\nWARC-Target-URI: https://h%d.example.com/%d/%d\r\n"
                "WARC-Date: 2026-01-02T03:04:05Z\r\nWARC-Record-ID: <urn:uuid:%s>\r\n"
                "WARC-Block-Digest: %s\r\nWARC-Payload-Digest: %s\r\n"
                "Content-Type: application/http; msgtype=response\r\nContent-Length: %d\r\n\r\n"
                % (i % 7, seed, i, uuid.uuid4(), sha1(block), sha1(body), len(block))).encode()
        f.write(gzip.compress(head + block + b"\r\n\r\n", compresslevel=1 if i % 2 == 0 else 0))
PY
done
"$ROTGUARD" -q --store "$WORK/store" import "$WORK"/in/*.warc.gz >/dev/null
rm -rf "$WORK/in"
WARCS=("$WORK"/store/warc/imported/*.warc.gz)
BYTES=$(cat "${WARCS[@]}" | wc -c)

best() {  # CMD...: best wall seconds of RUNS
  local best_s=
  for _ in $(seq "$RUNS"); do
    local t0 t1
    t0=$(date +%s.%N)
    "$@" >/dev/null 2>&1 || true
    t1=$(date +%s.%N)
    best_s=$(python3 -c "a=$t1-$t0; b='$best_s'; print(a if not b else min(a, float(b)))")
  done
  printf '%.2f' "$best_s"
}
verify_j() { "$ROTGUARD" -q --store "$WORK/store" verify --rehash-budget 0 --jobs "$1"; }
gzip_sha1() { gzip -dc "${WARCS[@]}" | sha1sum; }
warcio() { node "$ROOT/tools/interop/check_warc.mjs" --no-cdx "${WARCS[@]}"; }

# Warm the page cache so every tool reads from memory.
cat "${WARCS[@]}" >/dev/null
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "date: $(date -u +%Y-%m-%dT%H:%MZ); store: ${#WARCS[@]} files, $((BYTES / 1000000)) MB .warc.gz, $((FILES * RECORDS)) records"
v1=$(best verify_j 1)
v2=$(best verify_j 2)
gz=$(best gzip_sha1)
echo "rotguard verify --jobs 1: ${v1} s"
echo "rotguard verify --jobs 2: ${v2} s"
echo "gzip -dc | sha1sum:       ${gz} s"
if [ -e "$ROOT/tools/interop/node_modules/warcio" ] && command -v node >/dev/null; then
  wj=$(RUNS=1 best warcio)
  echo "warcio full parse:        ${wj} s (one run)"
fi
python3 -c "print('verify --jobs 1 / gzip|sha1sum = %.2f (target <= 1.3)' % ($v1 / $gz))"
