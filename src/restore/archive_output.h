// A tar or zip file written with libarchive and published atomically:
// the bytes go to OUT.tmp through an Env (so injected faults reach them,
// which archive_write_open_filename's own descriptor would not), and
// Finish() fsyncs OUT.tmp, renames it over OUT and syncs the directory.
// Destroyed unfinished, it removes OUT.tmp: OUT is never a torn archive
// and no OUT.tmp is left behind.
#ifndef ROTGUARD_RESTORE_ARCHIVE_OUTPUT_H_
#define ROTGUARD_RESTORE_ARCHIVE_OUTPUT_H_

#include <ctime>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "rotguard/env.h"
#include "rotguard/status.h"
#include "util/file.h"
#include "util/handles.h"

namespace rotguard {

class ArchiveOutput {
 public:
  enum class Format {
    kPaxRestricted,  // tar
    kZip,            // zip, members deflated
    kZipStored,      // zip, members stored (WACZ)
  };

  static Result<std::unique_ptr<ArchiveOutput>> Open(
      const std::filesystem::path& out, Format format, Env* env);
  ArchiveOutput(const ArchiveOutput&) = delete;
  ArchiveOutput& operator=(const ArchiveOutput&) = delete;
  ~ArchiveOutput();

  // Starts a regular file entry `name` of `size` bytes (mode 0644); its
  // bytes follow with Write().
  Status Begin(const std::string& name, int64_t size, std::time_t mtime);
  Status Write(std::string_view bytes);
  // Begin() and Write() of a whole entry.
  Status Add(const std::string& name, std::string_view bytes,
             std::time_t mtime);
  // Ends the archive and publishes OUT.
  Status Finish();

  const std::filesystem::path& tmp_path() const { return file_.tmp_path(); }

 private:
  ArchiveOutput(std::filesystem::path out, AtomicFile file);
  Status Error();

  std::filesystem::path out_;
  AtomicFile file_;  // before writer_: the writer flushes into it
  ArchiveWritePtr writer_;
  Status write_status_;  // the first failed write, for the error message
  // What libarchive's write callback gets: where to write, where to put
  // the first failure.
  std::pair<AtomicFile*, Status*> client_{nullptr, nullptr};
};

}  // namespace rotguard

#endif  // ROTGUARD_RESTORE_ARCHIVE_OUTPUT_H_
