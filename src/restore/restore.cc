// `restore`: offline copies of posts and the pages they cite (SPEC §8,
// §13 "restore layout"). Each file goes to one output sink (a directory,
// or a tar or zip written by libarchive; output_sink.h) as soon as it is
// final, so the three formats hold exactly the same files and memory does
// not grow with the size of what is restored: only HTML pages wait, until
// every page of the run is known and they can link to each other.
//
// Phase 1 materializes every archived link of every post (redirect chains
// collapsed to the final capture); phase 2 rewrites the HTML pages among
// them (html_rewrite.h), pulling in their requisites, so a page can link
// to any other page restored in the same run. Markdown posts are rendered
// by markdown_render.h; index_page.h lists every post at the end.
#include "rotguard/restore.h"

#include <cstdint>
#include <deque>
#include <future>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "restore/capture_payload.h"
#include "restore/html_rewrite.h"
#include "restore/index_page.h"
#include "restore/markdown_render.h"
#include "restore/output_sink.h"
#include "rotguard/copy_choice.h"
#include "rotguard/extract.h"
#include "rotguard/rules.h"
#include "rotguard/scan.h"
#include "rotguard/url.h"
#include "util/ascii.h"
#include "util/file.h"

namespace rotguard {
namespace {

using restore::Edit;
using restore::LinkReport;
using restore::PostReport;

constexpr int kMaxCssDepth = 3;

// A path from the user's site, made relative and without "..": nullopt
// when it would leave the directory.
std::optional<std::string> CleanRelative(const std::filesystem::path& p) {
  std::filesystem::path normal = p.lexically_normal();
  if (normal.empty() || normal.is_absolute()) return std::nullopt;
  std::string out;
  for (const auto& part : normal) {
    std::string s = part.string();
    if (s == ".." || s.empty()) return std::nullopt;
    if (s == ".") continue;
    if (!out.empty()) out += '/';
    out += s;
  }
  if (out.empty()) return std::nullopt;
  return out;
}

std::string PostOutputName(const std::string& key) {
  std::optional<std::string> clean = CleanRelative(key);
  if (clean) return "posts/" + *clean;
  std::string flat;
  for (char c : key) flat.push_back(c == '/' || c == '\\' ? '_' : c);
  return "posts/_outside/" + flat;
}

// Where a post's site image may be: a root path ("/img/a.png") under the
// site's static dirs or root, a relative one next to the post first.
std::vector<std::filesystem::path> SiteFileCandidates(
    const std::string& ref, const std::filesystem::path& root,
    const std::string& display_path) {
  if (ref.front() == '/') {
    std::string rel = ref.substr(1);
    return {root / "static" / rel, root / "assets" / rel, root / "public" / rel,
            root / rel};
  }
  std::filesystem::path dir =
      std::filesystem::absolute(display_path).parent_path();
  return {dir / ref, root / "static" / ref, root / ref};
}

// Pages and stylesheets bigger than this (decoded) are not parsed: the
// archive's own limit for finding requisites (archive/pipeline.cc).
constexpr uint64_t kMaxParsedBytes = uint64_t{8} << 20;

// A capture about to be restored: its head, decoded size, and the decoded
// bytes in `head.bytes` when `in_memory`.
struct SizedPayload {
  CapturePayload head;
  uint64_t size = 0;
  bool in_memory = false;
};

// A page waiting for phase 2, with its bytes when `in_memory`
// (RestoreOptions::max_pending_page_bytes), else read again then.
struct PendingPage {
  std::string name;
  CaptureRow capture;
  std::string content_type;
  std::string bytes;
  bool in_memory = false;
  bool dom_snapshot = false;  // the browser's DOM: scripts are dropped
};

// A page of phase 2 as the scanning thread hands it back: its bytes (read
// again from `record` when they did not wait in memory) and its links.
struct ScannedPage {
  PendingPage page;
  CaptureRow record;  // PayloadRecordOf() the page, to read it again
  Status read;        // finding or reading it; not ok: the page is skipped
  ExtractedDocument doc;
};

// Phase 2 takes this much of the pending pages at a time for the scanning
// thread (bytes counted as they wait, a page read again counted at
// kRereadCost), so the pages held besides the waiting ones stay bounded.
constexpr size_t kBatchPages = 32;
constexpr uint64_t kBatchBytes = uint64_t{2} << 20;
constexpr uint64_t kRereadCost = uint64_t{512} << 10;

// The edits of one post: of its source copy, and of the Markdown that
// gets rendered.
struct PostEdits {
  std::vector<Edit> source;
  std::vector<Edit> render;
};

class Restorer {
 public:
  Restorer(Manifest& manifest, const std::filesystem::path& warc_dir,
           const Config& config, const RestoreOptions& options)
      : manifest_(manifest),
        warc_dir_(warc_dir),
        config_(config),
        options_(options) {}

