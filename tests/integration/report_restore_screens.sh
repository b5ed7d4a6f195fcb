#!/usr/bin/env bash
# Screenshot tests in headless Chromium (playwright-core, offline; no host
# name resolves): the HTML report renders with its per-post health
# timeline (inline SVG) and per-site table, its verdict filter works and
# it makes no request; the restored index (page titles, image thumbnails,
# no horizontal overflow at 1280 px) and a restored post (its title, date
# and offline-copy banner) render with every image decoded and no request
# leaving file://. Screenshots are kept in the test's directory on failure.
source "$ROTGUARD_SOURCE_DIR/tests/integration/common.sh"
command -v sqlite3 >/dev/null || { echo "sqlite3 CLI missing"; exit 125; }
command -v node >/dev/null 2>&1 || { echo "node not installed: skipped"; exit 125; }
BROWSER="$ROTGUARD_SOURCE_DIR/tools/browser"
[ -d "$BROWSER/node_modules/playwright-core" ] ||
  fail "npm playwright-core missing: run tools/install-deps.sh"
[ -x /usr/lib/chromium/chromium ] || { echo "chromium not installed: skipped"; exit 125; }
check() {  # FILE NAME ARGS...: page_check.mjs, its line printed
  local file=$1 name=$2
  shift 2
  timeout -k 5 90 node "$BROWSER/page_check.mjs" "$file" "$WORK/$name.png" "$@" \
    >"$WORK/check-$name.out" 2>&1 || { cat "$WORK/check-$name.out" >&2; fail "$name"; }
  cat "$WORK/check-$name.out"
}

# The HTML report of a store with two archive runs behind it.
mkdir -p report/content
cat >report/content/a.md <<'MD'
---
title: "Dead links"
---
[one](https://news.example.com/gone.html) [two](https://news.example.com/ok.html)
![pic](https://cdn.example.net/p.png) [three](https://example.com/new)
MD
(cd report &&
  expect_exit 0 "$ROTGUARD" init &&
  expect_exit 0 "$ROTGUARD" scan --update content)
db=report/.rotguard/manifest.sqlite3
sqlite3 "$db" "
  update urls set verdict = 'ok' where normalized != 'https://example.com/new';
  update verdict_changes set changed = changed - 172800;
  insert into runs (command, started, ended, exit_code) values
    ('archive', strftime('%s', 'now') - 172900, strftime('%s', 'now') - 172800, 0),
    ('archive', strftime('%s', 'now') - 3700, strftime('%s', 'now') - 3600, 0);
  update urls set verdict = 'gone', consecutive_failures = 3
    where normalized = 'https://news.example.com/gone.html';"
(cd report && expect_exit 0 "$ROTGUARD" report --format html -o "$WORK/report.html")
expect_contains report.html '<svg class="timeline"'
expect_contains report.html '<section id="sites"><h2>Per site</h2>'
[ "$(grep -o '<svg class="timeline"[^>]*aria-label="link health over 3 runs"' report.html | wc -l)" = 1 ] ||
  fail "want one timeline of two runs and now"
check "$WORK/report.html" report --filter gone

# A restore of imported captures (the fixture of restore_browser.sh).
python3 "$BROWSER/make_restore_warc.py" "$WORK/site.warc"
mkdir -p site/content/posts/images
cp "$WORK/site.warc.png" site/content/posts/images/local.png
cat >site/content/posts/hello.md <<'MD'
---
title: "Hello"
date: 2020-02-08
---
Read [the article](https://bit.ly/x) and see ![pic](https://2.bp.blogspot.com/x/s640/pic.png).
Our own picture: ![local](images/local.png). A [dead link](https://gone.example/).
MD
STORE="$WORK/site/.rotguard"
expect_exit 0 "$ROTGUARD" --store "$STORE" import "$WORK/site.warc"
(cd site && expect_exit 0 "$ROTGUARD" scan --update content)
expect_exit 0 "$ROTGUARD" --store "$STORE" restore site/content --out "$WORK/restored"
OUT="$WORK/restored"
expect_contains "$OUT/index.html" '<img class="thumb"'
grep -F '<span class="url">https://bit.ly/x</span>' "$OUT/index.html" >/dev/null ||
  { cat "$OUT/index.html" >&2; fail "the index shows no page title for the article"; }
POST="$OUT/posts/content/posts/hello.md.html"
expect_contains "$POST" '<header class="rotguard-offline"><h1>Hello</h1><p class="date">2020-02-08</p>'
expect_contains "$POST" "Offline copy made by rotguard: its links were captured"
check "$OUT/index.html" index --min-images 1
check "$POST" post --min-images 2
echo ok
