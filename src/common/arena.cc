#include "common/arena.h"

namespace th {

char* Arena::AllocateSlow(size_t n) {
  // Large requests get their own block so that the current block's tail is not wasted.
  if (n > kBlockSize / 4) {
    blocks_.push_back(std::make_unique<char[]>(n));
    block_sizes_.push_back(n);
    return blocks_.back().get();
  }
  blocks_.push_back(std::make_unique<char[]>(kBlockSize));
  block_sizes_.push_back(kBlockSize);
  next_ = blocks_.back().get() + n;
  remaining_ = kBlockSize - n;
  return blocks_.back().get();
}

void Arena::AdoptAll(Arena&& other) {
  for (auto& b : other.blocks_) blocks_.push_back(std::move(b));
  block_sizes_.insert(block_sizes_.end(), other.block_sizes_.begin(), other.block_sizes_.end());
  for (auto& a : other.adopted_) adopted_.push_back(std::move(a));
  other.blocks_.clear();
  other.block_sizes_.clear();
  other.adopted_.clear();
  other.next_ = nullptr;
  other.remaining_ = 0;
}

size_t Arena::MemoryUsage() const {
  size_t total = 0;
  for (size_t s : block_sizes_) total += s;
  for (const auto& a : adopted_) total += a->capacity();
  return total;
}

}  // namespace th
