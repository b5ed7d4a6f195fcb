#!/usr/bin/env python3
"""Builds the ARC test files in tests/data/arc/ (independent of rotguard:
plain Python, gzip with mtime 0, deterministic). ARC is the Internet
Archive's format before WARC ("ARC File Format", version 1): a filedesc://
header record, then per capture a header line "URL IP DATE TYPE LENGTH",
LENGTH bytes of content (an HTTP response for http URLs) and a LF.

  sample.arc               ARC 1.0, uncompressed: header, an HTML response,
                           a dns: record, a 404 response, a GIF response
  sample.arc.gz            the same, one gzip member per record
  sample-1.1.arc.gz        ARC 1.1 (Heritrix style: "1 1", XML metadata)
  truncated-member.arc.gz  sample.arc.gz cut in the middle of its last member
  bad-length.arc           the HTML response's length 7 too small
  bad-length.arc.gz        the HTML response's length 7 too large

    python3 tests/data/arc/make_arc.py   (prints every record offset)
"""
import gzip
import os

HERE = os.path.dirname(os.path.abspath(__file__))

HTML = b"<html><head><title>An old page</title></head>\n<body>Archived in 2001.</body></html>\n"
HTML_RESPONSE = (b"HTTP/1.0 200 OK\r\nServer: Apache/1.3.14\r\n"
                 b"Content-Type: text/html; charset=iso-8859-1\r\n"
                 b"Content-Length: %d\r\n\r\n" % len(HTML)) + HTML
DNS = b"20010203040506\nexample.com.\t86400\tIN\tA\t93.184.216.34\n"
MISSING = b"<html><body>Not here.</body></html>\n"
MISSING_RESPONSE = (b"HTTP/1.0 404 Not Found\r\nContent-Type: text/html\r\n"
                    b"Content-Length: %d\r\n\r\n" % len(MISSING)) + MISSING
GIF = (b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04"
       b"\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")
GIF_RESPONSE = (b"HTTP/1.0 200 OK\r\nContent-Type: image/gif\r\n"
                b"Content-Length: %d\r\n\r\n" % len(GIF)) + GIF

RECORDS = [
    ("http://example.com/", "93.184.216.34", "20010203040507", "text/html", HTML_RESPONSE),
    ("dns:example.com", "192.0.2.53", "20010203040506", "text/dns", DNS),
    ("http://example.com/missing.html", "93.184.216.34", "20010203040508", "text/html",
     MISSING_RESPONSE),
    ("http://example.com/logo.gif", "93.184.216.34", "20010203040509", "image/gif", GIF_RESPONSE),
]

XML = (b'<?xml version="1.0" encoding="UTF-8"?>\n'
       b'<arcmetadata xmlns:dc="http://purl.org/dc/elements/1.1/">'
       b'<dc:format>ARC file version 1.1</dc:format>'
       b'<software>make_arc.py</software></arcmetadata>\n')


def arc_record(url, ip, date, ctype, content, length=None):
    length = len(content) if length is None else length
    return f"{url} {ip} {date} {ctype} {length}\n".encode() + content + b"\n"


def filedesc(name, minor):
    block = (f"1 {minor} rotguard-tests\n".encode() +
             b"URL IP-address Archive-date Content-type Archive-length\n")
    if minor == 1:
        block += XML
    return arc_record(f"filedesc://{name}", "0.0.0.0", "20010203040506", "text/plain", block)


def records(name, minor=0, lengths=None):
    lengths = lengths or {}
    out = [filedesc(name, minor)]
    for i, (url, ip, date, ctype, content) in enumerate(RECORDS):
        out.append(arc_record(url, ip, date, ctype, content, lengths.get(i)))
    return out


def member(data):
    return gzip.compress(data, compresslevel=6, mtime=0)


def write(name, parts, gz):
    data, offsets = b"", []
    for p in parts:
        offsets.append(len(data))
        data += member(p) if gz else p
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)
    print(f"{name}: {len(data)} bytes, records at {offsets}")
    return data, offsets


def main():
    write("sample.arc", records("sample.arc"), gz=False)
    data, offsets = write("sample.arc.gz", records("sample.arc.gz"), gz=True)
    write("sample-1.1.arc.gz", records("sample-1.1.arc.gz", minor=1), gz=True)
    cut = offsets[-1] + (len(data) - offsets[-1]) // 2
    with open(os.path.join(HERE, "truncated-member.arc.gz"), "wb") as f:
        f.write(data[:cut])
    print(f"truncated-member.arc.gz: {cut} bytes, last member at {offsets[-1]}")
    write("bad-length.arc",
          records("bad-length.arc", lengths={0: len(HTML_RESPONSE) - 7}), gz=False)
    write("bad-length.arc.gz",
          records("bad-length.arc.gz", lengths={0: len(HTML_RESPONSE) + 7}), gz=True)


if __name__ == "__main__":
    main()
