// `rotguard scan PATH...`: the links of posts, no network (SPEC §3, §5,
// §13 "scan text output", "Ignoring"). With --update the documents and
// their links go into the store's manifest.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <array>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/output.h"
#include "cli/store_access.h"
#include "rotguard/config.h"
#include "rotguard/extract.h"
#include "rotguard/inputs.h"
#include "rotguard/manifest.h"
#include "rotguard/permalink.h"
#include "rotguard/rules.h"
#include "rotguard/scan.h"
#include "rotguard/scan_writer.h"
#include "rotguard/store.h"
#include "rotguard/url.h"
#include "util/file.h"
#include "util/terminal_text.h"

namespace rotguard::cli {
namespace {

constexpr const char* kScanDescription =
    "Extract the links of posts (Markdown: .md .markdown .mdx; HTML: .html "
    ".htm), feeds, sitemaps, WordPress exports and bookmark files from "
    "files and directories. No network.";

constexpr const char* kScanFooter =
    "Walking: directories are searched recursively; names starting with '.',\n"
    "node_modules/ and the build directories are skipped unless named on the\n"
    "command line; directory symlinks are not followed. A named file with\n"
    "another extension is skipped with a warning unless its content is one\n"
    "of the inputs below. Build directories: the [site] build_dirs below the\n"
    "site root (what `rotguard init` read from the Hugo or Jekyll config;\n"
    "default public/ _site/ resources/), and, when no site was detected,\n"
    "those names directly inside a named directory; a content section of the\n"
    "same name deeper down is scanned. With no PATH, the [site] content_dirs\n"
    "are scanned.\n"
    "\n"
    "Inputs told by content, not name: RSS 2.0 and Atom feeds (Blogger's\n"
    "export: posts only), XML sitemaps (each <url> a document: loc and\n"
    "image:loc its links, lastmod its date), sitemap indexes (their local\n"
    "children beside the index are read; remote ones are never fetched),\n"
    "WordPress WXR exports (published posts and pages; attachments in one\n"
    "'attachments' entry) and Netscape bookmark files (browser, Pinboard,\n"
    "Pocket: each bookmark a document, ADD_DATE its date). Each entry is a\n"
    "document keyed FILE#ID; LINE:COL and spans are in the file. Only files\n"
    "named on the command line are sniffed, and HTML files in directories.\n"
    "\n"
    "Output (stdout), sorted by PATH bytewise, then by position in the file:\n"
    "  text    PATH:LINE:COL KIND URL\n"
    "          PATH is the argument joined with the file's path below it;\n"
    "          LINE and COL are 1-based (COL in bytes); KIND is link, image,\n"
    "          embed or frontmatter; URL is absolute, as written (not\n"
    "          normalized).\n"
    "  --json  JSON Lines, one object per link with the keys, in this order:\n"
    "          file, line, col, start, end (byte offsets from the file's\n"
    "          first byte, BOM included, end exclusive), kind, written (the\n"
    "          exact bytes at [start, end)), url, normalized (the manifest\n"
    "          key, null when the URL cannot be normalized), title, date\n"
    "          (front matter; null when absent), draft (true, false or null);\n"
    "          entries of feeds, sitemaps, WXR and bookmark files add input\n"
    "          (rss, atom, sitemap, wxr, bookmarks), entry (its id),\n"
    "          public_url and spans ('exact', or 'escaped' when a span holds\n"
    "          XML-escaped text).\n"
    "          Bytes that are not UTF-8 are replaced by U+FFFD.\n"
    "Stderr: extractor warnings as 'rotguard: warning: FILE:LINE:COL: "
    "message'\n"
    "and, unless -q, one summary line: documents, links per kind, skipped\n"
    "URLs and files by scheme or reason, excluded links, warnings.\n"
    "\n"
    "Ignoring: --exclude REGEX (RE2 syntax, repeatable) drops links whose URL\n"
    "matches anywhere. A .rotguardignore file in a directory argument (the\n"
    "current directory's for named files) holds one glob per line ('#'\n"
    "starts a comment); '*' matches any run of characters, everything else\n"
    "is literal, and the glob must match the whole URL as written or its\n"
    "normalized form, e.g. 'https://twitter.com/*'.\n"
    "\n"
    "\n"
    "--update records each document in the store's manifest (key: its path\n"
    "relative to the directory that holds the store, e.g.\n"
    "content/posts/a.md), with its sha256, front matter and links; links of\n"
    "unchanged documents are kept. Reports how many documents were new or\n"
    "changed. Relative links resolve against --base-url, else the store\n"
    "config's [site] base_url.\n"
    "\n"
    "Exit: 0 done (even with warnings); 1 bad flag, --exclude expression or\n"
    "config, or no store for --update; 4 the store is locked by another run\n"
    "(--update); 5 a path is missing or unreadable.\n";

struct ScanFlags {
  std::vector<std::string> paths;
  std::vector<std::string> excludes;
  std::string base_url;
  bool update = false;
};

// Bytes a JSON string cannot copy blindly: controls, '"', '\\', and the
// start of every non-ASCII sequence (checked for valid UTF-8).
constexpr std::array<bool, 256> MakeJsonSpecial() {
  std::array<bool, 256> special{};
  for (size_t c = 0; c < special.size(); ++c) {
    special[c] = c < 0x20 || c == '"' || c == '\\' || c >= 0x80;
  }
  return special;
}
constexpr std::array<bool, 256> kJsonSpecial = MakeJsonSpecial();

// Length of the well-formed UTF-8 sequence (RFC 3629) at the start of `s`,
// 0 when there is none.
size_t ValidUtf8Length(std::string_view s) {
  unsigned char lead = static_cast<unsigned char>(s[0]);
  size_t n = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC2 ? 2 : 0;
  if (n == 0 || lead > 0xF4 || s.size() < n) return 0;
  unsigned char second = static_cast<unsigned char>(s[1]);
  unsigned char low = 0x80, high = 0xBF;  // bounds of the second byte
  if (lead == 0xE0) low = 0xA0;           // no overlong forms
  if (lead == 0xED) high = 0x9F;          // no surrogates
  if (lead == 0xF0) low = 0x90;
  if (lead == 0xF4) high = 0x8F;  // nothing above U+10FFFF
  if (second < low || second > high) return 0;
  for (size_t k = 2; k < n; ++k) {
    if ((static_cast<unsigned char>(s[k]) & 0xC0) != 0x80) return 0;
  }
  return n;
}

void AppendJsonEscape(unsigned char c, std::string* out) {
  switch (c) {
    case '"':
      out->append("\\\"");
      return;
    case '\\':
      out->append("\\\\");
      return;
    case '\b':
      out->append("\\b");
      return;
    case '\f':
      out->append("\\f");
      return;
    case '\n':
      out->append("\\n");
      return;
    case '\r':
      out->append("\\r");
      return;
    case '\t':
      out->append("\\t");
      return;
    default:
      break;
  }
  if (c < 0x20) {
    constexpr std::string_view kHex = "0123456789abcdef";
    out->append("\\u00");
    out->push_back(kHex[c >> 4]);
    out->push_back(kHex[c & 0xF]);
  } else {
    out->append("\xEF\xBF\xBD");  // U+FFFD for a byte that is not UTF-8
  }
}

// A JSON string literal, escaped the way nlohmann::json dumps with
// error_handler_t::replace: '"', '\\' and control characters escaped,
// valid UTF-8 copied, each invalid byte replaced by U+FFFD. Written by
// hand (with the per-document parts escaped once, see JsonDocument)
// because an nlohmann::ordered_json per link made `scan --json` take
// longer than the extraction itself.
void AppendJsonString(std::string_view s, std::string* out) {
  out->push_back('"');
  size_t run = 0;  // start of the bytes not yet copied
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (!kJsonSpecial[c]) {
      ++i;
      continue;
    }
    size_t length = c >= 0x80 ? ValidUtf8Length(s.substr(i)) : 0;
    if (length > 0) {
      i += length;
      continue;
    }
    out->append(s.substr(run, i - run));
    AppendJsonEscape(c, out);
    run = ++i;
  }
  out->append(s.substr(run));
  out->push_back('"');
}

void AppendJsonStringOrNull(std::string_view s, std::string* out) {
  if (s.empty()) {
    out->append("null");
  } else {
    AppendJsonString(s, out);
  }
}

void AppendNumber(int64_t value, std::string* out) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, value);
  out->append(digits, end);
}

