#!/usr/bin/env bash
# The layer rules an include path cannot express (ARCHITECTURE.md,
# cmake/RotguardModules.cmake does the rest at build time):
# - only src/cli/ includes CLI11 or ends the process (exit codes are the
#   CLI's), and nothing includes a header of src/cli/ but src/cli/;
# - no source reaches a header by a relative path ("../"), which would
#   bypass the staged include trees;
# - no two headers define a namespace-scope type of the same name: two
#   different rotguard::X linked into one binary break the one-definition
#   rule silently (two `Memento`s once passed the release tests and only
#   ASan caught the bad frees).
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
# Namespace-scope definitions start at column 0 (clang-format does not
# indent namespaces); a forward declaration ends with ';' and is skipped.
dupes=$(find include src -name '*.h' -print0 |
  xargs -0 grep -HoE '^(struct|class|enum class|enum|union) [A-Za-z_][A-Za-z0-9_]*([^:;A-Za-z0-9_][^;]*)?$' |
  awk -F: '{split($2, w, " "); n = (w[1] == "enum" && w[2] == "class") ? w[3] : w[2];
    files[n] = files[n] " " $1; count[n]++}
    END {for (n in count) if (count[n] > 1) print n ":" files[n]}')
if [ -n "$dupes" ]; then
  fail "one type name defined in several headers (ODR): $dupes"
fi
[ $status -eq 0 ] && echo "check_layers: ok"
exit $status
