#!/usr/bin/env bash
# `rotguard scan`: text and JSON output, spans, ignoring, skipped
# directories, exit codes (SPEC §3, §13 "scan text output", "Ignoring").
source "$ROTGUARD_SOURCE_DIR/tests/integration/common.sh"

mkdir -p site/posts site/public site/.git site/node_modules/pkg
printf -- '---\ntitle: "Hello"\ndate: 2020-02-08\ndraft: false\n---\nSee [x](https://example.com/a) and ![i](https://img.example/b.png).\n' \
  >site/posts/a.md
printf '<p><a href="https://example.org/page">p</a> <a href="mailto:me@example.com">m</a></p>\n' \
  >site/page.html
printf '[y](https://public.example/)\n' >site/public/index.md
printf '[g](https://git.example/)\n' >site/.git/x.md
printf '[n](https://npm.example/)\n' >site/node_modules/pkg/README.md
ln -s .. site/posts/loop  # a directory symlink loop must not hang the walk

# Text output: PATH:LINE:COL KIND URL, sorted by path then offset.
expect_exit 0 timeout 20 "$ROTGUARD" scan site
cat >want <<'TXT'
site/page.html:1:13 link https://example.org/page
site/posts/a.md:6:9 link https://example.com/a
site/posts/a.md:6:41 image https://img.example/b.png
TXT
diff -u want out || fail "text output differs"
expect_contains err "scanned 2 documents, 3 links (image 1, link 2)"
expect_contains err "mailto 1"
expect_contains err "hidden 1"
expect_contains err "build-dir 2"
expect_contains err "symlink-dir 1"

# The argument is kept as written: a trailing slash does not double.
expect_exit 0 "$ROTGUARD" scan site/
expect_contains out "site/posts/a.md:6:9 link https://example.com/a"

# -q silences the summary.
expect_exit 0 "$ROTGUARD" -q scan site
[ ! -s err ] || { cat err >&2; fail "-q printed to stderr"; }

# --json: the documented keys in order, and [start, end) holds `written`.
expect_exit 0 "$ROTGUARD" scan --json site
cp out scan.jsonl
python3 - scan.jsonl <<'PY' || fail "JSON output check failed"
import json, sys
keys = ["file", "line", "col", "start", "end", "kind", "written", "url",
        "normalized", "title", "date", "draft"]
rows = [json.loads(line) for line in open(sys.argv[1], encoding="utf-8")]
assert len(rows) == 3, rows
for row in rows:
    assert list(row) == keys, list(row)
    data = open(row["file"], "rb").read()
    assert data[row["start"]:row["end"]] == row["written"].encode(), row
a = [r for r in rows if r["file"] == "site/posts/a.md"]
assert a[0]["title"] == "Hello" and a[0]["draft"] is False, a[0]
assert a[0]["normalized"] == "https://example.com/a", a[0]
assert a[1]["kind"] == "image", a[1]
page = [r for r in rows if r["file"] == "site/page.html"][0]
assert page["title"] is None and page["draft"] is None, page
PY
# JSON escaping: quotes in names and titles, UTF-8 kept, a byte that is
# not UTF-8 (in a file name) replaced by U+FFFD.
mkdir esc
printf -- "---\ntitle: 'Say \"hi\" \xc3\xa9'\n---\n[x](https://example.com/caf\xc3\xa9)\n" >'esc/q"uote.md'
printf '[y](https://example.com/y)\n' >"esc/bad$(printf '\xff').md"
expect_exit 0 "$ROTGUARD" scan --json esc
python3 - out <<'PY' || fail "JSON escaping check failed"
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1], encoding="utf-8")]
assert [r["file"] for r in rows] == ["esc/bad\ufffd.md", 'esc/q"uote.md'], rows
assert rows[1]["title"] == 'Say "hi" \u00e9', rows[1]
assert rows[1]["written"] == "https://example.com/caf\u00e9", rows[1]
assert rows[1]["normalized"] == "https://example.com/caf%C3%A9", rows[1]
PY

# The global flag may also come first.
expect_exit 0 "$ROTGUARD" --json scan site
cmp out scan.jsonl || fail "--json before the command differs"

# --exclude (repeatable regex) and .rotguardignore (globs) are counted.
expect_exit 0 "$ROTGUARD" scan --exclude 'img\.example' --exclude '^https://nothing' site
expect_contains out "site/posts/a.md:6:9 link https://example.com/a"
if grep -q img.example out; then fail "--exclude did not drop the image"; fi
expect_contains err "excluded 1"
printf '# archived elsewhere\n\nhttps://example.org/*\n' >site/.rotguardignore
expect_exit 0 "$ROTGUARD" scan site
if grep -q example.org out; then fail ".rotguardignore did not apply"; fi
expect_contains err "excluded 1"
rm site/.rotguardignore

# A build directory named on the command line is scanned; so is a file
# inside a hidden directory.
expect_exit 0 "$ROTGUARD" scan site/public site/.git/x.md
cat >want <<'TXT'
site/.git/x.md:1:5 link https://git.example/
site/public/index.md:1:5 link https://public.example/
TXT
diff -u want out || fail "named directories were not scanned"

# A named file with an unknown extension: warning, skipped, exit 0.
printf 'https://notes.example/\n' >notes.txt
expect_exit 0 "$ROTGUARD" scan notes.txt site/posts/a.md
expect_contains err "rotguard: warning: notes.txt: not Markdown or HTML, skipped"
expect_contains err "unknown-extension 1"

# Exit codes: a missing path is 5, a bad flag or expression 1.
expect_exit 5 "$ROTGUARD" scan site missing-dir
expect_contains err "rotguard: error: missing-dir: No such file or directory"
[ ! -s out ] || fail "output printed despite the error"
expect_exit 1 "$ROTGUARD" scan --no-such-flag site
expect_exit 1 "$ROTGUARD" scan --exclude '(unclosed' site
expect_contains err "(unclosed"
expect_exit 1 "$ROTGUARD" scan
expect_exit 1 "$ROTGUARD" scan --base-url not-a-url site

# --base-url resolves relative links.
printf '[rel](../about/)\n' >site/posts/rel.md
expect_exit 0 "$ROTGUARD" scan site/posts/rel.md
[ ! -s out ] || fail "a relative link was reported without a base URL"
expect_exit 0 "$ROTGUARD" scan --base-url https://blog.example/posts/ site/posts/rel.md
expect_contains out "site/posts/rel.md:1:7 link https://blog.example/about/"

# --help documents the JSON keys.
expect_exit 0 "$ROTGUARD" scan --help
expect_contains out "file, line, col, start, end"
echo "scan_cli: ok"
