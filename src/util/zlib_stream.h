// The one RAII owner of a zlib stream (inflate or deflate): every module
// that drives zlib by hand (WARC member reading and writing, content
// decoding) holds a ZStream instead of a bare z_stream, so End is never
// forgotten on an early return.
#ifndef ROTGUARD_UTIL_ZLIB_STREAM_H_
#define ROTGUARD_UTIL_ZLIB_STREAM_H_

#include <zlib.h>

#include <string_view>

namespace rotguard {

class ZStream {
 public:
  enum class Kind { kInflate, kDeflate };

  ZStream() = default;
  ZStream(const ZStream&) = delete;
  ZStream& operator=(const ZStream&) = delete;
  ~ZStream() { End(); }

  // inflateInit2 with `window_bits` (15 + 16 gzip, 15 + 32 gzip or zlib,
  // -15 raw deflate); false when zlib refuses. Ends a previous stream.
  bool InitInflate(int window_bits) {
    End();
    ok_ = inflateInit2(&z_, window_bits) == Z_OK;
    kind_ = Kind::kInflate;
    return ok_;
  }
  // deflateInit2 (Z_DEFLATED, memory level 8).
  bool InitDeflate(int level, int window_bits, int strategy) {
    End();
    ok_ =
        deflateInit2(&z_, level, Z_DEFLATED, window_bits, 8, strategy) == Z_OK;
    kind_ = Kind::kDeflate;
    return ok_;
  }
  // inflateReset/deflateReset: the next member or record, same settings.
  bool Reset() {
    if (!ok_) return false;
    return (kind_ == Kind::kInflate ? inflateReset(&z_) : deflateReset(&z_)) ==
           Z_OK;
  }
  void End() {
    if (ok_) {
      if (kind_ == Kind::kInflate) {
        inflateEnd(&z_);
      } else {
        deflateEnd(&z_);
      }
    }
    ok_ = false;
    z_ = z_stream{};
  }

  bool ok() const { return ok_; }
  z_stream* get() { return &z_; }
  z_stream* operator->() { return &z_; }
  // zlib's message for the last error, or `fallback`.
  const char* message(const char* fallback) const {
    return z_.msg != nullptr ? z_.msg : fallback;
  }

  // Points the input at `bytes` (zlib never writes through next_in).
  void SetInput(std::string_view bytes) {
    z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
    z_.avail_in = static_cast<uInt>(bytes.size());
  }

 private:
  z_stream z_{};
  bool ok_ = false;
  Kind kind_ = Kind::kInflate;
};

}  // namespace rotguard

#endif  // ROTGUARD_UTIL_ZLIB_STREAM_H_
