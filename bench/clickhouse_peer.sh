#!/usr/bin/env bash
# Storage side by side: the storage benchmarks' spans (bench_spans.h: ~300K spans of each
# TraceGenerator profile, seed 42) in our block and in ClickHouse 18.16 (Debian's), one run.
#
#   bench/clickhouse_peer.sh [BUILD_DIR]     # BUILD_DIR holds bench/clickhouse_export
#
# For each profile (PROFILES, default "default wide"):
#   1. clickhouse_export writes the spans as TSV for three ClickHouse tables and 1000 random
#      trace ids, writes the same spans as our block into a local directory and times
#      BlockReader::FindTrace on those ids (in process, pinned to core 1).
#   2. ClickHouse loads the TSV into
#      * jaeger_spans + jaeger_index: the jaeger-clickhouse plugin's schema adapted to 18.16 (no
#        CODEC clauses, so zstd for every column from the server config; no LowCardinality; no
#        skipping indexes): spans as the plugin's JSON model, ORDER BY traceID, and the search
#        table ORDER BY (service, -toUnixTimestamp(timestamp)), index_granularity 1024 both;
#      * spans_columnar: every span field in its own column, attributes as Nested(key, value),
#        ORDER BY (service, start_unix_nano), index_granularity 8192;
#      in blocks of 10,000 rows (the plugin's batch size), merges each table into one part
#      (OPTIMIZE ... FINAL) and reads bytes_on_disk of the active parts from system.parts.
#   3. Times trace by id over ClickHouse's HTTP interface (keep-alive, one query at a time) as
#      the plugin asks it — SELECT model FROM jaeger_spans PREWHERE traceID IN (...) — and the
#      same look-up on spans_columnar (a full scan: it is not sorted by trace id).
# Prints a Markdown table. The ClickHouse server is its own: 127.0.0.1 on free ports, its own
# data dir, config and reduced caches, one query thread, pinned to core 1; stopped by PID at the
# end. Installs clickhouse-server/-client when missing, with a policy-rc.d that keeps Debian from
# starting its system daemon. A benchmark, not part of `make test`; every step is time-bounded.
#
# Environment: PROFILES, LOOKUPS (1000), SPANS (300000), WORK (scratch dir, kept; default a new
# mktemp dir, deleted at the end unless KEEP=1). Needs ~2 GB of scratch space.
set -euo pipefail

BUILD_DIR=${1:-build/release}
EXPORT="$BUILD_DIR/bench/clickhouse_export"
PROFILES=${PROFILES:-"default wide"}
LOOKUPS=${LOOKUPS:-1000}
SPANS=${SPANS:-300000}
KEEP=${KEEP:-0}
if [[ -z ${WORK:-} ]]; then
  WORK=$(mktemp -d /tmp/th-clickhouse-peer.XXXXXX)
else
  KEEP=1  # never delete a directory we did not create
fi

[[ -x "$EXPORT" ]] || { echo "clickhouse_peer: $EXPORT not built" >&2; exit 2; }
mkdir -p "$WORK"

log() { echo "clickhouse_peer: $*" >&2; }

