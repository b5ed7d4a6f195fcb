#!/usr/bin/env bash
# The README's demo command: installs what is missing, builds rotguard, and
# runs the main job on the bundled example site offline: a loopback fixture
# web (tools/fixture-web) plays Blogger, ift.tt, the news site and the other
# hosts the posts link to, `rotguard archive` captures every link with its
# redirect hops and page requisites into WARC files + the manifest, and the
# demo shows what was captured (summary, chains, inspect, npm warcio check),
# then `verify` and `restore` when this build has them. Works in demo-out/.
# DEMO_ROTGUARD=/path/to/rotguard skips installing and building (for a
# binary built elsewhere, e.g. by tools/test.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -n "${DEMO_ROTGUARD:-}" ]; then
  RG=$(cd "$(dirname "$DEMO_ROTGUARD")" && pwd)/$(basename "$DEMO_ROTGUARD")
else
  bash tools/install-deps.sh
  BUILD=build/release
  cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$BUILD" -j "$(nproc)" --target rotguard
  RG="$PWD/$BUILD/rotguard"
fi
TOOLS="$PWD/tools"
OUT="$PWD/demo-out"
rm -rf "$OUT"
mkdir -p "$OUT"
cp -r examples/site "$OUT/site"
cd "$OUT/site"
export ROTGUARD_STORE="$OUT/site/.rotguard"

step() { printf '\n== %s\n' "$*"; }
has_command() { "$RG" "$1" --help >/dev/null 2>&1; }

step "rotguard scan (every link of the example posts: file:line:col kind url)"
"$RG" scan .

if ! has_command archive; then
  step "this build has no 'rotguard archive' yet: nothing more to show"
  exit 0
fi

step "the fixture web: loopback HTTP+HTTPS playing Blogger, ift.tt, the news site (test CA)"
eval "$("$TOOLS/fixture-web" start --dir "$OUT/fixture-web" --max-seconds 900)"
trap '"$TOOLS/fixture-web" stop --dir "$OUT/fixture-web"' EXIT
read -ra FIXTURE_FLAGS <<<"$FIXTURE_ARGS"
echo "listening on $FIXTURE_ADDR ports $FIXTURE_HTTP_PORT/$FIXTURE_HTTPS_PORT; rotguard gets --resolve/--connect-to and --cacert for: $FIXTURE_HOSTS"

step "rotguard archive . (posts as resources, links + redirect hops + requisites as WARC records)"
rc=0
"$RG" archive . --delay 0 "${FIXTURE_FLAGS[@]}" || rc=$?
echo "exit code $rc (2 = some link got no capture or an error status; see the table below)"

step "the fixture saw $(wc -l <"$FIXTURE_LOG") requests; a second run has only the dead link due (one request; its public copy is kept, not looked up again)"
"$RG" archive . --delay 0 "${FIXTURE_FLAGS[@]}" || true
echo "requests now: $(wc -l <"$FIXTURE_LOG")"

MANIFEST="$ROTGUARD_STORE/manifest.sqlite3"
step "the SPEC §1 post: Blogger s640 + s1600 + the s0 original (three payloads, one asset)"
sqlite3 -header -column "$MANIFEST" "
  SELECT c.http_status AS status, c.payload_length AS bytes, substr(c.payload_sha1, 1, 12) AS sha1,
         substr(u.asset_key, 1, 40) || '…' AS asset, substr(c.url, length(c.url) - 45) AS url
  FROM captures c JOIN urls u ON u.id = c.url_id
  WHERE c.url LIKE 'https://1.bp.blogspot.com/%' ORDER BY c.id;"

step "…and its ift.tt link, hop by hop, with the article's requisites"
sqlite3 -header -column "$MANIFEST" "
  SELECT hop_index AS hop, http_status AS status, url, final_url FROM captures
  WHERE chain_id = (SELECT chain_id FROM captures WHERE url = 'https://ift.tt/31zykrh' LIMIT 1)
  ORDER BY hop_index;"
