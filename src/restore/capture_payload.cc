// Choosing a capture and reading its payload back (SPEC §13 "restore
// layout": latest 2xx by default, --at nearest; extract follows the
// recorded redirect chain, resolves revisits and decodes content coding).

#include "restore/capture_payload.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rotguard/content_coding.h"
#include "rotguard/copy_choice.h"
#include "rotguard/http_head.h"
#include "rotguard/restore.h"
#include "rotguard/url.h"
#include "rotguard/warc_reader.h"
#include "util/ascii.h"
#include "util/digits.h"
#include "util/time_format.h"

namespace rotguard {
namespace {

constexpr int kMaxHops = 20;

bool IsRedirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 ||
         status == 308;
}

bool IsGood(const CaptureRow& c) {
  return c.http_status == 0 || (c.http_status >= 200 && c.http_status < 400);
}

int64_t Distance(int64_t a, int64_t b) { return a > b ? a - b : b - a; }

// When a copy shows the page: a public-archive memento's own datetime,
// not when rotguard fetched it.
int64_t CopyTime(const CaptureRow& c) {
  return IsPublicArchiveCopy(c) && c.memento_at_us != 0 ? c.memento_at_us
                                                        : c.captured_at_us;
}

// The capture to use among `captures` (oldest first, none lost). A
// public-archive copy only where the link has no own 2xx capture.
const CaptureRow* Choose(const std::vector<CaptureRow>& all,
                         std::optional<int64_t> at_us) {
  const CaptureRow* best = nullptr;
  if (at_us) {
    bool own_good = std::any_of(all.begin(), all.end(), [](const auto& c) {
      return !IsPublicArchiveCopy(c) && IsGoodCopy(c);
    });
    for (const CaptureRow& c : all) {
      if (!IsGood(c) || (own_good && IsPublicArchiveCopy(c))) continue;
      if (!best ||
          Distance(CopyTime(c), *at_us) < Distance(CopyTime(*best), *at_us)) {
        best = &c;
      }
    }
    return best;
  }
  for (const CaptureRow& c : all) {  // latest own 2xx (or non-HTTP)
    if (IsPublicArchiveCopy(c)) continue;
    if (c.http_status == 0 || (c.http_status >= 200 && c.http_status < 300)) {
      best = &c;
    }
  }
  if (best) return best;
  best = BestPublicCopy(all);
  if (best) return best;
  for (const CaptureRow& c : all) {
    if (IsRedirect(c.http_status)) best = &c;
  }
  return best;
}

Result<std::vector<CaptureRow>> LiveCapturesOf(Manifest& manifest,
                                               const std::string& url) {
  std::string key = NormalizeUrl(url).value_or(url);
  Result<std::vector<CaptureRow>> captures = manifest.CapturesOf(key);
  if (!captures.ok()) return captures.status();
  if (captures->empty() && key != url) {
    captures = manifest.CapturesOf(url);
    if (!captures.ok()) return captures.status();
  }
  std::vector<CaptureRow> live;
  for (CaptureRow& c : *captures) {
    if (!c.lost) live.push_back(std::move(c));
  }
  return live;
}

// The next hop of a redirect capture, or nullopt when it was not captured.
Result<std::optional<CaptureRow>> NextHop(Manifest& manifest,
                                          const std::filesystem::path& warc_dir,
                                          const CaptureRow& hop) {
  if (!hop.chain_id.empty() && !hop.final_url.empty() &&
      hop.final_url != hop.url) {
    Result<std::vector<CaptureRow>> finals =
        LiveCapturesOf(manifest, hop.final_url);
    if (!finals.ok()) return finals.status();
    const CaptureRow* last = nullptr;
    for (const CaptureRow& c : *finals) {
      if (c.chain_id == hop.chain_id && c.hop_index > hop.hop_index &&
          (!last || c.hop_index > last->hop_index)) {
        last = &c;
      }
    }
    if (last) return std::optional<CaptureRow>(*last);
  }
  // No recorded chain (e.g. an imported WARC): follow Location to the
  // capture of the target nearest in time.
  Result<CapturePayload> payload = ReadCaptureHead(manifest, warc_dir, hop);
  if (!payload.ok()) return payload.status();
  if (payload->location.empty()) return std::optional<CaptureRow>();
  std::optional<std::string> target = ResolveUrl(hop.url, payload->location);
  if (!target) return std::optional<CaptureRow>();
  Result<std::vector<CaptureRow>> captures = LiveCapturesOf(manifest, *target);
  if (!captures.ok()) return captures.status();
  const CaptureRow* next = Choose(*captures, hop.captured_at_us);
  if (!next) return std::optional<CaptureRow>();
  return std::optional<CaptureRow>(*next);
}

// Receives the record's payload (transfer coding removed, content coding
// as stored) after `head` was filled from its headers.
using RawPayloadSink =
    std::function<Status(const CapturePayload& head, std::string_view bytes)>;

// Positions `reader` on the record at `offset`.
Status SeekRecord(WarcReader& reader, const std::filesystem::path& path,
                  int64_t offset) {
  ROTGUARD_RETURN_IF_ERROR(reader.Seek(static_cast<uint64_t>(offset)));
  Result<bool> more = reader.Next();
  if (!more.ok()) return more.status();
  if (!*more) {
    return Status::Corruption(path.string() + ": no record at offset " +
                              std::to_string(offset));
  }
  return Status::Ok();
}

// Fills `out` from the HTTP head of the current record. ReadPayload goes
// on right after it: no second seek, which would inflate the member again.
Status ReadHttpHead(WarcReader& reader, CapturePayload* out) {
  const uint64_t head_length = reader.record().http_head_length;
  std::string head;
  char buf[16384];
  while (head.size() < head_length) {
    Result<size_t> n = reader.ReadBlock(
        buf, std::min<size_t>(sizeof buf, head_length - head.size()));
    if (!n.ok()) return n.status();
    if (*n == 0) break;
    head.append(buf, *n);
  }
  out->content_type.clear();
  warc::FindHeader(head, "Content-Type", &out->content_type);
  warc::FindHeader(head, "Content-Encoding", &out->content_encoding);
  warc::FindHeader(head, "Location", &out->location);
  return Status::Ok();
}

WarcReaderOptions UncheckedReading() {
  WarcReaderOptions options;
  options.verify_digests = false;
  return options;
}

// Reads the head of the record at `offset` into `out`, then streams its
// payload to `sink` (none: the head only), through `readers` when given.
// Memory does not grow with the payload.
Status ReadRecord(const std::filesystem::path& path, int64_t offset,
                  CapturePayload* out, const RawPayloadSink* sink,
                  restore::WarcReaders* readers = nullptr) {
  std::unique_ptr<WarcReader> owned;
  WarcReader* held = nullptr;
  if (readers) {
    Result<WarcReader*> got = readers->Get(path);
    if (!got.ok()) return got.status();
    held = *got;
  } else {
    Result<std::unique_ptr<WarcReader>> opened =
        WarcReader::Open(path, UncheckedReading());
    if (!opened.ok()) return opened.status();
    owned = std::move(opened).value();
    held = owned.get();
  }
  WarcReader& reader = *held;
  ROTGUARD_RETURN_IF_ERROR(SeekRecord(reader, path, offset));
  const WarcRecordInfo& info = reader.record();
  out->content_type = info.content_type;
  out->truncated = info.fields.Get("WARC-Truncated");
  out->stored_size = info.content_length > info.http_head_length
                         ? info.content_length - info.http_head_length
                         : 0;
  if (info.is_http && info.http_head_length > 0) {
    ROTGUARD_RETURN_IF_ERROR(ReadHttpHead(reader, out));
  }
  if (sink == nullptr) return Status::Ok();
  // Not zeroed: a vector's 64 KiB memset per record showed in profiles.
  constexpr size_t kBufSize = 65536;
  std::unique_ptr<char[]> buf =
      std::make_unique_for_overwrite<char[]>(kBufSize);
  while (true) {
    Result<size_t> n = reader.ReadPayload(buf.get(), kBufSize);
    if (!n.ok()) return n.status();
    if (*n == 0) break;
    ROTGUARD_RETURN_IF_ERROR((*sink)(*out, std::string_view(buf.get(), *n)));
  }
  return Status::Ok();
}

// The record that holds `capture`'s payload: a revisit's original.
Result<CaptureRow> PayloadRecord(Manifest& manifest,
                                 const CaptureRow& capture) {
  if (capture.revisit_of.empty()) return capture;
  Result<std::optional<CaptureRow>> found =
      manifest.FindCaptureByPayloadSha1(capture.payload_sha1);
  if (!found.ok()) return found.status();
  if (*found) return std::move(**found);
  // The original's capture may be gone (`forget`) while its record, and
  // the bytes, stay until a purge.
  Result<std::optional<RecordRow>> record =
      manifest.FindRecordById(capture.revisit_of);
  if (!record.ok()) return record.status();
  if (!*record || (*record)->lost) {
    return Status::NotFound(capture.url + ": revisit of " + capture.revisit_of +
                            ", whose record is not in the store");
  }
  CaptureRow original = capture;
  original.revisit_of.clear();
  original.warc_file = (*record)->warc_file;
  original.record_offset = (*record)->offset;
  original.compressed_length = (*record)->compressed_length;
  original.record_id = (*record)->record_id;
  return original;
}

// A decoding failure of `url`'s payload, named for the user.
Status DecodeError(const std::string& url, const Status& status,
                   uint64_t limit) {
  switch (status.code()) {
    case ErrorCode::kNotSupported:
      return Status::NotSupported(url + ": " + status.message());
    case ErrorCode::kResourceExhausted:
      return Status::ResourceExhausted(
          url + ": decoded body larger than " + std::to_string(limit) +
          " bytes (--max-decoded-size); not written");
    default:
      return Status::Corruption(url + ": " + status.message());
  }
}

// An RFC 3339 zone ("Z", "+02:00", "-05:30") as microseconds east of UTC.
std::optional<int64_t> ZoneOffsetMicros(std::string_view zone) {
  if (zone == "Z" || zone == "z") return 0;
  if (zone.size() != 6 || (zone[0] != '+' && zone[0] != '-') ||
      !AllAsciiDigits(zone.substr(1, 2)) || zone[3] != ':' ||
      !AllAsciiDigits(zone.substr(4, 2))) {
    return std::nullopt;
  }
  int64_t offset_us = (DigitsToInt(zone.substr(1, 2)) * 3600LL +
                       DigitsToInt(zone.substr(4, 2)) * 60LL) *
                      1000000;
  return zone[0] == '-' ? -offset_us : offset_us;
}

}  // namespace

