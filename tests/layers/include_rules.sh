#!/usr/bin/env bash
# The staged include trees enforce SPEC §12: for every module, a header of
# its own layer or below compiles, and a header of a module above it (or a
# private header of another module) is "file not found". Run by CTest with
# CXX and LAYERS (build/layers) set.
set -uo pipefail
: "${CXX:?}" "${LAYERS:?}"
probe=$(mktemp --suffix=.cc)
trap 'rm -f "$probe"' EXIT
failures=0
compiles() {  # MODULE INCLUDE
  printf '#include "%s"\nint main() { return 0; }\n' "$2" > "$probe"
  "$CXX" -std=c++20 -fsyntax-only -I "$LAYERS/$1" "$probe" 2>/dev/null
}
expect() {  # yes|no MODULE INCLUDE
  if compiles "$2" "$3"; then got=yes; else got=no; fi
  if [ "$got" != "$1" ]; then
    echo "FAIL: $2 including $3: expected compiles=$1, got $got"
    failures=$((failures + 1))
  fi
}
# Allowed: own and lower layers' public headers, own and util's folders.
expect yes warc rotguard/warc_writer.h
expect yes warc util/handles.h
expect yes fetch rotguard/fetch.h
expect yes fetch rotguard/rules.h
expect yes archive rotguard/warc_writer.h
expect yes verify rotguard/fetch.h
expect yes cli rotguard/archive.h
expect yes rescue rotguard/fetch.h
expect yes rescue rotguard/warc_writer.h
expect yes restore rotguard/copy_choice.h
expect yes cli rotguard/rescue.h
expect yes proxy rotguard/fetch.h
expect yes proxy rotguard/recording_proxy.h
expect yes browser rotguard/browser.h
expect yes browser util/handles.h
# Refused: upward, sideways and into other modules' private folders.
expect no util rotguard/warc_writer.h
expect no warc rotguard/manifest.h
expect no warc rotguard/fetch.h
expect no extract rotguard/warc_reader.h
expect no manifest rotguard/config.h
expect no fetch rotguard/warc_writer.h
expect no fetch rotguard/recording_proxy.h
expect no proxy rotguard/warc_writer.h
expect no fetch rotguard/archive.h
expect no restore rotguard/fetch.h
expect no restore rotguard/archive.h
expect no verify rotguard/archive.h
expect no archive rotguard/verify.h
expect no verify cli/output.h
expect no restore extract/collector.h
expect no archive warc/format.h
expect no rescue rotguard/archive.h
expect no restore rotguard/rescue.h
expect no fetch rotguard/rescue.h
expect no archive rescue/memento_fetch.h
expect no browser rotguard/fetch.h
expect no browser rotguard/warc_writer.h
expect no fetch rotguard/browser.h
expect no archive browser/cdp_connection.h
[ $failures -eq 0 ] && echo "include rules hold"
exit $((failures > 0))
