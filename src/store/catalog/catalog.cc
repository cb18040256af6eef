#include "store/catalog/catalog.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <map>
#include <random>

#include "common/clock.h"
#include "common/crc32c.h"
#include "common/failpoint.h"
#include "common/log.h"
#include "common/metrics.h"
#include "common/strings.h"
#include "store/block/block_meta.h"
#include "store/block/block_writer.h"

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"

namespace th::store::catalog {
namespace {

using block::BlockReader;

// The tenant index object's name inside "<tenant>/" and its first line.
constexpr std::string_view kIndexObject = "index";
constexpr std::string_view kIndexHeader = "tracehouse block index v1";

uint64_t GraceNanos(std::chrono::seconds s) {
  return static_cast<uint64_t>(std::max<int64_t>(0, s.count())) * 1'000'000'000ull;
}

struct Metrics {
  metrics::Gauge* blocks;
  metrics::Gauge* bytes;
  metrics::Gauge* spans;
  metrics::Counter* unreadable;
  metrics::Counter* deleted;
  static Metrics& Get() {
    static Metrics* m = [] {
      auto& r = metrics::Registry::Default();
      return new Metrics{
          r.GetGauge("tracehouse_store_blocks", "Visible blocks, all tenants."),
          r.GetGauge("tracehouse_store_block_bytes",
                     "Bytes of visible blocks (data, index, bloom), all tenants."),
          r.GetGauge("tracehouse_store_block_spans", "Spans in visible blocks, all tenants."),
          r.GetCounter("tracehouse_store_blocks_unreadable_total",
                       "Blocks left out of the catalog because their meta could not be read."),
          r.GetCounter("tracehouse_store_blocks_deleted_total",
                       "Blocks whose objects were deleted (compacted, expired, orphaned)."),
      };
    }();
    return *m;
  }
};

std::shared_ptr<const TenantBlocks> MakeTenantBlocks(
    std::vector<std::shared_ptr<const BlockReader>> blocks, uint64_t wal_segment_end) {
  auto t = std::make_shared<TenantBlocks>();
  std::sort(blocks.begin(), blocks.end(), [](const auto& a, const auto& b) {
    if (a->meta().min_start_unix_nano != b->meta().min_start_unix_nano) {
      return a->meta().min_start_unix_nano < b->meta().min_start_unix_nano;
    }
    return a->meta().block_id < b->meta().block_id;
  });
  t->wal_segment_end = wal_segment_end;
  for (const auto& b : blocks) {
    const block::BlockMeta& m = b->meta();
    t->span_count += m.span_count;
    t->byte_count += m.data_size + m.index_size + m.bloom_size;
    t->wal_segment_end = std::max(t->wal_segment_end, m.wal_segment_end);
  }
  t->blocks = std::move(blocks);
  return t;
}

std::string EncodeIndex(const TenantBlocks& t) {
  std::string body = th::StrCat(kIndexHeader, "\n");
  for (const auto& b : t.blocks) th::StrAppend(&body, b->meta().block_id, "\n");
  char tail[64];
  std::snprintf(tail, sizeof(tail), "end %zu %08" PRIx32 "\n", t.blocks.size(),
                crc32c::Value(body));
  return body + tail;
}

Result<std::vector<std::string>> DecodeIndex(std::string_view bytes, std::string_view what) {
  auto bad = [&](std::string_view why) {
    return absl::DataLossError(th::StrCat(what, ": ", why));
  };
  size_t end_line = bytes.rfind("end ");
  if (end_line == std::string_view::npos) return bad("no end line");
  std::string_view body = bytes.substr(0, end_line);
  size_t count = 0;
  uint32_t crc = 0;
  std::string tail(bytes.substr(end_line));
  if (std::sscanf(tail.c_str(), "end %zu %" SCNx32, &count, &crc) != 2) return bad("bad end line");
  if (crc != crc32c::Value(body)) return bad("checksum mismatch");
  std::vector<std::string> ids;
  size_t pos = 0;
  bool header = true;
  while (pos < body.size()) {
    size_t nl = body.find('\n', pos);
    if (nl == std::string_view::npos) return bad("unterminated line");
    std::string_view line = body.substr(pos, nl - pos);
    pos = nl + 1;
    if (header) {
      if (line != kIndexHeader) return bad("unknown header");
      header = false;
      continue;
    }
    ids.emplace_back(line);
  }
  if (header || ids.size() != count) return bad("count mismatch");
  return ids;
}

}  // namespace

std::string NewBlockId() {
  static std::mt19937_64 rng(std::random_device{}());
  static absl::Mutex mu;
  uint32_t r;
  {
    absl::MutexLock lock(&mu);
    r = static_cast<uint32_t>(rng());
  }
  char id[32];
  std::snprintf(id, sizeof(id), "%016" PRIx64 "-%08" PRIx32, NowUnixNano(), r);
  return id;
}

uint64_t BlockIdTimeUnixNano(std::string_view block_id) {
  if (block_id.size() != 25 || block_id[16] != '-') return 0;
  uint64_t t = 0;
  for (char c : block_id.substr(0, 16)) {
    int d = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
    if (d < 0) return 0;
    t = (t << 4) | static_cast<uint64_t>(d);
  }
  return t;
}

Status DeleteBlock(backend::Backend* backend, std::string_view tenant, std::string_view block_id) {
  // Meta first: from then on the block does not exist for any reader.
  RETURN_IF_ERROR(backend->Delete(block::BlockObjectKey(tenant, block_id, block::kMetaObject)));
  failpoint::Hit("delete.after_meta");
  ASSIGN_OR_RETURN(std::vector<std::string> keys,
                   backend->List(th::StrCat(tenant, "/", block_id), backend::ListMode::kRecursive));
  Status status;
  for (const std::string& key : keys) status.Update(backend->Delete(key));
  if (status.ok()) Metrics::Get().deleted->Add();
  return status;
}

struct Catalog::State {
  mutable absl::Mutex mu;
  std::map<std::string, std::shared_ptr<const TenantBlocks>, std::less<>> tenants
      ABSL_GUARDED_BY(mu);
  struct Doomed {
    std::string tenant;
    std::string block_id;
    uint64_t delete_after_unix_nano;
  };
  std::vector<Doomed> doomed ABSL_GUARDED_BY(mu);
  // Serialises writers (Update, Drop, Load) so each index object is written in snapshot order.
  absl::Mutex write_mu;

