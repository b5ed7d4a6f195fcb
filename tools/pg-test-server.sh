#!/usr/bin/env bash
# A throwaway PostgreSQL 15 server for tests, from Debian's packages
# (postgresql-15): initdb into a fresh directory, listening on a free
# loopback port (and a unix socket inside that directory), trust auth for
# the `postgres` role, fsync off. Never touches the system's clusters.
#
#   pg-test-server.sh start DIR   start a server in DIR (created; must not
#                                 exist) and print its URL on stdout
#   pg-test-server.sh stop DIR    stop it (immediate) and remove DIR
#   pg-test-server.sh run CMD...  start one, run CMD with
#                                 ROTGUARD_TEST_PG_URL set, always stop it;
#                                 exits with CMD's status
#
# initdb refuses to run as root, so under root (CI) the server runs as the
# `postgres` system user the package creates, and DIR is chowned to it.
# Every step is bounded in time (initdb 60 s, start and stop 30 s).
set -euo pipefail

PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
[ -x "$PG_BIN/initdb" ] || {
  echo "pg-test-server: no PostgreSQL server binaries (apt-get install postgresql)" >&2
  exit 2
}

as_owner() {  # run as the user that owns the cluster
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start() {
  local dir=$1 port
  [ ! -e "$dir" ] || { echo "pg-test-server: $dir exists" >&2; exit 2; }
  mkdir -p "$dir/sock"
  [ "$(id -u)" -ne 0 ] || chown -R postgres: "$dir"
  timeout 60 env LC_ALL=C.UTF-8 bash -c "$(declare -f as_owner); as_owner \"$PG_BIN/initdb\" -D \"$dir/data\" \
    -U postgres --auth=trust -E UTF8 --locale=C.UTF-8" >"$dir/initdb.log" 2>&1 || {
    cat "$dir/initdb.log" >&2
    exit 1
  }
  # A port can be taken between free_port and the bind: try a few.
  for _ in 1 2 3; do
    port=$(free_port)
    if as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
      -o "-p $port -k $dir/sock -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
      start >/dev/null 2>&1; then
      echo "$port" >"$dir/port"
      echo "postgresql://postgres@127.0.0.1:$port/postgres"
      return 0
    fi
  done
  cat "$dir/server.log" >&2 || true
  echo "pg-test-server: the server did not start" >&2
  exit 1
}

stop() {
  local dir=$1
  [ -d "$dir" ] || return 0
  if [ -f "$dir/data/postmaster.pid" ]; then
    timeout 40 bash -c "$(declare -f as_owner); as_owner \"$PG_BIN/pg_ctl\" -D \"$dir/data\" -m immediate -w -t 30 stop" \
      >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}

case ${1:-} in
  start) start "$2" ;;
  stop) stop "$2" ;;
  run)
    shift
    dir=$(mktemp -u "${TMPDIR:-/tmp}/rotguard-pg.XXXXXX")
    trap 'stop "$dir"' EXIT
    ROTGUARD_TEST_PG_URL=$(start "$dir")
    export ROTGUARD_TEST_PG_URL
    rc=0
    "$@" || rc=$?
    exit $rc
    ;;
  *)
    echo "usage: $0 start DIR | stop DIR | run CMD..." >&2
    exit 2
    ;;
esac
