// CDXJ and CDX11 export (SPEC §13 "CDXJ"). The rules copy warcio.js
// 2.4.11's CDXIndexer (dist/cli.js): which records are indexed
// (filterRecord), the "mime" field (getField), JSON.stringify output with
// status/length/offset as strings; the lines are then sorted bytewise as
// LC_ALL=C sort does (warcio itself prints them in file order).
#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "restore/sorted_lines.h"
#include "rotguard/export.h"
#include "rotguard/http_head.h"
#include "rotguard/url.h"
#include "rotguard/warc_reader.h"
#include "util/ascii.h"

namespace rotguard {
namespace {

// Appends the ASCII byte `c` as JSON.stringify writes it: the short
// escapes, \u00XX for other control characters, everything else as is.
void AppendJsonAscii(unsigned char c, std::string* out) {
  switch (c) {
    case '"':
      *out += "\\\"";
      break;
    case '\\':
      *out += "\\\\";
      break;
    case '\b':
      *out += "\\b";
      break;
    case '\f':
      *out += "\\f";
      break;
    case '\n':
      *out += "\\n";
      break;
    case '\r':
      *out += "\\r";
      break;
    case '\t':
      *out += "\\t";
      break;
    default:
      if (c < 0x20) {
        constexpr char kHex[] = "0123456789abcdef";
        *out += "\\u00";
        out->push_back(kHex[c >> 4]);
        out->push_back(kHex[c & 0xf]);
      } else {
        out->push_back(static_cast<char>(c));
      }
  }
}

// The UTF-8 sequence whose lead byte (>= 0x80) is s[i], read the way the
// WHATWG UTF-8 decoder (warcio's TextDecoder) reads it: either valid, or
// the bytes that one U+FFFD replaces: the lead byte and the continuation
// bytes that could still have completed it (its "maximal subpart"), so
// "\xE2\x82A" is one U+FFFD and "A", and "\xF8\x80" two U+FFFD.
struct Utf8Sequence {
  size_t length;
  bool valid;
};

Utf8Sequence ReadUtf8Sequence(std::string_view s, size_t i) {
  auto lead = static_cast<unsigned char>(s[i]);
  size_t needed = 0;
  unsigned char lower = 0x80;  // the range of the next byte
  unsigned char upper = 0xbf;
  if (lead >= 0xc2 && lead <= 0xdf) {
    needed = 1;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    needed = 2;
    if (lead == 0xe0) lower = 0xa0;  // overlong
    if (lead == 0xed) upper = 0x9f;  // surrogates
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    needed = 3;
    if (lead == 0xf0) lower = 0x90;  // overlong
    if (lead == 0xf4) upper = 0x8f;  // above U+10FFFF
  } else {
    return {1, false};
  }
  for (size_t k = 1; k <= needed; ++k) {
    if (i + k >= s.size()) return {k, false};
    auto c = static_cast<unsigned char>(s[i + k]);
    if (c < lower || c > upper) return {k, false};
    lower = 0x80;
    upper = 0xbf;
  }
  return {needed + 1, true};
}

// Appends `s` as a JSON string the way JSON.stringify writes it. Bytes
// that are not valid UTF-8 become U+FFFD, as warcio's TextDecoder makes
// them before stringify sees them.
void AppendJsonString(std::string_view s, std::string* out) {
  out->push_back('"');
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      AppendJsonAscii(c, out);
      ++i;
    } else {
      Utf8Sequence sequence = ReadUtf8Sequence(s, i);
      if (sequence.valid) {
        out->append(s.substr(i, sequence.length));
      } else {
        *out += "\xEF\xBF\xBD";
      }
      i += sequence.length;
    }
  }
  out->push_back('"');
}

// warcio: warcDate with '-', ':' and 'T' removed, first 14 characters.
std::string Timestamp14(std::string_view date) {
  std::string digits;
  for (char c : date) {
    if (c != '-' && c != ':' && c != 'T') digits.push_back(c);
  }
  if (digits.size() > 14) digits.resize(14);
  return digits;
}

std::string DigestWithoutLabel(std::string_view digest) {
  size_t colon = digest.find(':');
  if (colon == std::string_view::npos) return "";
  // warcio: split(":", 2)[1] — up to the next colon.
  std::string_view rest = digest.substr(colon + 1);
  return std::string(rest.substr(0, rest.find(':')));
}

