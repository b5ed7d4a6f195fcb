// Reading a captured body for parsing (page requisites): headers of the
// stored head, and the payload with its gzip/deflate content coding
// removed, up to a limit.
#ifndef ROTGUARD_ARCHIVE_BODY_TEXT_H_
#define ROTGUARD_ARCHIVE_BODY_TEXT_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "rotguard/response_body.h"
#include "rotguard/status.h"

namespace rotguard::archiver {

// First value of header `name` (case-insensitive) in an HTTP head, trimmed;
// "" when absent.
std::string HeaderValue(std::string_view head, std::string_view name);

// The media type of a Content-Type value, lowercase, without parameters.
std::string MediaType(std::string_view content_type);
// `media_type` (as MediaType gives it) is text/html or
// application/xhtml+xml.
bool IsHtmlMediaType(std::string_view media_type);

// The payload decoded for parsing: gzip / x-gzip / deflate / br content
// coding removed; at most `limit` decoded bytes (the rest is dropped); a
// body cut short gives what could be decoded. Corruption when the
// compressed bytes are malformed, NotSupported for an unknown coding.
Result<std::string> DecodedPayload(const ResponseBody& response, size_t limit);

}  // namespace rotguard::archiver

#endif  // ROTGUARD_ARCHIVE_BODY_TEXT_H_
