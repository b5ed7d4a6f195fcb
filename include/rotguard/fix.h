// `rotguard fix` (SPEC §8, issue #15 item 3): rewrites the links of post
// sources whose URL moved (to the final URL) or is gone (to an archived
// copy: a public memento or the own restored copy), changing only the
// bytes of those links' spans, plus Robust Links attributes inside an
// HTML <a> tag.
//
// The planner (PlanFixes) is a pure function of a post's bytes, its links
// with their health, and MementoSources; the rewriter (ApplyFixes) applies
// a plan; FixPosts runs both over files with the manifest behind the
// sources, checks git, and writes atomically.
#ifndef ROTGUARD_FIX_H_
#define ROTGUARD_FIX_H_

#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rotguard/config.h"
#include "rotguard/env.h"
#include "rotguard/extract.h"
#include "rotguard/manifest.h"
#include "rotguard/status.h"

namespace rotguard {

// An archived copy of a link's target.
struct ArchivedCopy {
  std::string url;         // where a reader gets it (public or local)
  std::string datetime14;  // YYYYMMDDhhmmss of the copy, "" when unknown
  std::string archive;     // "web.archive.org", "local", ...
};

// Where archived copies come from. `post_date` is the post's front-matter
// date as written ("" when it has none); a source picks the copy nearest
// it.
class MementoSource {
 public:
  virtual ~MementoSource() = default;
  virtual std::optional<ArchivedCopy> Best(std::string_view link_url,
                                           std::string_view post_date) = 0;
};

// --to: what a gone link becomes (moved links get the final URL in every
// mode).
enum class FixTarget {
  kAuto,     // <a>: Robust Links attributes, href kept; elsewhere the public
             // memento, else the local copy, else left as it is
  kArchive,  // the public memento (an <a> also gets the attributes)
  kLocal,    // the local restored copy (an <a> also gets the attributes)
  kFinal,    // only moved links are rewritten
};

// "auto", "archive", "local", "final"; nullopt for anything else.
std::optional<FixTarget> ParseFixTarget(std::string_view text);

// A link of a post with the health the manifest knows of its URL.
struct FixLink {
  Link link;
  std::string verdict;    // urls.verdict; "" when unknown
  std::string final_url;  // urls.final_url; "" when unknown
};

struct FixSources {
  MementoSource* public_archive = nullptr;  // null: none
  MementoSource* local = nullptr;           // null: no restored copy given
};

// One replacement of the byte span [start, end) of the post.
struct FixEdit {
  size_t start = 0;
  size_t end = 0;
  std::string text;
};

enum class FixAction {
  kReplaced,    // the URL itself was replaced by `new_url`
  kRobustLink,  // Robust Links attributes added (href may be kept)
  kLeft,        // needs fixing but no copy is known: left, `why` says so
};

struct PlannedFix {
  FixAction action = FixAction::kLeft;
  Link link;            // as scanned: span, line, column, URL
  std::string verdict;  // moved, gone, soft-404
  std::string new_url;  // what the link points to now (href or versionurl)
  std::string why;      // for kLeft
  std::optional<FixEdit> edit;  // none for kLeft
};

// Decides the fix of every link of one post. Only `moved`, `gone` and
// `soft-404` links are planned; shortcode spans (the whole `{{< … >}}`),
// links inside an <a> that already carries Robust Links attributes, and
// moved links without a final URL are skipped. `post_date` is the
// front-matter date (its first 10 characters when they are YYYY-MM-DD are
// the data-versiondate; else the memento's date).
std::vector<PlannedFix> PlanFixes(std::string_view bytes,
                                  std::string_view post_date,
                                  const std::vector<FixLink>& links,
                                  FixTarget target, const FixSources& sources);

// The post with the plan's edits applied; every other byte unchanged.
std::string ApplyFixes(std::string_view bytes,
                       const std::vector<PlannedFix>& plan);

// A unified diff (3 lines of context) turning `before` into `after`,
// as `--- a/PATH` / `+++ b/PATH`, which `git apply` (-p1) accepts; ""
// when they are equal.
std::string UnifiedDiff(std::string_view path, std::string_view before,
                        std::string_view after);

// The Wayback replay URL `url` with its modifier set to `modifier`
// ("" for the page with the archive's banner, "im_" for a raw image,
// "id_" for raw bytes), when `url` has the form
// "<scheme>://<host>/web/<digits>[modifier]/<original>"; else `url`.
std::string WithWaybackModifier(std::string_view url,
                                std::string_view modifier);

// The manifest's public-archive copies (captures with source
// 'public-archive', written by `rotguard rescue`): the good one (2xx, not
// lost) nearest the post date, preferring the newest before it.
std::unique_ptr<MementoSource> NewManifestPublicSource(Manifest& manifest);

// The own copies as `restore --out local_root` wrote them: the file of the
// link's latest capture (redirects followed) when it exists under
// `local_root`, pointed at as `prefix` + its path below local_root.
std::unique_ptr<MementoSource> NewLocalCopySource(
    Manifest& manifest, const std::filesystem::path& warc_dir,
    const std::filesystem::path& local_root, const std::string* prefix);

struct FixOptions {
  std::vector<std::filesystem::path> paths;  // posts or directories
  FixTarget target = FixTarget::kAuto;
  bool dry_run = false;
  bool force = false;  // write files with uncommitted changes too
  // The directory `restore --out` wrote (for local copies); empty: none.
  std::filesystem::path local_root;
  // The URL where local_root is published ("/archive/",
  // "https://blog.example/archive/"); empty: a path relative to each post.
  std::string local_url;
  // True when the file has uncommitted changes (git); the default runs
  // `git status --porcelain`.
  std::function<Result<bool>(const std::filesystem::path&)> is_dirty;
  Env* env = Env::Default();
};

struct FixedFile {
  std::string display_path;
  std::vector<PlannedFix> fixes;  // every planned link, left ones included
  std::string diff;               // with dry_run
  bool changed = false;
};

struct FixSummary {
  std::vector<FixedFile> files;  // files with at least one planned link
  int files_scanned = 0;
  // Inputs fix does not rewrite, one line each: feeds, sitemaps, WXR and
  // bookmark files ("FILE: an atom file: ...").
  std::vector<std::string> refused;
  int replaced = 0;
  int robust = 0;
  int left = 0;
};

// Plans and applies fixes to every post under `options.paths`. Before
// writing anything, a file with uncommitted changes in a git work tree
// fails the run (InvalidArgument naming the files) unless `force` or
// `dry_run`. Writes each changed file atomically through the Env.
Result<FixSummary> FixPosts(Manifest& manifest,
                            const std::filesystem::path& warc_dir,
                            const Config& config, const FixOptions& options);

// `git status --porcelain -- FILE` run in FILE's directory (no shell):
// true when it prints anything. A file outside any work tree is clean;
// when git fails or cannot be run while FILE sits in what looks like a
// work tree (a ".git" in its directory or above), InvalidArgument naming
// FILE. `git` is the program (tests pass a missing one).
Result<bool> GitFileIsDirty(const std::filesystem::path& file,
                            const std::string& git = "git");

}  // namespace rotguard

#endif  // ROTGUARD_FIX_H_