// stdout through one large buffer: a scan prints a line per link.
class OutputBuffer {
 public:
  std::string* bytes() { return &buffer_; }
  void FlushIfLarge() {
    if (buffer_.size() >= kFlushAt) Flush();
  }
  void Flush() {
    ThrowIfError(WriteAll(STDOUT_FILENO, buffer_, "stdout"));
    buffer_.clear();
  }

 private:
  static constexpr size_t kFlushAt = 1 << 20;
  std::string buffer_;
};

void PrintTextLine(const ScannedDocument& doc, const Link& link,
                   std::string* out) {
  AppendTerminalSafe(doc.input.display_path, out);
  out->push_back(':');
  AppendNumber(link.line, out);
  out->push_back(':');
  AppendNumber(link.column, out);
  out->push_back(' ');
  out->append(LinkKindName(link.kind)).push_back(' ');
  AppendTerminalSafe(link.url, out);
  out->push_back('\n');
}

// The parts of a JSON line that are the same for every link of a
// document, escaped once.
struct JsonDocument {
  explicit JsonDocument(const ScannedDocument& doc) {
    const FrontMatter& front_matter = doc.extracted.front_matter;
    head = "{\"file\":";
    AppendJsonString(doc.input.display_path, &head);
    tail = ",\"title\":";
    AppendJsonStringOrNull(front_matter.title, &tail);
    tail += ",\"date\":";
    AppendJsonStringOrNull(front_matter.date, &tail);
    tail += ",\"draft\":";
    tail += !front_matter.draft   ? "null"
            : *front_matter.draft ? "true"
                                  : "false";
    if (!doc.entry.empty()) {  // feeds, sitemaps, WXR, bookmarks only
      tail += ",\"input\":\"";
      tail += InputTypeName(doc.type);
      tail += "\",\"entry\":";
      AppendJsonString(doc.entry, &tail);
      tail += ",\"public_url\":";
      AppendJsonStringOrNull(doc.public_url, &tail);
      tail += ",\"spans\":\"";
      tail += doc.fidelity == SpanFidelity::kExact ? "exact" : "escaped";
      tail += '"';
    }
    tail += "}\n";
  }
  std::string head;  // {"file":"…"
  std::string tail;  // ,"title":…,"date":…,"draft":…}\n
};

