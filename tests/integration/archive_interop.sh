#!/usr/bin/env bash
# WARCs written by `rotguard archive` from the fixture web read cleanly in
# npm warcio (tools/interop/check_warc.mjs): every record parses, block and
# payload digests recomputed by node match (chunked, gzip, truncated,
# redirects, a post resource, revisits), and warcio's cdx-index lists them;
# warcio and `rotguard inspect` agree on every record.
source "$(dirname "$0")/common.sh"
source "$ROTGUARD_SOURCE_DIR/tests/integration/fixture_lib.sh"
command -v node >/dev/null 2>&1 || { echo "node not installed: skipped"; exit 125; }
INTEROP=$ROTGUARD_SOURCE_DIR/tools/interop
[ -d "$INTEROP/node_modules/warcio" ] ||
  { echo "npm warcio not installed (cd tools/interop && npm ci): skipped"; exit 125; }
fixture_start

mkdir -p site/content/posts
cat >site/content/posts/mixed.md <<'POST'
---
title: Mixed
---
[![](https://2.bp.blogspot.com/-a/b/c/d/s640/pic.jpg)](https://2.bp.blogspot.com/-a/b/c/d/s1600/pic.jpg)
[chain](https://ift.tt/interop1), [page](https://scenarios.example.org/page/interop),
[chunked](http://scenarios.example.org/chunked/70000),
[gzip](https://scenarios.example.org/gzip/x.html),
[short](http://scenarios.example.org/truncated/2000?claim=5000),
[gone](https://news.example.com/gone.html)
POST
cd site
STORE=$WORK/site/.rotguard
fetch_config retries=0
archive 2 content
archive 2 content --all  # revisits

for file in "$STORE"/warc/*.warc.gz; do
  node "$INTEROP/check_warc.mjs" "$file" >"$WORK/warcio.jsonl" 2>"$WORK/warcio.err" ||
    { cat "$WORK/warcio.jsonl" "$WORK/warcio.err" >&2; fail "warcio rejected $file"; }
  expect_exit 0 "$ROTGUARD" inspect --json "$file"
  python3 - "$WORK/out" "$WORK/warcio.jsonl" <<'PY'
import json, sys
from fixture_check import fail
ours = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
theirs = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
if len(ours) != len(theirs):
    fail("inspect lists %d records, warcio %d" % (len(ours), len(theirs)))
types = set()
for a, b in zip(ours, theirs):
    for key in ("offset", "warc-type", "warc-target-uri", "http:status"):
        if a[key] != b[key] and not (key == "http:status" and a[key] is None and b[key] in (None, "")):
            fail("record %s: %s is %r in inspect, %r in warcio" % (a["offset"], key, a[key], b[key]))
    if b["block_digest"] != "ok":
        fail("record %s (%s): block digest %s" % (a["offset"], a["warc-target-uri"], b["block_digest"]))
    if b["payload_digest"] not in ("ok", "absent", "not-checked"):
        fail("record %s (%s): payload digest %s" % (a["offset"], a["warc-target-uri"], b["payload_digest"]))
    types.add(a["warc-type"])
print("%d records agree; types %s" % (len(ours), sorted(types)))
PY
done
grep -q 'revisit' <(cat "$STORE"/warc/*.warc.gz | gzip -dc | grep -a '^WARC-Type:') || fail "no revisit record written"
echo "archive_interop: ok"
