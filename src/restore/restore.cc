// `restore`: offline copies of posts and the pages they cite (SPEC §8,
// §13 "restore layout"). Each file goes to one output sink (a directory,
// or a tar or zip written by libarchive) as soon as it is final, so the
// three formats hold exactly the same files and memory does not grow with
// the size of what is restored: only HTML pages wait, until every page of
// the run is known and they can link to each other.
//
// Phase 1 materializes every archived link of every post (redirect chains
// collapsed to the final capture); phase 2 rewrites the HTML pages among
// them, pulling in their requisites, so a page can link to any other page
// restored in the same run.
#include "rotguard/restore.h"

#include <archive.h>
#include <archive_entry.h>
#include <md4c-html.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <deque>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "rotguard/extract.h"
#include "rotguard/requisites.h"
#include "rotguard/rules.h"
#include "rotguard/scan.h"
#include "rotguard/url.h"
#include "util/ascii.h"
#include "util/file.h"
#include "util/handles.h"

namespace rotguard {
namespace {

constexpr std::string_view kCspMeta =
    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
    "'self' data: blob: 'unsafe-inline'\">";
constexpr int kMaxCssDepth = 3;

std::string MimeOf(std::string_view content_type) {
  std::string_view head = content_type.substr(0, content_type.find(';'));
  return AsciiLowercase(TrimHeaderSpace(head));
}

bool IsHtml(std::string_view content_type) {
  std::string mime = MimeOf(content_type);
  return mime == "text/html" || mime == "application/xhtml+xml";
}

std::string FormatCaptureTime(int64_t us) {
  time_t t = static_cast<time_t>(us / 1000000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%SZ", &tm);
  return buf;
}

// One replacement of the byte span [start, end).
struct Edit {
  size_t start;
  size_t end;
  std::string text;
};

// Applies non-overlapping edits (sorted here); overlapping ones are
// dropped, so the result never depends on their order.
std::string ApplyEdits(std::string_view bytes, std::vector<Edit> edits) {
  std::sort(edits.begin(), edits.end(),
            [](const Edit& a, const Edit& b) { return a.start < b.start; });
  std::string out;
  size_t at = 0;
  for (const Edit& e : edits) {
    if (e.start < at || e.end > bytes.size() || e.end < e.start) continue;
    out.append(bytes.substr(at, e.start - at));
    out += e.text;
    at = e.end;
  }
  out.append(bytes.substr(at));
  return out;
}

size_t FindIgnoreCase(std::string_view text, std::string_view needle,
                      size_t from = 0) {
  if (needle.size() > text.size()) return std::string_view::npos;
  for (size_t i = from; i + needle.size() <= text.size(); ++i) {
    if (EqualsIgnoreCase(text.substr(i, needle.size()), needle)) return i;
  }
  return std::string_view::npos;
}

// Adds the CSP meta tag (and a charset declaration when the page has none
// but its HTTP header named one) at the start of <head>.
std::string WithCspMeta(std::string html, std::string_view content_type) {
  std::string insert(kCspMeta);
  std::string_view type = content_type;
  size_t charset = FindIgnoreCase(type, "charset=");
  std::string_view head_part =
      std::string_view(html).substr(0, std::min<size_t>(html.size(), 2048));
  if (charset != std::string_view::npos &&
      FindIgnoreCase(head_part, "charset") == std::string_view::npos) {
    std::string name(TrimHeaderSpace(type.substr(charset + 8)));
    name.erase(
        std::remove_if(name.begin(), name.end(),
                       [](char c) {
                         return !(std::isalnum(static_cast<unsigned char>(c)) ||
                                  c == '-' || c == '_');
                       }),
        name.end());
    if (!name.empty()) insert = "<meta charset=\"" + name + "\">" + insert;
  }
  size_t at = 0;
  for (size_t pos = FindIgnoreCase(html, "<head"); pos != std::string::npos;
       pos = FindIgnoreCase(html, "<head", pos + 1)) {
    char next = pos + 5 < html.size() ? html[pos + 5] : '\0';
    if (next == '>' || next == ' ' || next == '\t' || next == '\n' ||
        next == '\r') {
      size_t close = html.find('>', pos);
      if (close != std::string::npos) at = close + 1;
      break;
    }
  }
  if (at == 0) {
    size_t doctype = FindIgnoreCase(html, "<!doctype");
    if (doctype != std::string::npos && doctype < 64) {
      size_t close = html.find('>', doctype);
      if (close != std::string::npos) at = close + 1;
    }
  }
  html.insert(at, insert);
  return html;
}

// The text after YAML (---) or TOML (+++) front matter.
std::string_view WithoutFrontMatter(std::string_view text) {
  std::string_view body = text;
  if (body.starts_with("\xEF\xBB\xBF")) body.remove_prefix(3);
  for (std::string_view fence : {"---", "+++"}) {
    if (!body.starts_with(fence)) continue;
    size_t line_end = body.find('\n');
    if (line_end == std::string_view::npos) return text;
    size_t pos = line_end + 1;
    while (pos < body.size()) {
      size_t end = body.find('\n', pos);
      std::string_view line = body.substr(pos, end == std::string_view::npos
                                                   ? std::string_view::npos
                                                   : end - pos);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (line == fence) {
        return end == std::string_view::npos ? std::string_view()
                                             : body.substr(end + 1);
      }
      if (end == std::string_view::npos) break;
      pos = end + 1;
    }
    return text;
  }
  return body;
}

// True when the URL at `start` of a Markdown post is a bare URL (a GFM
// autolink) rather than a destination: Hugo and GitHub render those as
// links, md4c without its (quadratic) permissive flags does not, and a
// relative path put in their place would never be linked at all.
bool IsBareMarkdownUrl(std::string_view post, size_t start) {
  size_t i = start;
  while (i > 0 && (post[i - 1] == ' ' || post[i - 1] == '\t')) --i;
  if (i == 0) return true;
  char before = post[i - 1];
  if (before == '(') return i < 2 || post[i - 2] != ']';  // "](" destination
  if (before == '<' || before == '"' || before == '\'' || before == '=' ||
      before == '[') {
    return false;  // autolink, attribute or shortcode value, link text
  }
  size_t line_start = post.rfind('\n', start - 1);
  line_start = line_start == std::string_view::npos ? 0 : line_start + 1;
  std::string_view prefix = post.substr(line_start, start - line_start);
  while (!prefix.empty() && (prefix.back() == ' ' || prefix.back() == '\t')) {
    prefix.remove_suffix(1);
  }
  return !prefix.ends_with("]:");  // a reference definition's destination
}

std::string RenderMarkdown(std::string_view markdown) {
  std::string html;
  md_html(
      markdown.data(), static_cast<MD_SIZE>(markdown.size()),
      [](const MD_CHAR* text, MD_SIZE size, void* out) {
        static_cast<std::string*>(out)->append(text, size);
      },
      &html, MD_FLAG_TABLES | MD_FLAG_STRIKETHROUGH | MD_FLAG_TASKLISTS, 0);
  return html;
}

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

struct PendingPage {
  std::string name;
  std::string url;
  std::string content_type;
  std::string bytes;
};

struct LinkReport {
  std::string url;
  std::string kind;
  std::string local;  // "" when never captured
  int64_t captured_at_us = 0;
  std::string why;  // why it is not local
};

struct PostReport {
  std::string key;
  std::string title;
  std::string source_name;  // posts/<key>
  std::vector<LinkReport> links;
};

// Where restored files go, one at a time. A file put twice is written
// twice (the directory keeps the last; so does tar on extraction).
class OutputSink {
 public:
  virtual ~OutputSink() = default;
  virtual Status Put(const std::string& name, std::string_view bytes) = 0;
  virtual Status Finish() = 0;  // the output is complete and in place
};

class DirectorySink : public OutputSink {
 public:
  explicit DirectorySink(std::filesystem::path dir) : dir_(std::move(dir)) {}

  Status Put(const std::string& name, std::string_view bytes) override {
    std::filesystem::path path = dir_ / name;
    std::error_code ec;
    std::filesystem::create_directories(path.parent_path(), ec);
    if (ec) return Status::FromErrno(path.parent_path().string(), ec.value());
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out) return Status::IOError(path.string() + ": write failed");
    return Status::Ok();
  }
  Status Finish() override { return Status::Ok(); }

 private:
  std::filesystem::path dir_;
};

// Writes OUT.tmp and renames it to OUT once complete; an unfinished one is
// removed, so OUT is never a torn archive.
class ArchiveSink : public OutputSink {
 public:
  static Result<std::unique_ptr<ArchiveSink>> Open(
      const std::filesystem::path& out, RestoreFormat format) {
    std::unique_ptr<ArchiveSink> sink(new ArchiveSink(out));
    archive* a = sink->writer_.get();
    if (a == nullptr) return Status::Internal("archive_write_new failed");
    int rc = format == RestoreFormat::kZip
                 ? archive_write_set_format_zip(a)
                 : archive_write_set_format_pax_restricted(a);
    if (rc != ARCHIVE_OK) return Status::Internal(archive_error_string(a));
    if (archive_write_open_filename(a, sink->tmp_.c_str()) != ARCHIVE_OK) {
      return Status::IOError(out.string() + ": " + archive_error_string(a));
    }
    sink->opened_ = true;
    return sink;
  }

