// Builds small stores for the restore tests: WARC records written with
// WarcWriter into <store>/warc/, their records and captures committed with
// Manifest::CommitBatch (with redirect chains and revisits as the archive
// writes them), documents and links with RecordScans.
#ifndef ROTGUARD_TESTS_UNIT_RESTORE_TEST_STORE_H_
#define ROTGUARD_TESTS_UNIT_RESTORE_TEST_STORE_H_

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "rotguard/archive.h"
#include "rotguard/store.h"
#include "rotguard/url.h"
#include "rotguard/warc_writer.h"
#include "unit/temp_dir.h"
#include "util/digest.h"

namespace rotguard::testing {

class TestStore {
 public:
  TestStore() {
    root_ = dir_.path() / "store";
    EXPECT_TRUE(Store::Init(root_).ok());
    StoreOptions options;
    options.log_to_file = false;
    auto opened = Store::Open(root_, LockMode::kExclusive, options);
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(*opened);
    WarcWriterOptions w;
    w.directory = store_->warc_dir();
    w.hostname = "test";
    w.on_warcinfo = [this](const WarcRecordLocation& l) { AddRecord(l); };
    w.on_file_closed = [this](const WarcFileSummary& s) {
      closed_.push_back(s);
    };
    auto writer = WarcWriter::Open(w);
    EXPECT_TRUE(writer.ok());
    writer_ = std::move(*writer);
  }

  Store& store() { return *store_; }
  Manifest& manifest() { return store_->manifest(); }
  std::filesystem::path warc_dir() const { return store_->warc_dir(); }
  const std::filesystem::path& dir() const { return dir_.path(); }

  static std::chrono::system_clock::time_point At(int64_t unix_seconds) {
    return std::chrono::system_clock::time_point(
        std::chrono::seconds(unix_seconds));
  }

  // A GET exchange; `head` is the response head without the blank line.
  CaptureRow AddResponse(const std::string& url, const std::string& head,
                         const std::string& body, int64_t unix_seconds,
                         const std::string& chain_id = "", int hop = 0,
                         const std::string& final_url = "") {
    WarcHttpResponse response =
        writer_->NewResponse(head + "\r\n\r\n", WarcBodyTransfer::kDecoded);
    EXPECT_TRUE(response.AppendBody(body).ok());
    WarcCapture capture{url, "", "", At(unix_seconds), "", ""};
    auto locations = writer_->WriteExchange(capture, Request(url), response);
    EXPECT_TRUE(locations.ok()) << locations.status().ToString();
    AddRecord(locations->request);
    AddRecord(locations->response);
    return AddCapture(locations->response, url, head, unix_seconds, chain_id,
                      hop, final_url.empty() ? url : final_url, "");
  }

  CaptureRow AddRevisit(const std::string& url, const std::string& head,
                        const CaptureRow& original, int64_t unix_seconds) {
    WarcHttpResponse response =
        writer_->NewResponse(head + "\r\n\r\n", WarcBodyTransfer::kDecoded);
    EXPECT_TRUE(response.FinishBody().ok());
    WarcRevisitOf of;
    of.record_id = original.record_id;
    of.target_uri = original.url;
    of.date = FormatWarcDate(At(original.captured_at_us / 1000000));
    of.payload_digest = "sha1:" + original.payload_sha1;
    of.payload_sha256 = original.payload_sha256;
    of.payload_length = static_cast<uint64_t>(original.payload_length);
    WarcCapture capture{url, "", "", At(unix_seconds), "", ""};
    auto locations = writer_->WriteRevisit(capture, Request(url), response, of);
    EXPECT_TRUE(locations.ok()) << locations.status().ToString();
    AddRecord(locations->request);
    AddRecord(locations->response);
    return AddCapture(locations->response, url, head, unix_seconds, "", 0, url,
                      original.record_id);
  }

