# Sourced by every integration script: strict mode, a temp dir kept on
# failure, and small assertion helpers.
set -euo pipefail
: "${ROTGUARD:?ROTGUARD must point at the built binary}"
: "${ROTGUARD_SOURCE_DIR:?}"
TEST_NAME=$(basename "$0" .sh)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/rotguard-${TEST_NAME}.XXXXXX")
cleanup() {
  local rc=$?
  if [ $rc -eq 0 ]; then rm -rf "$WORK"; else echo "test data left in $WORK" >&2; fi
}
trap cleanup EXIT
cd "$WORK"
# The browser lane's default is "thin" when a Chromium is installed (it is
# here and in CI): off for every test, so no test starts Chromium by
# accident or changes its captures and time; archive_browser.sh asks for
# it with --browser (which wins over $ROTGUARD_BROWSER).
export ROTGUARD_BROWSER=off

fail() { echo "FAIL: $*" >&2; exit 1; }
# expect_exit CODE CMD...: run CMD, require exit status CODE.
expect_exit() {
  local want=$1; shift
  local got=0
  "$@" >"$WORK/out" 2>"$WORK/err" || got=$?
  [ "$got" -eq "$want" ] || { cat "$WORK/out" "$WORK/err" >&2; fail "'$*' exited $got, want $want"; }
}
expect_contains() {  # FILE TEXT
  grep -qF -- "$2" "$1" || { cat "$1" >&2; fail "$1 lacks '$2'"; }
}

# True for an ASan or TSan build, whose shadow memory and allocator
# quarantine make peak RSS say nothing about the code. Not `ldd | grep -q`:
# under pipefail grep's early exit can fail the pipeline with SIGPIPE.
sanitizer_build() {
  local libs
  libs=$(ldd "$ROTGUARD" 2>/dev/null || true)
  [[ $libs == *libasan* || $libs == *libtsan* ]]
}

# tiny_store N [--no-import]: a store at $WORK/sN/.rotguard holding N tiny
# records from tools/gen_tiny_warc.py (the WARC stays at $WORK/tN.warc.gz);
# --no-import leaves the store empty for a caller that times the import.
tiny_store() {
  local n=$1 store=$WORK/s$1/.rotguard
  python3 "$ROTGUARD_SOURCE_DIR/tools/gen_tiny_warc.py" "$WORK/t$n.warc.gz" "$n"
  expect_exit 0 "$ROTGUARD" --store "$store" init
  [ "${2:-}" = --no-import ] || expect_exit 0 "$ROTGUARD" --store "$store" import "$WORK/t$n.warc.gz"
}

# The record counts of the memory tests: 10,000 and 50,000, where peak RSS
# is checked. Sanitizer builds check only the output (their RSS says
# nothing), so they take 2,000 and 10,000 records: the same code paths at a
# fifth of the time (the 50,000-record runs took 4 minutes under ASan).
MEMORY_SMALL=10000
MEMORY_LARGE=50000
if sanitizer_build; then
  MEMORY_SMALL=2000
  MEMORY_LARGE=10000
fi

# check_rss_bound LABEL SMALL_KIB LARGE_KIB: the SPEC §11 bound as the
# memory tests check it on $MEMORY_SMALL and $MEMORY_LARGE records: under
# 64 MiB, and at most 4 MiB of growth between the two (memory must not
# follow the record count). Sanitizer builds only print the numbers.
check_rss_bound() {
  local label=$1 small=$2 large=$3
  echo "$label peak RSS: $MEMORY_SMALL records ${small} KiB, $MEMORY_LARGE records ${large} KiB"
  if sanitizer_build; then
    echo "sanitizer build: $label RSS bounds not checked"
    return 0
  fi
  [ "$large" -lt 65536 ] || fail "$label of $MEMORY_LARGE records: peak RSS $large KiB (want < 64 MiB)"
  [ "$((large - small))" -lt 4096 ] ||
    fail "$label RSS grew by $((large - small)) KiB from $MEMORY_SMALL to $MEMORY_LARGE records (want < 4 MiB)"
}