  Result<RestoreSummary> Run() {
    Result<WalkResult> walk =
        WalkInputs(PathStrings(),
                   SiteWalkOptions(options_.site_root, config_.site.build_dirs,
                                   !config_.site.generator.empty()));
    if (!walk.ok()) return walk.status();
    Result<std::unique_ptr<restore::OutputSink>> sink =
        restore::OpenSink(options_.format, options_.out, options_.env);
    if (!sink.ok()) return sink.status();
    sink_ = std::move(sink).value();
    site_root_ = options_.site_root;
    int total = static_cast<int>(walk->files.size());
    int done = 0;
    for (const ScanInput& input : walk->files) {
      ROTGUARD_RETURN_IF_ERROR(RestorePost(input));
      ROTGUARD_RETURN_IF_ERROR(output_status_);
      if (options_.on_progress) options_.on_progress(++done, total);
    }
    RewritePendingPages();
    Put("index.html", restore::IndexHtml(posts_));
    ROTGUARD_RETURN_IF_ERROR(output_status_);
    ROTGUARD_RETURN_IF_ERROR(sink_->Finish());
    return summary_;
  }

 private:
  std::vector<std::string> PathStrings() const {
    std::vector<std::string> out;
    for (const auto& p : options_.paths) out.push_back(p.string());
    return out;
  }

  // The bytes of the newest resource record at `lookup` holding the
  // document's version; nullopt when there is none.
  Result<std::optional<std::string>> ArchivedPost(const std::string& lookup,
                                                  const DocumentRow& doc) {
    Result<std::vector<CaptureRow>> captures = manifest_.CapturesOf(lookup);
    if (!captures.ok()) return captures.status();
    for (auto it = captures->rbegin(); it != captures->rend(); ++it) {
      if (it->lost || it->payload_sha256 != doc.sha256) continue;
      Result<CapturePayload> payload =
          ReadCapturePayload(manifest_, warc_dir_, *it, false);
      if (payload.ok())
        return std::optional<std::string>(std::move(payload->bytes));
    }
    return std::optional<std::string>();
  }

  // The archived bytes of the post version the manifest's spans refer to.
  Result<std::string> PostBytes(const std::string& key,
                                const std::string& display_path,
                                const DocumentRow& doc) {
    // The URI archive wrote the post under (the manifest keeps it since
    // v6), else what the permalink rules give from the path alone, then
    // the path-only guess of stores made before sites were detected.
    std::vector<std::string> uris;
    if (!doc.public_url.empty()) uris.push_back(doc.public_url);
    uris.push_back(PostResourceUri(config_, key));
    Config legacy;
    legacy.site.base_url = config_.site.base_url;
    uris.push_back(PostResourceUri(legacy, key));
    std::set<std::string> tried;
    for (const std::string& uri : uris) {
      std::string lookup = NormalizeUrl(uri).value_or(uri);
      if (!tried.insert(lookup).second) continue;
      Result<std::optional<std::string>> bytes = ArchivedPost(lookup, doc);
      if (!bytes.ok()) return bytes.status();
      if (*bytes) return std::move(**bytes);
    }
    Result<std::string> disk = ReadFileToString(display_path);
    if (!disk.ok()) return disk.status();
    summary_.notes.push_back(display_path +
                             ": no archived resource record of this version; "
                             "read from disk");
    return disk;
  }

