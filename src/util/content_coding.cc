// Content decoding: zlib (gzip, deflate) and brotli behind one streaming
// interface with a limit on the decoded size (rotguard/content_coding.h).
#include "rotguard/content_coding.h"

#include <brotli/decode.h>

#include <algorithm>
#include <memory>
#include <string>

#include "util/ascii.h"
#include "util/zlib_stream.h"

namespace rotguard {
namespace {

constexpr size_t kOutputBuffer = 64 * 1024;
// zlib counts input in uInt: feed it at most this much per call.
constexpr size_t kMaxZlibInput = size_t{1} << 30;

// Delivers decoded bytes to the sink within the limit.
class LimitedOutput {
 public:
  explicit LimitedOutput(const ContentDecodeLimits& limits) : limits_(limits) {}

  Status Deliver(std::string_view bytes, const DecodedSink& sink) {
    if (stopped_ || bytes.empty()) return Status::Ok();
    const uint64_t room = limits_.max_decoded - decoded_;
    if (bytes.size() > room) {
      if (!limits_.stop_at_limit) {
        return Status::ResourceExhausted("decoded size exceeds the limit of " +
                                         std::to_string(limits_.max_decoded) +
                                         " bytes");
      }
      bytes = bytes.substr(0, room);
      stopped_ = true;
    }
    decoded_ += bytes.size();
    return bytes.empty() ? Status::Ok() : sink(bytes);
  }

  bool stopped() const { return stopped_; }
  uint64_t decoded() const { return decoded_; }
  const ContentDecodeLimits& limits() const { return limits_; }

 private:
  ContentDecodeLimits limits_;
  uint64_t decoded_ = 0;
  bool stopped_ = false;
};

class IdentityDecoder final : public ContentDecoder {
 public:
  explicit IdentityDecoder(const ContentDecodeLimits& limits) : out_(limits) {}
  Status Feed(std::string_view coded, const DecodedSink& sink) override {
    return out_.Deliver(coded, sink);
  }
  Status Finish() override { return Status::Ok(); }
  bool stopped() const override { return out_.stopped(); }
  uint64_t decoded() const override { return out_.decoded(); }

 private:
  LimitedOutput out_;
};

// gzip (concatenated members) and deflate. For deflate the first two bytes
// tell a zlib header from raw deflate (RFC 1950 §2.2: CM 8, FCHECK).
class ZlibDecoder final : public ContentDecoder {
 public:
  ZlibDecoder(bool gzip, const ContentDecodeLimits& limits)
      : gzip_(gzip), out_(limits) {}

  Status Feed(std::string_view coded, const DecodedSink& sink) override {
    while (!coded.empty() && !out_.stopped()) {
      std::string_view piece = coded.substr(0, kMaxZlibInput);
      coded.remove_prefix(piece.size());
      ROTGUARD_RETURN_IF_ERROR(FeedPiece(piece, sink));
    }
    return Status::Ok();
  }

  Status Finish() override {
    if (out_.stopped() || out_.limits().allow_early_end) return Status::Ok();
    if (!started_ && pending_.empty()) {
      return Status::Corruption("compressed body is empty");
    }
    if (!pending_.empty() || !at_member_end_) {
      return Status::Corruption("compressed body ends early");
    }
    return Status::Ok();
  }
  bool stopped() const override { return out_.stopped(); }
  uint64_t decoded() const override { return out_.decoded(); }

 private:
  Status Start(std::string_view first_bytes) {
    int window_bits = 15 + 16;
    if (!gzip_) {
      // Servers label gzip data "deflate" too: the gzip magic wins.
      const auto b0 = static_cast<unsigned char>(first_bytes[0]);
      const auto b1 = static_cast<unsigned char>(first_bytes[1]);
      const bool gzip_magic = b0 == 0x1f && b1 == 0x8b;
      const bool zlib_header = (b0 & 0x0f) == 8 && (b0 * 256 + b1) % 31 == 0;
      window_bits = gzip_magic ? 15 + 16 : zlib_header ? 15 : -15;
    }
    members_ = window_bits == 15 + 16;
    if (!z_.InitInflate(window_bits)) {
      return Status::Internal("zlib: inflateInit2 failed");
    }
    started_ = true;
    return Status::Ok();
  }

  Status FeedPiece(std::string_view piece, const DecodedSink& sink) {
    if (!started_) {
      // deflate needs two bytes to tell zlib from raw: keep a first byte.
      pending_.append(piece);
      if (!gzip_ && pending_.size() < 2) return Status::Ok();
      ROTGUARD_RETURN_IF_ERROR(Start(pending_));
      std::string held = std::move(pending_);
      pending_.clear();
      return Inflate(held, sink);
    }
    return Inflate(piece, sink);
  }

