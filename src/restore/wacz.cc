// WACZ 1.1.1 export (SPEC §8; reference/warc.md §2.4): a zip with the
// store's WARC files under archive/ (STORE: already gzip-compressed),
// indexes/index.cdxj, pages/pages.jsonl, datapackage.json (sha256 and size
// of every file) and datapackage-digest.json (sha256 of datapackage.json).
#include <archive.h>
#include <archive_entry.h>

#include <cstdio>
#include <ctime>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "rotguard/export.h"
#include "rotguard/restore.h"
#include "rotguard/url.h"
#include "util/digest.h"
#include "util/handles.h"

namespace rotguard {
namespace {

using Json = nlohmann::ordered_json;

std::string Rfc3339(int64_t unix_us) {
  time_t t = static_cast<time_t>(unix_us / 1000000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// The name of a store WARC inside archive/ ("imported/a.warc.gz" →
// "imported-a.warc.gz": WACZ wants a flat directory).
std::string ArchiveName(const std::string& warc_name) {
  std::string flat = warc_name;
  for (char& c : flat) {
    if (c == '/') c = '-';
  }
  return flat;
}

bool IsHtmlType(const std::string& content_type) {
  std::string mime = content_type.substr(0, content_type.find(';'));
  return mime == "text/html" || mime == "application/xhtml+xml";
}

class ZipWriter {
 public:
  Status Open(const std::filesystem::path& path) {
    path_ = path.string();
    writer_.reset(archive_write_new());
    if (!writer_) return Status::Internal("archive_write_new failed");
    // Everything STORE: the WARCs are gzip members already (WACZ wants
    // them uncompressed in the zip so replay can range-read them), and
    // libarchive cannot change the method between entries.
    if (archive_write_set_format_zip(writer_.get()) != ARCHIVE_OK ||
        archive_write_set_format_option(writer_.get(), "zip", "compression",
                                        "store") != ARCHIVE_OK ||
        archive_write_open_filename(writer_.get(), path_.c_str()) !=
            ARCHIVE_OK) {
      return Error();
    }
    return Status::Ok();
  }

  // Starts entry `name` of `size` bytes; its data follows with Write().
  Status Begin(const std::string& name, int64_t size) {
    std::unique_ptr<archive_entry, void (*)(archive_entry*)> entry(
        archive_entry_new(), archive_entry_free);
    archive_entry_set_pathname(entry.get(), name.c_str());
    archive_entry_set_size(entry.get(), size);
    archive_entry_set_filetype(entry.get(), AE_IFREG);
    archive_entry_set_perm(entry.get(), 0644);
    archive_entry_set_mtime(entry.get(), std::time(nullptr), 0);
    if (archive_write_header(writer_.get(), entry.get()) != ARCHIVE_OK) {
      return Error();
    }
    return Status::Ok();
  }

  Status Write(std::string_view bytes) {
    if (archive_write_data(writer_.get(), bytes.data(), bytes.size()) !=
        static_cast<la_ssize_t>(bytes.size())) {
      return Error();
    }
    return Status::Ok();
  }

  Status AddText(const std::string& name, const std::string& text) {
    ROTGUARD_RETURN_IF_ERROR(Begin(name, static_cast<int64_t>(text.size())));
    return Write(text);
  }

  Status Close() {
    if (archive_write_close(writer_.get()) != ARCHIVE_OK) return Error();
    return Status::Ok();
  }

 private:
  Status Error() {
    const char* message = writer_ ? archive_error_string(writer_.get()) : "";
    return Status::IOError(path_ + ": " + (message ? message : "zip error"));
  }

  std::string path_;
  ArchiveWritePtr writer_;
};

struct Resource {
  std::string name;
  std::string path;
  std::string sha256_hex;
  int64_t bytes = 0;
};

// Streams one WARC file into the zip, hashing it on the way.
Status AddWarc(ZipWriter& zip, const std::filesystem::path& source,
               const std::string& path, Resource* resource) {
  std::unique_ptr<std::FILE, void (*)(std::FILE*)> file(
      std::fopen(source.c_str(), "rb"), [](std::FILE* f) {
        if (f) std::fclose(f);
      });
  if (!file) return Status::FromErrno(source.string(), errno);
  std::error_code ec;
  auto size = static_cast<int64_t>(std::filesystem::file_size(source, ec));
  if (ec) return Status::FromErrno(source.string(), ec.value());
  ROTGUARD_RETURN_IF_ERROR(zip.Begin(path, size));
  Hasher hasher(DigestAlgorithm::kSha256);
  std::vector<char> buf(1 << 20);
  int64_t total = 0;
  while (true) {
    size_t n = std::fread(buf.data(), 1, buf.size(), file.get());
    if (n == 0) break;
    std::string_view chunk(buf.data(), n);
    hasher.Update(chunk);
    ROTGUARD_RETURN_IF_ERROR(zip.Write(chunk));
    total += static_cast<int64_t>(n);
  }
  if (std::ferror(file.get()) || total != size) {
    return Status::IOError(source.string() + ": read failed or file changed");
  }
  resource->path = path;
  resource->name = path.substr(path.rfind('/') + 1);
  resource->sha256_hex = HexEncode(hasher.Final());
  resource->bytes = total;
  return Status::Ok();
}

Resource TextResource(const std::string& path, const std::string& text) {
  return {path.substr(path.rfind('/') + 1), path, Sha256Hex(text),
          static_cast<int64_t>(text.size())};
}

// pages.jsonl: the header, then every archived post (its resource record)
// and every archived linked page (the final capture of its chain).
Result<std::string> PagesJsonl(Manifest& manifest,
                               const std::filesystem::path& warc_dir) {
  std::string out =
      Json{
          {"format", "json-pages-1.0"}, {"id", "pages"}, {"title", "All Pages"}}
          .dump() +
      "\n";
  std::set<std::string> seen;
  auto add = [&](const CaptureRow& c, const std::string& title) {
    if (!seen.insert(c.url + " " + std::to_string(c.captured_at_us)).second) {
      return;
    }
    Json page = {
        {"id",
         Sha256Hex(c.url + std::to_string(c.captured_at_us)).substr(0, 32)},
        {"url", c.url},
        {"ts", Rfc3339(c.captured_at_us)}};
    if (!title.empty()) page["title"] = title;
    out += page.dump() + "\n";
  };
  Result<std::vector<CaptureRow>> captures = manifest.ListCaptures();
  if (!captures.ok()) return captures.status();
  for (const CaptureRow& c : *captures) {
    if (!c.lost && c.source == "post") add(c, "");
  }
  Result<std::vector<UrlRow>> linked = manifest.ListLinkedUrls();
  if (!linked.ok()) return linked.status();
  for (const UrlRow& url : *linked) {
    Result<ResolvedCapture> resolved =
        ResolveCapture(manifest, warc_dir, url.normalized, std::nullopt);
    if (!resolved.ok()) continue;  // never captured
    const CaptureRow& final_capture = resolved->final_capture();
    if (final_capture.http_status < 200 || final_capture.http_status > 299 ||
        !IsHtmlType(final_capture.content_type)) {
      continue;
    }
    add(final_capture, "");
  }
  return out;
}

}  // namespace

Status WriteWacz(Manifest& manifest, const std::filesystem::path& warc_dir,
                 const std::filesystem::path& out, const WaczOptions& options) {
  Result<std::vector<CdxEntry>> entries = CollectCdxEntries(manifest, warc_dir);
  if (!entries.ok()) return entries.status();
  Result<std::string> pages = PagesJsonl(manifest, warc_dir);
  if (!pages.ok()) return pages.status();
  Result<std::vector<WarcFileRow>> files = manifest.ListWarcFiles();
  if (!files.ok()) return files.status();

  std::filesystem::path tmp = out;
  tmp += ".tmp";
  ZipWriter zip;
  ROTGUARD_RETURN_IF_ERROR(zip.Open(tmp));
  std::vector<Resource> resources;
  std::set<std::string> packed;
  for (const WarcFileRow& file : *files) {
    if (file.state != WarcFileState::kClosed) continue;  // still written
    packed.insert(file.name);
    Resource r;
    ROTGUARD_RETURN_IF_ERROR(AddWarc(zip, warc_dir / file.name,
                                     "archive/" + ArchiveName(file.name), &r));
    resources.push_back(r);
  }
  std::vector<CdxEntry> packed_entries;
  for (CdxEntry& e : *entries) {
    if (!packed.count(e.warc_file)) continue;
    e.warc_file = ArchiveName(e.warc_file);
    packed_entries.push_back(std::move(e));
  }
  std::string cdxj = RenderCdxj(packed_entries);
  ROTGUARD_RETURN_IF_ERROR(zip.AddText("indexes/index.cdxj", cdxj));
  resources.push_back(TextResource("indexes/index.cdxj", cdxj));
  ROTGUARD_RETURN_IF_ERROR(zip.AddText("pages/pages.jsonl", *pages));
  resources.push_back(TextResource("pages/pages.jsonl", *pages));

  int64_t now_us = options.created_unix
                       ? options.created_unix * 1000000
                       : static_cast<int64_t>(std::time(nullptr)) * 1000000;
  Json package = {{"profile", "data-package"}, {"resources", Json::array()}};
  for (const Resource& r : resources) {
    package["resources"].push_back({{"name", r.name},
                                    {"path", r.path},
                                    {"hash", "sha256:" + r.sha256_hex},
                                    {"bytes", r.bytes}});
  }
  package["wacz_version"] = "1.1.1";
  package["title"] = options.title;
  package["software"] = options.software.empty()
                            ? std::string("rotguard/") + ROTGUARD_VERSION
                            : options.software;
  package["created"] = Rfc3339(now_us);
  package["modified"] = Rfc3339(now_us);
  std::string datapackage = package.dump(2) + "\n";
  ROTGUARD_RETURN_IF_ERROR(zip.AddText("datapackage.json", datapackage));
  Json digest = {{"path", "datapackage.json"},
                 {"hash", "sha256:" + Sha256Hex(datapackage)}};
  ROTGUARD_RETURN_IF_ERROR(
      zip.AddText("datapackage-digest.json", digest.dump(2) + "\n"));
  ROTGUARD_RETURN_IF_ERROR(zip.Close());
  std::error_code ec;
  std::filesystem::rename(tmp, out, ec);
  if (ec) return Status::FromErrno(out.string(), ec.value());
  return Status::Ok();
}

}  // namespace rotguard
