#!/usr/bin/env bash
# Rescue of dead links from the public archives (issue #15 items 1 and 4)
# against the fixture's web.archive.org and timetravel.mementoweb.org
# (tools/fixture_archive.py): `archive` looks up every failing post link,
# takes the newest good capture before the post's date (skipping a 404
# capture, a redirect capture and a capture whose replay is a 404 page),
# fetches its id_ bytes into our WARC under the archive's URL with
# Memento-Datetime, and ties it to the link as source = public-archive;
# report, extract and restore use it and say where it came from. Also: at
# most one request per second per archive host, a 429 backs off and the
# lookup still succeeds, the aggregator finds what the CDX API lacks, and a
# URL no archive has is reported as such.
source "$(dirname "$0")/common.sh"
source "$ROTGUARD_SOURCE_DIR/tests/integration/fixture_lib.sh"
fixture_start
fetch_config rescue.lookup=true retries=2 backoff_ms=200

mkdir -p "$WORK/site/content"
cd "$WORK/site"
cat >content/old-post.md <<'MD'
---
title: An old post
date: 2019-05-01
---
A [dead article](https://news.example.com/gone.html) and its picture:

![chart](https://images.example.org/gone.png)

Also [removed](https://news.example.com/removed.html),
[busy](https://news.example.com/busy.html),
[never archived](https://news.example.com/never-archived.html) and
[alive](https://news.example.com/alive.html).
MD

archive 2 content
[ "$(summary 's["rescue"]["rescued"]')" = 4 ] || fail "rescued: $(cat "$WORK/summary.json")"
[ "$(summary 's["rescue"]["none"]')" = 1 ] || fail "none: $(cat "$WORK/summary.json")"
[ "$(summary 's["rescue"]["targets"]')" = 5 ] || fail "alive link looked up: $(cat "$WORK/summary.json")"
[ "$(summary '[r["outcome"] for r in s["rescue"]["results"] if r["url"].endswith("never-archived.html")][0]')" = none ] ||
  fail "never-archived: $(cat "$WORK/summary.json")"

GONE=https://news.example.com/gone.html
MEMENTO=https://web.archive.org/web/20190420000000id_/$GONE
# The newest good capture before 2019-05-01: not the 404 (04-30), the
# redirect (04-29) or the 200-listed capture whose replay is a 404 page
# (04-25), nor the one after the post (2020).
expect_sql "SELECT c.url, c.source, c.archive, c.memento_at_us, c.http_status FROM captures c
  JOIN urls u ON u.id = c.url_id WHERE u.normalized = '$GONE' AND c.source = 'public-archive'" \
  "$MEMENTO|public-archive|web.archive.org|1555718400000000|200"
expect_sql "SELECT c.url FROM captures c JOIN urls u ON u.id = c.url_id
  WHERE u.normalized = 'https://news.example.com/removed.html' AND c.source = 'public-archive'" \
  "https://web.archive.org/web/20180601000000id_/https://news.example.com/removed.html"
grep -q "GET /web/20190425000000id_/$GONE 404" "$FIXTURE_LOG" || fail "the 404-page capture was not tried first"
if grep -q "/web/20190430000000\|/web/20190429000000" "$FIXTURE_LOG"; then
  fail "a capture the CDX lists as 404 or 302 was fetched"
fi
if grep -q "timetravel.mementoweb.org GET /api/json/[0-9]*/$GONE" "$FIXTURE_LOG"; then
  fail "the aggregator was asked although the CDX API had a good capture"
fi

# The WARC record keeps the archive's URL and the Memento-Datetime.
load_records
python3 - "$STORE/warc" "$MEMENTO" <<'PY'
import glob, gzip, re, sys
found = False
for path in glob.glob(sys.argv[1] + "/*.warc.gz"):
    data = gzip.open(path).read().decode("latin-1")
    for head in re.findall(r"WARC/1\.1\r\n(.*?)\r\n\r\n", data, re.S):
        if "WARC-Type: response" in head and "WARC-Target-URI: %s\r\n" % sys.argv[2] in head + "\r\n":
            assert "Memento-Datetime: Sat, 20 Apr 2019 00:00:00 GMT" in head, head
            found = True
assert found, "no response record for the memento"
PY

# Rate: at most one request per second to each archive host, and the CDX
# query that got 429 was retried (after the back-off and the host delay).
curl -s "${FIXTURE_FLAGS[@]}" https://news.example.com/_requests >"$WORK/requests.json"
python3 - "$WORK/requests.json" <<'PY'
import json, sys
times = json.load(open(sys.argv[1]))
for host in ("web.archive.org", "timetravel.mementoweb.org"):
    starts = sorted(t for t, h, _p in times if h == host)
    assert starts, "no request to " + host
    gaps = [b - a for a, b in zip(starts, starts[1:])]
    # The fetcher starts them >= 1 s apart; the server sees them after the
    # connection and TLS set-up, whose time varies on a loaded host.
    assert all(g >= 0.75 for g in gaps), "%s: requests %.3f s apart" % (host, min(gaps))
PY
[ "$(grep -c "web.archive.org GET /cdx/search/cdx?url=https%3A%2F%2Fnews.example.com%2Fbusy.html.* 429" "$FIXTURE_LOG")" = 1 ] ||
  fail "no 429 for busy.html: $(grep busy "$FIXTURE_LOG")"
grep -q "GET /web/20180101000000id_/https://news.example.com/busy.html 200" "$FIXTURE_LOG" ||
  fail "busy.html not rescued after the 429"

# report says where the copy came from (text, JSON, HTML).
expect_exit 0 "$ROTGUARD" --store "$STORE" report
expect_contains "$WORK/out" "from public archive web.archive.org (memento 2019-04-20T00:00:00Z)"
expect_exit 0 "$ROTGUARD" --store "$STORE" report --json
python3 - "$WORK/out" "$MEMENTO" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
links = {l["url"]: l for d in doc["documents"] for l in d["links"]}
copy = links["https://news.example.com/gone.html"]["archived"]
assert copy["source"] == "public-archive", copy
assert copy["url"] == sys.argv[2] and copy["archive"] == "web.archive.org", copy
assert copy["memento_datetime"] == "2019-04-20T00:00:00Z", copy
assert links["https://news.example.com/alive.html"]["archived"]["source"] == "live"
assert links["https://news.example.com/never-archived.html"]["archived"] is None
PY
expect_exit 0 "$ROTGUARD" --store "$STORE" report --format html
expect_contains "$WORK/out" "from public archive web.archive.org"

# extract gives the memento's bytes and says where they came from.
expect_exit 0 "$ROTGUARD" --store "$STORE" extract "$GONE"
expect_contains "$WORK/out" "As the web archive saw it at 20190420000000"
expect_contains "$WORK/err" "copy from public archive web.archive.org, memento 2019-04-20T00:00:00Z"

# restore: the post renders offline with the image known only to the
# public archive.
expect_exit 0 "$ROTGUARD" --store "$STORE" restore content --out "$WORK/restored"
python3 - "$WORK/restored" <<'PY'
import glob, os, re, sys
root = sys.argv[1]
pages = glob.glob(root + "/posts/**/old-post.md.html", recursive=True)
assert pages, "no rendered post"
page = open(pages[0], encoding="utf-8").read()
srcs = re.findall(r'<img[^>]* src="([^"]+)"', page)
assert srcs, "no image in the rendered post"
image = os.path.normpath(os.path.join(os.path.dirname(pages[0]), srcs[0]))
assert os.path.isfile(image), "image not restored: %s" % srcs[0]
assert open(image, "rb").read(8) == b"\x89PNG\r\n\x1a\n", "not the archived PNG"
assert not srcs[0].startswith(("http:", "https:", "//")), srcs[0]
PY

# A second run finds nothing to rescue: the rescued links keep their
# copies, and the one no archive had is not asked again before [rescue]
# retry_after (30 days) has passed.
before=$(requests_logged)
expect_exit 0 "$ROTGUARD" --store "$STORE" --config "$CONFIG" --json rescue "${FIXTURE_FLAGS[@]}"
python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); assert s["targets"] == 0, s' "$WORK/out"
[ "$(requests_logged)" = "$before" ] || fail "the second run asked the archives"
expect_sql "SELECT count(*) FROM public_lookups l JOIN urls u ON u.id = l.url_id
  WHERE l.none_at_us > 0 AND u.normalized = 'https://news.example.com/never-archived.html'" 1
# --again asks anyway.
fetch_config rescue.lookup=true rescue.delay_ms=0
expect_exit 0 "$ROTGUARD" --store "$STORE" --config "$CONFIG" --json rescue --again "${FIXTURE_FLAGS[@]}"
python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); assert s["targets"] == 5 and s["none"] == 1, s' "$WORK/out"
# On demand, by URL.
expect_exit 0 "$ROTGUARD" --store "$STORE" --config "$CONFIG" rescue https://news.example.com/never-archived.html "${FIXTURE_FLAGS[@]}"
expect_contains "$WORK/out" "none https://news.example.com/never-archived.html"
echo "rescue_public_archive: ok"
