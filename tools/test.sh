#!/usr/bin/env bash
# The README's test command: installs what is missing, then builds with
# warnings as errors and runs every test, then runs the unit and integration
# tests again under AddressSanitizer + UBSan, and the archive pipeline's
# tests under ThreadSanitizer (the release stage runs the manifest suite on
# PostgreSQL too, on a server it starts); last, the Release .deb is built, installed
# with apt, and the demo is run against the installed binary.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh

JOBS=$(nproc)
# ccache, when the machine has it, makes re-runs cheap; CI starts without.
LAUNCHER=()
command -v ccache >/dev/null 2>&1 && LAUNCHER=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
build_and_test() {  # DIR CMAKE_ARGS...
  local dir=$1; shift
  cmake -S . -B "$dir" -G Ninja -DROTGUARD_WARNINGS_AS_ERRORS=ON \
    "${LAUNCHER[@]}" "$@" >/dev/null
  cmake --build "$dir" -j "$JOBS"
  ctest --test-dir "$dir" --output-on-failure -j "$JOBS"
}

echo "== clang-format check =="
bash tools/format.sh --check
echo "== layer rules (tools/check_layers.sh) =="
bash tools/check_layers.sh
echo "== test scripts: no pipe into grep -q =="
# Under pipefail, grep -q exits at its first match and the writer may die of
# SIGPIPE, failing the pipeline at random (CI stop 23). Use grep >/dev/null.
if git grep -nE '\|\s*grep\s+(-[A-Za-z]+\s+)*-[A-Za-z]*q' -- '*.sh' tools/fixture-web |
  grep -vE '^[^:]+:[0-9]+:\s*#'; then
  echo "pipe into grep -q found (see above)" >&2
  exit 1
fi
echo "== release build (-Werror, every module linked alone) =="
# The manifest unit suite runs on both backends: SQLite, and PostgreSQL
# on a throwaway server (tools/pg-test-server.sh), stopped on any exit.
# Only here: the sanitizer stages have not been tried on libpq.
# Optimized with the /usr prefix, so the package stage at the end packs
# these very binaries instead of compiling everything a fourth time
# (-O2 -g, stripped by cpack: what dpkg-buildflags gives Debian packages;
# g++ 12's -O3 also raises a false -Wrestrict in std::string's operator+).
PG_TEST_DIR=$(mktemp -u /tmp/rotguard-pg.XXXXXX)
trap 'bash tools/pg-test-server.sh stop "$PG_TEST_DIR"' EXIT
ROTGUARD_TEST_PG_URL=$(bash tools/pg-test-server.sh start "$PG_TEST_DIR")
export ROTGUARD_TEST_PG_URL
build_and_test build/release -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX=/usr
unset ROTGUARD_TEST_PG_URL
bash tools/pg-test-server.sh stop "$PG_TEST_DIR"
echo "== ASan + UBSan build (unit, integration, fuzz corpus replay) =="
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# The layer link checks ran in the release build; they add nothing here.
build_and_test build/asan -DCMAKE_BUILD_TYPE=Debug -DROTGUARD_SANITIZE=ON \
  -DROTGUARD_FUZZ_REPLAY=ON -DROTGUARD_CHECK_LAYERS=OFF
for f in build/asan/tests/fuzz/*_fuzzer; do
  [ -x "$f" ] || continue
  name=$(basename "$f" _fuzzer)
  if [ -d "tests/fuzz/corpus/$name" ]; then
    "$f" tests/fuzz/corpus/"$name"/*
  fi
done
echo "== ThreadSanitizer build (archive pipeline, WARC writer, archive runs, verify ranges) =="
# The archive pipeline's fetch, writer and committer threads share state,
# as do verify's range readers and the thread that compares their records;
# only the tests that exercise them run here (the rest gain nothing). A
# TSan build's unit-test binary, rotguard_thread_tests, holds only their
# files (tests/unit/CMakeLists.txt); it must hold every unit test the
# pattern picks from the full suite, or a test would silently leave this run.
TSAN_TESTS='^(ArchivePipeline|WarcWriter|WorkerPool|WorkQueue|WriterPool|Committer|RollingFile|FaultSweep|RangeSplitter|RangedRead)|^DamagedStoreTest\.(FindingsAreTheSame|ReadAhead)|^integration\.(archive_|http_case\.)'
cmake -S . -B build/tsan -G Ninja -DROTGUARD_WARNINGS_AS_ERRORS=ON "${LAUNCHER[@]}" \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DROTGUARD_TSAN=ON \
  -DROTGUARD_CHECK_LAYERS=OFF >/dev/null
cmake --build build/tsan -j "$JOBS" --target rotguard rotguard_thread_tests
tests_selected() {  # BUILD_DIR: the names of the tests TSAN_TESTS picks there
  ctest --test-dir "$1" -N -R "$TSAN_TESTS" | sed -nE 's/^ *Test +#[0-9]+: //p' | sort
}
if ! diff <(tests_selected build/release) <(tests_selected build/tsan); then
  echo "rotguard_thread_tests lacks the tests above (< only in the full suite):" \
    "add their files to ROTGUARD_THREAD_TEST_SOURCES" >&2
  exit 1
fi
TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
  ctest --test-dir build/tsan --output-on-failure -j "$JOBS" -R "$TSAN_TESTS"
echo "== Debian package (cpack -G DEB, apt-get install, the demo against /usr/bin/rotguard) =="
bash tests/package/deb_install.sh build/release
echo "all tests passed"
