// Feeds arbitrary bytes to every decoder of the module. The first byte picks the decoder, the
// rest is its input. Checks that no decoder reads out of bounds or crashes (ASan, UBSan), that
// string views point into the input, and that whatever a decoder accepts re-encodes to something
// that decodes to the same values.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "store/block/encoding/bit_pack.h"
#include "store/block/encoding/byte_strings.h"
#include "store/block/encoding/compression.h"
#include "store/block/encoding/delta.h"
#include "store/block/encoding/dictionary.h"
#include "store/block/encoding/frame_of_reference.h"
#include "store/block/encoding/page.h"

namespace {

using namespace th::store::block::encoding;

void Check(bool ok) {
  if (!ok) std::abort();
}

void CheckInside(std::string_view part, std::string_view whole) {
  Check(part.empty() ||
        (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size()));
}

template <typename T, typename Enc, typename Dec>
void IntegerRoundTrip(std::string_view in, Enc encode, Dec decode) {
  std::vector<T> values;
  if (!decode(in, &values).ok()) return;
  std::string again;
  Check(encode(std::span<const T>(values), &again).ok());
  std::vector<T> values2;
  Check(decode(again, &values2).ok());
  Check(values == values2);
}

void Strings(std::string_view in, bool plain) {
  std::vector<std::string_view> values;
  auto decode = plain ? &DecodePlainStrings : &DecodeLengthPrefixedStrings;
  auto encode = plain ? &EncodePlainStrings : &EncodeLengthPrefixedStrings;
  if (!decode(in, &values).ok()) return;
  for (std::string_view v : values) CheckInside(v, in);
  std::string again;
  Check(encode(values, &again).ok());
  std::vector<std::string_view> values2;
  Check(decode(again, &values2).ok() && values == values2);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 10) {
    case 0: {
      std::vector<uint32_t> v;
      if (DecodeBitPacked(in, &v).ok()) {
        std::string again;
        Check(EncodeBitPacked(v, &again).ok());
        std::vector<uint32_t> v2;
        Check(DecodeBitPacked(again, &v2).ok() && v == v2);
      }
      // The raw run with a width and count taken from the input.
      if (in.size() >= 2) {
        int width = static_cast<uint8_t>(in[0]) % 66;
        size_t count = static_cast<uint8_t>(in[1]) * 3u;
        std::vector<uint64_t> out(count);
        (void)UnpackBits(in.substr(2), count, width, out.data()).ok();
      }
      break;
    }
    case 1:
      IntegerRoundTrip<uint64_t>(
          in,
          [](std::span<const uint64_t> v, std::string* o) { return EncodeFrameOfReference(v, o); },
          [](std::string_view i, std::vector<uint64_t>* o) {
            return DecodeFrameOfReference(i, o);
          });
      break;
    case 2:
      IntegerRoundTrip<int64_t>(
          in,
          [](std::span<const int64_t> v, std::string* o) { return EncodeFrameOfReference(v, o); },
          [](std::string_view i, std::vector<int64_t>* o) { return DecodeFrameOfReference(i, o); });
      break;
    case 3:
      IntegerRoundTrip<int64_t>(
          in, [](std::span<const int64_t> v, std::string* o) { return EncodeDelta(v, o); },
          [](std::string_view i, std::vector<int64_t>* o) { return DecodeDelta(i, o); });
      break;
    case 4: {
      th::Result<Dictionary> d = Dictionary::Open(in);
      if (!d.ok()) break;
      std::vector<std::string_view> entries;
      for (uint32_t i = 0; i < d->size(); ++i) {
        CheckInside(d->Get(i), in);
        Check(d->Find(d->Get(i)) == i);
        entries.push_back(d->Get(i));
      }
      std::string dict, codes;
      Check(EncodeDictionary(entries, &dict, &codes).ok());
      th::Result<Dictionary> d2 = Dictionary::Open(dict);
      Check(d2.ok() && d2->size() == d->size());
      std::vector<uint32_t> c;
      Check(DecodeCodes(codes, d2->size(), &c).ok());
      for (uint32_t i = 0; i < c.size(); ++i) Check(c[i] == i && d2->Get(i) == entries[i]);
      break;
    }
    case 5: {
      // Codes against a dictionary size taken from the input's first byte.
      if (in.empty()) break;
      std::vector<uint32_t> codes;
      uint32_t dict_size = static_cast<uint8_t>(in[0]);
      if (DecodeCodes(in.substr(1), dict_size, &codes).ok()) {
        for (uint32_t c : codes) Check(c < dict_size);
      }
      break;
    }
    case 6:
      Strings(in, true);
      break;
    case 7:
      Strings(in, false);
      break;
    case 8: {
      std::string out;
      for (Compression c : {Compression::kZstd, Compression::kLz4}) {
        if (Decompress(c, in, 1 << 20, &out).ok()) Check(out.size() <= (1 << 20));
      }
      break;
    }
    case 9: {
      std::string_view rest = in;
      std::string scratch;
      while (true) {
        th::Result<Page> p = ReadPage(rest);
        if (!p.ok()) break;
        Check(p->size <= rest.size());
        CheckInside(p->stored, rest);
        th::Result<std::string_view> payload = PagePayload(*p, 1 << 20, &scratch);
        if (payload.ok()) Check(payload->size() <= (1 << 20));
        rest.remove_prefix(p->size);
      }
      break;
    }
  }
  return 0;
}
