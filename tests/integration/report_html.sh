#!/usr/bin/env bash
# `rotguard report --format html` is ONE self-contained page that a browser
# renders with the right summary counts after its script ran, and whose
# verdict filter works (issue #6 item 5): opened in headless Debian
# chromium, checked in the dumped DOM.
source "$ROTGUARD_SOURCE_DIR/tests/integration/common.sh"
command -v sqlite3 >/dev/null || { echo "sqlite3 CLI missing"; exit 125; }
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
[ -n "$CHROMIUM" ] || { echo "chromium missing (tools/install-deps.sh)"; exit 125; }

mkdir -p content
cat >content/a.md <<'EOF'
---
title: "Dead <links> & more"
---
[one](https://news.example.com/gone.html) [two](https://news.example.com/removed.html)
[three](https://news.example.com/ok.html) ![pic](https://cdn.example.net/p.png)
EOF
cat >content/b.md <<'EOF'
[four](https://news.example.com/forbidden.html) [five](https://example.com/new)
EOF
expect_exit 0 "$ROTGUARD" init
expect_exit 0 "$ROTGUARD" scan --update content
db=.rotguard/manifest.sqlite3
set_verdict() {  # URL VERDICT FAILURES
  sqlite3 "$db" "update urls set verdict = '$2', consecutive_failures = $3 where normalized = '$1'"
}
set_verdict https://news.example.com/gone.html gone 3
set_verdict https://news.example.com/removed.html gone 4
set_verdict https://news.example.com/ok.html ok 0
set_verdict https://cdn.example.net/p.png ok 0
set_verdict https://news.example.com/forbidden.html blocked 0
# https://example.com/new stays unchecked.

expect_exit 0 "$ROTGUARD" report --format html -o report.html
[ ! -s out ] || fail "report -o wrote to stdout too"
grep -qiE '<(link|img|iframe)[^>]*(src|href)=|<script[^>]+src=|@import' report.html &&
  fail "the HTML report loads external resources"
expect_contains report.html "Dead &lt;links&gt; &amp; more"

# Chromium, headless, no network of its own, a throw-away profile.
render() {  # URL OUTPUT
  timeout 120 "$CHROMIUM" --headless=new --no-sandbox --disable-gpu \
    --disable-dev-shm-usage --no-first-run --no-default-browser-check \
    --disable-background-networking --disable-component-update \
    --disable-sync --disable-extensions --user-data-dir="$WORK/chrome" \
    --virtual-time-budget=2000 --dump-dom "$1" >"$2" 2>"$WORK/chromium.log" ||
    { tail -20 "$WORK/chromium.log" >&2; fail "chromium could not render $1"; }
  [ -s "$2" ] || { tail -20 "$WORK/chromium.log" >&2; fail "chromium dumped no DOM"; }
}

# count ID: the number in <b ... id="count-ID">N</b> of the rendered DOM.
count() {
  grep -o "id=\"count-$1\"[^>]*>[0-9]*<" dom.html | grep -o '>[0-9]*<' | tr -d '><'
}

render "file://$WORK/report.html" dom.html
grep -q 'data-ready="1"' dom.html || fail "the report's script did not run"
[ "$(count all)" = 6 ] || fail "all links: want 6, got '$(count all)'"
[ "$(count gone)" = 2 ] || fail "gone: want 2, got '$(count gone)'"
[ "$(count ok)" = 2 ] || fail "ok: want 2, got '$(count ok)'"
[ "$(count blocked)" = 1 ] || fail "blocked: want 1, got '$(count blocked)'"
[ "$(count unchecked)" = 1 ] || fail "unchecked: want 1, got '$(count unchecked)'"
grep -q 'id="visible-count">6<' dom.html || fail "all 6 rows should be visible"

# The filter, reached through the URL fragment as the buttons set it:
# only the two gone rows stay visible.
render "file://$WORK/report.html#gone" dom-gone.html
grep -q 'data-filter="gone"' dom-gone.html || fail "filter #gone not applied"
grep -q 'id="visible-count">2<' dom-gone.html || fail "#gone should show 2 rows"
visible=$(grep -o '<tr class="link[^"]*" data-verdict="[a-z-]*"[^>]*>' dom-gone.html |
  grep -v 'hidden' | grep -o 'data-verdict="[a-z-]*"' | sort | uniq -c | tr -s ' ')
[ "$visible" = " 2 data-verdict=\"gone\"" ] || fail "visible rows under #gone: $visible"
[ "$(grep -o '<section class="doc"[^>]*hidden' dom-gone.html | wc -l)" = 1 ] ||
  fail "the post without gone links should be hidden under #gone"

# --fail-on-dead exits 2 with the report still written.
expect_exit 2 "$ROTGUARD" report --format html --fail-on-dead -o report2.html
[ -s report2.html ] || fail "--fail-on-dead did not write the report"
echo "ok"
