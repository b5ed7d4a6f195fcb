#!/usr/bin/env bash
# Response bodies through `rotguard archive` against the fixture web (SPEC
# §6, §7): a chunked body is stored decoded with X-Orig-Transfer-Encoding:
# chunked; a gzip body is kept encoded with its Content-Encoding; an endless
# body is cut at --max-size and recorded with WARC-Truncated: length; a
# 64 MiB body streams through in flat memory (peak RSS well under 64 MiB).
source "$(dirname "$0")/common.sh"
source "$ROTGUARD_SOURCE_DIR/tests/integration/fixture_lib.sh"
fixture_start

CHUNKED=http://scenarios.example.org/chunked/150000
GZIP=https://scenarios.example.org/gzip/page.html
ENDLESS=http://scenarios.example.org/endless
archive 0 "$CHUNKED" "$GZIP" "$ENDLESS" --max-size 1M
expect_sql "SELECT http_status, truncated, payload_length FROM captures WHERE url = '$CHUNKED'" "200|0|150000"
expect_sql "SELECT http_status, truncated FROM captures WHERE url = '$ENDLESS'" "200|1"
[ "$(summary 's["failed_by_class"]')" = "{'too-large': 1}" ] || fail "endless body not too-large: $(cat "$WORK/summary.json")"
# The endless transfer was abandoned: the fixture wrote far less than its
# 2 GiB cap (its request finished in the log long before 120 s).
grep -qx "scenarios.example.org GET /endless 200" "$FIXTURE_LOG" || fail "/endless not requested"

load_records
python3 - "$WORK/records.jsonl" "$CHUNKED" "$GZIP" "$ENDLESS" <<'PY'
import gzip, sys
from fixture_check import *
records = load(sys.argv[1])
chunked, gz, endless = sys.argv[2:]
expect_no_problems(records)

(response,) = expect_chain(records, [(chunked, 200)])
warc, head, payload = read_record(response["path"], response["offset"])
if http_header(head, "X-Orig-Transfer-Encoding") != "chunked":
    fail("chunked: head lacks X-Orig-Transfer-Encoding: chunked:\n" + head)
if http_header(head, "Transfer-Encoding") is not None:
    fail("chunked: Transfer-Encoding kept in the stored head")
if http_header(head, "Content-Length") != "150000" or len(payload) != 150000:
    fail("chunked: stored %d bytes, Content-Length %s" % (len(payload), http_header(head, "Content-Length")))
alphabet = b"abcdefghijklmnopqrstuvwxyz0123456789\n"
if payload[:74] != alphabet * 2:
    fail("chunked: payload is not the decoded body")

(response,) = expect_chain(records, [(gz, 200)])
warc, head, payload = read_record(response["path"], response["offset"])
if http_header(head, "Content-Encoding") != "gzip" or payload[:2] != b"\x1f\x8b":
    fail("gzip: not kept encoded")
if b"gzip me" not in gzip.decompress(payload):
    fail("gzip: payload does not decode to the page")

(response,) = expect_chain(records, [(endless, 200)])
warc, head, payload = read_record(response["path"], response["offset"], limit=4 << 20)
if warc.get("warc-truncated") != "length":
    fail("endless: WARC-Truncated %r" % warc.get("warc-truncated"))
if not 1 << 20 <= len(payload) <= (1 << 20) + (1 << 17):
    fail("endless: %d payload bytes stored for --max-size 1M" % len(payload))
PY

# 64 MiB in flat memory. Under ASan or TSan the shadow memory makes RSS
# meaningless, so only the capture is checked there.
BIG=https://scenarios.example.org/big/67108864
/usr/bin/time -v -o "$WORK/time.txt" "$ROTGUARD" --store "$STORE" --config "$CONFIG" --json \
  archive "$BIG" "${FIXTURE_FLAGS[@]}" >"$WORK/summary.json" || fail "64 MiB archive failed"
expect_sql "SELECT http_status, truncated, payload_length FROM captures WHERE url = '$BIG'" "200|0|67108864"
rss_kb=$(sed -n 's/^\tMaximum resident set size (kbytes): //p' "$WORK/time.txt")
echo "64 MiB body: peak RSS ${rss_kb} KiB"
if ldd "$ROTGUARD" 2>/dev/null | grep -q 'libasan\|libtsan'; then
  echo "sanitizer build: RSS bound not checked"
else
  [ "$rss_kb" -lt 49152 ] || fail "peak RSS $rss_kb KiB for a 64 MiB body (want < 48 MiB)"
fi
load_records
python3 - "$WORK/records.jsonl" "$BIG" <<'PY'
import sys
from fixture_check import *
records = load(sys.argv[1])
expect_no_problems(records)
import base64, hashlib
(response,) = expect_chain(records, [(sys.argv[2], 200)])
alphabet = b"abcdefghijklmnopqrstuvwxyz0123456789\n"
size = 64 << 20
body = (alphabet * (size // len(alphabet) + 1))[:size]
want = "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode()
if response["warc-payload-digest"] != want:
    fail("64 MiB payload digest %s, the body sent has %s" % (response["warc-payload-digest"], want))
PY
echo "archive_bodies: ok"
