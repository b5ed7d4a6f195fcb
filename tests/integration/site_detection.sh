#!/usr/bin/env bash
# Site detection (issue #20 item 2): `rotguard init` in a Hugo or Jekyll
# site root (or with --site DIR) writes the site's base URL, content and
# build directories and permalink rules into [site]; `scan`, `archive`
# and `restore` with no PATH read the content directories, skip only the
# site's own build output (a content section named resources/ is
# scanned), and the posts' resource records, the manifest and the report
# carry each post's public URL from the permalink rules. The small sites
# are tests/data/sites/; their links point at the fixture web.
source "$(dirname "$0")/common.sh"
source "$ROTGUARD_SOURCE_DIR/tests/integration/fixture_lib.sh"
fixture_start

SITES=$ROTGUARD_SOURCE_DIR/tests/data/sites

# site NAME: a copy of the site as $WORK/NAME, the current directory, with
# its store in .rotguard.
site() {
  cp -r "$SITES/$1" "$WORK/$1"
  cd "$WORK/$1"
  STORE=$WORK/$1/.rotguard
}

# check_site GENERATOR CONFIG EXPECTED_DOCUMENTS: init, scan and archive
# with no PATH; EXPECTED_DOCUMENTS are "path|public_url" lines.
check_site() {
  expect_exit 0 "$ROTGUARD" init
  expect_contains "$WORK/out" "initialized store at .rotguard"
  expect_contains "$WORK/out" "site: $1 ($2)"
  expect_exit 0 "$ROTGUARD" scan
  # Build output in the sites links to these hosts only.
  if grep -E 'https://(public|resources|site)\.example/' "$WORK/out" >/dev/null; then
    fail "scan read build output: $(cat "$WORK/out")"
  fi
  archive 0
  expect_sql "SELECT path || '|' || public_url FROM documents ORDER BY path" "$3"
  # Each post's resource record is written under its public URL.
  expect_sql "SELECT url FROM captures WHERE source = 'post' ORDER BY url" \
    "$(cut -d'|' -f2 <<<"$3" | LC_ALL=C sort)"
  expect_exit 0 "$ROTGUARD" --store "$STORE" report
  local url
  while IFS='|' read -r _ url; do
    [[ $url == file:* ]] && continue
    expect_contains "$WORK/out" "$url"
  done <<<"$3"
}

# --- Hugo: default permalinks, bundles, sections, build output skipped ---
site hugo-default
check_site hugo hugo.toml "content/_index.md|https://hugo-default.example.org/
content/posts/First-Post.md|https://hugo-default.example.org/posts/first-post/
content/posts/trip/index.md|https://hugo-default.example.org/posts/trip/"
expect_contains "$STORE/rotguard.toml" 'content_dirs = ["content"]'
expect_contains "$STORE/rotguard.toml" 'build_dirs = ["public", "resources"]'
# A second init changes nothing.
before=$(sha256sum "$STORE/rotguard.toml")
expect_exit 0 "$ROTGUARD" init
[ "$(sha256sum "$STORE/rotguard.toml")" = "$before" ] || fail "a second init rewrote rotguard.toml"
# restore with no PATH restores the content directories.
expect_exit 0 "$ROTGUARD" restore --out "$WORK/restored-hugo"
expect_contains "$WORK/out" "restored 3 posts"
if grep "no archived resource record" "$WORK/err" >/dev/null; then
  fail "restore did not find the posts' resource records: $(cat "$WORK/err")"
fi

# --- Hugo: config.yaml, permalinks per section, slug front matter ---
site hugo-sections
check_site hugo config.yaml "content/docs/guide/install.md|https://hugo-sections.example.org/docs/guide/install/
content/notes/Quick-Note.md|https://hugo-sections.example.org/n/march/quick-note/
content/posts/hello.md|https://hugo-sections.example.org/2024/01/hello-world/
content/posts/renamed.md|https://hugo-sections.example.org/2024/02/new-name/"
expect_exit 0 "$ROTGUARD" --json report
grep -F '"url": "https://hugo-sections.example.org/2024/01/hello-world/"' "$WORK/out" >/dev/null ||
  fail "report --json lacks the post URL: $(cat "$WORK/out")"

# --- Hugo: hugo.json, url: front matter; init --site from elsewhere ---
cp -r "$SITES/hugo-url" "$WORK/hugo-url"
cd "$WORK"
STORE=$WORK/hugo-url/.rotguard
expect_exit 0 "$ROTGUARD" --store "$STORE" init --site hugo-url
expect_contains "$WORK/out" "site: hugo (hugo.json)"
expect_exit 0 "$ROTGUARD" --store "$STORE" scan --update
expect_contains "$WORK/out" "$WORK/hugo-url/content/posts/moved.md"
expect_sql "SELECT path || '|' || public_url FROM documents ORDER BY path" \
  "content/about/index.md|https://hugo-url.example.org/about-us/
