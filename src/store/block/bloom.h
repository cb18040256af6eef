// Bloom filter over a block's trace ids, split into shards so a look-up fetches one shard
// (docs/formats/block.md, "bloom"). BloomBuilder sizes the filter for about 1% false positives;
// BloomMayContain probes one shard. Pure values; thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model/ids.h"

namespace th::store::block {

struct BloomShape {
  uint32_t shard_count = 1;
  uint32_t bits_per_shard = 8;  // a multiple of 8
  uint32_t hash_count = 7;
};

// The shape for `trace_count` ids: 10 bits per id, shards of at most 64 KiB.
BloomShape BloomShapeFor(uint64_t trace_count);

// The shard `id` falls in.
uint32_t BloomShard(const BloomShape& shape, const model::TraceId& id);

class BloomBuilder {
 public:
  explicit BloomBuilder(BloomShape shape);
  void Add(const model::TraceId& id);
  const BloomShape& shape() const { return shape_; }
  // Shard i's bytes (bits_per_shard / 8 of them).
  const std::string& shard(uint32_t i) const { return shards_[i]; }

 private:
  BloomShape shape_;
  std::vector<std::string> shards_;
};

// False if `id` was certainly not added. Requires: `shard` is the shard BloomShard names, of
// bits_per_shard / 8 bytes.
bool BloomMayContain(const BloomShape& shape, std::string_view shard, const model::TraceId& id);

}  // namespace th::store::block
