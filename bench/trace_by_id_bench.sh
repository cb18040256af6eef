#!/usr/bin/env bash
# Trace by id through the HTTP API over >=100M stored spans (storage issue). Builds (once) a data
# dir holding at least SPANS loadgen spans in blocks of up to 2M spans, as `tracehouse serve`
# leaves them after cutting and compaction (bench/trace_by_id_data.cc, both cores), then starts
# `tracehouse serve --data-dir` with no ingest and times GET /api/v2/traces/<id> from a
# keep-alive client on loopback (bench/trace_by_id_client.cc): EXISTING random stored ids and
# MISSING random unknown ones, shuffled, one at a time.
#   cold: page cache dropped (echo 3 > /proc/sys/vm/drop_caches, needs root) and the server
#         freshly started; startup time (start to /ready) is measured here.
#   warm: every block file read into the page cache first, the server's caches filled by the
#         cold pass; new random ids. JSON (the default answer), then protobuf (what Grafana asks).
# Also reports disk bytes per span (all files under blocks/) and the server's RSS.
# Usage: bench/trace_by_id_bench.sh [release build dir, default build/release]
# Env: BIN (tracehouse binary, default <build dir>/src/app/tracehouse); DATA (data dir, default
#      build/trace-by-id-data, kept for the next run: delete it after); SPANS (100000000);
#      THREADS (2); EXISTING (10000); MISSING (1000); WARM_RUNS (3); REBUILD=1 rebuilds the data.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build/release}
BIN=${BIN:-$BUILD/src/app/tracehouse}
DATA=${DATA:-build/trace-by-id-data}
SPANS=${SPANS:-100000000}
THREADS=${THREADS:-2}
EXISTING=${EXISTING:-10000}
MISSING=${MISSING:-1000}
WARM_RUNS=${WARM_RUNS:-3}
IDS=$DATA/sample_ids.txt

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo $((20000 + RANDOM % 20000)); }
rss_mib() { awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$1/status"; }
now_ms() { date +%s%3N; }
load() { awk '{print $1", "$2", "$3}' /proc/loadavg; }

echo "machine: nproc=$(nproc) cpu=\"$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)\" load(1,5,15)=$(load)"

if [[ ${REBUILD:-0} == 1 || ! -s $IDS ]]; then
  rm -rf "$DATA"; mkdir -p "$DATA"
  echo "building $SPANS spans into $DATA (threads=$THREADS) ..."
  /usr/bin/time -f "build: wall=%es user=%Us sys=%Ss maxrss=%MKiB" \
    "$BUILD/bench/trace_by_id_data" --data-dir "$DATA" --ids-out "$IDS" --spans "$SPANS" \
    --threads "$THREADS" 2>"$DATA/build.log" | tee "$DATA/build.txt"
  tail -1 "$DATA/build.log"
fi
blocks=$(find "$DATA/blocks" -name meta | wc -l)
bytes=$(find "$DATA/blocks" -type f -printf '%s\n' | awk '{s+=$1} END {printf "%.0f", s}')
spans=$(sed -n 's/.* spans=\([0-9]*\).*/\1/p' "$DATA/build.txt")
echo "data: blocks=$blocks spans=$spans bytes_under_blocks=$bytes bytes_per_span=$(awk -v b=$bytes -v s=$spans 'BEGIN {printf "%.2f", b/s}')"

drop_caches() {
  sync
  if echo 3 > /proc/sys/vm/drop_caches 2>/dev/null; then echo "page cache dropped"; return 0; fi
  echo "cannot drop the page cache (not permitted): cold = fresh server only"; return 1
}

api=$(free_port)
pid=
stop_server() { if [[ -n $pid ]]; then kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; pid=; fi; }
trap stop_server EXIT
start_server() {
  local t0; t0=$(now_ms)
  "$BIN" serve --data-dir "$DATA" --http-listen-address 127.0.0.1:$api --otlp-grpc-address "" \
    --otlp-http-address "" --jaeger-thrift-http-address "" --jaeger-grpc-address "" \
    --jaeger-thrift-compact-address "" --jaeger-thrift-binary-address "" --zipkin-address "" \
    2>"$DATA/serve.log" &
  pid=$!
  for _ in $(seq 1 6000); do curl -sf "127.0.0.1:$api/ready" >/dev/null 2>&1 && break; sleep 0.01; done
  echo "server startup (start to /ready, catalog load of $blocks blocks): $(( $(now_ms) - t0 )) ms, rss=$(rss_mib $pid) MiB"
}
client() {
  "$BUILD/bench/trace_by_id_client" --endpoint 127.0.0.1:$api --ids "$IDS" --existing "$EXISTING" \
    --missing "$MISSING" "$@"
}

drop_caches || true
start_server
echo "load(1,5,15) before cold: $(load)"
client --seed 1 --label cold
echo "rss after cold: $(rss_mib $pid) MiB; load(1,5,15)=$(load)"
cat $(find "$DATA/blocks" -type f) > /dev/null
for run in $(seq 1 "$WARM_RUNS"); do
  client --seed $((100 + run)) --label "warm-json-$run"
done
client --seed 200 --label warm-protobuf --accept protobuf
echo "rss after warm: $(rss_mib $pid) MiB; load(1,5,15)=$(load)"
stop_server
# A second start with the block files in the page cache.
start_server
stop_server
