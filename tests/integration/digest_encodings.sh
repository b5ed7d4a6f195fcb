#!/usr/bin/env bash
# Digest values in every RFC 3548/4648 encoding (tests/data/digests/: sha1,
# sha256, md5, sha512 x base16/base32 in both cases, base64, base64url x
# padded/unpadded) are checked alike by inspect, import, verify and kept as
# written in the CDXJ digest field; npm warcio reads the same file and its
# cdx-index gives the same lines. A value that decodes in no encoding is one
# digest failure of its record, everywhere.
source "$(dirname "$0")/common.sh"

command -v node >/dev/null 2>&1 || { echo "node not installed: skipped"; exit 125; }
INTEROP="$ROTGUARD_SOURCE_DIR/tools/interop"
[ -d "$INTEROP/node_modules/warcio" ] ||
  fail "npm warcio missing: run tools/install-deps.sh (npm ci in tools/interop)"
DATA="$ROTGUARD_SOURCE_DIR/tests/data/digests"

expect_exit 0 "$ROTGUARD" inspect --json "$DATA/encodings.warc"
[ ! -s "$WORK/err" ] || { cat "$WORK/err" >&2; fail "diagnostics on correct digests"; }
[ "$(wc -l <"$WORK/out")" -eq 44 ] || fail "want 44 records"
cp "$WORK/out" "$WORK/ours.jsonl"
node "$INTEROP/check_warc.mjs" "$DATA/encodings.warc" >"$WORK/theirs.jsonl" 2>"$WORK/check.err" ||
  { cat "$WORK/theirs.jsonl" "$WORK/check.err" >&2; fail "warcio/check_warc disagrees with a digest"; }
python3 - "$WORK/ours.jsonl" "$WORK/theirs.jsonl" <<'PY' || fail "record lists differ"
import json, sys
ours = [json.loads(l) for l in open(sys.argv[1])]
theirs = [json.loads(l) for l in open(sys.argv[2])]
if len(ours) != len(theirs):
    sys.exit("rotguard %d records, warcio %d" % (len(ours), len(theirs)))
for a, b in zip(ours, theirs):
    for k in ["offset", "warc-type", "warc-target-uri", "http:status"]:
        if a[k] != b[k]:
            sys.exit("offset %s: %s differs: %r vs %r" % (a["offset"], k, a[k], b[k]))
    if a["problems"] or b["block_digest"] != "ok" or b["payload_digest"] != "ok":
        sys.exit("offset %s: %r / %r" % (a["offset"], a["problems"], b))
PY

# One unreadable value and one wrong value: exactly two findings.
expect_exit 3 "$ROTGUARD" inspect "$DATA/bad.warc"
[ "$(wc -l <"$WORK/err")" -eq 2 ] || { cat "$WORK/err" >&2; fail "want two warnings"; }
expect_contains "$WORK/err" "rotguard: warning: $DATA/bad.warc:0: block-digest: block digest value is unreadable"
expect_contains "$WORK/err" "rotguard: warning: $DATA/bad.warc:335: payload-digest: payload digest differs"

STORE="$WORK/site/.rotguard"
expect_exit 0 "$ROTGUARD" --store "$STORE" import --json "$DATA/encodings.warc"
expect_contains "$WORK/out" '"records":44,"captures":44'
expect_exit 3 "$ROTGUARD" --store "$STORE" import "$DATA/bad.warc"
expect_contains "$WORK/err" "block-digest at offset 0: block digest value is unreadable"
expect_exit 0 "$ROTGUARD" --store "$STORE" verify --deep

# CDXJ: the digest as written (no label), as warcio's cdx-index gives it.
expect_exit 0 "$ROTGUARD" --store "$STORE" export --cdxj "$WORK/ours.cdxj"
node "$INTEROP/node_modules/warcio/dist/cli.js" cdx-index --format cdxj "$DATA/encodings.warc" |
  sed 's|"filename":"[^"]*"|"filename":"encodings.warc"|' | LC_ALL=C sort >"$WORK/theirs.cdxj"
# The one documented difference (README, export): in an uncompressed WARC
# warcio's length stops before a record's closing CRLF CRLF, 4 bytes short.
python3 - "$WORK/theirs.cdxj" "$WORK/ours.cdxj" <<'PY' || fail "CDXJ differs"
import json, sys
theirs = open(sys.argv[1]).read().splitlines()
ours = open(sys.argv[2]).read().splitlines()
if len(theirs) != len(ours) or len(ours) != 44:
    sys.exit("lines: warcio %d, rotguard %d" % (len(theirs), len(ours)))
for t, o in zip(theirs, ours):
    tk, tj = t.split(" {", 1); ok, oj = o.split(" {", 1)
    tj, oj = json.loads("{" + tj), json.loads("{" + oj)
    tj["length"] = str(int(tj["length"]) + 4)
    if tk != ok or tj != oj:
        sys.exit("differs:\n warcio   %s\n rotguard %s" % (t, o))
PY
# Digests as written: lowercase hex, padded base32, base64 with / and =.
expect_contains "$WORK/ours.cdxj" '"digest":"51f1a449cb1937dd72fd717a4654922f273e6ca1"'
expect_contains "$WORK/ours.cdxj" '"digest":"CAP6S66IPSK3R6MROFC6CEPUQA======"'
expect_contains "$WORK/ours.cdxj" '"digest":"ogw+OhXUfkBtPgNoUT2E4kzWnPEB0OP7NTrjh4y/kBEhqqwGELg1EGe3TXY+S2lV7TAHR4KLL5iOw7XuwT8UxA=="'

# verify: a digest value made unreadable in the stored file is one
# block-digest finding (not also a manifest mismatch), plus the file's
# changed sha256.
FILE="$STORE/warc/imported/encodings.warc"
chmod u+w "$FILE"
python3 - "$FILE" <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
start = data.index(b"WARC-Block-Digest: ") + len(b"WARC-Block-Digest: sha1:")
end = data.index(b"\r\n", start)
open(sys.argv[1], "wb").write(data[:start] + b"!" * (end - start) + data[end:])
PY
expect_exit 3 "$ROTGUARD" --store "$STORE" verify
[ "$(grep -c '^verify: block-digest imported/encodings.warc@0 ' "$WORK/out")" -eq 1 ] ||
  { cat "$WORK/out" >&2; fail "want exactly one block-digest finding at 0"; }
[ "$(grep -c '^verify: ' "$WORK/out")" -le 3 ] || { cat "$WORK/out" >&2; fail "extra findings"; }
echo ok
