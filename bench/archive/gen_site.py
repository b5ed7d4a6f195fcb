#!/usr/bin/env python3
"""Generates the archive benchmark's web site (SPEC §11 rows 1-3).

    gen_site.py OUT_DIR

OUT_DIR/www/small/NNNNN.{html,jpg}: 5,000 small files, ~166 MB in total, a
realistic mix (60 % HTML pages of 8-30 KB with repetitive markup, 40 % JPEG
images of 36-72 KB of incompressible bytes behind a JPEG header);
OUT_DIR/www/assets/site.css: the one stylesheet every page links (rotguard
fetches page requisites of linked HTML pages, so it must exist, or every run
would end with a 404);
OUT_DIR/www/big/N.bin: 4 x 64 MiB. Deterministic (fixed seed).
"""
import os
import random
import sys

SMALL = int(os.environ.get("SMALL", "5000"))
BIG = int(os.environ.get("BIG", "4"))
BIG_BYTES = int(os.environ.get("BIG_BYTES", str(64 << 20)))

WORDS = ("archive link rot blog post citation evidence source page web "
         "capture replay record digest payload server host request answer "
         "image script style font redirect shortener").split()


def html_page(rng, index, size):
    parts = ["<!doctype html><html><head><meta charset=utf-8>",
             "<title>Post %d</title>" % index,
             '<link rel=stylesheet href="/assets/site.css"></head><body>',
             "<article><h1>Post %d</h1>" % index]
    length = sum(len(p) for p in parts)
    while length < size:
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(20, 60)))
        para = '<p>%s <a href="https://example.com/%d">link</a></p>\n' % (
            words, rng.randint(0, 99999))
        parts.append(para)
        length += len(para)
    parts.append("</article></body></html>\n")
    return "".join(parts).encode()


def jpeg(rng, size):
    head = bytes.fromhex("ffd8ffe000104a46494600010101004800480000")
    return head + rng.randbytes(size - len(head) - 2) + b"\xff\xd9"


def main():
    out = sys.argv[1]
    rng = random.Random(20261125)
    small = os.path.join(out, "www", "small")
    big = os.path.join(out, "www", "big")
    os.makedirs(small, exist_ok=True)
    os.makedirs(big, exist_ok=True)
    assets = os.path.join(out, "www", "assets")
    os.makedirs(assets, exist_ok=True)
    with open(os.path.join(assets, "site.css"), "w") as f:
        f.write("body { font: 16px/1.5 serif; max-width: 40em; margin: auto }\n")
    total = 0
    names = []
    for i in range(SMALL):
        if rng.random() < 0.6:
            name = "%05d.html" % i
            data = html_page(rng, i, rng.randint(8_000, 30_000))
        else:
            name = "%05d.jpg" % i
            data = jpeg(rng, rng.randint(36_000, 72_000))
        with open(os.path.join(small, name), "wb") as f:
            f.write(data)
        total += len(data)
        names.append(name)
    for i in range(BIG):
        path = os.path.join(big, "%d.bin" % i)
        if os.path.exists(path) and os.path.getsize(path) == BIG_BYTES:
            continue
        with open(path, "wb") as f:
            chunk = rng.randbytes(1 << 20)
            for _ in range(BIG_BYTES >> 20):
                f.write(chunk)
    with open(os.path.join(out, "small-names.txt"), "w") as f:
        f.write("\n".join(names) + "\n")
    print("small files: %d, %.1f MB" % (SMALL, total / 1e6), file=sys.stderr)


if __name__ == "__main__":
    main()