// warcio: content-type.split(";", 1)[0].trim(); an empty type is no type.
std::string MimeOfContentType(std::string_view content_type) {
  std::string_view head = content_type.substr(0, content_type.find(';'));
  while (!head.empty() && (head.front() == ' ' || head.front() == '\t')) {
    head.remove_prefix(1);
  }
  while (!head.empty() && (head.back() == ' ' || head.back() == '\t')) {
    head.remove_suffix(1);
  }
  return std::string(head);
}

// mime as warcio computes it for a record of `type`.
std::string MimeFor(const std::string& type, const std::string& http_type,
                    const std::string& warc_type) {
  if (type == "revisit") return "warc/revisit";
  if (type == "response" || type == "request") {
    return MimeOfContentType(http_type);
  }
  return warc_type;
}

// warcio writes the base name of the file it indexed.
std::string FileNameOf(const std::string& warc_file) {
  return warc_file.substr(warc_file.rfind('/') + 1);
}

// ARC files (.arc, .arc.gz) carry no digests: their captures' payload
// sha1, computed at import, is the CDX digest (as pywb's indexers do).
bool IsArcFileName(std::string_view name) {
  return name.ends_with(".arc") || name.ends_with(".arc.gz");
}

struct FileKey {
  std::string file;
  int64_t offset;
  bool operator<(const FileKey& o) const {
    return std::tie(file, offset) < std::tie(o.file, o.offset);
  }
};

// Fills mime and status of `entry` from the record's own headers.
Status ReadHeadersFromWarc(WarcReader& reader, CdxEntry* entry,
                           std::string* warc_content_type) {
  ROTGUARD_RETURN_IF_ERROR(reader.Seek(static_cast<uint64_t>(entry->offset)));
  Result<bool> more = reader.Next();
  if (!more.ok()) return more.status();
  if (!*more) {
    return Status::Corruption(entry->warc_file + ": no record at offset " +
                              std::to_string(entry->offset));
  }
  const WarcRecordInfo& info = reader.record();
  *warc_content_type = info.content_type;
  std::string http_type;
  if (info.is_http && info.http_head_length > 0 &&
      info.http_head_length < (1u << 20)) {
    std::string head(info.http_head_length, '\0');
    size_t got = 0;
    while (got < head.size()) {
      Result<size_t> n = reader.ReadBlock(head.data() + got, head.size() - got);
      if (!n.ok()) return n.status();
      if (*n == 0) break;
      got += *n;
    }
    head.resize(got);
    warc::FindHeader(head, "Content-Type", &http_type);
  }
  entry->mime = MimeFor(entry->type, http_type, info.content_type);
  if (info.is_http && (entry->type == "response" || entry->type == "revisit")) {
    entry->http_status = info.http_status;
  }
  return Status::Ok();
}

}  // namespace

bool IsIndexedRecord(const std::string& type,
                     const std::string& warc_content_type) {
  if (type == "request" || type == "warcinfo") return false;
  if ((type == "metadata" || type == "resource") &&
      warc_content_type == "application/warc-fields") {
    return false;
  }
  return true;
}

std::string CdxjLine(const CdxEntry& entry) {
  std::string line = Surt(entry.target_uri);
  line += ' ';
  line += Timestamp14(entry.date);
  line += " {";
  bool first = true;
  auto key = [&](const char* name) {
    if (!first) line += ',';
    first = false;
    line += '"';
    line += name;
    line += "\":";
  };
  if (!entry.target_uri.empty()) {
    key("url");
    AppendJsonString(entry.target_uri, &line);
  }
  if (!entry.mime.empty()) {
    key("mime");
    AppendJsonString(entry.mime, &line);
  }
  if (entry.http_status != 0) {
    key("status");
    AppendJsonString(std::to_string(entry.http_status), &line);
  }
  std::string digest = DigestWithoutLabel(entry.payload_digest);
  if (!entry.payload_digest.empty()) {
    key("digest");
    AppendJsonString(digest, &line);
  }
  key("length");
  AppendJsonString(std::to_string(entry.length), &line);
  key("offset");
  AppendJsonString(std::to_string(entry.offset), &line);
  key("filename");
  AppendJsonString(FileNameOf(entry.warc_file), &line);
  line += '}';
  return line;
}

