#include "store/head/head.h"

#include <algorithm>
#include <map>
#include <vector>

#include "common/strings.h"
#include "model/otlp_decode.h"
#include "model/otlp_encode.h"

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"

namespace th::store {

namespace {

struct SpanLocation {
  uint32_t record;      // index into Tenant::records
  uint32_t span_index;  // index of the span in that record's decoding
};

struct TraceEntry {
  std::vector<SpanLocation> spans;
  uint64_t start_unix_nano = UINT64_MAX;
  uint64_t end_unix_nano = 0;
};

struct StoredRecord {
  std::shared_ptr<const std::string> owner;
  std::string_view otlp;
};

}  // namespace

struct Head::Tenant {
  mutable absl::Mutex mu;
  std::vector<StoredRecord> records ABSL_GUARDED_BY(mu);
  absl::flat_hash_map<model::TraceId, TraceEntry> traces ABSL_GUARDED_BY(mu);
  uint64_t spans ABSL_GUARDED_BY(mu) = 0;
  uint64_t record_bytes ABSL_GUARDED_BY(mu) = 0;
};

struct Head::State {
  mutable absl::Mutex mu;
  std::map<std::string, std::unique_ptr<Tenant>, std::less<>> tenants ABSL_GUARDED_BY(mu);
};

Head::Head() : state_(std::make_unique<State>()) {}
Head::~Head() = default;

Head::Tenant* Head::GetOrCreateTenant(std::string_view tenant) {
  absl::MutexLock lock(&state_->mu);
  auto it = state_->tenants.find(tenant);
  if (it == state_->tenants.end()) {
    it = state_->tenants.emplace(std::string(tenant), std::make_unique<Tenant>()).first;
  }
  return it->second.get();
}

const Head::Tenant* Head::FindTenant(std::string_view tenant) const {
  absl::MutexLock lock(&state_->mu);
  auto it = state_->tenants.find(tenant);
  return it == state_->tenants.end() ? nullptr : it->second.get();
}

void Head::Add(std::string_view tenant, std::shared_ptr<const std::string> owner,
               std::string_view otlp, const model::SpanBatch& batch) {
  Tenant* t = GetOrCreateTenant(tenant);
  const model::SpanColumns& c = batch.spans;
  absl::MutexLock lock(&t->mu);
  auto record = static_cast<uint32_t>(t->records.size());
  t->records.push_back(StoredRecord{std::move(owner), otlp});
  t->record_bytes += otlp.size();
  t->spans += c.size();
  // Spans of one trace usually arrive together: look the entry up once per run.
  TraceEntry* entry = nullptr;
  const model::TraceId* entry_id = nullptr;
  for (uint32_t i = 0; i < c.size(); ++i) {
    if (entry_id == nullptr || *entry_id != c.trace_id[i]) {
      entry = &t->traces[c.trace_id[i]];
      entry_id = &c.trace_id[i];
    }
    entry->spans.push_back(SpanLocation{record, i});
    entry->start_unix_nano = std::min(entry->start_unix_nano, c.start_time_unix_nano[i]);
    entry->end_unix_nano = std::max(entry->end_unix_nano, c.end_time_unix_nano[i]);
  }
}

Result<std::string> Head::FindTrace(std::string_view tenant, const model::TraceId& id,
                                    const TimeRange& range) const {
  const Tenant* t = FindTenant(tenant);
  if (t == nullptr) return absl::NotFoundError("trace not found");
  // Copy what is needed under the lock, decode outside it.
  std::vector<SpanLocation> locations;
  std::vector<StoredRecord> records;
  {
    absl::MutexLock lock(&t->mu);
    auto it = t->traces.find(id);
    if (it == t->traces.end()) return absl::NotFoundError("trace not found");
    const TraceEntry& e = it->second;
    if (e.end_unix_nano < range.start_unix_nano || e.start_unix_nano > range.end_unix_nano) {
      return absl::NotFoundError("trace not found in the time range");
    }
    locations = e.spans;
    for (const SpanLocation& l : locations) records.push_back(t->records[l.record]);
  }
  // Group by record so each record is decoded once.
  std::vector<size_t> order(locations.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return locations[a].record < locations[b].record; });
  std::string out;
  absl::flat_hash_set<model::SpanId> seen;
  size_t k = 0;
  while (k < order.size()) {
    uint32_t record = locations[order[k]].record;
    const StoredRecord& stored = records[order[k]];
    auto decoded = model::DecodeOtlpTracesProto(std::string(stored.otlp), tenant);
    if (!decoded.ok()) {
      return absl::DataLossError(
          th::StrCat("head record of trace is undecodable: ", decoded.status().message()));
    }
    const model::SpanBatch& batch = *decoded->batch;
    std::vector<uint32_t> pick;
    for (; k < order.size() && locations[order[k]].record == record; ++k) {
      uint32_t span = locations[order[k]].span_index;
      if (span < batch.span_count() && seen.insert(batch.spans.span_id[span]).second) {
        pick.push_back(span);
      }
    }
    model::EncodeOtlpTraces(batch, pick, &out);
  }
  return out;
}

HeadStats Head::Stats() const {
  HeadStats s;
  absl::MutexLock lock(&state_->mu);
  s.tenants = state_->tenants.size();
  for (const auto& [name, t] : state_->tenants) {
    absl::MutexLock tl(&t->mu);
    s.traces += t->traces.size();
    s.spans += t->spans;
    s.record_bytes += t->record_bytes;
  }
  return s;
}

}  // namespace th::store
