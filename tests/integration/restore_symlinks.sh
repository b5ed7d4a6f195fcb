#!/usr/bin/env bash
# `restore --out DIR` never writes through a symbolic link already inside
# DIR: an `assets` link to a directory outside, or an `index.html` link to
# a file outside, stops the restore with an error naming the link, and
# what they point at is left untouched. tar and zip outputs are not
# redirected by a link planted at OUT.tmp either.
source "$(dirname "$0")/common.sh"

SAMPLE="$ROTGUARD_BUILD_DIR/tools/make_sample_warc"
[ -x "$SAMPLE" ] || fail "$SAMPLE not built"
WARC=$("$SAMPLE" "$WORK/sample")
mkdir -p "$WORK/site/content"
printf -- '---\ntitle: Post\n---\nSee [the style](https://example.com/style.css).\n' \
  >"$WORK/site/content/post.md"
cd "$WORK/site"
expect_exit 0 "$ROTGUARD" import "$WARC"
expect_exit 0 "$ROTGUARD" scan --update content

# The outside world the links point at.
mkdir -p "$WORK/outside/dir"
echo precious >"$WORK/outside/index.html"
echo precious >"$WORK/outside/dir/keep"
snapshot() { (cd "$WORK/outside" && find . -printf '%p %s %T@\n' | sort); }
before=$(snapshot)

# An `assets` directory link.
OUT="$WORK/restored"
mkdir -p "$OUT"
ln -s "$WORK/outside/dir" "$OUT/assets"
expect_exit 1 "$ROTGUARD" restore content --out "$OUT"
expect_contains "$WORK/err" "$OUT/assets: is a symbolic link"
[ "$(snapshot)" = "$before" ] || fail "the restore wrote through the assets link"
[ -e "$WORK/outside/dir/example.com" ] && fail "assets went outside --out"

# An `index.html` file link.
rm "$OUT/assets"
ln -s "$WORK/outside/index.html" "$OUT/index.html"
expect_exit 1 "$ROTGUARD" restore content --out "$OUT"
expect_contains "$WORK/err" "$OUT/index.html: is a symbolic link"
[ "$(snapshot)" = "$before" ] || fail "the restore wrote through the index.html link"
[ -L "$OUT/index.html" ] || fail "the index.html link was replaced"

# Without the link the same restore works.
rm "$OUT/index.html"
expect_exit 0 "$ROTGUARD" restore content --out "$OUT"
[ -f "$OUT/index.html" ] && [ -f "$OUT/assets/example.com/style.css" ] || { find "$OUT" >&2; fail "restore layout"; }

# tar: a link planted where the temporary archive goes is not followed.
ln -s "$WORK/outside/index.html" "$WORK/posts.tar.tmp"
expect_exit 5 "$ROTGUARD" restore content --format tar --out "$WORK/posts.tar"
expect_contains "$WORK/err" "posts.tar.tmp: is a symbolic link"
[ "$(snapshot)" = "$before" ] || fail "the tar output wrote through the link"
echo ok
