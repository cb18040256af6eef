// Feeds arbitrary bytes to SegmentReader as a segment file. Checks that it never reads out of
// bounds (ASan), that what it accepts is exactly a prefix of the input, and that re-encoding
// the records it returned reproduces that prefix byte for byte.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "store/wal/internal/format.h"
#include "store/wal/internal/segment_reader.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace th::store::wal::internal;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  SegmentReader reader(bytes);
  th::Result<uint64_t> sequence = reader.ReadHeader();
  if (!sequence.ok()) {
    Check(reader.offset() == 0);
    Check(!reader.Next().has_value());
    return 0;
  }
  std::string reencoded = EncodeSegmentHeader(*sequence);
  while (std::optional<std::string_view> payload = reader.Next()) {
    Check(payload->data() >= bytes.data() &&
          payload->data() + payload->size() <= bytes.data() + bytes.size());
    char header[kRecordHeaderSize];
    EncodeRecordHeader(*payload, header);
    reencoded.append(header, sizeof(header));
    reencoded.append(*payload);
  }
  Check(reader.offset() <= size);
  Check(reencoded.size() == reader.offset());
  Check(std::memcmp(reencoded.data(), bytes.data(), reencoded.size()) == 0);
  // A clean end means the whole input was consumed; an early end leaves bytes behind.
  Check(reader.status().ok() == (reader.offset() == size));
  return 0;
}
