#!/usr/bin/env bash
# `rotguard report --format md|junit` and `--since LAST_RUN|DATE` from the
# command line: Markdown tables that survive a hostile URL, JUnit XML that
# validates against a JUnit schema, and a report of only what changed
# since the newest archive run (the cron mail).
source "$ROTGUARD_SOURCE_DIR/tests/integration/common.sh"
command -v sqlite3 >/dev/null || { echo "sqlite3 CLI missing"; exit 125; }
command -v xmllint >/dev/null || { echo "xmllint missing (libxml2-utils)"; exit 125; }

mkdir content
cat >content/post.md <<'MD'
---
title: "A | post"
---
[a](https://news.example.com/a.html) and [b](https://news.example.com/b|c*d.html)
[c](https://news.example.com/c.html)
MD
expect_exit 0 "$ROTGUARD" init
expect_exit 0 "$ROTGUARD" scan --update content
db=.rotguard/manifest.sqlite3
verdict() {  # URL-PATTERN VERDICT: as a run would set it (the history is kept)
  sqlite3 "$db" "update urls set verdict = '$2' where normalized like '$1'"
}
verdict https://news.example.com/a.html ok
verdict 'https://news.example.com/b%' failing
verdict https://news.example.com/c.html ok

# Markdown: one row per link, every row with the same number of cells.
expect_exit 0 "$ROTGUARD" report --format md
expect_contains out "# rotguard link report"
expect_contains out '## content/post.md — A \| post'
python3 - out <<'PY' || fail "Markdown table rows"
import re, sys
rows = [l for l in open(sys.argv[1], encoding="utf-8") if re.match(r"\| [0-9]+:[0-9]+ \|", l)]
assert len(rows) == 3, rows
for row in rows:
    cells = re.split(r"(?<!\\)\|", row.strip())[1:-1]
    assert len(cells) == 9, (len(cells), row)
PY

# JUnit: valid against the schema; the failing link fails.
expect_exit 0 "$ROTGUARD" report --format junit -o report.xml
xmllint --noout --schema "$ROTGUARD_SOURCE_DIR/tests/data/junit/junit.xsd" report.xml ||
  fail "JUnit XML does not validate"
python3 - report.xml <<'PY' || fail "JUnit structure"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "testsuites" and root.get("tests") == "3" and root.get("failures") == "1", root.attrib
suite = root.find("testsuite")
assert suite.get("name") == "content/post.md"
failed = [c.get("name") for c in suite.iter("testcase") if c.find("failure") is not None]
assert failed == ["4:46 https://news.example.com/b|c*d.html"], failed
PY

# --since: nothing happened after the newest archive run's start, then a
# link turns gone and a new one appears.
expect_exit 1 "$ROTGUARD" report --since yesterday
expect_contains err "--since"
sqlite3 "$db" "update verdict_changes set changed = changed - 7200;
  update urls set first_seen = first_seen - 7200;
  insert into runs (command, started, ended, exit_code)
    values ('archive', strftime('%s', 'now') - 3600, strftime('%s', 'now') - 3000, 0);"
expect_exit 0 "$ROTGUARD" report --since LAST_RUN
expect_contains out "nothing"
expect_contains out "no link changed"

verdict https://news.example.com/a.html gone
printf '[d](https://news.example.com/d.html)\n' >>content/post.md
expect_exit 0 "$ROTGUARD" scan --update content
expect_exit 0 "$ROTGUARD" report --since LAST_RUN
expect_contains out "1 newly gone, 1 new link"
expect_contains out "change: newly gone (was ok"
grep -F "c.html" out >/dev/null && fail "an unchanged link is listed"
expect_exit 2 "$ROTGUARD" report --since LAST_RUN --json --fail-on-dead
python3 - out <<'PY' || fail "--since JSON"
import json, sys
doc = json.load(open(sys.argv[1]))
links = doc["documents"][0]["links"]
assert [(l["url"], l["change"]) for l in links] == [
    ("https://news.example.com/a.html", "newly-gone"),
    ("https://news.example.com/d.html", "new-link")], links
assert doc["summary"]["changes"]["newly-gone"] == 1
PY
expect_exit 0 "$ROTGUARD" report --since 2000-01-01 --format junit -o since.xml
xmllint --noout --schema "$ROTGUARD_SOURCE_DIR/tests/data/junit/junit.xsd" since.xml ||
  fail "--since JUnit XML does not validate"
expect_exit 0 "$ROTGUARD" report --since 2000-01-01T00:00:00Z --format md
expect_contains out "new link"
echo "ok"