  ~ArchiveSink() override {
    if (!opened_) return;
    writer_.reset();  // closes the file
    std::error_code ignored;
    std::filesystem::remove(tmp_, ignored);
  }

  Status Put(const std::string& name, std::string_view bytes) override {
    archive* a = writer_.get();
    std::unique_ptr<archive_entry, void (*)(archive_entry*)> entry(
        archive_entry_new(), archive_entry_free);
    archive_entry_set_pathname(entry.get(), name.c_str());
    archive_entry_set_size(entry.get(), static_cast<la_int64_t>(bytes.size()));
    archive_entry_set_filetype(entry.get(), AE_IFREG);
    archive_entry_set_perm(entry.get(), 0644);
    archive_entry_set_mtime(entry.get(), now_, 0);
    if (archive_write_header(a, entry.get()) != ARCHIVE_OK ||
        archive_write_data(a, bytes.data(), bytes.size()) !=
            static_cast<la_ssize_t>(bytes.size())) {
      return Status::IOError(out_.string() + ": " + archive_error_string(a));
    }
    return Status::Ok();
  }

  Status Finish() override {
    archive* a = writer_.get();
    if (archive_write_close(a) != ARCHIVE_OK) {
      return Status::IOError(out_.string() + ": " + archive_error_string(a));
    }
    std::error_code ec;
    std::filesystem::rename(tmp_, out_, ec);
    if (ec) return Status::FromErrno(out_.string(), ec.value());
    opened_ = false;
    return Status::Ok();
  }

