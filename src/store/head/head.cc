#include "store/head/head.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <vector>

#include "common/protobuf_wire.h"
#include "common/strings.h"
#include "model/otlp_decode.h"
#include "store/scan.h"

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"

namespace th::store {

namespace {

// A byte range inside a record's OTLP bytes.
struct Slice {
  uint32_t offset = 0;
  uint32_t length = 0;
  std::string_view In(std::string_view otlp) const { return otlp.substr(offset, length); }
};

// What wraps a scope's spans: its resource and scope messages and the two schema URLs.
struct ScopeFrame {
  Slice resource;
  Slice resource_schema_url;
  Slice scope;
  Slice scope_schema_url;
};

struct SpanLocation {
  uint32_t record;  // index into Tenant::records
  uint32_t scope;   // index into that record's frames
  Slice span;       // the Span message
};

struct TraceEntry {
  std::vector<SpanLocation> spans;
  uint64_t start_unix_nano = UINT64_MAX;
  uint64_t end_unix_nano = 0;
};

struct StoredRecord {
  std::shared_ptr<const std::string> owner;
  std::string_view otlp;
  std::vector<ScopeFrame> frames;
};

// The span id inside an encoded Span message (field 2), for dropping duplicates.
std::string_view SpanIdOf(std::string_view span) {
  wire::Reader r(span);
  uint32_t field, wt;
  while (!r.done() && r.ReadTag(&field, &wt)) {
    std::string_view v;
    if (field == 2 && wt == wire::kLen) return r.ReadLen(&v) ? v : std::string_view();
    if (!r.Skip(wt)) break;
  }
  return {};
}

// Appends ResourceSpans { resource, ScopeSpans { scope, spans…, schema_url }, schema_url }.
void AppendResourceSpans(const StoredRecord& rec, const ScopeFrame& frame,
                         const std::vector<std::string_view>& spans, std::string* out) {
  std::string_view resource = frame.resource.In(rec.otlp);
  std::string_view scope = frame.scope.In(rec.otlp);
  std::string_view scope_url = frame.scope_schema_url.In(rec.otlp);
  std::string_view resource_url = frame.resource_schema_url.In(rec.otlp);
  size_t scope_spans = wire::LenFieldSize(1, scope.size()) +
                       (scope_url.empty() ? 0 : wire::LenFieldSize(3, scope_url.size()));
  for (std::string_view s : spans) scope_spans += wire::LenFieldSize(2, s.size());
  size_t body = wire::LenFieldSize(1, resource.size()) + wire::LenFieldSize(2, scope_spans) +
                (resource_url.empty() ? 0 : wire::LenFieldSize(3, resource_url.size()));
  wire::PutLenHeader(out, 1, body);
  wire::PutBytes(out, 1, resource);
  wire::PutLenHeader(out, 2, scope_spans);
  wire::PutBytes(out, 1, scope);
  for (std::string_view s : spans) wire::PutBytes(out, 2, s);
  if (!scope_url.empty()) wire::PutBytes(out, 3, scope_url);
  if (!resource_url.empty()) wire::PutBytes(out, 3, resource_url);
}

// Picks a trace's spans, each span id once (the first; client retries send spans again), in
// arrival order. Scratch reused from trace to trace.
class SpanPicker {
 public:
  // Appends the spans of `trace` to *picked. `records` are the tenant's (its lock held).
  void Pick(const std::vector<std::shared_ptr<const StoredRecord>>& records,
            const TraceEntry& trace, std::vector<SpanLocation>* picked) {
    auto span_id = [&](const SpanLocation& l) {
      return SpanIdOf(l.span.In(records[l.record]->otlp));
    };
    // Duplicates are rare: sorting the trace's span ids finds out whether there are any for less
    // than a hash set of them costs. (Span ids are 8 bytes, checked at ingest; compared as
    // words.)
    span_id_words_.clear();
    for (const SpanLocation& l : trace.spans) {
      std::string_view id = span_id(l);
      uint64_t word = 0;
      std::memcpy(&word, id.data(), std::min<size_t>(id.size(), sizeof(word)));
      span_id_words_.push_back(word);
    }
    std::sort(span_id_words_.begin(), span_id_words_.end());
    if (std::adjacent_find(span_id_words_.begin(), span_id_words_.end()) == span_id_words_.end()) {
      picked->insert(picked->end(), trace.spans.begin(), trace.spans.end());
      return;
    }
    seen_.clear();
    for (const SpanLocation& l : trace.spans) {
      if (seen_.insert(span_id(l)).second) picked->push_back(l);
    }
  }

