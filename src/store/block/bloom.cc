#include "store/block/bloom.h"

#include <algorithm>
#include <cstring>

namespace th::store::block {
namespace {

uint64_t Mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

void Hashes(const model::TraceId& id, uint64_t* h1, uint64_t* h2) {
  uint64_t a, b;
  std::memcpy(&a, id.bytes.data(), 8);
  std::memcpy(&b, id.bytes.data() + 8, 8);
  *h1 = Mix(a);
  *h2 = Mix(b);
}

constexpr uint64_t kMaxShardBits = uint64_t{64} << 13;  // 64 KiB

}  // namespace

BloomShape BloomShapeFor(uint64_t trace_count) {
  BloomShape s;
  uint64_t bits = std::max<uint64_t>(trace_count * 10, 64);
  uint64_t shards = (bits + kMaxShardBits - 1) / kMaxShardBits;
  s.shard_count = static_cast<uint32_t>(shards);
  uint64_t per = (bits + shards - 1) / shards;
  s.bits_per_shard = static_cast<uint32_t>((per + 7) / 8 * 8);
  s.hash_count = 7;
  return s;
}

uint32_t BloomShard(const BloomShape& shape, const model::TraceId& id) {
  uint64_t h1, h2;
  Hashes(id, &h1, &h2);
  return static_cast<uint32_t>(h1 % shape.shard_count);
}

BloomBuilder::BloomBuilder(BloomShape shape)
    : shape_(shape), shards_(shape.shard_count, std::string(shape.bits_per_shard / 8, '\0')) {}

void BloomBuilder::Add(const model::TraceId& id) {
  uint64_t h1, h2;
  Hashes(id, &h1, &h2);
  std::string& shard = shards_[h1 % shape_.shard_count];
  uint64_t step = (h1 >> 32) | 1;
  for (uint32_t i = 0; i < shape_.hash_count; ++i) {
    uint64_t bit = (h2 + i * step) % shape_.bits_per_shard;
    shard[bit / 8] = static_cast<char>(shard[bit / 8] | (1 << (bit % 8)));
  }
}

bool BloomMayContain(const BloomShape& shape, std::string_view shard, const model::TraceId& id) {
  uint64_t h1, h2;
  Hashes(id, &h1, &h2);
  uint64_t step = (h1 >> 32) | 1;
  for (uint32_t i = 0; i < shape.hash_count; ++i) {
    uint64_t bit = (h2 + i * step) % shape.bits_per_shard;
    if (bit / 8 >= shard.size()) return true;  // malformed shard: cannot rule out
    if ((static_cast<uint8_t>(shard[bit / 8]) & (1 << (bit % 8))) == 0) return false;
  }
  return true;
}

}  // namespace th::store::block
