#!/usr/bin/env python3
"""Builds the digest-encoding WARC files in tests/data/digests/.

Real WARC files carry WARC-Block-Digest / WARC-Payload-Digest values in every
RFC 3548/4648 encoding, not only sha1 base32. Made here with Python's
hashlib/base64, independent of rotguard, deterministically:

  encodings.warc  one resource record per algorithm (sha1, sha256, md5,
                  sha512) x encoding (base16 lower/upper, base32 upper/lower,
                  base64, base64url) x padding (padded, unpadded), both
                  digests in that encoding; plus one HTTP response per
                  algorithm with a base64url payload digest. Every digest
                  is right: inspect must exit 0 with no problem.
  bad.warc        a record whose block digest decodes in no encoding
                  ("unreadable"), a record whose sha256 base64 payload
                  digest is readable but wrong, and a good record: exactly
                  block-digest at the first and payload-digest at the second.

    python3 tests/data/digests/make_digests.py   (prints every offset)
"""
import base64
import hashlib
import os

HERE = os.path.dirname(os.path.abspath(__file__))
ALGORITHMS = ["sha1", "sha256", "md5", "sha512"]


def encode(raw, encoding, padded):
    if encoding == "base16":
        return raw.hex()
    if encoding == "BASE16":
        return raw.hex().upper()
    if encoding in ("base32", "BASE32"):
        text = base64.b32encode(raw).decode()
        text = text.lower() if encoding == "base32" else text
    elif encoding == "base64":
        text = base64.b64encode(raw).decode()
    else:  # base64url
        text = base64.urlsafe_b64encode(raw).decode()
    return text if padded else text.rstrip("=")


def label(algorithm, data, encoding, padded):
    raw = hashlib.new(algorithm, data).digest()
    return f"{algorithm}:{encode(raw, encoding, padded)}"


def record(fields, block, rid):
    head = "WARC/1.1\r\n"
    fields = [("WARC-Record-ID", f"<urn:uuid:00000000-0000-4000-8000-{rid:012d}>"),
              ("WARC-Date", "2026-02-03T04:05:06Z")] + fields
    for name, value in fields:
        head += f"{name}: {value}\r\n"
    head += f"Content-Length: {len(block)}\r\n\r\n"
    return head.encode() + block + b"\r\n\r\n"


def resource(uri, body, block_digest, payload_digest, rid):
    return record([("WARC-Type", "resource"), ("WARC-Target-URI", uri),
                   ("WARC-Block-Digest", block_digest),
                   ("WARC-Payload-Digest", payload_digest),
                   ("Content-Type", "text/plain")], body, rid)


def response(uri, body, block_digest, payload_digest, rid):
    head = (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
            b"Content-Length: %d\r\n\r\n" % len(body))
    return record([("WARC-Type", "response"), ("WARC-Target-URI", uri),
                   ("WARC-Block-Digest", block_digest(head + body)),
                   ("WARC-Payload-Digest", payload_digest),
                   ("Content-Type", "application/http; msgtype=response")],
                  head + body, rid)


def write(name, records):
    data, offsets = b"", []
    for r in records:
        offsets.append(len(data))
        data += r
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)
    print(f"{name}: {len(data)} bytes, {len(records)} records at {offsets}")


def main():
    records, rid = [], 1
    for algorithm in ALGORITHMS:
        for encoding in ["base16", "BASE16", "BASE32", "base32", "base64",
                         "base64url"]:
            for padded in [True, False]:
                if encoding.lower() == "base16" and not padded:
                    continue  # base16 has no padding
                body = f"{algorithm} {encoding} padded={padded}\n".encode()
                digest = label(algorithm, body, encoding, padded)
                uri = f"urn:test:{algorithm}/{encoding}/{'padded' if padded else 'unpadded'}"
                records.append(resource(uri, body, digest, digest, rid))
                rid += 1
        body = f"an HTTP body hashed with {algorithm}\n".encode()
        records.append(response(
            f"http://example.com/{algorithm}", body,
            lambda block, a=algorithm: label(a, block, "base16", False),
            label(algorithm, body, "base64url", False), rid))
        rid += 1
    write("encodings.warc", records)

    good = b"a good record\n"
    unreadable = resource("urn:test:unreadable", b"x\n",
                          "sha1:NOT-A-DIGEST-IN-ANY-ENCODING!",
                          label("sha1", b"x\n", "BASE32", False), 901)
    wrong = b"the payload\n"
    mismatch = resource("urn:test:mismatch", wrong,
                        label("sha256", wrong, "base16", False),
                        label("sha256", b"other bytes\n", "base64", True), 902)
    fine = resource("urn:test:good", good, label("md5", good, "base64", False),
                    label("md5", good, "base64url", True), 903)
    write("bad.warc", [unreadable, mismatch, fine])


if __name__ == "__main__":
    main()
