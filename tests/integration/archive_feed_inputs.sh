#!/usr/bin/env bash
# Feeds and sitemaps as inputs, end to end against tools/fixture_server.py
# on loopback: `archive` reads an RSS feed and a sitemap index (found by
# content, whatever their names), archives the links of each feed entry
# and sitemap URL, records each entry as a document keyed FILE#ID with its
# date, writes each file once as a resource record, never fetches the
# remote child sitemap, and `fix` leaves the feed alone.
source "$(dirname "$0")/common.sh"

command -v python3 >/dev/null 2>&1 || { echo "python3 not installed: skipped"; exit 125; }
command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 not installed: skipped"; exit 125; }

mkdir -p root site
printf '<html><body><img src="/pic.png"></body></html>\n' >root/page.html
printf '<html><body>about</body></html>\n' >root/about.html
printf 'plain text\n' >root/text.txt
head -c 3000 /dev/zero | tr '\0' 'p' >root/pic.png

python3 "$ROTGUARD_SOURCE_DIR/tools/fixture_server.py" --port 0 --root root \
  --port-file "$WORK/port" --idle-timeout 60 >"$WORK/server.out" 2>"$WORK/server.log" &
SERVER_PID=$!
trap 'rc=$?; set +e; kill "$SERVER_PID" 2>/dev/null; (exit $rc); cleanup' EXIT
for _ in $(seq 100); do [ -s "$WORK/port" ] && break; sleep 0.1; done
[ -s "$WORK/port" ] || fail "fixture server did not start"
BASE="http://127.0.0.1:$(cat "$WORK/port")"

# An RSS feed without an extension: one entry with HTML in CDATA, one
# with entity-escaped HTML.
cat >site/rss <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>t</title>
<item><title>One</title><link>https://blog.example/one/</link><guid>p1</guid>
<pubDate>Mon, 06 Sep 2021 16:45:00 +0200</pubDate>
<content:encoded><![CDATA[<a href="$BASE/page.html">page</a>]]></content:encoded></item>
<item><title>Two</title><link>https://blog.example/two/</link><guid>p2</guid>
<description>&lt;a href="$BASE/text.txt?a=1&amp;amp;b=2"&gt;text&lt;/a&gt;</description></item>
</channel></rss>
EOF
cat >site/sitemap_index.xml <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://blog.example/sitemap-a.xml</loc></sitemap>
<sitemap><loc>https://remote.example/sitemap-b.xml</loc></sitemap>
</sitemapindex>
EOF
cat >site/sitemap-a.xml <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">
<url><loc>$BASE/about.html</loc><lastmod>2021-05-01</lastmod>
<image:image><image:loc>$BASE/pic.png</image:loc></image:image></url>
</urlset>
EOF

cd site
STORE=(--store .rotguard)
FLAGS=(--allow-private --delay 0 --per-host 4)

# scan --json: entries with their ids, dates and span kinds.
expect_exit 0 "$ROTGUARD" --json scan rss
python3 - "$WORK/out" "$BASE" <<'EOF' || fail "scan --json of the feed"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
base = sys.argv[2]
assert [l["entry"] for l in lines] == ["p1", "p2"], lines
assert lines[0]["url"] == base + "/page.html" and lines[0]["spans"] == "exact", lines
assert lines[0]["date"] == "2021-09-06T14:45:00Z", lines
assert lines[1]["spans"] == "escaped" and lines[1]["input"] == "rss", lines
data = open("rss", "rb").read()
for l in lines:
    assert data[l["start"]:l["end"]].decode() == l["written"], l
EOF

expect_exit 0 "$ROTGUARD" "${STORE[@]}" --json archive rss sitemap_index.xml "${FLAGS[@]}"
python3 - "$WORK/out" <<'EOF' || fail "first run summary"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["documents"] == 3 and s["documents_changed"] == 3, s
assert s["due"] == 4, s          # page.html, text.txt, about.html, pic.png
assert s["failed"] == 0, s
assert s["captures"] == 2 + 4, s  # two files as resources, four links
EOF
expect_contains .rotguard/logs/rotguard.log "remote sitemaps are never fetched"
if grep 'remote.example' "$WORK/server.log" >/dev/null; then fail "fetched a remote sitemap"; fi
for path in /page.html /text.txt /about.html /pic.png; do
  grep "\"GET $path[ ?]" "$WORK/server.log" >/dev/null || fail "$path not fetched"
done

sqlite3 .rotguard/manifest.sqlite3 \
  "SELECT path || '|' || date FROM documents ORDER BY path" >"$WORK/docs"
cat >"$WORK/want" <<EOF
rss#p1|2021-09-06T14:45:00Z
rss#p2|
sitemap-a.xml#$BASE/about.html|2021-05-01
EOF
diff -u "$WORK/want" "$WORK/docs" || fail "documents"

expect_exit 0 "$ROTGUARD" inspect .rotguard/warc/*.warc.gz
expect_contains "$WORK/out" "file:rss"
expect_contains "$WORK/out" "file:sitemap-a.xml"

# Nothing changed: nothing due, no request.
requests_before=$(grep -c '"GET ' "$WORK/server.log" || true)
expect_exit 0 "$ROTGUARD" "${STORE[@]}" --json archive rss sitemap_index.xml "${FLAGS[@]}"
python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); assert s["due"]==0 and s["documents_changed"]==0, s' \
  "$WORK/out" || fail "second run was not empty"
requests_after=$(grep -c '"GET ' "$WORK/server.log" || true)
[ "$requests_before" = "$requests_after" ] || fail "second run sent requests"

# fix leaves feeds alone, and says so.
cp rss "$WORK/rss.before"
expect_exit 0 "$ROTGUARD" "${STORE[@]}" fix --force rss
expect_contains "$WORK/err" "fix rewrites posts only"
cmp -s rss "$WORK/rss.before" || fail "fix changed the feed"