 private:
  explicit ArchiveSink(std::filesystem::path out)
      : out_(std::move(out)),
        tmp_(out_.string() + ".tmp"),
        writer_(archive_write_new()),
        now_(std::time(nullptr)) {}

  std::filesystem::path out_;
  std::filesystem::path tmp_;
  ArchiveWritePtr writer_;
  time_t now_;
  bool opened_ = false;
};

Result<std::unique_ptr<OutputSink>> OpenSink(const RestoreOptions& options) {
  switch (options.format) {
    case RestoreFormat::kDir:
      return std::unique_ptr<OutputSink>(new DirectorySink(options.out));
    case RestoreFormat::kTar:
    case RestoreFormat::kZip: {
      Result<std::unique_ptr<ArchiveSink>> sink =
          ArchiveSink::Open(options.out, options.format);
      if (!sink.ok()) return sink.status();
      return std::unique_ptr<OutputSink>(std::move(sink).value());
    }
  }
  return Status::Internal("unknown restore format");
}

class Restorer {
 public:
  Restorer(Manifest& manifest, const std::filesystem::path& warc_dir,
           const Config& config, const RestoreOptions& options)
      : manifest_(manifest),
        warc_dir_(warc_dir),
        config_(config),
        options_(options) {}

  Result<RestoreSummary> Run() {
    Result<WalkResult> walk = WalkInputs(PathStrings());
    if (!walk.ok()) return walk.status();
    Result<std::unique_ptr<OutputSink>> sink = OpenSink(options_);
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
    Put("index.html", IndexHtml());
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

  // The archived bytes of the post version the manifest's spans refer to.
  Result<std::string> PostBytes(const std::string& key,
                                const std::string& display_path,
                                const DocumentRow& doc) {
    std::string uri = PostResourceUri(config_, key);
    std::string lookup = NormalizeUrl(uri).value_or(uri);
    Result<std::vector<CaptureRow>> captures = manifest_.CapturesOf(lookup);
    if (!captures.ok()) return captures.status();
    for (auto it = captures->rbegin(); it != captures->rend(); ++it) {
      if (it->lost || it->payload_sha256 != doc.sha256) continue;
      Result<CapturePayload> payload =
          ReadCapturePayload(manifest_, warc_dir_, *it, false);
      if (payload.ok()) return std::move(payload->bytes);
    }
    Result<std::string> disk = ReadFileToString(display_path);
    if (!disk.ok()) return disk.status();
    summary_.notes.push_back(display_path +
                             ": no archived resource record of this version; "
                             "read from disk");
    return disk;
  }

  static std::string PostOutputName(const std::string& key) {
    std::optional<std::string> clean = CleanRelative(key);
    if (clean) return "posts/" + *clean;
    std::string flat;
    for (char c : key) flat.push_back(c == '/' || c == '\\' ? '_' : c);
    return "posts/_outside/" + flat;
  }

  Status RestorePost(const ScanInput& input) {
    std::string key = DocumentKey(input.display_path, site_root_);
    Result<std::optional<DocumentRow>> doc = manifest_.FindDocument(key);
    if (!doc.ok()) return doc.status();
    if (!*doc) {
      summary_.notes.push_back(input.display_path +
                               ": not scanned into the store; skipped");
      return Status::Ok();
    }
    Result<std::string> bytes = PostBytes(key, input.display_path, **doc);
    if (!bytes.ok()) return bytes.status();
    Result<std::vector<LinkRow>> links = manifest_.LinksOf(key);
    if (!links.ok()) return links.status();

    PostReport report;
    report.key = key;
    report.title = (*doc)->title.empty() ? key : (*doc)->title;
    report.source_name = PostOutputName(key);
    std::string html_name = report.source_name + ".html";
    bool markdown = input.format != DocumentFormat::kHtml;
    std::vector<Edit> edits;         // the source copy
    std::vector<Edit> render_edits;  // the Markdown that gets rendered
    for (const LinkRow& link : *links) {
      LinkReport lr{link.url, link.kind, "", 0, ""};
      std::optional<std::string> local = Materialize(link.url, 0, &lr);
      bool span_ok = link.end >= link.start &&
                     static_cast<size_t>(link.end) <= bytes->size() &&
                     bytes->compare(static_cast<size_t>(link.start),
                                    static_cast<size_t>(link.end - link.start),
                                    link.written) == 0;
      Edit edit{static_cast<size_t>(link.start), static_cast<size_t>(link.end),
                ""};
      if (local && span_ok) {
        edit.text = RelativePath(report.source_name, *local);
        edits.push_back(edit);
      } else if (local) {
        lr.why = "span does not match the post";
      }
      if (markdown && span_ok && link.kind != "frontmatter" &&
          IsBareMarkdownUrl(*bytes, edit.start)) {
        std::string href = local ? RelativePath(html_name, *local) : link.url;
        edit.text = "<a href=\"" + HtmlEscape(href) + "\">" +
                    HtmlEscape(link.written) + "</a>";
        render_edits.push_back(edit);
      } else if (!edit.text.empty()) {
        render_edits.push_back(edit);
      }
      if (!local) ++summary_.not_captured;
      report.links.push_back(std::move(lr));
    }
    std::string rewritten = ApplyEdits(*bytes, std::move(edits));
    std::string rendered =
        markdown
            ? "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>" +
                  HtmlEscape(report.title) + "</title></head><body>\n" +
                  RenderMarkdown(WithoutFrontMatter(
                      ApplyEdits(*bytes, std::move(render_edits)))) +
                  "</body></html>\n"
            : rewritten;
    rendered = OfflineRenderedPost(rendered, html_name, input.display_path);
    Put(report.source_name, rewritten);
    Put(html_name, WithCspMeta(std::move(rendered), ""));
    posts_.push_back(std::move(report));
    ++summary_.posts;
    return Status::Ok();
  }

  // The rendered post: local files for the site's own relative images,
  // never-captured subresources removed.
  std::string OfflineRenderedPost(const std::string& html,
                                  const std::string& html_name,
                                  const std::string& display_path) {
    ExtractOptions extract;
    extract.base_url = "http://rotguard.invalid/" + html_name;
    ExtractedDocument doc =
        ExtractLinks("post.html", html, DocumentFormat::kHtml, extract);
    std::vector<Edit> edits;
    for (const Link& link : doc.links) {
      if (link.kind == LinkKind::kLink || link.kind == LinkKind::kFrontmatter) {
        continue;
      }
      bool local = link.url.starts_with("http://rotguard.invalid/");
      if (!local) {
        edits.push_back({link.start, link.end, ""});  // never captured
        continue;
      }
      std::string target =
          link.url.substr(std::string_view("http://rotguard.invalid/").size());
      target = target.substr(0, target.find_first_of("?#"));
      if (written_.count(target)) continue;  // an asset restored already
      std::optional<std::string> copied =
          CopySiteFile(link.written, display_path);
      edits.push_back({link.start, link.end,
                       copied ? RelativePath(html_name, *copied) : ""});
    }
    return ApplyEdits(html, std::move(edits));
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
    std::vector<std::filesystem::path> candidates;
    if (ref.front() == '/') {
      std::string rel = ref.substr(1);
      candidates = {root / "static" / rel, root / "assets" / rel,
                    root / "public" / rel, root / rel};
    } else {
      std::filesystem::path dir =
          std::filesystem::absolute(display_path).parent_path();
      candidates = {dir / ref, root / "static" / ref, root / ref};
    }
    for (const std::filesystem::path& c : candidates) {
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

  // The local file of an archived URL (written or queued), or nullopt.
  std::optional<std::string> Materialize(const std::string& url, int depth,
                                         LinkReport* report) {
    std::string key = NormalizeUrl(url).value_or(url);
    auto known = local_of_.find(key);
    if (known != local_of_.end()) {
      if (report) {
        report->captured_at_us = captured_at_[key];
        report->local = known->second.value_or("");
        if (!known->second) report->why = failed_why_[key];
      }
      return known->second;
    }
    std::string scheme = UrlScheme(url);
    if (scheme != "http" && scheme != "https") {
      local_of_[key] = std::nullopt;
      failed_why_[key] = "not an http(s) URL";
      if (report) report->why = failed_why_[key];
      return std::nullopt;
    }
    auto fail = [&](const std::string& why) -> std::optional<std::string> {
      local_of_[key] = std::nullopt;
      failed_why_[key] = why;
      if (report) report->why = why;
      return std::nullopt;
    };
    Result<ResolvedCapture> resolved =
        ResolveCapture(manifest_, warc_dir_, url, options_.at_us);
    if (!resolved.ok()) return fail(resolved.status().message());
    const CaptureRow& final_capture = resolved->final_capture();
    std::string final_key =
        NormalizeUrl(final_capture.url).value_or(final_capture.url);
    auto final_known = local_of_.find(final_key);
    if (final_known != local_of_.end() && final_known->second) {
      local_of_[key] = final_known->second;
      captured_at_[key] = captured_at_[final_key];
      if (report) {
        report->local = *final_known->second;
        report->captured_at_us = captured_at_[key];
      }
      return final_known->second;
    }
    Result<CapturePayload> payload =
        ReadCapturePayload(manifest_, warc_dir_, final_capture, true);
    if (!payload.ok()) return fail(payload.status().message());
    std::string name = namer_.NameFor(final_capture.url, payload->content_type);
    local_of_[key] = name;
    local_of_[final_key] = name;
    captured_at_[key] = captured_at_[final_key] = final_capture.captured_at_us;
    if (report) {
      report->local = name;
      report->captured_at_us = final_capture.captured_at_us;
    }
    if (IsHtml(payload->content_type)) {
      pending_.push_back({name, final_capture.url, payload->content_type,
                          std::move(payload->bytes)});
      ++summary_.pages;
    } else if (MimeOf(payload->content_type) == "text/css") {
      Put(name, RewriteCss(payload->bytes, final_capture.url, name, depth + 1));
      ++summary_.assets;
    } else {
      Put(name, payload->bytes);
      ++summary_.assets;
    }
    return name;
  }

  std::string RewriteCss(const std::string& css, const std::string& base,
                         const std::string& name, int depth) {
    std::vector<Edit> edits;
    for (const extract::StylesheetReference& c :
         extract::ExtractStylesheetUrls(css)) {
      std::optional<std::string> url = ResolveUrl(base, c.target);
      if (!url) continue;
      std::string scheme = UrlScheme(*url);
      if (scheme != "http" && scheme != "https") continue;  // data: stays
      std::optional<std::string> local = depth <= kMaxCssDepth
                                             ? Materialize(*url, depth, nullptr)
                                             : std::nullopt;
      edits.push_back(
          {c.start, c.end, local ? RelativePath(name, *local) : ""});
    }
    return ApplyEdits(css, std::move(edits));
  }

  void RewritePendingPages() {
    while (!pending_.empty() && output_status_.ok()) {
      PendingPage page = std::move(pending_.front());
      pending_.pop_front();
      Put(page.name, WithCspMeta(RewritePage(page), page.content_type));
    }
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
  std::string RewritePage(const PendingPage& page) {
    ExtractOptions extract;
    extract.base_url = page.url;
    ExtractedDocument doc =
        ExtractLinks("page.html", page.bytes, DocumentFormat::kHtml, extract);
    std::vector<Edit> edits;
    for (const Link& link : doc.links) {
      if (link.kind == LinkKind::kFrontmatter) continue;
      if (link.kind == LinkKind::kLink) {
        std::string key = NormalizeUrl(link.url).value_or(link.url);
        auto it = local_of_.find(key);
        if (it != local_of_.end() && it->second) {
          edits.push_back(
              {link.start, link.end, RelativePath(page.name, *it->second)});
        }
        continue;
      }
      std::optional<std::string> local = Materialize(link.url, 1, nullptr);
      edits.push_back(
          {link.start, link.end, local ? RelativePath(page.name, *local) : ""});
    }
    return ApplyEdits(page.bytes, std::move(edits));
  }

  std::string IndexHtml() const {
    std::string html = "<!doctype html>\n<html><head><meta charset=\"utf-8\">";
    html += kCspMeta;
    html +=
        "<title>rotguard restore</title><style>body{font-family:sans-serif;"
        "max-width:60em;margin:2em auto}td{padding:.2em .5em;vertical-align:"
        "top}.missing{color:#a00}</style></head><body>\n<h1>Restored "
        "posts</h1>\n";
    for (const PostReport& post : posts_) {
      html += "<h2><a href=\"" + HtmlEscape(post.source_name) + ".html\">" +
              HtmlEscape(post.title) + "</a></h2>\n<p>Source: <a href=\"" +
              HtmlEscape(post.source_name) + "\">" + HtmlEscape(post.key) +
              "</a></p>\n<table>\n";
      for (const LinkReport& link : post.links) {
        html += "<tr><td>" + HtmlEscape(link.kind) + "</td><td>";
        if (!link.local.empty()) {
          html += "<a href=\"" + HtmlEscape(link.local) + "\">" +
                  HtmlEscape(link.url) + "</a></td><td>archived " +
                  FormatCaptureTime(link.captured_at_us);
        } else {
          html += HtmlEscape(link.url) +
                  "</td><td class=\"missing\">not captured: " +
                  HtmlEscape(link.why);
        }
        html += "</td></tr>\n";
      }
      html += "</table>\n";
    }
    html += "</body></html>\n";
    return html;
  }

  Manifest& manifest_;
  std::filesystem::path warc_dir_;
  const Config& config_;
  const RestoreOptions& options_;
  std::filesystem::path site_root_;
  AssetNamer namer_;
  std::unique_ptr<OutputSink> sink_;
  Status output_status_;
  std::set<std::string> written_;  // relative paths put to the sink
  std::map<std::string, std::optional<std::string>> local_of_;  // url key
  std::map<std::string, int64_t> captured_at_;
  std::map<std::string, std::string> failed_why_;
  std::deque<PendingPage> pending_;
  std::vector<PostReport> posts_;
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
