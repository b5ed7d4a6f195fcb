#!/usr/bin/env bash
# ARC files (tests/data/arc/: ARC 1.0 plain and gzipped, ARC 1.1 with XML
# metadata; a response, a dns: record, a 404, a GIF) are read by every
# command: `inspect` lists the same records as tools/interop/check_arc.mjs
# (an independent ARC reader that hands the records to npm warcio's
# cdx-index), `import` copies them byte-identically with a capture per
# record, `verify` passes, `export --cdxj` gives warcio's lines, `extract`
# writes their payloads and `restore` uses them; damaged ARCs (a truncated
# member, wrong lengths, a bad gzip CRC) get one-line findings with their
# offsets, as WARCs do.
source "$(dirname "$0")/common.sh"

command -v node >/dev/null 2>&1 || { echo "node not installed: skipped"; exit 125; }
INTEROP="$ROTGUARD_SOURCE_DIR/tools/interop"
[ -d "$INTEROP/node_modules/warcio" ] ||
  fail "npm warcio missing: run tools/install-deps.sh (npm ci in tools/interop)"
DATA="$ROTGUARD_SOURCE_DIR/tests/data/arc"
GOOD=(sample.arc sample.arc.gz sample-1.1.arc.gz)

# inspect == check_arc.mjs, record for record.
for f in "${GOOD[@]}"; do
  expect_exit 0 "$ROTGUARD" inspect --json "$DATA/$f"
  [ ! -s "$WORK/err" ] || { cat "$WORK/err" >&2; fail "$f: diagnostics on a good ARC"; }
  cp "$WORK/out" "$WORK/$f.ours.jsonl"
  node "$INTEROP/check_arc.mjs" "$DATA/$f" >"$WORK/$f.theirs.jsonl" 2>"$WORK/check.err" ||
    { cat "$WORK/check.err" >&2; fail "check_arc.mjs rejected $f"; }
  python3 - "$WORK/$f.ours.jsonl" "$WORK/$f.theirs.jsonl" <<'PY' || fail "$f: inspect and check_arc differ"
import json, sys
ours = [json.loads(l) for l in open(sys.argv[1])]
theirs = [json.loads(l) for l in open(sys.argv[2])]
if len(ours) != len(theirs) or len(ours) != 5:
    sys.exit("records: rotguard %d, check_arc %d" % (len(ours), len(theirs)))
keys = ["offset", "length", "warc-type", "warc-target-uri", "warc-date",
        "warc-ip-address", "content-type", "http:status"]
for a, b in zip(ours, theirs):
    for k in keys:
        if a[k] != b[k]:
            sys.exit("offset %s: %s is %r in rotguard, %r in check_arc" % (a["offset"], k, a[k], b[k]))
    if a["problems"] or a["warc-block-digest"] or a["warc-payload-digest"]:
        sys.exit("offset %s: problems or digests on a clean ARC record: %r" % (a["offset"], a))
PY
done
expect_exit 0 "$ROTGUARD" inspect "$DATA/sample.arc"
expect_contains "$WORK/out" "$(printf '390\t108\tresource\tdns:example.com\t2001-02-03T04:05:06Z\t-\t-\t-')"

# Damaged ARCs: exit 3, exactly one warning line each, with its offset.
one_warning() {  # FILE OFFSET CODE RECORDS
  expect_exit 3 "$ROTGUARD" inspect "$DATA/$1"
  [ "$(wc -l <"$WORK/err")" -eq 1 ] || { cat "$WORK/err" >&2; fail "$1: want one warning"; }
  expect_contains "$WORK/err" "rotguard: warning: $DATA/$1:$2: $3: "
  [ "$(wc -l <"$WORK/out")" -eq "$4" ] || fail "$1: inspect did not list the records around the damage"
}
one_warning truncated-member.arc.gz 621 torn-member 4
one_warning bad-length.arc 139 missing-crlf 5
one_warning bad-length.arc.gz 141 missing-crlf 5
for f in truncated-member.arc.gz bad-length.arc bad-length.arc.gz; do
  if node "$INTEROP/check_arc.mjs" "$DATA/$f" >/dev/null 2>&1; then fail "check_arc accepted $f"; fi