 private:
  std::vector<uint64_t> span_id_words_;
  absl::flat_hash_set<std::string_view> seen_;
};

// The records `picked` (in record order) lies in, one per run of equal record indices, from the
// tenant's `records` (its lock held): slicing them afterwards needs no lock.
std::vector<std::shared_ptr<const StoredRecord>> RecordsOfRuns(
    const std::vector<std::shared_ptr<const StoredRecord>>& records,
    const std::vector<SpanLocation>& picked) {
  std::vector<std::shared_ptr<const StoredRecord>> out;
  for (size_t k = 0; k < picked.size(); ++k) {
    if (k == 0 || picked[k].record != picked[k - 1].record)
      out.push_back(records[picked[k].record]);
  }
  return out;
}

// Appends the spans `picked` (in record order, `runs` from RecordsOfRuns) as ResourceSpans, one
// per run of spans of one record's scope. `group` is scratch.
void AppendByScope(const std::vector<SpanLocation>& picked,
                   const std::vector<std::shared_ptr<const StoredRecord>>& runs,
                   std::vector<std::string_view>* group, std::string* out) {
  size_t k = 0, run = 0;
  while (k < picked.size()) {
    if (k > 0 && picked[k].record != picked[k - 1].record) ++run;
    const StoredRecord& rec = *runs[run];
    const uint32_t record = picked[k].record, scope = picked[k].scope;
    group->clear();
    for (; k < picked.size() && picked[k].record == record && picked[k].scope == scope; ++k) {
      group->push_back(picked[k].span.In(rec.otlp));
    }
    AppendResourceSpans(rec, rec.frames[scope], *group, out);
  }
}

}  // namespace

struct Head::Tenant {
  mutable absl::Mutex mu;
  std::vector<std::shared_ptr<const StoredRecord>> records ABSL_GUARDED_BY(mu);
  absl::flat_hash_map<model::TraceId, TraceEntry> traces ABSL_GUARDED_BY(mu);
  uint64_t spans ABSL_GUARDED_BY(mu) = 0;
  uint64_t record_bytes ABSL_GUARDED_BY(mu) = 0;
};

struct Head::State {
  mutable absl::Mutex mu;
  std::map<std::string, std::shared_ptr<Tenant>, std::less<>> tenants ABSL_GUARDED_BY(mu);
};

Head::Head() : state_(std::make_unique<State>()) {}
Head::~Head() = default;

std::shared_ptr<Head::Tenant> Head::GetOrCreateTenant(std::string_view tenant) {
  absl::MutexLock lock(&state_->mu);
  auto it = state_->tenants.find(tenant);
  if (it == state_->tenants.end()) {
    it = state_->tenants.emplace(std::string(tenant), std::make_shared<Tenant>()).first;
  }
  return it->second;
}

std::shared_ptr<const Head::Tenant> Head::FindTenant(std::string_view tenant) const {
  absl::MutexLock lock(&state_->mu);
  auto it = state_->tenants.find(tenant);
  if (it == state_->tenants.end()) return nullptr;
  return it->second;
}

void Head::Add(std::string_view tenant, std::shared_ptr<const std::string> owner,
               std::string_view otlp, const model::SpanBatch& batch) {
  const char* base = batch.otlp_encoding.data();
  auto slice = [base](std::string_view v) {
    if (v.empty()) return Slice{};
    return Slice{static_cast<uint32_t>(v.data() - base), static_cast<uint32_t>(v.size())};
  };
  auto record = std::make_shared<StoredRecord>();
  record->owner = std::move(owner);
  record->otlp = otlp;
  record->frames.reserve(batch.scopes.size());
  for (const model::Scope& s : batch.scopes) {
    const model::Resource& r = batch.resources[s.resource];
    record->frames.push_back(
        ScopeFrame{slice(r.wire), slice(r.schema_url), slice(s.wire), slice(s.schema_url)});
  }

  std::shared_ptr<Tenant> t = GetOrCreateTenant(tenant);
  const model::SpanColumns& c = batch.spans;
  absl::MutexLock lock(&t->mu);
  auto record_index = static_cast<uint32_t>(t->records.size());
  t->records.push_back(std::move(record));
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
    entry->spans.push_back(SpanLocation{record_index, c.scope[i], slice(c.wire[i])});
    entry->start_unix_nano = std::min(entry->start_unix_nano, c.start_time_unix_nano[i]);
    entry->end_unix_nano = std::max(entry->end_unix_nano, c.end_time_unix_nano[i]);
  }
}

