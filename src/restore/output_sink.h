// Where `restore` puts its files, one at a time as each becomes final: a
// directory, or a tar (pax) or zip archive written by libarchive. Every
// sink receives the same names and bytes, so the three formats hold
// exactly the same files.
#ifndef ROTGUARD_RESTORE_OUTPUT_SINK_H_
#define ROTGUARD_RESTORE_OUTPUT_SINK_H_

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "rotguard/content_coding.h"
#include "rotguard/env.h"
#include "rotguard/restore.h"
#include "rotguard/status.h"

namespace rotguard::restore {

// Writes a file's bytes, piece by piece, to the sink it is given.
using StreamProducer = std::function<Status(const DecodedSink&)>;

// A file put twice is written twice (the directory keeps the last; so
// does tar on extraction).
class OutputSink {
 public:
  virtual ~OutputSink() = default;
  // `name` is relative, '/'-separated and already safe (safe_names.cc).
  virtual Status Put(const std::string& name, std::string_view bytes) = 0;
  // A file of exactly `size` bytes that `produce` writes in pieces to the
  // sink it is given, so a large file never sits in memory. Corruption
  // when `produce` gave a different number of bytes.
  virtual Status PutStream(const std::string& name, uint64_t size,
                           const StreamProducer& produce) = 0;
  virtual Status Finish() = 0;  // the output is complete and in place
};

// The sink for `format` at `out`: a directory (created as needed), or an
// archive written to "OUT.tmp", fsynced and renamed to OUT by Finish()
// (restore/archive_output.h); a sink destroyed unfinished removes its
// OUT.tmp, so OUT is never torn. Every file is written through `env`.
Result<std::unique_ptr<OutputSink>> OpenSink(RestoreFormat format,
                                             const std::filesystem::path& out,
                                             Env* env = Env::Default());

}  // namespace rotguard::restore

#endif  // ROTGUARD_RESTORE_OUTPUT_SINK_H_
