#!/usr/bin/env python3
"""Loopback fixture web server for rotguard's tests and demo.

Serves the files under --root (per virtual host: a request for Host H is
served from --root/H/ when that directory exists) plus built-in routes that
produce the awkward responses an archiver has to record (any host):

  /redirect/<n>?to=URL[&code=301|302|303|307|308]
                          a chain of n redirects ending at URL (default /)
  /loop                   a redirect to itself, forever
  /chunked/<size>         <size> bytes sent with Transfer-Encoding: chunked
  /gzip/<path>            the file <path> (or a generated page) with
                          Content-Encoding: gzip
  /status/<code>[?retry-after=S]
                          an empty-ish response with that status (429 and
                          503 carry "Retry-After: 1" unless S is given)
  /flaky/<code>/<n>?key=K[&retry-after=S]
                          the first n requests with key K answer <code>,
                          later ones 200 with a small page
  /slow/<ms>              answers after <ms> milliseconds (capped at 60 s)
  /big/<bytes>            <bytes> bytes streamed with a Content-Length
  /reset/<bytes>          claims more than <bytes>, sends <bytes>, then
                          resets the connection (RST)
  /truncated/<bytes>?claim=<n>
                          Content-Length n, sends <bytes> (< n), closes
                          cleanly
  /drip/<bytes>?interval_ms=M
                          one body byte every M ms (at most 120 s)
  /endless                a body without length that never ends (stops
                          after 2 GiB or 120 s)
  /page/<name>            HTML page with requisites (stylesheet, script,
                          two images, one on cdn.example.net, favicon); its
                          CSS names a background image and a web font
  /assets/<file>, /favicon.ico
                          deterministic CSS, JS, PNG, JPEG, WOFF2, ICO bytes
                          that depend only on the path (not the host)
  /js/<name>              static pages per capture-quality class (a full
                          article, a JS-only app fetching its article as
                          JSON, IntersectionObserver images, a
                          Cloudflare-like challenge, a 200 "not found"
                          page) and the browser lane's JavaScript pages
                          (SSRF probes, endless long-polling, popup and
                          download): see tools/fixture_js.py
  /interstitial?to=URL    a t.co-style page: meta refresh + location.replace
  /meta-refresh?to=URL    an HTML page with <meta http-equiv=refresh>
  /refresh-header?to=URL  a page with a "Refresh: 0; url=URL" header
  /headers                the request headers as JSON
  /members?bearer=T&cookie=NAME=VALUE
                          a members-only page: 200 when the request carries
                          "Authorization: Bearer T" (if bearer is given) and
                          the cookie NAME=VALUE (if cookie is given), else
                          401 with WWW-Authenticate
  /_stats                 {"total": N, "by_path": {...}, "by_host": {...}}
                          (requests to /_stats are neither counted nor logged)
  /_requests              [[monotonic seconds, host, path], ...] of every
                          counted request (rate checks; not counted either)

Public web archives (web.archive.org: CDX, id_ replay with
Memento-Datetime, TimeMaps, Save Page Now 2 with auth and job status, 429;
archive.org availability; timetravel.mementoweb.org JSON API): see
tools/fixture_archive.py for the routes and the captures they know.

Host-specific routes (see /tmp/fixture-routes.md, the shared contract):
Blogger image hosts (*.bp.blogspot.com, *.googleusercontent.com) answer any
path with a size token (/s640/, /s1600/, /s0/, /w640-h480/, "=s1600") with
a JPEG whose bytes differ per size token; ift.tt/<id> 301s to
feeds.feedburner.com/~r/<id>, which 302s to the www.ehackingnews.com article;
t.co/<id> is an interstitial to news.example.com/<id>; bit.ly/<id> 301s
there; www.ehackingnews.com, news.example.com and the hosts the example
posts link to serve an article page for any page path (and asset bytes for
image, style and script paths), except /gone.html (404), /removed.html
(410) and /forbidden.html (403); /old-study 301s to /rot-study.

Canned replies (--canned CASE, tests/data/http/README.md): the "== reply"
sections of a declarative HTTP test case are served before every route
above, matched by method and URL (scheme://host/path?query, no port); the
flags in FIXTURE_ARGS then also cover the hosts those replies name.

Two ways to run it:

* One listener (the original interface): --port (0 = any), optionally --tls
  with --cert/--key. The first line on stdout is "PORT=<n>" (also written to
  --port-file).
* The fixture web (--fixture-web DIR, used by tools/fixture-web): plain HTTP
  and TLS in one process on a random 127.x.y.z, ports 80/443 when they can be
  bound, else ephemeral ports; SNI picks DIR/server.pem or, for
  badcert.example.org, DIR/badca/server.pem; a request log DIR/requests.log
  ("HOST METHOD PATH STATUS" per request); a connect-timeout "blackhole"
  listener; DIR/env receives the shell export lines once all listeners are
  accepting.

The server exits after --max-requests requests, --idle-timeout seconds
without a request in flight, or --max-seconds, so it never outlives the test
that started it.

Python 3 standard library only.
"""

import argparse
import base64
import errno
import gzip
import hashlib
import html
import http.server
import json
import mimetypes
import os
import posixpath
import random
import re
import select
import shlex
import socket
import ssl
import struct
import sys
import threading
import time
import urllib.parse
import zlib

import fixture_archive
import fixture_js

MAX_SLOW_MS = 60_000
MAX_REDIRECTS = 100
MAX_STATIC_BYTES = 256 * 1024 * 1024
MAX_STREAM_SECONDS = 120
MAX_ENDLESS_BYTES = 2 * 1024 * 1024 * 1024
MAX_FLAKY = 1000
STREAM_PIECE = 64 * 1024
CHUNK_SIZE = 1000
SOCKET_TIMEOUT_S = 30
REDIRECT_CODES = {301, 302, 303, 307, 308}

