#!/usr/bin/env python3
"""Loopback test proxy for rotguard's tests (Python stdlib only).

One process, two listeners on 127.0.0.1 (ephemeral ports):

* an HTTP proxy: absolute-form requests ("GET http://host:port/p HTTP/1.1",
  forwarded in origin form with "Connection: close") and CONNECT tunnels
  ("CONNECT host:443 HTTP/1.1", then bytes both ways);
* a SOCKS5 proxy (RFC 1928, no authentication, CONNECT only; IPv4, IPv6
  and domain-name addresses, so both socks5:// and socks5h:// work);
* with --tls-cert FILE --tls-key FILE, a third listener: the same HTTP
  proxy spoken to over TLS (an https:// proxy URL), its log lines
  starting with "tls " ("tls connect host:port", "tls http GET ..."), and
  "tls handshake-failed" when a client gives up on the certificate.

It never looks a name up: a target host is an IP literal or a name given
with --map HOST=ADDR; any other name is refused (HTTP 502, SOCKS reply 4
"host unreachable"), and so is a target that does not accept the
connection (HTTP 502, SOCKS reply 5).

Every request is logged to --log, one line each, before it is forwarded:
  http GET http://host:port/path     (absolute form, as received)
  connect host:port                  (a CONNECT tunnel)
  socks5 host:port                   (host as the client sent it: a name
                                      for socks5h, an address for socks5)
With --auth USER:PASS the HTTP proxy answers 407 unless the request
carries "Proxy-Authorization: Basic base64(USER:PASS)"; the log line then
ends in " auth=ok" or " auth=missing".

Usage:
  fixture_proxy.py --log FILE --ready FILE [--map HOST=ADDR]...
                   [--auth USER:PASS] [--max-seconds N]
                   [--tls-cert FILE --tls-key FILE]
Once the listeners accept, --ready receives shell lines
  PROXY_HTTP_PORT=<n>
  PROXY_SOCKS_PORT=<n>
  PROXY_HTTPS_PORT=<n>     (with --tls-cert only)
  PROXY_PID=<pid>
The process exits after --max-seconds (default 300) or on SIGTERM.
"""

import argparse
import base64
import ipaddress
import os
import select
import signal
import socket
import socketserver
import ssl
import struct
import sys
import threading
import time

ARGS = None
LOG_LOCK = threading.Lock()


def log(line):
    with LOG_LOCK:
        with open(ARGS.log, "a", encoding="utf-8") as f:
            f.write(line + "\n")


def target_address(host):
    """The address to connect to for `host`, or None (never a DNS query)."""
    host = host.strip("[]").lower()
    if host in ARGS.mapping:
        return ARGS.mapping[host]
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return None


def connect(host, port):
    address = target_address(host)
    if address is None:
        return None
    try:
        return socket.create_connection((address, port), timeout=10)
    except OSError:
        return None


def relay(a, b):
    """Copies bytes both ways until either side closes."""
    sockets = [a, b]
    try:
        while True:
            readable, _, _ = select.select(sockets, [], [], 60)
            if not readable:
                return
            for s in readable:
                data = s.recv(65536)
                if not data:
                    return
                (b if s is a else a).sendall(data)
                # TLS may hold decrypted bytes that select() cannot see.
                while isinstance(s, ssl.SSLSocket) and s.pending():
                    data = s.recv(65536)
                    if not data:
                        return
                    (b if s is a else a).sendall(data)
    except OSError:
        return


def read_head(sock):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            return None, b""
        data += chunk
        if len(data) > 65536:
            return None, b""
    head, rest = data.split(b"\r\n\r\n", 1)
    return head.decode("latin-1"), rest


def split_host_port(authority, default_port):
    if authority.startswith("["):
        close = authority.index("]")
        host, rest = authority[1:close], authority[close + 1:]
        port = int(rest[1:]) if rest.startswith(":") else default_port
        return host, port
    if ":" in authority:
        host, port = authority.rsplit(":", 1)
        return host, int(port)
    return authority, default_port


