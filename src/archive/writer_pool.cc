#include "archive/writer_pool.h"

#include <string>
#include <utility>

#include "util/worker_pool.h"

namespace rotguard::archiver {
namespace {

std::string StripLabel(const std::string& digest) {
  size_t colon = digest.find(':');
  return colon == std::string::npos ? digest : digest.substr(colon + 1);
}

}  // namespace

Status WriteFetchedExchange(WarcWriter& writer, Originals& originals,
                            FetchedExchange& ex, WrittenExchange* written) {
  if (!ex.response) return Status::Ok();
  auto* warc_response = dynamic_cast<WarcHttpResponse*>(ex.response.get());
  if (warc_response == nullptr) {
    return Status::Internal(ex.url +
                            ": the fetcher's bodies are not WARC responses "
                            "(FetchOptions::new_body)");
  }
  WarcHttpResponse& response = *warc_response;
  ROTGUARD_RETURN_IF_ERROR(response.FinishBody());
  WarcCapture capture;
  capture.target_uri = ex.url;
  capture.ip_address = ex.ip_address;
  capture.protocol = ex.protocol;
  capture.date = ex.started;
  if (response.payload_length() >= kDedupeMinBytes &&
      response.truncated().empty()) {
    written->original = originals.Find(StripLabel(response.payload_digest()));
  }
  Result<WarcExchangeLocations> locs =
      written->original
          ? writer.WriteRevisit(capture, ex.request_head, response,
                                *written->original)
          : writer.WriteExchange(capture, ex.request_head, response);
  if (!locs.ok()) return locs.status();
  written->locations = std::move(*locs);
  return Status::Ok();
}

WriterPool::WriterPool(WarcWriter& writer, Originals& originals,
                       const std::atomic<bool>& halted, Hooks hooks)
    : writer_(writer),
      originals_(originals),
      halted_(halted),
      hooks_(std::move(hooks)),
      queue_(WorkerPool::ThreadsFor(kMaxWriterThreads, 2), kWriterQueueLimit,
             {[this](WorkItem& item) { Write(item); }, hooks_.done}) {}

void WriterPool::Write(WorkItem& item) {
  if (halted_) return;
  WrittenExchange written;
  Status status =
      WriteFetchedExchange(writer_, originals_, item.exchange, &written);
  if (status.ok()) {
    hooks_.written(item, written);
  } else {
    hooks_.failed(status);
  }
}

}  // namespace rotguard::archiver
