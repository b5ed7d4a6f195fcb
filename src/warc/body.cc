#include "warc/body.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>
#include <system_error>

#include "rotguard/http_head.h"
#include "util/cpu_stages.h"
#include "util/file.h"
#include "warc/format.h"
#include "warc/gzip_member.h"

namespace rotguard {
namespace {

std::filesystem::path SpoolDir(const WarcBodyOptions& options) {
  if (!options.temp_dir.empty()) return options.temp_dir;
  std::error_code ec;
  std::filesystem::path dir = std::filesystem::temp_directory_path(ec);
  return ec ? std::filesystem::path("/tmp") : dir;
}

// An anonymous file: O_TMPFILE where the filesystem has it, else
// mkstemp + unlink. Either way nothing is left behind after a crash.
Result<Fd> OpenSpoolFile(const std::filesystem::path& dir) {
  Fd fd(::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600));
  if (fd.valid()) return fd;
  std::string templ = (dir / "rotguard-spool-XXXXXX").string();
  fd.reset(::mkostemp(templ.data(), O_CLOEXEC));
  if (!fd.valid()) return Status::FromErrno(templ, errno);
  ::unlink(templ.c_str());
  return fd;
}

std::string EnsureBlankLine(std::string head) {
  if (head.size() >= 4 && head.compare(head.size() - 4, 4, "\r\n\r\n") == 0) {
    return head;
  }
  if (head.size() >= 2 && head.compare(head.size() - 2, 2, "\r\n") == 0) {
    return head + "\r\n";
  }
  return head + "\r\n\r\n";
}

// The spool grows by the receive buffer (256 KiB): hashing in 1 MiB steps
// wakes the follower a quarter as often.
constexpr uint64_t kHashStep = uint64_t{1} << 20;

}  // namespace

// ---- BodyHasher ------------------------------------------------------------

BodyHasher::BodyHasher(std::string_view block_head)
    : sha256_(DigestAlgorithm::kSha256) {
  if (block_head.empty()) {
    sha1_.emplace(DigestAlgorithm::kSha1);
    return;
  }
  lanes_.emplace();
  lanes_->UpdateFirst(block_head);
}

void BodyHasher::Update(std::string_view bytes) {
  if (lanes_) {
    lanes_->UpdateBoth(bytes);
  } else {
    sha1_->Update(bytes);
  }
  sha256_.Update(bytes);
  if (crc_) crc_ = warc::Crc32(*crc_, bytes);
}

BodyHasher::Digests BodyHasher::Final() {
  Digests out;
  out.sha256 = sha256_.Final();
  out.crc = crc_;
  if (lanes_) {
    out.block_sha1 = lanes_->FinalFirst();
    out.sha1 = lanes_->FinalSecond();
  } else {
    out.sha1 = sha1_->Final();
  }
  return out;
}

// ---- WarcBody --------------------------------------------------------------

WarcBody::WarcBody(WarcBodyOptions options) : rep_(std::make_unique<Rep>()) {
  rep_->options = std::move(options);
}
WarcBody::WarcBody(WarcBody&&) noexcept = default;
WarcBody& WarcBody::operator=(WarcBody&&) noexcept = default;
WarcBody::~WarcBody() = default;

Status WarcBody::Rep::SpillToDisk() {
  std::filesystem::path dir = SpoolDir(options);
  Result<Fd> fd = OpenSpoolFile(dir);
  if (!fd.ok()) return fd.status();
  spool = std::move(fd).value();
  const std::string what = "spool file in " + dir.string();
  running.emplace(block_head);
  running->TakeCrc();
  CpuStageScope writing(CpuStage::kWrite);
  ROTGUARD_RETURN_IF_ERROR(WriteAll(spool.get(), memory, what));
  follower = std::make_unique<FileFollower>(
      spool.get(), what, 0, kHashStep, [this](std::string_view bytes) {
        CpuStageScope hashing(CpuStage::kDigests);
        HashBytes(bytes);
      });
  follower->Advance(memory.size());
  std::string().swap(memory);  // give the memory back
  return Status::Ok();
}

void WarcBody::Rep::HashBytes(std::string_view bytes) {
  running->Update(bytes);
}

Status WarcBody::Rep::ComputeDigests() {
  if (digests) return Status::Ok();
  if (follower) {
    Status status = follower->Finish();
    follower.reset();
    if (!status.ok()) return status;
  } else if (!running) {
    CpuStageScope stage(CpuStage::kDigests);
    running.emplace(block_head);
    ROTGUARD_RETURN_IF_ERROR(ForEachChunk([&](std::string_view chunk) {
      HashBytes(chunk);
      return Status::Ok();
    }));
  }
  digests = running->Final();
  return Status::Ok();
}

Status WarcBody::Append(std::string_view bytes) {
  Rep& r = *rep_;
  if (r.digests) return Status::Internal("WarcBody: append after finish");
  if (!r.spool.valid() &&
      r.memory.size() + bytes.size() > r.options.memory_threshold) {
    ROTGUARD_RETURN_IF_ERROR(r.SpillToDisk());
  }
  if (r.spool.valid()) {
    CpuStageScope stage(CpuStage::kWrite);
    ROTGUARD_RETURN_IF_ERROR(WriteAll(r.spool.get(), bytes, "spool file"));
    r.size += bytes.size();
    r.follower->Advance(r.size);
    return Status::Ok();
  }
  r.memory.append(bytes);
  r.size += bytes.size();
  return Status::Ok();
}

