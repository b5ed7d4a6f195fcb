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
#include "warc/sha1_lanes.h"

namespace rotguard {

// A body's digests in one pass over its bytes: the payload's sha1 and
// sha256 and, when the body ends a block whose head came first (a
// response stored as received), the block's sha1. The two SHA-1s run as
// the two lanes of a Sha1Lanes (block lane: head, then body; payload lane:
// body): taken one after the other they were a third of the archive's
// digest CPU on the small-file benchmark.
class BodyHasher {
 public:
  // `block_head` empty: no block digest (chunked responses and resources,
  // whose block is not head + these bytes).
  explicit BodyHasher(std::string_view block_head);
  // Also takes the bytes' gzip CRC-32: a spooled body that is stored
  // (not deflated) is then copied into the WARC file by the kernel, and
  // its member's CRC comes from here, not from reading it back.
  void TakeCrc() { crc_.emplace(0); }
  void Update(std::string_view bytes);
  struct Digests {
    std::string sha1;                       // raw 20 bytes, the payload's
    std::string sha256;                     // raw 32 bytes, the payload's
    std::optional<std::string> block_sha1;  // raw; with a block head only
    std::optional<uint32_t> crc;            // after TakeCrc() only
  };
  Digests Final();

 private:
  std::optional<warc::Sha1Lanes> lanes_;  // with a block head
  std::optional<Hasher> sha1_;            // without
  Hasher sha256_;
  std::optional<uint32_t> crc_;
};

struct WarcBody::Rep {
  WarcBodyOptions options;
  std::string memory;  // the body while it fits under the threshold
  Fd spool;            // unlinked temp file once it does not
  uint64_t size = 0;
  // The head of the block this body ends (the response holding it, when
  // stored as received), or empty: its block sha1 is then taken with the
  // payload digests (BodyHasher). Points into that response's Rep.
  std::string_view block_head;
  // Hashing a body that fits in memory waits until ComputeDigests(), so it
  // runs on a writer thread, not on the thread receiving the bytes. A
  // spooled body is hashed while it arrives by a follower of the spool
  // file (a thread of its own): the receiving thread, which serves every
  // transfer, only writes, and the digests are ready soon after the end.
  std::optional<BodyHasher> running;
  std::optional<BodyHasher::Digests> digests;
  std::unique_ptr<FileFollower> follower;  // last: stops first

  Status SpillToDisk();
  void HashBytes(std::string_view bytes);
  // sha1/sha256 of the body (and the block's sha1); ends appending.
  Status ComputeDigests();
  Status ForEachChunk(
      const std::function<Status(std::string_view)>& sink) const;
};

struct WarcHttpResponse::Rep {
  Rep(std::string head_in, WarcBodyTransfer transfer_in,
      WarcBodyOptions body_options);
  // Stops the body's spool follower, which reads `head` through the
  // body's block_head, before `head` goes.
  ~Rep();

  std::string head;  // as received, ending in a blank line
  WarcBodyTransfer transfer;
  bool chunked = false;
  warc::ChunkedDecoder decoder;
  WarcBody body;  // decoded payload
  // Block sha1 (head + body) computed with the payload digests, when the
  // stored head is the received head (not chunked); otherwise computed at
  // write time. WARC-Block-Digest is sha1 only: no sha256 of the block.
  std::optional<std::string> block_sha1;  // raw 20 bytes
  std::string truncated;
  bool finished = false;
  std::string payload_digest;
  std::string payload_sha256;
};

}  // namespace rotguard

#endif  // ROTGUARD_WARC_BODY_H_
