#!/usr/bin/env bash
# Capture quality (issue #16 item 1) on the fixture web's static /js/ pages
# (tools/fixture_js.py): `archive` classes each page's capture as full,
# thin (a JS-only app), challenge (a Cloudflare-like wall, 403) or
# error-page (a 200 "Page not found"); `report` shows the class per link
# in JSON, CSV, the table and the HTML report, whose quality filter
# (report.html#quality-thin) shows only those rows; `--fail-on-thin` exits
# 2 while the newest own capture of a link is thin or a challenge, 0 once
# none is. Images and other non-HTML captures have no quality.
source "$(dirname "$0")/common.sh"
source "$ROTGUARD_SOURCE_DIR/tests/integration/fixture_lib.sh"
fixture_start

mkdir -p "$WORK/site/content"
cd "$WORK/site"
J=https://news.example.com/js
cat >content/post.md <<MD
---
title: Pages that need JavaScript
---
[article]($J/article) [app]($J/app) [lazy]($J/lazy)
[challenge]($J/challenge) [not found]($J/not-found)
[probe]($J/ssrf) [ticker]($J/endless) [popup]($J/popup)
![picture]($J/lazy/1.png)
MD

# The challenge answers 403: a due link that ended in a 4xx, so exit 2.
archive 2 content

# quality URL: the link's quality in `report --json` ("None" when null).
"$ROTGUARD" --store "$STORE" report --json >report.json
quality() {
  python3 - "$1" <<'PY'
import json, sys
report = json.load(open("report.json"))
links = [l for d in report["documents"] for l in d["links"] if l["url"] == sys.argv[1]]
assert len(links) == 1, links
print(links[0]["quality"])
PY
}
for pair in article=full app=thin lazy=full challenge=challenge not-found=error-page \
  ssrf=full endless=full popup=full lazy/1.png=None; do
  page=${pair%%=*} want=${pair#*=}
  got=$(quality "$J/$page")
  [ "$got" = "$want" ] || fail "$page: quality '$got', want '$want'"
done

# The manifest keeps the class per capture; the app's script, its JSON and
# the lazy images are captured (the images through data-src) without one.
expect_sql "SELECT c.quality FROM captures c JOIN urls u ON u.id = c.url_id
  WHERE u.normalized = '$J/app'" "thin"
expect_sql "SELECT count(*) FROM captures WHERE url LIKE '%/js/lazy/%.png' AND quality = ''" "4"
expect_sql "SELECT count(*) FROM captures WHERE quality != '' AND content_type NOT LIKE 'text/html%'" "0"

# Table and CSV carry it too.
expect_exit 0 "$ROTGUARD" --store "$STORE" report
expect_contains "$WORK/out" "QUALITY"
grep -E "^ +[0-9]+:[0-9]+ +link +[a-z-]+ +thin " "$WORK/out" >/dev/null ||
  fail "no thin row in the table: $(cat "$WORK/out")"
expect_exit 0 "$ROTGUARD" --store "$STORE" report --format csv
[ "$(head -1 "$WORK/out" | tr -d '\r' | awk -F, '{print $(NF-2)}')" = quality ] ||
  fail "CSV header: $(head -1 "$WORK/out")"
grep -F "$J/challenge," "$WORK/out" | tr -d '\r' | grep -E ',challenge,[^,]*,[^,]*$' >/dev/null ||
  fail "CSV challenge row: $(cat "$WORK/out")"

# Markdown has the quality column; JUnit a quality property per case,
# still valid against the JUnit schema.
expect_exit 0 "$ROTGUARD" --store "$STORE" report --format md
expect_contains "$WORK/out" "| quality |"
grep -F "$J/app>)" "$WORK/out" | grep -F "| thin |" >/dev/null ||
  fail "no thin row in the Markdown: $(cat "$WORK/out")"
expect_exit 0 "$ROTGUARD" --store "$STORE" report --format junit -o report.xml
if command -v xmllint >/dev/null; then
  xmllint --noout --schema "$ROTGUARD_SOURCE_DIR/tests/data/junit/junit.xsd" report.xml ||
    fail "JUnit XML with properties does not validate"
fi
python3 - report.xml "$J/challenge" <<'PY' || fail "JUnit quality property"
import sys, xml.etree.ElementTree as ET
cases = [c for c in ET.parse(sys.argv[1]).getroot().iter("testcase")
         if c.get("name").endswith(" " + sys.argv[2])]
assert len(cases) == 1, cases
props = {p.get("name"): p.get("value") for p in cases[0].iter("property")}
assert props == {"quality": "challenge"}, props
PY

# The HTML report: one filter button per class, rows tagged with theirs.
expect_exit 0 "$ROTGUARD" --store "$STORE" report --format html -o report.html
for q in full thin challenge error-page; do
  expect_contains report.html "data-filter=\"quality-$q\""
done
[ "$(grep -o 'data-quality="full"' report.html | wc -l)" = 5 ] || fail "full rows in report.html"
[ "$(grep -o 'data-quality="thin"' report.html | wc -l)" = 1 ] || fail "thin rows in report.html"
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -n "$CHROMIUM" ]; then
  # The filter as a reader uses it: report.html#quality-thin, rendered.
  timeout 120 "$CHROMIUM" --headless=new --no-sandbox --disable-gpu \
    --disable-dev-shm-usage --no-first-run --no-default-browser-check \
    --disable-background-networking --disable-component-update \
    --disable-sync --disable-extensions --user-data-dir="$WORK/chrome" \
    --virtual-time-budget=2000 --dump-dom "file://$PWD/report.html#quality-thin" \
    >dom.html 2>chromium.log || { tail -20 chromium.log >&2; fail "chromium failed"; }
  grep -F 'data-filter="quality-thin"' dom.html >/dev/null || fail "filter not applied"
  grep -F 'id="visible-count">1<' dom.html >/dev/null || fail "#quality-thin should show 1 row"
  grep -F 'id="count-quality-challenge">1<' dom.html >/dev/null || fail "challenge count"
  visible=$(grep -o '<tr class="link[^"]*"[^>]*>' dom.html | grep -v hidden |
    grep -o 'data-quality="[a-z-]*"' || true)
  [ "$visible" = 'data-quality="thin"' ] || fail "visible rows under #quality-thin: $visible"
else
  echo "chromium missing: the HTML filter is checked in the page source only"
fi

# --fail-on-thin: 2 while a link is thin or a challenge (report still
# written), 0 once none is; --fail-on-dead alone does not look at quality.
expect_exit 2 "$ROTGUARD" --store "$STORE" report --fail-on-thin -o thin.txt
[ -s thin.txt ] || fail "--fail-on-thin did not write the report"
expect_exit 2 "$ROTGUARD" --store "$STORE" report --format html --fail-on-thin -o thin.html
expect_exit 0 "$ROTGUARD" --store "$STORE" report --fail-on-dead
sql "UPDATE captures SET quality = 'full' WHERE quality = 'thin'"
expect_exit 2 "$ROTGUARD" --store "$STORE" report --format csv --fail-on-thin  # the challenge
sql "UPDATE captures SET quality = 'full' WHERE quality = 'challenge'"
expect_exit 0 "$ROTGUARD" --store "$STORE" report --json --fail-on-thin
echo "ok"