class HttpProxy(socketserver.BaseRequestHandler):
    prefix = ""  # of its log lines

    def reply(self, status, reason):
        body = ("%d %s\n" % (status, reason)).encode()
        extra = ""
        if status == 407:
            extra = 'Proxy-Authenticate: Basic realm="fixture"\r\n'
        self.request.sendall(
            ("HTTP/1.1 %d %s\r\n%sContent-Length: %d\r\n"
             "Connection: close\r\n\r\n" % (status, reason, extra, len(body))
             ).encode() + body)

    def authorized(self, headers):
        if not ARGS.auth:
            return True
        want = "Basic " + base64.b64encode(ARGS.auth.encode()).decode()
        return any(name.lower() == "proxy-authorization" and value == want
                   for name, value in headers)

    def handle(self):
        head, rest = read_head(self.request)
        if head is None:
            return
        lines = head.split("\r\n")
        method, target, version = (lines[0].split(" ") + ["", ""])[:3]
        headers = [tuple(part.strip() for part in line.split(":", 1))
                   for line in lines[1:] if ":" in line]
        ok = self.authorized(headers)
        suffix = "" if not ARGS.auth else (" auth=ok" if ok else " auth=missing")
        if method == "CONNECT":
            log("%sconnect %s%s" % (self.prefix, target, suffix))
        else:
            log("%shttp %s %s%s" % (self.prefix, method, target, suffix))
        if not ok:
            self.reply(407, "Proxy Authentication Required")
            return
        if method == "CONNECT":
            self.tunnel(target)
        else:
            self.forward(method, target, version, headers, rest)

    def tunnel(self, authority):
        host, port = split_host_port(authority, 443)
        upstream = connect(host, port)
        if upstream is None:
            self.reply(502, "Bad Gateway")
            return
        with upstream:
            self.request.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            relay(self.request, upstream)

    def forward(self, method, target, version, headers, rest):
        if not target.lower().startswith("http://"):
            self.reply(400, "Bad Request")
            return
        after = target[len("http://"):]
        slash = min([i for i in (after.find("/"), after.find("?")) if i >= 0]
                    or [len(after)])
        host, port = split_host_port(after[:slash], 80)
        path = after[slash:] or "/"
        if path.startswith("?"):
            path = "/" + path
        upstream = connect(host, port)
        if upstream is None:
            self.reply(502, "Bad Gateway")
            return
        kept = [(n, v) for n, v in headers
                if n.lower() not in ("proxy-connection", "proxy-authorization",
                                     "connection")]
        out = "%s %s %s\r\n" % (method, path, version or "HTTP/1.1")
        out += "".join("%s: %s\r\n" % (n, v) for n, v in kept)
        out += "Connection: close\r\n\r\n"
        with upstream:
            upstream.sendall(out.encode("latin-1") + rest)
            while True:
                data = upstream.recv(65536)
                if not data:
                    break
                self.request.sendall(data)


class TlsHttpProxy(HttpProxy):
    """The HTTP proxy behind a TLS handshake (an https:// proxy URL)."""
    prefix = "tls "

    def handle(self):
        try:
            self.request.do_handshake()
        except (ssl.SSLError, OSError):
            log("tls handshake-failed")
            return
        super().handle()


class Socks5Proxy(socketserver.BaseRequestHandler):
    def recv_exact(self, n):
        data = b""
        while len(data) < n:
            chunk = self.request.recv(n - len(data))
            if not chunk:
                raise ConnectionError("closed")
            data += chunk
        return data

    def answer(self, code):
        self.request.sendall(struct.pack("!BBBB4sH", 5, code, 0, 1,
                                         b"\0\0\0\0", 0))

    def handle(self):
        try:
            version, count = self.recv_exact(2)
            methods = self.recv_exact(count)
            if version != 5 or 0 not in methods:
                self.request.sendall(b"\x05\xff")
                return
            self.request.sendall(b"\x05\x00")
            version, command, _, kind = self.recv_exact(4)
            if kind == 1:
                host = socket.inet_ntop(socket.AF_INET, self.recv_exact(4))
            elif kind == 4:
                host = socket.inet_ntop(socket.AF_INET6, self.recv_exact(16))
            elif kind == 3:
                host = self.recv_exact(self.recv_exact(1)[0]).decode("latin-1")
            else:
                self.answer(8)
                return
            (port,) = struct.unpack("!H", self.recv_exact(2))
        except (ConnectionError, OSError, ValueError):
            return
        log("socks5 %s:%d" % (host, port))
        if command != 1:
            self.answer(7)
            return
        if target_address(host) is None:
            self.answer(4)
            return
        upstream = connect(host, port)
        if upstream is None:
            self.answer(5)
            return
        with upstream:
            self.answer(0)
            relay(self.request, upstream)


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class TlsServer(Server):
    """Wraps each accepted socket; the handshake runs in its thread."""
    context = None

    def get_request(self):
        sock, address = self.socket.accept()
        return (self.context.wrap_socket(sock, server_side=True,
                                         do_handshake_on_connect=False),
                address)


def main():
    global ARGS
    parser = argparse.ArgumentParser()
    parser.add_argument("--log", required=True)
    parser.add_argument("--ready", required=True)
    parser.add_argument("--map", action="append", default=[])
    parser.add_argument("--auth", default="")
    parser.add_argument("--max-seconds", type=float, default=300)
    parser.add_argument("--tls-cert", default="")
    parser.add_argument("--tls-key", default="")
    ARGS = parser.parse_args()
    ARGS.mapping = {}
    for entry in ARGS.map:
        host, address = entry.split("=", 1)
        ARGS.mapping[host.lower()] = address
    open(ARGS.log, "a").close()
    http = Server(("127.0.0.1", 0), HttpProxy)
    socks = Server(("127.0.0.1", 0), Socks5Proxy)
    servers = [http, socks]
    lines = "PROXY_HTTP_PORT=%d\nPROXY_SOCKS_PORT=%d\n" % (
        http.server_address[1], socks.server_address[1])
    if ARGS.tls_cert:
        TlsServer.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        TlsServer.context.load_cert_chain(ARGS.tls_cert, ARGS.tls_key)
        https = TlsServer(("127.0.0.1", 0), TlsHttpProxy)
        servers.append(https)
        lines += "PROXY_HTTPS_PORT=%d\n" % https.server_address[1]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    tmp = ARGS.ready + ".tmp"
    with open(tmp, "w") as f:
        f.write(lines + "PROXY_PID=%d\n" % os.getpid())
    os.rename(tmp, ARGS.ready)
    time.sleep(ARGS.max_seconds)


if __name__ == "__main__":
    main()
