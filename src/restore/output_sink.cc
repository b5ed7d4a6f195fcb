#include "restore/output_sink.h"

#include <ctime>
#include <system_error>
#include <utility>

#include "restore/archive_output.h"

namespace rotguard::restore {
namespace {

class DirectorySink : public OutputSink {
 public:
  DirectorySink(std::filesystem::path dir, Env* env)
      : dir_(std::move(dir)), env_(env) {}

  // Beneath the --out directory nothing is followed: a symbolic link left
  // there (index.html, assets/) would send the bytes outside it.
  Status Put(const std::string& name, std::string_view bytes) override {
    std::error_code ec;
    std::filesystem::create_directories(dir_, ec);
    if (ec) return Status::FromErrno(dir_.string(), ec.value());
    Result<std::unique_ptr<WritableFile>> file =
        env_->NewWritableFileBeneath(dir_, name, OpenMode::kTruncate);
    if (!file.ok()) return file.status();
    ROTGUARD_RETURN_IF_ERROR((*file)->Append(bytes));
    return (*file)->Close();
  }
  Status Finish() override { return Status::Ok(); }

 private:
  std::filesystem::path dir_;
  Env* env_;
};

// A tar or zip published atomically (restore/archive_output.h): OUT.tmp
// until Finish(), removed if the restore fails.
class ArchiveSink : public OutputSink {
 public:
  static Result<std::unique_ptr<ArchiveSink>> Open(
      const std::filesystem::path& out, RestoreFormat format, Env* env) {
    Result<std::unique_ptr<ArchiveOutput>> output = ArchiveOutput::Open(
        out,
        format == RestoreFormat::kZip ? ArchiveOutput::Format::kZip
                                      : ArchiveOutput::Format::kPaxRestricted,
        env);
    if (!output.ok()) return output.status();
    return std::unique_ptr<ArchiveSink>(
        new ArchiveSink(std::move(output).value()));
  }

  Status Put(const std::string& name, std::string_view bytes) override {
    return output_->Add(name, bytes, now_);
  }

  Status Finish() override { return output_->Finish(); }

 private:
  explicit ArchiveSink(std::unique_ptr<ArchiveOutput> output)
      : output_(std::move(output)), now_(std::time(nullptr)) {}

  std::unique_ptr<ArchiveOutput> output_;
  time_t now_;
};

}  // namespace

Result<std::unique_ptr<OutputSink>> OpenSink(RestoreFormat format,
                                             const std::filesystem::path& out,
                                             Env* env) {
  if (env == nullptr) env = Env::Default();
  switch (format) {
    case RestoreFormat::kDir:
      return std::unique_ptr<OutputSink>(new DirectorySink(out, env));
    case RestoreFormat::kTar:
    case RestoreFormat::kZip: {
      Result<std::unique_ptr<ArchiveSink>> sink =
          ArchiveSink::Open(out, format, env);
      if (!sink.ok()) return sink.status();
      return std::unique_ptr<OutputSink>(std::move(sink).value());
    }
  }
  return Status::Internal("unknown restore format");
}

}  // namespace rotguard::restore
