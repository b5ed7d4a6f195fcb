#!/usr/bin/env bash
# Terminal escape injection: WARC-Target-URIs holding ESC[31m, BEL and CR
# and an imported file whose name holds a newline and ESC are printed with
# their control characters escaped by import, report (text), extract -v,
# verify, inspect and the log file; no raw control byte reaches the output
# and no forged line appears. JSON output stays JSON.
source "$(dirname "$0")/common.sh"
command -v python3 >/dev/null 2>&1 || { echo "python3 not installed: skipped"; exit 125; }

EVIL_NAME=$'evil\nrotguard: forged line \e[31m.warc'
python3 - "$WORK/$EVIL_NAME" <<'PY'
import base64, hashlib, sys, uuid

def sha1(data):
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode()

def response(url, body, date, block_digest=None):
    block = (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n"
             % len(body)) + body
    head = (b"WARC/1.1\r\nWARC-Type: response\r\nWARC-Target-URI: " + url +
            b"\r\nWARC-Date: " + date + b"\r\nWARC-Record-ID: <urn:uuid:" +
            str(uuid.uuid4()).encode() + b">\r\nWARC-Block-Digest: " +
            (block_digest or sha1(block)).encode() + b"\r\nWARC-Payload-Digest: " +
            sha1(body).encode() + b"\r\nContent-Type: application/http; msgtype=response\r\n"
            b"Content-Length: %d\r\n\r\n" % len(block))
    return head + block + b"\r\n\r\n"

with open(sys.argv[1], "wb") as out:
    out.write(response(b"https://evil.example/\x1b[31mred\x07", b"red\n",
                       b"2020-02-08T10:00:00Z"))
    out.write(response(b"https://evil.example/cr\rrotguard: forged", b"cr\n",
                       b"2020-02-08T10:00:01Z"))
PY

# No byte a terminal acts on: C0 controls but the line feeds ending lines,
# DEL, and C1 controls in UTF-8 form.
check_clean() {  # FILE WHAT
  python3 - "$1" "$2" <<'PY'
import re, sys
data = open(sys.argv[1], "rb").read()
bad = re.search(rb"[\x00-\x09\x0b-\x1f\x7f]|\xc2[\x80-\x9f]", data)
if bad:
    sys.exit("FAIL: %s printed a raw control byte %r near %r"
             % (sys.argv[2], bad.group(), data[max(0, bad.start() - 30):bad.end() + 30]))
if re.search(rb"^rotguard: forged", data, re.M):
    sys.exit("FAIL: %s printed a forged line" % sys.argv[2])
PY
}

STORE="$WORK/site/.rotguard"
expect_exit 0 "$ROTGUARD" -v --store "$STORE" import "$WORK/$EVIL_NAME"
check_clean "$WORK/out" "import (stdout)"
check_clean "$WORK/err" "import (stderr)"
expect_contains "$WORK/out" "evil%0Arotguard: forged line %1B[31m.warc"

expect_exit 0 "$ROTGUARD" --store "$STORE" report
check_clean "$WORK/out" "report"
check_clean "$WORK/err" "report (stderr)"
expect_contains "$WORK/out" "https://evil.example/%1B[31mred"
# The extract hint stays a working command: bash's $'...' quoting.
expect_contains "$WORK/out" "rotguard extract \$'https://evil.example/\\x1b[31mred\\x07'"
hint=$(grep -o "rotguard extract \$'https://evil.example/\\\\x1b\[31mred\\\\x07'" "$WORK/out" | head -1)
eval "expect_exit 0 \"\$ROTGUARD\" --store \"\$STORE\" ${hint#rotguard }"
expect_contains "$WORK/out" "red"

expect_exit 0 "$ROTGUARD" -v --store "$STORE" extract -o "$WORK/red.txt" \
  $'https://evil.example/\e[31mred\a'
check_clean "$WORK/err" "extract -v"
expect_contains "$WORK/err" "https://evil.example/%1B[31mred%07"

# Damage the second record's body in the store's copy, so verify reports
# it with its URL and file name.
python3 - "$STORE/warc/imported" <<'PY'
import os, sys
(name,) = os.listdir(sys.argv[1])
path = os.path.join(sys.argv[1], name)
data = open(path, "rb").read()
assert data.count(b"\r\n\r\ncr\n") == 1
open(path, "wb").write(data.replace(b"\r\n\r\ncr\n", b"\r\n\r\ncx\n"))
PY
expect_exit 3 "$ROTGUARD" --store "$STORE" verify --deep
check_clean "$WORK/out" "verify"
check_clean "$WORK/err" "verify (stderr)"
expect_contains "$WORK/out" "%0D"

expect_exit 0 "$ROTGUARD" inspect "$WORK/$EVIL_NAME" "$WORK/$EVIL_NAME"
tr -d '\t' <"$WORK/out" >"$WORK/inspect.out"  # tabs separate its columns
check_clean "$WORK/inspect.out" "inspect"
expect_contains "$WORK/inspect.out" "# $WORK/evil%0Arotguard: forged line %1B[31m.warc"

check_clean "$STORE/logs/rotguard.log" "the log file"

# JSON output is JSON: the same URL as a \u001b escape.
expect_exit 0 "$ROTGUARD" --json --store "$STORE" report
grep -qF 'https://evil.example/\u001b[31mred\u0007' "$WORK/out" || fail "report --json does not carry the JSON-escaped URL"
echo ok
