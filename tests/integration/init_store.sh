#!/usr/bin/env bash
# `rotguard init` and the store (SPEC §3, §4, §13 "Store creation", "Locks",
# "Exit codes, finer"): idempotent creation, --store and ROTGUARD_STORE,
# exit 5 naming an uncreatable path or a damaged manifest (left untouched),
# exit 4 on a held lock, exit 1 on a bad rotguard.toml.
source "$ROTGUARD_SOURCE_DIR/tests/integration/common.sh"

# one_line_error FILE TEXT: stderr is exactly one "rotguard: error:" line
# containing TEXT.
one_line_error() {
  [ "$(wc -l <"$1")" -eq 1 ] || { cat "$1" >&2; fail "want one line in $1"; }
  expect_contains "$1" "rotguard: error: "
  expect_contains "$1" "$2"
}
snapshot() {  # every file of store $1 with its sha256
  (cd "$1" && find . -type f ! -name lock -print0 | sort -z |
    xargs -0 sha256sum)
}

# --- default store, created once, then left alone ---
expect_exit 0 "$ROTGUARD" init
expect_contains out "initialized store at .rotguard"
for path in rotguard.toml manifest.sqlite3 lock; do
  [ -f ".rotguard/$path" ] || fail "init did not create .rotguard/$path"
done
for dir in warc warc/imported damaged logs; do
  [ -d ".rotguard/$dir" ] || fail "init did not create .rotguard/$dir/"
done
expect_contains .rotguard/rotguard.toml "# jobs = 8"
before=$(snapshot .rotguard)
expect_exit 0 "$ROTGUARD" init
expect_contains out "store at .rotguard already initialized"
[ "$(snapshot .rotguard)" = "$before" ] || fail "a second init changed files"

# An edited rotguard.toml survives init and is what the store uses.
sed -i 's/^# jobs = 8$/jobs = 3/' .rotguard/rotguard.toml
edited=$(sha256sum .rotguard/rotguard.toml)
expect_exit 0 "$ROTGUARD" init
[ "$(sha256sum .rotguard/rotguard.toml)" = "$edited" ] ||
  fail "init overwrote an edited rotguard.toml"

# --- --store and ROTGUARD_STORE ---
ROTGUARD_STORE="$WORK/from-env" expect_exit 0 "$ROTGUARD" init
expect_contains out "initialized store at $WORK/from-env"
[ -f "$WORK/from-env/manifest.sqlite3" ] || fail "ROTGUARD_STORE ignored"
ROTGUARD_STORE="$WORK/from-env" expect_exit 0 "$ROTGUARD" --store "$WORK/flag" init
[ -f "$WORK/flag/manifest.sqlite3" ] || fail "--store does not beat ROTGUARD_STORE"
expect_exit 0 "$ROTGUARD" init --store "$WORK/after"
[ -f "$WORK/after/manifest.sqlite3" ] || fail "--store after the command ignored"
expect_exit 0 "$ROTGUARD" --json --store "$WORK/json" init
expect_contains out "{\"created\":true,\"store\":\"$WORK/json\"}"
expect_exit 0 "$ROTGUARD" --json --store "$WORK/json" init
expect_contains out "\"created\":false"

# --- paths that cannot hold a store: exit 5 naming the path ---
expect_exit 5 "$ROTGUARD" init --store /proc/x
one_line_error err "/proc/x"
printf 'x' >plain-file
expect_exit 5 "$ROTGUARD" init --store plain-file/store
one_line_error err "plain-file/store"

# --- a bad rotguard.toml: exit 1 naming file:line and the key ---
expect_exit 0 "$ROTGUARD" init --store bad-config
printf '[fetch]\njobz = 3\n' >bad-config/rotguard.toml
expect_exit 1 "$ROTGUARD" init --store bad-config
one_line_error err "bad-config/rotguard.toml:2: unknown key 'fetch.jobz'"
printf '[health]\nrecrawl_days = "soon"\n' >extra.toml
expect_exit 1 "$ROTGUARD" init --config extra.toml
one_line_error err "extra.toml:2: health.recrawl_days: expected an integer"

# --- a damaged manifest: exit 5 naming it, bytes untouched ---
expect_exit 0 "$ROTGUARD" init --store damaged-store
head -c 8192 /dev/urandom >damaged-store/manifest.sqlite3
sum=$(sha256sum damaged-store/manifest.sqlite3)
expect_exit 5 "$ROTGUARD" init --store damaged-store
one_line_error err "damaged-store/manifest.sqlite3"
[ "$(sha256sum damaged-store/manifest.sqlite3)" = "$sum" ] ||
  fail "the damaged manifest was modified"
[ ! -e damaged-store/manifest.sqlite3-wal ] || fail "a WAL file appeared"

# --- a held lock: exit 4 at once ---
expect_exit 0 "$ROTGUARD" init --store locked
exec 9>>locked/lock
flock -x 9
expect_exit 4 "$ROTGUARD" init --store locked
one_line_error err "store locked is locked by another rotguard run"
exec 9>&-
expect_exit 0 "$ROTGUARD" init --store locked

# --- a command that needs a store, on a missing one: exit 1 naming it ---
if "$ROTGUARD" --help | grep '^  scan' >/dev/null; then
  mkdir -p posts
  expect_exit 1 "$ROTGUARD" --store "$WORK/missing" scan --update posts
  one_line_error err "$WORK/missing"
  [ ! -e "$WORK/missing" ] || fail "scan --update created a store"
fi
echo ok