content/posts/moved.md|https://hugo-url.example.org/legacy/moved-page.html
content/posts/slugged.md|https://hugo-url.example.org/2022/bee/"
expect_exit 1 "$ROTGUARD" --store "$WORK/none/.rotguard" init --site "$WORK/no-such-site"
expect_contains "$WORK/err" "no Hugo"

# --- Hugo's documentation layout: content/en/functions/resources/ ---
site hugo-docs
check_site hugo config/_default/hugo.toml "content/en/about/intro.md|https://hugo-docs.example.org/about/intro/
content/en/functions/resources/ByType.md|https://hugo-docs.example.org/functions/resources/bytype/
content/en/functions/resources/_index.md|https://hugo-docs.example.org/functions/resources/"
expect_exit 0 "$ROTGUARD" scan
expect_contains "$WORK/out" "content/en/functions/resources/ByType.md:5:"
# The site root itself: only the root's public/ and resources/ are skipped.
expect_exit 0 "$ROTGUARD" scan .
expect_contains "$WORK/out" "./content/en/functions/resources/ByType.md"
expect_contains "$WORK/err" "build-dir 2"
expect_sql "SELECT count(*) FROM links l JOIN documents d ON d.id = l.document_id
  WHERE d.path LIKE 'content/en/functions/resources/%'" 2

# --- Jekyll: pretty permalinks under a baseurl; _site and _layouts skipped ---
site jekyll-pretty
check_site jekyll _config.yml "_posts/2021-03-04-hello-world.md|https://jekyll-pretty.example.org/blog/2021/03/04/hello-world/
about.md|https://jekyll-pretty.example.org/blog/about/"

# --- Jekyll: date style, categories, collections, custom destination ---
site jekyll-collections
check_site jekyll _config.yml "_notes/private.md|file:_notes/private.md
_posts/2019-12-31-new-year.md|https://jekyll-collections.example.org/party/events/2019/12/31/new-year.html
_recipes/Chocolate-Cake.md|https://jekyll-collections.example.org/recipes/chocolate-cake/
news/_posts/2020-02-29-leap-day.md|https://jekyll-collections.example.org/news/2020/03/01/leap-day.html"
expect_contains "$STORE/rotguard.toml" 'permalinks = { "notes" = "", "recipes" = "/:collection/:name/" }'

# --- Hugo: uglyURLs for one section; build output in publishDir docs/ ---
site hugo-ugly
check_site hugo hugo.toml "content/notes/a-note.md|https://hugo-ugly.example.org/notes/a-note/
content/posts/Hello-World.md|https://hugo-ugly.example.org/posts/hello-world.html
content/posts/_index.md|https://hugo-ugly.example.org/posts.html"
expect_contains "$STORE/rotguard.toml" 'ugly_url_sections = ["posts"]'
# build_dirs follow publishDir: docs/ is skipped at the root, and a
# directory named public/ is no longer taken for build output.
expect_contains "$STORE/rotguard.toml" 'build_dirs = ["docs", "resources"]'
mkdir public && printf '[p](https://news.example.com/alive.html)\n' >public/page.md
expect_exit 0 "$ROTGUARD" scan .
expect_contains "$WORK/out" "./public/page.md"
expect_contains "$WORK/err" "build-dir 1"
if grep -F "public.example" "$WORK/out" >/dev/null; then fail "scan read docs/, the publishDir"; fi

# --- Jekyll: defaults set permalinks, collections_dir, destination www/ ---
site jekyll-defaults
check_site jekyll _config.yml "_posts/2020-01-01-outside.md|file:_posts/2020-01-01-outside.md
about.md|https://jekyll-defaults.example.org/about.html
docs/setup.md|https://jekyll-defaults.example.org/manual/setup/
my_collections/_posts/2021-05-06-spring.md|https://jekyll-defaults.example.org/blog/spring/
my_collections/_posts/archive/2015-01-02-old-news.md|https://jekyll-defaults.example.org/old/2015/old-news.html
my_collections/_recipes/Soup.md|https://jekyll-defaults.example.org/recipes/Soup.html"
expect_contains "$STORE/rotguard.toml" 'collections_dir = "my_collections"'
expect_contains "$STORE/rotguard.toml" '"posts:_posts/archive" = "/old/:year/:title:output_ext"'
expect_contains "$STORE/rotguard.toml" 'build_dirs = ["www", '

# init in a site whose publishDir lies outside it: build_dirs follow it.
mkdir -p "$WORK/outside/site/content/posts" && cd "$WORK/outside/site"
printf "baseURL = 'https://o.example/'\npublishDir = '../www'\n" >hugo.toml
printf '[a](https://news.example.com/alive.html)\n' >content/posts/a.md
expect_exit 0 "$ROTGUARD" init
expect_contains .rotguard/rotguard.toml 'build_dirs = ["../www", "resources"]'

# Without a site, scan and restore still need a PATH.
mkdir -p "$WORK/plain" && cd "$WORK/plain"
expect_exit 0 "$ROTGUARD" init
expect_exit 1 "$ROTGUARD" scan
expect_contains "$WORK/err" "no PATH given"
