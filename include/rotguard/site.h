// Site detection (SPEC §9 [site]): what a Hugo or Jekyll site's own
// configuration says about where its posts are, where its build output
// goes and how its URLs are made. `rotguard init` writes the answer into
// the store's [site] table (rotguard/config.h SiteConfig).
#ifndef ROTGUARD_SITE_H_
#define ROTGUARD_SITE_H_

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "rotguard/status.h"

namespace rotguard {

// Paths are relative to the site directory read.
struct DetectedSite {
  std::string generator;    // "hugo" or "jekyll"
  std::string config_file;  // the file read first ("hugo.toml", ...)
  std::string base_url;     // "" when the config names none
  std::vector<std::string> content_dirs;
  std::vector<std::string> build_dirs;
  std::map<std::string, std::string> permalinks;
  std::string permalink;
  std::map<std::string, std::string> url_prefixes;  // content dir → "/fr"
  // Hugo uglyURLs (SiteConfig has the meaning of each).
  bool ugly_urls = false;
  std::vector<std::string> ugly_url_sections;
  // Jekyll: `defaults` that set a permalink, and collections_dir.
  std::map<std::string, std::string> permalink_defaults;
  std::string collections_dir;
  // Settings read but not followed ("Jekyll defaults: ... permalink is not
  // applied"), for the user to check.
  std::vector<std::string> notes;
};

// Reads `site_dir`'s configuration:
// - Hugo: hugo.toml|yaml|yml|json, else config.toml|yaml|yml|json, else
//   config/_default/hugo.* or config.* (with that directory's
//   permalinks.* and languages.* files): baseURL, contentDir (and each
//   language's contentDir, under /<lang>/ unless it is the default
//   language outside a subdirectory), publishDir, resourceDir,
//   permalinks (per section, or its `page` table), uglyURLs (true, or
//   per section). Keys are case-insensitive, as in Hugo.
// - Jekyll: _config.yml|_config.yaml: url + baseurl, source, destination,
//   permalink, collections (with output and permalink), collections_dir,
//   exclude, and the `defaults` whose values set a permalink (other
//   values, such as layout, do not change a URL).
// NotFound when there is no such file; InvalidArgument naming the file
// when it does not parse.
Result<DetectedSite> DetectSite(const std::filesystem::path& site_dir);

}  // namespace rotguard

#endif  // ROTGUARD_SITE_H_
