// WACZ 1.1.1 export (SPEC §8; reference/warc.md §2.4): a zip with the
// store's WARC files under archive/ (STORE: already gzip-compressed),
// indexes/index.cdxj, pages/pages.jsonl, datapackage.json (sha256 and size
// of every file) and datapackage-digest.json (sha256 of datapackage.json).
#include <cstdio>
#include <ctime>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "restore/archive_output.h"
#include "rotguard/copy_choice.h"
#include "rotguard/export.h"
#include "rotguard/restore.h"
#include "rotguard/url.h"
#include "util/digest.h"
#include "util/handles.h"
#include "util/time_format.h"

namespace rotguard {
namespace {

using Json = nlohmann::ordered_json;

std::string Rfc3339(int64_t unix_us) {
  return FormatUtc(unix_us / 1000000, UtcStyle::kIso);
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

struct Resource {
  std::string name;
  std::string path;
  std::string sha256_hex;
  int64_t bytes = 0;
};

// Streams one WARC file into the zip, hashing it on the way.
Status AddWarc(ArchiveOutput& zip, const std::filesystem::path& source,
               const std::string& path, std::time_t mtime, Resource* resource) {
  std::unique_ptr<std::FILE, void (*)(std::FILE*)> file(
      std::fopen(source.c_str(), "rb"), [](std::FILE* f) {
        if (f) std::fclose(f);
      });
  if (!file) return Status::FromErrno(source.string(), errno);
  std::error_code ec;
  auto size = static_cast<int64_t>(std::filesystem::file_size(source, ec));
  if (ec) return Status::FromErrno(source.string(), ec.value());
  ROTGUARD_RETURN_IF_ERROR(zip.Begin(path, size, mtime));
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
// and every archived linked page (the final capture of its chain), those
// of the browser lane marked "capturedBy": "browser".
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
    // A page the headless-browser lane captured (its DOM snapshot and
    // screenshot are resource records of the WACZ's WARCs). Not a
    // json-pages-1.0 field: replay tools keep unknown fields.
    if (c.source == kSourceBrowser) page["capturedBy"] = "browser";
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
    // A memento from a public web archive says so in its page title.
    add(final_capture, IsPublicArchiveCopy(final_capture)
                           ? "copy of " + url.normalized +
                                 " from public archive " +
                                 CopyOrigin(final_capture)
                           : std::string());
  }
  return out;
}

// datapackage.json: every resource with its sha256 and size.
std::string DataPackage(const std::vector<Resource>& resources,
                        const WaczOptions& options) {
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
  return package.dump(2) + "\n";
}

}  // namespace

Status WriteWacz(Manifest& manifest, const std::filesystem::path& warc_dir,
                 const std::filesystem::path& out, const WaczOptions& options) {
  // The package copies whole WARC files: forgotten bytes would ship.
  Result<std::vector<std::string>> unpurged =
      manifest.FilesWithForgottenRecords();
  if (!unpurged.ok()) return unpurged.status();
  if (!unpurged->empty()) {
    return Status::InvalidArgument(
        unpurged->front() +
        " still holds records of forgotten URLs: run 'rotguard forget "
        "--purge' before packing a WACZ");
  }
  Result<std::vector<CdxEntry>> entries = CollectCdxEntries(manifest, warc_dir);
  if (!entries.ok()) return entries.status();
  Result<std::string> pages = PagesJsonl(manifest, warc_dir);
  if (!pages.ok()) return pages.status();
  Result<std::vector<WarcFileRow>> files = manifest.ListWarcFiles();
  if (!files.ok()) return files.status();

  // Destroyed on any early return, it removes OUT.tmp.
  Result<std::unique_ptr<ArchiveOutput>> zip =
      ArchiveOutput::Open(out, ArchiveOutput::Format::kZipStored,
                          options.env ? options.env : Env::Default());
  if (!zip.ok()) return zip.status();
  std::time_t mtime = std::time(nullptr);
  std::vector<Resource> resources;
  std::set<std::string> packed;
  for (const WarcFileRow& file : *files) {
    if (file.state != WarcFileState::kClosed) continue;  // still written
    packed.insert(file.name);
    Resource r;
    ROTGUARD_RETURN_IF_ERROR(AddWarc(**zip, warc_dir / file.name,
                                     "archive/" + ArchiveName(file.name), mtime,
                                     &r));
    resources.push_back(r);
  }
  std::vector<CdxEntry> packed_entries;
  for (CdxEntry& e : *entries) {
    if (!packed.count(e.warc_file)) continue;
    e.warc_file = ArchiveName(e.warc_file);
    packed_entries.push_back(std::move(e));
  }
  std::string cdxj = RenderCdxj(packed_entries);
  ROTGUARD_RETURN_IF_ERROR((*zip)->Add("indexes/index.cdxj", cdxj, mtime));
  resources.push_back(TextResource("indexes/index.cdxj", cdxj));
  ROTGUARD_RETURN_IF_ERROR((*zip)->Add("pages/pages.jsonl", *pages, mtime));
  resources.push_back(TextResource("pages/pages.jsonl", *pages));

  std::string datapackage = DataPackage(resources, options);
  ROTGUARD_RETURN_IF_ERROR((*zip)->Add("datapackage.json", datapackage, mtime));
  Json digest = {{"path", "datapackage.json"},
                 {"hash", "sha256:" + Sha256Hex(datapackage)}};
  ROTGUARD_RETURN_IF_ERROR(
      (*zip)->Add("datapackage-digest.json", digest.dump(2) + "\n", mtime));
  return (*zip)->Finish();
}

}  // namespace rotguard
