"""Reads the declarative HTTP test cases under tests/data/http/*.case (the
format is described in tests/data/http/README.md).

A case file is a list of sections, each opened by a line "== KIND [ARGS]"
and running to the next such line. Used by tools/fixture_server.py (--canned:
the "reply" sections) and by the runner tests/integration/http_cases.py
(everything else).

Python 3 standard library only.
"""

import gzip
import re
import shlex

SECTION = re.compile(r"^== (\S.*?)\s*$")
# Where a section's content is raw bytes to send or write, "#" lines are
# content; elsewhere they are comments.
RAW_SECTIONS = ("reply", "file")
SIZE = re.compile(r"^([0-9]+)([KM]?)$")
PATTERN_ALPHABET = b"abcdefghijklmnopqrstuvwxyz0123456789\n"
ENDLESS_CAP = 2 * 1024 * 1024 * 1024
DEFAULT_CHUNK = 1000
METHODS = ("GET", "HEAD", "POST")


class CaseError(Exception):
    """A malformed case file; the message names file:line."""


def pattern_bytes(size, offset=0):
    """The fixture's deterministic body bytes: a repeating alphabet (the same
    bytes as /big/<n> and /chunked/<n> of tools/fixture_server.py)."""
    alphabet = PATTERN_ALPHABET
    start = offset % len(alphabet)
    repeats = (start + size) // len(alphabet) + 1
    return (alphabet * repeats)[start:start + size]


def parse_size(text, where):
    match = SIZE.match(text)
    if not match:
        raise CaseError("%s: size %r is not N, NK or NM" % (where, text))
    return int(match.group(1)) * {"": 1, "K": 1024, "M": 1024 * 1024}[match.group(2)]


def url_pattern(url):
    """A compiled matcher for a reply URL: exact, except that "*" matches any
    run of characters (so "?" in a query string stays literal)."""
    return re.compile("^" + ".*".join(re.escape(part) for part in url.split("*")) + "$")


class Reply:
    """One canned server reply: the raw status line and header lines, the
    body, and the knobs that shape how it is sent."""

    def __init__(self, method, url, lines, knobs, where):
        self.method = method
        self.url = url
        self.matcher = url_pattern(url)
        self.where = where
        self.delay_ms = 0
        self.close = False
        self.gzip = False
        self.pattern = None  # body size in bytes, or "endless"
        self.chunk = DEFAULT_CHUNK
        self.parse_knobs(knobs)
        if not lines or not lines[0].startswith("HTTP/"):
            raise CaseError("%s: a reply starts with a status line (HTTP/1.1 200 OK)" % where)
        blank = lines.index("") if "" in lines else len(lines)
        self.head_lines = lines[:blank]
        text = "\n".join(lines[blank + 1:])
        self.text = (text + "\n").encode("utf-8") if text else b""
        try:
            self.status = int(self.head_lines[0].split()[1])
        except (IndexError, ValueError):
            raise CaseError("%s: bad status line %r" % (where, self.head_lines[0])) from None

    def parse_knobs(self, knobs):
        for knob in knobs:
            name, _, value = knob.partition("=")
            if name == "delay":
                self.delay_ms = parse_size(value, self.where)
            elif name == "close" and not value:
                self.close = True
            elif name == "gzip" and not value:
                self.gzip = True
            elif name == "pattern":
                self.pattern = "endless" if value == "endless" else parse_size(value, self.where)
            elif name == "chunk":
                self.chunk = max(parse_size(value, self.where), 1)
            else:
                raise CaseError("%s: unknown reply knob %r" % (self.where, knob))

    def header(self, name):
        for line in self.head_lines[1:]:
            key, _, value = line.partition(":")
            if key.strip().lower() == name.lower():
                return value.strip()
        return None

    def chunked(self):
        return (self.header("Transfer-Encoding") or "").lower() == "chunked"

    def body(self):
        """The body bytes (not for pattern=endless)."""
        body = pattern_bytes(self.pattern) if isinstance(self.pattern, int) else self.text
        return gzip.compress(body, mtime=0) if self.gzip else body

    def has_length(self):
        """False when the body runs until the connection closes."""
        return self.pattern != "endless"

    def head_bytes(self):
        """Status line and headers as sent: CRLF line ends, plus a
        Content-Length when the case gives none, the body is not chunked and
        has an end."""
        lines = list(self.head_lines)
        if (self.header("Content-Length") is None and not self.chunked() and
                self.has_length()):
            lines.append("Content-Length: %d" % len(self.body()))
        return ("\r\n".join(lines) + "\r\n\r\n").encode("iso-8859-1")

    def closes(self):
        """Whether the server closes the connection after this reply: asked
        for, implied by the headers, or needed because the body is shorter
        than its Content-Length (the client would wait for the rest)."""
        if self.close or not self.has_length():
            return True
        if (self.header("Connection") or "").lower() == "close":
            return True
        declared = self.header("Content-Length")
        return declared is not None and declared.isdigit() and int(declared) != len(self.body())

    def body_pieces(self, piece_size=64 * 1024):
        """The body as written to the socket, in pieces (chunk-framed when
        the reply says Transfer-Encoding: chunked)."""
        if self.pattern == "endless":
            sent = 0
            while sent < ENDLESS_CAP:
                yield pattern_bytes(piece_size, sent)
                sent += piece_size
            return
        body = self.body()
        if not self.chunked():
            for start in range(0, len(body), piece_size):
                yield body[start:start + piece_size]
            return
        for start in range(0, len(body), self.chunk):
            piece = body[start:start + self.chunk]
            yield b"%x\r\n%s\r\n" % (len(piece), piece)
        yield b"0\r\n\r\n"