// Appends `s` escaped; when it equals `previous`, whose escaped form is
// already in `out` at [begin, end), copies those bytes instead.
void AppendJsonStringLike(std::string_view s, std::string_view previous,
                          size_t begin, size_t end, std::string* out) {
  if (s != previous) {
    AppendJsonString(s, out);
    return;
  }
  out->reserve(out->size() + (end - begin));  // no reallocation below
  out->append(out->data() + begin, end - begin);
}

void PrintJsonLine(const JsonDocument& parts, const Link& link,
                   std::string* out) {
  out->append(parts.head);
  out->append(",\"line\":");
  AppendNumber(link.line, out);
  out->append(",\"col\":");
  AppendNumber(link.column, out);
  out->append(",\"start\":");
  AppendNumber(static_cast<int64_t>(link.start), out);
  out->append(",\"end\":");
  AppendNumber(static_cast<int64_t>(link.end), out);
  out->append(",\"kind\":\"");
  out->append(LinkKindName(link.kind));
  out->append("\",\"written\":");
  size_t written_begin = out->size();
  AppendJsonString(link.written, out);
  size_t written_end = out->size();
  out->append(",\"url\":");
  // `url` and `normalized` usually repeat `written` byte for byte.
  size_t url_begin = out->size();
  AppendJsonStringLike(link.url, link.written, written_begin, written_end, out);
  size_t url_end = out->size();
  out->append(",\"normalized\":");
  if (link.normalized.empty()) {
    out->append("null");
  } else {
    AppendJsonStringLike(link.normalized, link.url, url_begin, url_end, out);
  }
  out->append(parts.tail);
}

// What the summary line reports.
struct ScanTotals {
  int64_t documents = 0;
  std::map<LinkKind, int64_t> links;
  std::map<std::string, int64_t> skipped;
  int64_t excluded = 0;
  int64_t warnings = 0;
};

std::string JoinCounts(const std::map<std::string, int64_t>& counts) {
  std::string out;
  for (const auto& [name, count] : counts) {
    if (!out.empty()) out += ", ";
    out += name + " " + std::to_string(count);
  }
  return out;
}

