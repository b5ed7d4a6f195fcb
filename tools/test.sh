#!/usr/bin/env bash
# The README's test command: installs what is missing, then builds with
# warnings as errors and runs every test, then runs the unit and integration
# tests again under AddressSanitizer + UBSan, and the archive pipeline's
# tests under ThreadSanitizer (the release stage runs the manifest suite on
# PostgreSQL too, on a server it starts); last, the Release .deb is built, installed
# with apt, and the demo is run against the installed binary.
#
# Each sanitizer tree compiles at the lowest CPU priority while the tests
# of the stage before it run: those tests wait on loopback servers, locks
# and timeouts much of the time, and the compiler takes only the CPU they
# leave idle.
set -euo pipefail
cd "$(dirname "$0")/.."

# Each stage's wall time and CPU time (user + system of the commands it
# ran) is printed when it ends and again in a table at the end, so a slow
# CI run shows where its minutes went; CPU seconds compare runs on a
# shared machine, where wall times do not. A background build's CPU time
# counts in the stage that waits for it.
STAGE_TIMES=()
STAGE_NAME=""
children_cpu_ticks() {  # user + system clock ticks of every waited-for child
  local stat
  read -r -a stat </proc/$$/stat
  echo $((stat[15] + stat[16]))
}
stage() {  # NAME: ends the stage running (if any) and starts NAME
  local ticks now
  ticks=$(children_cpu_ticks)
  now=$SECONDS
  if [ -n "$STAGE_NAME" ]; then
    STAGE_TIMES+=("$(printf '%6d s wall %6d s CPU  %s' $((now - STAGE_WALL)) \
      $(((ticks - STAGE_TICKS) / $(getconf CLK_TCK))) "$STAGE_NAME")")
    echo "-- ${STAGE_TIMES[-1]}"
  fi
  STAGE_NAME=$1 STAGE_WALL=$now STAGE_TICKS=$ticks
  [ "$STAGE_NAME" = end ] || echo "== $STAGE_NAME =="
}

stage "install dependencies (tools/install-deps.sh)"
bash tools/install-deps.sh

JOBS=$(nproc)
# ccache, when the machine has it, makes re-runs cheap; CI starts without.
LAUNCHER=()
command -v ccache >/dev/null 2>&1 && LAUNCHER=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
# Debug info as line tables only (-g1, not -g): sanitizer reports keep
# their function names and file:line, the code is the same (GCC's -g never
# changes it; the .deb is stripped anyway), and the compiler skips the
# variable locations no CI log shows: 36 % less compile CPU at -O2, 17 %
# at ASan's -O0.
configure() {  # DIR CMAKE_ARGS...
  local dir=$1; shift
  cmake -S . -B "$dir" -G Ninja -DROTGUARD_WARNINGS_AS_ERRORS=ON \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" -DCMAKE_CXX_FLAGS_DEBUG="-g1" \
    "${LAUNCHER[@]}" "$@" >/dev/null
}
build() {  # DIR [TARGET...]
  local dir=$1; shift
  cmake --build "$dir" -j "$JOBS" ${1:+--target} "$@"
}
# build_in_background DIR [TARGET...]: ninja at nice 19, its output in
# DIR/build.log; wait_for_build shows the log's end (all of it and fails
# when the build did). Ninja itself, not cmake --build, so that the kill on
# exit stops its compilers too.
BACKGROUND_BUILD_PID="" BACKGROUND_BUILD_DIR=""
build_in_background() {
  BACKGROUND_BUILD_DIR=$1; shift
  nice -n 19 ninja -C "$BACKGROUND_BUILD_DIR" -j "$JOBS" "$@" \
    >"$BACKGROUND_BUILD_DIR/build.log" 2>&1 &
  BACKGROUND_BUILD_PID=$!
}
wait_for_build() {
  local status=0
  wait "$BACKGROUND_BUILD_PID" || status=$?
  BACKGROUND_BUILD_PID=""
  if [ $status -ne 0 ]; then
    cat "$BACKGROUND_BUILD_DIR/build.log" >&2
    echo "build of $BACKGROUND_BUILD_DIR failed" >&2
    exit 1
  fi
  tail -n 3 "$BACKGROUND_BUILD_DIR/build.log"
}
PG_TEST_DIR=""
on_exit() {
  [ -z "$BACKGROUND_BUILD_PID" ] || kill "$BACKGROUND_BUILD_PID" 2>/dev/null || true
  [ -z "$PG_TEST_DIR" ] || bash tools/pg-test-server.sh stop "$PG_TEST_DIR"
}
trap on_exit EXIT
run_tests() {  # DIR CTEST_ARGS...
  local dir=$1; shift
  ctest --test-dir "$dir" --output-on-failure -j "$JOBS" "$@"
}

