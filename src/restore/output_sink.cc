#include "restore/output_sink.h"

#include <ctime>
#include <system_error>
#include <utility>

#include "restore/archive_output.h"

namespace rotguard::restore {
namespace {

// A streamed file must be as long as announced (a tar header holds the
// size before the bytes).
Status CheckSize(const std::string& name, uint64_t size, uint64_t written) {
  if (written == size) return Status::Ok();
  return Status::Corruption(name + ": " + std::to_string(written) +
                            " bytes produced, " + std::to_string(size) +
                            " announced");
}

// Beneath the --out directory nothing is followed: a symbolic link left
// there (index.html, assets/) would send the bytes outside it.
class DirectorySink : public OutputSink {
 public:
  DirectorySink(std::filesystem::path dir, Env* env)
      : dir_(std::move(dir)), env_(env) {}

  Status Put(const std::string& name, std::string_view bytes) override {
    Result<std::unique_ptr<WritableFile>> file = Create(name);
    if (!file.ok()) return file.status();
    ROTGUARD_RETURN_IF_ERROR((*file)->Append(bytes));
    return (*file)->Close();
  }
  Status PutStream(const std::string& name, uint64_t size,
                   const StreamProducer& produce) override {
    Result<std::unique_ptr<WritableFile>> file = Create(name);
    if (!file.ok()) return file.status();
    uint64_t written = 0;
    ROTGUARD_RETURN_IF_ERROR(produce([&](std::string_view bytes) {
      written += bytes.size();
      return (*file)->Append(bytes);
    }));
    ROTGUARD_RETURN_IF_ERROR(CheckSize(name, size, written));
    return (*file)->Close();
  }
  Status Finish() override { return Status::Ok(); }

 private:
  // The --out directory is created and opened at the first file; the
  // directories below it stay open (env.h DirectoryBeneath).
  Result<std::unique_ptr<WritableFile>> Create(const std::string& name) {
    if (!root_) {
      std::error_code ec;
      std::filesystem::create_directories(dir_, ec);
      if (ec) return Status::FromErrno(dir_.string(), ec.value());
      Result<std::unique_ptr<DirectoryBeneath>> root =
          env_->OpenDirectoryBeneath(dir_);
      if (!root.ok()) return root.status();
      root_ = std::move(root).value();
    }
    return root_->NewWritableFile(name, OpenMode::kTruncate);
  }

  std::filesystem::path dir_;
  Env* env_;
  std::unique_ptr<DirectoryBeneath> root_;
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

  Status PutStream(const std::string& name, uint64_t size,
                   const StreamProducer& produce) override {
    ROTGUARD_RETURN_IF_ERROR(
        output_->Begin(name, static_cast<int64_t>(size), now_));
    uint64_t written = 0;
    ROTGUARD_RETURN_IF_ERROR(produce([&](std::string_view bytes) {
      written += bytes.size();
      return output_->Write(bytes);
    }));
    return CheckSize(name, size, written);
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
