// DetectSite() on the small sites of tests/data/sites/, one per config
// format and permalink style.
#include "rotguard/site.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "unit/temp_dir.h"

namespace rotguard {
namespace {

namespace fs = std::filesystem;
using Strings = std::vector<std::string>;
using StringMap = std::map<std::string, std::string>;

const fs::path kSites = fs::path(ROTGUARD_TEST_DATA_DIR) / "sites";

DetectedSite Detect(const std::string& name) {
  Result<DetectedSite> site = DetectSite(kSites / name);
  EXPECT_TRUE(site.ok()) << site.status().message();
  return site.ok() ? *site : DetectedSite{};
}

TEST(DetectSiteTest, HugoTomlWithDefaults) {
  DetectedSite site = Detect("hugo-default");
  EXPECT_EQ(site.generator, "hugo");
  EXPECT_EQ(site.config_file, "hugo.toml");
  EXPECT_EQ(site.base_url, "https://hugo-default.example.org/");
  EXPECT_EQ(site.content_dirs, Strings{"content"});
  EXPECT_EQ(site.build_dirs, (Strings{"public", "resources"}));
  EXPECT_TRUE(site.permalinks.empty());
}

TEST(DetectSiteTest, HugoConfigYamlWithPermalinksPerPageKind) {
  DetectedSite site = Detect("hugo-sections");
  EXPECT_EQ(site.config_file, "config.yaml");
  EXPECT_EQ(site.base_url, "https://hugo-sections.example.org/");
  EXPECT_EQ(site.permalinks, (StringMap{{"notes", "/n/:monthname/:filename"},
                                        {"posts", "/:year/:month/:slug/"}}));
}

TEST(DetectSiteTest, HugoJsonWithFlatPermalinks) {
  DetectedSite site = Detect("hugo-url");
  EXPECT_EQ(site.config_file, "hugo.json");
  EXPECT_EQ(site.permalinks, (StringMap{{"posts", "/:year/:slug/"}}));
}

TEST(DetectSiteTest, HugoConfigDirectoryWithLanguageContentDirs) {
  DetectedSite site = Detect("hugo-docs");
  EXPECT_EQ(site.config_file, "config/_default/hugo.toml");
  EXPECT_EQ(site.base_url, "https://hugo-docs.example.org/");
  EXPECT_EQ(site.content_dirs, Strings{"content/en"});
  EXPECT_TRUE(site.url_prefixes.empty());  // the default language
  EXPECT_EQ(site.build_dirs, (Strings{"public", "resources"}));
}

TEST(DetectSiteTest, HugoLanguagesOutsideTheDefaultGetAPrefix) {
  testing::TempDir dir;
  std::ofstream(dir.path() / "hugo.yaml") << "baseurl: https://x.example/\n"
                                             "contentdir: text\n"
                                             "publishDir: out\n"
                                             "defaultContentLanguage: fr\n"
                                             "languages:\n"
                                             "  fr: {contentDir: text/fr}\n"
                                             "  en: {contentDir: text/en}\n";
  Result<DetectedSite> site = DetectSite(dir.path());
  ASSERT_TRUE(site.ok()) << site.status().message();
  EXPECT_EQ(site->base_url, "https://x.example/");
  // In language-name order (the tree is a sorted JSON object).
  EXPECT_EQ(site->content_dirs, (Strings{"text/en", "text/fr"}));
  EXPECT_EQ(site->url_prefixes, (StringMap{{"text/en", "/en"}}));
  EXPECT_EQ(site->build_dirs, (Strings{"out", "resources"}));
}

TEST(DetectSiteTest, JekyllUrlBaseurlAndPermalinkStyle) {
  DetectedSite site = Detect("jekyll-pretty");
  EXPECT_EQ(site.generator, "jekyll");
  EXPECT_EQ(site.config_file, "_config.yml");
  EXPECT_EQ(site.base_url, "https://jekyll-pretty.example.org/blog/");
  EXPECT_EQ(site.permalink, "pretty");
  EXPECT_EQ(site.content_dirs, Strings{"."});
  EXPECT_EQ(site.build_dirs.front(), "_site");
}

TEST(DetectSiteTest, JekyllCollectionsAndDestination) {
  DetectedSite site = Detect("jekyll-collections");
  EXPECT_EQ(site.base_url, "https://jekyll-collections.example.org/");
  EXPECT_EQ(site.permalink, "");
  EXPECT_EQ(site.permalinks,
            (StringMap{{"notes", ""}, {"recipes", "/:collection/:name/"}}));
  EXPECT_EQ(site.build_dirs, (Strings{"build_out", "_layouts", "_includes",
                                      "_sass", "_data", "_plugins"}));
}

TEST(DetectSiteTest, JekyllSourceMovesContentAndInternalDirectories) {
  testing::TempDir dir;
  std::ofstream(dir.path() / "_config.yml")
      << "source: site\nexclude: [vendor/, notes]\n"
         "collections: [talks]\n";
  Result<DetectedSite> site = DetectSite(dir.path());
  ASSERT_TRUE(site.ok()) << site.status().message();
  EXPECT_EQ(site->base_url, "");
  EXPECT_EQ(site->content_dirs, Strings{"site"});
  EXPECT_EQ(
      site->build_dirs,
      (Strings{"_site", "site/_layouts", "site/_includes", "site/_sass",
               "site/_data", "site/_plugins", "site/vendor", "site/notes"}));
  EXPECT_EQ(site->permalinks, (StringMap{{"talks", ""}}));
}

TEST(DetectSiteTest, HugoUglyUrlsPerSectionAndItsPublishDir) {
  DetectedSite site = Detect("hugo-ugly");
  EXPECT_FALSE(site.ugly_urls);
  EXPECT_EQ(site.ugly_url_sections, Strings{"posts"});  // notes = false
  EXPECT_EQ(site.build_dirs, (Strings{"docs", "resources"}));
  EXPECT_TRUE(site.notes.empty());
}

TEST(DetectSiteTest, HugoUglyUrlsForTheWholeSite) {
  testing::TempDir dir;
  std::ofstream(dir.path() / "hugo.yaml") << "baseURL: https://x.example/\n"
                                             "uglyurls: true\n";
  Result<DetectedSite> site = DetectSite(dir.path());
  ASSERT_TRUE(site.ok()) << site.status().message();
  EXPECT_TRUE(site->ugly_urls);
  EXPECT_TRUE(site->ugly_url_sections.empty());
}

// Only defaults that set a permalink are kept, keyed "TYPE:PATH"; one
// that sets only a layout changes no URL.
TEST(DetectSiteTest, JekyllDefaultsCollectionsDirAndDestination) {
  DetectedSite site = Detect("jekyll-defaults");
  EXPECT_EQ(site.collections_dir, "my_collections");
  EXPECT_EQ(site.permalink_defaults,
            (StringMap{{"posts:", "/blog/:title/"},
                       {"posts:_posts/archive", "/old/:year/:title:output_ext"},
                       {":docs", "/manual/:basename/"}}));
  EXPECT_EQ(site.build_dirs.front(), "www");
  EXPECT_TRUE(site.notes.empty());
}

TEST(DetectSiteTest, NoConfigIsNotFoundAndABadOneNamesTheFile) {
  testing::TempDir dir;
  Result<DetectedSite> none = DetectSite(dir.path());
  EXPECT_EQ(none.status().code(), ErrorCode::kNotFound);
  std::ofstream(dir.path() / "hugo.toml") << "baseURL = [unclosed\n";
  Result<DetectedSite> bad = DetectSite(dir.path());
  EXPECT_EQ(bad.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("hugo.toml"), std::string::npos)
      << bad.status().message();
}

}  // namespace
}  // namespace rotguard
