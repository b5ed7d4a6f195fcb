#!/usr/bin/env python3
"""Writes a small uncompressed WARC for the restore browser test: a post's
Blogger image, a bit.ly redirect to an article page whose stylesheet,
images and CSS background were captured (one image never was). Images are
real PNGs, so a browser can decode them. Usage: make_restore_warc.py OUT"""
import base64
import hashlib
import struct
import sys
import uuid
import zlib


def png(width, height, rgb):
    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def sha1(data):
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode()


def response(url, status, headers, body, date):
    head = "HTTP/1.1 %s\r\n" % status
    for name, value in headers + [("Content-Length", str(len(body)))]:
        head += "%s: %s\r\n" % (name, value)
    block = head.encode() + b"\r\n" + body
    warc = ("WARC/1.1\r\nWARC-Type: response\r\nWARC-Target-URI: %s\r\n"
            "WARC-Date: %s\r\nWARC-Record-ID: <urn:uuid:%s>\r\n"
            "WARC-Block-Digest: %s\r\nWARC-Payload-Digest: %s\r\n"
            "Content-Type: application/http; msgtype=response\r\n"
            "Content-Length: %d\r\n\r\n") % (url, date, uuid.uuid4(), sha1(block), sha1(body), len(block))
    return warc.encode() + block + b"\r\n\r\n"


ARTICLE = b"""<!doctype html><html><head><title>Article</title>
<link rel="stylesheet" href="/s.css"></head><body><h1>Hackers hit again</h1>
<img id="a" src="/img/a.png" alt="a">
<div class="bg">bg</div>
<img id="never" src="https://cdn.example.net/never.png" alt="never captured">
<a href="https://elsewhere.example/">elsewhere</a>
</body></html>
"""

records = [
    response("https://bit.ly/x", "301 Moved Permanently",
             [("Location", "https://news.example.com/article.html")], b"", "2020-02-08T10:00:00Z"),
    response("https://news.example.com/article.html", "200 OK",
             [("Content-Type", "text/html; charset=utf-8")], ARTICLE, "2020-02-08T10:00:01Z"),
    response("https://news.example.com/s.css", "200 OK", [("Content-Type", "text/css")],
             b".bg{background:url(/img/bg.png);width:20px;height:20px}\n", "2020-02-08T10:00:02Z"),
    response("https://news.example.com/img/a.png", "200 OK", [("Content-Type", "image/png")],
             png(7, 5, (200, 0, 0)), "2020-02-08T10:00:03Z"),
    response("https://news.example.com/img/bg.png", "200 OK", [("Content-Type", "image/png")],
             png(3, 3, (0, 0, 200)), "2020-02-08T10:00:04Z"),
    response("https://2.bp.blogspot.com/x/s640/pic.png", "200 OK", [("Content-Type", "image/png")],
             png(11, 9, (0, 150, 0)), "2020-02-08T10:00:05Z"),
]
with open(sys.argv[1], "wb") as out:
    for record in records:
        out.write(record)
with open(sys.argv[1] + ".png", "wb") as out:  # a site-tree image for the post
    out.write(png(4, 4, (90, 90, 90)))