  CaptureRow AddResource(const std::string& uri, const std::string& type,
                         const std::string& bytes, int64_t unix_seconds) {
    WarcCapture capture{uri, "", "", At(unix_seconds), "", ""};
    auto location = writer_->WriteResource(capture, type, bytes);
    EXPECT_TRUE(location.ok()) << location.status().ToString();
    AddRecord(*location);
    AddCapture(*location, uri, "", unix_seconds, "", 0, uri, "");
    captures_.back().content_type = type;
    captures_.back().source = "post";
    return captures_.back();
  }

  // A resource record with a records row but no capture, as the browser
  // lane writes its DOM snapshot, screenshot and thumbnail.
  RecordRow AddRecordOnly(const std::string& uri, const std::string& type,
                          const std::string& bytes, int64_t unix_seconds) {
    WarcCapture capture{uri, "", "", At(unix_seconds), "", ""};
    auto location = writer_->WriteResource(capture, type, bytes);
    EXPECT_TRUE(location.ok()) << location.status().ToString();
    AddRecord(*location);
    return records_.back();
  }

  // The capture added last, to change before Commit() (source, quality).
  CaptureRow& last_capture() { return captures_.back(); }

  // Closes the WARC and commits every row.
  void Commit() {
    ASSERT_TRUE(writer_->Close().ok());
    for (const WarcFileSummary& s : closed_) {
      WarcFileRow row;
      row.name = s.file_name;
      row.created_unix = 1;
      ASSERT_TRUE(manifest().AddWarcFile(row).ok());
      ASSERT_TRUE(manifest()
                      .CloseWarcFile(s.file_name, static_cast<int64_t>(s.size),
                                     s.sha256,
                                     static_cast<int64_t>(s.record_count))
                      .ok());
    }
    Status st = manifest().CommitBatch(records_, captures_, {});
    ASSERT_TRUE(st.ok()) << st.ToString();
  }

 private:
  static std::string Request(const std::string& url) {
    return "GET / HTTP/1.1\r\nHost: x\r\nX-Url: " + url + "\r\n\r\n";
  }

  void AddRecord(const WarcRecordLocation& l) {
    records_.push_back(RecordRowOf(l));
  }

  CaptureRow AddCapture(const WarcRecordLocation& l, const std::string& url,
                        const std::string& head, int64_t unix_seconds,
                        const std::string& chain_id, int hop,
                        const std::string& final_url,
                        const std::string& revisit_of) {
    CaptureRow c;
    c.url = url;
    c.normalized = NormalizeUrl(url).value_or("");
    c.captured_at_us = unix_seconds * 1000000;
    c.http_status = head.size() > 12 ? std::stoi(head.substr(9, 3)) : 0;
    c.final_url = final_url;
    c.chain_id = chain_id;
    c.hop_index = hop;
    c.warc_file = l.file_name;
    c.record_offset = static_cast<int64_t>(l.offset);
    c.compressed_length = static_cast<int64_t>(l.compressed_length);
    c.record_id = l.record_id;
    c.block_sha1 = l.block_digest.substr(5);
    c.payload_sha1 =
        l.payload_digest.size() > 5 ? l.payload_digest.substr(5) : "";
    c.payload_sha256 = l.payload_sha256;
    size_t type_at = head.find("Content-Type: ");
    if (type_at != std::string::npos) {
      size_t end = head.find("\r\n", type_at);
      c.content_type = head.substr(type_at + 14, end - type_at - 14);
    }
    c.payload_length = static_cast<int64_t>(l.payload_length);
    c.revisit_of = revisit_of;
    c.source = "live";
    captures_.push_back(c);
    return c;
  }

  TempDir dir_;
  std::filesystem::path root_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<WarcWriter> writer_;
  std::vector<RecordRow> records_;
  std::vector<CaptureRow> captures_;
  std::vector<WarcFileSummary> closed_;
};

}  // namespace rotguard::testing

#endif  // ROTGUARD_TESTS_UNIT_RESTORE_TEST_STORE_H_
