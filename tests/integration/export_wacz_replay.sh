#!/usr/bin/env bash
# `rotguard export --wacz`: a WACZ 1.1.1 whose files match datapackage.json
# (sha256 and size of each), whose datapackage-digest.json hashes
# datapackage.json, whose WARCs are stored uncompressed in the zip, with one
# pages.jsonl entry per archived post and linked page; and ReplayWeb.page
# (npm replaywebpage, served on loopback, headless Chromium where no host
# name resolves) replays the archived article from it
# with its captured image decoded.
source "$(dirname "$0")/common.sh"

command -v python3 >/dev/null 2>&1 || { echo "python3 not installed: skipped"; exit 125; }
python3 "$ROTGUARD_SOURCE_DIR/tools/browser/make_restore_warc.py" "$WORK/site.warc"
mkdir -p site/content/posts
cat >site/content/posts/hello.md <<'MD'
---
title: "Hello"
---
Read [the article](https://bit.ly/x) and see ![pic](https://2.bp.blogspot.com/x/s640/pic.png).
MD
STORE="$WORK/site/.rotguard"
expect_exit 0 "$ROTGUARD" --store "$STORE" import "$WORK/site.warc"
(cd site && expect_exit 0 "$ROTGUARD" scan --update content)
expect_exit 0 "$ROTGUARD" --store "$STORE" export --wacz "$WORK/x.wacz"

python3 - "$WORK/x.wacz" <<'PY'
import hashlib, json, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
names = set(z.namelist())
for required in ("datapackage.json", "datapackage-digest.json", "indexes/index.cdxj", "pages/pages.jsonl"):
    assert required in names, "missing " + required
package = json.loads(z.read("datapackage.json"))
assert package["profile"] == "data-package" and package["wacz_version"] == "1.1.1", package
listed = set()
for r in package["resources"]:
    data = z.read(r["path"])
    assert r["hash"] == "sha256:" + hashlib.sha256(data).hexdigest(), r["path"]
    assert r["bytes"] == len(data), r["path"]
    listed.add(r["path"])
assert listed == names - {"datapackage.json", "datapackage-digest.json"}, (listed, names)
warcs = [n for n in names if n.startswith("archive/")]
assert warcs, "no WARC in archive/"
for n in warcs:
    assert z.getinfo(n).compress_type == zipfile.ZIP_STORED, n + " is compressed in the zip"
digest = json.loads(z.read("datapackage-digest.json"))
assert digest["path"] == "datapackage.json"
assert digest["hash"] == "sha256:" + hashlib.sha256(z.read("datapackage.json")).hexdigest()
pages = [json.loads(l) for l in z.read("pages/pages.jsonl").decode().splitlines()]
assert pages[0]["format"] == "json-pages-1.0", pages[0]
urls = sorted(p["url"] for p in pages[1:])
assert urls == ["https://news.example.com/article.html"], urls  # no post record: imported store
cdxj = z.read("indexes/index.cdxj").decode()
assert '"filename":"imported-site.warc"' in cdxj, cdxj
print("WACZ structure and digests ok")
PY

command -v node >/dev/null 2>&1 || { echo "node not installed: replay skipped"; exit 125; }
BROWSER="$ROTGUARD_SOURCE_DIR/tools/browser"
if [ ! -d "$BROWSER/node_modules/replaywebpage" ] || [ ! -d "$BROWSER/node_modules/playwright-core" ]; then
  fail "npm replaywebpage/playwright-core missing: run tools/install-deps.sh"
fi
[ -x /usr/lib/chromium/chromium ] || { echo "chromium not installed: replay skipped"; exit 125; }
# never.png is the one image make_restore_warc.py leaves uncaptured; the
# checker still requires the captured one to decode. It gives up after 90 s
# itself; timeout is the backstop that keeps the whole script under 150 s.
IGNORE_BROKEN=never.png timeout -k 5 120 node "$BROWSER/replay_check.mjs" "$WORK/x.wacz" \
  https://news.example.com/article.html "Hackers hit again" >"$WORK/replay.out" 2>&1 ||
  { cat "$WORK/replay.out" >&2; fail "ReplayWeb.page did not replay the article"; }
cat "$WORK/replay.out"
echo ok
