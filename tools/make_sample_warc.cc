// make_sample_warc DIR: writes one WARC file into DIR (created if missing)
// through rotguard's WarcWriter, with every record type and the bodies that
// are easy to get wrong, then prints the file's path. Used by the demo and
// by the inspect/interop tests.
//
// Records (after the warcinfo the writer puts first):
//   request+response  https://example.com/                 text/html, 200
//   request+response  https://ift.tt/31zykrh              301 redirect
//   request+response  https://example.com/article          chunked on the wire
//   request+response  https://example.com/empty            204, empty body
//   request+response  https://example.com/data.bin         binary body
//   request+response  https://1.bp.blogspot.com/.../s1600/… incompressible JPEG
//   request+revisit   https://1.bp.blogspot.com/.../s640/…  same payload
//   request+response  https://example.com/style.css        Content-Encoding:
//   gzip resource          file:content/posts/hello.md          the post itself
//   metadata          about the first exchange
#include <libdeflate.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <initializer_list>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>

#include "rotguard/status.h"
#include "rotguard/warc_writer.h"
#include "util/handles.h"

namespace rotguard::sample {
namespace {

using Clock = std::chrono::system_clock;

// 2020-02-08T10:00:00Z, the date of the post that started rotguard.
constexpr int64_t kFirstCaptureEpoch = 1581156000;

Clock::time_point CaptureTime(int seconds_later) {
  return Clock::time_point(
      std::chrono::seconds(kFirstCaptureEpoch + seconds_later));
}

WarcCapture Capture(std::string uri, int seconds_later) {
  WarcCapture capture;
  capture.target_uri = std::move(uri);
  capture.ip_address = "127.0.0.1";
  capture.date = CaptureTime(seconds_later);
  return capture;
}

std::string Request(std::string_view host, std::string_view path) {
  return "GET " + std::string(path) +
         " HTTP/1.1\r\nHost: " + std::string(host) +
         "\r\nUser-Agent: rotguard-sample/1\r\nAccept: */*\r\n"
         "Accept-Encoding: gzip\r\n\r\n";
}

std::string Head(std::string_view status_line, std::string_view headers) {
  return std::string(status_line) + "\r\n" + std::string(headers) + "\r\n";
}

std::string WithLength(std::string_view content_type, size_t length) {
  return "Content-Type: " + std::string(content_type) +
         "\r\nContent-Length: " + std::to_string(length) + "\r\n";
}

// Bytes that do not compress, like a real JPEG: xorshift64 output behind a
// JPEG start-of-image marker.
std::string IncompressibleJpeg(size_t size) {
  std::string bytes = "\xff\xd8\xff\xe0";
  uint64_t state = 0x9e3779b97f4a7c15ULL;
  while (bytes.size() < size) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    bytes.push_back(static_cast<char>(state & 0xff));
  }
  return bytes;
}

std::string AllByteValues(int repeats) {
  std::string bytes;
  for (int r = 0; r < repeats; ++r) {
    for (int value = 0; value < 256; ++value) {
      bytes.push_back(static_cast<char>(value));
    }
  }
  return bytes;
}

Result<std::string> Gzip(std::string_view data) {
  CompressorPtr compressor(libdeflate_alloc_compressor(6));
  if (!compressor)
    return Status::Internal("libdeflate_alloc_compressor failed");
  std::string out(libdeflate_gzip_compress_bound(compressor.get(), data.size()),
                  '\0');
  size_t size = libdeflate_gzip_compress(compressor.get(), data.data(),
                                         data.size(), out.data(), out.size());
  if (size == 0) return Status::Internal("libdeflate_gzip_compress failed");
  out.resize(size);
  return out;
}

// Writes one request/response pair whose body arrives in `pieces`.
Result<WarcExchangeLocations> WriteExchange(
    WarcWriter& writer, const WarcCapture& capture, std::string_view request,
    std::string head, WarcBodyTransfer transfer,
    std::initializer_list<std::string_view> pieces) {
  WarcHttpResponse response = writer.NewResponse(std::move(head), transfer);
  for (std::string_view piece : pieces) {
    ROTGUARD_RETURN_IF_ERROR(response.AppendBody(piece));
  }
  return writer.WriteExchange(capture, request, response);
}

Status WriteHomePage(WarcWriter& writer, std::string* response_id) {
  std::string_view page =
      "<!doctype html><title>Example</title>"
      "<a href=\"https://ift.tt/31zykrh\">news</a>"
      "<img src=\"https://1.bp.blogspot.com/-Fx/s640/coronavirus.jpg\">\n";
  Result<WarcExchangeLocations> written = WriteExchange(
      writer, Capture("https://example.com/", 0), Request("example.com", "/"),
      Head("HTTP/1.1 200 OK",
           WithLength("text/html; charset=utf-8", page.size())),
      WarcBodyTransfer::kDecoded, {page});
  if (!written.ok()) return written.status();
  *response_id = written->response.record_id;
  return Status::Ok();
}

Status WriteRedirect(WarcWriter& writer) {
  std::string_view page = "<a href=\"https://example.com/article\">moved</a>\n";
  return WriteExchange(writer, Capture("https://ift.tt/31zykrh", 1),
                       Request("ift.tt", "/31zykrh"),
                       Head("HTTP/1.1 301 Moved Permanently",
                            "Location: https://example.com/article\r\n" +
                                WithLength("text/html", page.size())),
                       WarcBodyTransfer::kDecoded, {page})
      .status();
}

// HTTP/1.1 chunked framing of `chunks`, with a last-chunk and no trailer.
std::string ChunkFramed(std::initializer_list<std::string_view> chunks) {
  std::string framed;
  for (std::string_view chunk : chunks) {
    char size_line[32];
    std::snprintf(size_line, sizeof size_line, "%zx\r\n", chunk.size());
    framed += size_line;
    framed += chunk;
    framed += "\r\n";
  }
  return framed + "0\r\n\r\n";
}

// The body arrives with its chunk framing, in 7-byte reads, so chunk-size
// lines are split across AppendBody calls as they are on a real socket.
Status WriteChunkedArticle(WarcWriter& writer) {
  std::string framed =
      ChunkFramed({"<!doctype html><p>Hackers hit again</p>",
                   "<p>More at eleven.</p>\n", "<!-- end -->\n"});
  WarcHttpResponse response =
      writer.NewResponse(Head("HTTP/1.1 200 OK",
                              "Content-Type: text/html; charset=utf-8\r\n"
                              "Transfer-Encoding: chunked\r\n"),
                         WarcBodyTransfer::kAsReceived);
  constexpr size_t kReadSize = 7;
  for (size_t at = 0; at < framed.size(); at += kReadSize) {
    ROTGUARD_RETURN_IF_ERROR(
        response.AppendBody(std::string_view(framed).substr(at, kReadSize)));
  }
  return writer
      .WriteExchange(Capture("https://example.com/article", 2),
                     Request("example.com", "/article"), response)
      .status();
}

Status WriteEmpty(WarcWriter& writer) {
  return WriteExchange(writer, Capture("https://example.com/empty", 3),
                       Request("example.com", "/empty"),
                       Head("HTTP/1.1 204 No Content", ""),
                       WarcBodyTransfer::kDecoded, {})
      .status();
}

Status WriteBinary(WarcWriter& writer) {
  std::string bytes = AllByteValues(16);
  return WriteExchange(
             writer, Capture("https://example.com/data.bin", 4),
             Request("example.com", "/data.bin"),
             Head("HTTP/1.1 200 OK",
                  WithLength("application/octet-stream", bytes.size())),
             WarcBodyTransfer::kDecoded, {bytes})
      .status();
}

// The s1600 image, then the s640 variant with the same bytes as a revisit
// (Blogger serves size variants of one asset).
Status WriteImageAndRevisit(WarcWriter& writer) {
  std::string jpeg = IncompressibleJpeg(48 * 1024);
  std::string head =
      Head("HTTP/1.1 200 OK", WithLength("image/jpeg", jpeg.size()));
  Result<WarcExchangeLocations> original = WriteExchange(
      writer, Capture("https://1.bp.blogspot.com/-Fx/s1600/coronavirus.jpg", 5),
      Request("1.bp.blogspot.com", "/-Fx/s1600/coronavirus.jpg"), head,
      WarcBodyTransfer::kDecoded, {jpeg});
  if (!original.ok()) return original.status();

  const WarcRecordLocation& first = original->response;
  WarcRevisitOf revisit_of;
  revisit_of.record_id = first.record_id;
  revisit_of.target_uri = first.target_uri;
  revisit_of.date = first.date;
  revisit_of.payload_digest = first.payload_digest;
  revisit_of.payload_sha256 = first.payload_sha256;
  revisit_of.payload_length = first.payload_length;
  WarcHttpResponse again = writer.NewResponse(head, WarcBodyTransfer::kDecoded);
  ROTGUARD_RETURN_IF_ERROR(again.AppendBody(jpeg));
  return writer
      .WriteRevisit(
          Capture("https://1.bp.blogspot.com/-Fx/s640/coronavirus.jpg", 6),
          Request("1.bp.blogspot.com", "/-Fx/s640/coronavirus.jpg"), again,
          revisit_of)
      .status();
}

Status WriteGzipStylesheet(WarcWriter& writer) {
  Result<std::string> css = Gzip(
      "body { font-family: serif; }\n"
      "p { margin: 0 0 1em; }\n");
  if (!css.ok()) return css.status();
  return WriteExchange(
             writer, Capture("https://example.com/style.css", 7),
             Request("example.com", "/style.css"),
             Head("HTTP/1.1 200 OK",
                  "Content-Encoding: gzip\r\nVary: Accept-Encoding\r\n" +
                      WithLength("text/css", css->size())),
             WarcBodyTransfer::kDecoded, {*css})
      .status();
}

Status WritePost(WarcWriter& writer) {
  std::string_view post =
      "---\ntitle: \"Hackers hit again\"\ndate: 2020-02-08T10:00:00Z\n---\n"
      "[![](https://1.bp.blogspot.com/-Fx/s640/coronavirus.jpg)]"
      "(https://1.bp.blogspot.com/-Fx/s1600/coronavirus.jpg)\n\n"
      "from E Hacking News https://ift.tt/31zykrh\n";
  WarcCapture capture = Capture("file:content/posts/hello.md", 8);
  capture.ip_address.clear();
  return writer.WriteResource(capture, "text/markdown; charset=utf-8", post)
      .status();
}

Status WriteCrawlMetadata(WarcWriter& writer, const std::string& about) {
  WarcFields fields;
  fields.Add("via", "file:content/posts/hello.md");
  fields.Add("hopsFromSeed", "L");
  fields.Add("fetchTimeMs", "12");
  WarcMetadataLink link;
  link.concurrent_to = about;
  WarcCapture capture = Capture("https://example.com/", 0);
  capture.ip_address.clear();
  return writer.WriteMetadata(capture, link, fields).status();
}

Result<std::filesystem::path> WriteSample(const std::filesystem::path& dir) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) return Status::IOError(dir.string() + ": " + error.message());

  WarcWriterOptions options;
  options.directory = dir;
  options.prefix = "sample";
  options.hostname = "sample";
  options.software = "rotguard make_sample_warc";
  options.user_agent = "rotguard-sample/1";
  options.is_part_of = "rotguard sample";
  Result<std::unique_ptr<WarcWriter>> opened = WarcWriter::Open(options);
  if (!opened.ok()) return opened.status();
  WarcWriter& writer = **opened;

  std::string home_response_id;
  ROTGUARD_RETURN_IF_ERROR(WriteHomePage(writer, &home_response_id));
  ROTGUARD_RETURN_IF_ERROR(WriteRedirect(writer));
  ROTGUARD_RETURN_IF_ERROR(WriteChunkedArticle(writer));
  ROTGUARD_RETURN_IF_ERROR(WriteEmpty(writer));
  ROTGUARD_RETURN_IF_ERROR(WriteBinary(writer));
  ROTGUARD_RETURN_IF_ERROR(WriteImageAndRevisit(writer));
  ROTGUARD_RETURN_IF_ERROR(WriteGzipStylesheet(writer));
  ROTGUARD_RETURN_IF_ERROR(WritePost(writer));
  ROTGUARD_RETURN_IF_ERROR(WriteCrawlMetadata(writer, home_response_id));
  std::string name = writer.current_file_name();
  ROTGUARD_RETURN_IF_ERROR(writer.Close());
  return dir / name;
}

}  // namespace
}  // namespace rotguard::sample

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: make_sample_warc DIR\n"
                 "Writes a WARC with every record type into DIR and prints "
                 "its path.\n";
    return 1;
  }
  rotguard::Result<std::filesystem::path> written =
      rotguard::sample::WriteSample(argv[1]);
  if (!written.ok()) {
    std::cerr << "make_sample_warc: " << written.status().message() << '\n';
    return 5;
  }
  std::cout << written->string() << '\n';
  return 0;
}
