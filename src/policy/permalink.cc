// PostPublicPath(): Hugo and Jekyll permalinks (rotguard/permalink.h).
#include "rotguard/permalink.h"

#include <fnmatch.h>

#include <array>
#include <cctype>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

namespace rotguard {
namespace {

constexpr std::array<std::string_view, 12> kMonthNames = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December"};
constexpr std::array<std::string_view, 7> kWeekdayNames = {
    "Sunday",   "Monday", "Tuesday", "Wednesday",
    "Thursday", "Friday", "Saturday"};

bool IsDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

int ToInt(std::string_view digits) {
  int value = 0;
  for (char c : digits) value = value * 10 + (c - '0');
  return value;
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.substr(s.size() - suffix.size()) == suffix;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

std::string Pad(int value, int width) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%0*d", width, value);
  return buffer;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant).
int64_t DaysFromCivil(int y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

int Weekday(const CivilDate& date) {  // Sunday = 0
  int64_t days = DaysFromCivil(date.year, date.month, date.day);
  return static_cast<int>(((days % 7) + 11) % 7);
}

int YearDay(const CivilDate& date) {  // 1..366
  return static_cast<int>(DaysFromCivil(date.year, date.month, date.day) -
                          DaysFromCivil(date.year, 1, 1)) +
         1;
}

// "a/b/c.md" → {"a/b", "c.md"}; "c.md" → {"", "c.md"}.
std::pair<std::string_view, std::string_view> SplitDir(std::string_view path) {
  size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return {"", path};
  return {path.substr(0, slash), path.substr(slash + 1)};
}

std::string_view StripExtension(std::string_view name) {
  size_t dot = name.rfind('.');
  return dot == std::string_view::npos || dot == 0 ? name : name.substr(0, dot);
}

std::vector<std::string_view> Components(std::string_view path) {
  std::vector<std::string_view> out;
  size_t pos = 0;
  while (pos <= path.size()) {
    size_t end = path.find('/', pos);
    if (end == std::string_view::npos) end = path.size();
    if (end > pos) out.push_back(path.substr(pos, end - pos));
    pos = end + 1;
  }
  return out;
}

// "content/" or "./content" → "content"; "." and "./" → "".
std::string CleanDir(std::string_view dir) {
  while (StartsWith(dir, "./")) dir.remove_prefix(2);
  while (!dir.empty() && dir.back() == '/') dir.remove_suffix(1);
  if (dir == ".") return "";
  return std::string(dir);
}

// Collapses "//" (an empty :categories) and makes the path start at "/".
std::string CleanUrlPath(std::string_view path) {
  std::string out = "/";
  for (char c : path) {
    if (c == '/' && out.back() == '/') continue;
    out.push_back(c);
  }
  return out;
}

// Replaces each `:name` of `pattern` by `value(name)`, trying the longest
// token name first; unknown names stay as written.
template <typename Lookup>
std::string Expand(std::string_view pattern,
                   const std::vector<std::string_view>& tokens,
                   const Lookup& value) {
  std::string out;
  size_t i = 0;
  while (i < pattern.size()) {
    if (pattern[i] != ':') {
      out.push_back(pattern[i++]);
      continue;
    }
    std::string_view best;
    for (std::string_view token : tokens) {
      if (token.size() > best.size() &&
          pattern.substr(i + 1, token.size()) == token) {
        best = token;
      }
    }
    if (best.empty()) {
      out.push_back(pattern[i++]);
      continue;
    }
    out += value(best);
    i += 1 + best.size();
  }
  return out;
}

// --- Hugo ---

// Hugo's urlize (helpers.PathSpec.URLize with disablePathToLower off):
// letters, digits and . / \ _ - # + ~ % stay, runs of spaces and hyphens
// become one '-', anything else is dropped, and ASCII is lowercased.
std::string HugoUrlize(std::string_view text, bool lowercase = true) {
  std::string out;
  bool was_hyphen = false;
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (c == ' ' || c == '\t' || c == '-') {
      if (!was_hyphen) out.push_back('-');
      was_hyphen = true;
      continue;
    }
    was_hyphen = false;
    if (std::isalnum(byte) || byte >= 0x80 ||
        std::string_view("./\\_#+~%").find(c) != std::string_view::npos) {
      out.push_back(lowercase ? static_cast<char>(std::tolower(byte)) : c);
    }
  }
  return out;
}

struct HugoPage {
  std::string_view dir;       // below the content directory: "posts/2023"
  std::string_view filename;  // stem, or the bundle's directory name
  const PostFacts* facts;
  std::optional<CivilDate> date;
};

std::string HugoDateToken(std::string_view token, const CivilDate& d) {
  if (token == "year") return Pad(d.year, 4);
  if (token == "month") return Pad(d.month, 2);
  if (token == "monthname") return std::string(kMonthNames[d.month - 1]);
  if (token == "day") return Pad(d.day, 2);
  if (token == "weekday") return std::to_string(Weekday(d));
  if (token == "weekdayname") return std::string(kWeekdayNames[Weekday(d)]);
  return std::to_string(YearDay(d));  // yearday
}

std::string HugoToken(std::string_view token, const HugoPage& page) {
  const PostFacts& fm = *page.facts;
  std::vector<std::string_view> sections = Components(page.dir);
  std::string title =
      fm.title.empty() ? std::string(page.filename) : HugoUrlize(fm.title);
  if (token == "section") {
    return sections.empty() ? "" : std::string(sections.front());
  }
  if (token == "sections") return std::string(page.dir);
  if (token == "title") return title;
  if (token == "slug") return fm.slug.empty() ? title : fm.slug;
  if (token == "slugorfilename" || token == "slugorcontentbasename") {
    return fm.slug.empty() ? std::string(page.filename) : fm.slug;
  }
  if (token == "filename" || token == "contentbasename") {
    return std::string(page.filename);
  }
  if (!page.date) return "";
  return HugoDateToken(token, *page.date);
}

std::string ExpandHugo(std::string_view pattern, const HugoPage& page) {
  static const std::vector<std::string_view> kTokens = {
      "year",
      "month",
      "monthname",
      "day",
      "weekday",
      "weekdayname",
      "yearday",
      "section",
      "sections",
      "title",
      "slug",
      "slugorfilename",
      "filename",
      "contentbasename",
      "slugorcontentbasename"};
  return Expand(pattern, kTokens,
                [&](std::string_view token) { return HugoToken(token, page); });
}

// A Hugo directory URL ends in '/' unless its last segment is a file name.
std::string WithTrailingSlash(std::string path) {
  std::string_view last = SplitDir(path).second;
  if (!path.empty() && path.back() != '/' &&
      last.find('.') == std::string_view::npos) {
    path.push_back('/');
  }
  return path;
}

// The content directory `key` is below and the rest of the path; the
// legacy guess strips everything up to a "content/" directory.
std::pair<std::string, std::string_view> SplitContentDir(const SiteConfig& site,
                                                         std::string_view key) {
  std::string best;
  bool found = false;
  for (const std::string& entry : site.content_dirs) {
    std::string dir = CleanDir(entry);
    bool below =
        dir.empty() || (StartsWith(key, dir) && key.size() > dir.size() &&
                        key[dir.size()] == '/');
    if (below && (!found || dir.size() > best.size())) {
      best = dir;
      found = true;
    }
  }
  if (found) {
    return {best, best.empty() ? key : key.substr(best.size() + 1)};
  }
  size_t content = key.find("content/");
  if (content == 0 ||
      (content != std::string_view::npos && key[content - 1] == '/')) {
    return {std::string(key.substr(0, content + 7)), key.substr(content + 8)};
  }
  return {"", key};
}

// Hugo's uglyURLs for a section: everywhere, or per section.
bool HugoUgly(const SiteConfig& site, std::string_view section) {
  if (site.ugly_urls) return true;
  for (const std::string& ugly : site.ugly_url_sections) {
    if (ugly == section) return true;
  }
  return false;
}

// "/posts/hello/" → "/posts/hello.html" (Hugo writes the page as a file
// instead of a directory's index.html); the home page stays "/", and a
// path that already names a file keeps its name.
std::string UglyPath(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  if (path == "/" || SplitDir(path).second.find('.') != std::string::npos) {
    return path;
  }
  return path + ".html";
}

std::string HugoPath(const SiteConfig& site, std::string_view key,
                     const PostFacts& facts) {
  bool hugo = site.generator == "hugo";
  auto [content_dir, rel] = SplitContentDir(site, key);
  auto prefix_it = site.url_prefixes.find(content_dir);
  std::string prefix =
      prefix_it == site.url_prefixes.end() ? "" : prefix_it->second;
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  if (!facts.url.empty()) return prefix + CleanUrlPath(facts.url);
  auto [dir, name] = SplitDir(rel);
  std::string_view stem = StripExtension(name);
  std::string path;
  if (stem == "_index") {  // a section's own page
    path = dir.empty() ? "/" : "/" + std::string(dir) + "/";
    if (!dir.empty() && HugoUgly(site, Components(dir).front())) {
      path = UglyPath(path);
    }
  } else {
    HugoPage page{dir, stem, &facts, ParseCivilDate(facts.date)};
    if (stem == "index") {  // a leaf bundle: the directory is the page
      std::tie(page.dir, page.filename) = SplitDir(dir);
    }
    if (page.filename.empty()) return prefix + "/";
    std::vector<std::string_view> sections = Components(page.dir);
    const std::string section =
        sections.empty() ? "" : std::string(sections.front());
    auto rule = site.permalinks.find(section);
    if (rule != site.permalinks.end() && !rule->second.empty()) {
      path = WithTrailingSlash(ExpandHugo(rule->second, page));
    } else {
      std::string last =
          facts.slug.empty() ? std::string(page.filename) : facts.slug;
      path = "/" + std::string(page.dir) + "/" + last + "/";
    }
    if (HugoUgly(site, section)) path = UglyPath(CleanUrlPath(path));
  }
  path = CleanUrlPath(path);
  return prefix + (hugo ? HugoUrlize(path) : path);
}

// --- Jekyll ---

// Jekyll's Utils.slugify: runs of other characters become one '-', with
// none at either end; "pretty" also keeps ._~!$&'()+,;=@; the default
// mode lowercases.
std::string JekyllSlugify(std::string_view text, bool pretty, bool cased) {
  std::string out;
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    bool keep = std::isalnum(byte) || byte >= 0x80 ||
                (pretty && std::string_view("._~!$&'()+,;=@").find(c) !=
                               std::string_view::npos);
    if (keep) {
      out.push_back(cased ? c : static_cast<char>(std::tolower(byte)));
    } else if (!out.empty() && out.back() != '-') {
      out.push_back('-');
    }
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}

std::string_view JekyllStylePattern(std::string_view style) {
  if (style.empty() || style == "date") {
    return "/:categories/:year/:month/:day/:title:output_ext";
  }
  if (style == "pretty") return "/:categories/:year/:month/:day/:title/";
  if (style == "ordinal") return "/:categories/:year/:y_day/:title:output_ext";
  if (style == "weekdate") {
    return "/:categories/:year/W:week/:short_day/:title:output_ext";
  }
  if (style == "none") return "/:categories/:title:output_ext";
  return style;
}

struct JekyllDoc {
  std::string collection;  // "posts", a collection name, or "" for a page
  std::string dir;         // page: its directory below the source
  std::string path;        // collection: its path below _name/, no ext
  std::string basename;    // file name without extension (and date)
  std::vector<std::string> categories;
  std::optional<CivilDate> date;
  const PostFacts* facts = nullptr;
};

std::string JekyllDateToken(std::string_view token, const CivilDate& d) {
  int weekday = Weekday(d);
  if (token == "year") return Pad(d.year, 4);
  if (token == "short_year") return Pad(d.year % 100, 2);
  if (token == "month") return Pad(d.month, 2);
  if (token == "i_month") return std::to_string(d.month);
  if (token == "short_month") {
    return std::string(kMonthNames[d.month - 1].substr(0, 3));
  }
  if (token == "long_month") return std::string(kMonthNames[d.month - 1]);
  if (token == "day") return Pad(d.day, 2);
  if (token == "i_day") return std::to_string(d.day);
  if (token == "y_day") return Pad(YearDay(d), 3);
  if (token == "short_day") {
    return std::string(kWeekdayNames[weekday].substr(0, 3));
  }
  if (token == "long_day") return std::string(kWeekdayNames[weekday]);
  if (token == "w_day") return std::to_string(weekday == 0 ? 7 : weekday);
  // ISO 8601 week (:week) and its year (:w_year): the week holding the
  // date's Thursday.
  int64_t days = DaysFromCivil(d.year, d.month, d.day);
  int64_t thursday = days - (weekday == 0 ? 7 : weekday) + 4;
  int iso_year = d.year + (thursday < DaysFromCivil(d.year, 1, 1) ? -1 : 0) +
                 (thursday >= DaysFromCivil(d.year + 1, 1, 1) ? 1 : 0);
  if (token == "w_year") return std::to_string(iso_year);
  int64_t week = (thursday - DaysFromCivil(iso_year, 1, 1)) / 7 + 1;
  return Pad(static_cast<int>(week), 2);  // week
}

std::string JekyllCategories(const JekyllDoc& doc, bool slugified) {
  std::vector<std::string> seen;
  std::string out;
  for (const std::string& category : doc.categories) {
    std::string name =
        slugified ? JekyllSlugify(category, false, false) : Lower(category);
    bool duplicate = false;
    for (const std::string& s : seen) duplicate = duplicate || s == name;
    if (duplicate || name.empty()) continue;
    seen.push_back(name);
    out += (out.empty() ? "" : "/") + name;
  }
  return out;
}

std::string JekyllToken(std::string_view token, const JekyllDoc& doc) {
  const PostFacts& fm = *doc.facts;
  std::string slug_source = fm.slug.empty() ? doc.basename : fm.slug;
  if (token == "title") return JekyllSlugify(slug_source, true, true);
  if (token == "slug") return JekyllSlugify(slug_source, false, false);
  if (token == "name") return JekyllSlugify(doc.basename, false, false);
  if (token == "categories") return JekyllCategories(doc, false);
  if (token == "slugified_categories") return JekyllCategories(doc, true);
  if (token == "collection") return doc.collection;
  if (token == "path") return doc.collection.empty() ? doc.dir : doc.path;
  if (token == "basename") return doc.basename;
  if (token == "output_ext") return ".html";
  if (token == "hour" || token == "minute" || token == "second") return "00";
  if (!doc.date) return "";
  return JekyllDateToken(token, *doc.date);
}

std::string ExpandJekyll(std::string_view pattern, const JekyllDoc& doc) {
  static const std::vector<std::string_view> kTokens = {
      "year",        "short_year",
      "month",       "i_month",
      "short_month", "long_month",
      "day",         "i_day",
      "y_day",       "w_year",
      "week",        "w_day",
      "short_day",   "long_day",
      "hour",        "minute",
      "second",      "title",
      "slug",        "name",
      "categories",  "slugified_categories",
      "collection",  "path",
      "basename",    "output_ext"};
  return CleanUrlPath(Expand(pattern, kTokens, [&](std::string_view token) {
    return JekyllToken(token, doc);
  }));
}

// _posts/YYYY-MM-DD-title.md: the date and title of the file name.
bool SplitPostName(std::string_view stem, JekyllDoc* doc) {
  if (stem.size() < 12 || stem[4] != '-' || stem[7] != '-' || stem[10] != '-' ||
      !IsDigits(stem.substr(0, 4)) || !IsDigits(stem.substr(5, 2)) ||
      !IsDigits(stem.substr(8, 2))) {
    return false;
  }
  if (!doc->date) {
    doc->date = CivilDate{ToInt(stem.substr(0, 4)), ToInt(stem.substr(5, 2)),
                          ToInt(stem.substr(8, 2))};
  }
  doc->basename = std::string(stem.substr(11));
  return true;
}

// The index of the first component of `rel` where a collection (or
// _posts/, _drafts/) may start: 0 without a collections_dir; the one after
// it below collections_dir; none (past the end) elsewhere.
size_t FirstCollectionPart(std::string_view rel,
                           const std::string& collections_dir) {
  if (collections_dir.empty()) return 0;
  if (StartsWith(rel, collections_dir) && rel.size() > collections_dir.size() &&
      rel[collections_dir.size()] == '/') {
    return Components(collections_dir).size();
  }
  return std::string_view::npos;
}

// Fills `doc` for a post ("posts"), a collection document or a page;
// false for what Jekyll does not publish (drafts, bad post names, and
// underscore directories outside collections_dir when it is set).
bool ClassifyJekyll(std::string_view rel, const std::string& collections_dir,
                    JekyllDoc* doc) {
  auto [dir, name] = SplitDir(rel);
  std::string_view stem = StripExtension(name);
  std::vector<std::string_view> parts = Components(dir);
  doc->basename = std::string(stem);
  const size_t first = FirstCollectionPart(rel, collections_dir);
  for (size_t i = 0; i < parts.size(); ++i) {
    if (parts[i].size() < 2 || parts[i][0] != '_') continue;
    if (first == std::string_view::npos) return false;
    if (i < first) continue;  // a part of collections_dir's own name
    if (parts[i] == "_drafts") return false;
    if (parts[i] == "_posts") {
      doc->collection = "posts";
      for (const std::string& c : doc->facts->categories) {
        doc->categories.push_back(c);
      }
      for (size_t j = first; j < i; ++j) doc->categories.emplace_back(parts[j]);
      return SplitPostName(stem, doc);
    }
    // A collection (below `collections_dir` when it is set).
    doc->collection = std::string(parts[i].substr(1));
    size_t below =
        static_cast<size_t>(parts[i].data() - rel.data()) + parts[i].size() + 1;
    doc->path = std::string(StripExtension(rel.substr(below)));
    return true;
  }
  doc->dir = std::string(dir);
  return true;
}

// Whether a `defaults` scope path (a prefix of the document's path, or a
// glob with '*' that a leading part of it matches) covers `path`.
bool ScopePathCovers(std::string_view scope, std::string_view path) {
  if (scope.find('*') == std::string_view::npos) return StartsWith(path, scope);
  const std::string glob(scope);
  for (size_t end = path.find('/');; end = path.find('/', end + 1)) {
    const std::string prefix(path.substr(0, end));
    if (fnmatch(glob.c_str(), prefix.c_str(), FNM_PATHNAME) == 0) return true;
    if (end == std::string_view::npos) return false;
  }
}

// The permalink Jekyll's `defaults` give a document of `type` ("posts",
// "pages" or a collection) at `path` (below the source; a collection's
// below collections_dir): of the scopes that cover it, the longest path
// wins, then one that names the type.
std::optional<std::string> DefaultPermalink(const SiteConfig& site,
                                            std::string_view type,
                                            std::string_view path) {
  const std::string collections_dir = CleanDir(site.collections_dir);
  std::optional<std::string> best;
  size_t best_length = 0;
  bool best_typed = false;
  for (const auto& [key, permalink] : site.permalink_defaults) {
    const size_t colon = key.find(':');
    if (colon == std::string::npos) continue;
    std::string_view scope_type = std::string_view(key).substr(0, colon);
    std::string_view scope_path = std::string_view(key).substr(colon + 1);
    if (!collections_dir.empty() &&
        StartsWith(scope_path, collections_dir + "/")) {
      scope_path.remove_prefix(collections_dir.size() + 1);
    }
    if ((!scope_type.empty() && scope_type != type) ||
        !ScopePathCovers(scope_path, path)) {
      continue;
    }
    const bool typed = !scope_type.empty();
    if (!best || scope_path.size() > best_length ||
        (scope_path.size() == best_length && typed >= best_typed)) {
      best = permalink;
      best_length = scope_path.size();
      best_typed = typed;
    }
  }
  return best;
}

// The document's permalink pattern from its own front matter, else from
// the site's `defaults`; "" when neither sets one.
std::string DocumentPermalink(const SiteConfig& site, std::string_view rel,
                              const JekyllDoc& doc) {
  if (!doc.facts->permalink.empty()) return doc.facts->permalink;
  std::string_view path = rel;
  const std::string collections_dir = CleanDir(site.collections_dir);
  if (!doc.collection.empty() && !collections_dir.empty() &&
      StartsWith(path, collections_dir + "/")) {
    path.remove_prefix(collections_dir.size() + 1);
  }
  return DefaultPermalink(
             site, doc.collection.empty() ? "pages" : doc.collection, path)
      .value_or("");
}

std::optional<std::string> JekyllPath(const SiteConfig& site,
                                      std::string_view key,
                                      const PostFacts& facts) {
  JekyllDoc doc;
  doc.facts = &facts;
  doc.date = ParseCivilDate(facts.date);
  std::string_view rel = SplitContentDir(site, key).second;
  if (site.generator != "jekyll") rel = key;
  if (!ClassifyJekyll(rel, CleanDir(site.collections_dir), &doc)) {
    return std::nullopt;
  }
  const std::string permalink = DocumentPermalink(site, rel, doc);
  if (!permalink.empty()) return ExpandJekyll(permalink, doc);
  auto rule =
      site.permalinks.find(doc.collection.empty() ? "pages" : doc.collection);
  if (doc.collection == "posts") {
    std::string_view style =
        rule != site.permalinks.end() ? rule->second : site.permalink;
    return ExpandJekyll(JekyllStylePattern(style), doc);
  }
  if (!doc.collection.empty()) {
    if (rule == site.permalinks.end()) {
      return ExpandJekyll("/:collection/:path:output_ext", doc);
    }
    if (rule->second.empty()) return std::nullopt;  // output: false
    return ExpandJekyll(JekyllStylePattern(rule->second), doc);
  }
  std::string_view style =
      rule != site.permalinks.end() ? rule->second : site.permalink;
  bool pretty = style == "pretty" || EndsWith(style, "/");
  if (doc.basename == "index") return ExpandJekyll("/:path/", doc);
  return ExpandJekyll(
      pretty ? "/:path/:basename/" : "/:path/:basename:output_ext", doc);
}

bool IsJekyllPost(std::string_view key) {
  for (std::string_view part : Components(SplitDir(key).first)) {
    if (part == "_posts") return true;
  }
  return false;
}

}  // namespace

std::optional<CivilDate> ParseCivilDate(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '"')) {
    text.remove_prefix(1);
  }
  if (text.size() >= 10 && text[4] == '-' && text[7] == '-' &&
      IsDigits(text.substr(0, 4)) && IsDigits(text.substr(5, 2)) &&
      IsDigits(text.substr(8, 2))) {
    CivilDate date{ToInt(text.substr(0, 4)), ToInt(text.substr(5, 2)),
                   ToInt(text.substr(8, 2))};
    if (date.month < 1 || date.month > 12 || date.day < 1 || date.day > 31) {
      return std::nullopt;
    }
    return date;
  }
  // "15 Oct 2023"
  size_t space = text.find(' ');
  if (space == std::string_view::npos || space == 0 || space > 2 ||
      text.size() < space + 9 || !IsDigits(text.substr(0, space)) ||
      text[space + 4] != ' ' || !IsDigits(text.substr(space + 5, 4))) {
    return std::nullopt;
  }
  std::string month = Lower(text.substr(space + 1, 3));
  for (size_t m = 0; m < kMonthNames.size(); ++m) {
    if (Lower(kMonthNames[m].substr(0, 3)) == month) {
      return CivilDate{ToInt(text.substr(space + 5, 4)),
                       static_cast<int>(m) + 1, ToInt(text.substr(0, space))};
    }
  }
  return std::nullopt;
}

std::optional<std::string> PostPublicPath(const SiteConfig& site,
                                          std::string_view document_key,
                                          const PostFacts& facts) {
  if (site.generator == "jekyll") {
    return JekyllPath(site, document_key, facts);
  }
  if (site.generator.empty() && IsJekyllPost(document_key)) {
    std::optional<std::string> post = JekyllPath(site, document_key, facts);
    if (post) return post;
  }
  return HugoPath(site, document_key, facts);
}

}  // namespace rotguard
