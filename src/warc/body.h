// Internals of WarcBody and WarcHttpResponse shared with the writer.
#ifndef ROTGUARD_WARC_BODY_H_
#define ROTGUARD_WARC_BODY_H_

#include <functional>
#include <optional>
#include <string>

#include "rotguard/warc_writer.h"
#include "util/digest.h"
#include "util/handles.h"
#include "warc/chunked.h"

namespace rotguard {

struct WarcBody::Rep {
  WarcBodyOptions options;
  std::string memory;  // the body while it fits under the threshold
  Fd spool;            // unlinked temp file once it does not
  uint64_t size = 0;
  std::optional<DualHasher::Digests> digests;

  Status SpillToDisk();
  // sha1/sha256 of the body in one pass over the finished body, which also
  // feeds `also` (the block hasher of a response) when given. Hashing waits
  // until here, not Append(), so it runs on the writer threads and never on
  // the thread that receives the bytes. The first call ends appending.
  Status ComputeDigests(Hasher* also = nullptr);
  Status ForEachChunk(
      const std::function<Status(std::string_view)>& sink) const;
};

struct WarcHttpResponse::Rep {
  Rep(std::string head_in, WarcBodyTransfer transfer_in,
      WarcBodyOptions body_options);

  std::string head;  // as received, ending in a blank line
  WarcBodyTransfer transfer;
  bool chunked = false;
  warc::ChunkedDecoder decoder;
  WarcBody body;  // decoded payload
  // Block sha1 (head + body) computed with the payload digests, when the
  // stored head is the received head (not chunked); otherwise computed at
  // write time. WARC-Block-Digest is sha1 only: no sha256 of the block.
  std::optional<Hasher> block_hasher;
  std::optional<std::string> block_sha1;  // raw 20 bytes
  std::string truncated;
  bool finished = false;
  std::string payload_digest;
  std::string payload_sha256;
};

}  // namespace rotguard

#endif  // ROTGUARD_WARC_BODY_H_
