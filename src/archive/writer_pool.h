// The writer pool: threads (one per core, at least two, at most four) that
// hash, compress and append fetched exchanges to WARC in parallel
// (WarcWriter serializes only the append), an exchange whose payload has a
// durable original as a revisit record. What each write placed goes to the
// `written` hook; a job's end goes to `done` once all its exchanges did.
#ifndef ROTGUARD_ARCHIVE_WRITER_POOL_H_
#define ROTGUARD_ARCHIVE_WRITER_POOL_H_

#include <atomic>
#include <cstddef>
#include <functional>
#include <optional>

#include "archive/originals.h"
#include "archive/work_queue.h"
#include "rotguard/fetch.h"
#include "rotguard/status.h"
#include "rotguard/warc_writer.h"

namespace rotguard::archiver {

// Exchanges waiting to be written: the fetch thread waits beyond this.
inline constexpr size_t kWriterQueueLimit = 16;
// Writer threads hash and compress; more than the cores only adds waits.
inline constexpr size_t kMaxWriterThreads = 4;

// Where an exchange's records went; `locations` is empty for an exchange
// without a response.
struct WrittenExchange {
  std::optional<WarcExchangeLocations> locations;
  std::optional<WarcRevisitOf> original;  // written as a revisit of this
};

// Writes one exchange: request and response records, or request and
// revisit when `originals` knows a durable capture of the same payload
// (payloads of at least kDedupeMinBytes, not truncated). Internal when the
// response is not a WarcHttpResponse; the writer's errors as they come.
Status WriteFetchedExchange(WarcWriter& writer, Originals& originals,
                            FetchedExchange& exchange,
                            WrittenExchange* written);

class WriterPool {
 public:
  struct Hooks {
    // After an exchange was written (any writer thread, concurrently).
    std::function<void(const WorkItem&, const WrittenExchange&)> written;
    // A job's end, after every exchange of the job was written.
    std::function<void(WorkItem&)> done;
    // A write failed; later exchanges are not written while `halted`.
    std::function<void(const Status&)> failed;
  };

  // `halted` (set by the owner on the first failure) skips the writes of
  // exchanges still queued; their jobs' ends still come.
  WriterPool(WarcWriter& writer, Originals& originals,
             const std::atomic<bool>& halted, Hooks hooks);

  // From the fetch thread; waits while kWriterQueueLimit items are queued.
  void Push(WorkItem item) { queue_.Push(std::move(item)); }
  // Writes what is queued and joins the threads; Internal if a write threw.
  Status Close() { return queue_.Close(); }

 private:
  void Write(WorkItem& item);

  WarcWriter& writer_;
  Originals& originals_;
  const std::atomic<bool>& halted_;
  const Hooks hooks_;
  WorkQueue queue_;  // last: its threads use the members above
};

}  // namespace rotguard::archiver

#endif  // ROTGUARD_ARCHIVE_WRITER_POOL_H_