Result<int64_t> ParseCaptureTime(std::string_view text) {
  auto bad = [&] {
    return Status::InvalidArgument(
        "--at '" + std::string(text) +
        "': expected 4-14 digits (YYYY[MM[DD[hh[mm[ss]]]]]) or RFC 3339 "
        "(2020-02-08T10:00:00Z)");
  };
  if (AllAsciiDigits(text)) {
    if (text.size() < 4 || text.size() > 14 || text.size() % 2 != 0) {
      return bad();
    }
    std::string full(text);
    full += std::string_view("0101000000").substr(full.size() - 4);
    std::optional<int64_t> us = UtcCalendarMicros(
        DigitsToInt(full.substr(0, 4)), DigitsToInt(full.substr(4, 2)),
        DigitsToInt(full.substr(6, 2)), DigitsToInt(full.substr(8, 2)),
        DigitsToInt(full.substr(10, 2)), DigitsToInt(full.substr(12, 2)));
    if (!us) return bad();
    return *us;
  }
  // RFC 3339: YYYY-MM-DD[Tt ]hh:mm:ss[.frac](Z|±hh:mm)
  if (text.size() < 20) return bad();
  std::string_view d = text;
  auto digits_at = [&](size_t pos, size_t n) {
    return AllAsciiDigits(d.substr(pos, n));
  };
  if (!digits_at(0, 4) || d[4] != '-' || !digits_at(5, 2) || d[7] != '-' ||
      !digits_at(8, 2) || (d[10] != 'T' && d[10] != 't' && d[10] != ' ') ||
      !digits_at(11, 2) || d[13] != ':' || !digits_at(14, 2) || d[16] != ':' ||
      !digits_at(17, 2)) {
    return bad();
  }
  std::optional<int64_t> us = UtcCalendarMicros(
      DigitsToInt(d.substr(0, 4)), DigitsToInt(d.substr(5, 2)),
      DigitsToInt(d.substr(8, 2)), DigitsToInt(d.substr(11, 2)),
      DigitsToInt(d.substr(14, 2)), DigitsToInt(d.substr(17, 2)));
  if (!us) return bad();
  size_t pos = 19;
  int64_t fraction_us = 0;
  if (pos < d.size() && d[pos] == '.') {
    ++pos;
    int64_t scale = 100000;
    size_t start = pos;
    while (pos < d.size() && d[pos] >= '0' && d[pos] <= '9') {
      fraction_us += (d[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) return bad();
  }
  std::optional<int64_t> offset_us = ZoneOffsetMicros(d.substr(pos));
  if (!offset_us) return bad();
  return *us + fraction_us - *offset_us;
}

Result<ResolvedCapture> ResolveCapture(Manifest& manifest,
                                       const std::filesystem::path& warc_dir,
                                       const std::string& url,
                                       std::optional<int64_t> at_us) {
  Result<std::vector<CaptureRow>> captures = LiveCapturesOf(manifest, url);
  if (!captures.ok()) return captures.status();
  const CaptureRow* chosen = Choose(*captures, at_us);
  if (!chosen) return Status::NotFound(url + ": no capture in the store");
  ResolvedCapture resolved;
  resolved.hops.push_back(*chosen);
  while (IsRedirect(resolved.final_capture().http_status)) {
    if (static_cast<int>(resolved.hops.size()) > kMaxHops) {
      return Status::NotFound(url + ": more than " + std::to_string(kMaxHops) +
                              " recorded redirects");
    }
    Result<std::optional<CaptureRow>> next =
        NextHop(manifest, warc_dir, resolved.final_capture());
    if (!next.ok()) return next.status();
    if (!*next) {
      const CaptureRow& last = resolved.final_capture();
      return Status::NotFound(url + ": redirects (" +
                              std::to_string(last.http_status) + " at " +
                              last.url + ") to a page never captured");
    }
    resolved.hops.push_back(std::move(**next));
  }
  return resolved;
}

uint64_t DecodedSizeLimit(uint64_t configured, uint64_t stored_size) {
  if (configured > 0) return configured;
  constexpr uint64_t kFloor = uint64_t{1} << 30;
  constexpr uint64_t kRatio = 200;
  if (stored_size > kFloor / kRatio) return stored_size * kRatio;
  return kFloor;
}

namespace restore {

Result<WarcReader*> WarcReaders::Get(const std::filesystem::path& path) {
  auto it = open_.find(path.string());
  if (it != open_.end()) return it->second.get();
  if (open_.size() >= kMaxOpen) open_.clear();
  Result<std::unique_ptr<WarcReader>> opened =
      WarcReader::Open(path, UncheckedReading());
  if (!opened.ok()) return opened.status();
  WarcReader* reader = opened->get();
  open_.emplace(path.string(), std::move(opened).value());
  return reader;
}

Result<CaptureRow> PayloadRecordOf(Manifest& manifest,
                                   const CaptureRow& capture) {
  return PayloadRecord(manifest, capture);
}

Result<CapturePayload> StreamRecordPayload(
    const std::filesystem::path& warc_dir, const CaptureRow& capture,
    const CaptureRow& record, const PayloadReadOptions& options,
    const DecodedSink& sink, WarcReaders* readers) {
  CapturePayload head;
  std::unique_ptr<ContentDecoder> decoder;
  uint64_t limit = 0;
  // Made once the head is known, before the first payload byte (or at the
  // end for an empty payload).
  auto make_decoder = [&](const CapturePayload& h) -> Status {
    limit = DecodedSizeLimit(options.max_decoded, h.stored_size);
    ContentDecodeLimits limits;
    limits.max_decoded = limit;
    // A cut capture decodes as far as it goes.
    limits.allow_early_end = !h.truncated.empty();
    Result<std::unique_ptr<ContentDecoder>> created = ContentDecoder::Create(
        options.decode_content ? h.content_encoding : "", limits);
    if (!created.ok()) return DecodeError(capture.url, created.status(), 0);
    decoder = std::move(created).value();
    return Status::Ok();
  };
  Status sink_status;
  const DecodedSink counted_sink = [&](std::string_view bytes) {
    sink_status = sink(bytes);
    return sink_status;
  };
  const RawPayloadSink raw = [&](const CapturePayload& h,
                                 std::string_view bytes) -> Status {
    if (!decoder) ROTGUARD_RETURN_IF_ERROR(make_decoder(h));
    Status fed = decoder->Feed(bytes, counted_sink);
    if (fed.ok() || !sink_status.ok()) return fed;  // the sink's own error
    return DecodeError(capture.url, fed, limit);
  };
  ROTGUARD_RETURN_IF_ERROR(ReadRecord(
      warc_dir / record.warc_file, record.record_offset, &head, &raw, readers));
  if (!decoder) ROTGUARD_RETURN_IF_ERROR(make_decoder(head));
  Status finished = decoder->Finish();
  if (!finished.ok()) return DecodeError(capture.url, finished, limit);
  if (options.decode_content) head.content_encoding.clear();
  return head;
}

}  // namespace restore

Result<CapturePayload> StreamCapturePayload(
    Manifest& manifest, const std::filesystem::path& warc_dir,
    const CaptureRow& capture, const PayloadReadOptions& options,
    const DecodedSink& sink) {
  Result<CaptureRow> record = PayloadRecord(manifest, capture);
  if (!record.ok()) return record.status();
  return restore::StreamRecordPayload(warc_dir, capture, *record, options,
                                      sink);
}

Result<CapturePayload> ReadCaptureHead(Manifest& manifest,
                                       const std::filesystem::path& warc_dir,
                                       const CaptureRow& capture) {
  Result<CaptureRow> record = PayloadRecord(manifest, capture);
  if (!record.ok()) return record.status();
  CapturePayload head;
  ROTGUARD_RETURN_IF_ERROR(ReadRecord(warc_dir / record->warc_file,
                                      record->record_offset, &head, nullptr));
  return head;
}

Result<CapturePayload> ReadCapturePayload(Manifest& manifest,
                                          const std::filesystem::path& warc_dir,
                                          const CaptureRow& capture,
                                          bool decode_content,
                                          uint64_t max_decoded) {
  std::string bytes;
  PayloadReadOptions options;
  options.decode_content = decode_content;
  options.max_decoded = max_decoded;
  Result<CapturePayload> payload = StreamCapturePayload(
      manifest, warc_dir, capture, options, [&bytes](std::string_view chunk) {
        bytes.append(chunk);
        return Status::Ok();
      });
  if (!payload.ok()) return payload.status();
  payload->bytes = std::move(bytes);
  return payload;
}

Result<std::string> DecodeContentEncoding(std::string_view body,
                                          std::string_view coding) {
  return DecodeContent(coding, body);
}

}  // namespace rotguard
