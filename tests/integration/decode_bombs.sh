#!/usr/bin/env bash
# Decompression bombs (issue #14 item 2): gzip-encoded captures that
# inflate 1000-fold. extract and restore decode them as a stream, so peak
# RSS stays far below the decoded size; --max-decoded-size stops extract
# with one error line naming the URL (exit 3) and makes restore skip the
# capture with a note and go on.
source "$(dirname "$0")/common.sh"
command -v python3 >/dev/null || exit 125

SITE="$WORK/site"
STORE="$SITE/.rotguard"
mkdir -p "$SITE/content/posts"
cat >"$SITE/content/posts/p.md" <<'EOF'
A [zero file](http://bomb.example/zero.bin), a [page](http://bomb.example/page.html)
and a [small one](http://bomb.example/ok.txt).
EOF

# One gzip member per record, digests computed as a writer would.
python3 - "$WORK/bombs.warc.gz" <<'EOF'
import base64, hashlib, sys, zlib

def gzip_stream(chunks):
    c = zlib.compressobj(9, zlib.DEFLATED, 31)
    out = [c.compress(chunk) for chunk in chunks]
    out.append(c.flush())
    return b"".join(out)

def digest(data):
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode()

def record(uri, ctype, body):
    head = (b"HTTP/1.1 200 OK\r\nContent-Type: " + ctype +
            b"\r\nContent-Encoding: gzip\r\nContent-Length: " +
            str(len(body)).encode() + b"\r\n\r\n")
    block = head + body
    fields = [
        ("WARC-Type", "response"),
        ("WARC-Record-ID", "<urn:uuid:%s>" % hashlib.md5(uri.encode()).hexdigest()),
        ("WARC-Date", "2024-01-02T03:04:05Z"),
        ("WARC-Target-URI", uri),
        ("Content-Type", "application/http; msgtype=response"),
        ("WARC-Block-Digest", digest(block)),
        ("WARC-Payload-Digest", digest(body)),
        ("Content-Length", str(len(block))),
    ]
    text = "WARC/1.1\r\n" + "".join("%s: %s\r\n" % f for f in fields) + "\r\n"
    return gzip_stream([text.encode() + block + b"\r\n\r\n"])

mib = 1 << 20
zeros = gzip_stream(bytes(mib) for _ in range(128))
page = gzip_stream([b"<!doctype html><html><head></head><body>"] +
                   [b" " * mib for _ in range(32)] + [b"</body></html>"])
with open(sys.argv[1], "wb") as f:
    f.write(record("http://bomb.example/zero.bin", b"application/octet-stream", zeros))
    f.write(record("http://bomb.example/page.html", b"text/html", page))
    f.write(record("http://bomb.example/ok.txt", b"text/plain", gzip_stream([b"fine\n"])))
EOF
[ "$(stat -c %s "$WORK/bombs.warc.gz")" -lt $((2 << 20)) ] || fail "bomb WARC too big"

expect_exit 0 "$ROTGUARD" --store "$STORE" import "$WORK/bombs.warc.gz"
(cd "$SITE" && expect_exit 0 "$ROTGUARD" --store "$STORE" scan --update content)

# max_rss_kib OUT CMD...: runs CMD with stdout to OUT, stderr to $WORK/err;
# prints the child's peak RSS in KiB and exits with CMD's status.
max_rss_kib() {
  python3 - "$@" <<'EOF'
import resource, subprocess, sys
with open(sys.argv[1], "wb") as out, open(sys.argv[1] + ".err", "wb") as err:
    rc = subprocess.call(sys.argv[2:], stdout=out, stderr=err)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(rc)
EOF
}
LIMIT_KIB=$((100 * 1024))

# extract: 128 MiB decoded to a file, peak RSS far below it.
rss=$(max_rss_kib "$WORK/x.out" "$ROTGUARD" --store "$STORE" extract \
  -o "$WORK/zero.bin" http://bomb.example/zero.bin) ||
  { cat "$WORK/x.out.err" >&2; fail "extract of the 128 MiB body failed"; }
[ "$(stat -c %s "$WORK/zero.bin")" -eq $((128 << 20)) ] || fail "zero.bin is not 128 MiB"
echo "extract peak RSS ${rss} KiB" >&2
sanitizer_build || [ "$rss" -lt "$LIMIT_KIB" ] ||
  fail "extract peak RSS ${rss} KiB >= ${LIMIT_KIB} KiB"
rm -f "$WORK/zero.bin"

# --max-decoded-size stops it: exit 3, one line naming the URL, no -o file.
expect_exit 3 "$ROTGUARD" --store "$STORE" extract --max-decoded-size 1M \
  -o "$WORK/zero.bin" http://bomb.example/zero.bin
[ "$(wc -l <"$WORK/err")" -eq 1 ] || { cat "$WORK/err" >&2; fail "not one error line"; }
expect_contains "$WORK/err" "http://bomb.example/zero.bin"
expect_contains "$WORK/err" "--max-decoded-size"
[ ! -e "$WORK/zero.bin" ] || fail "-o file written although the limit stopped it"
expect_exit 1 "$ROTGUARD" --store "$STORE" extract --max-decoded-size lots \
  http://bomb.example/zero.bin

# restore: the 128 MiB file streamed, the 32 MiB page (over the parse
# limit) copied as archived behind the CSP tag; peak RSS far below both.
rss=$(max_rss_kib "$WORK/r.out" "$ROTGUARD" --store "$STORE" restore \
  "$SITE/content" --out "$WORK/restored") ||
  { cat "$WORK/r.out.err" >&2; fail "restore failed"; }
echo "restore peak RSS ${rss} KiB" >&2
sanitizer_build || [ "$rss" -lt "$LIMIT_KIB" ] ||
  fail "restore peak RSS ${rss} KiB >= ${LIMIT_KIB} KiB"
[ "$(stat -c %s "$WORK/restored/assets/bomb.example/zero.bin")" -eq $((128 << 20)) ] ||
  fail "restored zero.bin is not 128 MiB"
page="$WORK/restored/assets/bomb.example/page.html"
head -c 200 "$page" | grep "Content-Security-Policy" >/dev/null || fail "big page lacks the CSP tag"
expect_contains "$WORK/r.out.err" "copied as archived"
rm -rf "$WORK/restored"

# restore with a limit: the bombs are skipped with a note, the rest kept.
expect_exit 0 "$ROTGUARD" --store "$STORE" restore --max-decoded-size 1M \
  "$SITE/content" --out "$WORK/restored"
expect_contains "$WORK/err" "http://bomb.example/zero.bin: decoded body larger than"
expect_contains "$WORK/err" "http://bomb.example/page.html: decoded body larger than"
[ ! -e "$WORK/restored/assets/bomb.example/zero.bin" ] || fail "the bomb was written"
grep -q fine "$WORK/restored/assets/bomb.example/ok.txt" || fail "ok.txt not restored"
echo ok