  Status RestorePost(const ScanInput& input) {
    std::string key = DocumentKey(input.display_path, site_root_);
    Result<std::optional<DocumentRow>> doc = manifest_.FindDocument(key);
    if (!doc.ok()) return doc.status();
    if (!*doc) return RestoreEntries(input, key);
    Result<std::string> bytes = PostBytes(key, input.display_path, **doc);
    if (!bytes.ok()) return bytes.status();
    Result<std::vector<LinkRow>> links = manifest_.LinksOf(key);
    if (!links.ok()) return links.status();

    PostReport report;
    report.key = key;
    report.title = (*doc)->title.empty() ? key : (*doc)->title;
    report.date = (*doc)->date;
    report.source_name = PostOutputName(key);
    bool markdown = input.format != DocumentFormat::kHtml;
    PostEdits edits;
    for (const LinkRow& link : *links) {
      report.links.push_back(
          EditLink(link, *bytes, report.source_name, markdown, &edits));
    }
    WritePost(report, *bytes, markdown, std::move(edits), input.display_path);
    posts_.push_back(std::move(report));
    ++summary_.posts;
    return Status::Ok();
  }

  // The documents FILE#ID of a feed, sitemap, WXR or bookmark file
  // (ScannedDocumentKey), in key order; empty for any other file.
  Result<std::vector<DocumentRow>> EntriesOf(const std::string& key) {
    if (!all_documents_) {
      Result<std::vector<DocumentRow>> all = manifest_.ListDocuments();
      if (!all.ok()) return all.status();
      all_documents_ = std::move(all).value();
    }
    std::vector<DocumentRow> entries;
    const std::string prefix = key + "#";
    for (const DocumentRow& row : *all_documents_) {
      if (row.path.compare(0, prefix.size(), prefix) == 0) {
        entries.push_back(row);
      }
    }
    return entries;
  }

  // A file whose entries are the documents: its copy gets every entry's
  // links pointed at local files, and each entry a page of its own and a
  // section in the index.
  Status RestoreEntries(const ScanInput& input, const std::string& key) {
    Result<std::vector<DocumentRow>> entries = EntriesOf(key);
    if (!entries.ok()) return entries.status();
    if (entries->empty()) {
      summary_.notes.push_back(input.display_path +
                               ": not scanned into the store; skipped");
      return Status::Ok();
    }
    // Every entry carries the file's digest; the file's resource record is
    // named by its path, never by an entry's own URL.
    DocumentRow file = entries->front();
    file.public_url.clear();
    Result<std::string> bytes = PostBytes(key, input.display_path, file);
    if (!bytes.ok()) return bytes.status();
    const std::string source_name = PostOutputName(key);
    std::vector<Edit> file_edits;
    int number = 0;
    for (const DocumentRow& entry : *entries) {
      ROTGUARD_RETURN_IF_ERROR(
          RestoreEntry(entry, *bytes, source_name, ++number, &file_edits));
    }
    Put(source_name, restore::ApplyEdits(*bytes, std::move(file_edits)));
    return Status::Ok();
  }

  Status RestoreEntry(const DocumentRow& entry, const std::string& bytes,
                      const std::string& source_name, int number,
                      std::vector<Edit>* file_edits) {
    Result<std::vector<LinkRow>> links = manifest_.LinksOf(entry.path);
    if (!links.ok()) return links.status();
    PostReport report;
    report.key = entry.path;
    report.title = entry.title.empty() ? entry.path : entry.title;
    report.date = entry.date;
    report.source_name = source_name;
    report.page_name =
        source_name + ".entry-" + std::to_string(number) + ".html";
    PostEdits edits;
    for (const LinkRow& link : *links) {
      report.links.push_back(EditLink(link, bytes, source_name, false, &edits));
    }
    // A span inside entity-escaped HTML holds escaped text: only a local
    // name without XML markup characters may replace it as it is.
    for (Edit& edit : edits.source) {
      if (edit.text.find_first_of("&<>\"'") == std::string::npos) {
        file_edits->push_back(std::move(edit));
      }
    }
    Put(report.page_name,
        restore::WithCspMeta(
            restore::WithPostHeader(EntryPage(report, entry.public_url),
                                    restore::PostHeader(report)),
            ""));
    posts_.push_back(std::move(report));
    ++summary_.posts;
    return Status::Ok();
  }

