#!/usr/bin/env python3
"""Loopback fixture web server for rotguard's tests and demo.

Serves the files under --root (per virtual host: a request for Host H is
served from --root/H/ when that directory exists) plus built-in routes that
produce the awkward responses an archiver has to record:

  /redirect/<n>?to=URL[&code=301|302|303|307|308]
                          a chain of n redirects ending at URL (default /)
  /loop                   a redirect to itself, forever
  /chunked/<size>         <size> bytes sent with Transfer-Encoding: chunked
  /gzip/<path>            the file <path> (or a generated page) with
                          Content-Encoding: gzip
  /status/<code>          an empty-ish response with that status
  /slow/<ms>              answers after <ms> milliseconds (capped at 60 s)
  /big/<bytes>            <bytes> bytes streamed with a Content-Length
  /meta-refresh?to=URL    an HTML page with <meta http-equiv=refresh>
  /refresh-header?to=URL  a page with a "Refresh: 0; url=URL" header
  /headers                the request headers as JSON

It binds 127.0.0.1 only. With --port 0 the kernel picks a port; the first
line on stdout is "PORT=<n>" (also written to --port-file). The server exits
after --max-requests requests or --idle-timeout seconds without a request, so
it never outlives the test that started it.

Python 3 standard library only.
"""

import argparse
import gzip
import http.server
import json
import mimetypes
import os
import posixpath
import ssl
import sys
import threading
import time
import urllib.parse

MAX_SLOW_MS = 60_000
MAX_REDIRECTS = 100
MAX_STATIC_BYTES = 256 * 1024 * 1024
STREAM_PIECE = 64 * 1024
CHUNK_SIZE = 1000
SOCKET_TIMEOUT_S = 30
REDIRECT_CODES = {301, 302, 303, 307, 308}


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


def first_int(text, default=None):
    try:
        return int(text)
    except (TypeError, ValueError):
        return default


class Activity:
    """Counts requests and remembers the last one, for --max-requests and
    --idle-timeout."""

    def __init__(self, max_requests):
        self.lock = threading.Lock()
        self.max_requests = max_requests
        self.count = 0
        self.last = time.monotonic()

    def note_request(self):
        with self.lock:
            self.count += 1
            self.last = time.monotonic()
            return self.max_requests > 0 and self.count >= self.max_requests

    def idle_seconds(self):
        with self.lock:
            return time.monotonic() - self.last


class FixtureHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "rotguard-fixture/1"
    timeout = SOCKET_TIMEOUT_S

    # --- plumbing -----------------------------------------------------------

    def log_message(self, format, *args):  # noqa: A002 (base-class name)
        if not self.server.quiet:
            sys.stderr.write("fixture: %s %s\n" % (self.address_string(), format % args))

    def do_GET(self):
        self.dispatch(send_body=True)

    def do_HEAD(self):
        self.dispatch(send_body=False)

    def do_POST(self):
        length = first_int(self.headers.get("Content-Length"), 0)
        if length > 0:
            self.rfile.read(min(length, MAX_STATIC_BYTES))
        self.dispatch(send_body=True)

    def dispatch(self, send_body):
        self.send_body = send_body
        done = self.server.activity.note_request()
        try:
            self.route()
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            if done:
                self.close_connection = True
                threading.Thread(target=self.server.shutdown, daemon=True).start()

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

    # --- routing ------------------------------------------------------------

    def route(self):
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
            "slow": self.route_slow,
            "big": self.route_big,
            "meta-refresh": self.route_meta_refresh,
            "refresh-header": self.route_refresh_header,
            "headers": self.route_headers,
        }
        if head in builtin:
            builtin[head](parts[1:], query)
        else:
            self.route_file(parsed.path)

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
        body = self.html("Moved", '<a href="%s">moved here</a>' % location)
        self.respond(code, body, headers=[("Location", location)])

    def route_loop(self, rest, query):
        body = self.html("Loop", '<a href="/loop">again</a>')
        self.respond(302, body, headers=[("Location", "/loop")])

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

    def route_status(self, rest, query):
        code = first_int(rest[0] if rest else None, 200)
        if not 200 <= code <= 599:
            code = 400
        body = b"" if code in (204, 304) else self.html(str(code), "<p>status %d</p>" % code)
        headers = []
        if code == 429 or code == 503:
            headers.append(("Retry-After", "1"))
        self.respond(code, body, headers=headers)

    def route_slow(self, rest, query):
        delay_ms = min(max(first_int(rest[0] if rest else None, 1000), 0), MAX_SLOW_MS)
        time.sleep(delay_ms / 1000.0)
        self.respond(200, self.html("Slow", "<p>after %d ms</p>" % delay_ms))

    def route_big(self, rest, query):
        size = max(first_int(rest[0] if rest else None, 0), 0)
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(size))
        self.end_headers()
        if not self.send_body:
            return
        sent = 0
        while sent < size:
            piece = pattern_bytes(min(STREAM_PIECE, size - sent), sent)
            self.wfile.write(piece)
            sent += len(piece)

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

    def route_headers(self, rest, query):
        fields = {name: value for name, value in self.headers.items()}
        body = (json.dumps(fields, sort_keys=True) + "\n").encode("utf-8")
        self.respond(200, body, "application/json")

    # --- static files -------------------------------------------------------

    def host_root(self):
        host = (self.headers.get("Host") or "").lower()
        if host.startswith("["):
            host = host[1:host.find("]")] if "]" in host else host
        else:
            host = host.split(":", 1)[0]
        root = self.server.root
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

    def route_file(self, url_path):
        path = self.file_path(url_path)
        if not path or not os.path.isfile(path):
            self.respond(404, self.html("Not Found", "<p>no such page</p>"))
            return
        with open(path, "rb") as f:
            body = f.read(MAX_STATIC_BYTES)
        self.respond(200, body, self.guess_type(path))


class FixtureServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        # Clients that hang up or reject the test certificate are expected
        # in tests; one line instead of a traceback.
        error = sys.exc_info()[1]
        if isinstance(error, (ssl.SSLError, ConnectionError, TimeoutError)):
            if not self.quiet:
                sys.stderr.write("fixture: %s: %s\n" % (client_address[0], error))
            return
        super().handle_error(request, client_address)


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=0, help="0 = any free port")
    parser.add_argument("--port-file", help="also write the port number here")
    parser.add_argument("--root", default=".", help="directory of fixture files")
    parser.add_argument("--tls", action="store_true", help="serve HTTPS")
    parser.add_argument("--cert", help="server certificate (PEM), with --tls")
    parser.add_argument("--key", help="server private key (PEM), with --tls")
    parser.add_argument("--max-requests", type=int, default=0,
                        help="exit after this many requests (0 = no limit)")
    parser.add_argument("--idle-timeout", type=float, default=120.0,
                        help="exit after this many seconds without a request")
    parser.add_argument("--quiet", action="store_true", help="no request log")
    args = parser.parse_args(argv)
    if args.tls and not (args.cert and args.key):
        parser.error("--tls needs --cert and --key")
    if args.idle_timeout <= 0:
        parser.error("--idle-timeout must be positive")
    return args


def watch_idle(server, idle_timeout):
    while True:
        time.sleep(min(1.0, idle_timeout))
        if server.activity.idle_seconds() >= idle_timeout:
            server.shutdown()
            return


def main(argv):
    args = parse_args(argv)
    server = FixtureServer(("127.0.0.1", args.port), FixtureHandler)
    server.root = os.path.abspath(args.root)
    server.quiet = args.quiet
    server.activity = Activity(args.max_requests)
    if args.tls:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.cert, args.key)
        # The handshake then runs in the handler thread at the first read, so
        # a client that never finishes it cannot stall the accept loop.
        server.socket = context.wrap_socket(server.socket, server_side=True,
                                            do_handshake_on_connect=False)
    port = server.server_address[1]
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % port)
        os.replace(tmp, args.port_file)
    print("PORT=%d" % port, flush=True)
    threading.Thread(target=watch_idle, args=(server, args.idle_timeout),
                     daemon=True).start()
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