sqlite3 "$MANIFEST" "SELECT http_status || '  ' || url FROM captures
  WHERE url LIKE 'https://www.ehackingnews.com/assets/%' OR url LIKE 'https://cdn.example.net/%'
     OR url = 'https://www.ehackingnews.com/favicon.ico' ORDER BY url;"

step "a JavaScript-only article: an empty app shell to the static pass (thin), captured again by the browser lane"
echo "headless Chromium, started by rotguard, loaded the page through rotguard's recording proxy, so the"
echo "WARC holds the server's bytes of every request it made (the article JSON too), plus the rendered DOM,"
echo "a screenshot and a thumbnail as resource records:"
sqlite3 -header -column "$MANIFEST" "
  SELECT source, quality, http_status AS status, url FROM captures
  WHERE url LIKE 'https://news.example.com/js/app%' ORDER BY id;"
sqlite3 "$MANIFEST" "SELECT type || '  ' || target_uri FROM records
  WHERE target_uri LIKE 'urn:rotguard:%' ORDER BY id;"
if [ -z "$(sqlite3 "$MANIFEST" "SELECT 1 FROM captures WHERE source = 'browser' LIMIT 1")" ]; then
  echo "(no Chromium on this machine: the page keeps its thin static capture; apt-get install chromium)"
fi

step "a link already dead when first archived, rescued from the (fixture's) public web archive"
echo "[rescue] lookup = true: archive asked the Wayback CDX API for news.example.com/gone.html, took the"
echo "newest good capture before the post's date (a capture that replays as a 404 page was skipped) and"
echo "stored its raw id_ bytes under the archive's URL with Memento-Datetime, marked source = public-archive:"
sqlite3 -header -column "$MANIFEST" "
  SELECT u.normalized AS link, c.archive, datetime(c.memento_at_us / 1000000, 'unixepoch') AS memento,
         c.url AS copy FROM captures c JOIN urls u ON u.id = c.url_id
  WHERE c.source = 'public-archive' ORDER BY u.normalized;"
"$RG" report | grep -A1 'news.example.com/gone.html' | sed 's/^ \{20,\}/      /' | cut -c1-240 || true

step "link verdicts"
sqlite3 -header -column "$MANIFEST" "
  SELECT verdict, failure_class, substr(normalized, 1, 80) AS url FROM urls
  WHERE id IN (SELECT url_id FROM links) ORDER BY verdict, normalized;"

WARCS=("$ROTGUARD_STORE"/warc/*.warc.gz)
step "rotguard inspect (first records of ${WARCS[0]##*/})"
("$RG" inspect "${WARCS[@]}" || true) | head -n 20
echo "… $("$RG" inspect "${WARCS[@]}" | wc -l) records in ${#WARCS[@]} file(s)"

step "the same WARCs read by another implementation (npm warcio 2.4.11, digests recomputed)"
for warc in "${WARCS[@]}"; do
  node "$TOOLS/interop/check_warc.mjs" --no-cdx "$warc" >/dev/null
done
echo "warcio: every record parsed, every digest matched"

if has_command verify; then
  step "rotguard verify (the store is intact)"
  "$RG" verify || echo "verify exit code $?"
fi
if has_command restore; then
  step "rotguard restore (offline copies of the posts, links pointing at the archived bytes)"
  "$RG" restore content _posts --out "$OUT/restored" || echo "restore exit code $?"
  echo "the SPEC §1 post, restored (only the URL spans changed):"
  grep -rh -e 's640' -e 'E Hacking News' "$OUT/restored/posts" | cut -c1-160 || true
  echo "the JavaScript-only article, restored from its DOM snapshot (text and image local, scripts removed):"
  grep -rl 'Why links rot (rendered)' "$OUT/restored/assets" 2>/dev/null | sed "s|^$OUT/||" || true
  echo "open $OUT/restored/index.html in a browser: it works offline"
fi

if has_command fix; then
  step "rotguard fix --dry-run (the moved link pointed at its new address: a diff 'git apply' takes)"
  "$RG" fix --dry-run content _posts 2>"$OUT/fix.err" || echo "fix exit code $?"
  cat "$OUT/fix.err"
fi

step "done: store in $ROTGUARD_STORE"
