# Sourced (after common.sh) by the archive_*.sh scenario tests: starts this
# test's own fixture web (tools/fixture-web), runs `rotguard archive` against
# it with fast timeouts, and reads back the WARC records (inspect --json) and
# the manifest (sqlite3 CLI). Python helpers: tests/integration/fixture_check.py.

for tool in python3 openssl sqlite3 curl; do
  command -v "$tool" >/dev/null 2>&1 || { echo "$tool not installed: skipped"; exit 125; }
done

"$ROTGUARD" archive --help >/dev/null 2>&1 ||
  { echo "rotguard archive is not in this build (archive command not registered): skipped"; exit 125; }

STORE=$WORK/store
CONFIG=$WORK/rotguard.toml
CHECK_PY_PATH=$ROTGUARD_SOURCE_DIR/tests/integration
export PYTHONPATH=$CHECK_PY_PATH${PYTHONPATH:+:$PYTHONPATH}

# fixture_start [MAX_SECONDS]: the fixture web for this test, stopped on exit.
fixture_start() {
  eval "$("$ROTGUARD_SOURCE_DIR/tools/fixture-web" start --dir "$WORK/web" --max-seconds "${1:-550}")"
  read -ra FIXTURE_FLAGS <<<"$FIXTURE_ARGS"
  trap 'rc=$?; set +e; "$ROTGUARD_SOURCE_DIR/tools/fixture-web" stop --dir "$WORK/web"; (exit $rc); cleanup' EXIT
}

# fetch_config [KEY=VALUE...]: the [fetch] table of $CONFIG, fast defaults
# for loopback (no delay, short timeouts, one quick retry) plus overrides,
# and a [rescue] table: public-archive lookups off unless a test asks
# (rescue.lookup=true; other rescue.KEY=VALUE pairs go there too).
fetch_config() {
  declare -A fetch=([delay_ms]=0 [per_host]=4 [retries]=1 [backoff_ms]=100
    [retry_after_cap_s]=5 [connect_timeout_s]=3 [total_timeout_s]=60)
  declare -A rescue=([lookup]=false)
  local pair key
  for pair in "$@"; do
    key=${pair%%=*}
    if [[ $key == rescue.* ]]; then
      rescue[${key#rescue.}]=${pair#*=}
    else
      fetch[$key]=${pair#*=}
    fi
  done
  { echo "[fetch]"; for key in "${!fetch[@]}"; do echo "$key = ${fetch[$key]}"; done
    echo "[rescue]"; for key in "${!rescue[@]}"; do echo "$key = ${rescue[$key]}"; done
  } >"$CONFIG"
}
fetch_config

# archive WANT_EXIT ARGS...: `rotguard archive --json ARGS` with the fixture
# flags; the summary lands in $WORK/summary.json.
archive() {
  local want=$1; shift
  expect_exit "$want" "$ROTGUARD" --store "$STORE" --config "$CONFIG" --json archive "$@" \
    "${FIXTURE_FLAGS[@]}"
  cp "$WORK/out" "$WORK/summary.json"
}

# summary EXPR: a Python expression over the summary `s`, printed.
summary() {
  python3 -c 'import json, sys; s = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' \
    "$WORK/summary.json" "$1"
}

# archive_and_kill9 MIN_COMMITTED: `rotguard archive -i urls.txt` in the
# background, killed with SIGKILL once MIN_COMMITTED captures rows are
# committed (polled for at most 60 s); fails if the run ends first. Sets
# $committed to the count seen just before the kill.
archive_and_kill9() {
  local min=$1 pid
  "$ROTGUARD" --store "$STORE" --config "$CONFIG" --json archive -i urls.txt "${FIXTURE_FLAGS[@]}" \
    >"$WORK/run1.out" 2>"$WORK/run1.err" &
  pid=$!
  committed=0
  for _ in $(seq 600); do
    [ -s "$STORE/manifest.sqlite3" ] &&
      committed=$(sql "SELECT count(*) FROM captures" 2>/dev/null || echo 0)
    [ "${committed:-0}" -ge "$min" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -0 "$pid" 2>/dev/null || { cat "$WORK/run1.out" "$WORK/run1.err" >&2; fail "archive ended before the kill"; }
  [ "${committed:-0}" -ge "$min" ] || fail "no captures committed within 60 s"
  kill -9 "$pid"
  wait "$pid" 2>/dev/null || true
}

# sql QUERY: rows as "a|b|c" lines.
sql() { sqlite3 -batch -noheader -separator '|' -cmd '.timeout 5000' "$STORE/manifest.sqlite3" "$1"; }

# expect_sql QUERY EXPECTED: the rows must equal EXPECTED (lines).
expect_sql() {
  local got
  got=$(sql "$1")
  [ "$got" = "$2" ] || fail "$(printf 'query: %s\n--- got:\n%s\n--- want:\n%s' "$1" "$got" "$2")"
}

# load_records: every record of every WARC in the store, as inspect --json
# lines with "path" added, in $WORK/records.jsonl; inspect must exit 0
# (digests match, framing sound).
load_records() {
  : >"$WORK/records.jsonl"
  local file
  for file in "$STORE"/warc/*.warc.gz; do
    [ -e "$file" ] || fail "no WARC file in $STORE/warc"
    expect_exit 0 "$ROTGUARD" inspect --json "$file"
    python3 -c '
import json, sys
for line in open(sys.argv[1]):
    if line.strip():
        record = json.loads(line)
        record["path"] = sys.argv[2]
        print(json.dumps(record))' "$WORK/out" "$file" >>"$WORK/records.jsonl"
  done
}

# requests_logged: how many requests the fixture has answered so far.
requests_logged() { wc -l <"$FIXTURE_LOG" | tr -d ' '; }
