// Arena: bump allocator that owns the bytes a SpanBatch's string_views point into.
//
// Ownership: everything allocated from an arena lives exactly as long as the arena. Buffers may
// also be adopted whole (a received request body), so decoders can hand out views into them
// without copying. Not thread-safe: one owner at a time (batches move between threads, they are
// never shared while mutable).
#pragma once

#include <cstddef>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace th {

class Arena {
 public:
  Arena() = default;
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;
  Arena(Arena&&) = default;
  Arena& operator=(Arena&&) = default;

  // Returns `n` bytes of uninitialised storage, valid for the arena's lifetime.
  char* Allocate(size_t n) {
    if (n > remaining_) return AllocateSlow(n);
    char* p = next_;
    next_ += n;
    remaining_ -= n;
    return p;
  }

  // Copies `s` into the arena and returns a view of the copy.
  std::string_view Copy(std::string_view s) {
    if (s.empty()) return {};
    char* p = Allocate(s.size());
    std::memcpy(p, s.data(), s.size());
    return {p, s.size()};
  }

  // Takes ownership of `buffer` and returns a view of its bytes; the view stays valid even as
  // the arena grows (the string itself is never moved again).
  std::string_view Adopt(std::string&& buffer) {
    adopted_.push_back(std::make_unique<std::string>(std::move(buffer)));
    return *adopted_.back();
  }

  // Takes over everything `other` holds, so views into it stay valid for this arena's lifetime
  // (merging batches without copying their strings). `other` is left empty.
  void AdoptAll(Arena&& other);

  // Bytes held: blocks plus adopted buffers. For memory accounting.
  size_t MemoryUsage() const;

 private:
  static constexpr size_t kBlockSize = 16 * 1024;

  char* AllocateSlow(size_t n);

  char* next_ = nullptr;
  size_t remaining_ = 0;
  std::vector<std::unique_ptr<char[]>> blocks_;
  std::vector<size_t> block_sizes_;
  std::vector<std::unique_ptr<std::string>> adopted_;
};

}  // namespace th