Result<std::string> Head::FindTrace(std::string_view tenant, const model::TraceId& id,
                                    const TimeRange& range) const {
  std::shared_ptr<const Tenant> t = FindTenant(tenant);
  if (t == nullptr) return absl::NotFoundError("trace not found");
  // Pick the spans under the lock; the records are immutable and shared, so slicing them
  // needs no lock.
  std::vector<SpanLocation> picked;
  std::vector<std::shared_ptr<const StoredRecord>> runs;
  {
    absl::MutexLock lock(&t->mu);
    auto it = t->traces.find(id);
    if (it == t->traces.end()) return absl::NotFoundError("trace not found");
    const TraceEntry& e = it->second;
    if (e.end_unix_nano < range.start_unix_nano || e.start_unix_nano > range.end_unix_nano) {
      return absl::NotFoundError("trace not found in the time range");
    }
    SpanPicker().Pick(t->records, e, &picked);
    runs = RecordsOfRuns(t->records, picked);
  }
  std::string out;
  std::vector<std::string_view> group;
  AppendByScope(picked, runs, &group, &out);
  return out;
}

Status CheckScanBudget(const ScanRequest& request, uint64_t spans_so_far) {
  if (request.max_spans > 0 && spans_so_far >= request.max_spans) {
    return absl::ResourceExhaustedError(
        th::StrCat("query scanned more than ", request.max_spans,
                   " spans; narrow the time range (start, end) or the query"));
  }
  if (request.cancelled != nullptr && request.cancelled->load(std::memory_order_relaxed)) {
    return absl::CancelledError("scan cancelled");
  }
  if (std::chrono::steady_clock::now() > request.deadline) {
    return absl::DeadlineExceededError("scan deadline exceeded");
  }
  return absl::OkStatus();
}

Status Head::Scan(const ScanRequest& request, const TraceVisitor& visit, ScanStats* stats) const {
  std::shared_ptr<const Tenant> t = FindTenant(request.tenant);
  if (t == nullptr) return absl::OkStatus();
  struct Candidate {
    model::TraceId id;
    uint64_t end;
  };
  // Snapshot the ids under the lock; each trace is then assembled like a lookup, without it.
  std::vector<Candidate> candidates;
  {
    absl::MutexLock lock(&t->mu);
    candidates.reserve(t->traces.size());
    for (const auto& [id, e] : t->traces) {
      if (e.end_unix_nano < request.range.start_unix_nano ||
          e.start_unix_nano > request.range.end_unix_nano) {
        continue;
      }
      candidates.push_back(Candidate{id, e.end_unix_nano});
    }
  }
  if (request.most_recent_first) {
    std::sort(candidates.begin(), candidates.end(),
              [](const Candidate& a, const Candidate& b) { return a.end > b.end; });
  }
  uint64_t visited_spans = 0;
  for (const Candidate& c : candidates) {
    RETURN_IF_ERROR(CheckScanBudget(request, visited_spans));
    Result<std::string> otlp = FindTrace(request.tenant, c.id, request.range);
    if (!otlp.ok()) continue;  // cannot vanish today; tolerated for when the head evicts
    uint64_t bytes = otlp->size();
    auto decoded = model::DecodeOtlpTracesProto(std::move(otlp).value(), request.tenant);
    if (!decoded.ok()) {
      return absl::DataLossError(
          th::StrCat("head trace ", model::ToHex(c.id.View()), ": ", Message(decoded.status())));
    }
    visited_spans += decoded->batch->span_count();
    if (stats != nullptr) {
      ++stats->traces;
      stats->spans += decoded->batch->span_count();
      stats->bytes += bytes;
    }
    if (!visit(c.id, *decoded->batch)) break;
  }
  return absl::OkStatus();
}