std::string SummaryLine(const ScanTotals& totals) {
  int64_t link_count = 0;
  std::map<std::string, int64_t> by_kind;
  for (const auto& [kind, count] : totals.links) {
    link_count += count;
    by_kind[std::string(LinkKindName(kind))] = count;
  }
  int64_t skipped_count = 0;
  for (const auto& [reason, count] : totals.skipped) skipped_count += count;
  std::string line = "scanned " + std::to_string(totals.documents) +
                     (totals.documents == 1 ? " document, " : " documents, ") +
                     std::to_string(link_count) +
                     (link_count == 1 ? " link" : " links");
  if (link_count > 0) line += " (" + JoinCounts(by_kind) + ")";
  line += "; skipped " + std::to_string(skipped_count);
  if (skipped_count > 0) line += " (" + JoinCounts(totals.skipped) + ")";
  line += "; excluded " + std::to_string(totals.excluded);
  line += "; warnings " + std::to_string(totals.warnings);
  return line;
}

void PrintWarnings(const ScannedDocument& doc) {
  for (const ExtractWarning& warning : doc.extracted.warnings) {
    PrintWarning(doc.input.display_path + ":" + std::to_string(warning.line) +
                 ":" + std::to_string(warning.column) + ": " + warning.message);
  }
}

// Prints the links of one document (and its warnings, on stderr) and
// adds it to the totals.
void PrintDocument(const ScannedDocument& doc, bool json, OutputBuffer* out,
                   ScanTotals* totals) {
  PrintWarnings(doc);
  if (doc.warnings_only) {
    totals->warnings += static_cast<int64_t>(doc.extracted.warnings.size());
    return;
  }
  ++totals->documents;
  totals->excluded += doc.excluded;
  totals->warnings += static_cast<int64_t>(doc.extracted.warnings.size());
  for (const auto& [scheme, count] : doc.extracted.skipped) {
    totals->skipped[scheme] += count;
  }
  std::optional<JsonDocument> parts;
  if (json) parts.emplace(doc);
  for (const Link& link : doc.extracted.links) {
    ++totals->links[link.kind];
    if (json) {
      PrintJsonLine(*parts, link, out->bytes());
    } else {
      PrintTextLine(doc, link, out->bytes());
    }
  }
  out->FlushIfLarge();
}

// Moves the links' strings into rows: the document is printed already.
std::vector<LinkRow> TakeLinkRows(std::vector<Link>* links) {
  std::vector<LinkRow> rows;
  rows.reserve(links->size());
  for (Link& link : *links) {
    rows.push_back({std::string(LinkKindName(link.kind)),
                    std::move(link.written), std::move(link.url),
                    std::move(link.normalized), link.line, link.column,
                    static_cast<int64_t>(link.start),
                    static_cast<int64_t>(link.end)});
  }
  return rows;
}

// Collects scanned documents for the manifest and hands them to one
// ScanWriter in batches (memory stays flat), so the whole update
// is one transaction: all of it or, if the run fails or is killed, none.
// The writer replaces the links of new or changed documents and only
// touches the others.
class ManifestRecorder {
 public:
  ManifestRecorder(Store& store, Config config)
      : store_(store),
        config_(std::move(config)),
        site_root_(SiteRootOfStore(store.root())),
        now_(static_cast<int64_t>(std::time(nullptr))) {}

  // Takes the document's links (their strings are moved).
  void Add(ScannedDocument& doc) {
    if (doc.warnings_only) return;
    const FrontMatter& front_matter = doc.extracted.front_matter;
    DocumentScan scan;
    std::string public_url = doc.public_url;
    if (public_url.empty() && doc.type == InputType::kPost &&
        !config_.site.base_url.empty()) {
      public_url = PostResourceUri(
          config_, DocumentKey(doc.input.display_path, site_root_),
          PostFactsOf(front_matter));
    }
    scan.document = {ScannedDocumentKey(doc, site_root_),
                     doc.sha256,
                     front_matter.title,
                     front_matter.date,
                     front_matter.draft,
                     now_,
                     public_url};
    scan.links = TakeLinkRows(&doc.extracted.links);
    pending_.push_back(std::move(scan));
    if (pending_.size() >= kBatch) Flush();
  }

  // Commits everything added; returns how many documents were new or
  // changed.
  int64_t Commit() {
    Flush();
    Result<std::vector<std::string>> changed = Writer().Commit();
    ThrowIfError(changed.status());
    return static_cast<int64_t>(changed->size());
  }

 private:
  static constexpr size_t kBatch = 500;

  ScanWriter& Writer() {
    if (!writer_) {
      Result<std::unique_ptr<ScanWriter>> writer =
          store_.manifest().BeginScans();
      ThrowIfError(writer.status());
      writer_ = std::move(writer).value();
    }
    return *writer_;
  }

