#!/usr/bin/env python3
"""Builds the damaged-WARC corpus in tests/data/warc/ and the fuzz seeds in
tests/fuzz/corpus/warc_reader/.

Independent of rotguard's writer on purpose: records, digests and gzip
members are made here with Python's hashlib/base64/gzip, so the reader is
checked against a second implementation. Output is deterministic (gzip
mtime 0). The files are checked in; rerun only to change the corpus, then
update the offsets asserted in tests/unit/warc/damaged_corpus_test.cc
(this script prints every member offset).

    python3 tests/data/warc/make_corpus.py
"""
import base64
import gzip
import hashlib
import os
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))
FUZZ = os.path.join(HERE, "..", "..", "fuzz", "corpus", "warc_reader")


def sha1_label(data):
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode()


def record(version, fields, block):
    head = version + "\r\n"
    for name, value in fields:
        head += f"{name}: {value}\r\n"
    head += f"Content-Length: {len(block)}\r\n\r\n"
    return head.encode() + block + b"\r\n\r\n"


def member(data):
    return gzip.compress(data, compresslevel=6, mtime=0)


def http_record(rtype, uri, rid, head, body, date="2026-01-02T03:04:05.000006Z"):
    block = head + body
    return record("WARC/1.1", [
        ("WARC-Type", rtype),
        ("WARC-Record-ID", rid),
        ("WARC-Date", date),
        ("WARC-Target-URI", uri),
        ("WARC-Block-Digest", sha1_label(block)),
        ("WARC-Payload-Digest", sha1_label(body)),
        ("Content-Type", f"application/http; msgtype={rtype}"),
    ], block)


WARCINFO_BODY = b"software: make_corpus.py\r\nformat: WARC file version 1.1\r\n"
WARCINFO = record("WARC/1.1", [
    ("WARC-Type", "warcinfo"),
    ("WARC-Record-ID", "<urn:uuid:00000000-0000-4000-8000-000000000001>"),
    ("WARC-Date", "2026-01-02T03:04:05.000006Z"),
    ("WARC-Filename", "good.warc.gz"),
    ("WARC-Block-Digest", sha1_label(WARCINFO_BODY)),
    ("Content-Type", "application/warc-fields"),
], WARCINFO_BODY)
REQUEST = http_record(
    "request", "http://example.com/", "<urn:uuid:00000000-0000-4000-8000-000000000002>",
    b"GET / HTTP/1.1\r\nHost: example.com\r\n\r\n", b"")
BODY = b"<html><body>Hello, archived world!</body></html>\n"
RESPONSE_HEAD = (b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
                 b"Content-Length: %d\r\n\r\n" % len(BODY))
RESPONSE = http_record(
    "response", "http://example.com/", "<urn:uuid:00000000-0000-4000-8000-000000000003>",
    RESPONSE_HEAD, BODY)
RESOURCE_BODY = b"# A post\n\nSee http://example.com/\n"
RESOURCE = record("WARC/1.1", [
    ("WARC-Type", "resource"),
    ("WARC-Record-ID", "<urn:uuid:00000000-0000-4000-8000-000000000004>"),
    ("WARC-Date", "2026-01-02T03:04:05.000006Z"),
    ("WARC-Target-URI", "file:posts/a.md"),
    ("WARC-Block-Digest", sha1_label(RESOURCE_BODY)),
    ("WARC-Payload-Digest", sha1_label(RESOURCE_BODY)),
    ("Content-Type", "text/markdown"),
], RESOURCE_BODY)
GOOD = [WARCINFO, REQUEST, RESPONSE, RESOURCE]


def write(name, data, offsets=None):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)
    print(f"{name}: {len(data)} bytes" +
          (f", record/member offsets {offsets}" if offsets else ""))


def gz_file(records):
    data, offsets = b"", []
    for r in records:
        offsets.append(len(data))
        data += member(r)
    return data, offsets


def plain_file(records):
    data, offsets = b"", []
    for r in records:
        offsets.append(len(data))
        data += r
    return data, offsets


