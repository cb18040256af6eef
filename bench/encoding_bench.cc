// Scan-path rates of the block column encodings (src/store/block/encoding): bit unpacking by
// width, dictionary-code scans (decode the codes page, count rows equal to one code) and delta
// decoding of timestamps. Items per second are values per second on one core.
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <benchmark/benchmark.h>

#include "common/strings.h"
#include "store/block/encoding/bit_pack.h"
#include "store/block/encoding/delta.h"
#include "store/block/encoding/dictionary.h"

namespace {

using namespace th::store::block::encoding;

constexpr size_t kValues = 65536;

template <typename T>
void BM_UnpackBits(benchmark::State& state) {
  int width = static_cast<int>(state.range(0));
  std::mt19937_64 rng(1);
  uint64_t mask = width == 64 ? ~uint64_t{0} : (uint64_t{1} << width) - 1;
  std::vector<T> values(kValues);
  for (auto& v : values) v = static_cast<T>(rng() & mask);
  std::string packed;
  PackBits(std::span<const T>(values), width, &packed);
  std::vector<T> out(kValues);
  for (auto _ : state) {
    benchmark::DoNotOptimize(UnpackBits(packed, kValues, width, out.data()).ok());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kValues));
}
BENCHMARK(BM_UnpackBits<uint32_t>)->Arg(1)->Arg(3)->Arg(8)->Arg(12)->Arg(17)->Arg(32);
BENCHMARK(BM_UnpackBits<uint64_t>)->Arg(1)->Arg(8)->Arg(17)->Arg(40)->Arg(64);

// A column of `distinct` service names; the scan finds the rows equal to one of them.
void BM_DictionaryCodeScan(benchmark::State& state) {
  auto distinct = static_cast<uint32_t>(state.range(0));
  std::vector<std::string> names;
  for (uint32_t i = 0; i < distinct; ++i) names.push_back(th::StrCat("service-", i));
  std::mt19937 rng(2);
  std::vector<std::string_view> column(kValues);
  for (auto& v : column) v = names[rng() % distinct];
  std::string dict_page, codes_page;
  if (!EncodeDictionary(column, &dict_page, &codes_page).ok()) state.SkipWithError("encode");
  th::Result<Dictionary> dict = Dictionary::Open(dict_page);
  std::vector<uint32_t> codes;
  for (auto _ : state) {
    std::optional<uint32_t> target = dict->Find("service-1");
    if (!DecodeCodes(codes_page, dict->size(), &codes).ok()) state.SkipWithError("decode");
    // Counted in fixed-size chunks, as a scan operator would, so -O2 vectorises the compare.
    uint32_t code = *target;
    size_t matches = 0;
    size_t i = 0;
    for (; i + 64 <= codes.size(); i += 64) {
      uint32_t m = 0;
      for (size_t j = 0; j < 64; ++j) m += codes[i + j] == code;
      matches += m;
    }
    for (; i < codes.size(); ++i) matches += codes[i] == code;
    benchmark::DoNotOptimize(matches);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kValues));
}
BENCHMARK(BM_DictionaryCodeScan)->Arg(16)->Arg(1000)->Arg(65536);

void BM_DeltaDecodeTimestamps(benchmark::State& state) {
  std::mt19937 rng(3);
  std::vector<int64_t> ts(kValues);
  int64_t t = 1'700'000'000'000'000'000;
  for (auto& v : ts) v = t += 1'000'000 + rng() % 1000;
  std::string page;
  if (!EncodeDelta(ts, &page).ok()) state.SkipWithError("encode");
  std::vector<int64_t> out;
  for (auto _ : state) {
    if (!DecodeDelta(page, &out).ok()) state.SkipWithError("decode");
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kValues));
  state.counters["bytes_per_value"] = static_cast<double>(page.size()) / kValues;
}
BENCHMARK(BM_DeltaDecodeTimestamps);

}  // namespace

BENCHMARK_MAIN();
