#!/usr/bin/env bash
# The systemd units cmake installs (contrib/systemd) must pass
# `systemd-analyze verify`: the service as configured for the install
# prefix, with its ExecStart pointed at this build's binary (the installed
# path does not exist here; tests/package/deb_install.sh verifies the
# installed units as they are), and the timer that starts it.
source "$(dirname "$0")/common.sh"
command -v systemd-analyze >/dev/null || { echo "systemd-analyze not installed: skipped"; exit 125; }
UNIT=$ROTGUARD_BUILD_DIR/contrib/systemd/rotguard.service
[ -f "$UNIT" ] || fail "$UNIT was not configured"
grep -q '^ExecStart=/.*/rotguard -q archive ' "$UNIT" || fail "the service does not run archive: $(grep ExecStart "$UNIT")"
mkdir -p "$WORK/units"
sed "s|^ExecStart=[^ ]*/rotguard |ExecStart=$ROTGUARD |" "$UNIT" >"$WORK/units/rotguard.service"
cp "$ROTGUARD_SOURCE_DIR/contrib/systemd/rotguard.timer" "$WORK/units/"
# Documentation=man:rotguard(1) is checked with man(1) when it is here,
# against this build's generated page.
MAN_CHECK=--man=no
if command -v man >/dev/null; then
  mkdir -p "$WORK/man/man1"
  cp "$ROTGUARD_BUILD_DIR/docs/rotguard.1" "$WORK/man/man1/"
  export MANPATH=$WORK/man
  MAN_CHECK=--man=yes
fi
(cd "$WORK/units" && systemd-analyze verify "$MAN_CHECK" ./rotguard.service ./rotguard.timer) >"$WORK/out" 2>&1 ||
  { cat "$WORK/out" >&2; fail "systemd-analyze verify failed"; }
# Warnings go to the same output; the units must have none of their own.
if grep -i 'rotguard\.\(service\|timer\)' "$WORK/out"; then
  fail "systemd-analyze verify warns about the units"
fi
echo ok