BAD_CERT_HOST = "badcert.example.org"
# Every host the fixture web plays; the test CA's server certificate covers
# all of them except BAD_CERT_HOST (tools/make_test_ca.sh).
FIXTURE_HOSTS = (
    "1.bp.blogspot.com", "2.bp.blogspot.com", "3.bp.blogspot.com",
    "4.bp.blogspot.com", "blogger.googleusercontent.com",
    "lh3.googleusercontent.com", "ift.tt", "t.co", "bit.ly",
    "feeds.feedburner.com", "www.ehackingnews.com", "news.example.com",
    "cdn.example.net", "example.com", "www.example.com",
    "scenarios.example.org", BAD_CERT_HOST,
    # The public web archives (tools/fixture_archive.py).
    "web.archive.org", "archive.org", "timetravel.mementoweb.org",
    # The other hosts the posts under examples/site link to, so the demo
    # archives them offline: each serves an article for any page path and
    # asset bytes for any image, style or script path.
    "blog.example.com", "oldblog.blogspot.com", "www.cjr.org",
    "www.pewresearch.org", "images.example.org", "example.org",
    "www.youtube.com", "gohugo.io", "mastodon.example",
)
BLOGGER_HOST = re.compile(r"^([0-9]+\.)?bp\.blogspot\.com$|\.googleusercontent\.com$")
ARTICLE_HOSTS = ("www.ehackingnews.com", "news.example.com") + FIXTURE_HOSTS[-9:]
ARTICLE_ERRORS = {"/gone.html": 404, "/removed.html": 410, "/forbidden.html": 403,
                  # Dead links the public archive fixture knows (or not).
                  "/gone.png": 404, "/busy.html": 404, "/never-archived.html": 404}
# Pages that moved for good (301) to another path of the same host: the
# demo's "moved" link, which `fix` points at its new address.
ARTICLE_MOVES = {"/old-study": "/rot-study"}
# A Blogger size token as a path segment: s640, s1600, s0, s72-c, w640,
# w640-h480, w640-h480-p-k-no-nu, h480 ...
SIZE_SEGMENT = re.compile(r"^(s[0-9]+(-c)?|w[0-9]+(-h[0-9]+)?(-[a-z0-9-]+)?|h[0-9]+)$")
# ... or as a suffix of the last segment: <id>=s1600, <id>=w640-h480.
SIZE_SUFFIX = re.compile(r"=(s[0-9]+(-c)?|w[0-9]+-h[0-9]+(-[a-z0-9-]+)?)$")


def pattern_bytes(size, offset=0):
    """Deterministic bytes so tests can predict bodies: a repeating alphabet."""
    alphabet = b"abcdefghijklmnopqrstuvwxyz0123456789\n"
    out = bytearray()
    position = offset
    while len(out) < size:
        start = position % len(alphabet)
        piece = alphabet[start:start + size - len(out)]
        out += piece
        position += len(piece)
    return bytes(out)


def seeded_bytes(seed, size):
    """Deterministic, incompressible-looking bytes derived from `seed`."""
    out = bytearray()
    counter = 0
    while len(out) < size:
        out += hashlib.sha256(b"%s/%d" % (seed.encode("utf-8"), counter)).digest()
        counter += 1
    return bytes(out[:size])


def first_int(text, default=None):
    try:
        return int(text)
    except (TypeError, ValueError):
        return default


