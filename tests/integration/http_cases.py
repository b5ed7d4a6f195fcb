#!/usr/bin/env python3
"""Runs declarative HTTP test cases (tests/data/http/*.case, format in
tests/data/http/README.md) against the loopback fixture server.

  ROTGUARD=build/rotguard python3 tests/integration/http_cases.py CASE...

Per case: a fresh work directory (kept on failure), a throw-away test CA, the
fixture server in this process on a random 127.x.y.z serving the case's
canned replies before its built-in routes, the case's files and config, its
rotguard commands (every host the case names is mapped to that address with
--resolve/--connect-to, so nothing reaches DNS), then every "== expect"
section is checked and each mismatch printed as a diff. Exit 0 when all
cases pass, 1 when one fails, 125 when a needed tool is missing (CTest skip).
"""

import difflib
import json
import os
import re
import shlex
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import zlib

SOURCE_DIR = os.environ.get("ROTGUARD_SOURCE_DIR") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(SOURCE_DIR, "tools"))
sys.path.insert(0, os.path.join(SOURCE_DIR, "tests", "integration"))

import fixture_server  # noqa: E402 (tools/ is on the path only now)
import http_case  # noqa: E402
from fixture_check import http_header, read_record  # noqa: E402

COMMAND_TIMEOUT_S = 120
# The [fetch] table every case starts from (tests/integration/fixture_lib.sh
# uses the same): no politeness delay, short timeouts, one quick retry.
DEFAULT_FETCH = {"delay_ms": "0", "per_host": "4", "retries": "1", "backoff_ms": "100",
                 "retry_after_cap_s": "5", "connect_timeout_s": "3",
                 "total_timeout_s": "60"}
HOST_IN_TEXT = re.compile(r"\bhttps?://([A-Za-z0-9.-]+)")
IP_LITERAL = re.compile(r"^[0-9.]+$")
KNOWN_SECTIONS = ("name", "reply", "file", "config", "command", "expect")
EXPECT_KINDS = ("exit", "stdout", "stderr", "summary", "requests", "warc", "manifest")


class Failures:
    """Collects every mismatch of a case, so one run shows them all."""

    def __init__(self):
        self.messages = []

    def add(self, title, text=""):
        self.messages.append("--- %s\n%s" % (title, text) if text else "--- " + title)

    def diff(self, title, want, got):
        lines = difflib.unified_diff(want, got, "want", "got", lineterm="", n=2)
        self.add(title, "\n".join(lines))


# --- the fixture ------------------------------------------------------------


def case_hosts(case):
    """Every host name the case mentions (replies, commands, files, even
    expectations), so each one is mapped to the fixture and none is looked
    up in DNS. IP literals are left alone (the private-address rules)."""
    with open(case.path, encoding="utf-8") as f:
        found = {h.lower().rstrip(".") for h in HOST_IN_TEXT.findall(f.read())}
    extra = sorted(h for h in found if h and not IP_LITERAL.match(h) and
                   h not in fixture_server.FIXTURE_HOSTS)
    return fixture_server.FIXTURE_HOSTS + tuple(extra)


def make_ca(web_dir, hosts):
    sans = ["DNS:" + h for h in hosts if h != fixture_server.BAD_CERT_HOST]
    sans += ["DNS:*.bp.blogspot.com", "DNS:*.googleusercontent.com", "DNS:localhost",
             "IP:127.0.0.1"]
    subprocess.run(["bash", os.path.join(SOURCE_DIR, "tools", "make_test_ca.sh"), web_dir,
                    ",".join(sans)], check=True)


