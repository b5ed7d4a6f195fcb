#!/usr/bin/env bash
# A damaged or lost manifest (issue #14 item 9, SPEC §7, §13): a store
# archived from the fixture web gets pages of its manifest overwritten;
# verify then reports ONE sqlite-integrity finding and matches no record
# against the bad rows (no orphan-record), report exits 5 instead of an
# all-ok report, repair refuses to reconcile and points at
# --rebuild-manifest, which rebuilds from the WARC files (old manifest kept
# aside) so that verify is clean and export --cdxj, extract and restore
# give what they gave before the damage. A zero-length or missing manifest
# next to WARC files is refused by every command, never taken for a new
# store.
source "$(dirname "$0")/common.sh"
source "$ROTGUARD_SOURCE_DIR/tests/integration/fixture_lib.sh"
fixture_start

mkdir -p site/content/posts
cat >site/content/posts/reading.md <<'POST'
---
title: Reading list
---
A [page](https://scenarios.example.org/page/home), an
[article](https://news.example.com/2021/a.html), a
[chain](http://scenarios.example.org/redirect/2?to=/page/chained) and a
![picture](https://scenarios.example.org/assets/photo.png).
POST
cd site
STORE=$WORK/site/.rotguard
rg() { "$ROTGUARD" --store "$STORE" "$@"; }

archive 0 content
archive 0 content --all  # revisits of the identical payloads
[ "$(sql "SELECT count(*) FROM captures WHERE revisit_of != ''")" -ge 1 ] || fail "no revisit to rebuild"
[ "$(sql "SELECT max(hop_index) FROM captures")" -ge 2 ] || fail "no redirect chain to rebuild"
expect_exit 0 rg verify
expect_exit 0 rg export --cdxj "$WORK/before.cdxj"
expect_exit 0 rg extract https://scenarios.example.org/page/home -o "$WORK/before.html"
expect_exit 0 rg restore content --out "$WORK/restore-before"
sql "SELECT url, http_status, hop_index, final_url, record_id, revisit_of, payload_sha256,
            payload_length FROM captures WHERE source != 'post' ORDER BY url, captured_at_us" \
  >"$WORK/captures-before.txt"
serial_before=$(sql "SELECT value FROM meta WHERE key = 'counter.warc_serial'")

# Overwrite pages in the middle of the manifest (page 1, the header and
# schema, stays readable, so the database still opens).
python3 - "$STORE/manifest.sqlite3" <<'PY'
import os, sys
path = sys.argv[1]
assert not os.path.exists(path + "-wal") or os.path.getsize(path + "-wal") == 0
with open(path, "r+b") as f:
    header = f.read(100)
    page = int.from_bytes(header[16:18], "big") or 65536
    pages = os.path.getsize(path) // page
    assert pages >= 6, pages
    # The second half: captures and records pages; the small tables the
    # migration reads come first.
    for n in range(pages // 2, pages - 1, 2):
        f.seek(n * page + 8)
        f.write(b"\xa5" * (page // 2))
PY

expect_exit 3 rg verify --json
python3 - "$WORK/out" <<'PY' || fail "verify on a damaged manifest"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
codes = [l["code"] for l in lines[:-1]]
assert codes == ["sqlite-integrity"], codes
assert "rebuild-manifest" in lines[0]["actual"], lines[0]
assert lines[-1]["summary"]["findings"] == 1, lines[-1]
assert lines[-1]["summary"]["records"] > 0, lines[-1]  # the WARCs were read
PY
expect_exit 3 rg verify
[ "$(grep -c '^verify: ' "$WORK/out")" = 2 ] || fail "verify printed more than one finding: $(cat "$WORK/out")"
grep -q orphan-record "$WORK/out" && fail "orphan-record reported against a damaged manifest"

expect_exit 5 rg report
expect_contains "$WORK/err" "rotguard repair --rebuild-manifest"
[ -s "$WORK/out" ] && fail "report printed a report from a damaged manifest"

cp -a "$STORE/warc" "$WORK/warc-before"
expect_exit 5 rg repair
expect_contains "$WORK/err" "rotguard repair --rebuild-manifest"
grep -q "index-orphan\|mark-lost" "$WORK/out" && fail "repair acted on a damaged manifest"
diff -r "$WORK/warc-before" "$STORE/warc" || fail "repair changed the WARC files"

expect_exit 0 rg repair --rebuild-manifest --dry-run
expect_contains "$WORK/out" "repair: would rebuild the manifest from"
ls "$STORE"/manifest.sqlite3.damaged-* 2>/dev/null && fail "dry run moved the manifest"

expect_exit 0 rg repair --rebuild-manifest
expect_contains "$WORK/out" "repair: rebuilt the manifest from"
expect_contains "$WORK/out" "repair: the old manifest is kept as manifest.sqlite3.damaged-"
expect_contains "$WORK/out" "scan --update"
ls "$STORE"/manifest.sqlite3.damaged-* >/dev/null || fail "the damaged manifest was not kept"
[ -e "$STORE/manifest.sqlite3.rebuild" ] && fail "manifest.sqlite3.rebuild left behind"
diff -r "$WORK/warc-before" "$STORE/warc" || fail "the rebuild changed the WARC files"

expect_exit 0 rg verify --deep
expect_contains "$WORK/out" " 0 findings"
expect_exit 0 rg export --cdxj "$WORK/after.cdxj"
cmp "$WORK/before.cdxj" "$WORK/after.cdxj" || fail "CDXJ differs after the rebuild: $(diff "$WORK/before.cdxj" "$WORK/after.cdxj")"
sql "SELECT url, http_status, hop_index, final_url, record_id, revisit_of, payload_sha256,
            payload_length FROM captures WHERE source != 'post' ORDER BY url, captured_at_us" \
  >"$WORK/captures-after.txt"
diff "$WORK/captures-before.txt" "$WORK/captures-after.txt" || fail "captures differ after the rebuild"
expect_sql "SELECT value FROM meta WHERE key = 'counter.warc_serial'" "$serial_before"
expect_exit 0 rg extract https://scenarios.example.org/page/home -o "$WORK/after.html"
cmp "$WORK/before.html" "$WORK/after.html" || fail "extract differs after the rebuild"
expect_exit 0 rg report
# Posts and links come from scanning, not from WARC files: re-link them.
expect_exit 0 rg scan --update content
expect_exit 0 rg restore content --out "$WORK/restore-after"
diff -r "$WORK/restore-before" "$WORK/restore-after" || fail "restore differs after the rebuild"

# A zero-length manifest next to WARC files: not a new store.
nwarcs=$(find "$STORE/warc" -type f -name '*.warc.gz' | wc -l)
mv "$STORE/manifest.sqlite3" "$WORK/manifest.good"
: >"$STORE/manifest.sqlite3"
for cmd in report "export --cdxj $WORK/x.cdxj" repair "archive content"; do
  # shellcheck disable=SC2086
  expect_exit 5 rg $cmd
  expect_contains "$WORK/err" "$STORE: the manifest manifest.sqlite3 is empty (0 bytes) but warc/ holds $nwarcs WARC file"
  expect_contains "$WORK/err" "rotguard repair --rebuild-manifest"
done
expect_exit 3 rg verify
expect_contains "$WORK/out" "sqlite-integrity"
expect_exit 5 rg init
[ -s "$STORE/manifest.sqlite3" ] && fail "a command initialized a new manifest over lost captures"

# A missing one: the same, and archive does not create a new store.
rm "$STORE/manifest.sqlite3"
expect_exit 5 rg archive content
expect_contains "$WORK/err" "the manifest manifest.sqlite3 is missing but warc/ holds $nwarcs WARC file"
[ -e "$STORE/manifest.sqlite3" ] && fail "archive created a new manifest"
expect_exit 0 rg repair --rebuild-manifest
expect_exit 0 rg verify
expect_exit 0 rg export --cdxj "$WORK/after2.cdxj"
cmp "$WORK/before.cdxj" "$WORK/after2.cdxj" || fail "CDXJ differs after rebuilding a missing manifest"
echo "manifest_rebuild: ok"
