#include "ingest/jaeger/internal/submit.h"

#include "common/log.h"

namespace th::ingest::jaeger {

pipeline::ReceiverCounters TransportCounters(metrics::Registry* registry,
                                             const std::string& receiver_id,
                                             std::string_view transport) {
  return pipeline::ReceiverCounters::Make(
      registry, {{"receiver", receiver_id}, {"transport", std::string(transport)}});
}

void Submit(Result<DecodedSpans>&& decoded, const pipeline::ReceiverCounters& counters,
            pipeline::TracesConsumer* consumer, const std::shared_ptr<InFlight>& in_flight,
            pipeline::Done done) {
  if (!decoded.ok()) {
    log::Debug("jaeger receiver refused a request", "error=\"", decoded.status().message(), "\"");
    done(decoded.status());
    return;
  }
  if (decoded->rejected_spans > 0) {
    counters.refused->Add(static_cast<uint64_t>(decoded->rejected_spans));
    log::Debug("jaeger receiver dropped spans", "count=", decoded->rejected_spans, " reason=\"",
               decoded->rejection_message, "\"");
  }
  if (decoded->batch->span_count() == 0) {
    done(absl::OkStatus());
    return;
  }
  in_flight->Add();
  pipeline::ConsumeCounted(consumer, counters, std::move(decoded->batch),
                           [in_flight, done = std::move(done)](const Status& s) {
                             done(s);
                             in_flight->Done();
                           });
}

}  // namespace th::ingest::jaeger
