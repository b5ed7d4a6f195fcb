#!/usr/bin/env python3
"""gen_tiny_warc.py OUT N: writes a .warc.gz of N tiny response records
(one gzip member each, valid block and payload digests, 1-3 byte bodies,
targets spread over 100 hosts) for the memory benchmark and its CI-sized
test: `rotguard import` of it gives a store with N records and N captures
without fetching anything. Deterministic for a given N."""
import base64
import hashlib
import sys
import zlib


def sha1(data):
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode()


def member(data):
    # One gzip member, level 1 (the generator must be quick for 1M records).
    c = zlib.compressobj(1, zlib.DEFLATED, 31)
    return c.compress(data) + c.flush()


def main():
    out, n = sys.argv[1], int(sys.argv[2])
    with open(out, "wb") as f:
        chunk = []
        for i in range(n):
            body = str(i % 997).encode()
            block = (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                     b"Content-Length: %d\r\n\r\n" % len(body)) + body
            uuid = "%08x-0000-4000-8000-%012x" % (i >> 16, i)
            head = ("WARC/1.1\r\nWARC-Type: response\r\n"
                    "WARC-Target-URI: https://h%d.example.com/p/%d\r\n"
                    "WARC-Date: 2026-01-%02dT03:04:05Z\r\n"
                    "WARC-Record-ID: <urn:uuid:%s>\r\n"
                    "WARC-Block-Digest: %s\r\nWARC-Payload-Digest: %s\r\n"
                    "Content-Type: application/http; msgtype=response\r\n"
                    "Content-Length: %d\r\n\r\n"
                    % (i % 100, i, 1 + i % 28, uuid, sha1(block), sha1(body),
                       len(block))).encode()
            chunk.append(member(head + block + b"\r\n\r\n"))
            if len(chunk) >= 10000:
                f.write(b"".join(chunk))
                chunk = []
        f.write(b"".join(chunk))


if __name__ == "__main__":
    main()
