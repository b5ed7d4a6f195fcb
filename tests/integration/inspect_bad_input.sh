#!/usr/bin/env bash
# `rotguard inspect` on bad input (SPEC §13 "Exit codes, finer"): a non-WARC
# file exits 3 with one error line naming it; a missing file exits 5 naming
# it; a torn final gzip member is reported as torn-member at its offset after
# the records before it are listed (exit 3); a flipped payload byte is a
# payload-digest problem (exit 3); inspect goes on after each problem.
source "$(dirname "$0")/common.sh"

SAMPLE="$ROTGUARD_BUILD_DIR/tools/make_sample_warc"
[ -x "$SAMPLE" ] || fail "$SAMPLE not built"
GOOD=$("$SAMPLE" "$WORK/sample")

# field N of the JSON line on stdin (python3: no jq on the machine)
json_field() { python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())[sys.argv[1]])' "$1"; }
one_line_error() {  # FILE TEXT: stderr is exactly one error line with TEXT
  [ "$(wc -l <"$WORK/err")" -eq 1 ] || { cat "$WORK/err" >&2; fail "want one stderr line"; }
  expect_contains "$WORK/err" "rotguard: error: $1"
  expect_contains "$WORK/err" "$2"
}

# The clean sample: exit 0, nothing on stderr.
expect_exit 0 "$ROTGUARD" inspect --json "$GOOD"
cp "$WORK/out" "$WORK/good.jsonl"
[ ! -s "$WORK/err" ] || { cat "$WORK/err" >&2; fail "clean sample gave diagnostics"; }
RECORDS=$(wc -l <"$WORK/good.jsonl")
[ "$RECORDS" -ge 10 ] || fail "sample has only $RECORDS records"

# Not a WARC: a PNG, a text file, an empty file.
printf '\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00' >"$WORK/image.png"
printf 'hello\nthis is not a WARC\n' >"$WORK/notes.txt"
: >"$WORK/empty.warc"
for f in image.png notes.txt empty.warc; do
  expect_exit 3 "$ROTGUARD" inspect "$WORK/$f"
  one_line_error "$WORK/$f" "not a WARC file"
  [ ! -s "$WORK/out" ] || fail "$f: records listed for a non-WARC file"
done

# Missing and unreadable files: exit 5 naming them.
expect_exit 5 "$ROTGUARD" inspect "$WORK/no-such.warc.gz"
one_line_error "$WORK/no-such.warc.gz" "$WORK/no-such.warc.gz"
mkdir "$WORK/a-directory.warc"
expect_exit 5 "$ROTGUARD" inspect "$WORK/a-directory.warc"
expect_contains "$WORK/err" "rotguard: error: $WORK/a-directory.warc"

# Several files: each is listed, the worst code wins (5 over 3 over 0).
expect_exit 5 "$ROTGUARD" inspect "$GOOD" "$WORK/notes.txt" "$WORK/no-such.warc.gz"
expect_contains "$WORK/out" "# $GOOD"
[ "$(grep -vc '^#' "$WORK/out")" -eq "$RECORDS" ] || fail "good file not fully listed next to bad ones"
expect_exit 3 "$ROTGUARD" inspect "$WORK/notes.txt" "$GOOD"

# Torn final member: cut the file in the middle of the last record's member.
LAST_OFFSET=$(tail -n 1 "$WORK/good.jsonl" | json_field offset)
LAST_LENGTH=$(tail -n 1 "$WORK/good.jsonl" | json_field length)
head -c $((LAST_OFFSET + LAST_LENGTH / 2)) "$GOOD" >"$WORK/torn.warc.gz"
expect_exit 3 "$ROTGUARD" inspect --json "$WORK/torn.warc.gz"
python3 - "$WORK/out" "$WORK/good.jsonl" "$LAST_OFFSET" <<'PY'
import json, sys
torn = [json.loads(l) for l in open(sys.argv[1])]
good = [json.loads(l) for l in open(sys.argv[2])]
last = int(sys.argv[3])
def fail(msg):
    print("FAIL: " + msg, file=sys.stderr); sys.exit(1)
whole = [r for r in torn if r["offset"] < last]
if [r["offset"] for r in whole] != [r["offset"] for r in good[:-1]]:
    fail("records before the damage not all listed")
if any(r["problems"] for r in whole):
    fail("problems reported on intact records")
found = [p for r in torn for p in r["problems"] if p["code"] == "torn-member"]
if not found or found[0]["offset"] != last or found[0]["severity"] != "error":
    fail("no torn-member error at offset %d: %s" % (last, [r["problems"] for r in torn]))
PY
expect_exit 3 "$ROTGUARD" inspect "$WORK/torn.warc.gz"
expect_contains "$WORK/err" "rotguard: warning: $WORK/torn.warc.gz:$LAST_OFFSET: torn-member: "
[ "$(awk -v o="$LAST_OFFSET" '$1 < o' "$WORK/out" | wc -l)" -eq $((RECORDS - 1)) ] ||
  fail "text mode does not list the records before the damage"

# A flipped payload byte in the uncompressed form of the sample: the home
# page says "newt" instead of "news".
gzip -dc "$GOOD" >"$WORK/plain.warc"
expect_exit 0 "$ROTGUARD" inspect "$WORK/plain.warc"
[ "$(wc -l <"$WORK/out")" -eq "$RECORDS" ] || fail "uncompressed sample lists a different record count"
# A tab inside a header value cannot split a text line: 8 columns each.
sed 's|^WARC-Target-URI: https://example.com/empty|&\tx|' "$WORK/plain.warc" >"$WORK/tab.warc"
expect_exit 0 "$ROTGUARD" inspect "$WORK/tab.warc"
expect_contains "$WORK/out" "https://example.com/empty%09x"
awk -F'\t' 'NF != 8 { exit 1 }' "$WORK/out" || fail "a text line does not have 8 columns"
sed 's/>news</>newt</' "$WORK/plain.warc" >"$WORK/flipped.warc"
cmp -s "$WORK/plain.warc" "$WORK/flipped.warc" && fail "the byte flip did not happen"
expect_exit 3 "$ROTGUARD" inspect --json "$WORK/flipped.warc"
[ "$(wc -l <"$WORK/out")" -eq "$RECORDS" ] || fail "inspect stopped at the damaged record"
python3 - "$WORK/out" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
bad = [r for r in lines if r["problems"]]
if len(bad) != 1 or bad[0]["warc-target-uri"] != "https://example.com/" or bad[0]["warc-type"] != "response":
    sys.exit("FAIL: want problems on the home page response only: %s" % [(r["warc-target-uri"], r["problems"]) for r in bad])
codes = sorted(p["code"] for p in bad[0]["problems"])
if codes != ["block-digest", "payload-digest"]:
    sys.exit("FAIL: want block-digest and payload-digest, got %s" % codes)
PY
expect_exit 3 "$ROTGUARD" inspect "$WORK/flipped.warc"
expect_contains "$WORK/err" ": payload-digest: "
echo ok