std::vector<std::string> Head::Tenants() const {
  absl::MutexLock lock(&state_->mu);
  std::vector<std::string> out;
  for (const auto& [name, t] : state_->tenants) out.push_back(name);
  return out;
}

struct Head::TraceChunks::State {
  std::shared_ptr<const Tenant> tenant;  // null: the tenant had nothing
  std::vector<model::TraceId> ids;       // sorted
  size_t next = 0;
  // Reused from chunk to chunk.
  std::vector<SpanLocation> picked;
  SpanPicker picker;
  std::vector<std::string_view> group;
};

Head::TraceChunks::TraceChunks(std::unique_ptr<State> state) : state_(std::move(state)) {}
Head::TraceChunks::TraceChunks(TraceChunks&&) noexcept = default;
Head::TraceChunks& Head::TraceChunks::operator=(TraceChunks&&) noexcept = default;
Head::TraceChunks::~TraceChunks() = default;

uint64_t Head::TraceChunks::trace_count() const { return state_->ids.size(); }

Head::TraceChunks Head::ChunkTraces(std::string_view tenant) const {
  auto state = std::make_unique<TraceChunks::State>();
  state->tenant = FindTenant(tenant);
  if (state->tenant != nullptr) {
    absl::MutexLock lock(&state->tenant->mu);
    state->ids.reserve(state->tenant->traces.size());
    for (const auto& [id, e] : state->tenant->traces) state->ids.push_back(id);
  }
  std::sort(state->ids.begin(), state->ids.end());
  return TraceChunks(std::move(state));
}

uint32_t Head::TraceChunks::Next(uint32_t target_spans, std::string* otlp) {
  State& s = *state_;
  otlp->clear();
  uint32_t traces = 0;
  if (s.tenant == nullptr) return 0;
  const Tenant& t = *s.tenant;
  s.picked.clear();
  std::vector<std::shared_ptr<const StoredRecord>> runs;
  {
    absl::MutexLock lock(&t.mu);
    while (s.next < s.ids.size() && s.picked.size() < std::max<uint32_t>(target_spans, 1)) {
      auto it = t.traces.find(s.ids[s.next++]);
      if (it == t.traces.end()) continue;  // the head never forgets one trace alone; tolerated
      s.picker.Pick(t.records, it->second, &s.picked);
      ++traces;
    }
    // Arrival order is record order, then position in the record (which is also scope order):
    // sorted so, each trace's spans keep the order they came in, and the spans of one record's
    // scope become one ResourceSpans.
    std::sort(s.picked.begin(), s.picked.end(), [](const SpanLocation& a, const SpanLocation& b) {
      return a.record != b.record ? a.record < b.record : a.span.offset < b.span.offset;
    });
    runs = RecordsOfRuns(t.records, s.picked);
  }
  AppendByScope(s.picked, runs, &s.group, otlp);
  return traces;
}

void Head::DropTenant(std::string_view tenant) {
  // Readers holding the tenant keep it alive until they are done.
  absl::MutexLock lock(&state_->mu);
  auto it = state_->tenants.find(tenant);
  if (it != state_->tenants.end()) state_->tenants.erase(it);
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