  // An entry's page: where it was published and its links, each to its
  // local copy when there is one.
  static std::string EntryPage(const PostReport& report,
                               const std::string& public_url) {
    std::string html =
        "<!doctype html>\n<html><head><meta charset=\"utf-8\">"
        "<title>" +
        HtmlEscape(report.title) + "</title></head><body>\n";
    if (!public_url.empty()) {
      html += "<p>Published at " + HtmlEscape(public_url) + "</p>\n";
    }
    html += "<ul>\n";
    for (const LinkReport& link : report.links) {
      html += "<li>";
      if (link.local.empty()) {
        html += HtmlEscape(link.url) + " (not captured)";
      } else {
        html += "<a href=\"" +
                HtmlEscape(RelativePath(report.page_name, link.local)) + "\">" +
                HtmlEscape(link.url) + "</a>";
      }
      html += "</li>\n";
    }
    return html + "</ul>\n</body></html>\n";
  }

  // Materializes one link of a post and adds its edits: in the source
  // copy, its span points at the local file; in the Markdown that gets
  // rendered, a bare URL also becomes a link (local or not).
  LinkReport EditLink(const LinkRow& link, const std::string& bytes,
                      const std::string& source_name, bool markdown,
                      PostEdits* edits) {
    LinkReport lr{link.url, link.kind, "", 0, "", "", ""};
    std::optional<std::string> local = Materialize(link.url, 0, &lr);
    bool span_ok = link.end >= link.start &&
                   static_cast<size_t>(link.end) <= bytes.size() &&
                   bytes.compare(static_cast<size_t>(link.start),
                                 static_cast<size_t>(link.end - link.start),
                                 link.written) == 0;
    Edit edit{static_cast<size_t>(link.start), static_cast<size_t>(link.end),
              ""};
    if (local && span_ok) {
      edit.text = RelativePath(source_name, *local);
      edits->source.push_back(edit);
    } else if (local) {
      lr.why = "span does not match the post";
    }
    if (markdown && span_ok && link.kind != "frontmatter" &&
        restore::IsBareMarkdownUrl(bytes, edit.start)) {
      std::string href =
          local ? RelativePath(source_name + ".html", *local) : link.url;
      edit.text = restore::BareUrlLink(href, link.written);
      edits->render.push_back(edit);
    } else if (!edit.text.empty()) {
      edits->render.push_back(edit);
    }
    if (!local) ++summary_.not_captured;
    return lr;
  }

  // Puts the post's source copy and its rendered page.
  void WritePost(const PostReport& report, const std::string& bytes,
                 bool markdown, PostEdits edits,
                 const std::string& display_path) {
    std::string html_name = report.source_name + ".html";
    std::string rewritten = restore::ApplyEdits(bytes, std::move(edits.source));
    std::string rendered =
        markdown ? restore::RenderPostPage(
                       report.title,
                       restore::ApplyEdits(bytes, std::move(edits.render)))
                 : rewritten;
    rendered = restore::WithPostHeader(
        OfflineRenderedPost(rendered, html_name, display_path),
        restore::PostHeader(report));
    Put(report.source_name, rewritten);
    Put(html_name, restore::WithCspMeta(std::move(rendered), ""));
  }

  // The rendered post: local files for the site's own relative images,
  // never-captured subresources removed.
  std::string OfflineRenderedPost(const std::string& html,
                                  const std::string& html_name,
                                  const std::string& display_path) {
    return restore::RewriteRenderedPost(
        html, html_name,
        [&](const std::string& name) { return written_.count(name) > 0; },
        [&](const std::string& written) {
          return CopySiteFile(written, display_path);
        });
  }

