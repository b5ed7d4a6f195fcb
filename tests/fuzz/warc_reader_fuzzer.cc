// Fuzz target for the WARC reader: any bytes, read as a whole file (block
// and payload reads mixed with skips), must never crash, hang, or allocate
// by a hostile Content-Length.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "rotguard/warc_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto reader = rotguard::WarcReader::FromBuffer(input, "fuzz");
  char buf[1024];
  for (int record = 0;; ++record) {
    rotguard::Result<bool> more = reader->Next();
    if (!more.ok() || !*more) break;
    // Alternate between skipping, reading the block and reading the
    // payload, so every path sees hostile records.
    for (;;) {
      rotguard::Result<size_t> got =
          record % 3 == 0   ? rotguard::Result<size_t>(size_t{0})
          : record % 3 == 1 ? reader->ReadBlock(buf, sizeof buf)
                            : reader->ReadPayload(buf, sizeof buf);
      if (!got.ok() || *got == 0) break;
    }
    if (!reader->FinishRecord().ok()) break;
  }
  return 0;
}
