// Standard exports of the store (SPEC §8, §13 "CDXJ"): a CDXJ index
// byte-identical to warcio.js 2.4.11 `cdx-index --format cdxj` (after
// LC_ALL=C sorting), and CDX11 for OutbackCDX / wayback.
#ifndef ROTGUARD_EXPORT_H_
#define ROTGUARD_EXPORT_H_

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "rotguard/env.h"
#include "rotguard/manifest.h"
#include "rotguard/status.h"

namespace rotguard {

// What an index line needs to know about one WARC record.
struct CdxEntry {
  // Name relative to <store>/warc/; lines carry its base name ("filename"),
  // as warcio writes the base name of the file it indexed.
  std::string warc_file;
  int64_t offset = 0;
  int64_t length = 0;  // compressed length of the record's member
  std::string type;    // WARC-Type
  std::string target_uri;
  std::string date;            // WARC-Date as written
  std::string payload_digest;  // "sha1:BASE32" as written, "" if absent
  // warcio's "mime": "warc/revisit" for revisits, the HTTP Content-Type
  // (before ';', trimmed) for responses, the WARC Content-Type otherwise.
  // "" leaves the key out.
  std::string mime;
  int http_status = 0;  // 0 leaves the key out (non-HTTP records)
};

// True when warcio's cdx-index would index a record of this type and WARC
// Content-Type (no request, warcinfo, or warc-fields metadata/resource).
bool IsIndexedRecord(const std::string& type,
                     const std::string& warc_content_type);

// One CDXJ line without its newline:
// `SURT TIMESTAMP14 {"url":…,"mime":…,"status":…,"digest":…,"length":…,
// "offset":…,"filename":…}` with JSON.stringify escaping.
std::string CdxjLine(const CdxEntry& entry);

// One CDX11 line (" CDX N b a m s k r M S V g" field order, "-" for empty).
std::string Cdx11Line(const CdxEntry& entry);

// The index entries of every record in the store that warcio would index,
// from the manifest's records and captures; record headers are read from
// the WARC only for records without a capture (metadata, foreign types).
// `warc_dir` is <store>/warc.
Result<std::vector<CdxEntry>> CollectCdxEntries(
    Manifest& manifest, const std::filesystem::path& warc_dir);

// CollectCdxEntries() one entry at a time, file by file in offset order,
// stepping the manifest's records and captures with cursors: memory does
// not grow with the record count. `fn`'s first error stops the walk.
Status ForEachCdxEntry(Manifest& manifest,
                       const std::filesystem::path& warc_dir,
                       const std::function<Status(CdxEntry&)>& fn);

enum class CdxFormat { kCdxj, kCdx11 };

// The bytes RenderCdxj() / RenderCdx11() would give for the whole store,
// handed to `out` in pieces, with memory bounded by `memory_budget`: lines
// past it are sorted in runs spilled to files in `temp_dir` (removed
// again) and merged.
Status WriteCdxIndex(Manifest& manifest, const std::filesystem::path& warc_dir,
                     CdxFormat format, const std::filesystem::path& temp_dir,
                     const std::function<Status(std::string_view)>& out,
                     size_t memory_budget = 4u << 20);

// Sorted CDXJ (LC_ALL=C byte order), one line per entry, "\n" after each.
std::string RenderCdxj(const std::vector<CdxEntry>& entries);
// Sorted CDX11 with its " CDX N b a m s k r M S V g" header line.
std::string RenderCdx11(const std::vector<CdxEntry>& entries);

// --- WACZ 1.1.1 ---
struct WaczOptions {
  std::string software;  // "": "rotguard/<version>"
  std::string title = "rotguard export";
  int64_t created_unix = 0;  // 0: now
  // OUT.tmp is written, synced and renamed through it (tests inject faults).
  Env* env = Env::Default();
};
// Writes a WACZ (zip) of every WARC of the store to `out`: OUT.tmp first,
// fsynced, then renamed over OUT and the directory synced. On any error
// OUT is untouched and OUT.tmp removed.
Status WriteWacz(Manifest& manifest, const std::filesystem::path& warc_dir,
                 const std::filesystem::path& out, const WaczOptions& options);

}  // namespace rotguard

#endif  // ROTGUARD_EXPORT_H_