  void RefreshMetrics() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    double blocks = 0, bytes = 0, spans = 0;
    for (const auto& [name, t] : tenants) {
      blocks += static_cast<double>(t->blocks.size());
      bytes += static_cast<double>(t->byte_count);
      spans += static_cast<double>(t->span_count);
    }
    Metrics::Get().blocks->Set(blocks);
    Metrics::Get().bytes->Set(bytes);
    Metrics::Get().spans->Set(spans);
  }
};

Catalog::Catalog(backend::Backend* backend, CatalogOptions options)
    : backend_(backend), options_(options), state_(std::make_unique<State>()) {}

Catalog::~Catalog() = default;

Status Catalog::Load(bool collect_garbage) {
  absl::MutexLock write(&state_->write_mu);
  ASSIGN_OR_RETURN(std::vector<std::string> tenant_dirs, backend_->List("", backend::ListMode::kShallow));
  std::map<std::string, std::shared_ptr<const TenantBlocks>, std::less<>> loaded;
  std::vector<State::Doomed> doomed;
  const uint64_t now = NowUnixNano();
  for (const std::string& dir : tenant_dirs) {
    if (dir.empty() || dir.back() != '/') continue;  // an object at the root: not ours
    std::string tenant = dir.substr(0, dir.size() - 1);
    ASSIGN_OR_RETURN(std::vector<std::string> entries,
                     backend_->List(tenant, backend::ListMode::kShallow));
    std::vector<std::shared_ptr<const BlockReader>> blocks;
    std::vector<std::string> orphans;
    for (const std::string& entry : entries) {
      if (entry.empty() || entry.back() != '/') continue;  // the index object
      std::string block_id = entry.substr(tenant.size() + 1, entry.size() - tenant.size() - 2);
      Result<std::unique_ptr<BlockReader>> reader = BlockReader::Open(backend_, tenant, block_id);
      if (reader.ok()) {
        blocks.push_back(std::move(reader).value());
      } else if (absl::IsNotFound(reader.status())) {
        orphans.push_back(block_id);
      } else {
        Metrics::Get().unreadable->Add();
        log::Error("block left out of the catalog", "tenant=", tenant, " block=", block_id,
                   " error=\"", reader.status().message(), "\"");
      }
    }
    // Hide blocks that a visible block replaces.
    std::map<std::string, uint64_t> replaced;  // id -> when its replacement was created
    for (const auto& b : blocks) {
      for (const std::string& source : b->meta().sources) {
        replaced[source] = std::max(replaced[source], b->meta().created_unix_nano);
      }
    }
    std::vector<std::shared_ptr<const BlockReader>> visible;
    for (auto& b : blocks) {
      auto it = replaced.find(b->meta().block_id);
      if (it == replaced.end()) {
        visible.push_back(std::move(b));
      } else {
        doomed.push_back({tenant, it->first, it->second + GraceNanos(options_.compacted_grace)});
      }
    }
    if (collect_garbage) {
      for (const std::string& id : orphans) {
        uint64_t created = BlockIdTimeUnixNano(id);
        if (created + GraceNanos(options_.orphan_grace) > now) continue;  // maybe in flight
        log::Info("deleting orphan block objects", "tenant=", tenant, " block=", id);
        Status st = DeleteBlock(backend_, tenant, id);
        if (!st.ok()) log::Warn("orphan delete failed", "block=", id, " error=\"", st.message(), "\"");
      }
    }
    loaded[tenant] = MakeTenantBlocks(std::move(visible), 0);
  }
  absl::MutexLock lock(&state_->mu);
  state_->tenants = std::move(loaded);
  state_->doomed = collect_garbage ? std::move(doomed) : std::vector<State::Doomed>();
  state_->RefreshMetrics();
  return Status();
}

