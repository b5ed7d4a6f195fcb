// Post URLs from Hugo's and Jekyll's permalink rules, checked against the
// examples of their documentation (gohugo.io content-management/urls,
// jekyllrb.com docs/permalinks).
#include "rotguard/permalink.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "rotguard/rules.h"

namespace rotguard {
namespace {

SiteConfig Hugo(std::map<std::string, std::string> permalinks = {}) {
  SiteConfig site;
  site.generator = "hugo";
  site.content_dirs = {"content"};
  site.permalinks = std::move(permalinks);
  return site;
}

SiteConfig Jekyll(std::string permalink = "",
                  std::map<std::string, std::string> permalinks = {}) {
  SiteConfig site;
  site.generator = "jekyll";
  site.content_dirs = {"."};
  site.permalink = std::move(permalink);
  site.permalinks = std::move(permalinks);
  return site;
}

PostFacts Dated(std::string date, std::string title = "") {
  PostFacts facts;
  facts.date = std::move(date);
  facts.title = std::move(title);
  return facts;
}

std::string PathOf(const SiteConfig& site, std::string_view key,
                   const PostFacts& facts = {}) {
  return PostPublicPath(site, key, facts).value_or("(none)");
}

TEST(ParseCivilDateTest, ReadsTheDateFormsHugoAndJekyllWrite) {
  for (const char* text :
       {"2023-10-15T13:18:50-07:00", "2023-10-15T13:18:50Z", "2023-10-15",
        "2023-10-15 13:18:50 +0700", "15 Oct 2023", "\"2023-10-15\""}) {
    std::optional<CivilDate> date = ParseCivilDate(text);
    ASSERT_TRUE(date) << text;
    EXPECT_EQ(date->year, 2023) << text;
    EXPECT_EQ(date->month, 10) << text;
    EXPECT_EQ(date->day, 15) << text;
  }
  EXPECT_FALSE(ParseCivilDate("yesterday"));
  EXPECT_FALSE(ParseCivilDate("2023-13-01"));
}

TEST(HugoPermalinkTest, DefaultIsTheContentPathLowercasedWithASlash) {
  SiteConfig site = Hugo();
  EXPECT_EQ(PathOf(site, "content/posts/My First Post.md"),
            "/posts/my-first-post/");
  EXPECT_EQ(PathOf(site, "content/about.md"), "/about/");
  EXPECT_EQ(PathOf(site, "content/posts/trip/index.md"), "/posts/trip/");
  EXPECT_EQ(PathOf(site, "content/posts/_index.md"), "/posts/");
  EXPECT_EQ(PathOf(site, "content/_index.md"), "/");
  EXPECT_EQ(PathOf(site, "content/docs/guide/install.md"),
            "/docs/guide/install/");
}

TEST(HugoPermalinkTest, FrontMatterSlugReplacesTheLastSegmentAndUrlAll) {
  SiteConfig site = Hugo({{"posts", "/:year/:slug/"}});
  PostFacts slug;
  slug.slug = "hello-there";
  EXPECT_EQ(PathOf(site, "content/notes/a.md", slug), "/notes/hello-there/");
  PostFacts url = Dated("2023-10-15");
  url.url = "/custom/path/";
  EXPECT_EQ(PathOf(site, "content/posts/a.md", url), "/custom/path/");
  url.url = "relative/page.html";
  EXPECT_EQ(PathOf(site, "content/posts/a.md", url), "/relative/page.html");
}

TEST(HugoPermalinkTest, SectionPatternsExpandEveryDateToken) {
  SiteConfig site = Hugo({{"posts",
                           "/:year/:month/:monthname/:day/"
                           ":weekday/:weekdayname/:yearday/"}});
  // 2023-10-15 was a Sunday, day 288 of the year.
  EXPECT_EQ(PathOf(site, "content/posts/a.md", Dated("2023-10-15T13:18:50Z")),
            "/2023/10/october/15/0/sunday/288/");
}

TEST(HugoPermalinkTest, SectionPatternsExpandNameTokens) {
  PostFacts facts = Dated("2023-10-15", "Hello, World!");
  EXPECT_EQ(PathOf(Hugo({{"posts", "/:year/:month/:title/"}}),
                   "content/posts/a.md", facts),
            "/2023/10/hello-world/");
  // :slug falls back to the title, :slugorfilename to the file name.
  EXPECT_EQ(PathOf(Hugo({{"posts", "/:slug/"}}), "content/posts/a.md", facts),
            "/hello-world/");
  EXPECT_EQ(PathOf(Hugo({{"posts", "/:slugorfilename/"}}), "content/posts/a.md",
                   facts),
            "/a/");
  facts.slug = "greeting";
  EXPECT_EQ(PathOf(Hugo({{"posts", "/:slug/"}}), "content/posts/a.md", facts),
            "/greeting/");
  EXPECT_EQ(PathOf(Hugo({{"posts", "/:section/:filename/"}}),
                   "content/posts/trip/index.md", facts),
            "/posts/trip/");
  EXPECT_EQ(PathOf(Hugo({{"posts", "/p/:contentbasename/"}}),
                   "content/posts/trip/index.md", facts),
            "/p/trip/");
  EXPECT_EQ(PathOf(Hugo({{"docs", "/:sections/:filename/"}}),
                   "content/docs/guide/install/setup.md"),
            "/docs/guide/install/setup/");
}

TEST(HugoPermalinkTest, PatternsGetATrailingSlashOtherSectionsTheDefault) {
  SiteConfig site = Hugo({{"posts", "/:year/:slug"}});
  PostFacts facts = Dated("2023-10-15", "Hi");
  EXPECT_EQ(PathOf(site, "content/posts/a.md", facts), "/2023/hi/");
  EXPECT_EQ(PathOf(site, "content/notes/a.md", facts), "/notes/a/");
  EXPECT_EQ(PathOf(Hugo({{"posts", "/:year/:slug.html"}}), "content/posts/a.md",
                   facts),
            "/2023/hi.html");
}

TEST(HugoPermalinkTest, LanguageContentDirectoriesAndTheirPrefixes) {
  SiteConfig site = Hugo();
  site.content_dirs = {"content/en", "content/fr"};
  site.url_prefixes = {{"content/fr", "/fr"}};
  EXPECT_EQ(PathOf(site, "content/en/functions/resources/ByType.md"),
            "/functions/resources/bytype/");
  EXPECT_EQ(PathOf(site, "content/fr/posts/bonjour.md"), "/fr/posts/bonjour/");
}

// uglyURLs (gohugo.io configuration/ugly-urls): a page is written as
// name.html instead of name/index.html, a section as section.html; the
// home page and front matter `url` are left as they are.
TEST(HugoPermalinkTest, UglyUrlsMakeEveryPageAnHtmlFile) {
  SiteConfig site = Hugo({{"posts", "/:year/:slug/"}});
  site.ugly_urls = true;
  PostFacts facts = Dated("2023-10-15", "Hi There");
  EXPECT_EQ(PathOf(site, "content/posts/a.md", facts), "/2023/hi-there.html");
  EXPECT_EQ(PathOf(site, "content/notes/Quick-Note.md"),
            "/notes/quick-note.html");
  EXPECT_EQ(PathOf(site, "content/notes/trip/index.md"), "/notes/trip.html");
  EXPECT_EQ(PathOf(site, "content/notes/_index.md"), "/notes.html");
  EXPECT_EQ(PathOf(site, "content/_index.md"), "/");
  PostFacts url;
  url.url = "/legacy/page/";
  EXPECT_EQ(PathOf(site, "content/notes/a.md", url), "/legacy/page/");
}

TEST(HugoPermalinkTest, UglyUrlsPerSectionLeaveOtherSectionsPretty) {
  SiteConfig site = Hugo();
  site.ugly_url_sections = {"books"};
  EXPECT_EQ(PathOf(site, "content/books/dune.md"), "/books/dune.html");
  EXPECT_EQ(PathOf(site, "content/books/_index.md"), "/books.html");
  EXPECT_EQ(PathOf(site, "content/films/dune.md"), "/films/dune/");
  EXPECT_EQ(PathOf(site, "content/films/_index.md"), "/films/");
}

// Jekyll front matter defaults (jekyllrb.com docs/configuration/
// front-matter-defaults): a permalink set for a scope applies as if the
// document's front matter had it; the longest scope path wins, then one
// with a type; the document's own permalink wins over all.
TEST(JekyllPermalinkTest, DefaultsSetThePermalinkOfTheirScope) {
  SiteConfig site = Jekyll("pretty");
  site.permalink_defaults = {{"posts:", "/blog/:title/"},
                             {"posts:_posts/old", "/archive/:year/:title/"},
                             {":_posts/old", "/untyped/:title/"},
                             {"pages:docs", "/manual/:basename/"},
                             {":talks/*/slides", "/slides/:basename/"}};
  EXPECT_EQ(PathOf(site, "_posts/2009-04-29-slap-chop.md"), "/blog/slap-chop/");
  EXPECT_EQ(PathOf(site, "_posts/older/2009-04-29-slap-chop.md"),
            "/archive/2009/slap-chop/");
  EXPECT_EQ(PathOf(site, "docs/install.md"), "/manual/install/");
  EXPECT_EQ(PathOf(site, "about.md"), "/about/");  // no scope covers it
  EXPECT_EQ(PathOf(site, "talks/2020/slides/intro.md"), "/slides/intro/");
  EXPECT_EQ(PathOf(site, "talks/2020/notes.md"), "/talks/2020/notes/");
  PostFacts own;
  own.permalink = "/mine/";
  EXPECT_EQ(PathOf(site, "_posts/2009-04-29-slap-chop.md", own), "/mine/");
}

// collections_dir (jekyllrb.com docs/collections): collections and
// _posts/ live below it; its own name is no category, and underscore
// directories elsewhere are not published.
TEST(JekyllPermalinkTest, CollectionsDirHoldsPostsAndCollections) {
  SiteConfig site = Jekyll("", {{"recipes", "/:collection/:name/"}});
  site.collections_dir = "my_collections";
  EXPECT_EQ(PathOf(site, "my_collections/_posts/2009-04-29-slap-chop.md"),
            "/2009/04/29/slap-chop.html");
  EXPECT_EQ(PathOf(site, "my_collections/food/_posts/2009-04-29-slap-chop.md"),
            "/food/2009/04/29/slap-chop.html");
  EXPECT_EQ(PathOf(site, "my_collections/_recipes/Cake.md"), "/recipes/cake/");
  EXPECT_EQ(PathOf(site, "_posts/2009-04-29-slap-chop.md"), "(none)");
  EXPECT_EQ(PathOf(site, "about.md"), "/about.html");
  site.permalink_defaults = {{"posts:my_collections/_posts", "/p/:title/"}};
  EXPECT_EQ(PathOf(site, "my_collections/_posts/2009-04-29-slap-chop.md"),
            "/p/slap-chop/");
  site.collections_dir = "_collections";  // its name starts with '_' too
  EXPECT_EQ(PathOf(site, "_collections/_posts/2009-04-29-slap-chop.md"),
            "/2009/04/29/slap-chop.html");
}

TEST(JekyllPermalinkTest, BuiltInStylesOfAPost) {
  const char* post = "_posts/2009-04-29-slap-chop.md";
  EXPECT_EQ(PathOf(Jekyll(), post), "/2009/04/29/slap-chop.html");
  EXPECT_EQ(PathOf(Jekyll("date"), post), "/2009/04/29/slap-chop.html");
  EXPECT_EQ(PathOf(Jekyll("pretty"), post), "/2009/04/29/slap-chop/");
  // 2009-04-29: day 119, a Wednesday in ISO week 18.
  EXPECT_EQ(PathOf(Jekyll("ordinal"), post), "/2009/119/slap-chop.html");
  EXPECT_EQ(PathOf(Jekyll("weekdate"), post), "/2009/W18/Wed/slap-chop.html");
  EXPECT_EQ(PathOf(Jekyll("none"), post), "/slap-chop.html");
}

TEST(JekyllPermalinkTest, CustomPatternsAndDocumentedExamples) {
  const char* post = "_posts/2009-04-29-slap-chop.md";
  EXPECT_EQ(PathOf(Jekyll("/:month-:day-:year/:title:output_ext"), post),
            "/04-29-2009/slap-chop.html");
  EXPECT_EQ(PathOf(Jekyll("/blog/:year/:month/:day/:title"), post),
            "/blog/2009/04/29/slap-chop");
  EXPECT_EQ(
      PathOf(Jekyll("/:categories/:year/:month/:day/:title:output_ext"), post),
      "/2009/04/29/slap-chop.html");
  EXPECT_EQ(PathOf(Jekyll("/:short_year/:i_month/:i_day/:short_month/"
                          ":long_month/:y_day/:slug/"),
                   "_posts/2009-04-09-Slap-Chop.md"),
            "/09/4/9/Apr/April/099/slap-chop/");
  // The collection's own rule wins over the site's style.
  EXPECT_EQ(PathOf(Jekyll("pretty", {{"posts", "/p/:title/"}}), post),
            "/p/slap-chop/");
}

TEST(JekyllPermalinkTest, CategoriesFromFrontMatterAndDirectories) {
  PostFacts facts;
  facts.categories = {"Blog", "News", "blog"};
  EXPECT_EQ(PathOf(Jekyll(), "_posts/2009-04-29-slap-chop.md", facts),
            "/blog/news/2009/04/29/slap-chop.html");
  EXPECT_EQ(PathOf(Jekyll("pretty"), "food/_posts/2009-04-29-slap-chop.md"),
            "/food/2009/04/29/slap-chop/");
}

TEST(JekyllPermalinkTest, FrontMatterDatePermalinkAndSlug) {
  const char* post = "_posts/2009-04-29-slap-chop.md";
  EXPECT_EQ(PathOf(Jekyll(), post, Dated("2010-01-02 10:00:00 +0100")),
            "/2010/01/02/slap-chop.html");
  PostFacts slug;
  slug.slug = "Better Name";
  EXPECT_EQ(PathOf(Jekyll("/:title/"), post, slug), "/Better-Name/");
  PostFacts permalink;
  permalink.permalink = "/about/";
  EXPECT_EQ(PathOf(Jekyll(), "about.md", permalink), "/about/");
  permalink.permalink = "/news/:year/:title/";
  EXPECT_EQ(PathOf(Jekyll(), post, permalink), "/news/2009/slap-chop/");
}

TEST(JekyllPermalinkTest, CollectionsPagesAndDrafts) {
  SiteConfig site = Jekyll("", {{"recipes", "/:collection/:path:output_ext"},
                                {"chefs", "/cooks/:name/"},
                                {"notes", ""}});
  EXPECT_EQ(PathOf(site, "_recipes/cake/choc.md"), "/recipes/cake/choc.html");
  EXPECT_EQ(PathOf(site, "_chefs/Ann Smith.md"), "/cooks/ann-smith/");
  EXPECT_EQ(PathOf(site, "_notes/x.md"), "(none)");  // output: false
  EXPECT_EQ(PathOf(site, "_drafts/idea.md"), "(none)");
  EXPECT_EQ(PathOf(site, "about.md"), "/about.html");
  EXPECT_EQ(PathOf(Jekyll("pretty"), "about.md"), "/about/");
  EXPECT_EQ(PathOf(site, "docs/index.md"), "/docs/");
}

TEST(JekyllPermalinkTest, PathsAreRelativeToTheSource) {
  SiteConfig site = Jekyll("pretty");
  site.content_dirs = {"site"};
  EXPECT_EQ(PathOf(site, "site/_posts/2009-04-29-slap-chop.md"),
            "/2009/04/29/slap-chop/");
}

TEST(PostResourceUriTest, BaseUrlPlusThePublicPathOrAFileUri) {
  Config config;
  config.site = Hugo({{"posts", "/:year/:slug/"}});
  config.site.base_url = "https://blog.example.org/sub/";
  EXPECT_EQ(PostResourceUri(config, "content/posts/a.md",
                            Dated("2024-01-05", "New Year")),
            "https://blog.example.org/sub/2024/new-year/");
  config.site = Jekyll("", {{"notes", ""}});
  config.site.base_url = "https://blog.example.org/";
  EXPECT_EQ(PostResourceUri(config, "_notes/x.md"), "file:_notes/x.md");
}

TEST(PostResourceUriTest, WithoutAGeneratorThePathIsGuessedAndItsCaseKept) {
  Config config;
  config.site.base_url = "https://blog.example.org/";
  EXPECT_EQ(PostResourceUri(config, "content/posts/Hello.md"),
            "https://blog.example.org/posts/Hello/");
  PostFacts slug;
  slug.slug = "hi";
  EXPECT_EQ(PostResourceUri(config, "content/posts/Hello.md", slug),
            "https://blog.example.org/posts/hi/");
  EXPECT_EQ(PostResourceUri(config, "_posts/2020-02-03-news.md"),
            "https://blog.example.org/2020/02/03/news.html");
}

}  // namespace
}  // namespace rotguard
