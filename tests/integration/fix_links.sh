#!/usr/bin/env bash
# `rotguard fix` end to end (issue #15 item 3) against the loopback
# fixture web: a Markdown and an HTML post with a moved link (301 to a
# healthy page) and a link that was archived alive and is gone now
# (simulated runs days apart, ROTGUARD_TEST_NOW); `fix --dry-run` prints a
# diff that `git apply` takes and that gives the same bytes as the real
# run; a second run changes nothing; a post with uncommitted changes is
# refused unless --force; a link after <!-- rotguard-ignore --> is kept;
# a public-archive capture row is used as the memento.
source "$ROTGUARD_SOURCE_DIR/tests/integration/common.sh"
for tool in python3 sqlite3 git openssl; do
  command -v "$tool" >/dev/null || { echo "$tool missing: skipped"; exit 125; }
done

fixture_dir="$WORK/fixture"
stop_fixture() {
  local rc=$?
  "$ROTGUARD_SOURCE_DIR/tools/fixture-web" stop --dir "$fixture_dir" >/dev/null 2>&1 || true
  return $rc
}
trap 'stop_fixture; cleanup' EXIT

mkdir -p site/scenarios.example.org/old
printf '<!doctype html><html><head><title>Old page</title></head><body><p>Soon gone.</p></body></html>\n' \
  >site/scenarios.example.org/old/page.html
eval "$("$ROTGUARD_SOURCE_DIR/tools/fixture-web" start --dir "$fixture_dir" --root "$WORK/site" --max-seconds 300)"
read -r -a fixture_args <<<"$FIXTURE_ARGS"

moved='https://scenarios.example.org/redirect/1?to=https://news.example.com/2020/02/story.html&code=301'
final=https://news.example.com/2020/02/story.html
gone=https://scenarios.example.org/old/page.html
mkdir -p blog/content
cd blog
cat >content/post.md <<EOF
---
title: Fix me
date: 2020-02-08T10:00:00+01:00
---
A [moved link]($moved) and a [gone one]($gone).

<!-- rotguard-ignore -->
[kept as it is]($gone)
EOF
cat >content/page.html <<EOF
---
date: 2020-02-08
---
<html><head><title>Page</title></head><body>
<p><a href="$gone">gone</a> and <a href="${moved//&/&amp;}">moved</a></p>
</body></html>
EOF
git init -q . && git add content && git -c user.name=t -c user.email=t@t commit -qm posts

expect_exit 0 "$ROTGUARD" init
db=.rotguard/manifest.sqlite3
now=$(date +%s)
export ROTGUARD_TEST_NOW=$now
expect_exit 0 "$ROTGUARD" archive content "${fixture_args[@]}" --delay 0
rm "$WORK/site/scenarios.example.org/old/page.html"
for hours in 24 46 68; do
  export ROTGUARD_TEST_NOW=$((now + hours * 3600))
  expect_exit 0 "$ROTGUARD" verify --live "${fixture_args[@]}" --delay 0 --no-soft-404
done
unset ROTGUARD_TEST_NOW
verdict() { sqlite3 "$db" "select verdict || ' ' || final_url from urls where normalized = '$1'"; }
[ "$(verdict "$gone")" = "gone " ] || fail "gone link: $(verdict "$gone")"
[ "$(verdict "$moved")" = "moved $final" ] || fail "moved link: $(verdict "$moved")"

# No copy known: the moved links are fixed, the gone ones left and named.
expect_exit 0 "$ROTGUARD" fix --dry-run content
expect_contains "$WORK/err" "left as is"
expect_contains "$WORK/out" "+A [moved link]($final)"

# The restored copy of the gone page, as `restore --out` names it.
expect_exit 0 "$ROTGUARD" restore content --out ../restored
local_copy=../../restored/assets/scenarios.example.org/old/page.html
[ -f "${local_copy#../}" ] || fail "restore did not write ${local_copy#../}"

expect_exit 0 "$ROTGUARD" fix --dry-run --to local --local-root ../restored content
cp "$WORK/out" ../fix.diff
[ -z "$(git status --porcelain -- content)" ] || fail "--dry-run changed files"
git apply --check ../fix.diff || fail "git apply --check refused the dry-run diff"
git apply ../fix.diff || fail "git apply failed"
cp content/post.md ../applied.md && cp content/page.html ../applied.html
git checkout -q -- content

expect_exit 0 "$ROTGUARD" fix --to local --local-root ../restored content
expect_contains "$WORK/out" "content/post.md:5:"
cmp content/post.md ../applied.md || fail "post.md: the real run differs from the applied diff"
cmp content/page.html ../applied.html || fail "page.html: the real run differs from the applied diff"
expect_contains content/post.md "A [moved link]($final) and a [gone one]($local_copy)."
expect_contains content/post.md "[kept as it is]($gone)"
expect_contains content/page.html "<a href=\"$local_copy\" data-originalurl=\"$gone\" data-versiondate=\"2020-02-08\" data-versionurl=\"$local_copy\">gone</a>"
expect_contains content/page.html "<a href=\"$final\">moved</a>"

# A second run changes nothing.
git -c user.name=t -c user.email=t@t commit -qam fixed
expect_exit 0 "$ROTGUARD" fix --to local --local-root ../restored content
[ -z "$(git status --porcelain -- content)" ] || fail "the second run changed: $(git diff)"
expect_exit 0 "$ROTGUARD" fix --dry-run content
[ ! -s "$WORK/out" ] || fail "the second dry run printed a diff: $(cat "$WORK/out")"

# Uncommitted changes: refused (nothing written) unless --force.
git checkout -q HEAD~1 -- content
printf '\nEdited by hand.\n' >>content/post.md
cp content/post.md ../dirty.md
expect_exit 1 "$ROTGUARD" fix --to local --local-root ../restored content
expect_contains "$WORK/err" "content/post.md: uncommitted changes"
cmp content/post.md ../dirty.md || fail "a refused run wrote the post"
expect_exit 0 "$ROTGUARD" fix --force --to local --local-root ../restored content
expect_contains content/post.md "[gone one]($local_copy)"
expect_contains content/post.md "Edited by hand."

# A copy from a public archive (as `rotguard rescue` records it: source
# 'public-archive', the archive's URL, the original link's key) is the
# memento of --to archive and auto.
git checkout -q HEAD~1 -- content && git -c user.name=t -c user.email=t@t commit -qam reset
memento="https://web.archive.org/web/20191231120000id_/$gone"
sqlite3 "$db" "insert into captures (url_id, url, captured_at_us, http_status, final_url, warc_file, record_offset, compressed_length, record_id, payload_sha1, payload_sha256, content_type, payload_length, source)
  select c.url_id, '$memento', c.captured_at_us, 200, '$memento', c.warc_file, c.record_offset, c.compressed_length, c.record_id, c.payload_sha1, c.payload_sha256, c.content_type, c.payload_length, 'public-archive'
  from captures c join urls u on u.id = c.url_id where u.normalized = '$gone' and c.http_status = 200 limit 1" ||
  fail "could not add a public-archive capture row"
replay="https://web.archive.org/web/20191231120000/$gone"
expect_exit 0 "$ROTGUARD" fix content
expect_contains content/post.md "[gone one]($replay)"
expect_contains content/page.html "<a href=\"$gone\" data-originalurl=\"$gone\" data-versiondate=\"2020-02-08\" data-versionurl=\"$replay\">gone</a>"

expect_exit 1 "$ROTGUARD" fix --to local content
expect_contains "$WORK/err" "--local-root"
expect_exit 1 "$ROTGUARD" fix --to nowhere content
echo "ok"
