#!/usr/bin/env bash
# The HTTP case runner (tests/integration/http_cases.py) is not vacuous: a
# case whose every expectation is wrong fails, and each kind of mismatch is
# named in the report (tests/data/http/selftest/mismatch.case).
source "$(dirname "$0")/common.sh"
command -v python3 >/dev/null 2>&1 || { echo "python3 not installed: skipped"; exit 125; }
command -v openssl >/dev/null 2>&1 || { echo "openssl not installed: skipped"; exit 125; }

runner=$ROTGUARD_SOURCE_DIR/tests/integration/http_cases.py
expect_exit 1 python3 "$runner" "$ROTGUARD_SOURCE_DIR/tests/data/http/selftest/mismatch.case"
for line in "exit codes: want 1, got 0" "stdout of the last command lacks ['no such text']" \
  "summary due: want = 5, got 1" "missing:    GET http://scenarios.example.org/two 200" \
  "unexpected: GET http://scenarios.example.org/one 200" \
  "-response http://scenarios.example.org/one 404" \
  "missing: response http://scenarios.example.org/one 200 (payload does not contain 'two')" \
  "--- manifest: SELECT http_status FROM captures;"; do
  expect_contains "$WORK/err" "$line"
done
# The work directory it kept is named; remove it.
kept=$(sed -n 's/^test data left in //p' "$WORK/err")
[ -d "$kept" ] || fail "the failing case's work directory was not kept"
rm -rf "$kept"

# A malformed case is an error naming file:line, not a pass.
printf '== name\nbad\n== reply ftp://x/y\nHTTP/1.1 200 OK\n== command\nrotguard --version\n' >bad.case
expect_exit 1 python3 "$runner" bad.case
expect_contains "$WORK/err" "bad.case:3: == reply [METHOD] http(s)://HOST/PATH"
echo "http_cases_selftest: ok"