  Status Inflate(std::string_view input, const DecodedSink& sink) {
    z_.SetInput(input);
    char buffer[kOutputBuffer];
    while (!out_.stopped()) {
      if (at_member_end_ && z_->avail_in > 0) {
        // Another gzip member follows (a deflate stream has only one).
        if (!members_) return Status::Ok();
        if (!z_.Reset()) return Status::Internal("zlib: inflateReset");
      }
      z_->next_out = reinterpret_cast<Bytef*>(buffer);
      z_->avail_out = sizeof buffer;
      const int rc = inflate(z_.get(), Z_NO_FLUSH);
      at_member_end_ = rc == Z_STREAM_END;
      if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
        return Status::Corruption(std::string("bad compressed data: ") +
                                  z_.message("inflate failed"));
      }
      ROTGUARD_RETURN_IF_ERROR(out_.Deliver(
          std::string_view(buffer, sizeof buffer - z_->avail_out), sink));
      const bool output_full = z_->avail_out == 0;
      if (z_->avail_in == 0 && !output_full) return Status::Ok();
      if (rc == Z_BUF_ERROR && !output_full) return Status::Ok();
    }
    return Status::Ok();
  }

  bool gzip_;
  LimitedOutput out_;
  ZStream z_;
  bool started_ = false;
  bool members_ = false;  // gzip: members may follow one another
  bool at_member_end_ = false;
  std::string pending_;
};

class BrotliDecoder final : public ContentDecoder {
 public:
  explicit BrotliDecoder(const ContentDecodeLimits& limits)
      : out_(limits),
        state_(BrotliDecoderCreateInstance(nullptr, nullptr, nullptr),
               BrotliDecoderDestroyInstance) {}

  Status Feed(std::string_view coded, const DecodedSink& sink) override {
    if (!state_) return Status::Internal("brotli: cannot create a decoder");
    size_t avail_in = coded.size();
    const auto* next_in = reinterpret_cast<const uint8_t*>(coded.data());
    uint8_t buffer[kOutputBuffer];
    while (!out_.stopped() && !finished_) {
      size_t avail_out = sizeof buffer;
      uint8_t* next_out = buffer;
      const BrotliDecoderResult rc = BrotliDecoderDecompressStream(
          state_.get(), &avail_in, &next_in, &avail_out, &next_out, nullptr);
      ROTGUARD_RETURN_IF_ERROR(
          out_.Deliver(std::string_view(reinterpret_cast<char*>(buffer),
                                        sizeof buffer - avail_out),
                       sink));
      if (rc == BROTLI_DECODER_RESULT_SUCCESS) finished_ = true;
      if (rc == BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT) return Status::Ok();
      if (rc == BROTLI_DECODER_RESULT_ERROR) {
        return Status::Corruption("bad brotli data");
      }
    }
    return Status::Ok();
  }
  Status Finish() override {
    if (finished_ || out_.stopped() || out_.limits().allow_early_end) {
      return Status::Ok();
    }
    return Status::Corruption("brotli body ends early");
  }
  bool stopped() const override { return out_.stopped(); }
  uint64_t decoded() const override { return out_.decoded(); }

 private:
  LimitedOutput out_;
  std::unique_ptr<BrotliDecoderState, void (*)(BrotliDecoderState*)> state_;
  bool finished_ = false;
};

}  // namespace

Result<std::unique_ptr<ContentDecoder>> ContentDecoder::Create(
    std::string_view coding, ContentDecodeLimits limits) {
  const std::string name = AsciiLowercase(TrimHeaderSpace(coding));
  if (name.empty() || name == "identity") {
    return std::unique_ptr<ContentDecoder>(new IdentityDecoder(limits));
  }
  if (name == "gzip" || name == "x-gzip" || name == "deflate") {
    return std::unique_ptr<ContentDecoder>(
        new ZlibDecoder(name != "deflate", limits));
  }
  if (name == "br") {
    return std::unique_ptr<ContentDecoder>(new BrotliDecoder(limits));
  }
  return Status::NotSupported("Content-Encoding '" + name +
                              "' cannot be decoded (gzip, deflate, br)");
}

Result<std::string> DecodeContent(
    std::string_view coding,
    const std::function<Status(const std::function<Status(std::string_view)>&)>&
        for_each_chunk,
    ContentDecodeLimits limits) {
  Result<std::unique_ptr<ContentDecoder>> decoder =
      ContentDecoder::Create(coding, limits);
  if (!decoder.ok()) return decoder.status();
  std::string out;
  const DecodedSink append = [&out](std::string_view bytes) {
    out.append(bytes);
    return Status::Ok();
  };
  ROTGUARD_RETURN_IF_ERROR(for_each_chunk(
      [&](std::string_view chunk) { return (*decoder)->Feed(chunk, append); }));
  ROTGUARD_RETURN_IF_ERROR((*decoder)->Finish());
  return out;
}

Result<std::string> DecodeContent(std::string_view coding,
                                  std::string_view body,
                                  ContentDecodeLimits limits) {
  return DecodeContent(
      coding,
      [body](const std::function<Status(std::string_view)>& visit) {
        return visit(body);
      },
      limits);
}

}  // namespace rotguard