  // Copies an image the post names by a relative or root path from the
  // site tree (page bundle, static/, assets/, the root) to site/<path>.
  std::optional<std::string> CopySiteFile(const std::string& written,
                                          const std::string& display_path) {
    std::string ref = written.substr(0, written.find_first_of("?#"));
    if (ref.empty()) return std::nullopt;
    std::filesystem::path root = options_.site_root.empty()
                                     ? std::filesystem::current_path()
                                     : options_.site_root;
    for (const std::filesystem::path& c :
         SiteFileCandidates(ref, root, display_path)) {
      std::error_code ec;
      std::filesystem::path canonical =
          std::filesystem::weakly_canonical(c, ec);
      if (ec || !std::filesystem::is_regular_file(canonical, ec)) continue;
      std::filesystem::path rel = canonical.lexically_relative(
          std::filesystem::weakly_canonical(root, ec));
      std::optional<std::string> clean = CleanRelative(rel);
      if (!clean) continue;  // outside the site: never copied
      std::string name = "site/" + *clean;
      if (!written_.count(name)) {
        Result<std::string> bytes = ReadFileToString(canonical);
        if (!bytes.ok()) continue;
        Put(name, *bytes);
        ++summary_.assets;
      }
      return name;
    }
    return std::nullopt;
  }

  // Records that `key` has no local file, and why.
  std::optional<std::string> Fail(const std::string& key,
                                  const std::string& why, LinkReport* report) {
    local_of_[key] = std::nullopt;
    failed_why_[key] = why;
    if (report) report->why = why;
    return std::nullopt;
  }

  // Fills `report` from what is known of `key` already.
  void ReportKnown(const std::string& key, LinkReport* report) {
    if (!report) return;
    const std::optional<std::string>& local = local_of_[key];
    report->captured_at_us = captured_at_[key];
    report->origin = origin_of_[key];
    report->title = title_of_[key];
    report->local = local.value_or("");
    if (!local) report->why = failed_why_[key];
  }

  // The local file of an archived URL (written or queued), or nullopt.
  std::optional<std::string> Materialize(const std::string& url, int depth,
                                         LinkReport* report) {
    return Materialize(url, NormalizeUrl(url).value_or(url), depth, report);
  }

  // Materialize with the URL's manifest key known (a scanned link's).
  std::optional<std::string> Materialize(const std::string& url,
                                         const std::string& key, int depth,
                                         LinkReport* report) {
    auto known = local_of_.find(key);
    if (known != local_of_.end()) {
      ReportKnown(key, report);
      return known->second;
    }
    std::string scheme = UrlScheme(url);
    if (scheme != "http" && scheme != "https") {
      return Fail(key, "not an http(s) URL", report);
    }
    Result<ResolvedCapture> resolved =
        ResolveCapture(manifest_, warc_dir_, url, options_.at_us);
    if (!resolved.ok()) return Fail(key, resolved.status().message(), report);
    const CaptureRow& final_capture = resolved->final_capture();
    origin_of_[key] = CopyOrigin(resolved->hops.front());
    std::string final_key =
        NormalizeUrl(final_capture.url).value_or(final_capture.url);
    auto final_known = local_of_.find(final_key);
    if (final_known != local_of_.end() && final_known->second) {
      local_of_[key] = final_known->second;
      captured_at_[key] = captured_at_[final_key];
      title_of_[key] = title_of_[final_key];
      ReportKnown(key, report);
      return final_known->second;
    }
    CaptureRow page = final_capture;
    Result<SizedPayload> payload = ReadPage(&page);
    if (!payload.ok()) {
      if (payload.status().code() == ErrorCode::kResourceExhausted) {
        summary_.notes.push_back(payload.status().message() + "; skipped");
      }
      return Fail(key, payload.status().message(), report);
    }
    if (payload->in_memory && restore::IsHtml(payload->head.content_type)) {
      title_of_[key] = title_of_[final_key] =
          restore::PageTitle(payload->head.bytes);
    }
    std::string name =
        namer_.NameFor(final_capture.url, payload->head.content_type);
    local_of_[key] = name;
    local_of_[final_key] = name;
    captured_at_[key] = captured_at_[final_key] = final_capture.captured_at_us;
    ReportKnown(key, report);
    WriteCapture(name, page, std::move(payload).value(), depth,
                 page.record_id != final_capture.record_id);
    return name;
  }

