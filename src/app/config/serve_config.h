// ServeConfig: what `tracehouse serve --config FILE` reads. The file has the OpenTelemetry
// Collector's YAML shape plus Tracehouse's own sections (DESIGN.md "Config"); this first cut
// understands:
//
//   server:
//     http_listen_address: 0.0.0.0:3200     # query API, /metrics, /ready
//   storage:
//     path: ./data                           # the WAL lives in <path>/wal, local blocks in
//                                            # <path>/blocks
//     wal:
//       segment_size_mib: 128
//       max_pending_mib: 256                 # above it receivers answer "retry later"
//     backend: local                         # or s3
//     s3:                                    # Tempo's key names where Tempo has one
//       endpoint: 127.0.0.1:9000             # host:port (https unless insecure) or a URL
//       bucket: traces
//       region: us-east-1
//       access_key: ${env:S3_ACCESS_KEY}
//       secret_key: ${env:S3_SECRET_KEY}
//       prefix: ""                           # key prefix inside the bucket
//       forcepathstyle: true                 # false: virtual-host style (bucket.host)
//       insecure: false                      # plain http for a host:port endpoint
//       part_size_mib: 16                    # multipart threshold and part size (>= 5)
//     block:
//       max_block_bytes_mib: 256             # cut the head into blocks past this much OTLP…
//       max_block_duration: 5m               # …or this age
//       row_group_spans: 4096
//     compaction:
//       compaction_cycle: 30s                # how often compaction and retention run
//       compaction_window: 1h                # merge blocks whose newest spans share a window
//       max_block_spans: 2000000             # compaction output size cap
//       max_inputs: 8
//       cpu_budget: 0.5                      # fraction of one core for background work
//       zstd_level: 13                       # compression of merged blocks (cuts use 3)
//       block_retention: 0s                  # delete blocks older than this (0s: keep forever)
//       compacted_block_retention: 5m        # keep replaced blocks this long for readers
//     overrides:                             # per tenant
//       <tenant>: {block_retention: 24h}
//     cache:                                 # in memory, per process
//       page_cache_mib: 256                  # bloom shards and index pages (trace by id)
//       column_cache_mib: 256                # column pages of filtered scans (search, metrics)
//
// The Collector's sections (receivers, processors, exporters, extensions, connectors, service) sit
// beside these and are read by pipeline::Service (app/serve.cc); without a `service` section,
// serve runs every receiver defined (by default otlp, jaeger and zipkin) into the store.
//
// Environment variables expand as in the Collector (`${env:VAR}`, `${VAR:-default}`, `$$`).
// Every error names the file, line, column and key. Keys this version does not know are errors.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "common/config/node.h"
#include "common/status.h"
#include "store/backend/s3/s3_backend.h"
#include "store/compact/compactor.h"

namespace th::app {

struct ServeConfig {
  std::string data_dir = "./data";
  std::string http_listen_address = "0.0.0.0:3200";
  uint64_t wal_segment_bytes = 128ull << 20;
  uint64_t wal_max_pending_bytes = 256ull << 20;

  std::string backend = "local";  // "local" or "s3"
  store::backend::s3::S3Options s3;
  uint64_t max_block_bytes = 256ull << 20;
  std::chrono::milliseconds max_block_duration{5 * 60 * 1000};
  uint32_t row_group_spans = 4096;
  store::CompactorOptions compaction;
  std::chrono::seconds compacted_block_retention{300};
  uint64_t page_cache_bytes = 256ull << 20;
  uint64_t column_cache_bytes = 256ull << 20;
};

// Reads the server and storage sections of a parsed config over the defaults.
Result<ServeConfig> ReadServeConfig(const config::Node& root);

// Reads `path` over the defaults. Errors: NotFound/InvalidArgument with "FILE:LINE:COL: key: …".
Result<ServeConfig> LoadServeConfig(const std::string& path);

// The same from text (`name` is used in messages).
Result<ServeConfig> ParseServeConfig(std::string_view text, const std::string& name);

}  // namespace th::app
