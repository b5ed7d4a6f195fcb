#!/usr/bin/env python3
# The 5,000-record WARC of bench/restore/run.sh (byte for byte: same seed,
# same draws), for the one-file rows of bench/verify/run.sh: one gzip
# member per response record, 60 % HTML pages of 8-30 KB at gzip level 1,
# 40 % JPEG images of 36-72 KB of random bytes at level 0.
# With PER_FILE, the same records go into OUT_DIR/mix-NNNN.warc.gz, PER_FILE
# records a file (the many-small-files rows).
# With --posts DIR, also N/100-link Markdown posts citing every URL in
# order under DIR (bench/restore/run.sh's site).
# Usage: gen_mix.py OUT.warc.gz [N] [--posts DIR]  |  gen_mix.py OUT_DIR N PER_FILE
import base64, gzip, hashlib, os, random, sys
args = sys.argv[1:]
posts = None
if "--posts" in args:
    at = args.index("--posts")
    posts = args[at + 1]
    del args[at:at + 2]
out, n = args[0], int(args[1]) if len(args) > 1 else 5000
per_file = int(args[2]) if len(args) > 2 else 0
rng = random.Random(20261204)
WORDS = ("archive link rot blog post citation evidence source page web capture "
         "replay record digest payload server host request answer image").split()
kinds = ["html" if rng.random() < 0.6 else "jpg" for _ in range(n)]
urls = ["https://news%d.example.com/2020/%d.html" % (i % 7, i) if k == "html"
        else "https://img%d.example.net/p/%d.jpg" % (i % 7, i) for i, k in enumerate(kinds)]
pages = [u for u in urls if u.endswith(".html")]
def html(i, size):
    parts = ["<!doctype html><html><head><meta charset=utf-8><title>Page %d</title></head>"
             "<body><article><h1>Page %d</h1>" % (i, i)]
    length = len(parts[0])
    while length < size:
        para = '<p>%s <a href="%s">link</a></p>\n' % (
            " ".join(rng.choices(WORDS, k=rng.randint(20, 60))), rng.choice(pages))
        parts.append(para)
        length += len(para)
    parts.append("</article></body></html>\n")
    return "".join(parts).encode()
def jpeg(size):
    head = bytes.fromhex("ffd8ffe000104a46494600010101004800480000")
    return head + rng.randbytes(size - len(head) - 2) + b"\xff\xd9"
def sha1(d):
    return "sha1:" + base64.b32encode(hashlib.sha1(d).digest()).decode()
def output(i):
    if not per_file:
        return f if i else open(out, "wb")
    if i % per_file:
        return f
    if i:
        f.close()
    os.makedirs(out, exist_ok=True)
    return open(os.path.join(out, "mix-%04d.warc.gz" % (i // per_file)), "wb")
f = None
for i, (url, kind) in enumerate(zip(urls, kinds)):
    f = output(i)
    if kind == "html":
        ctype, body, level = "text/html; charset=utf-8", html(i, rng.randint(8000, 30000)), 1
    else:
        ctype, body, level = "image/jpeg", jpeg(rng.randint(36000, 72000)), 0
    block = ("HTTP/1.1 200 OK\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n"
             % (ctype, len(body))).encode() + body
    rid = "%032x" % rng.getrandbits(128)
    head = ("WARC/1.1\r\nWARC-Type: response\r\nWARC-Target-URI: %s\r\n"
            "WARC-Date: 2020-02-08T%02d:%02d:%02dZ\r\n"
            "WARC-Record-ID: <urn:uuid:%s-%s-%s-%s-%s>\r\nWARC-Block-Digest: %s\r\n"
            "WARC-Payload-Digest: %s\r\nContent-Type: application/http; msgtype=response\r\n"
            "Content-Length: %d\r\n\r\n") % (
            url, 10 + i // 3600, (i // 60) % 60, i % 60, rid[:8], rid[8:12], rid[12:16],
            rid[16:20], rid[20:], sha1(block), sha1(body), len(block))
    f.write(gzip.compress(head.encode() + block + b"\r\n\r\n", level))
f.close()
if posts:
    os.makedirs(posts, exist_ok=True)
    per = max(1, n // 100)
    for p in range(0, n, per):
        with open(os.path.join(posts, "post-%04d.md" % (p // per)), "w") as f:
            f.write("---\ntitle: post %d\n---\n" % p)
            for u in urls[p:p + per]:
                f.write(("![i](%s)\n" if u.endswith(".jpg") else "[l](%s)\n") % u)