  // A capture's payload (ReadSized), or for a page the browser lane
  // captured or the static pass found thin, its rendered DOM snapshot
  // (newest at or before --at) when there is one: `capture` then points
  // at the snapshot's resource record, still under the page's URL, so the
  // page's links resolve as the browser resolved them.
  Result<SizedPayload> ReadPage(CaptureRow* capture) {
    if (capture->source != kSourceBrowser && capture->quality != "thin") {
      return ReadSized(*capture);
    }
    const std::string& page_url =
        capture->final_url.empty() ? capture->url : capture->final_url;
    Result<std::optional<RecordRow>> dom = manifest_.FindNewestRecord(
        kDomSnapshotPrefix + page_url, options_.at_us);
    if (!dom.ok()) return dom.status();
    if (!*dom || (*dom)->type != "resource") return ReadSized(*capture);
    CaptureRow snapshot = *capture;
    snapshot.warc_file = (*dom)->warc_file;
    snapshot.record_offset = (*dom)->offset;
    snapshot.compressed_length = (*dom)->compressed_length;
    snapshot.record_id = (*dom)->record_id;
    snapshot.revisit_of.clear();
    Result<SizedPayload> payload = ReadSized(snapshot);
    if (!payload.ok() || !payload->in_memory ||
        !restore::IsHtml(payload->head.content_type)) {
      summary_.notes.push_back(capture->url +
                               ": DOM snapshot unreadable or too large; "
                               "restored the archived response instead");
      return ReadSized(*capture);
    }
    *capture = std::move(snapshot);
    return payload;
  }

  // A capture's head and decoded size, with its bytes when they are small
  // enough to parse (pages and stylesheets get rewritten in memory); a
  // larger body is only counted here (a tar entry announces its size
  // first, and a bomb is refused before any of it is written), and
  // streamed to the output later. One pass over the record: reading the
  // head first, then the payload, inflated every member twice.
  // ResourceExhausted when it decodes to more than the limit.
  Result<SizedPayload> ReadSized(const CaptureRow& capture) {
    SizedPayload sized;
    std::string bytes;
    bool keep = true;
    Result<CapturePayload> head = Stream(capture, [&](std::string_view chunk) {
      sized.size += chunk.size();
      if (keep && sized.size <= kMaxParsedBytes) {
        bytes.append(chunk);
      } else if (keep) {
        keep = false;
        std::string().swap(bytes);
      }
      return Status::Ok();
    });
    if (!head.ok()) return head.status();
    sized.head = std::move(head).value();
    sized.in_memory = keep;
    if (keep) sized.head.bytes = std::move(bytes);
    return sized;
  }

  PayloadReadOptions PayloadOptions() const {
    PayloadReadOptions options;
    options.max_decoded = options_.max_decoded;
    return options;
  }

  // StreamCapturePayload through the WARC files this thread holds open.
  Result<CapturePayload> Stream(const CaptureRow& capture,
                                const DecodedSink& sink) {
    Result<CaptureRow> record = restore::PayloadRecordOf(manifest_, capture);
    if (!record.ok()) return record.status();
    return restore::StreamRecordPayload(warc_dir_, capture, *record,
                                        PayloadOptions(), sink, &readers_);
  }

