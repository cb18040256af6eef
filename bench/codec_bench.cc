// Codec throughput on loadgen's realistic 1000-span requests: the hand-written protobuf decoder
// (the ingest hot path), libprotobuf's arena parse of the same bytes for comparison, the
// encoder, and the OTLP/JSON decoder. Items processed are spans.
#include <benchmark/benchmark.h>
#include <google/protobuf/arena.h>

#include "common/allocator.h"
#include "model/otlp_decode.h"
#include "model/otlp_encode.h"
#include "model/otlp_json_encode.h"
#include "tools/loadgen/trace_generator.h"

#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

namespace {

struct Request {
  std::unique_ptr<th::model::SpanBatch> batch;
  std::string proto;
  std::string json;
};

const Request& TheRequest() {
  static Request* r = [] {
    auto* req = new Request;
    th::tools::TraceGenerator g(42);
    req->batch = g.NextBatch(1000, 1'800'000'000'000'000'000ull);
    th::model::EncodeOtlpTraces(*req->batch, &req->proto);
    th::model::EncodeOtlpTracesJson(*req->batch, &req->json);
    return req;
  }();
  return *r;
}

void BM_DecodeProto(benchmark::State& state) {
  const Request& r = TheRequest();
  for (auto _ : state) {
    auto decoded = th::model::DecodeOtlpTracesProto(std::string(r.proto), "t");
    benchmark::DoNotOptimize(decoded);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(r.batch->span_count()));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(r.proto.size()));
}
BENCHMARK(BM_DecodeProto);

void BM_LibprotobufArenaParse(benchmark::State& state) {
  const Request& r = TheRequest();
  for (auto _ : state) {
    google::protobuf::Arena arena;
    auto* m = google::protobuf::Arena::CreateMessage<
        opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest>(&arena);
    benchmark::DoNotOptimize(m->ParseFromString(r.proto));
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(r.batch->span_count()));
}
BENCHMARK(BM_LibprotobufArenaParse);

void BM_EncodeProto(benchmark::State& state) {
  const Request& r = TheRequest();
  std::string out;
  for (auto _ : state) {
    out.clear();
    th::model::EncodeOtlpTraces(*r.batch, &out);
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(r.batch->span_count()));
}
BENCHMARK(BM_EncodeProto);

void BM_DecodeJson(benchmark::State& state) {
  const Request& r = TheRequest();
  for (auto _ : state) {
    auto decoded = th::model::DecodeOtlpTracesJson(r.json, "t");
    benchmark::DoNotOptimize(decoded);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(r.batch->span_count()));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(r.json.size()));
}
BENCHMARK(BM_DecodeJson);

}  // namespace

// The server tunes the allocator the same way at start (src/app/main.cc).
int main(int argc, char** argv) {
  th::TuneAllocatorForBatches();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  return 0;
}
