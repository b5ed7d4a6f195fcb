#!/usr/bin/env bash
# The SPEC §1 post through `rotguard archive` against the fixture web: the
# Blogger s640 image inside a link to s1600 gives three captures (s640,
# s1600 and the s0 original fetched once) with three different payloads
# that the manifest groups as one asset; the post itself is a resource
# record; the ift.tt link is captured hop by hop to the E Hacking News
# article with its requisites (stylesheet, script, images incl. the CDN
# one, favicon, and the CSS background and font).
source "$(dirname "$0")/common.sh"
source "$ROTGUARD_SOURCE_DIR/tests/integration/fixture_lib.sh"
fixture_start

IMG=https://1.bp.blogspot.com/-Fx0WzE3Xn5c/XjzKMTT1aQI/AAAAAAAAA6s/b4Tm0PbRbgY
S640=$IMG/s640/coronavirus-4818064_960_720.jpg
S1600=$IMG/s1600/coronavirus-4818064_960_720.jpg
S0=$IMG/s0/coronavirus-4818064_960_720.jpg
IFT=https://ift.tt/31zykrh
ARTICLE=https://www.ehackingnews.com/2020/02/31zykrh.html
mkdir -p site/content/posts
cat >site/content/posts/coronavirus-themed-attacks.md <<POST
---
title: "Hackers exploit coronavirus fears"
date: 2020-02-08T18:31:00+05:30
draft: false
---
[![]($S640)]($S1600)

Cyber criminals are using the outbreak to spread malware.

from E Hacking News $IFT
POST

cd site
STORE=$WORK/site/.rotguard
archive 0 content
[ "$(summary 's["documents"], s["documents_changed"], s["due"]')" = "(1, 1, 3)" ] ||
  fail "summary: $(cat "$WORK/summary.json")"
[ "$(summary 's["originals"]')" = 1 ] || fail "s0 original not fetched once: $(cat "$WORK/summary.json")"

# Three sizes, three payloads, one asset.
expect_sql "SELECT url, http_status FROM captures WHERE url LIKE '%coronavirus-4818064%' ORDER BY url" \
  "$S0|200
$S1600|200
$S640|200"
expect_sql "SELECT count(DISTINCT payload_sha1) FROM captures WHERE url LIKE '%coronavirus-4818064%'" 3
asset=$(sql "SELECT DISTINCT asset_key FROM urls WHERE normalized LIKE '%coronavirus-4818064%'")
[ -n "$asset" ] && [ "$(echo "$asset" | wc -l)" = 1 ] || fail "size variants are not one asset: '$asset'"
[ "$(grep -c ' GET /-Fx0WzE3Xn5c/XjzKMTT1aQI/AAAAAAAAA6s/b4Tm0PbRbgY/s0/' "$FIXTURE_LOG")" = 1 ] ||
  fail "s0 not fetched exactly once"

# The ift.tt link: every hop, and the article's requisites.
expect_sql "SELECT hop_index, http_status, url FROM captures WHERE chain_id =
  (SELECT chain_id FROM captures WHERE url = '$IFT') ORDER BY hop_index" \
  "0|301|$IFT
1|302|https://feeds.feedburner.com/~r/31zykrh
2|200|$ARTICLE"
for path in assets/article.css assets/article.js assets/article.png favicon.ico \
  assets/article-bg.png assets/article.woff2; do
  expect_sql "SELECT http_status FROM captures WHERE url = 'https://www.ehackingnews.com/$path'" 200
done
expect_sql "SELECT http_status FROM captures WHERE url = 'https://cdn.example.net/assets/article-photo.jpg'" 200
grep -q ' GET /elsewhere ' "$FIXTURE_LOG" && fail "a plain <a href> of the article was fetched as a requisite"

load_records
python3 - "$WORK/records.jsonl" "$S640" "$S1600" "$S0" "$ARTICLE" <<'PY'
import sys
from fixture_check import *
records = load(sys.argv[1])
s640, s1600, s0, article = sys.argv[2:]
expect_no_problems(records)
posts = [r for r in records if r["warc-type"] == "resource"]
if len(posts) != 1 or "coronavirus-themed-attacks" not in posts[0]["warc-target-uri"]:
    fail("post resource records: %s" % [r["warc-target-uri"] for r in posts])
digests = set()
for uri in (s640, s1600, s0):
    (response,) = expect_chain(records, [(uri, 200)])
    digests.add(response["warc-payload-digest"])
    warc, head, payload = read_record(response["path"], response["offset"])
    if not payload.startswith(b"\xff\xd8\xff") or len(payload) < 2048:
        fail("%s payload is not the fixture JPEG" % uri)
    if http_header(head, "Content-Type") != "image/jpeg":
        fail("%s Content-Type %s" % (uri, http_header(head, "Content-Type")))
if len(digests) != 3:
    fail("Blogger sizes share payload digests: %s" % digests)
if not requests(records, article):
    fail("no request record for the article")
PY
echo "archive_blogger: ok"