done

# import: byte-identical copies, 5 records and 4 captures per file.
STORE="$WORK/site/.rotguard"
for f in "${GOOD[@]}"; do
  expect_exit 0 "$ROTGUARD" --store "$STORE" import --json "$DATA/$f"
  expect_contains "$WORK/out" "\"name\":\"imported/$f\""
  expect_contains "$WORK/out" '"records":5,"captures":4'
  cmp "$DATA/$f" "$STORE/warc/imported/$f" || fail "$f: imported copy differs"
done
expect_exit 3 "$ROTGUARD" --store "$STORE" import "$DATA/bad-length.arc"
expect_contains "$WORK/err" "missing-crlf at offset 139"
[ ! -e "$STORE/warc/imported/bad-length.arc" ] || fail "a damaged ARC was imported"
expect_exit 0 "$ROTGUARD" --store "$STORE" verify --deep

# export --cdxj: warcio's cdx-index lines over the converted records.
expect_exit 0 "$ROTGUARD" --store "$STORE" export --cdxj "$WORK/ours.cdxj" --cdx "$WORK/ours.cdx"
node "$INTEROP/check_arc.mjs" --cdxj "$WORK/theirs.unsorted" "${GOOD[@]/#/$DATA/}" >/dev/null 2>&1 ||
  fail "check_arc.mjs --cdxj failed"
LC_ALL=C sort "$WORK/theirs.unsorted" >"$WORK/theirs.cdxj"
[ "$(wc -l <"$WORK/ours.cdxj")" -eq 12 ] || fail "want 12 CDXJ lines (4 per file)"
diff "$WORK/theirs.cdxj" "$WORK/ours.cdxj" || fail "CDXJ differs from warcio's over the converted ARC records"
grep -q '^dns:example.com 20010203040506 {"url":"dns:example.com","mime":"text/dns","digest":"' "$WORK/ours.cdxj" ||
  fail "no dns: line"
[ "$(($(wc -l <"$WORK/ours.cdx") - 1))" -eq 12 ] || fail "CDX11 line count"

# extract: the payloads of ARC captures.
expect_exit 0 "$ROTGUARD" --store "$STORE" extract -o "$WORK/logo.gif" http://example.com/logo.gif
head -c 6 "$WORK/logo.gif" | grep GIF89a >/dev/null || fail "extracted GIF is not the GIF"
expect_exit 0 "$ROTGUARD" --store "$STORE" extract http://example.com/
expect_contains "$WORK/out" "Archived in 2001."

# restore: a post linking the ARC captures gets local copies of them.
mkdir -p "$WORK/site/content"
printf -- '---\ntitle: Old\n---\nSee [the page](http://example.com/) and ![logo](http://example.com/logo.gif).\n' \
  >"$WORK/site/content/old.md"
cd "$WORK/site"
expect_exit 0 "$ROTGUARD" scan --update content
expect_exit 0 "$ROTGUARD" restore content --out "$WORK/restored"
cd "$WORK"
cmp "$WORK/logo.gif" "$WORK/restored/assets/example.com/logo.gif" || fail "restored GIF differs"
grep -q "Archived in 2001." "$WORK/restored/assets/example.com/index.html" || fail "restored page lacks its text"

# verify on a damaged ARC in the store: the 404's member fails its CRC.
chmod u+w "$STORE/warc/imported/sample.arc.gz"
printf '\xff' | dd of="$STORE/warc/imported/sample.arc.gz" bs=1 seek=$((621 - 8)) conv=notrunc status=none
expect_exit 3 "$ROTGUARD" --store "$STORE" verify
expect_contains "$WORK/out" "verify: gzip-crc imported/sample.arc.gz@457 http://example.com/missing.html: "
[ "$(grep -c '^verify: gzip-crc' "$WORK/out")" -eq 1 ] || fail "want one gzip-crc finding"
echo ok