class Fixture:
    """The fixture server of one case, in this process: HTTP and TLS on one
    random loopback address, the case's replies first."""

    def __init__(self, case, web_dir):
        os.makedirs(os.path.join(web_dir, "root"), exist_ok=True)
        self.hosts = case_hosts(case)
        make_ca(web_dir, self.hosts)
        self.shared = fixture_server.Shared(
            os.path.join(web_dir, "root"), True, 0, os.path.join(web_dir, "requests.log"),
            http_case.CannedReplies(case.replies))
        self.shared.requests = []
        self.addr, http_server, https_server = fixture_server.bind_fixture_web(
            self.shared, os.environ.get("FIXTURE_HIGH_PORTS") == "1")
        fixture_server.serve_tls(https_server, fixture_server.tls_context(
            os.path.join(web_dir, "server.pem"), os.path.join(web_dir, "server.key")))
        self.servers = [http_server, https_server]
        self.args = fixture_server.fixture_args(
            os.path.join(web_dir, "ca.pem"), self.addr, http_server.server_address[1],
            https_server.server_address[1], self.hosts)
        for server in self.servers:
            threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                             daemon=True).start()

    def stop(self):
        for server in self.servers:
            server.shutdown()
            server.server_close()

    def request_lines(self):
        with self.shared.log_lock:
            seen = list(self.shared.requests)
        return ["%s %s://%s%s %s" % (method, scheme, host, path, status)
                for scheme, host, method, path, status in seen]


# --- running the commands ---------------------------------------------------


def command_lines(section):
    """The section's commands: one per line, a trailing backslash continues."""
    commands, pending = [], ""
    for line in section.lines:
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        if (pending + line).strip():
            commands.append(pending + line.strip())
        pending = ""
    return commands


def substitute(text, places):
    for name in sorted(places, key=len, reverse=True):
        text = text.replace("$" + name, places[name])
    return text


def split_command(line, places, fixture_args, rotguard):
    """argv and extra environment of one command line: NAME=VALUE words
    first, then "rotguard ...", with $FIXTURE expanding to the fixture
    flags and the other placeholders substituted inside words."""
    words = shlex.split(line)
    env = {}
    while words and re.match(r"^[A-Z_][A-Z0-9_]*=", words[0]):
        name, _, value = words.pop(0).partition("=")
        env[name] = substitute(value, places)
    if not words or words[0] != "rotguard":
        raise http_case.CaseError("a command runs rotguard: %r" % line)
    argv = [rotguard]
    for word in words[1:]:
        argv += fixture_args if word == "$FIXTURE" else [substitute(word, places)]
    return argv, env


def write_config(path, section):
    fetch = dict(DEFAULT_FETCH)
    for line in section.lines if section else []:
        if line.strip():
            key, sep, value = line.partition("=")
            if not sep:
                raise http_case.CaseError("config lines are KEY = VALUE: %r" % line)
            fetch[key.strip()] = value.strip()
    with open(path, "w", encoding="utf-8") as f:
        f.write("[fetch]\n" + "".join("%s = %s\n" % kv for kv in sorted(fetch.items())))


class Run:
    """The outcome of a case's commands: exit codes and the last output."""

    def __init__(self):
        self.exits = []
        self.stdout = ""
        self.stderr = ""