install_clickhouse() {
  command -v clickhouse-server >/dev/null && command -v clickhouse-client >/dev/null && return
  log "installing clickhouse-server and clickhouse-client (Debian)"
  local policy=/usr/sbin/policy-rc.d backup=""
  if [[ -e $policy ]]; then backup=$(mktemp); cp -p "$policy" "$backup"; fi
  printf '#!/bin/sh\nexit 101\n' > "$policy"
  chmod 755 "$policy"
  local rc=0
  DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -q --no-install-recommends \
    clickhouse-server clickhouse-client >&2 || rc=$?
  if [[ -n $backup ]]; then mv "$backup" "$policy"; else rm -f "$policy"; fi
  [[ $rc -eq 0 ]] || { log "apt-get install failed ($rc)"; exit 1; }
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

CH_PID=""
stop_server() {
  [[ -n $CH_PID ]] || return 0
  kill "$CH_PID" 2>/dev/null || true
  for _ in $(seq 60); do kill -0 "$CH_PID" 2>/dev/null || break; sleep 0.5; done
  kill -9 "$CH_PID" 2>/dev/null || true
  CH_PID=""
}
cleanup() {
  stop_server
  if [[ $KEEP != 1 ]]; then rm -rf "$WORK"; fi
}
trap cleanup EXIT

install_clickhouse

CH="$WORK/clickhouse"
mkdir -p "$CH"/{data,tmp,log,user_files,format_schemas}
HTTP_PORT=$(free_port)
TCP_PORT=$(free_port)
while [[ $TCP_PORT == "$HTTP_PORT" ]]; do TCP_PORT=$(free_port); done
PASSWORD=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
# Caches cut from the defaults (8 GiB uncompressed, 5 GiB marks); zstd for every column, since
# 18.16 has no per-column CODEC (the plugin asks ZSTD(1) and ZSTD(3) for the span model).
cat > "$CH/config.xml" <<EOF
<yandex>
  <logger><level>warning</level><log>$CH/log/server.log</log><errorlog>$CH/log/error.log</errorlog>
    <size>50M</size><count>2</count></logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>$HTTP_PORT</http_port>
  <tcp_port>$TCP_PORT</tcp_port>
  <path>$CH/data/</path>
  <tmp_path>$CH/tmp/</tmp_path>
  <user_files_path>$CH/user_files/</user_files_path>
  <format_schema_path>$CH/format_schemas/</format_schema_path>
  <users_config>$CH/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <max_concurrent_queries>8</max_concurrent_queries>
  <mark_cache_size>268435456</mark_cache_size>
  <uncompressed_cache_size>268435456</uncompressed_cache_size>
  <compression><case><method>zstd</method></case></compression>
</yandex>
EOF
cat > "$CH/users.xml" <<EOF
<yandex>
  <profiles><default>
    <max_memory_usage>4000000000</max_memory_usage>
    <max_threads>1</max_threads>
    <use_uncompressed_cache>0</use_uncompressed_cache>
  </default></profiles>
  <users><default>
    <password>$PASSWORD</password>
    <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
    <profile>default</profile><quota>default</quota>
  </default></users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors>
    <result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time>
  </interval></default></quotas>
</yandex>
EOF

log "starting clickhouse-server on 127.0.0.1:$HTTP_PORT (data in $CH)"
taskset -c 1 clickhouse-server --config-file="$CH/config.xml" >"$CH/log/stdout.log" 2>&1 &
CH_PID=$!
URL="http://127.0.0.1:$HTTP_PORT/"
for _ in $(seq 60); do
  curl -sf --max-time 2 "${URL}ping" >/dev/null 2>&1 && break
  kill -0 "$CH_PID" 2>/dev/null || { log "server died"; tail -20 "$CH/log/stdout.log" >&2; exit 1; }
  sleep 0.5
done
curl -sf --max-time 2 "${URL}ping" >/dev/null || { log "server did not answer in 30 s"; exit 1; }

# q 'SQL': runs one statement over HTTP, the query as the body.
q() {
  curl -sS --fail-with-body --max-time 600 -u "default:$PASSWORD" --data-binary "$1" "$URL"
}
# insert TABLE FILE: streams a TSV file into TABLE, the query in the URL; 10,000 rows per
# inserted block, the plugin's default batch size (and one block of all rows would not fit the
# memory limit).
insert() {
  local query
  query=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' \
    "INSERT INTO $1 FORMAT TabSeparated")
  curl -sS --fail-with-body --max-time 600 -u "default:$PASSWORD" -X POST -T "$2" \
    "${URL}?max_insert_block_size=10000&min_insert_block_size_rows=10000&query=$query"
}
VERSION=$(q 'SELECT version()')
log "clickhouse $VERSION"

declare -A RESULT
for profile in $PROFILES; do
  dir="$WORK/$profile"
  mkdir -p "$dir"
  log "[$profile] generating spans, writing TSV and our block"
  ours=$(timeout 900 taskset -c 1 "$EXPORT" --profile "$profile" --spans "$SPANS" \
    --lookups "$LOOKUPS" --out "$dir" --block-dir "$dir/block" | tr '\n' ' ')
  log "[$profile] $ours"
  for kv in $ours; do RESULT[$profile.${kv%%=*}]=${kv#*=}; done
  RESULT[$profile.our_du]=$(du -sb "$dir/block" | cut -f1)

  db="p_$profile"
  q "DROP DATABASE IF EXISTS $db" >/dev/null
  q "CREATE DATABASE $db" >/dev/null
  q "CREATE TABLE $db.jaeger_spans (
       timestamp DateTime, traceID String, model String
     ) ENGINE MergeTree() PARTITION BY toDate(timestamp) ORDER BY traceID
     SETTINGS index_granularity = 1024" >/dev/null
  q "CREATE TABLE $db.jaeger_index (
       timestamp DateTime, traceID String, service String, operation String,
       durationUs Int64, tags Nested(key String, value String)
     ) ENGINE MergeTree() PARTITION BY toDate(timestamp)
     ORDER BY (service, -toUnixTimestamp(timestamp)) SETTINGS index_granularity = 1024" >/dev/null
  q "CREATE TABLE $db.spans_columnar (
       trace_id FixedString(16), span_id UInt64, parent_span_id UInt64, service String,
       name String, kind Int8, start_unix_nano UInt64, duration_ns UInt64, status_code Int8,
       status_message String,
       attributes Nested(key String, value String),
       resource_attributes Nested(key String, value String),
       events Nested(time_unix_nano UInt64, name String, attributes String),
       links Nested(trace_id String, span_id UInt64)
     ) ENGINE MergeTree()
     PARTITION BY toYYYYMMDD(toDateTime(intDiv(start_unix_nano, 1000000000)))
     ORDER BY (service, start_unix_nano)" >/dev/null
  for table in jaeger_spans jaeger_index spans_columnar; do
    log "[$profile] loading $table ($(du -h "$dir/$table.tsv" | cut -f1) of TSV)"
    start=$(date +%s.%N)
    if ! insert "$db.$table" "$dir/$table.tsv" >"$dir/insert.out" 2>&1; then
      log "[$profile] loading $table failed: $(head -c 600 "$dir/insert.out")"
      exit 1
    fi
    RESULT[$profile.$table.load_s]=$(printf '%.2f' "$(echo "$(date +%s.%N) - $start" | bc)")
    # OPTIMIZE leaves out parts that a background merge holds, so wait for merges and repeat
    # until one part is left.
    for _ in $(seq 20); do
      for _ in $(seq 240); do
        [[ $(q "SELECT count() FROM system.merges
               WHERE database = '$db' AND table = '$table'") == 0 ]] && break
        sleep 0.5
      done
      q "OPTIMIZE TABLE $db.$table FINAL" >/dev/null
      [[ $(q "SELECT count() FROM system.parts
             WHERE active AND database = '$db' AND table = '$table'") == 1 ]] && break
    done
    read -r rows bytes parts part < <(q "SELECT sum(rows), sum(bytes_on_disk), count(), any(name)
      FROM system.parts WHERE active AND database = '$db' AND table = '$table'
      FORMAT TabSeparated")
    RESULT[$profile.$table.rows]=$rows
    RESULT[$profile.$table.bytes]=$bytes
    RESULT[$profile.$table.parts]=$parts
    [[ $parts == 1 ]] || log "[$profile] WARNING: $table still has $parts parts"
    # The method byte after each compressed block's 16-byte checksum: 0x90 zstd, 0x82 lz4.
    bin=$(find "$CH/data/data/$db/$table/$part" -name '*.bin' | head -1)
    method=$(od -An -tx1 -j16 -N1 "$bin" | tr -d ' ')
    log "[$profile] $table: $rows rows, $bytes bytes on disk in $parts part(s) ($part;" \
      "compression method 0x$method in $(basename "$bin"))"
  done

  log "[$profile] timing trace by id over HTTP"
  timings=$(timeout 900 taskset -c 0 python3 - "$URL" "$PASSWORD" "$db" "$dir/trace_ids.txt" <<'PY'
import base64, http.client, sys, time, urllib.parse

url, password, db, ids_path = sys.argv[1:5]
host_port = urllib.parse.urlparse(url).netloc
auth = "Basic " + base64.b64encode(f"default:{password}".encode()).decode()
ids = [line.split() for line in open(ids_path) if line.strip()]
queries = {
    # As the jaeger-clickhouse plugin's GetTrace asks it.
    "jaeger": "SELECT model FROM {db}.jaeger_spans PREWHERE traceID IN ('{id}')",
    "columnar": "SELECT * FROM {db}.spans_columnar PREWHERE trace_id = unhex('{id}')",
}
deadline_per_table = 300.0
for name, template in queries.items():
    conn = http.client.HTTPConnection(host_port, timeout=60)
    def run(trace_id):
        body = template.format(db=db, id=trace_id).encode()
        conn.request("POST", "/", body=body, headers={"Authorization": auth})
        response = conn.getresponse()
        data = response.read()
        if response.status != 200:
            sys.exit(f"{name}: HTTP {response.status}: {data[:300]!r}")
        return data.count(b"\n")
    for trace_id, _ in ids[: len(ids) // 10]:  # warm-up, as for our block
        run(trace_id)
    millis = []
    started = time.monotonic()
    for trace_id, spans in ids:
        t0 = time.perf_counter()
        rows = run(trace_id)
        millis.append((time.perf_counter() - t0) * 1000)
        if rows != int(spans):
            sys.exit(f"{name}: trace {trace_id}: {rows} rows, expected {spans}")
        if time.monotonic() - started > deadline_per_table:
            break
    millis.sort()
    pick = lambda p: millis[min(len(millis) - 1, int(p * (len(millis) - 1) + 0.5))]
    print(f"{name}.p50_ms={pick(0.5):.2f} {name}.p99_ms={pick(0.99):.2f} "
          f"{name}.mean_ms={sum(millis) / len(millis):.2f} {name}.lookups={len(millis)}")
    conn.close()
PY
)
  timings=$(echo "$timings" | tr '\n' ' ')
  log "[$profile] $timings"
  for kv in $timings; do RESULT[$profile.${kv%%=*}]=${kv#*=}; done
  rm -f "$dir"/*.tsv
done
stop_server

per_span() { printf '%.2f' "$(echo "scale=4; $1 / $2" | bc)"; }
ms() { printf '%.2f' "$(echo "scale=4; $1 / 1000" | bc)"; }
row() { printf '| %s ' "$@"; echo '|'; }
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
echo
echo "ClickHouse $VERSION; $(nproc) cores, $cpu; $(date -u +%Y-%m-%d)"
echo
row "data set" "store" "bytes/span on disk" "trace by id p50" "p99" "how"
row "---" "---" "---" "---" "---" "---"
for p in $PROFILES; do
  spans=${RESULT[$p.our_spans]}
  s=${RESULT[$p.jaeger_spans.bytes]}
  i=${RESULT[$p.jaeger_index.bytes]}
  c=${RESULT[$p.spans_columnar.bytes]}
  how="4 objects on local disk ($(per_span "${RESULT[$p.our_du]}" "$spans") B/span by du); "
  how+="BlockReader::FindTrace in process, OTLP bytes out"
  row "$p ($spans spans, ${RESULT[$p.our_traces]} traces)" "Tracehouse block v1" \
    "$(per_span "${RESULT[$p.our_bytes]}" "$spans")" \
    "$(ms "${RESULT[$p.our_lookup_p50_us]}") ms" "$(ms "${RESULT[$p.our_lookup_p99_us]}") ms" "$how"
  how="jaeger_spans $(per_span "$s" "$spans") + jaeger_index $(per_span "$i" "$spans"); "
  how+="look-up on jaeger_spans by primary key, over HTTP"
  row "" "ClickHouse, Jaeger plugin schema" "$(per_span $((s + i)) "$spans")" \
    "${RESULT[$p.jaeger.p50_ms]} ms" "${RESULT[$p.jaeger.p99_ms]} ms" "$how"
  row "" "ClickHouse, columnar table" "$(per_span "$c" "$spans")" \
    "${RESULT[$p.columnar.p50_ms]} ms" "${RESULT[$p.columnar.p99_ms]} ms" \
    "ORDER BY (service, start): look-up scans every trace_id, over HTTP"
done
echo
for p in $PROFILES; do
  load="${RESULT[$p.jaeger_spans.load_s]}/${RESULT[$p.jaeger_index.load_s]}"
  load+="/${RESULT[$p.spans_columnar.load_s]}"
  echo "$p: load s (jaeger_spans/jaeger_index/columnar) $load;" \
    "our block build ${RESULT[$p.our_build_s]} s," \
    "look-up mean ${RESULT[$p.our_lookup_mean_us]} us;" \
    "ClickHouse look-up mean ${RESULT[$p.jaeger.mean_ms]} / ${RESULT[$p.columnar.mean_ms]} ms" \
    "over ${RESULT[$p.jaeger.lookups]} / ${RESULT[$p.columnar.lookups]} look-ups"
done
