#!/usr/bin/env bash
# The layer rules an include path cannot express (ARCHITECTURE.md,
# cmake/RotguardModules.cmake does the rest at build time):
# - only src/cli/ includes CLI11 or ends the process (exit codes are the
#   CLI's), and nothing includes a header of src/cli/ but src/cli/;
# - no source reaches a header by a relative path ("../"), which would
#   bypass the staged include trees.
# Exits 1 and lists every violation.
set -uo pipefail
cd "$(dirname "$0")/.."
status=0
fail() { echo "check_layers: $*"; status=1; }

lib_sources=$(find src -name '*.cc' -o -name '*.h' -o -name '*.in' | grep -v '^src/cli/')
for f in $lib_sources; do
  grep -nE '#include <CLI/' "$f" | sed "s|^|$f:|" | while read -r hit; do
    echo "check_layers: $hit: only src/cli/ may include CLI11"; done
  grep -nE '(^|[^_a-zA-Z])(std::)?(exit|_exit|_Exit|quick_exit)\(' "$f" |
    sed "s|^|$f:|" | while read -r hit; do
      echo "check_layers: $hit: only src/cli/ decides how the process ends"; done
  grep -nE '#include "cli/' "$f" | sed "s|^|$f:|" | while read -r hit; do
    echo "check_layers: $hit: nothing below the CLI includes it"; done
done > /tmp/check_layers.$$ 2>&1
if [ -s /tmp/check_layers.$$ ]; then cat /tmp/check_layers.$$; status=1; fi
rm -f /tmp/check_layers.$$
if grep -rnE '#include "\.\./' src include; then
  fail 'relative includes bypass the layer check'
fi
[ $status -eq 0 ] && echo "check_layers: ok"
exit $status