Status Catalog::LoadFromIndex() {
  absl::MutexLock write(&state_->write_mu);
  ASSIGN_OR_RETURN(std::vector<std::string> tenant_dirs, backend_->List("", backend::ListMode::kShallow));
  std::map<std::string, std::shared_ptr<const TenantBlocks>, std::less<>> loaded;
  for (const std::string& dir : tenant_dirs) {
    if (dir.empty() || dir.back() != '/') continue;
    std::string tenant = dir.substr(0, dir.size() - 1);
    std::string key = th::StrCat(tenant, "/", kIndexObject);
    Result<std::string> bytes = backend_->Get(key);
    if (absl::IsNotFound(bytes.status())) continue;  // no block published yet
    RETURN_IF_ERROR(bytes.status());
    ASSIGN_OR_RETURN(std::vector<std::string> ids, DecodeIndex(*bytes, key));
    std::vector<std::shared_ptr<const BlockReader>> blocks;
    for (const std::string& id : ids) {
      Result<std::unique_ptr<BlockReader>> reader = BlockReader::Open(backend_, tenant, id);
      if (!reader.ok()) {
        // Dropped by the owner after it published this index: it is gone for everyone.
        log::Warn("indexed block unreadable", "tenant=", tenant, " block=", id, " error=\"",
                  reader.status().message(), "\"");
        continue;
      }
      blocks.push_back(std::move(reader).value());
    }
    loaded[tenant] = MakeTenantBlocks(std::move(blocks), 0);
  }
  absl::MutexLock lock(&state_->mu);
  state_->tenants = std::move(loaded);
  state_->RefreshMetrics();
  return Status();
}

