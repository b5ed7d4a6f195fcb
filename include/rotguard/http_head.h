// Small helpers over an HTTP/1.x message head (start line, header lines,
// blank line) as stored in a WARC block.
#ifndef ROTGUARD_HTTP_HEAD_H_
#define ROTGUARD_HTTP_HEAD_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace rotguard::warc {

// Length of the head (through the blank line, CRLF CRLF or LF LF) at the
// start of `data`, or 0 when no blank line is found.
size_t FindHeadEnd(std::string_view data);

// The head's first line without its line end.
std::string_view StartLine(std::string_view head);

// Value of the first header `name` (case-insensitive), trimmed; false
// when absent.
bool FindHeader(std::string_view head, std::string_view name,
                std::string* value);

// Transfer-Encoding lists "chunked".
bool HeadSaysChunked(std::string_view head);

// "HTTP/1.1 404 Not Found" → 404; 0 when not a status line.
int ParseStatusCode(std::string_view start_line);

// The head as rotguard stores it once the body is de-chunked:
// Transfer-Encoding renamed X-Orig-Transfer-Encoding, every Content-Length
// replaced by one with `decoded_length`. Line ends become CRLF.
std::string HeadWithoutTransferCoding(std::string_view head,
                                      uint64_t decoded_length);

}  // namespace rotguard::warc

#endif  // ROTGUARD_HTTP_HEAD_H_
