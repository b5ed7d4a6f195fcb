#!/usr/bin/env bash
# A store on a read-only mount: verify, report, extract and export work
# (shared lock on a read-only descriptor, no log written, the manifest
# read as an immutable file) and say once that the store is read-only;
# archive, which must write, still fails with exit 5. A store made by an
# older rotguard (schema 3 here) is read through a migrated private copy
# in TMPDIR, which is gone afterwards. The mount is made
# in a private mount namespace (unshare -rm, else unshare -m as root), so
# the test needs no mount on the host; skipped when neither works.
source "$(dirname "$0")/common.sh"
command -v unshare >/dev/null 2>&1 || { echo "unshare not installed: skipped"; exit 125; }

SAMPLE="$ROTGUARD_BUILD_DIR/tools/make_sample_warc"
[ -x "$SAMPLE" ] || fail "$SAMPLE not built"
WARC=$("$SAMPLE" "$WORK/sample")
mkdir -p "$WORK/site/content" "$WORK/ro" "$WORK/results"
printf -- '---\ntitle: Post\n---\nSee [the style](https://example.com/style.css).\n' \
  >"$WORK/site/content/post.md"
(cd "$WORK/site" && "$ROTGUARD" import "$WARC" >/dev/null && "$ROTGUARD" scan --update content >/dev/null) \
  || fail "cannot set up the store"
[ -e "$WORK/site/.rotguard/manifest.sqlite3-shm" ] && fail "the manifest's -shm outlived its run"
before=$(cd "$WORK/site" && find . -printf '%p %s %T@\n' | sort)

# Runs each command on the read-only mount; "CODE" then the output per step.
cat >"$WORK/inner.sh" <<'SH'
set -u
mount --bind "$WORK/site" "$WORK/ro" && mount -o remount,bind,ro "$WORK/ro" || exit 99
touch "$WORK/ro/probe" 2>/dev/null && exit 98   # not read-only after all
S="$WORK/ro/.rotguard"
R="$WORK/results"
step() {  # NAME CMD...
  local name=$1; shift
  "$@" >"$R/$name.out" 2>"$R/$name.err"
  echo $? >"$R/$name.code"
}
step verify "$ROTGUARD" --store "$S" verify
step report "$ROTGUARD" --store "$S" report
step report_json "$ROTGUARD" --store "$S" --json report
step extract "$ROTGUARD" --store "$S" extract https://example.com/style.css
step export "$ROTGUARD" --store "$S" export --cdxj "$R/index.cdxj"
step archive "$ROTGUARD" --store "$S" archive "$WORK/ro/content"
exit 0
SH
export WORK ROTGUARD
# in_read_only_mount: runs inner.sh in a private mount namespace.
in_read_only_mount() {
  local rc=0
  unshare -rm bash "$WORK/inner.sh" 2>"$WORK/unshare.err" || rc=$?
  if [ "$rc" -ne 0 ]; then
    rc=0
    unshare -m bash "$WORK/inner.sh" 2>>"$WORK/unshare.err" || rc=$?
  fi
  if [ "$rc" -ne 0 ]; then
    cat "$WORK/unshare.err" >&2
    echo "cannot make a read-only bind mount here (unshare -rm / -m, rc $rc): skipped"
    exit 125
  fi
}
in_read_only_mount

R="$WORK/results"
for step in verify report report_json extract export; do
  [ "$(cat "$R/$step.code")" = 0 ] || { cat "$R/$step.out" "$R/$step.err" >&2; fail "$step exited $(cat "$R/$step.code") on a read-only store"; }
  expect_contains "$R/$step.err" "is read-only"
done
expect_contains "$R/verify.out" "0 findings"
expect_contains "$R/report.out" "https://example.com/style.css"
expect_contains "$R/extract.out" "body { font-family: serif; }"
expect_contains "$R/index.cdxj" "com,example)/style.css"
[ "$(cat "$R/archive.code")" = 5 ] || { cat "$R/archive.err" >&2; fail "archive exited $(cat "$R/archive.code") on a read-only store, want 5"; }
after=$(cd "$WORK/site" && find . -printf '%p %s %T@\n' | sort)
[ "$before" = "$after" ] || fail "the read-only store changed"

# The same store as schema 3 left it (before the chain index of schema 4).
python3 - "$WORK/site/.rotguard/manifest.sqlite3" <<'PY' || fail "cannot make a schema-3 manifest"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
# Undo migrations 13 (work-queue attempt limit), 12 (records target index), 11 (work queue), 10 (verdict history), 9 (documents.public_url), 8
# (takedowns), 7 (public copies and lookups), 6 (the quality column), 5
# (public-archive columns) and 4 (the chain index).
db.execute("DROP INDEX work_queue_attempts")
db.execute("ALTER TABLE work_queue DROP COLUMN failure")
db.execute("DROP INDEX records_target_uri")
db.execute("DROP TABLE work_queue")
db.execute("DROP TABLE work_hosts")
db.execute("DROP TRIGGER urls_verdict_change")
db.execute("DROP TABLE verdict_changes")
db.execute("ALTER TABLE documents DROP COLUMN public_url")
db.execute("DROP TABLE tombstones")
db.execute("DROP TABLE purged_files")
db.execute("DROP INDEX records_forgotten")
db.execute("ALTER TABLE records DROP COLUMN forgotten")
db.execute("DROP TABLE public_submissions")
db.execute("DROP TABLE public_lookups")
db.execute("ALTER TABLE captures DROP COLUMN archive")
db.execute("ALTER TABLE captures DROP COLUMN memento_at_us")
db.execute("ALTER TABLE captures DROP COLUMN quality")
db.execute("DROP INDEX captures_chain")
db.execute("PRAGMA user_version = 3")
db.commit()
db.execute("PRAGMA journal_mode = DELETE")
db.close()
PY
before=$(cd "$WORK/site" && find . -printf '%p %s %T@\n' | sort)
mkdir -p "$WORK/tmp"
export TMPDIR=$WORK/tmp
in_read_only_mount
for step in verify report; do
  [ "$(cat "$R/$step.code")" = 0 ] || { cat "$R/$step.out" "$R/$step.err" >&2; fail "$step exited $(cat "$R/$step.code") on a read-only schema-3 store"; }
done
expect_contains "$R/verify.out" "0 findings"
expect_contains "$R/report.out" "https://example.com/style.css"
after=$(cd "$WORK/site" && find . -printf '%p %s %T@\n' | sort)
[ "$before" = "$after" ] || fail "the read-only schema-3 store changed"
[ -z "$(ls -A "$WORK/tmp")" ] || fail "the migrated copy outlived its run: $(ls -A "$WORK/tmp")"
echo ok
