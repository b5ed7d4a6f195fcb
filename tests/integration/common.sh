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