stage "clang-format check"
bash tools/format.sh --check
stage "layer rules (tools/check_layers.sh)"
bash tools/check_layers.sh
stage "test scripts: no pipe into grep -q"
# Under pipefail, grep -q exits at its first match and the writer may die of
# SIGPIPE, failing the pipeline at random (CI stop 23). Use grep >/dev/null.
if git grep -nE '\|\s*grep\s+(-[A-Za-z]+\s+)*-[A-Za-z]*q' -- '*.sh' tools/fixture-web |
  grep -vE '^[^:]+:[0-9]+:\s*#'; then
  echo "pipe into grep -q found (see above)" >&2
  exit 1
fi

stage "release build (-Werror, every module linked alone)"
# Optimized with the /usr prefix, so the package stage at the end packs
# these very binaries instead of compiling everything a fourth time
# (-O2, stripped by cpack: what dpkg-buildflags gives Debian packages;
# g++ 12's -O3 also raises a false -Wrestrict in std::string's operator+).
configure build/release -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX=/usr
build build/release

stage "release tests (unit, integration, layers; the ASan tree compiles meanwhile)"
# The layer link checks ran in the release build; they add nothing under
# the sanitizers.
configure build/asan -DCMAKE_BUILD_TYPE=Debug -DROTGUARD_SANITIZE=ON \
  -DROTGUARD_FUZZ_REPLAY=ON -DROTGUARD_CHECK_LAYERS=OFF
build_in_background build/asan
# The manifest unit suite runs on both backends: SQLite, and PostgreSQL
# on a throwaway server (tools/pg-test-server.sh), stopped on any exit.
# Only here: the sanitizer stages have not been tried on libpq.
PG_TEST_DIR=$(mktemp -u /tmp/rotguard-pg.XXXXXX)
ROTGUARD_TEST_PG_URL=$(bash tools/pg-test-server.sh start "$PG_TEST_DIR")
export ROTGUARD_TEST_PG_URL
run_tests build/release
unset ROTGUARD_TEST_PG_URL
bash tools/pg-test-server.sh stop "$PG_TEST_DIR"
PG_TEST_DIR=""

stage "ASan + UBSan build (what is left of it)"
wait_for_build

stage "ASan + UBSan tests (unit, integration, fuzz corpus replay; the TSan tree compiles meanwhile)"
# The archive pipeline's fetch, writer and committer threads share state,
# as do verify's range readers and the thread that compares their records;
# only the tests that exercise them run under TSan (the rest gain nothing).
# A TSan build's unit-test binary, rotguard_thread_tests, holds only their
# files (tests/unit/CMakeLists.txt).
configure build/tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DROTGUARD_TSAN=ON \
  -DROTGUARD_CHECK_LAYERS=OFF
build_in_background build/tsan rotguard rotguard_thread_tests
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
run_tests build/asan
for f in build/asan/tests/fuzz/*_fuzzer; do
  [ -x "$f" ] || continue
  name=$(basename "$f" _fuzzer)
  if [ -d "tests/fuzz/corpus/$name" ]; then
    "$f" tests/fuzz/corpus/"$name"/*
  fi
done

stage "ThreadSanitizer build (what is left of rotguard, rotguard_thread_tests)"
wait_for_build

stage "ThreadSanitizer tests (archive pipeline, WARC writer, archive runs, verify ranges)"
TSAN_TESTS='^(ArchivePipeline|WarcWriter|WorkerPool|WorkQueue|WriterPool|Committer|RollingFile|FaultSweep|RangeSplitter|RangedRead)|^DamagedStoreTest\.(FindingsAreTheSame|ReadAhead)|^integration\.(archive_|http_case\.)'
# rotguard_thread_tests must hold every unit test the pattern picks from
# the full suite, or a test would silently leave this run.
tests_selected() {  # BUILD_DIR: the names of the tests TSAN_TESTS picks there
  ctest --test-dir "$1" -N -R "$TSAN_TESTS" | sed -nE 's/^ *Test +#[0-9]+: //p' | sort
}
if ! diff <(tests_selected build/release) <(tests_selected build/tsan); then
  echo "rotguard_thread_tests lacks the tests above (< only in the full suite):" \
    "add their files to ROTGUARD_THREAD_TEST_SOURCES" >&2
  exit 1
fi
TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 run_tests build/tsan -R "$TSAN_TESTS"

stage "Debian package (cpack -G DEB, apt-get install, the demo against /usr/bin/rotguard)"
bash tests/package/deb_install.sh build/release
stage end
printf '%s\n' "${STAGE_TIMES[@]}"
echo "all tests passed"
