// Internals of WarcBody and WarcHttpResponse shared with the writer.
#ifndef ROTGUARD_WARC_BODY_H_
#define ROTGUARD_WARC_BODY_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "rotguard/chunked.h"
#include "rotguard/warc_writer.h"
#include "util/digest.h"
#include "util/file_follower.h"
#include "util/handles.h"

namespace rotguard {

struct WarcBody::Rep {
  WarcBodyOptions options;
  std::string memory;  // the body while it fits under the threshold
  Fd spool;            // unlinked temp file once it does not
  uint64_t size = 0;
  // Also fed every body byte: the block hasher of the response holding
  // this body (its head went in first), or null.
  Hasher* block_hasher = nullptr;
  // Hashing a body that fits in memory waits until ComputeDigests(), so it
  // runs on a writer thread, not on the thread receiving the bytes. A
  // spooled body is hashed while it arrives by a follower of the spool
  // file (a thread of its own): the receiving thread, which serves every
  // transfer, only writes, and the digests are ready soon after the end.
  std::optional<DualHasher> running;
  std::optional<DualHasher::Digests> digests;
  std::unique_ptr<FileFollower> follower;  // last: stops first

  Status SpillToDisk();
  void HashBytes(std::string_view bytes);
  // sha1/sha256 of the body (and block_hasher fed); ends appending.
  Status ComputeDigests();
  Status ForEachChunk(
      const std::function<Status(std::string_view)>& sink) const;
};

struct WarcHttpResponse::Rep {
  Rep(std::string head_in, WarcBodyTransfer transfer_in,
      WarcBodyOptions body_options);
  // Stops the body's spool follower before block_hasher, which it feeds,
  // goes.
  ~Rep();

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