  // Puts a capture's payload as `name`: a page waits for phase 2, a
  // stylesheet is rewritten first, anything else goes as it is. Pages and
  // stylesheets over the parse limit are copied as archived (a page with
  // the CSP meta tag in front, so it still makes no request).
  void WriteCapture(const std::string& name, const CaptureRow& capture,
                    SizedPayload payload, int depth, bool dom_snapshot) {
    const std::string& type = payload.head.content_type;
    bool html = restore::IsHtml(type);
    bool css = restore::MimeOf(type) == "text/css";
    if (html || css) {
      if (payload.size > kMaxParsedBytes) {
        summary_.notes.push_back(capture.url + ": larger than " +
                                 std::to_string(kMaxParsedBytes) +
                                 " bytes; copied as archived, its links not "
                                 "rewritten");
      } else if (!payload.in_memory) {
        Result<CapturePayload> read = ReadCapturePayload(
            manifest_, warc_dir_, capture, true, options_.max_decoded);
        if (!read.ok()) {
          summary_.notes.push_back(read.status().message() + "; skipped");
          return;
        }
        payload.head.bytes = std::move(read->bytes);
        payload.in_memory = true;
      }
    }
    if (html) ++summary_.pages;
    if (html && dom_snapshot) ++summary_.rendered_pages;
    if (!html) ++summary_.assets;
    if (!payload.in_memory) {
      PutCaptureStream(name, capture, payload.size,
                       html ? restore::kCspMeta : std::string_view());
    } else if (html) {
      PendingPage page{name, capture, type, "", false, dom_snapshot};
      if (pending_bytes_ + payload.size <= options_.max_pending_page_bytes) {
        pending_bytes_ += payload.size;
        page.bytes = std::move(payload.head.bytes);
        page.in_memory = true;
      }
      pending_.push_back(std::move(page));
    } else if (css) {
      Put(name, RewriteCss(payload.head.bytes, capture.url, name, depth + 1));
    } else {
      Put(name, payload.head.bytes);
    }
  }

  // Streams a capture's decoded payload, after `prefix`, to the output.
  void PutCaptureStream(const std::string& name, const CaptureRow& capture,
                        uint64_t size, std::string_view prefix) {
    if (!output_status_.ok()) return;
    output_status_ = sink_->PutStream(name, prefix.size() + size,
                                      [&](const DecodedSink& out) -> Status {
                                        ROTGUARD_RETURN_IF_ERROR(out(prefix));
                                        return Stream(capture, out).status();
                                      });
    written_.insert(name);
  }

  std::string RewriteCss(const std::string& css, const std::string& base,
                         const std::string& name, int depth) {
    return restore::RewriteCss(
        css, base, name,
        [&](const std::string& url) -> std::optional<std::string> {
          if (depth > kMaxCssDepth) return std::nullopt;
          return Materialize(url, depth, nullptr);
        });
  }

  // Phase 2. Pages leave pending_ in order, a batch at a time; a second
  // thread reads (when they did not wait in memory) and scans the next
  // batch while this one rewrites and puts the current one, so names,
  // edits and the order of the files are those of one thread. Pages a
  // rewrite queues go to the back of pending_, as they always did.
  void RewritePendingPages() {
    std::future<std::vector<ScannedPage>> next = ScanAhead(TakeBatch());
    while (output_status_.ok()) {
      std::vector<ScannedPage> batch = next.get();
      if (batch.empty() && pending_.empty()) break;
      next = ScanAhead(TakeBatch());
      for (ScannedPage& scanned : batch) FinishPage(scanned);
    }
  }

  // The next pages of pending_, with the record of each page that is to
  // be read again (the manifest stays on this thread).
  std::vector<ScannedPage> TakeBatch() {
    std::vector<ScannedPage> batch;
    uint64_t bytes = 0;
    while (!pending_.empty() && batch.size() < kBatchPages &&
           bytes < kBatchBytes) {
      ScannedPage scanned;
      scanned.page = std::move(pending_.front());
      pending_.pop_front();
      if (scanned.page.in_memory) {
        pending_bytes_ -= scanned.page.bytes.size();
        bytes += scanned.page.bytes.size();
      } else {
        Result<CaptureRow> record =
            restore::PayloadRecordOf(manifest_, scanned.page.capture);
        if (record.ok()) scanned.record = std::move(record).value();
        if (!record.ok()) scanned.read = record.status();
        bytes += kRereadCost;
      }
      batch.push_back(std::move(scanned));
    }
    return batch;
  }

