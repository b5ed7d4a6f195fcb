// Rows for manifest tests: a link, a document, a WARC file, a record and
// a capture with plausible values.
#ifndef ROTGUARD_TESTS_UNIT_MANIFEST_MANIFEST_ROWS_H_
#define ROTGUARD_TESTS_UNIT_MANIFEST_MANIFEST_ROWS_H_

#include <cstdint>
#include <string>

#include "rotguard/manifest.h"

namespace rotguard::testing {

inline LinkRow MakeLink(const std::string& url, int64_t start) {
  LinkRow link;
  link.kind = "link";
  link.written = url;
  link.url = url;
  link.normalized = url;
  link.line = 1;
  link.column = static_cast<int>(start) + 1;
  link.start = start;
  link.end = start + static_cast<int64_t>(url.size());
  return link;
}

inline DocumentRow MakeDocument(const std::string& path,
                                const std::string& sha256, int64_t scanned) {
  DocumentRow doc;
  doc.path = path;
  doc.sha256 = sha256;
  doc.title = "Coronavirus";
  doc.date = "2020-02-08";
  doc.draft = false;
  doc.last_scanned_unix = scanned;
  return doc;
}

inline WarcFileRow MakeWarcFile(const std::string& name) {
  WarcFileRow file;
  file.name = name;
  file.created_unix = 1700000000;
  return file;
}

inline RecordRow MakeRecord(const std::string& file, int64_t offset) {
  RecordRow record;
  record.warc_file = file;
  record.offset = offset;
  record.compressed_length = 100;
  record.type = "response";
  record.record_id = "<urn:uuid:" + std::to_string(offset) + ">";
  record.target_uri = "https://example.com/";
  return record;
}

inline CaptureRow MakeCapture(const std::string& file, int64_t offset,
                              const std::string& sha1) {
  CaptureRow capture;
  capture.url = "https://example.com/" + std::to_string(offset);
  capture.normalized = capture.url;
  capture.captured_at_us = 1700000000000000 + offset;
  capture.http_status = 200;
  capture.warc_file = file;
  capture.record_offset = offset;
  capture.compressed_length = 100;
  capture.record_id = "<urn:uuid:" + std::to_string(offset) + ">";
  capture.payload_sha1 = sha1;
  capture.payload_length = 4096;
  return capture;
}

}  // namespace rotguard::testing

#endif  // ROTGUARD_TESTS_UNIT_MANIFEST_MANIFEST_ROWS_H_