namespace {

// CDX11 fields are separated by spaces: a field must hold none. A
// resource record's mime is its whole WARC Content-Type
// ("text/html; charset=utf-8"); the field takes the media type before
// ';', as pywb's indexer does, with any space left percent-encoded.
std::string Cdx11Field(std::string_view value) {
  std::string field;
  for (char c : value) {
    if (c == ' ') {
      field += "%20";
    } else if (c == '\t' || c == '\r' || c == '\n') {
      field += c == '\t' ? "%09" : c == '\r' ? "%0D" : "%0A";
    } else {
      field += c;
    }
  }
  return field.empty() ? "-" : field;
}

std::string Cdx11Mime(std::string_view mime) {
  mime = mime.substr(0, mime.find(';'));
  while (!mime.empty() && (mime.back() == ' ' || mime.back() == '\t')) {
    mime.remove_suffix(1);
  }
  return Cdx11Field(mime);
}

}  // namespace

std::string Cdx11Line(const CdxEntry& entry) {
  auto or_dash = [](const std::string& v) { return v.empty() ? "-" : v; };
  std::string line = Cdx11Field(Surt(entry.target_uri));
  line += ' ' + Timestamp14(entry.date);
  line += ' ' + Cdx11Field(entry.target_uri);
  line += ' ' + Cdx11Mime(entry.mime);
  line += ' ' + (entry.http_status ? std::to_string(entry.http_status) : "-");
  line += ' ' + or_dash(DigestWithoutLabel(entry.payload_digest));
  line += " - -";  // redirect, meta tags
  line += ' ' + std::to_string(entry.length);
  line += ' ' + std::to_string(entry.offset);
  line += ' ' + or_dash(FileNameOf(entry.warc_file));
  return line;
}

namespace {

// The captures of one file, stepped alongside its records (both by
// offset): the first capture at a record's offset, as ListCaptures()'s
// first-by-id was.
class CaptureCursor {
 public:
  explicit CaptureCursor(std::unique_ptr<RowCursor<CaptureRow>> rows)
      : rows_(std::move(rows)) {}

  Result<const CaptureRow*> At(int64_t offset) {
    while (!done_ && (!loaded_ || current_.record_offset < offset)) {
      Result<bool> more = rows_->Next(&current_);
      if (!more.ok()) return more.status();
      done_ = !*more;
      loaded_ = *more;
    }
    if (loaded_ && current_.record_offset == offset) return &current_;
    return nullptr;
  }

 private:
  std::unique_ptr<RowCursor<CaptureRow>> rows_;
  CaptureRow current_;
  bool loaded_ = false;
  bool done_ = false;
};

// The index entry of record `r` of `file`, from its capture when there is
// one, else from the record's own headers (reader opened on first need).
// False when warcio would not index the record.
Result<bool> EntryOf(const std::string& file, const RecordRow& r,
                     const CaptureRow* capture,
                     const std::filesystem::path& warc_dir,
                     std::unique_ptr<WarcReader>* reader, CdxEntry* entry) {
  if (r.lost || r.forgotten || r.type == "request" || r.type == "warcinfo") {
    return false;
  }
  *entry = CdxEntry{};
  entry->warc_file = file;
  entry->offset = r.offset;
  entry->length = r.compressed_length;
  entry->type = r.type;
  entry->target_uri = r.target_uri;
  entry->date = r.date;
  entry->payload_digest = r.payload_digest;
  std::string warc_content_type;
  bool http_type = r.type == "response" || r.type == "revisit";
  if (capture != nullptr && (http_type || r.type == "resource")) {
    const CaptureRow& c = *capture;
    warc_content_type = http_type ? "" : c.content_type;
    entry->mime = MimeFor(r.type, c.content_type, c.content_type);
    entry->http_status = http_type ? c.http_status : 0;
    if (entry->payload_digest.empty() && IsArcFileName(file) &&
        !c.payload_sha1.empty()) {
      entry->payload_digest = "sha1:" + c.payload_sha1;
    }
  } else {
    if (!*reader) {
      WarcReaderOptions options;
      options.verify_digests = false;
      auto opened = WarcReader::Open(warc_dir / file, options);
      if (!opened.ok()) return opened.status();
      *reader = std::move(*opened);
    }
    ROTGUARD_RETURN_IF_ERROR(
        ReadHeadersFromWarc(**reader, entry, &warc_content_type));
  }
  return IsIndexedRecord(r.type, warc_content_type);
}

Status ForEachEntryOfFile(Manifest& manifest, const std::string& file,
                          const std::filesystem::path& warc_dir,
                          const std::function<Status(CdxEntry&)>& fn) {
  auto records = manifest.OpenRecordsOf(file);
  if (!records.ok()) return records.status();
  auto captures = manifest.OpenCapturesOf(file);
  if (!captures.ok()) return captures.status();
  CaptureCursor capture_at(std::move(*captures));
  std::unique_ptr<WarcReader> reader;
  RecordRow r;
  CdxEntry entry;
  for (;;) {
    Result<bool> more = (*records)->Next(&r);
    if (!more.ok()) return more.status();
    if (!*more) return Status::Ok();
    Result<const CaptureRow*> capture = capture_at.At(r.offset);
    if (!capture.ok()) return capture.status();
    Result<bool> indexed =
        EntryOf(file, r, *capture, warc_dir, &reader, &entry);
    if (!indexed.ok()) return indexed.status();
    if (*indexed) ROTGUARD_RETURN_IF_ERROR(fn(entry));
  }
}

}  // namespace

