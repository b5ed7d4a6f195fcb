// Scanning a site: find the posts under the paths a user names, read them,
// extract their links (extract.h) and drop the links the user excludes
// (SPEC §3 `scan`, §13 "scan text output" and "Ignoring").
//
// Nothing here prints or exits; `rotguard scan` and `rotguard archive` turn
// the results into output and manifest rows.
#ifndef ROTGUARD_SCAN_H_
#define ROTGUARD_SCAN_H_

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "rotguard/extract.h"
#include "rotguard/inputs.h"
#include "rotguard/status.h"
#include "rotguard/url_regex.h"

namespace rotguard {

// One file to scan.
struct ScanInput {
  // The command-line argument joined with the file's path below it
  // ("content/" + "posts/a.md" → "content/posts/a.md"); a named file keeps
  // the argument as written. Output is sorted by this, bytewise.
  std::string display_path;
  // The directory argument the file was found under (its site root, where
  // `.rotguardignore` is read); "" for a file named on the command line.
  std::string root;
  DocumentFormat format = DocumentFormat::kMarkdown;
};

struct WalkResult {
  std::vector<ScanInput> files;  // sorted by display_path, no duplicates
  // Entries left out, by reason: "hidden" (a name starting with '.'),
  // "build-dir" (WalkOptions' build directories, and node_modules/
  // anywhere), "symlink-dir" (directory symlinks are never followed, so a
  // link loop cannot hang the walk), "unknown-extension" (a named file
  // that is not Markdown or HTML), "broken-symlink" (a symlink to nothing),
  // "other" (sockets, devices, ...), "remote-sitemap" (a child of a
  // sitemap index that is not a local file beside it: never fetched).
  // Files with other extensions inside a directory are not counted.
  std::map<std::string, int64_t> skipped;
  // Human-readable notes ("notes.txt: not Markdown or HTML, skipped").
  std::vector<std::string> warnings;
};

// Which generator output directories the walk leaves out. A Hugo site's
// own documentation has a content section content/en/functions/resources/:
// only the site root's resources/ is Hugo's output.
struct WalkOptions {
  // These directories (paths as given, e.g. "site/public"), matched by
  // identity (device and inode) wherever the walk meets them.
  std::vector<std::string> build_dirs;
  // Names skipped directly inside each directory named to WalkInputs
  // (when no site configuration says where the output is).
  std::vector<std::string> build_names_in_named = {"public", "_site",
                                                   "resources"};
};

// The options for a site: its [site] build_dirs (relative to `site_root`)
// skipped there; with `site_known` false (no generator detected) those
// names are also skipped directly inside each named directory.
WalkOptions SiteWalkOptions(const std::filesystem::path& site_root,
                            const std::vector<std::string>& build_dirs,
                            bool site_known);

// Walks files and directories. A named file is taken when its content is
// a feed, sitemap, WXR export or bookmark file (inputs.h) or when
// FormatForPath() knows its extension (else a warning); a named sitemap
// index stands for its children that are local files in or below its
// directory (found by the index's <loc>: a relative one as is, a URL by
// its last path segment). A named directory is searched recursively for
// Markdown and HTML files (an HTML bookmark file among them is read as
// bookmarks), without hidden entries, node_modules/ and the build
// directories of `options`. Fails with IOError "<path>: <strerror>" when a
// named path or a directory below it cannot be read.
Result<WalkResult> WalkInputs(const std::vector<std::string>& paths,
                              const WalkOptions& options = {});

// The name of the per-site ignore file (one glob of URLs per line).
inline constexpr std::string_view kIgnoreFileName = ".rotguardignore";

// Decides which links a scan leaves out: `--exclude` regular expressions
// (RE2 syntax, rotguard/url_regex.h, matched anywhere in the URL as written)
// and the globs of
// `.rotguardignore` files (`*` matches any run of characters, everything
// else is literal, and the glob must match the whole URL as written or its
// normalized form). Blank lines and lines starting with '#' are ignored.
class UrlFilter {
 public:
  // InvalidArgument naming the expression when one does not compile.
  static Result<UrlFilter> Create(const std::vector<std::string>& regexes);

  // Adds the globs of an ignore file; a missing file adds nothing,
  // an unreadable one is an IOError.
  Status AddIgnoreFile(const std::filesystem::path& path);
  void AddGlob(std::string_view glob);

  bool Excludes(const Link& link) const;

 private:
  UrlRegexSet regexes_;
  std::vector<std::string> globs_;
};

struct ScanOptions {
  ExtractOptions extract;
  std::vector<std::string> exclude_regexes;  // --exclude
  bool compute_sha256 = false;               // for manifest updates
  int threads = 2;  // extracting threads, the calling one included
};

struct ScannedDocument {
  ScanInput input;
  // A feed, sitemap, WXR or bookmark file gives one document per entry
  // (inputs.h): `entry` is its id, "" for a post (the whole file).
  InputType type = InputType::kPost;
  std::string entry;
  std::string public_url;  // the entry's own URL, "" for posts
  SpanFidelity fidelity = SpanFidelity::kExact;
  // A structured file without any entry still hands over one document,
  // for its warnings only: not a post, nothing to record.
  bool warnings_only = false;
  std::string sha256;  // hex of the file's bytes, when asked for (every
                       // entry of a file has the file's: any change to
                       // the file moves the spans of all its entries)
  int64_t size = 0;    // bytes read
  // The extractor's result with excluded links removed.
  ExtractedDocument extracted;
  int64_t excluded = 0;  // links dropped by the UrlFilter
};

// Reads (one read per file) and extracts every input on `options.threads`
// threads (the calling one helps), and hands each document to `consume` on
// the calling thread in the order of `inputs` (the entries of one file in
// file order), while later files are
// still being extracted (at most a few hundred ahead, so memory stays
// flat). `consume` may move from the document. Each site root's
// `.rotguardignore` applies to the files found under it; named files use
// the one in the current directory. Stops at the first failure in input
// order and returns it: InvalidArgument for a bad --exclude expression,
// IOError "<path>: <strerror>" for a file that cannot be read, or what
// `consume` returned.
Status ScanInputsInOrder(
    const std::vector<ScanInput>& inputs, const ScanOptions& options,
    const std::function<Status(ScannedDocument&)>& consume);

// All documents at once, in the order of `inputs` (small inputs, tests).
Result<std::vector<ScannedDocument>> ScanInputs(
    const std::vector<ScanInput>& inputs, const ScanOptions& options);

// The manifest key of a document: its path relative to the site root,
// the directory that holds the store (./.rotguard lives in the site's
// repository), so "content/posts/a.md" names the same post whether it was
// found through "content/", "./content" or named directly. Files outside
// the site root keep their absolute path. scan, archive and restore agree
// through this one function.
std::string DocumentKey(const std::string& display_path,
                        const std::filesystem::path& site_root);

// DocumentKey of the document's file, plus "#" and the entry id for an
// entry of a feed, sitemap, WXR or bookmark file ("feed.xml#tag:x,1").
std::string ScannedDocumentKey(const ScannedDocument& doc,
                               const std::filesystem::path& site_root);

}  // namespace rotguard

#endif  // ROTGUARD_SCAN_H_