def run_commands(case, work, places, fixture, rotguard):
    run = Run()
    for number, line in enumerate(
            [c for s in case.all("command") for c in command_lines(s)], 1):
        argv, env = split_command(line, places, fixture.args, rotguard)
        try:
            done = subprocess.run(argv, cwd=work, env=dict(os.environ, **env),
                                  capture_output=True, timeout=COMMAND_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            raise http_case.CaseError("command %d ran over %d s: %s" %
                                      (number, COMMAND_TIMEOUT_S, line)) from None
        run.exits.append(done.returncode)
        run.stdout = done.stdout.decode("utf-8", "replace")
        run.stderr = done.stderr.decode("utf-8", "replace")
        for name, data in (("stdout", done.stdout), ("stderr", done.stderr)):
            with open(os.path.join(work, "command%d.%s" % (number, name)), "wb") as f:
                f.write(data)
    return run


# --- the checks -------------------------------------------------------------


def check_exit(section, run, failures):
    want = " ".join(section.lines).split()
    got = [str(code) for code in run.exits]
    if want != got:
        failures.add("exit codes: want %s, got %s" % (" ".join(want), " ".join(got)),
                     "last stderr:\n" + run.stderr.strip())


def check_contains(section, text, failures):
    missing = [line for line in section.lines if line.strip() and line.strip() not in text]
    if missing:
        failures.add("%s of the last command lacks %s" % (section.args[0], missing),
                     text.strip())


def last_json(text):
    try:
        return json.loads(text)
    except ValueError:
        pass
    for line in reversed(text.splitlines()):
        try:
            return json.loads(line)
        except ValueError:
            continue
    return None


def json_value(text):
    try:
        return json.loads(text)
    except ValueError:
        return text


def lookup(document, path):
    value = document
    for key in path.split("."):
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value


def check_summary(section, run, failures):
    summary = last_json(run.stdout)
    if not isinstance(summary, dict):
        failures.add("expect summary: the last command printed no JSON object",
                     run.stdout.strip())
        return
    for line in section.lines:
        match = re.match(r"^\s*(\S+)\s*(>=|<=|=)\s*(.*?)\s*$", line)
        if not match:
            raise http_case.CaseError("summary lines are PATH = JSON (or >=, <=): %r" % line)
        path, op, want = match.group(1), match.group(2), json_value(match.group(3))
        got = lookup(summary, path)
        ok = (got == want if op == "=" else
              isinstance(got, (int, float)) and (got >= want if op == ">=" else got <= want))
        if not ok:
            failures.add("summary %s: want %s %s, got %s" % (path, op, json.dumps(want),
                                                            json.dumps(got)),
                         json.dumps(summary, sort_keys=True))


def check_requests(section, fixture, failures):
    """One answered request per expected line, in any order; "*" in a line
    matches any run of characters (a random path), so lines are matched one
    by one, exact lines first."""
    want = sorted(line.strip() for line in section.lines if line.strip())
    left = sorted(fixture.request_lines())
    missing = []
    for line in sorted(want, key=lambda w: "*" in w):
        matcher = http_case.url_pattern(line)
        found = [got for got in left if matcher.match(got)]
        if found:
            left.remove(found[0])
        else:
            missing.append(line)
    if missing or left:
        failures.add("requests the fixture answered", "\n".join(
            ["missing:    " + m for m in missing] + ["unexpected: " + u for u in left]))


def sql_rows(db, query):
    with sqlite3.connect("file:%s?mode=ro" % db, uri=True) as connection:
        rows = connection.execute(query).fetchall()
    return ["|".join("" if v is None else str(v) for v in row) for row in rows]


def manifest_blocks(section):
    """(query, expected rows) pairs: the query runs to the line ending in
    ";", the rows to the next blank line."""
    blocks, query, rows, in_rows = [], [], [], False
    for line in section.lines + [""]:
        if not in_rows:
            if line.strip():
                query.append(line)
                in_rows = line.rstrip().endswith(";")
            continue
        if line.strip():
            rows.append(line.strip())
            continue
        blocks.append((" ".join(q.strip() for q in query), rows))
        query, rows, in_rows = [], [], False
    if query:
        raise http_case.CaseError("a manifest query must end with ';': %r" % " ".join(query))
    return blocks


def check_manifest(section, store, failures):
    db = os.path.join(store, "manifest.sqlite3")
    if not os.path.exists(db):
        failures.add("expect manifest: no %s" % db)
        return
    for query, want in manifest_blocks(section):
        try:
            got = sql_rows(db, query)
        except sqlite3.Error as error:
            failures.add("manifest query failed: %s\n%s" % (error, query))
            continue
        if got != want:
            failures.diff("manifest: " + query, want, got)


# --- WARC records -----------------------------------------------------------


def load_records(rotguard, store, failures):
    """Every record of the store's WARC files (file-name order), warcinfo
    excepted, as inspect --json objects plus "path"; inspect must exit 0."""
    records = []
    warc_dir = os.path.join(store, "warc")
    names = sorted(n for n in os.listdir(warc_dir) if n.endswith((".warc.gz", ".warc"))) \
        if os.path.isdir(warc_dir) else []
    for name in names:
        path = os.path.join(warc_dir, name)
        done = subprocess.run([rotguard, "inspect", "--json", path], capture_output=True,
                              timeout=COMMAND_TIMEOUT_S)
        if done.returncode != 0:
            failures.add("inspect %s exited %d" % (name, done.returncode),
                         done.stderr.decode("utf-8", "replace"))
        for line in done.stdout.decode("utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                record["path"] = path
                if record.get("warc-type") != "warcinfo":
                    records.append(record)
    for record in records:
        bad = [p for p in record.get("problems", []) if p.get("severity") != "note"]
        if bad:
            failures.add("record at %s:%s has problems: %s" % (
                os.path.basename(record["path"]), record.get("offset"), bad))
    return records


def record_key(record):
    """The "TYPE URI [STATUS]" a WARC expectation line starts with."""
    words = [record.get("warc-type") or "-", record.get("warc-target-uri") or "-"]
    if record.get("http:status") not in (None, ""):
        words.append(str(record["http:status"]))
    return " ".join(words)


def split_expectation(line):
    words = shlex.split(line)
    count = 3 if len(words) > 2 and words[2].isdigit() else 2
    return " ".join(words[:count]), words[count:]


def decoded(head, payload):
    encoding = (http_header(head, "Content-Encoding") or "").lower()
    if encoding in ("gzip", "x-gzip", "deflate"):
        try:
            return zlib.decompress(payload, 47 if encoding != "deflate" else 15)
        except zlib.error:
            return payload
    return payload


def attribute_value(record, name, details):
    """The record's value for an attribute of an expectation line."""
    warc, head, payload = details()
    if name == "payload-length":
        return str(len(payload))
    if name == "payload-digest":
        return record.get("warc-payload-digest") or ""
    if name == "truncated":
        return warc.get("warc-truncated", "")
    if name.startswith("http:"):
        return http_header(head, name[5:]) or ""
    if name.startswith("warc:"):
        return warc.get(name[5:].lower(), "")
    raise http_case.CaseError("unknown WARC attribute %r" % name)


def attributes_mismatch(record, attributes):
    """A message for each attribute the record does not have, or []."""
    cache = {}

    def details():
        if "d" not in cache:
            cache["d"] = read_record(record["path"], record["offset"], limit=64 << 20)
        return cache["d"]

    problems = []
    for attribute in attributes:
        if attribute.startswith("contains="):
            text = attribute[len("contains="):].encode("utf-8")
            _, head, payload = details()
            if text not in decoded(head, payload):
                problems.append("payload does not contain %r" % text.decode())
            continue
        name, sep, want = attribute.partition("=")
        if not sep:
            raise http_case.CaseError("WARC attributes are NAME=VALUE: %r" % attribute)
        got = attribute_value(record, name, details)
        if got != want and not (want == "*" and got):  # "*": present, any value
            problems.append("%s: want %r, got %r" % (name, want, got))
    return problems


def check_warc_ordered(expected, records, failures):
    keys = [record_key(r) for r in records]
    if [key for key, _ in expected] != keys:
        failures.diff("WARC records in file order (warcinfo left out)",
                      [key for key, _ in expected], keys)
        return
    for (key, attributes), record in zip(expected, records):
        for problem in attributes_mismatch(record, attributes):
            failures.add("WARC %s: %s" % (key, problem))


def check_warc_unordered(expected, records, failures):
    left = list(records)
    missing = []
    for key, attributes in expected:
        same = [r for r in left if record_key(r) == key]
        fits = [r for r in same if not attributes_mismatch(r, attributes)]
        if fits:
            left.remove(fits[0])
        elif same:
            missing.append("%s (%s)" % (key, "; ".join(attributes_mismatch(same[0], attributes))))
            left.remove(same[0])
        else:
            missing.append(key)
    if missing or left:
        failures.add("WARC records (any order)", "\n".join(
            ["missing: " + m for m in missing] + ["unexpected: " + record_key(r) for r in left]))


def check_warc(section, records, failures):
    expected = [split_expectation(line) for line in section.lines if line.strip()]
    if section.args[1:] == ["unordered"]:
        check_warc_unordered(expected, records, failures)
    elif section.args[1:]:
        raise http_case.CaseError("== expect warc [unordered], not %r" % section.args)
    else:
        check_warc_ordered(expected, records, failures)


# --- one case ---------------------------------------------------------------


def validate(case):
    if not case.first("name") or not case.first("name").lines:
        raise http_case.CaseError("%s: a case starts with '== name' and a title" % case.path)
    if not case.all("command"):
        raise http_case.CaseError("%s: no '== command' section" % case.path)
    for section in case.sections:
        if section.kind not in KNOWN_SECTIONS:
            raise http_case.CaseError("%s: unknown section '== %s'" % (
                case.where(section), section.kind))
        if section.kind == "expect" and (not section.args or section.args[0] not in EXPECT_KINDS):
            raise http_case.CaseError("%s: '== expect' takes one of %s" % (
                case.where(section), ", ".join(EXPECT_KINDS)))


def write_files(case, work, places):
    for section in case.all("file"):
        if len(section.args) != 1 or section.args[0].startswith("/") or ".." in section.args[0]:
            raise http_case.CaseError("%s: == file RELATIVE-PATH" % case.where(section))
        path = os.path.join(work, section.args[0])
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(substitute("\n".join(section.lines) + "\n", places))


def check_all(case, run, fixture, rotguard, store, failures):
    records = None
    for section in case.all("expect"):
        kind = section.args[0]
        if kind == "exit":
            check_exit(section, run, failures)
        elif kind in ("stdout", "stderr"):
            check_contains(section, run.stdout if kind == "stdout" else run.stderr, failures)
        elif kind == "summary":
            check_summary(section, run, failures)
        elif kind == "requests":
            check_requests(section, fixture, failures)
        elif kind == "manifest":
            check_manifest(section, store, failures)
        elif kind == "warc":
            if records is None:
                records = load_records(rotguard, store, failures)
            check_warc(section, records, failures)


def run_case(path, rotguard):
    """True when every expectation of the case holds."""
    case = http_case.parse_file(path)
    validate(case)
    stem = os.path.splitext(os.path.basename(path))[0]
    work = tempfile.mkdtemp(prefix="rotguard-http_case-%s." % stem,
                            dir=os.environ.get("TMPDIR", "/tmp"))
    store = os.path.join(work, ".rotguard")
    places = {"WORK": work, "STORE": store, "CONFIG": os.path.join(work, "rotguard.toml")}
    write_config(places["CONFIG"], case.first("config"))
    fixture = Fixture(case, os.path.join(work, "web"))
    places["ADDR"] = fixture.addr
    failures = Failures()
    try:
        write_files(case, work, places)
        for section in case.all("expect"):
            section.lines = [substitute(line, places) for line in section.lines]
        run = run_commands(case, work, places, fixture, rotguard)
        check_all(case, run, fixture, rotguard, store, failures)
    finally:
        fixture.stop()
    title = case.first("name").lines[0]
    if failures.messages:
        print("FAIL %s: %s" % (stem, title), file=sys.stderr)
        print("\n".join(failures.messages), file=sys.stderr)
        print("test data left in %s" % work, file=sys.stderr)
        return False
    shutil.rmtree(work, ignore_errors=True)
    print("ok %s: %s" % (stem, title))
    return True


def main(argv):
    rotguard = os.environ.get("ROTGUARD")
    if not rotguard or not argv:
        print("usage: ROTGUARD=path/to/rotguard %s CASE..." % sys.argv[0], file=sys.stderr)
        return 2
    if not shutil.which("openssl"):
        print("openssl not installed: skipped")
        return 125
    ok = True
    for path in argv:
        try:
            ok = run_case(path, os.path.abspath(rotguard)) and ok
        except http_case.CaseError as error:
            print("FAIL %s: %s" % (path, error), file=sys.stderr)
            ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