Status ForEachCdxEntry(Manifest& manifest,
                       const std::filesystem::path& warc_dir,
                       const std::function<Status(CdxEntry&)>& fn) {
  Result<std::vector<WarcFileRow>> files = manifest.ListWarcFiles();
  if (!files.ok()) return files.status();
  for (const WarcFileRow& file : *files) {
    ROTGUARD_RETURN_IF_ERROR(
        ForEachEntryOfFile(manifest, file.name, warc_dir, fn));
  }
  return Status::Ok();
}

Result<std::vector<CdxEntry>> CollectCdxEntries(
    Manifest& manifest, const std::filesystem::path& warc_dir) {
  std::vector<CdxEntry> entries;
  Status status =
      ForEachCdxEntry(manifest, warc_dir, [&entries](CdxEntry& entry) {
        entries.push_back(std::move(entry));
        return Status::Ok();
      });
  if (!status.ok()) return status;
  return entries;
}

Status WriteCdxIndex(Manifest& manifest, const std::filesystem::path& warc_dir,
                     CdxFormat format, const std::filesystem::path& temp_dir,
                     const std::function<Status(std::string_view)>& out,
                     size_t memory_budget) {
  restore::ExternalLineSorter sorter(temp_dir, memory_budget);
  ROTGUARD_RETURN_IF_ERROR(
      ForEachCdxEntry(manifest, warc_dir, [&](CdxEntry& entry) {
        return sorter.Add(format == CdxFormat::kCdxj ? CdxjLine(entry)
                                                     : Cdx11Line(entry));
      }));
  if (format == CdxFormat::kCdx11) {
    ROTGUARD_RETURN_IF_ERROR(out(" CDX N b a m s k r M S V g\n"));
  }
  // Lines go out in pieces of about 1 MiB, not one write each.
  std::string pending;
  ROTGUARD_RETURN_IF_ERROR(sorter.Finish([&](std::string_view line) {
    pending.append(line);
    pending.push_back('\n');
    if (pending.size() < (1u << 20)) return Status::Ok();
    Status status = out(pending);
    pending.clear();
    return status;
  }));
  return pending.empty() ? Status::Ok() : out(pending);
}

namespace {
std::string SortedLines(std::vector<std::string> lines) {
  std::sort(lines.begin(), lines.end());
  std::string out;
  for (const std::string& l : lines) {
    out += l;
    out += '\n';
  }
  return out;
}
}  // namespace

std::string RenderCdxj(const std::vector<CdxEntry>& entries) {
  std::vector<std::string> lines;
  lines.reserve(entries.size());
  for (const CdxEntry& e : entries) lines.push_back(CdxjLine(e));
  return SortedLines(std::move(lines));
}

std::string RenderCdx11(const std::vector<CdxEntry>& entries) {
  std::vector<std::string> lines;
  lines.reserve(entries.size());
  for (const CdxEntry& e : entries) lines.push_back(Cdx11Line(e));
  return " CDX N b a m s k r M S V g\n" + SortedLines(std::move(lines));
}

}  // namespace rotguard
