#!/usr/bin/env bash
# A real S3 server for tests: OpenStack Swift 2.30 + s3api + tempauth + memcached, all on free
# loopback ports, one process per server (workers = 0), state and PID files under DIR.
# Facts behind the config: /work/shared/reference/test-servers.md section 1. Needs the Debian
# packages swift swift-proxy swift-account swift-container swift-object memcached
# (scripts/install-deps.sh). Works offline, as root or not.
#
#   s3-test-server.sh start DIR        set up DIR (first time), start, wait until healthy, create
#                                      the bucket; prints the endpoint. Restarting a stopped DIR
#                                      keeps its ports and data.
#   s3-test-server.sh stop DIR         stop every server of DIR by its PID file
#   s3-test-server.sh env DIR          print DIR/env: S3_ENDPOINT, S3_REGION, S3_BUCKET,
#                                      S3_ACCESS_KEY, S3_SECRET_KEY (KEY=VALUE lines)
#   s3-test-server.sh stop-proxy DIR   stop only the S3 proxy (the endpoint refuses connections)
#   s3-test-server.sh start-proxy DIR  start it again and wait until it answers
#
# Environment: S3_MIN_PART_SIZE (bytes, default 5242880, AWS's minimum part size) sets s3api's
# min_segment_size when DIR is first set up; S3_START_TIMEOUT (seconds, default 60) bounds the
# health-check wait.
set -euo pipefail

readonly ACCESS_KEY="tracing:ci"
readonly SECRET_KEY="tracing-ci-secret"
readonly BUCKET="traces"
readonly REGION="us-east-1"
readonly SERVERS=(memcached account container object proxy)

die() {
  echo "s3-test-server: $*" >&2
  exit 1
}

usage() {
  die "usage: $0 {start|stop|env|stop-proxy|start-proxy} DIR"
}

[ $# -eq 2 ] || usage
cmd=$1
dir=$2
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

# Free loopback ports: bind port 0 and read what the kernel chose. The ports are released before
# the servers bind them; a clash is unlikely and makes `start` fail loudly, not hang.
pick_ports() {
  python3 - "$1" <<'EOF'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
EOF
}

write_configs() {
  local user
  user=$(id -un)
  read -r proxy_port object_port container_port account_port memcached_port <<<"$(pick_ports 5)"
  mkdir -p "$dir/etc" "$dir/srv/node/d1" "$dir/log" "$dir/run" "$dir/cache"
  cat >"$dir/ports" <<EOF
PROXY_PORT=$proxy_port
OBJECT_PORT=$object_port
CONTAINER_PORT=$container_port
ACCOUNT_PORT=$account_port
MEMCACHED_PORT=$memcached_port
EOF
  local common="[DEFAULT]
bind_ip = 127.0.0.1
workers = 0
mount_check = false
user = $user
swift_dir = $dir/etc
devices = $dir/srv/node
log_level = INFO
"
  cat >"$dir/etc/proxy-server.conf" <<EOF
$common
bind_port = $proxy_port

[pipeline:main]
pipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats bulk s3api tempauth copy slo dlo proxy-logging proxy-server

[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true

[filter:s3api]
use = egg:swift#s3api
location = $REGION
min_segment_size = ${S3_MIN_PART_SIZE:-5242880}
allowable_clock_skew = 900
# Virtual-hosted style for http://<bucket>.localhost:PORT (curl resolves *.localhost to
# loopback itself); requests to 127.0.0.1 stay path-style.
storage_domain = localhost

[filter:tempauth]
use = egg:swift#tempauth
user_tracing_ci = $SECRET_KEY .admin

[filter:cache]
use = egg:swift#memcache
memcache_servers = 127.0.0.1:$memcached_port

[filter:catch_errors]
use = egg:swift#catch_errors
[filter:gatekeeper]
use = egg:swift#gatekeeper
[filter:healthcheck]
use = egg:swift#healthcheck
[filter:proxy-logging]
use = egg:swift#proxy_logging
[filter:listing_formats]
use = egg:swift#listing_formats
[filter:bulk]
use = egg:swift#bulk
[filter:copy]
use = egg:swift#copy
[filter:slo]
use = egg:swift#slo
[filter:dlo]
use = egg:swift#dlo
EOF
  local kind port
  for kind in account container object; do
    case $kind in
      account) port=$account_port ;;
      container) port=$container_port ;;
      object) port=$object_port ;;
    esac
    cat >"$dir/etc/$kind-server.conf" <<EOF
