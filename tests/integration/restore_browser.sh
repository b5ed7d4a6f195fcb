#!/usr/bin/env bash
# A restored post and a restored linked page open offline in headless
# Chromium: every image with a src decodes (naturalWidth > 0), the CSS
# background from the archived stylesheet loads, and the browser tries no
# http(s) request at all (its net log is checked; name resolution is mapped
# to NOTFOUND as a second guard). Also: the source copy differs from the
# post only inside the archived URLs' spans, and tar/zip hold the same files.
source "$(dirname "$0")/common.sh"

CHROMIUM=/usr/lib/chromium/chromium
[ -x "$CHROMIUM" ] || CHROMIUM=$(command -v chromium || true)
[ -n "$CHROMIUM" ] || { echo "chromium not installed: skipped"; exit 125; }
command -v python3 >/dev/null 2>&1 || { echo "python3 not installed: skipped"; exit 125; }

python3 "$ROTGUARD_SOURCE_DIR/tools/browser/make_restore_warc.py" "$WORK/site.warc"
mkdir -p site/content/posts/images
cp "$WORK/site.warc.png" site/content/posts/images/local.png
cat >site/content/posts/hello.md <<'MD'
---
title: "Hello"
---
Read [the article](https://bit.ly/x) and see ![pic](https://2.bp.blogspot.com/x/s640/pic.png).
Our own picture: ![local](images/local.png). A [dead link](https://gone.example/).
MD
STORE="$WORK/site/.rotguard"
expect_exit 0 "$ROTGUARD" --store "$STORE" import "$WORK/site.warc"
(cd site && expect_exit 0 "$ROTGUARD" scan --update content)
expect_exit 0 "$ROTGUARD" --store "$STORE" restore site/content --out "$WORK/restored"
expect_contains "$WORK/out" "restored 1 posts"

OUT="$WORK/restored"
POST="$OUT/posts/content/posts/hello.md"
PAGE="$OUT/assets/news.example.com/article.html"
[ -f "$POST" ] && [ -f "$POST.html" ] && [ -f "$PAGE" ] || { find "$OUT" >&2; fail "restore layout"; }
grep -q "https://gone.example/" "$POST" || fail "the never-captured link was changed"
grep -q "https://gone.example/" "$OUT/index.html" || fail "index.html does not list the never-captured link"
grep -q "never.png" "$PAGE" && fail "the never-captured image is still requested"

# Source-copy property: the bytes outside the archived spans are identical.
python3 - "$WORK/site/content/posts/hello.md" "$POST" <<'PY'
import os, re, sys
original, restored = (open(p, "rb").read() for p in sys.argv[1:3])
urls = [b"https://bit.ly/x", b"https://2.bp.blogspot.com/x/s640/pic.png"]
pattern = re.escape(original)
for url in urls:
    pattern = pattern.replace(re.escape(url), b"([^)]+)")
m = re.fullmatch(pattern, restored, re.S)
if not m:
    sys.exit("restored source differs outside the archived spans")
for path in m.groups():
    if not os.path.isfile(os.path.join(os.path.dirname(sys.argv[2]), path.decode())):
        sys.exit("replaced path %s does not exist" % path)
PY

# check PAGE: a wrapper page frames PAGE and writes its images' widths.
check_in_browser() {
  local target=$1 name=$2
  local rel=${target#"$OUT"/}
  cat >"$OUT/_check_$name.html" <<HTML
<!doctype html><body><pre id="r">pending</pre>
<iframe id="f" src="$rel" width="800" height="600"></iframe>
<script>
document.getElementById("f").onload = () => setTimeout(() => {
  const d = document.getElementById("f").contentDocument;
  const imgs = [...d.images].filter((i) => i.getAttribute("src"));
  const bg = [...d.querySelectorAll(".bg")].map((e) => getComputedStyle(e).backgroundImage);
  document.getElementById("r").textContent = "RESULT " + JSON.stringify({
    images: imgs.map((i) => [i.getAttribute("src"), i.complete, i.naturalWidth]), bg });
}, 1000);
</script></body>
HTML
  timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$WORK/profile-$name" --allow-file-access-from-files \
    --host-resolver-rules="MAP * ~NOTFOUND" --log-net-log="$WORK/net-$name.json" \
    --virtual-time-budget=10000 --dump-dom "file://$OUT/_check_$name.html" \
    >"$WORK/dom-$name.html" 2>"$WORK/chromium-$name.err" || true
  grep -o 'RESULT {[^<]*' "$WORK/dom-$name.html" | head -1 >"$WORK/result-$name" ||
    { cat "$WORK/chromium-$name.err" >&2; fail "$name: chromium gave no result"; }
  python3 - "$WORK/result-$name" "$WORK/net-$name.json" "$name" <<'PY'
import html, json, re, sys
result = json.loads(html.unescape(open(sys.argv[1]).read())[len("RESULT "):])
name = sys.argv[3]
if not result["images"]:
    sys.exit("%s: no images found" % name)
for src, complete, width in result["images"]:
    if not (complete and width > 0):
        sys.exit("%s: image %s did not load (width %s)" % (name, src, width))
for bg in result["bg"]:
    if "file://" not in bg:
        sys.exit("%s: CSS background not local: %s" % (name, bg))
net = open(sys.argv[2], encoding="utf-8", errors="replace").read()
tried = sorted(set(re.findall(r'"(?:url|host|original_url)":"(https?://[^"]+)"', net)))
# Chromium's own background traffic (updates, time, accounts) is not the
# page's; neither is the host-resolver mapping's "~notfound" placeholder.
browser_own = re.compile(r"https?://(~notfound|[^/]*\.(google\.com|googleapis\.com|gstatic\.com))(/|$)")
tried = [url for url in tried if not browser_own.match(url)]
if tried:
    sys.exit("%s: the browser tried network requests: %s" % (name, tried))
print("%s: %d images loaded, no http(s) request" % (name, len(result["images"])))
PY
}
check_in_browser "$POST.html" post
check_in_browser "$PAGE" page
rm -f "$OUT"/_check_*.html

# tar and zip: the same file list as the directory, read back by bsdtar
# (libarchive) when it is installed, else by python.
expect_exit 0 "$ROTGUARD" --store "$STORE" restore site/content --format tar --out "$WORK/r.tar"
expect_exit 0 "$ROTGUARD" --store "$STORE" restore site/content --format zip --out "$WORK/r.zip"
(cd "$OUT" && find . -type f | sed 's|^\./||' | sort) >"$WORK/dir.list"
python3 -c 'import tarfile,sys; print("\n".join(sorted(tarfile.open(sys.argv[1]).getnames())))' "$WORK/r.tar" >"$WORK/tar.list"
python3 -c 'import zipfile,sys; print("\n".join(sorted(zipfile.ZipFile(sys.argv[1]).namelist())))' "$WORK/r.zip" >"$WORK/zip.list"
diff "$WORK/dir.list" "$WORK/tar.list" || fail "tar listing differs"
diff "$WORK/dir.list" "$WORK/zip.list" || fail "zip listing differs"
echo ok
