#!/usr/bin/env bash
# Takedowns (issue #20 item 6): archive a post's links from the fixture
# web, `forget --purge` one (a bit.ly link whose chain ends at an article
# page), then: the WARC files no longer hold its bytes (decompressed),
# verify and verify --deep are clean, CDXJ, WACZ, extract, report and
# restore leave it out (the restored post keeps the original link), the
# article's requisites shared with a kept page stay, and a re-run of
# archive (even --all) does not fetch it again (the fixture's request log).
source "$(dirname "$0")/common.sh"
source "$ROTGUARD_SOURCE_DIR/tests/integration/fixture_lib.sh"
fixture_start

mkdir -p "$WORK/site/content"
cd "$WORK/site"
cat >content/post.md <<'MD'
---
title: Two stories
date: 2024-01-01
---
A [secret story](https://bit.ly/secret-story.html) and a
[kept story](https://news.example.com/kept-story.html).
MD

SECRET_URL=https://bit.ly/secret-story.html
SECRET_TEXT='The story at /secret-story.html.'
KEPT_TEXT='The story at /kept-story.html.'

# warc_text: every WARC file of the store, decompressed, in $WORK/warc.txt.
warc_text() {
  python3 - "$STORE/warc" "$WORK/warc.txt" <<'PY'
import glob, gzip, sys
with open(sys.argv[2], "wb") as out:
    for path in sorted(glob.glob(sys.argv[1] + "/**/*.warc*", recursive=True)):
        out.write(gzip.open(path).read() if path.endswith(".gz") else open(path, "rb").read())
PY
}

archive 0 content
warc_text
grep -F "$SECRET_TEXT" "$WORK/warc.txt" >/dev/null || fail "the secret page was not archived"
files_before=$(ls "$STORE/warc")

expect_exit 0 "$ROTGUARD" --store "$STORE" forget --reason "takedown #1" --purge "$SECRET_URL"
expect_contains "$WORK/out" "forget: $SECRET_URL: 1 captures, 1 dependents"
expect_contains "$WORK/out" "purge: "
[ "$(ls "$STORE/warc")" != "$files_before" ] || fail "no WARC file was rewritten"
warc_text
if grep -F "$SECRET_TEXT" "$WORK/warc.txt" >/dev/null; then
  fail "the purged page's bytes are still in a WARC file"
fi
grep -F "$KEPT_TEXT" "$WORK/warc.txt" >/dev/null || fail "the kept page was lost"
expect_sql "SELECT count(*) FROM captures c JOIN urls u ON u.id = c.url_id
  WHERE u.normalized LIKE '%secret-story%'" "0"
# The article's requisites are the kept article's too: they stay.
expect_sql "SELECT count(*) > 0 FROM captures WHERE url LIKE '%/assets/article.css'" "1"

expect_exit 0 "$ROTGUARD" --store "$STORE" verify
expect_exit 0 "$ROTGUARD" --store "$STORE" verify --deep
expect_exit 0 "$ROTGUARD" --store "$STORE" forget --list
expect_contains "$WORK/out" "$SECRET_URL"
expect_contains "$WORK/out" "takedown #1"

# Export, extract, report and restore leave it out.
expect_exit 0 "$ROTGUARD" --store "$STORE" export --cdxj "$WORK/index.cdxj" --wacz "$WORK/a.wacz"
if grep -F "secret-story" "$WORK/index.cdxj" >/dev/null; then fail "CDXJ lists the forgotten URL"; fi
grep -F "kept-story" "$WORK/index.cdxj" >/dev/null || fail "CDXJ lost the kept URL"
python3 - "$WORK/a.wacz" "$SECRET_TEXT" <<'PY'
import gzip, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
assert b"secret-story" not in z.read("indexes/index.cdxj")
for name in z.namelist():
    if name.startswith("archive/"):
        assert sys.argv[2].encode() not in gzip.decompress(z.read(name)), name
PY
expect_exit 1 "$ROTGUARD" --store "$STORE" extract "$SECRET_URL"
expect_exit 0 "$ROTGUARD" --store "$STORE" report --json
python3 - "$WORK/out" "$SECRET_URL" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
links = {l["url"]: l for d in doc["documents"] for l in d["links"]}
assert links[sys.argv[2]]["verdict"] == "forgotten", links[sys.argv[2]]
assert links[sys.argv[2]]["archived"] is None
assert links["https://news.example.com/kept-story.html"]["archived"] is not None
PY
expect_exit 0 "$ROTGUARD" --store "$STORE" restore content --out "$WORK/restored"
post=$(find "$WORK/restored/posts" -name post.md)
[ -n "$post" ] || fail "no restored post"
expect_contains "$post" "($SECRET_URL)"
if grep -F "(https://news.example.com/kept-story.html)" "$post" >/dev/null; then
  fail "the kept link was not pointed at its local copy"
fi

# Never fetched again, even with --all.
before_bitly=$(grep -c '^bit.ly GET /secret-story.html ' "$FIXTURE_LOG" || true)
before_page=$(grep -c '^news.example.com GET /secret-story.html ' "$FIXTURE_LOG" || true)
[ "$before_bitly" -ge 1 ] || fail "the first run did not fetch the link"
archive 0 --all content
[ "$(grep -c '^bit.ly GET /secret-story.html ' "$FIXTURE_LOG" || true)" = "$before_bitly" ] ||
  fail "archive fetched the forgotten URL again"
[ "$(grep -c '^news.example.com GET /secret-story.html ' "$FIXTURE_LOG" || true)" = "$before_page" ] ||
  fail "archive fetched the forgotten chain's page again"
[ "$(grep -c '^news.example.com GET /kept-story.html ' "$FIXTURE_LOG" || true)" = 2 ] ||
  fail "--all did not fetch the kept link again"
expect_exit 0 "$ROTGUARD" --store "$STORE" verify

# A kept link whose chain reaches a forgotten URL stops at that hop: the
# shortener's 301 is captured, the forgotten target is never requested,
# and the link's failure class says why.
MOVED_TARGET=https://news.example.com/moved-story.html
expect_exit 0 "$ROTGUARD" --store "$STORE" forget "$MOVED_TARGET"
printf '\nA [moved story](https://bit.ly/moved-story.html).\n' >>content/post.md
archive 2 content
[ "$(summary 's["failed_by_class"]')" = "{'forgotten': 1}" ] ||
  fail "chain into a forgotten URL: $(cat "$WORK/summary.json")"
grep '^bit.ly GET /moved-story.html ' "$FIXTURE_LOG" >/dev/null || fail "the kept link was not fetched"
if grep '^news.example.com GET /moved-story.html ' "$FIXTURE_LOG" >/dev/null; then
  fail "a redirect to a forgotten URL was followed"
fi
expect_sql "SELECT failure_class FROM urls WHERE normalized = 'https://bit.ly/moved-story.html'" "forgotten"
expect_sql "SELECT count(*) FROM captures WHERE url = 'https://bit.ly/moved-story.html' AND http_status = 301" "1"
expect_sql "SELECT count(*) FROM captures WHERE url = '$MOVED_TARGET'" "0"
expect_contains "$STORE/logs/rotguard.log" "redirects to $MOVED_TARGET, taken down with"
expect_exit 0 "$ROTGUARD" --store "$STORE" verify
# Once the target's tombstone is lifted, the next run follows the chain.
expect_exit 0 "$ROTGUARD" --store "$STORE" forget --undo "$MOVED_TARGET"
archive 0 content
grep '^news.example.com GET /moved-story.html ' "$FIXTURE_LOG" >/dev/null ||
  fail "the chain was not followed after forget --undo"
expect_sql "SELECT failure_class FROM urls WHERE normalized = 'https://bit.ly/moved-story.html'" ""

# --undo lifts the tombstone (the captures do not come back).
expect_exit 0 "$ROTGUARD" --store "$STORE" forget --undo "$SECRET_URL"
expect_contains "$WORK/out" "tombstone removed"
expect_exit 0 "$ROTGUARD" --store "$STORE" forget --list
[ ! -s "$WORK/out" ] || fail "tombstone left after --undo: $(cat "$WORK/out")"
echo "forget_purge: ok"
