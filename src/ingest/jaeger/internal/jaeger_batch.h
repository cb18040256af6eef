// The Jaeger data model as the decoders see it, before translation: one structure for both wire
// formats (Thrift jaeger.Batch and protobuf api_v2.Batch), so the translation into a SpanBatch
// (internal/translate.cc) is written once.
//
// Ownership: every string_view points into the request bytes, which the decoders adopt into the
// output SpanBatch's arena first; a JaegerBatch never outlives that arena. Lists are flat pools
// (tags, logs, refs) and an owner refers to its slice with a model::Range, as SpanBatch does.
// Not thread-safe; one decoder fills it, one translator reads it.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "model/ids.h"
#include "model/span_batch.h"

namespace th::ingest::jaeger {

// Thrift's TagType numbering (STRING=0, DOUBLE=1, BOOL=2, LONG=3, BINARY=4). The api_v2 decoder
// maps its own ValueType numbering (STRING=0, BOOL=1, INT64=2, FLOAT64=3, BINARY=4) onto it.
// Values outside the enum are kept as they came, for the "<Unknown Jaeger TagType>" rule.
enum TagType : int32_t {
  kTagString = 0,
  kTagDouble = 1,
  kTagBool = 2,
  kTagLong = 3,
  kTagBinary = 4,
};

struct JTag {
  std::string_view key;
  int32_t type = kTagString;
  bool v_bool = false;
  int64_t v_long = 0;
  double v_double = 0;
  std::string_view v_str;     // vStr
  std::string_view v_binary;  // vBinary
};

struct JLog {
  uint64_t time_unix_nano = 0;
  model::Range fields;  // into JaegerBatch::tags
};

enum RefType : int32_t { kRefChildOf = 0, kRefFollowsFrom = 1 };

struct JRef {
  int32_t type = kRefChildOf;
  model::TraceId trace_id;
  model::SpanId span_id;
};

struct JProcess {
  std::string_view service_name;
  model::Range tags;
  // Bytes that identify the process for grouping spans into resources: the Process message
  // on the protobuf wire; empty for Thrift (one process per batch).
  std::string_view identity;
};

// Process index meaning "the batch's own process" (api_v2 spans without a Process).
inline constexpr uint32_t kBatchProcess = 0xffffffffu;

struct JSpan {
  model::TraceId trace_id;
  model::SpanId span_id;
  model::SpanId parent_span_id;  // Thrift's parentSpanId; zero for api_v2 (parent from refs)
  std::string_view operation_name;
  model::Range refs;  // into JaegerBatch::refs
  uint32_t flags = 0;
  uint64_t start_unix_nano = 0;
  uint64_t duration_nano = 0;
  model::Range tags;  // into JaegerBatch::tags
  model::Range logs;  // into JaegerBatch::logs
  uint32_t process = kBatchProcess;  // index into JaegerBatch::processes, or kBatchProcess
  bool blank = false;  // every field absent or zero: the translators skip such spans
};

enum class WireFormat {
  kThrift,  // parent from parentSpanId, else the first same-trace CHILD_OF reference
  kProto,   // parent by jaeger's model.Span.ParentSpanID(): CHILD_OF, else FOLLOWS_FROM
};

struct JaegerBatch {
  WireFormat format = WireFormat::kThrift;
  bool has_batch_process = false;
  JProcess batch_process;
  std::vector<JProcess> processes;  // api_v2 per-span processes
  std::vector<JSpan> spans;
  std::vector<JTag> tags;
  std::vector<JLog> logs;
  std::vector<JRef> refs;
};

struct TranslateResult {
  int64_t rejected_spans = 0;  // spans with an all-zero trace or span id
  std::string rejection_message;
};

// Translates `in` into `out` (empty on entry, except its arena and tenant) by the Collector's
// jaeger translator rules (docs: reference §2.7). Never fails: anything the decoders accepted
// translates. Spans come out grouped by resource, then scope.
TranslateResult TranslateToSpanBatch(const JaegerBatch& in, model::SpanBatch* out);

// Big-endian ids from Thrift's signed i64 halves.
model::TraceId TraceIdFromHalves(int64_t high, int64_t low);
model::SpanId SpanIdFromInt(int64_t id);

}  // namespace th::ingest::jaeger
