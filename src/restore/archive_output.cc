#include "restore/archive_output.h"

#include <archive.h>
#include <archive_entry.h>

namespace rotguard {
namespace {

// A failed write is kept, not returned to libarchive: libarchive 3.6
// leaks its output block when a write fails before archive_write_close()
// (the archive turns FATAL and archive_write_free() skips the close).
// Later bytes are dropped, and every ArchiveOutput call reports the
// failure instead.
la_ssize_t WriteToFile(archive*, void* client, const void* buffer,
                       size_t length) {
  auto* self = static_cast<std::pair<AtomicFile*, Status*>*>(client);
  if (self->second->ok()) {
    *self->second = self->first->Write(
        std::string_view(static_cast<const char*>(buffer), length));
  }
  return static_cast<la_ssize_t>(length);
}

int SetFormat(archive* a, ArchiveOutput::Format format) {
  switch (format) {
    case ArchiveOutput::Format::kPaxRestricted:
      return archive_write_set_format_pax_restricted(a);
    case ArchiveOutput::Format::kZip:
      return archive_write_set_format_zip(a);
    case ArchiveOutput::Format::kZipStored: {
      // libarchive cannot change the method between entries.
      int rc = archive_write_set_format_zip(a);
      if (rc != ARCHIVE_OK) return rc;
      return archive_write_set_format_option(a, "zip", "compression", "store");
    }
  }
  return ARCHIVE_FATAL;
}

}  // namespace

ArchiveOutput::ArchiveOutput(std::filesystem::path out, AtomicFile file)
    : out_(std::move(out)),
      file_(std::move(file)),
      writer_(archive_write_new()) {}

ArchiveOutput::~ArchiveOutput() {
  writer_.reset();  // may still flush into file_, which then goes
}

Result<std::unique_ptr<ArchiveOutput>> ArchiveOutput::Open(
    const std::filesystem::path& out, Format format, Env* env) {
  std::filesystem::path tmp = out;
  tmp += ".tmp";
  Result<AtomicFile> file = AtomicFile::Create(out, env, tmp);
  if (!file.ok()) return file.status();
  std::unique_ptr<ArchiveOutput> output(
      new ArchiveOutput(out, std::move(file).value()));
  archive* a = output->writer_.get();
  if (a == nullptr) return Status::Internal("archive_write_new failed");
  if (SetFormat(a, format) != ARCHIVE_OK) {
    return Status::Internal(archive_error_string(a));
  }
  // As archive_write_open_filename does for a regular file: the last
  // block is not padded.
  archive_write_set_bytes_in_last_block(a, 1);
  output->client_ = {&output->file_, &output->write_status_};
  if (archive_write_open2(a, &output->client_, nullptr, WriteToFile, nullptr,
                          nullptr) != ARCHIVE_OK) {
    return output->Error();
  }
  return output;
}

Status ArchiveOutput::Begin(const std::string& name, int64_t size,
                            std::time_t mtime) {
  std::unique_ptr<archive_entry, void (*)(archive_entry*)> entry(
      archive_entry_new(), archive_entry_free);
  archive_entry_set_pathname(entry.get(), name.c_str());
  archive_entry_set_size(entry.get(), size);
  archive_entry_set_filetype(entry.get(), AE_IFREG);
  archive_entry_set_perm(entry.get(), 0644);
  archive_entry_set_mtime(entry.get(), mtime, 0);
  if (archive_write_header(writer_.get(), entry.get()) != ARCHIVE_OK) {
    return Error();
  }
  return write_status_;
}

Status ArchiveOutput::Write(std::string_view bytes) {
  if (archive_write_data(writer_.get(), bytes.data(), bytes.size()) !=
      static_cast<la_ssize_t>(bytes.size())) {
    return Error();
  }
  return write_status_;
}

Status ArchiveOutput::Add(const std::string& name, std::string_view bytes,
                          std::time_t mtime) {
  ROTGUARD_RETURN_IF_ERROR(
      Begin(name, static_cast<int64_t>(bytes.size()), mtime));
  return Write(bytes);
}

Status ArchiveOutput::Finish() {
  if (archive_write_close(writer_.get()) != ARCHIVE_OK) return Error();
  ROTGUARD_RETURN_IF_ERROR(write_status_);
  return file_.Commit();
}

// The Env's own message when a write failed (it names the file and the
// errno), else libarchive's.
Status ArchiveOutput::Error() {
  if (!write_status_.ok()) return write_status_;
  const char* message = archive_error_string(writer_.get());
  return Status::IOError(out_.string() + ": " +
                         (message ? message : "archive error"));
}

}  // namespace rotguard
