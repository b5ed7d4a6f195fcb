// DetectSite(): Hugo and Jekyll configuration → rotguard/site.h. Every
// format (TOML, YAML, JSON) is read into one JSON tree first, so the
// settings are looked up in one place.
#include "rotguard/site.h"

#include <toml++/toml.h>
#include <yaml.h>

#include <array>
#include <cctype>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/file.h"

namespace rotguard {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

// --- TOML and YAML → JSON ---

Json FromToml(const toml::node& node) {
  if (const toml::table* table = node.as_table()) {
    Json out = Json::object();
    for (const auto& [key, value] : *table) {
      out[std::string(key.str())] = FromToml(value);
    }
    return out;
  }
  if (const toml::array* array = node.as_array()) {
    Json out = Json::array();
    for (const toml::node& item : *array) out.push_back(FromToml(item));
    return out;
  }
  if (auto text = node.value<std::string>()) return *text;
  if (auto flag = node.value<bool>()) return *flag;
  if (auto number = node.value<int64_t>()) return *number;
  if (auto real = node.value<double>()) return *real;
  return nullptr;  // dates and times: no setting we read is one
}

// libyaml's document API, closed on every path.
class YamlDocument {
 public:
  explicit YamlDocument(std::string_view text) {
    if (yaml_parser_initialize(&parser_) == 0) return;
    parser_ready_ = true;
    yaml_parser_set_input_string(
        &parser_, reinterpret_cast<const unsigned char*>(text.data()),
        text.size());
    loaded_ = yaml_parser_load(&parser_, &document_) != 0;
  }
  ~YamlDocument() {
    if (loaded_) yaml_document_delete(&document_);
    if (parser_ready_) yaml_parser_delete(&parser_);
  }
  YamlDocument(const YamlDocument&) = delete;
  YamlDocument& operator=(const YamlDocument&) = delete;

  bool ok() const { return loaded_; }
  std::string error() const {
    return std::string(parser_.problem ? parser_.problem : "YAML error") +
           " at line " + std::to_string(parser_.problem_mark.line + 1);
  }
  Json ToJson() { return Convert(yaml_document_get_root_node(&document_), 0); }

 private:
  Json Convert(yaml_node_t* node, int depth) {
    if (node == nullptr || depth > 64) return nullptr;
    if (node->type == YAML_SCALAR_NODE) {
      std::string value(reinterpret_cast<const char*>(node->data.scalar.value),
                        node->data.scalar.length);
      bool plain = node->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
      if (plain && (value == "true" || value == "false")) {
        return value == "true";
      }
      if (plain && (value.empty() || value == "~" || value == "null")) {
        return nullptr;
      }
      return value;
    }
    if (node->type == YAML_SEQUENCE_NODE) {
      Json out = Json::array();
      for (yaml_node_item_t* item = node->data.sequence.items.start;
           item < node->data.sequence.items.top; ++item) {
        out.push_back(
            Convert(yaml_document_get_node(&document_, *item), depth + 1));
      }
      return out;
    }
    Json out = Json::object();
    for (yaml_node_pair_t* pair = node->data.mapping.pairs.start;
         pair < node->data.mapping.pairs.top; ++pair) {
      Json key = Convert(yaml_document_get_node(&document_, pair->key), 0);
      if (!key.is_string()) continue;
      out[key.get<std::string>()] =
          Convert(yaml_document_get_node(&document_, pair->value), depth + 1);
    }
    return out;
  }

