#include "ingest/jaeger/internal/submit.h"

#include "common/log.h"

namespace th::ingest::jaeger {

TransportMetrics TransportMetrics::Make(metrics::Registry* registry,
                                        const std::string& receiver_id,
                                        std::string_view transport) {
  metrics::Labels labels = {{"receiver", receiver_id}, {"transport", std::string(transport)}};
  TransportMetrics m;
  m.accepted = registry->GetCounter("otelcol_receiver_accepted_spans",
                                    "Spans a receiver handed on successfully.", labels);
  m.refused = registry->GetCounter("otelcol_receiver_refused_spans",
                                   "Spans a receiver could not hand on.", labels);
  return m;
}

void Submit(Result<DecodedSpans>&& decoded, const TransportMetrics& metrics,
            pipeline::TracesConsumer* consumer, const std::shared_ptr<InFlight>& in_flight,
            pipeline::Done done) {
  if (!decoded.ok()) {
    log::Debug("jaeger receiver refused a request", "error=\"", decoded.status().message(), "\"");
    done(decoded.status());
    return;
  }
  if (decoded->rejected_spans > 0) {
    metrics.refused->Add(static_cast<uint64_t>(decoded->rejected_spans));
    log::Debug("jaeger receiver dropped spans", "count=", decoded->rejected_spans, " reason=\"",
               decoded->rejection_message, "\"");
  }
  size_t spans = decoded->batch->span_count();
  if (spans == 0) {
    done(absl::OkStatus());
    return;
  }
  in_flight->Add();
  consumer->ConsumeTraces(
      std::move(decoded->batch),
      [m = metrics, spans, in_flight, done = std::move(done)](const Status& s) {
        (s.ok() ? m.accepted : m.refused)->Add(spans);
        done(s);
        in_flight->Done();
      });
}

}  // namespace th::ingest::jaeger
