// Internals of WarcBody and WarcHttpResponse shared with the writer.
#ifndef ROTGUARD_WARC_BODY_H_
#define ROTGUARD_WARC_BODY_H_

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
  DualHasher hasher;  // over every appended byte, in the same pass
  std::optional<DualHasher::Digests> digests;

  Status SpillToDisk();
  // sha1/sha256 of the body; the first call ends hashing.
  const DualHasher::Digests& Digests();
};

struct WarcHttpResponse::Rep {
  Rep(std::string head_in, WarcBodyTransfer transfer_in,
      WarcBodyOptions body_options);

  std::string head;  // as received, ending in a blank line
  WarcBodyTransfer transfer;
  bool chunked = false;
  warc::ChunkedDecoder decoder;
  WarcBody body;  // decoded payload
  // Block digest computed while the body arrives, when the stored head is
  // the received head (not chunked); otherwise computed at write time.
  std::optional<DualHasher> block_hasher;
  std::optional<DualHasher::Digests> block_digests;
  std::string truncated;
  bool finished = false;
  std::string payload_digest;
  std::string payload_sha256;
};

}  // namespace rotguard

#endif  // ROTGUARD_WARC_BODY_H_
