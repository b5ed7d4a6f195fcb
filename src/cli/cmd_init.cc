// `rotguard init`: create the store at --store (SPEC §3, §4), idempotently.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/store_access.h"
#include "rotguard/config.h"
#include "rotguard/site.h"
#include "rotguard/store.h"
#include "util/file.h"
#include "util/terminal_text.h"

namespace rotguard::cli {
namespace {

constexpr const char* kInitFooter =
    "Creates the store directory given by --store (default ./.rotguard, env\n"
    "ROTGUARD_STORE): rotguard.toml (every setting, commented out at its\n"
    "default), manifest.sqlite3, warc/, warc/imported/, damaged/, logs/ and\n"
    "the lock file. Existing files are left untouched, so running it again\n"
    "is safe; an existing rotguard.toml (and --config FILE) is checked.\n"
    "\n"
    "\n"
    "Site detection: run in a Hugo or Jekyll site root (the directory that\n"
    "holds the store), or with --site DIR, init reads the site's own config\n"
    "(Hugo: hugo.toml|yaml|json, config.*, config/_default/; Jekyll:\n"
    "_config.yml) and writes its base URL, content directories, build\n"
    "directories and permalink rules (Hugo uglyURLs, Jekyll defaults and\n"
    "collections_dir too) into the store's [site] table, between\n"
    "two marker comments that a later init replaces. Settings already\n"
    "uncommented in [site] are kept. scan, archive and restore then need no\n"
    "PATH, skip only the site's own build output, and archive each post\n"
    "under its public URL.\n"
    "\n"
    "Output: 'initialized store at PATH' or 'store at PATH already\n"
    "initialized', then 'site: GENERATOR (CONFIG) base_url URL, content\n"
    "DIRS' when a site was detected; with --json one object {\"store\":\n"
    "PATH, \"created\": true|false} with \"site\": {generator, config,\n"
    "base_url, content_dirs, build_dirs, permalinks, notes} when detected.\n"
    "\n"
    "Exit: 0 done; 1 a bad rotguard.toml or --config, or --site DIR without\n"
    "a readable Hugo or Jekyll config; 4 the store is locked\n"
    "by another run; 5 the store cannot be created (the path is named) or\n"
    "its manifest is damaged.\n";

constexpr std::string_view kSiteBegin = "# --- detected by rotguard init from ";
constexpr std::string_view kSiteEnd = "# --- end of detected site";

// A TOML basic string.
std::string TomlString(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20 || byte == 0x7f) {
      char escape[8];
      std::snprintf(escape, sizeof escape, "\\u%04x", byte);
      out += escape;
    } else {
      out += c;
    }
  }
  return out + '"';
}

std::string TomlArray(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    out += (i ? ", " : "") + TomlString(items[i]);
  }
  return out + "]";
}

std::string TomlInlineTable(const std::map<std::string, std::string>& items) {
  std::string out = "{";
  for (const auto& [key, value] : items) {
    out += (out.size() > 1 ? ", " : " ") + TomlString(key) + " = " +
           TomlString(value);
  }
  return out + (items.empty() ? "}" : " }");
}

// `text` without a block an earlier init wrote.
std::string WithoutDetectedBlock(const std::string& text) {
  size_t begin = text.find(kSiteBegin);
  if (begin == std::string::npos) return text;
  size_t end = text.find(kSiteEnd, begin);
  if (end == std::string::npos) return text;
  end = text.find('\n', end);
  end = end == std::string::npos ? text.size() : end + 1;
  return text.substr(0, begin) + text.substr(end);
}

// The site's paths relative to the site root (where the store is).
DetectedSite RelativeToSiteRoot(DetectedSite site,
                                const std::filesystem::path& site_dir,
                                const std::filesystem::path& site_root) {
  std::filesystem::path prefix =
      std::filesystem::absolute(site_dir).lexically_normal().lexically_relative(
          site_root);
  if (prefix.empty() || prefix == ".") return site;
  auto rebase = [&](const std::string& dir) {
    return (prefix / dir).lexically_normal().generic_string();
  };
  for (std::string& dir : site.content_dirs) dir = rebase(dir);
  for (std::string& dir : site.build_dirs) dir = rebase(dir);
  std::map<std::string, std::string> prefixes;
  for (const auto& [dir, url] : site.url_prefixes) prefixes[rebase(dir)] = url;
  site.url_prefixes = std::move(prefixes);
  return site;
}

