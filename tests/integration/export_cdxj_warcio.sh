#!/usr/bin/env bash
# `rotguard export --cdxj` gives, line for line, what npm warcio 2.4.11's
# `cdx-index --format cdxj` gives for the same WARC files (sorted with
# LC_ALL=C, as warcio leaves its lines in file order): rotguard's sample
# WARC (every record type, a revisit, a resource, a metadata record) and
# the foreign test WARCs (wget style, WARC/1.0), imported into one store.
# `export --cdx` has the same records in CDX11.
source "$(dirname "$0")/common.sh"

command -v node >/dev/null 2>&1 || { echo "node not installed: skipped"; exit 125; }
WARCIO="$ROTGUARD_SOURCE_DIR/tools/interop/node_modules/warcio/dist/cli.js"
[ -f "$WARCIO" ] || fail "npm warcio missing: run tools/install-deps.sh"
SAMPLE="$ROTGUARD_BUILD_DIR/tools/make_sample_warc"
[ -x "$SAMPLE" ] || fail "$SAMPLE not built"

WARC=$("$SAMPLE" "$WORK/sample")
STORE="$WORK/site/.rotguard"
for f in "$WARC" "$ROTGUARD_SOURCE_DIR/tests/data/warc/wget-style-1.0.warc" \
         "$ROTGUARD_SOURCE_DIR/tests/data/warc/good.warc.gz"; do
  expect_exit 0 "$ROTGUARD" --store "$STORE" import "$f"
done

expect_exit 0 "$ROTGUARD" --store "$STORE" export --cdxj "$WORK/ours.cdxj" --cdx "$WORK/ours.cdx"
(cd "$STORE/warc" && find . -type f -name '*.warc*' ! -name '*.open' | sed 's|^\./||' | sort |
  while read -r name; do node "$WARCIO" cdx-index --format cdxj "$name"; done) |
  LC_ALL=C sort >"$WORK/warcio.cdxj"
[ -s "$WORK/warcio.cdxj" ] || fail "warcio indexed nothing"
# The one documented difference (README): warcio stops the last record of
# an uncompressed WARC before its closing CRLF CRLF, so its length is 4
# short there; ours covers the whole record, as for every other record.
python3 - "$WORK/warcio.cdxj" "$WORK/ours.cdxj" "$STORE/warc" <<'PY' || fail "CDXJ differs from warcio's"
import json, os, sys
theirs = open(sys.argv[1]).read().splitlines()
ours = open(sys.argv[2]).read().splitlines()
sizes = {name: os.path.getsize(os.path.join(d, name))
         for d, _, names in os.walk(sys.argv[3]) for name in names}
if len(theirs) != len(ours):
    sys.exit("line counts differ: warcio %d, rotguard %d" % (len(theirs), len(ours)))
for t, o in zip(theirs, ours):
    if t == o:
        continue
    tk, tj = t.split(" {", 1); ok, oj = o.split(" {", 1)
    tj, oj = json.loads("{" + tj), json.loads("{" + oj)
    size = sizes[oj["filename"]]
    last_plain = (not oj["filename"].endswith(".gz") and
                  int(oj["offset"]) + int(oj["length"]) == size)
    tj["length"] = str(int(tj["length"]) + 4) if last_plain else tj["length"]
    if tk != ok or tj != oj:
        sys.exit("differs:\n warcio   %s\n rotguard %s" % (t, o))
PY
grep -q '"mime":"warc/revisit"' "$WORK/ours.cdxj" || fail "no revisit line"
grep -q '"url":"file:content/posts/hello.md"' "$WORK/ours.cdxj" || fail "no resource line"

# CDX11: the legend, then one line per CDXJ line with the same key.
head -1 "$WORK/ours.cdx" | grep -x ' CDX N b a m s k r M S V g' >/dev/null || fail "CDX11 legend"
[ "$(($(wc -l <"$WORK/ours.cdx") - 1))" -eq "$(wc -l <"$WORK/ours.cdxj")" ] ||
  fail "CDX11 and CDXJ line counts differ"
tail -n +2 "$WORK/ours.cdx" | awk '{print NF}' | sort -u | grep -x 11 >/dev/null || fail "CDX11 lines need 11 fields"

# Stdout, and the shared lock: a second reader may run at the same time.
expect_exit 0 "$ROTGUARD" --store "$STORE" export --cdxj -
cmp -s "$WORK/out" "$WORK/ours.cdxj" || fail "--cdxj - differs from the file"
expect_exit 1 "$ROTGUARD" --store "$STORE" export
expect_exit 1 "$ROTGUARD" --store "$WORK/nostore" export --cdxj "$WORK/x.cdxj"
echo ok