def main():
    good_gz, offs = gz_file(GOOD)
    write("good.warc.gz", good_gz, offs)
    good_plain, offs = plain_file(GOOD)
    write("good.warc", good_plain, offs)

    # One payload byte flipped after the digests were computed.
    flipped = RESPONSE.replace(b"Hello", b"Jello")
    data, offs = gz_file([WARCINFO, REQUEST, flipped, RESOURCE])
    write("flipped-payload-byte.warc.gz", data, offs)

    # The last member loses its final 10 bytes (part of CRC32/ISIZE).
    write("truncated-final-member.warc.gz", good_gz[:-10], gz_file(GOOD)[1])

    # Content-Length is not a number.
    bad = RESPONSE.replace(b"Content-Length: %d\r\n\r\nHTTP" %
                           len(RESPONSE_HEAD + BODY),
                           b"Content-Length: 12x\r\n\r\nHTTP")
    data, offs = plain_file([WARCINFO, REQUEST, bad, RESOURCE])
    write("bad-content-length.warc", data, offs)

    # The response block is followed by one CRLF instead of two.
    missing = RESPONSE[:-2]
    data, offs = plain_file([WARCINFO, REQUEST, missing, RESOURCE])
    write("missing-crlf.warc", data, offs)

    # Garbage between the second and third member.
    members = [member(r) for r in GOOD]
    garbage = b"this is not gzip\n" * 3
    data = members[0] + members[1] + garbage + members[2] + members[3]
    write("garbage-between-members.warc.gz", data,
          [0, len(members[0]), len(members[0] + members[1]),
           len(members[0] + members[1] + garbage),
           len(members[0] + members[1] + garbage + members[2])])

    # CRC32 of the second member altered.
    m = bytearray(members[1])
    m[-8] ^= 0xFF
    data = members[0] + bytes(m) + members[2] + members[3]
    write("gzip-crc.warc.gz", data, gz_file(GOOD)[1])

    # Every record in a single gzip member.
    write("whole-file.warc.gz", member(b"".join(GOOD)))

    write("not-a-warc.txt", b"Just some notes, not an archive.\nSecond line.\n")

    # Hand-made in wget's style: WARC/1.0, <uri>, msgtype without space,
    # a chunked body stored raw with the payload digest over the chunked
    # bytes (what wget and warcio write).
    chunked_body = b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n"
    info = b"software: Wget/1.21.3 (linux-gnu)\r\nformat: WARC File Format 1.0\r\n"
    wget = [
        record("WARC/1.0", [
            ("WARC-Type", "warcinfo"),
            ("Content-Type", "application/warc-fields"),
            ("WARC-Date", "2026-01-02T03:04:05Z"),
            ("WARC-Record-ID", "<urn:uuid:10000000-0000-4000-8000-000000000001>"),
            ("WARC-Filename", "wget-style.warc"),
            ("WARC-Block-Digest", sha1_label(info)),
        ], info),
        record("WARC/1.0", [
            ("WARC-Type", "request"),
            ("WARC-Target-URI", "<http://example.com/chunked>"),
            ("Content-Type", "application/http;msgtype=request"),
            ("WARC-Date", "2026-01-02T03:04:05Z"),
            ("WARC-Record-ID", "<urn:uuid:10000000-0000-4000-8000-000000000002>"),
            ("WARC-Block-Digest", sha1_label(b"GET /chunked HTTP/1.1\r\n\r\n")),
        ], b"GET /chunked HTTP/1.1\r\n\r\n"),
        record("WARC/1.0", [
            ("WARC-Type", "response"),
            ("WARC-Record-ID", "<urn:uuid:10000000-0000-4000-8000-000000000003>"),
            ("WARC-Warcinfo-ID", "<urn:uuid:10000000-0000-4000-8000-000000000001>"),
            ("WARC-Concurrent-To", "<urn:uuid:10000000-0000-4000-8000-000000000002>"),
            ("WARC-Target-URI", "<http://example.com/chunked>"),
            ("WARC-Date", "2026-01-02T03:04:05Z"),
            ("WARC-IP-Address", "127.0.0.1"),
            ("WARC-Block-Digest", sha1_label(head + chunked_body)),
            ("WARC-Payload-Digest", sha1_label(chunked_body)),
            ("Content-Type", "application/http;msgtype=response"),
        ], head + chunked_body),
    ]
    data, offs = plain_file(wget)
    write("wget-style-1.0.warc", data, offs)

    # Fuzz seeds: small good and damaged inputs.
    os.makedirs(FUZZ, exist_ok=True)
    for name in ["good.warc.gz", "good.warc", "flipped-payload-byte.warc.gz",
                 "truncated-final-member.warc.gz", "missing-crlf.warc",
                 "garbage-between-members.warc.gz", "whole-file.warc.gz",
                 "wget-style-1.0.warc"]:
        shutil.copy(os.path.join(HERE, name), os.path.join(FUZZ, name))


if __name__ == "__main__":
    main()
