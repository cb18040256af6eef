#!/usr/bin/env bash
# Durable ingest rate through OTLP/gRPC: the server pinned to one core, loadgen to the other.
# Reports acknowledged spans per second of server CPU time (user + system, from /proc), over
# RUNS runs of DURATION each, each on a fresh data directory; and resident memory per span held
# in the head. Usage: bench/ingest_durable.sh [build dir, default build/release]
# SERVE_ARGS adds flags to `serve`, e.g. SERVE_ARGS="--config bench/blocks_underneath.yaml" to
# measure with blocks cut and compacted while ingesting (head_spans then counts only the head).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-build/release}/src/app/tracehouse
RUNS=${RUNS:-5}
DURATION=${DURATION:-10s}
CONCURRENCY=${CONCURRENCY:-8}
PROTOCOL=${PROTOCOL:-grpc}
TICKS=$(getconf CLK_TCK)

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo $((20000 + RANDOM % 20000)); }

rates=()
for run in $(seq 1 "$RUNS"); do
  dir=$(mktemp -d)
  api=$(free_port); grpc=$(free_port); http=$(free_port)
  taskset -c 0 "$BIN" serve --data-dir "$dir" --http-listen-address 127.0.0.1:$api \
    --otlp-grpc-address 127.0.0.1:$grpc --otlp-http-address 127.0.0.1:$http \
    --jaeger-thrift-http-address "" --jaeger-grpc-address "" --jaeger-thrift-compact-address "" \
    --jaeger-thrift-binary-address "" --zipkin-address "" ${SERVE_ARGS:-} \
    2>"$dir/serve.log" &
  pid=$!
  for _ in $(seq 1 100); do curl -sf "127.0.0.1:$api/ready" >/dev/null && break; sleep 0.1; done
  rss0=$(rss_kb $pid); t0=$(cpu_ticks $pid)
  out=$(taskset -c 1 "$BIN" loadgen --endpoint 127.0.0.1:$grpc --protocol "$PROTOCOL" \
        --duration "$DURATION" --concurrency "$CONCURRENCY" --spans-per-request 1000)
  t1=$(cpu_ticks $pid); rss1=$(rss_kb $pid)
  acked=$(sed -n 's/.*acked_spans=\([0-9]*\).*/\1/p' <<<"$out")
  head_spans=$(curl -s "127.0.0.1:$api/metrics" | awk '$1=="tracehouse_head_spans" {print $2}')
  fsyncs=$(curl -s "127.0.0.1:$api/metrics" | awk '$1=="tracehouse_wal_fsyncs_total" {print $2}')
  blocks=$(curl -s "127.0.0.1:$api/metrics" | awk '$1=="tracehouse_store_blocks_flushed_total" {print $2}')
  compactions=$(curl -s "127.0.0.1:$api/metrics" | awk '$1=="tracehouse_compaction_jobs_total" {print $2}')
  kill -TERM $pid; wait $pid || true
  cpu=$(awk -v a=$t0 -v b=$t1 -v t=$TICKS 'BEGIN {print (b-a)/t}')
  rate=$(awk -v s=$acked -v c=$cpu 'BEGIN {printf "%.0f", s/c}')
  per_span=$(awk -v a=$rss0 -v b=$rss1 -v n=$head_spans 'BEGIN {printf "%.0f", (b-a)*1024/n}')
  echo "run $run: acked_spans=$acked server_cpu_s=$cpu spans_per_cpu_s=$rate head_spans=$head_spans fsyncs=$fsyncs blocks_cut=${blocks:-0} compactions=${compactions:-0} rss_bytes_per_span=$per_span | $out"
  rates+=("$rate")
  rm -rf "$dir"
done
printf '%s\n' "${rates[@]}" | sort -n | awk '{a[NR]=$1} END {print "spans/s per server core: min=" a[1] " median=" a[int((NR+1)/2)] " max=" a[NR] " (runs=" NR ")"}'
