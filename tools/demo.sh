#!/usr/bin/env bash
# The README's demo command: installs what is missing, builds rotguard, and
# runs it on the bundled example site (examples/site) in demo-out/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh

BUILD=build/release
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD" -j "$(nproc)" --target rotguard make_sample_warc
RG="$PWD/$BUILD/rotguard"
OUT="$PWD/demo-out"
rm -rf "$OUT"
mkdir -p "$OUT"
export ROTGUARD_STORE="$OUT/store"

step() { printf '\n== %s\n' "$*"; }

step "rotguard init (creates the store of SPEC §4)"
"$RG" init
ls "$ROTGUARD_STORE"

step "rotguard scan examples/site (every link with file:line:col kind url)"
"$RG" scan examples/site

step "rotguard scan --update (documents and links into the manifest)"
"$RG" scan --update examples/site >/dev/null
sqlite3 "$ROTGUARD_STORE/manifest.sqlite3" \
  "SELECT d.path, l.kind, l.url FROM links l JOIN documents d ON d.id = l.document_id ORDER BY d.path, l.start_offset LIMIT 5;"

step "a WARC written by the library (every record type), then rotguard inspect"
"$BUILD/tools/make_sample_warc" "$OUT/sample"
WARC=$(ls "$OUT"/sample/*.warc.gz | head -n 1)
"$RG" inspect "$WARC"

step "the same WARC read by another implementation (npm warcio 2.4.11)"
node tools/interop/check_warc.mjs "$WARC" | tail -n 3

step "done: store in $ROTGUARD_STORE, WARC in $WARC"
