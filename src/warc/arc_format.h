// The ARC format (the Internet Archive's before WARC), as the reader reads
// it: "ARC File Format" version 1 (ARC 1.0 "1 0", ARC 1.1 "1 1", which
// adds XML metadata to the file header) and version 2 (ten fields).
//
//   arc-file   = version-block *url-record
//   version-block = "filedesc://" NAME SP IP SP DATE SP TYPE SP LENGTH LF
//                   "1 0 ORIGIN" LF FIELD-NAMES LF [XML metadata]
//                   (LENGTH bytes from "1 0" on)  LF
//   url-record = URL SP IP SP DATE SP TYPE SP LENGTH LF   (version 1)
//              | URL SP IP SP DATE SP TYPE SP RESULT SP CHECKSUM SP
//                LOCATION SP OFFSET SP FILENAME SP LENGTH LF  (version 2)
//                LENGTH bytes of content (an HTTP response for http URLs)
//                LF
//
// DATE is 14 digits (YYYYMMDDhhmmss, UTC). In .arc.gz every record is one
// gzip member, as in .warc.gz. ARC carries no digests and no record ids.
#ifndef ROTGUARD_WARC_ARC_FORMAT_H_
#define ROTGUARD_WARC_ARC_FORMAT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace rotguard::warc {

inline constexpr std::string_view kArcMagic = "filedesc://";
inline constexpr size_t kArcMaxHeaderLine = size_t{64} << 10;

struct ArcHeader {
  std::string url;
  std::string ip;
  std::string date;  // 14 digits
  std::string content_type;
  uint64_t length = 0;
  // Version 2 only ("-" when unknown there, "" in version 1).
  std::string result_code;
  std::string checksum;
  std::string location;
  std::string offset;
  std::string filename;
};

// What the version block says about the file.
struct ArcFileInfo {
  std::string version = "ARC/1.0";  // "ARC/<major>.<minor>"
  size_t field_count = 5;           // 5 (version 1) or 10 (version 2)
  std::string filedesc_line;        // the file's first line
};

// Parses one header line (without its LF) of `field_count` fields. A URL
// with spaces in it (some crawlers wrote them) is taken whole: the other
// fields are counted from the end. Returns "" or what is wrong.
std::string ParseArcHeaderLine(std::string_view line, size_t field_count,
                               ArcHeader* out);

// The version block at the start of an ARC file (the filedesc line and
// what follows, as far as `start` holds it).
ArcFileInfo ParseArcFileInfo(std::string_view start);

// "19961104142103" → "1996-11-04T14:21:03Z".
std::string ArcDateToWarc(std::string_view date14);

}  // namespace rotguard::warc

#endif  // ROTGUARD_WARC_ARC_FORMAT_H_