uint64_t WarcBody::size() const { return rep_->size; }
bool WarcBody::spooled() const { return rep_->spool.valid(); }

Status WarcBody::ForEachChunk(
    const std::function<Status(std::string_view)>& sink) const {
  return rep_->ForEachChunk(sink);
}

Status WarcBody::Rep::ForEachChunk(
    const std::function<Status(std::string_view)>& sink) const {
  const Rep& r = *this;
  if (!r.spool.valid()) {
    std::string_view rest = r.memory;
    while (!rest.empty()) {
      size_t take = std::min(rest.size(), warc::kSpoolChunk);
      ROTGUARD_RETURN_IF_ERROR(sink(rest.substr(0, take)));
      rest.remove_prefix(take);
    }
    return Status::Ok();
  }
  std::string buf(warc::kSpoolChunk, '\0');
  uint64_t offset = 0;
  while (offset < r.size) {
    size_t want =
        static_cast<size_t>(std::min<uint64_t>(buf.size(), r.size - offset));
    ssize_t n =
        ::pread(r.spool.get(), buf.data(), want, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::FromErrno("spool file", errno);
    if (n == 0) return Status::IOError("spool file: unexpected end");
    ROTGUARD_RETURN_IF_ERROR(
        sink(std::string_view(buf.data(), static_cast<size_t>(n))));
    offset += static_cast<uint64_t>(n);
  }
  return Status::Ok();
}

// ---- WarcHttpResponse ------------------------------------------------------

WarcHttpResponse::Rep::Rep(std::string head_in, WarcBodyTransfer transfer_in,
                           WarcBodyOptions body_options)
    : head(EnsureBlankLine(std::move(head_in))),
      transfer(transfer_in),
      chunked(warc::HeadSaysChunked(head)),
      body(std::move(body_options)) {
  if (!chunked) body.rep_->block_head = head;  // both live in this Rep
}

WarcHttpResponse::Rep::~Rep() {
  if (body.rep_) body.rep_->follower.reset();
}

WarcHttpResponse::WarcHttpResponse(std::string head, WarcBodyTransfer transfer,
                                   WarcBodyOptions body_options)
    : rep_(std::make_unique<Rep>(std::move(head), transfer,
                                 std::move(body_options))) {}
WarcHttpResponse::WarcHttpResponse(WarcHttpResponse&&) noexcept = default;
WarcHttpResponse& WarcHttpResponse::operator=(WarcHttpResponse&&) noexcept =
    default;
WarcHttpResponse::~WarcHttpResponse() = default;

Status WarcHttpResponse::AppendBody(std::string_view bytes) {
  Rep& r = *rep_;
  if (r.finished) return Status::Internal("WarcHttpResponse: body finished");
  if (!r.chunked || r.transfer == WarcBodyTransfer::kDecoded) {
    return r.body.Append(bytes);
  }
  if (r.decoder.failed() || r.decoder.done()) return Status::Ok();
  Status status;
  bool ok = r.decoder.Feed(bytes, [&](std::string_view decoded) {
    if (status.ok()) status = r.body.Append(decoded);
  });
  ROTGUARD_RETURN_IF_ERROR(status);
  if (!ok) return Status::Corruption("malformed chunked HTTP body");
  return Status::Ok();
}

void WarcHttpResponse::MarkTruncated(std::string_view reason) {
  rep_->truncated.assign(reason);
}

Status WarcHttpResponse::FinishBody() {
  Rep& r = *rep_;
  if (r.finished) return Status::Ok();
  r.finished = true;
  bool raw_chunked = r.chunked && r.transfer == WarcBodyTransfer::kAsReceived;
  if (raw_chunked && !r.decoder.done() && r.truncated.empty()) {
    r.truncated.assign(kWarcTruncatedDisconnect);
  }
  ROTGUARD_RETURN_IF_ERROR(r.body.rep_->ComputeDigests());
  const BodyHasher::Digests& digests = *r.body.rep_->digests;
  r.payload_digest = WarcSha1Label(digests.sha1);
  r.payload_sha256 = HexEncode(digests.sha256);
  r.block_sha1 = digests.block_sha1;
  return Status::Ok();
}

uint64_t WarcHttpResponse::payload_length() const { return rep_->body.size(); }
bool WarcHttpResponse::chunked() const { return rep_->chunked; }
const std::string& WarcHttpResponse::truncated() const {
  return rep_->truncated;
}
const std::string& WarcHttpResponse::head() const { return rep_->head; }

const WarcBody& WarcHttpResponse::body() const { return rep_->body; }
Status WarcHttpResponse::ForEachBodyChunk(
    const std::function<Status(std::string_view)>& visit) const {
  return rep_->body.ForEachChunk(visit);
}
const std::string& WarcHttpResponse::payload_digest() const {
  return rep_->payload_digest;
}
const std::string& WarcHttpResponse::payload_sha256() const {
  return rep_->payload_sha256;
}

std::string WarcHttpResponse::StoredHead() const {
  if (!rep_->chunked) return rep_->head;
  return warc::HeadWithoutTransferCoding(rep_->head, rep_->body.size());
}

ResponseBodyFactory WarcHttpResponseFactory(WarcBodyOptions options) {
  return [options](std::string head) -> std::unique_ptr<ResponseBody> {
    return std::make_unique<WarcHttpResponse>(
        std::move(head), WarcBodyTransfer::kDecoded, options);
  };
}

}  // namespace rotguard