  // Reads and scans `batch` on another thread; it touches only the batch,
  // the WARC files and copies of the options.
  std::future<std::vector<ScannedPage>> ScanAhead(
      std::vector<ScannedPage> batch) {
    PayloadReadOptions options = PayloadOptions();
    return std::async(std::launch::async, [batch = std::move(batch), options,
                                           warc_dir = warc_dir_]() mutable {
      restore::WarcReaders readers;  // this thread's own
      for (ScannedPage& scanned : batch) {
        ScanPage(warc_dir, options, &readers, &scanned);
      }
      return std::move(batch);
    });
  }

  static void ScanPage(const std::filesystem::path& warc_dir,
                       const PayloadReadOptions& options,
                       restore::WarcReaders* readers, ScannedPage* scanned) {
    PendingPage& page = scanned->page;
    if (!scanned->read.ok()) return;
    if (!page.in_memory) {
      std::string bytes;
      Result<CapturePayload> read = restore::StreamRecordPayload(
          warc_dir, page.capture, scanned->record, options,
          [&bytes](std::string_view chunk) {
            bytes.append(chunk);
            return Status::Ok();
          },
          readers);
      if (!read.ok()) {
        scanned->read = read.status();
        return;
      }
      page.bytes = std::move(bytes);
    }
    if (page.dom_snapshot) page.bytes = restore::WithoutScripts(page.bytes);
    scanned->doc = restore::ScanPageForRewrite(page.bytes, page.capture.url);
  }

  void FinishPage(const ScannedPage& scanned) {
    if (!scanned.read.ok()) {
      summary_.notes.push_back(scanned.read.message() + "; skipped");
      return;
    }
    const PendingPage& page = scanned.page;
    Put(page.name, restore::WithCspMeta(RewritePage(page, scanned.doc),
                                        page.content_type));
  }

  // Sends a finished file to the sink; the first failure is kept (and
  // later files dropped) for Run() to return.
  void Put(const std::string& name, std::string_view bytes) {
    if (!output_status_.ok()) return;
    output_status_ = sink_->Put(name, bytes);
    written_.insert(name);
  }

  // An archived page with requisites from the store and links to pages
  // restored in this run; everything else that would load stays out.
  std::string RewritePage(const PendingPage& page,
                          const ExtractedDocument& doc) {
    return restore::RewriteScannedPage(
        page.bytes, doc, page.name,
        [&](const Link& link) -> std::optional<std::string> {
          auto it = local_of_.find(link.normalized);
          if (it == local_of_.end()) return std::nullopt;
          return it->second;
        },
        [&](const Link& link) {
          return Materialize(link.url, link.normalized, 1, nullptr);
        });
  }

  Manifest& manifest_;
  std::filesystem::path warc_dir_;
  const Config& config_;
  const RestoreOptions& options_;
  std::filesystem::path site_root_;
  AssetNamer namer_;
  std::unique_ptr<restore::OutputSink> sink_;
  restore::WarcReaders readers_;  // this thread's (phase 2 scans elsewhere)
  Status output_status_;
  std::unordered_set<std::string> written_;  // relative paths put
  // By URL key (NormalizeUrl): looked up for every link of every page.
  std::unordered_map<std::string, std::optional<std::string>> local_of_;
  std::unordered_map<std::string, int64_t> captured_at_;
  std::unordered_map<std::string, std::string> origin_of_;  // public copies
  std::unordered_map<std::string, std::string> title_of_;   // pages' titles
  std::unordered_map<std::string, std::string> failed_why_;
  std::deque<PendingPage> pending_;
  uint64_t pending_bytes_ = 0;  // of the pages in_memory in pending_
  std::vector<PostReport> posts_;
  std::optional<std::vector<DocumentRow>> all_documents_;  // EntriesOf
  RestoreSummary summary_;
};

}  // namespace

Result<RestoreSummary> Restore(Manifest& manifest,
                               const std::filesystem::path& warc_dir,
                               const Config& config,
                               const RestoreOptions& options) {
  Restorer restorer(manifest, warc_dir, config, options);
  return restorer.Run();
}

}  // namespace rotguard
