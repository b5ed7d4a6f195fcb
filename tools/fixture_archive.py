"""Loopback impersonations of the public web archives, for
tools/fixture_server.py (issue #15 item 4). Python 3 standard library only.

web.archive.org
  /cdx/search/cdx?url=U[&output=json][&fl=a,b][&filter=[!]field:regex]...
                          the CDX API: JSON rows (header row first) of the
                          captures of U (scheme ignored), "[]" for none
  /web/<ts>[mod_]/<U>     replay: an exact capture answers its archived
                          status with Memento-Datetime and Link headers and
                          its raw bytes (any modifier is served as id_); an
                          inexact <ts> 302s to the nearest capture (no
                          Memento-Datetime); an unknown U is 404
  /web/timemap/link/<U>   an RFC 7089 TimeMap in link format (404: none)
  POST /save              SPN2: form url=U; "Authorization: LOW
                          fixture-access:fixture-secret" (a wrong key is
                          401, as are keys when the URL contains
                          "spn-auth-fail"); {"url", "job_id"}; a URL
                          containing "rate-limit" answers 429 with
                          Retry-After: 1
  /save/status/<job_id>   "pending" on the first poll, then "success" with
                          timestamp and original_url; a URL containing
                          "spn-error" ends in "error" (error:job-failed);
                          one containing "spn-slow" stays pending
  /_spn_stats             {"saves": [[seconds, status, url], ...], "polls":
                          N, "max_saves_per_second": N, "max_saves_per_
                          minute": N} of the POST /save requests so far
                          (monotonic seconds; not counted in /_stats)
archive.org
  /wayback/available?url=U[&timestamp=T]
                          the availability API (closest capture)
timetravel.mementoweb.org
  /api/json/<ts>/<U>      the Memento aggregator's JSON (first, prev,
                          closest, next, last); 404 when no archive has U

Captures (ARCHIVE below): https://news.example.com/gone.html has captures
before and after 2019-05-01 (the test posts' date), a 404 capture, a 302
capture and one the CDX lists as 200 whose replay is a 404 page;
https://images.example.org/gone.png has two PNG captures;
https://news.example.com/removed.html is known only to the aggregator;
https://news.example.com/busy.html's first CDX query answers 429 (no
Retry-After, as Wayback); https://news.example.com/never-archived.html has
none anywhere.
"""

import html
import json
import re
import time
import urllib.parse

ARCHIVE_HOSTS = ("web.archive.org", "archive.org", "timetravel.mementoweb.org")
SPN_KEY = "LOW fixture-access:fixture-secret"

# original (scheme-less) -> [(timestamp, CDX status, replay status, mime)]
ARCHIVE = {
    "news.example.com/gone.html": [
        ("20150301000000", "200", 200, "text/html"),
        ("20190420000000", "200", 200, "text/html"),
        ("20190425000000", "200", 404, "text/html"),  # a 404 page at replay
        ("20190429000000", "302", 302, "text/html"),
        ("20190430000000", "404", 404, "text/html"),
        ("20200101000000", "200", 200, "text/html"),
    ],
    "images.example.org/gone.png": [
        ("20180101000000", "200", 200, "image/png"),
        ("20210101000000", "200", 200, "image/png"),
    ],
    "news.example.com/busy.html": [
        ("20180101000000", "200", 200, "text/html"),
    ],
}
# Known only to the aggregator (the CDX API has nothing).
AGGREGATOR_ONLY = {
    "news.example.com/removed.html": [
        ("20180601000000", "200", 200, "text/html"),
    ],
}
BUSY = "news.example.com/busy.html"
# fixture_server.png_bytes, set by fixture_server (which imports this file).
PNG_BYTES = None

CDX_FIELDS = ("urlkey", "timestamp", "original", "mimetype", "statuscode",
              "digest", "length")


def key_of(url):
    """Wayback matches without scheme and with a lowercase host."""
    parts = urllib.parse.urlsplit(url if "://" in url else "http://" + url)
    path = parts.path or "/"
    return parts.netloc.lower() + path + ("?" + parts.query if parts.query else "")


def captures_of(url, aggregator=False):
    key = key_of(url)
    found = list(ARCHIVE.get(key, []))
    if aggregator:
        found += AGGREGATOR_ONLY.get(key, [])
    return key, sorted(found)


def http_date(ts):
    return time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.strptime(ts, "%Y%m%d%H%M%S"))


def iso_date(ts):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.strptime(ts, "%Y%m%d%H%M%S"))


def memento_body(original, ts, mime, png_bytes):
    if mime == "image/png":
        return png_bytes("memento:%s:%s" % (original, ts), 2_000)
    title = html.escape("Archived %s" % original)
    return ("<!doctype html><html><head><meta charset=utf-8><title>%s</title></head>"
            "<body><h1>%s</h1><p>As the web archive saw it at %s.</p></body></html>\n"
            % (title, title, ts)).encode("utf-8")


