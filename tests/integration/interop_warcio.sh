#!/usr/bin/env bash
# A WARC written by rotguard's library (every record type, a chunked body, an
# empty body, a binary body, an incompressible JPEG, a revisit) reads the
# same in npm warcio 2.4.11 as in `rotguard inspect`: same records at the
# same offsets, same types and URIs, and every digest recomputed by
# tools/interop/check_warc.mjs (node crypto over warcio's bytes) matches.
source "$(dirname "$0")/common.sh"

command -v node >/dev/null 2>&1 || { echo "node not installed: skipped"; exit 125; }
INTEROP="$ROTGUARD_SOURCE_DIR/tools/interop"
[ -d "$INTEROP/node_modules/warcio" ] ||
  fail "npm warcio missing: run tools/install-deps.sh (npm ci in tools/interop)"
SAMPLE="$ROTGUARD_BUILD_DIR/tools/make_sample_warc"
[ -x "$SAMPLE" ] || fail "$SAMPLE not built"

WARC=$("$SAMPLE" "$WORK/sample")
[ -s "$WARC" ] || fail "make_sample_warc wrote nothing"

expect_exit 0 "$ROTGUARD" inspect --json "$WARC"
cp "$WORK/out" "$WORK/rotguard.jsonl"
node "$INTEROP/check_warc.mjs" "$WARC" >"$WORK/warcio.jsonl" 2>"$WORK/warcio.err" ||
  { cat "$WORK/warcio.jsonl" "$WORK/warcio.err" >&2; fail "check_warc.mjs rejected $WARC"; }

# The comparison, in node (present: this test needs it anyway).
node --input-type=module - "$WORK/rotguard.jsonl" "$WORK/warcio.jsonl" <<'JS'
import { readFileSync } from "node:fs";
const [ours, theirs] = process.argv.slice(2).map((file) =>
  readFileSync(file, "utf8").split("\n").filter(Boolean).map((line) => JSON.parse(line)));
const fail = (message) => { console.error(`FAIL: ${message}`); process.exit(1); };

if (ours.length !== theirs.length) fail(`rotguard lists ${ours.length} records, warcio ${theirs.length}`);
ours.forEach((record, i) => {
  const other = theirs[i];
  const where = `record ${i} at ${record.offset}`;
  for (const key of ["offset", "length", "warc-type", "warc-target-uri", "http:status"]) {
    if (record[key] !== other[key]) fail(`${where}: ${key} is ${record[key]} in rotguard, ${other[key]} in warcio`);
  }
  if (record.problems.length) fail(`${where}: rotguard reports ${JSON.stringify(record.problems)}`);
  if (other.problems.length) fail(`${where}: check_warc reports ${other.problems}`);
  if (other.block_digest !== "ok") fail(`${where}: block digest ${other.block_digest}`);
  const wantPayload = {
    warcinfo: "absent", metadata: "absent", revisit: "not-checked",
    request: "ok", response: "ok", resource: "ok",
  }[record["warc-type"]];
  if (other.payload_digest !== wantPayload) fail(`${where}: payload digest ${other.payload_digest}, want ${wantPayload}`);
});

const types = new Set(ours.map((r) => r["warc-type"]));
for (const type of ["warcinfo", "request", "response", "revisit", "resource", "metadata"]) {
  if (!types.has(type)) fail(`no ${type} record in the sample`);
}
if (ours[0]["warc-type"] !== "warcinfo") fail("the first record is not warcinfo");
const byUri = (uri, type) => ours.find((r) => r["warc-target-uri"] === uri && r["warc-type"] === type) ||
  fail(`no ${type} for ${uri}`);
if (byUri("https://ift.tt/31zykrh", "response")["http:status"] !== 301) fail("the redirect is not a 301");
if (byUri("https://example.com/empty", "response")["http:status"] !== 204) fail("the empty body is not a 204");
byUri("https://example.com/article", "response");
// Stored at deflate level 0, the JPEG's member is at least its 48 KiB body.
const jpeg = byUri("https://1.bp.blogspot.com/-Fx/s1600/coronavirus.jpg", "response");
if (jpeg.length < 48 * 1024) fail(`the incompressible JPEG member is only ${jpeg.length} bytes`);
const revisit = byUri("https://1.bp.blogspot.com/-Fx/s640/coronavirus.jpg", "revisit");
if (revisit["warc-payload-digest"] !== jpeg["warc-payload-digest"]) fail("the revisit's payload digest is not the original's");
console.log(`${ours.length} records agree`);
JS
grep -q "cdx-index" "$WORK/warcio.err" || fail "check_warc did not run cdx-index"

# The checker itself is no rubber stamp: a changed payload byte and a torn
# final member (which warcio alone misses) both fail it.
gzip -dc "$WARC" | sed 's/>news</>newt</' >"$WORK/flipped.warc"
if node "$INTEROP/check_warc.mjs" "$WORK/flipped.warc" >"$WORK/flipped.jsonl" 2>/dev/null; then
  fail "check_warc accepted a changed payload byte"
fi
expect_contains "$WORK/flipped.jsonl" '"payload_digest":"mismatch"'
head -c $(($(stat -c %s "$WARC") - 100)) "$WARC" >"$WORK/torn.warc.gz"
if node "$INTEROP/check_warc.mjs" "$WORK/torn.warc.gz" >/dev/null 2>"$WORK/torn.err"; then
  fail "check_warc accepted a torn final member"
fi
expect_contains "$WORK/torn.err" "after the last record warcio read"
echo ok