$common
bind_port = $port

[pipeline:main]
pipeline = $kind-server

[app:$kind-server]
use = egg:swift#$kind

[$kind-replicator]
[$kind-auditor]
EOF
    [ "$kind" = object ] || continue
    # One replica, container updates written inline by the object server.
    cat >>"$dir/etc/$kind-server.conf" <<EOF
[object-updater]
EOF
  done
  (
    cd "$dir/etc"
    for kind in account container object; do
      case $kind in
        account) port=$account_port ;;
        container) port=$container_port ;;
        object) port=$object_port ;;
      esac
      swift-ring-builder "$kind.builder" create 8 1 1 >/dev/null
      swift-ring-builder "$kind.builder" add "r1z1-127.0.0.1:$port/d1" 100 >/dev/null
      swift-ring-builder "$kind.builder" rebalance >/dev/null
    done
  )
  cat >"$dir/env" <<EOF
S3_ENDPOINT=http://127.0.0.1:$proxy_port
S3_REGION=$REGION
S3_BUCKET=$BUCKET
S3_ACCESS_KEY=$ACCESS_KEY
S3_SECRET_KEY=$SECRET_KEY
EOF
}

# The hash prefix/suffix and storage policies are always read from /etc/swift/swift.conf.
ensure_swift_conf() {
  [ -f /etc/swift/swift.conf ] && return 0
  local sudo_cmd=()
  [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo -n)
  "${sudo_cmd[@]}" mkdir -p /etc/swift
  printf '[swift-hash]\nswift_hash_path_suffix = tracehouse-tests\nswift_hash_path_prefix = tracehouse-tests\n\n[storage-policy:0]\nname = Policy-0\ndefault = yes\n' |
    "${sudo_cmd[@]}" tee /etc/swift/swift.conf >/dev/null ||
    die "cannot write /etc/swift/swift.conf (run once as root)"
}

# Alive and not a zombie (an exited server waits for PID 1 to reap it, which may take seconds).
pid_running() {
  local pid=$1 state
  kill -0 "$pid" 2>/dev/null || return 1
  state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) || return 1
  [ "$state" != Z ]
}

pid_alive() {
  local pidfile="$dir/run/$1.pid"
  [ -f "$pidfile" ] && pid_running "$(cat "$pidfile")"
}

start_one() {
  local name=$1
  pid_alive "$name" && return 0
  # shellcheck source=/dev/null
  . "$dir/ports"
  local log="$dir/log/$name.log"
  case $name in
    memcached)
      local as_user=()
      [ "$(id -u)" -eq 0 ] && as_user=(-u root)
      setsid memcached "${as_user[@]}" -l 127.0.0.1 -p "$MEMCACHED_PORT" -U 0 -m 64 \
        </dev/null >>"$log" 2>&1 &
      ;;
    proxy | account | container | object)
      # -v logs to stderr: there is no /dev/log here, and UDP syslog would lose the messages.
      setsid "swift-$name-server" "$dir/etc/$name-server.conf" -v </dev/null >>"$log" 2>&1 &
      ;;
  esac
  echo $! >"$dir/run/$name.pid"
}