def png_bytes(seed, size):
    """A valid, decodable 24x24 PNG in a colour of its seed (a square on a
    background, so a browser shows it as a picture), padded with a tEXt
    chunk to about `size` bytes."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data +
                struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    colour = seeded_bytes(seed, 3)
    background = bytes(255 - c for c in colour)
    rows = b"".join(
        b"\x00" + b"".join(colour if 6 <= x < 18 and 6 <= y < 18 else background
                           for x in range(24))
        for y in range(24))
    ihdr = struct.pack(">IIBBBBB", 24, 24, 8, 2, 0, 0, 0)
    idat = zlib.compress(rows)
    pad_len = max(size - 80 - len(idat), 0)
    padding = seeded_bytes(seed, pad_len).hex().encode("ascii")[:pad_len]
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) +
            chunk(b"tEXt", b"Comment\x00" + padding) + chunk(b"IDAT", idat) +
            chunk(b"IEND", b""))


# The rest of a real 16x16 baseline JPEG (a yellow square on blue, made by
# a browser's canvas) after its SOI and JFIF APP0: tables, frame, scan, EOI.
_JPEG_TAIL = base64.b64decode(
    "/+IB2ElDQ19QUk9GSUxFAAEBAAAByAAAAAAEMAAAbW50clJHQiBYWVogB+AAAQABAAAAAAAA"
    "YWNzcAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAEAAPbWAAEAAAAA0y0AAAAAAAAAAAAA"
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAJZGVzYwAAAPAAAAAk"
    "clhZWgAAARQAAAAUZ1hZWgAAASgAAAAUYlhZWgAAATwAAAAUd3RwdAAAAVAAAAAUclRSQwAA"
    "AWQAAAAoZ1RSQwAAAWQAAAAoYlRSQwAAAWQAAAAoY3BydAAAAYwAAAA8bWx1YwAAAAAAAAAB"
    "AAAADGVuVVMAAAAIAAAAHABzAFIARwBCWFlaIAAAAAAAAG+iAAA49QAAA5BYWVogAAAAAAAA"
    "YpkAALeFAAAY2lhZWiAAAAAAAAAkoAAAD4QAALbPWFlaIAAAAAAAAPbWAAEAAAAA0y1wYXJh"
    "AAAAAAAEAAAAAmZmAADypwAADVkAABPQAAAKWwAAAAAAAAAAbWx1YwAAAAAAAAABAAAADGVu"
    "VVMAAAAgAAAAHABHAG8AbwBnAGwAZQAgAEkAbgBjAC4AIAAyADAAMQA2/9sAQwAGBAUGBQQG"
    "BgUGBwcGCAoQCgoJCQoUDg8MEBcUGBgXFBYWGh0lHxobIxwWFiAsICMmJykqKRkfLTAtKDAl"
    "KCko/9sAQwEHBwcKCAoTCgoTKBoWGigoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgo"
    "KCgoKCgoKCgoKCgoKCgoKCgo/8AAEQgAEAAQAwEiAAIRAQMRAf/EABUAAQEAAAAAAAAAAAAA"
    "AAAAAAAD/8QAIBAAAAMJAQAAAAAAAAAAAAAAERITAAEFBhQVJEJRYf/EABQBAQAAAAAAAAAA"
    "AAAAAAAAAAX/xAAkEQAAAggHAAAAAAAAAAAAAAAAERQVJCUxMlHwUmNkgYKRkv/aAAwDAQAC"
    "EQMRAD8AvLkDvVRkIol0MIj67jJjgdlp8hZY2hQAPX9ZLkcstRjrLF3KAD4/rJjjl6p8dFE2"
    "5hEPHcZV+LzR8MHueyBDCg529eoWY//Z")


def jpeg_bytes(seed, size):
    """A decodable JPEG of `size` bytes (at least about 850): SOI, JFIF
    APP0, comment segments of seeded bytes (so each seed gives different
    bytes), then a real 16x16 image."""
    head = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    body = bytearray()
    remaining = max(size - len(head) - len(_JPEG_TAIL), 4)
    index = 0
    while remaining > 4:
        piece = min(remaining - 4, 60000)
        body += b"\xff\xfe" + struct.pack(">H", piece + 2)
        body += seeded_bytes("%s#%d" % (seed, index), piece)
        remaining -= piece + 4
        index += 1
    return head + bytes(body) + _JPEG_TAIL


def blogger_size_token(url_path):
    """(token, identity) of a Blogger image path, or None. The identity is
    the path with the token replaced, so every size of one image shares it."""
    segments = url_path.split("/")
    for i, segment in enumerate(segments[:-1]):
        if SIZE_SEGMENT.match(segment):
            return segment, "/".join(segments[:i] + ["*"] + segments[i + 1:])
    match = SIZE_SUFFIX.search(segments[-1])
    if match:
        return match.group(1), url_path[:-len(match.group(0))] + "=*"
    return None


def blogger_image_size(token):
    """Bigger tokens give bigger images; s0 (the original) is the biggest."""
    numbers = [int(n) for n in re.findall(r"[0-9]+", token)]
    if token.startswith("s") and numbers and numbers[0] == 0:
        return 12_000
    return 2_048 + min(sum(numbers[:2]), 8_000)


def page_html(name, title, text):
    """A page with requisites (the /page/ route and the article pages)."""
    paragraph = " ".join([text] * 12)
    return ("<!doctype html>\n<html><head><meta charset=utf-8><title>%(title)s</title>\n"
            '<link rel=stylesheet href="/assets/%(name)s.css">\n'
            '<script src="/assets/%(name)s.js"></script>\n'
            '<link rel=icon href="/favicon.ico">\n'
            "</head><body><h1>%(title)s</h1>\n"
            '<img src="/assets/%(name)s.png" alt=local>\n'
            '<img src="https://cdn.example.net/assets/%(name)s-photo.jpg" alt=cdn>\n'
            "<p>%(paragraph)s</p>\n"
            '<p><a href="https://example.com/elsewhere">a link, not a requisite</a></p>\n'
            "</body></html>\n") % {"name": html.escape(name), "title": html.escape(title),
                                   "paragraph": html.escape(paragraph)}


def asset_bytes(url_path):
    """(content type, body) for /assets/<file> and /favicon.ico, or None."""
    name = posixpath.basename(url_path)
    stem, ext = posixpath.splitext(name)
    seed = "asset:" + url_path
    if ext == ".css":
        css = ("/* %s */\nbody { background: #fff url(/assets/%s-bg.png) no-repeat; }\n"
               '@font-face { font-family: "Fixture"; '
               'src: url(/assets/%s.woff2) format("woff2"); }\n') % (name, stem, stem)
        css += "/* %s */\n" % seeded_bytes(seed, 700).hex()
        return "text/css; charset=utf-8", css.encode("utf-8")
    if ext == ".js":
        js = "// %s\nwindow.fixture = %s;\n// %s\n" % (name, json.dumps(stem),
                                                      seeded_bytes(seed, 1100).hex())
        return "application/javascript; charset=utf-8", js.encode("utf-8")
    if ext == ".png":
        return "image/png", png_bytes(seed, 2_500)
    if ext in (".jpg", ".jpeg"):
        return "image/jpeg", jpeg_bytes(seed, 3_000)
    if ext == ".woff2":
        return "font/woff2", b"wOF2" + seeded_bytes(seed, 2_000)
    if ext == ".svg":
        svg = ('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
               "<!-- %s --></svg>\n") % seeded_bytes(seed, 600).hex()
        return "image/svg+xml", svg.encode("utf-8")
    if ext == ".ico":
        return "image/x-icon", b"\x00\x00\x01\x00\x01\x00" + seeded_bytes(seed, 1_100)
    return None


class Activity:
    """Counts requests and requests in flight, for --max-requests,
    --idle-timeout and /_stats."""

    def __init__(self, max_requests):
        self.lock = threading.Lock()
        self.max_requests = max_requests
        self.count = 0
        self.in_flight = 0
        self.last = time.monotonic()
        self.by_path = {}
        self.by_host = {}
        self.flaky = {}
        self.times = []  # (monotonic seconds, host, path) per counted request

    def begin(self, host, path, counted=True):
        with self.lock:
            self.in_flight += 1
            self.last = time.monotonic()
            if counted:
                self.count += 1
                self.by_path[path] = self.by_path.get(path, 0) + 1
                self.by_host[host] = self.by_host.get(host, 0) + 1
                if len(self.times) < 100_000:
                    self.times.append((time.monotonic(), host, path))
            return counted and self.max_requests > 0 and self.count >= self.max_requests

    def end(self):
        with self.lock:
            self.in_flight -= 1
            self.last = time.monotonic()

    def idle_seconds(self):
        with self.lock:
            return 0.0 if self.in_flight else time.monotonic() - self.last

    def stats(self):
        with self.lock:
            return {"total": self.count, "by_path": dict(self.by_path),
                    "by_host": dict(self.by_host)}

    def flaky_hit(self, key):
        """How many requests with `key` came before this one."""
        with self.lock:
            seen = self.flaky.get(key, 0)
            self.flaky[key] = seen + 1
            return seen


class FixtureHandler(fixture_archive.ArchiveRoutes, http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "rotguard-fixture/1"
    timeout = SOCKET_TIMEOUT_S

    # --- plumbing -----------------------------------------------------------

    def log_message(self, format, *args):  # noqa: A002 (base-class name)
        if not self.server.quiet:
            sys.stderr.write("fixture: %s %s\n" % (self.address_string(), format % args))

    def log_request(self, code="-", size="-"):
        super().log_request(code, size)
        if getattr(self, "logged", True):
            return  # /_stats, a second status line, or a malformed request
        self.logged = True
        status = code.value if hasattr(code, "value") else code
        self.server.shared.log_line("%s %s %s %s" % (self.host() or "-", self.command,
                                                     self.path, status))
        self.server.shared.note_request(self.server.scheme, self.host() or "-",
                                        self.command, self.path, status)

    def do_GET(self):
        self.dispatch(send_body=True)

    def do_HEAD(self):
        self.dispatch(send_body=False)

    def do_POST(self):
        length = first_int(self.headers.get("Content-Length"), 0)
        self.posted = b""
        if length > 0:
            self.posted = self.rfile.read(min(length, MAX_STATIC_BYTES))
        self.dispatch(send_body=True)

    def host(self):
        host = ((self.headers.get("Host") if self.headers else None) or "").lower()
        if host.startswith("["):
            return host[1:host.find("]")] if "]" in host else host
        return host.split(":", 1)[0]

    def dispatch(self, send_body):
        self.send_body = send_body
        self.logged = False
        self.reset_done = False
        path = urllib.parse.urlsplit(self.path).path
        counted = path not in ("/_stats", "/_requests", "/_spn_stats")
        if not counted:
            self.logged = True  # /_stats does not disturb request counts
        activity = self.server.shared.activity
        done = activity.begin(self.host(), path, counted)
        try:
            self.route()
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, TimeoutError):
            self.close_connection = True
        finally:
            activity.end()
            if done:
                self.close_connection = True
                self.server.shared.stop.set()

    def respond(self, code, body=b"", content_type="text/html; charset=utf-8",
                headers=()):
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        if self.send_body and body:
            self.wfile.write(body)

    def html(self, title, body_html):
        page = ("<!doctype html><html><head><meta charset=utf-8><title>%s</title>"
                "</head><body>%s</body></html>\n") % (title, body_html)
        return page.encode("utf-8")

    def not_found(self):
        self.respond(404, self.html("Not Found", "<p>no such page</p>"))

    def streaming_deadline(self):
        return time.monotonic() + MAX_STREAM_SECONDS

    # --- routing ------------------------------------------------------------

    def route(self):
        if self.route_canned():
            return
        parsed = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(parsed.query)
        parts = [p for p in parsed.path.split("/") if p]
        head = parts[0] if parts else ""
        builtin = {
            "redirect": self.route_redirect,
            "loop": self.route_loop,
            "chunked": self.route_chunked,
            "gzip": self.route_gzip,
            "status": self.route_status,
            "flaky": self.route_flaky,
            "slow": self.route_slow,
            "big": self.route_big,
            "reset": self.route_reset,
            "truncated": self.route_truncated,
            "drip": self.route_drip,
            "endless": self.route_endless,
            "page": self.route_page,
            "js": self.route_js,
            "interstitial": self.route_interstitial,
            "meta-refresh": self.route_meta_refresh,
            "refresh-header": self.route_refresh_header,
            "headers": self.route_headers,
            "members": self.route_members,
            "_stats": self.route_stats,
            "_requests": self.route_requests,
        }
        if self.route_public_archive(parsed, query):
            pass
        elif head in builtin:
            builtin[head](parts[1:], query)
        elif self.route_host_specific(parsed.path, parts):
            pass
        elif head == "assets" or parsed.path == "/favicon.ico":
            self.route_asset(parsed.path)
        else:
            self.route_file(parsed.path)

    def route_canned(self):
        """Serves the case file's reply for this method and URL, if any:
        its bytes as written (see tools/http_case.py for the knobs)."""
        shared = self.server.shared
        if shared.canned is None:
            return False
        url = "%s://%s%s" % (self.server.scheme, self.host(), self.path)
        reply = shared.canned.pick(self.command, url, shared.log_lock)
        if reply is None:
            return False
        if reply.delay_ms:
            time.sleep(min(reply.delay_ms, MAX_SLOW_MS) / 1000.0)
        self.log_request(reply.status)
        self.wfile.write(reply.head_bytes())
        if self.send_body:
            deadline = self.streaming_deadline()
            for piece in reply.body_pieces():
                self.wfile.write(piece)
                if time.monotonic() >= deadline:
                    break
        if reply.closes():
            self.close_quietly()
        return True

    def close_quietly(self):
        """Ends the connection after this reply with a clean close (TLS
        close_notify, then FIN), as a server that is done sending does."""
        self.close_connection = True
        self.wfile.flush()
        if isinstance(self.connection, ssl.SSLSocket):
            try:
                self.connection.unwrap()
            except (OSError, ValueError):
                pass

    def target(self, query, default="/"):
        return query.get("to", [default])[0]

    def route_redirect(self, rest, query):
        hops = min(first_int(rest[0] if rest else None, 1), MAX_REDIRECTS)
        code = first_int(query.get("code", ["302"])[0], 302)
        if code not in REDIRECT_CODES:
            code = 302
        to = self.target(query)
        if hops > 1:
            next_query = urllib.parse.urlencode({"to": to, "code": code})
            location = "/redirect/%d?%s" % (hops - 1, next_query)
        else:
            location = to
        self.redirect(code, location)

    def redirect(self, code, location):
        body = self.html("Moved", '<a href="%s">moved here</a>' % html.escape(location))
        self.respond(code, body, headers=[("Location", location)])

    def route_loop(self, rest, query):
        self.redirect(302, "/loop")

    def route_chunked(self, rest, query):
        size = max(first_int(rest[0] if rest else None, 0), 0)
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        if not self.send_body:
            return
        sent = 0
        while sent < size:
            piece = pattern_bytes(min(CHUNK_SIZE, size - sent), sent)
            self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            sent += len(piece)
        self.wfile.write(b"0\r\n\r\n")

    def route_gzip(self, rest, query):
        inner = "/" + "/".join(rest)
        path = self.file_path(inner)
        if path and os.path.isfile(path):
            with open(path, "rb") as f:
                raw = f.read(MAX_STATIC_BYTES)
            content_type = self.guess_type(path)
        else:
            raw = self.html("Compressed", "<p>%s</p>" % ("gzip me " * 200))
            content_type = "text/html; charset=utf-8"
        body = gzip.compress(raw, mtime=0)
        self.respond(200, body, content_type, headers=[("Content-Encoding", "gzip"),
                                                       ("Vary", "Accept-Encoding")])

    def status_page(self, code, query):
        if not 200 <= code <= 599:
            code = 400
        body = b"" if code in (204, 304) else self.html(str(code), "<p>status %d</p>" % code)
        headers = []
        retry_after = query.get("retry-after", [None])[0]
        if retry_after is not None:
            headers.append(("Retry-After", retry_after))
        elif code == 429 or code == 503:
            headers.append(("Retry-After", "1"))
        self.respond(code, body, headers=headers)

    def route_status(self, rest, query):
        self.status_page(first_int(rest[0] if rest else None, 200), query)

    def route_flaky(self, rest, query):
        code = first_int(rest[0] if rest else None, 503)
        failures = min(max(first_int(rest[1] if len(rest) > 1 else None, 1), 0), MAX_FLAKY)
        key = query.get("key", [self.host() + self.path])[0]
        if self.server.shared.activity.flaky_hit(key) < failures:
            self.status_page(code, query)
        else:
            self.respond(200, self.html("Recovered", "<p>%s works now</p>" % html.escape(key)))

    def route_slow(self, rest, query):
        delay_ms = min(max(first_int(rest[0] if rest else None, 1000), 0), MAX_SLOW_MS)
        time.sleep(delay_ms / 1000.0)
        self.respond(200, self.html("Slow", "<p>after %d ms</p>" % delay_ms))

    def send_stream_head(self, length, content_type="application/octet-stream"):
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        if length is None:
            self.send_header("Connection", "close")
            self.close_connection = True
        else:
            self.send_header("Content-Length", str(length))
        self.end_headers()

    def stream_pattern(self, size):
        sent = 0
        deadline = self.streaming_deadline()
        while sent < size and time.monotonic() < deadline:
            piece = pattern_bytes(min(STREAM_PIECE, size - sent), sent)
            self.wfile.write(piece)
            sent += len(piece)
        return sent

    def route_big(self, rest, query):
        size = max(first_int(rest[0] if rest else None, 0), 0)
        self.send_stream_head(size)
        if self.send_body:
            self.stream_pattern(size)

    def route_reset(self, rest, query):
        size = max(first_int(rest[0] if rest else None, 0), 0)
        self.send_stream_head(size + 100_000)
        if self.send_body:
            self.stream_pattern(size)
            self.reset_connection()

    def reset_connection(self):
        """Aborts the TCP connection with an RST (SO_LINGER 0), without a TLS
        close_notify: what a crashing server or a middlebox does."""
        self.close_connection = True
        self.wfile.flush()
        time.sleep(0.3)  # let the body bytes reach the client first
        connection = self.connection
        try:
            connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            # detach() leaves the Python objects without a descriptor, so the
            # later close in socketserver cannot hit a reused fd number.
            os.close(connection.detach())
        except OSError:
            pass

    def route_truncated(self, rest, query):
        size = max(first_int(rest[0] if rest else None, 0), 0)
        claim = max(first_int(query.get("claim", [None])[0], size * 2 + 1000), size + 1)
        self.send_stream_head(claim)
        if not self.send_body:
            return
        self.stream_pattern(size)
        self.close_quietly()

    def route_drip(self, rest, query):
        size = max(first_int(rest[0] if rest else None, 100), 0)
        interval = min(max(first_int(query.get("interval_ms", [None])[0], 1000), 1), 60_000)
        self.send_stream_head(size, "text/plain; charset=utf-8")
        if not self.send_body:
            return
        deadline = self.streaming_deadline()
        for offset in range(size):
            if time.monotonic() >= deadline:
                self.close_connection = True
                return
            self.wfile.write(pattern_bytes(1, offset))
            time.sleep(interval / 1000.0)

    def route_endless(self, rest, query):
        self.send_stream_head(None)
        if self.send_body:
            self.stream_pattern(MAX_ENDLESS_BYTES)

    def route_page(self, rest, query):
        name = rest[0] if rest else "index"
        self.respond(200, page_html(name, "Page %s" % name, "A page named %s." % name).encode("utf-8"))

    def route_js(self, rest, query):
        found = fixture_js.route(rest, query, png_bytes, pattern_bytes)
        if found is None:
            self.not_found()
            return
        code, content_type, body, headers = found
        self.respond(code, body, content_type, headers=headers)

    def route_interstitial(self, rest, query):
        self.interstitial(self.target(query))

    def interstitial(self, to):
        """The shape t.co serves to clients it takes for browsers."""
        attr = html.escape(to, quote=True)
        script = json.dumps(to).replace("/", "\\/")
        body = ('<head><noscript><META http-equiv="refresh" content="0;URL=%s"></noscript>'
                "<title>%s</title></head><script>window.opener = null; "
                "location.replace(%s)</script>\n") % (attr, attr, script)
        self.respond(200, body.encode("utf-8"), headers=[("Cache-Control", "private,max-age=300")])

    def route_meta_refresh(self, rest, query):
        to = self.target(query)
        body = ('<!doctype html><html><head><meta http-equiv="refresh" content="0; url=%s">'
                '<title>Redirecting</title></head><body><a href="%s">continue</a>'
                "</body></html>\n") % (to, to)
        self.respond(200, body.encode("utf-8"))

    def route_refresh_header(self, rest, query):
        to = self.target(query)
        body = self.html("Redirecting", '<a href="%s">continue</a>' % to)
        self.respond(200, body, headers=[("Refresh", "0; url=%s" % to)])

    def route_members(self, rest, query):
        bearer = query.get("bearer", [""])[0]
        cookie = query.get("cookie", [""])[0]
        sent = [c.strip() for c in (self.headers.get("Cookie") or "").split(";")]
        allowed = ((not bearer or self.headers.get("Authorization") == "Bearer " + bearer)
                   and (not cookie or cookie in sent))
        if not allowed:
            self.respond(401, self.html("Sign in", "<p>members only</p>"),
                         headers=[("WWW-Authenticate", 'Bearer realm="members"')])
            return
        self.respond(200, self.html("Members", "<p>the members-only study</p>"))

    def route_headers(self, rest, query):
        fields = {name: value for name, value in self.headers.items()}
        body = (json.dumps(fields, sort_keys=True) + "\n").encode("utf-8")
        self.respond(200, body, "application/json")

    def route_stats(self, rest, query):
        body = (json.dumps(self.server.shared.activity.stats(), sort_keys=True) + "\n")
        self.respond(200, body.encode("utf-8"), "application/json",
                     headers=[("Cache-Control", "no-store")])

    def route_requests(self, rest, query):
        """Every counted request so far as [seconds, host, path] (monotonic
        seconds: only differences mean something), for rate checks."""
        with self.server.shared.activity.lock:
            times = list(self.server.shared.activity.times)
        body = json.dumps([list(t) for t in times]) + "\n"
        self.respond(200, body.encode("utf-8"), "application/json",
                     headers=[("Cache-Control", "no-store")])

    def route_asset(self, url_path):
        asset = asset_bytes(url_path)
        if asset is None:
            self.route_file(url_path)
            return
        content_type, body = asset
        self.respond(200, body, content_type, headers=[("Cache-Control", "max-age=86400")])

    # --- host-specific routes -------------------------------------------------

    def route_host_specific(self, url_path, parts):
        """The routes that impersonate Blogger, shorteners and news sites;
        False when the host has none for this path."""
        host = self.host()
        if BLOGGER_HOST.search(host):
            return self.route_blogger(url_path)
        if host == "ift.tt" and len(parts) == 1:
            self.redirect(301, "https://feeds.feedburner.com/~r/%s" % parts[0])
            return True
        if host == "feeds.feedburner.com" and len(parts) == 2 and parts[0] == "~r":
            self.redirect(302, "https://www.ehackingnews.com/2020/02/%s.html" % parts[1])
            return True
        if host == "t.co" and len(parts) == 1:
            self.interstitial("https://news.example.com/%s" % parts[0])
            return True
        if host == "bit.ly" and len(parts) == 1:
            self.redirect(301, "https://news.example.com/%s" % parts[0])
            return True
        if host in ARTICLE_HOSTS:
            return self.route_article(url_path, parts)
        return False

    def route_blogger(self, url_path):
        found = blogger_size_token(url_path)
        if not found:
            return False
        token, identity = found
        body = jpeg_bytes("blogger:%s:%s" % (identity, token), blogger_image_size(token))
        self.respond(200, body, "image/jpeg", headers=[("Cache-Control", "public, max-age=86400")])
        return True

    def route_article(self, url_path, parts):
        if url_path in ARTICLE_ERRORS:
            self.status_page(ARTICLE_ERRORS[url_path], {})
            return True
        if url_path in ARTICLE_MOVES:
            self.redirect(301, ARTICLE_MOVES[url_path])
            return True
        if parts and parts[0] == "assets":
            return False
        ext = posixpath.splitext(url_path)[1]
        if ext not in ("", ".html", ".htm", ".php"):
            if self.route_existing_file(url_path):
                return True
            if asset_bytes(url_path) is None:
                return False  # a 404 from route_file
            self.route_asset(url_path)
            return True
        if self.route_existing_file(url_path):
            return True
        title = "Article %s" % url_path
        body = page_html("article", title, "The story at %s." % url_path)
        self.respond(200, body.encode("utf-8"))
        return True

    # --- static files -------------------------------------------------------

    def host_root(self):
        host = self.host()
        root = self.server.shared.root
        if host and "/" not in host and host not in (".", ".."):
            candidate = os.path.join(root, host)
            if os.path.isdir(candidate):
                return candidate
        return root

    def file_path(self, url_path):
        """Maps a URL path to a file under the host's root, or None when it
        would leave the root."""
        root = self.host_root()
        clean = posixpath.normpath(urllib.parse.unquote(url_path))
        parts = [p for p in clean.split("/") if p and p not in (".", "..")]
        path = os.path.join(root, *parts)
        real_root = os.path.realpath(root)
        real_path = os.path.realpath(path)
        if real_path != real_root and not real_path.startswith(real_root + os.sep):
            return None
        if os.path.isdir(path):
            path = os.path.join(path, "index.html")
        return path

    def guess_type(self, path):
        content_type, _ = mimetypes.guess_type(path)
        content_type = content_type or "application/octet-stream"
        if content_type.startswith("text/"):
            content_type += "; charset=utf-8"
        return content_type

    def route_existing_file(self, url_path):
        path = self.file_path(url_path)
        if not path or not os.path.isfile(path):
            return False
        with open(path, "rb") as f:
            body = f.read(MAX_STATIC_BYTES)
        self.respond(200, body, self.guess_type(path))
        return True

    def route_file(self, url_path):
        if not self.route_existing_file(url_path):
            self.not_found()


fixture_archive.PNG_BYTES = png_bytes


class Shared:
    """State shared by the HTTP and TLS listeners of one process."""

    def __init__(self, root, quiet, max_requests, log_path, canned=None):
        self.root = os.path.abspath(root)
        self.canned = canned  # http_case.CannedReplies, or None
        # (scheme, host, method, path, status) per request, when a caller
        # sets it to a list (tests/integration/http_cases.py).
        self.requests = None
        self.quiet = quiet
        self.activity = Activity(max_requests)
        self.spn_jobs = {}  # Save Page Now job id -> URL (fixture_archive)
        self.spn_saves = []  # (monotonic seconds, status, url) per POST /save
        self.spn_polls = 0  # job status requests
        self.stop = threading.Event()
        self.log_lock = threading.Lock()
        self.log_file = open(log_path, "a", encoding="utf-8") if log_path else None

    def log_line(self, line):
        if self.log_file is None:
            return
        with self.log_lock:
            self.log_file.write(line + "\n")
            self.log_file.flush()

    def note_request(self, scheme, host, method, path, status):
        if self.requests is None:
            return
        with self.log_lock:
            self.requests.append((scheme, host, method, path, status))


class FixtureServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, shared, scheme):
        self.shared = shared
        self.quiet = shared.quiet
        self.scheme = scheme
        super().__init__(address, FixtureHandler)

    def handle_error(self, request, client_address):
        # Clients that hang up or reject the test certificate are expected
        # in tests; one line instead of a traceback.
        error = sys.exc_info()[1]
        if isinstance(error, (ssl.SSLError, ConnectionError, TimeoutError, OSError)):
            if not self.quiet:
                sys.stderr.write("fixture: %s: %s\n" % (client_address[0], error))
            return
        super().handle_error(request, client_address)


def tls_context(cert, key, bad_cert=None, bad_key=None):
    """Server context; with bad_cert, SNI badcert.example.org gets that
    certificate (from another CA) instead."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    context.set_alpn_protocols(["http/1.1"])
    if bad_cert:
        bad = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        bad.load_cert_chain(bad_cert, bad_key)
        bad.set_alpn_protocols(["http/1.1"])

        def pick(ssl_socket, server_name, _context):
            if server_name and server_name.lower() == BAD_CERT_HOST:
                ssl_socket.context = bad
        context.sni_callback = pick
    return context


