#include "store/block/internal/columns.h"

#include <algorithm>

#include "common/strings.h"
#include "store/block/encoding/bit_pack.h"
#include "store/block/encoding/byte_strings.h"
#include "store/block/encoding/dictionary.h"
#include "store/block/encoding/frame_of_reference.h"
#include "store/block/encoding/limits.h"
#include "store/block/encoding/page.h"
#include "store/block/page_cache.h"

namespace th::store::block::internal {

namespace enc = ::th::store::block::encoding;

uint32_t ColumnNames::Id(std::string_view name) {
  for (size_t i = 0; i < names_.size(); ++i) {
    if (names_[i] == name) return static_cast<uint32_t>(i);
  }
  names_.emplace_back(name);
  return static_cast<uint32_t>(names_.size() - 1);
}

ColumnNameIndex::ColumnNameIndex(const std::vector<std::string>* names) : names_(names) {
  ids_.reserve(names->size());
  // The first of a repeated name wins, as a scan of the list would.
  for (size_t i = 0; i < names->size(); ++i) {
    ids_.try_emplace((*names)[i], static_cast<uint32_t>(i));
  }
}

int64_t ColumnNameIndex::Find(std::string_view name) const {
  auto it = ids_.find(name);
  return it == ids_.end() ? int64_t{-1} : int64_t{it->second};
}

// Pages under this size are not worth a zstd frame header.
constexpr size_t kMinCompressBytes = 64;

Status RowGroupBuilder::AddPage(uint8_t encoding, std::string_view encoded) {
  auto e = static_cast<enc::Encoding>(encoding);
  if (encoded.size() >= kMinCompressBytes) {
    size_t before = data_.size();
    RETURN_IF_ERROR(enc::AppendPage(e, enc::Compression::kZstd, encoded, &data_, zstd_level_));
    if (data_.size() - before < encoded.size() + enc::kPageHeaderBytes) return Status();
    data_.resize(before);
  }
  return enc::AppendPage(e, enc::Compression::kNone, encoded, &data_);
}

void RowGroupBuilder::Finish(std::string_view name, size_t start, uint32_t pages, bool has_stats,
                             int64_t min, int64_t max) {
  ChunkInfo c;
  c.name = names_->Id(name);
  c.offset = start;
  c.length = data_.size() - start;
  c.page_count = pages;
  c.has_stats = has_stats;
  c.min = min;
  c.max = max;
  chunks_.push_back(c);
}

Status RowGroupBuilder::U32(std::string_view name, std::span<const uint32_t> values) {
  if (values.empty()) return Status();
  size_t start = data_.size();
  std::string encoded;
  RETURN_IF_ERROR(enc::EncodeBitPacked(values, &encoded));
  RETURN_IF_ERROR(AddPage(static_cast<uint8_t>(enc::Encoding::kBitPacked), encoded));
  auto [mn, mx] = std::minmax_element(values.begin(), values.end());
  Finish(name, start, 1, true, *mn, *mx);
  return Status();
}

Status RowGroupBuilder::U64(std::string_view name, std::span<const uint64_t> values) {
  if (values.empty()) return Status();
  size_t start = data_.size();
  std::string encoded;
  RETURN_IF_ERROR(enc::EncodeFrameOfReference(values, &encoded));
  RETURN_IF_ERROR(AddPage(static_cast<uint8_t>(enc::Encoding::kFrameOfReferenceU64), encoded));
  auto [mn, mx] = std::minmax_element(values.begin(), values.end());
  // Statistics are signed; values past INT64_MAX get none.
  bool stats = *mx <= static_cast<uint64_t>(INT64_MAX);
  Finish(name, start, 1, stats, stats ? static_cast<int64_t>(*mn) : 0,
         stats ? static_cast<int64_t>(*mx) : 0);
  return Status();
}

Status RowGroupBuilder::I64(std::string_view name, std::span<const int64_t> values) {
  if (values.empty()) return Status();
  size_t start = data_.size();
  std::string encoded;
  RETURN_IF_ERROR(enc::EncodeFrameOfReference(values, &encoded));
  RETURN_IF_ERROR(AddPage(static_cast<uint8_t>(enc::Encoding::kFrameOfReferenceI64), encoded));
  auto [mn, mx] = std::minmax_element(values.begin(), values.end());
  Finish(name, start, 1, true, *mn, *mx);
  return Status();
}

Status RowGroupBuilder::Str(std::string_view name, std::span<const std::string_view> values) {
  if (values.empty()) return Status();
  size_t start = data_.size();
  std::string dict, codes;
  RETURN_IF_ERROR(enc::EncodeDictionary(values, &dict, &codes));
  RETURN_IF_ERROR(AddPage(static_cast<uint8_t>(enc::Encoding::kDictionary), dict));
  RETURN_IF_ERROR(AddPage(static_cast<uint8_t>(enc::Encoding::kBitPacked), codes));
  Finish(name, start, 2, false, 0, 0);
  return Status();
}

Status RowGroupBuilder::Bytes(std::string_view name, std::span<const std::string_view> values) {
  if (values.empty()) return Status();
  size_t start = data_.size();
  std::string encoded;
  RETURN_IF_ERROR(enc::EncodeLengthPrefixedStrings(values, &encoded));
  RETURN_IF_ERROR(AddPage(static_cast<uint8_t>(enc::Encoding::kLengthPrefixedStrings), encoded));
  Finish(name, start, 1, false, 0, 0);
  return Status();
}

Status RowGroupBuilder::Fixed(std::string_view name, std::string_view bytes) {
  if (bytes.empty()) return Status();
  if (bytes.size() > enc::kMaxPageBytes) {
    return absl::InvalidArgumentError(th::StrCat("column ", name, ": page too large"));
  }
  size_t start = data_.size();
  RETURN_IF_ERROR(AddPage(static_cast<uint8_t>(enc::Encoding::kRaw), bytes));
  Finish(name, start, 1, false, 0, 0);
  return Status();
}

Status RowGroupColumns::Error(std::string_view name, int page, std::string_view what) const {
  return absl::DataLossError(th::StrCat("block ", block_id_, ": ", location_, ": column ", name,
                                        ": page ", page, ": ", what));
}

Status RowGroupColumns::CheckCount(std::string_view name, size_t got, size_t expected) const {
  if (expected == kAnyCount || got == expected) return Status();
  return Error(name, 0, th::StrCat("holds ", got, " values, expected ", expected));
}

const ChunkInfo* RowGroupColumns::FindChunk(std::string_view name) {
  if (chunk_by_name_.empty()) {
    // Sized one past the names so that a block without columns still builds it once.
    chunk_by_name_.assign(names_->names().size() + 1, -1);
    for (size_t i = 0; i < chunks_->size(); ++i) {
      const uint32_t id = (*chunks_)[i].name;
      // The first chunk of a name wins, as a scan of the chunk list would.
      if (id < names_->names().size() && chunk_by_name_[id] < 0) {
        chunk_by_name_[id] = static_cast<int32_t>(i);
      }
    }
  }
  const int64_t id = names_->Find(name);
  if (id < 0 || chunk_by_name_[id] < 0) return nullptr;
  return &(*chunks_)[chunk_by_name_[id]];
}

Status RowGroupColumns::EnsureBytes() {
  if (read_ == nullptr) return read_status_;
  Result<std::string> bytes = read_();
  read_ = nullptr;
  if (!bytes.ok()) {
    read_status_ = bytes.status();
    return read_status_;
  }
  owned_bytes_ = std::move(*bytes);
  bytes_ = owned_bytes_;
  return Status();
}

// Cache keys: the row group, the chunk's index in it and the page, packed (kMaxCachedChunks and
// kMaxCachedPages bound the last two; chunks past them are not cached).
constexpr size_t kMaxCachedChunks = size_t{1} << 20;
constexpr uint32_t kMaxCachedPages = 16;

uint64_t RowGroupColumns::CacheKey(const ChunkInfo& chunk, uint32_t page) const {
  const uint64_t index = static_cast<uint64_t>(&chunk - chunks_->data());
  return (uint64_t{row_group_} << 24) | (index << 4) | page;
}

bool RowGroupColumns::CachedPages(const ChunkInfo& chunk, std::vector<std::string_view>* out) {
  for (uint32_t i = 0; i < chunk.page_count; ++i) {
    std::shared_ptr<const std::string> hit = cache_->Lookup(cache_owner_, CacheKey(chunk, i));
    if (hit == nullptr) {
      out->clear();
      return false;
    }
    out->push_back(*hit);
    held_.push_back(std::move(hit));
  }
  return true;
}

Status RowGroupColumns::Pages(std::string_view name, uint32_t want_pages,
                              std::vector<std::string_view>* out) {
  out->clear();
  const ChunkInfo* chunk = FindChunk(name);
  if (chunk == nullptr) return Status();
  if (chunk->page_count != want_pages) {
    return Error(name, 0, th::StrCat("has ", chunk->page_count, " pages, expected ", want_pages));
  }
  const bool cached = cache_on_ && cache_ != nullptr && want_pages <= kMaxCachedPages &&
                      static_cast<size_t>(chunk - chunks_->data()) < kMaxCachedChunks;
  if (cached && CachedPages(*chunk, out)) return Status();
  RETURN_IF_ERROR(EnsureBytes());
  if (chunk->offset > bytes_.size() || chunk->length > bytes_.size() - chunk->offset) {
    return Error(name, 0, "chunk lies outside its row group");
  }
  std::string_view rest = bytes_.substr(chunk->offset, chunk->length);
  for (uint32_t i = 0; i < want_pages; ++i) {
    Result<enc::Page> page = enc::ReadPage(rest);
    if (!page.ok()) return Error(name, static_cast<int>(i), th::Message(page.status()));
    rest.remove_prefix(page->size);
    buffers_.push_back(std::make_unique<std::string>());
    Result<std::string_view> payload =
        enc::PagePayload(*page, enc::kMaxPageBytes, buffers_.back().get());
    if (!payload.ok()) return Error(name, static_cast<int>(i), th::Message(payload.status()));
    out->push_back(*payload);
  }
  if (!rest.empty()) return Error(name, static_cast<int>(want_pages), "trailing bytes in chunk");
  if (cached) {
    // Kept only once the whole chunk verified, so the cache never holds part of a bad one.
    for (uint32_t i = 0; i < want_pages; ++i) {
      auto payload = std::make_shared<const std::string>((*out)[i]);
      cache_->Insert(cache_owner_, CacheKey(*chunk, i), payload);
    }
  }
  return Status();
}

template <typename T, typename Decode>
Status RowGroupColumns::SinglePage(std::string_view name, size_t expected, std::vector<T>* out,
                                   Decode decode) {
  out->clear();
  std::vector<std::string_view> pages;
  RETURN_IF_ERROR(Pages(name, 1, &pages));
  if (!pages.empty()) {
    Status s = decode(pages[0], out);
    if (!s.ok()) return Error(name, 0, th::Message(s));
  }
  return CheckCount(name, out->size(), expected);
}

Status RowGroupColumns::U32(std::string_view name, size_t expected, std::vector<uint32_t>* out) {
  return SinglePage(name, expected, out, [](std::string_view page, std::vector<uint32_t>* v) {
    return enc::DecodeBitPacked(page, v);
  });
}

Status RowGroupColumns::U64(std::string_view name, size_t expected, std::vector<uint64_t>* out) {
  return SinglePage(name, expected, out, [](std::string_view page, std::vector<uint64_t>* v) {
    return enc::DecodeFrameOfReference(page, v);
  });
}

Status RowGroupColumns::I64(std::string_view name, size_t expected, std::vector<int64_t>* out) {
  return SinglePage(name, expected, out, [](std::string_view page, std::vector<int64_t>* v) {
    return enc::DecodeFrameOfReference(page, v);
  });
}

Status RowGroupColumns::Str(std::string_view name, size_t expected,
                            std::vector<std::string_view>* out) {
  out->clear();
  std::vector<std::string_view> pages;
  RETURN_IF_ERROR(Pages(name, 2, &pages));
  if (!pages.empty()) {
    Result<enc::Dictionary> dict = enc::Dictionary::Open(pages[0]);
    if (!dict.ok()) return Error(name, 0, th::Message(dict.status()));
    std::vector<uint32_t> codes;
    Status s = enc::DecodeCodes(pages[1], dict->size(), &codes);
    if (!s.ok()) return Error(name, 1, th::Message(s));
    out->reserve(codes.size());
    for (uint32_t c : codes) out->push_back(dict->Get(c));
  }
  return CheckCount(name, out->size(), expected);
}

Status RowGroupColumns::Codes(std::string_view name, size_t expected,
                              std::vector<std::string_view>* dictionary,
                              std::vector<uint32_t>* codes) {
  dictionary->clear();
  if (codes != nullptr) codes->clear();
  std::vector<std::string_view> pages;
  RETURN_IF_ERROR(Pages(name, 2, &pages));
  if (pages.empty()) return codes == nullptr ? Status() : CheckCount(name, 0, expected);
  Result<enc::Dictionary> dict = enc::Dictionary::Open(pages[0]);
  if (!dict.ok()) return Error(name, 0, th::Message(dict.status()));
  dictionary->reserve(dict->size());
  for (uint32_t i = 0; i < dict->size(); ++i) dictionary->push_back(dict->Get(i));
  if (codes == nullptr) return Status();
  Status s = enc::DecodeCodes(pages[1], dict->size(), codes);
  if (!s.ok()) return Error(name, 1, th::Message(s));
  return CheckCount(name, codes->size(), expected);
}

Status RowGroupColumns::Bytes(std::string_view name, size_t expected,
                              std::vector<std::string_view>* out) {
  out->clear();
  std::vector<std::string_view> pages;
  RETURN_IF_ERROR(Pages(name, 1, &pages));
  if (!pages.empty()) {
    Status s = enc::DecodeLengthPrefixedStrings(pages[0], out);
    if (!s.ok()) return Error(name, 0, th::Message(s));
  }
  return CheckCount(name, out->size(), expected);
}

Status RowGroupColumns::Fixed(std::string_view name, size_t width, size_t expected,
                              std::string_view* out) {
  *out = {};
  std::vector<std::string_view> pages;
  RETURN_IF_ERROR(Pages(name, 1, &pages));
  if (!pages.empty()) *out = pages[0];
  if (out->size() % width != 0) return Error(name, 0, "size is not a multiple of the width");
  return CheckCount(name, out->size() / width, expected);
}

}  // namespace th::store::block::internal
