#!/usr/bin/env bash
# `rotguard extract URL`: the payload of the latest 2xx capture with the
# Content-Encoding decoded (gzip), a redirect followed to its target, a
# revisit answered with its original's bytes, -o to a file, and an unknown
# URL exits 1 with "no capture in the store".
source "$(dirname "$0")/common.sh"

SAMPLE="$ROTGUARD_BUILD_DIR/tools/make_sample_warc"
[ -x "$SAMPLE" ] || fail "$SAMPLE not built"
WARC=$("$SAMPLE" "$WORK/sample")
STORE="$WORK/site/.rotguard"
expect_exit 0 "$ROTGUARD" --store "$STORE" import "$WARC"

expect_exit 0 "$ROTGUARD" --store "$STORE" extract https://example.com/style.css
expect_contains "$WORK/out" "body { font-family: serif; }"

# ift.tt answers 301 to /article, which was captured (chunked on the wire).
expect_exit 0 "$ROTGUARD" --store "$STORE" extract https://ift.tt/31zykrh
expect_contains "$WORK/out" "<p>Hackers hit again</p>"

expect_exit 0 "$ROTGUARD" --store "$STORE" extract -o "$WORK/big.jpg" \
  https://1.bp.blogspot.com/-Fx/s1600/coronavirus.jpg
expect_exit 0 "$ROTGUARD" --store "$STORE" extract -o "$WORK/small.jpg" \
  https://1.bp.blogspot.com/-Fx/s640/coronavirus.jpg
[ -s "$WORK/big.jpg" ] || fail "no JPEG written"
cmp -s "$WORK/big.jpg" "$WORK/small.jpg" || fail "the revisit's payload is not its original's"

expect_exit 0 "$ROTGUARD" --store "$STORE" extract --at 2020 https://example.com/style.css
expect_exit 1 "$ROTGUARD" --store "$STORE" extract --at yesterday https://example.com/style.css
expect_exit 1 "$ROTGUARD" --store "$STORE" extract https://nowhere.example/
expect_contains "$WORK/err" "no capture in the store"
echo ok
