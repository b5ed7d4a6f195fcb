// FixPosts and the manifest's MementoSources (rotguard/fix.h): scan each
// post as it is on disk now (the spans fix rewrites are the extractor's,
// `<!-- rotguard-ignore -->` and .rotguardignore already applied), look up
// each link's verdict, plan, and write the changed posts atomically.
#include "rotguard/fix.h"

#include <algorithm>
#include <cctype>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rotguard/health.h"
#include "rotguard/inputs.h"
#include "rotguard/restore.h"
#include "rotguard/scan.h"
#include "rotguard/url.h"
#include "util/file.h"
#include "util/time_format.h"

namespace rotguard {
namespace {

// The 14 digits of a Wayback replay URL ("/web/20190501100000id_/…"),
// else "".
std::string WaybackDatetime(std::string_view url) {
  size_t web = url.find("/web/");
  if (web == std::string_view::npos) return "";
  std::string digits;
  for (size_t i = web + 5;
       i < url.size() && std::isdigit(static_cast<unsigned char>(url[i]));
       ++i) {
    digits += url[i];
  }
  return digits.size() == 14 ? digits : "";
}

// "20200208" from a front-matter date "2020-02-08…"; "" without one.
std::string DateDigits(std::string_view post_date) {
  std::string digits;
  for (char c : post_date.substr(0, std::min<size_t>(post_date.size(), 10))) {
    if (std::isdigit(static_cast<unsigned char>(c))) digits += c;
  }
  return digits.size() == 8 ? digits : "";
}

class ManifestPublicSource final : public MementoSource {
 public:
  explicit ManifestPublicSource(Manifest& manifest) : manifest_(manifest) {}

  std::optional<ArchivedCopy> Best(std::string_view link_url,
                                   std::string_view post_date) override {
    std::string key = NormalizeUrl(link_url).value_or(std::string(link_url));
    Result<std::vector<CaptureRow>> captures = manifest_.CapturesOf(key);
    if (!captures.ok()) return std::nullopt;
    std::string before = DateDigits(post_date);
    before = before.empty() ? "99999999999999" : before + "235959";
    const CaptureRow* best = nullptr;
    std::string best_at;
    for (const CaptureRow& c : *captures) {
      if (c.source != "public-archive" || c.lost || c.http_status < 200 ||
          c.http_status > 299) {
        continue;
      }
      // The memento's own datetime (rescue records it, schema 5), else
      // the Wayback URL's timestamp, else when we fetched it.
      std::string at =
          c.memento_at_us > 0
              ? FormatUtc(c.memento_at_us / 1000000, UtcStyle::kDigits14)
              : WaybackDatetime(c.url);
      if (at.empty())
        at = FormatUtc(c.captured_at_us / 1000000, UtcStyle::kDigits14);
      // The newest copy before the post date, else the oldest after it.
      bool better =
          !best || (at <= before ? (best_at > before || at > best_at)
                                 : (best_at > before && at < best_at));
      if (better) best = &c, best_at = at;
    }
    if (!best) return std::nullopt;
    return ArchivedCopy{
        WithWaybackModifier(best->url, ""), best_at,
        best->archive.empty() ? UrlHost(best->url) : best->archive};
  }

 private:
  Manifest& manifest_;
};

class LocalCopySource final : public MementoSource {
 public:
  LocalCopySource(Manifest& manifest, std::filesystem::path warc_dir,
                  std::filesystem::path local_root, const std::string* prefix)
      : manifest_(manifest),
        warc_dir_(std::move(warc_dir)),
        local_root_(std::move(local_root)),
        prefix_(prefix) {}

