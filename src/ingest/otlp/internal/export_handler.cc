#include "ingest/otlp/internal/export_handler.h"

#include "ingest/otlp/internal/logs_codec.h"

#include <memory>

#include "common/json.h"
#include "common/log.h"
#include "common/metrics.h"
#include "common/protobuf_wire.h"
#include "common/strings.h"
#include "model/otlp_decode.h"

namespace th::ingest::otlp {
namespace {

struct TransportMetrics {
  metrics::Counter* accepted;
  metrics::Counter* refused_invalid;
  metrics::Counter* refused_rejected_span;
  metrics::Counter* refused_unavailable;
  metrics::Counter* requests;
};

TransportMetrics* MetricsFor(std::string_view transport) {
  auto make = [](std::string_view t) {
    auto& r = metrics::Registry::Default();
    metrics::Labels base = {{"receiver", "otlp"}, {"transport", std::string(t)}};
    auto with_reason = [&](std::string_view reason) {
      metrics::Labels l = base;
      l.emplace_back("reason", std::string(reason));
      return r.GetCounter("tracehouse_receiver_refused_spans_total",
                          "Spans refused by a receiver, by reason.", l);
    };
    return new TransportMetrics{
        r.GetCounter("tracehouse_receiver_accepted_spans_total",
                     "Spans accepted (durable) by a receiver.", base),
        with_reason("invalid_request"), with_reason("invalid_span"), with_reason("unavailable"),
        r.GetCounter("tracehouse_receiver_requests_total", "Export requests received.", base)};
  };
  static TransportMetrics* grpc = make("grpc");
  static TransportMetrics* http = make("http");
  return transport == "grpc" ? grpc : http;
}

}  // namespace

void HandleTraceExport(std::string&& body, Encoding encoding, std::string_view tenant,
                       std::string_view transport, pipeline::TracesConsumer* consumer,
                       ExportDone done) {
  TransportMetrics* m = MetricsFor(transport);
  m->requests->Add();
  std::string tenant_id(tenant.empty() ? model::kDefaultTenant : tenant);
  Result<model::DecodedTraces> decoded =
      encoding == Encoding::kProto ? model::DecodeOtlpTracesProto(std::move(body), tenant_id)
                                   : model::DecodeOtlpTracesJson(body, tenant_id);
  if (!decoded.ok()) {
    log::Debug("refused export request", "transport=", transport, " error=\"",
               decoded.status().message(), "\"");
    m->refused_invalid->Add();
    done(ExportOutcome{decoded.status()});
    return;
  }
  int64_t rejected = decoded->rejected_spans;
  if (rejected > 0) m->refused_rejected_span->Add(static_cast<uint64_t>(rejected));
  auto outcome = std::make_shared<ExportOutcome>();
  outcome->rejected_spans = rejected;
  outcome->rejection_message = std::move(decoded->rejection_message);
  size_t spans = decoded->batch->span_count();
  if (spans == 0) {
    done(std::move(*outcome));
    return;
  }
  consumer->ConsumeTraces(std::move(decoded->batch),
                          [m, spans, outcome, done = std::move(done)](const Status& s) {
                            if (s.ok()) {
                              m->accepted->Add(spans);
                            } else {
                              m->refused_unavailable->Add(spans);
                            }
                            outcome->status = s;
                            done(std::move(*outcome));
                          });
}

std::string EncodeExportResponse(Encoding encoding, const ExportOutcome& outcome) {
  if (outcome.rejected_spans == 0) return encoding == Encoding::kJson ? "{}" : "";
  if (encoding == Encoding::kJson) {
    return th::StrCat("{\"partialSuccess\":{\"rejectedSpans\":\"", outcome.rejected_spans,
                      "\",\"errorMessage\":", JsonQuote(outcome.rejection_message), "}}");
  }
  std::string partial;
  wire::PutVarintField(&partial, 1, static_cast<uint64_t>(outcome.rejected_spans));
  if (!outcome.rejection_message.empty()) {
    wire::PutBytes(&partial, 2, outcome.rejection_message);
  }
  std::string out;
  wire::PutBytes(&out, 1, partial);
  return out;
}

std::string EncodeRpcStatus(Encoding encoding, int grpc_code, std::string_view message) {
  if (encoding == Encoding::kJson) {
    return th::StrCat("{\"code\":", grpc_code, ",\"message\":", JsonQuote(message), "}");
  }
  std::string out;
  if (grpc_code != 0) wire::PutVarintField(&out, 1, static_cast<uint64_t>(grpc_code));
  if (!message.empty()) wire::PutBytes(&out, 2, message);
  return out;
}

void HandleLogsExport(std::string&& body, Encoding encoding, std::string_view tenant,
                      std::string_view transport, pipeline::LogsConsumer* consumer,
                      ExportDone done) {
  std::string tenant_id(tenant.empty() ? model::kDefaultTenant : tenant);
  Result<std::unique_ptr<model::LogsBatch>> batch =
      encoding == Encoding::kProto ? DecodeOtlpLogsProto(std::move(body), tenant_id)
                                   : DecodeOtlpLogsJson(body, tenant_id);
  if (!batch.ok()) {
    log::Debug("refused logs export request", "transport=", transport, " error=\"",
               batch.status().message(), "\"");
    done(ExportOutcome{batch.status()});
    return;
  }
  if ((*batch)->record_count == 0) {
    done(ExportOutcome{});
    return;
  }
  consumer->ConsumeLogs(std::move(batch).value(), [done = std::move(done)](const Status& s) {
    done(ExportOutcome{s});
  });
}

}  // namespace th::ingest::otlp
