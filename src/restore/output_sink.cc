#include "restore/output_sink.h"

#include <archive.h>
#include <archive_entry.h>

#include <ctime>
#include <fstream>
#include <system_error>
#include <utility>

#include "util/handles.h"

namespace rotguard::restore {
namespace {

class DirectorySink : public OutputSink {
 public:
  explicit DirectorySink(std::filesystem::path dir) : dir_(std::move(dir)) {}

  Status Put(const std::string& name, std::string_view bytes) override {
    std::filesystem::path path = dir_ / name;
    std::error_code ec;
    std::filesystem::create_directories(path.parent_path(), ec);
    if (ec) return Status::FromErrno(path.parent_path().string(), ec.value());
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out) return Status::IOError(path.string() + ": write failed");
    return Status::Ok();
  }
  Status Finish() override { return Status::Ok(); }

 private:
  std::filesystem::path dir_;
};

// Writes OUT.tmp and renames it to OUT once complete; an unfinished one is
// removed, so OUT is never a torn archive.
class ArchiveSink : public OutputSink {
 public:
  static Result<std::unique_ptr<ArchiveSink>> Open(
      const std::filesystem::path& out, RestoreFormat format) {
    std::unique_ptr<ArchiveSink> sink(new ArchiveSink(out));
    archive* a = sink->writer_.get();
    if (a == nullptr) return Status::Internal("archive_write_new failed");
    int rc = format == RestoreFormat::kZip
                 ? archive_write_set_format_zip(a)
                 : archive_write_set_format_pax_restricted(a);
    if (rc != ARCHIVE_OK) return Status::Internal(archive_error_string(a));
    if (archive_write_open_filename(a, sink->tmp_.c_str()) != ARCHIVE_OK) {
      return Status::IOError(out.string() + ": " + archive_error_string(a));
    }
    sink->opened_ = true;
    return sink;
  }

  ~ArchiveSink() override {
    if (!opened_) return;
    writer_.reset();  // closes the file
    std::error_code ignored;
    std::filesystem::remove(tmp_, ignored);
  }

  Status Put(const std::string& name, std::string_view bytes) override {
    archive* a = writer_.get();
    std::unique_ptr<archive_entry, void (*)(archive_entry*)> entry(
        archive_entry_new(), archive_entry_free);
    archive_entry_set_pathname(entry.get(), name.c_str());
    archive_entry_set_size(entry.get(), static_cast<la_int64_t>(bytes.size()));
    archive_entry_set_filetype(entry.get(), AE_IFREG);
    archive_entry_set_perm(entry.get(), 0644);
    archive_entry_set_mtime(entry.get(), now_, 0);
    if (archive_write_header(a, entry.get()) != ARCHIVE_OK ||
        archive_write_data(a, bytes.data(), bytes.size()) !=
            static_cast<la_ssize_t>(bytes.size())) {
      return Status::IOError(out_.string() + ": " + archive_error_string(a));
    }
    return Status::Ok();
  }

  Status Finish() override {
    archive* a = writer_.get();
    if (archive_write_close(a) != ARCHIVE_OK) {
      return Status::IOError(out_.string() + ": " + archive_error_string(a));
    }
    std::error_code ec;
    std::filesystem::rename(tmp_, out_, ec);
    if (ec) return Status::FromErrno(out_.string(), ec.value());
    opened_ = false;
    return Status::Ok();
  }

 private:
  explicit ArchiveSink(std::filesystem::path out)
      : out_(std::move(out)),
        tmp_(out_.string() + ".tmp"),
        writer_(archive_write_new()),
        now_(std::time(nullptr)) {}

  std::filesystem::path out_;
  std::filesystem::path tmp_;
  ArchiveWritePtr writer_;
  time_t now_;
  bool opened_ = false;
};

}  // namespace

Result<std::unique_ptr<OutputSink>> OpenSink(RestoreFormat format,
                                             const std::filesystem::path& out) {
  switch (format) {
    case RestoreFormat::kDir:
      return std::unique_ptr<OutputSink>(new DirectorySink(out));
    case RestoreFormat::kTar:
    case RestoreFormat::kZip: {
      Result<std::unique_ptr<ArchiveSink>> sink =
          ArchiveSink::Open(out, format);
      if (!sink.ok()) return sink.status();
      return std::unique_ptr<OutputSink>(std::move(sink).value());
    }
  }
  return Status::Internal("unknown restore format");
}

}  // namespace rotguard::restore
