"""Assertions over `rotguard inspect --json` output and raw WARC records for
the archive_*.sh scenario tests (imported by their inline Python).

Records are the JSON Lines of inspect (warcio index key names plus
"filename" and "problems"); read_record() reopens one gzip member to look at
headers inspect does not list (WARC-Truncated, WARC-Refers-To, the HTTP
head).
"""

import json
import sys
import zlib


def fail(message):
    print("FAIL: " + message, file=sys.stderr)
    sys.exit(1)


def load(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def responses(records, uri):
    return [r for r in records
            if r["warc-type"] in ("response", "revisit") and r["warc-target-uri"] == uri]


def requests(records, uri):
    return [r for r in records if r["warc-type"] == "request" and r["warc-target-uri"] == uri]


def paired_request(records, response):
    """The request record written with `response`: the record next to it in
    the same file, for the same URI."""
    index = records.index(response)
    for other in (index - 1, index + 1):
        if 0 <= other < len(records):
            record = records[other]
            if (record["warc-type"] == "request" and
                    record.get("filename") == response.get("filename") and
                    record["warc-target-uri"] == response["warc-target-uri"]):
                return record
    fail("no request record beside the response for %s at %s" %
         (response["warc-target-uri"], response["offset"]))


def expect_chain(records, hops):
    """hops: [(uri, status), ...] in order. Each hop is a request/response
    pair; the pairs appear in hop order. Returns the response records."""
    found = []
    last_index = -1
    for uri, status in hops:
        candidates = [r for r in responses(records, uri) if records.index(r) > last_index]
        if not candidates:
            fail("no response for hop %s after record %d; URIs: %s" %
                 (uri, last_index, sorted({r["warc-target-uri"] for r in records})))
        response = candidates[0]
        if response["http:status"] != status:
            fail("hop %s: status %s, want %s" % (uri, response["http:status"], status))
        paired_request(records, response)
        last_index = records.index(response)
        found.append(response)
    return found


def expect_no_problems(records):
    bad = [r for r in records if any(p["severity"] != "note" for p in r["problems"])]
    if bad:
        fail("records with problems: %s" % [(r["offset"], r["problems"]) for r in bad])


def read_record(path, offset, limit=1 << 20):
    """(warc_headers, http_head, payload) of the gzip member at `offset`;
    header names lowercased; at most `limit` bytes of block are read."""
    decompressor = zlib.decompressobj(31)
    data = b""
    with open(path, "rb") as f:
        f.seek(offset)
        while not decompressor.eof and len(data) < limit:
            piece = f.read(65536)
            if not piece:
                break
            data += decompressor.decompress(piece, limit)
    head, _, block = data.partition(b"\r\n\r\n")
    lines = head.decode("utf-8", "replace").split("\r\n")
    warc = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        warc[name.strip().lower()] = value.strip()
    length = int(warc.get("content-length", len(block)))
    block = block[:length]  # without the record's closing CRLF CRLF
    http_head, payload = b"", block
    if warc.get("content-type", "").startswith("application/http"):
        http_head, _, payload = block.partition(b"\r\n\r\n")
    return warc, http_head.decode("iso-8859-1"), payload


def http_header(http_head, name):
    for line in http_head.split("\r\n")[1:]:
        key, _, value = line.partition(":")
        if key.strip().lower() == name.lower():
            return value.strip()
    return None