  std::optional<ArchivedCopy> Best(std::string_view link_url,
                                   std::string_view) override {
    std::string url(link_url);
    Result<ResolvedCapture> resolved =
        ResolveCapture(manifest_, warc_dir_, url, std::nullopt);
    if (!resolved.ok()) return std::nullopt;
    const CaptureRow& final_capture = resolved->final_capture();
    Result<CapturePayload> head =
        ReadCaptureHead(manifest_, warc_dir_, final_capture);
    if (!head.ok()) return std::nullopt;
    // The name restore gave the capture: its own, or the hash-suffixed
    // one when another URL's name clashed with it in that run.
    for (const std::string& name :
         AssetNameCandidates(final_capture.url, head->content_type)) {
      std::error_code ec;
      if (!std::filesystem::is_regular_file(local_root_ / name, ec)) continue;
      return ArchivedCopy{*prefix_ + name,
                          FormatUtc(final_capture.captured_at_us / 1000000,
                                    UtcStyle::kDigits14),
                          "local"};
    }
    return std::nullopt;
  }

 private:
  Manifest& manifest_;
  std::filesystem::path warc_dir_;
  std::filesystem::path local_root_;
  const std::string* prefix_;  // owned by the caller, set per post
};

// What local copies are written as, seen from the post `display_path`:
// the published URL prefix, else a path relative to the post's directory.
std::string LocalPrefix(const FixOptions& options,
                        const std::string& display_path) {
  if (options.local_root.empty()) return "";
  if (!options.local_url.empty()) {
    std::string prefix = options.local_url;
    if (prefix.back() != '/') prefix += '/';
    return prefix;
  }
  std::filesystem::path dir =
      std::filesystem::absolute(display_path).lexically_normal().parent_path();
  std::filesystem::path rel = std::filesystem::absolute(options.local_root)
                                  .lexically_normal()
                                  .lexically_relative(dir);
  std::string prefix = rel.generic_string();
  if (prefix.empty() || prefix == ".") return "";
  return prefix + "/";
}

// The diff's path: the post as the user named it (relative to the
// current directory, where `git apply` runs), without "./".
std::string DiffPath(const std::string& display_path) {
  std::filesystem::path p(display_path);
  if (p.is_absolute()) {
    p = p.lexically_normal().lexically_relative(
        std::filesystem::current_path());
  }
  std::string path = p.generic_string();
  while (path.starts_with("./")) path.erase(0, 2);
  return path;
}

class Fixer {
 public:
  Fixer(Manifest& manifest, const std::filesystem::path& warc_dir,
        const Config& config, const FixOptions& options)
      : manifest_(manifest), config_(config), options_(options) {
    public_ = NewManifestPublicSource(manifest);
    sources_.public_archive = public_.get();
    if (!options.local_root.empty()) {
      local_ = NewLocalCopySource(manifest, warc_dir, options.local_root,
                                  &local_prefix_);
      sources_.local = local_.get();
    }
  }

  Result<FixSummary> Run() {
    std::vector<std::string> paths;
    for (const auto& p : options_.paths) paths.push_back(p.string());
    Result<WalkResult> walk = WalkInputs(paths);
    if (!walk.ok()) return walk.status();
    ScanOptions scan;
    scan.extract.base_url = config_.site.base_url;
    std::vector<std::string> bytes_of;  // the bytes each plan was made on
    ROTGUARD_RETURN_IF_ERROR(ScanInputsInOrder(
        walk->files, scan, [&](ScannedDocument& doc) -> Status {
          if (doc.type != InputType::kPost) return Refuse(doc);
          ++summary_.files_scanned;
          return PlanDocument(doc);
        }));
    ROTGUARD_RETURN_IF_ERROR(RefuseDirty());
    for (size_t i = 0; i < summary_.files.size(); ++i) {
      ROTGUARD_RETURN_IF_ERROR(Finish(summary_.files[i], after_[i]));
    }
    return std::move(summary_);
  }

 private:
  // Feeds, sitemaps, WXR and bookmark files are left alone: their spans
  // may hold XML-escaped text (inputs.h), and even where they are exact a
  // rewrite would have to keep every entry of the file in step. One line
  // per file, whatever its entries.
  Status Refuse(const ScannedDocument& doc) {
    const std::string& path = doc.input.display_path;
    if (!summary_.refused.empty() &&
        summary_.refused.back().starts_with(path + ":")) {
      return Status::Ok();
    }
    summary_.refused.push_back(
        path + ": a " + std::string(InputTypeName(doc.type)) +
        " file: fix rewrites posts only; its links are left as they are");
    return Status::Ok();
  }

