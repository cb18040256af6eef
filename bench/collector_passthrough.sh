#!/usr/bin/env bash
# Pass-through `tracehouse collector`: loadgen → OTLP/gRPC → collector (batch) → OTLP/gRPC →
# sink, side by side in one run with the skeleton's direct path (loadgen → serve, durable), then
# serve's ingest rate over Jaeger thrift (HTTP) and Zipkin JSON.
# The process under test is pinned to core 0; loadgen and the sink (a second collector with the
# `nop` exporter) share core 1. Reports acknowledged spans per second of the tested process's CPU
# time (user + system from /proc) and its resident memory; then the collector's RSS while it
# carries a steady 100K spans/s.
# Usage: bench/collector_passthrough.sh [build dir, default build/release]
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-build/release}/src/app/tracehouse
RUNS=${RUNS:-3}
DURATION=${DURATION:-10s}
CONCURRENCY=${CONCURRENCY:-8}
TICKS=$(getconf CLK_TCK)

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_log() { for _ in $(seq 1 200); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done; echo "not ready: $1" >&2; cat "$1" >&2; return 1; }

work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

sink_port=$(free_port)
cat >"$work/sink.yaml" <<YAML
receivers: {otlp: {protocols: {grpc: {endpoint: 127.0.0.1:$sink_port, max_recv_msg_size_mib: 64}}}}
exporters: {nop: }
service:
  telemetry: {metrics: {level: none}}
  pipelines: {traces: {receivers: [otlp], exporters: [nop]}}
YAML
taskset -c 1 "$BIN" collector --config "$work/sink.yaml" 2>"$work/sink.log" &
wait_log "$work/sink.log" "collector is ready"

# One measured run of the collector under test; prints "rate rss_kb loadgen-output".
collector_run() {
  local rate_arg=$1 agent_port metrics_port
  agent_port=$(free_port); metrics_port=$(free_port)
  cat >"$work/agent.yaml" <<YAML
receivers: {otlp: {protocols: {grpc: {endpoint: 127.0.0.1:$agent_port}}}}
processors: {batch: {timeout: 200ms, send_batch_size: 8192}}
exporters:
  otlp: {endpoint: 127.0.0.1:$sink_port, tls: {insecure: true}, compression: none}
service:
  telemetry: {metrics: {address: 127.0.0.1:$metrics_port}}
  pipelines: {traces: {receivers: [otlp], processors: [batch], exporters: [otlp]}}
YAML
  : >"$work/agent.log"
  taskset -c 0 "$BIN" collector --config "$work/agent.yaml" 2>"$work/agent.log" &
  local pid=$!
  wait_log "$work/agent.log" "collector is ready"
  local t0 t1 out acked cpu rss
  t0=$(cpu_ticks $pid)
  out=$(taskset -c 1 "$BIN" loadgen --endpoint 127.0.0.1:$agent_port --duration "$DURATION" \
        --concurrency "$CONCURRENCY" --spans-per-request 1000 --rate "$rate_arg")
  t1=$(cpu_ticks $pid); rss=$(rss_kb $pid)
  kill -TERM $pid; wait $pid || true
  acked=$(sed -n 's/.*acked_spans=\([0-9]*\).*/\1/p' <<<"$out")
  cpu=$(awk -v a=$t0 -v b=$t1 -v t=$TICKS 'BEGIN {print (b-a)/t}')
  echo "$(awk -v s=$acked -v c=$cpu 'BEGIN {printf "%.0f", s/c}') $rss cpu_s=$cpu | $out"
}

# serve on core 0 taking `protocol` (grpc, jaeger_thrift_http, zipkin_json) from loadgen.
serve_run() {
  local protocol=${1:-grpc} dir api port pid t0 t1 out acked cpu rss
  dir=$(mktemp -d -p "$work"); api=$(free_port); port=$(free_port)
  local grpc="" jaeger="" zipkin=""
  case $protocol in
    grpc) grpc=127.0.0.1:$port ;;
    jaeger_thrift_http) jaeger=127.0.0.1:$port ;;
    zipkin_json) zipkin=127.0.0.1:$port ;;
  esac
  taskset -c 0 "$BIN" serve --data-dir "$dir" --http-listen-address 127.0.0.1:$api \
    --otlp-grpc-address "$grpc" --otlp-http-address "" \
    --jaeger-thrift-http-address "$jaeger" --jaeger-grpc-address "" --jaeger-thrift-compact-address "" \
    --jaeger-thrift-binary-address "" --zipkin-address "$zipkin" 2>"$dir/serve.log" &
  pid=$!
  for _ in $(seq 1 100); do curl -sf "127.0.0.1:$api/ready" >/dev/null && break; sleep 0.1; done
  t0=$(cpu_ticks $pid)
  out=$(taskset -c 1 "$BIN" loadgen --protocol "$protocol" --endpoint 127.0.0.1:$port \
        --duration "$DURATION" --concurrency "$CONCURRENCY" --spans-per-request 1000)
  t1=$(cpu_ticks $pid); rss=$(rss_kb $pid)
  kill -TERM $pid; wait $pid || true
  acked=$(sed -n 's/.*acked_spans=\([0-9]*\).*/\1/p' <<<"$out")
  cpu=$(awk -v a=$t0 -v b=$t1 -v t=$TICKS 'BEGIN {print (b-a)/t}')
  echo "$(awk -v s=$acked -v c=$cpu 'BEGIN {printf "%.0f", s/c}') $rss cpu_s=$cpu | $out"
}

echo "machine: nproc=$(nproc) cpu=$(awk -F: '/model name/ {print $2; exit}' /proc/cpuinfo) date=$(date -u +%F)"
for run in $(seq 1 "$RUNS"); do
  c=$(collector_run 0); s=$(serve_run)
  echo "run $run collector: spans_per_cpu_s=${c%% *} rss_kb=$(cut -d' ' -f2 <<<"$c") ${c#* * }"
  echo "run $run serve:     spans_per_cpu_s=${s%% *} rss_kb=$(cut -d' ' -f2 <<<"$s") ${s#* * }"
done
c=$(collector_run 100000)
echo "collector at 100K spans/s: rss_kb=$(cut -d' ' -f2 <<<"$c") ${c#* * }"
for protocol in jaeger_thrift_http zipkin_json; do
  s=$(serve_run $protocol)
  echo "serve over $protocol: spans_per_cpu_s=${s%% *} rss_kb=$(cut -d' ' -f2 <<<"$s") ${s#* * }"
done
