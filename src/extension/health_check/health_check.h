// The `health_check` extension, as the Collector's (v1): an HTTP endpoint (default
// 127.0.0.1:13133 — the Collector's localhost —, path "/") that answers 200 {"status":"Server available",...} while the service
// is up and ready, and 503 {"status":"Server not available",...} before start-up completes and
// once shutdown begins — what Kubernetes probes and load balancers expect.
//
// Config: endpoint, path, response_body {healthy, unhealthy} (replaces the JSON body),
// check_collector_pipeline (accepted; deprecated upstream, no effect), `tls` (HTTPS).
#pragma once

#include "pipeline/component.h"

namespace th::extension {

pipeline::ExtensionFactory MakeHealthCheckFactory();

}  // namespace th::extension
