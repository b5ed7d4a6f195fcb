#!/usr/bin/env bash
# The CLI's global contract: --version, --help with exit codes, usage errors exit 1.
source "$(dirname "$0")/common.sh"

expect_exit 0 "$ROTGUARD" --version
expect_contains "$WORK/out" "rotguard 0."
expect_exit 0 "$ROTGUARD" --help
expect_contains "$WORK/out" "Exit codes:"
expect_contains "$WORK/out" "4  the store is locked"
expect_exit 1 "$ROTGUARD" --no-such-flag
expect_exit 1 "$ROTGUARD" no-such-command
echo ok
