#!/usr/bin/env bash
# The Debian package, end to end (issue #20 item 1): builds rotguard in
# Release with the /usr prefix (or packs BUILD_DIR's build as it is),
# makes the .deb with `cpack -G DEB`, checks its Depends (from dpkg-shlibdeps) and contents, installs it with
# `apt-get install ./rotguard_*.deb`, checks the installed binary is
# stripped, the man page and completions are where man and the shells look,
# the installed systemd units pass `systemd-analyze verify`, runs the demo
# against /usr/bin/rotguard, and removes the package again.
# Needs root (apt-get); run by tools/test.sh. Usage: tests/package/deb_install.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build/pkg}
fail() { echo "FAIL: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "deb_install: needs root for apt-get: skipped"; exit 0; }
if dpkg-query -W -f='${Status}' rotguard 2>/dev/null | grep "ok installed" >/dev/null; then
  fail "a rotguard package is installed already; remove it first (apt-get remove rotguard)"
fi

LAUNCHER=()
command -v ccache >/dev/null 2>&1 && LAUNCHER=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
# A build directory configured already (tools/test.sh passes its release
# stage's, RelWithDebInfo with the /usr prefix) is packed as it is:
# reconfiguring would recompile everything. It must be optimized, for /usr.
if [ -f "$BUILD/CMakeCache.txt" ]; then
  grep -xE 'CMAKE_BUILD_TYPE:STRING=(Release|RelWithDebInfo)' "$BUILD/CMakeCache.txt" >/dev/null &&
    grep -x 'CMAKE_INSTALL_PREFIX:PATH=/usr' "$BUILD/CMakeCache.txt" >/dev/null ||
    fail "$BUILD is not an optimized build with CMAKE_INSTALL_PREFIX=/usr"
else
  cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr \
    -DROTGUARD_BUILD_TESTS=OFF -DROTGUARD_CHECK_LAYERS=OFF "${LAUNCHER[@]}" >/dev/null
fi
cmake --build "$BUILD" -j "$(nproc)"
rm -f "$BUILD"/rotguard_*.deb
(cd "$BUILD" && cpack -G DEB >/dev/null)
deb=$(ls "$PWD/$BUILD"/rotguard_*.deb)
echo "package: $deb ($(du -k "$deb" | cut -f1) KiB)"

depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
for lib in libc6 libcurl4 libsqlite3-0 libarchive13 libssl3 libre2-9 libgumbo1; do
  grep -q "$lib" <<<"$depends" || fail "Depends lacks $lib"
done
contents=$(dpkg-deb -c "$deb" | awk '{print $6}')
for path in ./usr/bin/rotguard ./usr/share/man/man1/rotguard.1.gz \
  ./usr/share/bash-completion/completions/rotguard \
  ./usr/share/zsh/vendor-completions/_rotguard \
  ./usr/share/fish/vendor_completions.d/rotguard.fish \
  ./usr/share/rotguard/policies/default.toml \
  ./usr/lib/systemd/system/rotguard.service ./usr/lib/systemd/system/rotguard.timer \
  ./usr/lib/systemd/system/rotguard-worker@.service \
  ./usr/share/doc/rotguard/README.md; do
  grep -qx -- "$path" <<<"$contents" || fail "the package lacks $path"
done

trap 'DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq rotguard >/dev/null || true' EXIT
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$deb" >/dev/null
file -L /usr/bin/rotguard | grep ', stripped' >/dev/null || fail "/usr/bin/rotguard is not stripped: $(file -L /usr/bin/rotguard)"
/usr/bin/rotguard --version | grep "rotguard " >/dev/null || fail "the installed rotguard does not run"
zcat /usr/share/man/man1/rotguard.1.gz | grep '^\.SH COMMANDS' >/dev/null || fail "the installed man page has no COMMANDS"
grep -q "ExecStart=/usr/bin/rotguard " /usr/lib/systemd/system/rotguard.service ||
  fail "the installed service does not run /usr/bin/rotguard"
systemd-analyze verify /usr/lib/systemd/system/rotguard.service \
  /usr/lib/systemd/system/rotguard.timer || fail "systemd-analyze verify of the installed units"
grep -q "ExecStart=/usr/bin/rotguard .*archive --worker --worker-id %H-%i" \
  /usr/lib/systemd/system/rotguard-worker@.service ||
  fail "the installed worker unit does not run /usr/bin/rotguard archive --worker"
# A template is verified as an instance of it (systemd-analyze refuses the
# bare template name).
systemd-analyze verify /usr/lib/systemd/system/rotguard-worker@1.service ||
  fail "systemd-analyze verify of rotguard-worker@1.service"

DEMO_ROTGUARD=/usr/bin/rotguard bash tools/demo.sh >"$BUILD/demo.log" 2>&1 ||
  { tail -n 30 "$BUILD/demo.log" >&2; fail "the demo failed against /usr/bin/rotguard"; }
tail -n 3 "$BUILD/demo.log"
echo "deb_install: ok"