class Section:
    def __init__(self, kind, args, lines, line_number):
        self.kind = kind
        self.args = args
        self.lines = lines
        self.line_number = line_number


class Case:
    """A parsed case file: its sections in order, plus the replies."""

    def __init__(self, path, sections):
        self.path = path
        self.sections = sections
        self.replies = []
        for section in sections:
            if section.kind == "reply":
                self.replies.append(reply_from(section, self.where(section)))

    def where(self, section):
        return "%s:%d" % (self.path, section.line_number)

    def all(self, kind, args=None):
        return [s for s in self.sections
                if s.kind == kind and (args is None or s.args[:len(args)] == args)]

    def first(self, kind):
        found = self.all(kind)
        return found[0] if found else None


def reply_from(section, where):
    args = list(section.args)
    method = args.pop(0) if args and args[0] in METHODS else None
    if not args or not re.match(r"^https?://", args[0]):
        raise CaseError("%s: == reply [METHOD] http(s)://HOST/PATH [KNOB...]" % where)
    return Reply(method, args[0], section.lines, args[1:], where)


def strip_trailing_blank(lines):
    while lines and not lines[-1].strip():
        lines.pop()
    return lines


def parse_text(text, path="<case>"):
    sections = []
    current = None
    for number, raw in enumerate(text.split("\n"), 1):
        line = raw[:-1] if raw.endswith("\r") else raw
        match = SECTION.match(line)
        if match:
            try:
                words = shlex.split(match.group(1))
            except ValueError as error:
                raise CaseError("%s:%d: %s" % (path, number, error)) from None
            current = Section(words[0], words[1:], [], number)
            sections.append(current)
        elif current is None:
            if line.strip() and not line.startswith("#"):
                raise CaseError("%s:%d: text before the first == section" % (path, number))
        elif current.kind in RAW_SECTIONS or not line.startswith("#"):
            current.lines.append(line)
    for section in sections:
        strip_trailing_blank(section.lines)
        if section.kind not in RAW_SECTIONS:
            while section.lines and not section.lines[0].strip():
                section.lines.pop(0)
    return Case(path, sections)


def parse_file(path):
    with open(path, encoding="utf-8") as f:
        return parse_text(f.read(), path)


class CannedReplies:
    """The replies of one case, for the fixture server: a request gets the
    first reply whose method and URL match; several replies with the same
    method and URL are served in turn, the last one repeating."""

    def __init__(self, replies):
        self.replies = replies
        self.served = {}

    def pick(self, method, url, lock):
        for reply in self.replies:
            if reply.method not in (None, method) or not reply.matcher.match(url):
                continue
            key = (reply.method, reply.url)
            same = [r for r in self.replies if (r.method, r.url) == key]
            with lock:
                turn = self.served.get(key, 0)
                self.served[key] = turn + 1
            return same[min(turn, len(same) - 1)]
        return None

    def hosts(self):
        return sorted({re.match(r"^https?://([^/:?#]+)", r.url).group(1).lower()
                       for r in self.replies})
