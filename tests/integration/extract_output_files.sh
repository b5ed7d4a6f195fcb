#!/usr/bin/env bash
# `extract -o FILE` onto what is already at FILE: a character device or a
# FIFO is written in place (never swapped for a regular file), a symbolic
# link is refused with a message naming it unless --follow-symlink is
# given, and a regular file is still replaced atomically.
source "$(dirname "$0")/common.sh"

SAMPLE="$ROTGUARD_BUILD_DIR/tools/make_sample_warc"
[ -x "$SAMPLE" ] || fail "$SAMPLE not built"
WARC=$("$SAMPLE" "$WORK/sample")
STORE="$WORK/site/.rotguard"
URL=https://example.com/style.css
expect_exit 0 "$ROTGUARD" --store "$STORE" import "$WARC"

# A character device: /dev/null itself when it is one (as root, replacing
# it would break the system), written in place and still a device after.
[ -c /dev/null ] || fail "/dev/null is not a character device here"
expect_exit 0 "$ROTGUARD" --store "$STORE" extract -o /dev/null "$URL"
[ -c /dev/null ] || fail "/dev/null is no longer a character device"
ls "$(dirname /dev/null)"/null.tmp.* >/dev/null 2>&1 && fail "a temporary file was left next to /dev/null"

# A FIFO with a reader gets the bytes, and stays a FIFO.
mkfifo "$WORK/fifo"
cat "$WORK/fifo" >"$WORK/from_fifo" &
reader=$!
expect_exit 0 "$ROTGUARD" --store "$STORE" extract -o "$WORK/fifo" "$URL"
wait "$reader" || true
[ -p "$WORK/fifo" ] || fail "the FIFO was replaced"
expect_contains "$WORK/from_fifo" "body { font-family: serif; }"

# export --cdxj and report -o follow the same rule (a FIFO stands in for
# /dev/null, which a regression here would replace for every later test).
mkfifo "$WORK/fifo2"
timeout 10 cat "$WORK/fifo2" >"$WORK/cdxj_from_fifo" &
reader=$!
expect_exit 0 "$ROTGUARD" --store "$STORE" export --cdxj "$WORK/fifo2"
wait "$reader" || true
[ -p "$WORK/fifo2" ] || fail "export --cdxj replaced the FIFO"
expect_contains "$WORK/cdxj_from_fifo" '{"url":"https://example.com/style.css"'
timeout 10 cat "$WORK/fifo2" >"$WORK/report_from_fifo" &
reader=$!
expect_exit 0 "$ROTGUARD" --store "$STORE" report -o "$WORK/fifo2"
wait "$reader" || true
[ -p "$WORK/fifo2" ] || fail "report -o replaced the FIFO"
[ -s "$WORK/report_from_fifo" ] || fail "report -o wrote nothing into the FIFO"

# A symbolic link is refused and its target left alone.
echo precious >"$WORK/target"
ln -s "$WORK/target" "$WORK/link"
expect_exit 1 "$ROTGUARD" --store "$STORE" extract -o "$WORK/link" "$URL"
expect_contains "$WORK/err" "$WORK/link: is a symbolic link"
expect_contains "$WORK/err" "--follow-symlink"
[ "$(cat "$WORK/target")" = precious ] || fail "the link's target was written"
[ -L "$WORK/link" ] || fail "the link was replaced"

# --follow-symlink writes the target, keeping the link.
expect_exit 0 "$ROTGUARD" --store "$STORE" extract --follow-symlink \
  -o "$WORK/link" "$URL"
[ -L "$WORK/link" ] || fail "the link was replaced by --follow-symlink"
expect_contains "$WORK/target" "body { font-family: serif; }"

# A regular file is replaced (a new inode: atomic rename), not rewritten.
echo old >"$WORK/regular"
before=$(stat -c %i "$WORK/regular")
expect_exit 0 "$ROTGUARD" --store "$STORE" extract -o "$WORK/regular" "$URL"
expect_contains "$WORK/regular" "body { font-family: serif; }"
[ "$(stat -c %i "$WORK/regular")" != "$before" ] || fail "the regular file was not replaced atomically"
echo ok