// The lines of Hugo's uglyURLs and Jekyll's defaults and collections_dir
// (SiteLines).
std::string UrlStyleLines(const DetectedSite& site, const SiteConfig& current) {
  const SiteConfig defaults;
  auto unset = [&](auto member) { return current.*member == defaults.*member; };
  std::string out;
  if (site.ugly_urls && unset(&SiteConfig::ugly_urls)) {
    out += "ugly_urls = true\n";
  }
  if (!site.ugly_url_sections.empty() &&
      unset(&SiteConfig::ugly_url_sections)) {
    out += "ugly_url_sections = " + TomlArray(site.ugly_url_sections) + '\n';
  }
  if (!site.permalink_defaults.empty() &&
      unset(&SiteConfig::permalink_defaults)) {
    out += "permalink_defaults = " + TomlInlineTable(site.permalink_defaults) +
           '\n';
  }
  if (!site.collections_dir.empty() && unset(&SiteConfig::collections_dir)) {
    out += "collections_dir = " + TomlString(site.collections_dir) + '\n';
  }
  return out;
}

// The [site] lines for what the user has not set by hand (`current` is
// the store's configuration without the detected block).
std::string SiteLines(const DetectedSite& site, const SiteConfig& current) {
  const SiteConfig defaults;
  std::string out = std::string(kSiteBegin) + site.config_file + '\n';
  auto unset = [&](auto member) { return current.*member == defaults.*member; };
  if (!site.base_url.empty() && unset(&SiteConfig::base_url)) {
    out += "base_url = " + TomlString(site.base_url) + '\n';
  }
  if (unset(&SiteConfig::generator)) {
    out += "generator = " + TomlString(site.generator) + '\n';
  }
  if (unset(&SiteConfig::content_dirs)) {
    out += "content_dirs = " + TomlArray(site.content_dirs) + '\n';
  }
  if (unset(&SiteConfig::build_dirs)) {
    out += "build_dirs = " + TomlArray(site.build_dirs) + '\n';
  }
  if (!site.permalinks.empty() && unset(&SiteConfig::permalinks)) {
    out += "permalinks = " + TomlInlineTable(site.permalinks) + '\n';
  }
  if (!site.permalink.empty() && unset(&SiteConfig::permalink)) {
    out += "permalink = " + TomlString(site.permalink) + '\n';
  }
  if (!site.url_prefixes.empty() && unset(&SiteConfig::url_prefixes)) {
    out += "url_prefixes = " + TomlInlineTable(site.url_prefixes) + '\n';
  }
  return out + UrlStyleLines(site, current) + std::string(kSiteEnd) + '\n';
}

// Puts the detected block right below the [site] header (appending the
// table when the file has none) and writes the file when it changed.
void WriteSite(const std::filesystem::path& toml_path,
               const DetectedSite& site) {
  Result<std::string> text = ReadFileToString(toml_path);
  ThrowIfError(text.status());
  std::string base = WithoutDetectedBlock(*text);
  Config current;
  Status parsed = ApplyConfigText(base, toml_path.string(), &current);
  if (!parsed.ok()) throw CliError(kExitUsage, parsed.message());
  std::string lines = SiteLines(site, current.site);
  std::string updated;
  size_t header = base.find("\n[site]\n");
  if (base.compare(0, 7, "[site]\n") == 0) header = 0;
  if (header == std::string::npos) {
    updated = base + (base.empty() || base.back() == '\n' ? "" : "\n") +
              "\n[site]\n" + lines;
  } else {
    size_t after = base.find('\n', header + 1) + 1;
    updated = base.substr(0, after) + lines + base.substr(after);
  }
  if (updated == *text) return;
  Status written = WriteFileAtomically(toml_path, updated);
  if (!written.ok()) throw CliError(kExitIoError, written.message());
}

nlohmann::json SiteJson(const DetectedSite& site) {
  return {{"generator", site.generator},
          {"config", site.config_file},
          {"base_url", site.base_url},
          {"content_dirs", site.content_dirs},
          {"build_dirs", site.build_dirs},
          {"permalinks", site.permalinks},
          {"notes", site.notes}};
}

// The site to describe: --site DIR (which must have a config), else the
// site root when it has one.
std::optional<DetectedSite> DetectForInit(const std::string& site_flag,
                                          const std::filesystem::path& root) {
  std::filesystem::path dir =
      site_flag.empty() ? root : std::filesystem::path(site_flag);
  Result<DetectedSite> site = DetectSite(dir);
  if (!site.ok()) {
    bool absent = site.status().code() == ErrorCode::kNotFound;
    if (absent && site_flag.empty()) return std::nullopt;
    throw CliError(kExitUsage, site.status().message());
  }
  return RelativeToSiteRoot(std::move(site).value(), dir, root);
}

