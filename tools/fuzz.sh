#!/usr/bin/env bash
# Runs every libFuzzer target (tests/fuzz/*_fuzzer.cc) for a given time
# each, under ASan + UBSan, starting from the checked-in corpus.
#   tools/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]    (default 600 s, all)
# New inputs go to build/fuzz/corpus/<target>; a crash stops the script
# with the reproducer left as build/fuzz/crash-<target>-*. Replay one with
# the target binary and the file, or add it to tests/fuzz/corpus/<target>
# so CI replays it (tools/test.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
shift || true
command -v clang++ >/dev/null || apt-get install -y clang >/dev/null
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S . -B build/fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ "${launcher[@]}" \
  -DROTGUARD_FUZZ=ON -DROTGUARD_SANITIZE=ON -DROTGUARD_CHECK_LAYERS=OFF \
  >/dev/null
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for f in tests/fuzz/*_fuzzer.cc; do
    targets+=("$(basename "$f" _fuzzer.cc)")
  done
fi
cmake --build build/fuzz -j "$(nproc)" \
  --target "${targets[@]/%/_fuzzer}"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
for t in "${targets[@]}"; do
  corpus=build/fuzz/corpus/$t
  mkdir -p "$corpus"
  seeds=tests/fuzz/corpus/$t
  [ -d "$seeds" ] || seeds=
  echo "== $t: ${seconds}s =="
  # -rss_limit_mb bounds each input's memory as the tools promise to;
  # -timeout flags any input that takes over 10 s (a hang).
  build/fuzz/tests/fuzz/"${t}"_fuzzer "$corpus" $seeds \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix=build/fuzz/crash-"$t"- -print_final_stats=1 \
    2>&1 | grep -E '^(#[0-9]+[[:space:]]+DONE|stat::number_of_executed_units|stat::peak_rss_mb|==[0-9]+==ERROR|SUMMARY|INFO: -max_total_time)' || true
  if ls build/fuzz/crash-"$t"-* >/dev/null 2>&1; then
    echo "$t: crash reproducers in build/fuzz/crash-$t-*" >&2
    exit 1
  fi
done
echo "fuzz pass done: ${#targets[@]} targets, ${seconds}s each"