  void Flush() {
    if (pending_.empty()) return;
    ThrowIfError(Writer().Add(pending_));
    pending_.clear();
  }

  Store& store_;
  Config config_;  // the store's, with --base-url applied
  std::filesystem::path site_root_;
  int64_t now_;
  std::vector<DocumentScan> pending_;
  std::unique_ptr<ScanWriter> writer_;  // rolls back unless committed
};

// The settings of the scan: the store's (when open), else the store's
// configuration file if there is one, with --base-url on top.
Config ScanConfig(const ScanFlags& flags, const GlobalOptions& global,
                  const Store* store) {
  Config config;
  if (store != nullptr) {
    config = store->config();
  } else {
    std::filesystem::path store_config =
        std::filesystem::path(global.store) / "rotguard.toml";
    Result<Config> loaded = LoadConfig(store_config, global.config);
    ThrowIfError(loaded.status());
    config = std::move(loaded).value();
  }
  if (!flags.base_url.empty()) config.site.base_url = flags.base_url;
  return config;
}

int RunScan(const ScanFlags& flags, const GlobalOptions& global) {
  if (!flags.base_url.empty() && !NormalizeUrl(flags.base_url)) {
    throw CliError(kExitUsage, "--base-url '" + flags.base_url +
                                   "': not an absolute http(s) URL");
  }
  // --update takes the exclusive lock before anything else, so a conflict
  // exits 4 at once (and 4 wins over other codes).
  std::unique_ptr<Store> store;
  if (flags.update) store = OpenStoreOrThrow(global, LockMode::kExclusive);
  Config config = ScanConfig(flags, global, store.get());
  std::filesystem::path site_root = SiteRootOfStore(global.store);
  std::vector<std::string> paths = flags.paths;
  if (paths.empty()) paths = DefaultContentPaths(config.site, site_root);

  Result<WalkResult> walk =
      WalkInputs(paths, SiteWalkOptions(site_root, config.site.build_dirs,
                                        !config.site.generator.empty()));
  if (!walk.ok()) throw CliError(kExitIoError, walk.status().message());
  for (const std::string& warning : walk->warnings) PrintWarning(warning);

  ScanOptions options;
  options.extract.base_url = config.site.base_url;
  options.exclude_regexes = flags.excludes;
  options.compute_sha256 = flags.update;

  ScanTotals totals;
  totals.skipped = walk->skipped;
  totals.warnings = static_cast<int64_t>(walk->warnings.size());
  std::optional<ManifestRecorder> recorder;
  if (store) recorder.emplace(*store, config);
  OutputBuffer out;
  // Documents arrive in path order while later files are still extracted.
  Status status =
      ScanInputsInOrder(walk->files, options, [&](ScannedDocument& doc) {
        PrintDocument(doc, global.json, &out, &totals);
        if (recorder) recorder->Add(doc);
        return Status::Ok();
      });
  out.Flush();
  if (!status.ok()) {
    bool bad_flag = status.code() == ErrorCode::kInvalidArgument;
    throw CliError(bad_flag ? kExitUsage : kExitIoError, status.message());
  }
  int64_t changed = recorder ? recorder->Commit() : 0;
  if (global.verbosity >= 0) {
    std::cerr << "rotguard: " << SummaryLine(totals) << '\n';
    if (recorder) {
      std::cerr << "rotguard: manifest updated: " << changed << " of "
                << totals.documents << " documents new or changed\n";
    }
  }
  return kExitOk;
}

}  // namespace

void AddScanCommand(CLI::App& app, const GlobalOptions& global,
                    CommandResult& result) {
  auto flags = std::make_shared<ScanFlags>();
  CLI::App* command = app.add_subcommand("scan", kScanDescription);
  command->footer(kScanFooter);
  command->add_option("PATH", flags->paths,
                      "files and directories to scan (default: the store's "
                      "[site] content_dirs)");
  command
      ->add_option("--exclude", flags->excludes,
                   "drop links whose URL matches this RE2 regular "
                   "expression (repeatable)")
      ->allow_extra_args(false);
  command->add_option("--base-url", flags->base_url,
                      "resolve relative links against this URL (else they "
                      "are internal and skipped)");
  command->add_flag("--update", flags->update,
                    "record documents and links in the store's manifest "
                    "(takes the store's exclusive lock)");
  command->callback([flags, &global, &result] {
    result.exit_code = RunScan(*flags, global);
  });
}

}  // namespace rotguard::cli