void PrintSite(const DetectedSite& site, const SiteConfig& used) {
  std::string dirs;
  for (const std::string& dir : used.content_dirs) {
    dirs += (dirs.empty() ? "" : " ") + dir;
  }
  std::cout << "site: " << site.generator << " ("
            << TerminalSafe(site.config_file) << ") base_url "
            << TerminalSafe(used.base_url.empty() ? "(none)" : used.base_url)
            << ", content " << TerminalSafe(dirs) << '\n';
  for (const auto& [name, rule] : used.permalinks) {
    std::cout << "site: permalink " << TerminalSafe(name) << " = "
              << TerminalSafe(rule.empty() ? "(not published)" : rule) << '\n';
  }
  for (const std::string& note : site.notes) {
    std::cout << "site: note: " << TerminalSafe(note) << '\n';
  }
}

// The [manifest] table's `url = ...` line set to `url` (the table is
// appended when the file has none), so later commands on this store find
// the PostgreSQL manifest without --manifest. Its password is left out.
void WriteManifestUrl(const std::filesystem::path& toml_path,
                      const std::string& url) {
  Result<std::string> text = ReadFileToString(toml_path);
  ThrowIfError(text.status());
  const std::string line = "url = " + TomlString(WithoutPassword(url, ""));
  std::string updated = *text;
  size_t header = updated.find("\n[manifest]\n");
  if (header == std::string::npos) {
    if (!updated.empty() && updated.back() != '\n') updated += '\n';
    updated += "\n[manifest]\n" + line + '\n';
  } else {
    size_t body = header + std::string_view("\n[manifest]\n").size();
    size_t end = updated.find("\n[", body);
    size_t old = updated.find("\nurl = ", body - 1);
    if (old != std::string::npos && (end == std::string::npos || old < end)) {
      size_t eol = updated.find('\n', old + 1);
      std::string_view current(updated.data() + old + 1, eol - old - 1);
      if (current != "url = \"\"") return;  // set by hand: it stays
      updated.replace(old + 1, eol - old - 1, line);
    } else {
      updated.insert(body, line + '\n');
    }
  }
  if (updated == *text) return;
  Status written = WriteFileAtomically(toml_path, updated);
  if (!written.ok()) throw CliError(kExitIoError, written.message());
}

// --manifest, else a [manifest] url in --config (or an existing
// rotguard.toml); empty: the store's own manifest.sqlite3.
std::string ManifestUrlOf(const GlobalOptions& global) {
  if (!global.manifest.empty()) return global.manifest;
  Result<Config> config = LoadConfig(
      std::filesystem::path(global.store) / "rotguard.toml", global.config);
  return config.ok() ? config->manifest.url : std::string();
}

int RunInit(const GlobalOptions& global, const std::string& site_flag) {
  // A --site without a config is refused before anything is created.
  std::optional<DetectedSite> site =
      DetectForInit(site_flag, SiteRootOfStore(global.store));
  Result<bool> created = Store::Init(global.store, ManifestUrlOf(global));
  if (!created.ok()) {
    throw CliError(StoreExitCode(created.status()), created.status().message());
  }
  const std::filesystem::path toml_path =
      std::filesystem::path(global.store) / "rotguard.toml";
  if (site) WriteSite(toml_path, *site);
  // What --manifest (or $ROTGUARD_MANIFEST) gave, unless the file names
  // one already.
  if (!global.manifest.empty()) WriteManifestUrl(toml_path, global.manifest);
  // A store whose settings do not load would fail every later command:
  // say so now, while the user is looking.
  Result<Config> config = LoadConfig(toml_path, global.config);
  if (!config.ok()) {
    throw CliError(StoreExitCode(config.status()), config.status().message());
  }
  if (global.json) {
    nlohmann::json out = {{"store", global.store}, {"created", *created}};
    if (site) out["site"] = SiteJson(*site);
    std::cout << out.dump() << '\n';
    return kExitOk;
  }
  if (*created) {
    std::cout << "initialized store at " << global.store << '\n';
  } else {
    std::cout << "store at " << global.store << " already initialized\n";
  }
  if (site) PrintSite(*site, config->site);
  return kExitOk;
}

}  // namespace

void AddInitCommand(CLI::App& app, const GlobalOptions& global,
                    CommandResult& result) {
  CLI::App* cmd = app.add_subcommand(
      "init", "Create the store (config, manifest, warc/, logs/); idempotent");
  cmd->footer(kInitFooter);
  auto site = std::make_shared<std::string>();
  cmd->add_option("--site", *site,
                  "read this Hugo or Jekyll site's config into [site] "
                  "(default: the site root, when it has one)");
  cmd->callback(
      [&global, &result, site] { result.exit_code = RunInit(global, *site); });
}

}  // namespace rotguard::cli