# Stops the named servers by their PID files: SIGTERM to all, then SIGKILL to those still
# running after 5 s.
stop_servers() {
  local name pidfile pids=() pid i
  for name in "$@"; do
    pidfile="$dir/run/$name.pid"
    [ -f "$pidfile" ] || continue
    pid=$(cat "$pidfile")
    if pid_running "$pid"; then
      kill -TERM "$pid" 2>/dev/null || true
      pids+=("$pid")
    fi
  done
  for pid in "${pids[@]}"; do
    for i in $(seq 1 50); do
      pid_running "$pid" || break
      sleep 0.1
    done
    if pid_running "$pid"; then
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  for name in "$@"; do rm -f "$dir/run/$name.pid"; done
}

# Waits until the proxy answers its health check (and the storage servers their ports).
wait_healthy() {
  # shellcheck source=/dev/null
  . "$dir/ports"
  local timeout=${S3_START_TIMEOUT:-60} start name
  start=$(date +%s)
  while true; do
    if curl -fsS --max-time 2 "http://127.0.0.1:$PROXY_PORT/healthcheck" 2>/dev/null | grep -q OK &&
      curl -sS --max-time 2 -o /dev/null "http://127.0.0.1:$OBJECT_PORT/" 2>/dev/null &&
      curl -sS --max-time 2 -o /dev/null "http://127.0.0.1:$CONTAINER_PORT/" 2>/dev/null &&
      curl -sS --max-time 2 -o /dev/null "http://127.0.0.1:$ACCOUNT_PORT/" 2>/dev/null; then
      return 0
    fi
    for name in "${SERVERS[@]}"; do
      if [ -f "$dir/run/$name.pid" ] && ! pid_alive "$name"; then
        tail -n 20 "$dir/log/$name.log" >&2 || true
        die "$name exited during start-up (log: $dir/log/$name.log)"
      fi
    done
    if [ $(($(date +%s) - start)) -ge "$timeout" ]; then
      die "not healthy after ${timeout}s (logs in $dir/log)"
    fi
    sleep 0.2
  done
}

# s3 request signed by curl's SigV4, with the workarounds of test-servers.md: the payload hash
# header added by hand, credentials in the URL (the access key holds a ':').
s3_curl() {
  local method=$1 path=$2
  # shellcheck source=/dev/null
  . "$dir/ports"
  curl -sS --max-time 10 -o "$dir/run/last-response" -w '%{http_code}' -X "$method" \
    --aws-sigv4 "aws:amz:$REGION:s3" \
    -H "x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" \
    "http://tracing%3Aci:$SECRET_KEY@127.0.0.1:$PROXY_PORT$path"
}

create_bucket() {
  local code i
  for i in $(seq 1 20); do
    code=$(s3_curl PUT "/$BUCKET") || code=000
    case $code in
      200 | 409) return 0 ;;  # 409: BucketAlreadyOwnedByYou after a restart
    esac
    sleep 0.5
  done
  cat "$dir/run/last-response" >&2 2>/dev/null || true
  die "creating bucket $BUCKET failed with HTTP $code"
}

case $cmd in
  start)
    command -v swift-proxy-server >/dev/null || die "swift is not installed (scripts/install-deps.sh)"
    command -v memcached >/dev/null || die "memcached is not installed (scripts/install-deps.sh)"
    ensure_swift_conf
    [ -f "$dir/env" ] || write_configs
    for name in "${SERVERS[@]}"; do start_one "$name"; done
    if ! (wait_healthy); then
      stop_servers "${SERVERS[@]}"
      exit 1
    fi
    create_bucket
    . "$dir/env"
    echo "$S3_ENDPOINT"
    ;;
  stop)
    stop_servers "${SERVERS[@]}"
    ;;
  env)
    [ -f "$dir/env" ] || die "$dir is not set up (run start first)"
    cat "$dir/env"
    ;;
  stop-proxy)
    stop_servers proxy
    ;;
  start-proxy)
    [ -f "$dir/env" ] || die "$dir is not set up (run start first)"
    start_one proxy
    wait_healthy
    ;;
  *)
    usage
    ;;
esac
