// RAII owners for every C handle rotguard touches. Each C resource is
// wrapped here at first contact, so no caller ever frees one by hand.
#ifndef ROTGUARD_UTIL_HANDLES_H_
#define ROTGUARD_UTIL_HANDLES_H_

#include <unistd.h>

#include <cstdio>
#include <memory>
#include <utility>

struct evp_md_ctx_st;
struct sqlite3;
struct sqlite3_stmt;
struct archive;
struct libdeflate_compressor;
struct libdeflate_decompressor;
struct curl_slist;

namespace rotguard {

template <auto Fn>
struct CallFree {
  template <typename T>
  void operator()(T* p) const {
    if (p) Fn(p);
  }
};

void FreeEvpMdCtx(evp_md_ctx_st* p);
void CloseSqlite(sqlite3* p);
void FinalizeStmt(sqlite3_stmt* p);
void FreeArchiveRead(archive* p);
void FreeArchiveWrite(archive* p);
void FreeCompressor(libdeflate_compressor* p);
void FreeDecompressor(libdeflate_decompressor* p);
void CloseFile(std::FILE* p);
// libcurl's CURL and CURLM are typedefs of void.
void CleanupCurlEasy(void* p);
void CleanupCurlMulti(void* p);
void FreeCurlSlist(curl_slist* p);

using EvpMdCtxPtr = std::unique_ptr<evp_md_ctx_st, CallFree<FreeEvpMdCtx>>;
using SqlitePtr = std::unique_ptr<sqlite3, CallFree<CloseSqlite>>;
using StmtPtr = std::unique_ptr<sqlite3_stmt, CallFree<FinalizeStmt>>;
using ArchiveReadPtr = std::unique_ptr<archive, CallFree<FreeArchiveRead>>;
using ArchiveWritePtr = std::unique_ptr<archive, CallFree<FreeArchiveWrite>>;
using CompressorPtr =
    std::unique_ptr<libdeflate_compressor, CallFree<FreeCompressor>>;
using DecompressorPtr =
    std::unique_ptr<libdeflate_decompressor, CallFree<FreeDecompressor>>;
using FilePtr = std::unique_ptr<std::FILE, CallFree<CloseFile>>;
using CurlEasyPtr = std::unique_ptr<void, CallFree<CleanupCurlEasy>>;
using CurlMultiPtr = std::unique_ptr<void, CallFree<CleanupCurlMulti>>;
using CurlSlistPtr = std::unique_ptr<curl_slist, CallFree<FreeCurlSlist>>;

// A move-only file descriptor (ccache util/fd.hpp).
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release() { return std::exchange(fd_, -1); }
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

}  // namespace rotguard

#endif  // ROTGUARD_UTIL_HANDLES_H_
