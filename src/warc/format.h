// The WARC record format as rotguard writes and reads it.
//
// Grammar (WARC 1.1 §4, ISO 28500:2017):
//
//   warc-file   = 1*warc-record
//   warc-record = version CRLF *named-field CRLF block CRLF CRLF
//   version     = "WARC/1.1"            (the reader also accepts "WARC/1.0")
//   named-field = field-name ":" [ field-value ] CRLF   (never folded)
//   block       = Content-Length octets
//
// In a .warc.gz file every record is one gzip member (RFC 1952), the
// trailing CRLF CRLF inside the member; the members are concatenated, so a
// record's (offset, compressed length) is itself a valid .gz file. Member
// headers are plain: no FEXTRA, no FNAME.
//
// rotguard's writer profile (reference/warc.md §1.15):
//   - every file starts with a warcinfo record (application/warc-fields,
//     WARC-Filename); every other record carries WARC-Warcinfo-ID;
//   - WARC-Record-ID is <urn:uuid:v4>; WARC-Date is UTC with microseconds;
//   - an exchange is a request + response pair, same WARC-Date and
//     WARC-Target-URI, linked both ways by WARC-Concurrent-To, in one file;
//     Content-Type: application/http; msgtype=request|response;
//   - WARC-Block-Digest on every record; WARC-Payload-Digest on request,
//     response, revisit and resource; both "sha1:" + uppercase Base32;
//   - HTTP bodies are stored without transfer coding: a chunked body is
//     de-chunked, the header renamed X-Orig-Transfer-Encoding and
//     Content-Length set to the decoded length; Content-Encoding is kept;
//   - revisits use the 1.1 identical-payload-digest profile, keep the HTTP
//     head (WARC-Truncated: length) and name the original with
//     WARC-Refers-To, -Target-URI and -Date;
//   - files are rotguard-YYYYMMDDhhmmss-NNNNN-HOST.warc.gz, written as
//     "<name>.open" and renamed on close, rolled before max size; a record
//     is never split.
#ifndef ROTGUARD_WARC_FORMAT_H_
#define ROTGUARD_WARC_FORMAT_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace rotguard::warc {

inline constexpr std::string_view kVersion11 = "WARC/1.1";
inline constexpr std::string_view kVersion10 = "WARC/1.0";
inline constexpr std::string_view kCrlf = "\r\n";
inline constexpr std::string_view kRecordTrailer = "\r\n\r\n";

inline constexpr std::string_view kTypeWarcinfo = "warcinfo";
inline constexpr std::string_view kTypeRequest = "request";
inline constexpr std::string_view kTypeResponse = "response";
inline constexpr std::string_view kTypeRevisit = "revisit";
inline constexpr std::string_view kTypeResource = "resource";
inline constexpr std::string_view kTypeMetadata = "metadata";

inline constexpr std::string_view kHttpRequestType =
    "application/http; msgtype=request";
inline constexpr std::string_view kHttpResponseType =
    "application/http; msgtype=response";
inline constexpr std::string_view kWarcFieldsType = "application/warc-fields";

inline constexpr std::string_view kRevisitProfile =
    "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest";
inline constexpr std::string_view kConformsTo =
    "http://iipc.github.io/warc-specifications/specifications/warc-format/"
    "warc-1.1/";
inline constexpr std::string_view kFormat = "WARC file version 1.1";

inline constexpr std::string_view kOpenSuffix = ".open";
inline constexpr std::string_view kFileExtension = ".warc.gz";

// gzip member magic (RFC 1952): ID1 ID2 CM=deflate.
inline constexpr std::string_view kGzipMagic("\x1f\x8b\x08", 3);

// Reader limits against hostile input.
inline constexpr size_t kMaxHeaderBytes = size_t{1} << 20;    // WARC head
inline constexpr size_t kMaxHttpHeadBytes = size_t{1} << 20;  // HTTP head
inline constexpr size_t kReadChunk = size_t{64} << 10;
// Writer: chunk size when streaming a spooled body.
inline constexpr size_t kSpoolChunk = size_t{256} << 10;

}  // namespace rotguard::warc

#endif  // ROTGUARD_WARC_FORMAT_H_
