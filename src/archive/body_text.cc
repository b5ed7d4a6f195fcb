#include "archive/body_text.h"

#include <zlib.h>

#include <string>
#include <string_view>

#include "util/ascii.h"

namespace rotguard::archiver {
namespace {

// zlib's inflate state, ended when it goes out of scope.
class Inflater {
 public:
  explicit Inflater(int window_bits) {
    ok_ = inflateInit2(&stream_, window_bits) == Z_OK;
  }
  Inflater(const Inflater&) = delete;
  Inflater& operator=(const Inflater&) = delete;
  ~Inflater() {
    if (ok_) inflateEnd(&stream_);
  }
  bool ok() const { return ok_; }

  // Inflates `input` into `*out` up to `limit` bytes; false on bad data.
  bool Feed(std::string_view input, size_t limit, std::string* out,
            bool* done) {
    stream_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
    stream_.avail_in = static_cast<uInt>(input.size());
    char buffer[64 * 1024];
    while (!*done && out->size() < limit &&
           (stream_.avail_in > 0 || stream_.avail_out == 0)) {
      stream_.next_out = reinterpret_cast<Bytef*>(buffer);
      stream_.avail_out = sizeof buffer;
      int rc = inflate(&stream_, Z_NO_FLUSH);
      if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) return false;
      size_t produced = sizeof buffer - stream_.avail_out;
      out->append(buffer, std::min(produced, limit - out->size()));
      if (rc == Z_STREAM_END) *done = true;
      if (rc == Z_BUF_ERROR) break;  // needs more input
    }
    return true;
  }

 private:
  z_stream stream_{};
  bool ok_ = false;
};

}  // namespace

std::string HeaderValue(std::string_view head, std::string_view name) {
  size_t pos = head.find("\r\n");
  while (pos != std::string_view::npos && pos + 2 < head.size()) {
    size_t start = pos + 2;
    size_t end = head.find("\r\n", start);
    if (end == std::string_view::npos) end = head.size();
    std::string_view line = head.substr(start, end - start);
    size_t colon = line.find(':');
    if (colon != std::string_view::npos &&
        EqualsIgnoreCase(TrimHeaderSpace(line.substr(0, colon)), name)) {
      return std::string(TrimHeaderSpace(line.substr(colon + 1)));
    }
    pos = end;
  }
  return "";
}

std::string MediaType(std::string_view content_type) {
  std::string_view type = content_type.substr(0, content_type.find(';'));
  return AsciiLowercase(TrimHeaderSpace(type));
}

Result<std::string> DecodedPayload(const ResponseBody& response, size_t limit) {
  std::string coding =
      AsciiLowercase(HeaderValue(response.head(), "Content-Encoding"));
  std::string out;
  if (coding.empty() || coding == "identity") {
    Status status = response.ForEachBodyChunk([&](std::string_view chunk) {
      out.append(chunk.substr(0, std::min(chunk.size(), limit - out.size())));
      return Status::Ok();
    });
    if (!status.ok()) return status;
    return out;
  }
  if (coding != "gzip" && coding != "x-gzip" && coding != "deflate") {
    return Status::NotSupported("content coding '" + coding + "'");
  }
  // 15 + 32: zlib or gzip header, detected (servers mislabel deflate).
  Inflater inflater(15 + 32);
  if (!inflater.ok()) return Status::Internal("inflateInit2 failed");
  bool done = false;
  Status status = response.ForEachBodyChunk([&](std::string_view chunk) {
    if (done || out.size() >= limit) return Status::Ok();
    if (!inflater.Feed(chunk, limit, &out, &done)) {
      return Status::Corruption("bad " + coding + " body");
    }
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return out;
}

}  // namespace rotguard::archiver