  Status PlanDocument(ScannedDocument& doc) {
    Result<std::string> bytes = ReadFileToString(doc.input.display_path);
    if (!bytes.ok()) return bytes.status();
    std::vector<FixLink> links;
    for (Link& link : doc.extracted.links) {
      FixLink fl{std::move(link), "", ""};
      Result<std::optional<UrlRow>> row = manifest_.FindUrl(fl.link.normalized);
      if (!row.ok()) return row.status();
      if (!*row) continue;
      fl.verdict = (*row)->verdict;
      fl.final_url = (*row)->final_url;
      links.push_back(std::move(fl));
    }
    local_prefix_ = LocalPrefix(options_, doc.input.display_path);
    FixedFile file;
    file.display_path = doc.input.display_path;
    file.fixes = PlanFixes(*bytes, doc.extracted.front_matter.date, links,
                           options_.target, sources_);
    if (file.fixes.empty()) return Status::Ok();
    std::string after = ApplyFixes(*bytes, file.fixes);
    file.changed = after != *bytes;
    if (options_.dry_run) {
      file.diff = UnifiedDiff(DiffPath(file.display_path), *bytes, after);
    }
    after_.push_back(file.changed ? std::move(after) : std::string());
    summary_.files.push_back(std::move(file));
    return Status::Ok();
  }

  // Nothing is written while any changed file has uncommitted changes.
  Status RefuseDirty() {
    if (options_.dry_run || options_.force) return Status::Ok();
    std::string dirty;
    for (const FixedFile& file : summary_.files) {
      if (!file.changed) continue;
      Result<bool> is_dirty = options_.is_dirty
                                  ? options_.is_dirty(file.display_path)
                                  : GitFileIsDirty(file.display_path);
      if (!is_dirty.ok()) return is_dirty.status();
      if (*is_dirty) dirty += (dirty.empty() ? "" : ", ") + file.display_path;
    }
    if (dirty.empty()) return Status::Ok();
    return Status::InvalidArgument(
        dirty +
        ": uncommitted changes in the git work tree; commit them "
        "first, or use --force");
  }

  Status Finish(const FixedFile& file, const std::string& after) {
    for (const PlannedFix& fix : file.fixes) {
      if (fix.action == FixAction::kReplaced) ++summary_.replaced;
      if (fix.action == FixAction::kRobustLink) ++summary_.robust;
      if (fix.action == FixAction::kLeft) ++summary_.left;
    }
    if (options_.dry_run || !file.changed) return Status::Ok();
    return WriteFileAtomically(file.display_path, after, options_.env);
  }

  Manifest& manifest_;
  const Config& config_;
  const FixOptions& options_;
  std::unique_ptr<MementoSource> public_;
  std::unique_ptr<MementoSource> local_;
  FixSources sources_;
  std::string local_prefix_;
  FixSummary summary_;
  std::vector<std::string> after_;  // new bytes, per summary_.files entry
};

}  // namespace

std::unique_ptr<MementoSource> NewManifestPublicSource(Manifest& manifest) {
  return std::make_unique<ManifestPublicSource>(manifest);
}

std::unique_ptr<MementoSource> NewLocalCopySource(
    Manifest& manifest, const std::filesystem::path& warc_dir,
    const std::filesystem::path& local_root, const std::string* prefix) {
  return std::make_unique<LocalCopySource>(manifest, warc_dir, local_root,
                                           prefix);
}

Result<FixSummary> FixPosts(Manifest& manifest,
                            const std::filesystem::path& warc_dir,
                            const Config& config, const FixOptions& options) {
  Fixer fixer(manifest, warc_dir, config, options);
  return fixer.Run();
}

}  // namespace rotguard
