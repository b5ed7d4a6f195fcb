#!/usr/bin/env bash
# Response bodies through `rotguard archive` against the fixture web (SPEC
# §6, §7): a 64 MiB body streams through in flat memory (peak RSS well
# under 64 MiB) and is stored whole. Chunked, gzip and endless (--max-size)
# bodies are the declarative cases tests/data/http/010-012.case.
source "$(dirname "$0")/common.sh"
source "$ROTGUARD_SOURCE_DIR/tests/integration/fixture_lib.sh"
fixture_start

# 64 MiB in flat memory. Under ASan or TSan the shadow memory makes RSS
# meaningless, so only the capture is checked there.
BIG=https://scenarios.example.org/big/67108864
/usr/bin/time -v -o "$WORK/time.txt" "$ROTGUARD" --store "$STORE" --config "$CONFIG" --json \
  archive "$BIG" "${FIXTURE_FLAGS[@]}" >"$WORK/summary.json" || fail "64 MiB archive failed"
expect_sql "SELECT http_status, truncated, payload_length FROM captures WHERE url = '$BIG'" "200|0|67108864"
rss_kb=$(sed -n 's/^\tMaximum resident set size (kbytes): //p' "$WORK/time.txt")
echo "64 MiB body: peak RSS ${rss_kb} KiB"
if sanitizer_build; then
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