def nearest(captures, ts):
    target = ts.ljust(14, "0")[:14]
    return min(captures, key=lambda c: abs(int(c[0]) - int(target)))


class ArchiveRoutes:
    """Mixed into the fixture's request handler: route_public_archive()
    answers requests for ARCHIVE_HOSTS (True when it did)."""

    def route_public_archive(self, parsed, query):
        host = self.host()
        if host == "web.archive.org" and parsed.path == "/_spn_stats":
            self.archive_spn_stats()
            return True
        if host not in ARCHIVE_HOSTS or parsed.path.startswith("/_"):
            return False
        path = parsed.path
        if host == "archive.org" and path == "/wayback/available":
            self.archive_available(query)
        elif host == "timetravel.mementoweb.org" and path.startswith("/api/json/"):
            self.archive_timetravel(self.raw_path_tail("/api/json/"))
        elif host != "web.archive.org":
            self.not_found()
        elif path == "/cdx/search/cdx":
            self.archive_cdx(query)
        elif path.startswith("/web/timemap/link/"):
            self.archive_timemap(self.raw_path_tail("/web/timemap/link/"))
        elif path.startswith("/web/"):
            self.archive_replay(self.raw_path_tail("/web/"))
        elif path == "/save" and self.command == "POST":
            self.archive_save()
        elif path.startswith("/save/status/"):
            self.archive_save_status(path[len("/save/status/"):])
        else:
            self.not_found()
        return True

    def raw_path_tail(self, prefix):
        """The request target after `prefix`, query included (an archived
        URL keeps its own query)."""
        return self.path[len(prefix):] if self.path.startswith(prefix) else ""

    def json_reply(self, code, value, headers=()):
        body = (json.dumps(value) + "\n").encode("utf-8")
        self.respond(code, body, "application/json", headers=headers)

    # --- CDX and availability -------------------------------------------------

    def archive_cdx(self, query):
        url = query.get("url", [""])[0]
        key, captures = captures_of(url)
        if key == BUSY and self.server.shared.activity.flaky_hit("cdx:" + key) < 1:
            self.respond(429, self.html("Too Many Requests", "<p>slow down</p>"))
            return
        fields = query.get("fl", [",".join(CDX_FIELDS)])[0].split(",")
        rows = []
        for ts, status, _replay, mime in captures:
            row = {"urlkey": key, "timestamp": ts, "original": "https://" + key,
                   "mimetype": mime, "statuscode": status, "digest": "-",
                   "length": "1000"}
            if all(self.cdx_filter_ok(f, row) for f in query.get("filter", [])):
                rows.append([row.get(f, "-") for f in fields])
        if query.get("output", [""])[0] != "json":
            text = "".join(" ".join(r) + "\n" for r in rows)
            self.respond(200, text.encode("utf-8"), "text/plain")
            return
        self.json_reply(200, [fields] + rows if rows else [])

    @staticmethod
    def cdx_filter_ok(spec, row):
        negate = spec.startswith("!")
        field, _, pattern = spec.lstrip("!").partition(":")
        try:
            hit = re.fullmatch(pattern, row.get(field, "")) is not None
        except re.error:
            hit = False
        return hit != negate

    def archive_available(self, query):
        _key, captures = captures_of(query.get("url", [""])[0])
        if not captures:
            self.json_reply(200, {"archived_snapshots": {}})
            return
        ts, status, _replay, _mime = nearest(captures, query.get("timestamp", ["2"])[0])
        original = query.get("url", [""])[0]
        self.json_reply(200, {"archived_snapshots": {"closest": {
            "available": True, "status": status, "timestamp": ts,
            "url": "http://web.archive.org/web/%s/%s" % (ts, original)}}})

    # --- replay, TimeMap, aggregator -------------------------------------------

    def archive_replay(self, tail):
        match = re.match(r"^([0-9]{1,14})([a-z]{2}_)?/(.+)$", tail)
        if not match:
            self.not_found()
            return
        ts, _modifier, original = match.groups()
        key, captures = captures_of(original, aggregator=True)
        exact = [c for c in captures if c[0] == ts]
        if not exact:
            if not captures:
                self.respond(404, self.html("Wayback Machine", "<p>not archived</p>"))
                return
            near = nearest(captures, ts)
            self.redirect(302, "https://web.archive.org/web/%sid_/%s" % (near[0], original))
            return
        ts, _status, replay, mime = exact[0]
        links = ('<%s>; rel="original", <https://web.archive.org/web/timemap/link/%s>; '
                 'rel="timemap"; type="application/link-format"' % (original, original))
        headers = [("Memento-Datetime", http_date(ts)), ("Link", links),
                   ("X-Archive-Src", "fixture.warc.gz")]
        if replay in (301, 302):
            headers.append(("Location", "https://web.archive.org/web/%sid_/https://%s/moved"
                            % (ts, key.split("/")[0])))
        if replay == 404:
            body, mime = self.html("404 Not Found", "<p>the page was gone</p>"), "text/html"
        else:
            body = memento_body(original, ts, mime, PNG_BYTES)
        content_type = mime + ("; charset=utf-8" if mime.startswith("text/") else "")
        self.respond(replay, body, content_type, headers=headers)

    def archive_timemap(self, original):
        _key, captures = captures_of(original, aggregator=True)
        if not captures:
            self.respond(404, b"", "application/link-format")
            return
        lines = ['<%s>; rel="original"' % original]
        for ts, _status, _replay, _mime in captures:
            lines.append('<https://web.archive.org/web/%s/%s>; rel="memento"; datetime="%s"'
                         % (ts, original, http_date(ts)))
        self.respond(200, (",\n".join(lines) + "\n").encode("utf-8"),
                     "application/link-format")

    def archive_timetravel(self, tail):
        match = re.match(r"^([0-9]{4,14})/(.+)$", tail)
        if not match:
            self.not_found()
            return
        ts, original = match.groups()
        _key, captures = captures_of(original, aggregator=True)
        captures = [c for c in captures if c[1] == "200"]
        if not captures:
            self.json_reply(404, {"original_uri": original})
            return

        def entry(c):
            return {"datetime": iso_date(c[0]),
                    "uri": ["https://web.archive.org/web/%s/%s" % (c[0], original)]}
        close = nearest(captures, ts)
        self.json_reply(200, {"original_uri": original, "mementos": {
            "first": entry(captures[0]), "closest": entry(close),
            "last": entry(captures[-1])},
            "timegate_uri": "https://web.archive.org/web/" + original,
            "timemap_uri": {"link_format": "https://web.archive.org/web/timemap/link/" + original}})

    # --- Save Page Now 2 ---------------------------------------------------------

    def note_save(self, status, url):
        with self.server.shared.activity.lock:
            self.server.shared.spn_saves.append((time.monotonic(), status, url))

    def archive_save(self):
        form = urllib.parse.parse_qs(getattr(self, "posted", b"").decode("utf-8", "replace"))
        url = form.get("url", [""])[0]
        auth = self.headers.get("Authorization")
        if (auth is not None and auth != SPN_KEY) or (auth and "spn-auth-fail" in url):
            self.note_save(401, url)
            self.json_reply(401, {"status": "error", "status_ext": "error:unauthorized",
                                  "message": "bad access key"})
            return
        if not url:
            self.note_save(400, url)
            self.json_reply(400, {"status": "error", "status_ext": "error:invalid-url-syntax"})
            return
        if "rate-limit" in url:
            self.note_save(429, url)
            self.json_reply(429, {"status": "error", "status_ext": "error:too-many-requests"},
                            headers=[("Retry-After", "1")])
            return
        self.note_save(200, url)
        job = "spn2-" + re.sub(r"[^a-z0-9]+", "-", key_of(url).lower()).strip("-")
        self.server.shared.spn_jobs[job] = url
        self.json_reply(200, {"url": url, "job_id": job})

    def archive_save_status(self, job):
        url = self.server.shared.spn_jobs.get(job)
        if url is None:
            self.json_reply(200, {"status": "error", "status_ext": "error:job-failed",
                                  "message": "no such job"})
            return
        with self.server.shared.activity.lock:
            self.server.shared.spn_polls += 1
        if "spn-slow" in url or self.server.shared.activity.flaky_hit("spn:" + job) < 1:
            self.json_reply(200, {"status": "pending", "job_id": job, "resources": []})
            return
        if "spn-error" in url:
            self.json_reply(200, {"status": "error", "job_id": job,
                                  "status_ext": "error:job-failed",
                                  "message": "the capture failed"})
            return
        self.json_reply(200, {"status": "success", "job_id": job, "original_url": url,
                              "timestamp": "20261206120000", "duration_sec": 1.5,
                              "resources": [url], "outlinks": {}})

    def archive_spn_stats(self):
        """The submissions seen so far and the most of them in any one
        second and any one minute (sliding windows), for rate checks."""
        with self.server.shared.activity.lock:
            saves = list(self.server.shared.spn_saves)
            polls = self.server.shared.spn_polls
        times = [t for t, _status, _url in saves]

        def most_within(window):
            return max((sum(1 for u in times if t <= u < t + window) for t in times), default=0)
        self.json_reply(200, {"saves": [list(s) for s in saves], "polls": polls,
                              "max_saves_per_second": most_within(1.0),
                              "max_saves_per_minute": most_within(60.0)},
                        headers=[("Cache-Control", "no-store")])
