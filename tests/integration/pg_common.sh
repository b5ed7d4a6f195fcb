# Sourced after common.sh by the tests that need PostgreSQL. pg_start DB
# starts a throwaway PostgreSQL 15 server (tools/pg-test-server.sh: initdb
# into a temp directory as the `postgres` user when run as root, a free
# loopback port, bounded start) and creates database DB in it, setting
# PG_URL. The server is stopped and its directory removed when the test
# exits, however it exits; commands in ON_EXIT run first (a fixture
# server to kill). Without the server binaries the test is skipped (125).
PG_DIR=""
PG_URL=""
ON_EXIT=()

pg_stop() {
  [ -z "$PG_DIR" ] || bash "$ROTGUARD_SOURCE_DIR/tools/pg-test-server.sh" stop "$PG_DIR"
  PG_DIR=""
}
trap 'rc=$?; set +e; for c in "${ON_EXIT[@]}"; do eval "$c"; done; pg_stop; (exit $rc); cleanup' EXIT

pg_start() {  # DATABASE
  # libpq (and the OpenSSL it loads) has not been run under the
  # sanitizers here; the release stage runs these tests.
  if sanitizer_build; then echo "sanitizer build: PostgreSQL tests skipped"; exit 125; fi
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null ||
    { echo "PostgreSQL server not installed: skipped"; exit 125; }
  command -v psql >/dev/null 2>&1 || { echo "psql not installed: skipped"; exit 125; }
  PG_DIR=$(mktemp -u /tmp/rotguard-pg.XXXXXX)
  local server
  server=$(bash "$ROTGUARD_SOURCE_DIR/tools/pg-test-server.sh" start "$PG_DIR") ||
    fail "the PostgreSQL test server did not start"
  psql "$server" -qAtc "CREATE DATABASE $1" >/dev/null || fail "CREATE DATABASE $1"
  PG_URL="${server%/postgres}/$1"
}

# pg_count TABLE: its row count in the test database.
pg_count() {
  psql "$PG_URL" -qAtc "SELECT count(*) FROM $1"
}