def serve_tls(server, context):
    # The handshake then runs in the handler thread at the first read, so a
    # client that never finishes it cannot stall the accept loop.
    server.socket = context.wrap_socket(server.socket, server_side=True,
                                        do_handshake_on_connect=False)


def make_blackhole(addr):
    """A listener whose accept queue is full and never drained: new SYNs get
    no answer, so connecting to it times out (connect-timeout scenario).
    Returns (listener, fillers, port); keep all of them open."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind((addr, 0))
    listener.listen(1)
    port = listener.getsockname()[1]
    fillers = []
    for _ in range(64):
        probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        probe.setblocking(False)
        try:
            probe.connect((addr, port))
        except BlockingIOError:
            pass
        _, writable, _ = select.select([], [probe], [], 0.5)
        if not writable or probe.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR):
            probe.close()  # unanswered SYN: the queue is full
            return listener, fillers, port
        fillers.append(probe)
    raise RuntimeError("blackhole listener on %s:%d never filled up" % (addr, port))


def random_loopback():
    return "127.%d.%d.%d" % (random.randint(10, 250), random.randint(1, 254),
                             random.randint(2, 254))


def bind_fixture_web(shared, high_ports):
    """Binds HTTP and TLS listeners on one random 127.x.y.z: 80/443 when
    allowed (root), else ephemeral ports. Returns (addr, http, https)."""
    for _ in range(20):
        addr = random_loopback()
        ports = (0, 0) if high_ports else (80, 443)
        try:
            http_server = FixtureServer((addr, ports[0]), shared, "http")
        except PermissionError:
            addr, ports = addr, (0, 0)
            http_server = FixtureServer((addr, 0), shared, "http")
        except OSError as error:
            if error.errno in (errno.EADDRINUSE, errno.EADDRNOTAVAIL):
                continue
            raise
        try:
            https_server = FixtureServer((addr, ports[1]), shared, "https")
        except OSError as error:
            http_server.server_close()
            if error.errno in (errno.EADDRINUSE, errno.EADDRNOTAVAIL, errno.EACCES):
                continue
            raise
        return addr, http_server, https_server
    raise RuntimeError("no free loopback address for the fixture web")


def fixture_args(cacert, addr, http_port, https_port, hosts=FIXTURE_HOSTS):
    """The rotguard (and curl) flags that send every fixture host here."""
    args = ["--cacert", cacert]
    for host in hosts:
        if http_port == 80 and https_port == 443:
            args += ["--resolve", "%s:80:%s" % (host, addr),
                     "--resolve", "%s:443:%s" % (host, addr)]
        else:
            args += ["--connect-to", "%s:80:%s:%d" % (host, addr, http_port),
                     "--connect-to", "%s:443:%s:%d" % (host, addr, https_port)]
    return args


def write_atomically(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=0, help="0 = any free port")
    parser.add_argument("--port-file", help="also write the port number here")
    parser.add_argument("--root", default=".", help="directory of fixture files")
    parser.add_argument("--tls", action="store_true", help="serve HTTPS")
    parser.add_argument("--cert", help="server certificate (PEM), with --tls")
    parser.add_argument("--key", help="server private key (PEM), with --tls")
    parser.add_argument("--fixture-web", metavar="DIR",
                        help="serve the fixture web (HTTP + TLS + blackhole) with the "
                             "test CA made in DIR; write DIR/env, DIR/requests.log")
    parser.add_argument("--high-ports", action="store_true",
                        help="with --fixture-web: ephemeral ports even when 80/443 "
                             "could be bound")
    parser.add_argument("--max-requests", type=int, default=0,
                        help="exit after this many requests (0 = no limit)")
    parser.add_argument("--idle-timeout", type=float, default=120.0,
                        help="exit after this many seconds without a request")
    parser.add_argument("--max-seconds", type=float, default=0,
                        help="exit after this many seconds in any case (0 = no limit)")
    parser.add_argument("--log", help="append 'HOST METHOD PATH STATUS' per request")
    parser.add_argument("--quiet", action="store_true", help="no request log on stderr")
    parser.add_argument("--canned", metavar="CASE",
                        help="serve the '== reply' sections of this HTTP test case "
                             "(tests/data/http/*.case) before the built-in routes")
    args = parser.parse_args(argv)
    if args.tls and not (args.cert and args.key):
        parser.error("--tls needs --cert and --key")
    if args.idle_timeout <= 0:
        parser.error("--idle-timeout must be positive")
    return args


def watch(shared, idle_timeout, max_seconds):
    started = time.monotonic()
    while not shared.stop.wait(min(1.0, idle_timeout)):
        if shared.activity.idle_seconds() >= idle_timeout:
            break
        if max_seconds > 0 and time.monotonic() - started >= max_seconds:
            break
    shared.stop.set()


def run(servers, shared, args):
    threading.Thread(target=watch, args=(shared, args.idle_timeout, args.max_seconds),
                     daemon=True).start()
    for server in servers:
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2},
                         daemon=True).start()
    try:
        shared.stop.wait()
    except KeyboardInterrupt:
        pass
    for server in servers:
        server.shutdown()
        server.server_close()


def load_canned(path):
    """The CannedReplies of a case file, or None without --canned."""
    if not path:
        return None
    sys.dont_write_bytecode = True  # no __pycache__ in the source tree
    import http_case  # tools/http_case.py, next to this file
    return http_case.CannedReplies(http_case.parse_file(path).replies)


def case_hosts(canned):
    """FIXTURE_HOSTS plus the hosts the canned replies name."""
    extra = [h for h in canned.hosts() if h not in FIXTURE_HOSTS] if canned else []
    return FIXTURE_HOSTS + tuple(extra)


def main_single(args):
    shared = Shared(args.root, args.quiet, args.max_requests, args.log,
                    load_canned(args.canned))
    server = FixtureServer(("127.0.0.1", args.port), shared, "https" if args.tls else "http")
    if args.tls:
        serve_tls(server, tls_context(args.cert, args.key))
    port = server.server_address[1]
    if args.port_file:
        write_atomically(args.port_file, "%d\n" % port)
    print("PORT=%d" % port, flush=True)
    run([server], shared, args)
    return 0


def main_fixture_web(args):
    web_dir = os.path.abspath(args.fixture_web)
    log_path = args.log or os.path.join(web_dir, "requests.log")
    open(log_path, "a").close()
    shared = Shared(args.root, args.quiet, args.max_requests, log_path,
                    load_canned(args.canned))
    addr, http_server, https_server = bind_fixture_web(shared, args.high_ports)
    serve_tls(https_server, tls_context(
        os.path.join(web_dir, "server.pem"), os.path.join(web_dir, "server.key"),
        os.path.join(web_dir, "badca", "server.pem"),
        os.path.join(web_dir, "badca", "server.key")))
    blackhole = make_blackhole(addr)
    http_port = http_server.server_address[1]
    https_port = https_server.server_address[1]
    cacert = os.path.join(web_dir, "ca.pem")
    env = {
        "FIXTURE_DIR": web_dir,
        "FIXTURE_ADDR": addr,
        "FIXTURE_HTTP_PORT": str(http_port),
        "FIXTURE_HTTPS_PORT": str(https_port),
        "FIXTURE_CACERT": cacert,
        "FIXTURE_LOG": log_path,
        "FIXTURE_PID": str(os.getpid()),
        "FIXTURE_ARGS": " ".join(fixture_args(cacert, addr, http_port, https_port,
                                              case_hosts(shared.canned))),
        "FIXTURE_BLACKHOLE": "%s:%d" % (addr, blackhole[2]),
        "FIXTURE_HOSTS": " ".join(case_hosts(shared.canned)),
    }
    write_atomically(os.path.join(web_dir, "env"), "".join(
        "export %s=%s\n" % (name, shlex.quote(value)) for name, value in env.items()))
    run([http_server, https_server], shared, args)
    return 0


def main(argv):
    args = parse_args(argv)
    if args.fixture_web:
        return main_fixture_web(args)
    return main_single(args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
