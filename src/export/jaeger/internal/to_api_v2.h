// SpanBatch → jaeger.api_v2 requests, as the Collector's old jaeger exporter translated pdata
// (contrib pkg/translator/jaeger/traces_to_jaegerproto.go; reference §2.7 "OTLP → Jaeger"):
// one PostSpansRequest per resource, with the resource as the batch's Process. Internal to
// export/jaeger; includes generated protobuf code, so only .cc files include it.
#pragma once

#include <vector>

#include "jaeger/api_v2/collector.pb.h"
#include "model/span_batch.h"

namespace th::exporter::jaeger {

std::vector<::jaeger::api_v2::PostSpansRequest> ToApiV2(const model::SpanBatch& batch);

}  // namespace th::exporter::jaeger
