// Appending a range of one file to a WritableFile without passing the
// bytes through this process: the WARC writer copies a spooled body that
// is stored (not deflated) into the WARC file this way.
//
// A side interface rather than a WritableFile method, so the Env seam's
// public header stays as it is: the POSIX file (copy_file_range) and the
// fault-injecting file (which counts and fails it as "AppendFromFile")
// implement it; for any other WritableFile, AppendFromFile() reads the
// range and Appends it.
#ifndef ROTGUARD_UTIL_FILE_COPY_H_
#define ROTGUARD_UTIL_FILE_COPY_H_

#include <cstdint>

#include "rotguard/env.h"
#include "rotguard/status.h"

namespace rotguard {

class RangeAppender {
 public:
  virtual ~RangeAppender() = default;
  // Appends `length` bytes of the file open for reading as `fd`, from
  // `offset`. Failures as WritableFile::Append (part may be written).
  virtual Status AppendRange(int fd, uint64_t offset, uint64_t length) = 0;
};

// Through `file`'s RangeAppender when it has one, else read + Append.
Status AppendFromFile(WritableFile& file, int fd, uint64_t offset,
                      uint64_t length);
// The read + Append way (the fallback of both).
Status AppendFromFileByCopy(WritableFile& file, int fd, uint64_t offset,
                            uint64_t length);

}  // namespace rotguard

#endif  // ROTGUARD_UTIL_FILE_COPY_H_
