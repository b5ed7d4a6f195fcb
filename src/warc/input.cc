#define ZLIB_CONST
#include "warc/input.h"

#include <libdeflate.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "warc/format.h"

namespace rotguard::warc {
namespace {

class FdSource : public Source {
 public:
  FdSource(Fd fd, std::string name)
      : fd_(std::move(fd)), name_(std::move(name)) {}
  Result<size_t> ReadAt(uint64_t offset, char* buf, size_t n) override {
    for (;;) {
      ssize_t got = ::pread(fd_.get(), buf, n, static_cast<off_t>(offset));
      if (got >= 0) return static_cast<size_t>(got);
      if (errno != EINTR) return Status::FromErrno(name_, errno);
    }
  }

 private:
  Fd fd_;
  std::string name_;
};

class BufferSource : public Source {
 public:
  explicit BufferSource(std::string_view data) : data_(data) {}
  Result<size_t> ReadAt(uint64_t offset, char* buf, size_t n) override {
    if (offset >= data_.size()) return size_t{0};
    size_t take = std::min<uint64_t>(n, data_.size() - offset);
    std::memcpy(buf, data_.data() + offset, take);
    return take;
  }

 private:
  std::string_view data_;
};

}  // namespace

std::unique_ptr<Source> NewFdSource(Fd fd, std::string name) {
  return std::make_unique<FdSource>(std::move(fd), std::move(name));
}

std::unique_ptr<Source> NewBufferSource(std::string_view data) {
  return std::make_unique<BufferSource>(data);
}

Result<std::optional<uint64_t>> ScanFor(Source& source, uint64_t start,
                                        std::string_view pattern) {
  std::string window(kReadChunk + pattern.size(), '\0');
  uint64_t pos = start;
  for (;;) {
    Result<size_t> got = source.ReadAt(pos, window.data(), window.size());
    if (!got.ok()) return got.status();
    if (*got < pattern.size()) return std::optional<uint64_t>();
    std::string_view view(window.data(), *got);
    size_t hit = view.find(pattern);
    if (hit != std::string_view::npos) {
      return std::optional<uint64_t>(pos + hit);
    }
    // Overlap by pattern.size() - 1 so a match across windows is found.
    pos += *got - (pattern.size() - 1);
  }
}

void RawReader::SeekTo(uint64_t pos) {
  pos_ = pos;
  head_ = 0;
  size_ = 0;
}

Result<std::string_view> RawReader::Peek() {
  if (head_ >= size_) {
    pos_ += head_;
    head_ = 0;
    size_ = 0;
    if (buf_.empty()) buf_.resize(kReadChunk);
    Result<size_t> got = source_->ReadAt(pos_, buf_.data(), buf_.size());
    if (!got.ok()) return got.status();
    size_ = *got;
  }
  return std::string_view(buf_.data() + head_, size_ - head_);
}

Result<std::string_view> RawReader::PeekAtLeast(size_t n) {
  if (size_ - head_ < n) {
    pos_ += head_;
    std::memmove(buf_.data(), buf_.data() + head_, size_ - head_);
    size_ -= head_;
    head_ = 0;
    if (buf_.size() < n) buf_.resize(n);
    while (size_ < n) {
      Result<size_t> got = source_->ReadAt(pos_ + size_, buf_.data() + size_,
                                           buf_.size() - size_);
      if (!got.ok()) return got.status();
      if (*got == 0) break;
      size_ += *got;
    }
  }
  return std::string_view(buf_.data() + head_, size_ - head_);
}

Result<size_t> PlainDecoder::Read(char* buf, size_t n) {
  if (end_ != SegmentEnd::kNone) return size_t{0};
  Result<std::string_view> avail = raw_->Peek();
  if (!avail.ok()) return avail.status();
  if (avail->empty()) {
    end_ = SegmentEnd::kClean;
    return size_t{0};
  }
  size_t take = std::min(n, avail->size());
  std::memcpy(buf, avail->data(), take);
  raw_->Consume(take);
  return take;
}

Status GzipMemberDecoder::Reset() {
  end_ = SegmentEnd::kNone;
  error_.clear();
  tried_whole_ = false;
  whole_ = false;
  whole_len_ = 0;
  whole_pos_ = 0;
  if (!z_.ok()) {
    // 15 + 16: gzip wrapper only; stops at the end of one member.
    if (!z_.InitInflate(15 + 16)) {
      return Status::Internal("zlib: inflateInit2 failed");
    }
    return Status::Ok();
  }
  if (!z_.Reset()) return Status::Internal("zlib: inflateReset");
  return Status::Ok();
}

namespace {

constexpr size_t kWholeMemberMaxIn = size_t{1} << 20;
constexpr size_t kWholeMemberMaxOut = size_t{8} << 20;

}  // namespace

Result<bool> GzipMemberDecoder::TryWholeMember() {
  if (!decompressor_) decompressor_.reset(libdeflate_alloc_decompressor());
  if (!decompressor_) return false;
  for (size_t window = kReadChunk;; window *= 4) {
    Result<std::string_view> in = raw_->PeekAtLeast(window);
    if (!in.ok()) return in.status();
    libdeflate_result rc = LIBDEFLATE_BAD_DATA;
    size_t in_used = 0;
    for (size_t cap = std::max(in->size() * 4, size_t{256} << 10);; cap *= 4) {
      cap = std::min(cap, kWholeMemberMaxOut);
      if (whole_cap_ < cap) {
        // Not zeroed: libdeflate writes what is read back; restore opens a
        // reader per capture, and zeroing 256 KiB each time showed.
        whole_buf_ = std::make_unique_for_overwrite<char[]>(cap);
        whole_cap_ = cap;
      }
      rc = libdeflate_gzip_decompress_ex(decompressor_.get(), in->data(),
                                         in->size(), whole_buf_.get(),
                                         whole_cap_, &in_used, &whole_len_);
      if (rc != LIBDEFLATE_INSUFFICIENT_SPACE || cap >= kWholeMemberMaxOut) {
        break;
      }
    }
    if (rc == LIBDEFLATE_SUCCESS) {
      raw_->Consume(in_used);
      return true;
    }
    // Bad data may only mean the member runs past the window.
    bool window_full = in->size() >= window;
    if (rc != LIBDEFLATE_BAD_DATA || !window_full ||
        window >= kWholeMemberMaxIn) {
      return false;
    }
  }
}

Result<size_t> GzipMemberDecoder::Read(char* buf, size_t n) {
  if (!tried_whole_) {
    tried_whole_ = true;
    Result<bool> whole = TryWholeMember();
    if (!whole.ok()) return whole.status();
    whole_ = *whole;
  }
  if (whole_) {
    if (whole_pos_ == whole_len_) {
      end_ = SegmentEnd::kClean;
      return size_t{0};
    }
    size_t take = std::min(n, whole_len_ - whole_pos_);
    std::memcpy(buf, whole_buf_.get() + whole_pos_, take);
    whole_pos_ += take;
    return take;
  }
  while (end_ == SegmentEnd::kNone) {
    Result<std::string_view> in = raw_->Peek();
    if (!in.ok()) return in.status();
    if (in->empty()) {
      end_ = SegmentEnd::kTorn;
      break;
    }
    z_.SetInput(*in);
    z_->next_out = reinterpret_cast<Bytef*>(buf);
    z_->avail_out = static_cast<uInt>(std::min<size_t>(n, 1u << 30));
    uInt out_before = z_->avail_out;
    int rc = inflate(z_.get(), Z_NO_FLUSH);
    size_t consumed = in->size() - z_->avail_in;
    size_t produced = out_before - z_->avail_out;
    raw_->Consume(consumed);
    if (rc == Z_STREAM_END) {
      end_ = SegmentEnd::kClean;
    } else if (rc == Z_DATA_ERROR || rc == Z_NEED_DICT) {
      error_ = z_.message("invalid data");
      bool check = error_.find("check") != std::string::npos;
      end_ = check ? SegmentEnd::kCrc : SegmentEnd::kCorrupt;
    } else if (rc == Z_MEM_ERROR) {
      return Status::Internal("zlib: out of memory");
    } else if (consumed == 0 && produced == 0) {
      error_ = "inflate made no progress";
      end_ = SegmentEnd::kCorrupt;
    }
    if (produced > 0) return produced;
  }
  return size_t{0};
}

void Stream::Reset(Decoder* decoder, uint64_t base_offset) {
  decoder_ = decoder;
  buf_.clear();
  head_ = 0;
  base_ = base_offset;
  consumed_before_ = 0;
}

void Stream::Compact() {
  if (head_ == 0) return;
  consumed_before_ += head_;
  buf_.erase(0, head_);
  head_ = 0;
}

Result<size_t> Stream::Fill(size_t want) {
  size_t avail = buf_.size() - head_;
  if (avail >= want) return avail;
  Compact();
  if (scratch_.empty()) scratch_.resize(kReadChunk);
  while (buf_.size() < want) {
    Result<size_t> got = decoder_->Read(scratch_.data(), scratch_.size());
    if (!got.ok()) return got.status();
    if (*got == 0) break;
    buf_.append(scratch_.data(), *got);
  }
  return buf_.size();
}

Result<size_t> Stream::Read(char* buf, size_t n) {
  size_t avail = buf_.size() - head_;
  if (avail > 0) {
    size_t take = std::min(n, avail);
    std::memcpy(buf, buf_.data() + head_, take);
    head_ += take;
    return take;
  }
  Result<size_t> got = decoder_->Read(buf, n);
  if (got.ok()) consumed_before_ += *got;
  return got;
}

}  // namespace rotguard::warc
