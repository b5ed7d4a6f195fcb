#!/usr/bin/env bash
# `rotguard scan --update`: documents and links go into the manifest;
# re-runs report only changed documents; the store lock is exclusive
# (SPEC §3, §4, §13 "Locks", issue #4 item 6).
source "$ROTGUARD_SOURCE_DIR/tests/integration/common.sh"
command -v sqlite3 >/dev/null || { echo "sqlite3 CLI missing"; exit 125; }

mkdir -p content/posts
printf -- '---\ntitle: "First"\ndate: 2020-02-08\ndraft: true\n---\n[a](https://example.com/a) ![b](https://img.example/b.png)\n' \
  >content/posts/a.md
printf '[c](https://example.org/c)\n' >content/posts/b.md
db=.rotguard/manifest.sqlite3
q() { sqlite3 "$db" "$1"; }

# Without a store: exit 1 naming it, nothing created.
expect_exit 1 "$ROTGUARD" scan --update content
expect_contains err ".rotguard"
[ ! -e .rotguard ] || fail "scan --update created a store"

expect_exit 0 "$ROTGUARD" init
expect_exit 0 "$ROTGUARD" scan --update content
expect_contains err "manifest updated: 2 of 2 documents new or changed"
[ "$(wc -l <out)" -eq 3 ] || fail "scan --update should still print the links"
[ "$(q 'select path from documents order by path' | tr '\n' ' ')" = \
  "content/posts/a.md content/posts/b.md " ] || fail "documents: $(q 'select path from documents')"
[ "$(q "select title || '|' || date || '|' || draft from documents where path = 'content/posts/a.md'")" = \
  "First|2020-02-08|1" ] || fail "front matter not recorded"
want_sha=$(sha256sum content/posts/a.md | cut -d' ' -f1)
[ "$(q "select sha256 from documents where path = 'content/posts/a.md'")" = "$want_sha" ] ||
  fail "sha256 of a.md differs"
[ "$(q 'select count(*) from links')" -eq 3 ] || fail "want 3 links, got $(q 'select count(*) from links')"
[ "$(q "select kind || ' ' || url || ' ' || line || ':' || col from links where url like '%img%'")" = \
  "image https://img.example/b.png 6:33" ] || fail "image link row: $(q 'select * from links')"

# The same tree again: nothing changed. The key does not depend on how
# the path was written.
expect_exit 0 "$ROTGUARD" scan --update ./content/
expect_contains err "manifest updated: 0 of 2 documents new or changed"
[ "$(q 'select count(*) from documents')" -eq 2 ] || fail "a re-scan added documents"

# Edit one file: one document changed, its links replaced.
printf '[c](https://example.org/c) [d](https://example.org/d)\n' >content/posts/b.md
expect_exit 0 "$ROTGUARD" scan --update content
expect_contains err "manifest updated: 1 of 2 documents new or changed"
[ "$(q "select count(*) from links l join documents d on d.id = l.document_id where d.path = 'content/posts/b.md'")" -eq 2 ] ||
  fail "links of the edited file were not replaced"
[ "$(q 'select count(*) from links')" -eq 4 ] || fail "want 4 links after the edit"

# Another run holding the lock: exit 4 at once.
# -F: flock becomes the sleep, so the kill below ends the holder; a forked
# sleep would outlive it holding ctest's output pipe for 10 s.
flock -F -x .rotguard/lock sleep 10 &
holder=$!
for _ in $(seq 50); do
  if ! flock -n -x .rotguard/lock true; then break; fi
  sleep 0.1
done
expect_exit 4 timeout 5 "$ROTGUARD" scan --update content
expect_contains err "rotguard: error:"
# 4 wins over other codes: a missing path does not turn it into 5.
expect_exit 4 timeout 5 "$ROTGUARD" scan --update content missing-dir
kill "$holder" 2>/dev/null || true
wait "$holder" 2>/dev/null || true
echo "scan_update: ok"