  yaml_parser_t parser_{};
  yaml_document_t document_{};
  bool parser_ready_ = false;
  bool loaded_ = false;
};

// The file's settings as JSON; InvalidArgument naming the file when it
// does not parse.
Result<Json> LoadConfigTree(const fs::path& path) {
  Result<std::string> text = ReadFileToString(path);
  if (!text.ok()) return text.status();
  std::string ext = path.extension().string();
  if (ext == ".toml") {
    try {
      return FromToml(toml::parse(*text, path.string()));
    } catch (const toml::parse_error& error) {
      return Status::InvalidArgument(path.string() + ":" +
                                     std::to_string(error.source().begin.line) +
                                     ": " + std::string(error.description()));
    }
  }
  if (ext == ".json") {
    Json json = Json::parse(*text, nullptr, false);
    if (json.is_discarded()) {
      return Status::InvalidArgument(path.string() + ": invalid JSON");
    }
    return json;
  }
  YamlDocument yaml(*text);
  if (!yaml.ok()) {
    return Status::InvalidArgument(path.string() + ": " + yaml.error());
  }
  Json json = yaml.ToJson();
  if (json.is_null()) json = Json::object();  // an empty file
  return json;
}

// Hugo's keys are case-insensitive ("baseURL", "baseurl").
const Json* Find(const Json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  std::string want = Lower(key);
  for (auto it = object.begin(); it != object.end(); ++it) {
    if (Lower(it.key()) == want) return &it.value();
  }
  return nullptr;
}

std::string StringOr(const Json& object, std::string_view key,
                     std::string fallback) {
  const Json* value = Find(object, key);
  return value != nullptr && value->is_string() ? value->get<std::string>()
                                                : fallback;
}

bool BoolOr(const Json& object, std::string_view key, bool fallback) {
  const Json* value = Find(object, key);
  return value != nullptr && value->is_boolean() ? value->get<bool>()
                                                 : fallback;
}

// "./content/" → "content"; "" and "." → ".".
std::string CleanDir(std::string dir) {
  while (dir.size() > 2 && dir.compare(0, 2, "./") == 0) dir.erase(0, 2);
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  return dir.empty() ? "." : dir;
}

// --- Hugo ---

constexpr std::array<std::string_view, 2> kHugoNames = {"hugo", "config"};
constexpr std::array<std::string_view, 4> kExtensions = {".toml", ".yaml",
                                                         ".yml", ".json"};

std::optional<fs::path> FirstExisting(const fs::path& dir,
                                      std::string_view name) {
  for (std::string_view ext : kExtensions) {
    fs::path path = dir / (std::string(name) + std::string(ext));
    std::error_code ec;
    if (fs::is_regular_file(path, ec)) return path;
  }
  return std::nullopt;
}

// config/_default/permalinks.toml and languages.toml hold the value of
// their top-level key.
Status MergeHugoConfigDir(const fs::path& dir, Json* root) {
  for (std::string_view key : {"permalinks", "languages"}) {
    std::optional<fs::path> path = FirstExisting(dir, key);
    if (!path) continue;
    Result<Json> part = LoadConfigTree(*path);
    if (!part.ok()) return part.status();
    (*root)[std::string(key)] = std::move(*part);
  }
  return Status::Ok();
}

void ReadHugoPermalinks(const Json& root, DetectedSite* site) {
  const Json* permalinks = Find(root, "permalinks");
  if (permalinks == nullptr || !permalinks->is_object()) return;
  // Hugo ≥ 0.114: per page kind; the kind `page` is what posts are.
  if (const Json* page = Find(*permalinks, "page");
      page != nullptr && page->is_object()) {
    permalinks = page;
  }
  for (auto it = permalinks->begin(); it != permalinks->end(); ++it) {
    if (it.value().is_string()) {
      site->permalinks[it.key()] = it.value().get<std::string>();
    }
  }
}

void ReadHugoLanguages(const Json& root, DetectedSite* site) {
  std::string content_dir = CleanDir(StringOr(root, "contentDir", "content"));
  const Json* languages = Find(root, "languages");
  std::string default_lang =
      Lower(StringOr(root, "defaultContentLanguage", "en"));
  bool in_subdir = BoolOr(root, "defaultContentLanguageInSubdir", false);
  if (languages != nullptr && languages->is_object()) {
    for (auto it = languages->begin(); it != languages->end(); ++it) {
      const Json* dir = Find(it.value(), "contentDir");
      if (dir == nullptr || !dir->is_string()) continue;
      std::string clean = CleanDir(dir->get<std::string>());
      site->content_dirs.push_back(clean);
      std::string lang = Lower(it.key());
      if (lang != default_lang || in_subdir) {
        site->url_prefixes[clean] = "/" + lang;
      }
    }
  }
  if (site->content_dirs.empty()) site->content_dirs.push_back(content_dir);
}

// uglyURLs: a boolean for the whole site, or a table of sections.
void ReadHugoUglyUrls(const Json& root, DetectedSite* site) {
  const Json* ugly = Find(root, "uglyURLs");
  if (ugly == nullptr) return;
  if (ugly->is_boolean()) {
    site->ugly_urls = ugly->get<bool>();
    return;
  }
  if (!ugly->is_object()) return;
  for (auto it = ugly->begin(); it != ugly->end(); ++it) {
    if (it.value().is_boolean() && it.value().get<bool>()) {
      site->ugly_url_sections.push_back(it.key());
    }
  }
}

Result<DetectedSite> ReadHugo(const fs::path& dir, const fs::path& file,
                              bool config_dir) {
  Result<Json> root = LoadConfigTree(file);
  if (!root.ok()) return root.status();
  if (config_dir) {
    ROTGUARD_RETURN_IF_ERROR(MergeHugoConfigDir(file.parent_path(), &*root));
  }
  DetectedSite site;
  site.generator = "hugo";
  site.config_file = file.lexically_relative(dir).string();
  site.base_url = StringOr(*root, "baseURL", "");
  ReadHugoLanguages(*root, &site);
  site.build_dirs = {CleanDir(StringOr(*root, "publishDir", "public")),
                     CleanDir(StringOr(*root, "resourceDir", "resources"))};
  ReadHugoPermalinks(*root, &site);
  ReadHugoUglyUrls(*root, &site);
  return site;
}

// --- Jekyll ---

// Jekyll never renders these directories as pages.
constexpr std::array<std::string_view, 5> kJekyllInternalDirs = {
    "_layouts", "_includes", "_sass", "_data", "_plugins"};

void ReadJekyllCollections(const Json& root, DetectedSite* site) {
  const Json* collections = Find(root, "collections");
  if (collections == nullptr) return;
  if (collections->is_array()) {  // names only: no output
    for (const Json& name : *collections) {
      if (name.is_string()) site->permalinks[name.get<std::string>()] = "";
    }
    return;
  }
  if (!collections->is_object()) return;
  for (auto it = collections->begin(); it != collections->end(); ++it) {
    const Json& settings = it.value();
    bool output = it.key() == "posts" || BoolOr(settings, "output", false);
    std::string pattern = StringOr(settings, "permalink", "");
    if (!output) {
      site->permalinks[it.key()] = "";
    } else if (!pattern.empty()) {
      site->permalinks[it.key()] = pattern;
    } else if (it.key() != "posts") {
      site->permalinks[it.key()] = "/:collection/:path:output_ext";
    }
  }
}

// `defaults`: a list of {scope: {path, type}, values}. Only a permalink
// changes a URL; a later entry with the same scope replaces an earlier
// one, as in Jekyll.
void ReadJekyllDefaults(const Json& root, DetectedSite* site) {
  const Json* defaults = Find(root, "defaults");
  if (defaults == nullptr || !defaults->is_array()) return;
  for (const Json& entry : *defaults) {
    const Json* values = Find(entry, "values");
    if (values == nullptr) continue;
    std::string permalink = StringOr(*values, "permalink", "");
    if (permalink.empty()) continue;
    const Json* scope = Find(entry, "scope");
    std::string path;
    std::string type;
    if (scope != nullptr) {
      path = StringOr(*scope, "path", "");
      type = StringOr(*scope, "type", "");
    }
    while (path.size() >= 2 && path.compare(0, 2, "./") == 0) path.erase(0, 2);
    if (path == ".") path.clear();
    site->permalink_defaults[type + ":" + path] = permalink;
  }
}

std::string JekyllBaseUrl(const Json& root) {
  std::string url = StringOr(root, "url", "");
  std::string baseurl = StringOr(root, "baseurl", "");
  if (url.empty()) return "";
  while (!url.empty() && url.back() == '/') url.pop_back();
  while (!baseurl.empty() && baseurl.back() == '/') baseurl.pop_back();
  if (!baseurl.empty() && baseurl.front() != '/') baseurl.insert(0, "/");
  return url + baseurl + "/";
}

Result<DetectedSite> ReadJekyll(const fs::path& dir, const fs::path& file) {
  Result<Json> root = LoadConfigTree(file);
  if (!root.ok()) return root.status();
  DetectedSite site;
  site.generator = "jekyll";
  site.config_file = file.lexically_relative(dir).string();
  site.base_url = JekyllBaseUrl(*root);
  std::string source = CleanDir(StringOr(*root, "source", "."));
  site.content_dirs = {source};
  site.build_dirs = {CleanDir(StringOr(*root, "destination", "_site"))};
  for (std::string_view internal : kJekyllInternalDirs) {
    site.build_dirs.push_back(source == "."
                                  ? std::string(internal)
                                  : source + "/" + std::string(internal));
  }
  if (const Json* exclude = Find(*root, "exclude");
      exclude != nullptr && exclude->is_array()) {
    for (const Json& entry : *exclude) {
      if (!entry.is_string()) continue;
      std::string name = CleanDir(entry.get<std::string>());
      site.build_dirs.push_back(source == "." ? name : source + "/" + name);
    }
  }
  site.permalink = StringOr(*root, "permalink", "");
  site.collections_dir = StringOr(*root, "collections_dir", "");
  if (!site.collections_dir.empty()) {
    site.collections_dir = CleanDir(site.collections_dir);
    if (site.collections_dir == ".") site.collections_dir.clear();
  }
  ReadJekyllCollections(*root, &site);
  ReadJekyllDefaults(*root, &site);
  return site;
}

}  // namespace

Result<DetectedSite> DetectSite(const fs::path& site_dir) {
  for (std::string_view name : kHugoNames) {
    if (std::optional<fs::path> file = FirstExisting(site_dir, name)) {
      return ReadHugo(site_dir, *file, false);
    }
  }
  for (std::string_view name : {"_config.yml", "_config.yaml"}) {
    std::error_code ec;
    if (fs::is_regular_file(site_dir / name, ec)) {
      return ReadJekyll(site_dir, site_dir / name);
    }
  }
  const fs::path config_dir = site_dir / "config" / "_default";
  for (std::string_view name : kHugoNames) {
    if (std::optional<fs::path> file = FirstExisting(config_dir, name)) {
      return ReadHugo(site_dir, *file, true);
    }
  }
  return Status::NotFound(site_dir.string() +
                          ": no Hugo (hugo.toml, config.toml, ...) or Jekyll "
                          "(_config.yml) configuration");
}

}  // namespace rotguard