std::shared_ptr<const TenantBlocks> Catalog::Snapshot(std::string_view tenant) const {
  static const auto* empty = new std::shared_ptr<const TenantBlocks>(
      std::make_shared<const TenantBlocks>());
  absl::MutexLock lock(&state_->mu);
  auto it = state_->tenants.find(tenant);
  return it == state_->tenants.end() ? *empty : it->second;
}

std::vector<std::string> Catalog::Tenants() const {
  absl::MutexLock lock(&state_->mu);
  std::vector<std::string> out;
  for (const auto& [name, t] : state_->tenants) out.push_back(name);
  return out;
}

Status Catalog::Update(std::string_view tenant,
                       std::vector<std::shared_ptr<const BlockReader>> added,
                       const std::vector<std::string>& removed) {
  absl::MutexLock write(&state_->write_mu);
  std::shared_ptr<const TenantBlocks> next;
  {
    absl::MutexLock lock(&state_->mu);
    auto it = state_->tenants.find(tenant);
    std::vector<std::shared_ptr<const BlockReader>> blocks = std::move(added);
    uint64_t wal_end = 0;
    absl::flat_hash_set<std::string_view> gone(removed.begin(), removed.end());
    if (it != state_->tenants.end()) {
      wal_end = it->second->wal_segment_end;
      for (const auto& b : it->second->blocks) {
        if (!gone.contains(b->meta().block_id)) blocks.push_back(b);
      }
    }
    uint64_t after = NowUnixNano() + GraceNanos(options_.compacted_grace);
    for (const std::string& id : removed) {
      state_->doomed.push_back({std::string(tenant), id, after});
    }
    next = MakeTenantBlocks(std::move(blocks), wal_end);
    state_->tenants[std::string(tenant)] = next;
    state_->RefreshMetrics();
  }
  return backend_->Put(th::StrCat(tenant, "/", kIndexObject), EncodeIndex(*next));
}

Status Catalog::Drop(std::string_view tenant, std::string_view block_id) {
  {
    absl::MutexLock write(&state_->write_mu);
    std::shared_ptr<const TenantBlocks> next;
    {
      absl::MutexLock lock(&state_->mu);
      auto it = state_->tenants.find(tenant);
      if (it == state_->tenants.end()) return Status();
      std::vector<std::shared_ptr<const BlockReader>> blocks;
      for (const auto& b : it->second->blocks) {
        if (b->meta().block_id != block_id) blocks.push_back(b);
      }
      next = MakeTenantBlocks(std::move(blocks), it->second->wal_segment_end);
      it->second = next;
      state_->RefreshMetrics();
    }
    RETURN_IF_ERROR(backend_->Put(th::StrCat(tenant, "/", kIndexObject), EncodeIndex(*next)));
  }
  return DeleteBlock(backend_, tenant, block_id);
}

Result<int> Catalog::CollectGarbage() {
  std::vector<State::Doomed> due;
  const uint64_t now = NowUnixNano();
  {
    absl::MutexLock lock(&state_->mu);
    auto keep = std::stable_partition(state_->doomed.begin(), state_->doomed.end(),
                                      [now](const State::Doomed& d) {
                                        return d.delete_after_unix_nano > now;
                                      });
    due.assign(std::make_move_iterator(keep), std::make_move_iterator(state_->doomed.end()));
    state_->doomed.erase(keep, state_->doomed.end());
  }
  int deleted = 0;
  Status status;
  for (State::Doomed& d : due) {
    Status st = DeleteBlock(backend_, d.tenant, d.block_id);
    if (st.ok()) {
      ++deleted;
      continue;
    }
    status.Update(st);
    absl::MutexLock lock(&state_->mu);
    state_->doomed.push_back(std::move(d));  // try again next time
  }
  if (!status.ok()) return status;
  return deleted;
}

}  // namespace th::store::catalog
